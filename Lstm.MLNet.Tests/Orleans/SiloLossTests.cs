using Lstm.MLNet.Orleans;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.Orleans;

/// <summary>A silo killed while it trains a fold: the sweep loses nothing, says what ran twice, and answers as locally.</summary>
[TestClass]
public sealed class SiloLossTests
{
    [TestMethod]
    public async Task SiloKilledMidFold_ItsFoldsRunElsewhere_AndTheLeaderboardIsTheLocalOne()
    {
        var cluster = await ClusterSweepFixture.StartAsync();
        var victim = cluster.SecondarySilos[^1]; // not the primary, which holds the test cluster's membership table
        string victimAddress = victim.SiloAddress.ToParsableString();
        var foldCaught = new TaskCompletionSource<FoldRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var killed = new ManualResetEventSlim();
        // Holds the victim's first fold until the silo is dead, so the kill lands mid-fold whatever the machine's speed.
        TrialWorkerHooks.FoldStarting = (silo, request) =>
        {
            if (silo != victimAddress || !foldCaught.TrySetResult(request)) return;
            killed.Wait(TimeSpan.FromSeconds(60));
        };
        try
        {
            var ml = new MLContext(1);
            var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
            ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Info && e.Source.StartsWith("LstmSweep")) log.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {e.Message}"); };
            var data = ClusterSweepFixture.Data(ml);
            var sweep = ml.Lstm().SweepOnClusterAsync(cluster.Client, data, ClusterSweepFixture.Sweep(),
                new LstmClusterSweepOptions { MembershipPollInterval = TimeSpan.FromMilliseconds(250) });
            var caught = await foldCaught.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await cluster.KillSiloAsync(victim);
            killed.Set();
            LstmSweepResult remote;
            try
            {
                remote = await sweep.WaitAsync(TimeSpan.FromSeconds(120));
            }
            catch (TimeoutException)
            {
                Assert.Fail($"The sweep did not end after silo {victimAddress} was killed at {DateTime.UtcNow:HH:mm:ss.fff}:\n" + string.Join("\n", log));
                throw;
            }
            var local = ml.Lstm().Sweep(data, ClusterSweepFixture.Sweep());

            CollectionAssert.AreEqual(ClusterSweepFixture.Leaderboard(local), ClusterSweepFixture.Leaderboard(remote),
                "nothing lost, nothing changed: " + string.Join(" | ", remote.Trials.Select(t => t.Error)));
            var moved = remote.Trials.Single(t => t.Id == caught.TrialId).Redispatches;
            Assert.IsTrue(moved.Any(note => note.Contains($"fold {caught.Fold}") && note.Contains(victim.SiloAddress.ToString())),
                "the record names the fold that ran again and the silo it left: " + string.Join(" | ", remote.Trials.SelectMany(t => t.Redispatches)));
            CollectionAssert.AreEqual(ClusterSweepFixture.Scores(local.BestRun!.Model!, data), ClusterSweepFixture.Scores(remote.BestRun!.Model!, data));
        }
        finally
        {
            TrialWorkerHooks.FoldStarting = null;
            killed.Set();
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}
