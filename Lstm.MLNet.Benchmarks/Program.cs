using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Lstm.MLNet.Benchmarks;
using Lstm.MLNet.Compute;

// Lstm.MLNet benchmarks: prints Markdown tables, ready for the README. See BenchmarkOptions.Usage.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (ArgumentException e)
{
    if (e.Message.Length > 0) Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return 2;
}

// The compute core forks onto the thread pool: have every worker ready rather than injected mid-measurement.
ThreadPool.GetMinThreads(out int workers, out int io);
ThreadPool.SetMinThreads(Math.Max(workers, options.Threads.Max() + 1), io);

Harness.Verbose = options.Verbose;
var output = Console.Out;
var policy = options.Timing;
output.WriteLine("## Lstm.MLNet benchmarks");
output.WriteLine();
output.WriteLine($"CPU: {SimdSupport.DescribeCpu()}. Paths on this CPU: {string.Join(", ", SimdSupport.Supported.Reverse()).ToLowerInvariant()}.");
output.WriteLine($"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}. " +
    $"Each cell: median of {policy.Samples} samples over ≥ {policy.CellSeconds:0.##} s, after ≥ {policy.WarmupSeconds:0.##} s of warm-up" +
    (options.Quick ? " (--quick: indicative only)." : "."));
output.WriteLine();

var clock = Stopwatch.StartNew();
var peak = new PeakFlops(policy);
// Every figure below is read against this machine's own FMA roof: name it before anything else.
output.WriteLine($"FMA peak, measured now (register-only multiply-add loop, GFLOP/s): {peak.Describe(SimdSupport.Supported.Reverse(), options.Threads)}.");
output.WriteLine($"Load average at start (1, 5, 15 min): {LoadAverage()}.");
output.WriteLine();
if (options.Runs("peak")) peak.Print(output, options.Threads);
if (options.Runs("gemm")) GemmBenchmark.Run(output, options, peak);
if (options.Runs("lstm")) LstmBenchmark.Run(output, options, peak);
if (options.Runs("train")) TrainBenchmark.Run(output, options);
if (options.Runs("infer")) InferenceBenchmark.Run(output, options, peak);

if (Harness.NoisyCells.Count > 0)
    output.WriteLine($"Noisy cells (samples spread > 10%; rerun on a quiet machine): {string.Join("; ", Harness.NoisyCells)}.");
output.WriteLine($"Benchmark time: {clock.Elapsed.TotalSeconds:F0} s.");
return 0;

static string LoadAverage()
{
    try { return File.Exists("/proc/loadavg") ? string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a"; }
    catch (IOException) { return "n/a"; }
}
