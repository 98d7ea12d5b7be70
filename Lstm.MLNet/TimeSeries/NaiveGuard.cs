namespace Lstm.MLNet.TimeSeries;

/// <summary>What a forecaster serves after its naive guard: the network, a blend of it with the better naive forecast, or that naive forecast.</summary>
public enum ForecastDecision
{
    /// <summary>The network's forecast (it was at least as good as both naive forecasts on the validation windows).</summary>
    Network = 0,
    /// <summary>w·network + (1 − w)·naive, w the <see cref="ForecastDiagnostics.NetworkWeight"/>, naive the better of persistence and seasonal-naive.</summary>
    Blend = 1,
    /// <summary>The last observation, repeated (the network was worse on the validation windows).</summary>
    Persistence = 2,
    /// <summary>The value one season back (the network was worse on the validation windows).</summary>
    SeasonalNaive = 3,
}

/// <summary>
/// The guard's decision for one horizon step (or, in <see cref="GuardDecision.Overall"/>, for all steps pooled): the
/// choice, the network's weight in the served forecast (1 network, 0 naive), the validation MAE of each candidate
/// and of the served forecast.
/// </summary>
internal sealed record GuardStep(int Step, ForecastDecision Choice, double NetworkWeight, double NetworkMae, double PersistenceMae,
    double SeasonalNaiveMae, double ServedMae)
{
    /// <summary>The naive forecast a blend or fall-back uses.</summary>
    public ForecastDecision Naive => SeasonalNaiveMae < PersistenceMae ? ForecastDecision.SeasonalNaive : ForecastDecision.Persistence;
}

/// <summary>The guard's decisions per horizon step and overall, and a reason suitable for a model's diagnostics.</summary>
internal sealed record GuardDecision(GuardStep Overall, IReadOnlyList<GuardStep> Steps, int ValidationWindows, string Reason)
{
    /// <summary>The served forecast for one origin: per step (<paramref name="perStep"/>) or with the overall decision, in place.</summary>
    public void Apply(Span<float> network, ReadOnlySpan<float> persistence, ReadOnlySpan<float> seasonalNaive, bool perStep)
    {
        if (network.Length != Steps.Count || persistence.Length != Steps.Count || (seasonalNaive.Length != 0 && seasonalNaive.Length != Steps.Count))
            throw new ArgumentException($"The guard was decided for {Steps.Count} steps; got {network.Length} network, {persistence.Length} persistence and {seasonalNaive.Length} seasonal-naive values.");
        for (int h = 0; h < network.Length; h++)
        {
            var step = perStep ? Steps[h] : Overall;
            float naive = step.Naive == ForecastDecision.SeasonalNaive ? seasonalNaive[h] : persistence[h];
            network[h] = (float)(step.NetworkWeight * network[h] + (1 - step.NetworkWeight) * naive);
        }
    }
}

/// <summary>
/// Decides, from validation windows, whether the network's forecasts are served as they are, blended with the better of
/// persistence and seasonal-naive, or replaced by it, so that a user never gets a forecast worse than naive on the
/// validation windows without being told. Per step and pooled over the steps: the network is kept when its MAE is
/// at most the better naive's; otherwise the weight w in w·network + (1 − w)·naive is chosen on a grid of tenths to
/// minimise the MAE (ties go to the larger weight): w = 0 is a fall-back, 0 &lt; w &lt; 1 a blend. Deterministic: no
/// randomness, and a fixed order of evaluation.
/// </summary>
internal static class NaiveGuard
{
    private const int WeightSteps = 10;

    /// <summary>
    /// All arguments are [windows × <paramref name="horizon"/>] row-major on the validation windows, in raw units;
    /// <paramref name="seasonalNaive"/> may be empty (no season).
    /// </summary>
    public static GuardDecision Decide(ReadOnlySpan<float> actuals, ReadOnlySpan<float> network, ReadOnlySpan<float> persistence,
        ReadOnlySpan<float> seasonalNaive, int horizon)
    {
        int windows = ForecastMetrics.CheckShapes(network, actuals, horizon);
        ForecastMetrics.CheckShapes(persistence, actuals, horizon);
        bool seasonal = seasonalNaive.Length > 0;
        if (seasonal) ForecastMetrics.CheckShapes(seasonalNaive, actuals, horizon);

        var steps = new GuardStep[horizon];
        for (int h = 0; h < horizon; h++) steps[h] = DecideOver(actuals, network, persistence, seasonalNaive, horizon, h, h + 1, windows, step: h + 1);
        var overall = DecideOver(actuals, network, persistence, seasonalNaive, horizon, 0, horizon, windows, step: 0);
        return new GuardDecision(overall, steps, windows, Explain(overall, steps, windows, seasonal));
    }

