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
    /// <summary>The LSTM experiments of <paramref name="ml"/>: <c>ml.Lstm().Sweep(...)</c>.</summary>
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
        var space = options.SearchSpace ?? (task == LstmTask.Regression ? LstmSearchSpaces.Regression() : LstmSearchSpaces.Default());
        space.Validate(options.BaseOptions.GetType());

        var folds = options.ValidationSet is { } validation
            ? [new Fold(trainData, validation)]
            : _ml.Data.CrossValidationSplit(trainData, options.Folds, seed: options.Seed).Select(f => new Fold(f.TrainSet, f.TestSet)).ToArray();

        int concurrency = options.MaxConcurrentTrials > 0 ? options.MaxConcurrentTrials : Environment.ProcessorCount;
        int threadsPerTrial = Math.Max(1, Environment.ProcessorCount / concurrency);
        var halving = new SuccessiveHalving(options.MaxTrials, maxBudget: options.HalvingRate * options.HalvingRate, eta: options.HalvingRate);
        channel.Info($"Sweeping {task} on '{options.LabelColumnName}', optimising {metricName} ({(metric.HigherIsBetter ? "higher" : "lower")} is better) " +
                     $"over {folds.Length} fold(s); rungs (configurations × budget/{halving.MaxBudget}): {string.Join(", ", halving.Rungs.Select(r => $"{r.Configurations}×{r.Budget}"))}.");

        LstmTrainingOptions OptionsFor(IReadOnlyDictionary<string, object> configuration, int budget, CancellationToken token)
        {
            var trial = options.BaseOptions.Copy();
            SearchSpace.Apply(configuration, trial);
            trial.MaxEpochs = Math.Max(1, (int)Math.Round(trial.MaxEpochs * (double)budget / halving.MaxBudget));
            if (trial is LstmSequenceRegressorOptions regressor)
            {
                regressor.LabelColumnName = options.LabelColumnName;
                regressor.FeatureColumnName = options.FeatureColumnName ?? regressor.FeatureColumnName;
            }
            else if (trial is LstmOptions text)
            {
                text.LabelColumnName = options.LabelColumnName;
                text.TextColumnName = options.TextColumnName;
                text.FeatureColumnName = options.FeatureColumnName ?? text.FeatureColumnName;
            }
            trial.Seed = options.Seed;
            trial.ValidationSet = null;
            trial.Progress = null;
            trial.CancellationToken = token;
            trial.NumberOfThreads = options.BaseOptions.NumberOfThreads ?? threadsPerTrial;
            return trial;
        }

        // Concurrent trials each get their own MLContext: ML.NET's environments are not meant to be shared across threads.
        IEstimator<ITransformer> PipelineFor(LstmTrainingOptions trial, MLContext ml)
        {
            var lstm = new LstmEstimator(ml, trial);
            IEstimator<ITransformer>? prefix = options.Preprocessing;
            if (labelNeedsKey)
                prefix = prefix is null ? ml.Transforms.Conversion.MapValueToKey(options.LabelColumnName) : prefix.Append(ml.Transforms.Conversion.MapValueToKey(options.LabelColumnName));
            // Without a prefix the model is the LSTM transformer itself (not a one-element chain).
            return prefix is null ? lstm : prefix.Append(lstm);
        }

        TrialEvaluation<ITransformer> RunTrial(IReadOnlyDictionary<string, object> configuration, int budget, CancellationToken token)
        {
            var trial = OptionsFor(configuration, budget, token);
            var ml = concurrency == 1 ? _ml : new MLContext(options.Seed);
            var foldMetrics = new List<double>();
            ITransformer? model = null;
            foreach (var fold in folds)
            {
                model = PipelineFor(trial, ml).Fit(fold.Train);
                foldMetrics.Add(metric.Read(ml, model.Transform(fold.Test), options.LabelColumnName));
                if (token.IsCancellationRequested) break;
            }
            return new TrialEvaluation<ITransformer>(foldMetrics, model);
        }

        // Column and type mistakes are the same for every trial: report them now instead of as N failed trials.
        PipelineFor(OptionsFor(space.Defaults(), halving.MaxBudget, default), _ml).GetOutputSchema(SchemaShape.Create(trainData.Schema));

        var result = halving.Run(space, options.Seed, metric.HigherIsBetter, RunTrial, options.MaxExperimentTime, options.CancellationToken,
            record =>
            {
                var row = LstmTrialResult.From(record, OptionsFor(record.Configuration, record.Budget, default));
                channel.Info($"Trial {row.Id} (rung {row.Rung}, {row.Options.MaxEpochs} epochs): {row.Status} " +
                             (row.Status == TrialStatus.Completed ? $"{metricName} {row.Metric:F4} ± {row.MetricStandardDeviation:F4}" : row.Error) +
                             $" in {row.TrainingTime.TotalSeconds:F1} s — {SearchSpace.Describe(row.Configuration)}");
                options.Progress?.Report(row);
            }, concurrency);
        // In the order the plan ran them (concurrent trials report as they finish).
        var trials = result.Trials.Select(r => LstmTrialResult.From(r, OptionsFor(r.Configuration, r.Budget, default))).ToList();

        LstmTrialResult? best = result.Best is { } b ? trials.Single(t => t.Id == b.Id) : null;
        if (best is not null)
        {
            best.Model = result.Best!.Model;
            if (options.RefitBestOnAllData && !options.CancellationToken.IsCancellationRequested)
            {
                var clock = Stopwatch.StartNew();
                var full = OptionsFor(best.Configuration, halving.MaxBudget, options.CancellationToken);
                best.Model = PipelineFor(full, _ml).Fit(trainData); // a ValidationSet stays unseen, as in the trials
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
    private sealed record MetricAccess(Type MetricsType, PropertyInfo Property, bool HigherIsBetter, LstmTask Task)
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
        var candidates = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.PropertyType == typeof(double)).ToArray();
        var property = candidates.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentOutOfRangeException(nameof(LstmSweepOptions.Metric),
                $"'{name}' is not a metric of {task}; choose one of: {string.Join(", ", candidates.Select(p => p.Name))}.");
        bool lowerIsBetter = property.Name is "LogLoss" or "MeanAbsoluteError" or "MeanSquaredError" or "RootMeanSquaredError" or "LossFunction";
        return new MetricAccess(type, property, !lowerIsBetter, task);
    }
}
