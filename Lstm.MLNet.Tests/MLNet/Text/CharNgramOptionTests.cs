using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.Text;

/// <summary>CharNgramLength: the wide path's sub-word bag as an option of the text classifier (default, off, validation, persistence).</summary>
[TestClass]
public sealed class CharNgramOptionTests
{
    private static float[] Scores(MLContext ml, ITransformer model) =>
        model.Transform(ml.Data.LoadFromEnumerable(SentimentData.Take(30, skip: 400))).GetColumn<float>("Score").ToArray();

    [TestMethod]
    public void Default_TrainsCharacterNgrams_ThatSurviveSaveAndLoad_AndZeroTurnsThemOff()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SentimentData.Take(120));
        var options = FastOptions.Create(epochs: 1);
        Assert.AreEqual(4, options.CharNgramLength);
        var model = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(options).Fit(data);
        Assert.AreEqual(4, model.Options.CharNgramLength);

        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        var loaded = (LstmTextClassificationTransformer)new MLContext().Model.Load(new MemoryStream(stream.ToArray()), out _);
        Assert.AreEqual(4, loaded.Options.CharNgramLength);
        CollectionAssert.AreEqual(Scores(ml, model), Scores(ml, loaded));
        CollectionAssert.AreEqual(model.PredictProbabilities("a gorgeously unseen word"), loaded.PredictProbabilities("a gorgeously unseen word"));

        options.CharNgramLength = 0;
        var wordsOnly = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(options).Fit(data);
        Assert.AreEqual(0, wordsOnly.Options.CharNgramLength);
        CollectionAssert.AreNotEqual(Scores(ml, model), Scores(ml, wordsOnly));
    }

    [TestMethod]
    public void WithoutAWidePath_TheModelShowsNoCharacterNgrams()
    {
        var ml = new MLContext(seed: 1);
        var options = FastOptions.Create(epochs: 1);
        options.NgramLength = 0;
        var model = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(options).Fit(ml.Data.LoadFromEnumerable(SentimentData.Take(80)));
        Assert.AreEqual(0, model.Options.CharNgramLength);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(6)]
    [DataRow(-1)]
    public void OutOfRangeLengths_AreRejectedByName(int length)
    {
        var options = new LstmTextClassifierOptions { CharNgramLength = length };
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(options.Validate);
        Assert.AreEqual(nameof(LstmOptions.CharNgramLength), e.ParamName);
    }
}
