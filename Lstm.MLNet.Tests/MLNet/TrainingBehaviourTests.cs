using Lstm.MLNet.Model.Training;
using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet;

/// <summary>Determinism, thread independence, progress, cancellation and early stopping.</summary>
[TestClass]
public sealed class TrainingBehaviourTests
{
    private static int[] ScoreBits(MLContext ml, ITransformer model) =>
        ml.Data.CreateEnumerable<BinaryPrediction>(model.Transform(ml.Data.LoadFromEnumerable(SentimentData.Take(50, skip: 1500))), false)
            .Select(p => BitConverter.SingleToInt32Bits(p.Score)).ToArray();

    private static ITransformer Train(MLContext ml, Action<LstmTextClassifierOptions>? configure = null)
    {
        var options = FastOptions.Create(epochs: 2);
        configure?.Invoke(options);
        return ml.BinaryClassification.Trainers.LstmText(options).Fit(ml.Data.LoadFromEnumerable(SentimentData.Take(200)));
    }

    [TestMethod]
    public void SameSeed_GivesBitIdenticalPredictions_DifferentSeedDoesNot()
    {
        var ml = new MLContext(seed: 1);
        var first = ScoreBits(ml, Train(ml));
        var second = ScoreBits(ml, Train(ml));
        var otherSeed = ScoreBits(ml, Train(ml, o => o.Seed = 2));
        CollectionAssert.AreEqual(first, second);
        CollectionAssert.AreNotEqual(first, otherSeed);
    }

    [TestMethod]
    public void OneAndTwoThreads_GiveBitIdenticalModels()
    {
        var ml = new MLContext(seed: 1);
        CollectionAssert.AreEqual(ScoreBits(ml, Train(ml, o => o.NumberOfThreads = 1)), ScoreBits(ml, Train(ml, o => o.NumberOfThreads = 2)));
    }

