using System.Diagnostics;
using System.Reflection;
using Lstm.MLNet.Sweeps;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Lstm.MLNet;

/// <summary><c>ml.Lstm()</c>: the entry point to LSTM experiments (hyper-parameter sweeps).</summary>
public static class LstmMLContextExtensions
{
    public static LstmExperimentCatalog Lstm(this MLContext ml) => new(ml ?? throw new ArgumentNullException(nameof(ml)));
}

/// <summary>
/// Hyper-parameter sweeps of the LSTM trainers, in the spirit of ML.NET AutoML (which is not available here):
/// random search with successive halving over <see cref="LstmSweepOptions.SearchSpace"/>, every trial measured by
/// cross-validation (or on a validation set) with ML.NET's own evaluators.
/// </summary>
public sealed class LstmExperimentCatalog
{
    private readonly MLContext _ml;

    internal LstmExperimentCatalog(MLContext ml) => _ml = ml;

    /// <summary>
    /// Runs the sweep on <paramref name="trainData"/>. Trials run one after another, each using every core (on the
    /// 2-core machines we measured, one trial's GEMMs already keep both cores busy). Failed trials (an exception, a
    /// NaN metric) are recorded and the sweep goes on; cancellation or the time limit stops it with the best run so
    /// far. Reproducible with <see cref="LstmSweepOptions.Seed"/>.
    /// </summary>
    public LstmSweepResult Sweep(IDataView trainData, LstmSweepOptions options)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var host = ((IHostEnvironment)_ml).Register("LstmSweep");
        using var channel = host.Start("Sweep");

        var label = trainData.Schema.GetColumnOrNull(options.LabelColumnName)
            ?? throw LstmColumns.MissingColumn("label", options.LabelColumnName, trainData.Schema.Select(c => c.Name));
        var task = options.Task ?? InferTask(label);
        bool labelNeedsKey = task == LstmTask.MulticlassClassification && label.Type is not KeyDataViewType;
        string metricName = options.Metric ?? DefaultMetric(task);
        var metric = MetricReader(task, metricName);

        var folds = options.ValidationSet is { } validation
            ? [new Fold(trainData, validation)]
            : _ml.Data.CrossValidationSplit(trainData, options.Folds, seed: options.Seed).Select(f => new Fold(f.TrainSet, f.TestSet)).ToArray();

        var halving = new SuccessiveHalving(options.MaxTrials, maxBudget: options.HalvingRate * options.HalvingRate, eta: options.HalvingRate);
        channel.Info($"Sweeping {task} on '{options.LabelColumnName}', optimising {metricName} ({(metric.HigherIsBetter ? "higher" : "lower")} is better) " +
                     $"over {folds.Length} fold(s); rungs (configurations × budget/{halving.MaxBudget}): {string.Join(", ", halving.Rungs.Select(r => $"{r.Configurations}×{r.Budget}"))}.");

        LstmOptions OptionsFor(IReadOnlyDictionary<string, object> configuration, int budget, CancellationToken token)
        {
            var trial = options.BaseOptions.Clone();
            SearchSpace.Apply(configuration, trial);
            trial.MaxEpochs = Math.Max(1, (int)Math.Round(trial.MaxEpochs * (double)budget / halving.MaxBudget));
            trial.LabelColumnName = options.LabelColumnName;
            trial.TextColumnName = options.TextColumnName;
            trial.FeatureColumnName = options.FeatureColumnName;
            trial.Seed = options.Seed;
            trial.ValidationSet = null;
            trial.Progress = null;
            trial.CancellationToken = token;
            return trial;
        }

        IEstimator<ITransformer> PipelineFor(LstmOptions trial)
        {
            IEstimator<ITransformer> pipeline = options.Preprocessing ?? new EstimatorChain<ITransformer>();
            if (labelNeedsKey) pipeline = pipeline.Append(_ml.Transforms.Conversion.MapValueToKey(options.LabelColumnName));
            return pipeline.Append(new LstmEstimator(_ml, trial));
        }

        TrialEvaluation<ITransformer> RunTrial(IReadOnlyDictionary<string, object> configuration, int budget, CancellationToken token)
        {
            var trial = OptionsFor(configuration, budget, token);
            var foldMetrics = new List<double>();
            ITransformer? model = null;
            foreach (var fold in folds)
            {
                model = PipelineFor(trial).Fit(fold.Train);
                foldMetrics.Add(metric.Read(_ml, model.Transform(fold.Test), options.LabelColumnName));
                if (token.IsCancellationRequested) break;
            }
            return new TrialEvaluation<ITransformer>(foldMetrics, model);
        }

