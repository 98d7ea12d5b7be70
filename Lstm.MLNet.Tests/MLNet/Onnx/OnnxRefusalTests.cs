using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet.Onnx;

/// <summary>Where the export cannot give an exact graph, ConvertToOnnx fails naming why instead of writing a different one.</summary>
[TestClass]
public sealed class OnnxRefusalTests
{
    [TestMethod]
    public void AnOpsetBelowWhatTheGraphNeeds_IsRefusedNamingTheModelAndTheMinimum()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(SentimentData.Take(100));
        var model = ml.BinaryClassification.Trainers.LstmText(FastOptions.Create(epochs: 1)).Fit(data);
        using var stream = new MemoryStream();
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Model.ConvertToOnnx(model, data, 10, stream));
        StringAssert.Contains(error.Message, "LSTM Text Classifier");
        StringAssert.Contains(error.Message, "11");
    }

    [TestMethod]
    public void Gaps_AreListedInTheExceptionNamingTheModel()
    {
        var error = Assert.ThrowsExactly<NotSupportedException>(() => OnnxExportSupport.Require(["a reason", "another"], "LSTM text classifier"));
        Assert.AreEqual("This LSTM text classifier cannot be exported to ONNX exactly: a reason; another.", error.Message);
        Assert.IsTrue(OnnxExportSupport.Require([], "LSTM text classifier"));
    }
}
