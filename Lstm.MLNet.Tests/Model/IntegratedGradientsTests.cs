using Lstm.MLNet.Compute;
using Lstm.MLNet.Model;

namespace Lstm.MLNet.Tests.Model;

/// <summary>
/// Integrated gradients through the classifier's backward pass: completeness (the attributions sum to the score's
/// change from the baseline, more closely with more steps), the baseline is what it says, the wide path's share is exact.
/// </summary>
[TestClass]
public sealed class IntegratedGradientsTests
{
    private const int Vocabulary = 23;
    private static readonly int[] Tokens = [4, 17, 9, 4, 12, 21, 3];

    /// <summary>An untrained network with every weight random (the n-gram table too, which starts at zero) and the output layer
    /// scaled up as training scales it, so every path carries signal.</summary>
    private static SequenceClassifierNetwork RandomNetwork(int classes, LstmPooling pooling, bool bidirectional, int layers, int ngramBuckets)
    {
        var network = new SequenceClassifierNetwork(Vocabulary, classes, new SequenceClassifierOptions
        {
            EmbeddingSize = 6, HiddenSize = 5, NumberOfLayers = layers, Bidirectional = bidirectional, Pooling = pooling,
            NgramBuckets = ngramBuckets, NgramLength = 3, Dropout = 0.5f, EmbeddingDropout = 0.5f, Seed = 11, NumberOfThreads = 1,
        });
        var random = new Random(12);
        foreach (var (name, values) in network.NamedParameters())
            if (name == "ngram.weight")
                for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() - 0.5);
            else if (name == "classifier.weight")
                for (int i = 0; i < values.Length; i++) values[i] *= 8;
        return network;
    }

    /// <summary>The binary margin z₁ − z₀, or class <paramref name="target"/>'s logit.</summary>
    private static float[] ReadOut(int classes, int target)
    {
        var direction = new float[classes];
        direction[target] = 1f;
        if (classes == 2) direction[1 - target] = -1f;
        return direction;
    }

    private static double Score(SequenceClassifierNetwork network, int[] tokens, float[] direction)
    {
        var logits = new float[network.NumberOfClasses];
        network.PredictLogits(new[] { tokens }, logits);
        return logits.Zip(direction, (z, d) => (double)z * d).Sum();
    }

    private static double Gap(IntegratedGradientsResult result) =>
        Math.Abs(result.InputScore - result.BaselineScore - result.Tokens.Sum(a => (double)a));

    [TestMethod]
    [DataRow(2, 1, LstmPooling.Mean, 1, 64)]   // binary margin, BiLSTM, wide path on
    [DataRow(2, 0, LstmPooling.Last, 2, 64)]   // the other class of a binary model: the negated margin; 2 layers
    [DataRow(4, 2, LstmPooling.Mean, 2, 64)]   // multiclass logit, BiLSTM, wide path on
    [DataRow(4, 3, LstmPooling.Last, 1, 0)]    // multiclass, no wide path
    public void AttributionsSumToTheScoreChangeMoreCloselyWithMoreSteps(int classes, int target, LstmPooling pooling, int layers, int ngramBuckets)
    {
        var network = RandomNetwork(classes, pooling, bidirectional: true, layers, ngramBuckets);
        var view = network.CreateInferenceView();
        var direction = ReadOut(classes, target);

        var coarse = view.IntegratedGradients(Tokens, direction, steps: 4);
        var medium = view.IntegratedGradients(Tokens, direction, steps: 16);
        var fine = view.IntegratedGradients(Tokens, direction, steps: 64);

        double change = fine.InputScore - fine.BaselineScore;
        Assert.IsTrue(Math.Abs(change) > 0.05, $"the score must move for the test to mean anything: {change}");
        Assert.AreEqual(Score(network, Tokens, direction), fine.InputScore, 1e-5, "InputScore is the network's own score of the input");
        Assert.AreEqual(coarse.BaselineScore, fine.BaselineScore, 1e-6, "the baseline does not depend on the steps");
        // The midpoint rule's error falls as 1/steps² on a smooth path (measured: ×14–17 closer per ×4 steps); float noise ≈ 1e-6.
        Assert.IsTrue(Gap(medium) < Gap(coarse) / 8 + 1e-6 && Gap(fine) < Gap(medium) / 8 + 1e-6,
            $"gaps {Gap(coarse):E2} (4 steps), {Gap(medium):E2} (16), {Gap(fine):E2} (64)");
        Assert.IsTrue(Gap(fine) < 1e-4 * Math.Max(1, Math.Abs(change)), $"gap {Gap(fine):E2} at 64 steps for a change of {change:F4}");
    }

    [TestMethod]
    public void MaxPoolingStaysCompleteWithinABoundThatFallsAsOneOverSteps()
    {
        // Max pooling switches its arg-max along the path: at each switch the gradient jumps, so the midpoint rule's error
        // is O(jump / steps) there, not O(1/steps²), and not monotone in the steps (measured here: 1.9e-4 at 64, 2.9e-3 at 256).
        var network = RandomNetwork(2, LstmPooling.Max, bidirectional: true, layers: 1, ngramBuckets: 64);
        var view = network.CreateInferenceView();
        foreach (int steps in new[] { 16, 64, 256, 1024 })
        {
            var result = view.IntegratedGradients(Tokens, ReadOut(2, 1), steps);
            double change = result.InputScore - result.BaselineScore;
            Assert.IsTrue(Math.Abs(change) > 0.05, $"the score must move for the test to mean anything: {change}");
            Assert.IsTrue(Gap(result) < 2.0 / steps * Math.Abs(change), $"gap {Gap(result):E2} at {steps} steps for a change of {change:F4}");
        }
    }

    [TestMethod]
    public void TheBaselineIsZeroEmbeddingsOfTheSameLengthAndAnEmptyBag()
    {
        var network = RandomNetwork(4, LstmPooling.Mean, bidirectional: true, layers: 1, ngramBuckets: 64);
        var direction = ReadOut(4, 1);
        var result = network.CreateInferenceView().IntegratedGradients(Tokens, direction, steps: 8);

        var parameters = network.NamedParameters().ToDictionary(t => t.Name, t => t.Values);
        int E = network.Options.EmbeddingSize;
        foreach (int id in Tokens) Array.Clear(parameters["embedding.weight"], id * E, E);
        Array.Clear(parameters["ngram.weight"]);
        Assert.AreEqual(Score(network, Tokens, direction), result.BaselineScore, 1e-5);
    }

    [TestMethod]
    public void ATokenWhoseEmbeddingIsTheBaselineGetsNothingFromTheDeepPath()
    {
        var network = RandomNetwork(2, LstmPooling.Mean, bidirectional: true, layers: 1, ngramBuckets: 0);
        int E = network.Options.EmbeddingSize;
        Array.Clear(network.NamedParameters().First(t => t.Name == "embedding.weight").Values, 9 * E, E);
        var result = network.CreateInferenceView().IntegratedGradients(Tokens, ReadOut(2, 1), steps: 16);
        Assert.AreEqual(0f, result.Tokens[Array.IndexOf(Tokens, 9)]);
        Assert.IsTrue(result.Tokens.Count(a => a != 0) == Tokens.Length - 1);
    }

    [TestMethod]
    public void TheSameCallGivesTheSameAttributionsWhateverTheChunking()
    {
        var network = RandomNetwork(2, LstmPooling.Max, bidirectional: true, layers: 2, ngramBuckets: 64);
        var view = network.CreateInferenceView();
        var first = view.IntegratedGradients(Tokens, ReadOut(2, 1), steps: 32);
        var again = view.IntegratedGradients(Tokens, ReadOut(2, 1), steps: 32);
        CollectionAssert.AreEqual(first.Tokens, again.Tokens);
        // A long text runs in several passes (8,192 packed rows each); a fresh view gives the same bits.
        var longTokens = Enumerable.Range(0, 700).Select(i => 2 + i * 7 % (Vocabulary - 2)).ToArray();
        var split = view.IntegratedGradients(longTokens, ReadOut(2, 1), steps: 20);
        var fresh = network.CreateInferenceView().IntegratedGradients(longTokens, ReadOut(2, 1), steps: 20);
        CollectionAssert.AreEqual(split.Tokens, fresh.Tokens);
        Assert.AreEqual(Score(network, longTokens, ReadOut(2, 1)), split.InputScore, 1e-4);
    }

    [TestMethod]
    public void TheWidePathSharesEachNgramEquallyAmongItsTokens()
    {
        const int Buckets = 1 << 12, Classes = 2;
        var layer = new NgramLinear(Buckets, maxNgramLength: 2, Classes, ComputeContext.Default.WithThreads(1));
        var random = new Random(3);
        for (int i = 0; i < layer.Weight.Length; i++) layer.Weight[i] = (float)(random.NextDouble() - 0.5);
        int[] tokens = [5, 8];
        float[] direction = [-1f, 1f];
        int[] subwords = [11, 123456, -7], owners = [0, 1, 1]; // the sub-word bag: hashes and the token each comes from
        var attributions = new float[2];
        double total = layer.AttributeToTokens(tokens, subwords, owners, direction, attributions);

        var logits = new float[Classes];
        layer.Forward(new[] { tokens }, new[] { subwords }, logits);
        Assert.AreEqual(logits[1] - logits[0], total, 1e-5, "the wide path's share is its whole score (its baseline, the empty bag, scores 0)");
        Assert.AreEqual(total, attributions.Sum(), 1e-5);
        // Word bag: entries 5, 8 and the bigram (5, 8), each weighing 1/√3; half the bigram goes to each of its tokens.
        // Sub-word bag: three hashes, each weighing 1/√3, each wholly its owner's.
        double Margin(int row) => layer.Weight[row * Classes + 1] - layer.Weight[row * Classes];
        double Subword(int i) => Margin((int)((uint)subwords[i] % (uint)layer.Buckets)) / Math.Sqrt(3);
        double bigram = (total - Subword(0) - Subword(1) - Subword(2)) * Math.Sqrt(3) - Margin(5) - Margin(8);
        Assert.AreEqual((Margin(5) + bigram / 2) / Math.Sqrt(3) + Subword(0), attributions[0], 1e-5);
        Assert.AreEqual((Margin(8) + bigram / 2) / Math.Sqrt(3) + Subword(1) + Subword(2), attributions[1], 1e-5);
    }

    [TestMethod]
    public void BadArgumentsAreNamed()
    {
        var network = RandomNetwork(2, LstmPooling.Mean, bidirectional: false, layers: 1, ngramBuckets: 0);
        Assert.ThrowsExactly<InvalidOperationException>(() => network.IntegratedGradients(Tokens, ReadOut(2, 1), 8));
        var view = network.CreateInferenceView();
        Assert.AreEqual("steps", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => view.IntegratedGradients(Tokens, ReadOut(2, 1), 0)).ParamName);
        Assert.AreEqual("steps", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => view.IntegratedGradients(Tokens, ReadOut(2, 1), ModelLimits.MaxExplanationSteps + 1)).ParamName);
        Assert.AreEqual("direction", Assert.ThrowsExactly<ArgumentException>(() => view.IntegratedGradients(Tokens, new float[3], 8)).ParamName);
        Assert.AreEqual("tokens", Assert.ThrowsExactly<ArgumentException>(() => view.IntegratedGradients([], ReadOut(2, 1), 8)).ParamName);
        Assert.AreEqual("ids", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => view.IntegratedGradients([Vocabulary], ReadOut(2, 1), 8)).ParamName);
    }
}
