using Lstm.MLNet.TimeSeries;
using static Lstm.MLNet.Tests.TimeSeries.SeasonalityDetectionTests;

namespace Lstm.MLNet.Tests.TimeSeries;

[TestClass]
public sealed class TransformSelectionTests
{
    [TestMethod]
    public void Kpss_IsSmallForNoise_AndLargeForARandomWalk()
    {
        var noise = Synthetic(300, 1, amplitude: 0, seed: 2);
        Assert.IsTrue(TransformSelection.Kpss(noise) < TransformSelection.KpssCriticalValue);
        var walk = new float[300];
        var steps = Synthetic(300, 1, amplitude: 0, level: 0, seed: 4);
        for (int t = 1; t < walk.Length; t++) walk[t] = walk[t - 1] + steps[t];
        Assert.IsTrue(TransformSelection.Kpss(walk) > TransformSelection.KpssCriticalValue);
    }

    [TestMethod]
    public void Choose_FollowsAutoArimaRules()
    {
        var stationary = TransformSelection.Choose(Synthetic(200, 1, amplitude: 0, seed: 9));
        Assert.AreEqual(SeriesTransformKind.None, stationary.Kind, stationary.Reason);

        var trend = TransformSelection.Choose(Synthetic(200, 1, amplitude: 0, slope: 0.5, seed: 9));
        Assert.AreEqual(SeriesTransformKind.Difference, trend.Kind, trend.Reason);

        var seasonal = TransformSelection.Choose(Synthetic(240, 12, amplitude: 20, noise: 1), frequencyHint: 12);
        Assert.AreEqual(SeriesTransformKind.SeasonalDifference, seasonal.Kind, seasonal.Reason);
        Assert.AreEqual(12, seasonal.SeasonalPeriod);
        Assert.IsTrue(seasonal.SeasonalStrength > TransformSelection.SeasonalStrengthThreshold);
    }

    [TestMethod]
    public void Choose_TakesLogs_WhenTheSwingGrowsWithTheLevel()
    {
        // Airline-like: exponential growth with a multiplicative season.
        var random = new Random(1);
        var series = Enumerable.Range(0, 144).Select(t => (float)(100 * Math.Exp(0.01 * t) * (1 + 0.2 * Math.Sin(2 * Math.PI * t / 12)) * (1 + 0.02 * (random.NextDouble() - 0.5)))).ToArray();
        var choice = TransformSelection.Choose(series, frequencyHint: 12);
        Assert.AreEqual(SeriesTransformKind.LogSeasonalDifference, choice.Kind, choice.Reason);
        Assert.IsTrue(choice.LevelSpreadCorrelation >= TransformSelection.LogCorrelationThreshold);

        // The same with an additive season of constant size: no log.
        var additive = Enumerable.Range(0, 144).Select(t => (float)(100 + t + 20 * Math.Sin(2 * Math.PI * t / 12))).ToArray();
        Assert.IsFalse(TransformSelection.Choose(additive, 12).Kind is SeriesTransformKind.Log or SeriesTransformKind.LogDifference or SeriesTransformKind.LogSeasonalDifference);
    }

    [TestMethod]
    public void Choose_IsDeterministic_AndRejectsBadInput()
    {
        var series = Synthetic(150, 12, amplitude: 5, slope: 0.2);
        Assert.AreEqual(TransformSelection.Choose(series, 12), TransformSelection.Choose(series, 12));
        var e = Assert.ThrowsExactly<ArgumentException>(() => TransformSelection.Choose([1f, 2f, float.NaN, 4f, 5f, 6f, 7f, 8f]));
        StringAssert.Contains(e.Message, "Value 2");
        Assert.ThrowsExactly<ArgumentException>(() => TransformSelection.Choose([1f, 2f, 3f]));
    }

    [TestMethod]
    public void SeasonalDifference_RoundTrips_BeyondOnePeriod()
    {
        var series = Synthetic(40, 4, amplitude: 3, slope: 0.3);
        foreach (var kind in new[] { SeriesTransformKind.SeasonalDifference, SeriesTransformKind.LogSeasonalDifference })
        {
            var z = SeriesTransform.Forward(kind, series, 4);
            Assert.AreEqual(36, z.Length);
            // Undo the last 10 transformed values from the 4 raw values before them: the raw values come back.
            var forecasts = z[^10..];
            SeriesTransform.Inverse(kind, series.AsSpan(26, 4), 4, forecasts);
            for (int h = 0; h < 10; h++) Assert.AreEqual(series[30 + h], forecasts[h], 1e-3, $"{kind} step {h}");
        }
        Assert.AreEqual(4, SeriesTransform.Lag(SeriesTransformKind.SeasonalDifference, 4));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SeriesTransform.Lag(SeriesTransformKind.SeasonalDifference));
        StringAssert.Contains(e.Message, "seasonal period");
        Assert.ThrowsExactly<ArgumentException>(() => SeriesTransform.Inverse(SeriesTransformKind.SeasonalDifference, 1f, new float[3]));
        Assert.ThrowsExactly<ArgumentException>(() => SeriesTransform.Inverse(SeriesTransformKind.SeasonalDifference, new float[2], 4, new float[3]));
    }
}
