using Lstm.MLNet.Samples.Common;
using Lstm.MLNet.Samples.Consumption;
using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console;

namespace Lstm.MLNet.Samples.Classification;

/// <summary>
/// The Model Builder-style walk-through for one bundled data set: train the LSTM with a progress bar, evaluate
/// (metrics table and confusion matrix), save the zip, load it back through <see cref="ConsumeModel"/> and predict
/// the sentences given on the command line (or on stdin, or a few examples), and draw the training curves.
/// </summary>
public static class TextClassificationSample
{
    private static readonly Dictionary<string, string[]> Examples = new()
    {
        ["sentiment"] = ["The battery lasts all day and the screen is gorgeous.", "Worst service I have ever had, never again.", "It was fine, nothing special."],
        ["spam"] = ["URGENT! You have won a 1 week FREE membership. Call 09061701461 to claim now!", "Are we still meeting for lunch tomorrow?", "Free entry in a weekly competition, text WIN to 80086"],
        ["mr"] = ["a gripping , beautifully acted drama .", "the plot is thin and the jokes fall flat .", "an uneven but often charming film ."],
    };

    public static int Run(string dataset, SampleArguments arguments)
    {
        var data = TextDataset.Load(dataset);
        var ml = new MLContext(arguments.Seed);
        AnsiConsole.MarkupLineInterpolated($"[bold]{data.Description}[/]: {data.Examples.Count} rows. This sample trains on a seeded 80/20 split (the 'quality' command runs the data set's {data.Protocol}).");

        var (trainIndices, testIndices) = new EvaluationProtocol.HoldOut(0.2).Splits(data.Examples.Count, arguments.Seed).First();
        var train = ml.Data.LoadFromEnumerable(trainIndices.Select(i => data.Examples[i]));
        var test = ml.Data.LoadFromEnumerable(testIndices.Select(i => data.Examples[i]));

        var ((model, metrics, result), history) = TrainingProgress.Run("training", progress =>
            TextClassifiers.FitAndEvaluate(ml, TextClassifiers.Lstm(ml, TextClassifiers.LstmOptions(arguments, progress, defaultVectors: "bundled")), train, test));
        var lstm = TextClassifiers.LstmOf(model);

        Console.WriteLine($"Trained in {result.FitSeconds:F1} s" + (lstm is null ? "" : $"; kept epoch {lstm.BestEpoch} of {lstm.TrainingHistory.Count}") + ".");
        string positive = data.PositiveLabelNames[1];
        var table = new Table().Border(TableBorder.Rounded).Title("test split").AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (name, value) in new[]
        {
            ("Accuracy", $"{metrics.Accuracy:P2}"), ("AUC", $"{metrics.AreaUnderRocCurve:P2}"), ("F1", $"{metrics.F1Score:P2}"),
            ($"Precision ({positive})", $"{metrics.PositivePrecision:P2}"), ($"Recall ({positive})", $"{metrics.PositiveRecall:P2}"), ("Log-loss", $"{metrics.LogLoss:F4}"),
        })
            table.AddRow(Markup.Escape(name), value);
        AnsiConsole.Write(table);
        AnsiConsole.Write(ConfusionMatrix(metrics.ConfusionMatrix, data.PositiveLabelNames));

        string modelPath = arguments.OutputPath($"{dataset}-model.zip");
        ml.Model.Save(model, train.Schema, modelPath);
        AnsiConsole.MarkupLineInterpolated($"Saved the model to [blue]{modelPath}[/] ({new FileInfo(modelPath).Length / 1024} KiB).");

        var consumer = ConsumeModel.Load(modelPath);
        IReadOnlyList<string> sentences = arguments.Positional.Count > 0 ? arguments.Positional : PredictionView.ReadStdin();
        if (sentences.Count == 0) sentences = Examples[dataset];
        AnsiConsole.MarkupLine("Predictions of the reloaded model:");
        PredictionView.Show(sentences, consumer.Predict, data.PositiveLabelNames);
        if (ExplainOption.IsRequested(arguments))
            foreach (var sentence in sentences) ExplainOption.Write(ExplainOption.ClassifierOf(consumer.Model), sentence, data.PositiveLabelNames);

        if (history.Count > 0)
        {
            string png = Charts.TrainingCurves(history, $"LSTM on {data.Description}", "cross-entropy loss", arguments.OutputPath($"{dataset}-training.png"));
            AnsiConsole.MarkupLineInterpolated($"Training curves: [blue]{png}[/]");
        }
        return 0;
    }

    /// <summary>Rows: the truth; columns: the prediction; the correct counts in green. ML.NET's binary matrix lists the positive class first.</summary>
    private static Table ConfusionMatrix(ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        string[] names = [classNames[1], classNames[0]];
        var table = new Table().Border(TableBorder.Rounded).Title("confusion matrix (rows: truth, columns: prediction)").AddColumn("");
        foreach (var name in names) table.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
        for (int truth = 0; truth < 2; truth++)
            table.AddRow([new Markup($"[bold]{Markup.Escape(names[truth])}[/]"),
                .. Enumerable.Range(0, 2).Select(predicted => new Markup(predicted == truth ? $"[green]{matrix.Counts[truth][predicted]}[/]" : $"{matrix.Counts[truth][predicted]}"))]);
        return table;
    }
}
