using System.Text;

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

    private static string DataFolder(string name) => Path.Combine(AppContext.BaseDirectory, "Data", name);

    /// <summary>UCI Sentiment Labelled Sentences: 3000 sentences (amazon, imdb, yelp); 5-fold cross-validation over all of them.</summary>
    public static TextDataset Sentiment()
    {
        var examples = new List<TextExample>();
        foreach (var file in new[] { "amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt" })
        {
            foreach (var (line, number) in File.ReadLines(Path.Combine(DataFolder("sentiment-sentences"), file)).Select((l, i) => (l, i + 1)))
            {
                if (number == 1 && line.StartsWith("reviews\t", StringComparison.Ordinal)) continue; // this copy's header
                int tab = line.LastIndexOf('\t');
                if (tab < 0 || line[(tab + 1)..].Trim() is not ("0" or "1"))
                    throw new InvalidDataException($"{file} line {number}: expected 'sentence<TAB>0|1'.");
                examples.Add(new TextExample { Text = line[..tab], Label = line[(tab + 1)..].Trim() == "1" });
            }
        }
        return new("sentiment", "UCI sentiment sentences (amazon, imdb, yelp)", examples, new EvaluationProtocol.CrossValidation(5), ["negative", "positive"]);
    }

    /// <summary>UCI SMS Spam Collection: 5574 messages, a fixed seeded 80/20 split.</summary>
    public static TextDataset Spam()
    {
        var examples = new List<TextExample>();
        foreach (var (line, number) in File.ReadLines(Path.Combine(DataFolder("sms-spam"), "SMSSpamCollection")).Select((l, i) => (l, i + 1)))
        {
            int tab = line.IndexOf('\t');
            string kind = tab < 0 ? "" : line[..tab];
            if (kind is not ("ham" or "spam"))
                throw new InvalidDataException($"SMSSpamCollection line {number}: expected 'ham|spam<TAB>text'.");
            examples.Add(new TextExample { Text = line[(tab + 1)..], Label = kind == "spam" });
        }
        return new("spam", "UCI SMS Spam Collection", examples, new EvaluationProtocol.HoldOut(0.2), ["ham", "spam"]);
    }

    /// <summary>Pang &amp; Lee movie-review polarity (MR): 10662 snippets, 10-fold cross-validation as in the literature.</summary>
    public static TextDataset MovieReviews()
    {
        var latin1 = Encoding.Latin1;
        var folder = DataFolder("movie-review-polarity");
        var examples = File.ReadLines(Path.Combine(folder, "rt-polarity.pos"), latin1).Select(t => new TextExample { Text = t, Label = true })
            .Concat(File.ReadLines(Path.Combine(folder, "rt-polarity.neg"), latin1).Select(t => new TextExample { Text = t, Label = false }))
            .ToList();
        return new("mr", "movie-review polarity (Pang & Lee 2005)", examples, new EvaluationProtocol.CrossValidation(10), ["negative", "positive"]);
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
