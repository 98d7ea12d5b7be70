using System.Globalization;
using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.SequenceRegression;

/// <summary>The LSTM sequence regressor through ML.NET: catalog and default estimator, evaluators, vector labels, persistence, bad input.</summary>
[TestClass]
public sealed class SequenceRegressionTests
{
    public sealed class SequenceRow
    {
        [VectorType] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    public sealed class HorizonRow
    {
        [VectorType] public float[] Features { get; set; } = [];
        [VectorType(3)] public float[] Label { get; set; } = [];
    }

    public sealed class ScoreRow
    {
        public float Score { get; set; }
    }

    /// <summary>Ragged sequences of 2 features per step (3–9 steps); label = 10 + 5·(last step's first feature) − 2·(mean of the second feature).</summary>
    internal static SequenceRow[] Synthetic(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            int steps = random.Next(3, 10);
            var values = Enumerable.Range(0, steps * 2).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            float mean = Enumerable.Range(0, steps).Average(t => values[2 * t + 1]);
            return new SequenceRow { Features = values, Label = 10 + 5 * values[^2] - 2 * mean };
        }).ToArray();
    }

    private static LstmSequenceRegressorOptions Fast(int epochs = 30) => new()
    {
        FeaturesPerStep = 2, HiddenSize = 16, MaxEpochs = epochs, BatchSize = 16, LearningRate = 1e-2, NumberOfThreads = 1, Seed = 3,
    };

    [TestMethod]
    public void Catalog_LearnsARaggedMultivariateTask_AndRegressionEvaluateWorks()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(Synthetic(600, 1));
        var test = ml.Data.LoadFromEnumerable(Synthetic(200, 2));
        var model = ml.Regression.Trainers.LstmSequence(Fast()).Fit(train);
        var metrics = ml.Regression.Evaluate(model.Transform(test));
        Console.WriteLine($"R² {metrics.RSquared:F3}, RMSE {metrics.RootMeanSquaredError:F3}, epochs {model.TrainingHistory.Count}, best {model.BestEpoch}");
        Assert.IsGreaterThan(0.9, metrics.RSquared, $"R² {metrics.RSquared:F3}");
        Assert.AreEqual(LstmTask.Regression, model.Task);
        Assert.IsTrue(model.TrainingHistory.All(h => h.ValidationLoss.HasValue && h.ValidationAccuracy is null), "a regressor reports validation loss, no accuracy");
        var regressor = (LstmSequenceRegressionTransformer)model;
        Assert.AreEqual(2, regressor.InputStandardizer!.Features);
        Assert.AreEqual(10, regressor.LabelStandardizer!.Means[0], 0.5, "the label standardisation is learned from the training rows");
    }

    [TestMethod]
    public void DefaultEstimator_InfersRegression_FromAFloatLabelAndAFloatVectorFeaturesColumn()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(Synthetic(64, 3).Select(r => new SequenceRow { Features = r.Features.Where((_, i) => i % 2 == 0).ToArray(), Label = r.Label }));
        var estimator = new LstmEstimator(ml, new LstmOptions { MaxEpochs = 2, HiddenSize = 8, NumberOfThreads = 1 });
        var model = estimator.Fit(data);
        Assert.AreEqual(NumberDataViewType.Single, model.GetOutputSchema(data.Schema)["Score"].Type);
        Assert.IsInstanceOfType<LstmSequenceRegressionTransformer>(model);
        Assert.AreEqual("Features", model.InputColumnName);
        Assert.HasCount(64, model.Transform(data).GetColumn<float>("Score").Where(float.IsFinite).ToArray());
    }

    [TestMethod]
    public void VectorLabel_GivesAVectorScore_AndTheHorizonEvaluation()
    {
        var ml = new MLContext(1);
        var random = new Random(5);
        // Next three values of a noisy sine, from the previous 8.
        var rows = Enumerable.Range(0, 300).Select(start =>
        {
            float At(int t) => (float)Math.Sin(0.3 * t) + (float)(random.NextDouble() * 0.05);
            return new HorizonRow { Features = Enumerable.Range(start, 8).Select(At).ToArray(), Label = Enumerable.Range(start + 8, 3).Select(At).ToArray() };
        }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Regression.Trainers.LstmSequence(new LstmSequenceRegressorOptions { HiddenSize = 16, MaxEpochs = 40, LearningRate = 1e-2, NumberOfThreads = 1 }).Fit(data);
        var scored = model.Transform(data);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 3), scored.Schema["Score"].Type);
        var metrics = LstmForecastEvaluation.Evaluate(scored);
        Assert.AreEqual(3, metrics.Horizon);
        Console.WriteLine($"RMSE per step: {string.Join(", ", metrics.RootMeanSquaredError.Select(v => v.ToString("F3")))}");
        Assert.IsTrue(metrics.RootMeanSquaredError.All(v => v < 0.2), "a sine continues smoothly");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LstmForecastEvaluation.Evaluate(scored, scoreColumnName: "Features"));
    }

    [TestMethod]
    public void SaveAndLoad_PredictBitIdentically_ThroughTransformAndPredictionEngine_FromManyThreads()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(Synthetic(200, 6));
        var test = Synthetic(40, 7);
        var model = ml.Regression.Trainers.LstmSequence(Fast(epochs: 5)).Fit(train);
        string path = Path.Combine(Path.GetTempPath(), $"lstm-regressor-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var other = new MLContext(99);
            var loaded = other.Model.Load(path, out _);
            var expected = model.Transform(ml.Data.LoadFromEnumerable(test)).GetColumn<float>("Score").ToArray();
            var actual = loaded.Transform(other.Data.LoadFromEnumerable(test)).GetColumn<float>("Score").ToArray();
            CollectionAssert.AreEqual(expected, actual);
            var fromThreads = new float[test.Length];
            Parallel.For(0, test.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            {
                var engine = other.Model.CreatePredictionEngine<SequenceRow, ScoreRow>(loaded);
                fromThreads[i] = engine.Predict(test[i]).Score;
            });
            CollectionAssert.AreEqual(expected, fromThreads, "PredictionEngine on many threads = Transform");

            var lines = test.Select(r => string.Join(',', r.Features.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).ToArray();
            var here = ChildProcessEntryPoint.Regress(ml, model, lines).ToArray();
            var inFreshProcess = ChildProcessEntryPoint.Run(path, lines, TimeSpan.FromMinutes(2), "load-and-regress");
            CollectionAssert.AreEqual(here, inFreshProcess, "the model loaded in a fresh process scores differently");
            Assert.IsTrue(here.All(l => l.Split(' ')[0] == l.Split(' ')[1]), "PredictionEngine = Transform");

            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
            Assert.Throws<Exception>(() => other.Model.Load(path, out _), "a truncated zip fails to load");
        }
        finally { File.Delete(path); }
    }

    [TestMethod]
    public void SameSeed_SameModel_WhateverTheThreadCount()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(Synthetic(120, 8));
        float[] Scores(int threads)
        {
            var options = Fast(epochs: 3);
            options.NumberOfThreads = threads;
            return ml.Regression.Trainers.LstmSequence(options).Fit(train).Transform(train).GetColumn<float>("Score").ToArray();
        }
        CollectionAssert.AreEqual(Scores(1), Scores(2));
    }

    [TestMethod]
    public void NonFiniteValues_ThrowNamingRowAndColumn_OrAreSkippedWhenAsked()
    {
        var ml = new MLContext(1);
        var rows = Synthetic(40, 9);
        rows[7].Features[3] = float.NaN;
        rows[12].Label = float.PositiveInfinity;
        var data = ml.Data.LoadFromEnumerable(rows);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Regression.Trainers.LstmSequence(Fast(epochs: 1)).Fit(data));
        StringAssert.Contains(e.Message, "Row 7");
        StringAssert.Contains(e.Message, "'Features'");
        StringAssert.Contains(e.Message, "step 1, feature 1");

        var skipping = Fast(epochs: 1);
        skipping.NonFiniteValues = LstmNonFiniteValues.SkipRow;
        var model = ml.Regression.Trainers.LstmSequence(skipping).Fit(data);
        var scores = model.Transform(data).GetColumn<float>("Score").ToArray();
        Assert.IsTrue(float.IsNaN(scores[7]), "a row with NaN features scores NaN when skipping");
        Assert.IsTrue(float.IsFinite(scores[12]), "the label plays no part in scoring");
    }

    [TestMethod]
    public void VectorLengthNotAMultipleOfFeaturesPerStep_NamesTheRow()
    {
        var ml = new MLContext(1);
        var rows = Synthetic(20, 10);
        rows[4].Features = rows[4].Features[..5];
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Regression.Trainers.LstmSequence(Fast(epochs: 1)).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(e.Message, "Row 4");
        StringAssert.Contains(e.Message, "FeaturesPerStep = 2");
    }

    [TestMethod]
    public void ConstantSeries_TrainsWithoutNaN()
    {
        var ml = new MLContext(1);
        var rows = Enumerable.Range(0, 50).Select(_ => new SequenceRow { Features = [3f, 3f, 3f, 3f], Label = 7f }).ToArray();
        var options = Fast(epochs: 3);
        options.FeaturesPerStep = 1;
        var model = ml.Regression.Trainers.LstmSequence(options).Fit(ml.Data.LoadFromEnumerable(rows));
        var scores = model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float>("Score").ToArray();
        Assert.IsTrue(scores.All(s => float.IsFinite(s) && Math.Abs(s - 7f) < 0.5f), $"a constant target: predicted {scores[0]}");
        var regressor = (LstmSequenceRegressionTransformer)model;
        Assert.AreEqual(1f, regressor.InputStandardizer!.StandardDeviations[0], "zero variance standardises with deviation 1, not 0");
        Assert.IsTrue(model.TrainingHistory.All(h => double.IsFinite(h.TrainLoss)));
    }

    [TestMethod]
    public void WrongTypes_NameTheColumnAndTheExpectedType()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(Synthetic(10, 11));
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            ml.Regression.Trainers.LstmSequence(new LstmSequenceRegressorOptions { FeatureColumnName = "Series" }).Fit(data));
        StringAssert.Contains(missing.Message, "'Series'");
        var wrongLabel = ml.Transforms.Conversion.ConvertType("Label", outputKind: DataKind.Double).Fit(data).Transform(data);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.LstmSequence(Fast(epochs: 1)).Fit(wrongLabel));
        StringAssert.Contains(e.Message, "'Label'");
        StringAssert.Contains(e.Message, "Double");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.LstmSequence(new LstmSequenceRegressorOptions { FeaturesPerStep = 0 }));
    }
}
