using System.Runtime.CompilerServices;

namespace Lstm.MLNet.Compute;

/// <summary>
/// Vectorised elementwise kernels for the training primitives (optimizers, clipping, pooling), written
/// once over <see cref="ISimdFloat{TSelf}"/> and dispatched on a <see cref="SimdPath"/> by <see cref="SimdDispatch"/>. None of them
/// uses a fused multiply-add, so every path rounds exactly like the scalar one: results are
/// bit-identical across paths (except <see cref="SumOfSquares"/>, whose summation order follows the
/// vector width).
/// </summary>
internal static unsafe class ElementwiseOps
{
    // ------------------------------------------------------------------ y += α·x

    /// <summary>y[i] += α·x[i] (a multiply then an add, never fused).</summary>
    public static void AddScaled(SimdPath path, float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        CheckSameLength(x.Length, y.Length);
        fixed (float* px = x) fixed (float* py = y)
            SimdDispatch.Run(path, new AddScaledKernel { Alpha = alpha, X = px, Y = py, N = x.Length });
    }

    private struct AddScaledKernel : ISimdKernel
    {
        public float Alpha; public float* X, Y; public int N;
        public readonly void Run<V>() where V : unmanaged, ISimdFloat<V> => AddScaled<V>(Alpha, X, Y, N);
    }

    public static void AddScaled<V>(float alpha, float* x, float* y, int n) where V : unmanaged, ISimdFloat<V>
    {
        V a = V.Broadcast(alpha);
        int i = 0;
        for (; i <= n - V.Count; i += V.Count) V.Store(y + i, V.Add(V.Load(y + i), V.Multiply(a, V.Load(x + i))));
        for (; i < n; i++) y[i] += alpha * x[i];
    }

    // ------------------------------------------------------------------ y += x

    /// <summary>y[i] += x[i].</summary>
    public static void Add(SimdPath path, ReadOnlySpan<float> x, Span<float> y)
    {
        CheckSameLength(x.Length, y.Length);
        fixed (float* px = x) fixed (float* py = y)
            SimdDispatch.Run(path, new AddKernel { X = px, Y = py, N = x.Length });
    }

    private struct AddKernel : ISimdKernel
    {
        public float* X, Y; public int N;
        public readonly void Run<V>() where V : unmanaged, ISimdFloat<V> => Add<V>(X, Y, N);
    }

    public static void Add<V>(float* x, float* y, int n) where V : unmanaged, ISimdFloat<V>
    {
        int i = 0;
        for (; i <= n - V.Count; i += V.Count) V.Store(y + i, V.Add(V.Load(y + i), V.Load(x + i)));
        for (; i < n; i++) y[i] += x[i];
    }

    // ------------------------------------------------------------------ x *= α, x *= m

    /// <summary>x[i] *= α.</summary>
    public static void Scale(SimdPath path, float alpha, Span<float> x)
    {
        fixed (float* px = x)
            SimdDispatch.Run(path, new ScaleKernel { Alpha = alpha, X = px, N = x.Length });
    }

    private struct ScaleKernel : ISimdKernel
    {
        public float Alpha; public float* X; public int N;
        public readonly void Run<V>() where V : unmanaged, ISimdFloat<V> => Scale<V>(Alpha, X, N);
    }

    public static void Scale<V>(float alpha, float* x, int n) where V : unmanaged, ISimdFloat<V>
    {
        V a = V.Broadcast(alpha);
        int i = 0;
        for (; i <= n - V.Count; i += V.Count) V.Store(x + i, V.Multiply(V.Load(x + i), a));
        for (; i < n; i++) x[i] *= alpha;
    }

    /// <summary>x[i] *= m[i] (applying a dropout mask).</summary>
    public static void Multiply(SimdPath path, ReadOnlySpan<float> m, Span<float> x)
    {
        CheckSameLength(m.Length, x.Length);
        fixed (float* pm = m) fixed (float* px = x)
            SimdDispatch.Run(path, new MultiplyKernel { M = pm, X = px, N = x.Length });
    }

    private struct MultiplyKernel : ISimdKernel
    {
        public float* M, X; public int N;
        public readonly void Run<V>() where V : unmanaged, ISimdFloat<V> => Multiply<V>(M, X, N);
    }

    public static void Multiply<V>(float* m, float* x, int n) where V : unmanaged, ISimdFloat<V>
    {
        int i = 0;
        for (; i <= n - V.Count; i += V.Count) V.Store(x + i, V.Multiply(V.Load(x + i), V.Load(m + i)));
        for (; i < n; i++) x[i] *= m[i];
    }

    // ------------------------------------------------------------------ Σ x²

    /// <summary>Elements squared and summed in float per block, then the blocks in double.</summary>
    private const int SumBlock = 1024;

    /// <summary>
    /// Σ x[i]², deterministic for a given path: float partial sums over fixed blocks of
    /// <see cref="SumBlock"/> elements (error ~1e-7·√block relative), added in order in double so
    /// millions of terms lose no precision.
    /// </summary>
    public static double SumOfSquares(SimdPath path, ReadOnlySpan<float> x)
    {
        fixed (float* px = x)
            return SimdDispatch.Run<SumOfSquaresKernel, double>(path, new SumOfSquaresKernel { X = px, N = x.Length });
    }

    private struct SumOfSquaresKernel : ISimdKernel<double>
    {
        public float* X; public int N;
        public readonly double Run<V>() where V : unmanaged, ISimdFloat<V> => SumOfSquares<V>(X, N);
    }

    public static double SumOfSquares<V>(float* x, int n) where V : unmanaged, ISimdFloat<V>
    {
        double total = 0;
        for (int start = 0; start < n; start += SumBlock)
        {
            int end = Math.Min(n, start + SumBlock), i = start;
            // Two accumulators hide the add latency; the block stays in L1.
            V s0 = V.Zero, s1 = V.Zero;
            for (; i <= end - 2 * V.Count; i += 2 * V.Count)
            {
                V a = V.Load(x + i), b = V.Load(x + i + V.Count);
                s0 = V.Add(s0, V.Multiply(a, a));
                s1 = V.Add(s1, V.Multiply(b, b));
            }
            float block = V.Sum(V.Add(s0, s1));
            for (; i < end; i++) block += x[i] * x[i];
            total += block;
        }
        return total;
    }

    private static void CheckSameLength(int a, int b)
    {
        if (a != b) throw new ArgumentException($"Operands differ in length: {a} vs {b}.");
    }
}
