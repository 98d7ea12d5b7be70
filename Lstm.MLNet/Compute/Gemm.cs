using System.Runtime.CompilerServices;

namespace Lstm.MLNet.Compute;

/// <summary>
/// Single-precision GEMM, row-major: C[m×n] (+)= op(A)[m×k] · op(B)[k×n], op = identity or transpose.
/// BLIS-style: B is packed in kc×NR panels, A is read in place by MR-row panels, a register-blocked micro-kernel
/// (<see cref="IGemmMicroKernel"/>) does the flops. Work is split over row ranges (or column strips
/// when m is small) so each C element is computed by one thread in a fixed k order: results are
/// bit-identical for any thread count.
/// </summary>
public static unsafe class Gemm
{
    /// <summary>Depth of one packed block: a kc×NR B panel (32 KiB at NR = 32) stays in L1 across row panels.</summary>
    internal const int KC = 256;
    /// <summary>Rows of A per block (a 96×256 block is 96 KiB, in L2 while the strips of B pass over it).</summary>
    internal const int MC = 96;
    /// <summary>Columns of B packed at once (a 256×512 block is 512 KiB, half of L2).</summary>
    internal const int NC = 512;
    /// <summary>Below this many multiply-adds a product runs on one thread: the fork costs more than it saves.</summary>
    internal const long ParallelThreshold = 1L << 16;

    /// <summary>
    /// C (+)= op(A)·op(B). <paramref name="a"/> holds op(A) as m×k with leading dimension <paramref name="lda"/>
    /// (or, when <paramref name="transposeA"/>, A as k×m); likewise <paramref name="b"/>. With
    /// <paramref name="accumulate"/> false, C is overwritten.
    /// </summary>
    public static void Multiply(ComputeContext context, bool transposeA, bool transposeB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate)
    {
        ArgumentNullException.ThrowIfNull(context);
        CheckDimensions(m, n, k);
        CheckOperand(nameof(a), a.Length, transposeA ? k : m, transposeA ? m : k, lda);
        CheckOperand(nameof(b), b.Length, transposeB ? n : k, transposeB ? k : n, ldb);
        CheckOperand(nameof(c), c.Length, m, n, ldc);
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
            Multiply(context, transposeA, transposeB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate);
    }

