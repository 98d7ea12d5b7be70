using Lstm.MLNet.TimeSeries;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.Forecasting;

[TestClass]
public sealed class TimeSeriesEngineTests
{
    private sealed class Input
    {
        [ColumnName("Value")] public float Passengers { get; set; }
    }

    private sealed class Output
    {
        public float[] Forecast { get; set; } = [];
        public float[] LowerBound { get; set; } = [];
        public float[] UpperBound { get; set; } = [];
    }

    private sealed class Unrelated
    {
        public float Other { get; set; }
    }

    [TestMethod]
    public void TypedEngine_MatchesTheForecastingEngine_AndChecksHorizonAndConfidence()
    {
        var ml = new MLContext(1);
        var series = Enumerable.Range(0, 60).Select(t => new Input { Passengers = (float)(100 + 10 * Math.Sin(2 * Math.PI * t / 12) + t) }).ToArray();
        var model = ml.Forecasting.ForecastByLstm(new LstmForecastingOptions
        {
            WindowSize = 12, Horizon = 4, HiddenSize = 8, MaxEpochs = 5, NumberOfThreads = 1, Transform = SeriesTransformKind.Difference,
        }).Fit(ml.Data.LoadFromEnumerable(series.Select(s => new { Value = s.Passengers })));
        var typed = model.CreateTimeSeriesEngine<Input, Output>();
        var plain = model.CreateForecastingEngine();

        CollectionAssert.AreEqual(plain.Predict().Forecast, typed.Predict().Forecast);
        plain.Update(170f);
        var next = typed.Predict(new Input { Passengers = 170f });
        CollectionAssert.AreEqual(plain.Predict().Forecast, next.Forecast);
        CollectionAssert.AreEqual(plain.Predict().UpperBound, next.UpperBound);
        Assert.HasCount(2, typed.Predict(horizon: 2).Forecast);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => typed.Predict(horizon: 5));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => typed.Predict(confidenceLevel: 0.8f)).Message, "fit at 0.95");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.CreateTimeSeriesEngine<Unrelated, Output>()).Message, "series column 'Value'");
    }
}
