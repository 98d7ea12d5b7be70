namespace Lstm.MLNet.TimeSeries;

/// <summary>What a forecaster serves after its naive guard: the network, a blend of it with the better naive forecast, or that naive forecast.</summary>
public enum ForecastDecision
{
    /// <summary>The network's forecast alone (on the validation windows no blend with the better naive forecast was better).</summary>
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

/// <summary>
/// The guard's decisions per horizon step and overall, and a reason suitable for a model's diagnostics. What is served
/// is decided per step: steps 1..<see cref="TrustedSteps"/> by their own validation errors (<see cref="Steps"/>), the
/// steps after them (whose validation errors are too few to judge the network, <see cref="NaiveGuard.TrustedSteps"/>)
/// together, by one decision pooled over those steps (<see cref="LaterSteps"/>: the better naive forecast when the validation
/// origins span less than a horizon, <see cref="NaiveGuard.JudgesLaterSteps"/>). <see cref="Overall"/> pools the trusted steps.
/// </summary>
internal sealed record GuardDecision(GuardStep Overall, IReadOnlyList<GuardStep> Steps, int ValidationWindows, string Reason,
    int TrustedSteps, GuardStep? LaterSteps)
{
    /// <summary>The decision that serves horizon step <paramref name="h"/> (0-based).</summary>
    public GuardStep ForStep(int h) => h < TrustedSteps || LaterSteps is null ? Steps[h] : LaterSteps;

    /// <summary>Whether every step serves what <see cref="Overall"/> serves (one decision describes the model).</summary>
    public bool Uniform => Enumerable.Range(0, Steps.Count).All(h => Same(ForStep(h), Overall));

    private static bool Same(GuardStep a, GuardStep b) => a.Choice == b.Choice && a.NetworkWeight == b.NetworkWeight
        && (a.Choice == ForecastDecision.Network || a.Naive == b.Naive);

    /// <summary>The served forecast for one origin, in place: <see cref="ForStep"/>, or each step's own decision (<paramref name="perStep"/>, also on untrusted steps).</summary>
    public void Apply(Span<float> network, ReadOnlySpan<float> persistence, ReadOnlySpan<float> seasonalNaive, bool perStep)
    {
        if (network.Length != Steps.Count || persistence.Length != Steps.Count || (seasonalNaive.Length != 0 && seasonalNaive.Length != Steps.Count))
            throw new ArgumentException($"The guard was decided for {Steps.Count} steps; got {network.Length} network, {persistence.Length} persistence and {seasonalNaive.Length} seasonal-naive values.");
        for (int h = 0; h < network.Length; h++)
        {
            var step = perStep ? Steps[h] : ForStep(h);
            float naive = step.Naive == ForecastDecision.SeasonalNaive ? seasonalNaive[h] : persistence[h];
            network[h] = (float)(step.NetworkWeight * network[h] + (1 - step.NetworkWeight) * naive);
        }
    }
}

/// <summary>
/// Decides, from validation windows, whether the network's forecasts are served as they are, blended with the better of
/// persistence and seasonal-naive, or replaced by it, so that a user never gets a forecast worse than naive on the
/// validation windows without being told. Per step and pooled over the steps: the weight w in w·network + (1 − w)·naive
/// is chosen on a grid of tenths to minimise the validation MAE (ties go to the larger weight): w = 1 keeps the network,
/// 0 &lt; w &lt; 1 blends (also when the network alone beats naive but a blend beats it), w = 0 falls back. Deterministic:
/// no randomness, and a fixed order of evaluation.
/// </summary>
internal static class NaiveGuard
{
    private const int WeightSteps = 10;

    /// <summary>
    /// The fewest independent validation errors the network is judged on: a one-sided sign test on n independent
    /// errors can reach 5% only from n = 5 (0.5⁵ = 0.031; four give 0.0625).
    /// </summary>
    public const int MinIndependentErrors = 5;

