using Lstm.MLNet.Sweeps;

namespace Lstm.MLNet.Tests.Sweeps;

[TestClass]
public sealed class SuccessiveHalvingTests
{
    private sealed class FakeOptions
    {
        public int HiddenSize { get; set; } = 8;
        public double LearningRate { get; set; } = 0.1;
        public bool Bidirectional { get; set; }
        public DayOfWeek Day { get; set; }
        public int? Threads { get; set; }
        public int ReadOnly => 1;
    }

    private static SearchSpace Space() => new SearchSpace()
        .Set("HiddenSize", SearchDimension.Choice(16, 32, 64, 128))
        .Set("LearningRate", SearchDimension.Range(1e-4, 1e-1, 1e-3, logScale: true))
        .Set("Bidirectional", SearchDimension.Choice(false, true));

    /// <summary>A made-up objective with a known optimum (H=64, lr≈0.01), better with more budget.</summary>
    private static TrialEvaluation<string> Objective(IReadOnlyDictionary<string, object> c, int budget, CancellationToken _)
    {
        var o = new FakeOptions();
        SearchSpace.Apply(c, o);
        double score = 1 - Math.Abs(Math.Log2(o.HiddenSize / 64.0)) * 0.1 - Math.Abs(Math.Log10(o.LearningRate / 0.01)) * 0.1 - 0.2 / budget;
        return new([score, score - 0.01], $"model H={o.HiddenSize} lr={o.LearningRate:G3} epochs={budget}");
    }

    [TestMethod]
    public void Plan_HalvesConfigurationsAndMultipliesBudgetPerRung()
    {
        var plan = new SuccessiveHalving(maxTrials: 20, maxBudget: 9, eta: 3).Rungs;
        CollectionAssert.AreEqual(new[] { 1, 3, 9 }, plan.Select(r => r.Budget).ToArray());
        Assert.IsLessThanOrEqualTo(20, plan.Sum(r => r.Configurations));
        Assert.AreEqual(13, plan[0].Configurations); // 13 + 5 + 2 = 20
        Assert.AreEqual(2, plan[^1].Configurations);
        // Too few trials for halving: a random search at the full budget.
        var single = new SuccessiveHalving(maxTrials: 2, maxBudget: 9, eta: 3).Rungs;
        Assert.AreEqual((2, 9), single.Single());
    }

    [TestMethod]
    public void Sweep_IsReproducibleWithASeed_StartsFromTheDefaults_AndFindsTheOptimumRegion()
    {
        var halving = new SuccessiveHalving(maxTrials: 20, maxBudget: 9);
        var first = halving.Run(Space(), seed: 7, higherIsBetter: true, Objective, Timeout.InfiniteTimeSpan, CancellationToken.None);
        var second = halving.Run(Space(), seed: 7, higherIsBetter: true, Objective, Timeout.InfiniteTimeSpan, CancellationToken.None);
        var other = halving.Run(Space(), seed: 8, higherIsBetter: true, Objective, Timeout.InfiniteTimeSpan, CancellationToken.None);
        var concurrent = halving.Run(Space(), seed: 7, higherIsBetter: true, Objective, Timeout.InfiniteTimeSpan, CancellationToken.None, concurrency: 3);
        CollectionAssert.AreEqual(first.Trials.Select(t => (t.Id, t.Metric, SearchSpace.Describe(t.Configuration))).ToArray(),
                                  concurrent.Trials.Select(t => (t.Id, t.Metric, SearchSpace.Describe(t.Configuration))).ToArray(),
                                  "three trials at a time: the same trials, ids and metrics in the same order");

        Assert.AreEqual(20, first.Trials.Count);
        CollectionAssert.AreEqual(first.Trials.Select(t => SearchSpace.Describe(t.Configuration)).ToArray(),
                                  second.Trials.Select(t => SearchSpace.Describe(t.Configuration)).ToArray());
        CollectionAssert.AreNotEqual(first.Trials.Select(t => SearchSpace.Describe(t.Configuration)).ToArray(),
                                     other.Trials.Select(t => SearchSpace.Describe(t.Configuration)).ToArray());
        Assert.AreEqual("HiddenSize=16 LearningRate=0.001 Bidirectional=False", SearchSpace.Describe(first.Trials[0].Configuration));

        var best = first.Best!;
        Assert.AreEqual(9, best.Budget, "the best run trained with the full budget");
        Assert.IsNotNull(best.Model);
        Assert.IsTrue(first.Trials.Where(t => t != best).All(t => t.Model == null), "only the best run keeps its model");
        Assert.IsTrue(first.Trials.Where(t => t.Rung == best.Rung && t.Status == TrialStatus.Completed).All(t => t.Metric <= best.Metric));
        Assert.AreEqual(best.FoldMetrics.Average(), best.Metric, 1e-12);
        Assert.AreEqual(Math.Sqrt(0.5 * 0.0001), best.MetricStandardDeviation, 1e-9);
    }

