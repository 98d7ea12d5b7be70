using System.Collections.Concurrent;
using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Tokenizers;

namespace Lstm.MLNet.Tests.MLNet;

/// <summary>The estimator in ML.NET pipelines: catalogs, task inference, evaluators, key-typed token input, concurrency.</summary>
[TestClass]
public sealed class PipelineTests
{
    [TestMethod]
    public void MulticlassCatalog_WorksWithMapValueToKey_Evaluate_AndMapKeyToValue()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(SentimentData.Topics(600));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.LstmText(FastOptions.Create(epochs: 8)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelText", "PredictedLabel"));
        var model = pipeline.Fit(train);
        var scored = model.Transform(train);

        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.IsGreaterThan(0.45, metrics.MicroAccuracy, $"Micro accuracy {metrics.MicroAccuracy:F3} on its own training data shows no learning (chance ≈ 0.33).");
        var score = scored.Schema["Score"];
        Assert.AreEqual(3, ((VectorDataViewType)score.Type).Size);
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        score.GetSlotNames(ref slotNames);
        CollectionAssert.AreEquivalent(new[] { "amazon", "imdb", "yelp" }, slotNames.DenseValues().Select(s => s.ToString()).ToArray());
        var predicted = scored.GetColumn<string>("PredictedLabelText").ToArray();
        Assert.IsTrue(predicted.All(p => p is "amazon" or "imdb" or "yelp"), "MapKeyToValue must give back the label's values.");
        var lstm = model.ToArray()[1] as LstmTextClassificationTransformer;
        Assert.IsNotNull(lstm);
        CollectionAssert.AreEqual(slotNames.DenseValues().Select(s => s.ToString()).ToArray(), lstm.ClassNames.ToArray());
        Assert.HasCount(8, lstm.TrainingHistory);
    }

    [TestMethod]
    public void DefaultEstimator_InfersBinaryFromABooleanLabel_AndMulticlassFromAKey()
    {
        var ml = new MLContext(seed: 1);
        var binaryModel = new LstmEstimator(ml, FastOptions.Create()).Fit(ml.Data.LoadFromEnumerable(SentimentData.Take(200)));
        Assert.AreEqual(LstmTask.BinaryClassification, ((LstmTextClassificationTransformer)binaryModel).Task);

        var multiclass = ml.Transforms.Conversion.MapValueToKey("Label").Append(new LstmEstimator(ml, FastOptions.Create()))
            .Fit(ml.Data.LoadFromEnumerable(SentimentData.Topics(200)));
        Assert.AreEqual(LstmTask.MulticlassClassification, multiclass.OfType<LstmTextClassificationTransformer>().Single().Task);
    }

