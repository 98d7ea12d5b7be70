using Lstm.MLNet.Orleans;
using Lstm.MLNet.Sweeps;
using Microsoft.ML;
using Orleans.TestingHost;

namespace Lstm.MLNet.Tests.Orleans;

/// <summary>The cluster sweep on three in-process silos: the local sweep's answers, its stops, and clear refusals.</summary>
[TestClass]
public sealed class ClusterSweepTests
{
    private static TestCluster _cluster = null!;

    [ClassInitialize]
    public static async Task StartCluster(TestContext _) => _cluster = await ClusterSweepFixture.StartAsync();

    [ClassCleanup]
    public static async Task StopCluster()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [TestMethod]
    public async Task ClusterSweep_GivesTheLocalLeaderboardAndBestModel()
    {
        var ml = new MLContext(1);
        var data = ClusterSweepFixture.Data(ml);
        var local = ml.Lstm().Sweep(data, ClusterSweepFixture.Sweep());
        var remote = await ml.Lstm().SweepOnClusterAsync(_cluster.Client, data, ClusterSweepFixture.Sweep());

        Assert.IsTrue(local.Trials.Count >= 3 && local.Trials.All(t => t.Status == TrialStatus.Completed), local.ToMarkdown());
        CollectionAssert.AreEqual(ClusterSweepFixture.Leaderboard(local), ClusterSweepFixture.Leaderboard(remote),
            string.Join("\n", ClusterSweepFixture.Leaderboard(remote).Concat(remote.Trials.Select(t => t.Error))));
        Assert.AreEqual(local.BestRun!.Id, remote.BestRun!.Id);
        Assert.IsTrue(remote.Trials.All(t => t.Redispatches.Count == 0), "no silo left, nothing ran twice");
        Assert.IsFalse(remote.StoppedEarly);
        // The refit on all the data came back from a silo as model bytes: the same model as the local refit.
        CollectionAssert.AreEqual(ClusterSweepFixture.Scores(local.BestRun.Model!, data), ClusterSweepFixture.Scores(remote.BestRun.Model!, data));
    }

    [TestMethod]
    public async Task Cancellation_StopsTheClusterSweepWithTheBestRunSoFar_DataThroughASharedFolder()
    {
        var ml = new MLContext(1);
        var data = ClusterSweepFixture.Data(ml);
        string folder = Directory.CreateTempSubdirectory("lstm-cluster-sweep-").FullName;
        try
        {
            using var cancellation = new CancellationTokenSource();
            var options = ClusterSweepFixture.Sweep();
            options.RefitBestOnAllData = false;
            options.CancellationToken = cancellation.Token;
            options.Progress = new ProgressSink(_ => cancellation.Cancel()); // stop when the first trial is in
            var result = await ml.Lstm().SweepOnClusterAsync(_cluster.Client, data, options, new LstmClusterSweepOptions { SharedDataDirectory = folder });

            Assert.IsTrue(result.StoppedEarly);
            var full = new SuccessiveHalving(options.MaxTrials, options.HalvingRate * options.HalvingRate, options.HalvingRate).Rungs.Sum(r => r.Configurations);
            Assert.IsTrue(result.Trials.Count < full, result.ToMarkdown());
            Assert.IsTrue(result.Trials.All(t => t.Rung == 0 && t.Status is TrialStatus.Completed or TrialStatus.Cancelled), result.ToMarkdown());
            Assert.IsNotNull(result.BestRun?.Model, "the best run so far, with the model of its last fold");
            Assert.IsEmpty(Directory.GetFiles(folder), "the shared data files are deleted when the sweep ends");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public async Task TimeLimit_BehavesAsLocally()
    {
        var ml = new MLContext(1);
        var data = ClusterSweepFixture.Data(ml);
        var options = ClusterSweepFixture.Sweep();
        options.MaxExperimentTime = TimeSpan.FromTicks(1); // over before the first trial can finish
        foreach (var result in new[] { ml.Lstm().Sweep(data, options), await ml.Lstm().SweepOnClusterAsync(_cluster.Client, data, options) })
        {
            Assert.IsTrue(result.StoppedEarly);
            // Trials not started are not recorded; those the limit caught running are recorded as cancelled.
            Assert.IsTrue(result.Trials.All(t => t.Rung == 0 && t.Status == TrialStatus.Cancelled), result.ToMarkdown());
            Assert.IsNull(result.BestRun);
        }
    }

    [TestMethod]
    public async Task WhatCannotTravel_IsRefusedByName()
    {
        var ml = new MLContext(1);
        var data = ClusterSweepFixture.Data(ml);
        var options = ClusterSweepFixture.Sweep();
        options.Preprocessing = ml.Transforms.Text.NormalizeText("Text");
        var preprocessing = await Assert.ThrowsExactlyAsync<ArgumentException>(() => ml.Lstm().SweepOnClusterAsync(_cluster.Client, data, options));
        StringAssert.Contains(preprocessing.Message, "Preprocessing");

        var tooBig = await Assert.ThrowsExactlyAsync<ArgumentOutOfRangeException>(() =>
            ml.Lstm().SweepOnClusterAsync(_cluster.Client, data, ClusterSweepFixture.Sweep(), new LstmClusterSweepOptions { MaxMessageDataBytes = 1000 }));
        Assert.AreEqual(nameof(LstmClusterSweepOptions.MaxMessageDataBytes), tooBig.ParamName);
        StringAssert.Contains(tooBig.Message, nameof(LstmClusterSweepOptions.SharedDataDirectory));

        var badDimension = ClusterSweepFixture.Sweep();
        badDimension.SearchSpace!.Set(nameof(LstmOptions.HiddenSize), SearchDimension.Fixed(8m)); // decimal: converts locally, but is no value a silo takes
        var dimension = await Assert.ThrowsExactlyAsync<ArgumentException>(() => ml.Lstm().SweepOnClusterAsync(_cluster.Client, data, badDimension));
        StringAssert.Contains(dimension.Message, "HiddenSize");
    }

    private sealed class ProgressSink(Action<LstmTrialResult> report) : IProgress<LstmTrialResult>
    {
        public void Report(LstmTrialResult value) => report(value);
    }
}
