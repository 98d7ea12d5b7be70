namespace Lstm.MLNet.Samples.Common;

/// <summary>The options every sample understands, plus the positional arguments left over (e.g. sentences to predict).</summary>
public sealed record SampleArguments(int? Epochs, int? Threads, int Seed, string OutputDirectory, IReadOnlyList<string> Positional, IReadOnlyDictionary<string, string> Named)
{
    public const string Usage = "--epochs N, --threads N, --seed N (default 1), --out DIR (default ./out)";

    /// <summary>Parses <c>--epochs/--threads/--seed/--out</c> and any of <paramref name="extraOptions"/> (each taking a value).</summary>
    public static SampleArguments Parse(string[] args, params string[] extraOptions)
    {
        int? epochs = null, threads = null;
        int seed = 1;
        string output = "out";
        var positional = new List<string>();
        var named = new Dictionary<string, string>();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) { positional.Add(arg); continue; }
            if (i + 1 >= args.Length) throw new ArgumentException($"Option {arg} needs a value.");
            string value = args[++i];
            switch (arg)
            {
                case "--epochs": epochs = PositiveInt(arg, value); break;
                case "--threads": threads = PositiveInt(arg, value); break;
                case "--seed": seed = int.TryParse(value, out int s) ? s : throw new ArgumentException($"--seed expects an integer, got '{value}'."); break;
                case "--out": output = value; break;
                default:
                    if (!extraOptions.Contains(arg)) throw new ArgumentException($"Unknown option '{arg}'.");
                    named[arg] = value;
                    break;
            }
        }
        return new SampleArguments(epochs, threads, seed, output, positional, named);
    }

    private static int PositiveInt(string option, string value) =>
        int.TryParse(value, out int n) && n > 0 ? n : throw new ArgumentException($"{option} expects a positive integer, got '{value}'.");

    public string OutputPath(string fileName)
    {
        Directory.CreateDirectory(OutputDirectory);
        return Path.Combine(OutputDirectory, fileName);
    }
}
