using System.CommandLine;
using Lstm.MLNet.Samples.Classification;
using Lstm.MLNet.Samples.Consumption;
using Lstm.MLNet.Samples.Forecasting;
using Lstm.MLNet.Samples.Sweeps;
using Spectre.Console;

namespace Lstm.MLNet.Samples.Common;

/// <summary>
/// The samples' command line (System.CommandLine): one sub-command per sample, the shared options on every command,
/// help (<c>--help</c>, <c>-h</c>, <c>-?</c>) and validation with clear messages. With no command, <c>sentiment</c> runs.
/// A command receives its <see cref="SampleArguments"/>; the options a command reads by type (the sweep's) it reads
/// from the parse result.
/// </summary>
internal static class SampleCommands
{
    public static readonly Option<int?> Epochs = PositiveInt("--epochs", "Maximum training epochs (default: the sample's own).");
    public static readonly Option<int?> Threads = PositiveInt("--threads", "Compute threads (default: all cores).");
    public static readonly Option<int> Seed = new("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1, Recursive = true };
    public static readonly Option<string> Output = new("--out") { Description = "Output folder (models, charts, tables).", DefaultValueFactory = _ => "out", Recursive = true, HelpName = "DIR" };

    public static bool IsShared(Option option) => option == Epochs || option == Threads || option == Seed || option == Output;

    public static RootCommand Build()
    {
        var root = new RootCommand("Lstm.MLNet samples: LSTM text classifiers, forecasters and sweeps on bundled public data.");
        foreach (var shared in new Option[] { Epochs, Threads, Seed, Output }) root.Options.Add(shared);

        // No command: the sentiment sample (README's first command).
        root.SetAction(Run(arguments => TextClassificationSample.Run("sentiment", arguments)));

        foreach (var (name, description) in new[]
        {
            ("sentiment", "LSTM sentiment classifier on the UCI sentences: train with a progress bar, metrics and confusion matrix, save, reload, predict, PNG of the training curves (the default command)."),
            ("spam", "The same on the UCI SMS Spam Collection."),
            ("mr", "The same on the movie-review polarity data (Pang & Lee)."),
        })
        {
            var command = new Command(name, description) { Texts("Texts to predict after training (default: stdin, or a few examples)."), Flag(ExplainOption.Flag, ExplainOption.Usage),
                Text("--vectors", "Word vectors that start the embedding, their words all joining the vocabulary: 'bundled' (the default: 50-d vectors learned from the bundled IMDB, AG News and 20 Newsgroups text), 'none', or a GloVe, word2vec text or fastText .vec file (gzip or not).") };
            command.SetAction(Run(arguments => TextClassificationSample.Run(name, arguments)));
            root.Subcommands.Add(command);
        }

        var quality = new Command("quality", "LSTM vs FeaturizeText + SDCA on each data set's protocol (Markdown for README); --suite: the text benchmark suite.")
        {
            Text("--datasets", "Data sets of the quality table, comma-separated (default: sentiment,spam,mr)."),
            Text("--set", "LSTM options by name, e.g. \"HiddenSize=128;Dropout=0.5\"; with --suite several configurations separated by '|' (empty = defaults)."),
            Flag("--suite", "Run the text benchmark suite (8 sets, binary and multiclass): accuracy, macro-F1, log-loss, ECE, mean ranks; Markdown + CSV in --out."),
            Flag("--quick", "With --suite: at most 3 folds, training splits subsampled to 5,000 rows and test splits to 2,500."),
            Text("--sets", "With --suite: the sets, comma-separated (default: all 8)."),
            Flag(BenchmarkSuite.LstmOnlyFlag, "With --suite: the LSTM configurations only, no FeaturizeText + SDCA."),
        };
        quality.SetAction(Run(arguments => arguments.Named.ContainsKey("--suite") ? BenchmarkSuite.Run(arguments) : QualitySample.Run(arguments)));
        root.Subcommands.Add(quality);

        var m4Lstm = new Option<int>("--m4-lstm") { Description = "With --suite: LSTMs on this many M4 Hourly series (seeded subset; default 8, 3 with --quick)." };
        m4Lstm.Validators.Add(r => { if (Given(r) < 0) r.AddError("--m4-lstm must be 0 or more."); });
        var forecast = new Command("forecast", "LSTM forecaster vs seasonal-naive, persistence and FastTree on lags (rolling 1- and 12-step test errors, checkpoint + reload, PNG); --suite: the forecasting benchmark suite.")
        {
            Text("--series", "Without --suite: airline (default), sunspots or pm25. With --suite: series, comma-separated (default: the 8 series and m4-hourly)."),
            Flag("--suite", "Run the forecasting benchmark suite: MAE/RMSE/sMAPE/MASE at step 1 and the horizon; M4 sMAPE/MASE/OWA; .md and .csv in --out."),
            Flag("--quick", "With --suite: 30 epochs, fewer rules and M4 series."),
            Text("--rules", "With --suite: the LSTM rules, comma-separated (e.g. defaults,auto+guard)."),
            m4Lstm,
            NonNegativeInt("--m4-global", "With --suite: 1 (default) trains the global model on all M4 Hourly series, 0 skips it."),
            PositiveInt("--m4-global-period", "With --suite: the global model's seasonal figure, in hours (default 168)."),
            PositiveInt("--m4-global-window", "With --suite: the global model's input window, in hours (default 168)."),
            PositiveInt("--m4-global-networks", "With --suite: the global model's networks, 1 to 8 (default 3)."),
        };
        forecast.SetAction(Run(arguments => arguments.Named.ContainsKey("--suite") ? ForecastSuite.Run(arguments) : ForecastSample.Run(arguments)));
        root.Subcommands.Add(forecast);

        var vectors = new Command("vectors", "Learn word vectors from the bundled unlabelled text (skip-gram, negative sampling) and write them as a gzip word2vec file for --vectors.")
        {
            Text("--sets", "Data sets whose text (labels unused) the vectors learn from, comma-separated (default: imdb,ag-news,20newsgroups)."),
        };
        vectors.SetAction(Run(WordVectorsSample.Run));
        root.Subcommands.Add(vectors);

        root.Subcommands.Add(SweepSample.Command(Run));

        var model = new Option<string?>("--model") { Description = "The saved binary text model (default: <out>/sentiment-model.zip).", HelpName = "PATH" };
        var labels = new Option<string?>("--labels") { Description = "The names of the false and true classes, e.g. ham,spam (default: from the model's file name for the bundled data sets, else false,true).", HelpName = "NEGATIVE,POSITIVE" };
        var predict = new Command("predict", "Predict with a saved binary text model.") { model, labels, Texts("Texts to predict (default: stdin)."), Flag(ExplainOption.Flag, ExplainOption.Usage) };
        predict.SetAction(Run(arguments => PredictCommand.Run(arguments, arguments.Named.GetValueOrDefault("--model"), arguments.Named.GetValueOrDefault("--labels"))));
        root.Subcommands.Add(predict);
        return root;
    }

    /// <summary>
    /// A command's action: its <see cref="SampleArguments"/>, then the sample. Bad input met while running (an unknown data
    /// set or series, a missing or damaged model file, an option value the library rejects) ends with its message in red,
    /// no stack trace; anything else is a bug and keeps System.CommandLine's full report.
    /// </summary>
    public static Func<ParseResult, int> Run(Func<SampleArguments, int> sample) => result =>
    {
        try
        {
            return sample(SampleArguments.From(result));
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException)
        {
            string message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;
            Errors.MarkupLineInterpolated($"[red]{message}[/]");
            return 1;
        }
    };

    /// <summary>Standard error, with Spectre's colours where the terminal has them.</summary>
    private static readonly IAnsiConsole Errors = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    public static Argument<string[]> Texts(string description) => new("texts") { Description = description, Arity = ArgumentArity.ZeroOrMore };

    private static Option<string> Text(string name, string description) => new(name) { Description = description };

    private static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    private static Option<int> NonNegativeInt(string name, string description)
    {
        var option = new Option<int>(name) { Description = description, HelpName = "N" };
        option.Validators.Add(r => { if (Given(r) < 0) r.AddError($"{name} must be 0 or more."); });
        return option;
    }

    private static Option<int?> PositiveInt(string name, string description)
    {
        var option = new Option<int?>(name) { Description = description, Recursive = true, HelpName = "N" };
        option.Validators.Add(r => { if (Given(r) is int n && n <= 0) r.AddError($"{name} must be a positive integer, got {n}."); });
        return option;
    }

    /// <summary>
    /// The integer given to an option, for range checks: null when it was not given or is not an integer (the parser
    /// reports that itself, naming the option and the expected type; reading the value here would throw instead).
    /// </summary>
    public static int? Given(System.CommandLine.Parsing.OptionResult result) =>
        result.Tokens is [{ } token] && int.TryParse(token.Value, System.Globalization.CultureInfo.InvariantCulture, out int n) ? n : null;
}
