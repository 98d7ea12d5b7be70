using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet.Text;

/// <summary>Automatic EmbeddingSize/HiddenSize (0) of the text classifier: resolved from the data at Fit, explicit values win.</summary>
[TestClass]
public sealed class AdaptiveCapacityTests
{
    [TestMethod]
    public void TextClassifierOptions_DefaultToAutomaticCapacity_ResolvedByRowsAndClasses()
    {
        var options = new LstmTextClassifierOptions();
        Assert.AreEqual(0, options.EmbeddingSize);
        Assert.AreEqual(0, options.HiddenSize);
        options.Validate();

        var small = options.WithCapacityFor(trainingRows: 1_999, classes: 2);
        Assert.AreEqual((64, 64), (small.EmbeddingSize, small.HiddenSize));
        var manyRows = options.WithCapacityFor(trainingRows: 2_000, classes: 2);
        Assert.AreEqual((128, 128), (manyRows.EmbeddingSize, manyRows.HiddenSize));
        var manyClasses = options.WithCapacityFor(trainingRows: 500, classes: 20);
        Assert.AreEqual((128, 128), (manyClasses.EmbeddingSize, manyClasses.HiddenSize));

        options.HiddenSize = 32;
        var mixed = options.WithCapacityFor(trainingRows: 5_000, classes: 2);
        Assert.AreEqual((128, 32), (mixed.EmbeddingSize, mixed.HiddenSize));
        Assert.AreEqual(0, options.EmbeddingSize, "Resolving works on a copy.");
    }

    [TestMethod]
    public void TrainedModel_ShowsTheResolvedCapacity()
    {
        var ml = new MLContext(seed: 1);
        var options = FastOptions.Create(epochs: 1);
        options.EmbeddingSize = 0;
        var model = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(options).Fit(ml.Data.LoadFromEnumerable(SentimentData.Take(100)));
        Assert.AreEqual(64, model.Options.EmbeddingSize, "100 rows, 2 classes: the small network.");
        Assert.AreEqual(16, model.Options.HiddenSize, "The explicit hidden size is kept.");
    }
}
