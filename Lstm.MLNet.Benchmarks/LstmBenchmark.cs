using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Benchmarks;

/// <summary>The LSTM layer stack alone: inference forward, and forward + backward through time.</summary>
internal static class LstmBenchmark
{
    public static void Run(TextWriter writer, BenchmarkOptions options, PeakFlops peak)
    {
        writer.WriteLine("### LSTM stack (sequences/s; GFLOP/s of the GEMMs, % of the FMA peak)");
        writer.WriteLine();
        var table = new MarkdownTable(3, ["Shape", "Path", "Threads", "Forward seq/s", "Forward GFLOP/s", "Fwd+bwd seq/s", "Fwd+bwd GFLOP/s"]);
        foreach (var shape in ModelShape.All)
            foreach (var path in options.ModelPaths)
                foreach (int threads in options.Threads)
                {
                    var (forward, training) = Measure(shape, new ComputeContext(path, threads), options.Timing);
                    double roof = peak.Get(path, threads);
                    table.Add(shape.Description, path.ToString().ToLowerInvariant(), threads.ToString(),
                        MarkdownTable.Rate(forward.PerSecond(shape.Batch)),
                        MarkdownTable.RateOfPeak(forward.GigaPerSecond(shape.ForwardFlops), roof),
                        MarkdownTable.Rate(training.PerSecond(shape.Batch)),
                        MarkdownTable.RateOfPeak(training.GigaPerSecond(shape.TrainingFlops), roof));
                }
        writer.WriteLine("Backward counted as 2× the forward GEMM flops; the gradient reaching the LSTM is dense over every output step.");
        writer.WriteLine();
        table.Print(writer);
    }

    private static (Measurement Forward, Measurement Training) Measure(ModelShape shape, ComputeContext context, TimingPolicy policy)
    {
        var lstm = new LstmLayer(shape.LstmShape, context, seed: 1);
        lstm.Parameters.InitializeUniform(seed: 2);
        var batch = SequenceBatch.Uniform(shape.Batch, shape.Steps);
        var random = new Random(3);
        float[] input = GemmBenchmark.RandomArray(random, batch.TotalSteps * shape.Input);
        float[] dOutput = GemmBenchmark.RandomArray(random, batch.TotalSteps * shape.Hidden);
        float[] dInput = new float[input.Length];

        var forward = Harness.Measure($"lstm forward {shape.Name} {context}",
            () => lstm.Forward(batch, input, [], [], [], [], training: false), policy);
        // Gradients accumulate across runs (never cleared): harmless for timing, and it keeps the loop to the LSTM's own work.
        var training = Harness.Measure($"lstm fwd+bwd {shape.Name} {context}", () =>
        {
            lstm.Forward(batch, input, [], [], [], [], training: true);
            lstm.Backward(dOutput, [], [], dInput, [], []);
        }, policy);
        return (forward, training);
    }
}
