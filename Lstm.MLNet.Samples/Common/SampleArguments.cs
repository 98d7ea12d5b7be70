using System.CommandLine;

namespace Lstm.MLNet.Samples.Common;

/// <summary>
/// What a command receives once System.CommandLine has parsed and validated its command line (<see cref="SampleCommands"/>):
/// the options every sample understands, the positional arguments (e.g. sentences to predict) and the command's own
/// options that were given, by name (<c>"--series"</c> → its text; a flag such as <c>"--quick"</c> → <c>"true"</c>).
/// </summary>
public sealed record SampleArguments(int? Epochs, int? Threads, int Seed, string OutputDirectory, IReadOnlyList<string> Positional, IReadOnlyDictionary<string, string> Named)
{
    /// <summary>The arguments of <paramref name="result"/>'s command: the shared options, its positional values and the options given on the command line.</summary>
    internal static SampleArguments From(ParseResult result)
    {
        var named = new Dictionary<string, string>();
        var positional = new List<string>();
        foreach (var option in result.CommandResult.Command.Options)
        {
            if (result.GetResult(option) is not { Implicit: false } given || SampleCommands.IsShared(option)) continue;
            if (option is Option<bool> flag)
            {
                if (result.GetValue(flag)) named[option.Name] = "true";  // "--quick false" is no flag
                continue;
            }
            named[option.Name] = string.Join(",", given.Tokens.Select(t => t.Value));
        }
        foreach (var argument in result.CommandResult.Command.Arguments)
            if (result.GetResult(argument) is { } values) positional.AddRange(values.Tokens.Select(t => t.Value));
        return new SampleArguments(result.GetValue(SampleCommands.Epochs), result.GetValue(SampleCommands.Threads),
            result.GetValue(SampleCommands.Seed), result.GetValue(SampleCommands.Output) ?? "out", positional, named);
    }

    /// <summary>The path of <paramref name="fileName"/> in the output folder (created if needed).</summary>
    public string OutputPath(string fileName)
    {
        Directory.CreateDirectory(OutputDirectory);
        return Path.Combine(OutputDirectory, fileName);
    }
}
