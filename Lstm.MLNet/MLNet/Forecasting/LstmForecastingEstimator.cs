using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Training;
using Lstm.MLNet.TimeSeries;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Lstm.MLNet;

/// <summary>
/// Trains an LSTM forecaster on a series (one Single value per row, in time order, optional covariate columns): it
/// transforms and standardises the series, cuts (WindowSize → Horizon) windows itself (as Keras'
/// <c>timeseries_dataset_from_array</c>), keeps the last windows in time for validation (early stopping and the
/// interval residuals), trains with the shared training engine, and returns an <see cref="LstmForecastingTransformer"/>
/// holding the series' last observations as its state.
/// </summary>
public sealed class LstmForecastingEstimator : IEstimator<LstmForecastingTransformer>
{
    private readonly IHost _host;
    private readonly LstmForecastingOptions _options;

    /// <summary>A forecaster estimator with <paramref name="options"/>, logging to <paramref name="ml"/>.</summary>
    public LstmForecastingEstimator(MLContext ml, LstmForecastingOptions options) : this((IHostEnvironment)ml, options)
    {
    }

    internal LstmForecastingEstimator(IHostEnvironment environment, LstmForecastingOptions options)
    {
        MLNetCompatibility.EnsureSupported();
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateForecasting();
        _host = environment.Register(nameof(LstmForecastingEstimator));
        _options = (LstmForecastingOptions)options.Copy();
    }

    /// <summary>
    /// Trains on the series in <paramref name="input"/> (rows in time order); the model holds the series' last observations
    /// as its state. With <see cref="SeriesTransformKind.Auto"/> each candidate transform is trained and the one with the
    /// lowest error on the validation windows kept; then the naive guard compares it there with persistence and
    /// seasonal-naive and decides what is served (<see cref="LstmForecastingTransformer.Diagnostics"/>, logged).
    /// </summary>
    public LstmForecastingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        if (o.IsGlobal) return FitGlobal(input);
        var (seriesColumn, covariateColumns) = SeriesColumns.Resolve(input.Schema, o);
        int C = covariateColumns.Length, W = o.WindowSize, H = o.Horizon;
        using var channel = _host.Start("Training LSTM forecaster");
        var (raw, covariates) = SeriesColumns.Read(input, seriesColumn, covariateColumns, "training", o.TrainSize);
        string rows = $"{raw.Length} observations{(o.TrainSize > 0 ? $" in its first {o.TrainSize} rows" : "")}";

        var (candidates, period, choiceReason) = Candidates(o, raw, seriesColumn.Name, rows);
        // Seasonal-naive for the guard: at the period found, or, when the season test failed on a short series (its
        // power is low there), at the highest ACF peak it tested: the guard only serves it if it wins on validation.
        int guardPeriod = period >= 2 || o.SeasonalPeriod != 0 || raw.Length < 6 ? period : SeasonalityDetection.Detect(raw).TestedPeriod;
        if (guardPeriod > raw.Length - H - o.WindowSize) guardPeriod = period;
        if (choiceReason != null) channel.Info($"Transform candidates {string.Join(", ", candidates.Select(k => Describe(k, period)))}: {choiceReason}");

        // The validation origins (full horizons in the last part of the training rows) every candidate and the guard are judged on.
        int outputs = o.Outputs;
        int windowCount = raw.Length - W - outputs + 1;
        int origins = o.ValidationFraction == 0 ? 50 : Math.Max(1, (int)Math.Round(windowCount * o.ValidationFraction));
        int earliest = candidates.Max(k => W + SeriesTransform.Lag(k, period));
        if (guardPeriod >= 2) earliest = Math.Max(earliest, guardPeriod);
        int firstOrigin = Math.Clamp(raw.Length - H - origins + 1, earliest, raw.Length - H);
        int originCount = raw.Length - H - firstOrigin + 1;

        SeriesForecaster? best = null;
        float[]? bestForecasts = null;
        double bestMae = double.PositiveInfinity;
        SequenceTrainingResult? bestResult = null;
        var candidateMaes = new List<string>();
        foreach (var kind in candidates)
        {
            var (forecaster, result) = TrainCandidate(o, kind, period, raw, covariates, C, seriesColumn.Name, channel);
            var forecasts = NetworkForecasts(forecaster, raw, covariates, firstOrigin, originCount);
            double mae = Mae(forecasts, raw, firstOrigin, originCount, H);
            candidateMaes.Add($"{Describe(kind, period)} {mae:G4}");
            if (mae < bestMae || best == null) { best = forecaster; bestForecasts = forecasts; bestMae = mae; bestResult = result; }
        }
        if (candidates.Length > 1)
            channel.Info($"Validation MAE per transform on {originCount} window(s): {string.Join(", ", candidateMaes)}; kept {Describe(best!.Transform, period)}.");

