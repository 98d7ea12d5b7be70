using Lstm.MLNet.Compute;
using Lstm.MLNet.Tests.TestSupport;

namespace Lstm.MLNet.Tests.Compute;

/// <summary>The LstmStack contract beyond the numbers: optional spans, gradient accumulation, dropout.</summary>
[TestClass]
public sealed class LstmBehaviourTests
{
    private static readonly ComputeContext Context = new(SimdSupport.Best, 2);

    private static LstmProblem TwoLayerProblem(int seed) =>
        LstmProblem.Random(new LstmShape(5, 6, 2, bidirectional: true), [4, 2, 5], seed);

    private static float[] ForwardOutput(LstmStack lstm, LstmProblem p, bool training) =>
        lstm.Forward(p.Batch, p.Input, p.H0, p.C0, [], [], training).ToArray();

    /// <summary>An empty h0/c0 means zeros, and empty hN/cN/dInput/dH0/dC0 are skipped without changing the rest.</summary>
    [TestMethod]
    public void EmptySpans_MeanZeroStatesAndSkippedOutputs()
    {
        var problem = TwoLayerProblem(1);
        var zeros = new float[problem.StateLength];
        var lstm = problem.CreateLstm(Context, weightSeed: 2);
        var full = LstmHarness.ForwardBackward(lstm, problem.Batch, problem.Input, zeros, zeros, problem.DOutput, zeros, zeros);

        var output = lstm.Forward(problem.Batch, problem.Input, [], [], [], []).ToArray();
        lstm.Gradients.Clear();
        lstm.Backward(problem.DOutput, [], [], [], [], []);

        TestTensors.AssertBitIdentical(output, full.Output, "output with empty h0/c0 vs zeros");
        foreach (var ((name, values), (_, expected)) in lstm.Gradients.Named().Zip(full.Gradients))
            TestTensors.AssertBitIdentical(values, expected, $"grad {name} with empty spans vs zeros");
    }

    /// <summary>Backward adds into Gradients (the caller clears), but overwrites dInput, dH0 and dC0.</summary>
    [TestMethod]
    public void Backward_AccumulatesWeightGradientsAndOverwritesInputGradients()
    {
        var problem = TwoLayerProblem(3);
        var lstm = problem.CreateLstm(Context, weightSeed: 4);
        var once = problem.Run(lstm); // clears, then runs one Backward

        var dInput = TestTensors.Filled(once.DInput.Length, 1e3f);
        var dH0 = TestTensors.Filled(once.DH0.Length, 1e3f);
        var dC0 = TestTensors.Filled(once.DC0.Length, 1e3f);
        lstm.Backward(problem.DOutput, problem.DHn, problem.DCn, dInput, dH0, dC0);

        var comparisons = lstm.Gradients.Named().Zip(once.Gradients,
                (twice, single) => ("grad " + twice.Name, twice.Values, single.Values.Select(v => 2 * v).ToArray()))
            .Append(("dInput", dInput, once.DInput))
            .Append(("dH0", dH0, once.DH0))
            .Append(("dC0", dC0, once.DC0));
        TestTensors.AssertAllClose(comparisons, 1e-5, "second Backward without clearing");
    }

    /// <summary>Forward must not keep state between calls: the same call twice gives the same bits.</summary>
    [TestMethod]
    public void Forward_IsRepeatable()
    {
        var problem = TwoLayerProblem(5);
        var lstm = problem.CreateLstm(Context, weightSeed: 6);
        var first = problem.Run(lstm);
        var second = problem.Run(lstm);
        foreach (var ((name, values), (_, expected)) in second.Tensors().Zip(first.Tensors()))
            TestTensors.AssertBitIdentical(values, expected, $"{name}, second run vs first");
    }

    [TestMethod]
    public void Dropout_IsOnlyAppliedWhenTrainingBetweenLayers()
    {
        var problem = TwoLayerProblem(7);
        var plain = problem.CreateLstm(Context, weightSeed: 8);
        var dropped = problem.CreateLstm(Context, weightSeed: 8);
        dropped.InterLayerDropout = 0.5f;

        var reference = ForwardOutput(plain, problem, training: false);
        TestTensors.AssertBitIdentical(ForwardOutput(dropped, problem, training: false), reference, "dropout when not training");
        var trained = ForwardOutput(dropped, problem, training: true);
        Assert.IsFalse(trained.SequenceEqual(reference), "dropout 0.5 between two layers changed nothing while training");

        // With one layer there is no layer boundary, so nn.LSTM's dropout never applies.
        var single = LstmProblem.Random(new LstmShape(5, 6), [4, 2, 5], seed: 9);
        var singlePlain = single.CreateLstm(Context, weightSeed: 10);
        var singleDropped = single.CreateLstm(Context, weightSeed: 10);
        singleDropped.InterLayerDropout = 0.5f;
        TestTensors.AssertBitIdentical(ForwardOutput(singleDropped, single, training: true), ForwardOutput(singlePlain, single, training: true),
            "dropout on a one-layer LSTM");
    }

    [TestMethod]
    [DataRow(-0.1f)]
    [DataRow(1.5f)]
    [DataRow(float.NaN)]
    public void Dropout_RejectsProbabilitiesOutsideUnitInterval(float p) =>
        Assert.Throws<ArgumentException>(() => new LstmStack(new LstmShape(2, 2), Context).InterLayerDropout = p);

    /// <summary>Switching the context between calls (e.g. to another path) must give the same model.</summary>
    [TestMethod]
    public void Context_CanBeChangedBetweenCalls()
    {
        var problem = TwoLayerProblem(11);
        var lstm = problem.CreateLstm(new ComputeContext(SimdPath.Scalar, 1), weightSeed: 12);
        var scalar = problem.Run(lstm);
        lstm.Context = Context;
        var best = problem.Run(lstm);
        TestTensors.AssertAllClose(best.Tensors().Zip(scalar.Tensors(), (b, s) => (b.Name, b.Values, s.Values)), 1e-4, $"{Context.Path} after Scalar");
    }
}