    /// <summary>C (+)= op(A)·B with B packed beforehand by <see cref="Pack"/> (reused across calls, as for recurrent weights).</summary>
    public static void Multiply(ComputeContext context, bool transposeA, int m, ReadOnlySpan<float> a, int lda,
        PackedMatrix b, Span<float> c, int ldc, bool accumulate)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(b);
        CheckDimensions(m, b.Columns, b.Depth);
        CheckOperand(nameof(a), a.Length, transposeA ? b.Depth : m, transposeA ? m : b.Depth, lda);
        CheckOperand(nameof(c), c.Length, m, b.Columns, ldc);
        fixed (float* pa = a) fixed (float* pc = c)
            Multiply(context, transposeA, m, pa, lda, b, pc, ldc, accumulate);
    }

    /// <summary>Packs op(B) [k×n] for the context's path, for repeated <see cref="Multiply(ComputeContext, bool, int, ReadOnlySpan{float}, int, PackedMatrix, Span{float}, int, bool)"/>.</summary>
    public static PackedMatrix Pack(ComputeContext context, bool transposeB, int k, int n, ReadOnlySpan<float> b, int ldb)
    {
        ArgumentNullException.ThrowIfNull(context);
        CheckDimensions(1, n, k);
        CheckOperand(nameof(b), b.Length, transposeB ? n : k, transposeB ? k : n, ldb);
        var packed = new PackedMatrix(context.Path, k, n, NRFor(context.Path));
        fixed (float* pb = b) packed.Repack(transposeB, pb, ldb);
        return packed;
    }

    /// <summary>Rows of the micro-kernel on <paramref name="path"/>: row ranges split on multiples of it waste no tile.</summary>
    internal static int MRFor(SimdPath path) => SimdDispatch.Run<TileShape, (int MR, int NR)>(path, default).MR;

    /// <summary>Columns of the micro-kernel (the packed panel width) on <paramref name="path"/>.</summary>
    internal static int NRFor(SimdPath path) => SimdDispatch.Run<TileShape, (int MR, int NR)>(path, default).NR;

    /// <summary>
    /// The micro-kernel for a vector width: 6×4 needs the 32 registers of the AVX-512 file (24 accumulators),
    /// the 16-register files (AVX2, Vector128, scalar) take 4×3.
    /// </summary>
    private static bool UsesWideKernel<V>() where V : unmanaged, ISimdFloat<V> => V.Count >= 16;

    private struct TileShape : ISimdKernel<(int MR, int NR)>
    {
        public readonly (int MR, int NR) Run<V>() where V : unmanaged, ISimdFloat<V> =>
            UsesWideKernel<V>() ? (Kernel6x4<V>.MR, Kernel6x4<V>.NR) : (Kernel4x3<V>.MR, Kernel4x3<V>.NR);
    }

    internal static void Multiply(ComputeContext ctx, bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        var job = new Job { TransA = transA, TransB = transB, M = m, N = n, K = k, A = a, Lda = lda, B = b, Ldb = ldb, C = c, Ldc = ldc, Accumulate = accumulate };
        Dispatch(ctx, ref job);
    }

    internal static void Multiply(ComputeContext ctx, bool transA, int m, float* a, int lda, PackedMatrix b, float* c, int ldc, bool accumulate)
    {
        if (b.Path != ctx.Path)
            throw new ArgumentException($"The matrix was packed for {b.Path}; this context runs {ctx.Path}.", nameof(b));
        var job = new Job { TransA = transA, M = m, N = b.Columns, K = b.Depth, A = a, Lda = lda, Packed = b, C = c, Ldc = ldc, Accumulate = accumulate };
        Dispatch(ctx, ref job);
    }

    private static void Dispatch(ComputeContext ctx, ref Job job)
    {
        if (job.M < 0 || job.N < 0 || job.K < 0 || job.Lda < 0 || job.Ldb < 0 || job.Ldc < 0)
            throw new ArgumentOutOfRangeException(nameof(job), $"GEMM sizes must be non-negative (m={job.M}, n={job.N}, k={job.K}, lda={job.Lda}, ldb={job.Ldb}, ldc={job.Ldc}): a size computation overflowed upstream.");
        ctx.Run(new DriverCall { Context = ctx, Job = job });
    }

    private struct DriverCall : ISimdKernel
    {
        public ComputeContext Context;
        public Job Job;

        public readonly void Run<V>() where V : unmanaged, ISimdFloat<V>
        {
            if (Job.N > 0 && Job.N <= V.Count && Job.M > 0 && Job.K > 0)
            {
                // An output of at most 8 columns fills half a 512-bit vector: 256-bit multiply-adds do the same lanes' sums
                // (the same bits) at half the cost where 512-bit ones are split in two (Zen 4) and no more elsewhere.
                if (V.Count == 16 && Job.N <= Simd256.Count) NarrowDriver<Simd256>.Run(Context, Job);
                else NarrowDriver<V>.Run(Context, Job);
            }
            else if (UsesWideKernel<V>()) Driver<Kernel6x4<V>>.Run(Context, Job);
            else Driver<Kernel4x3<V>>.Run(Context, Job);
        }
    }

    private static void CheckDimensions(int m, int n, int k)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"GEMM dimensions must be non-negative (m={m}, n={n}, k={k}).");
    }

    private static void CheckOperand(string name, int length, int rows, int columns, int ld)
    {
        if (rows == 0 || columns == 0) return;
        if (ld < columns)
            throw new ArgumentOutOfRangeException(name, $"Leading dimension {ld} of '{name}' is smaller than its row length {columns}.");
        long needed = (long)(rows - 1) * ld + columns;
        if (length < needed)
            throw new ArgumentException($"'{name}' holds {length} floats; a {rows}×{columns} matrix with leading dimension {ld} needs {needed}.", name);
    }

    internal struct Job
    {
        public bool TransA, TransB, Accumulate;
        public int M, N, K, Lda, Ldb, Ldc;
        public float* A, B, C;
        public PackedMatrix? Packed;
    }

    /// <summary>B exactly one strip of <paramref name="width"/> wide, its rows that far apart: it is its own packed panel, read in place.</summary>
    private static bool IsOwnPanel(in Job job, int width) => !job.TransB && job.N == width && job.Ldb == width;

    /// <summary>Packs rows [k0, k0+kc) of op(B), strips [s0, s1), NR floats per k with zero padding past n.</summary>
    internal static void PackB(bool transB, float* b, int ldb, int n, int k0, int kc, int s0, int s1, int nr, float* dest, long destLength)
    {
        // Once per call: the panels must fit the destination (a wrapped size upstream would write past it).
        if (kc < 0 || s0 < 0 || s1 < s0 || nr < 1 || (long)(s1 - s0) * kc * nr > destLength)
            throw new ArgumentOutOfRangeException(nameof(destLength), destLength, $"Packing strips [{s0}, {s1}) of {nr}×{kc} floats does not fit the destination.");
        for (int s = s0; s < s1; s++, dest += kc * nr)
        {
            int j0 = s * nr, w = Math.Min(nr, n - j0);
            if (!transB)
            {
                for (int kk = 0; kk < kc; kk++)
                {
                    float* src = b + (long)(k0 + kk) * ldb + j0;
                    float* d = dest + kk * nr;
                    new ReadOnlySpan<float>(src, w).CopyTo(new Span<float>(d, w));
                    if (w < nr) new Span<float>(d + w, nr - w).Clear();
                }
            }
            else
            {
                if (w < nr) new Span<float>(dest, kc * nr).Clear();
                for (int jj = 0; jj < w; jj++)
                {
                    float* src = b + (long)(j0 + jj) * ldb + k0;
                    for (int kk = 0; kk < kc; kk++) dest[kk * nr + jj] = src[kk];
                }
            }
        }
    }

    /// <summary>Packs rows [i0, i0+mc) × depth [k0, k0+kc) of op(A) in MR-row panels, zero padding past mc (A's last partial panel).</summary>
    private static void PackA(bool transA, float* a, int lda, int i0, int mc, int k0, int kc, int mr, float* dest)
    {
        for (int p = 0; p < mc; p += mr, dest += kc * mr)
        {
            int h = Math.Min(mr, mc - p);
            if (h < mr) new Span<float>(dest, kc * mr).Clear();
            if (!transA)
            {
                for (int r = 0; r < h; r++)
                {
                    float* src = a + (long)(i0 + p + r) * lda + k0;
                    for (int kk = 0; kk < kc; kk++) dest[kk * mr + r] = src[kk];
                }
            }
            else
            {
                for (int kk = 0; kk < kc; kk++)
                {
                    float* src = a + (long)(k0 + kk) * lda + i0 + p;
                    float* d = dest + kk * mr;
                    for (int r = 0; r < h; r++) d[r] = src[r];
                }
            }
        }
    }

    /// <summary>Per-thread packing buffers, pinned so the kernels take raw pointers.</summary>
    private sealed class Workspace
    {
        [ThreadStatic] private static Workspace? t_current;
        public static Workspace Current => t_current ??= new Workspace();

        /// <summary>Largest MR of any micro-kernel: a packed partial row panel holds fewer rows.</summary>
        private const int MaxPanelRows = 6;
        /// <summary>Largest MR×NR of any micro-kernel (6×64 on AVX-512): the edge-tile scratch.</summary>
        private const int MaxTileFloats = MaxPanelRows * 64;

        /// <summary>Usable floats at <see cref="PackedB"/> (after alignment).</summary>
        public const long PackedBFloats = NC * KC + 48 * KC;

        public readonly float* PackedA, PackedB, Tile;
        private readonly float[] _a, _b, _tile;

        private Workspace()
        {
            _a = GC.AllocateUninitializedArray<float>(MaxPanelRows * KC + 16, pinned: true);
            _b = GC.AllocateUninitializedArray<float>(NC * KC + 64 * KC, pinned: true);
            _tile = GC.AllocateUninitializedArray<float>(MaxTileFloats + 16, pinned: true); // + 16: room for Align
            PackedA = Align((float*)Unsafe.AsPointer(ref _a[0]));
            PackedB = Align((float*)Unsafe.AsPointer(ref _b[0]));
            Tile = Align((float*)Unsafe.AsPointer(ref _tile[0]));
        }

        private static float* Align(float* p) => (float*)(((nint)p + 63) & ~(nint)63);
    }

    private static class Driver<TKernel> where TKernel : IGemmMicroKernel
    {
        public static void Run(ComputeContext ctx, Job job)
        {
            if (job.M == 0 || job.N == 0) return;
            if (job.K == 0)
            {
                if (!job.Accumulate)
                    for (int i = 0; i < job.M; i++) new Span<float>(job.C + (long)i * job.Ldc, job.N).Clear();
                return;
            }
            int mr = TKernel.MR, nr = TKernel.NR;
            int strips = (job.N + nr - 1) / nr;
            bool serial = (long)job.M * job.N * job.K < ParallelThreshold || ctx.Threads == 1;
            if (serial)
            {
                Block(job, 0, job.M, 0, strips);
                return;
            }
            bool splitRows = job.M >= mr * ctx.Threads * 2 || strips < ctx.Threads * 2;
            int parts = splitRows ? ctx.PartitionCount(job.M, mr, mr) : ctx.PartitionCount(strips, 1, 1);
            ctx.For(parts, job, (part, j) =>
            {
                if (splitRows)
                {
                    var (r0, r1) = ComputeContext.PartRange(j.M, mr, parts, part);
                    Block(j, r0, r1, 0, strips);
                }
                else
                {
                    var (s0, s1) = ComputeContext.PartRange(strips, 1, parts, part);
                    Block(j, 0, j.M, s0, s1);
                }
            });
        }

        /// <summary>C[i0:i1, strips s0:s1] for the whole depth: jc → pc → (pack B) → ic → (pack A) → jr → ir.</summary>
        private static void Block(in Job job, int i0, int i1, int s0, int s1)
        {
            if (i0 >= i1 || s0 >= s1) return;
            int mr = TKernel.MR, nr = TKernel.NR;
            var ws = Workspace.Current;
            int ncStrips = NC / nr;
            for (int jc = s0; jc < s1; jc += ncStrips)
            {
                int jcEnd = Math.Min(s1, jc + ncStrips);
                for (int pc = 0; pc < job.K; pc += KC)
                {
                    int kc = Math.Min(KC, job.K - pc);
                    bool accumulate = job.Accumulate || pc > 0;
                    float* panels;
                    if (job.Packed is { } packed)
                        panels = packed.Panel(pc, kc, jc);
                    else if (IsOwnPanel(job, nr))
                        panels = job.B + (long)pc * nr;
                    else
                    {
                        PackB(job.TransB, job.B, job.Ldb, job.N, pc, kc, jc, jcEnd, nr, ws.PackedB, Workspace.PackedBFloats);
                        panels = ws.PackedB;
                    }
                    for (int ic = i0; ic < i1; ic += MC)
                    {
                        int mc = Math.Min(MC, i1 - ic);
                        // A is read in place in full MR-row panels: packing it paid only where many strips of B reused the
                        // copy, and even there the kernel ran faster reading A's rows (README, "GEMM"). A last partial panel is
                        // packed, zero-padded, since a whole-tile kernel must not read rows past A's end.
                        int inPlaceRows = mc / mr * mr;
                        if (inPlaceRows < mc)
                            PackA(job.TransA, job.A, job.Lda, ic + inPlaceRows, mc - inPlaceRows, pc, kc, mr, ws.PackedA);
                        for (int s = jc; s < jcEnd; s++)
                        {
                            int j0 = s * nr, w = Math.Min(nr, job.N - j0);
                            float* bp = panels + (long)(s - jc) * kc * nr;
                            for (int p = 0; p < mc; p += mr)
                            {
                                int h = Math.Min(mr, mc - p);
                                float* ap;
                                nint rowStride, depthStride;
                                if (p >= inPlaceRows) { ap = ws.PackedA; rowStride = 1; depthStride = mr; }
                                else if (job.TransA) { ap = job.A + (long)pc * job.Lda + ic + p; rowStride = 1; depthStride = job.Lda; }
                                else { ap = job.A + (long)(ic + p) * job.Lda + pc; rowStride = job.Lda; depthStride = 1; }
                                float* cp = job.C + (long)(ic + p) * job.Ldc + j0;
                                if (h == mr && w == nr)
                                    TKernel.Run(kc, ap, rowStride, depthStride, bp, cp, job.Ldc, accumulate);
                                else if (w < nr || !TKernel.RunRows(h, kc, ap, rowStride, depthStride, bp, cp, job.Ldc, accumulate))
                                    EdgeTile(kc, ap, rowStride, depthStride, bp, cp, job.Ldc, h, w, accumulate, ws.Tile);
                            }
                        }
                    }
                }
            }
        }

        /// <summary>A tile cut by the edge of C, computed whole into scratch: a partial row panel is always a packed one.</summary>
        private static void EdgeTile(int kc, float* ap, nint rowStride, nint depthStride, float* bp, float* c, int ldc, int h, int w, bool accumulate, float* tile)
        {
            int nr = TKernel.NR;
            TKernel.Run(kc, ap, rowStride, depthStride, bp, tile, nr, accumulate: false);
            for (int r = 0; r < h; r++)
            {
                float* src = tile + r * nr, dst = c + (long)r * ldc;
                if (accumulate) for (int j = 0; j < w; j++) dst[j] += src[j];
                else for (int j = 0; j < w; j++) dst[j] = src[j];
            }
        }
    }

    /// <summary>Products at most one vector wide (<see cref="NarrowKernel{V}"/>): rows split over threads, B packed one vector wide.</summary>
    private static class NarrowDriver<V> where V : unmanaged, ISimdFloat<V>
    {
        public static void Run(ComputeContext ctx, Job job)
        {
            int mr = NarrowKernel<V>.MR;
            if ((long)job.M * job.N * job.K < ParallelThreshold || ctx.Threads == 1 || job.M < 2 * mr)
            {
                Rows(job, 0, job.M);
                return;
            }
            int parts = ctx.PartitionCount(job.M, mr, mr);
            ctx.For(parts, job, (part, j) =>
            {
                var (r0, r1) = ComputeContext.PartRange(j.M, mr, parts, part);
                Rows(j, r0, r1);
            });
        }

        /// <summary>C[i0:i1, :] one depth block at a time; each block's sums added to C as the wide driver adds them (the same bits).</summary>
        private static void Rows(in Job job, int i0, int i1)
        {
            if (i0 >= i1) return;
            var ws = Workspace.Current;
            int width = V.Count, mr = NarrowKernel<V>.MR;
            for (int pc = 0; pc < job.K; pc += KC)
            {
                int kc = Math.Min(KC, job.K - pc);
                bool accumulate = job.Accumulate || pc > 0;
                float* b;
                nint bStride;
                if (job.Packed is { } packed) { b = packed.Panel(pc, kc, 0); bStride = packed.NR; }
                else if (IsOwnPanel(job, width)) { b = job.B + (long)pc * width; bStride = width; }
                else
                {
                    PackB(job.TransB, job.B, job.Ldb, job.N, pc, kc, 0, 1, width, ws.PackedB, Workspace.PackedBFloats);
                    b = ws.PackedB; bStride = width;
                }
                for (int i = i0; i < i1; i += mr)
                {
                    int rows = Math.Min(mr, i1 - i);
                    if (job.TransA) NarrowKernel<V>.Run(rows, kc, job.A + (long)pc * job.Lda + i, 1, job.Lda, b, bStride, ws.Tile);
                    else NarrowKernel<V>.Run(rows, kc, job.A + (long)i * job.Lda + pc, job.Lda, 1, b, bStride, ws.Tile);
                    for (int r = 0; r < rows; r++)
                    {
                        float* src = ws.Tile + r * width, dst = job.C + (long)(i + r) * job.Ldc;
                        if (accumulate) for (int j = 0; j < job.N; j++) dst[j] += src[j];
                        else for (int j = 0; j < job.N; j++) dst[j] = src[j];
                    }
                }
            }
        }
    }
}

