namespace Lstm.MLNet.TimeSeries;

/// <summary>The seasonal period found for a series, with the evidence: r_m, the limit it had to clear, and why.</summary>
internal sealed record SeasonalityResult(int Period, double Autocorrelation, double Limit, string Reason)
{
    /// <summary>Whether a period of at least 2 was found (1 means: not seasonal).</summary>
    public bool IsSeasonal => Period >= 2;
    /// <summary>The period that was tested (the hint, or the highest ACF peak), significant or not; 1 when none was.</summary>
    public int TestedPeriod { get; init; } = 1;
}

/// <summary>
/// The seasonal period of a series from its autocorrelation function. The significance test is the one of the M4
/// competition's benchmarks (Naive2): the series is seasonal at period m when it has at least 3m values and
/// |r_m| &gt; 1.645 · √((1 + 2 Σ_{k&lt;m} r_k²) / n), i.e. r_m lies outside the 90% band of Bartlett's formula for a
/// moving-average process of order m − 1. A known frequency (12 for monthly, 24 for hourly) is only tested; without
/// one, the ACF of the linearly detrended series is scanned for its peaks (a trend makes every lag look
/// significant): the shortest lag whose peak is within 90% of the highest is tested, at a Bonferroni-corrected level
/// for the number of lags searched (z = √(2 ln(L / 0.1)), L the longest lag), since scanning many lags at 90% would
/// find a season in white noise.
/// </summary>
internal static class SeasonalityDetection
{
    /// <summary>The one-sided 95% (two-sided 90%) normal quantile the M4 test uses.</summary>
    public const double CriticalValue = 1.645;
    /// <summary>The longest period searched without a hint (a week of hours is 168, a year of days 365).</summary>
    public const int DefaultMaxPeriod = 400;

    /// <summary>r_0 … r_maxLag of the series (mean removed, divided by n·γ_0 as R's <c>acf</c>); a constant series gives zeros.</summary>
    public static double[] Autocorrelation(ReadOnlySpan<float> series, int maxLag)
    {
        var values = new double[series.Length];
        for (int t = 0; t < values.Length; t++) values[t] = series[t];
        return Autocorrelation(values, maxLag);
    }

    private static double[] Autocorrelation(double[] series, int maxLag)
    {
        int n = series.Length;
        if (maxLag < 0 || maxLag >= n) throw new ArgumentOutOfRangeException(nameof(maxLag), maxLag, $"Must be in [0, {n - 1}] for a series of {n} values.");
        double mean = 0;
        foreach (double v in series) mean += v;
        mean /= n;
        var centred = series.Select(v => v - mean).ToArray();
        double variance = centred.Sum(v => v * v);
        var r = new double[maxLag + 1];
        if (variance == 0) return r;
        for (int k = 0; k <= maxLag; k++)
        {
            double sum = 0;
            for (int t = k; t < n; t++) sum += centred[t] * centred[t - k];
            r[k] = sum / variance;
        }
        return r;
    }

    /// <summary>The M4 test at one period: seasonal when there are at least 3 periods and r_m clears the 90% limit.</summary>
    public static bool IsSeasonal(ReadOnlySpan<float> series, int period) => Test(series, period).IsSeasonal;

    /// <summary>The M4 test at one period, with r_m and its limit.</summary>
    public static SeasonalityResult Test(ReadOnlySpan<float> series, int period)
    {
        if (period < 2) throw new ArgumentOutOfRangeException(nameof(period), period, "A seasonal period is at least 2.");
        if (series.Length < 3 * period)
            return new SeasonalityResult(1, double.NaN, double.NaN, $"{series.Length} values are fewer than 3 periods of {period}: not tested, taken as not seasonal.");
        var r = Autocorrelation(series, period);
        return Judge(r, series.Length, period, CriticalValue);
    }

    private static SeasonalityResult Judge(double[] r, int n, int period, double critical)
    {
        double sumOfSquares = 0;
        for (int k = 1; k < period; k++) sumOfSquares += r[k] * r[k];
        double limit = critical / Math.Sqrt(n) * Math.Sqrt(1 + 2 * sumOfSquares);
        bool seasonal = Math.Abs(r[period]) > limit;
        return new SeasonalityResult(seasonal ? period : 1, r[period], limit,
            $"r_{period} = {r[period]:F3} {(seasonal ? ">" : "≤")} {limit:F3} (limit at z = {critical:F3}, n = {n}): {(seasonal ? "seasonal" : "not seasonal")} at period {period}.");
    }

    /// <summary>
    /// The seasonal period: the hint's when it is given (≥ 2) and passes the test, else 1; without a hint, the highest
    /// significant ACF peak of the detrended series up to <paramref name="maxPeriod"/> (and n/3).
    /// </summary>
    public static SeasonalityResult Detect(ReadOnlySpan<float> series, int frequencyHint = 0, int maxPeriod = DefaultMaxPeriod)
    {
        if (series.Length < 6) throw new ArgumentException($"A series of {series.Length} values is too short to look for a season (at least 6).", nameof(series));
        if (frequencyHint >= 2) return Test(series, frequencyHint) with { TestedPeriod = frequencyHint };
        if (frequencyHint < 0) throw new ArgumentOutOfRangeException(nameof(frequencyHint), frequencyHint, "Must be 0 (unknown), 1 (not seasonal) or a period ≥ 2.");
        if (frequencyHint == 1) return new SeasonalityResult(1, double.NaN, double.NaN, "The frequency hint says not seasonal.");

        int n = series.Length, longest = Math.Min(maxPeriod, n / 3);
        if (longest < 2) return new SeasonalityResult(1, double.NaN, double.NaN, $"{n} values are too few to test any period (3 periods needed).");
        var r = Autocorrelation(Detrend(series), longest + 1);
        // The peaks of the ACF; a multiple of the period peaks about as high, so the shortest near the highest wins.
        var peaks = Enumerable.Range(2, longest - 1).Where(p => r[p] > 0 && r[p] > r[p - 1] && r[p] >= r[p + 1]).ToList();
        if (peaks.Count == 0) return new SeasonalityResult(1, double.NaN, double.NaN, $"The ACF has no positive peak up to lag {longest}: not seasonal.");
        double highest = peaks.Max(p => r[p]);
        int period = peaks.First(p => r[p] >= 0.9 * highest);
        // Searching many lags, the 90% test would find a "season" in white noise; Bonferroni over the lags searched.
        double critical = Math.Sqrt(2 * Math.Log(longest / 0.1));
        var judged = Judge(r, n, period, critical);
        return judged.IsSeasonal ? judged with { Reason = $"Highest ACF peak (of lags 2–{longest}, searched without a hint): {judged.Reason}", TestedPeriod = period }
            : new SeasonalityResult(1, r[period], judged.Limit, $"The highest ACF peak up to lag {longest}, {judged.Reason}") { TestedPeriod = period };
    }

    /// <summary>The series less its least-squares line.</summary>
    private static double[] Detrend(ReadOnlySpan<float> series)
    {
        int n = series.Length;
        double meanT = (n - 1) / 2.0, meanX = 0;
        for (int t = 0; t < n; t++) meanX += series[t];
        meanX /= n;
        double covariance = 0, varianceT = 0;
        for (int t = 0; t < n; t++) { covariance += (t - meanT) * (series[t] - meanX); varianceT += (t - meanT) * (t - meanT); }
        double slope = covariance / varianceT;
        var result = new double[n];
        for (int t = 0; t < n; t++) result[t] = series[t] - meanX - slope * (t - meanT);
        return result;
    }
}
