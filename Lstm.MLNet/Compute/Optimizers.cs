using System.Runtime.CompilerServices;

namespace Lstm.MLNet.Compute;

/// <summary>
/// The gradient of an embedding table [RowCount × RowWidth] as the rows a batch touched: each touched
/// row once, however often its id occurred (duplicates are summed in the order they were added, so the
/// sum is deterministic), listed by ascending row id. A batch touches a few hundred rows of a table
/// that may have tens of thousands; the optimizers update only those (<see cref="Optimizer.Add(float[], SparseRowGradient)"/>).
/// </summary>
internal sealed class SparseRowGradient
{
    private readonly int[] _slotOfRow;  // [RowCount]: slot holding the row's gradient, −1 if untouched
    private int[] _rows;                // [capacity]: row id of each slot
    private float[] _values;            // [capacity × RowWidth]: gradient of each slot
    private int[] _order = [];          // scratch for sorting slots by row id
    private float[] _sortedValues = [];
    private bool _sorted = true;        // slots are in ascending row order

    /// <summary>A gradient for a [<paramref name="rowCount"/> × <paramref name="rowWidth"/>] table; its row sums run on <paramref name="context"/>'s path (default <see cref="ComputeContext.Default"/>).</summary>
    public SparseRowGradient(int rowCount, int rowWidth, ComputeContext? context = null)
    {
        if (rowCount < 1) throw new ArgumentOutOfRangeException(nameof(rowCount), rowCount, "The table needs at least one row.");
        if (rowWidth < 1) throw new ArgumentOutOfRangeException(nameof(rowWidth), rowWidth, "A row needs at least one value.");
        RowCount = rowCount;
        RowWidth = rowWidth;
        _context = context ?? ComputeContext.Default;
        _slotOfRow = new int[rowCount];
        Array.Fill(_slotOfRow, -1);
        int capacity = Math.Min(rowCount, 64);
        _rows = new int[capacity];
        _values = new float[capacity * rowWidth];
    }

    /// <summary>Rows of the table.</summary>
    public int RowCount { get; }
    /// <summary>Where the row sums run (the owning network's context).</summary>
    public ComputeContext Context
    {
        get => _context;
        set => _context = value ?? throw new ArgumentNullException(nameof(value));
    }
    private ComputeContext _context;
    /// <summary>Values per row.</summary>
    public int RowWidth { get; }
    /// <summary>Distinct rows touched since the last <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    /// <summary>The touched row ids, ascending.</summary>
    public ReadOnlySpan<int> Rows
    {
        get { Coalesce(); return _rows.AsSpan(0, Count); }
    }

    /// <summary>The gradients of <see cref="Rows"/>, [Count × RowWidth] in the same order (writable: clipping scales them).</summary>
    public Span<float> Values
    {
        get { Coalesce(); return _values.AsSpan(0, Count * RowWidth); }
    }

    /// <summary>Adds <paramref name="gradient"/> [RowWidth] to row <paramref name="row"/>'s gradient.</summary>
    public void Add(int row, ReadOnlySpan<float> gradient)
    {
        if ((uint)row >= (uint)RowCount)
            throw new ArgumentOutOfRangeException(nameof(row), row, $"Row ids must be in [0, {RowCount}).");
        if (gradient.Length != RowWidth)
            throw new ArgumentException($"A row gradient has {RowWidth} values; got {gradient.Length}.", nameof(gradient));
        int slot = _slotOfRow[row];
        if (slot < 0) slot = NewSlot(row);
        // Addition is exact per element, so the path cannot change the result.
        ElementwiseOps.Add(_context.Path, gradient, _values.AsSpan(slot * RowWidth, RowWidth));
    }

    /// <summary>Adds row i of <paramref name="gradients"/> [rows.Length × RowWidth] to row <c>rows[i]</c>, in order.</summary>
    public void AddRows(ReadOnlySpan<int> rows, ReadOnlySpan<float> gradients)
    {
        if (gradients.Length != rows.Length * RowWidth)
            throw new ArgumentException($"{rows.Length} rows of {RowWidth} need {rows.Length * RowWidth} values; got {gradients.Length}.", nameof(gradients));
        for (int i = 0; i < rows.Length; i++) Add(rows[i], gradients.Slice(i * RowWidth, RowWidth));
    }

