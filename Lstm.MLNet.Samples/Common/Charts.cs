using ScottPlot;

namespace Lstm.MLNet.Samples.Common;

/// <summary>The samples' PNG charts (ScottPlot 5, headless): training curves, forecasts with their band, sweep leaderboards.</summary>
public static class Charts
{
    private const int Width = 900, Height = 520;

    /// <summary>Train and validation loss (left axis) and validation accuracy (right axis) per epoch.</summary>
    public static string TrainingCurves(IReadOnlyList<LstmTrainingProgress> history, string title, string path)
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
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("cross-entropy loss");
        plot.ShowLegend(Alignment.UpperCenter);
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

    /// <summary>One bar per trial (best first), the metric on the value axis.</summary>
    public static string Leaderboard(IReadOnlyList<(string Label, double Value)> trials, string metric, string title, string path)
    {
        var plot = new Plot();
        var bars = plot.Add.Bars(trials.Select(t => t.Value).ToArray());
        foreach (var bar in bars.Bars) bar.FillColor = Colors.SteelBlue;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, trials.Count).Select(i => (double)i).ToArray(), trials.Select(t => t.Label).ToArray());
        double low = trials.Count == 0 ? 0 : trials.Min(t => t.Value), high = trials.Count == 0 ? 1 : trials.Max(t => t.Value);
        plot.Axes.SetLimitsY(Math.Max(0, low - (high - low) * 0.5 - 1e-3), high + (high - low) * 0.2 + 1e-3);
        plot.Title(title);
        plot.YLabel(metric);
        plot.XLabel("trial");
        return Save(plot, path);
    }

    private static string Save(Plot plot, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, Width, Height);
        return path;
    }
}
