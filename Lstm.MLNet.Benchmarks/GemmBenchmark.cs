using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Benchmarks;

/// <summary>
/// SGEMM throughput on every path at the shapes the LSTM runs: the per-step recurrent product (with
/// the weights prepacked once, as the LSTM does, and unpacked for comparison), the merged input
/// projection, and the merged weight gradient; plus 512³ as the familiar reference.
/// </summary>
internal static class GemmBenchmark
{
    /// <summary>C[m×n] (+)= op(A)[m×k]·op(B)[k×n]; <c>Prepacked</c>: B packed once by <see cref="Gemm.Pack"/> outside the timed loop.</summary>
    private sealed record Case(string Name, int M, int N, int K, bool TransposeA, bool TransposeB, bool Prepacked, bool Accumulate)
    {
        public string Layout => (TransposeA ? "T" : "N") + (TransposeB ? "T" : "N") + (Prepacked ? ", B prepacked" : "");
        public double Flops => 2.0 * M * N * K;
    }

    private static readonly Case[] s_cases =
    [
        new("Square", 512, 512, 512, false, false, false, false),
        // h_{t-1}[B×H] · W_hhᵀ[H×4H], accumulated onto the gates that already hold the input projection.
        new("Recurrent step B=32 H=128", 32, 512, 128, false, true, true, true),
        new("Recurrent step B=32 H=128", 32, 512, 128, false, true, false, true),
        new("Recurrent step B=64 H=256", 64, 1024, 256, false, true, true, true),
        new("Recurrent step B=64 H=256", 64, 1024, 256, false, true, false, true),
        new("Recurrent step B=64 H=64", 64, 256, 64, false, true, true, true),
        new("Recurrent step B=64 H=64", 64, 256, 64, false, true, false, true),
        // X[B·T × I] · W_ihᵀ[I × 4H] for all steps at once (B·T = 2048, I = 128, H = 128).
        new("Input projection N=2048 I=128 H=128", 2048, 512, 128, false, true, false, true),
        // dW_ih[4H × I] += dGatesᵀ · X: dGates is stored [N × 4H], so A is transposed.
        new("Weight gradient N=2048 I=128 H=128", 512, 128, 2048, true, false, false, true),
    ];

    public static void Run(TextWriter writer, BenchmarkOptions options, PeakFlops peak)
    {
        var paths = options.GemmPaths;
        var threads = options.Threads;
        writer.WriteLine("### SGEMM (GFLOP/s, and % of the FMA peak of the path's own width at that thread count)");
        writer.WriteLine();
        writer.WriteLine($"Peaks (GFLOP/s): {peak.Describe(paths.Union([SimdPath.Avx2]).Where(SimdSupport.IsSupported), threads)}.");
        writer.WriteLine();

        var table = new MarkdownTable(4, ["Product", "m×n×k", "Layout", "Path", .. threads.Select(PeakFlops.ThreadsHeader)]);
        foreach (var c in s_cases)
            foreach (var path in paths)
            {
                var cells = threads.Select(t =>
                {
                    double gflops = Measure(c, new ComputeContext(path, t), options.Timing);
                    return MarkdownTable.RateOfPeak(gflops, peak.Get(path, t));
                });
                table.Add([c.Name, $"{c.M}×{c.N}×{c.K}", c.Layout, path.ToString().ToLowerInvariant(), .. cells]);
            }
        table.Print(writer);
        RunRowProducts(writer, options, peak);
    }

    /// <summary>
    /// The batch-1 step's one-row product y[4H] += h[H]·W_hhᵀ over the row-packed weights (<see cref="RowGemv{V}"/>), one
    /// thread: each weight is loaded once for one multiply-add, so the weights' bytes per second, not the FMA peak, is
    /// what bounds it; H = 32 keeps them in L1, H = 128 (shape A) in L2, H = 256 past L2.
    /// </summary>
    private static void RunRowProducts(TextWriter writer, BenchmarkOptions options, PeakFlops peak)
    {
        writer.WriteLine();
        writer.WriteLine("### One-row product (the batch-1 step h·W_hhᵀ, 1 thread): GFLOP/s (% of the FMA peak) and GB/s of weights read");
        writer.WriteLine();
        var table = new MarkdownTable(3, ["Product", "k×n", "Weights", .. options.GemmPaths.Select(p => p.ToString().ToLowerInvariant())]);
        foreach (int h in new[] { 32, 64, 128, 256 })
        {
            int k = h, n = 4 * h;
            var cells = options.GemmPaths.Select(path =>
            {
                double seconds = MeasureRowProduct(path, k, n, options.Timing);
                double gflops = 2.0 * k * n / seconds * 1e-9;
                return $"{MarkdownTable.RateOfPeak(gflops, peak.Get(path, 1))}, {4.0 * k * n / seconds * 1e-9:F0} GB/s";
            });
            table.Add([$"One-row step H={h}", $"{k}×{n}", $"{4 * k * n / 1024} KB", .. cells]);
        }
        table.Print(writer);
    }

    private static unsafe double MeasureRowProduct(SimdPath path, int k, int n, TimingPolicy policy)
    {
        var random = new Random(42);
        float[] weights = RandomArray(random, n * k), x = RandomArray(random, k);
        RowPackedMatrix packed;
        fixed (float* w = weights) packed = new RowPackedMatrix(path, k, n, w, transpose: true);
        var y = new float[packed.PaddedColumns];
        var product = new RowProduct { X = x, Y = y, Weights = packed };
        return Harness.Measure($"one-row {k}×{n} {path}", () => SimdDispatch.Run(path, product), policy).MedianSeconds;
    }

    private unsafe struct RowProduct : ISimdKernel
    {
        public float[] X, Y;
        public RowPackedMatrix Weights;

        public readonly void Run<V>() where V : unmanaged, ISimdFloat<V>
        {
            fixed (float* x = X, y = Y) RowGemv<V>.MultiplyAdd(x, Weights, y, y);
        }
    }

    private static double Measure(Case c, ComputeContext context, TimingPolicy policy)
    {
        var random = new Random(42);
        float[] a = RandomArray(random, c.M * c.K), b = RandomArray(random, c.K * c.N), output = RandomArray(random, c.M * c.N);
        int lda = c.TransposeA ? c.M : c.K, ldb = c.TransposeB ? c.K : c.N;
        Action run;
        if (c.Prepacked)
        {
            var packed = Gemm.Pack(context, c.TransposeB, c.K, c.N, b, ldb);
            run = () => Gemm.Multiply(context, c.TransposeA, c.M, a, lda, packed, output, c.N, c.Accumulate);
        }
        else
            run = () => Gemm.Multiply(context, c.TransposeA, c.TransposeB, c.M, c.N, c.K, a, lda, b, ldb, output, c.N, c.Accumulate);
        var m = Harness.Measure($"gemm {c.Name} {c.Layout} {context}", run, policy);
        return m.GigaPerSecond(c.Flops);
    }

    internal static float[] RandomArray(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = random.NextSingle() * 2 - 1;
        return values;
    }
}
