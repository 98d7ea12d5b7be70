using System.Runtime.CompilerServices;

namespace Lstm.MLNet.Compute;

/// <summary>
/// A [k × n] matrix packed for one-row products y[n] += x[k]·B (batch-1 inference: h·W_hhᵀ per step, or one token's
/// input projection). The columns are cut in panels of <see cref="PanelVectors"/> vectors of the path's width; a panel
/// is stored k-major ([k × panel width], contiguous), so the kernel streams each weight exactly once per product with
/// eight independent accumulators (enough to hide the FMA latency) and one broadcast of x[k] per eight FMAs. The last
/// panel is zero-padded: products write <see cref="PaddedColumns"/> outputs.
/// <para>GEMM's B panels (<see cref="PackedMatrix"/>) are NR wide for an MR-row tile; at one row that layout reloads
/// the broadcast per NR columns and keeps too few accumulators busy, hence this second layout.</para>
/// </summary>
internal sealed unsafe class RowPackedMatrix
{
    /// <summary>Vectors per panel: eight accumulators.</summary>
    public const int PanelVectors = 8;

    private readonly PinnedBuffer _data = new();

    /// <summary>Packs op(B) [k × n] from <paramref name="source"/>: B [k × n] (ld = n), or with <paramref name="transpose"/> Bᵀ [n × k] (ld = k), PyTorch's W [out × in].</summary>
    public RowPackedMatrix(SimdPath path, int depth, int columns, float* source, bool transpose)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(depth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        Path = path;
        Depth = depth;
        Columns = columns;
        PanelWidth = PanelVectors * VectorWidth(path);
        Panels = (columns + PanelWidth - 1) / PanelWidth;
        PaddedColumns = CheckedSize.Of(Panels, PanelWidth, "row-packed matrix columns");
        float* packed = _data.Ensure(CheckedSize.Of(depth, PaddedColumns, "row-packed matrix"), clear: true);
        for (int p = 0; p < Panels; p++)
        {
            float* panel = packed + (long)p * depth * PanelWidth;
            int j0 = p * PanelWidth, width = Math.Min(PanelWidth, columns - j0);
            for (int kk = 0; kk < depth; kk++)
                for (int j = 0; j < width; j++)
                    panel[(long)kk * PanelWidth + j] = transpose ? source[(long)(j0 + j) * depth + kk] : source[(long)kk * columns + j0 + j];
        }
    }

    public SimdPath Path { get; }
    /// <summary>k.</summary>
    public int Depth { get; }
    /// <summary>n.</summary>
    public int Columns { get; }
    /// <summary>n rounded up to whole panels: the length a product writes.</summary>
    public int PaddedColumns { get; }
    internal int PanelWidth { get; }
    internal int Panels { get; }
    internal float* Data => _data.Pointer;

    private static int VectorWidth(SimdPath path) => path switch
    {
        SimdPath.Avx512 => Simd512.Count,
        SimdPath.Avx2 => Simd256.Count,
        SimdPath.Vector128 => Simd128.Count,
        _ => Scalar1.Count,
    };
}

/// <summary>The one-row product over a <see cref="RowPackedMatrix"/> of the same path (V's width).</summary>
internal static unsafe class RowGemv<V> where V : unmanaged, ISimdFloat<V>
{
    /// <summary>
    /// y = start + x·B over [0, PaddedColumns) (x: [Depth]); <paramref name="start"/> may be <paramref name="y"/>.
    /// Bit-identical to <see cref="Gemm"/> on one row of the same path: each output's products run in k order from
    /// zero, one depth block of <see cref="Gemm.KC"/> at a time, each block's sum then added to the output (so batch-1
    /// inference gives exactly what the batched path gives). x is read once per panel (it stays in L1), each weight once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyAdd(float* x, RowPackedMatrix b, float* start, float* y)
    {
        int w = V.Count, k = b.Depth, width = b.PanelWidth;
        for (int p = 0; p < b.Panels; p++)
        {
            float* panel = b.Data + (long)p * k * width;
            float* from = start + p * width, yp = y + p * width;
            for (int pc = 0; pc < k; pc += Gemm.KC, from = yp)
            {
                int end = Math.Min(k, pc + Gemm.KC);
                V a0 = V.Zero, a1 = V.Zero, a2 = V.Zero, a3 = V.Zero, a4 = V.Zero, a5 = V.Zero, a6 = V.Zero, a7 = V.Zero;
                float* bp = panel + (long)pc * width;
                for (int kk = pc; kk < end; kk++, bp += width)
                {
                    V xk = V.Broadcast(x[kk]);
                    a0 = V.MultiplyAdd(xk, V.Load(bp), a0);
                    a1 = V.MultiplyAdd(xk, V.Load(bp + w), a1);
                    a2 = V.MultiplyAdd(xk, V.Load(bp + 2 * w), a2);
                    a3 = V.MultiplyAdd(xk, V.Load(bp + 3 * w), a3);
                    a4 = V.MultiplyAdd(xk, V.Load(bp + 4 * w), a4);
                    a5 = V.MultiplyAdd(xk, V.Load(bp + 5 * w), a5);
                    a6 = V.MultiplyAdd(xk, V.Load(bp + 6 * w), a6);
                    a7 = V.MultiplyAdd(xk, V.Load(bp + 7 * w), a7);
                }
                V.Store(yp, V.Add(a0, V.Load(from))); V.Store(yp + w, V.Add(a1, V.Load(from + w)));
                V.Store(yp + 2 * w, V.Add(a2, V.Load(from + 2 * w))); V.Store(yp + 3 * w, V.Add(a3, V.Load(from + 3 * w)));
                V.Store(yp + 4 * w, V.Add(a4, V.Load(from + 4 * w))); V.Store(yp + 5 * w, V.Add(a5, V.Load(from + 5 * w)));
                V.Store(yp + 6 * w, V.Add(a6, V.Load(from + 6 * w))); V.Store(yp + 7 * w, V.Add(a7, V.Load(from + 7 * w)));
            }
        }
    }
}
