using Lstm.MLNet.Tests.TestSupport;
using Lstm.MLNet.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.Onnx;

/// <summary>The text classifier through <c>ml.Model.ConvertToOnnx</c> and back through ONNX Runtime: the same scores within 1e-5.</summary>
[TestClass]
public sealed class TextClassifierOnnxTests
{
    /// <summary>Real sentences of varied lengths, plus the edge cases the tokenizer graph must read as the library does.</summary>
    private static SentimentRow[] ScoringRows()
    {
        var rows = SentimentData.Take(40, skip: 2000).ToList();
        rows.AddRange(new[] { "", "   ", "GREAT!!! Loved it, truly... 10/10", "Unknown-words: zyxxy qwertz ", "a", "It's not bad -- it's TERRIBLE?!" }
            .Select(text => new SentimentRow { Text = text }));
        rows.Add(new SentimentRow { Text = string.Join(" ", SentimentData.Take(8, skip: 2100).Select(r => r.Text)) });   // far past the length cap
        return rows.ToArray();
    }

    [TestMethod]
    public void Binary_DefaultOptions_OnnxRuntimeGivesTheLibrarysScores()
    {
        var ml = new MLContext(1);
        var options = FastOptions.Create(epochs: 1);
        options.MaxSequenceLength = 24;
        // Non-ASCII words in the vocabulary, so the graph's lower-casing of "CAFÉ" must find "café" as the library does.
        SentimentRow[] accented = [new() { Text = "The café was great, über good!", Label = true }, new() { Text = "Naïve ærø service; bad.", Label = false }];
        var train = SentimentData.Take(300).Concat(accented).Concat(accented);
        var model = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(options).Fit(ml.Data.LoadFromEnumerable(train));
        Assert.IsGreaterThan(0, model.Options.NgramBuckets, "the wide path is on by default");
        Assert.AreNotEqual(WordTokenizer.UnknownId, model.Tokenizer!.IdOf("ærø"), "the accented words are in the vocabulary");

        var data = ml.Data.LoadFromEnumerable(ScoringRows().Append(new SentimentRow { Text = "CAFÉ ÜBER NAÏVE ÆRØ Café" }));
        OnnxRoundTrip.AssertBinaryColumnsEqual(ml, model, data);
        Console.WriteLine($"T = {model.Temperature}");
    }

    [TestMethod]
    public void WordsAddedFromAVectorsFile_ExportLikeTrainedOnes()
    {
        // Two words no training row has, with pretrained rows: the graph's vocabulary must hold them at the library's ids.
        string path = Path.Combine(Path.GetTempPath(), $"lstm-onnx-vectors-{Guid.NewGuid():N}.txt");
        var random = new Random(3);
        File.WriteAllLines(path, new[] { "the", "splendid", "dreadful", "good" }.Select(word =>
            word + " " + string.Join(' ', Enumerable.Range(0, 8).Select(_ => (random.NextDouble() - 0.5).ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
        try
        {
            var ml = new MLContext(1);
            var options = FastOptions.Create(epochs: 1);
            options.EmbeddingSize = 0;
            options.WordVectorsPath = path;
            options.WordVectorsExtraWords = 10;
            var model = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(options).Fit(ml.Data.LoadFromEnumerable(SentimentData.Take(300)));
            Assert.IsFalse(SentimentData.Take(300).Any(r => r.Text.Contains("splendid", StringComparison.OrdinalIgnoreCase) || r.Text.Contains("dreadful", StringComparison.OrdinalIgnoreCase)));
            Assert.AreNotEqual(WordTokenizer.UnknownId, model.Tokenizer!.IdOf("splendid"));
            Assert.AreNotEqual(WordTokenizer.UnknownId, model.Tokenizer.IdOf("dreadful"));
            var data = ml.Data.LoadFromEnumerable(ScoringRows().Append(new SentimentRow { Text = "A splendid film, not a dreadful one. SPLENDID!" }));
            OnnxRoundTrip.AssertBinaryColumnsEqual(ml, model, data);
        }
        finally { File.Delete(path); }
    }

    [TestMethod]
    public void Multiclass_MeanPooling_OnnxRuntimeGivesTheLibrarysProbabilitiesAndKeys()
    {
        var ml = new MLContext(1);
        var options = FastOptions.Create(epochs: 1);
        options.Pooling = LstmPooling.Mean;
        options.NumberOfLayers = 2;
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.LstmText(options));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(SentimentData.Topics(300)));

        var rows = ScoringRows().Select(r => new TopicRow { Text = r.Text, Label = "yelp" }).ToArray();
        var columns = OnnxRoundTrip.Compare(ml, model, ml.Data.LoadFromEnumerable(rows), ["Text", "Label"], "Score", "PredictedLabel");
        Assert.HasCount(3, columns[0].Onnx[0], "three classes");
        float worst = OnnxRoundTrip.AssertEqual(columns[0], "Score");
        OnnxRoundTrip.AssertEqual(columns[1], "PredictedLabel");
        Console.WriteLine($"largest probability difference {worst:G3} over {rows.Length} rows");

        // README's pipeline ends with MapKeyToValue: the class names come out of the graph too.
        var data = ml.Data.LoadFromEnumerable(rows);
        var named = model.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(model.Transform(data)));
        string path = Path.Combine(Path.GetTempPath(), $"lstm-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var stream = File.Create(path)) ml.Model.ConvertToOnnx(named, data, stream);
            var onnx = ml.Transforms.ApplyOnnxModel(["PredictedLabel.output"], ["Text", "Label"], path).Fit(data).Transform(data);
            var expected = named.Transform(data).GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(v => v.ToString()).ToArray();
            var actual = onnx.GetColumn<VBuffer<ReadOnlyMemory<char>>>("PredictedLabel").Select(v => v.GetValues()[0].ToString()).ToArray();
            CollectionAssert.AreEqual(expected, actual);
            Assert.IsTrue(expected.All(name => name is "amazon" or "imdb" or "yelp"), string.Join(", ", expected.Distinct()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void KeyTypedTokens_ExportAsIds_AfterMLNetsOwnTokenizerAndKeyMapping()
    {
        var ml = new MLContext(1);
        var pipeline = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text")
            .Append(ml.Transforms.Conversion.MapValueToKey("Tokens"))
            .Append(new LstmEstimator(ml, new LstmOptions
            {
                FeatureColumnName = "Tokens", EmbeddingSize = 8, HiddenSize = 8, MaxEpochs = 1, NumberOfThreads = 1, MaxSequenceLength = 16,
            }));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(SentimentData.Take(300)));

        // Sentences the key mapping has seen and ones it has not (missing keys read as unknown).
        var rows = SentimentData.Take(10).Concat(SentimentData.Take(20, skip: 2000)).ToArray();
        var columns = OnnxRoundTrip.Compare(ml, model, ml.Data.LoadFromEnumerable(rows), ["Text", "Label"], "Score", "Probability");
        OnnxRoundTrip.AssertEqual(columns[0], "Score");
        OnnxRoundTrip.AssertEqual(columns[1], "Probability");
    }
}
