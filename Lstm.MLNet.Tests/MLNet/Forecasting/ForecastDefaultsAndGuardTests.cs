using Lstm.MLNet.TimeSeries;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet.Forecasting;

/// <summary>
/// Issue 9: the Auto transform chosen by validation, the naive guard's decision (served, logged, exposed, saved), the
/// explicit transform winning, and a Log transform's band staying at or above zero.
/// </summary>
[TestClass]
public sealed class ForecastDefaultsAndGuardTests
{
    public sealed class Observation
    {
        public float Value { get; set; }
    }

    private static IDataView Data(MLContext ml, IEnumerable<float> values) => ml.Data.LoadFromEnumerable(values.Select(v => new Observation { Value = v }));

    /// <summary>A trending series with a weekly pattern and noise: the last part runs above anything seen before it.</summary>
    private static float[] TrendingWeekly(int count, int seed = 3)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(t => (float)(50 + 0.6 * t + 8 * Math.Sin(2 * Math.PI * t / 7) + 3 * random.NextDouble())).ToArray();
    }

    /// <summary>A random walk: persistence is the best forecast there is, so a small, barely trained network loses to it.</summary>
    private static float[] RandomWalk(int count, int seed = 5)
    {
        var random = new Random(seed);
        double level = 100;
        return Enumerable.Range(0, count).Select(_ => (float)(level += random.NextDouble() * 10 - 5)).ToArray();
    }

    private static LstmForecastingOptions Small(int horizon = 3) => new()
    {
        InputColumnName = nameof(Observation.Value), WindowSize = 7, Horizon = horizon, HiddenSize = 8, MaxEpochs = 15, NumberOfThreads = 1, Seed = 4,
    };

    [TestMethod]
    public void Auto_IsTheDefault_ChoosesByValidation_AndReportsItsDecision()
    {
        Assert.AreEqual(SeriesTransformKind.Auto, new LstmForecastingOptions().Transform);
        Assert.AreEqual(0, new LstmForecastingOptions().SeasonalPeriod);
        var ml = new MLContext(1);
        var messages = new List<string>();
        ml.Log += (_, e) => { if (e.Source.Contains("LstmForecasting", StringComparison.Ordinal)) messages.Add(e.Message); };
        var model = ml.Forecasting.ForecastByLstm(Small()).Fit(Data(ml, TrendingWeekly(150)));
        var d = model.Diagnostics;

        Assert.AreNotEqual(SeriesTransformKind.Auto, d.Transform);
        Assert.AreEqual(d.Transform, model.Options.Transform, "the model's options show the transform it uses");
        Assert.AreEqual(7, d.SeasonalPeriod, "the weekly period is detected");
        Assert.IsGreaterThan(0, d.ValidationWindows);
        Assert.IsTrue(double.IsFinite(d.NetworkMae) && double.IsFinite(d.PersistenceMae) && double.IsFinite(d.SeasonalNaiveMae));
        StringAssert.Contains(d.Reason, "chosen by validation MAE");
        StringAssert.Contains(d.Reason, "None");
        StringAssert.Contains(d.Reason, "Difference");
        Assert.IsTrue(messages.Any(m => m.Contains("validation window", StringComparison.Ordinal) && m.Contains("serving", StringComparison.Ordinal)),
            "the guard's decision is logged through ML.NET's channel");
        // Whatever is served is no worse than the better naive forecast on the validation windows, or says so.
        if (d.Decision == ForecastDecision.Network) Assert.IsLessThanOrEqualTo(Math.Min(d.PersistenceMae, d.SeasonalNaiveMae), d.NetworkMae);
        else Assert.IsLessThan(1.0, d.NetworkWeight);
    }

    [TestMethod]
    public void Guard_FallsBackToNaive_WhenTheNetworkLoses_AndServesIt()
    {
        var ml = new MLContext(1);
        var options = Small();
        options.Transform = SeriesTransformKind.None;   // an explicit transform always wins
        options.MaxEpochs = 1;
        options.SeasonalPeriod = 1;
        var walk = RandomWalk(160);
        var model = ml.Forecasting.ForecastByLstm(options).Fit(Data(ml, walk));
        var d = model.Diagnostics;

        Assert.AreEqual(SeriesTransformKind.None, d.Transform);
        Assert.AreEqual(1, d.SeasonalPeriod);
        Assert.IsTrue(double.IsNaN(d.SeasonalNaiveMae), "no season, no seasonal-naive");
        Assert.AreNotEqual(ForecastDecision.Network, d.Decision, d.Reason);
        Assert.IsGreaterThan(d.PersistenceMae, d.NetworkMae, "the guard acted because the network was worse");
        var forecast = model.Predict().Forecast;
        if (d.Decision == ForecastDecision.Persistence)
            Assert.IsTrue(forecast.All(v => v == walk[^1]), "persistence repeats the last observation");
        else
        {
            Assert.AreEqual(ForecastDecision.Blend, d.Decision);
            Assert.IsTrue(d.NetworkWeight is > 0 and < 1);
        }
    }

    [TestMethod]
    public void SaveAndLoad_KeepsTheDecision_AndPredictsBitIdentically_WithASeasonalDifference()
    {
        var ml = new MLContext(1);
        var options = Small(horizon: 4);
        options.Transform = SeriesTransformKind.SeasonalDifference;
        options.SeasonalPeriod = 12;   // longer than the window: the state holds a full season
        var series = Enumerable.Range(0, 120).Select(t => (float)(20 + 0.3 * t + 6 * Math.Sin(2 * Math.PI * t / 12) + (t * 37 % 11) * 0.2)).ToArray();
        var model = ml.Forecasting.ForecastByLstm(options).Fit(Data(ml, series));
        Assert.AreEqual(SeriesTransformKind.SeasonalDifference, model.Diagnostics.Transform);
        Assert.AreEqual(12, model.Diagnostics.SeasonalPeriod);
        Assert.IsGreaterThanOrEqualTo(19, model.LastObservations.Count, "window 7 plus a season of 12");

        using var stream = new MemoryStream();
        ml.Model.Save(model, Data(ml, series).Schema, stream);
        stream.Position = 0;
        var loaded = (LstmForecastingTransformer)new MLContext(9).Model.Load(stream, out _);
        Assert.AreEqual(model.Diagnostics.Decision, loaded.Diagnostics.Decision);
        Assert.AreEqual(model.Diagnostics.NetworkWeight, loaded.Diagnostics.NetworkWeight);
        Assert.AreEqual(model.Diagnostics.Reason, loaded.Diagnostics.Reason);
        Assert.AreEqual(model.Diagnostics.NetworkMae, loaded.Diagnostics.NetworkMae);
        Assert.AreEqual(12, loaded.Options.SeasonalPeriod);
        var (a, b) = (model.CreateForecastingEngine(), loaded.CreateForecastingEngine());
        foreach (float v in new[] { 60f, 58.5f, 61f })
        {
            a.Update(v); b.Update(v);
            var (fa, fb) = (a.Predict(), b.Predict());
            CollectionAssert.AreEqual(fa.Forecast, fb.Forecast);
            CollectionAssert.AreEqual(fa.LowerBound, fb.LowerBound);
            CollectionAssert.AreEqual(fa.UpperBound, fb.UpperBound);
        }
    }

    [TestMethod]
    public void LogTransform_KeepsACountsBandAtOrAboveZero()
    {
        var ml = new MLContext(1);
        var random = new Random(8);
        // Small counts (1 … ~6) with bursts: residual quantiles in raw units would reach below zero.
        var counts = Enumerable.Range(0, 140).Select(t => (float)(1 + random.Next(0, 3) + (t % 9 == 0 ? 4 : 0))).ToArray();
        var options = Small();
        options.Transform = SeriesTransformKind.Log;
        var model = ml.Forecasting.ForecastByLstm(options).Fit(Data(ml, counts));
        var engine = model.CreateForecastingEngine();
        for (int i = 0; i < 20; i++)
        {
            engine.Update(counts[i]);
            Assert.IsTrue(engine.Predict().LowerBound.All(v => v >= 0), "a count's band does not go below zero with the Log transform");
        }
    }

    [TestMethod]
    public void Auto_IsDeterministic_AcrossThreadCounts()
    {
        var series = TrendingWeekly(100, seed: 6);
        float[] Run(int threads)
        {
            var ml = new MLContext(1);
            var options = Small();
            options.MaxEpochs = 6;
            options.NumberOfThreads = threads;
            var model = ml.Forecasting.ForecastByLstm(options).Fit(Data(ml, series));
            return model.Predict().Forecast.Concat(model.Predict().UpperBound).ToArray();
        }
        CollectionAssert.AreEqual(Run(1), Run(2));
    }

    [TestMethod]
    public void Auto_OnAShortSeries_SkipsCandidatesWithNoWindowsLeft()
    {
        var ml = new MLContext(1);
        var options = Small();
        options.MaxEpochs = 3;
        // 12 values, window 7, horizon 3: None has 3 windows (2 to train), Difference 2 (1 to train).
        var model = ml.Forecasting.ForecastByLstm(options).Fit(Data(ml, TrendingWeekly(12)));
        Assert.IsTrue(model.Diagnostics.Transform is SeriesTransformKind.None or SeriesTransformKind.Difference, model.Diagnostics.Reason);
        Assert.HasCount(3, model.Predict().Forecast);
        var tooShort = Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.ForecastByLstm(options).Fit(Data(ml, TrendingWeekly(9))));
        StringAssert.Contains(tooShort.Message, "at least 10");
    }

    [TestMethod]
    public void Guard_ComparesWithSeasonalNaive_AtTheAcfPeak_WhenTheSeasonTestFails()
    {
        // 48 noisy months: the ACF peaks at 12, but scanning all lags (Bonferroni) the test does not call it significant.
        var random = new Random(11);
        var series = Enumerable.Range(0, 48).Select(t => (float)(100 + 10 * Math.Sin(2 * Math.PI * t / 12) + 14 * random.NextDouble())).ToArray();
        var season = SeasonalityDetection.Detect(series);
        Assert.IsFalse(season.IsSeasonal, season.Reason);
        Assert.AreEqual(12, season.TestedPeriod, season.Reason);

        var ml = new MLContext(1);
        var options = Small();
        options.MaxEpochs = 3;
        var d = ml.Forecasting.ForecastByLstm(options).Fit(Data(ml, series)).Diagnostics;
        Assert.AreEqual(12, d.SeasonalPeriod);
        Assert.IsTrue(double.IsFinite(d.SeasonalNaiveMae), d.Reason);
        StringAssert.Contains(d.Reason, "No significant season; seasonal-naive at the highest ACF peak, 12.");
    }

    [TestMethod]
    public void SeasonalOptions_BadValues_AreNamed()
    {
        var ml = new MLContext(1);
        var negative = Small();
        negative.SeasonalPeriod = -1;
        Assert.AreEqual("SeasonalPeriod", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Forecasting.ForecastByLstm(negative)).ParamName);
        var contradictory = Small();
        contradictory.Transform = SeriesTransformKind.SeasonalDifference;
        contradictory.SeasonalPeriod = 1;
        Assert.AreEqual("SeasonalPeriod", Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.ForecastByLstm(contradictory)).ParamName);

        // A seasonal difference on a series with no season to detect: the message says to set SeasonalPeriod.
        var noSeason = Small();
        noSeason.Transform = SeriesTransformKind.SeasonalDifference;
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.ForecastByLstm(noSeason).Fit(Data(ml, RandomWalk(80))));
        StringAssert.Contains(e.Message, "SeasonalPeriod");
        StringAssert.Contains(e.Message, "'Value'");
    }
}
