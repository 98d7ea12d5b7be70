using Lstm.MLNet.Compute;
using Lstm.MLNet.Model;

namespace Lstm.MLNet.Tests.Model;

/// <summary>The whole regressor: it learns a toy task, its update follows the MSE gradient, it trains reproducibly, round-trips its parameters and rejects bad input.</summary>
[TestClass]
public sealed class SequenceRegressorNetworkTests
{
    private const int Features = 2;

    /// <summary>Ragged sequences (1..10 steps of 2 features in [−1, 1]); targets: the last step's feature 0, and the mean of feature 1.</summary>
    private static (float[][] Sequences, float[] Targets) ToyTask(int count, int seed)
    {
        var random = new Random(seed);
        var sequences = new float[count][];
        var targets = new float[count * 2];
        for (int i = 0; i < count; i++)
        {
            int steps = random.Next(1, 11);
            var s = sequences[i] = new float[steps * Features];
            for (int j = 0; j < s.Length; j++) s[j] = random.NextSingle() * 2 - 1;
            targets[2 * i] = s[(steps - 1) * Features];
            targets[2 * i + 1] = Enumerable.Range(0, steps).Average(t => s[t * Features + 1]);
        }
        return (sequences, targets);
    }

    private static List<float> Train(SequenceRegressorNetwork network, float[][] sequences, float[] targets, int epochs, int batchSize = 32)
    {
        int K = network.Outputs;
        var losses = new List<float>();
        for (int epoch = 0; epoch < epochs; epoch++)
            for (int start = 0; start < sequences.Length; start += batchSize)
            {
                int count = Math.Min(batchSize, sequences.Length - start);
                losses.Add(network.TrainBatch(sequences.AsSpan(start, count), targets.AsSpan(start * K, count * K)));
            }
        return losses;
    }

    private static double MeanSquaredError(float[] predictions, float[] targets) =>
        predictions.Zip(targets).Average(p => (double)(p.First - p.Second) * (p.First - p.Second));

    [TestMethod]
    [DataRow(LstmPooling.Last, false)]
    [DataRow(LstmPooling.Mean, true)]
    public void LearnsLastValueAndMean(LstmPooling pooling, bool bidirectional)
    {
        var (train, trainTargets) = ToyTask(512, seed: 1);
        var (test, testTargets) = ToyTask(256, seed: 2);
        var network = new SequenceRegressorNetwork(Features, new SequenceRegressorOptions
        {
            HiddenSize = 16, Outputs = 2, Pooling = pooling, Bidirectional = bidirectional, LearningRate = 1e-2, Seed = 3, NumberOfThreads = 1,
        });
        double before = MeanSquaredError(network.Predict(test), testTargets);
        Train(network, train, trainTargets, epochs: 15);
        double after = MeanSquaredError(network.Predict(test), testTargets);
        // Predicting the mean of the targets scores their variance (~0.33 and ~0.04 here, ~0.19 together).
        Console.WriteLine($"{pooling}, bidirectional {bidirectional}: test MSE {before:F4} → {after:F4}");
        Assert.IsLessThan(0.02, after, $"test MSE {after:F4} (before training {before:F4})");
    }

    /// <summary>
    /// With plain SGD (lr 1, no momentum, decay or clipping) one step moves the output bias by exactly
    /// −Σ_b dL/dy_b, and dL/dy = 2(y − t)/(B·K): the network wires the MSE gradient into its update.
    /// </summary>
    [TestMethod]
    public void OneSgdStep_MovesTheBiasByTheMeanSquaredErrorGradient()
    {
        var (sequences, targets) = ToyTask(6, seed: 4);
        var network = new SequenceRegressorNetwork(Features, new SequenceRegressorOptions
        {
            HiddenSize = 4, Outputs = 2, Optimizer = LstmOptimizer.Sgd, Momentum = 0, LearningRate = 1, GradientClipNorm = 0, Seed = 5, NumberOfThreads = 1,
        });
        var predictions = network.Predict(sequences);
        var bias = network.NamedParameters().Single(t => t.Name == "regressor.bias").Values;
        var biasBefore = bias.ToArray();
        float loss = network.TrainBatch(sequences, targets);

        Assert.AreEqual(MeanSquaredError(predictions, targets), loss, 1e-6);
        for (int k = 0; k < 2; k++)
        {
            double gradient = 0;
            for (int b = 0; b < sequences.Length; b++) gradient += 2.0 * (predictions[b * 2 + k] - targets[b * 2 + k]) / (sequences.Length * 2);
            Assert.AreEqual(biasBefore[k] - gradient, bias[k], 1e-5, $"bias {k}");
        }
    }

    private static SequenceRegressorNetwork NewNetwork(int seed, int threads) =>
        new(Features, new SequenceRegressorOptions
        {
            HiddenSize = 12, NumberOfLayers = 2, Bidirectional = true, Outputs = 2, Dropout = 0.2f, LearningRate = 5e-3,
            WeightDecay = 1e-4, GradientClipNorm = 1f, Seed = seed, NumberOfThreads = threads,
        });

