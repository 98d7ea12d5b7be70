using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lstm.MLNet.Samples.Common;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Lstm.MLNet.Samples.Classification;

/// <summary>
/// The text benchmark suite (<c>quality --suite</c>): on each data set of <see cref="SuiteDataset.Names"/>, its usual
/// protocol, the LSTM (default options, or <c>--set</c> overrides; several configurations separated by '|', an empty
/// one meaning the defaults, e.g. <c>--set "|EmbeddingSize=128;HiddenSize=128"</c>) next to ML.NET's FeaturizeText +
/// SdcaLogisticRegression (binary) / SdcaMaximumEntropy (multiclass) on the very same splits; accuracy, macro-F1,
/// log-loss, expected calibration error and fit time, then each model's mean rank over the sets. Prints Markdown
/// and writes it with a CSV to <c>--out</c> (quality-suite.md, quality-suite.csv).
/// </summary>
public static class BenchmarkSuite
{
    public const string SuiteFlag = "--suite";
    public const string QuickFlag = "--quick";
    /// <summary>Leaves out FeaturizeText + SDCA (deterministic for a seed: its rows of an earlier run stand), to compare LSTM variants faster.</summary>
    public const string LstmOnlyFlag = "--lstm-only";

    // --quick (marked "quick" in the protocol column): the first QuickFolds folds of a k-fold protocol, and seeded
    // subsamples of at most these many rows of each split.
    private const int QuickFolds = 3;
    private const int QuickTrainRows = 5000;
    private const int QuickTestRows = 2500;

    private const string SdcaName = "FeaturizeText + SDCA";

    public static int Run(SampleArguments arguments)
    {
        bool quick = arguments.Named.ContainsKey(QuickFlag), lstmOnly = arguments.Named.ContainsKey(LstmOnlyFlag);
        var configurations = (arguments.Named.TryGetValue("--set", out var sets) ? sets : "").Split('|')
            .Select(QualitySample.ParseOverrides).Select(o => (Overrides: o, Name: QualitySample.LstmName(o))).ToList();
        string[] models = [.. configurations.Select(c => c.Name), .. lstmOnly ? Array.Empty<string>() : [SdcaName]];
        if (models.Distinct().Count() != models.Length) throw new ArgumentException("--set names the same LSTM configuration twice.");
        var names = arguments.Named.TryGetValue("--sets", out var list) ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : SuiteDataset.Names;
        var datasets = names.Select(SuiteDataset.Load).ToList();  // every name checked before hours of training

        var results = new List<SetResult>();
        foreach (var data in datasets)
        {
            var ml = new MLContext(arguments.Seed);
            var lstm = configurations.Select(_ => new List<ProbabilisticMetrics>()).ToList();
            var sdca = new List<ProbabilisticMetrics>();
            var splits = data.Protocol.Splits(data.Examples.Count, arguments.Seed);
            if (quick) splits = splits.Take(QuickFolds).Select((s, i) => Subsample(s, arguments.Seed + i));
            int split = 0;
            foreach (var (trainIndices, testIndices) in splits)
            {
                split++;
                var train = ml.Data.LoadFromEnumerable(trainIndices.Select(i => data.Examples[i]));
                var test = ml.Data.LoadFromEnumerable(testIndices.Select(i => data.Examples[i]));
                var line = new StringBuilder($"{data.Name} split {split} ({trainIndices.Length} train, {testIndices.Length} test):");
                void Report(string model, ProbabilisticMetrics m) => line.Append($" {model} accuracy {m.Accuracy:P2} log-loss {m.LogLoss:F3} ({m.FitSeconds:F1} s);");
                for (int c = 0; c < configurations.Count; c++)
                {
                    var options = TextClassifiers.LstmOptions(arguments);
                    Lstm.MLNet.Sweeps.SearchSpace.Apply(configurations[c].Overrides, options);
                    lstm[c].Add(FitAndEvaluate(ml, data, LstmEstimator(ml, data, options), train, test));
                    Report(configurations[c].Name, lstm[c][^1]);
                }
                if (!lstmOnly)
                {
                    sdca.Add(FitAndEvaluate(ml, data, SdcaEstimator(ml, data), train, test));
                    Report("SDCA", sdca[^1]);
                }
                Console.Error.WriteLine(line);
            }
            string protocol = data.Protocol + (quick ? ", quick" : "");
            for (int c = 0; c < configurations.Count; c++) results.Add(new SetResult(data, protocol, configurations[c].Name, lstm[c]));
            if (!lstmOnly) results.Add(new SetResult(data, protocol, SdcaName, sdca));
            // Rewritten after every set: a run of hours that is stopped early keeps the sets it finished.
            File.WriteAllText(arguments.OutputPath("quality-suite.md"), Table(results, models).ToString());
            File.WriteAllText(arguments.OutputPath("quality-suite.csv"), Csv(results));
        }

        Console.WriteLine(Table(results, models));
        Console.Error.WriteLine($"Wrote {arguments.OutputPath("quality-suite.md")} and {arguments.OutputPath("quality-suite.csv")}.");
        return 0;
    }

