using Lstm.MLNet;
using Microsoft.ML;
using Microsoft.ML.Data;
using SharpFuzz;

namespace Lstm.MLNet.Fuzz;

/// <summary>
/// SharpFuzz/AFL harness for saved models (issue 10): each input is a model zip, loaded through <c>ml.Model.Load</c> and
/// used for a prediction. Loading or predicting may only succeed or fail with <see cref="InvalidDataException"/> (possibly
/// inside ML.NET's wrapper); any other exception is reported to AFL as a crash. Usage in README.md.
/// </summary>
public static class Program
{
    public sealed class TextRow { public string Text { get; set; } = ""; public bool Label { get; set; } }
    public sealed class TopicRow { public string Text { get; set; } = ""; public string Label { get; set; } = ""; }
    public sealed class SequenceRow { [VectorType] public float[] Features { get; set; } = []; public float Label { get; set; } }
    public sealed class Observation { public float Value { get; set; } }

    private static readonly string[] Words = ["good", "bad", "great", "awful", "film", "plot", "acting", "boring", "fun", "slow"];

    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "corpus") return WriteCorpus(args[1]);
        if (args.Length == 1 && args[0] == "fuzz")
        {
            Fuzzer.OutOfProcess.Run(Check);
            return 0;
        }
        if (args.Length == 2 && args[0] == "replay")
        {
            using var file = File.OpenRead(args[1]);
            Check(file);
            Console.WriteLine("OK: loaded and predicted, or InvalidDataException.");
            return 0;
        }
        Console.Error.WriteLine("usage: corpus <folder> | fuzz | replay <model.zip>");
        return 2;
    }

    /// <summary>One fuzz input: load, predict with the input its kind needs; only InvalidDataException may escape as a failure to load.</summary>
    private static void Check(Stream input)
    {
        var ml = new MLContext(seed: 1);
        try
        {
            var model = ml.Model.Load(input, out var schema);
            if (model is LstmForecastingTransformer forecaster)
            {
                forecaster.CreateForecastingEngine().Predict();
                return;
            }
            IDataView probe = schema.GetColumnOrNull("Features") is not null
                ? ml.Data.LoadFromEnumerable(new[] { new SequenceRow { Features = [0.5f, -1f, 0.25f, 2f] } })
                : ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "a good film with boring acting" } });
            using var cursor = model.Transform(probe).GetRowCursor(model.GetOutputSchema(probe.Schema));
            while (cursor.MoveNext()) { }
        }
        catch (Exception e) when (Chain(e).Any(x => x is InvalidDataException))
        {
        }
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException) yield return x;
    }

    /// <summary>Saves one small model of each kind into <paramref name="folder"/>: AFL's starting inputs.</summary>
    private static int WriteCorpus(string folder)
    {
        Directory.CreateDirectory(folder);
        var ml = new MLContext(seed: 1);
        var random = new Random(1);
        string Sentence() => string.Join(' ', Enumerable.Range(0, random.Next(3, 8)).Select(_ => Words[random.Next(Words.Length)]));
        var texts = Enumerable.Range(0, 60).Select(_ => Sentence()).ToArray();

        var binary = ml.Data.LoadFromEnumerable(texts.Select(t => new TextRow { Text = t, Label = t.Contains("good") || t.Contains("great") }));
        var small = new LstmTextClassifierOptions { EmbeddingSize = 4, HiddenSize = 4, MaxEpochs = 1, NumberOfThreads = 1, MinTokenFrequency = 1 };
        ml.Model.Save(ml.BinaryClassification.Trainers.LstmText(small).Fit(binary), binary.Schema, Path.Combine(folder, "binary.zip"));

        var topics = ml.Data.LoadFromEnumerable(texts.Select(t => new TopicRow { Text = t, Label = t.Split(' ')[0] }));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(topics).Transform(topics);
        ml.Model.Save(ml.MulticlassClassification.Trainers.LstmText(small).Fit(keyed), keyed.Schema, Path.Combine(folder, "multiclass.zip"));

        var sequences = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 60).Select(_ =>
        {
            var values = Enumerable.Range(0, 2 * random.Next(2, 6)).Select(_ => (float)random.NextDouble()).ToArray();
            return new SequenceRow { Features = values, Label = values.Sum() };
        }));
        ml.Model.Save(ml.Regression.Trainers.LstmSequence(new LstmSequenceRegressorOptions { FeaturesPerStep = 2, HiddenSize = 4, MaxEpochs = 1, NumberOfThreads = 1 })
            .Fit(sequences), sequences.Schema, Path.Combine(folder, "regressor.zip"));

        var series = Enumerable.Range(0, 60).Select(t => new Observation { Value = (float)(10 + Math.Sin(t / 2.0)) }).ToArray();
        var engine = ml.Forecasting.ForecastByLstm(new LstmForecastingOptions { InputColumnName = "Value", WindowSize = 6, Horizon = 2, HiddenSize = 4, MaxEpochs = 1, NumberOfThreads = 1 })
            .Fit(ml.Data.LoadFromEnumerable(series)).CreateForecastingEngine();
        engine.Update(11f);
        engine.CheckPoint(ml, Path.Combine(folder, "forecaster.zip"));
        Console.WriteLine($"Wrote 4 models to {folder}.");
        return 0;
    }
}
