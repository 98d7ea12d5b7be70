using ScottPlot;

namespace Lstm.MLNet.Samples.Common;

/// <summary>The samples' PNG charts (ScottPlot 5, headless): training curves, forecasts with their band, sweep leaderboards.</summary>
public static class Charts
{
    private const int Width = 900, Height = 520;

    /// <summary>
    /// Train and validation loss (left axis, labelled <paramref name="lossLabel"/>) and validation accuracy (right axis) per
    /// epoch; the epoch training kept (the last best one) marked; whole-epoch ticks; the legend below the plot, off the lines.
    /// </summary>
    public static string TrainingCurves(IReadOnlyList<LstmTrainingProgress> history, string title, string lossLabel, string path)
    {
        var plot = new Plot();
        double[] epochs = history.Select(h => (double)h.Epoch).ToArray();
        var train = plot.Add.Scatter(epochs, history.Select(h => h.TrainLoss).ToArray());
        train.LegendText = "train loss";
        if (history.All(h => h.ValidationLoss.HasValue))
        {
            var validation = plot.Add.Scatter(epochs, history.Select(h => h.ValidationLoss!.Value).ToArray());
            validation.LegendText = "validation loss";
        }
        if (history.All(h => h.ValidationAccuracy.HasValue))
        {
            var accuracy = plot.Add.Scatter(epochs, history.Select(h => h.ValidationAccuracy!.Value).ToArray());
            accuracy.LegendText = "validation accuracy (right axis)";
            accuracy.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "accuracy";
        }
        if (history.LastOrDefault(h => h.IsBest) is { } best)
        {
            var kept = plot.Add.VerticalLine(best.Epoch);
            kept.LegendText = $"best epoch ({best.Epoch}), kept";
            kept.LinePattern = LinePattern.Dashed;
            kept.Color = Colors.Gray;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(lossLabel);
        plot.ShowLegend(Edge.Bottom);
        return Save(plot, path);
    }

    /// <summary>The observed series, the forecast and its lower/upper band, on a shared time axis.</summary>
    public static string Forecast(IReadOnlyList<double> history, int forecastStart, IReadOnlyList<double> forecast,
        IReadOnlyList<double> lower, IReadOnlyList<double> upper, string title, string path, IReadOnlyList<double>? baseline = null, string? baselineName = null)
    {
        var plot = new Plot();
        var observed = plot.Add.Scatter(Enumerable.Range(0, history.Count).Select(i => (double)i).ToArray(), history.ToArray());
        observed.LegendText = "observed";
        observed.MarkerSize = 0;
        double[] xs = Enumerable.Range(forecastStart, forecast.Count).Select(i => (double)i).ToArray();
        var band = plot.Add.FillY(xs, lower.ToArray(), upper.ToArray());
        band.LegendText = "interval";
        band.FillColor = Colors.Orange.WithAlpha(0.25);
        var predicted = plot.Add.Scatter(xs, forecast.ToArray());
        predicted.LegendText = "LSTM forecast";
        predicted.Color = Colors.OrangeRed;
        predicted.MarkerSize = 0;
        if (baseline is not null)
        {
            var other = plot.Add.Scatter(xs, baseline.ToArray());
            other.LegendText = baselineName ?? "baseline";
            other.LinePattern = LinePattern.Dashed;
            other.MarkerSize = 0;
        }
        plot.Title(title);
        plot.XLabel("time step");
        plot.ShowLegend(Alignment.UpperLeft);
        return Save(plot, path);
    }

    /// <summary>One bar per configuration (best first): the metric's mean from zero, ± its standard deviation over the folds.</summary>
    public static string Leaderboard(IReadOnlyList<(string Label, double Mean, double StandardDeviation)> trials, string metric, string title, string path)
    {
        var plot = new Plot();
        var bars = plot.Add.Bars(trials.Select((t, i) => new Bar
        {
            Position = i, Value = t.Mean, Error = t.StandardDeviation, FillColor = Colors.SteelBlue,
        }).ToArray());
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, trials.Count).Select(i => (double)i).ToArray(), trials.Select(t => t.Label).ToArray());
        double high = trials.Count == 0 ? 1 : trials.Max(t => t.Mean + t.StandardDeviation);
        plot.Axes.SetLimitsY(0, high * 1.08);
        plot.Title(title);
        plot.YLabel(metric + " (mean ± sd over the folds)");
        plot.XLabel("configuration (trial, epochs)");
        return Save(plot, path);
    }

    private static string Save(Plot plot, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, Width, Height);
        return path;
    }
}
