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

    /// <summary>Options with the text classifier's defaults (automatic embedding and hidden sizes).</summary>
    public LstmOptions()
    {
        HiddenSize = 0;
    }

    /// <summary>
    /// Width of a token embedding. 0 = automatic (the text classifier's default, like its <see cref="LstmTrainingOptions.HiddenSize"/>):
    /// 128 when the training split has at least 2,000 rows or the label at least 20 classes, else 64; chosen at Fit, and the
    /// trained model's Options show the value used.
    /// </summary>
    public int EmbeddingSize { get; set; }
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
    /// <summary>
    /// Text classifiers: the longest token n-gram of the wide path, a linear model over each text's bag of unigrams and
    /// hashed bigrams/trigrams whose scores are added to the network's logits (it lifted accuracy and log-loss on every
    /// set of the text suite). 1 = unigrams only, up to 3; 0 = no wide path.
    /// </summary>
    public int NgramLength { get; set; } = 3;
    /// <summary>
    /// Text classifiers: rows of the wide path's hashed n-gram table. 0 = automatic: min(2^18, 2^22 / classes), so that
    /// many classes do not make the table (and the optimizer's moments) large; the trained model's
    /// <see cref="LstmTransformer.Options"/> shows the value used. Ignored when <see cref="NgramLength"/> is 0.
    /// </summary>
    public int NgramBuckets { get; set; }
    /// <summary>
    /// Text classifiers with text input: the longest character n-gram of the wide path's sub-word bag. Each token is read
    /// as "&lt;token&gt;" (word-boundary markers) and its n-grams of 2 to this many characters are hashed (MurmurHash3 x86_32 of
    /// the UTF-8 string, seed 0) into the same table as the word n-grams, so words never seen in training still share
    /// evidence with the words they resemble, as FeaturizeText's character n-grams give SDCA. 0 = words only; at most 5.
    /// Ignored when <see cref="NgramLength"/> is 0 or the input is key-typed token ids (the trained model's Options then show 0).
    /// </summary>
    public int CharNgramLength { get; set; } = DefaultCharNgramLength;
    /// <summary>
    /// Text classifiers: after training, fit a temperature T on the validation rows' logits (temperature scaling) so the
    /// probabilities are calibrated; the model's Temperature shows it. Without validation rows T stays 1 (logged).
    /// </summary>
    public bool Calibrate { get; set; } = true;
    /// <summary>
    /// Text classifiers: a pretrained word-vector file (GloVe, word2vec text or fastText <c>.vec</c>, gzip or not, e.g.
    /// <c>glove.6B.100d.txt</c>, <c>wiki-news-300d-1M.vec</c>) that starts the embedding rows of the vocabulary's tokens;
    /// training then fine-tunes them, and tokens the file lacks are learned from scratch. The file is streamed (only the
    /// vocabulary's rows are kept) and its dimension must equal <see cref="EmbeddingSize"/> (automatic: the file's); the
    /// vectors end up in the saved model's weights, so loading needs nothing else. null = random start.
    /// </summary>
    public string? WordVectorsPath { get; set; }
    /// <summary>Text classifiers with <see cref="WordVectorsPath"/>: keep the pretrained rows fixed through training (false: fine-tune them); tokens the file lacks are learned either way.</summary>
    public bool FreezeWordVectors { get; set; }
    /// <summary>
    /// Text classifiers with <see cref="WordVectorsPath"/>: also give a vocabulary id to the file's first this-many words
    /// that the training data lacks (the public files list the most frequent words first), so a word never seen in
    /// training is still known at prediction, by its pretrained vector, instead of being unknown. Each adds
    /// <see cref="EmbeddingSize"/> floats to the model. 0 = the training data's vocabulary only.
    /// </summary>
    public int WordVectorsExtraWords { get; set; }
    /// <summary>The most <see cref="WordVectorsExtraWords"/> may ask for (the largest public files hold about 2 million words).</summary>
    internal const int MaxWordVectorsExtraWords = 2_000_000;

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
        if (WordVectorsPath is not null && !File.Exists(WordVectorsPath))
            throw new ArgumentException($"WordVectorsPath '{WordVectorsPath}' is not a file.", nameof(WordVectorsPath));
        ModelLimits.RequireInRange(WordVectorsExtraWords, 0, MaxWordVectorsExtraWords, nameof(WordVectorsExtraWords));
        if (WordVectorsExtraWords > 0 && WordVectorsPath is null)
            throw new ArgumentException($"WordVectorsExtraWords ({WordVectorsExtraWords}) adds words from a vectors file; set WordVectorsPath too.", nameof(WordVectorsExtraWords));
        ModelLimits.RequireInRange(NgramLength, 0, NgramLinear.MaxSupportedNgramLength, nameof(NgramLength));
        ModelLimits.RequireInRange(NgramBuckets, 0, ModelLimits.MaxNgramBuckets, nameof(NgramBuckets));
        if (CharNgramLength != 0 && CharNgramLength is < Text.CharNgramHasher.MinLength or > Text.CharNgramHasher.MaxSupportedLength)
            throw new ArgumentOutOfRangeException(nameof(CharNgramLength), CharNgramLength,
                $"Must be 0 (words only) or in [{Text.CharNgramHasher.MinLength}, {Text.CharNgramHasher.MaxSupportedLength}].");
        if (EmbeddingSize < 0) throw new ArgumentOutOfRangeException(nameof(EmbeddingSize), EmbeddingSize, "Must be 0 (automatic) or positive.");
        if (HiddenSize < 0) throw new ArgumentOutOfRangeException(nameof(HiddenSize), HiddenSize, "Must be 0 (automatic, text classifiers) or positive.");
        ValidateTraining(ToNetworkOptions()); // automatic sizes are checked at the largest they can resolve to
    }

    /// <summary>The text classifier network's hyperparameters (Dropout also covers the embedding).</summary>
    /// <param name="classes">The number of classes, which sizes an automatic n-gram table (<see cref="NgramBuckets"/> = 0).</param>
    internal SequenceClassifierOptions ToNetworkOptions(int classes = 2)
    {
        var network = ToNetworkOptions(new SequenceClassifierOptions
        {
            EmbeddingSize = EmbeddingSize > 0 ? EmbeddingSize : LargeCapacity, EmbeddingDropout = Dropout,
            NgramBuckets = ResolvedNgramBuckets(classes), NgramLength = Math.Max(1, NgramLength),
        });
        return HiddenSize > 0 ? network : network with { HiddenSize = LargeCapacity };
    }

    /// <summary>
    /// Automatic capacity (EmbeddingSize = HiddenSize): <see cref="LargeCapacity"/> from <see cref="LargeCapacityMinRows"/>
    /// training rows or <see cref="LargeCapacityMinClasses"/> classes on, else <see cref="SmallCapacity"/>. 128 beat 64
    /// on every set of the text suite (3k to 100k+ rows, 2 to 150 classes); below 2,000 rows nothing was measured and
    /// the smaller network is kept.
    /// </summary>
    internal const int SmallCapacity = 64, LargeCapacity = 128, LargeCapacityMinRows = 2_000, LargeCapacityMinClasses = 20;

    /// <summary>A copy with automatic (0) EmbeddingSize and HiddenSize resolved for the training data; explicit values kept.</summary>
    internal LstmOptions WithCapacityFor(int trainingRows, int classes)
    {
        var resolved = Clone();
        int automatic = trainingRows >= LargeCapacityMinRows || classes >= LargeCapacityMinClasses ? LargeCapacity : SmallCapacity;
        if (resolved.EmbeddingSize == 0) resolved.EmbeddingSize = automatic;
        if (resolved.HiddenSize == 0) resolved.HiddenSize = automatic;
        return resolved;
    }

    /// <summary>The default <see cref="CharNgramLength"/>: character 2- to 4-grams (chosen on the whole text suite).</summary>
    internal const int DefaultCharNgramLength = 4;

    /// <summary>The character n-gram length a model trained on <paramref name="textInput"/> uses: 0 without text input or a wide path.</summary>
    internal int ResolvedCharNgramLength(bool textInput) => textInput && NgramLength > 0 ? CharNgramLength : 0;

    /// <summary>The automatic n-gram table's largest row count, and its bound on rows × classes (2^22 floats: 16 MB of weights).</summary>
    internal const int MaxAutomaticNgramBuckets = 1 << 18, MaxAutomaticNgramCells = 1 << 22;

    /// <summary>The wide path's table rows for <paramref name="classes"/> classes: 0 without a wide path, the explicit value, or the automatic bound.</summary>
    internal int ResolvedNgramBuckets(int classes) =>
        NgramLength == 0 ? 0
        : NgramBuckets > 0 ? NgramBuckets
        : Math.Min(MaxAutomaticNgramBuckets, (int)Math.Max(1, (long)MaxAutomaticNgramCells / Math.Max(2, classes)));

    /// <summary>A copy of the options (the validation set, progress sink and token are references, shared).</summary>
    public LstmOptions Clone() => (LstmOptions)Copy();
}

/// <summary>Options of the LSTM text classifiers of the catalog (<c>ml.BinaryClassification.Trainers.LstmText</c>, <c>ml.MulticlassClassification.Trainers.LstmText</c>).</summary>
/// <remarks>
/// <see cref="LstmOptions.EmbeddingSize"/> and <see cref="LstmTrainingOptions.HiddenSize"/> default to 0 = automatic:
/// 128 when the training split has at least 2,000 rows or the label at least 20 classes, else 64 (logged, and shown on the
/// trained model's Options). Set either to a positive value to fix it.
/// </remarks>
public sealed class LstmTextClassifierOptions : LstmOptions
{
}
