using Lstm.MLNet.Tests.TestSupport;
using Lstm.MLNet.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.Text;

/// <summary>
/// <c>LstmTextClassificationTransformer.Explain</c>: per-token integrated-gradients attributions on real sentiment data,
/// the scores they explain are the pipeline's, and they sum to the score's change from the baseline.
/// </summary>
[TestClass]
public sealed class ExplanationTests
{
    /// <summary>A sentiment model on all 3,000 UCI sentences (wide path and calibration on, as by default), trained once.</summary>
    private static readonly Lazy<LstmTextClassificationTransformer> Sentiment = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var options = FastOptions.Create(epochs: 4);
        options.MinTokenFrequency = 2;
        return (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(options).Fit(ml.Data.LoadFromEnumerable(SentimentData.Rows));
    });

    [TestMethod]
    [DataRow("great movie", "great", true)]
    [DataRow("a terrible movie", "terrible", false)]
    [DataRow("The food was excellent .", "excellent", true)]
    [DataRow("the phone is bad", "bad", false)]
    public void TheSentimentWordCarriesTheScore(string text, string word, bool positive)
    {
        var explanation = Sentiment.Value.Explain(text);
        string report = string.Join(" ", explanation.Tokens.Select(t => $"{t.Text}:{t.Attribution:+0.000;-0.000}"));
        var strongest = positive ? explanation.Tokens.MaxBy(t => t.Attribution)! : explanation.Tokens.MinBy(t => t.Attribution)!;
        Assert.AreEqual(word, strongest.Text, $"the most {(positive ? "positive" : "negative")} token; {report}");
        Assert.AreEqual(positive, explanation.InputScore > 0, $"the model's verdict on '{text}': {explanation.InputScore}");
    }

    [TestMethod]
    public void TheExplainedScoreIsThePipelinesScoreAndTheAttributionsSumToItsChange()
    {
        var model = Sentiment.Value;
        var ml = new MLContext(seed: 1);
        var engine = ml.Model.CreatePredictionEngine<SentimentRow, BinaryPrediction>(model);
        foreach (var row in SentimentData.Take(12, skip: 100))
        {
            var explanation = model.Explain(row.Text);
            Assert.AreEqual(engine.Predict(row).Score, explanation.InputScore, 1e-4, row.Text);
            float change = explanation.InputScore - explanation.BaselineScore;
            Assert.AreEqual(change, explanation.Tokens.Sum(t => t.Attribution) + explanation.ConvergenceDelta, 1e-4);
            // Max pooling (the default) makes the path piecewise smooth: the default 50 steps leave a few percent at most.
            Assert.IsTrue(Math.Abs(explanation.ConvergenceDelta) < 0.05 * Math.Abs(change) + 0.01,
                $"gap {explanation.ConvergenceDelta} for a change of {change}: {row.Text}");
            Assert.AreEqual(1, explanation.ClassIndex);
            Assert.AreEqual("True", explanation.ClassName);
            Assert.AreEqual(50, explanation.Steps);
        }
    }

    [TestMethod]
    public void MoreStepsCloseTheGap()
    {
        string text = SentimentData.Rows[2900].Text;
        var coarse = Sentiment.Value.Explain(text, steps: 4);
        var fine = Sentiment.Value.Explain(text, steps: 400);
        Assert.IsTrue(Math.Abs(fine.ConvergenceDelta) < Math.Abs(coarse.ConvergenceDelta),
            $"gap {coarse.ConvergenceDelta} at 4 steps, {fine.ConvergenceDelta} at 400: {text}");
        Assert.IsTrue(Math.Abs(fine.ConvergenceDelta) < 0.01 * Math.Abs(fine.InputScore - fine.BaselineScore) + 1e-3);
    }

    [TestMethod]
    public void ClassZeroOfABinaryModelIsTheNegatedMargin()
    {
        var forTrue = Sentiment.Value.Explain("not a good phone at all");
        var forFalse = Sentiment.Value.Explain("not a good phone at all", classIndex: 0);
        Assert.AreEqual("False", forFalse.ClassName);
        Assert.AreEqual(-forTrue.InputScore, forFalse.InputScore, 1e-5);
        Assert.AreEqual(-forTrue.BaselineScore, forFalse.BaselineScore, 1e-5);
        for (int t = 0; t < forTrue.Tokens.Count; t++)
            Assert.AreEqual(-forTrue.Tokens[t].Attribution, forFalse.Tokens[t].Attribution, 1e-5);
    }

    [TestMethod]
    public void TokensKeepTheTextsCaseAndPlaceAndSayWhenTheyWereUnknown()
    {
        const string Text = "Great  movie, zzqxv!";
        var tokens = Sentiment.Value.Explain(Text, steps: 8).Tokens;
        CollectionAssert.AreEqual(new[] { "Great", "movie", ",", "zzqxv", "!" }, tokens.Select(t => t.Text).ToArray());
        foreach (var token in tokens) Assert.AreEqual(token.Text, Text.Substring(token.Offset, token.Text.Length));
        CollectionAssert.AreEqual(new[] { true, true, true, false, true }, tokens.Select(t => t.InVocabulary).ToArray());
    }

    [TestMethod]
    public void AnEmptyTextHasNothingToAttribute()
    {
        var model = Sentiment.Value;
        var engine = new MLContext().Model.CreatePredictionEngine<SentimentRow, BinaryPrediction>(model);
        foreach (string? text in new[] { "", "   ", null })
        {
            var explanation = model.Explain(text);
            Assert.AreEqual(0, explanation.Tokens.Count);
            Assert.AreEqual(explanation.InputScore, explanation.BaselineScore);
            Assert.AreEqual(0f, explanation.ConvergenceDelta);
            Assert.AreEqual(engine.Predict(new SentimentRow { Text = text ?? "" }).Score, explanation.InputScore, 1e-5);
        }
    }

    [TestMethod]
    public void OnlyTheTokensTheModelReadsAreExplained()
    {
        var ml = new MLContext(seed: 1);
        var options = FastOptions.Create(epochs: 1);
        options.MaxSequenceLength = 4;
        var model = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(options).Fit(ml.Data.LoadFromEnumerable(SentimentData.Take(100)));
        var explanation = model.Explain("one two three four five six", steps: 8);
        CollectionAssert.AreEqual(new[] { "one", "two", "three", "four" }, explanation.Tokens.Select(t => t.Text).ToArray());
        var engine = ml.Model.CreatePredictionEngine<SentimentRow, BinaryPrediction>(model);
        Assert.AreEqual(engine.Predict(new SentimentRow { Text = "one two three four five six" }).Score, explanation.InputScore, 1e-4);
    }

    [TestMethod]
    public void MulticlassExplainsThePredictedClassByDefaultAndItsLogitsGiveThePipelinesProbabilities()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SentimentData.Topics(300));
        var options = FastOptions.Create(epochs: 2);
        options.Pooling = LstmPooling.Mean;
        var chain = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.LstmText(options)).Fit(data);
        var model = (LstmTextClassificationTransformer)chain.LastTransformer;
        Assert.AreEqual(3, model.NumberOfClasses);

        var scored = chain.Transform(ml.Data.LoadFromEnumerable(SentimentData.Topics(310).Skip(300)));
        var texts = scored.GetColumn<string>("Text").ToArray();
        var probabilities = scored.GetColumn<float[]>("Score").ToArray();
        var predicted = scored.GetColumn<uint>("PredictedLabel").ToArray();
        for (int i = 0; i < texts.Length; i++)
        {
            var byDefault = model.Explain(texts[i], steps: 32);
            Assert.AreEqual((int)predicted[i] - 1, byDefault.ClassIndex);
            Assert.AreEqual(model.ClassNames[byDefault.ClassIndex], byDefault.ClassName);
            // InputScore per class is z_c / T: its softmax is the pipeline's Score.
            var logits = Enumerable.Range(0, 3).Select(c => model.Explain(texts[i], c, steps: 32)).ToArray();
            double normaliser = logits.Sum(e => Math.Exp(e.InputScore));
            for (int c = 0; c < 3; c++) Assert.AreEqual(probabilities[i][c], Math.Exp(logits[c].InputScore) / normaliser, 1e-5);
            foreach (var explanation in logits)
            {
                float change = explanation.InputScore - explanation.BaselineScore;
                Assert.IsTrue(Math.Abs(explanation.ConvergenceDelta) < 1e-3 * Math.Max(1, Math.Abs(change)), $"gap {explanation.ConvergenceDelta} for {change}");
            }
        }
    }

    [TestMethod]
    public void ASavedAndLoadedModelExplainsTheSame()
    {
        var model = Sentiment.Value;
        var stream = new MemoryStream();
        new MLContext().Model.Save(model, null, stream);
        var loaded = (LstmTextClassificationTransformer)new MLContext().Model.Load(new MemoryStream(stream.ToArray()), out _);
        const string Text = "I would not recommend this to anyone.";
        var before = model.Explain(Text);
        var after = loaded.Explain(Text);
        CollectionAssert.AreEqual(before.Tokens.Select(t => t.Attribution).ToArray(), after.Tokens.Select(t => t.Attribution).ToArray());
        Assert.AreEqual(before.BaselineScore, after.BaselineScore);
    }

    [TestMethod]
    public void ConcurrentCallsGiveWhatOneCallGives()
    {
        var model = Sentiment.Value;
        string[] texts = SentimentData.Take(8, skip: 40).Select(r => r.Text).ToArray();
        var alone = texts.Select(t => model.Explain(t, steps: 16).Tokens.Select(a => a.Attribution).ToArray()).ToArray();
        var together = new float[texts.Length][];
        Parallel.For(0, texts.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            i => together[i % texts.Length] = model.Explain(texts[i % texts.Length], steps: 16).Tokens.Select(a => a.Attribution).ToArray());
        for (int i = 0; i < texts.Length; i++) CollectionAssert.AreEqual(alone[i], together[i], texts[i]);
    }

    [TestMethod]
    public void BadArgumentsNameWhatIsWrong()
    {
        var model = Sentiment.Value;
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Explain("fine", classIndex: 2));
        Assert.AreEqual("classIndex", e.ParamName);
        StringAssert.Contains(e.Message, "0 = False, 1 = True");
        Assert.AreEqual("steps", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Explain("fine", steps: 0)).ParamName);
        Assert.AreEqual("steps", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Explain("fine", steps: 1025)).ParamName);

        var ml = new MLContext(seed: 1);
        var tokens = ml.Transforms.Text.TokenizeIntoWords("Tokens", "Text").Append(ml.Transforms.Conversion.MapValueToKey("Tokens"))
            .Append(new LstmEstimator(ml, new LstmOptions { FeatureColumnName = "Tokens", HiddenSize = 8, EmbeddingSize = 8, MaxEpochs = 1, NumberOfThreads = 1 }))
            .Fit(ml.Data.LoadFromEnumerable(SentimentData.Take(60)));
        var keyModel = (LstmTextClassificationTransformer)tokens.LastTransformer;
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => keyModel.Explain("fine")).Message, "'Tokens'");
    }
}
