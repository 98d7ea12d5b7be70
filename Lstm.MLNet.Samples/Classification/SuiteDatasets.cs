using System.IO.Compression;
using System.Text;
using Lstm.MLNet.Samples.Common;

namespace Lstm.MLNet.Samples.Classification;

/// <summary>A row of the benchmark suite: the text, its class name, and (binary sets only) whether it is the positive class.</summary>
public sealed class SuiteExample
{
    public string Text { get; set; } = "";
    public string Class { get; set; } = "";
    public bool Label { get; set; }
}

/// <summary>
/// One data set of the text benchmark suite: its rows, the class names (binary: negative then positive) and the
/// protocol it is known by. Binary sets are trained on the Boolean <see cref="SuiteExample.Label"/>, the others on
/// <see cref="SuiteExample.Class"/> mapped to a key.
/// </summary>
public sealed record SuiteDataset(string Name, string Description, IReadOnlyList<SuiteExample> Examples, EvaluationProtocol Protocol, IReadOnlyList<string> Classes)
{
    public bool IsBinary => Classes.Count == 2;

    /// <summary>Short questions and intents first, long reviews and news last.</summary>
    public static readonly string[] Names = ["sentiment", "spam", "mr", "banking77", "clinc150", "ag-news", "imdb", "20newsgroups"];

    public static SuiteDataset Load(string name) => name switch
    {
        "sentiment" or "spam" or "mr" => FromBinary(TextDataset.Load(name)),
        "banking77" => FromTrainTest(name, "Banking77 customer intents (Casanueva et al. 2020)", "banking77"),
        "clinc150" => FromTrainTest(name, "CLINC150 in-scope voice-assistant intents (Larson et al. 2019)", "clinc150"),
        "ag-news" => CrossValidated(name, "AG News topics, official 7.6k test set (Zhang et al. 2015)", "ag-news", "test.tsv.gz", 5),
        "imdb" => FromTrainTest(name, "IMDB reviews, seeded 5k/5k subset (Maas et al. 2011)", "imdb"),
        "20newsgroups" => FromTrainTest(name, "20 Newsgroups by date, headers but Subject removed", "20newsgroups"),
        _ => throw new ArgumentException($"Unknown data set '{name}' in --sets; expected any of {string.Join(", ", Names)}."),
    };

    private static SuiteDataset FromBinary(TextDataset data)
    {
        var classes = data.PositiveLabelNames;
        var examples = data.Examples.Select(e => new SuiteExample { Text = e.Text, Label = e.Label, Class = classes[e.Label ? 1 : 0] }).ToList();
        return new(data.Name, data.Description, examples, data.Protocol, classes);
    }

    private static SuiteDataset FromTrainTest(string name, string description, string folder)
    {
        var train = ReadLabelled(folder, "train.tsv.gz");
        var test = ReadLabelled(folder, "test.tsv.gz");
        return Create(name, description, [.. train, .. test], new EvaluationProtocol.StandardSplit(train.Count));
    }

    private static SuiteDataset CrossValidated(string name, string description, string folder, string file, int folds) =>
        Create(name, description, ReadLabelled(folder, file), new EvaluationProtocol.CrossValidation(folds));

    private static SuiteDataset Create(string name, string description, List<SuiteExample> examples, EvaluationProtocol protocol)
    {
        // Classes in ordinal order: the order of the key values too (MapValueToKey ByValue), so slot i is Classes[i].
        var classes = examples.Select(e => e.Class).Distinct().Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 2)
            foreach (var e in examples) e.Label = e.Class == classes[1];
        return new(name, description, examples, protocol, classes);
    }

    /// <summary>Reads a gzip file of <c>class&lt;TAB&gt;text</c> lines from Data/<paramref name="folder"/>.</summary>
    private static List<SuiteExample> ReadLabelled(string folder, string file)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Data", folder, file);
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var examples = new List<SuiteExample>();
        int number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            int tab = line.IndexOf('\t');
            if (tab <= 0 || tab == line.Length - 1)
                throw new InvalidDataException($"{folder}/{file} line {number}: expected 'class<TAB>text'.");
            examples.Add(new SuiteExample { Class = line[..tab], Text = line[(tab + 1)..] });
        }
        return examples;
    }
}
