using Lstm.MLNet.TimeSeries;

namespace Lstm.MLNet.Tests.TimeSeries;

/// <summary>How the guard's decision turns a network forecast into the served one.</summary>
[TestClass]
public sealed class GuardedForecasterTests
{
    private static ForecastDiagnostics Decision(ForecastDecision decision, double weight, double persistenceMae, double seasonalMae, int period) =>
        new(SeriesTransformKind.None, period, 10, 5, persistenceMae, seasonalMae, decision, weight, "test");

    [TestMethod]
    public void Serve_Network_Blend_AndFallBacks()
    {
        float[] history = [1, 2, 3, 4, 10, 20, 30, 40];   // last 40; a season of 4 back: 10, 20, 30, 40
        var network = new float[] { 100, 100, 100, 100, 100 };

        var served = network.ToArray();
        GuardedForecaster.Serve(Decision(ForecastDecision.Network, 1, 1, 2, 4), history, served);
        CollectionAssert.AreEqual(network, served);

        served = network.ToArray();
        GuardedForecaster.Serve(Decision(ForecastDecision.Persistence, 0, 1, 2, 4), history, served);
        CollectionAssert.AreEqual(new float[] { 40, 40, 40, 40, 40 }, served);

        served = network.ToArray();
        GuardedForecaster.Serve(Decision(ForecastDecision.SeasonalNaive, 0, 2, 1, 4), history, served);
        CollectionAssert.AreEqual(new float[] { 10, 20, 30, 40, 10 }, served);

        // A blend uses the naive forecast with the lower validation MAE: here seasonal-naive.
        served = network.ToArray();
        GuardedForecaster.Serve(Decision(ForecastDecision.Blend, 0.3, 2, 1, 4), history, served);
        CollectionAssert.AreEqual(new float[] { 37, 44, 51, 58, 37 }, served);
    }
}
