namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// What a trained LSTM forecaster decided at Fit, and why: the series transform and seasonal period it uses, its
/// errors on the validation windows (the last windows of the training rows) beside persistence's and seasonal-naive's,
/// and what it serves. When a naive forecast was better on those windows the forecaster blends with it or falls back
/// to it (<see cref="Decision"/>), so a forecast worse than naive on validation is never served without this saying so.
/// </summary>
public sealed class ForecastDiagnostics
{
    internal ForecastDiagnostics(SeriesTransformKind transform, int seasonalPeriod, int validationWindows, double networkMae,
        double persistenceMae, double seasonalNaiveMae, ForecastDecision decision, double networkWeight, string reason,
        IReadOnlyList<ServedStep>? steps = null)
    {
        if (steps != null && steps.Any(st => !(st.NetworkWeight >= 0 && st.NetworkWeight <= 1) || !Enum.IsDefined(st.Choice)))
            throw new ArgumentException("Each step's network weight must be in [0, 1] and its decision defined.", nameof(steps));
        _steps = steps?.ToArray();
        StepDecisions = _steps?.Select(st => st.Choice).ToArray() ?? [];
        Transform = transform; SeasonalPeriod = seasonalPeriod; ValidationWindows = validationWindows; NetworkMae = networkMae;
        PersistenceMae = persistenceMae; SeasonalNaiveMae = seasonalNaiveMae; Decision = decision; NetworkWeight = networkWeight;
        Reason = reason ?? throw new ArgumentNullException(nameof(reason));
    }

    /// <summary>A model saved before the guard existed (format v1): the network, as it was trained, nothing measured.</summary>
    internal static ForecastDiagnostics Unguarded(SeriesTransformKind transform, int seasonalPeriod) =>
        new(transform, seasonalPeriod, 0, double.NaN, double.NaN, double.NaN, ForecastDecision.Network, 1,
            "Saved before the naive guard existed: the network's forecast is served; no validation errors were recorded.");

    /// <summary>The series transform the network works in (the user's, or the one <see cref="SeriesTransformKind.Auto"/> chose).</summary>
    public SeriesTransformKind Transform { get; }
    /// <summary>The seasonal period used by seasonal-naive and a seasonal-difference transform (1 = not seasonal).</summary>
    public int SeasonalPeriod { get; }
    /// <summary>Forecast origins (full horizons) the errors below are measured on; 0 when nothing was measured.</summary>
    public int ValidationWindows { get; }
    /// <summary>The network's mean absolute error on the validation windows, all horizon steps pooled, in the series' units.</summary>
    public double NetworkMae { get; }
    /// <summary>Persistence's (last value repeated) mean absolute error on the same windows.</summary>
    public double PersistenceMae { get; }
    /// <summary>Seasonal-naive's mean absolute error on the same windows (NaN when the series has no seasonal period).</summary>
    public double SeasonalNaiveMae { get; }
    /// <summary>What is served: the network, a blend, or a naive forecast.</summary>
    public ForecastDecision Decision { get; }
    /// <summary>The network's weight w in the served forecast w·network + (1 − w)·naive: 1 network, 0 naive.</summary>
    public double NetworkWeight { get; }
    /// <summary>
    /// What each horizon step serves, when the steps differ (empty: every step serves <see cref="Decision"/>). Each step
    /// with at least 5 independent validation errors is decided by its own errors; the later steps of a long horizon on a
    /// short validation period (fewer than 5 each) serve the better naive forecast, since the network cannot be judged there.
    /// </summary>
    public IReadOnlyList<ForecastDecision> StepDecisions { get; }

    private readonly ServedStep[]? _steps;

    /// <summary>What horizon step <paramref name="step"/> (1-based) serves.</summary>
    internal ForecastDecision DecisionAt(int step) => _steps?[step - 1].Choice ?? Decision;
    /// <summary>The network's weight at horizon step <paramref name="step"/> (1-based).</summary>
    internal double NetworkWeightAt(int step) => _steps?[step - 1].NetworkWeight ?? NetworkWeight;
    /// <summary>Whether horizon step <paramref name="step"/> (1-based) blends with or falls back to seasonal-naive (else persistence).</summary>
    internal bool SeasonalNaiveAt(int step) => _steps?[step - 1].SeasonalNaive
        ?? (Decision == ForecastDecision.SeasonalNaive || (Decision == ForecastDecision.Blend && SeasonalNaiveMae < PersistenceMae));
    /// <summary>The per-step decisions, or null when every step serves <see cref="Decision"/>.</summary>
    internal IReadOnlyList<ServedStep>? Steps => _steps;
    /// <summary>Whether seasonal-naive is served at some step (alone or in a blend).</summary>
    internal bool ServesSeasonalNaive => _steps?.Any(st => st.Choice != ForecastDecision.Network && st.SeasonalNaive)
        ?? SeasonalNaiveAt(1) && Decision != ForecastDecision.Network;

    /// <summary>The decision and its evidence in words (the same line is logged to ML.NET's channel at Fit).</summary>
    public string Reason { get; }

    /// <summary>The <see cref="Reason"/>.</summary>
    public override string ToString() => Reason;
}

/// <summary>What one horizon step serves: the choice, the network's weight and, for a blend or fall-back, which naive forecast.</summary>
internal readonly record struct ServedStep(ForecastDecision Choice, double NetworkWeight, bool SeasonalNaive)
{
    /// <summary>int32 count, then per entry int32 decision, double network weight, bool seasonal-naive.</summary>
    public static void WriteAll(BinaryWriter w, IReadOnlyList<ServedStep> steps)
    {
        w.Write(steps.Count);
        foreach (var step in steps) { w.Write((int)step.Choice); w.Write(step.NetworkWeight); w.Write(step.SeasonalNaive); }
    }

    /// <summary>Reads what <see cref="WriteAll"/> wrote; an invalid entry throws <see cref="InvalidDataException"/> naming it.</summary>
    public static ServedStep[] ReadAll(BinaryReader r)
    {
        var steps = new ServedStep[Model.Persistence.ModelPayload.CheckCount(r, r.ReadInt32(), 13, "guard decisions")];
        for (int i = 0; i < steps.Length; i++)
        {
            int choice = r.ReadInt32();
            double weight = r.ReadDouble();
            bool seasonalNaive = r.ReadBoolean();
            if (!Enum.IsDefined((ForecastDecision)choice) || !(weight >= 0 && weight <= 1))
                throw new InvalidDataException($"The saved guard's decision {i + 1} is invalid (decision {choice}, weight {weight}).");
            steps[i] = new ServedStep((ForecastDecision)choice, weight, seasonalNaive);
        }
        return steps;
    }
}
