using Lstm.MLNet.Model;
using Lstm.MLNet.TimeSeries;

namespace Lstm.MLNet.Tests.TimeSeries;

[TestClass]
public sealed class GlobalSeriesForecasterTests
{
    private const int Window = 8, Horizon = 4, Period = 4;

    private static GlobalSeriesForecaster Model(IReadOnlyList<ServedStep>? guard)
    {
        var network = new SequenceRegressorNetwork(1, new SequenceRegressorOptions { Outputs = Horizon, HiddenSize = 4, Seed = 3 });
        var scales = new[] { new SeriesScale([0.5f, 1f, 1.5f, 1f], positive: true, spread: 1f), new SeriesScale([], positive: false, spread: 2f) };
        return new GlobalSeriesForecaster(network, new Standardizer([0f], [1f]), new ResidualIntervals([-0.1f, -0.1f, -0.1f, -0.1f], [0.1f, 0.1f, 0.1f, 0.1f], 0.9f),
            Window, Horizon, Period, ["a", "b"], scales, guard, guard == null ? "" : "series a falls back", guardPeriod: Period);
    }

    [TestMethod]
    public void GuardedSeries_ServesItsNaiveForecast_OthersTheNetwork_AndBothSurviveASaveRoundTrip()
    {
        var guard = new[] { new ServedStep(ForecastDecision.SeasonalNaive, 0, true), new ServedStep(ForecastDecision.Network, 1, false) };
        var model = Model(guard);
        Assert.AreEqual(Window, model.TailLength, "a season shorter than the window needs no longer tail");
        var tail = new float[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        float[] forecast = new float[Horizon], lower = new float[Horizon], upper = new float[Horizon];
        model.Forecast(0, tail, 0, forecast, lower, upper);
        CollectionAssert.AreEqual(new float[] { 5, 6, 7, 8 }, forecast, "seasonal-naive at period 4");
        Assert.IsTrue(lower.Zip(forecast, upper).All(t => t.First >= 0 && t.First <= t.Second && t.Second <= t.Third));
        var network = new float[Horizon];
        Model(null).Forecast(1, tail, 0, network, lower, upper);
        model.Forecast(1, tail, 0, forecast, lower, upper);
        CollectionAssert.AreEqual(network, forecast, "series b is not guarded");

        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) model.Write(writer);
        stream.Position = 0;
        var loaded = GlobalSeriesForecaster.Read(new BinaryReader(stream), model.Network.Options, 0.9f);
        var again = new float[Horizon];
        loaded.Forecast(0, tail, 0, again, lower, upper);
        CollectionAssert.AreEqual(new float[] { 5, 6, 7, 8 }, again);
        loaded.Forecast(1, tail, 0, again, lower, upper);
        CollectionAssert.AreEqual(network, again);
        Assert.AreEqual("series a falls back", loaded.GuardReason);
    }

    [TestMethod]
    public void BadInput_IsNamed()
    {
        var model = Model(null);
        float[] f = new float[Horizon], l = new float[Horizon], u = new float[Horizon];
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.Forecast(0, new float[3], 0, f, l, u)).Message, "last 8 observations");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Forecast(2, new float[Window], 0, f, l, u));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => GlobalSeriesForecaster.Train(["a"], [new float[10]], Window, Horizon, Period, 100, 0.9f,
            new SequenceRegressorOptions { Outputs = Horizon }, new Lstm.MLNet.Model.Training.SequenceTrainingOptions())).Message, "Series 'a' has 10 observations");
    }
}
