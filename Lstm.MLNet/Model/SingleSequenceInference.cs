using System.Runtime.CompilerServices;
using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Model;

/// <summary>
/// What batch-1 inference of a token classifier shares between threads, built once per weights version and SIMD path
/// and then only read: every layer-direction's W_hhᵀ and W_ihᵀ packed for one-row products (<see cref="RowPackedMatrix"/>),
/// the summed biases, and the first layer's input projections per token (<see cref="TokenProjectionTable"/>), which
/// turn the first layer's x_t·W_ihᵀ + b into a row lookup. One sequence then costs h·W_hhᵀ per step and layer-direction
/// (plus x_t·W_ihᵀ in the layers above the first).
/// </summary>
internal sealed unsafe class SingleSequenceWeights
{
    /// <param name="path">the SIMD path the packed layouts are for</param>
    /// <param name="parameters">the LSTM's weights (read, packed, never written)</param>
    /// <param name="embedding">[V × E] the token embedding the first layer reads</param>
    /// <param name="vocabularySize">V: the number of token ids</param>
    /// <param name="dense">the head's output layer</param>
    /// <param name="tableBudgetFloats">The most floats the token table may ever hold (V × D × padded 4H); above it each step computes its token's projection.</param>
    public SingleSequenceWeights(SimdPath path, LstmParameters parameters, float[] embedding, int vocabularySize, Dense dense, long tableBudgetFloats)
    {
        if (dense.Inputs != parameters.Shape.OutputSize)
            throw new ArgumentException($"The dense layer reads {dense.Inputs} values; the LSTM gives {parameters.Shape.OutputSize}.", nameof(dense));
        var shape = parameters.Shape;
        Path = path;
        Shape = shape;
        Embedding = embedding;
        VocabularySize = vocabularySize;
        int cells = shape.NumberOfLayers * shape.Directions, G = 4 * shape.HiddenSize;
        Recurrent = new RowPackedMatrix[cells];
        Input = new RowPackedMatrix[cells];
        Biases = new PinnedBuffer[cells];
        for (int l = 0; l < shape.NumberOfLayers; l++)
            for (int d = 0; d < shape.Directions; d++)
            {
                var p = parameters[l, d];
                int cell = l * shape.Directions + d;
                fixed (float* whh = p.WeightHH) Recurrent[cell] = new RowPackedMatrix(path, shape.HiddenSize, G, whh, transpose: true);
                fixed (float* wih = p.WeightIH) Input[cell] = new RowPackedMatrix(path, shape.LayerInputSize(l), G, wih, transpose: true);
                Biases[cell] = new PinnedBuffer();
                float* bias = Biases[cell].Ensure(Recurrent[cell].PaddedColumns, clear: true);
                for (int j = 0; j < G; j++) bias[j] = p.BiasIH[j] + p.BiasHH[j];
            }
        PaddedGates = Recurrent[0].PaddedColumns;
        fixed (float* weight = dense.Weight) Dense = new RowPackedMatrix(path, dense.Inputs, dense.Outputs, weight, transpose: true);
        float* denseBias = DenseBias.Ensure(Dense.PaddedColumns, clear: true);
        dense.Bias.CopyTo(new Span<float>(denseBias, dense.Outputs));
        long tableFloats = (long)vocabularySize * shape.Directions * PaddedGates;
        Table = tableFloats <= tableBudgetFloats ? new TokenProjectionTable(vocabularySize, shape.Directions * PaddedGates) : null;
    }

    public SimdPath Path { get; }
    public LstmShape Shape { get; }
    /// <summary>The embedding [V × E] (shared with the network, read only).</summary>
    public float[] Embedding { get; }
    public int VocabularySize { get; }
    /// <summary>4H rounded up to whole <see cref="RowPackedMatrix"/> panels: the length of a gate row here.</summary>
    public int PaddedGates { get; }
    /// <summary>[layer · D + direction] W_hhᵀ [H × 4H].</summary>
    public RowPackedMatrix[] Recurrent { get; }
    /// <summary>[layer · D + direction] W_ihᵀ [in × 4H].</summary>
    public RowPackedMatrix[] Input { get; }
    /// <summary>[layer · D + direction] b_ih + b_hh, zero-padded to <see cref="PaddedGates"/>.</summary>
    public PinnedBuffer[] Biases { get; }
    /// <summary>The dense layer's Wᵀ [D·H × K].</summary>
    public RowPackedMatrix Dense { get; }
    /// <summary>The dense layer's bias, zero-padded to <see cref="RowPackedMatrix.PaddedColumns"/> of <see cref="Dense"/>.</summary>
    public PinnedBuffer DenseBias { get; } = new();
    /// <summary>The first layer's projections per token, or null when V × D × 4H is over the budget.</summary>
    public TokenProjectionTable? Table { get; }

