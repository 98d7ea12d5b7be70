using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;

namespace Lstm.MLNet.Orleans;

/// <summary>How a silo runs the trials of cluster sweeps.</summary>
public sealed class LstmSweepWorkerOptions
{
    /// <summary>
    /// Folds this silo trains at once (each on ProcessorCount / ConcurrentTrials compute threads); the default is one
    /// per core, as the local sweep's <see cref="LstmSweepOptions.MaxConcurrentTrials"/>. Results do not depend on it.
    /// </summary>
    public int ConcurrentTrials { get; set; } = Environment.ProcessorCount;
}

/// <summary>Makes a silo a worker of <see cref="LstmClusterSweep.SweepOnClusterAsync"/>.</summary>
public static class LstmSweepSiloBuilderExtensions
{
    /// <summary>
    /// Registers the sweep's trial-runner grain and its placement (one worker per silo) on this silo. Every silo of the
    /// cluster that should train trials calls it; the coordinator can be any client or grain of the cluster.
    /// </summary>
    public static ISiloBuilder AddLstmSweepWorkers(this ISiloBuilder builder, Action<LstmSweepWorkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<LstmSweepWorkerOptions>().Configure(o => configure?.Invoke(o)).Validate(o => o.ConcurrentTrials >= 1,
            $"{nameof(LstmSweepWorkerOptions)}.{nameof(LstmSweepWorkerOptions.ConcurrentTrials)} must be at least 1.");
        builder.Services.AddSingleton<SweepJobCache>();
        builder.AddPlacementDirector<SiloTargetedPlacement, SiloTargetedPlacementDirector>();
        return builder;
    }
}
