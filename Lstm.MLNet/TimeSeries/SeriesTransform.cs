namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// A transform of the target series before windowing, undone on the forecasts. A trend and a growing seasonal swing
/// (airline passengers) are easier for an LSTM as log-differences: the network then learns relative month-to-month
/// change, which is stationary. Differencing drops the first value; the inverse needs the last observed value.
/// Seasonal differencing (x[t] − x[t−m]) removes a stable seasonal pattern and a level shift at once, as SARIMA's
/// seasonal D = 1 does; it drops the first m values and its inverse needs the last m observed values.
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
    /// <summary>x[t] − x[t−m] for a seasonal period m.</summary>
    SeasonalDifference = 4,
    /// <summary>ln(x[t]) − ln(x[t−m]): needs positive values.</summary>
    LogSeasonalDifference = 5,
    /// <summary>
    /// Chosen at Fit (the forecaster's default): candidates None, Difference and the kind a unit-root and seasonal-strength
    /// test suggests (seasonal and log variants included) are trained, and the one with the lowest error on the last
    /// (validation) windows is kept. The model's <c>Diagnostics</c> name the choice.
    /// </summary>
    Auto = 6,
}

/// <summary>The series transforms of <see cref="SeriesTransformKind"/> and their inverses, for baselines that work in the forecaster's space.</summary>
internal static class SeriesTransform
{
    /// <summary>The longest seasonal period accepted (a year of hours is 8,766).</summary>
    public const int MaxSeasonalPeriod = 100_000;

    /// <summary>Whether the kind differences at the seasonal period (and so needs one).</summary>
    public static bool IsSeasonal(SeriesTransformKind kind) => kind is SeriesTransformKind.SeasonalDifference or SeriesTransformKind.LogSeasonalDifference;

    public static bool IsLog(SeriesTransformKind kind) =>
        kind is SeriesTransformKind.Log or SeriesTransformKind.LogDifference or SeriesTransformKind.LogSeasonalDifference;

    /// <summary>Raw values consumed per transformed value at the start (1 for the differencing kinds).</summary>
    public static int Lag(SeriesTransformKind kind) => Lag(kind, seasonalPeriod: 0);

    /// <summary>Raw values consumed per transformed value at the start: 1 for differencing, m for seasonal differencing.</summary>
    public static int Lag(SeriesTransformKind kind, int seasonalPeriod) => kind switch
    {
        SeriesTransformKind.Difference or SeriesTransformKind.LogDifference => 1,
        SeriesTransformKind.SeasonalDifference or SeriesTransformKind.LogSeasonalDifference => CheckPeriod(kind, seasonalPeriod),
        SeriesTransformKind.Auto => throw new ArgumentException("Auto is resolved to a concrete transform at Fit; it has no lag of its own.", nameof(kind)),
        _ => 0,
    };

    private static int CheckPeriod(SeriesTransformKind kind, int seasonalPeriod) => seasonalPeriod >= 2 ? seasonalPeriod
        : throw new ArgumentOutOfRangeException(nameof(seasonalPeriod), seasonalPeriod, $"The {kind} transform needs a seasonal period of at least 2.");

    /// <summary>The transformed series (length T − <see cref="Lag(SeriesTransformKind)"/>). Throws naming the index of a value a log cannot take.</summary>
    public static float[] Forward(SeriesTransformKind kind, ReadOnlySpan<float> raw) => Forward(kind, raw, seasonalPeriod: 0);

    /// <summary>The transformed series (length T − lag); <paramref name="seasonalPeriod"/> is used by the seasonal kinds only.</summary>
    public static float[] Forward(SeriesTransformKind kind, ReadOnlySpan<float> raw, int seasonalPeriod)
    {
        bool log = IsLog(kind);
        var values = new double[raw.Length];
        for (int t = 0; t < raw.Length; t++)
        {
            if (log && !(raw[t] > 0))
                throw new ArgumentException($"Value {t} of the series is {raw[t]}; the {kind} transform needs positive values.", nameof(raw));
            values[t] = log ? Math.Log(raw[t]) : raw[t];
        }
        int lag = Lag(kind, seasonalPeriod);
        var result = new float[Math.Max(0, raw.Length - lag)];
        for (int t = 0; t < result.Length; t++)
            result[t] = (float)(lag == 0 ? values[t] : values[t + lag] - values[t]);
        return result;
    }

    /// <summary>Raw values from transformed forecasts that follow the observed value <paramref name="lastRaw"/> (in place).</summary>
    public static void Inverse(SeriesTransformKind kind, float lastRaw, Span<float> forecasts)
    {
        if (IsSeasonal(kind))
            throw new ArgumentException($"The {kind} transform needs the last seasonal period of observations to be undone; use the overload with the tail and the period.", nameof(kind));
        Inverse(kind, [lastRaw], seasonalPeriod: 0, forecasts);
    }

    /// <summary>
    /// Raw values from transformed forecasts (in place) that follow <paramref name="rawTail"/>, the last observations
    /// (at least <see cref="Lag(SeriesTransformKind, int)"/> of them, and one for the others).
    /// </summary>
    public static void Inverse(SeriesTransformKind kind, ReadOnlySpan<float> rawTail, int seasonalPeriod, Span<float> forecasts)
    {
        int needed = Math.Max(1, Lag(kind, seasonalPeriod));
        if (kind != SeriesTransformKind.None && kind != SeriesTransformKind.Log && rawTail.Length < needed)
            throw new ArgumentException($"Undoing {kind} needs the last {needed} observation(s); got {rawTail.Length}.", nameof(rawTail));
        switch (kind)
        {
            case SeriesTransformKind.None: return;
            case SeriesTransformKind.Log:
                for (int h = 0; h < forecasts.Length; h++) forecasts[h] = (float)Math.Exp(forecasts[h]);
                return;
            case SeriesTransformKind.Difference:
            {
                double level = rawTail[^1];
                for (int h = 0; h < forecasts.Length; h++) forecasts[h] = (float)(level += forecasts[h]);
                return;
            }
            case SeriesTransformKind.LogDifference:
            {
                double level = Math.Log(rawTail[^1]);
                for (int h = 0; h < forecasts.Length; h++) forecasts[h] = (float)Math.Exp(level += forecasts[h]);
                return;
            }
            case SeriesTransformKind.SeasonalDifference:
            case SeriesTransformKind.LogSeasonalDifference:
            {
                // x[T+h] = z[T+h] + x[T+h−m]: the value a season back is observed for h < m and an earlier forecast after.
                bool log = kind == SeriesTransformKind.LogSeasonalDifference;
                int m = seasonalPeriod;
                var levels = new double[forecasts.Length];
                for (int h = 0; h < forecasts.Length; h++)
                {
                    double back = h < m ? (log ? Math.Log(rawTail[rawTail.Length - m + h]) : rawTail[rawTail.Length - m + h]) : levels[h - m];
                    levels[h] = back + forecasts[h];
                }
                for (int h = 0; h < forecasts.Length; h++) forecasts[h] = (float)(log ? Math.Exp(levels[h]) : levels[h]);
                return;
            }
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown transform.");
        }
    }
}
