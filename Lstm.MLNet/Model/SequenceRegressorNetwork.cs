using Lstm.MLNet.Compute;
using Lstm.MLNet.Model.Training;

namespace Lstm.MLNet.Model;

/// <summary>
/// A sequence regressor: float step vectors (F features per step) → stacked, optionally bidirectional
/// LSTM → pooling over each sequence's real steps (by default the last step's hidden state) → dropout →
/// dense [D·H → K] → mean squared error over the K outputs and the batch. K = 1 predicts a scalar;
/// K = horizon predicts a direct multi-step forecast.
/// <para>A sequence is a flat float array of T·F values, step by step (step t holds values
/// [t·F, (t+1)·F)); T may differ between sequences (packed, <see cref="SequenceBatch"/>, so no work is
/// spent on padding). Inputs and targets are used as given: standardise them beforehand
/// (<see cref="TimeSeries.Standardizer"/>), an LSTM learns badly from raw magnitudes.</para>
/// <para>Training is reproducible: equal <see cref="SequenceNetworkOptions.Seed"/> and batches give
/// bit-identical losses and weights, whatever the thread count. Workspaces are kept between calls, so an
/// instance is not thread-safe: for inference from several threads, give each thread an
/// <see cref="CreateInferenceView"/> (it shares the weights).</para>
/// <para>As an <see cref="ISequenceTrainable{TSequence, TTarget}"/> a target is the float[K] of one sequence, and the
/// evaluation's metric is NaN (a regressor has no accuracy; the loss is the mean squared error).</para>
/// </summary>
internal sealed class SequenceRegressorNetwork : ISequenceTrainable<float[], float[]>, ILearningRateAdjustable
{
    /// <summary>Inference runs in chunks of this many sequences, bounding the workspaces whatever the caller passes.</summary>
    private const int InferenceBatchSize = 256;

    private readonly PooledLstmHead _head;
    private readonly Optimizer? _optimizer;  // null for an inference view
    private ComputeContext _context;

    // Workspaces, grown on demand and reused (N packed rows, B sequences, K outputs).
    private int[] _lengths = [];
    private float[] _flatTargets = [];   // [B × K], the per-sequence targets of the ISequenceTrainable calls
    private float[] _packedInput = [];   // [N × F]
    private float[] _dPredictions = [];  // [B × K]

    /// <param name="featuresPerStep">F, the values per time step (1 for a univariate series).</param>
    /// <param name="options">Sizes, training hyperparameters and the seed; <see langword="null"/> for the defaults.</param>
    public SequenceRegressorNetwork(int featuresPerStep, SequenceRegressorOptions? options = null)
    {
        if (featuresPerStep < 1 || featuresPerStep > ModelLimits.MaxFeaturesPerStep)
            throw new ArgumentOutOfRangeException(nameof(featuresPerStep), featuresPerStep, $"A step needs 1 to {ModelLimits.MaxFeaturesPerStep:N0} features.");
        Options = options ?? new SequenceRegressorOptions();
        Options.Validate();
        Options.CheckSize(featuresPerStep, Options.Outputs);
        FeaturesPerStep = featuresPerStep;
        _context = ComputeContext.Default.WithThreads(Options.NumberOfThreads);

        var shape = new LstmShape(featuresPerStep, Options.HiddenSize, Options.NumberOfLayers, Options.Bidirectional);
        _head = new PooledLstmHead(shape, Options.Outputs, Options, _context, denseName: "regressor");
        _head.Lstm.Parameters.InitializeUniform(unchecked(Options.Seed + 1));
        _head.Dense.InitializeUniform(new Random(Options.Seed));

        _optimizer = NetworkSupport.CreateOptimizer(Options, _context);
        _head.RegisterWith(_optimizer);
    }

    /// <summary>An inference view of <paramref name="source"/>: the same weight arrays, its own workspaces, one thread, no optimizer.</summary>
    private SequenceRegressorNetwork(SequenceRegressorNetwork source)
    {
        Options = source.Options;
        FeaturesPerStep = source.FeaturesPerStep;
        _context = source._context.WithThreads(1);
        _head = new PooledLstmHead(source._head, _context);
    }

    /// <summary>
    /// A network for inference only that shares this network's weight arrays (nothing is copied) and has its own
    /// workspaces: one per thread makes concurrent prediction safe. <see cref="TrainBatch(ReadOnlySpan{float[]}, ReadOnlySpan{float})"/> on it throws.
    /// </summary>
    public SequenceRegressorNetwork CreateInferenceView() => new(this);

    /// <summary>True for a network made by <see cref="CreateInferenceView"/>.</summary>
    public bool IsInferenceView => _optimizer is null;

