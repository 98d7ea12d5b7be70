using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Model;

/// <summary>
/// The part every sequence network shares, from packed step vectors to per-sequence outputs: stacked,
/// optionally bidirectional LSTM (inter-layer dropout) → recurrent dropout on the top layer's outputs →
/// pooling over each sequence's real steps → dropout → dense [D·H → K]. What feeds it (token embedding, raw float features) and what reads its
/// outputs (softmax cross-entropy, squared error) belong to the network that owns it.
/// <para>Keeps its workspaces and the last forward's activations between calls: not thread-safe.</para>
/// </summary>
internal sealed class PooledLstmHead
{
    private readonly LstmPooling _pooling;
    private readonly Dropout _dropout;
    private readonly Dropout _recurrentDropout;
    private readonly string _denseName;
    private ComputeContext _context;
    private SequenceBatch? _batch;

    // Workspaces (N packed rows, B sequences, W = D·H).
    private float[] _dLstmOutput = []; // [N × W]
    private float[] _droppedOutput = [];// [N × W], the LSTM output after recurrent dropout (training only)
    private float[] _pooled = [];      // [B × W], after dropout
    private float[] _dPooled = [];     // [B × W]
    private int[] _argmax = [];        // [B × W] (max pooling)
    private float[] _outputs = [];     // [B × K]

    /// <param name="shape">The LSTM (its input size is the width of a packed step vector).</param>
    /// <param name="outputs">K, the dense layer's outputs per sequence.</param>
    /// <param name="options">Pooling, dropout (head and inter-layer) and the seed of the dropout streams.</param>
    /// <param name="context">Where the LSTM and the dense layer compute.</param>
    /// <param name="denseName">Prefix of the dense tensors' names (<c>classifier</c> → <c>classifier.weight</c>).</param>
    public PooledLstmHead(LstmShape shape, int outputs, SequenceNetworkOptions options, ComputeContext context, string denseName)
    {
        _context = context;
        _pooling = options.Pooling;
        _denseName = denseName;
        Lstm = new LstmStack(shape, context, options.Seed);
        if (shape.NumberOfLayers > 1) Lstm.InterLayerDropout = options.Dropout;
        Dense = new Dense(shape.OutputSize, outputs);
        // Distinct seeds per consumer: the LSTM's dropout stream, the head's, and initialisation never share draws.
        _dropout = new Dropout(options.Dropout, unchecked(options.Seed * 31 + 17));
        _recurrentDropout = new Dropout(options.RecurrentDropout, unchecked(options.Seed * 31 + 23));
    }

    /// <summary>An inference copy of <paramref name="source"/>: the same weight arrays, its own workspaces, no dropout.</summary>
    public PooledLstmHead(PooledLstmHead source, ComputeContext context)
    {
        _context = context;
        _pooling = source._pooling;
        _denseName = source._denseName;
        Lstm = new LstmStack(source.Lstm.Shape, source.Lstm.Parameters, context);
        Dense = new Dense(source.Dense.Inputs, source.Dense.Outputs, source.Dense.Weight, source.Dense.Bias);
        _dropout = new Dropout(0f, 0);
        _recurrentDropout = new Dropout(0f, 0);
    }

    public LstmStack Lstm { get; }
    public Dense Dense { get; }
    public int Outputs => Dense.Outputs;
    /// <summary>How the LSTM's outputs are pooled over each sequence's real steps.</summary>
    public LstmPooling Pooling => _pooling;

    public ComputeContext Context
    {
        get => _context;
        set { _context = value; Lstm.Context = value; }
    }

    /// <summary>Registers the LSTM's tensors, then the dense weight and bias, with their gradients.</summary>
    public void RegisterWith(Optimizer optimizer)
    {
        foreach (var (parameter, gradient) in Lstm.Parameters.Tensors().Zip(Lstm.Gradients.Tensors()))
            optimizer.Add(parameter, gradient);
        optimizer.Add(Dense.Weight, Dense.WeightGradient);
        optimizer.Add(Dense.Bias, Dense.BiasGradient);
    }

    /// <summary><c>lstm.weight_ih_l0</c> … (as <c>nn.LSTM</c>), then <c>{denseName}.weight</c> [K × D·H], <c>{denseName}.bias</c> [K].</summary>
    public IEnumerable<(string Name, float[] Values)> NamedParameters()
    {
        foreach (var (name, values) in Lstm.Parameters.Named()) yield return ("lstm." + name, values);
        yield return (_denseName + ".weight", Dense.Weight);
        yield return (_denseName + ".bias", Dense.Bias);
    }

    /// <summary>
    /// Forward over packed step vectors [N × InputSize]. Returns the outputs [B × K] in the caller's batch
    /// order, valid until the next call. Dropout (head and inter-layer) only when <paramref name="training"/>.
    /// </summary>
    public ReadOnlySpan<float> Forward(SequenceBatch batch, ReadOnlySpan<float> packedInput, bool training)
    {
        _batch = batch;
        int B = batch.BatchSize, W = Lstm.Shape.OutputSize;
        var lstmOutput = Lstm.Forward(batch, packedInput, default, default, default, default, training);
        if (training && _recurrentDropout.Rate > 0f)
        {
            var dropped = NetworkSupport.Grow(ref _droppedOutput, batch.TotalSteps * W);
            lstmOutput.CopyTo(dropped);
            _recurrentDropout.Forward(dropped, _context.Path);
            lstmOutput = dropped;
        }
        var pooled = NetworkSupport.Grow(ref _pooled, B * W);
        var argmax = _pooling == LstmPooling.Max ? NetworkSupport.Grow(ref _argmax, B * W) : default;
        SequencePooling.Forward(_pooling, batch, lstmOutput, W, Lstm.Shape.Directions, pooled, argmax, _context.Path);
        if (training) _dropout.Forward(pooled, _context.Path);
        var outputs = NetworkSupport.Grow(ref _outputs, B * Outputs);
        Dense.Forward(_context, B, pooled, outputs);
        return outputs;
    }

    /// <summary>
    /// Backward through the last (training) forward from dLoss/dOutputs [B × K]: adds into the LSTM's and the
    /// dense layer's gradients, and writes dLoss/dInput [N × InputSize] unless <paramref name="dPackedInput"/> is empty.
    /// </summary>
    public void Backward(ReadOnlySpan<float> dOutputs, Span<float> dPackedInput)
    {
        var batch = _batch ?? throw new InvalidOperationException("Backward needs a Forward first.");
        int B = batch.BatchSize, W = Lstm.Shape.OutputSize;
        var dPooled = NetworkSupport.Grow(ref _dPooled, B * W);
        Dense.Backward(_context, B, _pooled.AsSpan(0, B * W), dOutputs, dPooled);
        _dropout.Backward(dPooled, _context.Path);
        var dLstmOutput = NetworkSupport.Grow(ref _dLstmOutput, batch.TotalSteps * W);
        SequencePooling.Backward(_pooling, batch, dPooled, W, Lstm.Shape.Directions, _argmax, dLstmOutput, _context.Path);
        _recurrentDropout.Backward(dLstmOutput, _context.Path);
        Lstm.Backward(dLstmOutput, default, default, dPackedInput, default, default);
    }
}
