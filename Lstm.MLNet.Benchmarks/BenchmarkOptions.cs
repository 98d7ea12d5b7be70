using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Benchmarks;

/// <summary>The command line: <c>[all|peak|gemm|lstm|train|infer] [--quick] [--threads 1,2] [--isa avx512,avx2] [--no-torch]</c>.</summary>
internal sealed record BenchmarkOptions
{
    public const string Usage =
        "usage: Lstm.MLNet.Benchmarks [all|peak|gemm|lstm|train|infer]... [--quick] [--threads 1,2] [--isa avx512,avx2,vector128,scalar] [--no-torch] [--library-model] [--verbose]";

    public required IReadOnlySet<string> Sections { get; init; }
    public required bool Quick { get; init; }
    /// <summary>Thread counts to measure: every table has one row or column per entry.</summary>
    public required IReadOnlyList<int> Threads { get; init; }
    /// <summary>Paths asked for with --isa, or null for the defaults (GEMM: every vector path; LSTM and train: the best).</summary>
    public required IReadOnlyList<SimdPath>? Paths { get; init; }
    public required bool Torch { get; init; }
    /// <summary>Train through the library's SequenceClassifierNetwork instead of the compute-core step.</summary>
    public required bool LibraryModel { get; init; }
    /// <summary>Print each cell's samples to stderr.</summary>
    public required bool Verbose { get; init; }

    public TimingPolicy Timing => Quick ? TimingPolicy.Quick : TimingPolicy.Full;

    /// <summary>GEMM compares every vector path; scalar only on request (it would dominate the run time and says nothing new).</summary>
    public IReadOnlyList<SimdPath> GemmPaths =>
        Paths ?? SimdSupport.Supported.Where(p => p != SimdPath.Scalar).Reverse().ToArray();

    /// <summary>End-to-end sections run on the best path unless --isa names others.</summary>
    public IReadOnlyList<SimdPath> ModelPaths => Paths ?? [SimdSupport.Best];

    public bool Runs(string section) => Sections.Contains("all") || Sections.Contains(section);

    public static BenchmarkOptions Parse(string[] args)
    {
        var sections = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        bool quick = false, torch = true, libraryModel = false, verbose = false;
        IReadOnlyList<int>? threads = null;
        IReadOnlyList<SimdPath>? paths = null;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            switch (arg.ToLowerInvariant())
            {
                case "all" or "peak" or "gemm" or "lstm" or "train" or "infer": sections.Add(arg.ToLowerInvariant()); break;
                case "--quick": quick = true; break;
                case "--no-torch": torch = false; break;
                case "--library-model": libraryModel = true; break;
                case "--verbose": verbose = true; break;
                case "--threads": threads = ParseList(args, ref i, ParseThreads); break;
                case "--isa": paths = ParseList(args, ref i, ParsePath); break;
                case "-h" or "--help": throw new ArgumentException("");
                default: throw new ArgumentException($"Unknown argument '{arg}'.");
            }
        }
        if (sections.Count == 0) sections.Add("all");
        return new BenchmarkOptions
        {
            Sections = sections,
            Quick = quick,
            Threads = threads ?? new[] { 1, Environment.ProcessorCount }.Distinct().ToArray(),
            Paths = paths,
            Torch = torch,
            LibraryModel = libraryModel,
            Verbose = verbose,
        };
    }

    private static T[] ParseList<T>(string[] args, ref int i, Func<string, T> parse)
    {
        if (i + 1 >= args.Length) throw new ArgumentException($"{args[i]} needs a comma-separated list.");
        return args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(parse).Distinct().ToArray();
    }

    private static int ParseThreads(string text) =>
        int.TryParse(text, out int n) && n >= 1 ? n : throw new ArgumentException($"'{text}' is not a thread count (a positive integer).");

    private static SimdPath ParsePath(string text)
    {
        var path = SimdSupport.Parse(text);
        if (!SimdSupport.IsSupported(path))
            throw new ArgumentException($"This CPU does not support the {path} path (supported: {string.Join(", ", SimdSupport.Supported)}).");
        return path;
    }
}
