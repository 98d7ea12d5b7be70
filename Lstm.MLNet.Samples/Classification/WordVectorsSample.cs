using System.Diagnostics;
using Lstm.MLNet.Samples.Common;
using Spectre.Console;

namespace Lstm.MLNet.Samples.Classification;

/// <summary>The 'vectors' command: word vectors from the text of bundled data sets, their labels unused.</summary>
public static class WordVectorsSample
{
    public const string DefaultSets = "imdb,ag-news,20newsgroups";

    public static int Run(SampleArguments arguments)
    {
        var sets = arguments.Named.GetValueOrDefault("--sets", DefaultSets).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var texts = sets.SelectMany(name => SuiteDataset.Load(name).Examples.Select(e => e.Text)).ToList();
        string path = arguments.OutputPath("bundled-vectors.vec.gz");
        var clock = Stopwatch.StartNew();
        int words = SkipGramVectors.TrainAndWrite(texts, path, seed: arguments.Seed, epochs: arguments.Epochs ?? 5);
        AnsiConsole.MarkupLineInterpolated($"{words} word vectors from {texts.Count} texts of {string.Join(", ", sets)} in {clock.Elapsed.TotalSeconds:F0} s: [blue]{path}[/]");
        return 0;
    }
}