    /// <summary>The decision over steps [from, to) of every window; step 0 names the pooled decision.</summary>
    private static GuardStep DecideOver(ReadOnlySpan<float> actuals, ReadOnlySpan<float> network, ReadOnlySpan<float> persistence,
        ReadOnlySpan<float> seasonalNaive, int horizon, int from, int to, int windows, int step)
    {
        bool seasonal = seasonalNaive.Length > 0;
        double networkMae = Mae(actuals, network, horizon, from, to, windows);
        double persistenceMae = Mae(actuals, persistence, horizon, from, to, windows);
        double seasonalMae = seasonal ? Mae(actuals, seasonalNaive, horizon, from, to, windows) : double.PositiveInfinity;
        bool useSeasonal = seasonalMae < persistenceMae;
        var naive = useSeasonal ? seasonalNaive : persistence;
        double naiveMae = Math.Min(persistenceMae, seasonalMae);
        if (networkMae <= naiveMae)
            return new GuardStep(step, ForecastDecision.Network, 1, networkMae, persistenceMae, seasonalMae, networkMae);

        int bestK = 0;
        double bestMae = naiveMae;
        for (int k = 1; k <= WeightSteps; k++)
        {
            double w = (double)k / WeightSteps, sum = 0;
            for (int i = 0; i < windows; i++)
                for (int h = from; h < to; h++)
                {
                    int j = i * horizon + h;
                    sum += Math.Abs(actuals[j] - (w * network[j] + (1 - w) * naive[j]));
                }
            double mae = sum / (windows * (to - from));
            if (mae <= bestMae) { bestMae = mae; bestK = k; }
        }
        double weight = (double)bestK / WeightSteps;
        var choice = bestK == 0 ? (useSeasonal ? ForecastDecision.SeasonalNaive : ForecastDecision.Persistence)
            : bestK == WeightSteps ? ForecastDecision.Network : ForecastDecision.Blend;
        return new GuardStep(step, choice, weight, networkMae, persistenceMae, seasonalMae, bestMae);
    }

    private static double Mae(ReadOnlySpan<float> actuals, ReadOnlySpan<float> forecasts, int horizon, int from, int to, int windows)
    {
        double sum = 0;
        for (int i = 0; i < windows; i++)
            for (int h = from; h < to; h++) sum += Math.Abs(actuals[i * horizon + h] - forecasts[i * horizon + h]);
        return sum / (windows * (to - from));
    }

    private static string Explain(GuardStep overall, GuardStep[] steps, int windows, bool seasonal)
    {
        string Name(ForecastDecision c) => c == ForecastDecision.SeasonalNaive ? "seasonal-naive" : "persistence";
        string Served(GuardStep s) => s.Choice switch
        {
            ForecastDecision.Network => "the network",
            ForecastDecision.Blend => $"a blend of {s.NetworkWeight:0.0} network and {1 - s.NetworkWeight:0.0} {Name(s.Naive)}",
            _ => Name(s.Choice),
        };
        string naiveMaes = $"persistence {overall.PersistenceMae:G4}" + (seasonal ? $", seasonal-naive {overall.SeasonalNaiveMae:G4}" : "");
        string text = $"On {windows} validation window(s), all {steps.Length} step(s) pooled: network MAE {overall.NetworkMae:G4} vs {naiveMaes}; serving {Served(overall)} (MAE {overall.ServedMae:G4}).";
        var differing = steps.Where(s => s.Choice != overall.Choice || s.NetworkWeight != overall.NetworkWeight).ToList();
        if (steps.Length > 1 && differing.Count > 0)
            text += " Per step: " + string.Join("; ", differing.Take(6).Select(s => $"step {s.Step} {Served(s)} (MAE {s.ServedMae:G4} vs network {s.NetworkMae:G4})"))
                    + (differing.Count > 6 ? $"; and {differing.Count - 6} more step(s) differ." : ".");
        return text;
    }
}
