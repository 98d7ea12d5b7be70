using Lstm.MLNet.Compute;
using Lstm.MLNet.Model;

namespace Lstm.MLNet.Tests.Model;

/// <summary>The wide path: a linear model over each sequence's bag of hashed token n-grams, added to the logits.</summary>
[TestClass]
public sealed class NgramLinearTests
{
    private static readonly ComputeContext Context = ComputeContext.Default.WithThreads(1);

    [TestMethod]
    public void ForwardAddsTheNormalisedBagOfUnigramRows()
    {
        const int Buckets = 97, Classes = 3;
        var layer = new NgramLinear(Buckets, maxNgramLength: 1, Classes, Context);
        var random = new Random(5);
        for (int i = 0; i < layer.Weight.Length; i++) layer.Weight[i] = (float)(random.NextDouble() - 0.5);
        int[][] sequences = [[4, 9, 4], [7], []];
        var logits = new float[sequences.Length * Classes];
        logits[0] = 1f; // the deep logits are added to, not overwritten
        layer.Forward(sequences, logits);

        // [4, 9, 4]: three unigrams, each weighing 1/√3.
        for (int c = 0; c < Classes; c++)
        {
            double expected = (2 * layer.Weight[4 * Classes + c] + layer.Weight[9 * Classes + c]) / Math.Sqrt(3);
            Assert.AreEqual((c == 0 ? 1 : 0) + expected, logits[c], 1e-5);
        }
        // [7]: one unigram, weight 1; []: an empty bag adds nothing.
        for (int c = 0; c < Classes; c++) Assert.AreEqual(layer.Weight[7 * Classes + c], logits[Classes + c], 1e-6);
        for (int c = 0; c < Classes; c++) Assert.AreEqual(0f, logits[2 * Classes + c]);
    }

    [TestMethod]
    [DataRow(1, 3)] // 3 unigrams
    [DataRow(2, 5)] // + 2 bigrams
    [DataRow(3, 6)] // + 1 trigram
    public void EveryNgramOfTheBagWeighsOneOverTheRootOfTheirCount(int maxNgramLength, int ngrams)
    {
        var layer = new NgramLinear(1 << 10, maxNgramLength, classes: 2, Context);
        Array.Fill(layer.Weight, 1f);
        var logits = new float[2];
        layer.Forward(new[] { new[] { 4, 9, 4 } }, logits);
        Assert.AreEqual(Math.Sqrt(ngrams), logits[0], 1e-5);
    }

    [TestMethod]
    public void BigramsDependOnOrder()
    {
        var layer = new NgramLinear(1 << 16, maxNgramLength: 2, classes: 2, Context);
        for (int i = 0; i < layer.Weight.Length; i += 2) layer.Weight[i] = i % 7919; // distinct per row
        var logits = new float[4];
        layer.Forward(new[] { new[] { 11, 12 }, new[] { 12, 11 } }, logits);
        Assert.AreNotEqual(logits[0], logits[2], "The same tokens in another order form other bigrams.");
    }

    [TestMethod]
    public void BackwardMatchesFiniteDifferences()
    {
        const int Buckets = 31, Classes = 2;
        var layer = new NgramLinear(Buckets, maxNgramLength: 3, Classes, Context);
        var random = new Random(2);
        for (int i = 0; i < layer.Weight.Length; i++) layer.Weight[i] = (float)(random.NextDouble() - 0.5);
        int[][] sequences = [[1, 2, 3, 4], [5, 5]];
        var upstream = new float[] { 0.3f, -0.7f, 1.1f, 0.2f }; // dLoss/dLogits of loss = Σ upstream · logits

        var logits = new float[4];
        layer.Forward(sequences, logits);
        layer.Gradient.Clear();
        layer.Backward(upstream);
        var analytic = new float[layer.Weight.Length];
        layer.Gradient.CopyTo(analytic);

        double Loss()
        {
            var z = new float[4];
            layer.Forward(sequences, z);
            double sum = 0;
            for (int i = 0; i < 4; i++) sum += upstream[i] * z[i];
            return sum;
        }
        const float h = 1e-2f;
        for (int i = 0; i < layer.Weight.Length; i++)
        {
            float saved = layer.Weight[i];
            layer.Weight[i] = saved + h; double plus = Loss();
            layer.Weight[i] = saved - h; double minus = Loss();
            layer.Weight[i] = saved;
            Assert.AreEqual((plus - minus) / (2 * h), analytic[i], 1e-3, $"weight {i}");
        }
    }

    [TestMethod]
    public void NetworkWithAWidePathLearnsABigramAndItsViewsPredictTheSame()
    {
        // Label 1 when the bigram (3, 4) occurs; tokens 3 and 4 alone say nothing.
        var random = new Random(1);
        var tokens = new int[1024][];
        var labels = new int[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            tokens[i] = Enumerable.Range(0, random.Next(2, 10)).Select(_ => random.Next(1, 8)).ToArray();
            labels[i] = tokens[i].Zip(tokens[i].Skip(1)).Any(p => p == (3, 4)) ? 1 : 0;
        }
        var options = new SequenceClassifierOptions { EmbeddingSize = 4, HiddenSize = 4, NgramBuckets = 1 << 12, NgramLength = 2, LearningRate = 2e-2, Seed = 3, NumberOfThreads = 1 };
        var network = new SequenceClassifierNetwork(8, 2, options);
        Assert.IsTrue(network.NamedParameters().Any(t => t.Name == "ngram.weight" && t.Values.Length == (1 << 12) * 2));
        float first = 0, last = 0;
        for (int epoch = 0; epoch < 15; epoch++)
            for (int start = 0; start < tokens.Length; start += 32)
            {
                float loss = network.TrainBatch(tokens.AsSpan(start, 32), labels.AsSpan(start, 32));
                if (epoch == 0 && start == 0) first = loss;
                last = loss;
            }
        Assert.IsTrue(last < first / 3, $"loss {first} → {last}");

        var probabilities = network.PredictProbabilities(tokens);
        CollectionAssert.AreEqual(probabilities, network.CreateInferenceView().PredictProbabilities(tokens));
        int correct = Enumerable.Range(0, labels.Length).Count(i => (probabilities[2 * i + 1] > 0.5f ? 1 : 0) == labels[i]);
        Assert.IsTrue(correct > 0.95 * labels.Length, $"accuracy {correct}/{labels.Length}");
    }

    [TestMethod]
    public void OptionsRejectAnUnsupportedNgramLengthOrTable()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SequenceClassifierOptions { NgramLength = 4 }.Validate());
        Assert.AreEqual("NgramLength", e.ParamName);
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SequenceClassifierOptions { NgramBuckets = -1 }.Validate());
        Assert.AreEqual("NgramBuckets", e.ParamName);
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SequenceClassifierOptions { NgramBuckets = int.MaxValue }.Validate());
        Assert.AreEqual("NgramBuckets", e.ParamName);
    }
}
