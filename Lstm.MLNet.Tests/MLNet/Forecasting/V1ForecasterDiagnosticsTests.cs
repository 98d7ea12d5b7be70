using Lstm.MLNet.Tests.TestSupport;
using Lstm.MLNet.TimeSeries;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet.Forecasting;

/// <summary>A forecaster saved in format v1 (before the guard) reports that it serves its network, unguarded.</summary>
[TestClass]
public sealed class V1ForecasterDiagnosticsTests
{
    [TestMethod]
    public void V1Forecaster_HasNoGuard_ItsDiagnosticsSaySo()
    {
        var model = (LstmForecastingTransformer)new MLContext(1).Model.Load(ModelFixtures.PathOf("forecaster", ".zip"), out _);
        var d = model.Diagnostics;
        Assert.AreEqual(ForecastDecision.Network, d.Decision);
        Assert.AreEqual(1.0, d.NetworkWeight);
        Assert.AreEqual(0, d.ValidationWindows);
        Assert.IsTrue(double.IsNaN(d.NetworkMae));
        Assert.AreEqual(model.Options.Transform, d.Transform);
        StringAssert.Contains(d.Reason, "before the naive guard");
    }
}
