using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Training;

namespace Lstm.MLNet.Text;

/// <summary>
/// A text classifier outside ML.NET: the network with its vocabulary (the tokenizer learned at Fit; null when the input
/// is token ids from upstream) and the length rule. Training prepares its rows with <see cref="Prepare(string?)"/> or
/// <see cref="Prepare(int[])"/>, prediction goes through the same methods (in a <see cref="Predictor"/>), so a text is
/// read the same way in both: its FIRST <c>MaxSequenceLength</c> tokens, an empty or blank text as padding.
/// </summary>
internal sealed partial class TextClassifierModel
{
    /// <param name="network">The network (trained in place when the model is built for training).</param>
    /// <param name="tokenizer">The learned vocabulary for text input; null for key-typed token ids.</param>
    /// <param name="maxSequenceLength">Tokens read per row (the first ones); 0 = all.</param>
    /// <param name="temperature">The calibration temperature T every prediction divides its logits by (1 = none).</param>
    /// <param name="charNgramLength">Text input with a wide path: the longest character n-gram of each token's sub-word bag (<see cref="CharNgramHasher"/>); 0 = none.</param>
    public TextClassifierModel(SequenceClassifierNetwork network, WordTokenizer? tokenizer, int maxSequenceLength, float temperature = 1f, int charNgramLength = 0)
    {
        if (charNgramLength != 0 && (tokenizer is null || network.Options.NgramBuckets == 0))
            throw new ArgumentException($"Character n-grams (length {charNgramLength}) need text input and a wide path (NgramBuckets > 0).", nameof(charNgramLength));
        CharNgrams = charNgramLength == 0 ? null : new CharNgramHasher(charNgramLength);
        if (!(temperature > 0 && float.IsFinite(temperature)))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "Must be positive and finite.");
        Temperature = temperature;
        Network = network ?? throw new ArgumentNullException(nameof(network));
        ArgumentOutOfRangeException.ThrowIfNegative(maxSequenceLength);
        if (tokenizer is not null && tokenizer.VocabularySize != network.VocabularySize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabularySize} ids; the network's embedding {network.VocabularySize}.", nameof(tokenizer));
        Tokenizer = tokenizer;
        MaxSequenceLength = maxSequenceLength;
    }

    public SequenceClassifierNetwork Network { get; }
    public WordTokenizer? Tokenizer { get; }
    public int MaxSequenceLength { get; }
    public int NumberOfClasses => Network.NumberOfClasses;
    /// <summary>The sub-word bag's n-grams; null when the wide path reads words only.</summary>
    public CharNgramHasher? CharNgrams { get; }
    /// <summary>The longest character n-gram of the sub-word bag; 0 = none.</summary>
    public int CharNgramLength => CharNgrams?.MaxLength ?? 0;
    /// <summary>T: predictions are softmax(z / T) (binary margin (z₁ − z₀) / T); fitted on the validation rows after training.</summary>
    public float Temperature { get; }

    /// <summary>The same model with calibration temperature <paramref name="temperature"/> (the network and vocabulary shared).</summary>
    public TextClassifierModel WithTemperature(float temperature) => new(Network, Tokenizer, MaxSequenceLength, temperature, CharNgramLength);

    /// <summary>
    /// What the network reads for a text: the ids of its first MaxSequenceLength tokens (none for an empty or blank
    /// text) and, with <see cref="CharNgrams"/>, the hashes of those tokens' character n-grams.
    /// </summary>
    public ClassifierInput Prepare(string? text)
    {
        if (Tokenizer is null) throw new InvalidOperationException("This model reads key-typed token ids, not text.");
        var tokens = Tokenizer.Encode(text, MaxSequenceLength, CharNgrams, out var subwords);
        return new ClassifierInput(tokens, subwords);
    }

    /// <summary>What the network reads for token ids from upstream: the first MaxSequenceLength.</summary>
    public ClassifierInput Prepare(int[] tokenIds) => ClassifierInput.FromTokens(SequenceDataPreparation.Truncate(tokenIds, MaxSequenceLength));

    /// <summary>
    /// <see cref="Prepare(string?)"/> into <paramref name="ids"/> and <paramref name="subwords"/> (each cleared first),
    /// allocating nothing once they have grown: the serving path.
    /// </summary>
    public void PrepareInto(ReadOnlySpan<char> text, List<int> ids, List<int> subwords)
    {
        if (Tokenizer is null) throw new InvalidOperationException("This model reads key-typed token ids, not text.");
        Tokenizer.EncodeInto(text, MaxSequenceLength, ids, CharNgrams, subwords);
    }

    /// <summary>One thread's predictor: a view of the shared weights and its own buffers.</summary>
    public Predictor CreatePredictor() => new(this);

    /// <summary>Logits and class probabilities of one prepared token sequence at a time; one per thread.</summary>
    public sealed class Predictor
    {
        private readonly SequenceClassifierNetwork _view;
        private readonly float _inverseTemperature;

        internal Predictor(TextClassifierModel model)
        {
            _view = model.Network.CreateInferenceView();
            _inverseTemperature = 1f / model.Temperature;
            Logits = new float[model.NumberOfClasses];
            Probabilities = new float[model.NumberOfClasses];
        }

        /// <summary>[C] the last prediction's logits, divided by the model's temperature.</summary>
        public float[] Logits { get; }
        /// <summary>[C] the last prediction's class probabilities (softmax of the logits).</summary>
        public float[] Probabilities { get; }

        /// <summary>Predicts one prepared sequence (no tokens: read as padding) into <see cref="Logits"/> and <see cref="Probabilities"/>.</summary>
        public void Predict(ClassifierInput input) => Predict(input.Tokens, input.Subwords);

        /// <summary><see cref="Predict(ClassifierInput)"/> over spans (the serving path: allocates nothing).</summary>
        public void Predict(ReadOnlySpan<int> tokens, ReadOnlySpan<int> subwords)
        {
            _view.PredictSingleLogits(tokens, subwords, Logits);
            Calibrate(Logits, Probabilities);
        }

        private float[] _batchLogits = [], _batchProbabilities = [];

        /// <summary>
        /// Predicts a batch of prepared sequences and their sub-word hashes (empty, or one array per sequence) at once (the
        /// batched path: one packed ragged batch, so no work on padding); <see cref="Select"/> then puts row i's outputs in
        /// <see cref="Logits"/> and <see cref="Probabilities"/>, bit-identical to what <see cref="Predict(ClassifierInput)"/> gives for that row.
        /// </summary>
        public void PredictBatch(ReadOnlySpan<int[]> tokens, ReadOnlySpan<int[]> subwords)
        {
            int C = Logits.Length;
            var logits = NetworkSupport.Grow(ref _batchLogits, tokens.Length * C);
            var probabilities = NetworkSupport.Grow(ref _batchProbabilities, tokens.Length * C);
            _view.PredictLogits(tokens, subwords, logits);
            for (int i = 0; i < tokens.Length; i++) Calibrate(logits.Slice(i * C, C), probabilities.Slice(i * C, C));
        }

        /// <summary>Row <paramref name="row"/> of the last <see cref="PredictBatch"/> into <see cref="Logits"/> and <see cref="Probabilities"/>.</summary>
        public void Select(int row)
        {
            int C = Logits.Length;
            _batchLogits.AsSpan(row * C, C).CopyTo(Logits);
            _batchProbabilities.AsSpan(row * C, C).CopyTo(Probabilities);
        }

        /// <summary>logits ← logits / T in place; probabilities = softmax(logits).</summary>
        private void Calibrate(Span<float> logits, Span<float> probabilities)
        {
            if (_inverseTemperature != 1f)
                for (int c = 0; c < logits.Length; c++) logits[c] *= _inverseTemperature;
            SoftmaxCrossEntropy.Forward(logits, logits.Length, default, probabilities);
        }
    }
}
