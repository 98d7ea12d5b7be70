using Lstm.MLNet.TimeSeries;

namespace Lstm.MLNet.Tests.TimeSeries;

[TestClass]
public sealed class SeriesScaleTests
{
    /// <summary>
    /// A positive series' unit is √(mean |Δ ln x|): for x growing 1% a step (ln changes of 0.01, no season) it is 0.1, so a
    /// log ratio of 0.05 sits at 0.5 on the scale; a constant series keeps the floor 0.01; the scale inverts exactly.
    /// </summary>
    [TestMethod]
    public void PositiveSeries_LogRatios_AreInUnitsOfTheRootOfTheirMeanChange()
    {
        var growing = Enumerable.Range(0, 50).Select(t => (float)Math.Exp(0.01 * t)).ToArray();
        var scale = SeriesScale.Fit(growing, period: 1);
        Assert.IsTrue(scale.Positive);
        Assert.AreEqual(0.1f, scale.Spread, 1e-4f);
        Assert.AreEqual(0.5f, scale.ToScale(Math.Exp(0.05) * 20, level: 20), 1e-3f);
        foreach (double x in new[] { 0.5, 20.0, 37.5 })
            Assert.AreEqual(x, scale.FromScale(scale.ToScale(x, level: 20), level: 20), 1e-4 * x);

        Assert.AreEqual(0.01f, SeriesScale.Fit(Enumerable.Repeat(25f, 40).ToArray(), period: 1).Spread, 1e-6f, "a constant series");
        // Not positive: the unit stays the mean absolute change of the values themselves.
        Assert.AreEqual(2f, SeriesScale.Fit([0f, 2f, 4f, 2f, 0f], period: 1).Spread);
    }

    /// <summary>The change is measured on the seasonally adjusted series: a series that is its season alone is quiet (the floor).</summary>
    [TestMethod]
    public void PositiveSeries_UnitIgnoresTheSeason()
    {
        var seasonal = Enumerable.Range(0, 48).Select(t => new[] { 10f, 20f, 30f, 20f }[t % 4]).ToArray();
        var scale = SeriesScale.Fit(seasonal, period: 4);
        Assert.AreEqual(4, scale.SeasonalFigure.Length);
        Assert.AreEqual(0.01f, scale.Spread, 1e-3f);
    }
}
