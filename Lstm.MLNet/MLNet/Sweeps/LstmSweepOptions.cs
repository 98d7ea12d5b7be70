using Lstm.MLNet.Sweeps;
using Microsoft.ML;

namespace Lstm.MLNet;

/// <summary>
/// What <see cref="LstmExperimentCatalog.Sweep"/> searches and how it measures (in the spirit of ML.NET AutoML's
/// experiment settings). Every trial trains a copy of <see cref="BaseOptions"/> with one configuration of
/// <see cref="SearchSpace"/> written over it.
/// </summary>
public sealed class LstmSweepOptions
{
    /// <summary>The task; inferred from the label column's type when null (Boolean → binary, key or text → multiclass, Single → sequence regression).</summary>
    public LstmTask? Task { get; set; }
    /// <summary>The label: Boolean (binary), key (multiclass) or Single (regression).</summary>
    public string LabelColumnName { get; set; } = "Label";
    /// <summary>The text input column.</summary>
    public string TextColumnName { get; set; } = "Text";
    /// <summary>A key-typed token vector column to read instead of <see cref="TextColumnName"/>; for regression, the float-vector sequence column.</summary>
    public string? FeatureColumnName { get; set; }

    /// <summary>Trials at most, counting every rung of successive halving.</summary>
    public int MaxTrials { get; set; } = 20;
    /// <summary>No new trial starts after this; a running trial is stopped and recorded as cancelled.</summary>
    public TimeSpan MaxExperimentTime { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>
    /// The metric to optimise, a property of ML.NET's metrics class for the task: binary <c>Accuracy</c> (default),
    /// <c>AreaUnderRocCurve</c>, <c>F1Score</c>, <c>LogLoss</c>…; multiclass <c>MacroAccuracy</c> (default),
    /// <c>MicroAccuracy</c>, <c>LogLoss</c>…; regression <c>RootMeanSquaredError</c> (default), <c>MeanAbsoluteError</c>,
    /// <c>RSquared</c>…. Losses and errors are minimised, the rest maximised.
    /// </summary>
    public string? Metric { get; set; }
    /// <summary>Cross-validation folds per trial (ignored when <see cref="ValidationSet"/> is given). At least 2.</summary>
    public int Folds { get; set; } = 3;
    /// <summary>Train each trial on all the data and measure on this set instead of cross-validating.</summary>
    public IDataView? ValidationSet { get; set; }
    /// <summary>Successive halving's rate η: each rung keeps the best 1/η and trains them η× longer.</summary>
    public int HalvingRate { get; set; } = 3;
    /// <summary>
    /// Trials trained at once; 0 (the default) = one per core, each trial then computing on
    /// ProcessorCount / MaxConcurrentTrials threads (unless <see cref="BaseOptions"/> sets NumberOfThreads). Measured on
    /// the 2-vCPU development machine: four 5-epoch sentiment trainings took 6.2–9.4 s one after another on 2 threads
    /// each and 4.9–7.7 s two at a time on 1 thread each (1.22–1.28× faster): small LSTMs use a second core better
    /// through a second trial than inside one. Results do not depend on it.
    /// </summary>
    public int MaxConcurrentTrials { get; set; }
    /// <summary>Seeds the configurations drawn, the folds and every trial's training.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>
    /// The dimensions searched; null (the default) takes the task's space: <see cref="LstmSearchSpaces.Default"/> for text,
    /// <see cref="LstmSearchSpaces.Regression"/> for sequence regression. Narrow or extend it by property name of <see cref="BaseOptions"/>'s type.
    /// </summary>
    public SearchSpace? SearchSpace { get; set; }
    /// <summary>
    /// The options of every trial before the configuration is written over them: <see cref="LstmOptions"/> for text
    /// (vocabulary, threads…), <see cref="LstmSequenceRegressorOptions"/> for regression (FeaturesPerStep, standardisation;
    /// the search space then names its properties, so text options such as EmbeddingSize do not apply).
    /// </summary>
    public LstmTrainingOptions BaseOptions { get; set; } = new LstmOptions();

    /// <summary>A featurising prefix (e.g. a tokenizer) re-fitted inside every fold on that fold's training part only, so nothing leaks across folds.</summary>
    public IEstimator<ITransformer>? Preprocessing { get; set; }

    /// <summary>Whether the best configuration is trained once more on all the data after the sweep (its model is <see cref="LstmSweepResult.BestRun"/>'s).</summary>
    public bool RefitBestOnAllData { get; set; } = true;

    /// <summary>Receives each trial's result as it finishes.</summary>
    public IProgress<LstmTrialResult>? Progress { get; set; }
    /// <summary>Stops the sweep cleanly with the best run so far.</summary>
    public CancellationToken CancellationToken { get; set; }

    internal void Validate()
    {
        if (MaxTrials < 1) throw new ArgumentOutOfRangeException(nameof(MaxTrials), MaxTrials, "Must be at least 1.");
        if (MaxExperimentTime <= TimeSpan.Zero && MaxExperimentTime != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(MaxExperimentTime), MaxExperimentTime, "Must be positive (or Timeout.InfiniteTimeSpan).");
        if (ValidationSet is null && Folds < 2) throw new ArgumentOutOfRangeException(nameof(Folds), Folds, "Cross-validation needs at least 2 folds (or give a ValidationSet).");
        if (MaxConcurrentTrials < 0) throw new ArgumentOutOfRangeException(nameof(MaxConcurrentTrials), MaxConcurrentTrials, "Must be 0 (one per core) or positive.");
        if (HalvingRate < 2) throw new ArgumentOutOfRangeException(nameof(HalvingRate), HalvingRate, "Must be at least 2.");
        ArgumentNullException.ThrowIfNull(BaseOptions, nameof(BaseOptions));
        SearchSpace?.Validate(BaseOptions.GetType());
        switch (BaseOptions)
        {
            case LstmOptions text: text.Validate(); break;
            case LstmSequenceRegressorOptions regressor: regressor.Validate(); break;
            default: throw new ArgumentException($"BaseOptions must be LstmOptions (text) or LstmSequenceRegressorOptions (regression); it is {BaseOptions.GetType().Name}.", nameof(BaseOptions));
        }
    }
}

/// <summary>The search spaces the sweep starts from.</summary>
public static class LstmSearchSpaces
{
    /// <summary>
    /// The dimensions of the issue: sizes, depth, direction, dropout, learning rate (log scale), batch size, pooling
    /// and epochs. Each default is the trainer's own default, so the first trial of a sweep is the default model.
    /// </summary>
    public static SearchSpace Default() => new SearchSpace()
        .Set(nameof(LstmOptions.HiddenSize), SearchDimension.ChoiceWithDefault(64, 32, 64, 128))
        .Set(nameof(LstmOptions.EmbeddingSize), SearchDimension.ChoiceWithDefault(64, 32, 64, 128))
        .Set(nameof(LstmOptions.NumberOfLayers), SearchDimension.Choice(1, 2))
        .Set(nameof(LstmOptions.Bidirectional), SearchDimension.ChoiceWithDefault(true, false, true))
        .Set(nameof(LstmOptions.Dropout), SearchDimension.Range(0.0, 0.5, 0.3))
        .Set(nameof(LstmOptions.LearningRate), SearchDimension.Range(3e-4, 1e-2, 3e-3, logScale: true))
        .Set(nameof(LstmOptions.BatchSize), SearchDimension.ChoiceWithDefault(32, 16, 32, 64))
        .Set(nameof(LstmOptions.Pooling), SearchDimension.ChoiceWithDefault(LstmPooling.Max, LstmPooling.Last, LstmPooling.Mean, LstmPooling.Max))
        .Set(nameof(LstmOptions.MaxEpochs), SearchDimension.ChoiceWithDefault(10, 6, 10, 15));

    /// <summary>Sequence regression: the LSTM's size, depth and direction, dropout, learning rate and batch size around the regressor's defaults.</summary>
    public static SearchSpace Regression() => new SearchSpace()
        .Set(nameof(LstmSequenceRegressorOptions.HiddenSize), SearchDimension.ChoiceWithDefault(64, 16, 32, 64, 128))
        .Set(nameof(LstmSequenceRegressorOptions.NumberOfLayers), SearchDimension.Choice(1, 2))
        .Set(nameof(LstmSequenceRegressorOptions.Bidirectional), SearchDimension.Choice(false, true))
        .Set(nameof(LstmSequenceRegressorOptions.Dropout), SearchDimension.Range(0.0, 0.3, 0.0))
        .Set(nameof(LstmSequenceRegressorOptions.LearningRate), SearchDimension.Range(5e-4, 1e-2, 3e-3, logScale: true))
        .Set(nameof(LstmSequenceRegressorOptions.BatchSize), SearchDimension.ChoiceWithDefault(32, 16, 32, 64));
}
