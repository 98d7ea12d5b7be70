using Lstm.MLNet.Model;

namespace Lstm.MLNet.Tests.Model;

/// <summary>
/// The network options' bounds, which training and a saved model's loader share: a cap per size option, finite rates,
/// and a parameter budget, each failure naming the option.
/// </summary>
[TestClass]
public sealed class OptionBoundsTests
{
    private static string Rejected(Action validate)
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(validate);
        return e.ParamName!;
    }

    [TestMethod]
    public void SizeOptionsAboveTheirCaps_AreRejectedByName()
    {
        Assert.AreEqual("HiddenSize", Rejected(() => new SequenceClassifierOptions { HiddenSize = ModelLimits.MaxHiddenSize + 1 }.Validate()));
        Assert.AreEqual("HiddenSize", Rejected(() => new SequenceRegressorOptions { HiddenSize = (1 << 30) + 16 }.Validate()));
        Assert.AreEqual("EmbeddingSize", Rejected(() => new SequenceClassifierOptions { EmbeddingSize = (1 << 30) + 16 }.Validate()));
        Assert.AreEqual("NumberOfLayers", Rejected(() => new SequenceClassifierOptions { NumberOfLayers = ModelLimits.MaxLayers + 1 }.Validate()));
        Assert.AreEqual("Outputs", Rejected(() => new SequenceRegressorOptions { Outputs = int.MaxValue }.Validate()));
        new SequenceClassifierOptions { HiddenSize = 512, EmbeddingSize = 300, NumberOfLayers = 2 }.Validate();
    }

    [TestMethod]
    [DataRow(double.PositiveInfinity)]
    [DataRow(double.NegativeInfinity)]
    [DataRow(double.NaN)]
    [DataRow(0.0)]
    [DataRow(1e6)]
    public void LearningRateThatIsNotFiniteOrOutOfRange_IsRejectedByName(double rate) =>
        Assert.AreEqual("LearningRate", Rejected(() => new SequenceClassifierOptions { LearningRate = rate }.Validate()));

    [TestMethod]
    [DataRow(double.PositiveInfinity)]
    [DataRow(double.NaN)]
    [DataRow(-1e-3)]
    public void WeightDecayThatIsNotFiniteOrNegative_IsRejectedByName(double decay) =>
        Assert.AreEqual("WeightDecay", Rejected(() => new SequenceRegressorOptions { WeightDecay = decay }.Validate()));

    [TestMethod]
    public void OtherNonFiniteRates_AreRejectedByName()
    {
        Assert.AreEqual("GradientClipNorm", Rejected(() => new SequenceClassifierOptions { GradientClipNorm = float.PositiveInfinity }.Validate()));
        Assert.AreEqual("Momentum", Rejected(() => new SequenceClassifierOptions { Momentum = double.NaN }.Validate()));
        Assert.AreEqual("Dropout", Rejected(() => new SequenceClassifierOptions { Dropout = float.NaN }.Validate()));
    }

    [TestMethod]
    public void ANetworkBeyondTheMemoryBudget_IsRejectedBeforeAllocating_NamingHiddenSize()
    {
        var options = new SequenceClassifierOptions { HiddenSize = 4096, EmbeddingSize = 4096, NumberOfLayers = 16, Bidirectional = true };
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(options.Validate);
        Assert.AreEqual("HiddenSize", e.ParamName);
        StringAssert.Contains(e.Message, "parameters need");
        Assert.IsGreaterThan(ModelLimits.AvailableBytes, ModelLimits.ParameterCount(options, 4096, 2) * ModelLimits.TrainingFloatsPerParameter * sizeof(float));
    }

    [TestMethod]
    public void ANetworkWhoseEmbeddingTableCannotBeOneArray_IsRejectedBeforeAllocating()
    {
        // V × E = 2^21 × 2^10 = 2^31 values: valid options, but the real vocabulary makes the table too large.
        var options = new SequenceClassifierOptions { EmbeddingSize = 1024, HiddenSize = 8 };
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SequenceClassifierNetwork(1 << 21, 2, options));
        Assert.AreEqual("HiddenSize", e.ParamName);
        StringAssert.Contains(e.Message, "one tensor");
        Assert.IsLessThan(1L << 20, GC.GetAllocatedBytesForCurrentThread() - before, "nothing large was allocated");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SequenceClassifierNetwork(10, int.MaxValue, options));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SequenceRegressorNetwork(int.MaxValue, new SequenceRegressorOptions()));
    }

    [TestMethod]
    public void ParameterCount_MatchesTheNetworksTensors()
    {
        var options = new SequenceRegressorOptions { HiddenSize = 7, NumberOfLayers = 2, Bidirectional = true, Outputs = 3 };
        var network = new SequenceRegressorNetwork(5, options);
        long actual = network.NamedParameters().Sum(t => (long)t.Values.Length);
        Assert.AreEqual(ModelLimits.ParameterCount(options, 5, 3), actual);
    }
}
