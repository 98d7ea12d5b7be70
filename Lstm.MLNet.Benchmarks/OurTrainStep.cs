using System.Numerics.Tensors;
using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Benchmarks;

/// <summary>
/// Our side of the training comparison, written on the compute core alone (the LSTM stack, GEMM and
/// Adam), so it does not depend on the model layer. It does the same math as the libtorch peer:
/// in particular the embedding gradient is dense and Adam updates the whole [V × E] table, as
/// <c>nn.Embedding</c> + <c>optim.Adam</c> do. <see cref="LibraryModelTrainStep"/> is the drop-in
/// alternative through the library's <c>SequenceClassifierNetwork</c> (lazy sparse embedding updates).
/// </summary>
internal sealed class OurTrainStep : ITrainStep
{
    private const int Classes = TrainData.Classes;

    private readonly ComputeContext _context;
    private readonly SequenceBatch _batch;
    private readonly int[] _packedIds;        // token of each packed row [N]
    private readonly int[] _labels;           // [B], caller's order
    private readonly int _embeddingSize, _hidden, _batchSize, _lastLayerOffset;
    private readonly float[] _embedding, _embeddingGradient;   // [V × E]
    private readonly LstmLayer _lstm;
    private readonly float[] _headWeight, _headWeightGradient; // [C × H], nn.Linear layout
    private readonly float[] _headBias, _headBiasGradient;     // [C]
    private readonly AdamOptimizer _optimizer;
    // Workspaces, allocated once.
    private readonly float[] _input, _dInput;   // [N × E] packed
    private readonly float[] _hN, _dHn;         // [L × B × H]; only the last layer's block of _dHn is ever non-zero
    private readonly float[] _logits, _dLogits; // [B × C]

    public OurTrainStep(ModelShape shape, TrainData data, ComputeContext context, int seed = 1)
    {
        _context = context;
        _embeddingSize = shape.Input;
        _hidden = shape.Hidden;
        _batchSize = data.Sequences.Length;
        _labels = data.Labels;
        _batch = SequenceBatch.FromLengths(data.Sequences.Select(s => s.Length).ToArray());
        _packedIds = new int[_batch.TotalSteps];
        for (int b = 0; b < _batchSize; b++)
            for (int t = 0; t < data.Sequences[b].Length; t++)
                _packedIds[_batch.PackedRow(b, t)] = data.Sequences[b][t];

        var random = new Random(seed);
        _embedding = new float[data.Vocabulary * _embeddingSize];
        for (int i = 0; i < _embedding.Length; i++) _embedding[i] = random.NextSingle() * 2 - 1;
        _embeddingGradient = new float[_embedding.Length];
        _lstm = new LstmLayer(shape.LstmShape, context, seed);
        _lstm.Parameters.InitializeUniform(seed);
        float bound = 1f / MathF.Sqrt(_hidden);
        _headWeight = Enumerable.Range(0, Classes * _hidden).Select(_ => (random.NextSingle() * 2 - 1) * bound).ToArray();
        _headBias = new float[Classes];
        _headWeightGradient = new float[_headWeight.Length];
        _headBiasGradient = new float[Classes];

        _optimizer = new AdamOptimizer(TrainData.LearningRate, context: context);
        _optimizer.Add(_embedding, _embeddingGradient);
        foreach (var (parameter, gradient) in _lstm.Parameters.Tensors().Zip(_lstm.Gradients.Tensors()))
            _optimizer.Add(parameter, gradient);
        _optimizer.Add(_headWeight, _headWeightGradient);
        _optimizer.Add(_headBias, _headBiasGradient);

        int n = _batch.TotalSteps, stateLength = shape.Layers * _batchSize * _hidden;
        _lastLayerOffset = (shape.Layers - 1) * _batchSize * _hidden;
        _input = new float[n * _embeddingSize];
        _dInput = new float[n * _embeddingSize];
        _hN = new float[stateLength];
        _dHn = new float[stateLength];
        _logits = new float[_batchSize * Classes];
        _dLogits = new float[_batchSize * Classes];
    }

    public float Step()
    {
        int E = _embeddingSize, H = _hidden, B = _batchSize;
        _optimizer.ZeroGradients();

        // Embedding: gather each packed row's vector.
        for (int r = 0; r < _packedIds.Length; r++)
            _embedding.AsSpan(_packedIds[r] * E, E).CopyTo(_input.AsSpan(r * E, E));

        _lstm.Forward(_batch, _input, [], [], _hN, [], training: true);
        ReadOnlySpan<float> last = _hN.AsSpan(_lastLayerOffset, B * H);

        // Head: logits = last · Wᵀ + b.
        for (int b = 0; b < B; b++) _headBias.CopyTo(_logits.AsSpan(b * Classes, Classes));
        Gemm.Multiply(_context, false, true, B, Classes, H, last, H, _headWeight, H, _logits, Classes, accumulate: true);
        float loss = SoftmaxCrossEntropyBackward(_logits, _labels, _dLogits);

        // Head backward: dW += dLogitsᵀ · last, db += Σ dLogits, dLast = dLogits · W (into the last layer's dh_N).
        Gemm.Multiply(_context, true, false, Classes, H, B, _dLogits, Classes, last, H, _headWeightGradient, H, accumulate: true);
        for (int b = 0; b < B; b++)
            for (int c = 0; c < Classes; c++) _headBiasGradient[c] += _dLogits[b * Classes + c];
        Gemm.Multiply(_context, false, false, B, H, Classes, _dLogits, Classes, _headWeight, H, _dHn.AsSpan(_lastLayerOffset, B * H), H, accumulate: false);

        _lstm.Backward([], _dHn, [], _dInput, [], []);

        // Embedding backward: scatter-add each packed row's gradient onto its token's row.
        for (int r = 0; r < _packedIds.Length; r++)
        {
            var row = _embeddingGradient.AsSpan(_packedIds[r] * E, E);
            TensorPrimitives.Add(row, _dInput.AsSpan(r * E, E), row);
        }

        _optimizer.Step();
        return loss;
    }

    /// <summary>Mean softmax cross-entropy over the batch: writes dL/dlogits = (softmax − one-hot) / B; returns the loss.</summary>
    private static float SoftmaxCrossEntropyBackward(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, Span<float> dLogits)
    {
        int B = labels.Length;
        double loss = 0;
        for (int b = 0; b < B; b++)
        {
            var z = logits.Slice(b * Classes, Classes);
            var d = dLogits.Slice(b * Classes, Classes);
            float max = TensorPrimitives.Max(z), sum = 0;
            for (int c = 0; c < Classes; c++) sum += d[c] = MathF.Exp(z[c] - max);
            for (int c = 0; c < Classes; c++) d[c] = (d[c] / sum - (c == labels[b] ? 1f : 0f)) / B;
            loss += Math.Log(sum) + max - z[labels[b]];
        }
        return (float)(loss / B);
    }

    public void Dispose() { }
}