    public SequenceRegressorOptions Options { get; }
    /// <summary>The LSTM, pooling and dense layer (read by the ONNX export).</summary>
    public PooledLstmHead Head => _head;
    /// <summary>F: values per time step.</summary>
    public int FeaturesPerStep { get; }
    /// <summary>K: values predicted per sequence.</summary>
    public int Outputs => Options.Outputs;

    /// <summary>Where the compute runs (SIMD path, threads): built from the options, replaceable (results are thread-count independent).</summary>
    public ComputeContext Context
    {
        get => _context;
        set
        {
            _context = value ?? throw new ArgumentNullException(nameof(value));
            _head.Context = value;
            if (_optimizer is not null) _optimizer.Context = value;
        }
    }

    /// <summary>The optimizer's step size; may change between batches (schedules).</summary>
    public double LearningRate
    {
        get => _optimizer?.LearningRate ?? 0;
        set => (_optimizer ?? throw InferenceOnly()).LearningRate = value;
    }

    /// <summary>Optimizer steps taken.</summary>
    public long StepCount => _optimizer?.StepCount ?? 0;

    /// <summary>Global gradient norm of the last <see cref="TrainBatch"/>, before clipping.</summary>
    public float LastGradientNorm { get; private set; }

    /// <summary>
    /// One training step on a batch: forward, mean squared error, backward, gradient clipping, optimizer
    /// update. <paramref name="targets"/> is [B × K] row-major (row b: sequence b). Returns the batch's
    /// mean squared error. If the gradient is not finite the update is skipped, so one bad batch cannot
    /// destroy the weights.
    /// </summary>
    public float TrainBatch(ReadOnlySpan<float[]> sequences, ReadOnlySpan<float> targets)
    {
        var optimizer = _optimizer ?? throw InferenceOnly();
        int K = Outputs;
        if (targets.Length != sequences.Length * K)
            throw new ArgumentException($"{sequences.Length} sequences × {K} outputs need {sequences.Length * K} targets; got {targets.Length}.", nameof(targets));
        for (int i = 0; i < targets.Length; i++)
            if (!float.IsFinite(targets[i]))
                throw new ArgumentException($"Target of sequence {i / K}, output {i % K} is {targets[i]}; targets must be finite.", nameof(targets));

        optimizer.ZeroGradients();
        var predictions = Forward(sequences, training: true);
        float loss = MeanSquaredError.Forward(predictions, targets);
        var dPredictions = NetworkSupport.Grow(ref _dPredictions, predictions.Length);
        MeanSquaredError.Backward(predictions, targets, dPredictions);
        _head.Backward(dPredictions, default);
        LastGradientNorm = NetworkSupport.ClipAndStep(optimizer, Options);
        return loss;
    }

    private static InvalidOperationException InferenceOnly() =>
        new("This network is an inference view (CreateInferenceView): it shares weights and cannot train.");

    int ISequenceTrainable<float[], float[]>.LengthOf(float[] sequence) => sequence.Length / FeaturesPerStep;

    float ISequenceTrainable<float[], float[]>.TrainBatch(ReadOnlySpan<float[]> sequences, ReadOnlySpan<float[]> targets) =>
        TrainBatch(sequences, FlattenTargets(targets));

    /// <summary>Inference over a batch with known targets: the summed per-sequence mean squared error; the metric is NaN (no accuracy).</summary>
    public SequenceEvaluation Evaluate(ReadOnlySpan<float[]> sequences, ReadOnlySpan<float[]> targets)
    {
        if (targets.Length != sequences.Length)
            throw new ArgumentException($"{sequences.Length} sequences but {targets.Length} targets.", nameof(targets));
        int K = Outputs;
        double lossSum = 0;
        for (int start = 0; start < sequences.Length; start += InferenceBatchSize)
        {
            int count = Math.Min(InferenceBatchSize, sequences.Length - start);
            var flat = FlattenTargets(targets.Slice(start, count));
            var predictions = Forward(sequences.Slice(start, count), training: false);
            lossSum += (double)MeanSquaredError.Forward(predictions, flat) * count;
        }
        return new SequenceEvaluation(lossSum, double.NaN);
    }

    private ReadOnlySpan<float> FlattenTargets(ReadOnlySpan<float[]> targets)
    {
        int K = Outputs;
        var flat = NetworkSupport.Grow(ref _flatTargets, targets.Length * K);
        for (int b = 0; b < targets.Length; b++)
        {
            if (targets[b] is not { } row || row.Length != K)
                throw new ArgumentException($"Target {b} has {targets[b]?.Length ?? 0} values; this network predicts {K}.", nameof(targets));
            row.CopyTo(flat.Slice(b * K, K));
        }
        return flat;
    }

