using System.Runtime.CompilerServices;

namespace Lstm.MLNet.Compute;

/// <summary>
/// A register-blocked micro-kernel: C[MR×NR] (+)= A[MR×kc] · Bpanel[kc×NR], with B packed NR floats per k (BLIS
/// layout) and A's element (r, k) at <c>a[r·rowStride + k·depthStride]</c>: a packed panel (1, MR) or A in place
/// (lda, 1; or 1, lda for a transposed A), since a product whose packed A would serve one or two strips of B only pays
/// the copy. Every accumulator lives in a register for the whole kc loop; per element the products are added in k
/// order either way, so the strides never change the bits.
/// </summary>
internal unsafe interface IGemmMicroKernel
{
    /// <summary>
    /// How every kernel body is compiled: fully optimised at once, and never inlined into the driver, where its accumulators
    /// competed with the driver's variables for registers (Vector128's 4×3 kernel ran at half speed once profile-guided
    /// tiering had inlined it, after another path had run in the same process).
    /// </summary>
    const MethodImplOptions KernelCompilation = MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining;

    static abstract int MR { get; }
    static abstract int NR { get; }
    static abstract void Run(int kc, float* a, nint rowStride, nint depthStride, float* b, float* c, int ldc, bool accumulate);

    /// <summary>
    /// The first <paramref name="rows"/> (&lt; MR) rows of a full-width tile straight into C, reading only those rows of A;
    /// false when the kernel has no cheaper partial form (the driver then computes a whole tile of a packed panel into scratch).
    /// </summary>
    static abstract bool RunRows(int rows, int kc, float* a, nint rowStride, nint depthStride, float* b, float* c, int ldc, bool accumulate);
}

/// <summary>4 rows × 3 vectors: 12 accumulators, fits the 16-register AVX2/SSE/NEON files (4×24 floats for AVX2).</summary>
internal unsafe struct Kernel4x3<V> : IGemmMicroKernel where V : unmanaged, ISimdFloat<V>
{
    public static int MR => 4;
    public static int NR => 3 * V.Count;

    [MethodImpl(IGemmMicroKernel.KernelCompilation)]
    public static void Run(int kc, float* a, nint rowStride, nint depthStride, float* b, float* c, int ldc, bool accumulate)
    {
        int w = V.Count;
        nint r1 = rowStride, r2 = 2 * rowStride, r3 = 3 * rowStride;
        V c00 = V.Zero, c01 = V.Zero, c02 = V.Zero, c10 = V.Zero, c11 = V.Zero, c12 = V.Zero;
        V c20 = V.Zero, c21 = V.Zero, c22 = V.Zero, c30 = V.Zero, c31 = V.Zero, c32 = V.Zero;
        for (int k = 0; k < kc; k++)
        {
            V b0 = V.Load(b), b1 = V.Load(b + w), b2 = V.Load(b + 2 * w);
            V a0 = V.Broadcast(a[0]); c00 = V.MultiplyAdd(a0, b0, c00); c01 = V.MultiplyAdd(a0, b1, c01); c02 = V.MultiplyAdd(a0, b2, c02);
            V a1 = V.Broadcast(a[r1]); c10 = V.MultiplyAdd(a1, b0, c10); c11 = V.MultiplyAdd(a1, b1, c11); c12 = V.MultiplyAdd(a1, b2, c12);
            V a2 = V.Broadcast(a[r2]); c20 = V.MultiplyAdd(a2, b0, c20); c21 = V.MultiplyAdd(a2, b1, c21); c22 = V.MultiplyAdd(a2, b2, c22);
            V a3 = V.Broadcast(a[r3]); c30 = V.MultiplyAdd(a3, b0, c30); c31 = V.MultiplyAdd(a3, b1, c31); c32 = V.MultiplyAdd(a3, b2, c32);
            a += depthStride; b += 3 * w;
        }
        StoreRow(c, w, c00, c01, c02, accumulate); c += ldc;
        StoreRow(c, w, c10, c11, c12, accumulate); c += ldc;
        StoreRow(c, w, c20, c21, c22, accumulate); c += ldc;
        StoreRow(c, w, c30, c31, c32, accumulate);
    }

    public static bool RunRows(int rows, int kc, float* a, nint rowStride, nint depthStride, float* b, float* c, int ldc, bool accumulate) => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, int w, V x0, V x1, V x2, bool accumulate)
    {
        if (accumulate) { x0 = V.Add(x0, V.Load(c)); x1 = V.Add(x1, V.Load(c + w)); x2 = V.Add(x2, V.Load(c + 2 * w)); }
        V.Store(c, x0); V.Store(c + w, x1); V.Store(c + 2 * w, x2);
    }
}

/// <summary>
/// 6 rows × 4 vectors: 24 accumulators for the AVX-512 file (6×64 floats). Four B vectors per k halve the
/// broadcasts per FMA against 8×2 (6 per 24 instead of 8 per 16).
/// </summary>
internal unsafe struct Kernel6x4<V> : IGemmMicroKernel where V : unmanaged, ISimdFloat<V>
{
    public static int MR => 6;
    public static int NR => 4 * V.Count;