    /// <summary>
    /// The first layer's gate pre-activations of token <paramref name="id"/> for every direction, [D × padded 4H]:
    /// the table's row (computed at first sight), or, without a table, computed into <paramref name="scratch"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float* TokenProjection<V>(int id, float* scratch) where V : unmanaged, ISimdFloat<V>
    {
        if (Table is not { } table)
        {
            Project<V>(id, scratch);
            return scratch;
        }
        float* row = table.Row(id, out bool filled);
        if (!filled)
        {
            Project<V>(id, row);
            table.MarkFilled(id);
        }
        return row;
    }

    /// <summary>destination [D × padded 4H] = embedding[id]·W_ihᵀ + b_ih + b_hh per direction.</summary>
    private void Project<V>(int id, float* destination) where V : unmanaged, ISimdFloat<V>
    {
        int E = Shape.InputSize;
        fixed (float* embedding = Embedding)
        {
            float* x = embedding + (long)id * E;
            for (int d = 0; d < Shape.Directions; d++)
            {
                float* y = destination + d * PaddedGates;
                new Span<float>(Biases[d].Pointer, PaddedGates).CopyTo(new Span<float>(y, PaddedGates));
                RowGemv<V>.MultiplyAdd(x, Input[d], y, y);
            }
        }
    }
}

/// <summary>
/// The token table as the batched LSTM's first-layer projection (<see cref="IFirstLayerProjection"/>): each packed row's
/// gates are its token's row, which holds exactly what the GEMM over the embedded row computes (<see cref="RowGemv{V}"/>
/// sums as <see cref="Gemm"/> does), so batched inference skips the first layer's input GEMM and stays bit-identical.
/// </summary>
internal sealed unsafe class TokenTableProjection(SingleSequenceWeights weights) : IFirstLayerProjection
{
    /// <summary>The weights whose table this reads (a new projection serves new weights).</summary>
    public SingleSequenceWeights Weights => weights;

    private int[] _ids = [];
    private int _count;
    private readonly PinnedBuffer _scratch = new();

    /// <summary>The packed rows' token ids of the next forward, [N] in packed order (copied).</summary>
    public void SetTokens(ReadOnlySpan<int> packedIds)
    {
        if (_ids.Length < packedIds.Length) _ids = new int[packedIds.Length];
        packedIds.CopyTo(_ids);
        _count = packedIds.Length;
    }

    public void Write(int direction, float* gates, int firstRow, int rows, int width)
    {
        if (firstRow < 0 || rows < 0 || firstRow + rows > _count)
            throw new InvalidOperationException($"The projection holds {_count} rows' tokens; the forward asks for rows [{firstRow}, {firstRow + rows}).");
        SimdDispatch.Run(weights.Path, new Rows
        {
            Weights = weights, Ids = _ids, Scratch = _scratch.Ensure(weights.Shape.Directions * weights.PaddedGates),
            Direction = direction, Gates = gates, First = firstRow, Count = rows, Width = width,
        });
    }

    private struct Rows : ISimdKernel
    {
        public SingleSequenceWeights Weights; public int[] Ids; public float* Scratch, Gates; public int Direction, First, Count, Width;

        public readonly void Run<V>() where V : unmanaged, ISimdFloat<V>
        {
            int offset = Direction * Weights.PaddedGates;
            for (int r = 0; r < Count; r++)
                new ReadOnlySpan<float>(Weights.TokenProjection<V>(Ids[First + r], Scratch) + offset, Width).CopyTo(new Span<float>(Gates + (long)r * Width, Width));
        }
    }
}

/// <summary>
/// Rows [V × width] filled lazily, one token at a time, in pages of <see cref="PageRows"/> tokens allocated at a page's
/// first token: memory grows with the tokens actually seen, never past V × width (which the caller bounds). Safe for
/// concurrent readers and fillers: a row is computed deterministically from read-only weights, so two threads filling
/// the same row write the same bits, and its flag is published (release) only after its values.
/// </summary>
internal sealed unsafe class TokenProjectionTable
{
    private const int PageShift = 6;
    /// <summary>Tokens per page.</summary>
    public const int PageRows = 1 << PageShift;

    private readonly float[]?[] _pages;
    private readonly nint[] _pagePointers;
    private readonly byte[] _filled;
    private readonly int _width;

    public TokenProjectionTable(int rows, int width)
    {
        _width = width;
        _pages = new float[(rows + PageRows - 1) >> PageShift][];
        _pagePointers = new nint[_pages.Length];
        _filled = new byte[rows];
    }