    [TestMethod]
    public void ParameterlessEstimator_TrainsWithItsDefaults_AndEvaluates()
    {
        var ml = new MLContext(seed: 1);
        var model = new LstmEstimator().Fit(ml.Data.LoadFromEnumerable(SentimentData.Take(300)));
        var lstm = (LstmTextClassificationTransformer)model;
        // The defaults' automatic capacity, resolved for 270 training rows and 2 classes: the small network.
        Assert.AreEqual(0, new LstmOptions().HiddenSize);
        Assert.AreEqual(LstmOptions.SmallCapacity, lstm.Options.HiddenSize);
        Assert.AreEqual(LstmOptions.SmallCapacity, lstm.Options.EmbeddingSize);
        Assert.IsNotEmpty(lstm.TrainingHistory);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(SentimentData.Take(300))));
        Assert.IsGreaterThan(0.6, metrics.Accuracy, $"Training accuracy {metrics.Accuracy:F3} shows no learning.");
    }

    [TestMethod]
    public void BinaryCatalog_SimpleOverload_WorksWithCrossValidate()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SentimentData.Take(300));
        var results = ml.BinaryClassification.CrossValidateNonCalibrated(data,
            ml.BinaryClassification.Trainers.LstmText(labelColumnName: "Label", textColumnName: "Text", maxEpochs: 1), numberOfFolds: 2);
        Assert.HasCount(2, results);
        foreach (var fold in results)
            Assert.IsTrue(fold.Metrics.AreaUnderRocCurve is > 0 and <= 1, $"AUC {fold.Metrics.AreaUnderRocCurve}");
    }

    [TestMethod]
    public void KeyTypedTokens_FromTokenizeIntoWordsAndMapValueToKey_Train()
    {
        var ml = new MLContext(seed: 1);
        var options = FastOptions.Create(epochs: 8);
        options.FeatureColumnName = "Tokens";
        var pipeline = ml.Transforms.Text.NormalizeText("Normalized", "Text")
            .Append(ml.Transforms.Text.TokenizeIntoWords("Words", "Normalized"))
            .Append(ml.Transforms.Conversion.MapValueToKey("Tokens", "Words"))
            .Append(ml.BinaryClassification.Trainers.LstmText(options));
        var data = ml.Data.LoadFromEnumerable(SentimentData.Take(400));
        var model = pipeline.Fit(data);
        var lstm = (LstmTextClassificationTransformer)model.LastTransformer;
        Assert.IsNull(lstm.Tokenizer, "Key-typed input needs no tokenizer.");
        Assert.AreEqual("Tokens", lstm.InputColumnName);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(data));
        Assert.IsGreaterThan(0.6, metrics.Accuracy, $"Training accuracy {metrics.Accuracy:F3} shows no learning.");
    }

    public sealed class TextOnly { public string Text { get; set; } = ""; }

    public sealed class TiktokenTokens
    {
        // cl100k_base has 100,256 ordinary tokens (+ a few special ones): keys 1…100,300, key = token id + 1.
        [KeyType(100_300), VectorType]
        public uint[] Tokens { get; set; } = [];
    }

    [TestMethod]
    public void TiktokenTokens_ThroughCustomMapping_Train()
    {
        var tokenizer = TiktokenTokenizer.CreateForEncoding("cl100k_base");
        var ml = new MLContext(seed: 1);
        var options = FastOptions.Create(epochs: 8);
        options.FeatureColumnName = "Tokens";
        options.EmbeddingSize = 8;
        var pipeline = ml.Transforms.CustomMapping<TextOnly, TiktokenTokens>(
                (input, output) => output.Tokens = tokenizer.EncodeToIds(input.Text).Select(id => (uint)id + 1).ToArray(), contractName: null)
            .Append(ml.BinaryClassification.Trainers.LstmText(options));
        var data = ml.Data.LoadFromEnumerable(SentimentData.Take(300));
        var model = pipeline.Fit(data);
        Assert.AreEqual(100_300 + 2, ((LstmTextClassificationTransformer)model.LastTransformer).VocabularySize);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(data));
        Assert.IsGreaterThan(0.6, metrics.Accuracy, $"Training accuracy {metrics.Accuracy:F3} shows no learning.");
    }

    [TestMethod]
    public void ConcurrentPredictionEngines_GiveTheAnswersOfTransform()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.BinaryClassification.Trainers.LstmText(FastOptions.Create()).Fit(ml.Data.LoadFromEnumerable(SentimentData.Take(200)));
        var texts = SentimentData.Take(60, skip: 1000).Select(r => r.Text).Append("").Append("  ").ToArray();
        var expected = ml.Data.CreateEnumerable<BinaryPrediction>(model.Transform(ml.Data.LoadFromEnumerable(texts.Select(t => new SentimentRow { Text = t }))), false)
            .Select(p => p.Score).ToArray();

        var failures = new ConcurrentQueue<string>();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            using var engine = ml.Model.CreatePredictionEngine<SentimentRow, BinaryPrediction>(model);
            for (int round = 0; round < 3; round++)
                for (int i = 0; i < texts.Length; i++)
                {
                    int k = (i + worker * 7) % texts.Length;
                    float score = engine.Predict(new SentimentRow { Text = texts[k] }).Score;
                    if (BitConverter.SingleToInt32Bits(score) != BitConverter.SingleToInt32Bits(expected[k]))
                        failures.Enqueue($"worker {worker}, text {k}: {score} vs {expected[k]}");
                }
        });
        Assert.IsEmpty(failures, string.Join("; ", failures.Take(5)));
    }

    /// <summary>SchemaShape.Create is internal to ML.NET; pipelines call it for us, the test reaches it by reflection.</summary>
    private static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static, [typeof(DataViewSchema)])!
            .Invoke(null, [schema])!;

    private static SchemaShape.Column Find(SchemaShape shape, string name) => shape.Single(c => c.Name == name);

    [TestMethod]
    public void GetOutputSchema_DescribesTheOutputsLikeAnMLNetTrainer()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SentimentData.Take(10));
        var shape = ml.BinaryClassification.Trainers.LstmText().GetOutputSchema(ShapeOf(data.Schema));
        Assert.AreEqual(NumberDataViewType.Single, Find(shape, "Score").ItemType);
        Assert.AreEqual(NumberDataViewType.Single, Find(shape, "Probability").ItemType);
        Assert.AreEqual(BooleanDataViewType.Instance, Find(shape, "PredictedLabel").ItemType);

        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(SentimentData.Topics(30)));
        var multiclass = new LstmEstimator(ml).GetOutputSchema(ShapeOf(keyed.GetOutputSchema(ml.Data.LoadFromEnumerable(SentimentData.Topics(30)).Schema)));
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, Find(multiclass, "Score").Kind);
        var key = Find(multiclass, "PredictedLabel");
        Assert.IsTrue(key.IsKey);
        Assert.IsTrue(key.Annotations.Any(a => a.Name == "KeyValues"), "PredictedLabel must carry the label's key values for MapKeyToValue.");
    }
}
