using System.Globalization;
using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.TestSupport;

/// <summary>
/// The model files committed under <c>TestData/v1-models/</c>: how each was trained (by the code of the commit that
/// added them, model format v1), the inputs it is asked about and how its predictions are written (one line per input,
/// the outputs as the hex bits of their floats, so "identical" means bit-identical). Every later format must still
/// load these files and give the recorded lines.
/// </summary>
internal static class ModelFixtures
{
    public const string Folder = "v1-models";
    public static readonly string[] Names = ["binary", "multiclass", "regressor", "forecaster"];

    public static string PathOf(string name, string extension) =>
        Path.Combine(AppContext.BaseDirectory, "TestData", Folder, name + extension);

    private static LstmTextClassifierOptions TextOptions() => new()
    {
        EmbeddingSize = 8, HiddenSize = 8, MaxEpochs = 2, Seed = 5, NumberOfThreads = 1, MinTokenFrequency = 1,
        MaxVocabularySize = 150, EarlyStoppingPatience = 0, MaxSequenceLength = 24,
    };

    private static LstmSequenceRegressorOptions RegressorOptions() => new()
    {
        FeaturesPerStep = 2, HiddenSize = 8, MaxEpochs = 3, BatchSize = 16, LearningRate = 1e-2, NumberOfThreads = 1, Seed = 3,
        MaxSequenceLength = 12,
    };

    private static LstmForecastingOptions ForecasterOptions() => new()
    {
        InputColumnName = "Value", WindowSize = 12, Horizon = 3, HiddenSize = 8, MaxEpochs = 5, NumberOfThreads = 1,
        Transform = Lstm.MLNet.TimeSeries.SeriesTransformKind.LogDifference, Seed = 2,
    };

    /// <summary>Trains the fixture <paramref name="name"/> and saves it (the forecaster through an engine checkpoint after a few updates).</summary>
    public static void Train(string name, string zipPath)
    {
        var ml = new MLContext(seed: 1);
        switch (name)
        {
            case "binary":
            {
                var data = ml.Data.LoadFromEnumerable(SentimentData.Take(80));
                ml.Model.Save(ml.BinaryClassification.Trainers.LstmText(TextOptions()).Fit(data), data.Schema, zipPath);
                break;
            }
            case "multiclass":
            {
                var data = ml.Data.LoadFromEnumerable(SentimentData.Topics(80));
                var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.LstmText(TextOptions()))
                    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel")).Fit(data);
                ml.Model.Save(model, data.Schema, zipPath);
                break;
            }
            case "regressor":
            {
                var data = ml.Data.LoadFromEnumerable(Sequences(60, seed: 4));
                ml.Model.Save(ml.Regression.Trainers.LstmSequence(RegressorOptions()).Fit(data), data.Schema, zipPath);
                break;
            }
            case "forecaster":
            {
                var series = Seasonal(72);
                var model = ml.Forecasting.ForecastByLstm(ForecasterOptions()).Fit(ml.Data.LoadFromEnumerable(series[..60].Select(v => new Observation { Value = v })));
                var engine = model.CreateForecastingEngine();
                foreach (var value in series[60..64]) engine.Update(value);
                engine.CheckPoint(ml, zipPath);
                break;
            }
            default: throw new ArgumentOutOfRangeException(nameof(name), name, "No such fixture.");
        }
    }

    /// <summary>The inputs each fixture is asked about, one per line (texts; regressor rows as invariant floats; forecaster observations).</summary>
    public static string[] Inputs(string name) => name switch
    {
        "binary" or "multiclass" => SentimentData.Take(12, skip: 2000).Select(r => r.Text.Replace('\t', ' ')).Append("").ToArray(),
        "regressor" => Sequences(10, seed: 77)
            .Select(r => string.Join(' ', r.Features.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).ToArray(),
        "forecaster" => Seasonal(72)[64..72].Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such fixture."),
    };

    /// <summary>The predictions of <paramref name="model"/> (loaded from the fixture's zip) for <paramref name="inputs"/>, one line per input.</summary>
    public static string[] Predict(string name, MLContext ml, ITransformer model, string[] inputs)
    {
        switch (name)
        {
            case "binary":
            {
                var scored = model.Transform(ml.Data.LoadFromEnumerable(inputs.Select(t => new SentimentRow { Text = t })));
                var score = scored.GetColumn<float>("Score").ToArray();
                var probability = scored.GetColumn<float>("Probability").ToArray();
                var label = scored.GetColumn<bool>("PredictedLabel").ToArray();
                return inputs.Select((_, i) => $"{Bits(score[i])} {Bits(probability[i])} {label[i]}").ToArray();
            }
            case "multiclass":
            {
                var scored = model.Transform(ml.Data.LoadFromEnumerable(inputs.Select(t => new TopicRow { Text = t, Label = "amazon" })));
                var score = scored.GetColumn<float[]>("Score").ToArray();
                var label = scored.GetColumn<string>("PredictedText").ToArray();
                return inputs.Select((_, i) => $"{string.Join(' ', score[i].Select(Bits))} {label[i]}").ToArray();
            }
            case "regressor":
            {
                var rows = inputs.Select(line => new SequenceRow
                {
                    Features = line.Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray(),
                }).ToArray();
                var score = model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float>("Score").ToArray();
                return score.Select(Bits).ToArray();
            }
            case "forecaster":
            {
                var engine = ((LstmForecastingTransformer)model).CreateForecastingEngine();
                var lines = new List<string> { Line(engine.Predict()) };
                foreach (var value in inputs)
                {
                    engine.Update(float.Parse(value, CultureInfo.InvariantCulture));
                    lines.Add(Line(engine.Predict()));
                }
                return lines.ToArray();
                static string Line(LstmForecast f) => string.Join(' ', f.Forecast.Concat(f.LowerBound).Concat(f.UpperBound).Select(Bits));
            }
            default: throw new ArgumentOutOfRangeException(nameof(name), name, "No such fixture.");
        }
    }

    public sealed class SequenceRow
    {
        [VectorType] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    public sealed class Observation
    {
        public float Value { get; set; }
    }

    /// <summary>Ragged rows of 2 features per step (3–9 steps) from a seeded sine pattern; label = the sum of the last step and the first feature's mean.</summary>
    private static SequenceRow[] Sequences(int count, int seed) => Enumerable.Range(seed, count).Select(row =>
    {
        var values = new float[2 * (3 + row % 7)];
        for (int j = 0; j < values.Length; j++) values[j] = MathF.Sin(0.37f * row + 1.3f * j);
        float firstMean = values.Where((_, j) => j % 2 == 0).Average();
        return new SequenceRow { Features = values, Label = values[^1] + values[^2] + firstMean };
    }).ToArray();

    /// <summary>A seasonal series with trend (period 12, amplitude growing with the level).</summary>
    private static float[] Seasonal(int count)
    {
        var random = new Random(1);
        return Enumerable.Range(0, count)
            .Select(t => (float)((100 + 0.8 * t) * (1 + 0.2 * Math.Sin(2 * Math.PI * t / 12)) + random.NextDouble() * 2)).ToArray();
    }

    private static string Bits(float value) => BitConverter.SingleToInt32Bits(value).ToString("X8", CultureInfo.InvariantCulture);
}
