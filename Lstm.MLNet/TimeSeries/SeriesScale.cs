namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// How one series of a global model is put on the shared scale, as ES-RNN and DeepAR do: its seasonal figure
/// (classical decomposition at the model's period, multiplicative for a positive series, additive otherwise; none when
/// the series is shorter than two periods) is removed, then each window is divided by (positive series: ln(x / level) / spread)
/// or shifted and scaled by (otherwise: (x − level) / spread) its own level, the mean of its last season (or of the
/// whole window when the season is longer). The network therefore sees shapes, not magnitudes, and one network serves
/// series whose levels differ by orders of magnitude. Positions count from the series' first observation.
/// </summary>
internal sealed class SeriesScale
{
    public SeriesScale(float[] seasonalFigure, bool positive, float spread)
    {
        ArgumentNullException.ThrowIfNull(seasonalFigure);
        SeriesChecks.RequireFinite(seasonalFigure, 1, nameof(seasonalFigure), "Seasonal figure value", rowName: "position");
        if (positive && seasonalFigure.Any(v => !(v > 0)))
            throw new ArgumentException("A positive series' multiplicative seasonal figure must be positive.", nameof(seasonalFigure));
        if (!(float.IsFinite(spread) && spread > 0)) throw new ArgumentOutOfRangeException(nameof(spread), spread, "The spread must be positive and finite.");
        SeasonalFigure = seasonalFigure; Positive = positive; Spread = spread;
    }

    /// <summary>[period] the seasonal figure by position t mod period (multiplicative when <see cref="Positive"/>); empty = none.</summary>
    public float[] SeasonalFigure { get; }
    /// <summary>Every training value was positive: the log-ratio scale (forecasts and their bands stay positive).</summary>
    public bool Positive { get; }
    /// <summary>
    /// The unit of the series' scale. Otherwise: the mean absolute step-to-step change of the training values. Positive: the
    /// square root of the mean absolute change of their adjusted logarithms (<see cref="LogSpread"/>), so a quiet series' log
    /// ratios are magnified (models of format 3 and older: 1).
    /// </summary>
    public float Spread { get; }

    /// <summary>The scale of <paramref name="series"/> (its training values) at <paramref name="period"/> (1 = no season).</summary>
    public static SeriesScale Fit(ReadOnlySpan<float> series, int period)
    {
        if (series.Length < 2) throw new ArgumentException($"A series needs at least 2 values to be scaled; got {series.Length}.", nameof(series));
        bool positive = series.IndexOfAnyExceptInRange(float.Epsilon, float.MaxValue) < 0;
        var figure = period >= 2 && series.Length >= 2 * period
            ? ClassicalDecomposition.SeasonalIndices(series, period, multiplicative: positive).Select(v => (float)v).ToArray()
            : [];
        if (figure.Any(v => !float.IsFinite(v) || (positive && !(v > 0)))) figure = []; // a degenerate decomposition: no season
        if (positive) return new SeriesScale(figure, positive, LogSpread(series, figure));
        double change = 0;
        for (int t = 1; t < series.Length; t++) change += Math.Abs(series[t] - series[t - 1]);
        float spread = (float)(change / (series.Length - 1));
        if (!(spread > 0)) spread = Math.Max(1e-6f, Math.Abs(series[0]) * 1e-3f); // a constant series
        return new SeriesScale(figure, positive, spread);
    }

    /// <summary>Below this mean log change (0.01%) a series counts as constant: its unit stays at the square root of it, 0.01.</summary>
    private const double QuietestLogChange = 1e-4;

    /// <summary>
    /// A positive series' unit: √(mean |Δ ln adjusted value|). Log ratios alone put every series' network error at the
    /// network's precision, 1–2% of the level, which on a series whose daily cycle repeats to a tenth of a degree is 5–8
    /// times seasonal-naive's error (M4 Hourly H187, H182). Dividing by the mean change itself magnifies those series into
    /// the network's range, but also a few that jump to 100 times their usual change, which then dominated the squared loss
    /// (M4 Hourly, one network, MASE 1.240 against 1.217 without); the square root moves each series halfway, on the
    /// log scale, to a common unit: MASE 1.059, sMAPE 9.40 against 9.58 (README, "The global model").
    /// </summary>
    private static float LogSpread(ReadOnlySpan<float> series, float[] figure)
    {
        double change = 0;
        for (int t = 1; t < series.Length; t++)
            change += Math.Abs(Math.Log(AdjustedAt(series, figure, t) / AdjustedAt(series, figure, t - 1)));
        return (float)Math.Sqrt(Math.Max(change / (series.Length - 1), QuietestLogChange));
    }

    private static double AdjustedAt(ReadOnlySpan<float> series, float[] figure, int t) =>
        figure.Length == 0 ? series[t] : (double)series[t] / figure[t % figure.Length];

    /// <summary>The seasonally adjusted value of observation <paramref name="position"/> (its index in the series).</summary>
    public double Adjust(float value, long position) => SeasonalFigure.Length == 0 ? value
        : Positive ? value / SeasonalFigure[position % SeasonalFigure.Length] : value - SeasonalFigure[position % SeasonalFigure.Length];

    /// <summary>Puts the season back on an adjusted value at <paramref name="position"/>.</summary>
    public double Reseason(double adjusted, long position) => SeasonalFigure.Length == 0 ? adjusted
        : Positive ? adjusted * SeasonalFigure[position % SeasonalFigure.Length] : adjusted + SeasonalFigure[position % SeasonalFigure.Length];

    /// <summary>An adjusted value on the window's scale (level <paramref name="level"/>).</summary>
    public float ToScale(double adjusted, double level) => (float)(Positive ? Math.Log(Math.Max(adjusted, 1e-12) / level) / Spread : (adjusted - level) / Spread);

    /// <summary>The inverse of <see cref="ToScale"/>.</summary>
    public double FromScale(double scaled, double level) => Positive ? level * Math.Exp(Math.Min(scaled * Spread, 50)) : level + scaled * Spread;
}
