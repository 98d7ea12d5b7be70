using Lstm.MLNet.TimeSeries;

namespace Lstm.MLNet.Tests.TimeSeries;

[TestClass]
public sealed class SeasonalityDetectionTests
{
    /// <summary>level + slope·t + amplitude·sin(2πt/period) + seeded Gaussian noise.</summary>
    internal static float[] Synthetic(int length, int period, double amplitude, double slope = 0, double noise = 1, int seed = 7, double level = 100)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(t =>
        {
            double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            return (float)(level + slope * t + (period > 1 ? amplitude * Math.Sin(2 * Math.PI * t / period) : 0) + noise * gaussian);
        }).ToArray();
    }

    [TestMethod]
    public void Autocorrelation_MatchesHandComputedValues()
    {
        // x = 1, 2, 3, 4: mean 2.5, centred −1.5, −0.5, 0.5, 1.5, Σ² = 5; lag 1: (−1.5·−0.5 + −0.5·0.5 + 0.5·1.5)/5 = 0.25.
        var r = SeasonalityDetection.Autocorrelation([1f, 2f, 3f, 4f], 2);
        Assert.AreEqual(1.0, r[0], 1e-12);
        Assert.AreEqual(0.25, r[1], 1e-12);
        Assert.AreEqual(-0.3, r[2], 1e-12); // (−1.5·0.5 + −0.5·1.5)/5
        CollectionAssert.AreEqual(new double[3], SeasonalityDetection.Autocorrelation([5f, 5f, 5f, 5f], 2));
    }

    [TestMethod]
    public void Detect_FindsThePeriodWithoutAHint_AndIgnoresATrend()
    {
        Assert.AreEqual(12, SeasonalityDetection.Detect(Synthetic(240, 12, amplitude: 10, slope: 0.5)).Period);
        Assert.AreEqual(24, SeasonalityDetection.Detect(Synthetic(24 * 30, 24, amplitude: 5)).Period);
        Assert.AreEqual(7, SeasonalityDetection.Detect(Synthetic(400, 7, amplitude: 3)).Period);
    }

    [TestMethod]
    public void Detect_WhiteNoiseAndATrend_AreNotSeasonal()
    {
        var noise = SeasonalityDetection.Detect(Synthetic(300, 1, amplitude: 0, noise: 1, seed: 3));
        Assert.IsFalse(noise.IsSeasonal, noise.Reason);
        Assert.IsFalse(SeasonalityDetection.Detect(Synthetic(300, 1, amplitude: 0, slope: 1, noise: 0.5)).IsSeasonal);
    }

    [TestMethod]
    public void Hint_IsTestedAsM4Does()
    {
        var seasonal = Synthetic(120, 12, amplitude: 10);
        var result = SeasonalityDetection.Test(seasonal, 12);
        Assert.AreEqual(12, result.Period);
        Assert.IsTrue(Math.Abs(result.Autocorrelation) > result.Limit);
        // Fewer than three periods: not tested, not seasonal (M4's rule).
        Assert.IsFalse(SeasonalityDetection.IsSeasonal(seasonal.AsSpan(0, 35), 12));
        // A hint that the data do not support gives no season.
        Assert.AreEqual(1, SeasonalityDetection.Detect(Synthetic(120, 1, amplitude: 0, seed: 5), frequencyHint: 12).Period);
        Assert.AreEqual(1, SeasonalityDetection.Detect(seasonal, frequencyHint: 1).Period);
    }

    [TestMethod]
    public void BadInput_NamesTheProblem()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => SeasonalityDetection.Detect([1f, 2f, 3f]));
        StringAssert.Contains(e.Message, "3 values");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SeasonalityDetection.Test(new float[50], 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SeasonalityDetection.Detect(new float[50], frequencyHint: -2));
    }

    [TestMethod]
    public void Decomposition_RecoversMultiplicativeIndices_AndNaive2ReseasonalisesPersistence()
    {
        // A pure multiplicative season on a constant level: indices are the pattern normalised to mean 1.
        double[] pattern = [0.8, 1.0, 1.2, 1.0];
        var series = Enumerable.Range(0, 40).Select(t => (float)(50 * pattern[t % 4])).ToArray();
        var figure = ClassicalDecomposition.SeasonalIndices(series, 4, multiplicative: true);
        for (int i = 0; i < 4; i++) Assert.AreEqual(pattern[i], figure[i], 1e-6);
        var naive2 = NaiveForecasts.Naive2(series, 4, 6);
        for (int h = 0; h < 6; h++) Assert.AreEqual(50 * pattern[(40 + h) % 4], naive2[h], 1e-3);
        Assert.AreEqual(1.0, ClassicalDecomposition.SeasonalStrength(series, 4), 1e-9);

        // Not seasonal: Naive2 is persistence.
        var flat = SeasonalityDetectionTests.Synthetic(60, 1, amplitude: 0, seed: 11);
        CollectionAssert.AreEqual(NaiveForecasts.Persistence(flat, 5), NaiveForecasts.Naive2(flat, 12, 5));
    }

    [TestMethod]
    public void SeasonalNaive_AndMaseScale_FollowM4()
    {
        float[] history = [1, 2, 3, 4, 5, 6];
        CollectionAssert.AreEqual(new float[] { 4, 5, 6, 4, 5 }, NaiveForecasts.SeasonalNaive(history, 3, 5));
        Assert.AreEqual(3.0, NaiveForecasts.MaseScale(history, 3), 1e-12);
        Assert.AreEqual(1.0, NaiveForecasts.MaseScale(history, 1), 1e-12);
        Assert.ThrowsExactly<ArgumentException>(() => NaiveForecasts.MaseScale(history, 6));
    }
}
