using Lstm.MLNet.Compute;
using Lstm.MLNet.Model;
using Lstm.MLNet.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Benchmarks;

/// <summary>
/// Inference of the benchmark model (embedding(V, E=I) → LSTM → last state → linear(H → 2)), ours against libtorch in the
/// same run: batch-1 latency (the batch-1 path and, for reference, the batched path at one row), batch-256 throughput,
/// and end to end through ML.NET on shape A (a <c>PredictionEngine</c> call and a batch <c>Transform</c>, text in,
/// tokenizer included) against libtorch's bare forward at batch 1 and 256.
/// </summary>
internal static class InferenceBenchmark
{
    private const int ThroughputBatch = 256;
    /// <summary>Rows one batch Transform pass scores.</summary>
    private const int TransformRows = 2 * ThroughputBatch;

    public static void Run(TextWriter writer, BenchmarkOptions options, PeakFlops peak)
    {
        string? torchFailure = options.Torch ? TorchPeer.UnavailableReason : "skipped (--no-torch)";
        writer.WriteLine($"### Inference: embedding(V={TrainData.DefaultVocabulary}, E=I) → LSTM → last state → linear(H→{TrainData.Classes})");
        writer.WriteLine();
        writer.WriteLine(torchFailure == null
            ? $"Peer: TorchSharp + libtorch {TorchPeer.Version} (CPU), same process, torch.no_grad(), torch.set_num_threads matched to ours. " +
              "Latency in µs per sequence (lower is better), throughput in sequences/s; ratios > 1 mean Lstm.MLNet is faster."
            : $"libtorch peer unavailable: {torchFailure}");
        writer.WriteLine();

        var table = new MarkdownTable(3, ["Shape", "Path", "Threads", "Batch-1 µs", "Batched path at 1 µs", "libtorch batch-1 µs", "Ratio",
            "Batch-256 seq/s", "libtorch batch-256 seq/s", "Ratio ", "Computed projections seq/s", "GFLOP/s"]);
        var endToEnd = new MarkdownTable(4, ["Shape", "Path", "Threads", "Measure", "Lstm.MLNet", "libtorch bare forward", "Ratio"]);
        foreach (var shape in ModelShape.All)
        {
            var data = TrainData.Create(shape with { Batch = ThroughputBatch });
            foreach (int threads in options.Threads)
            {
                double? torchSingle = null, torchBatch = null;
                if (torchFailure == null)
                {
                    TorchTrainStep.SetThreads(threads);
                    using var peer = new TorchInference(shape, data);
                    torchSingle = Harness.Measure($"libtorch infer-1 {shape.Name} ×{threads}", peer.ForwardOne, options.Timing).MedianSeconds;
                    torchBatch = Harness.Measure($"libtorch infer-256 {shape.Name} ×{threads}", peer.ForwardAll, options.Timing).MedianSeconds;
                }
                foreach (var path in options.ModelPaths)
                {
                    var context = new ComputeContext(path, threads);
                    var network = Network(shape, data.Vocabulary, context);
                    var view = network.CreateInferenceView();
                    var logits = new float[TrainData.Classes * ThroughputBatch];
                    int[] first = data.Sequences[0];
                    var one = new[] { first };
                    double single = Harness.Measure($"ours infer-1 {shape.Name} {context}", () => view.PredictSingleLogits(first, logits), options.Timing).MedianSeconds;
                    double batchedAtOne = Harness.Measure($"ours batched-1 {shape.Name} {context}", () => view.PredictLogits(one, logits), options.Timing).MedianSeconds;
                    double batch = Harness.Measure($"ours infer-256 {shape.Name} {context}", () => view.PredictLogits(data.Sequences, logits), options.Timing).MedianSeconds;
                    double computed = Harness.Measure($"ours infer-256 computed {shape.Name} {context}", () => network.PredictLogits(data.Sequences, logits), options.Timing).MedianSeconds;
                    double flops = (shape with { Batch = ThroughputBatch }).ForwardFlops;
                    table.Add(shape.Description, path.ToString().ToLowerInvariant(), threads.ToString(),
                        Micro(single), Micro(batchedAtOne), torchSingle is { } ts ? Micro(ts) : "n/a", torchSingle is { } ts2 ? MarkdownTable.Ratio(ts2 / single) : "n/a",
                        MarkdownTable.Rate(ThroughputBatch / batch),
                        torchBatch is { } tb ? MarkdownTable.Rate(ThroughputBatch / tb) : "n/a", torchBatch is { } tb2 ? MarkdownTable.Ratio(tb2 / batch) : "n/a",
                        MarkdownTable.Rate(ThroughputBatch / computed), MarkdownTable.RateOfPeak(flops / computed * 1e-9, peak.Get(path, threads)));

                    if (shape.Name != "A") continue;
                    var (engineSeconds, transformRowSeconds) = MeasureEndToEnd(shape, data, network, options.Timing, $"{shape.Name} {context}");
                    endToEnd.Add(shape.Description, path.ToString().ToLowerInvariant(), threads.ToString(), "PredictionEngine.Predict, µs (libtorch: batch-1 forward)",
                        Micro(engineSeconds), torchSingle is { } a ? Micro(a) : "n/a", torchSingle is { } a2 ? MarkdownTable.Ratio(a2 / engineSeconds) : "n/a");
                    endToEnd.Add(shape.Description, path.ToString().ToLowerInvariant(), threads.ToString(), "batch Transform, rows/s (libtorch: batch-256 forward)",
                        MarkdownTable.Rate(1 / transformRowSeconds), torchBatch is { } b ? MarkdownTable.Rate(ThroughputBatch / b) : "n/a",
                        torchBatch is { } b2 ? MarkdownTable.Ratio(b2 / ThroughputBatch / transformRowSeconds) : "n/a");
                }
            }
        }
        table.Print(writer);
        writer.WriteLine("Batch-1 and batch-256: an inference view, as PredictionEngine and Transform use (the first layer's input projections are " +
            "per-token table rows, computed at a token's first sight). Computed projections: the training network's batched forward (embedding, then the " +
            "input GEMM); GFLOP/s counts its LSTM GEMM flops (2·N·4H·(in + H) per layer), % of the path's FMA peak at that thread count.");
        writer.WriteLine();
        writer.WriteLine($"End to end through ML.NET (text in: {ModelShape.All[0].Steps} space-separated words per row through the model's tokenizer; no n-gram path; 1 output row per input):");
        writer.WriteLine();
        endToEnd.Print(writer);
        writer.WriteLine($"A PredictionEngine call allocated {EngineBytesPerCall:F0} bytes (the output row object included; model without the n-gram path).");
        writer.WriteLine();
    }

