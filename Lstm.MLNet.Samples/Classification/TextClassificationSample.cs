using Lstm.MLNet.Samples.Common;
using Lstm.MLNet.Samples.Consumption;
using Microsoft.ML;

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

    public static int Run(string dataset, string[] args)
    {
        bool explain = ExplainOption.Take(ref args);
        var arguments = SampleArguments.Parse(args);
        var data = TextDataset.Load(dataset);
        var ml = new MLContext(arguments.Seed);
        Console.WriteLine($"{data.Description}: {data.Examples.Count} rows. This sample trains on a seeded 80/20 split " +
                          $"(the 'quality' command runs the data set's {data.Protocol}).");

        var (trainIndices, testIndices) = new EvaluationProtocol.HoldOut(0.2).Splits(data.Examples.Count, arguments.Seed).First();
        var train = ml.Data.LoadFromEnumerable(trainIndices.Select(i => data.Examples[i]));
        var test = ml.Data.LoadFromEnumerable(testIndices.Select(i => data.Examples[i]));

        var progress = new ConsoleProgress("training");
        var options = TextClassifiers.LstmOptions(arguments, progress);
        var (model, metrics, result) = TextClassifiers.FitAndEvaluate(ml, TextClassifiers.Lstm(ml, options), train, test);
        progress.Finish();
        var history = TextClassifiers.LstmOf(model);

        Console.WriteLine();
        Console.WriteLine($"Trained in {result.FitSeconds:F1} s" + (history is null ? "" : $"; kept epoch {history.BestEpoch} of {history.TrainingHistory.Count}") + ".");
        Console.WriteLine(new MarkdownTable("Metric (test split)", "Value")
            .Add("Accuracy", $"{metrics.Accuracy:P2}").Add("AUC", $"{metrics.AreaUnderRocCurve:P2}").Add("F1", $"{metrics.F1Score:P2}")
            .Add($"Precision ({data.PositiveLabelNames[1]})", $"{metrics.PositivePrecision:P2}").Add($"Recall ({data.PositiveLabelNames[1]})", $"{metrics.PositiveRecall:P2}")
            .Add("Log-loss", $"{metrics.LogLoss:F4}"));
        Console.WriteLine($"Confusion matrix (rows: truth, columns: prediction; true = {data.PositiveLabelNames[1]}):");
        Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());

        string modelPath = arguments.OutputPath($"{dataset}-model.zip");
        ml.Model.Save(model, train.Schema, modelPath);
        Console.WriteLine($"Saved the model to {modelPath} ({new FileInfo(modelPath).Length / 1024} KiB).");

        var consumer = ConsumeModel.Load(modelPath);
        IReadOnlyList<string> sentences = arguments.Positional.Count > 0 ? arguments.Positional
            : Console.IsInputRedirected ? ReadStdin() : [];
        if (sentences.Count == 0) sentences = Examples[dataset];
        Console.WriteLine("Predictions of the reloaded model:");
        foreach (var sentence in sentences)
        {
            var prediction = consumer.Predict(sentence);
            Console.WriteLine($"  {data.PositiveLabelNames[prediction.PredictedLabel ? 1 : 0],-8} p={prediction.Probability:F3}  \"{sentence}\"");
            if (explain) ExplainOption.Write(ExplainOption.ClassifierOf(consumer.Model), sentence, data.PositiveLabelNames);
        }

        if (progress.History.Count > 0)
        {
            string png = Charts.TrainingCurves(progress.History, $"LSTM on {data.Description}", arguments.OutputPath($"{dataset}-training.png"));
            Console.WriteLine($"Training curves: {png}");
        }
        return 0;
    }

    private static IReadOnlyList<string> ReadStdin()
    {
        var lines = new List<string>();
        while (Console.In.ReadLine() is { } line)
            if (!string.IsNullOrWhiteSpace(line)) lines.Add(line);
        return lines;
    }
}
