using Lstm.MLNet.Compute;
using Lstm.MLNet.Model.Training;

namespace Lstm.MLNet.Model;

/// <summary>
/// A sequence classifier: token embedding [V × E] → stacked, optionally bidirectional LSTM → pooling over
/// each sequence's real steps (<see cref="SequencePoolingKind"/>) → dropout → dense [D·H → C] → softmax
/// cross-entropy. Classes are always C ≥ 2 softmax outputs (a binary task is C = 2), so one loss and one
/// probability layout serve every task.
/// <para>Batches are ragged: the tokens are packed (<see cref="SequenceBatch"/>) so no work is spent on
/// padding. Token ids are in [0, V); an empty sequence is read as the single token 0, so reserve id 0 for
/// unknown/padding.</para>
/// <para>Training is reproducible: equal <see cref="SequenceClassifierOptions.Seed"/> and batches give
/// bit-identical losses and weights, whatever the thread count. Workspaces are kept between calls, so an
/// instance is not thread-safe: for inference from several threads, give each thread an
/// <see cref="CreateInferenceView"/> (it shares the weights, so it costs only its workspaces).</para>
/// </summary>
public sealed class SequenceClassifierNetwork : ISequenceTrainable<int[], int>
{
    /// <summary>Inference runs in chunks of this many sequences, bounding the workspaces whatever the caller passes.</summary>
    private const int InferenceBatchSize = 256;

    private readonly Embedding _embedding;
    private readonly LstmStack _lstm;
    private readonly Dropout _dropout;
    private readonly Dropout _embeddingDropout;
    private readonly Dropout _recurrentDropout;
    private readonly Dense _classifier;
    private readonly Optimizer? _optimizer;  // null for an inference view
    private ComputeContext _context;

    // Workspaces, grown on demand and reused (N packed rows, B sequences, W = D·H, C classes).
    private int[] _lengths = [];
    private int[] _packedIds = [];        // [N]
    private float[] _embedded = [];       // [N × E]
    private float[] _dEmbedded = [];      // [N × E]
    private float[] _dOutput = [];        // [N × W]
    private float[] _droppedOutput = [];  // [N × W], the LSTM output after recurrent dropout (training only)
    private float[] _pooled = [];         // [B × W], after dropout
    private float[] _dPooled = [];        // [B × W]
    private int[] _argmax = [];           // [B × W] (max pooling)
    private float[] _logits = [];         // [B × C]
    private float[] _probabilities = [];  // [B × C]
    private float[] _dLogits = [];        // [B × C]

    public SequenceClassifierNetwork(int vocabularySize, int numberOfClasses, SequenceClassifierOptions? options = null)
    {
        if (vocabularySize < 1) throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize, "The vocabulary needs at least one token.");
        if (numberOfClasses < 2) throw new ArgumentOutOfRangeException(nameof(numberOfClasses), numberOfClasses, "A classifier needs at least 2 classes (binary = 2).");
        Options = options ?? new SequenceClassifierOptions();
        Options.Validate();
        VocabularySize = vocabularySize;
        NumberOfClasses = numberOfClasses;
        _context = new ComputeContext(SimdSupport.Default, Options.NumberOfThreads);

        var shape = new LstmShape(Options.EmbeddingSize, Options.HiddenSize, Options.NumberOfLayers, Options.Bidirectional);
        _embedding = new Embedding(vocabularySize, Options.EmbeddingSize);
        _lstm = new LstmStack(shape, _context, Options.Seed);
        if (Options.NumberOfLayers > 1) _lstm.InterLayerDropout = Options.Dropout;
        _classifier = new Dense(shape.OutputSize, numberOfClasses);
        // Distinct seeds per consumer: the LSTM's dropout stream, the head's, and initialisation never share draws.
        _dropout = new Dropout(Options.Dropout, unchecked(Options.Seed * 31 + 17));
        _embeddingDropout = new Dropout(Options.EmbeddingDropout, unchecked(Options.Seed * 31 + 19));
        _recurrentDropout = new Dropout(Options.RecurrentDropout, unchecked(Options.Seed * 31 + 23));

        var random = new Random(Options.Seed);
        _embedding.InitializeNormal(random);
        _lstm.Parameters.InitializeUniform(unchecked(Options.Seed + 1));
        _classifier.InitializeUniform(random);

