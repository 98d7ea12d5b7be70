using System.Diagnostics;
using System.Globalization;
using Lstm.MLNet.Samples.Common;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

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

    private sealed class WindowRow
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    public static int Run(SampleArguments arguments)
    {
        var ml = new MLContext(arguments.Seed);
        var (steps, pm25, imputed, imputedCount) = Load(ml);
        int F = steps[0].Length;
        var rows = new List<(WindowRow Row, int Hour)>();
        for (int t = Window; t < steps.Count; t++)
            if (!imputed[t])
                rows.Add((new WindowRow { Features = steps.Skip(t - Window).Take(Window).SelectMany(s => s).ToArray(), Label = pm25[t] }, t));
        var trainRows = rows.Where(r => r.Hour < TrainHours).Select(r => r.Row).ToList();
        var testRows = rows.Where(r => r.Hour >= TrainHours).Select(r => r.Row).ToList();
        Console.WriteLine($"Beijing PM2.5: {steps.Count} hours after dropping the first 24; {imputedCount} NA pm2.5 values carried forward " +
                          $"(their windows not scored); {trainRows.Count} training and {testRows.Count} test windows of {Window} h × {F} features.");

        var schema = SchemaDefinition.Create(typeof(WindowRow));
        schema[nameof(WindowRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Window * F);
        var train = ml.Data.LoadFromEnumerable(trainRows, schema);
        var test = ml.Data.LoadFromEnumerable(testRows, schema);

        var table = new MarkdownTable("Model", "Test RMSE", "Test MAE", "Fit time");
        var clock = Stopwatch.StartNew();
        var (lstm, history) = TrainingProgress.Run("LSTM", progress => ml.Regression.Trainers.LstmSequence(new LstmSequenceRegressorOptions
        {
            FeaturesPerStep = F, HiddenSize = 50, MaxEpochs = arguments.Epochs ?? 20, BatchSize = 64, EarlyStoppingPatience = 4,
            Seed = arguments.Seed, NumberOfThreads = arguments.Threads, Progress = progress,
        }).Fit(train));
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
        if (history.Count > 0)
            Console.WriteLine($"Training curves: {Charts.TrainingCurves(history, "LSTM on Beijing PM2.5", "MSE (standardised target)", arguments.OutputPath("forecast-pm25-training.png"))}");
        return same ? 0 : 1;
    }

    private static void Add(MarkdownTable table, string model, RegressionMetrics metrics, TimeSpan time) =>
        table.Add(model, F2(metrics.RootMeanSquaredError), F2(metrics.MeanAbsoluteError), $"{time.TotalSeconds:F1} s");

    private static string F2(double v) => v.ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>One hour of pollution.csv (No,year,month,day,hour,pm2.5,DEWP,TEMP,PRES,cbwd,Iws,Is,Ir); pm2.5 "NA" loads as NaN.</summary>
    private sealed class HourRow
    {
        [LoadColumn(5)] public float Pm25 { get; set; }
        [LoadColumn(6)] public float DewPoint { get; set; }
        [LoadColumn(7)] public float Temperature { get; set; }
        [LoadColumn(8)] public float Pressure { get; set; }
        [LoadColumn(9)] public string Wind { get; set; } = "";
        [LoadColumn(10)] public float WindSpeed { get; set; }
        [LoadColumn(11)] public float SnowHours { get; set; }
        [LoadColumn(12)] public float RainHours { get; set; }
    }

    private sealed class EncodedHour
    {
        public float Pm25 { get; set; }
        public float DewPoint { get; set; }
        public float Temperature { get; set; }
        public float Pressure { get; set; }
        [VectorType(4)] public float[] WindOneHot { get; set; } = [];
        public float WindSpeed { get; set; }
        public float SnowHours { get; set; }
        public float RainHours { get; set; }
    }

    /// <summary>Per hour the 11 feature values, the pm2.5 series (imputed where NA) and which hours were imputed.</summary>
    private static (List<float[]> Steps, List<float> Pm25, List<bool> Imputed, int ImputedCount) Load(MLContext ml)
    {
        var hours = ml.Data.LoadFromTextFile<HourRow>(Path.Combine(AppContext.BaseDirectory, "Data", "timeseries", "pollution.csv"), separatorChar: ',', hasHeader: true);
        // The wind direction as a one-hot vector; categories in sorted order (NE, NW, SE, cv), whatever the file's order.
        var encoded = ml.Transforms.Categorical.OneHotEncoding(nameof(EncodedHour.WindOneHot), nameof(HourRow.Wind), keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(hours).Transform(hours);
        var windType = (VectorDataViewType)encoded.Schema[nameof(EncodedHour.WindOneHot)].Type;
        if (windType.Size != 4) throw new InvalidDataException($"pollution.csv: expected 4 wind directions (cbwd), found {windType.Size}.");

        var steps = new List<float[]>();
        var pm25 = new List<float>();
        var imputed = new List<bool>();
        int imputedCount = 0;
        float last = float.NaN;
        foreach (var (hour, row) in ml.Data.CreateEnumerable<EncodedHour>(encoded, reuseRowObject: false).Select((h, i) => (h, i + 1)))
        {
            float[] weather = [hour.DewPoint, hour.Temperature, hour.Pressure, hour.WindSpeed, hour.SnowHours, hour.RainHours];
            if (!weather.All(float.IsFinite)) throw new InvalidDataException($"pollution.csv row {row}: a weather value is missing or not a number.");
            bool missing = float.IsNaN(hour.Pm25);
            if (missing && float.IsNaN(last)) continue; // the leading NA hours
            float value = missing ? last : hour.Pm25;
            if (missing) imputedCount++;
            last = value;
            steps.Add([value, hour.DewPoint, hour.Temperature, hour.Pressure, .. hour.WindOneHot, hour.WindSpeed, hour.SnowHours, hour.RainHours]);
            pm25.Add(value);
            imputed.Add(missing);
        }
        return (steps, pm25, imputed, imputedCount);
    }
}
