using Lstm.MLNet.Tests.TestSupport;

namespace Lstm.MLNet.Tests.MLNet;

/// <summary>
/// Issue 10's option failures through the public API, each with its own test: sizes that wrapped in int (and once wrote
/// past buffers), non-finite rates, absurd batch sizes and forecaster windows. They run in a child process
/// (<see cref="IsolatedCases"/>): if a check regressed and unsafe code ran, the child dies and the test fails, the host lives.
/// </summary>
[TestClass]
public sealed class AdversarialOptionsTests
{
    private static IReadOnlyDictionary<string, string[]> _results = new Dictionary<string, string[]>();

    [ClassInitialize]
    public static void RunCases(TestContext _) => _results = IsolatedCases.RunInChildProcess();

    /// <summary>The case threw <see cref="ArgumentOutOfRangeException"/> naming <paramref name="option"/> (and the message says why).</summary>
    private static void AssertRejected(string name, string option, string messagePart)
    {
        var result = _results[name];
        Assert.AreEqual("ArgumentOutOfRangeException", result[0], $"{name}: {string.Join(" | ", result)}");
        Assert.AreEqual(option, result[1], $"{name}: {string.Join(" | ", result)}");
        StringAssert.Contains(result[2], messagePart, $"{name}: {string.Join(" | ", result)}");
    }

    [TestMethod] public void HiddenSizeThatWraps4HH_IsRejectedByName() => AssertRejected("hidden-size-wraps-4HH", "HiddenSize", "4,096");
    [TestMethod] public void HiddenSizeWhose4HHExceedsInt_IsRejectedByName() => AssertRejected("hidden-size-4HH-over-int", "HiddenSize", "4,096");
    [TestMethod] public void HiddenSize2Pow29_IsRejectedByName() => AssertRejected("hidden-size-2^29", "HiddenSize", "4,096");
    [TestMethod] public void HiddenSizeMaxInt_IsRejectedByName() => AssertRejected("hidden-size-max-int", "HiddenSize", "4,096");
    [TestMethod] public void EmbeddingSizeThatWraps_IsRejectedByName() => AssertRejected("embedding-size-wraps", "EmbeddingSize", "4,096");
    [TestMethod] public void NumberOfLayersMaxInt_IsRejectedByName() => AssertRejected("layers-max-int", "NumberOfLayers", "16");
    [TestMethod] public void NetworkBeyondTheMemoryBudget_IsRejectedNamingHiddenSize() => AssertRejected("budget-too-large", "HiddenSize", "parameters need");
    [TestMethod] public void InfiniteLearningRate_IsRejectedByName() => AssertRejected("learning-rate-infinite", "LearningRate", "finite");
    [TestMethod] public void InfiniteWeightDecay_IsRejectedByName() => AssertRejected("weight-decay-infinite", "WeightDecay", "finite");
    [TestMethod] public void ForecastWindowSizeMaxInt_IsRejectedByName() => AssertRejected("forecast-window-max-int", "WindowSize", "100,000");
    [TestMethod] public void ForecastHorizonMaxInt_IsRejectedByName() => AssertRejected("forecast-horizon-max-int", "Horizon", "65,536");

    [TestMethod]
    public void BatchSize100MillionOn30Rows_TrainsWithoutAllocatingTheBatch()
    {
        var result = _results["batch-100M-on-30-rows"];
        Assert.AreEqual("OK", result[0], string.Join(" | ", result));
        int megabytes = int.Parse(result[1].Split(' ')[1]);
        Assert.IsLessThan(200, megabytes, $"a 30-row training allocated {megabytes} MB (a 100M batch buffer is 800 MB)");
    }

    [TestMethod]
    public void ACraftedModelWithAWrappingHiddenSize_FailsToLoadWithInvalidDataException()
    {
        // Issue 10: such a 14.6 KB file loaded and then killed the process on the first prediction.
        var result = _results["crafted-model-hidden-size"];
        Assert.AreNotEqual("OK", result[0], string.Join(" | ", result));
        Assert.AreEqual("HiddenSize", result[1], string.Join(" | ", result));
        Assert.IsTrue(result[0] is "InvalidDataException" or "TargetInvocationException" or "InvalidOperationException", string.Join(" | ", result));
    }

    [TestMethod]
    public void BatchSizeMaxIntOn30Rows_Trains() => Assert.AreEqual("OK", _results["batch-max-int-on-30-rows"][0], string.Join(" | ", _results["batch-max-int-on-30-rows"]));
}