    /// <summary>A copy of every parameter tensor, in <see cref="NamedParameters"/>'s order.</summary>
    public float[][] CaptureParameters() => NetworkSupport.CaptureParameters(NamedParameters());

    /// <summary>Copies a <see cref="CaptureParameters"/> snapshot back into the live parameters (inference views see it too).</summary>
    public void RestoreParameters(IReadOnlyList<float[]> snapshot) => NetworkSupport.RestoreParameters(NamedParameters(), snapshot);

    /// <summary>Predictions [B × K] (row b: sequence b, in the caller's order).</summary>
    public float[] Predict(ReadOnlySpan<float[]> sequences)
    {
        var outputs = new float[sequences.Length * Outputs];
        Predict(sequences, outputs);
        return outputs;
    }

    /// <summary>Writes predictions [B × K] into <paramref name="outputs"/> (inference: no dropout).</summary>
    public void Predict(ReadOnlySpan<float[]> sequences, Span<float> outputs)
    {
        int K = Outputs;
        if (outputs.Length < sequences.Length * K)
            throw new ArgumentException($"{sequences.Length} sequences × {K} outputs need {sequences.Length * K} floats; got {outputs.Length}.", nameof(outputs));
        for (int start = 0; start < sequences.Length; start += InferenceBatchSize)
        {
            int count = Math.Min(InferenceBatchSize, sequences.Length - start);
            // Chunk-relative sequence indices in errors would mislead: validate against the caller's indices first.
            for (int b = start; b < start + count; b++) CheckSequence(sequences[b], b);
            Forward(sequences.Slice(start, count), training: false).CopyTo(outputs.Slice(start * K, count * K));
        }
    }

    /// <summary>
    /// Every parameter tensor with a PyTorch-style name, in a fixed order: <c>lstm.weight_ih_l0</c> … (as
    /// <c>nn.LSTM</c>), <c>regressor.weight</c> [K × D·H], <c>regressor.bias</c> [K]. The arrays are the live parameters.
    /// </summary>
    public IEnumerable<(string Name, float[] Values)> NamedParameters() => _head.NamedParameters();

    /// <summary>
    /// Copies saved tensors into the parameters. Every name of <see cref="NamedParameters"/> must appear
    /// exactly once with the same length (the network must be built with the same sizes and options).
    /// Optimizer state is not part of the parameters: training after a load starts fresh moments.
    /// </summary>
    public void LoadParameters(IEnumerable<(string Name, float[] Values)> tensors) =>
        NetworkSupport.LoadNamedParameters(NamedParameters(), tensors);

    /// <summary>Forward to the predictions [B × K] (valid until the next call); the head keeps what backward needs.</summary>
    private ReadOnlySpan<float> Forward(ReadOnlySpan<float[]> sequences, bool training)
    {
        if (sequences.Length == 0) throw new ArgumentException("A batch needs at least one sequence.", nameof(sequences));
        int B = sequences.Length, F = FeaturesPerStep;
        var lengths = NetworkSupport.Grow(ref _lengths, B);
        for (int b = 0; b < B; b++) lengths[b] = CheckSequence(sequences[b], b);
        var batch = SequenceBatch.FromLengths(lengths);

        // Step vectors in packed order: row StepOffsets[t] + r holds step t of sorted sequence r.
        var packed = NetworkSupport.Grow(ref _packedInput, batch.TotalSteps * F);
        for (int t = 0; t < batch.MaxLength; t++)
            for (int r = 0; r < batch.StepBatchSizes[t]; r++)
                sequences[batch.SortedToOriginal[r]].AsSpan(t * F, F).CopyTo(packed.Slice((batch.StepOffsets[t] + r) * F, F));
        return _head.Forward(batch, packed, training);
    }

    /// <summary>Checks one sequence (non-empty, whole steps, finite values) and returns its step count.</summary>
    private int CheckSequence(float[]? sequence, int index)
    {
        int F = FeaturesPerStep;
        if (sequence is null) throw new ArgumentNullException(nameof(sequence), $"Sequence {index} is null.");
        if (sequence.Length == 0) throw new ArgumentException($"Sequence {index} is empty; every sequence needs at least one step of {F} values.", "sequences");
        if (sequence.Length % F != 0)
            throw new ArgumentException($"Sequence {index} has {sequence.Length} values, not a multiple of {F} features per step.", "sequences");
        for (int i = 0; i < sequence.Length; i++)
            if (!float.IsFinite(sequence[i]))
                throw new ArgumentException($"Sequence {index}, step {i / F}, feature {i % F} is {sequence[i]}; inputs must be finite.", "sequences");
        return sequence.Length / F;
    }
}
