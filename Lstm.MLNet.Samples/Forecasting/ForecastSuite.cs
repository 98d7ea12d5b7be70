using System.Globalization;
using System.Text;
using Lstm.MLNet.Samples.Common;
using Lstm.MLNet.TimeSeries;
using Microsoft.ML;

namespace Lstm.MLNet.Samples.Forecasting;

/// <summary>
/// The forecasting benchmark suite (<c>forecast --suite</c>): each series of <see cref="SuiteSeries"/> under its
/// protocol, rolling over the test period (every origin with a full horizon after it; the models see the values before
/// the origin), the LSTM under each transform rule of <see cref="SuiteLstm"/> next to persistence, seasonal-naive and
/// FastTree on lags; MAE, RMSE, sMAPE and MASE at step 1 and at the horizon (MASE scaled by the training part's
/// seasonal-naive error). Bike sharing also gets the SSA tutorial's own comparison. Then the M4 Hourly set
/// (<see cref="M4HourlyBenchmark"/>). Writes forecast-suite.md and forecast-suite.csv into --out.
/// </summary>
public static class ForecastSuite
{
    /// <summary>One model's forecasts at step 1 and at the horizon, with the actuals, over the test origins.</summary>
    private sealed class Scores
    {
        public readonly List<float> First = [], FirstActual = [], Last = [], LastActual = [], Tutorial = [], TutorialActual = [];
        public string Note = "";
        public double Seconds = double.NaN;
    }

    private sealed record Row(string Series, string Model, string Transform, double[] Step1, double[] StepH, double Seconds, string Note,
        ForecastDecision? FellBackAt1 = null, ForecastDecision? FellBackAtH = null);

    public static int Run(SampleArguments arguments)
    {
        bool quick = arguments.Named.ContainsKey("--quick");
        var names = arguments.Named.TryGetValue("--series", out var list) ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [.. SuiteSeries.Names, "m4-hourly"];
        var rules = arguments.Named.TryGetValue("--rules", out var ruleList) ? ruleList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : quick ? ["defaults", "defaults+guard", "auto", "auto+guard", "auto+guard/step"] : SuiteLstm.AllRules;
        foreach (var rule in rules)
            if (!SuiteLstm.AllRules.Contains(rule)) throw new ArgumentException($"Unknown rule '{rule}'; expected {string.Join(", ", SuiteLstm.AllRules)}.");
        int? epochs = arguments.Epochs ?? (quick ? 30 : null);
        bool m4Global = !arguments.Named.TryGetValue("--m4-global", out var g) || g != "0"; // --m4-global 0 skips the global model
        int m4Lstm = arguments.Named.TryGetValue("--m4-lstm", out var k) ? int.Parse(k, CultureInfo.InvariantCulture) : quick ? 3 : 8;

        var markdown = new StringBuilder();
        var rows = new List<Row>();
        markdown.AppendLine($"Forecasting suite: rules {string.Join(", ", rules)}; seed {arguments.Seed}; " +
                            (epochs is int e ? $"MaxEpochs {e}{(quick ? " (--quick)" : "")}" : "default options") + ".\n");
        foreach (var name in names.Where(n => n != "m4-hourly"))
        {
            var series = SuiteSeries.Load(name);
            var (table, seriesRows, extra) = RunSeries(series, rules, arguments, epochs);
            rows.AddRange(seriesRows);
            markdown.AppendLine($"### {series.Name}: {series.Description}\n");
            markdown.AppendLine($"{series.Values.Length} {series.Frequency} values, train {series.TrainCount}, test {series.Values.Length - series.TrainCount}; " +
                                $"window {series.Window}, horizon {series.Horizon}, season {series.Period}.\n");
            markdown.AppendLine(table);
            if (extra.Length > 0) markdown.AppendLine(extra);
            Console.WriteLine($"\n{series.Name}:\n{table}{extra}");
        }
        if (rows.Count > 0) markdown.AppendLine(Summary(rows, rules));
        if (names.Contains("m4-hourly"))
        {
            string m4 = M4HourlyBenchmark.Run(rules, m4Lstm, arguments, epochs, m4Global);
            Console.WriteLine(m4);
            markdown.AppendLine(m4);
        }

        File.WriteAllText(arguments.OutputPath("forecast-suite.md"), markdown.ToString());
        var csv = new StringBuilder("series,model,transform,mae_1,rmse_1,smape_1,mase_1,mae_h,rmse_h,smape_h,mase_h,fit_seconds,note\n");
        foreach (var r in rows)
            csv.AppendLine(string.Join(",", new[] { r.Series, r.Model, r.Transform }.Select(Quote).Concat(r.Step1.Concat(r.StepH).Append(r.Seconds).Select(F))
                .Append(Quote(r.Note))));
        File.WriteAllText(arguments.OutputPath("forecast-suite.csv"), csv.ToString());
        Console.WriteLine();
        Console.WriteLine(Summary(rows, rules));
        Console.WriteLine($"Wrote {arguments.OutputPath("forecast-suite.md")} and {arguments.OutputPath("forecast-suite.csv")}.");
        return 0;
    }

