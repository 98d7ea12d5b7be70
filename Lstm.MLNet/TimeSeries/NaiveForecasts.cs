namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// The naive benchmarks every forecaster must beat, with the M4 competition's definitions: persistence (the last
/// value), seasonal-naive (the value one season back, repeated), Naive2 (persistence on the seasonally adjusted
/// series, reseasonalised with the classical multiplicative decomposition when the M4 seasonality test says
/// seasonal), and the MASE scale (the in-sample mean absolute error of the seasonal-naive one-step forecast).
/// </summary>
internal static class NaiveForecasts
{
    public static float[] Persistence(ReadOnlySpan<float> history, int horizon)
    {
        RequireHistory(history, 1, horizon);
        var forecast = new float[horizon];
        Array.Fill(forecast, history[^1]);
        return forecast;
    }

    /// <summary>x[n − m + (h mod m)] for h = 0 … horizon − 1; persistence when <paramref name="period"/> is 1.</summary>
    public static float[] SeasonalNaive(ReadOnlySpan<float> history, int period, int horizon)
    {
        if (period < 1) throw new ArgumentOutOfRangeException(nameof(period), period, "Must be at least 1.");
        RequireHistory(history, period, horizon);
        var forecast = new float[horizon];
        for (int h = 0; h < horizon; h++) forecast[h] = history[history.Length - period + h % period];
        return forecast;
    }

    /// <summary>M4's Naive2: seasonally adjusted persistence when the series passes the M4 seasonality test at <paramref name="period"/>.</summary>
    public static float[] Naive2(ReadOnlySpan<float> history, int period, int horizon)
    {
        RequireHistory(history, 1, horizon);
        if (period < 2 || !SeasonalityDetection.IsSeasonal(history, period)) return Persistence(history, horizon);
        var figure = ClassicalDecomposition.SeasonalIndices(history, period, multiplicative: true);
        int n = history.Length;
        double lastAdjusted = history[n - 1] / figure[(n - 1) % period];
        var forecast = new float[horizon];
        for (int h = 0; h < horizon; h++) forecast[h] = (float)(lastAdjusted * figure[(n + h) % period]);
        return forecast;
    }

    /// <summary>MASE's denominator: mean |x[t] − x[t − m]| over the history (m = 1 for non-seasonal data).</summary>
    public static double MaseScale(ReadOnlySpan<float> history, int period)
    {
        if (period < 1) throw new ArgumentOutOfRangeException(nameof(period), period, "Must be at least 1.");
        if (history.Length <= period) throw new ArgumentException($"The MASE scale at period {period} needs more than {period} values; got {history.Length}.", nameof(history));
        double sum = 0;
        for (int t = period; t < history.Length; t++) sum += Math.Abs(history[t] - history[t - period]);
        return sum / (history.Length - period);
    }

    private static void RequireHistory(ReadOnlySpan<float> history, int needed, int horizon)
    {
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "Must be at least 1.");
        if (history.Length < needed) throw new ArgumentException($"The forecast needs at least {needed} past value(s); got {history.Length}.", nameof(history));
    }
}
