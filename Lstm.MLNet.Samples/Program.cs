using Lstm.MLNet.Samples;

// Sub-commands: the first argument picks a sample; with none (or only options), the sentiment classifier runs.
bool named = args.Length > 0 && (!args[0].StartsWith('-') || args[0] is "-h" or "--help");
string command = named ? args[0].ToLowerInvariant() : "sentiment";
string[] rest = named ? args[1..] : args;

switch (command)
{
    case "sentiment":
        return SentimentSample.Run(rest);
    case "help" or "-h" or "--help":
        PrintUsage(Console.Out);
        return 0;
    default:
        Console.Error.WriteLine($"Unknown command '{command}'.");
        PrintUsage(Console.Error);
        return 1;
}

static void PrintUsage(TextWriter writer)
{
    writer.WriteLine("Usage: Lstm.MLNet.Samples [command] [options]");
    writer.WriteLine();
    writer.WriteLine("Commands:");
    writer.WriteLine("  sentiment   (default) LSTM sentiment classifier on the bundled UCI sentences (amazon, imdb, yelp).");
    writer.WriteLine("              Options: --epochs N, --threads N (0 = all cores), --seed N");
    writer.WriteLine("  help        This text.");
}
