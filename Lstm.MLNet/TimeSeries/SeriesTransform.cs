namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// A transform of the target series before windowing, undone on the forecasts. A trend and a growing seasonal swing
/// (airline passengers) are easier for an LSTM as log-differences: the network then learns relative month-to-month
/// change, which is stationary. Differencing drops the first value; the inverse needs the last observed value.
/// </summary>
public enum SeriesTransformKind
{
    /// <summary>The series as it is.</summary>
    None = 0,
    /// <summary>ln(x): needs positive values.</summary>
    Log = 1,
    /// <summary>x[t] − x[t−1].</summary>
    Difference = 2,
    /// <summary>ln(x[t]) − ln(x[t−1]): needs positive values.</summary>
    LogDifference = 3,
}

/// <summary>The series transforms of <see cref="SeriesTransformKind"/> and their inverses, for baselines that work in the forecaster's space.</summary>
public static class SeriesTransform
{
    /// <summary>Raw values consumed per transformed value at the start (1 for the differencing kinds).</summary>
    public static int Lag(SeriesTransformKind kind) => kind is SeriesTransformKind.Difference or SeriesTransformKind.LogDifference ? 1 : 0;

    /// <summary>The transformed series (length T − <see cref="Lag"/>). Throws naming the index of a value a log cannot take.</summary>
    public static float[] Forward(SeriesTransformKind kind, ReadOnlySpan<float> raw)
    {
        bool log = kind is SeriesTransformKind.Log or SeriesTransformKind.LogDifference;
        var values = new double[raw.Length];
        for (int t = 0; t < raw.Length; t++)
        {
            if (log && !(raw[t] > 0))
                throw new ArgumentException($"Value {t} of the series is {raw[t]}; the {kind} transform needs positive values.", nameof(raw));
            values[t] = log ? Math.Log(raw[t]) : raw[t];
        }
        int lag = Lag(kind);
        var result = new float[Math.Max(0, raw.Length - lag)];
        for (int t = 0; t < result.Length; t++)
            result[t] = (float)(lag == 0 ? values[t] : values[t + 1] - values[t]);
        return result;
    }

    /// <summary>Raw values from transformed forecasts that follow the observed value <paramref name="lastRaw"/> (in place).</summary>
    public static void Inverse(SeriesTransformKind kind, float lastRaw, Span<float> forecasts)
    {
        switch (kind)
        {
            case SeriesTransformKind.None: return;
            case SeriesTransformKind.Log:
                for (int h = 0; h < forecasts.Length; h++) forecasts[h] = (float)Math.Exp(forecasts[h]);
                return;
            case SeriesTransformKind.Difference:
            {
                double level = lastRaw;
                for (int h = 0; h < forecasts.Length; h++) forecasts[h] = (float)(level += forecasts[h]);
                return;
            }
            case SeriesTransformKind.LogDifference:
            {
                double level = Math.Log(lastRaw);
                for (int h = 0; h < forecasts.Length; h++) forecasts[h] = (float)Math.Exp(level += forecasts[h]);
                return;
            }
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown transform.");
        }
    }
}