    /// <summary>Forgets every touched row (cost proportional to <see cref="Count"/>, not to the table).</summary>
    public void Clear()
    {
        for (int s = 0; s < Count; s++) _slotOfRow[_rows[s]] = -1;
        Count = 0;
        _sorted = true;
    }

    /// <summary>Writes the gradient as a dense table [RowCount × RowWidth] (zeros in untouched rows).</summary>
    public void CopyTo(Span<float> dense)
    {
        if (dense.Length != RowCount * RowWidth)
            throw new ArgumentException($"The dense table needs {RowCount * RowWidth} values; got {dense.Length}.", nameof(dense));
        dense.Clear();
        var rows = Rows;
        var values = Values;
        for (int k = 0; k < rows.Length; k++)
            values.Slice(k * RowWidth, RowWidth).CopyTo(dense.Slice(rows[k] * RowWidth, RowWidth));
    }

    private int NewSlot(int row)
    {
        if (Count == _rows.Length)
        {
            int capacity = Math.Min(RowCount, 2 * _rows.Length);
            Array.Resize(ref _rows, capacity);
            Array.Resize(ref _values, capacity * RowWidth);
        }
        int slot = Count++;
        _sorted &= slot == 0 || row > _rows[slot - 1];
        _rows[slot] = row;
        _slotOfRow[row] = slot;
        _values.AsSpan(slot * RowWidth, RowWidth).Clear();
        return slot;
    }

    /// <summary>Reorders the slots by ascending row id, so updates walk the table in order.</summary>
    private void Coalesce()
    {
        if (_sorted) return;
        int n = Count, w = RowWidth;
        if (_order.Length < n) _order = new int[_rows.Length];
        // The buffers swap roles below, so both must always hold the full capacity.
        if (_sortedValues.Length != _values.Length) _sortedValues = new float[_values.Length];
        var order = _order.AsSpan(0, n);
        for (int s = 0; s < n; s++) order[s] = s;
        _rows.AsSpan(0, n).Sort(order); // row ids are unique, so the order is fully determined
        for (int k = 0; k < n; k++)
        {
            _values.AsSpan(order[k] * w, w).CopyTo(_sortedValues.AsSpan(k * w, w));
            _slotOfRow[_rows[k]] = k;
        }
        (_values, _sortedValues) = (_sortedValues, _values);
        _sorted = true;
    }
}

/// <summary>
/// A first-order optimizer over parameters registered once with their gradients: dense tensors
/// (<see cref="Add(float[], float[])"/>) and row-sparse embedding tables
/// (<see cref="Add(float[], SparseRowGradient)"/>, updated lazily: only the touched rows and their
/// optimizer state move). Hyperparameters are doubles, as PyTorch's Python floats; each step's
/// coefficients are computed in double and rounded to float once. Updates are elementwise without
/// fused multiply-adds, so every <see cref="SimdPath"/> gives bit-identical parameters.
/// <para>Typical loop: <see cref="ZeroGradients"/>, forward/backward (adding into the gradients),
/// optionally <see cref="ClipGradientNorm"/>, then <see cref="Step"/>.</para>
/// </summary>
internal abstract unsafe class Optimizer
{
    private readonly List<DenseParameter> _dense = [];
    private readonly List<SparseParameter> _sparse = [];
    private ComputeContext _context;
    private double _learningRate;

