using Lstm.MLNet.TimeSeries;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.Forecasting;

/// <summary>ml.Forecasting.ForecastByLstm: SSA-style columns, the stateful engine and its checkpoint, persistence, bad input.</summary>
[TestClass]
public sealed class ForecastingTests
{
    public sealed class Observation
    {
        public float Value { get; set; }
        public float Temperature { get; set; }
    }

    /// <summary>A seasonal series with trend: period 12, amplitude growing with the level (airline-like), plus a covariate.</summary>
    internal static Observation[] Seasonal(int count, int seed = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(t =>
        {
            double level = 100 + 0.8 * t;
            return new Observation
            {
                Value = (float)(level * (1 + 0.2 * Math.Sin(2 * Math.PI * t / 12)) + random.NextDouble() * 2),
                Temperature = (float)Math.Cos(2 * Math.PI * t / 12),
            };
        }).ToArray();
    }

    private static LstmForecastingOptions Fast(int horizon = 3) => new()
    {
        InputColumnName = "Value", WindowSize = 12, Horizon = horizon, HiddenSize = 16, MaxEpochs = 60, NumberOfThreads = 1,
        Transform = SeriesTransformKind.LogDifference, Seed = 2,
    };

    private static double Rmse(IReadOnlyList<float> forecast, IReadOnlyList<float> actual) =>
        Math.Sqrt(forecast.Zip(actual).Average(p => (p.First - p.Second) * (double)(p.First - p.Second)));

