using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.SequenceRegression;

/// <summary>MaxSequenceLength is one rule for training and prediction: a long row predicts exactly as its truncated form.</summary>
[TestClass]
public sealed class TruncationTests
{
    public sealed class Row
    {
        [VectorType] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    /// <summary>Rows of 2 features per step, 3–12 steps; the label depends on the last steps only.</summary>
    private static Row[] Rows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var values = new float[2 * random.Next(3, 13)];
            for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
            return new Row { Features = values, Label = 3 * values[^2] - values[^3] };
        }).ToArray();
    }

    [TestMethod]
    public void LongRow_PredictsExactlyAsItsLastMaxSequenceLengthSteps()
    {
        var ml = new MLContext(seed: 1);
        var options = new LstmSequenceRegressorOptions
        {
            FeaturesPerStep = 2, HiddenSize = 8, MaxEpochs = 3, NumberOfThreads = 1, Seed = 4, MaxSequenceLength = 4,
        };
        var model = (LstmSequenceRegressionTransformer)ml.Regression.Trainers.LstmSequence(options).Fit(ml.Data.LoadFromEnumerable(Rows(80, seed: 1)));

        var longRows = Rows(20, seed: 2).Where(r => r.Features.Length > 8).ToArray();
        Assert.IsGreaterThan(5, longRows.Length);
        var truncated = longRows.Select(r => new Row { Features = r.Features[^8..] }).ToArray();
        var full = model.Transform(ml.Data.LoadFromEnumerable(longRows)).GetColumn<float>("Score").ToArray();
        var kept = model.Transform(ml.Data.LoadFromEnumerable(truncated)).GetColumn<float>("Score").ToArray();
        CollectionAssert.AreEqual(kept.Select(BitConverter.SingleToInt32Bits).ToArray(), full.Select(BitConverter.SingleToInt32Bits).ToArray(),
            "a row longer than MaxSequenceLength steps must predict as its last MaxSequenceLength steps");
        CollectionAssert.AreEqual(kept, longRows.Select(r => model.Predict(r.Features)[0]).ToArray(), "the convenience Predict applies the same rule");
    }
}