    private protected Optimizer(double learningRate, double weightDecay, ComputeContext? context)
    {
        LearningRate = learningRate;
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "Weight decay must be non-negative.");
        WeightDecay = weightDecay;
        _context = context ?? ComputeContext.Default;
    }

    /// <summary>The SIMD path the updates run on (they are single-threaded: memory-bound and small next to the LSTM).</summary>
    public ComputeContext Context
    {
        get => _context;
        set => _context = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Step size; may change between steps (schedules).</summary>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            if (!(value >= 0)) throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be non-negative.");
            _learningRate = value;
        }
    }

    /// <summary>L2 penalty coefficient λ (see each optimizer for how it enters).</summary>
    public double WeightDecay { get; }

    /// <summary>Steps taken so far (t in the bias corrections).</summary>
    public long StepCount { get; private set; }

    /// <summary>Registers a dense parameter and the gradient array the backward pass adds into (same length).</summary>
    public void Add(float[] parameter, float[] gradient)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(gradient);
        if (parameter.Length != gradient.Length)
            throw new ArgumentException($"The gradient has {gradient.Length} values; the parameter has {parameter.Length}.", nameof(gradient));
        CheckNotRegistered(parameter);
        _dense.Add(new DenseParameter(parameter, gradient, NewState(parameter.Length)));
    }

    /// <summary>Registers an embedding table [gradient.RowCount × gradient.RowWidth] with its row-sparse gradient.</summary>
    public void Add(float[] table, SparseRowGradient gradient)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(gradient);
        if (table.Length != gradient.RowCount * gradient.RowWidth)
            throw new ArgumentException($"The table has {table.Length} values; the gradient describes [{gradient.RowCount} × {gradient.RowWidth}].", nameof(gradient));
        CheckNotRegistered(table);
        _sparse.Add(new SparseParameter(table, gradient, NewState(table.Length)));
    }

    /// <summary>Sets every registered gradient to zero.</summary>
    public void ZeroGradients()
    {
        foreach (var p in _dense) Array.Clear(p.Gradient);
        foreach (var p in _sparse) p.Gradient.Clear();
    }

    /// <summary>The global L2 norm of every registered gradient (sparse ones: their touched rows), summed in double.</summary>
    public float GradientNorm()
    {
        double sum = 0;
        foreach (var p in _dense) sum += ElementwiseOps.SumOfSquares(_context.Path, p.Gradient);
        foreach (var p in _sparse) sum += ElementwiseOps.SumOfSquares(_context.Path, p.Gradient.Values);
        return (float)Math.Sqrt(sum);
    }

    /// <summary>
    /// As <c>torch.nn.utils.clip_grad_norm_</c>: if the global norm exceeds <paramref name="maxNorm"/>,
    /// scales every gradient by maxNorm / (norm + 1e-6). Returns the norm before clipping. A non-finite
    /// norm is returned and nothing is scaled (the caller decides whether to skip the step).
    /// </summary>
    public float ClipGradientNorm(float maxNorm)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be positive.");
        float norm = GradientNorm();
        float scale = (float)(maxNorm / (norm + 1e-6));
        if (scale < 1f)
        {
            foreach (var p in _dense) ElementwiseOps.Scale(_context.Path, scale, p.Gradient);
            foreach (var p in _sparse) ElementwiseOps.Scale(_context.Path, scale, p.Gradient.Values);
        }
        return norm;
    }

    /// <summary>Updates every registered parameter from its gradient (gradients are left as they are).</summary>
    public void Step()
    {
        StepCount++;
        PrepareStep(StepCount);
        foreach (var p in _dense)
            fixed (float* values = p.Values) fixed (float* gradient = p.Gradient)
            fixed (float* state0 = p.State.Length > 0 ? p.State[0] : null) fixed (float* state1 = p.State.Length > 1 ? p.State[1] : null)
                Update(values, gradient, state0, state1, p.Values.Length);

        foreach (var p in _sparse)
        {
            int w = p.Gradient.RowWidth;
            var rows = p.Gradient.Rows;
            fixed (float* table = p.Table) fixed (float* gradient = p.Gradient.Values)
            fixed (float* state0 = p.State.Length > 0 ? p.State[0] : null) fixed (float* state1 = p.State.Length > 1 ? p.State[1] : null)
                for (int k = 0; k < rows.Length; k++)
                {
                    long offset = (long)rows[k] * w;
                    Update(table + offset, gradient + (long)k * w, state0 == null ? null : state0 + offset, state1 == null ? null : state1 + offset, w);
                }
        }
    }

    /// <summary>Float arrays of state per parameter element (Adam: 2 moments; SGD with momentum: 1 buffer).</summary>
    private protected abstract int StateArrays { get; }

    /// <summary>Computes the coefficients of step <paramref name="step"/> (1-based) before any <see cref="Update"/>.</summary>
    private protected abstract void PrepareStep(long step);

    /// <summary>Updates <paramref name="count"/> contiguous elements: parameter, gradient and state slices of one tensor.</summary>
    private protected abstract void Update(float* parameter, float* gradient, float* state0, float* state1, int count);

    private float[][] NewState(int length)
    {
        var state = new float[StateArrays][];
        for (int i = 0; i < state.Length; i++) state[i] = new float[length];
        return state;
    }

    private void CheckNotRegistered(float[] parameter)
    {
        if (_dense.Any(p => ReferenceEquals(p.Values, parameter)) || _sparse.Any(p => ReferenceEquals(p.Table, parameter)))
            throw new ArgumentException("This parameter is already registered.", nameof(parameter));
    }

    private sealed record DenseParameter(float[] Values, float[] Gradient, float[][] State);
    private sealed record SparseParameter(float[] Table, SparseRowGradient Gradient, float[][] State);
}

