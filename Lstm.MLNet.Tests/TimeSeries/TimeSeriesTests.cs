using Lstm.MLNet.Model;
using Lstm.MLNet.TimeSeries;

namespace Lstm.MLNet.Tests.TimeSeries;

/// <summary>The forecasting groundwork: standardisation, windows, strategies, intervals, metrics, and their bad input.</summary>
[TestClass]
public sealed class TimeSeriesTests
{
    [TestMethod]
    public void Standardizer_LearnsPerFeatureMeanAndPopulationStd_AndInverts()
    {
        // Two features per row: [1, 10], [2, 10], [3, 10]: feature 0 has mean 2, std √(2/3); feature 1 is constant.
        float[] table = [1, 10, 2, 10, 3, 10];
        var standardizer = Standardizer.Fit(table, features: 2);
        CollectionAssert.AreEqual(new[] { 2f, 10f }, standardizer.Means);
        Assert.AreEqual(MathF.Sqrt(2f / 3), standardizer.StandardDeviations[0], 1e-6f);
        Assert.AreEqual(1f, standardizer.StandardDeviations[1], "a constant feature gets std 1, never 0");

        var transformed = table.ToArray();
        standardizer.Transform(transformed);
        Assert.AreEqual(-1.2247449f, transformed[0], 1e-5f);
        Assert.AreEqual(0f, transformed[1], "constant feature → 0, not NaN");
        Assert.IsTrue(transformed.All(float.IsFinite));
        standardizer.InverseTransform(transformed);
        for (int i = 0; i < table.Length; i++) Assert.AreEqual(table[i], transformed[i], 1e-5f);

        var restored = new Standardizer(standardizer.Means, standardizer.StandardDeviations);
        Assert.AreEqual(standardizer.Transform(0, 7f), restored.Transform(0, 7f));
    }

    [TestMethod]
    public void Standardizer_ConstantSeries_NeverProducesNaN()
    {
        var series = Enumerable.Repeat(1234.5f, 50).ToArray();
        var standardizer = Standardizer.Fit(series);
        Assert.AreEqual(1f, standardizer.StandardDeviations[0]);
        standardizer.Transform(series);
        Assert.IsTrue(series.All(v => v == 0f));
    }