    private static (string Table, List<Row> Rows, string Extra) RunSeries(SuiteSeries s, string[] rules, SampleArguments arguments, int? epochs)
    {
        var values = s.Values;
        int n = values.Length, H = s.Horizon, m = s.Period;
        var ml = new MLContext(arguments.Seed);
        var models = new Dictionary<string, Scores>();
        Scores For(string model) => models.TryGetValue(model, out var scores) ? scores : models[model] = new Scores();

        var lstms = FitRules(ml, rules, values, s.TrainCount, m, s.Window, H, arguments, epochs, s.Name);
        // FastTree on lags in the space the automatic choice would use, as far as LagFastTree takes it (no seasonal differencing).
        var choice = TransformSelection.Choose(values.AsSpan(0, s.TrainCount), m);
        var treeKind = choice.Kind switch
        {
            SeriesTransformKind.SeasonalDifference => SeriesTransformKind.Difference,
            SeriesTransformKind.LogSeasonalDifference => SeriesTransformKind.LogDifference,
            var other => other,
        };
        var tree = new LagFastTree(ml, values, s.TrainCount, s.Window, H, treeKind);
        int treeTail = s.Window + SeriesTransform.Lag(treeKind);

        for (int origin = s.TrainCount; origin + H <= n; origin++)
        {
            var history = values.AsSpan(0, origin);
            void Score(string model, float[] forecast)
            {
                var scores = For(model);
                scores.First.Add(forecast[0]); scores.FirstActual.Add(values[origin]);
                scores.Last.Add(forecast[H - 1]); scores.LastActual.Add(values[origin + H - 1]);
                // ML.NET's SSA tutorial compares Forecast[0], made after observing day t, with day t itself.
                scores.Tutorial.Add(forecast[0]); scores.TutorialActual.Add(values[origin - 1]);
            }
            Score("persistence", NaiveForecasts.Persistence(history, H));
            Score(m == 12 || m == 7 || m == 24 || m == 52 ? "seasonal-naive" : $"cycle-naive ({m})", NaiveForecasts.SeasonalNaive(history, m, H));
            Score($"FastTree (lags, {treeKind})", tree.Forecast(history[^treeTail..]));
            foreach (var lstm in lstms) Score($"LSTM {lstm.Rule}", lstm.Forecast(history));
        }
        foreach (var lstm in lstms)
        {
            var scores = For($"LSTM {lstm.Rule}");
            scores.Seconds = lstm.FitTime.TotalSeconds;
            scores.Note = $"best epoch {lstm.BestEpoch}" + (lstm.GuardReason != null ? $"; guard: {lstm.GuardReason}" : "");
        }

        double scale = NaiveForecasts.MaseScale(values.AsSpan(0, s.TrainCount), m);
        var table = new MarkdownTable("Model", "transform", "MAE@1", "RMSE@1", "sMAPE@1", "MASE@1", $"MAE@{H}", $"RMSE@{H}", $"sMAPE@{H}", $"MASE@{H}", "fit s");
        var rows = new List<Row>();
        var notes = new StringBuilder();
        foreach (var (model, scores) in models)
        {
            double[] Metrics(List<float> f, List<float> a)
            {
                var metrics = ForecastMetrics.Compute(f.ToArray(), a.ToArray(), 1);
                return [metrics.MeanAbsoluteError[0], metrics.RootMeanSquaredError[0], metrics.SymmetricMeanAbsolutePercentageError[0], metrics.MeanAbsoluteError[0] / scale];
            }
            var step1 = Metrics(scores.First, scores.FirstActual);
            var stepH = Metrics(scores.Last, scores.LastActual);
            var lstm = lstms.FirstOrDefault(l => $"LSTM {l.Rule}" == model);
            string transform = lstm?.Transform ?? (model.StartsWith("FastTree", StringComparison.Ordinal) ? treeKind.ToString() : "—");
            rows.Add(new Row(s.Name, model, transform, step1, stepH, scores.Seconds, scores.Note, lstm?.FellBackAt(1), lstm?.FellBackAt(H)));
            table.Add(new[] { model, transform }.Concat(step1.Concat(stepH).Select(F)).Append(double.IsNaN(scores.Seconds) ? "—" : scores.Seconds.ToString("F0", CultureInfo.InvariantCulture)).ToArray());
            if (lstm?.GuardReason != null && !lstm.Rule.EndsWith("/step", StringComparison.Ordinal)) notes.AppendLine($"* guard of {model.Replace("+guard", "")}: {lstm.GuardReason}");
        }
        notes.AppendLine($"* Automatic choice on the training part: {choice.Kind}{(SeriesTransform.IsSeasonal(choice.Kind) ? $"({choice.SeasonalPeriod})" : "")}. {choice.Reason}");
        if (s.Name == "bike")
        {
            var tutorial = new MarkdownTable("Model", "aligned next-day MAE (forecast after day t vs day t+1)", "SSA tutorial's comparison (vs day t)");
            foreach (var (model, scores) in models)
            {
                double aligned = ForecastMetrics.Compute(scores.First.ToArray(), scores.FirstActual.ToArray(), 1).MeanAbsoluteError[0];
                double tutorialMae = ForecastMetrics.Compute(scores.Tutorial.ToArray(), scores.TutorialActual.ToArray(), 1).MeanAbsoluteError[0];
                tutorial.Add(model, F(aligned), F(tutorialMae));
            }
            notes.AppendLine().AppendLine("Bike sharing, ML.NET's SSA tutorial protocol (fit on 2011, forecast 2012, window 7, horizon 7):\n").AppendLine(tutorial.ToString());
        }
        return (table.ToString(), rows, notes.ToString());
    }

