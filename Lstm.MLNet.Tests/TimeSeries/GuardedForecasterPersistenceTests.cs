using Lstm.MLNet.Model;
using Lstm.MLNet.TimeSeries;

namespace Lstm.MLNet.Tests.TimeSeries;

/// <summary>The forecaster's model object writes and reads its whole state (scaler, intervals, engine state, weights, guard) with no ML.NET type.</summary>
[TestClass]
public sealed class GuardedForecasterPersistenceTests
{
    private const int Window = 6, Horizon = 3, Covariates = 1, Period = 8;
    private static readonly SequenceRegressorOptions Network = new() { HiddenSize = 5, NumberOfLayers = 2, Outputs = Horizon, Seed = 9, NumberOfThreads = 1 };
    private static readonly ForecasterShape Shape = new(Network, SeriesTransformKind.None, ForecastStrategy.Direct, Window, Horizon, Covariates, 0.9f);
    private const int TrainingRecord = 0x5EC0DE;   // stands in for the caller's part between the state and the weights

    private static GuardedForecaster Build(ForecastDecision decision, double weight) => new(
        new SeriesForecaster(new SequenceRegressorNetwork(1 + Covariates, Network), new Standardizer([3f, -1f], [2f, 0.5f]),
            SeriesTransformKind.None, ForecastStrategy.Direct, Window, Horizon, Covariates),
        new ResidualIntervals([-1f, -2f, -3f], [1.5f, 2.5f, 3.5f], 0.9f),
        new ForecastDiagnostics(SeriesTransformKind.None, Period, 7, 1.25, 2.5, 2.0, decision, weight, "seasonal-naive beat the network"));

    private static float[] Tail(int length) => Enumerable.Range(0, length).Select(i => MathF.Sin(i * 0.7f) * 4 + i).ToArray();
    private static readonly float[] CovariateTail = Enumerable.Range(0, Window * Covariates).Select(i => i * 0.25f - 1).ToArray();

    private static byte[] Save(GuardedForecaster model, float[] tail)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            model.Write(w, tail, CovariateTail, record => record.Write(TrainingRecord));
        return stream.ToArray();
    }

    private static (GuardedForecaster Model, float[] Tail, float[] CovariateTail) Load(byte[] bytes, bool mayHoldGuard)
    {
        using var r = new BinaryReader(new MemoryStream(bytes));
        int record = 0;
        var loaded = GuardedForecaster.Read(r, Shape, mayHoldGuard, reader => record = reader.ReadInt32());
        Assert.AreEqual(TrainingRecord, record, "the caller's record is read where it was written");
        Assert.AreEqual(r.BaseStream.Length, r.BaseStream.Position, "everything written is read");
        return loaded;
    }

    private static float[][] Forecast(GuardedForecaster model, float[] tail)
    {
        float[] forecast = new float[Horizon], lower = new float[Horizon], upper = new float[Horizon];
        model.Forecast(tail, CovariateTail, forecast, lower, upper);
        return [forecast, lower, upper];
    }

    [TestMethod]
    [DataRow(ForecastDecision.Network, 1.0)]
    [DataRow(ForecastDecision.Blend, 0.4)]
    [DataRow(ForecastDecision.SeasonalNaive, 0.0)]
    public void RoundTrip_ForecastsBitIdentically_AndSavesTheSameBytes(ForecastDecision decision, double weight)
    {
        var model = Build(decision, weight);
        var tail = Tail(model.StateLength);
        var bytes = Save(model, tail);

        var (loaded, loadedTail, loadedCovariates) = Load(bytes, mayHoldGuard: true);

        CollectionAssert.AreEqual(tail, loadedTail);
        CollectionAssert.AreEqual(CovariateTail, loadedCovariates);
        var (saved, read) = (model.Diagnostics, loaded.Diagnostics);
        Assert.AreEqual((saved.Decision, saved.NetworkWeight, saved.SeasonalPeriod, saved.ValidationWindows, saved.Reason),
            (read.Decision, read.NetworkWeight, read.SeasonalPeriod, read.ValidationWindows, read.Reason));
        Assert.AreEqual((saved.NetworkMae, saved.PersistenceMae, saved.SeasonalNaiveMae), (read.NetworkMae, read.PersistenceMae, read.SeasonalNaiveMae));
        var expected = Forecast(model, tail);
        var actual = Forecast(loaded, loadedTail);
        for (int i = 0; i < expected.Length; i++) CollectionAssert.AreEqual(expected[i], actual[i]);
        CollectionAssert.AreEqual(bytes, Save(loaded, loadedTail));
    }

    [TestMethod]
    public void WithoutAGuard_TheNetworkIsServed()
    {
        var model = Build(ForecastDecision.Network, 1.0);
        var bytes = Save(model, Tail(model.StateLength));
        var guardless = bytes[..^GuardBytes(model)];   // a v2 model saved before the guard ends after the weights

        var (loaded, _, _) = Load(guardless, mayHoldGuard: true);

        Assert.AreEqual(ForecastDecision.Network, loaded.Diagnostics.Decision);
        Assert.AreEqual(1, loaded.Diagnostics.SeasonalPeriod);
    }

    [TestMethod]
    public void StateOfTheWrongLength_IsRefused_OnWriteAndRead()
    {
        var model = Build(ForecastDecision.SeasonalNaive, 0.0);   // state: a full season (8), longer than the window (6)
        var error = Assert.ThrowsExactly<ArgumentException>(() => Save(model, Tail(Window)));
        StringAssert.Contains(error.Message, $"needs {Period} and {Window * Covariates}");

        var network = Build(ForecastDecision.Network, 1.0);      // state: the window; its bytes read under a seasonal guard
        var bytes = Save(network, Tail(network.StateLength));
        var seasonalGuard = Save(model, Tail(model.StateLength))[^GuardBytes(model)..];
        var mixed = bytes[..^GuardBytes(network)].Concat(seasonalGuard).ToArray();
        var invalid = Assert.ThrowsExactly<InvalidDataException>(() => Load(mixed, mayHoldGuard: true));
        StringAssert.Contains(invalid.Message, $"holds {Window} observations");
    }

    /// <summary>The guard section's length: three ints, four doubles and the length-prefixed reason (under 128 bytes).</summary>
    private static int GuardBytes(GuardedForecaster model) => 3 * 4 + 4 * 8 + 1 + System.Text.Encoding.UTF8.GetByteCount(model.Diagnostics.Reason);
}