        // The guard: the kept network against persistence and seasonal-naive on the same origins.
        var actuals = new float[originCount * H];
        var persistence = new float[originCount * H];
        var seasonalNaive = guardPeriod >= 2 ? new float[originCount * H] : [];
        for (int i = 0; i < originCount; i++)
        {
            int origin = firstOrigin + i;
            raw.AsSpan(origin, H).CopyTo(actuals.AsSpan(i * H));
            NaiveForecasts.Persistence(raw.AsSpan(0, origin), H).CopyTo(persistence.AsSpan(i * H));
            if (guardPeriod >= 2) NaiveForecasts.SeasonalNaive(raw.AsSpan(0, origin), guardPeriod, H).CopyTo(seasonalNaive.AsSpan(i * H));
        }
        var decision = NaiveGuard.Decide(actuals, bestForecasts!, persistence, seasonalNaive, H);
        var guard = decision.Overall;
        string reason = (candidates.Length > 1 ? $"Transform {Describe(best!.Transform, period)} chosen by validation MAE ({string.Join(", ", candidateMaes)}). " : "")
            + (guardPeriod != period ? $"No significant season; seasonal-naive at the highest ACF peak, {guardPeriod}. " : "")
            + decision.Reason;
        var diagnostics = new ForecastDiagnostics(best!.Transform, Math.Max(1, guardPeriod), originCount, guard.NetworkMae, guard.PersistenceMae,
            guardPeriod >= 2 ? guard.SeasonalNaiveMae : double.NaN, guard.Choice, guard.NetworkWeight, reason,
            decision.Uniform ? null : Enumerable.Range(0, H).Select(h => decision.ForStep(h))
                .Select(st => new ServedStep(st.Choice, st.NetworkWeight, st.Naive == ForecastDecision.SeasonalNaive)).ToArray());
        channel.Info(reason);
        if (guard.Choice != ForecastDecision.Network)
            channel.Warning($"On the validation windows the network alone was not the best forecast (network MAE {guard.NetworkMae:G4}, served {guard.ServedMae:G4}); serving {guard.Choice} (network weight {guard.NetworkWeight:0.0}). See the model's Diagnostics.");
        if (!decision.Uniform)
            channel.Warning($"Not every horizon step serves the network alone: {string.Join(", ", Enumerable.Range(0, H).Select(h => $"{h + 1} {decision.ForStep(h).Choice}"))}. See the model's Diagnostics.");

