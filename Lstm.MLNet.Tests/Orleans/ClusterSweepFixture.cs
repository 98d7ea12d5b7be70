using Lstm.MLNet.Orleans;
using Lstm.MLNet.Sweeps;
using Lstm.MLNet.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Lstm.MLNet.Tests.Orleans;

/// <summary>
/// An in-process cluster of three silos, each a sweep worker training one fold at a time, with a membership that
/// declares a killed silo dead within seconds; and the tiny sweep the tests run on it and locally.
/// </summary>
internal static class ClusterSweepFixture
{
    public static async Task<TestCluster> StartAsync()
    {
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<WorkerSilo>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class WorkerSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            silo.AddLstmSweepWorkers(o => o.ConcurrentTrials = 1);
            silo.Services.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromMilliseconds(500);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromMilliseconds(500);
            });
        }
    }

    /// <summary>ML.NET binary-saveable sentences (a text column and a Boolean label): 2-epoch trials of a few hundred milliseconds.</summary>
    public static IDataView Data(MLContext ml) => ml.Data.LoadFromEnumerable(SentimentData.Take(200));

    public static LstmSweepOptions Sweep() => new()
    {
        MaxTrials = 4, Folds = 2, Seed = 5, HalvingRate = 2,
        SearchSpace = new SearchSpace()
            .Set(nameof(LstmOptions.HiddenSize), SearchDimension.Choice(8, 16))
            .Set(nameof(LstmOptions.LearningRate), SearchDimension.Range(1e-3, 1e-2, 5e-3, logScale: true))
            .Set(nameof(LstmOptions.Pooling), SearchDimension.Choice(LstmPooling.Max, LstmPooling.Mean))
            .Set(nameof(LstmOptions.MaxEpochs), SearchDimension.Fixed(2)),
        BaseOptions = new LstmOptions { EmbeddingSize = 8, Bidirectional = false, ValidationFraction = 0, EarlyStoppingPatience = 0 },
    };

    /// <summary>The leaderboard without times: what must be equal between the local and the cluster sweep.</summary>
    public static string[] Leaderboard(LstmSweepResult result) =>
        result.Trials.Select(t => $"{t.Id} r{t.Rung} {t.Options.MaxEpochs}ep {t.Status} {t.Metric:R} [{string.Join(" ", t.FoldMetrics.Select(m => m.ToString("R")))}] " +
                                  SearchSpace.Describe(t.Configuration)).ToArray();

    public static float[] Scores(ITransformer model, IDataView data) => model.Transform(data).GetColumn<float>("Score").ToArray();
}
