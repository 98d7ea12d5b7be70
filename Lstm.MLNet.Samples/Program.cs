using Lstm.MLNet.Samples.Classification;
using Lstm.MLNet.Samples.Common;
using Lstm.MLNet.Samples.Consumption;
using Lstm.MLNet.Samples.Forecasting;
using Lstm.MLNet.Samples.Sweeps;

// Lstm.MLNet samples, one console app with sub-commands (Model Builder style: the training parts live in
// Classification/ and friends, the consumption part in Consumption/). With no command, 'sentiment' runs.
bool named = args.Length > 0 && !args[0].StartsWith('-');
string command = named ? args[0].ToLowerInvariant() : "sentiment";
string[] rest = named ? args[1..] : args;

try
{
    return command switch
    {
        "sentiment" or "spam" or "mr" => TextClassificationSample.Run(command, rest),
        "quality" => QualitySample.Run(rest),
        "sweep" => SweepSample.Run(rest),
        "forecast" => ForecastSample.Run(rest),
        "predict" => PredictCommand(rest),
        "help" or "-h" or "--help" => Usage(Console.Out, 0),
        _ => Usage(Console.Error, 1, $"Unknown command '{command}'."),
    };
}
catch (ArgumentException e) when (e.Source == typeof(SampleArguments).Assembly.GetName().Name)
{
    return Usage(Console.Error, 1, e.Message);
}
catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
{
    // A missing or damaged model or data file: the message says which and why; no stack trace for users.
    Console.Error.WriteLine(e.Message);
    return 1;
}

static int PredictCommand(string[] args)
{
    var arguments = SampleArguments.Parse(args, "--model");
    string modelPath = arguments.Named.TryGetValue("--model", out var path) ? path : arguments.OutputPath("sentiment-model.zip");
    var consumer = ConsumeModel.Load(modelPath);
    var texts = arguments.Positional.Count > 0 ? arguments.Positional.ToList() : ReadLines(Console.In);
    foreach (var text in texts)
    {
        var prediction = consumer.Predict(text);
        Console.WriteLine($"{(prediction.PredictedLabel ? "true " : "false")}  p={prediction.Probability:F3}  {text}");
    }
    return 0;
}

static List<string> ReadLines(TextReader reader)
{
    var lines = new List<string>();
    while (reader.ReadLine() is { } line)
        if (!string.IsNullOrWhiteSpace(line)) lines.Add(line);
    return lines;
}

static int Usage(TextWriter writer, int exitCode, string? error = null)
{
    if (error != null) writer.WriteLine(error);
    writer.WriteLine("Usage: dotnet run -c Release --project Lstm.MLNet.Samples -- <command> [options]");
    writer.WriteLine();
    writer.WriteLine("Commands:");
    writer.WriteLine("  sentiment [sentences...]   (default) LSTM sentiment classifier on the UCI sentences: train with a progress");
    writer.WriteLine("                             bar, metrics and confusion matrix, save, reload, predict, PNG of the training curves");
    writer.WriteLine("  spam [messages...]         the same on the UCI SMS Spam Collection");
    writer.WriteLine("  mr [sentences...]          the same on the movie-review polarity data (Pang & Lee)");
    writer.WriteLine("  quality [--datasets a,b]   LSTM vs FeaturizeText+SDCA on each data set's protocol (5-fold, 80/20, 10-fold); Markdown");
    writer.WriteLine("  quality --suite [--sets a,b] [--quick] [--set \"|HiddenSize=128\"]  the text benchmark suite (8 sets, binary and");
    writer.WriteLine("                             multiclass; --set: LSTM configurations separated by '|', empty = defaults): accuracy,");
    writer.WriteLine("                             macro-F1, log-loss, ECE, mean ranks; Markdown + CSV in --out");
    writer.WriteLine("  forecast [--series airline|sunspots|pm25]  LSTM forecaster vs seasonal-naive, persistence and FastTree on lags;");
    writer.WriteLine("                             rolling 1- and 12-step test errors, checkpoint + reload, PNG of forecast and band");
    writer.WriteLine("  forecast --suite [--series a,b] [--rules defaults,auto+guard] [--m4-lstm 8] [--quick]");
    writer.WriteLine("                             the forecasting benchmark suite (8 series + M4 Hourly): MAE/RMSE/sMAPE/MASE at step 1 and");
    writer.WriteLine("                             the horizon vs persistence, seasonal-naive, FastTree; M4 sMAPE/MASE/OWA; writes .md and .csv");
    writer.WriteLine("                             M4 global model: [--m4-global 0] skips it, [--m4-global-period 168] [--m4-global-window 168]");
    writer.WriteLine("  sweep [--dataset sentiment|spam|mr] [--trials 12] [--minutes 10] [--folds 3] [--metric Accuracy]");
    writer.WriteLine("                             AutoML-style sweep (successive halving, CV): leaderboard, CSV, bar chart, best vs defaults");
    writer.WriteLine("  predict --model M.zip [texts...]  predict with a saved binary text model (texts from stdin when none)");
    writer.WriteLine();
    writer.WriteLine($"Options: {SampleArguments.Usage}");
    return exitCode;
}