    /// <summary>
    /// Horizon steps 1..k on which <paramref name="windows"/> consecutive validation origins give at least
    /// <see cref="MinIndependentErrors"/> independent errors. Errors at step h from origins fewer than h apart share
    /// innovations, so those origins hold ⌈windows / h⌉ independent step-h errors; ⌈windows / h⌉ ≥ 5 ⇔ h ≤ (windows − 1) / 4.
    /// Beyond k no step can be judged on its own: the guard judges those steps together (<see cref="JudgesLaterSteps"/>)
    /// or, on too short a validation period, serves the better naive there, and says which.
    /// </summary>
    public static int TrustedSteps(int windows, int horizon, int minIndependentErrors = MinIndependentErrors) =>
        minIndependentErrors <= 1 ? horizon : Math.Clamp((windows - 1) / (minIndependentErrors - 1), 0, horizon);

    /// <summary>
    /// Whether the steps after the trusted ones are judged together (one pooled decision: network, blend or naive) rather
    /// than served the better naive outright: when the validation origins span at least one full horizon, so the pooled
    /// errors come from origins a horizon apart as well as from neighbours. Weaker evidence than a trusted step's (the
    /// reason says so), but serving naive there cost the M4 Hourly per-series models OWA 0.666 → 0.810 on a 10-series
    /// subset and Nottingham's horizon 1.67 → 2.18, while short series (airline's 11 origins for 12 steps, US accidental
    /// deaths' 4) still serve naive there.
    /// </summary>
    public static bool JudgesLaterSteps(int windows, int horizon) => windows >= horizon;

    /// <summary>
    /// All arguments are [windows × <paramref name="horizon"/>] row-major on the validation windows, in raw units;
    /// <paramref name="seasonalNaive"/> may be empty (no season).
    /// </summary>
    public static GuardDecision Decide(ReadOnlySpan<float> actuals, ReadOnlySpan<float> network, ReadOnlySpan<float> persistence,
        ReadOnlySpan<float> seasonalNaive, int horizon, int minIndependentErrors = MinIndependentErrors)
    {
        int windows = ForecastMetrics.CheckShapes(network, actuals, horizon);
        ForecastMetrics.CheckShapes(persistence, actuals, horizon);
        bool seasonal = seasonalNaive.Length > 0;
        if (seasonal) ForecastMetrics.CheckShapes(seasonalNaive, actuals, horizon);

        int trusted = TrustedSteps(windows, horizon, minIndependentErrors);
        var steps = new GuardStep[horizon];
        for (int h = 0; h < horizon; h++)
            steps[h] = DecideOver(actuals, network, persistence, seasonalNaive, horizon, h, h + 1, windows, step: h + 1, networkAllowed: h < trusted);
        // The pooled decision over the trusted steps (over all of them, naive only, when none is trusted).
        var overall = DecideOver(actuals, network, persistence, seasonalNaive, horizon, 0, trusted > 0 ? trusted : horizon, windows, step: 0, networkAllowed: trusted > 0);
        var later = trusted == 0 ? overall
            : trusted < horizon ? DecideOver(actuals, network, persistence, seasonalNaive, horizon, trusted, horizon, windows, step: trusted + 1,
                networkAllowed: JudgesLaterSteps(windows, horizon))
            : null;
        return new GuardDecision(overall, steps, windows, Explain(overall, trusted == 0 ? null : later, trusted, steps, windows, seasonal),
            trusted, later);
    }

