using System.Diagnostics;
using Lstm.MLNet.Sweeps;
using Microsoft.ML;

namespace Lstm.MLNet;

/// <summary><c>ml.Lstm()</c>: the entry point to LSTM experiments (hyper-parameter sweeps).</summary>
public static class LstmMLContextExtensions
{
    /// <summary>The LSTM experiments of <paramref name="ml"/>: <c>ml.Lstm().Sweep(...)</c>.</summary>
    public static LstmExperimentCatalog Lstm(this MLContext ml) => new(ml ?? throw new ArgumentNullException(nameof(ml)));
}

/// <summary>
/// Hyper-parameter sweeps of the LSTM trainers, in the spirit of ML.NET AutoML (which is not available here):
/// random search with successive halving over <see cref="LstmSweepOptions.SearchSpace"/>, every trial measured by
/// cross-validation (or on a validation set) with ML.NET's own evaluators.
/// </summary>
public sealed class LstmExperimentCatalog
{
    private readonly MLContext _ml;

    internal LstmExperimentCatalog(MLContext ml) => _ml = ml;

    /// <summary>
    /// Runs the sweep on <paramref name="trainData"/>. Trials run one after another, each using every core (on the
    /// 2-core machines we measured, one trial's GEMMs already keep both cores busy). Failed trials (an exception, a
    /// NaN metric) are recorded and the sweep goes on; cancellation or the time limit stops it with the best run so
    /// far. Reproducible with <see cref="LstmSweepOptions.Seed"/>.
    /// </summary>
    public LstmSweepResult Sweep(IDataView trainData, LstmSweepOptions options)
    {
        using var plan = new LstmSweepPlan(_ml, trainData, options);
        plan.Announce($"on {plan.Concurrency} concurrent trial(s)");
        var result = plan.Halving.Run(plan.Space, options.Seed, plan.HigherIsBetter, plan.RunTrial, options.MaxExperimentTime, options.CancellationToken,
            plan.Report, plan.Concurrency);
        if (!plan.RefitsBest(result)) return plan.Result(result, result.Best?.Model, refitted: false, TimeSpan.Zero);
        var clock = Stopwatch.StartNew();
        var model = plan.Refit(result.Best!.Configuration, _ml, options.CancellationToken);
        return plan.Result(result, model, refitted: true, clock.Elapsed);
    }

    /// <summary>The context the sweeps run in (a cluster sweep's coordinator reads the data through it).</summary>
    internal MLContext Context => _ml;
}
