using Lstm.MLNet.Sweeps;
using Microsoft.ML;

namespace Lstm.MLNet;

/// <summary>One trial of a sweep: what it trained, what it measured.</summary>
public sealed class LstmTrialResult
{
    /// <summary>The trial's number (0 = the default options).</summary>
    public int Id { get; init; }
    /// <summary>The successive-halving rung (0: the cheap first round).</summary>
    public int Rung { get; init; }
    /// <summary>Completed, failed or pruned by successive halving.</summary>
    public TrialStatus Status { get; init; }
    /// <summary>The searched values of this trial.</summary>
    public required IReadOnlyDictionary<string, object> Configuration { get; init; }
    /// <summary>The complete options the trial trained with, of <see cref="LstmSweepOptions.BaseOptions"/>'s type (MaxEpochs is the rung's budget).</summary>
    public required LstmTrainingOptions Options { get; set; }
    /// <summary>The metric's mean over the folds (NaN unless completed).</summary>
    public double Metric { get; init; }
    /// <summary>The metric's standard deviation over the folds.</summary>
    public double MetricStandardDeviation { get; init; }
    /// <summary>The metric of each fold.</summary>
    public IReadOnlyList<double> FoldMetrics { get; init; } = [];
    /// <summary>Training and evaluation time over all folds.</summary>
    public TimeSpan TrainingTime { get; init; }
    /// <summary>Why the trial failed (null when it did not).</summary>
    public string? Error { get; init; }
    /// <summary>
    /// Work of this trial that ran a second time, and why: on a cluster (<c>Lstm.MLNet.Orleans</c>), each fold that was
    /// running on a silo that left the cluster and was dispatched again to another. Empty for a sweep in one process.
    /// </summary>
    public IReadOnlyList<string> Redispatches { get; init; } = [];
    /// <summary>The trained pipeline: only on <see cref="LstmSweepResult.BestRun"/> (refitted on all data unless turned off).</summary>
    public ITransformer? Model { get; internal set; }

    internal static LstmTrialResult From(TrialRecord<ITransformer> record, LstmTrainingOptions options) => new()
    {
        Id = record.Id, Rung = record.Rung, Status = record.Status, Configuration = record.Configuration, Options = options,
        Metric = record.Metric, MetricStandardDeviation = record.MetricStandardDeviation, FoldMetrics = record.FoldMetrics,
        TrainingTime = record.Duration, Error = record.Error, Redispatches = record.Redispatches,
    };
}

/// <summary>The outcome of <see cref="LstmExperimentCatalog.Sweep"/>: every trial, the best run, and the leaderboard.</summary>
public sealed class LstmSweepResult
{
    private readonly SweepResult<ITransformer> _records;

    internal LstmSweepResult(IReadOnlyList<LstmTrialResult> trials, LstmTrialResult? bestRun, TimeSpan elapsed, bool stoppedEarly,
        string metricName, bool higherIsBetter, LstmTask task)
    {
        Trials = trials;
        BestRun = bestRun;
        Elapsed = elapsed;
        StoppedEarly = stoppedEarly;
        MetricName = metricName;
        HigherIsBetter = higherIsBetter;
        Task = task;
        _records = new SweepResult<ITransformer>(trials.Select(t => new TrialRecord<ITransformer>(t.Id, t.Rung, t.Options.MaxEpochs, t.Configuration,
            t.Status, t.Metric, t.MetricStandardDeviation, t.FoldMetrics, t.TrainingTime, t.Error)).ToList(), null, elapsed, stoppedEarly);
    }

    /// <summary>Every trial in the order it ran.</summary>
    public IReadOnlyList<LstmTrialResult> Trials { get; }
    /// <summary>The best completed trial of the highest rung reached; null when no trial completed.</summary>
    public LstmTrialResult? BestRun { get; }
    /// <summary>The sweep's wall-clock time.</summary>
    public TimeSpan Elapsed { get; }
    /// <summary>True when cancellation or the time limit ended the sweep before its plan was done.</summary>
    public bool StoppedEarly { get; }
    /// <summary>The metric trials are ranked by.</summary>
    public string MetricName { get; }
    /// <summary>Whether a larger metric is better (accuracy) or worse (RMSE).</summary>
    public bool HigherIsBetter { get; }
    /// <summary>The task swept.</summary>
    public LstmTask Task { get; }

    /// <summary>The leaderboard as CSV (best first; one column per searched option).</summary>
    public string ToCsv() => _records.ToCsv(MetricName, HigherIsBetter);

    /// <summary>The leaderboard as a Markdown table of the best <paramref name="top"/> trials (all when 0).</summary>
    public string ToMarkdown(int top = 0) => _records.ToMarkdown(MetricName, HigherIsBetter, top);

    /// <summary>Writes <see cref="ToCsv"/> to <paramref name="path"/>.</summary>
    public void SaveCsv(string path) => Model.Persistence.AtomicFile.WriteAllText(path, ToCsv());
}
