using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Microsoft.ML;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Lstm.MLNet.Orleans;

/// <summary>
/// The sweep's worker on one silo (its key is the silo's address; <see cref="SiloTargetedPlacementAttribute"/> puts it
/// there): it receives a sweep's data once, then trains and measures single folds of trials, as many at once as the
/// coordinator sends (the silo's <see cref="LstmSweepWorkerOptions.ConcurrentTrials"/>).
/// </summary>
[Alias("Lstm.MLNet.Orleans.ITrialWorkerGrain")]
internal interface ITrialWorkerGrain : IGrainWithStringKey
{
    /// <summary>Loads the sweep's data on this silo (once per sweep) and returns how many folds it trains at once.</summary>
    [Alias("Prepare"), ResponseTimeout("00:30:00")]
    Task<int> PrepareAsync(Guid sweepId, SweepJob job);

    /// <summary>Trains one trial's configuration at its budget on one fold and measures it.</summary>
    [Alias("EvaluateFold"), ResponseTimeout("10.00:00:00")]
    Task<FoldOutcome> EvaluateFoldAsync(Guid sweepId, FoldRequest request, CancellationToken cancellation);

    /// <summary>
    /// Trains a configuration at a budget on a fold's training part, or with the full budget on all the data
    /// (<paramref name="fold"/> = -1), and returns the model as ML.NET model bytes (<c>ml.Model.Save</c>).
    /// </summary>
    [Alias("TrainModel"), ResponseTimeout("10.00:00:00")]
    Task<byte[]> TrainModelAsync(Guid sweepId, ConfigurationValue[] configuration, int budget, int fold, CancellationToken cancellation);

    /// <summary>Forgets the sweep's data.</summary>
    [Alias("Release")]
    Task ReleaseAsync(Guid sweepId);
}

/// <summary>The sweeps whose data this silo holds: one plan per sweep, shared by every fold trained here.</summary>
internal sealed class SweepJobCache
{
    private readonly ConcurrentDictionary<Guid, PreparedSweep> _sweeps = new();

    public void Add(Guid sweepId, PreparedSweep sweep)
    {
        if (!_sweeps.TryAdd(sweepId, sweep)) sweep.Dispose(); // prepared twice (a retried call): keep the first
    }

    public PreparedSweep Get(Guid sweepId) => _sweeps.TryGetValue(sweepId, out var sweep) ? sweep
        : throw new InvalidOperationException($"Sweep {sweepId} has not been prepared on this silo (its data never arrived, or the sweep was released).");

    public void Remove(Guid sweepId)
    {
        if (_sweeps.TryRemove(sweepId, out var sweep)) sweep.Dispose();
    }
}

/// <summary>A sweep's data and plan on one silo.</summary>
internal sealed class PreparedSweep(MLContext ml, IDataView trainData, LstmSweepPlan plan) : IDisposable
{
    public MLContext Context { get; } = ml;
    public IDataView TrainData { get; } = trainData;
    public LstmSweepPlan Plan { get; } = plan;
    public void Dispose() => Plan.Dispose();

    public static PreparedSweep Load(SweepJob job, int concurrentTrials)
    {
        var ml = new MLContext(job.Seed);
        IDataView Read(byte[]? bytes, string? path, string what) =>
            bytes is not null ? ml.Data.LoadFromBinary(new BytesSource(bytes))
            : path is not null ? (File.Exists(path) ? ml.Data.LoadFromBinary(path)
                : throw new FileNotFoundException($"The sweep's {what} data file '{path}' is not readable from this silo ({Environment.MachineName}): the shared data directory must be mounted at the same path on every silo.", path))
            : throw new InvalidDataException($"The sweep job carries no {what} data.");
        var train = Read(job.TrainData, job.TrainDataPath, "training");
        var validation = job.ValidationData is null && job.ValidationDataPath is null ? null : Read(job.ValidationData, job.ValidationDataPath, "validation");
        return new PreparedSweep(ml, train, new LstmSweepPlan(ml, train, job.ToOptions(validation), concurrentTrials));
    }
}

[Reentrant, SiloTargetedPlacement]
internal sealed class TrialWorkerGrain(SweepJobCache cache, IOptions<LstmSweepWorkerOptions> options, ILocalSiloDetails silo) : Grain, ITrialWorkerGrain
{
    private int ConcurrentTrials => options.Value.ConcurrentTrials;

    public async Task<int> PrepareAsync(Guid sweepId, SweepJob job)
    {
        // Training runs on the thread pool, never on the grain's scheduler: the folds of one silo run side by side.
        var sweep = await Task.Run(() => PreparedSweep.Load(job, ConcurrentTrials));
        cache.Add(sweepId, sweep);
        return ConcurrentTrials;
    }

    public Task<FoldOutcome> EvaluateFoldAsync(Guid sweepId, FoldRequest request, CancellationToken cancellation)
    {
        var sweep = cache.Get(sweepId);
        return Task.Run(() =>
        {
            TrialWorkerHooks.FoldStarting?.Invoke(silo.SiloAddress.ToParsableString(), request);
            var (metric, _) = sweep.Plan.EvaluateFold(ConfigurationValue.Decode(request.Configuration), request.Budget, request.Fold,
                new MLContext(sweep.Plan.Options.Seed), cancellation);
            return new FoldOutcome(metric, silo.SiloAddress.ToParsableString());
        }, CancellationToken.None);
    }

    public Task<byte[]> TrainModelAsync(Guid sweepId, ConfigurationValue[] configuration, int budget, int fold, CancellationToken cancellation)
    {
        var sweep = cache.Get(sweepId);
        return Task.Run(() =>
        {
            var ml = new MLContext(sweep.Plan.Options.Seed);
            var values = ConfigurationValue.Decode(configuration);
            var model = fold < 0 ? sweep.Plan.Refit(values, ml, cancellation)
                : sweep.Plan.EvaluateFold(values, budget, fold, ml, cancellation).Model;
            using var stream = new MemoryStream();
            ml.Model.Save(model, sweep.TrainData.Schema, stream);
            return stream.ToArray();
        }, CancellationToken.None);
    }

    public Task ReleaseAsync(Guid sweepId)
    {
        cache.Remove(sweepId);
        return Task.CompletedTask;
    }
}

/// <summary>Test hooks: called on the silo as a fold starts (the tests kill a silo mid-fold through it).</summary>
internal static class TrialWorkerHooks
{
    public static Action<string, FoldRequest>? FoldStarting { get; set; }
}
