using Lstm.MLNet.Model.Training;
using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.Model.Training;

/// <summary>LearningRateSchedule: the rate each batch trains with, under each schedule, and the option's validation.</summary>
[TestClass]
public sealed class LearningRateScheduleTests
{
    /// <summary>Records the learning rate of every batch; its validation loss per epoch is scripted.</summary>
    private sealed class RecordingTrainable(Func<int, double> validationLossOfEpoch) : ISequenceTrainable<int, int>, ILearningRateAdjustable
    {
        private int _epoch;
        public double LearningRate { get; set; } = 0.1;
        public List<double> RatePerBatch { get; } = [];
        public int LengthOf(int sequence) => 1;
        public float TrainBatch(ReadOnlySpan<int> sequences, ReadOnlySpan<int> targets) { RatePerBatch.Add(LearningRate); return 1f; }
        public SequenceEvaluation Evaluate(ReadOnlySpan<int> sequences, ReadOnlySpan<int> targets) =>
            new(validationLossOfEpoch(++_epoch) * sequences.Length, double.NaN);
        public float[][] CaptureParameters() => [];
        public void RestoreParameters(IReadOnlyList<float[]> snapshot) { }
    }

    private static readonly int[] Rows = Enumerable.Range(0, 40).ToArray();

    private static RecordingTrainable Train(LstmLearningRateSchedule schedule, Func<int, double> validationLoss, int epochs = 5)
    {
        var model = new RecordingTrainable(validationLoss);
        SequenceTrainer.Train(model, Rows, Rows, Rows[..4], Rows[..4],
            new SequenceTrainingOptions { BatchSize = 10, MaxEpochs = epochs, EarlyStoppingPatience = 0, LearningRateSchedule = schedule });
        return model;
    }

    [TestMethod]
    public void Constant_KeepsTheRate() =>
        Assert.IsTrue(Train(LstmLearningRateSchedule.Constant, e => 1.0 / e).RatePerBatch.All(r => r == 0.1));

    [TestMethod]
    public void WarmupCosine_RisesLinearlyOverTheFirstTenthThenDecaysToZero()
    {
        var rates = Train(LstmLearningRateSchedule.WarmupCosine, e => 1.0 / e).RatePerBatch; // 5 epochs × 4 batches = 20 steps, 2 of warm-up
        Assert.AreEqual(20, rates.Count);
        Assert.AreEqual(0.05, rates[0], 1e-12);
        Assert.AreEqual(0.1, rates[1], 1e-12);
        for (int i = 2; i < rates.Count; i++) Assert.IsTrue(rates[i] < rates[i - 1], $"step {i + 1} decays");
        Assert.AreEqual(0.1 * 0.5 * (1 + Math.Cos(Math.PI * 9 / 18)), rates[10], 1e-12, "half-way through the decay: half the rate");
        Assert.AreEqual(0.0, rates[^1], 1e-12, "the last planned step reaches 0");
    }

    [TestMethod]
    public void ReduceOnPlateau_HalvesAfterEachEpochWithoutImprovement_DownToTheFloor()
    {
        // Epoch losses 1, 0.5, 0.7, 0.4, 0.9: epochs 3 and 5 do not improve; the rate halves after epoch 3 only (5 is the last).
        double[] losses = [1, 0.5, 0.7, 0.4, 0.9];
        var rates = Train(LstmLearningRateSchedule.ReduceOnPlateau, e => losses[e - 1]).RatePerBatch;
        CollectionAssert.AreEqual(Enumerable.Repeat(0.1, 12).Concat(Enumerable.Repeat(0.05, 8)).ToArray(), rates.ToArray());

        var flat = Train(LstmLearningRateSchedule.ReduceOnPlateau, _ => 1.0, epochs: 14).RatePerBatch;
        Assert.AreEqual(0.1 * LearningRateScheduler.PlateauFloor, flat[^1], 1e-15, "never below a thousandth of the starting rate");
    }

    [TestMethod]
    public void ANetworkWithoutAnAdjustableRate_RejectsASchedule_ButNotConstant()
    {
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new LearningRateScheduler(new object(), LstmLearningRateSchedule.WarmupCosine, 4, 5));
        StringAssert.Contains(e.Message, "WarmupCosine");
        _ = new LearningRateScheduler(new object(), LstmLearningRateSchedule.Constant, 4, 5);
    }

    [TestMethod]
    public void AnUndefinedSchedule_IsRejectedByName()
    {
        var options = new LstmTextClassifierOptions { LearningRateSchedule = (LstmLearningRateSchedule)7 };
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(options.Validate);
        Assert.AreEqual(nameof(LstmTrainingOptions.LearningRateSchedule), e.ParamName);
    }

    [TestMethod]
    public void TheTextClassifierTrainsUnderEachSchedule_AndConstantIsTheDefault()
    {
        Assert.AreEqual(LstmLearningRateSchedule.Constant, new LstmTextClassifierOptions().LearningRateSchedule);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SentimentData.Take(100));
        foreach (var schedule in new[] { LstmLearningRateSchedule.WarmupCosine, LstmLearningRateSchedule.ReduceOnPlateau })
        {
            var options = FastOptions.Create(epochs: 2);
            options.LearningRateSchedule = schedule;
            var model = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(options).Fit(data);
            Assert.AreEqual(schedule, model.Options.LearningRateSchedule);
            Assert.AreEqual(2, model.TrainingHistory.Count);
        }
    }
}
