namespace Lstm.MLNet.Samples.Forecasting;

/// <summary>Forecast errors over all (origin, step) pairs of a protocol: RMSE and MAPE.</summary>
public sealed class ErrorAccumulator
{
    private double _squared, _absolutePercent;
    private int _count, _percentCount;

    public void Add(double forecast, double actual)
    {
        _squared += (forecast - actual) * (forecast - actual);
        _count++;
        if (actual != 0) { _absolutePercent += Math.Abs((forecast - actual) / actual); _percentCount++; }
    }

    public double Rmse => Math.Sqrt(_squared / Math.Max(1, _count));
    public double Mape => _percentCount == 0 ? double.NaN : 100 * _absolutePercent / _percentCount;
}
