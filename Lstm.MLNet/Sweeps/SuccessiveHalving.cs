using System.Diagnostics;

namespace Lstm.MLNet.Sweeps;

/// <summary>What happened to a trial.</summary>
public enum TrialStatus
{
    /// <summary>The trial trained and was evaluated.</summary>
    Completed,
    /// <summary>Training or evaluation threw, or the metric came out NaN/∞ (e.g. divergence): recorded, the sweep goes on.</summary>
    Failed,
    /// <summary>Stopped by cancellation or the sweep's time limit while it ran.</summary>
    Cancelled,
}

/// <summary>What one trial measured: the metric over the folds (mean, sample standard deviation) and the trained model.</summary>
internal sealed record TrialEvaluation<TModel>(IReadOnlyList<double> FoldMetrics, TModel? Model)
{
    public double Mean => FoldMetrics.Count == 0 ? double.NaN : FoldMetrics.Average();

    public double StandardDeviation
    {
        get
        {
            if (FoldMetrics.Count < 2) return 0;
            double mean = Mean;
            return Math.Sqrt(FoldMetrics.Sum(m => (m - mean) * (m - mean)) / (FoldMetrics.Count - 1));
        }
    }
}

/// <summary>One row of the leaderboard.</summary>
internal sealed record TrialRecord<TModel>(
    int Id, int Rung, int Budget, IReadOnlyDictionary<string, object> Configuration, TrialStatus Status,
    double Metric, double MetricStandardDeviation, IReadOnlyList<double> FoldMetrics, TimeSpan Duration, string? Error)
{
    /// <summary>The trained model; kept only for the sweep's best run, null on the other rows to free memory.</summary>
    public TModel? Model { get; internal set; }
}

/// <summary>
/// Successive halving (Jamieson &amp; Talwalkar 2016; one bracket of Hyperband): rung 0 trains many configurations on a
/// small budget (few epochs), each rung keeps the best 1/η and trains them again with η times the budget, up to the
/// full budget. The first configuration is the search space's defaults, the rest are random draws from a seeded
/// <see cref="Random"/>, so a sweep is reproducible. Within a rung up to <c>concurrency</c> trials run at once; the
/// records keep the configurations' order whatever finishes first, so the result does not depend on it (as long as
/// a trial's outcome does not depend on its thread count). Knows nothing of ML.NET: a trial is a callback.
/// </summary>
internal sealed class SuccessiveHalving
{
    public SuccessiveHalving(int maxTrials, int maxBudget, int eta = 3, int minBudget = 1)
    {
        if (maxTrials < 1) throw new ArgumentOutOfRangeException(nameof(maxTrials), maxTrials, "A sweep needs at least one trial.");
        if (maxBudget < 1) throw new ArgumentOutOfRangeException(nameof(maxBudget), maxBudget, "The full budget (epochs) must be at least 1.");
        if (eta < 2) throw new ArgumentOutOfRangeException(nameof(eta), eta, "The halving rate η must be at least 2.");
        if (minBudget < 1 || minBudget > maxBudget) throw new ArgumentOutOfRangeException(nameof(minBudget), minBudget, $"Must be in [1, {maxBudget}].");
        MaxTrials = maxTrials; MaxBudget = maxBudget; Eta = eta; MinBudget = minBudget;
        Rungs = PlanRungs();
    }

    public int MaxTrials { get; }
    public int MaxBudget { get; }
    public int Eta { get; }
    public int MinBudget { get; }

    /// <summary>The plan: per rung, how many configurations train and with which budget (the last rung: the full budget).</summary>
    public IReadOnlyList<(int Configurations, int Budget)> Rungs { get; }

    /// <summary>
    /// As many rungs as the budget ratio allows (budget ×η per rung), then the most rung-0 configurations n such that
    /// n + ⌈n/η⌉ + ⌈n/η²⌉ + … ≤ <see cref="MaxTrials"/>. With few trials it degrades to fewer rungs, down to a plain
    /// random search at the full budget.
    /// </summary>
    private List<(int, int)> PlanRungs()
    {
        int rungCount = 1;
        while (rungCount < 8 && MaxBudget / Pow(Eta, rungCount) >= MinBudget) rungCount++;
        for (; rungCount >= 1; rungCount--)
        {
            int best = 0;
            for (int n = 1; n <= MaxTrials; n++)
                if (Total(n, rungCount) <= MaxTrials) best = n;
            // Each rung must keep at least one configuration, and rung 0 must have more than the last.
            if (best >= Pow(Eta, rungCount - 1) || rungCount == 1)
            {
                var rungs = new List<(int, int)>();
                for (int r = 0; r < rungCount; r++)
                    rungs.Add((Survivors(best, r), Math.Max(MinBudget, MaxBudget / Pow(Eta, rungCount - 1 - r))));
                return rungs;
            }
        }
        throw new UnreachableException();
    }