    private sealed record SetResult(SuiteDataset Data, string Protocol, string Model, IReadOnlyList<ProbabilisticMetrics> Splits)
    {
        public double[] Values(Func<ProbabilisticMetrics, double> metric) => Splits.Select(metric).ToArray();
        public double Mean(Func<ProbabilisticMetrics, double> metric) => Splits.Average(metric);
    }

    /// <summary>The metrics of the table: name, getter, higher is better, shown in percent.</summary>
    private static readonly (string Name, Func<ProbabilisticMetrics, double> Get, bool HigherIsBetter, bool Percent)[] Metrics =
    [
        ("Accuracy", m => m.Accuracy, true, true),
        ("Macro-F1", m => m.MacroF1, true, true),
        ("Log-loss", m => m.LogLoss, false, false),
        ("ECE (15 bins)", m => m.ExpectedCalibrationError, false, true),
    ];

    /// <summary>A seeded subsample of a split for --quick (the same rows for both models).</summary>
    private static (int[] Train, int[] Test) Subsample((int[] Train, int[] Test) split, int seed)
    {
        var random = new Random(seed);
        int[] Take(int[] indices, int max)
        {
            if (indices.Length <= max) return indices;
            var copy = (int[])indices.Clone();
            random.Shuffle(copy);
            return copy[..max];
        }
        return (Take(split.Train, QuickTrainRows), Take(split.Test, QuickTestRows));
    }

    private static IEstimator<ITransformer> LstmEstimator(MLContext ml, SuiteDataset data, LstmTextClassifierOptions options) =>
        data.IsBinary
            ? TextClassifiers.Lstm(ml, options)
            : ClassToKey(ml).Append(ml.MulticlassClassification.Trainers.LstmText(options));

