using Lstm.MLNet.Samples.Common;
using Spectre.Console;

namespace Lstm.MLNet.Samples.Consumption;

/// <summary>The <c>predict</c> command: a saved binary text model, the texts on the command line (or stdin), each with its class name and probability.</summary>
internal static class PredictCommand
{
    public static int Run(SampleArguments arguments, string? modelPath, string? labels)
    {
        modelPath ??= arguments.OutputPath("sentiment-model.zip");
        var classNames = ClassNames(modelPath, labels);
        var consumer = ConsumeModel.Load(modelPath);
        var texts = arguments.Positional.Count > 0 ? arguments.Positional : PredictionView.ReadStdin();
        if (texts.Count == 0) throw new ArgumentException("predict: no texts; give them after the options or on standard input.");
        PredictionView.Show(texts, consumer.Predict, classNames);
        if (ExplainOption.IsRequested(arguments))
            foreach (var text in texts) ExplainOption.Write(ExplainOption.ClassifierOf(consumer.Model), text, classNames);
        return 0;
    }

    /// <summary>The false and true class names: <c>--labels</c>, else the bundled data set named by the model's file (<c>spam-model.zip</c>), else false/true.</summary>
    private static string[] ClassNames(string modelPath, string? labels)
    {
        if (labels is not null)
        {
            var names = labels.Split(',', StringSplitOptions.TrimEntries);
            return names.Length == 2 && names.All(n => n.Length > 0) ? names
                : throw new ArgumentException($"--labels expects two class names separated by a comma (false class first), got '{labels}'.");
        }
        string stem = Path.GetFileNameWithoutExtension(modelPath);
        string? dataset = TextDataset.Names.FirstOrDefault(name => stem == $"{name}-model" || stem == $"sweep-{name}-best-model");
        return dataset is null ? ["false", "true"] : TextDataset.ClassNamesOf(dataset);
    }
}