    /// <summary>
    /// The LSTMs of the rules: one fit per base rule needed (all three for "validated"), the guarded variants reusing it.
    /// </summary>
    internal static List<SuiteLstm> FitRules(MLContext ml, string[] rules, float[] values, int trainCount, int period, int window, int horizon,
        SampleArguments arguments, int? epochs, string name)
    {
        bool validated = rules.Any(r => r.StartsWith("validated", StringComparison.Ordinal));
        var fitted = new Dictionary<string, SuiteLstm>();
        foreach (var baseRule in SuiteLstm.BaseRules.Where(b => (validated && SuiteLstm.ValidatedCandidates.Contains(b)) || rules.Any(r => r.Split('+')[0] == b)))
        {
            Console.WriteLine($"[{name}] fitting the LSTM ({baseRule}) …");
            fitted[baseRule] = SuiteLstm.Fit(ml, baseRule, values, trainCount, period, window, horizon, arguments.Seed, epochs, arguments.Threads);
        }
        if (validated)
        {
            // The lowest pooled MAE on the validation windows; ties go to the earlier rule (defaults, difference, auto).
            var best = SuiteLstm.ValidatedCandidates.Select(b => (Rule: b, Mae: fitted[b].WithGuard(values, trainCount, period, horizon, perStep: false).ValidationMae))
                .OrderBy(c => c.Mae).First();
            fitted["validated"] = fitted[best.Rule].Renamed($"validated");
        }
        var lstms = new List<SuiteLstm>();
        foreach (var rule in rules)
        {
            var baseModel = fitted[rule.Split('+')[0]];
            lstms.Add(rule.EndsWith("+guard/step", StringComparison.Ordinal) ? baseModel.WithGuard(values, trainCount, period, horizon, perStep: true)
                : rule.EndsWith("+guard", StringComparison.Ordinal) ? baseModel.WithGuard(values, trainCount, period, horizon, perStep: false)
                : baseModel);
        }
        return lstms;
    }

    /// <summary>Per LSTM rule: on how many series it beats the better of persistence and seasonal-naive (MAE) at step 1 and at the horizon.</summary>
    private static string Summary(List<Row> rows, string[] rules)
    {
        var table = new MarkdownTable("LSTM rule", "beats best naive @1", "beats best naive @H", "lost @1 on", "lost @H on", "of those, Diagnostics say it fell back");
        foreach (var rule in rules)
        {
            int win1 = 0, winH = 0, count = 0;
            var lost1 = new List<string>();
            var lostH = new List<string>();
            var told = new List<string>();
            foreach (var group in rows.GroupBy(r => r.Series))
            {
                var lstm = group.FirstOrDefault(r => r.Model == $"LSTM {rule}");
                if (lstm == null) continue;
                var naive = group.Where(r => r.Model is "persistence" || r.Model.Contains("naive", StringComparison.Ordinal)).ToList();
                count++;
                if (lstm.Step1[0] < naive.Min(r => r.Step1[0])) win1++;
                else { lost1.Add(group.Key); if (lstm.FellBackAt1 is { } d) told.Add($"{group.Key} @1 ({d})"); }
                if (lstm.StepH[0] < naive.Min(r => r.StepH[0])) winH++;
                else { lostH.Add(group.Key); if (lstm.FellBackAtH is { } d) told.Add($"{group.Key} @H ({d})"); }
            }
            table.Add(rule, $"{win1}/{count}", $"{winH}/{count}", string.Join(", ", lost1), string.Join(", ", lostH), string.Join(", ", told));
        }
        return "### Summary: the LSTM against the better of persistence and seasonal-naive (MAE)\n\n" + table;
    }

    private static string Quote(string text) => "\"" + text.Replace("\"", "\"\"") + "\"";

    internal static string F(double value) => double.IsFinite(value) ? value.ToString(Math.Abs(value) >= 100 ? "F1" : "F3", CultureInfo.InvariantCulture) : "—";
}