    private int Survivors(int n, int rung) => Math.Max(1, (int)Math.Ceiling(n / Math.Pow(Eta, rung)));
    private int Total(int n, int rungs) => Enumerable.Range(0, rungs).Sum(r => Survivors(n, r));
    private static int Pow(int b, int e) { int p = 1; for (int i = 0; i < e; i++) p = checked(p * b); return p; }

    /// <summary>
    /// Runs the sweep. <paramref name="runTrial"/> trains one configuration with a budget and returns the fold
    /// metrics and model; it may throw (the trial is recorded as failed). Stops starting trials when
    /// <paramref name="timeLimit"/> has passed or <paramref name="cancellation"/> is signalled; the best run so far is kept.
    /// </summary>
    public SweepResult<TModel> Run<TModel>(SearchSpace space, int seed, bool higherIsBetter,
        Func<IReadOnlyDictionary<string, object>, int, CancellationToken, TrialEvaluation<TModel>> runTrial,
        TimeSpan timeLimit, CancellationToken cancellation, Action<TrialRecord<TModel>>? onTrial = null, int concurrency = 1)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(runTrial);
        if (concurrency < 1) throw new ArgumentOutOfRangeException(nameof(concurrency), concurrency, "At least one trial must run at a time.");
        var clock = Stopwatch.StartNew();
        var random = new Random(seed);
        var trials = new List<TrialRecord<TModel>>();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (timeLimit != Timeout.InfiniteTimeSpan) limit.CancelAfter(timeLimit);
        TrialRecord<TModel>? best = null;
        var reportLock = new object();

        var configurations = new List<IReadOnlyDictionary<string, object>> { space.Defaults() };
        while (configurations.Count < Rungs[0].Configurations) configurations.Add(space.Sample(random));

        for (int rung = 0; rung < Rungs.Count && configurations.Count > 0; rung++)
        {
            int budget = Rungs[rung].Budget, firstId = trials.Count + 1;
            var records = new TrialRecord<TModel>?[configurations.Count];
            Parallel.For(0, configurations.Count, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, i =>
            {
                if (limit.IsCancellationRequested) return; // not started: not recorded
                var record = RunOne(firstId + i, rung, budget, configurations[i], runTrial, limit.Token);
                records[i] = record;
                if (onTrial != null) lock (reportLock) onTrial(record);
            });
            var results = records.OfType<TrialRecord<TModel>>().ToList();
            foreach (var record in results)
            {
                trials.Add(record);
                // The best run is the best completed trial of the highest rung reached (more budget beats a lucky short run).
                if (record.Status == TrialStatus.Completed && (best == null || rung > best.Rung || (rung == best.Rung && Better(record.Metric, best.Metric, higherIsBetter))))
                {
                    if (best != null) best.Model = default;
                    best = record;
                }
                else record.Model = default;
            }
            if (rung + 1 < Rungs.Count)
                configurations = results.Where(r => r.Status == TrialStatus.Completed)
                    .OrderBy(r => higherIsBetter ? -r.Metric : r.Metric).ThenBy(r => r.Id)
                    .Take(Rungs[rung + 1].Configurations).Select(r => r.Configuration).ToList();
        }
        return new SweepResult<TModel>(trials, best, clock.Elapsed, limit.IsCancellationRequested);
    }

    private static bool Better(double a, double b, bool higherIsBetter) => higherIsBetter ? a > b : a < b;

    private static TrialRecord<TModel> RunOne<TModel>(int id, int rung, int budget, IReadOnlyDictionary<string, object> configuration,
        Func<IReadOnlyDictionary<string, object>, int, CancellationToken, TrialEvaluation<TModel>> runTrial, CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var evaluation = runTrial(configuration, budget, token);
            if (token.IsCancellationRequested)
                return new(id, rung, budget, configuration, TrialStatus.Cancelled, double.NaN, double.NaN, evaluation.FoldMetrics, clock.Elapsed, "Stopped by cancellation or the time limit.");
            if (evaluation.FoldMetrics.Count == 0 || !evaluation.FoldMetrics.All(double.IsFinite))
                return new(id, rung, budget, configuration, TrialStatus.Failed, double.NaN, double.NaN, evaluation.FoldMetrics, clock.Elapsed,
                    $"The metric is not finite ({string.Join(", ", evaluation.FoldMetrics)}): the training diverged.");
            return new(id, rung, budget, configuration, TrialStatus.Completed, evaluation.Mean, evaluation.StandardDeviation, evaluation.FoldMetrics, clock.Elapsed, null)
            { Model = evaluation.Model };
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return new(id, rung, budget, configuration, TrialStatus.Cancelled, double.NaN, double.NaN, [], clock.Elapsed, "Stopped by cancellation or the time limit.");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new(id, rung, budget, configuration, TrialStatus.Failed, double.NaN, double.NaN, [], clock.Elapsed, $"{e.GetType().Name}: {e.Message}");
        }
    }
}

/// <summary>All trials in the order they ran, and the best one.</summary>
internal sealed record SweepResult<TModel>(IReadOnlyList<TrialRecord<TModel>> Trials, TrialRecord<TModel>? Best, TimeSpan Elapsed, bool StoppedEarly);