    [MethodImpl(IGemmMicroKernel.KernelCompilation)]
    public static void Run(int kc, float* a, nint rowStride, nint depthStride, float* b, float* c, int ldc, bool accumulate)
    {
        int w = V.Count;
        nint r1 = rowStride, r2 = 2 * rowStride, r3 = 3 * rowStride, r4 = 4 * rowStride, r5 = 5 * rowStride;
        V c00 = V.Zero, c01 = V.Zero, c02 = V.Zero, c03 = V.Zero, c10 = V.Zero, c11 = V.Zero, c12 = V.Zero, c13 = V.Zero;
        V c20 = V.Zero, c21 = V.Zero, c22 = V.Zero, c23 = V.Zero, c30 = V.Zero, c31 = V.Zero, c32 = V.Zero, c33 = V.Zero;
        V c40 = V.Zero, c41 = V.Zero, c42 = V.Zero, c43 = V.Zero, c50 = V.Zero, c51 = V.Zero, c52 = V.Zero, c53 = V.Zero;
        for (int k = 0; k < kc; k++)
        {
            V b0 = V.Load(b), b1 = V.Load(b + w), b2 = V.Load(b + 2 * w), b3 = V.Load(b + 3 * w);
            V a0 = V.Broadcast(a[0]); c00 = V.MultiplyAdd(a0, b0, c00); c01 = V.MultiplyAdd(a0, b1, c01); c02 = V.MultiplyAdd(a0, b2, c02); c03 = V.MultiplyAdd(a0, b3, c03);
            V a1 = V.Broadcast(a[r1]); c10 = V.MultiplyAdd(a1, b0, c10); c11 = V.MultiplyAdd(a1, b1, c11); c12 = V.MultiplyAdd(a1, b2, c12); c13 = V.MultiplyAdd(a1, b3, c13);
            V a2 = V.Broadcast(a[r2]); c20 = V.MultiplyAdd(a2, b0, c20); c21 = V.MultiplyAdd(a2, b1, c21); c22 = V.MultiplyAdd(a2, b2, c22); c23 = V.MultiplyAdd(a2, b3, c23);
            V a3 = V.Broadcast(a[r3]); c30 = V.MultiplyAdd(a3, b0, c30); c31 = V.MultiplyAdd(a3, b1, c31); c32 = V.MultiplyAdd(a3, b2, c32); c33 = V.MultiplyAdd(a3, b3, c33);
            V a4 = V.Broadcast(a[r4]); c40 = V.MultiplyAdd(a4, b0, c40); c41 = V.MultiplyAdd(a4, b1, c41); c42 = V.MultiplyAdd(a4, b2, c42); c43 = V.MultiplyAdd(a4, b3, c43);
            V a5 = V.Broadcast(a[r5]); c50 = V.MultiplyAdd(a5, b0, c50); c51 = V.MultiplyAdd(a5, b1, c51); c52 = V.MultiplyAdd(a5, b2, c52); c53 = V.MultiplyAdd(a5, b3, c53);
            a += depthStride; b += 4 * w;
        }
        StoreRow(c, w, c00, c01, c02, c03, accumulate); c += ldc;
        StoreRow(c, w, c10, c11, c12, c13, accumulate); c += ldc;
        StoreRow(c, w, c20, c21, c22, c23, accumulate); c += ldc;
        StoreRow(c, w, c30, c31, c32, c33, accumulate); c += ldc;
        StoreRow(c, w, c40, c41, c42, c43, accumulate); c += ldc;
        StoreRow(c, w, c50, c51, c52, c53, accumulate);
    }

    /// <summary>
    /// A remainder of 1–4 rows (e.g. 32 = 5·6 + 2) costs a third or two thirds of a full tile instead of a whole one:
    /// two rows at a time (8 accumulators).
    /// </summary>
    [MethodImpl(IGemmMicroKernel.KernelCompilation)]
    public static bool RunRows(int rows, int kc, float* a, nint rowStride, nint depthStride, float* b, float* c, int ldc, bool accumulate)
    {
        if (rows > 4) return false;
        for (int r = 0; r < rows; r += 2)
        {
            if (rows - r >= 2) TwoRows(kc, a + r * rowStride, rowStride, depthStride, b, c + (long)r * ldc, ldc, accumulate);
            else OneRow(kc, a + r * rowStride, depthStride, b, c + (long)r * ldc, accumulate);
        }
        return true;
    }

    [MethodImpl(IGemmMicroKernel.KernelCompilation)]
    private static void TwoRows(int kc, float* a, nint rowStride, nint depthStride, float* b, float* c, int ldc, bool accumulate)
    {
        int w = V.Count;
        V c00 = V.Zero, c01 = V.Zero, c02 = V.Zero, c03 = V.Zero, c10 = V.Zero, c11 = V.Zero, c12 = V.Zero, c13 = V.Zero;
        for (int k = 0; k < kc; k++)
        {
            V b0 = V.Load(b), b1 = V.Load(b + w), b2 = V.Load(b + 2 * w), b3 = V.Load(b + 3 * w);
            V a0 = V.Broadcast(a[0]); c00 = V.MultiplyAdd(a0, b0, c00); c01 = V.MultiplyAdd(a0, b1, c01); c02 = V.MultiplyAdd(a0, b2, c02); c03 = V.MultiplyAdd(a0, b3, c03);
            V a1 = V.Broadcast(a[rowStride]); c10 = V.MultiplyAdd(a1, b0, c10); c11 = V.MultiplyAdd(a1, b1, c11); c12 = V.MultiplyAdd(a1, b2, c12); c13 = V.MultiplyAdd(a1, b3, c13);
            a += depthStride; b += 4 * w;
        }
        StoreRow(c, w, c00, c01, c02, c03, accumulate);
        StoreRow(c + ldc, w, c10, c11, c12, c13, accumulate);
    }

