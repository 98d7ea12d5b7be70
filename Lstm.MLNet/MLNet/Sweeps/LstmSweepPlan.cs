using System.Diagnostics;
using Lstm.MLNet.Sweeps;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Lstm.MLNet;

/// <summary>
/// Everything a sweep decides before its first trial, and what one trial does with it: the task, metric and search
/// space; the folds; the halving plan; the options and pipeline of a (configuration, budget); the measurement of one
/// fold. The local sweep (<see cref="LstmExperimentCatalog.Sweep"/>) and a cluster's workers build the same plan from the
/// same data and options, so a trial measures the same on either.
/// </summary>
internal sealed class LstmSweepPlan : IDisposable
{
    private readonly MLContext _ml;
    private readonly IDataView _trainData;
    private readonly IChannel _channel;
    private readonly bool _labelNeedsKey;
    private readonly MetricAccess _metric;
    private readonly Fold[] _folds;
    private readonly int _threadsPerTrial;

    /// <summary>
    /// Checks <paramref name="options"/> against <paramref name="trainData"/> and plans the sweep; <paramref name="concurrency"/> is how many
    /// trials this process trains at once (null: <see cref="LstmSweepOptions.MaxConcurrentTrials"/>, 0 there = one per core).
    /// </summary>
    public LstmSweepPlan(MLContext ml, IDataView trainData, LstmSweepOptions options, int? concurrency = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentNullException.ThrowIfNull(trainData);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        (_ml, _trainData, Options) = (ml, trainData, options);
        _channel = ((IHostEnvironment)ml).Register("LstmSweep").Start("Sweep");

        var label = trainData.Schema.GetColumnOrNull(options.LabelColumnName)
            ?? throw LstmColumns.MissingColumn("label", options.LabelColumnName, trainData.Schema.Select(c => c.Name));
        Task = options.Task ?? InferTask(label);
        _labelNeedsKey = Task == LstmTask.MulticlassClassification && label.Type is not KeyDataViewType;
        MetricName = options.Metric ?? DefaultMetric(Task);
        _metric = MetricReader(Task, MetricName);
        Space = options.SearchSpace ?? (Task == LstmTask.Regression ? LstmSearchSpaces.Regression() : LstmSearchSpaces.Default());
        Space.Validate(options.BaseOptions.GetType());

        _folds = options.ValidationSet is { } validation
            ? [new Fold(trainData, validation)]
            : ml.Data.CrossValidationSplit(trainData, options.Folds, seed: options.Seed).Select(f => new Fold(f.TrainSet, f.TestSet)).ToArray();

        Concurrency = concurrency ?? (options.MaxConcurrentTrials > 0 ? options.MaxConcurrentTrials : Environment.ProcessorCount);
        if (Concurrency < 1) throw new ArgumentOutOfRangeException(nameof(concurrency), Concurrency, "At least one trial must run at a time.");
        _threadsPerTrial = Math.Max(1, Environment.ProcessorCount / Concurrency);
        Halving = new SuccessiveHalving(options.MaxTrials, maxBudget: options.HalvingRate * options.HalvingRate, eta: options.HalvingRate);

        // Column and type mistakes are the same for every trial: report them now instead of as N failed trials.
        PipelineFor(OptionsFor(Space.Defaults(), Halving.MaxBudget, default), ml).GetOutputSchema(SchemaShape.Create(trainData.Schema));
    }

    public LstmSweepOptions Options { get; }
    public LstmTask Task { get; }
    public string MetricName { get; }
    public bool HigherIsBetter => _metric.HigherIsBetter;
    public SearchSpace Space { get; }
    public SuccessiveHalving Halving { get; }
    /// <summary>Trials this process trains at once.</summary>
    public int Concurrency { get; }
    /// <summary>The measurements of one trial: the cross-validation folds, or one (all the data, the validation set).</summary>
    public int FoldCount => _folds.Length;

    /// <summary>Writes a line to the sweep's log (ML.NET's <c>MLContext.Log</c>).</summary>
    public void Info(string message) => _channel.Info(message);

    /// <summary>Says in the log what the sweep will do.</summary>
    public void Announce(string where) =>
        _channel.Info($"Sweeping {Task} on '{Options.LabelColumnName}' {where}, optimising {MetricName} ({(HigherIsBetter ? "higher" : "lower")} is better) " +
                      $"over {_folds.Length} fold(s); rungs (configurations × budget/{Halving.MaxBudget}): {string.Join(", ", Halving.Rungs.Select(r => $"{r.Configurations}×{r.Budget}"))}.");