    [TestMethod]
    public void FailedTrials_AreRecorded_AndTheSweepGoesOn()
    {
        int calls = 0;
        var halving = new SuccessiveHalving(maxTrials: 8, maxBudget: 4, eta: 2);
        var result = halving.Run(Space(), seed: 1, higherIsBetter: true,
            (c, budget, token) => ++calls % 3 == 0 ? throw new InvalidOperationException("boom")
                : calls % 3 == 1 && budget == 1 ? new TrialEvaluation<string>([double.NaN], null) : Objective(c, budget, token),
            Timeout.InfiniteTimeSpan, CancellationToken.None);
        Assert.AreEqual(halving.Rungs[0].Configurations, result.Trials.Count(t => t.Rung == 0), "every rung-0 trial ran despite failures");
        Assert.IsTrue(result.Trials.Any(t => t.Rung > 0), "the survivors went on to the next rung");
        Assert.IsTrue(result.Trials.Any(t => t.Status == TrialStatus.Failed && t.Error!.Contains("boom")));
        Assert.IsTrue(result.Trials.Any(t => t.Status == TrialStatus.Failed && t.Error!.Contains("diverged")));
        Assert.IsNotNull(result.Best);
        Assert.AreEqual(TrialStatus.Completed, result.Best.Status);
    }

    [TestMethod]
    public void Cancellation_StopsStartingTrials_AndKeepsTheBestSoFar()
    {
        using var cancel = new CancellationTokenSource();
        int calls = 0;
        var result = new SuccessiveHalving(maxTrials: 20, maxBudget: 9).Run(Space(), seed: 3, higherIsBetter: true,
            (c, budget, token) => { if (++calls == 4) cancel.Cancel(); return Objective(c, budget, token); },
            Timeout.InfiniteTimeSpan, cancel.Token);
        Assert.IsTrue(result.StoppedEarly);
        Assert.AreEqual(4, result.Trials.Count);
        Assert.AreEqual(TrialStatus.Cancelled, result.Trials[^1].Status);
        Assert.IsNotNull(result.Best);
        Assert.IsNotNull(result.Best.Model);
    }

    [TestMethod]
    public void Apply_ConvertsTypes_AndNamesTheDimensionThatDoesNotFit()
    {
        var options = new FakeOptions();
        SearchSpace.Apply(new Dictionary<string, object> { ["HiddenSize"] = 63.6, ["Day"] = "friday", ["Threads"] = 2, ["LearningRate"] = 0.5f }, options);
        Assert.AreEqual(64, options.HiddenSize);
        Assert.AreEqual(DayOfWeek.Friday, options.Day);
        Assert.AreEqual(2, options.Threads);
        Assert.AreEqual(0.5, options.LearningRate, 1e-7);

        var unknown = Assert.ThrowsExactly<ArgumentException>(() => new SearchSpace().Set("HiddenSise", SearchDimension.Choice(1)).Validate(typeof(FakeOptions)));
        StringAssert.Contains(unknown.Message, "HiddenSise");
        var readOnly = Assert.ThrowsExactly<ArgumentException>(() => new SearchSpace().Set("ReadOnly", SearchDimension.Choice(1)).Validate(typeof(FakeOptions)));
        StringAssert.Contains(readOnly.Message, "ReadOnly");
        var wrongType = Assert.ThrowsExactly<ArgumentException>(() => new SearchSpace().Set("HiddenSize", SearchDimension.Choice("wide")).Validate(typeof(FakeOptions)));
        StringAssert.Contains(wrongType.Message, "HiddenSize");
        Assert.ThrowsExactly<ArgumentException>(() => SearchDimension.Range(1, 0, 0.5));
        Assert.ThrowsExactly<ArgumentException>(() => SearchDimension.Range(0, 1, 0.5, logScale: true));
        Assert.ThrowsExactly<ArgumentException>(() => SearchDimension.ChoiceWithDefault(5, 1, 2));
    }

    [TestMethod]
    public void Leaderboard_RanksCompletedFirst_AndQuotesCsvCells()
    {
        int calls = 0;
        var result = new SuccessiveHalving(maxTrials: 5, maxBudget: 1).Run(Space(), seed: 2, higherIsBetter: true,
            (c, b, t) => ++calls == 2 ? throw new InvalidOperationException("bad, \"quoted\"") : Objective(c, b, t),
            Timeout.InfiniteTimeSpan, CancellationToken.None);
        var ranked = result.Ranked(higherIsBetter: true);
        Assert.AreEqual(TrialStatus.Failed, ranked[^1].Status);
        Assert.IsTrue(ranked.Take(4).Zip(ranked.Skip(1).Take(3)).All(p => p.First.Metric >= p.Second.Metric));
        string csv = result.ToCsv("Accuracy", higherIsBetter: true);
        var lines = csv.TrimEnd().Split('\n');
        Assert.AreEqual(6, lines.Length);
        StringAssert.StartsWith(lines[0], "Rank,Trial,Rung,Epochs,Status,Accuracy,AccuracyStd,Seconds,HiddenSize,LearningRate,Bidirectional,Error");
        StringAssert.Contains(lines[^1], "\"InvalidOperationException: bad, \"\"quoted\"\"\"");
        StringAssert.Contains(result.ToMarkdown("Accuracy", true, top: 3), "| 1 |");
    }
}