    [TestMethod]
    public void Standardizer_RejectsBadInput()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => Standardizer.Fit([1, 2, 3, float.NaN, 5, 6], features: 2));
        StringAssert.Contains(e.Message, "row 1, feature 1 is NaN");
        e = Assert.ThrowsExactly<ArgumentException>(() => Standardizer.Fit([1, 2, 3], features: 2));
        StringAssert.Contains(e.Message, "not a multiple of 2 features");
        Assert.ThrowsExactly<ArgumentException>(() => Standardizer.Fit([]));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Standardizer([0f], [0f]));
        Assert.ThrowsExactly<ArgumentException>(() => new Standardizer([0f, 1f], [1f]));
    }

    [TestMethod]
    public void Windows_FollowTimeseriesDatasetFromArray()
    {
        float[] series = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        var windows = SeriesWindows.Create(series, windowSize: 3, horizon: 2);
        Assert.AreEqual(6, windows.Count, "T − W − H + 1");
        Assert.AreEqual(1, windows.FeaturesPerStep);
        CollectionAssert.AreEqual(new[] { 0f, 1f, 2f }, windows.Inputs[0]);
        CollectionAssert.AreEqual(new[] { 3f, 4f }, windows.Targets[..2]);
        CollectionAssert.AreEqual(new[] { 5f, 6f, 7f }, windows.Inputs[5]);
        CollectionAssert.AreEqual(new[] { 8f, 9f }, windows.Targets[10..]);
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3, 4, 5 }, windows.Starts);

        var strided = SeriesWindows.Create(series, 3, 2, stride: 2);
        CollectionAssert.AreEqual(new[] { 0, 2, 4 }, strided.Starts);

        var exact = SeriesWindows.Create(series, 7, 3);
        Assert.AreEqual(1, exact.Count, "a series of exactly W + H values gives one window");

        var validation = windows.Slice(4, 2);
        CollectionAssert.AreEqual(new[] { 4, 5 }, validation.Starts);
        CollectionAssert.AreEqual(new[] { 7f, 8f, 8f, 9f }, validation.Targets);
    }

    [TestMethod]
    public void Windows_InterleaveCovariatesAfterTheSeriesValue()
    {
        float[] series = [0, 1, 2, 3, 4];
        float[] covariates = [10, 20, 11, 21, 12, 22, 13, 23, 14, 24]; // [T × 2]
        var windows = SeriesWindows.Create(series, 2, 1, covariates);
        Assert.AreEqual(3, windows.FeaturesPerStep);
        CollectionAssert.AreEqual(new[] { 1f, 11f, 21f, 2f, 12f, 22f }, windows.Inputs[1]);
        CollectionAssert.AreEqual(new[] { 2f, 3f, 4f }, windows.Targets);
    }

    [TestMethod]
    public void Windows_RejectBadInput()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => SeriesWindows.Create([1, 2, 3, 4], windowSize: 3, horizon: 2));
        StringAssert.Contains(e.Message, "The series has 4 values; a window of 3 and a horizon of 2 need at least 5");
        e = Assert.ThrowsExactly<ArgumentException>(() => SeriesWindows.Create([1, 2, float.PositiveInfinity, 4, 5], 2, 1));
        StringAssert.Contains(e.Message, $"Series value at index 2 is {float.PositiveInfinity}; every value must be finite");
        e = Assert.ThrowsExactly<ArgumentException>(() => SeriesWindows.Create([1, 2, 3], 1, 1, [0, 0, 0, float.NaN, 0, 0]));
        StringAssert.Contains(e.Message, "Covariate at time 1, column 1 is NaN");
        e = Assert.ThrowsExactly<ArgumentException>(() => SeriesWindows.Create([1, 2, 3], 1, 1, [0, 0, 0, 0]));
        StringAssert.Contains(e.Message, "not a whole number per each of the 3 time steps");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SeriesWindows.Create([1, 2, 3], 0, 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SeriesWindows.Create([1, 2, 3], 1, 1).Slice(1, 5));
    }

    [TestMethod]
    public void Metrics_OnKnownValues()
    {
        // Two windows, horizon 2. Step 0: errors 1 and −3 against actuals 10 and 0; step 1: errors 0 and 2 against 4 and 8.
        float[] actuals = [10, 4, 0, 8];
        float[] forecasts = [11, 4, -3, 10];
        var metrics = ForecastMetrics.Compute(forecasts, actuals, horizon: 2);
        Assert.AreEqual(2, metrics.Horizon);
        Assert.AreEqual(2.0, metrics.MeanAbsoluteError[0], 1e-12);
        Assert.AreEqual(Math.Sqrt(5), metrics.RootMeanSquaredError[0], 1e-12);
        Assert.AreEqual(10.0, metrics.MeanAbsolutePercentageError[0], 1e-12, "the zero actual is left out of MAPE");
        Assert.AreEqual((200.0 * 1 / 21 + 200.0 * 3 / 3) / 2, metrics.SymmetricMeanAbsolutePercentageError[0], 1e-12);
        Assert.AreEqual(1.0, metrics.MeanAbsoluteError[1], 1e-12);
        Assert.AreEqual(Math.Sqrt(2), metrics.RootMeanSquaredError[1], 1e-12);
        Assert.AreEqual(12.5, metrics.MeanAbsolutePercentageError[1], 1e-12);
        Assert.AreEqual(200.0 * 2 / 18 / 2, metrics.SymmetricMeanAbsolutePercentageError[1], 1e-12);

        Assert.IsTrue(double.IsNaN(ForecastMetrics.Compute([1f], [0f], 1).MeanAbsolutePercentageError[0]), "MAPE of all-zero actuals is undefined");
        Assert.AreEqual(0.0, ForecastMetrics.Compute([0f], [0f], 1).SymmetricMeanAbsolutePercentageError[0], "sMAPE of a perfect zero forecast is 0");
        var e = Assert.ThrowsExactly<ArgumentException>(() => ForecastMetrics.Compute([1, 2, float.NaN, 4], [1, 2, 3, 4], 2));
        StringAssert.Contains(e.Message, "Forecast at window 1, step 0 is NaN");
        Assert.ThrowsExactly<ArgumentException>(() => ForecastMetrics.Compute([1, 2], [1, 2, 3], 1));
    }

    [TestMethod]
    public void ResidualIntervals_AreQuantilesOfValidationResiduals()
    {
        // Horizon 1; residuals actual − forecast = 0, 1, …, 10. 80% → the 10% and 90% quantiles: 1 and 9.
        var forecasts = new float[11];
        var actuals = Enumerable.Range(0, 11).Select(i => (float)i).ToArray();
        var intervals = ResidualIntervals.Fit(forecasts, actuals, horizon: 1, confidenceLevel: 0.8f);
        Assert.AreEqual(1f, intervals.LowerOffsets[0], 1e-5f);
        Assert.AreEqual(9f, intervals.UpperOffsets[0], 1e-5f);

        var lower = new float[2];
        var upper = new float[2];
        intervals.Apply([100f, 200f], lower, upper);
        CollectionAssert.AreEqual(new[] { 101f, 201f }, lower);
        CollectionAssert.AreEqual(new[] { 109f, 209f }, upper);

        var restored = new ResidualIntervals(intervals.LowerOffsets, intervals.UpperOffsets, intervals.ConfidenceLevel);
        Assert.AreEqual(1, restored.Horizon);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ResidualIntervals.Fit(forecasts, actuals, 1, 1f));
        Assert.ThrowsExactly<ArgumentException>(() => new ResidualIntervals([2f], [1f], 0.9f));
    }

    [TestMethod]
    public void SeasonalNaive_RepeatsTheLastSeason()
    {
        float[] series = [1, 2, 3, 4, 5, 6, 7];
        // Season 3, origin 6 (history 1..6): the last season is [4, 5, 6], repeated.
        CollectionAssert.AreEqual(new[] { 4f, 5f, 6f, 4f, 5f }, ForecastStrategies.SeasonalNaive(series, [6], horizon: 5, seasonLength: 3));
        CollectionAssert.AreEqual(new[] { 6f, 6f, 7f, 7f }, ForecastStrategies.SeasonalNaive(series, [6, 7], 2, 1), "season 1 = persistence");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ForecastStrategies.SeasonalNaive(series, [2], 1, 3));
    }

    [TestMethod]
    public void Recursive_FeedsEachPredictionBackIntoTheWindow()
    {
        var network = new SequenceRegressorNetwork(1, new SequenceRegressorOptions { HiddenSize = 4, Seed = 18, NumberOfThreads = 1 });
        float[][] windows = [[0.1f, 0.2f, 0.3f], [-0.5f, 0.5f, 0f]];
        var forecasts = ForecastStrategies.Recursive(network, windows, horizon: 3);
        for (int i = 0; i < windows.Length; i++)
        {
            var window = windows[i].ToList();
            for (int h = 0; h < 3; h++)
            {
                float next = network.Predict(new[] { window.ToArray() })[0];
                Assert.AreEqual(next, forecasts[i * 3 + h], 1e-6f, $"window {i}, step {h}");
                window.RemoveAt(0);
                window.Add(next);
            }
        }
        CollectionAssert.AreEqual(new[] { 0.1f, 0.2f, 0.3f }, windows[0], "the caller's windows are not modified");

        var direct = new SequenceRegressorNetwork(1, new SequenceRegressorOptions { HiddenSize = 4, Outputs = 3, NumberOfThreads = 1 });
        CollectionAssert.AreEqual(direct.Predict(windows), ForecastStrategies.Forecast(ForecastStrategy.Direct, direct, windows, 3));
        Assert.ThrowsExactly<ArgumentException>(() => ForecastStrategies.Recursive(direct, windows, 3), "more than one output");
        Assert.ThrowsExactly<ArgumentException>(() => ForecastStrategies.Forecast(ForecastStrategy.Direct, direct, windows, 4), "horizon ≠ outputs");
        var multivariate = new SequenceRegressorNetwork(2, new SequenceRegressorOptions { HiddenSize = 4, NumberOfThreads = 1 });
        var e = Assert.ThrowsExactly<ArgumentException>(() => ForecastStrategies.Recursive(multivariate, [[1f, 2f]], 2));
        StringAssert.Contains(e.Message, "univariate");
    }
}
