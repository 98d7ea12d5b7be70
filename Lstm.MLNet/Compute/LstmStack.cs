namespace Lstm.MLNet.Compute;

/// <summary>
/// A stacked, optionally bidirectional LSTM with PyTorch <c>nn.LSTM</c> semantics (gate order i, f, g, o;
/// <c>weight_ih</c>, <c>weight_hh</c>, two biases) over ragged batches in packed layout (<see cref="SequenceBatch"/>).
/// <para>Forward, per layer and direction: the input projection of all steps is one GEMM
/// [N×in]·[in×4H]; then per step one recurrent GEMM [b_t×H]·[H×4H] against pre-packed W_hhᵀ, and the
/// gate non-linearities with the cell update fused in one pass. Each step is one parallel region over
/// batch rows (a row's recurrence needs only its own previous state).</para>
/// <para>Backward through time: per step the fused gate gradient and one GEMM [b_t×4H]·[4H×H] for
/// dh_{t-1}; the weight gradients are one GEMM each over all N rows, not T small ones.</para>
/// <para>An instance keeps the activations of its last <see cref="Forward"/> for <see cref="Backward"/>:
/// it is not safe to call from several threads at once (use one instance per thread).</para>
/// </summary>
public sealed unsafe class LstmStack
{
    private readonly LayerState[] _cells;        // [layer * D + direction]
    private readonly PinnedBuffer[] _layerInputs; // x's copy, and the dropped-out output below a layer (LayerInput)
    private readonly PinnedBuffer[] _layerOutputs;
    private readonly PinnedBuffer[] _dropoutMasks;
    private readonly PinnedBuffer _h0 = new(), _c0 = new();   // initial state in sorted row order [L*D, B, H]
    private readonly PinnedBuffer _dGates = new(), _dH = new(), _dC = new(), _hPrev = new();
    private PinnedBuffer _dInputBelow = new(), _dInputAbove = new();   // swapped between layers, never copied
    private readonly PinnedBuffer _dH0 = new(), _dC0 = new(), _gradientScratch = new();
    private readonly Random _dropoutRandom;
    private ComputeContext _context;
    private ComputeContext _serial;
    private SequenceBatch? _batch;
    private bool _hasH0, _hasC0, _dropoutApplied, _trainingForward;

    /// <summary>A stack of <paramref name="shape"/> computing on <paramref name="context"/> (<see cref="ComputeContext.Default"/> when null), its parameters drawn from PyTorch's U(-1/√H, 1/√H) with <paramref name="seed"/>.</summary>
    public LstmStack(LstmShape shape, ComputeContext? context = null, int seed = 0)
        : this(shape, new LstmParameters(shape ?? throw new ArgumentNullException(nameof(shape))), context, seed)
    {
    }

    /// <summary>
    /// A stack over existing weights, used as is (not copied). Several stacks may share one
    /// <see cref="LstmParameters"/> for inference from several threads: a forward pass only reads the
    /// weights (each stack packs its own copy of W_hh), and each stack has its own workspaces.
    /// </summary>
    public LstmStack(LstmShape shape, LstmParameters sharedParameters, ComputeContext? context = null, int seed = 0)
    {
        Shape = shape ?? throw new ArgumentNullException(nameof(shape));
        ArgumentNullException.ThrowIfNull(sharedParameters);
        if (sharedParameters.Shape != shape) throw new ArgumentException($"The parameters are for {sharedParameters.Shape}, not {shape}.", nameof(sharedParameters));
        _context = context ?? ComputeContext.Default;
        _serial = _context.WithThreads(1);
        Parameters = sharedParameters;
        _dropoutRandom = new Random(seed);
        _cells = new LayerState[shape.NumberOfLayers * shape.Directions];
        for (int i = 0; i < _cells.Length; i++) _cells[i] = new LayerState();
        _layerInputs = NewBuffers(shape.NumberOfLayers);
        _layerOutputs = NewBuffers(shape.NumberOfLayers);
        _dropoutMasks = NewBuffers(shape.NumberOfLayers);
    }

    /// <summary>The stack's sizes.</summary>
    public LstmShape Shape { get; }