    /// <summary>
    /// The decision over steps [from, to) of every window; step 0 names the pooled decision. Without
    /// <paramref name="networkAllowed"/> (too few independent errors) it is the better naive forecast.
    /// </summary>
    private static GuardStep DecideOver(ReadOnlySpan<float> actuals, ReadOnlySpan<float> network, ReadOnlySpan<float> persistence,
        ReadOnlySpan<float> seasonalNaive, int horizon, int from, int to, int windows, int step, bool networkAllowed)
    {
        bool seasonal = seasonalNaive.Length > 0;
        double networkMae = Mae(actuals, network, horizon, from, to, windows);
        double persistenceMae = Mae(actuals, persistence, horizon, from, to, windows);
        double seasonalMae = seasonal ? Mae(actuals, seasonalNaive, horizon, from, to, windows) : double.PositiveInfinity;
        bool useSeasonal = seasonalMae < persistenceMae;
        var naive = useSeasonal ? seasonalNaive : persistence;
        double naiveMae = Math.Min(persistenceMae, seasonalMae);
        if (!networkAllowed)
            return new GuardStep(step, useSeasonal ? ForecastDecision.SeasonalNaive : ForecastDecision.Persistence, 0, networkMae, persistenceMae, seasonalMae, naiveMae);

        // Even a network better than naive is blended when a blend is better still on these windows: their errors are not
        // perfectly correlated, and the step-1 loss on sunspots (test MAE 15.18 vs persistence 14.85 with the network
        // alone, 13.18 blended) was one the validation MAE of the network alone could not show.
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

    private static string Explain(GuardStep overall, GuardStep? later, int trusted, GuardStep[] steps, int windows, bool seasonal)
    {
        string Name(ForecastDecision c) => c == ForecastDecision.SeasonalNaive ? "seasonal-naive" : "persistence";
        string Served(GuardStep s) => s.Choice switch
        {
            ForecastDecision.Network => "the network",
            ForecastDecision.Blend => $"a blend of {s.NetworkWeight:0.0} network and {1 - s.NetworkWeight:0.0} {Name(s.Naive)}",
            _ => Name(s.Choice),
        };
        string naiveMaes = $"persistence {overall.PersistenceMae:G4}" + (seasonal ? $", seasonal-naive {overall.SeasonalNaiveMae:G4}" : "");
        int decided = trusted > 0 ? trusted : steps.Length;
        var differing = steps.Take(trusted).Where(s => s.Choice != overall.Choice || s.NetworkWeight != overall.NetworkWeight).ToList();
        string scope = decided == steps.Length ? $"all {steps.Length} step(s) pooled" : $"steps 1–{decided} pooled";
        string text = trusted == 0
            ? $"On {windows} validation window(s) no horizon step has the {MinIndependentErrors} independent errors needed to judge the network " +
              $"(network MAE {overall.NetworkMae:G4} vs {naiveMaes}, all {steps.Length} step(s) pooled): serving {Served(overall)} at every step."
            : $"On {windows} validation window(s), {scope}: network MAE {overall.NetworkMae:G4} vs {naiveMaes}; {(differing.Count == 0 ? "serving" : "pooled, the better choice is")} {Served(overall)} (MAE {overall.ServedMae:G4}).";
        if (later != null)
            text += $" Steps {decided + 1}–{steps.Length} have fewer than {MinIndependentErrors} independent validation errors each (⌈{windows} / step⌉), " +
                    (JudgesLaterSteps(windows, steps.Length)
                        ? $"too few to judge each on its own; judged together, pooled (the {windows} origins span at least the {steps.Length}-step horizon; weaker evidence): network MAE {later.NetworkMae:G4}, serving {Served(later)} there (MAE {later.ServedMae:G4})."
                        : $"too few to judge the network (its MAE there {later.NetworkMae:G4}; the {windows} origins span less than the {steps.Length}-step horizon): serving {Served(later)} there (MAE {later.ServedMae:G4}).");
        if (steps.Length > 1 && differing.Count > 0)
            text += " Per step (each of these steps serves what its own validation errors favour), where that differs: " +
                    string.Join("; ", differing.Take(6).Select(s => $"step {s.Step} {Served(s)} (MAE {s.ServedMae:G4} vs network {s.NetworkMae:G4})"))
                    + (differing.Count > 6 ? $"; and {differing.Count - 6} more step(s) differ." : ".");
        return text;
    }
}
