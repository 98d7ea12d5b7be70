using System.Diagnostics;
using System.Globalization;
using Lstm.MLNet.Tests.MLNet.SequenceRegression;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.TestSupport;

/// <summary>
/// Entry point of the test assembly when run as a program (tests run in VSTest's testhost and never reach it):
/// <c>dotnet Lstm.MLNet.Tests.dll load-and-predict model.zip texts.txt out.txt</c> loads a saved binary model
/// in this fresh process and writes, per text, the bits of Score and Probability from a PredictionEngine and
/// from Transform. <see cref="Run"/> starts it from a test.
/// </summary>
public static class ChildProcessEntryPoint
{
    public static int Main(string[] args)
    {
        if (args.Length == 4 && args[0] == IsolatedCases.Mode)
        {
            File.WriteAllLines(args[3], IsolatedCases.Run(File.ReadAllLines(args[2])));
            return 0;
        }
        if (args.Length != 4 || args[0] is not ("load-and-predict" or "load-and-regress" or "load-and-forecast"))
        {
            Console.Error.WriteLine("usage: load-and-predict|load-and-regress|load-and-forecast <model.zip> <inputs.txt> <out.txt>");
            return 2;
        }
        var ml = new MLContext(seed: 123);
        var model = ml.Model.Load(args[1], out _);
        var lines = File.ReadAllLines(args[2]);
        File.WriteAllLines(args[3], args[0] switch
        {
            "load-and-predict" => Predict(ml, model, lines),
            "load-and-regress" => Regress(ml, model, lines),
            _ => Forecast(model, lines),
        });
        return 0;
    }

    /// <summary>One line per text: Score and Probability bits from a PredictionEngine, then from Transform.</summary>
    public static IEnumerable<string> Predict(MLContext ml, ITransformer model, string[] texts)
    {
        var rows = texts.Select(t => new SentimentRow { Text = t }).ToArray();
        var engine = ml.Model.CreatePredictionEngine<SentimentRow, BinaryPrediction>(model);
        var batch = ml.Data.CreateEnumerable<BinaryPrediction>(model.Transform(ml.Data.LoadFromEnumerable(rows)), reuseRowObject: false).ToArray();
        for (int i = 0; i < rows.Length; i++)
        {
            var single = engine.Predict(rows[i]);
            yield return string.Join(' ', Bits(single.Score), Bits(single.Probability), Bits(batch[i].Score), Bits(batch[i].Probability));
        }
    }

    /// <summary>
    /// Regression: each line holds a sequence as comma-separated floats (round-trip "R" format); one output line per
    /// sequence with the Score bits from a PredictionEngine, then from Transform.
    /// </summary>
    public static IEnumerable<string> Regress(MLContext ml, ITransformer model, string[] lines)
    {
        var rows = lines.Select(l => new SequenceRegressionTests.SequenceRow
            { Features = l.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray() }).ToArray();
        var engine = ml.Model.CreatePredictionEngine<SequenceRegressionTests.SequenceRow, SequenceRegressionTests.ScoreRow>(model);
        var batch = model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float>("Score").ToArray();
        for (int i = 0; i < rows.Length; i++)
            yield return string.Join(' ', Bits(engine.Predict(rows[i]).Score), Bits(batch[i]));
    }

    /// <summary>Forecasting: feeds each line's observation to a fresh engine of the loaded forecaster; one line of forecast bits per observation.</summary>
    public static IEnumerable<string> Forecast(ITransformer model, string[] lines)
    {
        var engine = ((LstmForecastingTransformer)model).CreateForecastingEngine();
        yield return string.Join(' ', engine.Predict().Forecast.Select(Bits));
        foreach (var line in lines)
        {
            engine.Update(float.Parse(line, CultureInfo.InvariantCulture));
            var next = engine.Predict();
            yield return string.Join(' ', next.Forecast.Concat(next.LowerBound).Concat(next.UpperBound).Select(Bits));
        }
    }

    private static string Bits(float value) => BitConverter.SingleToInt32Bits(value).ToString("X8", CultureInfo.InvariantCulture);

    /// <summary>Runs <see cref="Main"/> in a new <c>dotnet</c> process; returns its output lines.</summary>
    public static string[] Run(string modelPath, string[] texts, TimeSpan timeout, string mode = "load-and-predict")
    {
        string directory = Path.Combine(Path.GetTempPath(), "lstm-child-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string textsPath = Path.Combine(directory, "texts.txt"), outPath = Path.Combine(directory, "out.txt");
            File.WriteAllLines(textsPath, texts);
            string assembly = typeof(ChildProcessEntryPoint).Assembly.Location;
            var start = new ProcessStartInfo(Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "exec", assembly, mode, modelPath, textsPath, outPath }) start.ArgumentList.Add(a);
            using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"The child process did not finish in {timeout}.");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"The child process exited with {process.ExitCode}: {stdout.Result}{stderr.Result}");
            return File.ReadAllLines(outPath);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
