using System.Globalization;
using System.Text;

namespace Lstm.MLNet.Sweeps;

/// <summary>The sweep's trials as a table: best first (completed by metric, then failed and cancelled in run order).</summary>
internal static class Leaderboard
{
    public static IReadOnlyList<TrialRecord<TModel>> Ranked<TModel>(this SweepResult<TModel> result, bool higherIsBetter) =>
        result.Trials
            .OrderBy(t => t.Status == TrialStatus.Completed ? 0 : 1)
            .ThenByDescending(t => t.Status == TrialStatus.Completed ? t.Rung : 0)
            .ThenBy(t => t.Status != TrialStatus.Completed ? 0 : higherIsBetter ? -t.Metric : t.Metric)
            .ThenBy(t => t.Id)
            .ToList();

    /// <summary>RFC 4180 CSV: one row per trial, one column per search dimension.</summary>
    public static string ToCsv<TModel>(this SweepResult<TModel> result, string metricName, bool higherIsBetter)
    {
        var names = DimensionNames(result);
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", new[] { "Rank", "Trial", "Rung", "Epochs", "Status", metricName, metricName + "Std", "Seconds" }
            .Concat(names).Append("Error").Select(Quote)));
        int rank = 0;
        foreach (var t in result.Ranked(higherIsBetter))
        {
            var cells = new List<string>
            {
                (++rank).ToString(CultureInfo.InvariantCulture), t.Id.ToString(CultureInfo.InvariantCulture),
                t.Rung.ToString(CultureInfo.InvariantCulture), t.Budget.ToString(CultureInfo.InvariantCulture), t.Status.ToString(),
                Number(t.Metric), Number(t.MetricStandardDeviation), t.Duration.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture),
            };
            cells.AddRange(names.Select(n => t.Configuration.TryGetValue(n, out var v) ? SearchSpace.Format(v) : ""));
            cells.Add(t.Error ?? "");
            text.AppendLine(string.Join(",", cells.Select(Quote)));
        }
        return text.ToString();
    }

    /// <summary>A Markdown table of the best <paramref name="top"/> trials (all when 0).</summary>
    public static string ToMarkdown<TModel>(this SweepResult<TModel> result, string metricName, bool higherIsBetter, int top = 0)
    {
        var names = DimensionNames(result);
        var text = new StringBuilder();
        text.AppendLine("| # | trial | epochs | status | " + metricName + " | s | " + string.Join(" | ", names) + " |");
        text.AppendLine("|---:|---:|---:|---|---:|---:|" + string.Concat(names.Select(_ => "---|")));
        int rank = 0;
        foreach (var t in result.Ranked(higherIsBetter).Take(top > 0 ? top : int.MaxValue))
        {
            string metric = t.Status == TrialStatus.Completed
                ? $"{Number(t.Metric)}{(t.FoldMetrics.Count > 1 ? " ± " + Number(t.MetricStandardDeviation) : "")}"
                : "—";
            text.AppendLine($"| {++rank} | {t.Id} | {t.Budget} | {t.Status} | {metric} | {t.Duration.TotalSeconds:F1} | " +
                string.Join(" | ", names.Select(n => t.Configuration.TryGetValue(n, out var v) ? SearchSpace.Format(v) : "")) + " |");
        }
        return text.ToString();
    }

    private static List<string> DimensionNames<TModel>(SweepResult<TModel> result) =>
        result.Trials.SelectMany(t => t.Configuration.Keys).Distinct().ToList();

    private static string Number(double value) => double.IsFinite(value) ? value.ToString("F4", CultureInfo.InvariantCulture) : "";

    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + cell.Replace("\"", "\"\"") + "\"" : cell;
}
