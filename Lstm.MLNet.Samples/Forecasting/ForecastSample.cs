using System.Globalization;
using Lstm.MLNet.Samples.Common;
using Lstm.MLNet.TimeSeries;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Samples.Forecasting;

/// <summary>
/// Forecasting a bundled series with <c>ml.Forecasting.ForecastByLstm</c>, against seasonal-naive, persistence and
/// FastTree on the same lag windows: airline passengers (first 67% train, last 33% test) and monthly sunspots
/// (last 20% test), at horizons 1 and 12, rolling over the test period with the stateful engine (each observation is
/// fed after its forecast); then a checkpoint of the engine, reloaded, and a PNG of the series, forecast and band. The
/// LSTM uses the forecaster's defaults for the transform (Auto, chosen by validation) and its naive guard, and prints
/// its Diagnostics; FastTree gets the transform the series needs, set by hand.
/// <c>--series pm25</c> runs the multivariate PM2.5 regression instead (<see cref="PollutionSample"/>).
/// </summary>
public static class ForecastSample
{
    private sealed record SeriesSetup(string Name, string File, string Column, double TestFraction, int Window, int Season,
        SeriesTransformKind TreeTransform, int HiddenSize, int MaxEpochs);

    private static readonly Dictionary<string, SeriesSetup> Setups = new()
    {
        ["airline"] = new("airline passengers (thousands/month, 1949–1960)", "airline-passengers.csv", "Passengers", 1 / 3.0, 12, 12,
            SeriesTransformKind.LogDifference, 32, 300),
        // The ~11-year solar cycle (132 months) is the sunspots' "season"; a 12-month lag would mean nothing.
        ["sunspots"] = new("monthly mean sunspot number (1749–1983)", "monthly-sunspots.csv", "Sunspots", 0.2, 48, 132,
            SeriesTransformKind.None, 32, 40),
    };

    private sealed class Observation
    {
        public float Value { get; set; }
    }

    /// <summary>A row of the bundled monthly CSVs: <c>"1949-01",112</c>.</summary>
    private sealed class MonthlyRow
    {
        [LoadColumn(0)] public string Month { get; set; } = "";
        [LoadColumn(1)] public float Value { get; set; }
    }