/// <summary>
/// Adam (Kingma &amp; Ba) with <c>torch.optim.Adam</c>'s arithmetic, or AdamW's decoupled weight decay
/// (<c>torch.optim.AdamW</c>). Per element, at step t:
/// <code>
///   g ← g + λ·p                       (Adam: L2 added to the gradient)
///   p ← p·(1 − lr·λ)                  (AdamW instead)
///   m ← β1·m + (1 − β1)·g
///   v ← β2·v + (1 − β2)·g²
///   p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
/// </code>
/// For sparse tables this is lazy Adam: only touched rows update their moments and values, with the
/// global t (as <c>torch.optim.SparseAdam</c>, which puts ε before the bias correction and has no
/// weight decay; here the formula is the dense one above, so a row touched every step follows dense Adam exactly).
/// </summary>
internal sealed unsafe class AdamOptimizer : Optimizer
{
    private AdamCoefficients _k;

    public AdamOptimizer(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
        double weightDecay = 0, bool decoupledWeightDecay = false, ComputeContext? context = null)
        : base(learningRate, weightDecay, context)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β1 must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "β2 must be in [0, 1).");
        if (!(epsilon >= 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be non-negative.");
        Beta1 = beta1; Beta2 = beta2; Epsilon = epsilon; DecoupledWeightDecay = decoupledWeightDecay;
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }
    /// <summary>AdamW: decay the weights directly instead of adding λ·p to the gradient.</summary>
    public bool DecoupledWeightDecay { get; }

    private protected override int StateArrays => 2;

    private protected override void PrepareStep(long step)
    {
        double biasCorrection1 = 1 - Math.Pow(Beta1, step), biasCorrection2 = 1 - Math.Pow(Beta2, step);
        _k = new AdamCoefficients
        {
            Beta1 = (float)Beta1, OneMinusBeta1 = (float)(1 - Beta1),
            Beta2 = (float)Beta2, OneMinusBeta2 = (float)(1 - Beta2),
            StepSize = (float)(LearningRate / biasCorrection1),
            SqrtBiasCorrection2 = (float)Math.Sqrt(biasCorrection2),
            Epsilon = (float)Epsilon,
            GradientDecay = DecoupledWeightDecay ? 0f : (float)WeightDecay,
            ParameterDecay = DecoupledWeightDecay ? (float)(1 - LearningRate * WeightDecay) : 1f,
        };
    }

    private protected override void Update(float* parameter, float* gradient, float* m, float* v, int count)
    {
        Context.Run(new UpdateKernel { P = parameter, G = gradient, M = m, V = v, N = count, K = _k });
    }

    private struct UpdateKernel : ISimdKernel
    {
        public float* P, G, M, V; public int N; public AdamCoefficients K;
        public readonly void Run<W>() where W : unmanaged, ISimdFloat<W> => Kernel<W>(P, G, M, V, N, K);
    }

    private static void Kernel<V>(float* p, float* g, float* m, float* v, int n, in AdamCoefficients k) where V : unmanaged, ISimdFloat<V>
    {
        int i = 0;
        for (; i <= n - V.Count; i += V.Count) Lanes<V>(p + i, g + i, m + i, v + i, k);
        for (; i < n; i++) Lanes<Scalar1>(p + i, g + i, m + i, v + i, k);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Lanes<W>(float* pp, float* pg, float* pm, float* pv, in AdamCoefficients k) where W : unmanaged, ISimdFloat<W>
    {
        W p = W.Load(pp), g = W.Load(pg);
        if (k.GradientDecay != 0f) g = W.Add(g, W.Multiply(W.Broadcast(k.GradientDecay), p));
        if (k.ParameterDecay != 1f) p = W.Multiply(p, W.Broadcast(k.ParameterDecay));
        W m = W.Add(W.Multiply(W.Broadcast(k.Beta1), W.Load(pm)), W.Multiply(W.Broadcast(k.OneMinusBeta1), g));
        W v = W.Add(W.Multiply(W.Broadcast(k.Beta2), W.Load(pv)), W.Multiply(W.Broadcast(k.OneMinusBeta2), W.Multiply(g, g)));
        W denominator = W.Add(W.Divide(W.Sqrt(v), W.Broadcast(k.SqrtBiasCorrection2)), W.Broadcast(k.Epsilon));
        p = W.Subtract(p, W.Multiply(W.Broadcast(k.StepSize), W.Divide(m, denominator)));
        W.Store(pm, m); W.Store(pv, v); W.Store(pp, p);
    }

    private struct AdamCoefficients
    {
        public float Beta1, OneMinusBeta1, Beta2, OneMinusBeta2, StepSize, SqrtBiasCorrection2, Epsilon, GradientDecay, ParameterDecay;
    }
}

/// <summary>
/// Stochastic gradient descent with <c>torch.optim.SGD</c>'s arithmetic (dampening 0). Per element:
/// <code>
///   g ← g + λ·p
///   b ← μ·b + g                        (momentum; b starts at 0, so the first step sets b = g as PyTorch does)
///   g ← g + μ·b  (Nesterov)  or  g ← b
///   p ← p − lr·g
/// </code>
/// For sparse tables the momentum buffer of a row moves only when the row is touched (lazy momentum);
/// without momentum and weight decay, the sparse update equals the dense one.
/// </summary>
internal sealed unsafe class SgdMomentumOptimizer : Optimizer
{
    private SgdCoefficients _k;

    public SgdMomentumOptimizer(double learningRate, double momentum = 0, bool nesterov = false, double weightDecay = 0,
        ComputeContext? context = null)
        : base(learningRate, weightDecay, context)
    {
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        if (nesterov && momentum == 0) throw new ArgumentException("Nesterov momentum needs a momentum above zero.", nameof(nesterov));
        Momentum = momentum; Nesterov = nesterov;
    }

    public double Momentum { get; }
    public bool Nesterov { get; }

    private protected override int StateArrays => Momentum != 0 ? 1 : 0;

    private protected override void PrepareStep(long step) => _k = new SgdCoefficients
    {
        LearningRate = (float)LearningRate, Momentum = (float)Momentum, WeightDecay = (float)WeightDecay, Nesterov = Nesterov,
    };

    private protected override void Update(float* parameter, float* gradient, float* buffer, float* unused, int count)
    {
        Context.Run(new UpdateKernel { P = parameter, G = gradient, B = buffer, N = count, K = _k });
    }

    private struct UpdateKernel : ISimdKernel
    {
        public float* P, G, B; public int N; public SgdCoefficients K;
        public readonly void Run<W>() where W : unmanaged, ISimdFloat<W> => Kernel<W>(P, G, B, N, K);
    }

    private static void Kernel<V>(float* p, float* g, float* b, int n, in SgdCoefficients k) where V : unmanaged, ISimdFloat<V>
    {
        int i = 0;
        for (; i <= n - V.Count; i += V.Count) Lanes<V>(p + i, g + i, b == null ? null : b + i, k);
        for (; i < n; i++) Lanes<Scalar1>(p + i, g + i, b == null ? null : b + i, k);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Lanes<W>(float* pp, float* pg, float* pb, in SgdCoefficients k) where W : unmanaged, ISimdFloat<W>
    {
        W p = W.Load(pp), g = W.Load(pg);
        if (k.WeightDecay != 0f) g = W.Add(g, W.Multiply(W.Broadcast(k.WeightDecay), p));
        if (pb != null)
        {
            W mu = W.Broadcast(k.Momentum);
            W b = W.Add(W.Multiply(mu, W.Load(pb)), g);
            W.Store(pb, b);
            g = k.Nesterov ? W.Add(g, W.Multiply(mu, b)) : b;
        }
        W.Store(pp, W.Subtract(p, W.Multiply(W.Broadcast(k.LearningRate), g)));
    }

    private struct SgdCoefficients
    {
        public float LearningRate, Momentum, WeightDecay;
        public bool Nesterov;
    }
}
