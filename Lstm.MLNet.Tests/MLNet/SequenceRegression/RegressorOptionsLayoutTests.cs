using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet.SequenceRegression;

/// <summary>
/// The regressor's options are their own class over the shared training options now, but a saved model keeps the
/// layout of the days when they were text options; and the front door keeps each options type to its own trainers.
/// </summary>
[TestClass]
public sealed class RegressorOptionsLayoutTests
{
    [TestMethod]
    public void WriteOptions_RegressorWritesTheLayoutOfTheTextOptionsItOnceWas()
    {
        var regressor = new LstmSequenceRegressorOptions { FeatureColumnName = "Steps", MaxSequenceLength = 12, HiddenSize = 8, Seed = 3, NumberOfThreads = 1 };
        // What the regressor's options wrote when they derived from LstmOptions (the text options at their defaults).
        var asTextOptions = new LstmOptions();
        regressor.CopyTrainingOptionsTo(asTextOptions);
        asTextOptions.FeatureColumnName = "Steps";
        asTextOptions.MaxSequenceLength = 12;
        asTextOptions.EmbeddingSize = 64; asTextOptions.MaxVocabularySize = 20_000; asTextOptions.MinTokenFrequency = 2; asTextOptions.TextColumnName = "Text";

        CollectionAssert.AreEqual(Written(asTextOptions), Written(regressor));
    }

    [TestMethod]
    public void ReadOptions_RegressorTakesItsLengthLimitAndInputAndSkipsTheTextFields()
    {
        var saved = new LstmOptions { FeatureColumnName = "Steps", MaxSequenceLength = 7, EmbeddingSize = 16, MaxVocabularySize = 99, HiddenSize = 12 };
        using var reader = new BinaryReader(new MemoryStream(Written(saved)));

        var read = LstmModelFormat.ReadOptions(reader, new LstmSequenceRegressorOptions());

        Assert.AreEqual("Steps", read.FeatureColumnName);
        Assert.AreEqual(7, read.MaxSequenceLength);
        Assert.AreEqual(12, read.HiddenSize);
        Assert.AreEqual(reader.BaseStream.Length, reader.BaseStream.Position);
    }

    [TestMethod]
    public void Estimator_RejectsForecastingOptionsNamingThem()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new LstmEstimator(new MLContext(1), new LstmForecastingOptions()));
        StringAssert.Contains(e.Message, nameof(LstmForecastingOptions));
        Assert.AreEqual("options", e.ParamName);
    }

    [TestMethod]
    public void Estimator_WithRegressorOptions_KeepsTheirTypeAndColumns()
    {
        var estimator = new LstmEstimator(new MLContext(1), new LstmSequenceRegressorOptions { FeatureColumnName = "Steps", LabelColumnName = "Next" });

        var options = Assert.IsInstanceOfType<LstmSequenceRegressorOptions>(estimator.Options);
        Assert.AreEqual("Steps", options.FeatureColumnName);
        Assert.AreEqual("Next", options.LabelColumnName);
    }

    [TestMethod]
    public void Validate_NamesTheBlankRegressorColumn()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new LstmSequenceRegressorOptions { ScoreColumnName = " " }.Validate());
        Assert.AreEqual(nameof(LstmSequenceRegressorOptions.ScoreColumnName), e.ParamName);
    }

    private static byte[] Written(LstmTrainingOptions options)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) LstmModelFormat.WriteOptions(writer, options);
        return stream.ToArray();
    }
}
