using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Training;
using Microsoft.ML;

namespace Lstm.MLNet;

/// <summary>
/// The options every LSTM trainer shares, whatever its task and columns: the network's shape, the training schedule,
/// validation and early stopping, reproducibility, progress and cancellation. <see cref="LstmOptions"/> (the text
/// classifiers), <see cref="LstmSequenceRegressorOptions"/> (the sequence regressor) and
/// <see cref="LstmForecastingOptions"/> (the forecaster) add their own columns and inputs. The defaults are the text classifier's; each task's options set its own.
/// </summary>
public abstract class LstmTrainingOptions
{
    private protected LstmTrainingOptions()
    {
    }

    /// <summary>Hidden units per direction.</summary>
    public int HiddenSize { get; set; } = 64;
    /// <summary>Stacked LSTM layers.</summary>
    public int NumberOfLayers { get; set; } = 1;
    /// <summary>Also read each sequence backwards (the pooled vector is then 2·HiddenSize wide).</summary>
    public bool Bidirectional { get; set; } = true;
    /// <summary>Dropout rate in [0, 1): on the embedded tokens, between stacked layers, and on the pooled vector before the output layer.</summary>
    public float Dropout { get; set; } = 0.3f;
    /// <summary>
    /// Dropout rate in [0, 1) on the top LSTM layer's output at every step, before pooling. Not variational
    /// dropout of h_{t−1} inside the recurrence: the recurrent connection is never dropped.
    /// </summary>
    public float RecurrentDropout { get; set; }
    /// <summary>How the steps' outputs become one vector.</summary>
    public LstmPooling Pooling { get; set; } = LstmPooling.Max;
    /// <summary>Sequences per optimizer step.</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>Upper bound on passes over the training data.</summary>
    public int MaxEpochs { get; set; } = 10;
    /// <summary>Step size of the optimizer.</summary>
    public double LearningRate { get; set; } = 3e-3;
    /// <summary>
    /// How the learning rate changes during training: constant (the default), linear warm-up then cosine decay, or halved
    /// after each epoch without a lower validation loss (<see cref="LstmLearningRateSchedule"/>). A training setting:
    /// it is not saved with the model (a loaded model's Options show Constant).
    /// </summary>
    public LstmLearningRateSchedule LearningRateSchedule { get; set; } = LstmLearningRateSchedule.Constant;
    /// <summary>The optimizer.</summary>
    public LstmOptimizer Optimizer { get; set; } = LstmOptimizer.Adam;
    /// <summary>L2 weight decay (embedding rows only when a batch uses them).</summary>
    public double WeightDecay { get; set; }
    /// <summary>Global gradient-norm clipping threshold; 0 turns clipping off.</summary>
    public float GradientClipNorm { get; set; } = 5f;
    /// <summary>Fraction in [0, 1) of the training rows held out (seeded) to validate each epoch and choose the best epoch; ignored when <see cref="ValidationSet"/> is given; 0 = no validation.</summary>
    public double ValidationFraction { get; set; } = 0.1;
    /// <summary>Validation data with the training data's columns; when set, <see cref="ValidationFraction"/> is ignored and every training row trains.</summary>
    public IDataView? ValidationSet { get; set; }
    /// <summary>Stop after this many epochs without a lower validation loss (training loss without validation data), restoring the best epoch's weights; 0 = never stop early.</summary>
    public int EarlyStoppingPatience { get; set; } = 3;
    /// <summary>
    /// With validation data: average the weights of the epochs with the N lowest validation losses, and keep the average
    /// when its validation loss is lower than the best epoch's (the log says which was kept); 1 = the best epoch alone.
    /// Text classifiers 2 (chosen on the text benchmark suite), the regressor and the forecaster 1. A training setting,
    /// not saved with the model (a loaded model's Options show the default).
    /// </summary>
    public int AverageBestEpochs { get; set; } = 2;
    /// <summary>Seeds initialisation, dropout, the validation split and the epoch shuffles: equal seeds give bit-identical models.</summary>
    public int Seed { get; set; } = 1;
    /// <summary>Compute threads; null = all cores. The model does not depend on it.</summary>
    public int? NumberOfThreads { get; set; }
    /// <summary>Receives a report after each epoch (on the training thread).</summary>
    public IProgress<LstmTrainingProgress>? Progress { get; set; }
    /// <summary>Stops training cleanly: Fit returns the best model so far (the weights of the last step when no epoch finished).</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// The shared checks (validation fraction, threads, enums) and the network's and training loop's own, each naming
    /// the option; <paramref name="network"/> is this task's network options (<see cref="ToNetworkOptions{T}"/>).
    /// </summary>
    private protected void ValidateTraining(SequenceNetworkOptions network)
    {
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "Must be in [0, 1).");
        if (NumberOfThreads is < 1) throw new ArgumentOutOfRangeException(nameof(NumberOfThreads), NumberOfThreads, "Must be null (all cores) or positive.");
        if (!Enum.IsDefined(Pooling)) throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "Unknown pooling.");
        if (!Enum.IsDefined(Optimizer)) throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, "Unknown optimizer.");
        if (!Enum.IsDefined(LearningRateSchedule)) throw new ArgumentOutOfRangeException(nameof(LearningRateSchedule), LearningRateSchedule, "Unknown learning-rate schedule.");
        network.Validate();
        ToTrainingOptions().Validate();
    }

    /// <summary>
    /// The one mapping from these options to a network's: the shared hyperparameters on top of
    /// <paramref name="taskPart"/>, which carries what only that network has (embedding, outputs).
    /// </summary>
    internal T ToNetworkOptions<T>(T taskPart) where T : SequenceNetworkOptions => (T)(taskPart with
    {
        HiddenSize = HiddenSize,
        NumberOfLayers = NumberOfLayers,
        Bidirectional = Bidirectional,
        Dropout = Dropout,
        RecurrentDropout = RecurrentDropout,
        Pooling = Pooling,
        LearningRate = LearningRate,
        Optimizer = Optimizer,
        WeightDecay = WeightDecay,
        GradientClipNorm = GradientClipNorm,
        Seed = Seed,
        NumberOfThreads = NumberOfThreads ?? 0,
    });

    internal SequenceTrainingOptions ToTrainingOptions() => new()
    {
        BatchSize = BatchSize,
        MaxEpochs = MaxEpochs,
        EarlyStoppingPatience = EarlyStoppingPatience,
        Seed = Seed,
        LearningRateSchedule = LearningRateSchedule,
        AverageBestEpochs = AverageBestEpochs,
    };

    /// <summary>
    /// The defaults of numeric sequences (the regressor's and the forecaster's), where the text classifier's were tuned
    /// on sentences: one direction and the last state (the most recent steps matter most), no dropout, a tighter
    /// gradient clip.
    /// </summary>
    private protected void UseNumericSequenceDefaults()
    {
        Bidirectional = false;
        Dropout = 0f;
        Pooling = LstmPooling.Last;
        LearningRate = 3e-3;
        GradientClipNorm = 1f;
        AverageBestEpochs = 1;
    }

    /// <summary>A shallow copy (the validation set, progress sink and token are references, shared).</summary>
    internal LstmTrainingOptions Copy() => (LstmTrainingOptions)MemberwiseClone();

    /// <summary>
    /// Copies every option of this class into <paramref name="target"/> (another task's options built from the default
    /// estimator's): written out, no reflection; a test checks that no property is left out.
    /// </summary>
    internal void CopyTrainingOptionsTo(LstmTrainingOptions target)
    {
        target.HiddenSize = HiddenSize; target.NumberOfLayers = NumberOfLayers; target.Bidirectional = Bidirectional;
        target.Dropout = Dropout; target.RecurrentDropout = RecurrentDropout; target.Pooling = Pooling;
        target.BatchSize = BatchSize; target.MaxEpochs = MaxEpochs; target.LearningRate = LearningRate; target.Optimizer = Optimizer;
        target.WeightDecay = WeightDecay; target.GradientClipNorm = GradientClipNorm; target.ValidationFraction = ValidationFraction;
        target.ValidationSet = ValidationSet; target.EarlyStoppingPatience = EarlyStoppingPatience; target.Seed = Seed;
        target.NumberOfThreads = NumberOfThreads; target.Progress = Progress; target.CancellationToken = CancellationToken;
        target.LearningRateSchedule = LearningRateSchedule; target.AverageBestEpochs = AverageBestEpochs;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="option"/> when <paramref name="name"/> is blank.</summary>
    private protected static void CheckName(string? name, string option)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"{option} must name a column; it is '{name}'.", option);
    }
}
