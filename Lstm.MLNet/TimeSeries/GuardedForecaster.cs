namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// What a trained forecaster serves: the network (<see cref="SeriesForecaster"/>) behind the naive guard's decision
/// (<see cref="ForecastDiagnostics"/>), with intervals from the residuals of what is served. Its state is the last
/// <see cref="StateLength"/> raw observations: the network's tail, or a full season when seasonal-naive may be served.
/// One instance per thread (the network's workspaces): use <see cref="CreateInferenceCopy"/> for another.
/// </summary>
internal sealed partial class GuardedForecaster
{
    public GuardedForecaster(SeriesForecaster network, ResidualIntervals intervals, ForecastDiagnostics diagnostics)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Intervals = intervals ?? throw new ArgumentNullException(nameof(intervals));
        Diagnostics = diagnostics ?? throw new ArgumentNullException(nameof(diagnostics));
        if (intervals.Horizon != network.Horizon)
            throw new ArgumentException($"The intervals cover {intervals.Horizon} steps; the horizon is {network.Horizon}.", nameof(intervals));
        if (diagnostics.Transform != network.Transform)
            throw new ArgumentException($"The diagnostics name the {diagnostics.Transform} transform; the network uses {network.Transform}.", nameof(diagnostics));
        if (UsesSeasonalNaive && diagnostics.SeasonalPeriod < 2)
            throw new ArgumentException($"Serving seasonal-naive needs a seasonal period of at least 2; got {diagnostics.SeasonalPeriod}.", nameof(diagnostics));
        if (!(diagnostics.NetworkWeight >= 0 && diagnostics.NetworkWeight <= 1))
            throw new ArgumentException($"The network's weight is {diagnostics.NetworkWeight}; it must be in [0, 1].", nameof(diagnostics));
    }

    public SeriesForecaster Network { get; }
    public ResidualIntervals Intervals { get; }
    public ForecastDiagnostics Diagnostics { get; }
    public int Horizon => Network.Horizon;

    /// <summary>The naive forecast a blend or fall-back serves: seasonal-naive when it was the better one on validation.</summary>
    private bool UsesSeasonalNaive => Diagnostics.ServesSeasonalNaive;

    /// <summary>Raw observations the state holds: the network's tail, or the season seasonal-naive repeats when longer.</summary>
    public int StateLength => Math.Max(Network.TailLength, UsesSeasonalNaive ? Diagnostics.SeasonalPeriod : 1);

    public GuardedForecaster CreateInferenceCopy() => new(Network.CreateInferenceCopy(), Intervals, Diagnostics);

    /// <summary>
    /// The served forecast after <paramref name="state"/> (the last <see cref="StateLength"/> observations, oldest first)
    /// and the interval around it; a log transform's band stays above zero (the series is positive).
    /// </summary>
    public void Forecast(ReadOnlySpan<float> state, ReadOnlySpan<float> covariateTail, Span<float> forecast, Span<float> lower, Span<float> upper)
    {
        ServedForecast(state, covariateTail, forecast);
        Intervals.Apply(forecast, lower, upper);
        // With per-step decisions the band holds the point it is served with: a naive fall-back on a trending series can
        // have validation residuals of one sign only, whose quantiles alone would put the band on one side of the forecast.
        // (Models whose steps all serve one decision keep their bands exactly as saved.)
        if (Diagnostics.Steps != null)
            for (int h = 0; h < forecast.Length; h++) { lower[h] = Math.Min(lower[h], forecast[h]); upper[h] = Math.Max(upper[h], forecast[h]); }
        if (SeriesTransform.IsLog(Network.Transform))
            for (int h = 0; h < lower.Length; h++) lower[h] = Math.Max(lower[h], 0f);
    }

    /// <summary>The served point forecast alone (what the intervals' residuals are measured on).</summary>
    public void ServedForecast(ReadOnlySpan<float> state, ReadOnlySpan<float> covariateTail, Span<float> forecast)
    {
        if (state.Length != StateLength) throw new ArgumentException($"A forecast needs the last {StateLength} observations; got {state.Length}.", nameof(state));
        Network.Forecast(state[^Network.TailLength..], covariateTail, forecast);
        Serve(Diagnostics, state, forecast);
    }

    /// <summary>Applies <paramref name="decision"/> to a network forecast in place; <paramref name="history"/> ends at the origin.</summary>
    public static void Serve(ForecastDiagnostics decision, ReadOnlySpan<float> history, Span<float> forecast)
    {
        if (decision.Decision == ForecastDecision.Network && decision.Steps is null) return;
        var steps = Enumerable.Range(1, forecast.Length)
            .Select(h => new ServedStep(decision.DecisionAt(h), decision.NetworkWeightAt(h), decision.SeasonalNaiveAt(h))).ToArray();
        Serve(steps, decision.SeasonalPeriod, history, forecast);
    }

    /// <summary>Applies per-step decisions to a network forecast in place; <paramref name="history"/> ends at the origin.</summary>
    public static void Serve(IReadOnlyList<ServedStep> steps, int seasonalPeriod, ReadOnlySpan<float> history, Span<float> forecast)
    {
        float[]? persistence = null, seasonalNaive = null;
        for (int h = 0; h < forecast.Length; h++)
        {
            var step = steps[h];
            if (step.Choice == ForecastDecision.Network) continue;
            var naive = step.SeasonalNaive
                ? seasonalNaive ??= NaiveForecasts.SeasonalNaive(history, seasonalPeriod, forecast.Length)
                : persistence ??= NaiveForecasts.Persistence(history, forecast.Length);
            double w = step.Choice == ForecastDecision.Blend ? step.NetworkWeight : 0;
            forecast[h] = (float)(w * forecast[h] + (1 - w) * naive[h]);
        }
    }
}
