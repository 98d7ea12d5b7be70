using Lstm.MLNet.Samples.Common;
using Microsoft.ML;

namespace Lstm.MLNet.Samples.Classification;

/// <summary>
/// The quality table of README.md: on each bundled data set, its usual protocol (sentiment: 5-fold CV over all
/// 3000 sentences; SMS spam: a fixed 80/20 split; MR: 10-fold CV), the LSTM with default options next to ML.NET's
/// FeaturizeText + SdcaLogisticRegression on the very same folds. Prints Markdown.
/// </summary>
public static class QualitySample
{
    public static int Run(SampleArguments arguments)
    {
        var overrides = LstmOverrides(arguments);
        string lstmName = LstmName(overrides);
        var names = arguments.Named.TryGetValue("--datasets", out var list) ? list.Split(',', StringSplitOptions.TrimEntries) : TextDataset.Names;
        var table = new MarkdownTable("Data set (protocol)", "Model", "Accuracy", "AUC", "F1", "Fit time / fold");
        foreach (var name in names)
        {
            var data = TextDataset.Load(name);
            var ml = new MLContext(arguments.Seed);
            var lstm = new List<SplitResult>();
            var sdca = new List<SplitResult>();
            int fold = 0;
            foreach (var (trainIndices, testIndices) in data.Protocol.Splits(data.Examples.Count, arguments.Seed))
            {
                fold++;
                var train = ml.Data.LoadFromEnumerable(trainIndices.Select(i => data.Examples[i]));
                var test = ml.Data.LoadFromEnumerable(testIndices.Select(i => data.Examples[i]));
                var options = TextClassifiers.LstmOptions(arguments);
                Lstm.MLNet.Sweeps.SearchSpace.Apply(overrides, options);
                lstm.Add(TextClassifiers.FitAndEvaluate(ml, TextClassifiers.Lstm(ml, options), train, test).Result);
                sdca.Add(TextClassifiers.FitAndEvaluate(ml, TextClassifiers.Sdca(ml), train, test).Result);
                Console.Error.WriteLine($"{name} split {fold}: LSTM accuracy {lstm[^1].Accuracy:P2} ({lstm[^1].FitSeconds:F1} s), SDCA {sdca[^1].Accuracy:P2} ({sdca[^1].FitSeconds:F1} s)");
            }
            string label = $"{data.Name} ({data.Protocol})";
            table.Add(label, lstmName, MeanStd(lstm, r => r.Accuracy), MeanStd(lstm, r => r.Auc), MeanStd(lstm, r => r.F1), $"{lstm.Average(r => r.FitSeconds):F1} s");
            table.Add(label, "FeaturizeText + SDCA", MeanStd(sdca, r => r.Accuracy), MeanStd(sdca, r => r.Auc), MeanStd(sdca, r => r.F1), $"{sdca.Average(r => r.FitSeconds):F1} s");
        }
        Console.WriteLine(table);
        return 0;
    }

    /// <summary><c>--set "HiddenSize=32;NumberOfLayers=2"</c>: LSTM options by name (as a sweep writes them), e.g. a sweep's best run.</summary>
    internal static Dictionary<string, object> LstmOverrides(SampleArguments arguments) =>
        ParseOverrides(arguments.Named.TryGetValue("--set", out var assignments) ? assignments : "");

    /// <summary><c>"HiddenSize=32;NumberOfLayers=2"</c> → option name → value (empty text: the defaults).</summary>
    internal static Dictionary<string, object> ParseOverrides(string assignments) =>
        assignments.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(a => a.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length == 2 ? (object)kv[1] : throw new ArgumentException($"--set expects Name=value pairs separated by ';', got '{kv[0]}'."));

    internal static string LstmName(IReadOnlyDictionary<string, object> overrides) =>
        overrides.Count == 0 ? "LSTM (defaults)" : "LSTM (" + Lstm.MLNet.Sweeps.SearchSpace.Describe(overrides) + ")";

    private static string MeanStd(IReadOnlyList<SplitResult> results, Func<SplitResult, double> metric) => MeanStd(results.Select(metric).ToArray());

    /// <summary>Mean ± sample standard deviation, in percent or with 4 decimals (just the value for a single split).</summary>
    internal static string MeanStd(IReadOnlyList<double> values, bool percent = true)
    {
        double scale = percent ? 100 : 1;
        string format = percent ? "F2" : "F4", unit = percent ? "%" : "";
        var (mean, std) = MeanAndStd(values);
        if (values.Count < 2) return (mean * scale).ToString(format) + unit;
        return $"{(mean * scale).ToString(format)} ± {(std * scale).ToString(format)}{unit}";
    }

    /// <summary>Mean and sample standard deviation (0 for a single value).</summary>
    internal static (double Mean, double Std) MeanAndStd(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        return (mean, values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)));
    }
}