    /// <summary>Tokens whose rows are filled (for tests and diagnostics).</summary>
    public int FilledRows => _filled.Count(f => f != 0);

    /// <summary>Row <paramref name="id"/>; <paramref name="filled"/> false means the caller must fill it, then call <see cref="MarkFilled"/>.</summary>
    public float* Row(int id, out bool filled)
    {
        filled = Volatile.Read(ref _filled[id]) != 0;
        int page = id >> PageShift;
        nint pointer = Volatile.Read(ref _pagePointers[page]);
        if (pointer == 0) pointer = AllocatePage(page);
        return (float*)pointer + (long)(id & (PageRows - 1)) * _width;
    }

    public void MarkFilled(int id) => Volatile.Write(ref _filled[id], 1);

    private nint AllocatePage(int page)
    {
        var fresh = GC.AllocateArray<float>(PageRows * _width, pinned: true);
        var winner = Interlocked.CompareExchange(ref _pages[page], fresh, null) ?? fresh;
        nint pointer = (nint)Unsafe.AsPointer(ref winner[0]);
        Volatile.Write(ref _pagePointers[page], pointer);
        return pointer;
    }
}

/// <summary>
/// Shared between a network and its inference views: the <see cref="SingleSequenceWeights"/> of the current weights.
/// Whatever changes the weights (a training step, a restore, a load) calls <see cref="Invalidate"/>, and the next
/// single-sequence prediction rebuilds them.
/// </summary>
internal sealed class SingleSequenceCache
{
    private readonly object _gate = new();
    private int _version;
    private Built? _current;

    private sealed record Built(SingleSequenceWeights Weights, int Version);

    public void Invalidate() => Interlocked.Increment(ref _version);

    public SingleSequenceWeights Get<TState>(SimdPath path, TState state, Func<SimdPath, TState, SingleSequenceWeights> build)
    {
        int version = Volatile.Read(ref _version);
        if (Volatile.Read(ref _current) is { } current && current.Version == version && current.Weights.Path == path) return current.Weights;
        lock (_gate)
        {
            if (_current is { } again && again.Version == version && again.Weights.Path == path) return again.Weights;
            var weights = build(path, state);
            Volatile.Write(ref _current, new Built(weights, version));
            return weights;
        }
    }
}

/// <summary>
/// One sequence through the LSTM, pooling and dense layer with the <see cref="SingleSequenceWeights"/>: per step
/// and layer-direction one <see cref="RowGemv{V}"/> over W_hhᵀ started from the step's input projection, then the fused
/// cell update (<see cref="CellKernels{V}"/>); the top layer's forward direction pools as it goes (its steps come in the
/// order the batched pooling reads them), the reverse direction pools its stored outputs after its last step. Keeps its
/// scratch between calls (one per thread) and allocates nothing per call once it has seen the longest sequence.
/// Bit-identical to the batched path (<see cref="RowGemv{V}"/> sums as <see cref="Gemm"/> does, the pooling reads in the
/// same order as <see cref="SequencePooling"/>).
/// </summary>
internal sealed unsafe class SingleSequenceRunner
{
    private readonly PinnedBuffer _gates = new();       // [padded 4H]
    private readonly PinnedBuffer _cell = new();        // [H]
    private readonly PinnedBuffer _projection = new();  // [D × padded 4H] the first layer's projection without a table
    private readonly PinnedBuffer _below = new();       // [T × D·H] the output of the layer below
    private readonly PinnedBuffer _current = new();     // [T × D·H] this layer's output
    private readonly PinnedBuffer _pooled = new();      // [D·H]
    private readonly PinnedBuffer _outputs = new();     // [padded K]

    /// <summary>Writes the dense layer's outputs [K] for <paramref name="tokens"/> (empty: the single token 0).</summary>
    public void Run(SingleSequenceWeights weights, ReadOnlySpan<int> tokens, LstmPooling pooling, Span<float> outputs)
    {
        int V = weights.VocabularySize, K = weights.Dense.Columns;
        for (int t = 0; t < tokens.Length; t++)
            if ((uint)tokens[t] >= (uint)V)
                throw new ArgumentOutOfRangeException(nameof(tokens), tokens[t], $"Token {t} of the sequence: ids must be in [0, {V}).");
        if (outputs.Length < K)
            throw new ArgumentException($"The outputs hold {outputs.Length} floats; the dense layer has {K}.", nameof(outputs));
        if (pooling is not (LstmPooling.Max or LstmPooling.Mean or LstmPooling.Last))
            throw new ArgumentOutOfRangeException(nameof(pooling), pooling, "Unknown pooling.");
        var shape = weights.Shape;
        int T = Math.Max(1, tokens.Length), W = shape.OutputSize;
        _gates.Ensure(weights.PaddedGates);
        _cell.Ensure(shape.HiddenSize);
        _projection.Ensure(shape.Directions * weights.PaddedGates);
        _below.Ensure(CheckedSize.Of(T, W, "single-sequence layer output"));
        _current.Ensure(T * W);
        _pooled.Ensure(W);
        _outputs.Ensure(weights.Dense.PaddedColumns);
        fixed (int* ids = tokens)
            SimdDispatch.Run(weights.Path, new Forward { Runner = this, Weights = weights, Tokens = ids, Count = tokens.Length, Pooling = pooling });
        new ReadOnlySpan<float>(_outputs.Pointer, K).CopyTo(outputs);
    }

