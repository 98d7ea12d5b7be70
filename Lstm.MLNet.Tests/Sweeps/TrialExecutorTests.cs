using Lstm.MLNet.Sweeps;

namespace Lstm.MLNet.Tests.Sweeps;

/// <summary>The halving with another executor than the local one: what it records when trials wait, move or cannot run.</summary>
[TestClass]
public sealed class TrialExecutorTests
{
    private static SearchSpace Space() => new SearchSpace()
        .Set("HiddenSize", SearchDimension.Choice(16, 32, 64, 128))
        .Set("LearningRate", SearchDimension.Range(1e-4, 1e-1, 1e-3, logScale: true));

    /// <summary>Scores a trial by its id; <paramref name="behave"/> may take over.</summary>
    private sealed class ScriptedExecutor(int concurrency, Func<TrialRequest, CancellationToken, Task<TrialEvaluation<string>>>? behave = null) : ITrialExecutor<string>
    {
        public int Concurrency => concurrency;
        public Task<TrialEvaluation<string>> EvaluateAsync(TrialRequest trial, CancellationToken token) =>
            behave?.Invoke(trial, token) ?? Task.FromResult(new TrialEvaluation<string>([trial.Id / 100.0], $"model {trial.Id}"));
    }

    [TestMethod]
    public async Task AnExecutorGivesTheLocalRecords_AndItsRedispatchesAreKept()
    {
        var halving = new SuccessiveHalving(maxTrials: 12, maxBudget: 4, eta: 2);
        var local = halving.Run(Space(), seed: 4, higherIsBetter: true, (c, b, t) => new TrialEvaluation<string>([0], null), Timeout.InfiniteTimeSpan, CancellationToken.None);
        var remote = await halving.RunAsync(Space(), seed: 4, higherIsBetter: true,
            new ScriptedExecutor(3, (trial, _) => Task.FromResult(new TrialEvaluation<string>([0], null) { Redispatches = trial.Id == 2 ? ["fold 1 moved"] : [] })),
            Timeout.InfiniteTimeSpan, CancellationToken.None);
        CollectionAssert.AreEqual(local.Trials.Select(t => (t.Id, t.Rung, t.Budget, SearchSpace.Describe(t.Configuration))).ToArray(),
                                  remote.Trials.Select(t => (t.Id, t.Rung, t.Budget, SearchSpace.Describe(t.Configuration))).ToArray());
        CollectionAssert.AreEqual(new[] { "fold 1 moved" }, remote.Trials.Single(t => t.Id == 2).Redispatches.ToArray());
        Assert.IsTrue(remote.Trials.Where(t => t.Id != 2).All(t => t.Redispatches.Count == 0));
    }

    [TestMethod]
    public async Task TrialsStillWaitingWhenTheSweepStops_AreNotRecorded_RunningOnesAreCancelled()
    {
        using var stop = new CancellationTokenSource();
        var executor = new ScriptedExecutor(8, async (trial, token) =>
        {
            if (trial.Id == 1) { stop.Cancel(); return new TrialEvaluation<string>([0.5], "partial"); } // was running when the sweep stopped
            await Task.Delay(Timeout.Infinite, token); // waiting for room on a worker
            throw new System.Diagnostics.UnreachableException();
        });
        var executorThatWaits = new ScriptedExecutor(8, async (trial, token) =>
        {
            try { return await executor.EvaluateAsync(trial, token); }
            catch (OperationCanceledException) when (trial.Id != 1) { throw new TrialNotStartedException(token); }
        });
        var result = await new SuccessiveHalving(maxTrials: 8, maxBudget: 1).RunAsync(Space(), seed: 1, higherIsBetter: true, executorThatWaits,
            Timeout.InfiniteTimeSpan, stop.Token);
        Assert.IsTrue(result.StoppedEarly);
        Assert.AreEqual(1, result.Trials.Count, "only the trial that had started is recorded");
        Assert.AreEqual(TrialStatus.Cancelled, result.Trials[0].Status);
        Assert.IsNull(result.Best);
    }

    [TestMethod]
    public async Task AnExecutorThatCanRunNothing_StopsTheSweepWithItsReason()
    {
        var executor = new ScriptedExecutor(2, (trial, _) => trial.Id < 3
            ? Task.FromResult(new TrialEvaluation<string>([0.5], null))
            : Task.FromException<TrialEvaluation<string>>(new SweepAbortedException("No worker is left.")));
        var error = await Assert.ThrowsExactlyAsync<SweepAbortedException>(() =>
            new SuccessiveHalving(maxTrials: 8, maxBudget: 1).RunAsync(Space(), seed: 1, higherIsBetter: true, executor, Timeout.InfiniteTimeSpan, CancellationToken.None));
        Assert.AreEqual("No worker is left.", error.Message);
        Assert.IsInstanceOfType<InvalidOperationException>(error);
    }
}
