using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Training;

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
/// Options of the LSTM estimator (<see cref="LstmEstimator"/>) and its text classifiers: the columns,
/// the embedding and vocabulary, the input length, and the network and training options of
/// <see cref="LstmTrainingOptions"/>. The defaults give a good sentence classifier (they were picked on the UCI
/// sentiment sentences: see the README).
/// </summary>
public class LstmOptions : LstmTrainingOptions
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
    /// <summary>
    /// The longest input the network reads, in training and prediction alike (one rule each, applied by the same code
    /// in both): a text keeps its FIRST this many tokens (when the default estimator regresses, a row keeps its LAST this
    /// many steps, as <see cref="LstmSequenceRegressorOptions.MaxSequenceLength"/> says). 0 = no limit.
    /// </summary>
    public int MaxSequenceLength { get; set; } = 256;
    /// <summary>Text input: at most this many ids in the learned vocabulary, the 2 reserved ids (padding, unknown) included. Ignored for key-typed token input.</summary>
    public int MaxVocabularySize { get; set; } = 20_000;
    /// <summary>Text input: tokens seen fewer times in the training rows map to the unknown id (which then gets trained). Ignored for key-typed token input.</summary>
    public int MinTokenFrequency { get; set; } = 2;

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
        if (MaxVocabularySize < Text.WordTokenizer.ReservedIds + 1) throw new ArgumentOutOfRangeException(nameof(MaxVocabularySize), MaxVocabularySize, $"Must be at least {Text.WordTokenizer.ReservedIds + 1} (ids 0 and 1 are reserved).");
        if (MinTokenFrequency < 1) throw new ArgumentOutOfRangeException(nameof(MinTokenFrequency), MinTokenFrequency, "Must be at least 1.");
        ValidateTraining(ToNetworkOptions());
    }

    /// <summary>The text classifier network's hyperparameters (Dropout also covers the embedding).</summary>
    internal SequenceClassifierOptions ToNetworkOptions() =>
        ToNetworkOptions(new SequenceClassifierOptions { EmbeddingSize = EmbeddingSize, EmbeddingDropout = Dropout });

    /// <summary>A copy of the options (the validation set, progress sink and token are references, shared).</summary>
    public LstmOptions Clone() => (LstmOptions)Copy();
}

/// <summary>Options of the LSTM text classifiers of the catalog (<c>ml.BinaryClassification.Trainers.LstmText</c>, <c>ml.MulticlassClassification.Trainers.LstmText</c>).</summary>
public sealed class LstmTextClassifierOptions : LstmOptions
{
}
