using System.Buffers.Binary;
using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Persistence;
using Lstm.MLNet.TimeSeries;

namespace Lstm.MLNet.Tests.TimeSeries;

[TestClass]
public sealed class GlobalSeriesForecasterTests
{
    private const int Window = 8, Horizon = 4, Period = 4;

    private static SequenceRegressorNetwork Network(int seed) => new(1, new SequenceRegressorOptions { Outputs = Horizon, HiddenSize = 4, Seed = seed });

    private static GlobalSeriesForecaster Model(IReadOnlyList<ServedStep>? guard, params int[] seeds)
    {
        var networks = (seeds.Length == 0 ? [3] : seeds).Select(Network).ToArray();
        var scales = new[] { new SeriesScale([0.5f, 1f, 1.5f, 1f], positive: true, spread: 0.5f), new SeriesScale([], positive: false, spread: 2f) };
        return new GlobalSeriesForecaster(networks, new Standardizer([0f], [1f]), new ResidualIntervals([-0.1f, -0.1f, -0.1f, -0.1f], [0.1f, 0.1f, 0.1f, 0.1f], 0.9f),
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
        var loaded = GlobalSeriesForecaster.Read(new BinaryReader(stream), model.Networks[0].Options, 0.9f, ModelEnvelope.FormatVersion);
        var again = new float[Horizon];
        loaded.Forecast(0, tail, 0, again, lower, upper);
        CollectionAssert.AreEqual(new float[] { 5, 6, 7, 8 }, again);
        loaded.Forecast(1, tail, 0, again, lower, upper);
        CollectionAssert.AreEqual(network, again);
        Assert.AreEqual("series a falls back", loaded.GuardReason);
    }

    /// <summary>
    /// An ensemble serves its networks' mean on the shared scale: on series b (not positive, not seasonal: the scale is linear)
    /// that is the mean of the members' own forecasts. Both networks survive a save round trip; a payload claiming 9 is refused.
    /// </summary>
    [TestMethod]
    public void Ensemble_ServesItsMembersMean_AndSavesEveryMember()
    {
        var tail = new float[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        float[] lower = new float[Horizon], upper = new float[Horizon];
        float[] Forecast(GlobalSeriesForecaster m)
        {
            var f = new float[Horizon];
            m.Forecast(1, tail, 0, f, lower, upper);
            return f;
        }
        float[] first = Forecast(Model(null, 3)), second = Forecast(Model(null, 4));
        var ensemble = Model(null, 3, 4);
        var mean = Forecast(ensemble);
        CollectionAssert.AreNotEqual(first, second, "the seeds give different networks");
        for (int h = 0; h < Horizon; h++) Assert.AreEqual((first[h] + second[h]) / 2, mean[h], 1e-4f, $"step {h}");

        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) ensemble.Write(writer);
        var bytes = stream.ToArray();
        var loaded = GlobalSeriesForecaster.Read(new BinaryReader(new MemoryStream(bytes)), ensemble.Networks[0].Options, 0.9f, ModelEnvelope.FormatVersion);
        Assert.AreEqual(2, loaded.Networks.Count);
        CollectionAssert.AreEqual(mean, Forecast(loaded));
        int countAt = CountOffset(bytes, expected: 2);
        foreach (int claimed in new[] { 0, -1, 9, int.MaxValue })
        {
            var crafted = (byte[])bytes.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(crafted.AsSpan(countAt), claimed);
            Assert.ThrowsExactly<InvalidDataException>(() => GlobalSeriesForecaster.Read(new BinaryReader(new MemoryStream(crafted)), ensemble.Networks[0].Options, 0.9f,
                ModelEnvelope.FormatVersion), $"a payload claiming {claimed} networks");
        }
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Model(null, [.. Enumerable.Range(1, GlobalSeriesForecaster.MaxNetworks + 1)]));
    }

    /// <summary>
    /// Format 3 wrote one network's tensors without a count, and a positive series' spread it did not use: read as format 3,
    /// the same bytes without the count give one network and a unit of 1 on the positive series (its forecast is that of a
    /// model whose spread is 1), the other series' spread as written.
    /// </summary>
    [TestMethod]
    public void Format3Payload_ReadsOneNetwork_AndAUnitScaleForPositiveSeries()
    {
        var model = Model(null);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) model.Write(writer);
        var v4 = stream.ToArray();
        // The count is the int32 just before the first tensor block: find it as the 4 bytes the v4 payload has and v3's lacks.
        int countAt = CountOffset(v4, expected: 1);
        byte[] v3 = [.. v4[..countAt], .. v4[(countAt + 4)..]];
        var loaded = GlobalSeriesForecaster.Read(new BinaryReader(new MemoryStream(v3)), model.Networks[0].Options, 0.9f, formatVersion: 3);
        Assert.AreEqual(1f, loaded.Scales[0].Spread, "a positive series' unit in format 3");
        Assert.AreEqual(2f, loaded.Scales[1].Spread);
        var tail = new float[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        float[] expected = new float[Horizon], actual = new float[Horizon], lower = new float[Horizon], upper = new float[Horizon];
        var unitModel = new GlobalSeriesForecaster(model.Networks, model.Scaler, model.Intervals, Window, Horizon, Period, model.SeriesIds,
            [new SeriesScale(model.Scales[0].SeasonalFigure, positive: true, spread: 1f), model.Scales[1]]);
        unitModel.Forecast(0, tail, 0, expected, lower, upper);
        loaded.Forecast(0, tail, 0, actual, lower, upper);
        CollectionAssert.AreEqual(expected, actual);
        Assert.ThrowsExactly<InvalidDataException>(() => GlobalSeriesForecaster.Read(new BinaryReader(new MemoryStream(v3)), model.Networks[0].Options, 0.9f, ModelEnvelope.FormatVersion));
    }

    /// <summary>Where <see cref="GlobalSeriesForecaster.Write"/> puts the network count: after the series' scales.</summary>
    private static int CountOffset(byte[] payload, int expected)
    {
        using var r = new BinaryReader(new MemoryStream(payload));
        r.ReadInt32(); r.ReadInt32(); r.ReadInt32();
        for (int i = 0; i < 4; i++) ModelPayload.ReadFloats(r, "");
        int series = r.ReadInt32();
        for (int i = 0; i < series; i++) { r.ReadString(); r.ReadBoolean(); r.ReadSingle(); ModelPayload.ReadFloats(r, ""); }
        Assert.AreEqual(expected, BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan((int)r.BaseStream.Position)), "the network count");
        return (int)r.BaseStream.Position;
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
