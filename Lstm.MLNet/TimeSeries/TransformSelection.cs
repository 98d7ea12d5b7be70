namespace Lstm.MLNet.TimeSeries;

/// <summary>The transform chosen for a series, its seasonal period (1 = none) and the evidence, in words.</summary>
internal sealed record TransformChoice(SeriesTransformKind Kind, int SeasonalPeriod, string Reason)
{
    /// <summary>KPSS level-stationarity statistic of the (log) series, or of its seasonal difference when that was chosen.</summary>
    public double Kpss { get; init; }
    /// <summary>Strength of seasonality F_s in [0, 1] (0 when not seasonal).</summary>
    public double SeasonalStrength { get; init; }
    /// <summary>Correlation of log level and log spread over blocks of the series (NaN when not computed).</summary>
    public double LevelSpreadCorrelation { get; init; } = double.NaN;
}

/// <summary>
/// Chooses the series transform as auto-ARIMA chooses its differencing (Hyndman &amp; Khandakar 2008): first the
/// seasonal period (<see cref="SeasonalityDetection"/>); a seasonal difference when the seasonal strength F_s exceeds
/// 0.64 (<c>nsdiffs</c>' rule); else a first difference when the KPSS test rejects level stationarity at 5%
/// (<c>ndiffs</c>' rule). A log goes first when the series is positive and its spread grows with its level (the
/// log-spread of blocks correlates with their log-level at ≥ 0.6 over a level range of at least 1.5×), the case a
/// Box-Cox λ near 0 describes.
/// </summary>
internal static class TransformSelection
{
    /// <summary>KPSS 5% critical value for level stationarity (Kwiatkowski et al. 1992, Table 1).</summary>
    public const double KpssCriticalValue = 0.463;
    /// <summary>F_s above which the seasonal difference is taken (forecast::nsdiffs).</summary>
    public const double SeasonalStrengthThreshold = 0.64;
    public const double LogCorrelationThreshold = 0.6;
    public const double LogLevelRange = 1.5;

    public static TransformChoice Choose(ReadOnlySpan<float> series, int frequencyHint = 0)
    {
        if (series.Length < 8) throw new ArgumentException($"Choosing a transform needs at least 8 values; got {series.Length}.", nameof(series));
        for (int t = 0; t < series.Length; t++)
            if (!float.IsFinite(series[t])) throw new ArgumentException($"Value {t} of the series is {series[t]}; a transform is chosen on finite values only.", nameof(series));

        var season = SeasonalityDetection.Detect(series, frequencyHint);
        int period = season.Period;
        double correlation = LevelSpreadCorrelation(series, period, out double levelRange);
        bool log = correlation >= LogCorrelationThreshold && levelRange >= LogLevelRange;
        var reasons = new List<string> { season.Reason };
        if (double.IsNaN(correlation)) reasons.Add("no log: the series is not positive or too short to compare spread with level.");
        else reasons.Add($"log-spread vs log-level correlation {correlation:F2} over a level range of {levelRange:F2}×: {(log ? "log" : "no log")}.");
        var working = log ? SeriesTransform.Forward(SeriesTransformKind.Log, series) : series.ToArray();

        double strength = period >= 2 && working.Length >= 2 * period ? ClassicalDecomposition.SeasonalStrength(working, period) : 0;
        if (period >= 2 && strength > SeasonalStrengthThreshold && working.Length > 2 * period)
        {
            var seasonalDifference = SeriesTransform.Forward(SeriesTransformKind.SeasonalDifference, working, period);
            double kpssAfter = Kpss(seasonalDifference);
            reasons.Add($"seasonal strength {strength:F2} > {SeasonalStrengthThreshold}: seasonal difference at {period}" +
                        (kpssAfter > KpssCriticalValue ? $" (KPSS {kpssAfter:F3} after it: a trend remains, which the network has to follow)." : $" (KPSS {kpssAfter:F3} after it: stationary)."));
            return new TransformChoice(log ? SeriesTransformKind.LogSeasonalDifference : SeriesTransformKind.SeasonalDifference, period, string.Join(" ", reasons))
            { Kpss = kpssAfter, SeasonalStrength = strength, LevelSpreadCorrelation = correlation };
        }
        if (period >= 2) reasons.Add($"seasonal strength {strength:F2} ≤ {SeasonalStrengthThreshold}: no seasonal difference.");
        double kpss = Kpss(working);
        bool difference = kpss > KpssCriticalValue;
        reasons.Add($"KPSS {kpss:F3} {(difference ? ">" : "≤")} {KpssCriticalValue}: {(difference ? "difference" : "no difference")}.");
        var kind = (log, difference) switch
        {
            (true, true) => SeriesTransformKind.LogDifference,
            (true, false) => SeriesTransformKind.Log,
            (false, true) => SeriesTransformKind.Difference,
            _ => SeriesTransformKind.None,
        };
        return new TransformChoice(kind, period, string.Join(" ", reasons)) { Kpss = kpss, SeasonalStrength = strength, LevelSpreadCorrelation = correlation };
    }