        // Column and type mistakes are the same for every trial: report them now instead of as N failed trials.
        PipelineFor(OptionsFor(options.SearchSpace.Defaults(), halving.MaxBudget, default)).GetOutputSchema(SchemaShape.Create(trainData.Schema));

        var trials = new List<LstmTrialResult>();
        var result = halving.Run(options.SearchSpace, options.Seed, metric.HigherIsBetter, RunTrial, options.MaxExperimentTime, options.CancellationToken,
            record =>
            {
                var row = LstmTrialResult.From(record, OptionsFor(record.Configuration, record.Budget, default));
                trials.Add(row);
                channel.Info($"Trial {row.Id} (rung {row.Rung}, {row.Options.MaxEpochs} epochs): {row.Status} " +
                             (row.Status == TrialStatus.Completed ? $"{metricName} {row.Metric:F4} ± {row.MetricStandardDeviation:F4}" : row.Error) +
                             $" in {row.TrainingTime.TotalSeconds:F1} s — {SearchSpace.Describe(row.Configuration)}");
                options.Progress?.Report(row);
            });

        LstmTrialResult? best = result.Best is { } b ? trials.Single(t => t.Id == b.Id) : null;
        if (best is not null)
        {
            best.Model = result.Best!.Model;
            if (options.RefitBestOnAllData && !options.CancellationToken.IsCancellationRequested)
            {
                var clock = Stopwatch.StartNew();
                var full = OptionsFor(best.Configuration, halving.MaxBudget, options.CancellationToken);
                best.Model = PipelineFor(full).Fit(trainData); // a ValidationSet stays unseen, as in the trials
                best.Options = OptionsFor(best.Configuration, halving.MaxBudget, default);
                channel.Info($"Refitted the best configuration (trial {best.Id}) on all the training data in {clock.Elapsed.TotalSeconds:F1} s.");
            }
        }
        return new LstmSweepResult(trials, best, result.Elapsed, result.StoppedEarly, metricName, metric.HigherIsBetter, task);
    }

    private readonly record struct Fold(IDataView Train, IDataView Test);

    private static LstmTask InferTask(DataViewSchema.Column label) => label.Type switch
    {
        BooleanDataViewType => LstmTask.BinaryClassification,
        KeyDataViewType or TextDataViewType => LstmTask.MulticlassClassification,
        _ => throw new ArgumentOutOfRangeException(nameof(LstmSweepOptions.LabelColumnName),
            $"Label column '{label.Name}' has type {LstmColumns.Describe(label.Type)}; the sweep infers binary classification from Boolean and " +
            "multiclass from a key or text label. Set LstmSweepOptions.Task, or convert the label."),
    };

    private static string DefaultMetric(LstmTask task) => task switch
    {
        LstmTask.BinaryClassification => nameof(BinaryClassificationMetrics.Accuracy),
        LstmTask.MulticlassClassification => nameof(MulticlassClassificationMetrics.MacroAccuracy),
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "No sweep metric for this task."),
    };

    /// <summary>Reads the named double property of the task's ML.NET metrics class; losses and errors are minimised.</summary>
    private sealed record MetricAccess(Type MetricsType, PropertyInfo Property, bool HigherIsBetter, LstmTask Task)
    {
        public double Read(MLContext ml, IDataView scored, string label)
        {
            object metrics = Task switch
            {
                LstmTask.BinaryClassification => ml.BinaryClassification.Evaluate(scored, label),
                _ => ml.MulticlassClassification.Evaluate(scored, label),
            };
            return (double)Property.GetValue(metrics)!;
        }
    }

    private static MetricAccess MetricReader(LstmTask task, string name)
    {
        var type = task == LstmTask.BinaryClassification ? typeof(CalibratedBinaryClassificationMetrics) : typeof(MulticlassClassificationMetrics);
        var candidates = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.PropertyType == typeof(double)).ToArray();
        var property = candidates.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentOutOfRangeException(nameof(LstmSweepOptions.Metric),
                $"'{name}' is not a metric of {task}; choose one of: {string.Join(", ", candidates.Select(p => p.Name))}.");
        bool lowerIsBetter = property.Name is "LogLoss" or "MeanAbsoluteError" or "MeanSquaredError" or "RootMeanSquaredError" or "LossFunction";
        return new MetricAccess(type, property, !lowerIsBetter, task);
    }
}
