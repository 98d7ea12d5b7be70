using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Samples.Common;

/// <summary>A labelled sentence or message, the input row of the text classifiers.</summary>
public sealed class TextExample
{
    public string Text { get; set; } = "";
    public bool Label { get; set; }
}

/// <summary>The bundled text data sets (Data/*, each with its ATTRIBUTION.md) and the evaluation protocol each is known by.</summary>
public sealed record TextDataset(string Name, string Description, IReadOnlyList<TextExample> Examples, EvaluationProtocol Protocol, string[] PositiveLabelNames)
{
    public static TextDataset Load(string name) => name switch
    {
        "sentiment" => Sentiment(),
        "spam" => Spam(),
        "mr" => MovieReviews(),
        _ => throw new ArgumentException($"Unknown data set '{name}'; expected sentiment, spam or mr.", nameof(name)),
    };

    public static readonly string[] Names = ["sentiment", "spam", "mr"];

    /// <summary>The names of a bundled data set's false and true classes, without loading it.</summary>
    public static string[] ClassNamesOf(string name) => name == "spam" ? ["ham", "spam"] : ["negative", "positive"];

    private static string DataFolder(string name) => Path.Combine(AppContext.BaseDirectory, "Data", name);

    /// <summary>A row of the sentiment files: <c>sentence&lt;TAB&gt;0|1</c>.</summary>
    private sealed class SentimentRow
    {
        [LoadColumn(0)] public string Text { get; set; } = "";
        [LoadColumn(1)] public string Label { get; set; } = "";
    }

    /// <summary>A row of the SMS file: <c>ham|spam&lt;TAB&gt;message</c>.</summary>
    private sealed class SmsRow
    {
        [LoadColumn(0)] public string Kind { get; set; } = "";
        [LoadColumn(1)] public string Text { get; set; } = "";
    }

    /// <summary>UCI Sentiment Labelled Sentences: 3000 sentences (amazon, imdb, yelp); 5-fold cross-validation over all of them.</summary>
    public static TextDataset Sentiment()
    {
        var ml = new MLContext();
        var examples = new List<TextExample>();
        foreach (var file in new[] { "amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt" })
        {
            // This copy of each file starts with a header line ("reviews<TAB>sentiment").
            var rows = ml.Data.LoadFromTextFile<SentimentRow>(Path.Combine(DataFolder("sentiment-sentences"), file), hasHeader: true);
            foreach (var (row, index) in ml.Data.CreateEnumerable<SentimentRow>(rows, reuseRowObject: false).Select((r, i) => (r, i)))
                examples.Add(new TextExample { Text = row.Text, Label = row.Label switch
                {
                    "1" => true,
                    "0" => false,
                    _ => throw new InvalidDataException($"{file} row {index + 1}: the label is '{row.Label}', expected 0 or 1."),
                } });
        }
        return new("sentiment", "UCI sentiment sentences (amazon, imdb, yelp)", examples, new EvaluationProtocol.CrossValidation(5), ClassNamesOf("sentiment"));
    }

    /// <summary>UCI SMS Spam Collection: 5574 messages, a fixed seeded 80/20 split.</summary>
    public static TextDataset Spam()
    {
        var ml = new MLContext();
        var rows = ml.Data.LoadFromTextFile<SmsRow>(Path.Combine(DataFolder("sms-spam"), "SMSSpamCollection"));
        var examples = ml.Data.CreateEnumerable<SmsRow>(rows, reuseRowObject: false).Select((row, index) => new TextExample
        {
            Text = row.Text,
            Label = row.Kind switch
            {
                "spam" => true,
                "ham" => false,
                _ => throw new InvalidDataException($"SMSSpamCollection row {index + 1}: the class is '{row.Kind}', expected ham or spam."),
            },
        }).ToList();
        return new("spam", "UCI SMS Spam Collection", examples, new EvaluationProtocol.HoldOut(0.2), ClassNamesOf("spam"));
    }

    /// <summary>Pang &amp; Lee movie-review polarity (MR): 10662 snippets, 10-fold cross-validation as in the literature.</summary>
    public static TextDataset MovieReviews()
    {
        // One snippet per line, the class is the file. The files are Latin-1, which ML.NET's text loader (UTF-8 only)
        // would misread, so they are read as plain lines.
        var latin1 = Encoding.Latin1;
        var folder = DataFolder("movie-review-polarity");
        var examples = File.ReadLines(Path.Combine(folder, "rt-polarity.pos"), latin1).Select(t => new TextExample { Text = t, Label = true })
            .Concat(File.ReadLines(Path.Combine(folder, "rt-polarity.neg"), latin1).Select(t => new TextExample { Text = t, Label = false }))
            .ToList();
        return new("mr", "movie-review polarity (Pang & Lee 2005)", examples, new EvaluationProtocol.CrossValidation(10), ClassNamesOf("mr"));
    }
}

/// <summary>How a data set is evaluated: a fixed hold-out split or k-fold cross-validation (seeded, the same for every model).</summary>
public abstract record EvaluationProtocol
{
    public sealed record HoldOut(double TestFraction) : EvaluationProtocol
    {
        public override string ToString() => $"fixed {100 - TestFraction * 100:0}/{TestFraction * 100:0} split";
    }

    public sealed record CrossValidation(int Folds) : EvaluationProtocol
    {
        public override string ToString() => $"{Folds}-fold cross-validation";
    }

    /// <summary>The data set's own published split: its first <paramref name="TrainCount"/> rows train, the rest test (no shuffle).</summary>
    public sealed record StandardSplit(int TrainCount) : EvaluationProtocol
    {
        public override string ToString() => "standard train/test split";
    }

    /// <summary>The (train, test) index sets of the protocol over <paramref name="count"/> rows: a seeded shuffle, then contiguous folds.</summary>
    public IEnumerable<(int[] Train, int[] Test)> Splits(int count, int seed)
    {
        if (this is StandardSplit standard)
        {
            yield return (Enumerable.Range(0, standard.TrainCount).ToArray(), Enumerable.Range(standard.TrainCount, count - standard.TrainCount).ToArray());
            yield break;
        }
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        int folds = this is CrossValidation cv ? cv.Folds : 1;
        for (int f = 0; f < folds; f++)
        {
            int start, end;
            if (this is HoldOut h) { start = 0; end = (int)Math.Round(count * h.TestFraction); }
            else { start = (int)((long)count * f / folds); end = (int)((long)count * (f + 1) / folds); }
            yield return (order[..start].Concat(order[end..]).ToArray(), order[start..end]);
        }
    }
}