        _optimizer = Options.Optimizer == OptimizerKind.Adam
            ? new AdamOptimizer(Options.LearningRate, weightDecay: Options.WeightDecay, context: _context)
            : new SgdMomentumOptimizer(Options.LearningRate, Options.Momentum, weightDecay: Options.WeightDecay, context: _context);
        _optimizer.Add(_embedding.Weight, _embedding.Gradient);
        foreach (var (parameter, gradient) in _lstm.Parameters.Tensors().Zip(_lstm.Gradients.Tensors()))
            _optimizer.Add(parameter, gradient);
        _optimizer.Add(_classifier.Weight, _classifier.WeightGradient);
        _optimizer.Add(_classifier.Bias, _classifier.BiasGradient);
    }

    /// <summary>An inference view of <paramref name="source"/>: the same weight arrays, its own workspaces, one thread, no optimizer.</summary>
    private SequenceClassifierNetwork(SequenceClassifierNetwork source)
    {
        Options = source.Options;
        VocabularySize = source.VocabularySize;
        NumberOfClasses = source.NumberOfClasses;
        // One thread: a view serves one row or a small batch at a time, and callers parallelise across views.
        _context = source._context.WithThreads(1);
        _embedding = new Embedding(source.VocabularySize, Options.EmbeddingSize, source._embedding.Weight);
        _lstm = new LstmStack(source._lstm.Shape, source._lstm.Parameters, _context);
        _classifier = new Dense(source._classifier.Inputs, source._classifier.Outputs, source._classifier.Weight, source._classifier.Bias);
        _dropout = new Dropout(0f, 0);
        _embeddingDropout = new Dropout(0f, 0);
        _recurrentDropout = new Dropout(0f, 0);
    }

    /// <summary>
    /// A network for inference only that shares this network's weight arrays (nothing is copied) and has its
    /// own workspaces: one per thread makes concurrent prediction safe. It sees later changes to the weights;
    /// <see cref="TrainBatch"/> on it throws.
    /// </summary>
    public SequenceClassifierNetwork CreateInferenceView() => new(this);

    /// <summary>True for a network made by <see cref="CreateInferenceView"/>.</summary>
    public bool IsInferenceView => _optimizer is null;

    public SequenceClassifierOptions Options { get; }
    public int VocabularySize { get; }
    public int NumberOfClasses { get; }

    /// <summary>Where the compute runs (SIMD path, threads): built from the options, replaceable (results are thread-count independent).</summary>
    public ComputeContext Context
    {
        get => _context;
        set
        {
            _context = value ?? throw new ArgumentNullException(nameof(value));
            _lstm.Context = value;
            if (_optimizer is not null) _optimizer.Context = value;
        }
    }

    /// <summary>Optimizer steps taken.</summary>
    public long StepCount => _optimizer?.StepCount ?? 0;

    /// <summary>Global gradient norm of the last <see cref="TrainBatch"/>, before clipping.</summary>
    public float LastGradientNorm { get; private set; }

    /// <summary>
    /// One training step on a batch: forward, mean cross-entropy, backward, gradient clipping, optimizer
    /// update (the embedding: only the rows of the batch's tokens). Returns the batch's mean loss. If the
    /// gradient is not finite the update is skipped, so one bad batch cannot destroy the weights.
    /// </summary>
    public float TrainBatch(ReadOnlySpan<int[]> sequences, ReadOnlySpan<int> labels)
    {
        var optimizer = _optimizer ?? throw new InvalidOperationException("This network is an inference view (CreateInferenceView): it shares weights and cannot train.");
        if (labels.Length != sequences.Length)
            throw new ArgumentException($"{sequences.Length} sequences but {labels.Length} labels.", nameof(labels));
        for (int b = 0; b < labels.Length; b++)
            if ((uint)labels[b] >= (uint)NumberOfClasses)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[b], $"Label {b} must be in [0, {NumberOfClasses}).");

        optimizer.ZeroGradients();
        var batch = Forward(sequences, training: true);
        int n = batch.TotalSteps, B = batch.BatchSize, C = NumberOfClasses, E = Options.EmbeddingSize, W = _lstm.Shape.OutputSize;
        var probabilities = Grow(ref _probabilities, B * C);
        float loss = SoftmaxCrossEntropy.Forward(_logits.AsSpan(0, B * C), C, labels, probabilities);

        // Backward, layer by layer in reverse.
        var dLogits = Grow(ref _dLogits, B * C);
        SoftmaxCrossEntropy.Backward(probabilities, C, labels, dLogits);
        var dPooled = Grow(ref _dPooled, B * W);
        _classifier.Backward(_context, B, _pooled.AsSpan(0, B * W), dLogits, dPooled);
        _dropout.Backward(dPooled, _context.Path);
        var dOutput = Grow(ref _dOutput, n * W);
        SequencePooling.Backward(Options.Pooling, batch, dPooled, W, _lstm.Shape.Directions, _argmax, dOutput, _context.Path);
        _recurrentDropout.Backward(dOutput, _context.Path);
        var dEmbedded = Grow(ref _dEmbedded, n * E);
        _lstm.Backward(dOutput, default, default, dEmbedded, default, default);
        _embeddingDropout.Backward(dEmbedded, _context.Path);
        _embedding.Backward(_packedIds.AsSpan(0, n), dEmbedded);

        LastGradientNorm = Options.GradientClipNorm > 0 ? optimizer.ClipGradientNorm(Options.GradientClipNorm) : optimizer.GradientNorm();
        if (float.IsFinite(LastGradientNorm)) optimizer.Step();
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
        if (probabilities.Length < sequences.Length * C)
            throw new ArgumentException($"{sequences.Length} sequences × {C} classes need {sequences.Length * C} floats; got {probabilities.Length}.", nameof(probabilities));
        for (int start = 0; start < sequences.Length; start += InferenceBatchSize)
        {
            var chunk = sequences.Slice(start, Math.Min(InferenceBatchSize, sequences.Length - start));
            Forward(chunk, training: false);
            SoftmaxCrossEntropy.Forward(_logits.AsSpan(0, chunk.Length * C), C, default, probabilities.Slice(start * C, chunk.Length * C));
        }
    }

    /// <summary>Writes the logits [B × C] (softmax inputs) into <paramref name="logits"/> (inference: no dropout).</summary>
    public void PredictLogits(ReadOnlySpan<int[]> sequences, Span<float> logits)
    {
        int C = NumberOfClasses;
        if (logits.Length < sequences.Length * C)
            throw new ArgumentException($"{sequences.Length} sequences × {C} classes need {sequences.Length * C} floats; got {logits.Length}.", nameof(logits));
        for (int start = 0; start < sequences.Length; start += InferenceBatchSize)
        {
            var chunk = sequences.Slice(start, Math.Min(InferenceBatchSize, sequences.Length - start));
            Forward(chunk, training: false);
            _logits.AsSpan(0, chunk.Length * C).CopyTo(logits.Slice(start * C, chunk.Length * C));
        }
    }

    /// <summary>
    /// Inference over a batch with known labels: the summed cross-entropy and the number of sequences whose
    /// most probable class (the first on ties) is the label. No dropout, no update.
    /// </summary>
    public SequenceEvaluation Evaluate(ReadOnlySpan<int[]> sequences, ReadOnlySpan<int> labels)
    {
        if (labels.Length != sequences.Length)
            throw new ArgumentException($"{sequences.Length} sequences but {labels.Length} labels.", nameof(labels));
        int C = NumberOfClasses;
        double lossSum = 0, correct = 0;
        for (int start = 0; start < sequences.Length; start += InferenceBatchSize)
        {
            int count = Math.Min(InferenceBatchSize, sequences.Length - start);
            Forward(sequences.Slice(start, count), training: false);
            var probabilities = Grow(ref _probabilities, count * C);
            var chunkLabels = labels.Slice(start, count);
            lossSum += (double)SoftmaxCrossEntropy.Forward(_logits.AsSpan(0, count * C), C, chunkLabels, probabilities) * count;
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

    /// <summary>A copy of every parameter tensor, in <see cref="NamedParameters"/>'s order.</summary>
    public float[][] CaptureParameters() => NamedParameters().Select(t => (float[])t.Values.Clone()).ToArray();

    /// <summary>Copies a <see cref="CaptureParameters"/> snapshot back into the live parameters (inference views see it too).</summary>
    public void RestoreParameters(IReadOnlyList<float[]> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var targets = NamedParameters().ToArray();
        if (snapshot.Count != targets.Length)
            throw new ArgumentException($"The snapshot has {snapshot.Count} tensors; this network has {targets.Length}.", nameof(snapshot));
        for (int i = 0; i < targets.Length; i++)
        {
            if (snapshot[i].Length != targets[i].Values.Length)
                throw new ArgumentException($"Snapshot tensor {i} ('{targets[i].Name}') has {snapshot[i].Length} values; expected {targets[i].Values.Length}.", nameof(snapshot));
            snapshot[i].CopyTo(targets[i].Values, 0);
        }
    }

    /// <summary>
    /// Every parameter tensor with a PyTorch-style name, in a fixed order: <c>embedding.weight</c> [V × E],
    /// <c>lstm.weight_ih_l0</c> … (as <c>nn.LSTM</c>), <c>classifier.weight</c> [C × D·H], <c>classifier.bias</c> [C].
    /// The arrays are the live parameters (row-major).
    /// </summary>
    public IEnumerable<(string Name, float[] Values)> NamedParameters()
    {
        yield return ("embedding.weight", _embedding.Weight);
        foreach (var (name, values) in _lstm.Parameters.Named()) yield return ("lstm." + name, values);
        yield return ("classifier.weight", _classifier.Weight);
        yield return ("classifier.bias", _classifier.Bias);
    }

    /// <summary>
    /// Copies saved tensors into the parameters. Every name of <see cref="NamedParameters"/> must appear
    /// exactly once with the same length (the network must be built with the same sizes and options).
    /// Optimizer state is not part of the parameters: training after a load starts fresh moments.
    /// </summary>
    public void LoadParameters(IEnumerable<(string Name, float[] Values)> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var targets = NamedParameters().ToDictionary(t => t.Name, t => t.Values);
        var loaded = new HashSet<string>();
        foreach (var (name, values) in tensors)
        {
            if (!targets.TryGetValue(name, out var target))
                throw new ArgumentException($"Unknown tensor '{name}'; expected: {string.Join(", ", targets.Keys)}.", nameof(tensors));
            if (values.Length != target.Length)
                throw new ArgumentException($"Tensor '{name}' has {values.Length} values; this network's has {target.Length}.", nameof(tensors));
            if (!loaded.Add(name))
                throw new ArgumentException($"Tensor '{name}' appears twice.", nameof(tensors));
            values.CopyTo(target, 0);
        }
        var missing = targets.Keys.Where(k => !loaded.Contains(k)).ToArray();
        if (missing.Length > 0)
            throw new ArgumentException($"Missing tensors: {string.Join(", ", missing)}.", nameof(tensors));
    }

    /// <summary>Forward to the logits (in <see cref="_logits"/> [B × C]); keeps what backward needs.</summary>
    private SequenceBatch Forward(ReadOnlySpan<int[]> sequences, bool training)
    {
        if (sequences.Length == 0) throw new ArgumentException("A batch needs at least one sequence.", nameof(sequences));
        int B = sequences.Length, E = Options.EmbeddingSize, W = _lstm.Shape.OutputSize, C = NumberOfClasses;
        var lengths = Grow(ref _lengths, B);
        for (int b = 0; b < B; b++)
        {
            ArgumentNullException.ThrowIfNull(sequences[b], nameof(sequences));
            lengths[b] = Math.Max(1, sequences[b].Length);
        }
        var batch = SequenceBatch.FromLengths(lengths);

        // Token ids in packed order: row StepOffsets[t] + r holds step t of sorted sequence r.
        int n = batch.TotalSteps;
        var ids = Grow(ref _packedIds, n);
        for (int t = 0; t < batch.MaxLength; t++)
            for (int r = 0; r < batch.StepBatchSizes[t]; r++)
            {
                int[] tokens = sequences[batch.SortedToOriginal[r]];
                ids[batch.StepOffsets[t] + r] = tokens.Length == 0 ? 0 : tokens[t];
            }

        var embedded = Grow(ref _embedded, n * E);
        _embedding.Forward(ids, embedded);
        if (training) _embeddingDropout.Forward(embedded, _context.Path);
        var output = _lstm.Forward(batch, embedded, default, default, default, default, training);
        if (training && Options.RecurrentDropout > 0f)
        {
            var dropped = Grow(ref _droppedOutput, n * W);
            output.CopyTo(dropped);
            _recurrentDropout.Forward(dropped, _context.Path);
            output = dropped;
        }

        var pooled = Grow(ref _pooled, B * W);
        var argmax = Options.Pooling == SequencePoolingKind.Max ? Grow(ref _argmax, B * W) : default;
        SequencePooling.Forward(Options.Pooling, batch, output, W, _lstm.Shape.Directions, pooled, argmax, _context.Path);
        if (training) _dropout.Forward(pooled, _context.Path);
        _classifier.Forward(_context, B, pooled, Grow(ref _logits, B * C));
        return batch;
    }

    /// <summary>The first <paramref name="length"/> elements of <paramref name="buffer"/>, reallocated (with headroom) when too small.</summary>
    private static Span<T> Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new T[length + length / 4];
        return buffer.AsSpan(0, length);
    }
}
