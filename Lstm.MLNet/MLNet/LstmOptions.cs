using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Training;
using Microsoft.ML;

namespace Lstm.MLNet;

/// <summary>What an <see cref="LstmEstimator"/> learns, decided at Fit from the label's type (or fixed by the catalog method).</summary>
public enum LstmTask
{
    /// <summary>Boolean label: Score (the margin, log-odds of true), Probability, PredictedLabel (bool).</summary>
    BinaryClassification,
    /// <summary>Key label: Score (a probability per class, slot names = class names), PredictedLabel (key).</summary>
    MulticlassClassification,
    /// <summary>Float label (or a float vector of future values) from a float-vector sequence: Score (float, or a vector of the label's length).</summary>
    Regression,
}

/// <summary>
/// Options of every LSTM trainer: columns, network shape, training schedule, vocabulary. The defaults give a
/// good sentence classifier (they were picked on the UCI sentiment sentences: see the README).
/// </summary>
public class LstmOptions
{
    /// <summary>The label: Boolean (binary classification) or key (multiclass).</summary>
    public string LabelColumnName { get; set; } = "Label";
    /// <summary>
    /// The input column when it is not <see cref="TextColumnName"/>: a variable-length vector of key type
    /// (token ids from upstream, e.g. <c>TokenizeIntoWords</c> + <c>MapValueToKey</c>) or a text column. Null:
    /// use <see cref="TextColumnName"/>.
    /// </summary>
    public string? FeatureColumnName { get; set; }
    /// <summary>The input column used when <see cref="FeatureColumnName"/> is null: text (tokenised by a <see cref="Text.WordTokenizer"/> learned at Fit), or a key-typed token vector.</summary>
    public string TextColumnName { get; set; } = "Text";
    /// <summary>Output: the score (binary: the margin; multiclass: the class probabilities).</summary>
    public string ScoreColumnName { get; set; } = "Score";
    /// <summary>Output: the predicted label (bool or key).</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";
    /// <summary>Output (binary only): the probability of true.</summary>
    public string ProbabilityColumnName { get; set; } = "Probability";

