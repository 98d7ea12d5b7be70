using System.Diagnostics;
using Lstm.MLNet.Compute;
using Lstm.MLNet.Model;

namespace Lstm.MLNet.Tests.Model;

/// <summary>The whole classifier: it learns a toy task, trains reproducibly, and round-trips its parameters.</summary>
[TestClass]
public sealed class SequenceClassifierNetworkTests
{
    private const int Vocabulary = 12, Marker = 3;

    /// <summary>Random sequences of tokens 1..11, lengths 1..12; label 1 when <see cref="Marker"/> occurs (about half of them).</summary>
    private static (int[][] Tokens, int[] Labels) ToyTask(int count, int seed)
    {
        var random = new Random(seed);
        var tokens = new int[count][];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            tokens[i] = Enumerable.Range(0, random.Next(1, 13)).Select(_ => random.Next(1, Vocabulary)).ToArray();
            labels[i] = tokens[i].Contains(Marker) ? 1 : 0;
        }
        return (tokens, labels);
    }

    private static List<float> Train(SequenceClassifierNetwork network, int[][] tokens, int[] labels, int epochs, int batchSize = 32)
    {
        var losses = new List<float>();
        for (int epoch = 0; epoch < epochs; epoch++)
            for (int start = 0; start < tokens.Length; start += batchSize)
            {
                int count = Math.Min(batchSize, tokens.Length - start);
                losses.Add(network.TrainBatch(tokens.AsSpan(start, count), labels.AsSpan(start, count)));
            }
        return losses;
    }

    private static double Accuracy(SequenceClassifierNetwork network, int[][] tokens, int[] labels)
    {
        var probabilities = network.PredictProbabilities(tokens);
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
            if ((probabilities[2 * i + 1] > probabilities[2 * i] ? 1 : 0) == labels[i]) correct++;
        return (double)correct / labels.Length;
    }

    [TestMethod]
    [DataRow(LstmPooling.Max, false, LstmOptimizer.Adam)]
    [DataRow(LstmPooling.Last, true, LstmOptimizer.Adam)]
    [DataRow(LstmPooling.Mean, false, LstmOptimizer.Sgd)]
    public void LearnsWhetherATokenOccurs(LstmPooling pooling, bool bidirectional, LstmOptimizer optimizer)
    {
        var (trainTokens, trainLabels) = ToyTask(1024, seed: 1);
        var (testTokens, testLabels) = ToyTask(512, seed: 2);
        var network = new SequenceClassifierNetwork(Vocabulary, 2, new SequenceClassifierOptions
        {
            EmbeddingSize = 8, HiddenSize = 16, Bidirectional = bidirectional, Pooling = pooling, Optimizer = optimizer,
            LearningRate = optimizer == LstmOptimizer.Adam ? 1e-2 : 0.1, Seed = 3, NumberOfThreads = 1,
        });
        var timer = Stopwatch.StartNew();
        var losses = Train(network, trainTokens, trainLabels, epochs: 6);
        double accuracy = Accuracy(network, testTokens, testLabels);
        Console.WriteLine($"{pooling}, bidirectional {bidirectional}, {optimizer}: accuracy {accuracy:P1}, " +
                          $"loss {losses[0]:F3} → {losses[^1]:F3}, {timer.Elapsed.TotalSeconds:F1}s");
        Assert.IsGreaterThan(0.95, accuracy, $"test accuracy {accuracy:P1}");
    }

    private static SequenceClassifierNetwork NewNetwork(int seed, int threads, SimdPath? path = null)
    {
        var network = new SequenceClassifierNetwork(Vocabulary, 3, new SequenceClassifierOptions
        {
            EmbeddingSize = 8, HiddenSize = 12, NumberOfLayers = 2, Bidirectional = true, Pooling = LstmPooling.Mean,
            Dropout = 0.2f, LearningRate = 5e-3, WeightDecay = 1e-4, GradientClipNorm = 1f, Seed = seed, NumberOfThreads = threads,
        });
        if (path is { } p) network.Context = new ComputeContext(p, threads);
        return network;
    }

    private static (int[][] Tokens, int[] Labels) ThreeClassTask()
    {
        var (tokens, labels) = ToyTask(256, seed: 4);
        for (int i = 0; i < labels.Length; i++) labels[i] = tokens[i].Length % 3;
        return (tokens, labels);
    }

    [TestMethod]
    public void SameSeed_GivesBitIdenticalLosses_WhateverTheThreadCount()
    {
        var (tokens, labels) = ThreeClassTask();
        var first = Train(NewNetwork(seed: 5, threads: 1), tokens, labels, epochs: 2);
        var second = Train(NewNetwork(seed: 5, threads: 1), tokens, labels, epochs: 2);
        var twoThreads = Train(NewNetwork(seed: 5, threads: 2), tokens, labels, epochs: 2);
        var otherSeed = Train(NewNetwork(seed: 6, threads: 1), tokens, labels, epochs: 2);
        CollectionAssert.AreEqual(first, second, "same seed, same thread count");
        CollectionAssert.AreEqual(first, twoThreads, "same seed, 1 vs 2 threads");
        CollectionAssert.AreNotEqual(first, otherSeed, "another seed must train differently");
    }

    [TestMethod]
    public void LoadedParameters_PredictIdentically()
    {
        var (tokens, labels) = ThreeClassTask();
        var trained = NewNetwork(seed: 7, threads: 1);
        Train(trained, tokens, labels, epochs: 1);
        var copy = NewNetwork(seed: 8, threads: 1);
        CollectionAssert.AreNotEqual(trained.PredictProbabilities(tokens), copy.PredictProbabilities(tokens));

        var saved = trained.NamedParameters().Select(t => (t.Name, t.Values.ToArray())).ToList();
        copy.LoadParameters(saved);
        CollectionAssert.AreEqual(trained.PredictProbabilities(tokens), copy.PredictProbabilities(tokens));
        CollectionAssert.AreEqual(
            new[] { "embedding.weight", "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0" },
            saved.Take(5).Select(t => t.Name).ToArray());
        Assert.AreEqual("classifier.bias", saved[^1].Name);

        Assert.ThrowsExactly<ArgumentException>(() => copy.LoadParameters(saved.Skip(1)), "a missing tensor");
        Assert.ThrowsExactly<ArgumentException>(() => copy.LoadParameters(saved.Append(("extra", new float[1]))), "an unknown tensor");
    }

    [TestMethod]
    public void Predictions_SumToOne_AndIgnoreBatchComposition()
    {
        var (tokens, _) = ThreeClassTask();
        var network = NewNetwork(seed: 9, threads: 1);
        tokens[3] = []; // an empty sequence reads as the single token 0
        var all = network.PredictProbabilities(tokens);
        for (int i = 0; i < tokens.Length; i++)
            Assert.AreEqual(1.0, all[(3 * i)..(3 * i + 3)].Sum(), 1e-5, $"row {i}");
        // One sequence alone gets the probabilities it gets inside the batch (inference has no cross-row effects).
        var alone = network.PredictProbabilities(tokens.AsSpan(10, 1));
        for (int c = 0; c < 3; c++) Assert.AreEqual(all[30 + c], alone[c], 1e-6f);
    }

    [TestMethod]
    public void EveryPath_TrainsToTheSameLossesWithinRounding()
    {
        var (tokens, labels) = ThreeClassTask();
        var reference = Train(NewNetwork(seed: 10, threads: 1, SimdPath.Scalar), tokens, labels, epochs: 1);
        foreach (var path in SimdSupport.Supported)
        {
            var losses = Train(NewNetwork(seed: 10, threads: 1, path), tokens, labels, epochs: 1);
            for (int i = 0; i < losses.Count; i++)
                Assert.AreEqual(reference[i], losses[i], 1e-3f, $"{path}, batch {i}");
        }
    }

    [TestMethod]
    public void RejectsInvalidInput()
    {
        var network = NewNetwork(seed: 1, threads: 1);
        Assert.ThrowsExactly<ArgumentException>(() => network.TrainBatch(new[] { new[] { 1 } }, [0, 1]));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => network.TrainBatch(new[] { new[] { 1 } }, [3]));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => network.PredictProbabilities(new[] { new[] { Vocabulary } }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SequenceClassifierNetwork(10, 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SequenceClassifierNetwork(10, 2, new SequenceClassifierOptions { Dropout = 1f }));
    }
}
