using System.Diagnostics;

namespace Lstm.MLNet.Benchmarks;

/// <summary>How long to warm up and measure one table cell.</summary>
/// <param name="WarmupSeconds">Warm up at least this long.</param>
/// <param name="WarmupRuns">... and for at least this many runs, unless that takes longer than <paramref name="MaxWarmupSeconds"/>.</param>
/// <param name="CellSeconds">Timed runs fill at least this long, split into <paramref name="Samples"/> samples (each at least one run).</param>
internal sealed record TimingPolicy(double WarmupSeconds, int WarmupRuns, double MaxWarmupSeconds, double CellSeconds, int Samples)
{
    /// <summary>
    /// Tiered JIT promotes a method after 30 calls (then, with dynamic PGO, an instrumented tier for 30
    /// more) and only after a 100 ms quiet period, so a method called once per run needs ~60 runs to
    /// reach its final code; loops inside get there sooner through on-stack replacement. Hence ≥ 0.5 s
    /// and ≥ 60 runs of warm-up (capped at 3 s for slow runs, where per-call overhead is negligible),
    /// then ≥ 1 s of timed runs in 7 samples.
    /// </summary>
    public static TimingPolicy Full { get; } = new(WarmupSeconds: 0.5, WarmupRuns: 60, MaxWarmupSeconds: 3, CellSeconds: 1.0, Samples: 7);

    /// <summary>For checking that everything runs: numbers are indicative only.</summary>
    public static TimingPolicy Quick { get; } = new(WarmupSeconds: 0.15, WarmupRuns: 60, MaxWarmupSeconds: 0.4, CellSeconds: 0.15, Samples: 5);
}

/// <summary>One cell's result: seconds per run (median over samples) and the spread of the samples.</summary>
internal readonly record struct Measurement(double MedianSeconds, double MinSeconds, double MaxSeconds, int Samples, int RunsPerSample)
{
    /// <summary>(max − min) / median of the per-run sample times: how noisy the cell was.</summary>
    public double Spread => (MaxSeconds - MinSeconds) / MedianSeconds;

    public double PerSecond(double units) => units / MedianSeconds;
    public double GigaPerSecond(double units) => units / MedianSeconds * 1e-9;
}

/// <summary>The one timing loop every section uses.</summary>
internal static class Harness
{
    /// <summary>Cells whose samples disagreed by more than this are listed at the end of the run.</summary>
    private const double NoisySpread = 0.10;
    private static readonly List<string> s_noisy = [];

    /// <summary>Print every cell's samples to stderr (--verbose), to see where noise comes from.</summary>
    public static bool Verbose { get; set; }

    /// <summary>Cells measured so far whose spread exceeded 10%, with their label.</summary>
    public static IReadOnlyList<string> NoisyCells => s_noisy;

    /// <summary>
    /// Warms <paramref name="run"/> up, then times it: each sample repeats it enough times to fill
    /// CellSeconds / Samples (at least once), and the median sample is reported, per run.
    /// </summary>
    public static Measurement Measure(string label, Action run, TimingPolicy policy)
    {
        // Start from a clean heap so a collection owed to earlier cells does not land in this one.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        // Let worker threads that spin after their last job (libtorch's OpenMP pool, the .NET thread pool) go idle first.
        Thread.Sleep(20);

        var clock = Stopwatch.StartNew();
        int warmupRuns = 0;
        double lastRun = 0;
        while (clock.Elapsed.TotalSeconds < policy.WarmupSeconds
               || (warmupRuns < policy.WarmupRuns && clock.Elapsed.TotalSeconds < policy.MaxWarmupSeconds)
               || warmupRuns < 2)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            lastRun = Stopwatch.GetElapsedTime(start).TotalSeconds;
            warmupRuns++;
        }

        int runsPerSample = (int)Math.Clamp(Math.Ceiling(policy.CellSeconds / policy.Samples / Math.Max(lastRun, 1e-9)), 1, int.MaxValue / 2);
        var samples = new double[policy.Samples];
        for (int s = 0; s < samples.Length; s++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int r = 0; r < runsPerSample; r++) run();
            samples[s] = Stopwatch.GetElapsedTime(start).TotalSeconds / runsPerSample;
        }
        if (Verbose)
            Console.Error.WriteLine($"{label}: {warmupRuns} warm-up runs, {runsPerSample} runs/sample, ms/run: " +
                string.Join(" ", samples.Select(x => (x * 1e3).ToString("F3"))));
        Array.Sort(samples);
        var m = new Measurement(samples[samples.Length / 2], samples[0], samples[^1], samples.Length, runsPerSample);
        if (m.Spread > NoisySpread) s_noisy.Add($"{label}: spread {MarkdownTable.Percent(m.Spread)}");
        return m;
    }
}
