using System.Diagnostics;
using Lstm.MLNet.TimeSeries;
using Microsoft.ML;

namespace Lstm.MLNet.Samples.Forecasting;

/// <summary>
/// The LSTM of the suite under one rule for the series transform, fitted through <c>ml.Forecasting.ForecastByLstm</c>:
/// <c>defaults</c> (the SSA-style overload, nothing else set: the Auto transform and the built-in naive guard), <c>difference</c>, <c>auto</c> (<see cref="TransformSelection"/>
/// on the training part; a seasonal difference, which the forecaster does not take yet, is applied here and undone on
/// the forecasts), and any of them followed by <c>+guard</c> (<see cref="NaiveGuard"/> decided on the last training
/// windows, its pooled decision applied to every step) or <c>+guard/step</c> (its decision per horizon step);
/// <c>validated</c> is whichever of defaults, difference and auto has the lowest MAE on those same validation windows
/// (as the issue's "choose the transform by validation on the last windows"), so it needs all three fits; <c>level</c>
/// is <see cref="LevelScaledLstm"/> (per-window level scaling on the model layer, not through the forecaster). A forecast from any origin is made by feeding the engine the window before it.
/// </summary>
public sealed class SuiteLstm
{
    public static readonly string[] AllRules = ["defaults", "defaults+guard", "defaults+guard/step", "difference", "auto", "auto+guard", "auto+guard/step",
        "validated", "validated+guard", "level", "level+guard"];
    /// <summary>The rules that need a fit of their own (a "+guard" rule reuses its base rule's network).</summary>
    public static readonly string[] BaseRules = ["defaults", "difference", "auto", "level"];
    /// <summary>The candidates of "validated".</summary>
    public static readonly string[] ValidatedCandidates = ["defaults", "difference", "auto"];

    private readonly LstmForecastingEngine? _engine;
    private readonly LevelScaledLstm? _levelScaled;
    private readonly SeriesTransformKind _outerKind;   // applied outside the forecaster (seasonal differencing), or None
    private readonly int _period, _window;
    private GuardDecision? _guard;
    private int _guardPeriod;
    private bool _guardPerStep;

    public string Rule { get; private set; }
    public string Transform { get; }
    /// <summary>The suite's own guard's reason, or for <c>defaults</c> the forecaster's own Diagnostics (its built-in guard).</summary>
    public string? GuardReason => _guard?.Reason ?? _diagnostics?.Reason;
    private ForecastDiagnostics? _diagnostics;
    /// <summary>What the forecaster's Diagnostics say it serves at horizon step <paramref name="step"/> (1-based), when not the network alone.</summary>
    public ForecastDecision? FellBackAt(int step) => _diagnostics?.DecisionAt(step) is { } d && d != ForecastDecision.Network ? d : null;
    /// <summary>The network's MAE over the guard's validation windows, all steps pooled (NaN before a guard was decided).</summary>
    public double ValidationMae => _guard?.Overall.NetworkMae ?? double.NaN;
    public TimeSpan FitTime { get; }
    public int BestEpoch { get; }

    private SuiteLstm(string rule, string transform, LstmForecastingTransformer model, SeriesTransformKind outerKind, int period, int window, TimeSpan fitTime)
    {
        Rule = rule; Transform = transform; _engine = model.CreateForecastingEngine(); _outerKind = outerKind; _period = period; _window = window;
        FitTime = fitTime; BestEpoch = model.BestEpoch;
    }

    private SuiteLstm(LevelScaledLstm levelScaled, TimeSpan fitTime)
    {
        Rule = "level"; Transform = levelScaled.Description; _levelScaled = levelScaled; _outerKind = SeriesTransformKind.None;
        FitTime = fitTime; BestEpoch = levelScaled.BestEpoch;
    }

    private sealed class Observation
    {
        public float Value { get; set; }
    }

    /// <summary>Fits a base rule on the series' first <paramref name="trainCount"/> values.</summary>
    public static SuiteLstm Fit(MLContext ml, string rule, float[] values, int trainCount, int period, int window, int horizon, int seed,
        int? maxEpochs, int? threads)
    {
        string baseRule = rule;
        var clock = Stopwatch.StartNew();
        SuiteLstm fitted;
        if (baseRule == "level")
            return new SuiteLstm(new LevelScaledLstm(values, trainCount, period, window, horizon, seed, maxEpochs, threads), clock.Elapsed);
        if (baseRule == "defaults" && maxEpochs == null)
        {
            var data = ml.Data.LoadFromEnumerable(values.Select(v => new Observation { Value = v }));
            var model = ml.Forecasting.ForecastByLstm("Forecast", nameof(Observation.Value), window, horizon, trainSize: trainCount).Fit(data);
            var d = model.Diagnostics;
            string later = d.StepDecisions.Count > 0 ? $" (steps: {StepRanges(d.StepDecisions)})" : "";
            fitted = new SuiteLstm(rule, $"{d.Transform}{(SeriesTransform.IsSeasonal(d.Transform) ? $"({d.SeasonalPeriod})" : "")} → {d.Decision}{later}",
                model, SeriesTransformKind.None, period, window, clock.Elapsed) { _diagnostics = d };
        }
        else
        {
            var kind = SeriesTransformKind.None;
            int transformPeriod = 1;
            string description = "None";
            if (baseRule == "difference") { kind = SeriesTransformKind.Difference; description = "Difference"; }
            else if (baseRule == "auto")
            {
                var choice = TransformSelection.Choose(values.AsSpan(0, trainCount), period);
                kind = choice.Kind; transformPeriod = choice.SeasonalPeriod;
                description = SeriesTransform.IsSeasonal(kind) ? $"{kind}({transformPeriod})" : kind.ToString();
            }
            else if (baseRule != "defaults") throw new ArgumentException($"Unknown rule '{rule}'; expected one of {string.Join(", ", AllRules)}.");

            bool outer = SeriesTransform.IsSeasonal(kind);
            var series = outer ? SeriesTransform.Forward(kind, values, transformPeriod) : values;
            int seriesTrain = outer ? trainCount - transformPeriod : trainCount;
            var data = ml.Data.LoadFromEnumerable(series.Take(seriesTrain).Select(v => new Observation { Value = v }));
            var options = new LstmForecastingOptions
            {
                OutputColumnName = "Forecast", InputColumnName = nameof(Observation.Value), WindowSize = window, Horizon = horizon,
                Transform = outer ? SeriesTransformKind.None : kind, Seed = seed, NumberOfThreads = threads,
            };
            if (maxEpochs is int epochs) options.MaxEpochs = epochs;
            var model = ml.Forecasting.ForecastByLstm(options).Fit(data);
            fitted = new SuiteLstm(rule, description, model, outer ? kind : SeriesTransformKind.None, transformPeriod, window, clock.Elapsed);
        }
        return fitted;
    }

