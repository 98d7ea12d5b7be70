using Lstm.MLNet.Compute;
using Lstm.MLNet.Model.Training;

namespace Lstm.MLNet.Model;

/// <summary>
/// A sequence classifier: token embedding [V × E] (embedding dropout) → stacked, optionally bidirectional LSTM →
/// pooling over each sequence's real steps (<see cref="LstmPooling"/>) → dropout → dense [D·H → C] →
/// softmax cross-entropy. Classes are always C ≥ 2 softmax outputs (a binary task is C = 2), so one loss and one
/// probability layout serve every task.
/// <para>Batches are ragged: the tokens are packed (<see cref="SequenceBatch"/>) so no work is spent on
/// padding. Token ids are in [0, V); an empty sequence is read as the single token 0, so reserve id 0 for
/// unknown/padding.</para>
/// <para>Training is reproducible: equal <see cref="SequenceNetworkOptions.Seed"/> and batches give
/// bit-identical losses and weights, whatever the thread count. Workspaces are kept between calls, so an
/// instance is not thread-safe: for inference from several threads, give each thread an
/// <see cref="CreateInferenceView"/> (it shares the weights, so it costs only its workspaces).</para>
/// </summary>
internal sealed partial class SequenceClassifierNetwork : ISequenceTrainable<int[], int>, ISequenceTrainable<ClassifierInput, int>, ILearningRateAdjustable
{
    /// <summary>Inference runs in chunks of this many sequences, bounding the workspaces whatever the caller passes.</summary>
    private const int InferenceBatchSize = 256;

    private readonly Embedding _embedding;
    private readonly Dropout _embeddingDropout;
    private readonly PooledLstmHead _head;
    private readonly NgramLinear? _wide;    // null when Options.NgramBuckets is 0
    private float[] _logits = [];         // [B × C]: the head's logits plus the wide path's
    private readonly Optimizer? _optimizer;  // null for an inference view
    private readonly SingleSequenceCache _singleSequence; // shared with the views: batch-1 weights of the current version
    private SingleSequenceRunner? _runner;
    private TokenTableProjection? _tableProjection;
    private ComputeContext _context;

    // Workspaces, grown on demand and reused (N packed rows, B sequences, C classes).
    private int[] _lengths = [];
    private int[] _packedIds = [];        // [N]
    private float[] _embedded = [];       // [N × E]
    private float[] _dEmbedded = [];      // [N × E]
    private float[] _probabilities = [];  // [B × C]
    private float[] _dLogits = [];        // [B × C]
    private int[][] _batchTokens = [];    // [B]: a ClassifierInput batch split for the int[] paths
    private int[][] _batchSubwords = [];  // [B]

    public SequenceClassifierNetwork(int vocabularySize, int numberOfClasses, SequenceClassifierOptions? options = null)
    {
        if (vocabularySize < 1) throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize, "The vocabulary needs at least one token.");
        if (numberOfClasses < 2 || numberOfClasses > ModelLimits.MaxOutputs)
            throw new ArgumentOutOfRangeException(nameof(numberOfClasses), numberOfClasses, $"A classifier needs 2 (binary) to {ModelLimits.MaxOutputs:N0} classes.");
        Options = options ?? new SequenceClassifierOptions();
        Options.Validate();
        // With the real vocabulary and classes, before anything is allocated: the table [V × E] is the largest tensor.
        long table = (long)vocabularySize * Options.EmbeddingSize, ngramTable = (long)Options.NgramBuckets * numberOfClasses;
        Options.CheckSize(Options.EmbeddingSize, numberOfClasses, extraParameters: table + ngramTable, largestExtraTensor: Math.Max(table, ngramTable));
        VocabularySize = vocabularySize;
        NumberOfClasses = numberOfClasses;
        _context = ComputeContext.Default.WithThreads(Options.NumberOfThreads);

        var shape = new LstmShape(Options.EmbeddingSize, Options.HiddenSize, Options.NumberOfLayers, Options.Bidirectional);
        _embedding = new Embedding(vocabularySize, Options.EmbeddingSize, _context);
        _head = new PooledLstmHead(shape, numberOfClasses, Options, _context, denseName: "classifier");
        _embeddingDropout = new Dropout(Options.EmbeddingDropout, unchecked(Options.Seed * 31 + 19));