    /// <summary>The complete options a trial of <paramref name="configuration"/> trains with at <paramref name="budget"/>.</summary>
    public LstmTrainingOptions OptionsFor(IReadOnlyDictionary<string, object> configuration, int budget, CancellationToken token)
    {
        var trial = Options.BaseOptions.Copy();
        SearchSpace.Apply(configuration, trial);
        trial.MaxEpochs = Math.Max(1, (int)Math.Round(trial.MaxEpochs * (double)budget / Halving.MaxBudget));
        if (trial is LstmSequenceRegressorOptions regressor)
        {
            regressor.LabelColumnName = Options.LabelColumnName;
            regressor.FeatureColumnName = Options.FeatureColumnName ?? regressor.FeatureColumnName;
        }
        else if (trial is LstmOptions text)
        {
            text.LabelColumnName = Options.LabelColumnName;
            text.TextColumnName = Options.TextColumnName;
            text.FeatureColumnName = Options.FeatureColumnName ?? text.FeatureColumnName;
        }
        trial.Seed = Options.Seed;
        trial.ValidationSet = null;
        trial.Progress = null;
        trial.CancellationToken = token;
        trial.NumberOfThreads = Options.BaseOptions.NumberOfThreads ?? _threadsPerTrial;
        return trial;
    }

    private IEstimator<ITransformer> PipelineFor(LstmTrainingOptions trial, MLContext ml)
    {
        var lstm = new LstmEstimator(ml, trial);
        IEstimator<ITransformer>? prefix = Options.Preprocessing;
        if (_labelNeedsKey)
            prefix = prefix is null ? ml.Transforms.Conversion.MapValueToKey(Options.LabelColumnName) : prefix.Append(ml.Transforms.Conversion.MapValueToKey(Options.LabelColumnName));
        // Without a prefix the model is the LSTM transformer itself (not a one-element chain).
        return prefix is null ? lstm : prefix.Append(lstm);
    }

    /// <summary>Trains <paramref name="configuration"/> at <paramref name="budget"/> on fold <paramref name="fold"/>'s training part and measures it on its test part.</summary>
    public (double Metric, ITransformer Model) EvaluateFold(IReadOnlyDictionary<string, object> configuration, int budget, int fold, MLContext ml, CancellationToken token)
    {
        if ((uint)fold >= (uint)_folds.Length) throw new ArgumentOutOfRangeException(nameof(fold), fold, $"The sweep has {_folds.Length} fold(s).");
        var model = PipelineFor(OptionsFor(configuration, budget, token), ml).Fit(_folds[fold].Train);
        return (_metric.Read(ml, model.Transform(_folds[fold].Test), Options.LabelColumnName), model);
    }

    /// <summary>One trial in this process: every fold in turn (stopping after the current one on <paramref name="token"/>); the model is the last fold's.</summary>
    public TrialEvaluation<ITransformer> RunTrial(IReadOnlyDictionary<string, object> configuration, int budget, CancellationToken token)
    {
        // Concurrent trials each get their own MLContext: ML.NET's environments are not meant to be shared across threads.
        var ml = Concurrency == 1 ? _ml : new MLContext(Options.Seed);
        var foldMetrics = new List<double>();
        ITransformer? model = null;
        for (int fold = 0; fold < _folds.Length; fold++)
        {
            (double metric, model) = EvaluateFold(configuration, budget, fold, ml, token);
            foldMetrics.Add(metric);
            if (token.IsCancellationRequested) break;
        }
        return new TrialEvaluation<ITransformer>(foldMetrics, model);
    }

    /// <summary>Trains <paramref name="configuration"/> with the full budget on all the training data (a ValidationSet stays unseen, as in the trials).</summary>
    public ITransformer Refit(IReadOnlyDictionary<string, object> configuration, MLContext ml, CancellationToken token) =>
        PipelineFor(OptionsFor(configuration, Halving.MaxBudget, token), ml).Fit(_trainData);

    /// <summary>Logs a finished trial and passes it to <see cref="LstmSweepOptions.Progress"/>.</summary>
    public void Report(TrialRecord<ITransformer> record)
    {
        var row = LstmTrialResult.From(record, OptionsFor(record.Configuration, record.Budget, default));
        _channel.Info($"Trial {row.Id} (rung {row.Rung}, {row.Options.MaxEpochs} epochs): {row.Status} " +
                      (row.Status == TrialStatus.Completed ? $"{MetricName} {row.Metric:F4} ± {row.MetricStandardDeviation:F4}" : row.Error) +
                      $" in {row.TrainingTime.TotalSeconds:F1} s — {SearchSpace.Describe(row.Configuration)}" +
                      (row.Redispatches.Count > 0 ? " (" + string.Join("; ", row.Redispatches) + ")" : ""));
        Options.Progress?.Report(row);
    }