    /// <summary>
    /// The KPSS statistic for level stationarity: Σ S_t² / (n² σ̂²), S_t the partial sums of the demeaned series and σ̂²
    /// the Newey-West long-run variance with Bartlett weights and ⌊3√n / 13⌋ lags (the "short" lag of R's tseries/urca).
    /// </summary>
    public static double Kpss(ReadOnlySpan<float> series)
    {
        int n = series.Length;
        if (n < 3) throw new ArgumentException($"KPSS needs at least 3 values; got {n}.", nameof(series));
        double mean = 0;
        for (int t = 0; t < n; t++) mean += series[t];
        mean /= n;
        var e = new double[n];
        for (int t = 0; t < n; t++) e[t] = series[t] - mean;
        double partial = 0, sumOfSquares = 0;
        for (int t = 0; t < n; t++) { partial += e[t]; sumOfSquares += partial * partial; }
        int lags = (int)(3 * Math.Sqrt(n) / 13);
        double longRun = 0;
        for (int t = 0; t < n; t++) longRun += e[t] * e[t];
        for (int k = 1; k <= lags; k++)
        {
            double gamma = 0;
            for (int t = k; t < n; t++) gamma += e[t] * e[t - k];
            longRun += 2 * (1 - k / (lags + 1.0)) * gamma;
        }
        longRun /= n;
        return longRun <= 0 ? 0 : sumOfSquares / ((double)n * n * longRun);
    }

    /// <summary>
    /// Pearson correlation of log(mean) and log(standard deviation) over consecutive blocks (one period long, or n/8 for
    /// a non-seasonal series; at least 4 blocks), and the ratio of the largest block mean to the smallest. NaN when the
    /// series is not positive or gives fewer than 4 blocks.
    /// </summary>
    private static double LevelSpreadCorrelation(ReadOnlySpan<float> series, int period, out double levelRange)
    {
        levelRange = 1;
        for (int t = 0; t < series.Length; t++) if (!(series[t] > 0)) return double.NaN;
        int block = period >= 2 ? period : Math.Max(4, series.Length / 8);
        int blocks = series.Length / block;
        if (blocks < 4) return double.NaN;
        var logMeans = new List<double>();
        var logSpreads = new List<double>();
        double lowest = double.MaxValue, highest = 0;
        for (int b = 0; b < blocks; b++)
        {
            var values = series.Slice(b * block, block);
            double mean = 0;
            foreach (float v in values) mean += v;
            mean /= block;
            double variance = 0;
            foreach (float v in values) variance += (v - mean) * (v - mean);
            double spread = Math.Sqrt(variance / (block - 1));
            if (spread <= 0) continue;
            logMeans.Add(Math.Log(mean));
            logSpreads.Add(Math.Log(spread));
            lowest = Math.Min(lowest, mean); highest = Math.Max(highest, mean);
        }
        if (logMeans.Count < 4) return double.NaN;
        levelRange = highest / lowest;
        return Pearson(logMeans, logSpreads);
    }

    private static double Pearson(List<double> x, List<double> y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my); }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.Sqrt(sxx * syy);
    }
}
