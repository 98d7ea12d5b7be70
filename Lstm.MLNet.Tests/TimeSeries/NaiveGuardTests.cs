using Lstm.MLNet.TimeSeries;

namespace Lstm.MLNet.Tests.TimeSeries;

[TestClass]
public sealed class NaiveGuardTests
{
    // 4 windows × 2 steps; actuals and the two naive forecasts. Four windows are too few to judge the network
    // (NaiveGuard.MinIndependentErrors): the pooled and per-step logic is tested with every step trusted, the trust rule below.
    private static readonly float[] Actuals = [10, 12, 11, 13, 12, 14, 13, 15];
    private static readonly float[] Persistence = [9, 9, 10, 10, 11, 11, 12, 12];
    private static readonly float[] SeasonalNaive = [10, 11, 11, 12, 12, 13, 13, 14];

    [TestMethod]
    public void BetterNetwork_IsKept()
    {
        var network = Actuals.ToArray(); // as good as seasonal-naive's exact step 1: a tie keeps the network
        var decision = NaiveGuard.Decide(Actuals, network, Persistence, SeasonalNaive, 2, minIndependentErrors: 1);
        Assert.AreEqual(ForecastDecision.Network, decision.Overall.Choice);
        Assert.IsTrue(decision.Steps.All(s => s.Choice == ForecastDecision.Network && s.NetworkWeight == 1));
        StringAssert.Contains(decision.Reason, "serving the network");
    }

    [TestMethod]
    public void UselessNetwork_FallsBackToTheBetterNaive()
    {
        var network = Actuals.Select(a => a + 50f).ToArray();
        var decision = NaiveGuard.Decide(Actuals, network, Persistence, SeasonalNaive, 2, minIndependentErrors: 1);
        Assert.AreEqual(ForecastDecision.SeasonalNaive, decision.Overall.Choice);
        Assert.AreEqual(0, decision.Overall.NetworkWeight);
        StringAssert.Contains(decision.Reason, "seasonal-naive");
        var served = network[..2];
        decision.Apply(served, Persistence.AsSpan(0, 2), SeasonalNaive.AsSpan(0, 2), perStep: false);
        CollectionAssert.AreEqual(SeasonalNaive[..2], served);

        // Without a seasonal-naive forecast, persistence is the fall-back.
        Assert.AreEqual(ForecastDecision.Persistence, NaiveGuard.Decide(Actuals, network, Persistence, [], 2, minIndependentErrors: 1).Overall.Choice);
    }

    [TestMethod]
    public void ErrorsOfOppositeSign_AreBlended()
    {
        // Network 1 above the actuals, a naive 1 below: neither beats the other, their average is exact.
        var network = Actuals.Select(a => a + 1f).ToArray();
        var below = Actuals.Select(a => a - 1f).ToArray();
        var decision = NaiveGuard.Decide(Actuals, network, below, [], 2, minIndependentErrors: 1);
        Assert.AreEqual(ForecastDecision.Blend, decision.Overall.Choice, "the average beats both");
        Assert.AreEqual(0.5, decision.Overall.NetworkWeight, 1e-12);
        Assert.AreEqual(0, decision.Overall.ServedMae, 1e-6);
        // A network better than naive is still blended when a blend is better on the validation windows.
        var better = Actuals.Select(a => a + 0.5f).ToArray();
        decision = NaiveGuard.Decide(Actuals, better, below, [], 2, minIndependentErrors: 1);
        Assert.AreEqual(ForecastDecision.Blend, decision.Overall.Choice);
        Assert.AreEqual(0.7, decision.Overall.NetworkWeight, 1e-12, "0.7 × 0.5 − 0.3 × 1 = 0.05, the grid's closest to exact");
        Assert.IsTrue(decision.Overall.ServedMae < decision.Overall.NetworkMae);
        // ... and kept alone when no blend is better: errors of the same sign, naive's larger.
        var above = Actuals.Select(a => a + 3f).ToArray();
        decision = NaiveGuard.Decide(Actuals, better, above, [], 2, minIndependentErrors: 1);
        Assert.AreEqual(ForecastDecision.Network, decision.Overall.Choice);
        Assert.AreEqual(1, decision.Overall.NetworkWeight);
        var worse = Actuals.Select(a => a + 1.2f).ToArray();
        decision = NaiveGuard.Decide(Actuals, worse, below, [], 2, minIndependentErrors: 1);
        Assert.AreEqual(ForecastDecision.Blend, decision.Overall.Choice);
        Assert.AreEqual(0.5, decision.Overall.NetworkWeight, 1e-12);
        Assert.IsTrue(decision.Overall.ServedMae < decision.Overall.PersistenceMae);
        StringAssert.Contains(decision.Reason, "blend of 0.5 network");
    }