        var random = new Random(Options.Seed);
        _embedding.InitializeNormal(random);
        _head.Lstm.Parameters.InitializeUniform(unchecked(Options.Seed + 1));
        _head.Dense.InitializeUniform(random);

        if (Options.NgramBuckets > 0) _wide = new NgramLinear(Options.NgramBuckets, Options.NgramLength, numberOfClasses, _context);
        _singleSequence = new SingleSequenceCache();
        _optimizer = NetworkSupport.CreateOptimizer(Options, _context);
        _optimizer.Add(_embedding.Weight, _embedding.Gradient);
        _head.RegisterWith(_optimizer);
        if (_wide is not null) _optimizer.Add(_wide.Weight, _wide.Gradient);
    }

    /// <summary>An inference view of <paramref name="source"/>: the same weight arrays, its own workspaces, one thread, no optimizer.</summary>
    private SequenceClassifierNetwork(SequenceClassifierNetwork source)
    {
        Options = source.Options;
        VocabularySize = source.VocabularySize;
        NumberOfClasses = source.NumberOfClasses;
        // One thread: a view serves one row or a small batch at a time, and callers parallelise across views.
        _context = source._context.WithThreads(1);
        _embedding = new Embedding(source.VocabularySize, Options.EmbeddingSize, source._embedding.Weight, _context);
        _embeddingDropout = new Dropout(0f, 0);
        _head = new PooledLstmHead(source._head, _context);
        if (source._wide is { } wide) _wide = new NgramLinear(wide.Buckets, wide.MaxNgramLength, NumberOfClasses, wide.Weight, _context);
        _singleSequence = source._singleSequence;
    }

    /// <summary>
    /// A network for inference only that shares this network's weight arrays (nothing is copied) and has its
    /// own workspaces: one per thread makes concurrent prediction safe. It sees later changes to the weights;
    /// <see cref="TrainBatch(System.ReadOnlySpan{int[]}, System.ReadOnlySpan{int})"/> on it throws.
    /// </summary>
    public SequenceClassifierNetwork CreateInferenceView() => new(this);

    /// <summary>True for a network made by <see cref="CreateInferenceView"/>.</summary>
    public bool IsInferenceView => _optimizer is null;

    public SequenceClassifierOptions Options { get; }
    public int VocabularySize { get; }
    /// <summary>The token embedding [V × E] (read by the ONNX export).</summary>
    public Embedding EmbeddingTable => _embedding;
    /// <summary>The LSTM, pooling and dense layer (read by the ONNX export).</summary>
    public PooledLstmHead Head => _head;
    /// <summary>The wide path; null without one (read by the ONNX export).</summary>
    public NgramLinear? Wide => _wide;
    public int NumberOfClasses { get; }

    /// <summary>Where the compute runs (SIMD path, threads): built from the options, replaceable (results are thread-count independent).</summary>
    public ComputeContext Context
    {
        get => _context;
        set
        {
            _context = value ?? throw new ArgumentNullException(nameof(value));
            _head.Context = value;
            _embedding.Gradient.Context = value;
            if (_optimizer is not null) _optimizer.Context = value;
        }
    }

    /// <summary>The optimizer's step size; may change between batches (schedules).</summary>
    public double LearningRate
    {
        get => _optimizer?.LearningRate ?? 0;
        set => (_optimizer ?? throw new InvalidOperationException("This network is an inference view (CreateInferenceView): it has no optimizer.")).LearningRate = value;
    }

    /// <summary>Optimizer steps taken.</summary>
    public long StepCount => _optimizer?.StepCount ?? 0;

    /// <summary>Global gradient norm of the last <see cref="TrainBatch(System.ReadOnlySpan{int[]}, System.ReadOnlySpan{int})"/>, before clipping.</summary>
    public float LastGradientNorm { get; private set; }

    /// <summary>
    /// Starts the embedding rows <paramref name="found"/> marks from <paramref name="vectors"/> [V × E] (pretrained word
    /// vectors); the other rows keep their random start and are learned from scratch. <paramref name="freeze"/>: the
    /// pretrained rows keep their values through training (restored after each step, so no optimizer or weight decay
    /// moves them); otherwise training fine-tunes them.
    /// </summary>
    public void InitializeEmbeddingRows(ReadOnlySpan<float> vectors, ReadOnlySpan<bool> found, bool freeze = false)
    {
        int E = Options.EmbeddingSize;
        if (found.Length > VocabularySize || vectors.Length != found.Length * E)
            throw new ArgumentException($"Pretrained rows: {found.Length} ids × {vectors.Length / Math.Max(1, found.Length)} values; the embedding has {VocabularySize} × {E}.", nameof(vectors));
        for (int id = 0; id < found.Length; id++)
            if (found[id]) vectors.Slice(id * E, E).CopyTo(_embedding.Weight.AsSpan(id * E, E));
        if (freeze) { _frozenRows = found.ToArray(); _frozenValues = vectors.ToArray(); }
        _singleSequence.Invalidate();
    }

    private bool[]? _frozenRows;      // [ids] pretrained rows training must not move (null: none)
    private float[]? _frozenValues;   // [ids × E] their values

    /// <summary>Puts back the frozen pretrained rows this step's update touched (the sparse gradient's rows).</summary>
    private void RestoreFrozenRows()
    {
        if (_frozenRows is not { } frozen) return;
        int E = Options.EmbeddingSize;
        foreach (int row in _embedding.Gradient.Rows)
            if (row < frozen.Length && frozen[row]) _frozenValues.AsSpan(row * E, E).CopyTo(_embedding.Weight.AsSpan(row * E, E));
    }

    /// <summary>
    /// One training step on a batch: forward, mean cross-entropy, backward, gradient clipping, optimizer
    /// update (the embedding: only the rows of the batch's tokens). Returns the batch's mean loss. If the
    /// gradient is not finite the update is skipped, so one bad batch cannot destroy the weights.
    /// </summary>
    public float TrainBatch(ReadOnlySpan<int[]> sequences, ReadOnlySpan<int> labels) => TrainBatch(sequences, default, labels);

    /// <summary>
    /// <see cref="TrainBatch(ReadOnlySpan{int[]}, ReadOnlySpan{int})"/> with each sequence's sub-word hashes for the wide path
    /// (<paramref name="subwords"/>: empty, or one array per sequence; ignored without a wide path).
    /// </summary>
    public float TrainBatch(ReadOnlySpan<int[]> sequences, ReadOnlySpan<int[]> subwords, ReadOnlySpan<int> labels)
    {
        var optimizer = _optimizer ?? throw new InvalidOperationException("This network is an inference view (CreateInferenceView): it shares weights and cannot train.");
        if (labels.Length != sequences.Length)
            throw new ArgumentException($"{sequences.Length} sequences but {labels.Length} labels.", nameof(labels));
        for (int b = 0; b < labels.Length; b++)
            if ((uint)labels[b] >= (uint)NumberOfClasses)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[b], $"Label {b} must be in [0, {NumberOfClasses}).");

        optimizer.ZeroGradients();
        var batch = Forward(sequences, subwords, training: true, out var logits);
        int n = batch.TotalSteps, B = batch.BatchSize, C = NumberOfClasses, E = Options.EmbeddingSize;
        var probabilities = NetworkSupport.Grow(ref _probabilities, B * C);
        float loss = SoftmaxCrossEntropy.Forward(logits, C, labels, probabilities);

        var dLogits = NetworkSupport.Grow(ref _dLogits, B * C);
        SoftmaxCrossEntropy.Backward(probabilities, C, labels, dLogits);
        var dEmbedded = NetworkSupport.Grow(ref _dEmbedded, n * E);
        _wide?.Backward(dLogits);
        _head.Backward(dLogits, dEmbedded);
        _embeddingDropout.Backward(dEmbedded, _context.Path);
        _embedding.Backward(_packedIds.AsSpan(0, n), dEmbedded);

        LastGradientNorm = NetworkSupport.ClipAndStep(optimizer, Options);
        RestoreFrozenRows();
        _singleSequence.Invalidate();
        return loss;
    }

    /// <summary>Class probabilities [B × C] (row b: sequence b, in the caller's order).</summary>
    public float[] PredictProbabilities(ReadOnlySpan<int[]> sequences)
    {
        var probabilities = new float[sequences.Length * NumberOfClasses];
        PredictProbabilities(sequences, probabilities);
        return probabilities;
    }

    /// <summary>Writes class probabilities [B × C] into <paramref name="probabilities"/> (inference: no dropout).</summary>
    public void PredictProbabilities(ReadOnlySpan<int[]> sequences, Span<float> probabilities)
    {
        int C = NumberOfClasses;
        CheckOutputLength(sequences.Length, probabilities.Length, nameof(probabilities));
        for (int start = 0; start < sequences.Length; start += InferenceBatchSize)
        {
            var chunk = sequences.Slice(start, Math.Min(InferenceBatchSize, sequences.Length - start));
            Forward(chunk, default, training: false, out var logits);
            SoftmaxCrossEntropy.Forward(logits, C, default, probabilities.Slice(start * C, chunk.Length * C));
        }
    }

    /// <summary>Writes the logits [B × C] (softmax inputs) into <paramref name="logits"/> (inference: no dropout).</summary>
    public void PredictLogits(ReadOnlySpan<int[]> sequences, Span<float> logits) => PredictLogits(sequences, default, logits);

    /// <summary>Writes the logits [B × C] of sequences with their sub-word hashes (<paramref name="subwords"/>: empty, or one array per sequence).</summary>
    public void PredictLogits(ReadOnlySpan<int[]> sequences, ReadOnlySpan<int[]> subwords, Span<float> logits)
    {
        int C = NumberOfClasses;
        CheckOutputLength(sequences.Length, logits.Length, nameof(logits));
        for (int start = 0; start < sequences.Length; start += InferenceBatchSize)
        {
            int count = Math.Min(InferenceBatchSize, sequences.Length - start);
            Forward(sequences.Slice(start, count), subwords.IsEmpty ? default : subwords.Slice(start, count), training: false, out var chunkLogits);
            chunkLogits.CopyTo(logits.Slice(start * C, count * C));
        }
    }

    private void CheckOutputLength(int sequences, int length, string name)
    {
        if (length < sequences * NumberOfClasses)
            throw new ArgumentException($"{sequences} sequences × {NumberOfClasses} classes need {sequences * NumberOfClasses} floats; got {length}.", name);
    }

    /// <summary>
    /// Inference over a batch with known labels: the summed cross-entropy and the number of sequences whose
    /// most probable class (the first on ties) is the label. No dropout, no update.
    /// </summary>
    public SequenceEvaluation Evaluate(ReadOnlySpan<int[]> sequences, ReadOnlySpan<int> labels) => Evaluate(sequences, default, labels);

    /// <summary><see cref="Evaluate(ReadOnlySpan{int[]}, ReadOnlySpan{int})"/> with sub-word hashes (empty, or one array per sequence).</summary>
    public SequenceEvaluation Evaluate(ReadOnlySpan<int[]> sequences, ReadOnlySpan<int[]> subwords, ReadOnlySpan<int> labels)
    {
        if (labels.Length != sequences.Length)
            throw new ArgumentException($"{sequences.Length} sequences but {labels.Length} labels.", nameof(labels));
        int C = NumberOfClasses;
        double lossSum = 0, correct = 0;
        for (int start = 0; start < sequences.Length; start += InferenceBatchSize)
        {
            int count = Math.Min(InferenceBatchSize, sequences.Length - start);
            Forward(sequences.Slice(start, count), subwords.IsEmpty ? default : subwords.Slice(start, count), training: false, out var logits);
            var probabilities = NetworkSupport.Grow(ref _probabilities, count * C);
            var chunkLabels = labels.Slice(start, count);
            lossSum += (double)SoftmaxCrossEntropy.Forward(logits, C, chunkLabels, probabilities) * count;
            for (int b = 0; b < count; b++)
            {
                var p = probabilities.Slice(b * C, C);
                int best = 0;
                for (int c = 1; c < C; c++) if (p[c] > p[best]) best = c;
                if (best == chunkLabels[b]) correct++;
            }
        }
        return new SequenceEvaluation(lossSum, correct);
    }

    int ISequenceTrainable<int[], int>.LengthOf(int[] sequence) => sequence.Length;

    int ISequenceTrainable<ClassifierInput, int>.LengthOf(ClassifierInput sequence) => sequence.Tokens.Length;

    float ISequenceTrainable<ClassifierInput, int>.TrainBatch(ReadOnlySpan<ClassifierInput> sequences, ReadOnlySpan<int> targets)
    {
        int B = Split(sequences);
        return TrainBatch(_batchTokens.AsSpan(0, B), _batchSubwords.AsSpan(0, B), targets);
    }

    SequenceEvaluation ISequenceTrainable<ClassifierInput, int>.Evaluate(ReadOnlySpan<ClassifierInput> sequences, ReadOnlySpan<int> targets)
    {
        int B = Split(sequences);
        return Evaluate(_batchTokens.AsSpan(0, B), _batchSubwords.AsSpan(0, B), targets);
    }

    /// <summary>Puts a batch's tokens and sub-word hashes into _batchTokens and _batchSubwords [B]; returns B.</summary>
    private int Split(ReadOnlySpan<ClassifierInput> sequences)
    {
        int B = sequences.Length;
        var tokens = NetworkSupport.Grow(ref _batchTokens, B);
        var subwords = NetworkSupport.Grow(ref _batchSubwords, B);
        for (int b = 0; b < B; b++) (tokens[b], subwords[b]) = (sequences[b].Tokens, sequences[b].Subwords);
        return B;
    }

    /// <summary>A copy of every parameter tensor, in <see cref="NamedParameters"/>'s order.</summary>
    public float[][] CaptureParameters() => NetworkSupport.CaptureParameters(NamedParameters());

    /// <summary>Copies a <see cref="CaptureParameters"/> snapshot back into the live parameters (inference views see it too).</summary>
    public void RestoreParameters(IReadOnlyList<float[]> snapshot)
    {
        NetworkSupport.RestoreParameters(NamedParameters(), snapshot);
        _singleSequence.Invalidate();
    }

    /// <summary>
    /// Every parameter tensor with a PyTorch-style name, in a fixed order: <c>embedding.weight</c> [V × E],
    /// <c>lstm.weight_ih_l0</c> … (as <c>nn.LSTM</c>), <c>classifier.weight</c> [C × D·H], <c>classifier.bias</c> [C], and with a wide path <c>ngram.weight</c> [Buckets × C].
    /// The arrays are the live parameters (row-major).
    /// </summary>
    public IEnumerable<(string Name, float[] Values)> NamedParameters()
    {
        yield return ("embedding.weight", _embedding.Weight);
        foreach (var tensor in _head.NamedParameters()) yield return tensor;
        if (_wide is not null) yield return ("ngram.weight", _wide.Weight);
    }

    /// <summary>
    /// Copies saved tensors into the parameters. Every name of <see cref="NamedParameters"/> must appear
    /// exactly once with the same length (the network must be built with the same sizes and options).
    /// Optimizer state is not part of the parameters: training after a load starts fresh moments.
    /// </summary>
    public void LoadParameters(IEnumerable<(string Name, float[] Values)> tensors)
    {
        NetworkSupport.LoadNamedParameters(NamedParameters(), tensors);
        _singleSequence.Invalidate();
    }

    /// <summary>
    /// Tells the batch-1 path (<see cref="PredictSingleLogits(ReadOnlySpan{int}, ReadOnlySpan{int}, Span{float})"/>) that the weights changed outside <see cref="TrainBatch(System.ReadOnlySpan{int[]}, System.ReadOnlySpan{int})"/>,
    /// <see cref="RestoreParameters"/> and <see cref="LoadParameters"/> (a write into <see cref="NamedParameters"/>' arrays).
    /// </summary>
    public void InvalidateInferenceCache() => _singleSequence.Invalidate();

    /// <summary>
    /// The logits [C] of one sequence (empty: the single token 0) and its sub-word hashes (empty for none) through the
    /// batch-1 path: the first layer's input projections are per-token rows computed once (<see cref="SingleSequenceWeights"/>),
    /// each step one row product over W_hhᵀ with the cell update and pooling fused; the wide path's bags over the spans.
    /// Bit-identical to <see cref="PredictLogits(ReadOnlySpan{int[]}, ReadOnlySpan{int[]}, Span{float})"/> on the same path,
    /// and allocates nothing.
    /// </summary>
    public void PredictSingleLogits(ReadOnlySpan<int> tokens, ReadOnlySpan<int> subwords, Span<float> logits)
    {
        CheckOutputLength(1, logits.Length, nameof(logits));
        (_runner ??= new SingleSequenceRunner()).Run(SingleSequenceWeights, tokens, Options.Pooling, logits);
        _wide?.ForwardSingle(tokens, subwords, logits);
    }

    /// <summary><see cref="PredictSingleLogits(ReadOnlySpan{int}, ReadOnlySpan{int}, Span{float})"/> without sub-word hashes.</summary>
    public void PredictSingleLogits(ReadOnlySpan<int> tokens, Span<float> logits) => PredictSingleLogits(tokens, default, logits);

    /// <summary>The batch-1 weights the next <see cref="PredictSingleLogits(ReadOnlySpan{int}, ReadOnlySpan{int}, Span{float})"/> uses (tests: whether the token table exists and what it holds).</summary>
    internal SingleSequenceWeights SingleSequenceWeights => _singleSequence.Get(_context.Path, this, static (path, network) =>
        new SingleSequenceWeights(path, network._head.Lstm.Parameters, network._embedding.Weight, network.VocabularySize, network._head.Dense, ModelLimits.MaxTokenTableFloats));

    /// <summary>
    /// Embeddings narrower than this make a batch compute its first layer's projections (one product per step) rather than
    /// fetch table rows: an 8-wide row is a few multiply-adds per gate, cheaper than a 4H-float row from anywhere in a table
    /// of V rows (shape C, E = 8, batch-256 inference: 16,331 against 14,702–15,832 sequences/s from the table). One text
    /// keeps the table (its row is read in place, not copied). The sums are the same either way, so are the bits.
    /// </summary>
    internal const int MinimumTableEmbedding = 16;

    /// <summary>Forward to the logits [B × C] (valid until the next call); the head keeps what backward needs.</summary>
    private SequenceBatch Forward(ReadOnlySpan<int[]> sequences, ReadOnlySpan<int[]> subwords, bool training, out ReadOnlySpan<float> logits)
    {
        if (sequences.Length == 0) throw new ArgumentException("A batch needs at least one sequence.", nameof(sequences));
        int B = sequences.Length, E = Options.EmbeddingSize;
        var lengths = NetworkSupport.Grow(ref _lengths, B);
        for (int b = 0; b < B; b++)
        {
            ArgumentNullException.ThrowIfNull(sequences[b], nameof(sequences));
            lengths[b] = Math.Max(1, sequences[b].Length);
        }
        var batch = SequenceBatch.FromLengths(lengths);

        // Token ids in packed order: row StepOffsets[t] + r holds step t of sorted sequence r.
        int n = batch.TotalSteps;
        var ids = NetworkSupport.Grow(ref _packedIds, n);
        for (int t = 0; t < batch.MaxLength; t++)
            for (int r = 0; r < batch.StepBatchSizes[t]; r++)
            {
                int[] tokens = sequences[batch.SortedToOriginal[r]];
                ids[batch.StepOffsets[t] + r] = tokens.Length == 0 ? 0 : tokens[t];
            }

        var embedded = NetworkSupport.Grow(ref _embedded, n * E);
        _embedding.Forward(ids, embedded);
        if (training) _embeddingDropout.Forward(embedded, _context.Path);
        // An inference view takes the first layer's projections from the token table (the weights are fixed while it serves),
        // unless the embedding is so narrow that computing them is cheaper than fetching the rows.
        if (!training && IsInferenceView && E >= MinimumTableEmbedding && SingleSequenceWeights.Table is not null)
        {
            var projection = _tableProjection ??= new TokenTableProjection(SingleSequenceWeights);
            if (projection.Weights != SingleSequenceWeights) projection = _tableProjection = new TokenTableProjection(SingleSequenceWeights);
            projection.SetTokens(ids);
            _head.Lstm.FirstLayerProjection = projection;
        }
        else _head.Lstm.FirstLayerProjection = null;
        logits = _head.Forward(batch, embedded, training);
        if (_wide is not null)
        {
            var sum = NetworkSupport.Grow(ref _logits, B * NumberOfClasses);
            logits.CopyTo(sum);
            _wide.Forward(sequences, subwords, sum);
            logits = sum;
        }
        return batch;
    }
}
