using Lstm.MLNet.TimeSeries;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet.Forecasting;

[TestClass]
public sealed class GlobalForecastingTests
{
    private sealed class Row
    {
        public string Store { get; set; } = "";
        public float Sales { get; set; }
    }

    // Six monthly series whose levels differ up to two-hundredfold, rows interleaved by month (five or more let the guard judge the network).
    private static Row[] Rows(int months)
    {
        var random = new Random(3);
        var levels = new Dictionary<string, double> { ["a"] = 10, ["b"] = 100, ["c"] = 1000, ["d"] = 20, ["e"] = 200, ["f"] = 2000 };
        return Enumerable.Range(0, months).SelectMany(t => levels.Select(l => new Row
        {
            Store = l.Key,
            Sales = (float)(l.Value * (1 + 0.01 * t) * (1 + 0.3 * Math.Sin(2 * Math.PI * t / 12)) * (1 + 0.02 * random.NextDouble())),
        })).ToArray();
    }

    private static LstmForecastingOptions Options() => new()
    {
        InputColumnName = nameof(Row.Sales), SeriesIdColumnName = nameof(Row.Store), WindowSize = 12, Horizon = 6, SeasonalPeriod = 12,
        HiddenSize = 8, MaxEpochs = 15, NumberOfThreads = 1, Seed = 1,
    };

    [TestMethod]
    public void OneModel_ForecastsEachSeries_OnItsOwnLevel_AndSavesItsState()
    {
        var ml = new MLContext(1);
        var rows = Rows(72);
        var model = ml.Forecasting.ForecastByLstm(Options()).Fit(ml.Data.LoadFromEnumerable(rows));
        StringAssert.Contains(model.Diagnostics.Reason, "Global model over 6 series");
        Assert.DoesNotContain("networks", model.Diagnostics.Reason.Split("Guard")[0], "one network");
        StringAssert.Contains(model.Diagnostics.Reason, "Guard per series on its last 3 non-overlapping windows, seasonal-naive at 12 (6 of 6 series");
        var engine = model.CreateForecastingEngine();
        CollectionAssert.AreEqual(new[] { "a", "b", "c", "d", "e", "f" }, engine.SeriesIds.ToArray());
        var a = engine.Predict("a");
        var c = engine.Predict("c");
        Assert.HasCount(6, a.Forecast);
        // Each series on its own level: c's forecasts are about a hundred times a's, every band holds its forecast and stays positive.
        Assert.IsTrue(a.Forecast.Zip(c.Forecast).All(p => p.Second / p.First is > 50 and < 200), string.Join(", ", a.Forecast.Zip(c.Forecast)));
        foreach (var f in new[] { a, c })
            Assert.IsTrue(f.LowerBound.Zip(f.Forecast, f.UpperBound).All(t => t.First > 0 && t.First <= t.Second && t.Second <= t.Third));

        // The state is per series: updating one leaves the others' forecasts unchanged.
        engine.Update("a", rows[^6].Sales * 1.5f);
        CollectionAssert.AreNotEqual(a.Forecast, engine.Predict("a").Forecast);
        CollectionAssert.AreEqual(c.Forecast, engine.Predict("c").Forecast);

        // The checkpoint holds every series' state; a reloaded model continues from it bit-identically.
        using var stream = new MemoryStream();
        engine.CheckPoint(ml, stream);
        stream.Position = 0;
        var loaded = (LstmForecastingTransformer)ml.Model.Load(stream, out _);
        var reloaded = loaded.CreateForecastingEngine();
        CollectionAssert.AreEqual(engine.Predict("a").Forecast, reloaded.Predict("a").Forecast);
        CollectionAssert.AreEqual(engine.Predict("b").UpperBound, reloaded.Predict("b").UpperBound);
        Assert.AreEqual(nameof(Row.Store), loaded.Options.SeriesIdColumnName);
    }

    [TestMethod]
    public void WrongUse_IsNamed()
    {
        var ml = new MLContext(1);
        var options = Options();
        options.MaxEpochs = 1;
        var model = ml.Forecasting.ForecastByLstm(options).Fit(ml.Data.LoadFromEnumerable(Rows(40)));
        var engine = model.CreateForecastingEngine();
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => engine.Predict()).Message, "Predict(seriesId)");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => engine.Predict("z")).Message, "'z' is not one of the 6 series");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => ml.Forecasting.ForecastByLstm(new LstmForecastingOptions { InputColumnName = "Sales" })
            .Fit(ml.Data.LoadFromEnumerable(Rows(40))).CreateForecastingEngine().Predict("a")).Message, "one series");

        var withCovariates = Options();
        withCovariates.CovariateColumnNames = ["Other"];
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.ForecastByLstm(withCovariates)).Message, "no covariates");
        var withTransform = Options();
        withTransform.Transform = SeriesTransformKind.Log;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.ForecastByLstm(withTransform)).Message, "Transform must stay Auto");
        var missing = Options();
        missing.SeriesIdColumnName = "Shop";
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Forecasting.ForecastByLstm(missing).Fit(ml.Data.LoadFromEnumerable(Rows(40))));
        foreach (int size in new[] { 0, 9 })
        {
            var ensemble = Options();
            ensemble.EnsembleSize = size;
            Assert.AreEqual(nameof(LstmForecastingOptions.EnsembleSize), Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Forecasting.ForecastByLstm(ensemble)).ParamName);
        }
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.ForecastByLstm(
            new LstmForecastingOptions { InputColumnName = "Sales", EnsembleSize = 2 })).Message, "set SeriesIdColumnName");
    }

    /// <summary>
    /// An ensemble of two: its forecast differs from either member's model alone, the first member is the one-network model
    /// of the same seed (its history is the model's), and the saved model holds both (Options.EnsembleSize after load).
    /// </summary>
    [TestMethod]
    public void Ensemble_TrainsEachSeed_AndSavesEveryNetwork()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(Rows(72));
        var options = Options();
        options.MaxEpochs = 4;
        var single = ml.Forecasting.ForecastByLstm(options).Fit(data);
        options.EnsembleSize = 2;
        var ensemble = ml.Forecasting.ForecastByLstm(options).Fit(data);
        CollectionAssert.AreEqual(single.TrainingHistory.Select(e => e.ValidationLoss).ToArray(), ensemble.TrainingHistory.Select(e => e.ValidationLoss).ToArray(),
            "the first network trains as the one-network model does");
        StringAssert.Contains(ensemble.Diagnostics.Reason, "the mean of 2 networks (seeds 1 to 2");
        var forecast = ensemble.CreateForecastingEngine().Predict("c").Forecast;
        CollectionAssert.AreNotEqual(single.CreateForecastingEngine().Predict("c").Forecast, forecast);

        using var stream = new MemoryStream();
        ml.Model.Save(ensemble, data.Schema, stream);
        stream.Position = 0;
        var loaded = (LstmForecastingTransformer)ml.Model.Load(stream, out _);
        Assert.AreEqual(2, loaded.Options.EnsembleSize);
        CollectionAssert.AreEqual(forecast, loaded.CreateForecastingEngine().Predict("c").Forecast);
    }
}