    private struct Forward : ISimdKernel
    {
        public SingleSequenceRunner Runner;
        public SingleSequenceWeights Weights;
        public int* Tokens;
        public int Count;
        public LstmPooling Pooling;

        public readonly void Run<V>() where V : unmanaged, ISimdFloat<V> => Runner.Sequence<V>(Weights, Tokens, Count, Pooling);
    }

    private void Sequence<V>(SingleSequenceWeights w, int* tokens, int count, LstmPooling pooling) where V : unmanaged, ISimdFloat<V>
    {
        var shape = w.Shape;
        int T = Math.Max(1, count), H = shape.HiddenSize, D = shape.Directions, L = shape.NumberOfLayers, W = shape.OutputSize, Gp = w.PaddedGates;
        float* gates = _gates.Pointer, cell = _cell.Pointer, pooled = _pooled.Pointer;
        float* below = _below.Pointer, current = _current.Pointer;
        for (int l = 0; l < L; l++)
        {
            bool top = l == L - 1;
            for (int d = 0; d < D; d++)
            {
                int index = l * D + d;
                var recurrent = w.Recurrent[index];
                float* bias = w.Biases[index].Pointer;
                bool poolAsWeGo = top && d == 0 && pooling != LstmPooling.Last;
                for (int s = 0; s < T; s++)
                {
                    int t = d == 0 ? s : T - 1 - s;
                    // The step's input projection x_t·W_ihᵀ + b: a table row in the first layer, a product above it.
                    float* projection;
                    if (l == 0) projection = w.TokenProjection<V>(count == 0 ? 0 : tokens[t], _projection.Pointer) + d * Gp;
                    else
                    {
                        RowGemv<V>.MultiplyAdd(below + (long)t * W, w.Input[index], bias, gates);
                        projection = gates;
                    }
                    if (s > 0)
                    {
                        int previous = d == 0 ? t - 1 : t + 1;
                        RowGemv<V>.MultiplyAdd(current + (long)previous * W + d * H, recurrent, projection, gates);
                    }
                    else if (projection != gates) new Span<float>(projection, Gp).CopyTo(new Span<float>(gates, Gp));

                    float* h = current + (long)t * W + d * H;
                    CellKernels<V>.Forward(gates, s == 0 ? null : cell, cell, h, H);
                    if (poolAsWeGo) Pool<V>(pooling, h, pooled, H, s, T);
                }
                if (top && pooling == LstmPooling.Last)
                {
                    // The final state: the last step forward, step 0 in reverse.
                    int final = d == 0 ? T - 1 : 0;
                    new Span<float>(current + (long)final * W + d * H, H).CopyTo(new Span<float>(pooled + d * H, H));
                }
                else if (top && d > 0)
                    for (int t = 0; t < T; t++) Pool<V>(pooling, current + (long)t * W + d * H, pooled + d * H, H, t, T);
            }
            if (!top) { float* swap = below; below = current; current = swap; }
        }
        RowGemv<V>.MultiplyAdd(pooled, w.Dense, w.DenseBias.Pointer, _outputs.Pointer);
    }

    /// <summary>
    /// Folds step <paramref name="t"/> (in ascending order) of one direction's outputs into its pooled slice, as
    /// <see cref="SequencePooling.Forward"/> does: max (the first on ties), or the sum scaled by 1/length at the end.
    /// </summary>
    private static void Pool<V>(LstmPooling pooling, float* h, float* pooled, int H, int t, int length) where V : unmanaged, ISimdFloat<V>
    {
        if (pooling == LstmPooling.Max)
        {
            if (t == 0) new Span<float>(h, H).CopyTo(new Span<float>(pooled, H));
            else for (int j = 0; j < H; j++) if (h[j] > pooled[j]) pooled[j] = h[j];
            return;
        }
        if (t == 0) new Span<float>(pooled, H).Clear();
        ElementwiseOps.Add<V>(h, pooled, H);
        if (t == length - 1) ElementwiseOps.Scale<V>(1f / length, pooled, H);
    }
}
