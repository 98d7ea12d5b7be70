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
    /// <summary>Work of this trial that ran again elsewhere, and why (a cluster's worker that left mid-trial); empty in one process.</summary>
    public IReadOnlyList<string> Redispatches { get; init; } = [];

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
    /// <summary>Work of this trial that ran again elsewhere, and why; empty in one process.</summary>
    public IReadOnlyList<string> Redispatches { get; init; } = [];
}

/// <summary>One trial to evaluate: its number, rung, budget (epochs out of the sweep's full budget) and configuration.</summary>
internal sealed record TrialRequest(int Id, int Rung, int Budget, IReadOnlyDictionary<string, object> Configuration);

/// <summary>
/// Evaluates a sweep's trials: <see cref="LocalTrialExecutor{TModel}"/> in this process, or an executor that sends them
/// to other machines. The halving (which trials, which budgets, what is kept) is <see cref="SuccessiveHalving"/>'s alone.
/// </summary>
internal interface ITrialExecutor<TModel>
{
    /// <summary>How many trials may be evaluated at once.</summary>
    int Concurrency { get; }

    /// <summary>
    /// Trains and measures one trial. May throw (the trial is recorded as failed) or throw <see cref="SweepAbortedException"/>
    /// (the sweep itself cannot go on); on <paramref name="token"/> it returns or throws promptly (the trial is recorded as
    /// cancelled, or not at all after <see cref="TrialNotStartedException"/>).
    /// </summary>
    Task<TrialEvaluation<TModel>> EvaluateAsync(TrialRequest trial, CancellationToken token);
}

/// <summary>The trials run in this process through a callback, on the thread pool, <see cref="Concurrency"/> at a time.</summary>
internal sealed class LocalTrialExecutor<TModel>(
    Func<IReadOnlyDictionary<string, object>, int, CancellationToken, TrialEvaluation<TModel>> runTrial, int concurrency) : ITrialExecutor<TModel>
{
    public int Concurrency { get; } = concurrency >= 1 ? concurrency
        : throw new ArgumentOutOfRangeException(nameof(concurrency), concurrency, "At least one trial must run at a time.");

    public Task<TrialEvaluation<TModel>> EvaluateAsync(TrialRequest trial, CancellationToken token) =>
        Task.FromResult(runTrial(trial.Configuration, trial.Budget, token));
}

/// <summary>
/// Thrown by an executor that was still waiting for room to start a trial when the sweep stopped: the trial is not
/// recorded, as a trial the local sweep had not started.
/// </summary>
internal sealed class TrialNotStartedException(CancellationToken token) : OperationCanceledException("The sweep stopped before the trial started.", token);

/// <summary>Thrown by an executor that can run no more trials (e.g. no worker is left): the sweep stops with this exception.</summary>
internal sealed class SweepAbortedException(string message, Exception? inner = null) : InvalidOperationException(message, inner);

