using System.Runtime.CompilerServices;

namespace Lstm.MLNet.Compute;

/// <summary>
/// The LSTM cell's elementwise work for one batch row, fused into one pass over the 4H gates so the
/// pre-activations are consumed while in L1. Gate blocks in PyTorch order: [i | f | g | o], each H wide.
/// </summary>
internal static unsafe class CellKernels<V> where V : unmanaged, ISimdFloat<V>
{
    /// <summary>
    /// Forward, one row. gates [4H]: pre-activations in, activations (i, f, g, o) out (kept for backward).
    /// c_t = f⊙c_{t-1} + i⊙g; h_t = o⊙tanh(c_t). <paramref name="cPrev"/> null means c_{t-1} = 0.
    /// </summary>
    // Not inlined: inlined into a dispatched step (dispatch → For → the row loop) the JIT's inlining budget ran out
    // inside this body and left Store/Multiply/Tanh as calls (about a third of a small model's forward time). Compiled
    // on its own, its vector lanes inline whole; one call per row costs nothing beside them.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Forward(float* gates, float* cPrev, float* c, float* h, int hidden)
    {
        int j = 0;
        for (; j <= hidden - V.Count; j += V.Count) ForwardLanes<V>(gates, cPrev, c, h, hidden, j);
        if (j < hidden) ForwardTail(gates, cPrev, c, h, hidden, j);
    }

    // The lanes past the last full vector, compiled apart so they get an inlining budget of their own too.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForwardTail(float* gates, float* cPrev, float* c, float* h, int hidden, int j)
    {
        for (; j < hidden; j++) ForwardLanes<Scalar1>(gates, cPrev, c, h, hidden, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardLanes<W>(float* gates, float* cPrev, float* c, float* h, int hidden, int j) where W : unmanaged, ISimdFloat<W>
    {
        float* gi = gates + j, gf = gi + hidden, gg = gf + hidden, go = gg + hidden;
        W i = Activations.Sigmoid(W.Load(gi));
        W f = Activations.Sigmoid(W.Load(gf));
        W g = Activations.Tanh(W.Load(gg));
        W o = Activations.Sigmoid(W.Load(go));
        W cp = cPrev == null ? W.Zero : W.Load(cPrev + j);
        W cn = W.MultiplyAdd(f, cp, W.Multiply(i, g));
        W.Store(gi, i); W.Store(gf, f); W.Store(gg, g); W.Store(go, o);
        W.Store(c + j, cn);
        W.Store(h + j, W.Multiply(o, Activations.Tanh(cn)));
    }

    /// <summary>
    /// Backward, one row. In: gate activations [4H], c_t, c_{t-1} (null = 0), dh_t (= dOutput_t + dh from
    /// step t+1; <paramref name="dOutput"/> null = 0) and dc_t. Out: pre-activation gradients dGates [4H]
    /// and dc_{t-1} (null = not needed), which may alias <paramref name="dcNext"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // as Forward: its own inlining budget
    public static void Backward(float* gates, float* c, float* cPrev, float* dOutput, float* dhNext, float* dcNext,
        float* dGates, float* dcPrev, int hidden)
    {
        int j = 0;
        for (; j <= hidden - V.Count; j += V.Count) BackwardLanes<V>(gates, c, cPrev, dOutput, dhNext, dcNext, dGates, dcPrev, hidden, j);
        if (j < hidden) BackwardTail(gates, c, cPrev, dOutput, dhNext, dcNext, dGates, dcPrev, hidden, j);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // as ForwardTail
    private static void BackwardTail(float* gates, float* c, float* cPrev, float* dOutput, float* dhNext, float* dcNext,
        float* dGates, float* dcPrev, int hidden, int j)
    {
        for (; j < hidden; j++) BackwardLanes<Scalar1>(gates, c, cPrev, dOutput, dhNext, dcNext, dGates, dcPrev, hidden, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardLanes<W>(float* gates, float* c, float* cPrev, float* dOutput, float* dhNext, float* dcNext,
        float* dGates, float* dcPrev, int hidden, int j) where W : unmanaged, ISimdFloat<W>
    {
        W one = W.Broadcast(1f);
        float* gi = gates + j;
        W i = W.Load(gi), f = W.Load(gi + hidden), g = W.Load(gi + 2 * hidden), o = W.Load(gi + 3 * hidden);
        W dh = W.Load(dhNext + j);
        if (dOutput != null) dh = W.Add(dh, W.Load(dOutput + j));
        W tc = Activations.Tanh(W.Load(c + j));
        // dc_t gathers the gradient through h_t = o⊙tanh(c_t) and from step t+1.
        W dc = W.MultiplyAdd(W.Multiply(dh, o), W.Subtract(one, W.Multiply(tc, tc)), W.Load(dcNext + j));
        W cp = cPrev == null ? W.Zero : W.Load(cPrev + j);
        float* dg = dGates + j;
        W.Store(dg, W.Multiply(W.Multiply(dc, g), W.Multiply(i, W.Subtract(one, i))));
        W.Store(dg + hidden, W.Multiply(W.Multiply(dc, cp), W.Multiply(f, W.Subtract(one, f))));
        W.Store(dg + 2 * hidden, W.Multiply(W.Multiply(dc, i), W.Subtract(one, W.Multiply(g, g))));
        W.Store(dg + 3 * hidden, W.Multiply(W.Multiply(dh, tc), W.Multiply(o, W.Subtract(one, o))));
        if (dcPrev != null) W.Store(dcPrev + j, W.Multiply(dc, f));
    }

    /// <summary>sums[j] += Σ_r rows[r·stride + j]: rows added in order, so the result is deterministic.</summary>
    public static void AddColumnSums(float* rows, int count, int width, int stride, float* sums)
    {
        for (int r = 0; r < count; r++)
        {
            float* row = rows + (long)r * stride;
            int j = 0;
            for (; j <= width - V.Count; j += V.Count) V.Store(sums + j, V.Add(V.Load(sums + j), V.Load(row + j)));
            for (; j < width; j++) sums[j] += row[j];
        }
    }
}