    [TestMethod]
    public void Forecaster_BeatsSeasonalNaive_AndGivesSsaStyleColumns()
    {
        var ml = new MLContext(1);
        var series = Seasonal(144);
        var model = ml.Forecasting.ForecastByLstm(Fast(horizon: 12)).Fit(ml.Data.LoadFromEnumerable(series[..120]));
        var forecast = model.Predict();
        var actual = series[120..132].Select(o => o.Value).ToArray();
        var seasonalNaive = series[108..120].Select(o => o.Value).ToArray();
        double lstm = Rmse(forecast.Forecast, actual), naive = Rmse(seasonalNaive, actual);
        Console.WriteLine($"12-step RMSE: LSTM {lstm:F2}, seasonal-naive {naive:F2}; interval ±{model.Intervals.UpperOffsets[0]:F2} at step 1");
        Assert.IsLessThan(naive, lstm, "the LSTM forecast beats the same-month-last-year forecast");
        Assert.IsTrue(forecast.LowerBound.Zip(forecast.Forecast, forecast.UpperBound).All(t => t.First <= t.Second && t.Second <= t.Third));

        var scored = model.Transform(ml.Data.LoadFromEnumerable(series[120..]));
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 12), scored.Schema["Forecast"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 12), scored.Schema["LowerBound"].Type);
        var rows = scored.GetColumn<float[]>("Forecast").ToArray();
        Assert.HasCount(24, rows);
        var values = scored.GetColumn<float>("Value").ToArray();
        CollectionAssert.AreEqual(series[120..].Select(o => o.Value).ToArray(), values, "input columns pass through");
        // Row i's forecast starts after observation 120 + i: the engine fed the same rows gives the same.
        var engine = model.CreateForecastingEngine();
        engine.Update(series[120].Value);
        CollectionAssert.AreEqual(engine.Predict().Forecast, rows[0]);
        Assert.Throws<NotSupportedException>(() => model.GetRowToRowMapper(scored.Schema));
    }

    [TestMethod]
    public void Engine_CheckPoint_ContinuesWhereItStopped_AfterLoad()
    {
        var ml = new MLContext(1);
        var series = Seasonal(96);
        var model = ml.Forecasting.ForecastByLstm(Fast()).Fit(ml.Data.LoadFromEnumerable(series[..80]));
        var engine = model.CreateForecastingEngine();
        foreach (var o in series[80..90]) engine.Update(o.Value);
        var before = engine.Predict();
        string path = Path.Combine(Path.GetTempPath(), $"lstm-forecaster-{Guid.NewGuid():N}.zip");
        try
        {
            engine.CheckPoint(ml, path);
            var reloaded = (LstmForecastingTransformer)new MLContext(7).Model.Load(path, out var schema);
            Assert.AreEqual("Value", schema[0].Name);
            var resumed = reloaded.CreateForecastingEngine();
            CollectionAssert.AreEqual(before.Forecast, resumed.Predict().Forecast, "bit-identical after checkpoint and load");
            CollectionAssert.AreEqual(before.UpperBound, resumed.Predict().UpperBound);
            engine.Update(series[90].Value);
            resumed.Update(series[90].Value);
            CollectionAssert.AreEqual(engine.Predict().Forecast, resumed.Predict().Forecast);
            CollectionAssert.AreNotEqual(model.Predict().Forecast, resumed.Predict().Forecast, "the model's own state is unchanged by the engine");

            // In a fresh process: the checkpoint loads and continues bit-identically.
            var observations = series[91..96].Select(o => o.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var here = TestSupport.ChildProcessEntryPoint.Forecast(reloaded, observations).ToArray();
            var fresh = TestSupport.ChildProcessEntryPoint.Run(path, observations, TimeSpan.FromMinutes(2), "load-and-forecast");
            CollectionAssert.AreEqual(here, fresh, "the checkpoint forecasts differently in a fresh process");

            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            Assert.Throws<Exception>(() => ml.Model.Load(path, out _));
        }
        finally { File.Delete(path); }
    }

    [TestMethod]
    public void RecursiveAndDirect_BothForecastTheHorizon_AndCovariatesNeedDirect()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(Seasonal(100));
        var recursive = Fast(horizon: 4);
        recursive.Strategy = ForecastStrategy.Recursive;
        recursive.MaxEpochs = 20;
        Assert.HasCount(4, ml.Forecasting.ForecastByLstm(recursive).Fit(data).Predict().Forecast);

        var withCovariate = Fast(horizon: 4);
        withCovariate.MaxEpochs = 20;
        withCovariate.CovariateColumnNames = ["Temperature"];
        var model = ml.Forecasting.ForecastByLstm(withCovariate).Fit(data);
        var engine = model.CreateForecastingEngine();
        Assert.Throws<ArgumentException>(() => engine.Update(100f), "a covariate model needs the step's covariates");
        engine.Update(200f, [0.5f]);
        Assert.HasCount(4, engine.Predict().Forecast);

        withCovariate.Strategy = ForecastStrategy.Recursive;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.ForecastByLstm(withCovariate)).Message, "covariates");
    }

    [TestMethod]
    public void ShortSeries_NaNs_NAFields_AndConstantSeries_GiveClearAnswers()
    {
        var ml = new MLContext(1);
        var shortSeries = ml.Data.LoadFromEnumerable(Seasonal(14));
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.ForecastByLstm(Fast()).Fit(shortSeries));
        StringAssert.Contains(e.Message, "14 observations");
        StringAssert.Contains(e.Message, "at least 16");

        var withNaN = Seasonal(60);
        withNaN[33].Value = float.NaN;
        var nan = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Forecasting.ForecastByLstm(Fast()).Fit(ml.Data.LoadFromEnumerable(withNaN)));
        StringAssert.Contains(nan.Message, "Row 33");
        StringAssert.Contains(nan.Message, "'Value'");

        // A pollution-style "NA" field, loaded by ML.NET's TextLoader, becomes NaN: the same clear error.
        string csv = Path.Combine(Path.GetTempPath(), $"lstm-na-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllLines(csv, Seasonal(40).Select((o, i) => i == 5 ? "NA" : o.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)).Prepend("Value"));
            var loaded = ml.Data.LoadFromTextFile(csv, [new TextLoader.Column("Value", DataKind.Single, 0)], separatorChar: ',', hasHeader: true);
            StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => ml.Forecasting.ForecastByLstm(Fast()).Fit(loaded)).Message, "Row 5");
        }
        finally { File.Delete(csv); }

        var constant = Enumerable.Range(0, 40).Select(_ => new Observation { Value = 5f }).ToArray();
        var options = Fast();
        options.Transform = SeriesTransformKind.None;
        options.MaxEpochs = 5;
        var flat = ml.Forecasting.ForecastByLstm(options).Fit(ml.Data.LoadFromEnumerable(constant)).Predict();
        Assert.IsTrue(flat.Forecast.Concat(flat.LowerBound).Concat(flat.UpperBound).All(float.IsFinite), "no NaN from zero variance");

        var negative = Seasonal(40);
        negative[3].Value = -1;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Forecasting.ForecastByLstm(Fast()).Fit(ml.Data.LoadFromEnumerable(negative))).Message, "positive");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Forecasting.ForecastByLstm(new LstmForecastingOptions { WindowSize = 0 }));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            ml.Forecasting.ForecastByLstm(new LstmForecastingOptions { InputColumnName = "Passengers" }).Fit(shortSeries)).Message, "'Passengers'");
    }
}