/// <summary>
/// Successive halving (Jamieson &amp; Talwalkar 2016; one bracket of Hyperband): rung 0 trains many configurations on a
/// small budget (few epochs), each rung keeps the best 1/η and trains them again with η times the budget, up to the
/// full budget. The first configuration is the search space's defaults, the rest are random draws from a seeded
/// <see cref="Random"/>, so a sweep is reproducible. Within a rung up to <c>concurrency</c> trials run at once; the
/// records keep the configurations' order whatever finishes first, so the result does not depend on it (as long as
/// a trial's outcome does not depend on its thread count). Knows nothing of ML.NET: a trial is an <see cref="ITrialExecutor{TModel}"/>.
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
    /// Runs the sweep in this process. <paramref name="runTrial"/> trains one configuration with a budget and returns
    /// the fold metrics and model; it may throw (the trial is recorded as failed). Up to <paramref name="concurrency"/>
    /// trials run at once. Stops starting trials when <paramref name="timeLimit"/> has passed or
    /// <paramref name="cancellation"/> is signalled; the best run so far is kept.
    /// </summary>
    public SweepResult<TModel> Run<TModel>(SearchSpace space, int seed, bool higherIsBetter,
        Func<IReadOnlyDictionary<string, object>, int, CancellationToken, TrialEvaluation<TModel>> runTrial,
        TimeSpan timeLimit, CancellationToken cancellation, Action<TrialRecord<TModel>>? onTrial = null, int concurrency = 1)
    {
        ArgumentNullException.ThrowIfNull(runTrial);
        return RunAsync(space, seed, higherIsBetter, new LocalTrialExecutor<TModel>(runTrial, concurrency), timeLimit, cancellation, onTrial)
            .GetAwaiter().GetResult();
    }

    /// <summary>
    /// Runs the sweep with <paramref name="executor"/> evaluating the trials (in this process, or across a cluster): the
    /// one halving every sweep shares. Each rung starts its trials in order, up to the executor's
    /// <see cref="ITrialExecutor{TModel}.Concurrency"/> at once; a trial not started when the time limit passes or
    /// <paramref name="cancellation"/> is signalled is not recorded, one that was running is recorded as cancelled.
    /// </summary>
    public async Task<SweepResult<TModel>> RunAsync<TModel>(SearchSpace space, int seed, bool higherIsBetter, ITrialExecutor<TModel> executor,
        TimeSpan timeLimit, CancellationToken cancellation, Action<TrialRecord<TModel>>? onTrial = null)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(executor);
        if (executor.Concurrency < 1) throw new ArgumentOutOfRangeException(nameof(executor), executor.Concurrency, "At least one trial must run at a time.");
        var clock = Stopwatch.StartNew();
        var random = new Random(seed);
        var trials = new List<TrialRecord<TModel>>();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (timeLimit != Timeout.InfiniteTimeSpan) limit.CancelAfter(timeLimit);
        // The timer behind CancelAfter runs on the thread pool, which busy trials can hold up past the limit (a trial
        // then finished "within" a limit long gone): the clock is read directly whenever a trial starts or ends.
        bool Stopped()
        {
            if (timeLimit != Timeout.InfiniteTimeSpan && clock.Elapsed >= timeLimit && !limit.IsCancellationRequested)
                try { limit.Cancel(); } catch (ObjectDisposedException) { }
            return limit.IsCancellationRequested;
        }
        TrialRecord<TModel>? best = null;
        var reportLock = new object();

        var configurations = new List<IReadOnlyDictionary<string, object>> { space.Defaults() };
        while (configurations.Count < Rungs[0].Configurations) configurations.Add(space.Sample(random));

        for (int rung = 0; rung < Rungs.Count && configurations.Count > 0; rung++)
        {
            int budget = Rungs[rung].Budget, firstId = trials.Count + 1;
            var records = new TrialRecord<TModel>?[configurations.Count];
            // Parallel.ForEachAsync takes the indices in order, so the first trials of a rung start first.
            await Parallel.ForEachAsync(Enumerable.Range(0, configurations.Count), new ParallelOptions { MaxDegreeOfParallelism = executor.Concurrency },
                async (i, _) =>
                {
                    if (Stopped()) return; // not started: not recorded
                    var record = await RunOne(new TrialRequest(firstId + i, rung, budget, configurations[i]), executor, limit.Token, Stopped).ConfigureAwait(false);
                    if (record is null) return; // the executor had not started it when the sweep stopped
                    records[i] = record;
                    if (onTrial != null) lock (reportLock) onTrial(record);
                }).ConfigureAwait(false);
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
        return new SweepResult<TModel>(trials, best, clock.Elapsed, Stopped());
    }

    private static bool Better(double a, double b, bool higherIsBetter) => higherIsBetter ? a > b : a < b;

    private static async Task<TrialRecord<TModel>?> RunOne<TModel>(TrialRequest request, ITrialExecutor<TModel> executor, CancellationToken token, Func<bool> stopped)
    {
        var (id, rung, budget, configuration) = request;
        var clock = Stopwatch.StartNew();
        try
        {
            var evaluation = await executor.EvaluateAsync(request, token).ConfigureAwait(false);
            if (stopped())
                return new(id, rung, budget, configuration, TrialStatus.Cancelled, double.NaN, double.NaN, evaluation.FoldMetrics, clock.Elapsed, "Stopped by cancellation or the time limit.")
                { Redispatches = evaluation.Redispatches };
            if (evaluation.FoldMetrics.Count == 0 || !evaluation.FoldMetrics.All(double.IsFinite))
                return new(id, rung, budget, configuration, TrialStatus.Failed, double.NaN, double.NaN, evaluation.FoldMetrics, clock.Elapsed,
                    $"The metric is not finite ({string.Join(", ", evaluation.FoldMetrics)}): the training diverged.") { Redispatches = evaluation.Redispatches };
            return new(id, rung, budget, configuration, TrialStatus.Completed, evaluation.Mean, evaluation.StandardDeviation, evaluation.FoldMetrics, clock.Elapsed, null)
            { Model = evaluation.Model, Redispatches = evaluation.Redispatches };
        }
        catch (TrialNotStartedException) when (token.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return new(id, rung, budget, configuration, TrialStatus.Cancelled, double.NaN, double.NaN, [], clock.Elapsed, "Stopped by cancellation or the time limit.");
        }
        catch (Exception e) when (e is not OutOfMemoryException and not SweepAbortedException)
        {
            return new(id, rung, budget, configuration, TrialStatus.Failed, double.NaN, double.NaN, [], clock.Elapsed, $"{e.GetType().Name}: {e.Message}");
        }
    }
}

/// <summary>All trials in the order they ran, and the best one.</summary>
internal sealed record SweepResult<TModel>(IReadOnlyList<TrialRecord<TModel>> Trials, TrialRecord<TModel>? Best, TimeSpan Elapsed, bool StoppedEarly);
