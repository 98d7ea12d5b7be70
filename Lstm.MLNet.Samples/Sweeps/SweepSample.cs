using System.CommandLine;
using Lstm.MLNet.Samples.Common;
using Lstm.MLNet.Sweeps;
using Microsoft.ML;
using Spectre.Console;

namespace Lstm.MLNet.Samples.Sweeps;

/// <summary>
/// An AutoML-style sweep of the LSTM text classifier on a bundled data set (sentiment by default): successive halving
/// over the default search space with k-fold cross-validation, a leaderboard (console table, CSV, bar chart), the best
/// configuration next to the default options measured on the same folds, and the best model saved.
/// </summary>
public static class SweepSample
{
    /// <summary>The <c>sweep</c> command and its options (each validated by the parser: a non-number or an out-of-range value is a clear message).</summary>
    internal static Command Command(Func<Func<SampleArguments, int>, Func<ParseResult, int>> run)
    {
        var dataset = new Option<string>("--dataset") { Description = "The data set.", DefaultValueFactory = _ => "sentiment" };
        dataset.AcceptOnlyFromAmong(TextDataset.Names);
        var trials = AtLeast(new Option<int>("--trials") { Description = "Maximum trials.", DefaultValueFactory = _ => 12 }, 1);
        var folds = AtLeast(new Option<int>("--folds") { Description = "Cross-validation folds per trial.", DefaultValueFactory = _ => 3 }, 2);
        var minutes = new Option<double>("--minutes") { Description = "Time limit of the sweep, in minutes.", DefaultValueFactory = _ => 10 };
        minutes.Validators.Add(r =>
        {
            if (r.Tokens is [{ } token] && double.TryParse(token.Value, System.Globalization.CultureInfo.InvariantCulture, out double m) && m is not (> 0 and < double.PositiveInfinity))
                r.AddError($"--minutes must be a positive number, got {token.Value}.");
        });
        var metric = new Option<string?>("--metric") { Description = "The metric to optimise (default: Accuracy; e.g. AreaUnderRocCurve, F1Score)." };
        var command = new Command("sweep", "AutoML-style sweep (successive halving, cross-validation): leaderboard, CSV, bar chart, best vs defaults.")
        {
            dataset, trials, folds, minutes, metric,
        };
        command.SetAction(result => run(arguments => Run(arguments, result.GetValue(dataset)!, result.GetValue(trials), result.GetValue(minutes),
            result.GetValue(folds), result.GetValue(metric)))(result));
        return command;
    }

    private static Option<int> AtLeast(Option<int> option, int minimum)
    {
        option.Validators.Add(r => { if (SampleCommands.Given(r) is int n && n < minimum) r.AddError($"{option.Name} must be at least {minimum}, got {n}."); });
        return option;
    }

    public static int Run(SampleArguments arguments, string datasetName, int trials, double minutes, int folds, string? metric)
    {
        var dataset = TextDataset.Load(datasetName);
        var ml = new MLContext(arguments.Seed);
        var data = ml.Data.LoadFromEnumerable(dataset.Examples);
        var baseOptions = new LstmOptions { NumberOfThreads = arguments.Threads };
        if (arguments.Epochs is int epochs) baseOptions.MaxEpochs = epochs;

        AnsiConsole.MarkupLineInterpolated($"Sweeping the LSTM on [bold]{dataset.Description}[/] ({dataset.Examples.Count} rows): at most {trials} trials, {minutes:G} min, {folds}-fold CV.");
        var sweep = ml.Lstm().Sweep(data, new LstmSweepOptions
        {
            MaxTrials = trials, MaxExperimentTime = TimeSpan.FromMinutes(minutes), Folds = folds, Seed = arguments.Seed,
            Metric = metric, BaseOptions = baseOptions,
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

        var best = sweep.BestRun;
        if (best is null)
        {
            AnsiConsole.MarkupLine("[red]No trial completed.[/]");
            return 1;
        }
        // Each configuration once, at the furthest rung it reached (successive halving retrains the promising ones longer).
        var ranked = sweep.Trials.Where(t => t.Status == TrialStatus.Completed)
            .OrderByDescending(t => t.Rung).ThenBy(t => sweep.HigherIsBetter ? -t.Metric : t.Metric)
            .DistinctBy(t => SearchSpace.Describe(t.Configuration)).ToList();
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{sweep.MetricName}, mean ± sd over {folds} folds; {sweep.Trials.Count} trials in {sweep.Elapsed.TotalMinutes:F1} min")
            .AddColumn("trial").AddColumn(new TableColumn("epochs").RightAligned()).AddColumn(new TableColumn(sweep.MetricName).RightAligned())
            .AddColumn(new TableColumn("fit s").RightAligned()).AddColumn("configuration");
        foreach (var t in ranked.Take(10))
            table.AddRow(new Spectre.Console.Text($"#{t.Id}"), new Spectre.Console.Text($"{t.Options.MaxEpochs}"),
                new Markup(t == best ? $"[green]{t.Metric:P2} ± {t.MetricStandardDeviation:P2}[/]" : $"{t.Metric:P2} ± {t.MetricStandardDeviation:P2}"),
                new Spectre.Console.Text($"{t.TrainingTime.TotalSeconds:F1}"), new Spectre.Console.Text(SearchSpace.Describe(t.Configuration)));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"[green]Best[/]:     {sweep.MetricName} {best.Metric:P2} ± {best.MetricStandardDeviation:P2} — {SearchSpace.Describe(best.Configuration)}");
        if (defaults is not null)
            AnsiConsole.MarkupLineInterpolated($"Defaults: {sweep.MetricName} {defaults.Metric:P2} ± {defaults.MetricStandardDeviation:P2} (same folds, {defaults.Options.MaxEpochs} epochs, {defaults.TrainingTime.TotalSeconds:F0} s)");

        string csv = arguments.OutputPath($"sweep-{datasetName}.csv");
        sweep.SaveCsv(csv);
        string png = Charts.Leaderboard(ranked.Take(15).Select(t => ($"#{t.Id}\n{t.Options.MaxEpochs} ep", t.Metric, t.MetricStandardDeviation)).ToList(),
            sweep.MetricName, $"LSTM sweep on {dataset.Description}", arguments.OutputPath($"sweep-{datasetName}.png"));
        if (best.Model is not null)
        {
            string modelPath = arguments.OutputPath($"sweep-{datasetName}-best-model.zip");
            ml.Model.Save(best.Model, data.Schema, modelPath);
            AnsiConsole.MarkupLineInterpolated($"Best model (refitted on all rows): [blue]{modelPath}[/]");
        }
        AnsiConsole.MarkupLineInterpolated($"Leaderboard: [blue]{csv}[/], [blue]{png}[/]");
        return 0;
    }

    /// <summary>Reports on the sweep's thread, in order (System.Progress would post to the thread pool).</summary>
    private sealed class Progress(Action<LstmTrialResult> report) : IProgress<LstmTrialResult>
    {
        public void Report(LstmTrialResult value) => report(value);
    }
}