    /// <summary>Width of a token embedding.</summary>
    public int EmbeddingSize { get; set; } = 64;
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
    /// <summary>
    /// The longest input the network reads, in training and prediction alike (one rule each, applied by the same code
    /// in both): a text keeps its FIRST this many tokens; a sequence regressor's row keeps its LAST this many steps (the
    /// most recent). 0 = no limit.
    /// </summary>
    public int MaxSequenceLength { get; set; } = 256;
    /// <summary>Sequences per optimizer step.</summary>
    public int BatchSize { get; set; } = 32;
    /// <summary>Upper bound on passes over the training data.</summary>
    public int MaxEpochs { get; set; } = 10;
    /// <summary>Step size of the optimizer.</summary>
    public double LearningRate { get; set; } = 3e-3;
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
    /// <summary>Seeds initialisation, dropout, the validation split and the epoch shuffles: equal seeds give bit-identical models.</summary>
    public int Seed { get; set; } = 1;
    /// <summary>Compute threads; null = all cores. The model does not depend on it.</summary>
    public int? NumberOfThreads { get; set; }
    /// <summary>Text input: at most this many ids in the learned vocabulary, the 2 reserved ids (padding, unknown) included. Ignored for key-typed token input.</summary>
    public int MaxVocabularySize { get; set; } = 20_000;
    /// <summary>Text input: tokens seen fewer times in the training rows map to the unknown id (which then gets trained). Ignored for key-typed token input.</summary>
    public int MinTokenFrequency { get; set; } = 2;
    /// <summary>Receives a report after each epoch (on the training thread).</summary>
    public IProgress<LstmTrainingProgress>? Progress { get; set; }
    /// <summary>Stops training cleanly: Fit returns the best model so far (the weights of the last step when no epoch finished).</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> (or <see cref="ArgumentException"/> for a blank column name) naming the first invalid option.</summary>
    public void Validate()
    {
        CheckName(LabelColumnName, nameof(LabelColumnName));
        CheckName(TextColumnName, nameof(TextColumnName));
        if (FeatureColumnName is not null) CheckName(FeatureColumnName, nameof(FeatureColumnName));
        CheckName(ScoreColumnName, nameof(ScoreColumnName));
        CheckName(PredictedLabelColumnName, nameof(PredictedLabelColumnName));
        CheckName(ProbabilityColumnName, nameof(ProbabilityColumnName));
        if (MaxSequenceLength < 0) throw new ArgumentOutOfRangeException(nameof(MaxSequenceLength), MaxSequenceLength, "Must be 0 (no limit) or positive.");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "Must be in [0, 1).");
        if (NumberOfThreads is < 1) throw new ArgumentOutOfRangeException(nameof(NumberOfThreads), NumberOfThreads, "Must be null (all cores) or positive.");
        if (MaxVocabularySize < Text.WordTokenizer.ReservedIds + 1) throw new ArgumentOutOfRangeException(nameof(MaxVocabularySize), MaxVocabularySize, $"Must be at least {Text.WordTokenizer.ReservedIds + 1} (ids 0 and 1 are reserved).");
        if (MinTokenFrequency < 1) throw new ArgumentOutOfRangeException(nameof(MinTokenFrequency), MinTokenFrequency, "Must be at least 1.");
        if (!Enum.IsDefined(Pooling)) throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "Unknown pooling.");
        if (!Enum.IsDefined(Optimizer)) throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, "Unknown optimizer.");
        // The network and the training loop check the rest, each naming the option.
        ToNetworkOptions().Validate();
        ToTrainingOptions().Validate();
    }

    /// <summary>The text classifier network's hyperparameters (Dropout also covers the embedding).</summary>
    internal SequenceClassifierOptions ToNetworkOptions() =>
        ToNetworkOptions(new SequenceClassifierOptions { EmbeddingSize = EmbeddingSize, EmbeddingDropout = Dropout });

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
    };

    /// <summary>
    /// The defaults of numeric sequences (the regressor's and the forecaster's), where the text classifier's were tuned
    /// on sentences: one direction and the last state (the most recent steps matter most), no dropout, no length limit,
    /// a tighter gradient clip.
    /// </summary>
    private protected void UseNumericSequenceDefaults()
    {
        Bidirectional = false;
        Dropout = 0f;
        Pooling = LstmPooling.Last;
        MaxSequenceLength = 0;
        LearningRate = 3e-3;
        GradientClipNorm = 1f;
    }

    /// <summary>
    /// Copies every option of this class into <paramref name="target"/> (a task's options built from the default
    /// estimator's): written out, no reflection; a test checks that no property is left out.
    /// </summary>
    internal void CopyTo(LstmOptions target)
    {
        target.LabelColumnName = LabelColumnName; target.FeatureColumnName = FeatureColumnName; target.TextColumnName = TextColumnName;
        target.ScoreColumnName = ScoreColumnName; target.PredictedLabelColumnName = PredictedLabelColumnName; target.ProbabilityColumnName = ProbabilityColumnName;
        target.EmbeddingSize = EmbeddingSize; target.HiddenSize = HiddenSize; target.NumberOfLayers = NumberOfLayers; target.Bidirectional = Bidirectional;
        target.Dropout = Dropout; target.RecurrentDropout = RecurrentDropout; target.Pooling = Pooling; target.MaxSequenceLength = MaxSequenceLength;
        target.BatchSize = BatchSize; target.MaxEpochs = MaxEpochs; target.LearningRate = LearningRate; target.Optimizer = Optimizer;
        target.WeightDecay = WeightDecay; target.GradientClipNorm = GradientClipNorm; target.ValidationFraction = ValidationFraction;
        target.ValidationSet = ValidationSet; target.EarlyStoppingPatience = EarlyStoppingPatience; target.Seed = Seed;
        target.NumberOfThreads = NumberOfThreads; target.MaxVocabularySize = MaxVocabularySize; target.MinTokenFrequency = MinTokenFrequency;
        target.Progress = Progress; target.CancellationToken = CancellationToken;
    }

    /// <summary>A copy of the options (the validation set, progress sink and token are references, shared).</summary>
    public LstmOptions Clone() => (LstmOptions)MemberwiseClone();

    private static void CheckName(string? name, string option)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"{option} must name a column; it is '{name}'.", option);
    }
}

/// <summary>Options of the LSTM text classifiers of the catalog (<c>ml.BinaryClassification.Trainers.LstmText</c>, <c>ml.MulticlassClassification.Trainers.LstmText</c>).</summary>
public sealed class LstmTextClassifierOptions : LstmOptions
{
}