    /// <summary>Whether the best configuration is trained once more on all the data.</summary>
    public bool RefitsBest(SweepResult<ITransformer> result) =>
        result.Best is not null && Options.RefitBestOnAllData && !Options.CancellationToken.IsCancellationRequested;

    /// <summary>
    /// The public result: the trials in the order the plan ran them; the best run's model is <paramref name="bestModel"/>
    /// (the refit on all the data when <paramref name="refitted"/>, else the trial's own).
    /// </summary>
    public LstmSweepResult Result(SweepResult<ITransformer> result, ITransformer? bestModel, bool refitted, TimeSpan refitTime)
    {
        var trials = result.Trials.Select(r => LstmTrialResult.From(r, OptionsFor(r.Configuration, r.Budget, default))).ToList();
        LstmTrialResult? best = result.Best is { } b ? trials.Single(t => t.Id == b.Id) : null;
        if (best is not null)
        {
            best.Model = bestModel;
            if (refitted)
            {
                best.Options = OptionsFor(best.Configuration, Halving.MaxBudget, default);
                _channel.Info($"Refitted the best configuration (trial {best.Id}) on all the training data in {refitTime.TotalSeconds:F1} s.");
            }
        }
        return new LstmSweepResult(trials, best, result.Elapsed, result.StoppedEarly, MetricName, HigherIsBetter, Task);
    }

    public void Dispose() => _channel.Dispose();

    private readonly record struct Fold(IDataView Train, IDataView Test);

    private static LstmTask InferTask(DataViewSchema.Column label) => label.Type switch
    {
        BooleanDataViewType => LstmTask.BinaryClassification,
        KeyDataViewType or TextDataViewType => LstmTask.MulticlassClassification,
        NumberDataViewType { RawType: var raw } when raw == typeof(float) => LstmTask.Regression,
        _ => throw new ArgumentOutOfRangeException(nameof(LstmSweepOptions.LabelColumnName),
            $"Label column '{label.Name}' has type {LstmColumns.Describe(label.Type)}; the sweep infers binary classification from Boolean, " +
            "multiclass from a key or text label and regression from Single. Set LstmSweepOptions.Task, or convert the label."),
    };

    private static string DefaultMetric(LstmTask task) => task switch
    {
        LstmTask.BinaryClassification => nameof(BinaryClassificationMetrics.Accuracy),
        LstmTask.MulticlassClassification => nameof(MulticlassClassificationMetrics.MacroAccuracy),
        LstmTask.Regression => nameof(RegressionMetrics.RootMeanSquaredError),
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "No sweep metric for this task."),
    };

    /// <summary>Reads the named double property of the task's ML.NET metrics class; losses and errors are minimised.</summary>
    private sealed record MetricAccess(Type MetricsType, System.Reflection.PropertyInfo Property, bool HigherIsBetter, LstmTask Task)
    {
        public double Read(MLContext ml, IDataView scored, string label)
        {
            object metrics = Task switch
            {
                LstmTask.BinaryClassification => ml.BinaryClassification.Evaluate(scored, label),
                LstmTask.Regression => ml.Regression.Evaluate(scored, label),
                _ => ml.MulticlassClassification.Evaluate(scored, label),
            };
            return (double)Property.GetValue(metrics)!;
        }
    }

    private static MetricAccess MetricReader(LstmTask task, string name)
    {
        var type = task switch
        {
            LstmTask.BinaryClassification => typeof(CalibratedBinaryClassificationMetrics),
            LstmTask.Regression => typeof(RegressionMetrics),
            _ => typeof(MulticlassClassificationMetrics),
        };
        var candidates = type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Where(p => p.PropertyType == typeof(double)).ToArray();
        var property = candidates.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentOutOfRangeException(nameof(LstmSweepOptions.Metric),
                $"'{name}' is not a metric of {task}; choose one of: {string.Join(", ", candidates.Select(p => p.Name))}.");
        bool lowerIsBetter = property.Name is "LogLoss" or "MeanAbsoluteError" or "MeanSquaredError" or "RootMeanSquaredError" or "LossFunction";
        return new MetricAccess(type, property, !lowerIsBetter, task);
    }
}
