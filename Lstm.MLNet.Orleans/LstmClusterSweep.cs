using System.Diagnostics;
using Microsoft.ML;

namespace Lstm.MLNet.Orleans;

/// <summary>How a cluster sweep sends its data to the silos and watches them.</summary>
public sealed class LstmClusterSweepOptions
{
    /// <summary>
    /// A folder every silo reads at the same path (a network share, a mounted volume). When set, the coordinator writes
    /// the data there once as an ML.NET binary file and sends the silos its path (no size limit but the storage's; the
    /// files are deleted when the sweep ends). When null (the default) the data travels inside the call that prepares
    /// each silo, once per silo, up to <see cref="MaxMessageDataBytes"/>.
    /// </summary>
    public string? SharedDataDirectory { get; set; }

    /// <summary>
    /// The largest data (training plus validation, as ML.NET binary) sent inside a message: 64 MiB by default, under
    /// Orleans' default message body limit of 100 MiB (<c>MessagingOptions.MaxMessageBodySize</c>). Raise both together
    /// (on the client and every silo), or use <see cref="SharedDataDirectory"/>.
    /// </summary>
    public long MaxMessageDataBytes { get; set; } = 64L << 20;

    /// <summary>How often the coordinator reads the cluster's membership to notice silos that left (their folds then run again elsewhere) or joined.</summary>
    public TimeSpan MembershipPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    internal void Validate()
    {
        if (MaxMessageDataBytes < 1) throw new ArgumentOutOfRangeException(nameof(MaxMessageDataBytes), MaxMessageDataBytes, "Must be positive.");
        if (MembershipPollInterval <= TimeSpan.Zero || MembershipPollInterval > TimeSpan.FromMinutes(10))
            throw new ArgumentOutOfRangeException(nameof(MembershipPollInterval), MembershipPollInterval, "Must be in (0, 10 minutes].");
        if (SharedDataDirectory is not null && !Directory.Exists(SharedDataDirectory))
            throw new DirectoryNotFoundException($"{nameof(SharedDataDirectory)} '{SharedDataDirectory}' does not exist on the coordinator.");
    }
}

/// <summary>The LSTM hyper-parameter sweep run across the silos of an Orleans cluster.</summary>
public static class LstmClusterSweep
{
    /// <summary>
    /// Runs the sweep of <see cref="LstmExperimentCatalog.Sweep"/> with its trials trained on the cluster's silos (those
    /// built with <see cref="LstmSweepSiloBuilderExtensions.AddLstmSweepWorkers"/>): the same successive halving, seed,
    /// folds and metric, so for the same options the leaderboard is the local sweep's. Each fold of a trial is one
    /// call to a silo; a silo runs as many at once as its <see cref="LstmSweepWorkerOptions.ConcurrentTrials"/>. The
    /// data travels once per silo. A silo that leaves mid-sweep loses nothing: its folds run again on the others and
    /// the trial's <see cref="LstmTrialResult.Redispatches"/> says so. Cancellation and the time limit act as locally.
    /// The best model comes back as ML.NET model bytes: the refit on all the data, or (without
    /// <see cref="LstmSweepOptions.RefitBestOnAllData"/>) the best trial's last fold trained once more.
    /// </summary>
    /// <param name="catalog"><c>ml.Lstm()</c>.</param>
    /// <param name="cluster">The cluster: an <c>IClusterClient</c>, or a grain's <c>GrainFactory</c>.</param>
    /// <param name="trainData">The training data; it must be saveable as ML.NET binary (every column a number, text, bool, key or vector of them).</param>
    /// <param name="options">The sweep, as locally; <see cref="LstmSweepOptions.Preprocessing"/> (code) cannot travel and must be null.</param>
    /// <param name="clusterOptions">How the data travels and how often the membership is read; null for the defaults.</param>
    public static async Task<LstmSweepResult> SweepOnClusterAsync(this LstmExperimentCatalog catalog, IGrainFactory cluster, IDataView trainData,
        LstmSweepOptions options, LstmClusterSweepOptions? clusterOptions = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(trainData);
        ArgumentNullException.ThrowIfNull(options);
        clusterOptions ??= new LstmClusterSweepOptions();
        clusterOptions.Validate();
        var ml = catalog.Context;
        var job = SweepJob.Describe(options);
        using var plan = new LstmSweepPlan(ml, trainData, options, concurrency: 1);
        ConfigurationValue.Encode(plan.Space.Defaults()); // a dimension whose values cannot travel fails now, not as N failed trials
        var files = AttachData(ml, job, trainData, options.ValidationSet, clusterOptions);
        try
        {
            await using var executor = await ClusterTrialExecutor.StartAsync(cluster, plan, job, clusterOptions.MembershipPollInterval).ConfigureAwait(false);
            plan.Announce($"across {executor.ActiveSilos} silo(s), {executor.Concurrency} fold(s) at once");
            var result = await plan.Halving.RunAsync(plan.Space, options.Seed, plan.HigherIsBetter, executor, options.MaxExperimentTime,
                options.CancellationToken, plan.Report).ConfigureAwait(false);
            if (result.Best is not { } best) return plan.Result(result, null, refitted: false, TimeSpan.Zero);
            var clock = Stopwatch.StartNew();
            bool refit = plan.RefitsBest(result);
            // The refit honours the caller's cancellation as locally; the last fold's model is trained to its end, as it was in the trial.
            var (model, _) = refit
                ? await executor.TrainModelAsync(ml, best.Configuration, plan.Halving.MaxBudget, fold: -1, options.CancellationToken).ConfigureAwait(false)
                : await executor.TrainModelAsync(ml, best.Configuration, best.Budget, plan.FoldCount - 1, CancellationToken.None).ConfigureAwait(false);
            return plan.Result(result, model, refit, clock.Elapsed);
        }
        finally
        {
            foreach (var file in files) File.Delete(file);
        }
    }

    /// <summary>Puts the data into the job as bytes, or as files in the shared folder (returned, to delete at the end).</summary>
    private static List<string> AttachData(MLContext ml, SweepJob job, IDataView trainData, IDataView? validation, LstmClusterSweepOptions cluster)
    {
        var files = new List<string>();
        if (cluster.SharedDataDirectory is { } folder)
        {
            string stem = Path.Combine(Path.GetFullPath(folder), $"lstm-sweep-{Guid.NewGuid():N}");
            job.TrainDataPath = Write(ml, trainData, stem + "-train.idv", files);
            if (validation is not null) job.ValidationDataPath = Write(ml, validation, stem + "-validation.idv", files);
            return files;
        }
        job.TrainData = BytesSource.Save(ml, trainData);
        job.ValidationData = validation is null ? null : BytesSource.Save(ml, validation);
        long size = job.TrainData.LongLength + (job.ValidationData?.LongLength ?? 0);
        if (size > cluster.MaxMessageDataBytes)
            throw new ArgumentOutOfRangeException(nameof(LstmClusterSweepOptions.MaxMessageDataBytes), size,
                $"The sweep's data is {size:N0} bytes as ML.NET binary, over MaxMessageDataBytes ({cluster.MaxMessageDataBytes:N0}). Set " +
                "LstmClusterSweepOptions.SharedDataDirectory to a folder every silo reads at the same path, or raise MaxMessageDataBytes together " +
                "with Orleans' MessagingOptions.MaxMessageBodySize on the client and every silo.");
        return files;
    }

    private static string Write(MLContext ml, IDataView data, string path, List<string> files)
    {
        Model.Persistence.AtomicFile.Write(path, stream => ml.Data.SaveAsBinary(data, stream, keepHidden: false));
        files.Add(path);
        return path;
    }
}
