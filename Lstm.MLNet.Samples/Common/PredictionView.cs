using Lstm.MLNet.Samples.Consumption;
using Spectre.Console;

namespace Lstm.MLNet.Samples.Common;

/// <summary>How the samples show a binary text model's predictions: one table row per text, the class name coloured by the prediction.</summary>
internal static class PredictionView
{
    /// <summary>Predicts each of <paramref name="texts"/> and shows class (<paramref name="classNames"/>: false, true), probability and text.</summary>
    public static void Show(IReadOnlyList<string> texts, Func<string, TextPrediction> predict, IReadOnlyList<string> classNames)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("class").AddColumn(new TableColumn("P(" + classNames[1] + ")").RightAligned()).AddColumn("text");
        foreach (var text in texts)
        {
            var prediction = predict(text);
            string colour = prediction.PredictedLabel ? "green" : "red";
            table.AddRow(new Markup($"[{colour}]{Markup.Escape(classNames[prediction.PredictedLabel ? 1 : 0])}[/]"),
                new Spectre.Console.Text(prediction.Probability.ToString("F3")), new Spectre.Console.Text(text));
        }
        AnsiConsole.Write(table);
    }

    /// <summary>The non-blank lines of standard input (none when it is a terminal).</summary>
    public static IReadOnlyList<string> ReadStdin()
    {
        var lines = new List<string>();
        if (!Console.IsInputRedirected) return lines;
        while (Console.In.ReadLine() is { } line)
            if (!string.IsNullOrWhiteSpace(line)) lines.Add(line);
        return lines;
    }
}