        // Intervals from the residuals of what is served, on the same origins.
        var served = bestForecasts!.ToArray();
        for (int i = 0; i < originCount; i++)
            GuardedForecaster.Serve(diagnostics, raw.AsSpan(0, firstOrigin + i), served.AsSpan(i * H, H));
        var intervals = ResidualIntervals.Fit(served, actuals, H, o.ConfidenceLevel);
        var model = new GuardedForecaster(best, intervals, diagnostics);
        var tail = raw.AsSpan(raw.Length - model.StateLength).ToArray();
        var covariateTail = covariates.AsSpan(covariates.Length - W * C).ToArray();
        var fitted = (LstmForecastingOptions)o.Copy();
        fitted.Transform = best.Transform;
        fitted.SeasonalPeriod = Math.Max(1, guardPeriod);
        return new LstmForecastingTransformer(_host, fitted, model, tail, covariateTail, bestResult!.History, bestResult.BestEpoch);
    }

    /// <summary>One network over the series named by the id column (<see cref="GlobalSeriesForecaster"/>).</summary>
    private LstmForecastingTransformer FitGlobal(IDataView input)
    {
        var o = _options;
        var (seriesColumn, _) = SeriesColumns.Resolve(input.Schema, o);
        var idColumn = SeriesColumns.ResolveId(input.Schema, o);
        using var channel = _host.Start("Training global LSTM forecaster");
        var (rowIds, rowValues) = SeriesColumns.ReadWithIds(input, seriesColumn, idColumn, "training");
        var order = new List<string>();
        var grouped = new Dictionary<string, List<float>>(StringComparer.Ordinal);
        for (int row = 0; row < rowIds.Length; row++)
        {
            if (!grouped.TryGetValue(rowIds[row], out var values)) { grouped[rowIds[row]] = values = []; order.Add(rowIds[row]); }
            values.Add(rowValues[row]);
        }
        if (order.Count == 0) throw new ArgumentException($"The training data has no rows; the global forecaster needs at least one series in '{seriesColumn.Name}'.", nameof(input));
        var series = order.Select(id => grouped[id].ToArray()).ToArray();

        int period = o.SeasonalPeriod;
        string periodReason = $"seasonal period {period} (given)";
        if (period == 0)
        {
            // The period found most often (ties to the shorter); 1 when no series shows one.
            var found = series.Where(v => v.Length >= 6).Select(v => SeasonalityDetection.Detect(v).Period).Where(p => p >= 2)
                .GroupBy(p => p).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).FirstOrDefault();
            period = found?.Key ?? 1;
            periodReason = found == null ? "no seasonal period detected in any series" : $"seasonal period {period} (detected in {found.Count()} of {series.Length} series)";
        }
        var networkOptions = o.ToNetworkOptions(new SequenceRegressorOptions { Outputs = o.Horizon });
        var (model, result, windows) = GlobalSeriesForecaster.Train(order, series, o.WindowSize, o.Horizon, period, LstmForecastingOptions.MaxGlobalTrainingWindows,
            o.ConfidenceLevel, networkOptions, o.ToTrainingOptions(), o.Progress, line => channel.Info(line), o.CancellationToken, o.EnsembleSize);
        string reason = $"Global model over {series.Length} series ({rowIds.Length} rows), {periodReason}: each series scaled by its own seasonal figure and " +
                        $"each window's level; {windows} pooled training windows" + (model.Networks.Count > 1 ? $"; the mean of {model.Networks.Count} networks (seeds {o.Seed} to {o.Seed + model.Networks.Count - 1}, the history below the first's)" : "") +
                        "; early stopping and intervals on each series' last window. " +
                        $"{result.Outcome} {model.GuardReason}";
        channel.Info(reason);
        var diagnostics = GlobalDiagnostics(model, reason);
        var tails = series.Select(v => v[^model.TailLength..]).ToArray();
        var positions = series.Select(v => (long)(v.Length - model.TailLength)).ToArray();
        var fitted = (LstmForecastingOptions)o.Copy();
        fitted.SeasonalPeriod = period;
        fitted.EnsembleSize = model.Networks.Count;   // fewer than asked when training was cancelled
        return new LstmForecastingTransformer(_host, fitted, model, new GlobalSeriesState(tails, positions), diagnostics, result.History, result.BestEpoch);
    }

    /// <summary>A global model's diagnostics: the network is served unless a series' own guard chose otherwise (its Reason counts them).</summary>
    internal static ForecastDiagnostics GlobalDiagnostics(GlobalSeriesForecaster model, string reason) =>
        new(SeriesTransformKind.None, Math.Max(1, model.SeasonalPeriod), model.SeriesIds.Count, double.NaN, double.NaN, double.NaN,
            ForecastDecision.Network, 1, reason);

    private static string Describe(SeriesTransformKind kind, int period) => SeriesTransform.IsSeasonal(kind) ? $"{kind}({period})" : kind.ToString();

    /// <summary>
    /// The transforms to train and the seasonal period: the user's transform alone, or for Auto None, Difference and
    /// <see cref="TransformSelection"/>'s choice (those the series is long and positive enough for).
    /// </summary>
    private static (SeriesTransformKind[] Kinds, int Period, string? Reason) Candidates(LstmForecastingOptions o, float[] raw, string column, string rows)
    {
        int W = o.WindowSize, H = o.Horizon;
        if (o.Transform != SeriesTransformKind.Auto && !SeriesTransform.IsSeasonal(o.Transform) && raw.Length < W + H + SeriesTransform.Lag(o.Transform))
            throw new ArgumentException($"The series '{column}' has {rows}; a window of {W} and a horizon of {H} after {o.Transform} (which uses one more) " +
                $"need at least {W + H + SeriesTransform.Lag(o.Transform)}.", "input");
        int detected = o.SeasonalPeriod > 0 ? o.SeasonalPeriod : raw.Length >= 6 ? SeasonalityDetection.Detect(raw).Period : 1;
        if (o.Transform != SeriesTransformKind.Auto)
        {
            if (SeriesTransform.IsSeasonal(o.Transform) && detected < 2)
                throw new ArgumentException($"The {o.Transform} transform needs a seasonal period and none was found in '{column}'; set SeasonalPeriod (e.g. 12 for monthly data).", nameof(o.Transform));
            int needed = W + H + SeriesTransform.Lag(o.Transform, detected);
            if (raw.Length < needed)
                throw new ArgumentException($"The series '{column}' has {rows}; a window of {W} and a horizon of {H} after {Describe(o.Transform, detected)} " +
                    $"(which uses {needed - W - H} more) need at least {needed}.", "input");
            return ([o.Transform], detected, null);
        }
        if (raw.Length < W + H)
            throw new ArgumentException($"The series '{column}' has {rows}; a window of {W} and a horizon of {H} need at least {W + H}.", "input");
        var kinds = new List<SeriesTransformKind> { SeriesTransformKind.None };
        // An extra candidate only when its lag leaves it windows to train on beside its validation windows.
        bool Trainable(int lag)
        {
            int windows = raw.Length - lag - W - o.Outputs + 1;
            int validation = o.ValidationFraction == 0 ? 0 : Math.Max(1, (int)Math.Round(windows * o.ValidationFraction));
            return windows - validation >= 1;
        }
        if (Trainable(1)) kinds.Add(SeriesTransformKind.Difference);
        string reason = "";
        if (raw.Length >= 8)
        {
            var choice = TransformSelection.Choose(raw, o.SeasonalPeriod);
            reason = choice.Reason;
            bool fits = SeriesTransform.IsSeasonal(choice.Kind) ? choice.SeasonalPeriod >= 2 && Trainable(choice.SeasonalPeriod) : Trainable(SeriesTransform.Lag(choice.Kind));
            if (SeriesTransform.IsSeasonal(choice.Kind) && o.SeasonalPeriod == 0) detected = choice.SeasonalPeriod;
            if (fits && !kinds.Contains(choice.Kind) && (!SeriesTransform.IsSeasonal(choice.Kind) || choice.SeasonalPeriod == detected)) kinds.Add(choice.Kind);
        }
        return (kinds.ToArray(), detected, reason);
    }

    private static (SeriesForecaster, SequenceTrainingResult) TrainCandidate(LstmForecastingOptions o, SeriesTransformKind kind, int period, float[] raw,
        float[] covariates, int C, string column, IChannel channel)
    {
        int W = o.WindowSize, H = o.Horizon, lag = SeriesTransform.Lag(kind, period);
        // Transformed series (step t ↔ raw row t + lag) with its covariates, standardised on the training part only.
        var transformed = SeriesTransform.Forward(kind, raw, period);
        var stepCovariates = covariates.AsSpan(lag * C).ToArray();
        int outputs = o.Outputs;
        int windowCount = transformed.Length - W - outputs + 1;
        int validationCount = o.ValidationFraction == 0 ? 0 : Math.Max(1, (int)Math.Round(windowCount * o.ValidationFraction));
        if (validationCount >= windowCount)
            throw new ArgumentException($"The series gives {windowCount} training window(s) after {Describe(kind, period)}; a validation fraction of {o.ValidationFraction} leaves none to train on.", "input");
        int trainSteps = windowCount - validationCount + W + outputs - 1; // the steps the training windows cover
        var interleaved = new float[transformed.Length * (1 + C)];
        for (int t = 0; t < transformed.Length; t++)
        {
            interleaved[t * (1 + C)] = transformed[t];
            for (int c = 0; c < C; c++) interleaved[t * (1 + C) + 1 + c] = stepCovariates[t * C + c];
        }
        var scaler = Standardizer.Fit(interleaved.AsSpan(0, trainSteps * (1 + C)), 1 + C);
        var scaledSeries = transformed.Select(v => scaler.Transform(0, v)).ToArray();
        var scaledCovariates = new float[stepCovariates.Length];
        for (int t = 0; t < transformed.Length; t++)
            for (int c = 0; c < C; c++) scaledCovariates[t * C + c] = scaler.Transform(1 + c, stepCovariates[t * C + c]);

        var windows = SeriesWindows.Create(scaledSeries, W, outputs, scaledCovariates);
        var train = windows.Slice(0, windowCount - validationCount);
        var validation = windows.Slice(windowCount - validationCount, validationCount);
        float[][] Targets(SeriesWindows w) => Enumerable.Range(0, w.Count).Select(i => w.Targets.AsSpan(i * outputs, outputs).ToArray()).ToArray();

        var network = new SequenceRegressorNetwork(1 + C, o.ToNetworkOptions(new SequenceRegressorOptions { Outputs = o.Outputs }));
        channel.Info($"Forecasting '{column}' ({raw.Length} observations{(C > 0 ? $", {C} covariate(s)" : "")}, {Describe(kind, period)} transform): {train.Count} training and " +
                     $"{validation.Count} validation windows of {W} → {H} ({o.Strategy}); LSTM {o.NumberOfLayers}×{o.HiddenSize}; {network.Context}.");
        var result = SequenceTrainer.Train(network, train.Inputs, Targets(train), validation.Count > 0 ? validation.Inputs : null,
            validation.Count > 0 ? Targets(validation) : null, o.ToTrainingOptions(), o.Progress, line => channel.Info(line), o.CancellationToken);
        channel.Info(result.Outcome);
        return (new SeriesForecaster(network, scaler, kind, o.Strategy, W, H, C, period), result);
    }

    /// <summary>The network's forecasts [count × H] from <paramref name="count"/> consecutive origins (index of the first forecast value).</summary>
    private static float[] NetworkForecasts(SeriesForecaster forecaster, float[] raw, float[] covariates, int firstOrigin, int count)
    {
        int H = forecaster.Horizon, C = forecaster.Covariates, tailLength = forecaster.TailLength, W = forecaster.WindowSize;
        var forecasts = new float[count * H];
        for (int i = 0; i < count; i++)
        {
            int origin = firstOrigin + i;
            forecaster.Forecast(raw.AsSpan(origin - tailLength, tailLength), covariates.AsSpan((origin - W) * C, W * C), forecasts.AsSpan(i * H, H));
        }
        return forecasts;
    }

    private static double Mae(float[] forecasts, float[] raw, int firstOrigin, int count, int H)
    {
        double sum = 0;
        for (int i = 0; i < count; i++)
            for (int h = 0; h < H; h++) sum += Math.Abs(forecasts[i * H + h] - raw[firstOrigin + i + h]);
        return sum / (count * H);
    }

    /// <summary>Checks the series (and covariate) columns and adds Forecast, LowerBound and UpperBound.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var name in _options.CovariateColumnNames.Prepend(_options.InputColumnName))
        {
            if (!inputSchema.TryFindColumn(name, out var column))
                throw LstmColumns.MissingColumn(name == _options.InputColumnName ? "series" : "covariate", name, inputSchema.Select(c => c.Name));
            if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not NumberDataViewType { RawType: var raw } || raw != typeof(float))
                throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Column '{name}' has type {LstmColumns.Describe(column)}; the forecaster expects Single.");
        }
        if (_options.IsGlobal && !inputSchema.TryFindColumn(_options.SeriesIdColumnName!, out _))
            throw LstmColumns.MissingColumn("series id", _options.SeriesIdColumnName!, inputSchema.Select(c => c.Name));
        var columns = inputSchema.ToDictionary(c => c.Name);
        foreach (var name in new[] { _options.OutputColumnName, _options.ConfidenceLowerBoundColumn, _options.ConfidenceUpperBoundColumn })
            columns[name] = new SchemaShape.Column(name, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
        return new SchemaShape(columns.Values);
    }
}

