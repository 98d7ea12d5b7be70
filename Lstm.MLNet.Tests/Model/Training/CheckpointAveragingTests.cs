using Lstm.MLNet.Model.Training;

namespace Lstm.MLNet.Tests.Model.Training;

/// <summary>AverageBestEpochs: the mean of the best epochs' weights is kept only when it validates lower than the best epoch.</summary>
[TestClass]
public sealed class CheckpointAveragingTests
{
    /// <summary>One weight w, set by each epoch's training to a scripted value; the validation loss is w².</summary>
    private sealed class ScriptedTrainable(double[] weightAfterEpoch) : ISequenceTrainable<int, int>
    {
        private int _batches;
        public float Weight { get; private set; } = 100;
        public int LengthOf(int sequence) => 1;
        public float TrainBatch(ReadOnlySpan<int> sequences, ReadOnlySpan<int> targets) { Weight = (float)weightAfterEpoch[_batches++]; return 1f; }
        public SequenceEvaluation Evaluate(ReadOnlySpan<int> sequences, ReadOnlySpan<int> targets) => new((double)Weight * Weight * sequences.Length, double.NaN);
        public float[][] CaptureParameters() => [[Weight]];
        public void RestoreParameters(IReadOnlyList<float[]> snapshot) => Weight = snapshot[0][0];
    }

    private static readonly int[] Rows = Enumerable.Range(0, 4).ToArray();

    private static (ScriptedTrainable Model, SequenceTrainingResult Result) Train(double[] weights, int average, bool validate = true)
    {
        var model = new ScriptedTrainable(weights);
        var options = new SequenceTrainingOptions { BatchSize = Rows.Length, MaxEpochs = weights.Length, EarlyStoppingPatience = 0, AverageBestEpochs = average };
        var result = validate ? SequenceTrainer.Train(model, Rows, Rows, Rows, Rows, options) : SequenceTrainer.Train(model, Rows, Rows, null, null, options);
        return (model, result);
    }

    [TestMethod]
    public void AnAverageThatValidatesLower_IsKept_AndNamesItsEpochs()
    {
        // Epoch losses 1, 1, 4, 9: the two lowest are epochs 1 and 2 (w = 1 and −1), whose mean w = 0 validates at 0.
        var (model, result) = Train([1, -1, 2, 3], average: 2);
        Assert.AreEqual(0f, model.Weight);
        CollectionAssert.AreEqual(new[] { 1, 2 }, result.AveragedEpochs.ToArray());
        Assert.AreEqual(1, result.BestEpoch);
    }

    [TestMethod]
    public void AnAverageThatValidatesHigher_LeavesTheBestEpoch()
    {
        // Epoch losses 1, 9, 16: epochs 1 and 2 average to w = 2, loss 4 > 1.
        var (model, result) = Train([1, 3, 4], average: 2);
        Assert.AreEqual(1f, model.Weight);
        Assert.AreEqual(0, result.AveragedEpochs.Count);
        Assert.AreEqual(1, result.BestEpoch);
    }

    [TestMethod]
    public void WithoutValidationOrAtOne_NothingIsAveraged()
    {
        var (model, result) = Train([1, -1, 2], average: 2, validate: false);
        Assert.AreEqual(0, result.AveragedEpochs.Count);
        Assert.AreEqual(1f, model.Weight, "training losses are equal (1): the first epoch stays the best");
        (model, result) = Train([1, -1, 2], average: 1);
        Assert.AreEqual(0, result.AveragedEpochs.Count);
        Assert.AreEqual(1f, model.Weight);
    }

    [TestMethod]
    public void OutOfRange_IsRejectedByName()
    {
        foreach (int count in new[] { 0, -1, SequenceTrainingOptions.MaxAveragedEpochs + 1 })
            Assert.AreEqual(nameof(LstmTrainingOptions.AverageBestEpochs),
                Assert.Throws<ArgumentOutOfRangeException>(new LstmTextClassifierOptions { AverageBestEpochs = count }.Validate).ParamName);
    }
}
