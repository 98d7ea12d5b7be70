using Lstm.MLNet.Compute;
using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Training;
using Lstm.MLNet.Tests.TestSupport;

namespace Lstm.MLNet.Tests.Model;

/// <summary>The wide path's second bag: sub-word hashes at rows hash % Buckets, normalised apart from the word bag.</summary>
[TestClass]
public sealed class NgramLinearSubwordTests
{
    private static readonly ComputeContext Context = ComputeContext.Default.WithThreads(1);

    private static NgramLinear RandomLayer(int buckets, int classes, int seed)
    {
        var layer = new NgramLinear(buckets, maxNgramLength: 2, classes, Context);
        var random = new Random(seed);
        for (int i = 0; i < layer.Weight.Length; i++) layer.Weight[i] = (float)(random.NextDouble() - 0.5);
        return layer;
    }

    [TestMethod]
    public void TheSubwordBagAddsItsOwnUnitNormalisedRows()
    {
        const int Buckets = 101, Classes = 3;
        var layer = RandomLayer(Buckets, Classes, seed: 4);
        int[][] sequences = [[4, 9], [7]];
        int[][] subwords = [[-5, 300, 300], []]; // -5 is the uint 4294967291: row 4294967291 % 101
        var words = new float[2 * Classes];
        layer.Forward(sequences, words);
        var both = new float[2 * Classes];
        layer.Forward(sequences, subwords, both);
        int negativeRow = (int)(unchecked((uint)-5) % Buckets), row300 = 300 % Buckets;
        for (int c = 0; c < Classes; c++)
        {
            double subword = (layer.Weight[negativeRow * Classes + c] + 2 * layer.Weight[row300 * Classes + c]) / Math.Sqrt(3);
            Assert.AreEqual(words[c] + subword, both[c], 1e-5, "the word bag's logits plus the sub-word bag's");
            Assert.AreEqual(words[Classes + c], both[Classes + c], "an empty sub-word bag adds nothing");
        }
        Assert.ThrowsExactly<ArgumentException>(() => layer.Forward(sequences, [[1]], both));
    }

    [TestMethod]
    public void BackwardMatchesFiniteDifferences()
    {
        const int Classes = 2;
        var layer = RandomLayer(buckets: 23, Classes, seed: 8);
        int[][] sequences = [[1, 2, 3], [5]];
        int[][] subwords = [[40, 41, -7], [12, 12]];
        var upstream = new float[] { 0.4f, -0.9f, 1.3f, 0.1f };
        layer.Forward(sequences, subwords, new float[4]);
        layer.Gradient.Clear();
        layer.Backward(upstream);
        var analytic = new float[layer.Weight.Length];
        layer.Gradient.CopyTo(analytic);

        float Loss()
        {
            var z = new float[4];
            layer.Forward(sequences, subwords, z);
            return z.Select((v, i) => upstream[i] * v).Sum();
        }
        for (int i = 0; i < layer.Weight.Length; i++)
            FiniteDifferences.AssertGradient(FiniteDifferences.NumericGradient(Loss, layer.Weight, i, step: 1e-2f), analytic[i], $"weight {i}");
    }

    [TestMethod]
    public void TheNetworkLearnsFromSubwordsAlone()
    {
        // Every token is unknown (id 1): only the sub-word hashes say the class (hash 1000 + label among noise).
        var random = new Random(6);
        var inputs = new ClassifierInput[512];
        var labels = new int[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            labels[i] = random.Next(2);
            inputs[i] = new ClassifierInput([1, 1, 1], [random.Next(50), 1000 + labels[i], random.Next(50)]);
        }
        var options = new SequenceClassifierOptions { EmbeddingSize = 4, HiddenSize = 4, NgramBuckets = 1 << 12, LearningRate = 5e-2, Seed = 2, NumberOfThreads = 1 };
        var network = new SequenceClassifierNetwork(2, 2, options);
        var trainer = (ISequenceTrainable<ClassifierInput, int>)network;
        for (int epoch = 0; epoch < 6; epoch++)
            for (int start = 0; start < inputs.Length; start += 32)
                trainer.TrainBatch(inputs.AsSpan(start, 32), labels.AsSpan(start, 32));
        var evaluation = trainer.Evaluate(inputs, labels);
        Assert.AreEqual(inputs.Length, evaluation.MetricSum, "every row right from its sub-words");
        var withoutSubwords = network.Evaluate(inputs.Select(x => x.Tokens).ToArray(), labels);
        Assert.IsTrue(withoutSubwords.MetricSum < inputs.Length * 0.7, $"tokens alone cannot tell the classes ({withoutSubwords.MetricSum} right)");
    }
}
