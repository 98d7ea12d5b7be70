using System.Runtime.CompilerServices;
using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Benchmarks;

/// <summary>
/// The FMA roofline of each register width: a loop of independent multiply-adds on registers only,
/// on 1 thread and on N threads at once. GEMM and LSTM cells are reported as a fraction of the peak
/// of their own path's width and thread count, measured here once and cached.
/// </summary>
internal sealed class PeakFlops(TimingPolicy policy)
{
    /// <summary>Independent dependency chains: FMA latency (4 cycles) × FMA ports (2) = 8 needed; 12 leaves margin and fits 16 registers.</summary>
    private const int Chains = 12;
    /// <summary>Iterations per thread per run: ~10 ms, so starting threads costs under 1%.</summary>
    private const long Iterations = 1L << 23;

    private readonly Dictionary<(SimdPath Path, int Threads), double> _gflops = [];
    private static float s_sink;

    /// <summary>The register width a path computes with, as the tables name it.</summary>
    public static string WidthName(SimdPath path) => path switch
    {
        SimdPath.Avx512 => "Vector512",
        SimdPath.Avx2 => "Vector256",
        SimdPath.Vector128 => "Vector128",
        _ => "scalar",
    };

    /// <summary>Peak GFLOP/s of <paramref name="path"/>'s width on <paramref name="threads"/> threads running at once.</summary>
    public double Get(SimdPath path, int threads)
    {
        if (!_gflops.TryGetValue((path, threads), out double gflops))
        {
            var (loop, lanes) = LoopFor(path);
            double flops = (double)threads * Iterations * Chains * lanes * 2;
            var m = Harness.Measure($"peak {WidthName(path)} ×{threads}", () => OnThreads(threads, () => s_sink = loop(Iterations)), policy);
            _gflops[(path, threads)] = gflops = m.GigaPerSecond(flops);
        }
        return gflops;
    }

    /// <summary>One line naming each width's peak, printed above the tables that use them as 100%.</summary>
    public string Describe(IEnumerable<SimdPath> paths, IReadOnlyList<int> threads) =>
        string.Join("; ", paths.Select(p => $"{WidthName(p)} " + string.Join(", ", threads.Select(t => $"{MarkdownTable.Rate(Get(p, t))} ({t}T)"))));

    public void Print(TextWriter writer, IReadOnlyList<int> threads)
    {
        writer.WriteLine("### FMA peak (register-only multiply-add loop, GFLOP/s)");
        writer.WriteLine();
        var table = new MarkdownTable(2, ["Width", "Path", .. threads.Select(t => ThreadsHeader(t))]);
        foreach (var path in SimdSupport.Supported.Reverse())
            table.Add([WidthName(path), path.ToString().ToLowerInvariant(), .. threads.Select(t => MarkdownTable.Rate(Get(path, t)))]);
        table.Print(writer);
    }

    public static string ThreadsHeader(int threads) => threads == 1 ? "1 thread" : $"{threads} threads";

    private static (Func<long, float> Loop, int Lanes) LoopFor(SimdPath path) => path switch
    {
        SimdPath.Avx512 => (FmaLoop<Simd512>, Simd512.Count),
        SimdPath.Avx2 => (FmaLoop<Simd256>, Simd256.Count),
        SimdPath.Vector128 => (FmaLoop<Simd128>, Simd128.Count),
        _ => (FmaLoop<Scalar1>, Scalar1.Count),
    };

    /// <summary>Runs <paramref name="body"/> on <paramref name="threads"/> dedicated threads at once (the caller is one of them).</summary>
    private static void OnThreads(int threads, Action body)
    {
        var others = new Thread[threads - 1];
        for (int i = 0; i < others.Length; i++) (others[i] = new Thread(() => body()) { IsBackground = true }).Start();
        body();
        foreach (var t in others) t.Join();
    }

    /// <summary>
    /// <see cref="Chains"/> independent a ← a·m + c chains (converging to 1: no denormals, no overflow),
    /// through the same <see cref="ISimdFloat{TSelf}"/> abstraction the GEMM kernels use. Fully optimised
    /// from the first call and never inlined, so the JIT keeps every chain in a register.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop<V>(long iterations) where V : unmanaged, ISimdFloat<V>
    {
        V m = V.Broadcast(0.9999f), c = V.Broadcast(1e-4f);
        V a0 = V.Broadcast(0.1f), a1 = V.Broadcast(0.2f), a2 = V.Broadcast(0.3f), a3 = V.Broadcast(0.4f);
        V a4 = V.Broadcast(0.5f), a5 = V.Broadcast(0.6f), a6 = V.Broadcast(0.7f), a7 = V.Broadcast(0.8f);
        V a8 = V.Broadcast(0.9f), a9 = V.Broadcast(1.1f), a10 = V.Broadcast(1.2f), a11 = V.Broadcast(1.3f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = V.MultiplyAdd(a0, m, c); a1 = V.MultiplyAdd(a1, m, c); a2 = V.MultiplyAdd(a2, m, c); a3 = V.MultiplyAdd(a3, m, c);
            a4 = V.MultiplyAdd(a4, m, c); a5 = V.MultiplyAdd(a5, m, c); a6 = V.MultiplyAdd(a6, m, c); a7 = V.MultiplyAdd(a7, m, c);
            a8 = V.MultiplyAdd(a8, m, c); a9 = V.MultiplyAdd(a9, m, c); a10 = V.MultiplyAdd(a10, m, c); a11 = V.MultiplyAdd(a11, m, c);
        }
        // Summing keeps every chain live, so none is dead code.
        V s = V.Add(V.Add(V.Add(a0, a1), V.Add(a2, a3)), V.Add(V.Add(a4, a5), V.Add(a6, a7)));
        return V.Sum(V.Add(s, V.Add(V.Add(a8, a9), V.Add(a10, a11))));
    }
}
