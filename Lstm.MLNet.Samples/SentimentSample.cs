using System.Diagnostics;
using Lstm.MLNet.Compute;
using Lstm.MLNet.Model;

namespace Lstm.MLNet.Samples;

/// <summary>
/// Trains an LSTM sentiment classifier on the UCI "Sentiment Labelled Sentences" (amazon, imdb, yelp:
/// 3000 sentences, bundled in Data/sentiment-sentences) with a seeded 80/20 split, and reports loss and
/// test accuracy per epoch.
/// </summary>
internal static class SentimentSample
{
    private static readonly string[] Files = ["amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"];

    public static int Run(string[] args)
    {
        int epochs = 10, threads = 0, seed = 1, batchSize = 32;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--epochs" when i + 1 < args.Length: epochs = int.Parse(args[++i]); break;
                case "--threads" when i + 1 < args.Length: threads = int.Parse(args[++i]); break;
                case "--seed" when i + 1 < args.Length: seed = int.Parse(args[++i]); break;
                default:
                    Console.Error.WriteLine($"Unknown or incomplete option '{args[i]}'.");
                    return 1;
            }
        }

        var examples = Load(Path.Combine(AppContext.BaseDirectory, "Data", "sentiment-sentences"));
        Shuffle(examples, new Random(seed));
        int trainCount = examples.Count * 8 / 10;
        var train = examples.Take(trainCount).ToList();
        var test = examples.Skip(trainCount).ToList();

        // The vocabulary sees only the training sentences; words seen once map to the unknown id.
        var vocabulary = WordVocabulary.Build(train.Select(e => e.Text), minimumCount: 2);
        int[][] trainTokens = train.Select(e => vocabulary.Encode(e.Text)).ToArray();
        int[] trainLabels = train.Select(e => e.Label).ToArray();
        int[][] testTokens = test.Select(e => vocabulary.Encode(e.Text)).ToArray();
        int[] testLabels = test.Select(e => e.Label).ToArray();

        var options = new SequenceClassifierOptions
        {
            EmbeddingSize = 64,
            HiddenSize = 64,
            Bidirectional = true,
            Pooling = SequencePoolingKind.Max,
            Dropout = 0.3f,
            LearningRate = 2e-3,
            WeightDecay = 0,
            GradientClipNorm = 5f,
            Seed = seed,
            NumberOfThreads = threads,
        };
        var network = new SequenceClassifierNetwork(vocabulary.Count, numberOfClasses: 2, options);

        Console.WriteLine($"CPU: {SimdSupport.DescribeCpu()}");
        Console.WriteLine($"Compute: {network.Context.Path} ISA, {network.Context.Threads} thread(s)");
        Console.WriteLine($"Data: {examples.Count} sentences ({string.Join(", ", Files)}); train {train.Count}, test {test.Count}; vocabulary {vocabulary.Count} words (min count 2, id 0 = unknown)");
        Console.WriteLine($"Model: embedding {options.EmbeddingSize}, {(options.Bidirectional ? "bidirectional " : "")}LSTM {options.NumberOfLayers}×{options.HiddenSize}, " +
                          $"{options.Pooling} pooling, dropout {options.Dropout}, {options.Optimizer} lr {options.LearningRate}, batch {batchSize}, {epochs} epochs");
        Console.WriteLine();
        Console.WriteLine("epoch  train loss  test accuracy  sequences/s  elapsed");

        var order = Enumerable.Range(0, train.Count).ToArray();
        var batchTokens = new int[batchSize][];
        var batchLabels = new int[batchSize];
        var shuffler = new Random(seed + 1);
        var total = Stopwatch.StartNew();
        double accuracy = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            Shuffle(order, shuffler);
            var epochTimer = Stopwatch.StartNew();
            double lossSum = 0;
            for (int start = 0; start < order.Length; start += batchSize)
            {
                int count = Math.Min(batchSize, order.Length - start);
                for (int k = 0; k < count; k++)
                {
                    batchTokens[k] = trainTokens[order[start + k]];
                    batchLabels[k] = trainLabels[order[start + k]];
                }
                lossSum += network.TrainBatch(batchTokens.AsSpan(0, count), batchLabels.AsSpan(0, count)) * count;
            }
            double seconds = epochTimer.Elapsed.TotalSeconds;
            accuracy = Accuracy(network, testTokens, testLabels);
            Console.WriteLine($"{epoch,5}  {lossSum / order.Length,10:F4}  {accuracy,12:P2}  {order.Length / seconds,11:F0}  {total.Elapsed.TotalSeconds,6:F1}s");
        }
        Console.WriteLine();
        Console.WriteLine($"Final test accuracy: {accuracy:P2} on {test.Count} held-out sentences ({total.Elapsed.TotalSeconds:F1}s in all).");
        return 0;
    }

    private static double Accuracy(SequenceClassifierNetwork network, int[][] tokens, int[] labels)
    {
        var probabilities = network.PredictProbabilities(tokens);
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
            if ((probabilities[2 * i + 1] > probabilities[2 * i] ? 1 : 0) == labels[i]) correct++;
        return (double)correct / labels.Length;
    }

    private sealed record Example(string Text, int Label);

    /// <summary>Reads <c>sentence&lt;TAB&gt;label</c> lines (after the header line) from each file.</summary>
    private static List<Example> Load(string folder)
    {
        var examples = new List<Example>();
        foreach (var file in Files)
            foreach (var line in File.ReadLines(Path.Combine(folder, file)).Skip(1))
            {
                int tab = line.LastIndexOf('\t');
                if (tab < 0) continue;
                examples.Add(new Example(line[..tab], int.Parse(line[(tab + 1)..].Trim())));
            }
        return examples;
    }

    /// <summary>Fisher–Yates with the given generator, so the split and batch order are reproducible.</summary>
    private static void Shuffle<T>(IList<T> items, Random random)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