    private static string Micro(double seconds) => MarkdownTable.Rate(seconds * 1e6);

    private static SequenceClassifierNetwork Network(ModelShape shape, int vocabulary, ComputeContext context)
    {
        var network = new SequenceClassifierNetwork(vocabulary, TrainData.Classes, new SequenceClassifierOptions
        {
            EmbeddingSize = shape.Input, HiddenSize = shape.Hidden, NumberOfLayers = shape.Layers, Pooling = LstmPooling.Last,
            Seed = 1, NumberOfThreads = context.Threads,
        });
        network.Context = context;
        return network;
    }

    /// <summary>Seconds per PredictionEngine call, and per row of a batch Transform pass, on text rows of the data's tokens.</summary>
    private static (double Engine, double TransformRow) MeasureEndToEnd(ModelShape shape, TrainData data, SequenceClassifierNetwork network, TimingPolicy policy, string label)
    {
        var ml = new MLContext(seed: 1);
        // Vocabulary "w2" … so that each text's words map back to the data's token ids (0 and 1 are padding and unknown).
        var tokenizer = WordTokenizer.FromVocabulary([WordTokenizer.PaddingToken, WordTokenizer.UnknownToken,
            .. Enumerable.Range(WordTokenizer.ReservedIds, data.Vocabulary - WordTokenizer.ReservedIds).Select(i => $"w{i}")]);
        var model = new TextClassifierModel(network, tokenizer, maxSequenceLength: shape.Steps);
        var options = new LstmOptions
        {
            EmbeddingSize = shape.Input, HiddenSize = shape.Hidden, NumberOfLayers = shape.Layers, Bidirectional = false, Pooling = LstmPooling.Last,
            NgramLength = 0, NumberOfThreads = network.Context.Threads,
        };
        var transformer = new LstmTextClassificationTransformer(ml, LstmTask.BinaryClassification, "Text", LstmInputKind.Text, "Label", options, model, null, [], 0);
        var rows = data.Sequences.Select(s => new TextRow { Text = string.Join(' ', s.Select(id => $"w{Math.Max(id, WordTokenizer.ReservedIds)}")) }).ToArray();

        var engine = ml.Model.CreatePredictionEngine<TextRow, ScoreRow>(transformer);
        int next = 0;
        double engineSeconds = Harness.Measure($"ours PredictionEngine {label}", () => engine.Predict(rows[next++ % rows.Length]), policy).MedianSeconds;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < rows.Length; i++) engine.Predict(rows[i]);
        EngineBytesPerCall = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / rows.Length;

        var input = ml.Data.LoadFromEnumerable(Enumerable.Range(0, TransformRows).Select(i => rows[i % rows.Length]).ToArray());
        double transformSeconds = Harness.Measure($"ours Transform {label}", () =>
        {
            var scored = transformer.Transform(input);
            using var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name == "Score"));
            var score = cursor.GetGetter<float>(scored.Schema["Score"]);
            float value = 0;
            while (cursor.MoveNext()) score(ref value);
        }, policy).MedianSeconds;
        return (engineSeconds, transformSeconds / TransformRows);
    }

    /// <summary>Bytes one PredictionEngine call allocated in the last end-to-end run (the output object included).</summary>
    private static double EngineBytesPerCall;

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    private sealed class ScoreRow
    {
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }
}
