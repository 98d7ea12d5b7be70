using System.Globalization;
using System.IO.Compression;

namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// The M4 competition's data format and evaluation: its CSVs (a header, then per row a quoted id and the values,
/// padded with empty cells; here gzip-compressed), and its scores over a set of series: sMAPE and MASE averaged over
/// the series and the horizon's steps (MASE scaled per series by the in-sample seasonal-naive error,
/// <see cref="NaiveForecasts.MaseScale"/>), and OWA = the mean of the two relative to Naive2's.
/// </summary>
internal static class M4Evaluation
{
    /// <summary>The series of a gzip-compressed M4 CSV, in file order.</summary>
    public static List<(string Id, float[] Values)> Read(string gzipPath)
    {
        using var stream = new GZipStream(File.OpenRead(gzipPath), CompressionMode.Decompress);
        using var reader = new StreamReader(stream);
        reader.ReadLine();
        var series = new List<(string, float[])>();
        int line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            var fields = text.Split(',').Select(f => f.Trim('"')).ToArray();
            series.Add((fields[0], fields.Skip(1).Where(f => f.Length > 0).Select(f => float.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out float v)
                ? v : throw new InvalidDataException($"{Path.GetFileName(gzipPath)} line {line}: '{f}' is not a number.")).ToArray()));
        }
        return series;
    }

    /// <summary>M4's sMAPE and MASE over the series: each (training values, test values, forecast of the test values).</summary>
    public static (double Smape, double Mase) Score(IEnumerable<(float[] Train, float[] Test, float[] Forecast)> series, int period)
    {
        double smape = 0, mase = 0;
        int count = 0;
        foreach (var (train, test, forecast) in series)
        {
            var metrics = ForecastMetrics.Compute(forecast, test, test.Length);
            smape += metrics.SymmetricMeanAbsolutePercentageError.Average();
            mase += metrics.MeanAbsoluteError.Average() / NaiveForecasts.MaseScale(train, period);
            count++;
        }
        if (count == 0) throw new ArgumentException("There are no series to score.", nameof(series));
        return (smape / count, mase / count);
    }

    /// <summary>M4's overall weighted average: (sMAPE / Naive2's sMAPE + MASE / Naive2's MASE) / 2.</summary>
    public static double Owa((double Smape, double Mase) method, (double Smape, double Mase) naive2) =>
        (method.Smape / naive2.Smape + method.Mase / naive2.Mase) / 2;
}
