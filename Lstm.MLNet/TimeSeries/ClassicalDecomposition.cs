namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// Classical seasonal decomposition (as R's <c>decompose</c>, which the M4 benchmarks use): the trend is a centred
/// moving average over one period (a 2×m average when m is even), the seasonal figure of position i = t mod m is the
/// mean of x/trend (multiplicative) or x − trend (additive) over the steps where the trend is defined, normalised to
/// mean 1 (or 0). Positions count from the series' first value.
/// </summary>
internal static class ClassicalDecomposition
{
    /// <summary>The centred moving average (NaN at the ends where the window does not fit).</summary>
    public static double[] Trend(ReadOnlySpan<float> series, int period)
    {
        if (period < 2) throw new ArgumentOutOfRangeException(nameof(period), period, "A seasonal period is at least 2.");
        int n = series.Length, half = period / 2;
        var trend = new double[n];
        Array.Fill(trend, double.NaN);
        for (int t = half; t < n - half; t++)
        {
            double sum = 0;
            if (period % 2 == 1)
                for (int j = -half; j <= half; j++) sum += series[t + j];
            else
            {
                for (int j = -half + 1; j < half; j++) sum += series[t + j];
                sum += 0.5 * (series[t - half] + series[t + half]);
            }
            trend[t] = sum / period;
        }
        return trend;
    }

    /// <summary>The seasonal figure [period]: index i applies to steps t with t mod period = i. Needs two full periods.</summary>
    public static double[] SeasonalIndices(ReadOnlySpan<float> series, int period, bool multiplicative)
    {
        if (series.Length < 2 * period)
            throw new ArgumentException($"A decomposition at period {period} needs at least {2 * period} values; got {series.Length}.", nameof(series));
        var trend = Trend(series, period);
        var sums = new double[period];
        var counts = new int[period];
        for (int t = 0; t < series.Length; t++)
        {
            if (double.IsNaN(trend[t])) continue;
            if (multiplicative && trend[t] == 0) continue;
            sums[t % period] += multiplicative ? series[t] / trend[t] : series[t] - trend[t];
            counts[t % period]++;
        }
        var figure = new double[period];
        for (int i = 0; i < period; i++) figure[i] = sums[i] / counts[i];
        double mean = figure.Average();
        for (int i = 0; i < period; i++) figure[i] = multiplicative ? figure[i] / mean : figure[i] - mean;
        return figure;
    }

    /// <summary>
    /// Strength of seasonality F_s = max(0, 1 − Var(remainder) / Var(seasonal + remainder)) of the additive decomposition
    /// (Wang, Smith &amp; Hyndman 2006; auto-ARIMA's <c>nsdiffs</c> differences seasonally above 0.64).
    /// </summary>
    public static double SeasonalStrength(ReadOnlySpan<float> series, int period)
    {
        var trend = Trend(series, period);
        var figure = SeasonalIndices(series, period, multiplicative: false);
        var remainder = new List<double>();
        var detrended = new List<double>();
        for (int t = 0; t < series.Length; t++)
        {
            if (double.IsNaN(trend[t])) continue;
            detrended.Add(series[t] - trend[t]);
            remainder.Add(series[t] - trend[t] - figure[t % period]);
        }
        double varianceDetrended = Variance(detrended);
        return varianceDetrended == 0 ? 0 : Math.Max(0, 1 - Variance(remainder) / varianceDetrended);
    }

    private static double Variance(List<double> values)
    {
        double mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / values.Count;
    }
}
