using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.TestSupport;

/// <summary>A row of the UCI sentiment sentences (TestData/sentiment-sentences, linked from the samples' bundle).</summary>
public sealed class SentimentRow
{
    public string Text { get; set; } = "";
    public bool Label { get; set; }
}

/// <summary>A row with a string label for multiclass pipelines (MapValueToKey turns it into a key).</summary>
public sealed class TopicRow
{
    public string Text { get; set; } = "";
    public string Label { get; set; } = "";
}

/// <summary>The binary classifier's outputs, for PredictionEngine.</summary>
public sealed class BinaryPrediction
{
    public float Score { get; set; }
    public float Probability { get; set; }
    public bool PredictedLabel { get; set; }
}

internal static class SentimentData
{
    private static readonly string[] Files = ["amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"];
    private static readonly Lazy<SentimentRow[]> All = new(Load);

    /// <summary>All 3000 sentences in a fixed shuffled order (seed 7), so any prefix mixes the three sources and both labels.</summary>
    public static SentimentRow[] Rows => All.Value;

    /// <summary>The first <paramref name="count"/> rows of <see cref="Rows"/>, after skipping <paramref name="skip"/>.</summary>
    public static SentimentRow[] Take(int count, int skip = 0) => Rows.Skip(skip).Take(count).ToArray();

    /// <summary>The same sentences labelled by source file (amazon / imdb / yelp): a 3-class problem.</summary>
    public static TopicRow[] Topics(int count) => Sources.Value.Take(count).ToArray();

    private static readonly Lazy<TopicRow[]> Sources = new(() =>
    {
        var rows = Files.SelectMany(file => Lines(file).Select(line => new TopicRow { Text = line.Text, Label = file.Split('_')[0] })).ToArray();
        Shuffle(rows, new Random(7));
        return rows;
    });

    private static SentimentRow[] Load()
    {
        var rows = Files.SelectMany(file => Lines(file).Select(line => new SentimentRow { Text = line.Text, Label = line.Label })).ToArray();
        Shuffle(rows, new Random(7));
        return rows;
    }

    private static IEnumerable<(string Text, bool Label)> Lines(string file)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "TestData", "sentiment-sentences", file);
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            int tab = line.LastIndexOf('\t');
            if (tab < 0) continue;
            yield return (line[..tab], line[(tab + 1)..].Trim() == "1");
        }
    }

    private static void Shuffle<T>(T[] items, Random random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}

/// <summary>Small, fast options for tests: a few seconds of training on a few hundred sentences.</summary>
internal static class FastOptions
{
    public static LstmTextClassifierOptions Create(int epochs = 2, int seed = 1) => new()
    {
        EmbeddingSize = 16,
        HiddenSize = 16,
        MaxEpochs = epochs,
        BatchSize = 32,
        Seed = seed,
        NumberOfThreads = 1,
        MinTokenFrequency = 1,
        EarlyStoppingPatience = 0,
    };
}