    /// <summary>Where the kernels run (SIMD path, threads).</summary>
    public ComputeContext Context
    {
        get => _context;
        set { _context = value ?? throw new ArgumentNullException(nameof(value)); _serial = value.WithThreads(1); }
    }

    /// <summary>The weights, PyTorch layout. Changes take effect at the next <see cref="Forward"/>.</summary>
    public LstmParameters Parameters { get; }

    private LstmParameters? _gradients;

    /// <summary>Gradients: <see cref="Backward"/> adds into them; clear them between optimizer steps. Allocated at first use, so inference-only stacks never hold them.</summary>
    public LstmParameters Gradients => _gradients ??= new LstmParameters(Shape);

    private float _interLayerDropout;

    /// <summary>
    /// Where an inference forward (training: false) takes the first layer's x_t·W_ihᵀ + b from instead of computing it
    /// (a per-token table); it must write exactly what that product gives. Null: computed. Ignored when training.
    /// </summary>
    internal IFirstLayerProjection? FirstLayerProjection { get; set; }

    /// <summary>Dropout on the outputs of every layer but the last, when training (as <c>nn.LSTM(dropout=p)</c>).</summary>
    public float InterLayerDropout
    {
        get => _interLayerDropout;
        set
        {
            if (!(value >= 0f && value < 1f))
                throw new ArgumentOutOfRangeException(nameof(value), value, "Dropout must be in [0, 1).");
            _interLayerDropout = value;
        }
    }

    /// <summary>
    /// Runs the LSTM over a packed batch. <paramref name="input"/>: [TotalSteps × InputSize] packed rows.
    /// <paramref name="h0"/>, <paramref name="c0"/>: [L·D × B × H] in the caller's batch order, or empty
    /// for zeros. <paramref name="hN"/>, <paramref name="cN"/>: receive the final states [L·D × B × H]
    /// (empty to skip). Returns the last layer's output [TotalSteps × D·H], valid until the next call.
    /// </summary>
    public ReadOnlySpan<float> Forward(SequenceBatch batch, ReadOnlySpan<float> input, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        Span<float> hN, Span<float> cN, bool training = true)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int n = batch.TotalSteps, H = Shape.HiddenSize, D = Shape.Directions, L = Shape.NumberOfLayers;
        int stateLength = CheckWorkspaces(batch);
        CheckLength(nameof(input), input.Length, n * Shape.InputSize, $"[TotalSteps={n} × InputSize={Shape.InputSize}]");
        CheckOptional(nameof(h0), h0.Length, stateLength, L, D, batch.BatchSize, H);
        CheckOptional(nameof(c0), c0.Length, stateLength, L, D, batch.BatchSize, H);
        CheckOptional(nameof(hN), hN.Length, stateLength, L, D, batch.BatchSize, H);
        CheckOptional(nameof(cN), cN.Length, stateLength, L, D, batch.BatchSize, H);

        _batch = batch;
        _hasH0 = !h0.IsEmpty;
        _hasC0 = !c0.IsEmpty;
        if (_hasH0) ToSorted(batch, h0, _h0.Ensure(stateLength), L * D, H);
        if (_hasC0) ToSorted(batch, c0, _c0.Ensure(stateLength), L * D, H);
        _dropoutApplied = training && _interLayerDropout > 0f && L > 1;
        _trainingForward = training;

        input.CopyTo(new Span<float>(_layerInputs[0].Ensure(input.Length), input.Length));
        for (int l = 0; l < L; l++)
        {
            if (l > 0) PrepareLayerInput(l, n);
            _layerOutputs[l].Ensure(n * D * H, clear: true);
            for (int d = 0; d < D; d++) ForwardDirection(batch, l, d);
        }

