using Lstm.MLNet.TimeSeries;

namespace Lstm.MLNet.Tests.TimeSeries;

/// <summary>
/// The naive benchmarks against the M4 competition's own published Hourly scores (M4-methods repository,
/// "Evaluation and Ranks.xlsx"): Naive2 sMAPE 18.383 and MASE 2.395, sNaive 13.912 and 1.193, Naive 43.003 and
/// 11.608, over the 414 series and 48 steps. Reproducing them to the published three decimals checks the M4
/// seasonality test, the classical multiplicative decomposition, the MASE scale and the sMAPE together.
/// </summary>
[TestClass]
public sealed class M4NaiveBenchmarkTests
{
    private const int Horizon = 48, Period = 24;

    private static List<(string Id, float[] Values)> Read(string file) =>
        M4Evaluation.Read(Path.Combine(AppContext.BaseDirectory, "TestData", "timeseries", "m4", file));

    [TestMethod]
    public void NaiveBenchmarks_ReproduceThePublishedM4HourlyScores()
    {
        var train = Read("Hourly-train.csv.gz");
        var test = Read("Hourly-test.csv.gz").ToDictionary(s => s.Id, s => s.Values);
        Assert.AreEqual(414, train.Count);
        var methods = new (string Name, Func<float[], float[]> Forecast, double Smape, double Mase)[]
        {
            ("Naive2", x => NaiveForecasts.Naive2(x, Period, Horizon), 18.383, 2.395),
            ("sNaive", x => NaiveForecasts.SeasonalNaive(x, Period, Horizon), 13.912, 1.193),
            ("Naive", x => NaiveForecasts.Persistence(x, Horizon), 43.003, 11.608),
        };
        foreach (var (name, forecast, publishedSmape, publishedMase) in methods)
        {
            var (smape, mase) = M4Evaluation.Score(train.Select(t => (t.Values, test[t.Id], forecast(t.Values))), Period);
            Assert.AreEqual(publishedSmape, smape, 0.0005, $"{name} sMAPE");
            Assert.AreEqual(publishedMase, mase, 0.0005, $"{name} MASE");
        }
    }
}
