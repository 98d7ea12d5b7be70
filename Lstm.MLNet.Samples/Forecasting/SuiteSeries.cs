using System.Globalization;
using Lstm.MLNet.TimeSeries;

namespace Lstm.MLNet.Samples.Forecasting;

/// <summary>
/// One series of the forecasting suite and its protocol: the values, where the test period starts, the seasonal period
/// (the frequency hint, and the lag of seasonal-naive and MASE), the window and the horizon. Sources and licences:
/// Data/timeseries/SOURCES.md.
/// </summary>
public sealed record SuiteSeries(string Name, string Description, string Frequency, float[] Values, int TrainCount, int Period, int Window, int Horizon)
{
    private static string DataPath(string file) => Path.Combine(AppContext.BaseDirectory, "Data", "timeseries", file);

    /// <summary>The suite's series by name (all of them, in a fixed order).</summary>
    public static IReadOnlyList<string> Names { get; } = ["airline", "usaccdeaths", "nottem", "co2", "sunspots", "bike", "pm25", "m4-weekly-w10"];

    public static SuiteSeries Load(string name) => name switch
    {
        "airline" => Monthly(name, "airline passengers, 1949–1960 (trend, multiplicative season)", "airline-passengers.csv", testFraction: 1 / 3.0, window: 12),
        "usaccdeaths" => Monthly(name, "US accidental deaths, 1973–1978 (short: 72 months)", "USAccDeaths.csv", testFraction: 1 / 3.0, window: 12),
        "nottem" => Monthly(name, "Nottingham monthly air temperature, 1920–1939 (season, no trend)", "nottem.csv", testFraction: 0.2, window: 24),
        "co2" => Monthly(name, "Mauna Loa CO2, 1959–1997 (trend + season)", "co2.csv", testFraction: 0.2, window: 24),
        // The ~11-year solar cycle (132 months) is the sunspots' "season" (as in the forecast sample).
        "sunspots" => new SuiteSeries(name, "monthly sunspots, 1749–1983 (long, 11-year cycle)", "monthly", LastColumn("monthly-sunspots.csv"), 2256, 132, 48, 12),
        // ML.NET's SSA tutorial protocol: fit on 2011 (365 days), forecast 2012, window 7, horizon 7.
        "bike" => new SuiteSeries(name, "Capital Bikeshare daily rentals, 2011–2012 (trend, weekly season)", "daily", Column("bike-sharing-day.csv", 15), 365, 7, 7, 7),
        "pm25" => Pm25(),
        "m4-weekly-w10" => Weekly(),
        _ => throw new ArgumentException($"Unknown series '{name}'; expected one of {string.Join(", ", Names)} (M4 Hourly runs with --m4).")
    };

    private static SuiteSeries Monthly(string name, string description, string file, double testFraction, int window)
    {
        var values = LastColumn(file);
        return new SuiteSeries(name, description, "monthly", values, values.Length - (int)Math.Round(values.Length * testFraction), 12, window, 12);
    }

    /// <summary>Beijing PM2.5, the first 2,400 hours after the leading NA day (NA carried forward): 1,920 train, 480 test.</summary>
    private static SuiteSeries Pm25()
    {
        var values = new List<float>();
        float last = float.NaN;
        foreach (var line in File.ReadLines(DataPath("pollution.csv")).Skip(1))
        {
            string field = line.Split(',')[5];
            if (field == "NA") { if (float.IsNaN(last)) continue; }
            else last = float.Parse(field, CultureInfo.InvariantCulture);
            values.Add(last);
            if (values.Count == 2400) break;
        }
        return new SuiteSeries("pm25", "Beijing PM2.5 hourly, first 100 days of 2010 (NA carried forward)", "hourly", values.ToArray(), 1920, 24, 48, 24);
    }

    /// <summary>M4 Weekly series W10 (train + test, 947 weeks); the last 104 weeks are tested with M4's weekly horizon 13.</summary>
    private static SuiteSeries Weekly()
    {
        var values = LastColumn("m4-weekly-W10.csv");
        return new SuiteSeries("m4-weekly-w10", "M4 Weekly W10, 947 weeks (trend)", "weekly", values, values.Length - 104, 52, 52, 13);
    }

    private static float[] LastColumn(string file) => Column(file, -1);

    /// <summary>A CSV column (−1: the last) of a file with one header line.</summary>
    private static float[] Column(string file, int column) =>
        File.ReadLines(DataPath(file)).Skip(1).Where(line => line.Length > 0).Select((line, i) =>
        {
            var fields = line.Split(',');
            string text = fields[column < 0 ? fields.Length - 1 : column].Trim('"');
            return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) ? v
                : throw new InvalidDataException($"{file} line {i + 2}: '{text}' is not a number.");
        }).ToArray();

    /// <summary>The M4 Hourly set: 414 series (id, training values, the 48 test values), from the gzip-compressed M4 CSVs.</summary>
    public static List<(string Id, float[] Train, float[] Test)> LoadM4Hourly()
    {
        var train = ReadM4("m4/Hourly-train.csv.gz");
        var test = ReadM4("m4/Hourly-test.csv.gz").ToDictionary(s => s.Id, s => s.Values);
        return train.Select(s => (s.Id, s.Values, test.TryGetValue(s.Id, out var t) ? t
            : throw new InvalidDataException($"M4 Hourly series {s.Id} has no test values."))).ToList();
    }

    private static List<(string Id, float[] Values)> ReadM4(string file) => M4Evaluation.Read(DataPath(file));
}