    private static IEstimator<ITransformer> SdcaEstimator(MLContext ml, SuiteDataset data) =>
        data.IsBinary
            ? TextClassifiers.Sdca(ml)
            : ClassToKey(ml).Append(ml.Transforms.Text.FeaturizeText("Features", nameof(SuiteExample.Text)))
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(labelColumnName: nameof(SuiteExample.Label), featureColumnName: "Features"));

    /// <summary>Class names to a key label, keys in ordinal order of the names (so both models number classes alike).</summary>
    private static ValueToKeyMappingEstimator ClassToKey(MLContext ml) =>
        ml.Transforms.Conversion.MapValueToKey(nameof(SuiteExample.Label), nameof(SuiteExample.Class), keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue);

    private static ProbabilisticMetrics FitAndEvaluate(MLContext ml, SuiteDataset data, IEstimator<ITransformer> estimator, IDataView train, IDataView test)
    {
        var clock = Stopwatch.StartNew();
        var model = estimator.Fit(train);
        double seconds = clock.Elapsed.TotalSeconds;
        var scored = model.Transform(test);
        int[] truth, predicted;
        float[] probabilities;
        int classCount;
        if (data.IsBinary)
        {
            classCount = 2;
            truth = scored.GetColumn<bool>(nameof(SuiteExample.Label)).Select(b => b ? 1 : 0).ToArray();
            predicted = scored.GetColumn<bool>("PredictedLabel").Select(b => b ? 1 : 0).ToArray();
            probabilities = scored.GetColumn<float>("Probability").SelectMany(p => new[] { 1 - p, p }).ToArray();
        }
        else
        {
            // Keys are 1-based; key 0 (a test class the training split never had) can never be predicted right.
            truth = scored.GetColumn<uint>(nameof(SuiteExample.Label)).Select(k => (int)k - 1).ToArray();
            predicted = scored.GetColumn<uint>("PredictedLabel").Select(k => (int)k - 1).ToArray();
            var scores = scored.GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray()).ToArray();
            classCount = scores[0].Length;
            probabilities = scores.SelectMany(s => s).ToArray();
        }
        CheckPredictionsFollowProbabilities(data.Name, predicted, probabilities, classCount);
        return ProbabilisticMetrics.Compute(truth, probabilities, predicted, classCount, seconds);
    }

    /// <summary>The predicted class must be the most probable one; otherwise the score slots and the classes do not line up.</summary>
    private static void CheckPredictionsFollowProbabilities(string set, int[] predicted, float[] probabilities, int classCount)
    {
        int agree = 0;
        for (int r = 0; r < predicted.Length; r++)
        {
            var row = probabilities.AsSpan(r * classCount, classCount);
            int best = 0;
            for (int c = 1; c < classCount; c++) if (row[c] > row[best]) best = c;
            if (best == predicted[r] || row[best] == row[predicted[r]]) agree++;
        }
        if (agree < 0.99 * predicted.Length)
            throw new InvalidOperationException($"{set}: the predicted class is the most probable one on only {agree} of {predicted.Length} rows; score slots and classes do not line up.");
    }

    private static MarkdownTable Table(List<SetResult> results, string[] models)
    {
        var table = new MarkdownTable(["Data set (protocol)", "Rows, classes", "Model", .. Metrics.Select(m => m.Name), "Fit time / split"]);
        foreach (var r in results)
            table.Add([$"{r.Data.Name} ({r.Protocol})", $"{r.Data.Examples.Count}, {r.Data.Classes.Count}", r.Model,
                .. Metrics.Select(m => QualitySample.MeanStd(r.Values(m.Get), m.Percent)), $"{r.Mean(m => m.FitSeconds):F1} s"]);
        var sets = results.Select(r => r.Data.Name).Distinct().Count();
        foreach (var model in models)
            table.Add([$"mean rank over {sets} sets (1 = best)", "", model,
                .. Metrics.Select(m => MeanRank(results, model, m.Get, m.HigherIsBetter).ToString("F2", CultureInfo.InvariantCulture)), ""]);
        return table;
    }

    /// <summary>The model's rank on each set by the metric's mean over splits (1 = best, ties share the average rank), averaged over the sets.</summary>
    private static double MeanRank(List<SetResult> results, string model, Func<ProbabilisticMetrics, double> metric, bool higherIsBetter) =>
        results.GroupBy(r => r.Data.Name).Average(set =>
        {
            double Score(SetResult r) => higherIsBetter ? r.Mean(metric) : -r.Mean(metric);
            var mine = set.Single(r => r.Model == model);
            int better = set.Count(r => Score(r) > Score(mine));
            int tied = set.Count(r => Score(r) == Score(mine));  // includes mine
            return better + (tied + 1) / 2.0;
        });

    private static string Csv(List<SetResult> results)
    {
        var csv = new StringBuilder("set,protocol,rows,classes,model,splits,accuracy,accuracy_sd,macro_f1,macro_f1_sd,log_loss,log_loss_sd,ece,ece_sd,fit_seconds\n");
        static string Quote(string s) => "\"" + s.Replace("\"", "\"\"") + "\"";
        static string Number(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
        foreach (var r in results)
        {
            var cells = new List<string> { r.Data.Name, Quote(r.Protocol), r.Data.Examples.Count.ToString(CultureInfo.InvariantCulture),
                r.Data.Classes.Count.ToString(CultureInfo.InvariantCulture), Quote(r.Model), r.Splits.Count.ToString(CultureInfo.InvariantCulture) };
            foreach (var m in Metrics)
            {
                var (mean, sd) = QualitySample.MeanAndStd(r.Values(m.Get));
                cells.Add(Number(mean));
                cells.Add(Number(sd));
            }
            cells.Add(Number(r.Mean(m => m.FitSeconds)));
            csv.AppendLine(string.Join(',', cells));
        }
        return csv.ToString();
    }
}