    [MethodImpl(IGemmMicroKernel.KernelCompilation)]
    private static void OneRow(int kc, float* a, nint depthStride, float* b, float* c, bool accumulate)
    {
        int w = V.Count;
        V c00 = V.Zero, c01 = V.Zero, c02 = V.Zero, c03 = V.Zero;
        for (int k = 0; k < kc; k++)
        {
            V a0 = V.Broadcast(a[0]);
            c00 = V.MultiplyAdd(a0, V.Load(b), c00); c01 = V.MultiplyAdd(a0, V.Load(b + w), c01);
            c02 = V.MultiplyAdd(a0, V.Load(b + 2 * w), c02); c03 = V.MultiplyAdd(a0, V.Load(b + 3 * w), c03);
            a += depthStride; b += 4 * w;
        }
        StoreRow(c, w, c00, c01, c02, c03, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, int w, V x0, V x1, V x2, V x3, bool accumulate)
    {
        if (accumulate) { x0 = V.Add(x0, V.Load(c)); x1 = V.Add(x1, V.Load(c + w)); x2 = V.Add(x2, V.Load(c + 2 * w)); x3 = V.Add(x3, V.Load(c + 3 * w)); }
        V.Store(c, x0); V.Store(c + w, x1); V.Store(c + 2 * w, x2); V.Store(c + 3 * w, x3);
    }
}

/// <summary>
/// A product whose whole output is at most one vector wide (a layer with a few input features: dX = dGates·W_ih and
/// dW_ih = dGatesᵀ·X): 8 rows × 1 vector, B packed one vector wide. A wide kernel would compute NR columns for these
/// few. Sums from zero in k order, like the wide kernels, so a column has the same bits either way.
/// </summary>
internal unsafe struct NarrowKernel<V> where V : unmanaged, ISimdFloat<V>
{
    public const int MR = 8;

    /// <summary>tile[r·V.Count + j] = Σ_k A(r, k)·b[k·bStride + j] for r &lt; <paramref name="rows"/>, A(r, k) at a[r·rowStride + k·depthStride].</summary>
    [MethodImpl(IGemmMicroKernel.KernelCompilation)]
    public static void Run(int rows, int kc, float* a, nint rowStride, nint depthStride, float* b, nint bStride, float* tile)
    {
        if (rows < MR)
        {
            for (int r = 0; r < rows; r++) V.Store(tile + r * V.Count, OneRow(kc, a + r * rowStride, depthStride, b, bStride));
            return;
        }
        nint r1 = rowStride, r2 = 2 * rowStride, r3 = 3 * rowStride, r4 = 4 * rowStride, r5 = 5 * rowStride, r6 = 6 * rowStride, r7 = 7 * rowStride;
        V c0 = V.Zero, c1 = V.Zero, c2 = V.Zero, c3 = V.Zero, c4 = V.Zero, c5 = V.Zero, c6 = V.Zero, c7 = V.Zero;
        for (int k = 0; k < kc; k++)
        {
            V bk = V.Load(b);
            c0 = V.MultiplyAdd(V.Broadcast(a[0]), bk, c0); c1 = V.MultiplyAdd(V.Broadcast(a[r1]), bk, c1);
            c2 = V.MultiplyAdd(V.Broadcast(a[r2]), bk, c2); c3 = V.MultiplyAdd(V.Broadcast(a[r3]), bk, c3);
            c4 = V.MultiplyAdd(V.Broadcast(a[r4]), bk, c4); c5 = V.MultiplyAdd(V.Broadcast(a[r5]), bk, c5);
            c6 = V.MultiplyAdd(V.Broadcast(a[r6]), bk, c6); c7 = V.MultiplyAdd(V.Broadcast(a[r7]), bk, c7);
            a += depthStride; b += bStride;
        }
        int w = V.Count;
        V.Store(tile, c0); V.Store(tile + w, c1); V.Store(tile + 2 * w, c2); V.Store(tile + 3 * w, c3);
        V.Store(tile + 4 * w, c4); V.Store(tile + 5 * w, c5); V.Store(tile + 6 * w, c6); V.Store(tile + 7 * w, c7);
    }

    private static V OneRow(int kc, float* a, nint depthStride, float* b, nint bStride)
    {
        V c = V.Zero;
        for (int k = 0; k < kc; k++, a += depthStride, b += bStride) c = V.MultiplyAdd(V.Broadcast(a[0]), V.Load(b), c);
        return c;
    }
}
