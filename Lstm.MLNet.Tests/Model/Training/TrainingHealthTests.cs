using Lstm.MLNet.Model.Training;

namespace Lstm.MLNet.Tests.Model.Training;

/// <summary>Training that diverges stops with an exception naming the epoch and the likely cause; batch sizes beyond the data are clamped.</summary>
[TestClass]
public sealed class TrainingHealthTests
{
    /// <summary>A trainable whose losses are scripted per epoch (the batch size it sees is recorded).</summary>
    private sealed class ScriptedTrainable(Func<int, float> trainLossOfEpoch, Func<int, double>? validationLossOfEpoch = null) : ISequenceTrainable<int, int>
    {
        private int _epoch = 1, _batches;
        public int BatchesPerEpoch { get; init; } = 1;
        public int LargestBatch { get; private set; }
        public int LengthOf(int sequence) => 1;
        public float TrainBatch(ReadOnlySpan<int> sequences, ReadOnlySpan<int> targets)
        {
            LargestBatch = Math.Max(LargestBatch, sequences.Length);
            float loss = trainLossOfEpoch(_epoch);
            if (++_batches == BatchesPerEpoch) { _batches = 0; _epoch++; }
            return loss;
        }
        public SequenceEvaluation Evaluate(ReadOnlySpan<int> sequences, ReadOnlySpan<int> targets) =>
            new((validationLossOfEpoch?.Invoke(_epoch - 1) ?? 1) * sequences.Length, double.NaN);
        public float[][] CaptureParameters() => [];
        public void RestoreParameters(IReadOnlyList<float[]> snapshot) { }
    }

    private static readonly int[] Rows = Enumerable.Range(0, 30).ToArray();

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    public void ANonFiniteTrainingLoss_StopsTraining_NamingTheEpochAndTheLikelyCause(float bad)
    {
        var model = new ScriptedTrainable(epoch => epoch >= 3 ? bad : 1f / epoch);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
            SequenceTrainer.Train(model, Rows, Rows, null, null, new SequenceTrainingOptions { BatchSize = 30, MaxEpochs = 5, EarlyStoppingPatience = 0 }));
        StringAssert.Contains(e.Message, "epoch 3");
        StringAssert.Contains(e.Message, "LearningRate");
        StringAssert.Contains(e.Message, "NaN/∞");
    }

    [TestMethod]
    public void ANonFiniteValidationLoss_StopsTraining_NamingTheEpoch()
    {
        var model = new ScriptedTrainable(_ => 1f, epoch => epoch == 2 ? double.NaN : 1);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
            SequenceTrainer.Train(model, Rows, Rows, Rows[..5], Rows[..5], new SequenceTrainingOptions { BatchSize = 30, MaxEpochs = 4 }));
        StringAssert.Contains(e.Message, "epoch 2");
        StringAssert.Contains(e.Message, "validation loss");
    }

    [TestMethod]
    [DataRow(31)]
    [DataRow(100_000_000)]
    [DataRow(int.MaxValue)]
    public void ABatchSizeBeyondTheRowCount_IsClamped(int batchSize)
    {
        var model = new ScriptedTrainable(_ => 1f);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var result = SequenceTrainer.Train(model, Rows, Rows, null, null, new SequenceTrainingOptions { BatchSize = batchSize, MaxEpochs = 2 });
        Assert.IsLessThan(1L << 20, GC.GetAllocatedBytesForCurrentThread() - before, "no batch buffer of BatchSize entries");
        Assert.AreEqual(30, model.LargestBatch);
        Assert.HasCount(2, result.History);
        var batches = SequenceTrainer.BucketedBatches(model, Rows, Rows.ToArray(), new SequenceTrainingOptions { BatchSize = batchSize }, new Random(1));
        Assert.AreEqual((0, 30), batches.Single());
    }
}