/// <summary>
/// op(B) [k×n] packed once into the micro-kernel's panel layout for one SIMD path, so a product
/// repeated every time step (the recurrent weights) does not repack. Refresh with <c>Repack</c>
/// after the source changes (an optimizer step).
/// </summary>
public sealed unsafe class PackedMatrix
{
    private readonly float[] _data;
    private readonly float* _base;

    internal PackedMatrix(SimdPath path, int depth, int columns, int nr)
    {
        Path = path; Depth = depth; Columns = columns; NR = nr;
        Strips = (columns + nr - 1) / nr;
        // Checked in 64 bits: a [k × n] that wraps in int would allocate too little and be packed past its end.
        long floats = (long)depth * Strips * nr;
        if (depth < 0 || columns < 0 || floats > Array.MaxLength - 16)
            throw new ArgumentOutOfRangeException(nameof(depth), $"A packed [{depth} × {columns}] matrix needs {floats} floats; at most {Array.MaxLength - 16} fit in one array.");
        Length = floats;
        _data = GC.AllocateUninitializedArray<float>((int)Math.Max(1, floats) + 16, pinned: true);
        _base = (float*)(((nint)Unsafe.AsPointer(ref _data[0]) + 63) & ~(nint)63);
    }

    /// <summary>The path (and so the panel width) this matrix was packed for.</summary>
    public SimdPath Path { get; }
    /// <summary>k: rows of op(B).</summary>
    public int Depth { get; }
    /// <summary>n: columns of op(B).</summary>
    public int Columns { get; }
    internal int NR { get; }
    internal int Strips { get; }
    /// <summary>Floats of packed panels: Depth × Strips × NR.</summary>
    internal long Length { get; }

    /// <summary>The panels of depth block starting at <paramref name="pc"/> (length <paramref name="kc"/>), from strip <paramref name="strip"/> on.</summary>
    internal float* Panel(int pc, int kc, int strip) => _base + (long)pc * Strips * NR + (long)strip * kc * NR;

    internal void Repack(bool transposeB, float* b, int ldb)
    {
        for (int pc = 0; pc < Depth; pc += Gemm.KC)
        {
            int kc = Math.Min(Gemm.KC, Depth - pc);
            Gemm.PackB(transposeB, b, ldb, Columns, pc, kc, 0, Strips, NR, Panel(pc, kc, 0), Length - (long)pc * Strips * NR);
        }
    }

    /// <summary>Packs new values of the same shape (e.g. after a weight update).</summary>
    public void Repack(bool transposeB, ReadOnlySpan<float> b, int ldb)
    {
        long needed = transposeB ? (long)(Columns - 1) * ldb + Depth : (long)(Depth - 1) * ldb + Columns;
        if (b.Length < needed) throw new ArgumentException($"The source holds {b.Length} floats; {needed} are needed.", nameof(b));
        fixed (float* p = b) Repack(transposeB, p, ldb);
    }
}
