using System.Diagnostics;
using System.Globalization;
using Lstm.MLNet.Samples.Common;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Samples.Forecasting;

/// <summary>
/// Beijing PM2.5, multivariate: next hour's pm2.5 from the previous 24 hours of the 8 variables (pm2.5, dew point,
/// temperature, pressure, wind direction one-hot ×4, wind speed, hours of snow, hours of rain: 11 features per step),
/// with <c>ml.Regression.Trainers.LstmSequence</c>; the first year trains, the other four test (as the published LSTM
/// figure does). Against persistence (the last hour's value) and FastTree on the same flattened windows.
/// NA handling: the first 24 hours (all NA) are dropped; later NA pm2.5 values are carried forward from the last
/// observation, and windows whose TARGET was imputed are left out of training and of the metrics.
/// </summary>
public static class PollutionSample
{
    private const int Window = 24, TrainHours = 8760;
    private static readonly string[] WindDirections = ["NE", "NW", "SE", "cv"];

    private sealed class WindowRow
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    public static int Run(SampleArguments arguments)
    {
        var (steps, pm25, imputed, imputedCount) = Load();
        int F = steps[0].Length;
        var rows = new List<(WindowRow Row, int Hour)>();
        for (int t = Window; t < steps.Count; t++)
            if (!imputed[t])
                rows.Add((new WindowRow { Features = steps.Skip(t - Window).Take(Window).SelectMany(s => s).ToArray(), Label = pm25[t] }, t));
        var trainRows = rows.Where(r => r.Hour < TrainHours).Select(r => r.Row).ToList();
        var testRows = rows.Where(r => r.Hour >= TrainHours).Select(r => r.Row).ToList();
        Console.WriteLine($"Beijing PM2.5: {steps.Count} hours after dropping the first 24; {imputedCount} NA pm2.5 values carried forward " +
                          $"(their windows not scored); {trainRows.Count} training and {testRows.Count} test windows of {Window} h × {F} features.");

        var ml = new MLContext(arguments.Seed);
        var schema = SchemaDefinition.Create(typeof(WindowRow));
        schema[nameof(WindowRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Window * F);
        var train = ml.Data.LoadFromEnumerable(trainRows, schema);
        var test = ml.Data.LoadFromEnumerable(testRows, schema);

        var table = new MarkdownTable("Model", "Test RMSE", "Test MAE", "Fit time");
        var progress = new ConsoleProgress("LSTM");
        var clock = Stopwatch.StartNew();
        var lstm = ml.Regression.Trainers.LstmSequence(new LstmSequenceRegressorOptions
        {
            FeaturesPerStep = F, HiddenSize = 50, MaxEpochs = arguments.Epochs ?? 20, BatchSize = 64, EarlyStoppingPatience = 4,
            Seed = arguments.Seed, NumberOfThreads = arguments.Threads, Progress = progress,
        }).Fit(train);
        progress.Finish();
        Add(table, "LSTM(50), 24 h × 11 features", ml.Regression.Evaluate(lstm.Transform(test)), clock.Elapsed);

        clock.Restart();
        var tree = ml.Regression.Trainers.FastTree(numberOfLeaves: 31, numberOfTrees: 200).Fit(train);
        Add(table, "FastTree on the flattened windows", ml.Regression.Evaluate(tree.Transform(test)), clock.Elapsed);

        // Persistence: the pm2.5 of the window's last hour (feature 0 of the last step).
        double squared = 0, absolute = 0;
        foreach (var row in testRows)
        {
            double error = row.Features[(Window - 1) * F] - row.Label;
            squared += error * error;
            absolute += Math.Abs(error);
        }
        table.Add("persistence (last hour)", F2(Math.Sqrt(squared / testRows.Count)), F2(absolute / testRows.Count), "—");
        Console.WriteLine();
        Console.WriteLine(table);

        string modelPath = arguments.OutputPath("forecast-pm25-model.zip");
        ml.Model.Save(lstm, train.Schema, modelPath);
        var reloaded = new MLContext().Model.Load(modelPath, out _);
        bool same = lstm.Transform(test).GetColumn<float>("Score").Take(200).SequenceEqual(reloaded.Transform(test).GetColumn<float>("Score").Take(200));
        Console.WriteLine($"Saved the LSTM to {modelPath}; reloaded, it scores {(same ? "identically" : "DIFFERENTLY")}.");
        if (progress.History.Count > 0)
            Console.WriteLine($"Training curves: {Charts.TrainingCurves(progress.History, "LSTM on Beijing PM2.5 (MSE, standardised)", arguments.OutputPath("forecast-pm25-training.png"))}");
        return same ? 0 : 1;
    }

    private static void Add(MarkdownTable table, string model, RegressionMetrics metrics, TimeSpan time) =>
        table.Add(model, F2(metrics.RootMeanSquaredError), F2(metrics.MeanAbsoluteError), $"{time.TotalSeconds:F1} s");

    private static string F2(double v) => v.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>Per hour the 11 feature values, the pm2.5 series (imputed where NA) and which hours were imputed.</summary>
    private static (List<float[]> Steps, List<float> Pm25, List<bool> Imputed, int ImputedCount) Load()
    {
        var steps = new List<float[]>();
        var pm25 = new List<float>();
        var imputed = new List<bool>();
        int imputedCount = 0;
        float last = float.NaN;
        string path = Path.Combine(AppContext.BaseDirectory, "Data", "timeseries", "pollution.csv");
        foreach (var (line, number) in File.ReadLines(path).Skip(1).Select((l, i) => (l, i + 2)))
        {
            // No,year,month,day,hour,pm2.5,DEWP,TEMP,PRES,cbwd,Iws,Is,Ir
            var f = line.Split(',');
            if (f.Length != 13) throw new InvalidDataException($"pollution.csv line {number}: expected 13 fields, found {f.Length}.");
            bool missing = f[5] == "NA";
            if (missing && float.IsNaN(last)) continue; // the leading NA hours
            float value = missing ? last : Parse(f[5], number);
            if (missing) imputedCount++;
            last = value;
            float[] step = [value, Parse(f[6], number), Parse(f[7], number), Parse(f[8], number),
                .. WindDirections.Select(d => f[9] == d ? 1f : 0f), Parse(f[10], number), Parse(f[11], number), Parse(f[12], number)];
            if (!WindDirections.Contains(f[9])) throw new InvalidDataException($"pollution.csv line {number}: unknown wind direction '{f[9]}'.");
            steps.Add(step);
            pm25.Add(value);
            imputed.Add(missing);
        }
        return (steps, pm25, imputed, imputedCount);
    }

    private static float Parse(string field, int line) =>
        float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) ? v : throw new InvalidDataException($"pollution.csv line {line}: '{field}' is not a number.");
}
