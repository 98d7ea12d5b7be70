using Lstm.MLNet.Samples.Common;
using Lstm.MLNet.Sweeps;
using Microsoft.ML;

namespace Lstm.MLNet.Samples.Sweeps;

/// <summary>
/// An AutoML-style sweep of the LSTM text classifier on a bundled data set (sentiment by default): successive halving
/// over the default search space with 3-fold cross-validation, a leaderboard (console, CSV, bar chart), the best
/// configuration next to the default options measured on the same folds, and the best model saved.
/// </summary>
public static class SweepSample
{
    public static int Run(string[] args)
    {
        var arguments = SampleArguments.Parse(args, "--dataset", "--trials", "--minutes", "--folds", "--metric");
        string datasetName = arguments.Named.GetValueOrDefault("--dataset", "sentiment");
        int trials = int.Parse(arguments.Named.GetValueOrDefault("--trials", "12"));
        double minutes = double.Parse(arguments.Named.GetValueOrDefault("--minutes", "10"), System.Globalization.CultureInfo.InvariantCulture);
        int folds = int.Parse(arguments.Named.GetValueOrDefault("--folds", "3"));

        var dataset = TextDataset.Load(datasetName);
        var ml = new MLContext(arguments.Seed);
        var data = ml.Data.LoadFromEnumerable(dataset.Examples);
        var baseOptions = new LstmOptions { NumberOfThreads = arguments.Threads };
        if (arguments.Epochs is int epochs) baseOptions.MaxEpochs = epochs;

        Console.WriteLine($"Sweeping the LSTM on {dataset.Description} ({dataset.Examples.Count} rows): at most {trials} trials, {minutes:G} min, {folds}-fold CV.");
        var sweep = ml.Lstm().Sweep(data, new LstmSweepOptions
        {
            MaxTrials = trials, MaxExperimentTime = TimeSpan.FromMinutes(minutes), Folds = folds, Seed = arguments.Seed,
            Metric = arguments.Named.GetValueOrDefault("--metric"), BaseOptions = baseOptions,
            Progress = new Progress(trial => Console.WriteLine(
                $"  trial {trial.Id,2} rung {trial.Rung} ({trial.Options.MaxEpochs,2} epochs) {trial.Status,-9} " +
                (trial.Status == TrialStatus.Completed ? $"{trial.Metric:P2} ± {trial.MetricStandardDeviation:P2}" : trial.Error) +
                $"  {trial.TrainingTime.TotalSeconds,5:F1} s  {SearchSpace.Describe(trial.Configuration)}")),
        });

        // The reference: the default options, full budget, the same folds (a one-trial sweep over an empty space).
        var defaults = ml.Lstm().Sweep(data, new LstmSweepOptions
        {
            MaxTrials = 1, Folds = folds, Seed = arguments.Seed, Metric = sweep.MetricName, BaseOptions = baseOptions,
            SearchSpace = new SearchSpace(), RefitBestOnAllData = false,
        }).BestRun;

        Console.WriteLine();
        Console.WriteLine($"Leaderboard ({sweep.MetricName}, mean ± std over {folds} folds; {sweep.Trials.Count} trials in {sweep.Elapsed.TotalMinutes:F1} min):");
        Console.WriteLine(sweep.ToMarkdown(top: 10));
        var best = sweep.BestRun;
        if (best is null)
        {
            Console.WriteLine("No trial completed.");
            return 1;
        }
        Console.WriteLine($"Best:     {sweep.MetricName} {best.Metric:P2} ± {best.MetricStandardDeviation:P2} — {SearchSpace.Describe(best.Configuration)}");
        if (defaults is not null)
            Console.WriteLine($"Defaults: {sweep.MetricName} {defaults.Metric:P2} ± {defaults.MetricStandardDeviation:P2} (same folds, {defaults.Options.MaxEpochs} epochs, {defaults.TrainingTime.TotalSeconds:F0} s)");

        string csv = arguments.OutputPath($"sweep-{datasetName}.csv");
        sweep.SaveCsv(csv);
        var ranked = sweep.Trials.Where(t => t.Status == TrialStatus.Completed)
            .OrderByDescending(t => t.Rung).ThenBy(t => sweep.HigherIsBetter ? -t.Metric : t.Metric).Take(15)
            .Select(t => ($"#{t.Id}\n{t.Options.MaxEpochs} ep", t.Metric)).ToList();
        string png = Charts.Leaderboard(ranked, sweep.MetricName, $"LSTM sweep on {dataset.Description}", arguments.OutputPath($"sweep-{datasetName}.png"));
        if (best.Model is not null)
        {
            string modelPath = arguments.OutputPath($"sweep-{datasetName}-best-model.zip");
            ml.Model.Save(best.Model, data.Schema, modelPath);
            Console.WriteLine($"Best model (refitted on all rows): {modelPath}");
        }
        Console.WriteLine($"Leaderboard: {csv}, {png}");
        return 0;
    }

    /// <summary>Reports on the sweep's thread, in order (System.Progress would post to the thread pool).</summary>
    private sealed class Progress(Action<LstmTrialResult> report) : IProgress<LstmTrialResult>
    {
        public void Report(LstmTrialResult value) => report(value);
    }
}
