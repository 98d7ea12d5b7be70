namespace Lstm.MLNet.Compute;

/// <summary>A kernel written once over the vector type; <see cref="SimdDispatch"/> picks the type from the path.</summary>
internal interface ISimdKernel
{
    void Run<V>() where V : unmanaged, ISimdFloat<V>;
}

/// <summary>A kernel with a result, written once over the vector type.</summary>
internal interface ISimdKernel<out TResult>
{
    TResult Run<V>() where V : unmanaged, ISimdFloat<V>;
}

/// <summary>
/// The one place that maps a <see cref="SimdPath"/> to the vector type its kernels are compiled for. Kernels are
/// structs (their arguments as fields), so each call site gets a copy specialised per width and the dispatch costs
/// one switch, as the hand-written switches it replaces did. Callers pass the path of their
/// <see cref="ComputeContext"/> (or <see cref="ComputeContext.Run{TKernel}(TKernel)"/>), never the process default.
/// </summary>
internal static class SimdDispatch
{
    public static void Run<TKernel>(SimdPath path, TKernel kernel) where TKernel : struct, ISimdKernel
    {
        switch (path)
        {
            case SimdPath.Avx512: kernel.Run<Simd512>(); break;
            case SimdPath.Avx2: kernel.Run<Simd256>(); break;
            case SimdPath.Vector128: kernel.Run<Simd128>(); break;
            default: kernel.Run<Scalar1>(); break;
        }
    }

    public static TResult Run<TKernel, TResult>(SimdPath path, TKernel kernel) where TKernel : struct, ISimdKernel<TResult> => path switch
    {
        SimdPath.Avx512 => kernel.Run<Simd512>(),
        SimdPath.Avx2 => kernel.Run<Simd256>(),
        SimdPath.Vector128 => kernel.Run<Simd128>(),
        _ => kernel.Run<Scalar1>(),
    };
}