    [TestMethod]
    public void PerStepDecisions_CanDiffer_AndAreDeterministic()
    {
        // Step 1: the network is exact; step 2: it is far off.
        var network = new float[8];
        for (int i = 0; i < 4; i++) { network[2 * i] = Actuals[2 * i]; network[2 * i + 1] = Actuals[2 * i + 1] + 40; }
        var decision = NaiveGuard.Decide(Actuals, network, Persistence, SeasonalNaive, 2, minIndependentErrors: 1);
        Assert.AreEqual(ForecastDecision.Network, decision.Steps[0].Choice);
        Assert.AreEqual(ForecastDecision.SeasonalNaive, decision.Steps[1].Choice);
        StringAssert.Contains(decision.Reason, "Per step");
        var served = network[..2];
        decision.Apply(served, Persistence.AsSpan(0, 2), SeasonalNaive.AsSpan(0, 2), perStep: true);
        CollectionAssert.AreEqual(new[] { Actuals[0], SeasonalNaive[1] }, served);
        Assert.AreEqual(decision.Reason, NaiveGuard.Decide(Actuals, network, Persistence, SeasonalNaive, 2, minIndependentErrors: 1).Reason);
    }

    [TestMethod]
    public void BadShapes_AreNamed()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => NaiveGuard.Decide(Actuals, new float[6], Persistence, SeasonalNaive, 2, minIndependentErrors: 1));
        StringAssert.Contains(e.Message, "6 forecasts but 8 actuals");
        Assert.ThrowsExactly<ArgumentException>(() => NaiveGuard.Decide(Actuals, Actuals.Select(a => a + float.NaN).ToArray(), Persistence, [], 2, minIndependentErrors: 1));
    }

    [TestMethod]
    public void TooFewIndependentErrors_ServeTheBetterNaive_AndSaySo()
    {
        Assert.AreEqual(0, NaiveGuard.TrustedSteps(4, 12), "four windows: a sign test cannot reach 5%");
        Assert.AreEqual(2, NaiveGuard.TrustedSteps(11, 12), "⌈11 / 2⌉ = 6 ≥ 5, ⌈11 / 3⌉ = 4 < 5");
        Assert.AreEqual(7, NaiveGuard.TrustedSteps(53, 7));
        var network = Actuals.ToArray(); // exact, yet on 4 windows it cannot be told from naive
        var decision = NaiveGuard.Decide(Actuals, network, Persistence, SeasonalNaive, 2);
        Assert.AreEqual(0, decision.TrustedSteps);
        Assert.AreEqual(ForecastDecision.SeasonalNaive, decision.ForStep(0).Choice);
        Assert.AreEqual(ForecastDecision.SeasonalNaive, decision.ForStep(1).Choice);
        StringAssert.Contains(decision.Reason, "independent errors");
        var served = network[..2];
        decision.Apply(served, Persistence.AsSpan(0, 2), SeasonalNaive.AsSpan(0, 2), perStep: false);
        CollectionAssert.AreEqual(SeasonalNaive[..2], served);
    }

    [TestMethod]
    public void LaterSteps_OnOriginsSpanningAHorizon_AreJudgedTogether()
    {
        // 9 windows × 3 steps: ⌈9 / h⌉ ≥ 5 only for h ≤ 2, so step 3 is not judged on its own; the 9 origins span the
        // 3-step horizon, so it is judged pooled with any later steps: the exact network is served there too.
        var actuals = Enumerable.Range(0, 27).Select(i => (float)(10 + i % 5)).ToArray();
        var persistence = actuals.Select(a => a - 2f).ToArray();
        var decision = NaiveGuard.Decide(actuals, actuals.ToArray(), persistence, [], 3);
        Assert.AreEqual(2, decision.TrustedSteps);
        Assert.IsTrue(NaiveGuard.JudgesLaterSteps(9, 3));
        Assert.AreEqual(ForecastDecision.Network, decision.ForStep(2).Choice);
        Assert.IsTrue(decision.Uniform);
        StringAssert.Contains(decision.Reason, "Steps 3–3 have fewer than 5 independent validation errors");
        StringAssert.Contains(decision.Reason, "judged together, pooled");

        // A network far off there is replaced by the better naive forecast, pooled decision and all.
        var network = actuals.ToArray();
        for (int i = 0; i < 9; i++) network[i * 3 + 2] += 50;
        decision = NaiveGuard.Decide(actuals, network, persistence, [], 3);
        Assert.AreEqual(ForecastDecision.Network, decision.ForStep(0).Choice);
        Assert.AreEqual(ForecastDecision.Persistence, decision.ForStep(2).Choice);
    }

    [TestMethod]
    public void LaterSteps_OnOriginsSpanningLessThanAHorizon_ServeNaive()
    {
        // 5 windows × 8 steps: only step 1 has 5 independent errors, and 5 origins do not span the 8-step horizon, so
        // steps 2–8 serve the better naive even though the network is exact.
        var actuals = Enumerable.Range(0, 40).Select(i => (float)(10 + i % 7)).ToArray();
        var persistence = actuals.Select(a => a - 2f).ToArray();
        var decision = NaiveGuard.Decide(actuals, actuals.ToArray(), persistence, [], 8);
        Assert.AreEqual(1, decision.TrustedSteps);
        Assert.IsFalse(NaiveGuard.JudgesLaterSteps(5, 8));
        Assert.AreEqual(ForecastDecision.Network, decision.ForStep(0).Choice);
        for (int h = 1; h < 8; h++) Assert.AreEqual(ForecastDecision.Persistence, decision.ForStep(h).Choice, $"step {h + 1}");
        Assert.IsFalse(decision.Uniform);
        StringAssert.Contains(decision.Reason, "Steps 2–8 have fewer than 5 independent validation errors");
        StringAssert.Contains(decision.Reason, "span less than the 8-step horizon");
    }
}