    public static int Run(SampleArguments arguments)
    {
        string name = arguments.Named.GetValueOrDefault("--series", "airline");
        if (name == "pm25") return PollutionSample.Run(arguments);
        if (!Setups.TryGetValue(name, out var setup))
            throw new ArgumentException($"Unknown series '{name}'; expected airline, sunspots or pm25.");

        var ml = new MLContext(arguments.Seed);
        var values = LoadMonthly(ml, setup.File);
        int test = (int)Math.Round(values.Length * setup.TestFraction), train = values.Length - test;
        Console.WriteLine($"{setup.Name}: {values.Length} observations; training on the first {train}, testing on the last {test} " +
                          $"(window {setup.Window}; LSTM transform: Auto).");
        var trainData = ml.Data.LoadFromEnumerable(values[..train].Select(v => new Observation { Value = v }));

        LstmForecastingTransformer Train(int horizon)
        {
            var (model, _) = TrainingProgress.Run($"horizon {horizon,2}", progress => ml.Forecasting.ForecastByLstm(new LstmForecastingOptions
            {
                InputColumnName = nameof(Observation.Value), WindowSize = setup.Window, Horizon = horizon,
                HiddenSize = setup.HiddenSize, MaxEpochs = arguments.Epochs ?? setup.MaxEpochs, Seed = arguments.Seed,
                NumberOfThreads = arguments.Threads, Progress = progress,
            }).Fit(trainData));
            Console.WriteLine($"horizon {horizon,2}: {model.Diagnostics.Reason}");
            return model;
        }

        var oneStep = Train(1);
        var twelveStep = Train(12);
        var fastTree = new LagFastTree(ml, values, train, setup.Window, 12, setup.TreeTransform);
        int tailLength = setup.Window + SeriesTransform.Lag(setup.TreeTransform);

        string seasonalName = setup.Season == 12 ? "seasonal-naive" : $"cycle-naive (lag {setup.Season})";
        // Rolling evaluation: forecast from each test origin, then feed the actual observation.
        var errors = new Dictionary<string, (ErrorAccumulator One, ErrorAccumulator Twelve)>();
        ErrorAccumulator For(string model, int horizon)
        {
            if (!errors.TryGetValue(model, out var pair)) errors[model] = pair = (new(), new());
            return horizon == 1 ? pair.One : pair.Twelve;
        }
        var engine1 = oneStep.CreateForecastingEngine();
        var engine12 = twelveStep.CreateForecastingEngine();
        var rollingForecast = new List<double>();
        var rollingLower = new List<double>();
        var rollingUpper = new List<double>();
        for (int origin = train; origin < values.Length; origin++)
        {
            var lstm1 = engine1.Predict();
            // Both series are counts: a band in the series' units (Auto chose no log) is drawn within the domain, from zero.
            rollingForecast.Add(lstm1.Forecast[0]); rollingLower.Add(Math.Max(0, lstm1.LowerBound[0])); rollingUpper.Add(lstm1.UpperBound[0]);
            For("LSTM", 1).Add(lstm1.Forecast[0], values[origin]);
            For("persistence", 1).Add(values[origin - 1], values[origin]);
            if (setup.Season > 0) For(seasonalName, 1).Add(values[origin - setup.Season], values[origin]);
            var tail = values.AsSpan(origin - tailLength, tailLength);
            var tree = fastTree.Forecast(tail);
            For("FastTree (lags)", 1).Add(tree[0], values[origin]);
            if (origin + 12 <= values.Length)
            {
                var lstm12 = engine12.Predict();
                for (int h = 0; h < 12; h++)
                {
                    double actual = values[origin + h];
                    For("LSTM", 12).Add(lstm12.Forecast[h], actual);
                    For("persistence", 12).Add(values[origin - 1], actual);
                    if (setup.Season > 0) For(seasonalName, 12).Add(values[origin + h - setup.Season * (1 + h / setup.Season)], actual);
                    For("FastTree (lags)", 12).Add(tree[h], actual);
                }
            }
            engine1.Update(values[origin]);
            engine12.Update(values[origin]);
        }

        var table = new MarkdownTable("Model", "1-step RMSE", "1-step MAPE", "12-step RMSE", "12-step MAPE");
        foreach (var (model, (one, twelve)) in errors)
            table.Add(model, F(one.Rmse), $"{F(one.Mape)}%", F(twelve.Rmse), $"{F(twelve.Mape)}%");
        Console.WriteLine();
        Console.WriteLine($"Test period ({test} observations; 12-step: every origin with 12 values ahead, errors over all 12 steps):");
        Console.WriteLine(table);

        // Checkpoint the 12-step model's state at the end of the training data, reload it, check it forecasts the same.
        string modelPath = arguments.OutputPath($"forecast-{name}-model.zip");
        twelveStep.CreateForecastingEngine().CheckPoint(ml, modelPath);
        var reloaded = (LstmForecastingTransformer)new MLContext().Model.Load(modelPath, out _);
        bool same = reloaded.Predict().Forecast.SequenceEqual(twelveStep.Predict().Forecast);
        Console.WriteLine($"Saved the 12-step model with its state to {modelPath}; reloaded, it forecasts {(same ? "identically" : "DIFFERENTLY")}.");
        var next = reloaded.Predict();
        Console.WriteLine($"Its first forecast after the training data: {string.Join(", ", next.Forecast.Take(6).Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))} …");

        string png = Charts.Forecast(values.Select(v => (double)v).ToArray(), train, rollingForecast, rollingLower, rollingUpper,
            $"LSTM one-step forecasts of {setup.Name} ({oneStep.Options.ConfidenceLevel:P0} band)", arguments.OutputPath($"forecast-{name}.png"),
            setup.Season > 0 ? Enumerable.Range(train, test).Select(t => (double)values[t - setup.Season]).ToArray() : null, seasonalName);
        Console.WriteLine($"Plot: {png}");
        return same ? 0 : 1;
    }

    private static string F(double value) => double.IsFinite(value) ? value.ToString("F2", CultureInfo.InvariantCulture) : "—";

    /// <summary>The values of a monthly CSV of the bundle (a header, then "Month",value); a value that is not a number is an error.</summary>
    private static float[] LoadMonthly(MLContext ml, string file)
    {
        var rows = ml.Data.LoadFromTextFile<MonthlyRow>(Path.Combine(AppContext.BaseDirectory, "Data", "timeseries", file), separatorChar: ',', hasHeader: true, allowQuoting: true);
        var months = ml.Data.CreateEnumerable<MonthlyRow>(rows, reuseRowObject: false).ToList();
        // The text loader reads an unparsable number as NaN (with a warning): name the row instead.
        if (months.FindIndex(m => !float.IsFinite(m.Value)) is int bad and >= 0)
            throw new InvalidDataException($"{file} row {bad + 1} ({months[bad].Month}): the value is not a number.");
        return months.Select(m => m.Value).ToArray();
    }
}