        for (int l = 0; l < L; l++)
            for (int d = 0; d < D; d++)
                WriteFinalState(batch, l, d, hN, cN);
        return _layerOutputs[L - 1].Span;
    }

    /// <summary>
    /// Back-propagates through the last <see cref="Forward"/>. <paramref name="dOutput"/>: [TotalSteps × D·H]
    /// (empty = 0); <paramref name="dHn"/>, <paramref name="dCn"/>: [L·D × B × H] (empty = 0). Adds the
    /// weight gradients into <see cref="Gradients"/>; writes (overwrites) <paramref name="dInput"/>
    /// [TotalSteps × InputSize], <paramref name="dH0"/>, <paramref name="dC0"/> where they are not empty.
    /// </summary>
    public void Backward(ReadOnlySpan<float> dOutput, ReadOnlySpan<float> dHn, ReadOnlySpan<float> dCn,
        Span<float> dInput, Span<float> dH0, Span<float> dC0)
    {
        var batch = _batch ?? throw new InvalidOperationException("Backward needs a Forward first: it back-propagates through the last forward pass.");
        int n = batch.TotalSteps, H = Shape.HiddenSize, D = Shape.Directions, L = Shape.NumberOfLayers, B = batch.BatchSize;
        int stateLength = CheckWorkspaces(batch);
        if (!dOutput.IsEmpty) CheckLength(nameof(dOutput), dOutput.Length, n * D * H, $"[TotalSteps={n} × D·H={D * H}]");
        CheckOptional(nameof(dHn), dHn.Length, stateLength, L, D, B, H);
        CheckOptional(nameof(dCn), dCn.Length, stateLength, L, D, B, H);
        if (!dInput.IsEmpty) CheckLength(nameof(dInput), dInput.Length, n * Shape.InputSize, $"[TotalSteps={n} × InputSize={Shape.InputSize}]");
        CheckOptional(nameof(dH0), dH0.Length, stateLength, L, D, B, H);
        CheckOptional(nameof(dC0), dC0.Length, stateLength, L, D, B, H);

        float* dH0Sorted = _dH0.Ensure(stateLength, clear: true);
        float* dC0Sorted = _dC0.Ensure(stateLength, clear: true);
        // The gradient reaching the top layer's output: the caller's, copied so layers below can reuse the buffer.
        float* dAbove = null;
        if (!dOutput.IsEmpty)
        {
            dAbove = _dInputAbove.Ensure(dOutput.Length);
            dOutput.CopyTo(_dInputAbove.Span);
        }

        for (int l = L - 1; l >= 0; l--)
        {
            bool needInputGradient = l > 0 || !dInput.IsEmpty;
            int inputSize = Shape.LayerInputSize(l);
            float* dBelow = needInputGradient ? _dInputBelow.Ensure(n * inputSize) : null;
            for (int d = 0; d < D; d++)
                BackwardDirection(batch, l, d, dAbove, dHn, dCn, dBelow, accumulateInputGradient: d > 0, dH0Sorted, dC0Sorted);
            if (l > 0)
            {
                if (_dropoutApplied) Multiply(dBelow, _dropoutMasks[l].Pointer, n * inputSize);
                // This layer's input gradient is the gradient at the output of the layer below.
                (_dInputAbove, _dInputBelow) = (_dInputBelow, _dInputAbove);
                dAbove = dBelow;
            }
            else if (!dInput.IsEmpty)
                new ReadOnlySpan<float>(dBelow, n * inputSize).CopyTo(dInput);
        }

        if (!dH0.IsEmpty) FromSorted(batch, dH0Sorted, dH0, L * D, H);
        if (!dC0.IsEmpty) FromSorted(batch, dC0Sorted, dC0, L * D, H);
    }

    /// <summary>
    /// Checks, once per call and in 64 bits, that every workspace of <paramref name="batch"/> fits one array, so the
    /// int products the kernels use below cannot wrap: [N × 4H] bounds every per-row buffer (4H ≥ D·H ≥ H, N ≥ B),
    /// [N × I] the input. Returns the state length L·D·B·H.
    /// </summary>
    private int CheckWorkspaces(SequenceBatch batch)
    {
        int n = batch.TotalSteps, H = Shape.HiddenSize;
        CheckedSize.Of(n, 4L * H, "LSTM gates");
        CheckedSize.Of(n, Math.Max(Shape.InputSize, Shape.OutputSize), "LSTM layer input");
        return CheckedSize.Of((long)Shape.NumberOfLayers * Shape.Directions, batch.BatchSize, H, "LSTM state");
    }

    // ---------------------------------------------------------------- forward

    /// <summary>[TotalSteps × LayerInputSize(layer)]: x's copy, or the output of the layer below, itself when no dropout applies.</summary>
    private float* LayerInput(int layer) =>
        layer > 0 && !_dropoutApplied ? _layerOutputs[layer - 1].Pointer : _layerInputs[layer].Pointer;

    private void PrepareLayerInput(int layer, int n)
    {
        if (!_dropoutApplied) return;
        int width = Shape.OutputSize;
        float* below = _layerOutputs[layer - 1].Pointer;
        float* input = _layerInputs[layer].Ensure(n * width);
        float keep = 1f - _interLayerDropout, scale = 1f / keep;
        float* mask = _dropoutMasks[layer].Ensure(n * width);
        for (int i = 0; i < n * width; i++)
        {
            mask[i] = _dropoutRandom.NextSingle() < keep ? scale : 0f;
            input[i] = below[i] * mask[i];
        }
    }

    private void ForwardDirection(SequenceBatch batch, int layer, int direction)
    {
        var p = Parameters[layer, direction];
        var cell = _cells[layer * Shape.Directions + direction];
        int n = batch.TotalSteps, H = Shape.HiddenSize, G = 4 * H, inputSize = Shape.LayerInputSize(layer), B = batch.BatchSize;
        float* gates = cell.Gates.Ensure(n * G);
        cell.Cells.Ensure(n * H);

        // The input projection, b_ih + b_hh + x_t·W_ihᵀ, is computed step by step, by each thread for its rows just before
        // the recurrent product adds to them: the step's gates stay in cache from the bias to the cell, where one product
        // over all steps first wrote them all out (12 MB at 256 sequences of 48 steps, H = 64) and each step read them
        // back. The same sums in the same order, so the same bits. A precomputed first-layer projection is written step by
        // step likewise. A batch of a few sequences keeps the one product over all steps: per step it would be a few rows.
        var projection = layer == 0 && !_trainingForward ? FirstLayerProjection : null;
        float* biasSum = null;
        bool projectPerStep = projection is null && B >= PerStepProjectionMinimumBatch;
        if (projection is null)
        {
            biasSum = cell.BiasSum.Ensure(G);
            for (int j = 0; j < G; j++) biasSum[j] = p.BiasIH[j] + p.BiasHH[j];
            fixed (float* wih = p.WeightIH)
            {
                if (projectPerStep) cell.InputWeights = Repack(cell.InputWeights, transpose: true, inputSize, G, wih);
                else
                {
                    for (int r = 0; r < n; r++) new Span<float>(biasSum, G).CopyTo(new Span<float>(gates + (long)r * G, G));
                    Gemm.Multiply(_context, false, true, n, G, inputSize, LayerInput(layer), inputSize, wih, inputSize, gates, G, accumulate: true);
                }
            }
        }

        fixed (float* whh = p.WeightHH)
        {
            cell.RecurrentWeights = Repack(cell.RecurrentWeights, transpose: true, H, G, whh);
            // W_hh for dh_{t-1} only serves backward: an inference forward leaves it to Backward, should one follow.
            if (_trainingForward) cell.RecurrentWeightsTransposed = Repack(cell.RecurrentWeightsTransposed, transpose: false, G, H, whh);
            cell.TransposedIsCurrent = _trainingForward;
        }
        // h0·W_hhᵀ once, for the rows that start from the initial state (all at t=0; ragged rows in reverse).
        float* initialGates = null;
        int stateOffset = (layer * Shape.Directions + direction) * B * H;
        if (_hasH0)
        {
            initialGates = cell.InitialGates.Ensure(B * G);
            Gemm.Multiply(_context, false, B, _h0.Pointer + stateOffset, H, cell.RecurrentWeights, initialGates, G, accumulate: false);
        }

        var step = new StepArguments
        {
            Gates = gates, Cells = cell.Cells.Pointer, Output = _layerOutputs[layer].Pointer + direction * H,
            OutputStride = Shape.OutputSize, Hidden = H, InitialGates = initialGates,
            InitialCells = _hasC0 ? _c0.Pointer + stateOffset : null, RecurrentWeights = cell.RecurrentWeights, Serial = _serial,
            Input = projectPerStep ? LayerInput(layer) : null, InputSize = inputSize, BiasSum = biasSum,
            InputWeights = projectPerStep ? cell.InputWeights : null,
        };
        int minRows = MinimumRowsPerThread(H), mr = step.Granule = Gemm.MRFor(_context.Path);
        for (int s = 0; s < batch.MaxLength; s++)
        {
            int t = direction == 0 ? s : batch.MaxLength - 1 - s;
            SetStep(ref step, batch, t, direction);
            projection?.Write(direction, gates + (long)step.Offset * G, step.Offset, step.Rows, G);
            step.Parts = _context.PartitionCount(step.Rows, mr, minRows);
            _context.Run(new ForwardStep { Context = _context, Step = step });
        }
    }

    /// <summary>Sequences from which each step projects its own rows (below it, a step's few rows make a poor product).</summary>
    private const int PerStepProjectionMinimumBatch = 16;

    private struct ForwardStep : ISimdKernel
    {
        public ComputeContext Context;
        public StepArguments Step;
        public readonly void Run<V>() where V : unmanaged, ISimdFloat<V> =>
            Context.For(Step.Parts, Step, static (part, a) => ForwardRows<V>(a, part));
    }

    private struct BackwardStep : ISimdKernel
    {
        public ComputeContext Context;
        public StepArguments Step;
        public readonly void Run<V>() where V : unmanaged, ISimdFloat<V> =>
            Context.For(Step.Parts, Step, static (part, a) => BackwardRows<V>(a, part));
    }

    /// <summary>One step for one thread's rows: recurrent GEMM (or the initial-state term), then the fused cell update.</summary>
    private static void ForwardRows<V>(in StepArguments a, int part) where V : unmanaged, ISimdFloat<V>
    {
        var (r0, r1) = a.RowsOf(part);
        int G = 4 * a.Hidden, H = a.Hidden;
        float* gates = a.Gates + (long)a.Offset * G;
        if (a.Input != null && r1 > r0)
        {
            for (int r = r0; r < r1; r++) new ReadOnlySpan<float>(a.BiasSum, G).CopyTo(new Span<float>(gates + (long)r * G, G));
            Gemm.Multiply(a.Serial, false, r1 - r0, a.Input + (long)(a.Offset + r0) * a.InputSize, a.InputSize, a.InputWeights!,
                gates + (long)r0 * G, G, accumulate: true);
        }
        int carried = Math.Min(r1, a.CarriedRows);
        if (carried > r0)
            Gemm.Multiply(a.Serial, false, carried - r0, a.Output + (long)(a.PreviousOffset + r0) * a.OutputStride, a.OutputStride,
                a.RecurrentWeights, gates + (long)r0 * G, G, accumulate: true);
        for (int r = r0; r < r1; r++)
        {
            float* g = gates + (long)r * G;
            float* cPrev;
            if (r < a.CarriedRows) cPrev = a.Cells + (long)(a.PreviousOffset + r) * H;
            else
            {
                if (a.InitialGates != null)
                    for (int j = 0; j < G; j++) g[j] += a.InitialGates[(long)r * G + j];
                cPrev = a.InitialCells == null ? null : a.InitialCells + (long)r * H;
            }
            CellKernels<V>.Forward(g, cPrev, a.Cells + (long)(a.Offset + r) * H, a.Output + (long)(a.Offset + r) * a.OutputStride, H);
        }
    }

    // ---------------------------------------------------------------- backward

    private void BackwardDirection(SequenceBatch batch, int layer, int direction, float* dAbove, ReadOnlySpan<float> dHn, ReadOnlySpan<float> dCn,
        float* dBelow, bool accumulateInputGradient, float* dH0Sorted, float* dC0Sorted)
    {
        var p = Parameters[layer, direction];
        var grad = Gradients[layer, direction];
        var cell = _cells[layer * Shape.Directions + direction];
        int n = batch.TotalSteps, H = Shape.HiddenSize, G = 4 * H, B = batch.BatchSize, inputSize = Shape.LayerInputSize(layer);
        int stateOffset = (layer * Shape.Directions + direction) * B * H;

        float* dGates = _dGates.Ensure(n * G);
        float* dH = _dH.Ensure(B * H, clear: true);
        float* dC = _dC.Ensure(B * H, clear: true);
        if (!dHn.IsEmpty) ToSorted(batch, dHn.Slice(stateOffset, B * H), dH, 1, H);
        if (!dCn.IsEmpty) ToSorted(batch, dCn.Slice(stateOffset, B * H), dC, 1, H);

        if (!cell.TransposedIsCurrent)
        {
            fixed (float* whh = p.WeightHH) cell.RecurrentWeightsTransposed = Repack(cell.RecurrentWeightsTransposed, transpose: false, G, H, whh);
            cell.TransposedIsCurrent = true;
        }
        var step = new StepArguments
        {
            Gates = cell.Gates.Pointer, Cells = cell.Cells.Pointer, Output = dAbove == null ? null : dAbove + direction * H,
            OutputStride = Shape.OutputSize, Hidden = H, InitialCells = _hasC0 ? _c0.Pointer + stateOffset : null,
            RecurrentWeights = cell.RecurrentWeightsTransposed!, Serial = _serial,
            DGates = dGates, DH = dH, DC = dC, DH0 = dH0Sorted + stateOffset, DC0 = dC0Sorted + stateOffset,
        };
        int minRows = MinimumRowsPerThread(H), mr = step.Granule = Gemm.MRFor(_context.Path);
        for (int s = batch.MaxLength - 1; s >= 0; s--)
        {
            int t = direction == 0 ? s : batch.MaxLength - 1 - s;
            SetStep(ref step, batch, t, direction);
            step.Parts = _context.PartitionCount(step.Rows, mr, minRows);
            _context.Run(new BackwardStep { Context = _context, Step = step });
        }

        // Weight gradients, one GEMM each over all steps: dW_ih += dGatesᵀ·X, dW_hh += dGatesᵀ·H_prev.
        fixed (float* gWih = grad.WeightIH) fixed (float* gWhh = grad.WeightHH)
        {
            Gemm.Multiply(_context, true, false, G, inputSize, n, dGates, G, LayerInput(layer), inputSize, gWih, inputSize, accumulate: true);
            float* hPrev = GatherPreviousHidden(batch, layer, direction, stateOffset);
            Gemm.Multiply(_context, true, false, G, H, n, dGates, G, hPrev, H, gWhh, H, accumulate: true);
        }
        float* biasGradient = _gradientScratch.Ensure(G, clear: true);
        AddColumnSums(dGates, n, G, biasGradient);
        for (int j = 0; j < G; j++) { grad.BiasIH[j] += biasGradient[j]; grad.BiasHH[j] += biasGradient[j]; }

        if (dBelow != null)
            fixed (float* wih = p.WeightIH)
                Gemm.Multiply(_context, false, false, n, inputSize, G, dGates, G, wih, inputSize, dBelow, inputSize, accumulateInputGradient);
    }

    /// <summary>One step for one thread's rows: the fused gate gradient, then dh_{t-1} = dGates·W_hh for those rows.</summary>
    private static void BackwardRows<V>(in StepArguments a, int part) where V : unmanaged, ISimdFloat<V>
    {
        var (r0, r1) = a.RowsOf(part);
        int G = 4 * a.Hidden, H = a.Hidden;
        for (int r = r0; r < r1; r++)
        {
            long row = a.Offset + r;
            bool carried = r < a.CarriedRows;
            float* cPrev = carried ? a.Cells + (long)(a.PreviousOffset + r) * H : a.InitialCells == null ? null : a.InitialCells + (long)r * H;
            CellKernels<V>.Backward(a.Gates + row * G, a.Cells + row * H, cPrev,
                a.Output == null ? null : a.Output + row * a.OutputStride, a.DH + (long)r * H, a.DC + (long)r * H,
                a.DGates + row * G, carried ? a.DC + (long)r * H : a.DC0 + (long)r * H, H);
        }
        float* dGates = a.DGates + (long)a.Offset * G;
        int carriedEnd = Math.Min(r1, a.CarriedRows);
        if (carriedEnd > r0)
            Gemm.Multiply(a.Serial, false, carriedEnd - r0, dGates + (long)r0 * G, G, a.RecurrentWeights, a.DH + (long)r0 * H, H, accumulate: false);
        int initialStart = Math.Max(r0, a.CarriedRows);
        if (r1 > initialStart)
            Gemm.Multiply(a.Serial, false, r1 - initialStart, dGates + (long)initialStart * G, G, a.RecurrentWeights, a.DH0 + (long)initialStart * H, H, accumulate: false);
    }

    /// <summary>H_prev [N × H]: the hidden state each packed row's step started from (previous step's output or h0).</summary>
    private float* GatherPreviousHidden(SequenceBatch batch, int layer, int direction, int stateOffset)
    {
        int H = Shape.HiddenSize, stride = Shape.OutputSize;
        float* hPrev = _hPrev.Ensure(batch.TotalSteps * H);
        float* output = _layerOutputs[layer].Pointer + direction * H;
        var step = new StepArguments();
        for (int t = 0; t < batch.MaxLength; t++)
        {
            SetStep(ref step, batch, t, direction);
            for (int r = 0; r < step.Rows; r++)
            {
                var dst = new Span<float>(hPrev + (long)(step.Offset + r) * H, H);
                if (r < step.CarriedRows) new ReadOnlySpan<float>(output + (long)(step.PreviousOffset + r) * stride, H).CopyTo(dst);
                else if (_hasH0) new ReadOnlySpan<float>(_h0.Pointer + stateOffset + (long)r * H, H).CopyTo(dst);
                else dst.Clear();
            }
        }
        return hPrev;
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>
    /// Which rows step t computes and where their state comes from. Rows [0, CarriedRows) continue from the
    /// previous step in processing order (t−1 forward, t+1 reverse); the rest start from h0/c0 — at t = 0
    /// forward, and in reverse wherever a shorter sequence has its last real step.
    /// </summary>
    private static void SetStep(ref StepArguments step, SequenceBatch batch, int t, int direction)
    {
        var sizes = batch.StepBatchSizes;
        var offsets = batch.StepOffsets;
        step.Rows = sizes[t];
        step.Offset = offsets[t];
        int previous = direction == 0 ? t - 1 : t + 1;
        bool hasPrevious = previous >= 0 && previous < batch.MaxLength;
        step.CarriedRows = hasPrevious ? Math.Min(sizes[t], sizes[previous]) : 0;
        step.PreviousOffset = hasPrevious ? offsets[previous] : 0;
    }

    /// <summary>Rows per thread below which a fork costs more than the step's work (~0.5 MFLOP; measured on 2 cores, a larger threshold lost on shapes A and C).</summary>
    private static int MinimumRowsPerThread(int hidden) => Math.Max(1, (1 << 19) / (8 * hidden * hidden + 1));

    private PackedMatrix Repack(PackedMatrix? packed, bool transpose, int depth, int columns, float* source)
    {
        if (packed == null || packed.Path != _context.Path)
            packed = new PackedMatrix(_context.Path, depth, columns, Gemm.NRFor(_context.Path));
        packed.Repack(transpose, source, transpose ? depth : columns);
        return packed;
    }

    private void AddColumnSums(float* rows, int count, int width, float* sums) =>
        _context.Run(new ColumnSums { Rows = rows, Count = count, Width = width, Sums = sums });

    private struct ColumnSums : ISimdKernel
    {
        public float* Rows, Sums; public int Count, Width;
        public readonly void Run<V>() where V : unmanaged, ISimdFloat<V> => CellKernels<V>.AddColumnSums(Rows, Count, Width, Width, Sums);
    }

    private static void Multiply(float* x, float* y, int count)
    {
        for (int i = 0; i < count; i++) x[i] *= y[i];
    }

    private void WriteFinalState(SequenceBatch batch, int layer, int direction, Span<float> hN, Span<float> cN)
    {
        if (hN.IsEmpty && cN.IsEmpty) return;
        int H = Shape.HiddenSize, B = batch.BatchSize, stride = Shape.OutputSize;
        int stateOffset = (layer * Shape.Directions + direction) * B * H;
        float* output = _layerOutputs[layer].Pointer + direction * H;
        float* cells = _cells[layer * Shape.Directions + direction].Cells.Pointer;
        for (int b = 0; b < B; b++)
        {
            // The final state is the last real step forward, step 0 in reverse.
            int row = batch.PackedRow(b, direction == 0 ? batch.Lengths[b] - 1 : 0);
            if (!hN.IsEmpty) new ReadOnlySpan<float>(output + (long)row * stride, H).CopyTo(hN.Slice(stateOffset + b * H, H));
            if (!cN.IsEmpty) new ReadOnlySpan<float>(cells + (long)row * H, H).CopyTo(cN.Slice(stateOffset + b * H, H));
        }
    }

    private static void ToSorted(SequenceBatch batch, ReadOnlySpan<float> source, float* destination, int blocks, int H)
    {
        int B = batch.BatchSize;
        for (int k = 0; k < blocks; k++)
            for (int r = 0; r < B; r++)
                source.Slice((k * B + batch.SortedToOriginal[r]) * H, H).CopyTo(new Span<float>(destination + (long)(k * B + r) * H, H));
    }

    private static void FromSorted(SequenceBatch batch, float* source, Span<float> destination, int blocks, int H)
    {
        int B = batch.BatchSize;
        for (int k = 0; k < blocks; k++)
            for (int r = 0; r < B; r++)
                new ReadOnlySpan<float>(source + (long)(k * B + r) * H, H).CopyTo(destination.Slice((k * B + batch.SortedToOriginal[r]) * H, H));
    }

    private static void CheckLength(string name, int actual, int expected, string shape)
    {
        if (actual != expected)
            throw new ArgumentException($"'{name}' holds {actual} floats; expected {expected} for shape {shape}.", name);
    }

    private static void CheckOptional(string name, int actual, int expected, int L, int D, int B, int H)
    {
        if (actual != 0 && actual != expected)
            throw new ArgumentException($"'{name}' holds {actual} floats; expected {expected} for [L·D={L * D} × B={B} × H={H}] (or empty).", name);
    }

    private static PinnedBuffer[] NewBuffers(int count)
    {
        var buffers = new PinnedBuffer[count];
        for (int i = 0; i < count; i++) buffers[i] = new PinnedBuffer();
        return buffers;
    }

    /// <summary>What a layer-direction keeps from forward for backward.</summary>
    private sealed class LayerState
    {
        public readonly PinnedBuffer Gates = new();      // [N × 4H] gate activations i, f, g, o
        public readonly PinnedBuffer Cells = new();      // [N × H] c_t
        public readonly PinnedBuffer BiasSum = new();
        public readonly PinnedBuffer InitialGates = new(); // [B × 4H] h0·W_hhᵀ
        public PackedMatrix? RecurrentWeights;            // W_hhᵀ [H × 4H], for forward
        public PackedMatrix? InputWeights;                // W_ihᵀ [in × 4H], for forward
        public PackedMatrix? RecurrentWeightsTransposed;  // W_hh [4H × H], for dh_{t-1}
        public bool TransposedIsCurrent;                  // packed from the weights of the last Forward
    }

    /// <summary>Everything one step's parallel parts read; a struct so the fork allocates nothing per row.</summary>
    private struct StepArguments
    {
        public float* Gates, Cells, Output, InitialGates, InitialCells, DGates, DH, DC, DH0, DC0;
        public int OutputStride, Hidden, Rows, Offset, CarriedRows, PreviousOffset, Parts;
        /// <summary>Row ranges start on multiples of the micro-kernel's MR.</summary>
        public int Granule;
        public PackedMatrix RecurrentWeights;
        /// <summary>The layer's input [N × InputSize] and W_ihᵀ packed, whose step rows each part projects itself (null: the gates hold them).</summary>
        public float* Input, BiasSum;
        public int InputSize;
        public PackedMatrix? InputWeights;
        public ComputeContext Serial;

        public readonly (int Start, int End) RowsOf(int part) => ComputeContext.PartRange(Rows, Granule, Math.Max(1, Parts), part);
    }
}

/// <summary>The first layer's input projections of an inference forward, precomputed (see <see cref="LstmStack.FirstLayerProjection"/>).</summary>
internal unsafe interface IFirstLayerProjection
{
    /// <summary>Writes direction <paramref name="direction"/>'s x·W_ihᵀ + b_ih + b_hh of packed rows [<paramref name="firstRow"/>, + <paramref name="rows"/>) into gates [rows × <paramref name="width"/>].</summary>
    void Write(int direction, float* gates, int firstRow, int rows, int width);
}
