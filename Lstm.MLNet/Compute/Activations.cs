using System.Runtime.CompilerServices;

namespace Lstm.MLNet.Compute;

/// <summary>
/// Vectorised logistic sigmoid and tanh. Both come from one exp: a Cody–Waite range reduction and a
/// degree-6 polynomial on [-ln2/2, ln2/2] (max error ~1e-7 relative). The argument is clamped to
/// [-87, 89]: above 88.7 the result is exactly +∞ (2^128 from the exponent bits), so ±∞ and huge
/// inputs saturate to exact 0/1 (sigmoid) and ±1 (tanh) instead of NaN;
/// tanh(x) = 2·σ(2x) − 1 keeps the absolute error near 1e-7 around zero.
/// </summary>
internal static unsafe class Activations
{
    /// <summary>Lowest argument: 2^-126 is still a normal float.</summary>
    private const float ExpLow = -87f;
    /// <summary>Highest argument: rounds to n = 128, whose exponent bits encode +∞.</summary>
    private const float ExpHigh = 89f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static V Exp<V>(V x) where V : unmanaged, ISimdFloat<V>
    {
        // x second: a NaN argument stays NaN (a diverged pre-activation must not be clamped into a finite gate).
        x = V.Min(V.Broadcast(ExpHigh), V.Max(V.Broadcast(ExpLow), x));
        // n = round(x / ln 2); r = x − n·ln2 in two parts so r is exact to float precision.
        V n = V.RoundToNearest(V.Multiply(x, V.Broadcast(1.44269504088896341f)));
        V r = V.MultiplyAdd(n, V.Broadcast(-0.693359375f), x);
        r = V.MultiplyAdd(n, V.Broadcast(2.12194440e-4f), r);
        // e^r ≈ 1 + r + r²/2! + … + r⁶/6! (Horner).
        V p = V.Broadcast(1.3888889e-3f);
        p = V.MultiplyAdd(p, r, V.Broadcast(8.3333333e-3f));
        p = V.MultiplyAdd(p, r, V.Broadcast(4.1666667e-2f));
        p = V.MultiplyAdd(p, r, V.Broadcast(1.6666667e-1f));
        p = V.MultiplyAdd(p, r, V.Broadcast(0.5f));
        p = V.MultiplyAdd(p, r, V.Broadcast(1f));
        p = V.MultiplyAdd(p, r, V.Broadcast(1f));
        return V.Multiply(p, V.Pow2(n));
    }

    /// <summary>σ(x) = 1 / (1 + e^−x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static V Sigmoid<V>(V x) where V : unmanaged, ISimdFloat<V>
    {
        V one = V.Broadcast(1f);
        return V.Divide(one, V.Add(one, Exp(V.Subtract(V.Zero, x))));
    }

    /// <summary>tanh(x) = 2σ(2x) − 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static V Tanh<V>(V x) where V : unmanaged, ISimdFloat<V>
    {
        V one = V.Broadcast(1f);
        V s = Sigmoid(V.Add(x, x));
        return V.Subtract(V.Add(s, s), one);
    }

    /// <summary>destination[i] = σ(source[i]) on the given path (default: <see cref="ComputeContext.Default"/>'s).</summary>
    public static void Sigmoid(ReadOnlySpan<float> source, Span<float> destination, SimdPath? path = null) =>
        Apply(source, destination, path ?? ComputeContext.Default.Path, tanh: false);

    /// <summary>destination[i] = tanh(source[i]) on the given path (default: <see cref="ComputeContext.Default"/>'s).</summary>
    public static void Tanh(ReadOnlySpan<float> source, Span<float> destination, SimdPath? path = null) =>
        Apply(source, destination, path ?? ComputeContext.Default.Path, tanh: true);

    private static void Apply(ReadOnlySpan<float> source, Span<float> destination, SimdPath path, bool tanh)
    {
        if (destination.Length < source.Length)
            throw new ArgumentException($"Destination has {destination.Length} elements; the source has {source.Length}.", nameof(destination));
        if (!SimdSupport.IsSupported(path))
            throw new PlatformNotSupportedException($"This CPU does not support the {path} path.");
        fixed (float* s = source)
        fixed (float* d = destination)
            SimdDispatch.Run(path, new ApplyKernel { Source = s, Destination = d, N = source.Length, Tanh = tanh });
    }

    private struct ApplyKernel : ISimdKernel
    {
        public float* Source, Destination; public int N; public bool Tanh;
        public readonly void Run<V>() where V : unmanaged, ISimdFloat<V> => Apply<V>(Source, Destination, N, Tanh);
    }

    private static void Apply<V>(float* s, float* d, int n, bool tanh) where V : unmanaged, ISimdFloat<V>
    {
        int i = 0;
        for (; i <= n - V.Count; i += V.Count)
            V.Store(d + i, tanh ? Tanh(V.Load(s + i)) : Sigmoid(V.Load(s + i)));
        for (; i < n; i++)
            Scalar1.Store(d + i, tanh ? Tanh(Scalar1.Load(s + i)) : Sigmoid(Scalar1.Load(s + i)));
    }
}
