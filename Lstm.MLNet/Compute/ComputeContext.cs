namespace Lstm.MLNet.Compute;

/// <summary>
/// Where compute-core work runs: which SIMD path and how many threads. Immutable and thread-safe;
/// results never depend on <see cref="Threads"/> (every output element is computed by one thread
/// in a fixed order), so a model trained on 16 cores reproduces on 2.
/// </summary>
public sealed class ComputeContext
{
    /// <summary>The default context: <see cref="SimdSupport.Default"/> on all cores.</summary>
    public static ComputeContext Default { get; } = new(SimdSupport.Default, Environment.ProcessorCount);

    /// <summary>Creates a context; throws <see cref="PlatformNotSupportedException"/> if the CPU lacks <paramref name="path"/>.</summary>
    public ComputeContext(SimdPath path, int threads = 0)
    {
        if (!SimdSupport.IsSupported(path))
            throw new PlatformNotSupportedException($"This CPU does not support the {path} path (best available: {SimdSupport.Best}).");
        if (threads < 0)
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "The thread count must be 0 (all cores) or positive.");
        Path = path;
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        _parallelOptions = new ParallelOptions { MaxDegreeOfParallelism = Threads };
    }

    /// <summary>The SIMD path.</summary>
    public SimdPath Path { get; }

    /// <summary>The most threads one operation uses.</summary>
    public int Threads { get; }

    private readonly ParallelOptions _parallelOptions;

    /// <summary>The same context with another thread count.</summary>
    public ComputeContext WithThreads(int threads) => threads == Threads ? this : new ComputeContext(Path, threads);

    /// <summary>The same context with another path.</summary>
    public ComputeContext WithPath(SimdPath path) => path == Path ? this : new ComputeContext(path, Threads);

    /// <summary>Runs <paramref name="kernel"/> compiled for this context's SIMD path (<see cref="SimdDispatch"/>).</summary>
    internal void Run<TKernel>(TKernel kernel) where TKernel : struct, ISimdKernel => SimdDispatch.Run(Path, kernel);

    /// <summary>Runs <paramref name="kernel"/> compiled for this context's SIMD path and returns its result.</summary>
    internal TResult Run<TKernel, TResult>(TKernel kernel) where TKernel : struct, ISimdKernel<TResult> => SimdDispatch.Run<TKernel, TResult>(Path, kernel);

    /// <summary>Runs <paramref name="body"/> for each part index in [0, parts), in parallel when there is more than one.</summary>
    internal void For<TState>(int parts, TState state, Action<int, TState> body)
    {
        if (parts <= 1 || Threads == 1)
        {
            for (int p = 0; p < parts; p++) body(p, state);
            return;
        }
        Parallel.For(0, parts, _parallelOptions, p => body(p, state));
    }

    /// <summary>
    /// Splits [0, count) into at most <see cref="Threads"/> ranges whose starts are multiples of
    /// <paramref name="granule"/> (each range does at least <paramref name="minPerPart"/> items).
    /// </summary>
    internal int PartitionCount(int count, int granule, int minPerPart)
    {
        int granules = (count + granule - 1) / granule;
        int byWork = Math.Max(1, count / Math.Max(1, minPerPart));
        return Math.Max(1, Math.Min(Math.Min(Threads, granules), byWork));
    }

    /// <summary>The range of part <paramref name="part"/> when [0, count) is cut in <paramref name="parts"/> granule-aligned pieces.</summary>
    internal static (int Start, int End) PartRange(int count, int granule, int parts, int part)
    {
        int granules = (count + granule - 1) / granule;
        int per = granules / parts, extra = granules % parts;
        int g0 = part * per + Math.Min(part, extra);
        int g1 = g0 + per + (part < extra ? 1 : 0);
        return (Math.Min(count, g0 * granule), Math.Min(count, g1 * granule));
    }

    /// <summary>The path and thread count, e.g. "Avx512, 2 thread(s)".</summary>
    public override string ToString() => $"{Path}, {Threads} thread(s)";
}