    [TestMethod]
    public void Progress_IsReportedOncePerEpoch_AndMatchesTheHistory()
    {
        var ml = new MLContext(seed: 1);
        var reports = new List<LstmTrainingProgress>();
        var model = (LstmTextClassificationTransformer)Train(ml, o => { o.MaxEpochs = 3; o.Progress = new SynchronousProgress(reports.Add); });
        Assert.HasCount(3, reports);
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, reports.Select(r => r.Epoch).ToArray());
        Assert.IsTrue(reports.All(r => r.ValidationLoss is > 0 && r.ValidationAccuracy is >= 0 and <= 1 && r.SequencesPerSecond > 0 && r.TrainLoss > 0));
        CollectionAssert.AreEqual(reports, model.TrainingHistory.ToArray());
    }

    [TestMethod]
    public void Cancellation_StopsCleanly_AndKeepsAUsableModel()
    {
        var ml = new MLContext(seed: 1);
        using var cancellation = new CancellationTokenSource();
        var model = (LstmTextClassificationTransformer)Train(ml, o =>
        {
            o.MaxEpochs = 50;
            o.CancellationToken = cancellation.Token;
            o.Progress = new SynchronousProgress(p => { if (p.Epoch == 2) cancellation.Cancel(); });
        });
        Assert.HasCount(2, model.TrainingHistory, "Training must stop at the cancellation.");
        Assert.IsTrue(model.BestEpoch is 1 or 2);
        Assert.IsTrue(ScoreBits(ml, model).Select(BitConverter.Int32BitsToSingle).All(float.IsFinite));
    }

    [TestMethod]
    public void EarlyStopping_StopsAfterPatience_AndRestoresTheBestEpoch()
    {
        // Validation losses by epoch: 1.0, 0.5 (best), 0.7, 0.8 → patience 2 stops after epoch 4 and restores epoch 2.
        var model = new ScriptedModel([1.0, 0.5, 0.7, 0.8, 0.9, 1.0]);
        var result = SequenceTrainer.Train(model, [[1], [2], [3]], [0, 1, 0], [[1]], [0],
            new SequenceTrainingOptions { MaxEpochs = 6, EarlyStoppingPatience = 2, BatchSize = 2 });
        Assert.IsTrue(result.StoppedEarly);
        Assert.HasCount(4, result.History);
        Assert.AreEqual(2, result.BestEpoch);
        Assert.AreEqual(2f, model.Weight[0], "The weights after epoch 2 must be restored.");
        CollectionAssert.AreEqual(new[] { true, true, false, false }, result.History.Select(h => h.IsBest).ToArray());
    }

    [TestMethod]
    public void Bucketing_GroupsSimilarLengths_AndCoversEveryExampleOncePerEpoch()
    {
        var model = new ScriptedModel([1.0]);
        var lengths = Enumerable.Range(0, 200).Select(i => (i * 37) % 50 + 1).ToArray();
        var sequences = lengths.Select(n => new int[n]).ToArray();
        var order = Enumerable.Range(0, sequences.Length).ToArray();
        var options = new SequenceTrainingOptions { BatchSize = 10, BucketBatches = 20 };
        var batches = SequenceTrainer.BucketedBatches(model, sequences, order, options, new Random(1));
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 200).ToArray(), order);
        Assert.AreEqual(200, batches.Sum(b => b.Count));
        int padding = batches.Sum(b => { var l = order.Skip(b.Start).Take(b.Count).Select(i => lengths[i]).ToArray(); return l.Max() * l.Length - l.Sum(); });
        int unbucketedPadding = Enumerable.Range(0, 20).Sum(b => { var l = lengths.Skip(b * 10).Take(10).ToArray(); return l.Max() * l.Length - l.Sum(); });
        Assert.IsLessThan(unbucketedPadding / 5, padding, $"Bucketed padding {padding} vs {unbucketedPadding} unbucketed.");
    }

    [TestMethod]
    public void ValidationSplit_IsDeterministicDisjointAndComplete()
    {
        var (train, validation) = SequenceDataPreparation.SplitForValidation(100, 0.2, seed: 3);
        var (train2, validation2) = SequenceDataPreparation.SplitForValidation(100, 0.2, seed: 3);
        CollectionAssert.AreEqual(validation, validation2);
        Assert.HasCount(20, validation);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 100).ToArray(), train.Concat(validation).ToArray());
        CollectionAssert.AreEqual(train, train2);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SequenceDataPreparation.SplitForValidation(1, 0.5, 1));
    }

    [TestMethod]
    public void Truncation_KeepsTheFirstTokensInOrder()
    {
        CollectionAssert.AreEqual(new[] { 5, 6, 7 }, SequenceDataPreparation.Truncate([5, 6, 7, 8, 9], 3));
        var shortOne = new[] { 1, 2 };
        Assert.AreSame(shortOne, SequenceDataPreparation.Truncate(shortOne, 3));
        Assert.HasCount(5, SequenceDataPreparation.Truncate([1, 2, 3, 4, 5], 0));
    }

    /// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool, racing the assertions).</summary>
    private sealed class SynchronousProgress(Action<LstmTrainingProgress> report) : IProgress<LstmTrainingProgress>
    {
        public void Report(LstmTrainingProgress value) => report(value);
    }

    /// <summary>A stand-in network: one weight counting finished epochs, and a scripted validation loss per epoch.</summary>
    private sealed class ScriptedModel(double[] validationLosses) : ISequenceTrainable<int[], int>
    {
        private int _batches;
        public float[] Weight { get; } = [0f];
        public int LengthOf(int[] sequence) => sequence.Length;
        public float TrainBatch(ReadOnlySpan<int[]> sequences, ReadOnlySpan<int> targets)
        {
            _batches++;
            if (_batches % 2 == 0) Weight[0] += 1; // 3 examples, batch 2: two batches per epoch
            return 1f;
        }
        public SequenceEvaluation Evaluate(ReadOnlySpan<int[]> sequences, ReadOnlySpan<int> targets) =>
            new(validationLosses[(int)Weight[0] - 1] * sequences.Length, 0);
        public float[][] CaptureParameters() => [(float[])Weight.Clone()];
        public void RestoreParameters(IReadOnlyList<float[]> snapshot) => snapshot[0].CopyTo(Weight, 0);
    }
}
