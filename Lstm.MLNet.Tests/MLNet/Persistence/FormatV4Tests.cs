using System.Globalization;
using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet.Persistence;

/// <summary>
/// Format v4: the global forecaster's payload gained its network count (an ensemble, <c>EnsembleSize</c>) and positive
/// series' log units (<c>SeriesScale.Spread</c>, which v3 wrote but did not use). Nothing else changed but the envelope's
/// version (<see cref="SavedLayoutTests"/>). v3 global models still load: <c>TestData/v3-models/global.zip</c> was trained
/// and saved by the code of format v3 (commit f9b7268, the six-store data and options of GlobalForecastingTests), its
/// forecasts and bands recorded then, bit for bit.
/// </summary>
[TestClass]
public sealed class FormatV4Tests
{
    private static string V3PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "TestData", "v3-models", file);

    [TestMethod]
    public void V3GlobalModel_Loads_AndForecastsAsWhenItWasSaved_BeforeAndAfterASaveInV4()
    {
        var ml = new MLContext(seed: 1);
        var model = (LstmForecastingTransformer)ml.Model.Load(V3PathOf("global.zip"), out var schema);
        Assert.AreEqual(1, model.Options.EnsembleSize, "a v3 global model holds one network");
        AssertRecordedForecasts(model, "loaded from v3");

        using var stream = new MemoryStream();
        ml.Model.Save(model, schema, stream);
        var saved = new SavedModelStream(stream.ToArray());
        Assert.AreEqual(4, System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(saved.Entry.AsSpan(saved.Start + 8)), "the version written");
        stream.Position = 0;
        AssertRecordedForecasts((LstmForecastingTransformer)ml.Model.Load(stream, out _), "saved again in v4");
    }

    private static void AssertRecordedForecasts(LstmForecastingTransformer model, string when)
    {
        var engine = model.CreateForecastingEngine();
        foreach (var line in File.ReadAllLines(V3PathOf("global.predictions.txt")))
        {
            var parts = line.Split(' ');
            var f = engine.Predict(parts[0]);
            var actual = f.Forecast.Concat(f.LowerBound).Concat(f.UpperBound).Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray();
            CollectionAssert.AreEqual(parts[1..], actual, $"series {parts[0]}, {when}: the v3 fixture's forecast changed");
        }
    }
}