    /// <summary>Per-step decisions as runs: "1–2 Network, 3–12 SeasonalNaive".</summary>
    private static string StepRanges(IReadOnlyList<ForecastDecision> steps)
    {
        var runs = new List<string>();
        for (int start = 0; start < steps.Count;)
        {
            int end = start;
            while (end + 1 < steps.Count && steps[end + 1] == steps[start]) end++;
            runs.Add($"{(start == end ? $"{start + 1}" : $"{start + 1}–{end + 1}")} {steps[start]}");
            start = end + 1;
        }
        return string.Join(", ", runs);
    }

    /// <summary>The network's forecast of the <c>horizon</c> values after <c>history[^1]</c>.</summary>
    public float[] NetworkForecast(ReadOnlySpan<float> history)
    {
        if (_levelScaled != null) return _levelScaled.Forecast(history);
        var engine = _engine ?? throw new InvalidOperationException("No forecaster.");
        float[] forecast;
        if (_outerKind == SeriesTransformKind.None)
        {
            foreach (float v in history[^(_window + 1)..]) engine.Update(v);
            forecast = engine.Predict().Forecast;
        }
        else
        {
            var z = SeriesTransform.Forward(_outerKind, history[^(_window + 1 + _period)..], _period);
            foreach (float v in z) engine.Update(v);
            forecast = engine.Predict().Forecast;
            SeriesTransform.Inverse(_outerKind, history[^_period..], _period, forecast);
        }
        return forecast;
    }

    /// <summary>The served forecast: the network's, or the guard's choice per step.</summary>
    public float[] Forecast(ReadOnlySpan<float> history)
    {
        var forecast = NetworkForecast(history);
        if (_guard != null)
            _guard.Apply(forecast, NaiveForecasts.Persistence(history, forecast.Length),
                _guardPeriod >= 2 ? NaiveForecasts.SeasonalNaive(history, _guardPeriod, forecast.Length) : [], _guardPerStep);
        return forecast;
    }

    /// <summary>
    /// The guard on the last 15% of the training origins (at least 4) with a full horizon inside the training part,
    /// as the forecaster's own validation windows.
    /// </summary>
    public SuiteLstm WithGuard(float[] values, int trainCount, int period, int horizon, bool perStep)
        => Renamed(Rule + (perStep ? "+guard/step" : "+guard")).Guarded(values, trainCount, period, horizon, perStep);

    /// <summary>The same network under another rule name (no guard).</summary>
    public SuiteLstm Renamed(string rule)
    {
        var copy = (SuiteLstm)MemberwiseClone();
        copy.Rule = rule;
        copy._guard = null;
        return copy;
    }

    private SuiteLstm Guarded(float[] values, int trainCount, int period, int horizon, bool perStep)
    {
        var guarded = this;
        guarded._guardPerStep = perStep;
        guarded.DecideGuard(values, trainCount, period, horizon);
        return guarded;
    }

    private void DecideGuard(float[] values, int trainCount, int period, int horizon)
    {
        int first = _window + 1 + (_outerKind == SeriesTransformKind.None ? 0 : _period);
        int available = trainCount - horizon - first + 1;
        int count = Math.Min(available, Math.Max(4, (int)Math.Round(0.15 * available)));
        _guardPeriod = period;
        var actuals = new List<float>();
        var network = new List<float>();
        var persistence = new List<float>();
        var seasonal = new List<float>();
        for (int origin = trainCount - horizon - count + 1; origin <= trainCount - horizon; origin++)
        {
            var history = values.AsSpan(0, origin);
            actuals.AddRange(values.AsSpan(origin, horizon).ToArray());
            network.AddRange(NetworkForecast(history));
            persistence.AddRange(NaiveForecasts.Persistence(history, horizon));
            if (period >= 2) seasonal.AddRange(NaiveForecasts.SeasonalNaive(history, period, horizon));
        }
        _guard = NaiveGuard.Decide(actuals.ToArray(), network.ToArray(), persistence.ToArray(), seasonal.ToArray(), horizon);
    }
}
