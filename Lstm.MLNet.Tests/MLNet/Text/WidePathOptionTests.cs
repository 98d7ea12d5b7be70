using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.Text;

/// <summary>The wide path (hashed n-gram linear model) as options of the text classifier: defaults, automatic size, persistence.</summary>
[TestClass]
public sealed class WidePathOptionTests
{
    [TestMethod]
    public void Defaults_TrainAWidePath_WhoseResolvedSizeIsOnTheModel_AndSurvivesSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        var options = FastOptions.Create(epochs: 1);
        Assert.AreEqual(3, options.NgramLength);
        Assert.AreEqual(0, options.NgramBuckets);
        var data = ml.Data.LoadFromEnumerable(SentimentData.Take(120));
        var model = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(options).Fit(data);
        Assert.AreEqual(3, model.Options.NgramLength);
        Assert.AreEqual(1 << 18, model.Options.NgramBuckets);

        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        var loaded = (LstmTextClassificationTransformer)new MLContext().Model.Load(new MemoryStream(stream.ToArray()), out _);
        Assert.AreEqual(3, loaded.Options.NgramLength);
        Assert.AreEqual(1 << 18, loaded.Options.NgramBuckets);
        var probe = ml.Data.LoadFromEnumerable(SentimentData.Take(30, skip: 400));
        CollectionAssert.AreEqual(model.Transform(probe).GetColumn<float>("Score").ToArray(), loaded.Transform(probe).GetColumn<float>("Score").ToArray());
    }

    [TestMethod]
    public void NgramLengthZero_TrainsWithoutAWidePath_AndExplicitBucketsWin()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SentimentData.Take(120));
        var off = FastOptions.Create(epochs: 1);
        off.NgramLength = 0;
        off.NgramBuckets = 4096; // ignored without a wide path
        var withoutWide = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(off).Fit(data);
        Assert.AreEqual(0, withoutWide.Options.NgramLength);
        Assert.AreEqual(0, withoutWide.Options.NgramBuckets);

        var explicitSize = FastOptions.Create(epochs: 1);
        explicitSize.NgramLength = 2;
        explicitSize.NgramBuckets = 4096;
        var withWide = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(explicitSize).Fit(data);
        Assert.AreEqual(2, withWide.Options.NgramLength);
        Assert.AreEqual(4096, withWide.Options.NgramBuckets);
        var probe = ml.Data.LoadFromEnumerable(SentimentData.Take(30, skip: 400));
        CollectionAssert.AreNotEqual(withoutWide.Transform(probe).GetColumn<float>("Score").ToArray(), withWide.Transform(probe).GetColumn<float>("Score").ToArray());
    }

    [TestMethod]
    public void AutomaticBuckets_AreBoundedByTheClassCount()
    {
        var options = new LstmTextClassifierOptions();
        Assert.AreEqual(1 << 18, options.ResolvedNgramBuckets(2));
        Assert.AreEqual(1 << 18, options.ResolvedNgramBuckets(16));
        Assert.AreEqual((1 << 22) / 150, options.ResolvedNgramBuckets(150));
        Assert.IsLessThanOrEqualTo(1L << 22, (long)options.ResolvedNgramBuckets(77) * 77);
        options.NgramBuckets = 1000;
        Assert.AreEqual(1000, options.ResolvedNgramBuckets(150));
        options.NgramLength = 0;
        Assert.AreEqual(0, options.ResolvedNgramBuckets(150));
    }

    [TestMethod]
    public void OutOfRangeWidePathOptions_NameTheOption()
    {
        var tooLong = new LstmTextClassifierOptions { NgramLength = 4 };
        Assert.AreEqual(nameof(LstmOptions.NgramLength), Assert.Throws<ArgumentOutOfRangeException>(tooLong.Validate).ParamName);
        var negative = new LstmTextClassifierOptions { NgramBuckets = -1 };
        Assert.AreEqual(nameof(LstmOptions.NgramBuckets), Assert.Throws<ArgumentOutOfRangeException>(negative.Validate).ParamName);
    }
}