    [TestMethod]
    public void SameSeed_GivesBitIdenticalLosses_WhateverTheThreadCount()
    {
        var (sequences, targets) = ToyTask(128, seed: 6);
        var first = Train(NewNetwork(seed: 7, threads: 1), sequences, targets, epochs: 2);
        var second = Train(NewNetwork(seed: 7, threads: 1), sequences, targets, epochs: 2);
        var twoThreads = Train(NewNetwork(seed: 7, threads: 2), sequences, targets, epochs: 2);
        var otherSeed = Train(NewNetwork(seed: 8, threads: 1), sequences, targets, epochs: 2);
        CollectionAssert.AreEqual(first, second, "same seed, same thread count");
        CollectionAssert.AreEqual(first, twoThreads, "same seed, 1 vs 2 threads");
        CollectionAssert.AreNotEqual(first, otherSeed, "another seed must train differently");
    }

    [TestMethod]
    public void LoadedParameters_PredictIdentically()
    {
        var (sequences, targets) = ToyTask(64, seed: 9);
        var trained = NewNetwork(seed: 10, threads: 1);
        Train(trained, sequences, targets, epochs: 1);
        var copy = NewNetwork(seed: 11, threads: 1);
        CollectionAssert.AreNotEqual(trained.Predict(sequences), copy.Predict(sequences));

        var saved = trained.NamedParameters().Select(t => (t.Name, t.Values.ToArray())).ToList();
        copy.LoadParameters(saved);
        CollectionAssert.AreEqual(trained.Predict(sequences), copy.Predict(sequences));
        Assert.AreEqual("lstm.weight_ih_l0", saved[0].Name);
        Assert.AreEqual("lstm.bias_hh_l1_reverse", saved[^3].Name);
        CollectionAssert.AreEqual(new[] { "regressor.weight", "regressor.bias" }, saved.TakeLast(2).Select(t => t.Name).ToArray());
        Assert.HasCount(2 * 2 * 12, saved[^2].Item2, "regressor.weight is [K × D·H]");

        Assert.ThrowsExactly<ArgumentException>(() => copy.LoadParameters(saved.Skip(1)), "a missing tensor");
        Assert.ThrowsExactly<ArgumentException>(() => copy.LoadParameters(saved.Append(("extra", new float[1]))), "an unknown tensor");
    }

    [TestMethod]
    public void Predictions_IgnoreBatchComposition()
    {
        var (sequences, _) = ToyTask(300, seed: 12); // more than one inference chunk of 256
        var network = NewNetwork(seed: 13, threads: 1);
        var all = network.Predict(sequences);
        foreach (int i in new[] { 0, 7, 299 })
        {
            var alone = network.Predict(sequences.AsSpan(i, 1));
            Assert.AreEqual(all[2 * i], alone[0], 1e-6f, $"sequence {i}, output 0");
            Assert.AreEqual(all[2 * i + 1], alone[1], 1e-6f, $"sequence {i}, output 1");
        }
    }

    [TestMethod]
    public void NonFiniteGradient_SkipsTheUpdate()
    {
        var network = new SequenceRegressorNetwork(1, new SequenceRegressorOptions { HiddenSize = 4, Seed = 14, NumberOfThreads = 1 });
        var before = network.NamedParameters().Select(t => t.Values.ToArray()).ToList();
        // 2·(y − t) overflows float for a target near float.MaxValue: the gradient is infinite.
        network.TrainBatch(new[] { new[] { 0.5f, -0.5f } }, [3e38f]);
        Assert.IsFalse(float.IsFinite(network.LastGradientNorm));
        Assert.AreEqual(0L, network.StepCount);
        CollectionAssert.AreEqual(before.SelectMany(v => v).ToArray(), network.NamedParameters().SelectMany(t => t.Values).ToArray());

        network.TrainBatch(new[] { new[] { 0.5f, -0.5f } }, [1f]);
        Assert.AreEqual(1L, network.StepCount, "a finite batch afterwards trains normally");
    }

    [TestMethod]
    public void RejectsBadInput_NamingWhereItIs()
    {
        var network = NewNetwork(seed: 1, threads: 1);
        float[] ok = [0.1f, 0.2f, 0.3f, 0.4f];

        var e = Assert.ThrowsExactly<ArgumentException>(() => network.TrainBatch(new[] { ok, new[] { 1f, 2f, 3f } }, new float[4]));
        StringAssert.Contains(e.Message, "Sequence 1 has 3 values, not a multiple of 2 features per step");
        e = Assert.ThrowsExactly<ArgumentException>(() => network.Predict(new[] { ok, ok, new[] { 1f, 2f, 3f, float.NaN } }));
        StringAssert.Contains(e.Message, "Sequence 2, step 1, feature 1 is NaN");
        e = Assert.ThrowsExactly<ArgumentException>(() => network.TrainBatch(new[] { ok, ok }, [0f, 1f, float.PositiveInfinity, 0f]));
        StringAssert.Contains(e.Message, "Target of sequence 1, output 0");
        e = Assert.ThrowsExactly<ArgumentException>(() => network.TrainBatch(new[] { ok }, [0f]));
        StringAssert.Contains(e.Message, "need 2 targets; got 1");
        e = Assert.ThrowsExactly<ArgumentException>(() => network.Predict(new[] { ok, Array.Empty<float>() }));
        StringAssert.Contains(e.Message, "Sequence 1 is empty");
        Assert.ThrowsExactly<ArgumentException>(() => network.Predict(new[] { ok }, new float[1]));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SequenceRegressorNetwork(0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SequenceRegressorNetwork(1, new SequenceRegressorOptions { Outputs = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SequenceRegressorNetwork(1, new SequenceRegressorOptions { Dropout = 1f }));
    }
}