/// <summary><c>ml.Forecasting.ForecastByLstm(...)</c>, beside ML.NET's <c>ForecastBySsa</c>.</summary>
public static class LstmForecastingCatalog
{
    /// <summary>An LSTM forecaster of a series, with SSA-style columns (<c>ForecastBySsa</c>'s names).</summary>
    public static LstmForecastingEstimator ForecastByLstm(this ForecastingCatalog catalog, LstmForecastingOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new LstmForecastingEstimator(CatalogUtils.GetEnvironment(catalog), options);
    }

    /// <summary>The SSA-style overload: column names, window, horizon, train size and confidence; the LSTM defaults otherwise.</summary>
    public static LstmForecastingEstimator ForecastByLstm(this ForecastingCatalog catalog, string outputColumnName, string inputColumnName,
        int windowSize, int horizon, int trainSize = 0, float confidenceLevel = 0.95f, string confidenceLowerBoundColumn = "LowerBound",
        string confidenceUpperBoundColumn = "UpperBound")
        => catalog.ForecastByLstm(new LstmForecastingOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, WindowSize = windowSize, Horizon = horizon,
            TrainSize = trainSize, ConfidenceLevel = confidenceLevel, ConfidenceLowerBoundColumn = confidenceLowerBoundColumn,
            ConfidenceUpperBoundColumn = confidenceUpperBoundColumn,
        });
}
