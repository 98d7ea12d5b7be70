using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet;

/// <summary>Every bad input gives a specific exception that names the column (or option), what was expected and what was found.</summary>
[TestClass]
public sealed class BadInputTests
{
    private static readonly MLContext Ml = new(seed: 1);

    public sealed class FloatLabelRow { public string Text { get; set; } = ""; public float Label { get; set; } }
    public sealed class FloatTextRow { public float Text { get; set; } public bool Label { get; set; } }
    public sealed class FloatSequenceRow { [VectorType] public float[] Text { get; set; } = []; public float Label { get; set; } }
    public sealed class NoTextRow { public string Review { get; set; } = ""; public bool Label { get; set; } }

    private static IDataView Sentiment(int count) => Ml.Data.LoadFromEnumerable(SentimentData.Take(count));

    [TestMethod]
    public void MissingTextColumn_NamesTheColumn()
    {
        var data = Ml.Data.LoadFromEnumerable(new[] { new NoTextRow { Review = "good", Label = true } });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new LstmEstimator(Ml, FastOptions.Create()).Fit(data));
        StringAssert.Contains(e.Message, "'Text'");
        StringAssert.Contains(e.Message, "'Review'");
    }

    [TestMethod]
    public void TextColumnOfTheWrongType_NamesColumnExpectedAndActualType()
    {
        var data = Ml.Data.LoadFromEnumerable(new[] { new FloatTextRow { Text = 1, Label = true }, new FloatTextRow { Text = 2, Label = false } });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new LstmEstimator(Ml, FastOptions.Create()).Fit(data));
        StringAssert.Contains(e.Message, "'Text'");
        StringAssert.Contains(e.Message, "Single");
        StringAssert.Contains(e.Message, "String");
    }

    [TestMethod]
    public void FloatLabelWithText_NamesTheLabelAndTheExpectedTypes()
    {
        var data = Ml.Data.LoadFromEnumerable(new[] { new FloatLabelRow { Text = "a", Label = 1 } });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new LstmEstimator(Ml, FastOptions.Create()).Fit(data));
        StringAssert.Contains(e.Message, "'Label'");
        StringAssert.Contains(e.Message, "Single");
        StringAssert.Contains(e.Message, "Boolean");
    }

    [TestMethod]
    public void FloatLabelWithAFloatSequence_TrainsTheSequenceRegressor_ButNotThroughAClassifierCatalog()
    {
        var data = Ml.Data.LoadFromEnumerable(new[] { new FloatSequenceRow { Text = [1, 2], Label = 1 }, new FloatSequenceRow { Text = [3], Label = 2 } });
        Assert.IsInstanceOfType<LstmSequenceRegressionTransformer>(new LstmEstimator(Ml, FastOptions.Create()).Fit(data));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Ml.BinaryClassification.Trainers.LstmText(FastOptions.Create()).Fit(data));
        StringAssert.Contains(e.Message, "Boolean");
    }

    [TestMethod]
    public void BinaryCatalog_RejectsAKeyLabel()
    {
        var keyed = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(Ml.Data.LoadFromEnumerable(SentimentData.Topics(20))).Transform(Ml.Data.LoadFromEnumerable(SentimentData.Topics(20)));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Ml.BinaryClassification.Trainers.LstmText(FastOptions.Create()).Fit(keyed));
        StringAssert.Contains(e.Message, "'Label'");
        StringAssert.Contains(e.Message, "Boolean");
    }

    [TestMethod]
    public void KeyLabelWithOneClass_IsRejected()
    {
        var rows = SentimentData.Topics(20).Select(r => new TopicRow { Text = r.Text, Label = "only" }).ToArray();
        var data = Ml.Data.LoadFromEnumerable(rows);
        var pipeline = Ml.Transforms.Conversion.MapValueToKey("Label").Append(new LstmEstimator(Ml, FastOptions.Create()));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => pipeline.Fit(data));
        StringAssert.Contains(e.Message, "'Label'");
        StringAssert.Contains(e.Message, "at least 2 classes");
    }

    [TestMethod]
    public void BooleanLabelWithASingleValue_IsRejected()
    {
        var rows = SentimentData.Take(30).Select(r => new SentimentRow { Text = r.Text, Label = true }).ToArray();
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new LstmEstimator(Ml, FastOptions.Create()).Fit(Ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(e.Message, "'Label'");
        StringAssert.Contains(e.Message, "single value");
    }

    [TestMethod]
    public void ZeroRows_IsRejected()
    {
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new LstmEstimator(Ml, FastOptions.Create()).Fit(Ml.Data.LoadFromEnumerable(Array.Empty<SentimentRow>())));
        StringAssert.Contains(e.Message, "No training rows");
    }

    [TestMethod]
    public void OnlyBlankTexts_IsRejectedWithTheCount()
    {
        var rows = new[] { new SentimentRow { Text = "", Label = true }, new SentimentRow { Text = "   ", Label = false }, new SentimentRow { Text = null!, Label = true } };
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new LstmEstimator(Ml, FastOptions.Create()).Fit(Ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(e.Message, "3 row(s) had an empty 'Text'");
    }

    [TestMethod]
    public void BlankTexts_AreSkippedInTrainingWithALoggedCount_AndPredictAtPredictTime()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var rows = SentimentData.Take(100).Concat([new SentimentRow { Text = "", Label = true }, new SentimentRow { Text = " \t ", Label = false }, new SentimentRow { Text = null!, Label = false }]).ToArray();
        var model = ml.BinaryClassification.Trainers.LstmText(FastOptions.Create(epochs: 1)).Fit(ml.Data.LoadFromEnumerable(rows));
        Assert.IsTrue(messages.Any(m => m.Contains("skipped 3 with empty input")), "The skipped count must be logged.");
        var engine = ml.Model.CreatePredictionEngine<SentimentRow, BinaryPrediction>(model);
        foreach (var text in new[] { "", "   ", null! })
        {
            var p = engine.Predict(new SentimentRow { Text = text });
            Assert.IsTrue(float.IsFinite(p.Score) && p.Probability is >= 0 and <= 1, $"'{text}' gave {p.Score} / {p.Probability}");
        }
    }

    [TestMethod]
    public void UnseenKeyLabelAtPredictTime_DoesNotCrashTransformOrEvaluate()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.LstmText(FastOptions.Create(epochs: 1)))
            .Fit(ml.Data.LoadFromEnumerable(SentimentData.Topics(90)));
        var test = SentimentData.Topics(10).Select(r => new TopicRow { Text = r.Text, Label = "never-seen" })
            .Concat(SentimentData.Topics(10)).ToArray();
        var scored = model.Transform(ml.Data.LoadFromEnumerable(test));
        Assert.AreEqual(0u, scored.GetColumn<uint>("Label").First(), "An unseen label maps to key 0 (missing).");
        Assert.HasCount(20, scored.GetColumn<uint>("PredictedLabel").ToArray());
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.IsTrue(metrics.MicroAccuracy is >= 0 and <= 1);
    }

    [TestMethod]
    [DataRow("LearningRate", double.NaN)]
    [DataRow("Dropout", float.NaN)]
    [DataRow("ValidationFraction", double.NaN)]
    [DataRow("GradientClipNorm", float.NaN)]
    [DataRow("WeightDecay", double.NaN)]
    public void NaNOptions_AreRejectedNamingTheOption(string option, object value)
    {
        var options = new LstmOptions();
        typeof(LstmOptions).GetProperty(option)!.SetValue(options, value);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new LstmEstimator(Ml, options));
        Assert.AreEqual(option, e.ParamName);
    }

    [TestMethod]
    [DataRow("HiddenSize", -1)]
    [DataRow("EmbeddingSize", -1)] // 0 = automatic
    [DataRow("NumberOfLayers", 0)]
    [DataRow("BatchSize", 0)]
    [DataRow("MaxEpochs", 0)]
    [DataRow("MaxSequenceLength", -5)]
    [DataRow("EarlyStoppingPatience", -1)]
    [DataRow("MaxVocabularySize", 2)]
    [DataRow("MinTokenFrequency", 0)]
    public void AbsurdIntegerOptions_AreRejectedNamingTheOption(string option, int value)
    {
        var options = new LstmOptions();
        typeof(LstmOptions).GetProperty(option)!.SetValue(options, value);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new LstmEstimator(Ml, options));
        Assert.AreEqual(option, e.ParamName);
    }

    [TestMethod]
    [DataRow(1.0)]
    [DataRow(-0.1)]
    [DataRow(1.5)]
    public void ValidationFractionOutsideZeroOne_IsRejected(double fraction)
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new LstmEstimator(Ml, new LstmOptions { ValidationFraction = fraction }));
        Assert.AreEqual("ValidationFraction", e.ParamName);
    }

    [TestMethod]
    public void ZeroThreads_IsRejected_NullMeansAllCores()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new LstmEstimator(Ml, new LstmOptions { NumberOfThreads = 0 }));
        Assert.AreEqual("NumberOfThreads", e.ParamName);
    }

    [TestMethod]
    public void ModelApplied_ToDataWithoutItsInputColumn_NamesTheColumn()
    {
        var model = new LstmEstimator(Ml, FastOptions.Create(epochs: 1)).Fit(Sentiment(60));
        var other = Ml.Data.LoadFromEnumerable(new[] { new NoTextRow { Review = "x" } });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(other));
        StringAssert.Contains(e.Message, "'Text'");
    }
}
