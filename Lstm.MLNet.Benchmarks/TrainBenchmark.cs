using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Benchmarks;

/// <summary>The headline: training steps per second of the whole model, ours against libtorch in the same process.</summary>
internal static class TrainBenchmark
{
    public static void Run(TextWriter writer, BenchmarkOptions options)
    {
        string? torchFailure = options.Torch ? TorchPeer.UnavailableReason : "skipped (--no-torch)";
        string ours = options.LibraryModel ? "Lstm.MLNet model" : "Lstm.MLNet";
        writer.WriteLine($"### Training step: embedding(V={TrainData.DefaultVocabulary}, E=I) → LSTM → linear(H→{TrainData.Classes}) → softmax CE → backward → Adam (sequences/s)");
        writer.WriteLine();
        writer.WriteLine(torchFailure == null
            ? $"Peer: TorchSharp + libtorch {TorchPeer.Version} (CPU) in the same process, torch.set_num_threads matched to ours."
            : $"libtorch peer unavailable: {torchFailure}");
        writer.WriteLine();

        var table = new MarkdownTable(3, ["Shape", "Path", "Threads", $"{ours} seq/s", "libtorch seq/s", "Ratio"]);
        var losses = new List<string>();
        foreach (var shape in ModelShape.All)
        {
            var data = TrainData.Create(shape);
            foreach (int threads in options.Threads)
            {
                // libtorch has one path: measured once per shape and thread count, compared with each of ours.
                double? torch = null;
                if (torchFailure == null)
                {
                    TorchTrainStep.SetThreads(threads);
                    using var peer = new TorchTrainStep(shape, data);
                    torch = Measure($"libtorch {shape.Name} ×{threads}", peer, shape, options.Timing, losses);
                }
                foreach (var path in options.ModelPaths)
                {
                    var context = new ComputeContext(path, threads);
                    using ITrainStep step = options.LibraryModel
                        ? new LibraryModelTrainStep(shape, data, context)
                        : new OurTrainStep(shape, data, context);
                    double rate = Measure($"{ours} {shape.Name} {context}", step, shape, options.Timing, losses);
                    table.Add(shape.Description, path.ToString().ToLowerInvariant(), threads.ToString(), MarkdownTable.Rate(rate),
                        torch is { } t ? MarkdownTable.Rate(t) : "n/a", torch is { } t2 ? MarkdownTable.Ratio(rate / t2) : "n/a");
                }
            }
        }
        table.Print(writer);
        // Evidence that each side really trains the model: the loss on the fixed batch falls over the timed steps.
        writer.WriteLine($"Loss on the fixed batch, first step → last timed step: {string.Join("; ", losses)}.");
        writer.WriteLine();
    }

    /// <summary>Sequences per second of <paramref name="step"/>; records the loss before and after for the footnote.</summary>
    private static double Measure(string label, ITrainStep step, ModelShape shape, TimingPolicy policy, List<string> losses)
    {
        float first = step.Step(), last = first;
        var m = Harness.Measure($"train {label}", () => last = step.Step(), policy);
        losses.Add($"{label} {first:F3} → {last:F3}");
        return m.PerSecond(shape.Batch);
    }
}
