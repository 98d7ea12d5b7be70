using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Tests.TestSupport;

/// <summary>Everything one forward + backward produced, copied out of the library's buffers.</summary>
internal sealed record LstmRun(
    float[] Output, float[] HN, float[] CN, float[] DInput, float[] DH0, float[] DC0,
    IReadOnlyList<(string Name, float[] Values)> Gradients)
{
    /// <summary>Every tensor with a name for assertion messages.</summary>
    public IEnumerable<(string Name, float[] Values)> Tensors() =>
        new[] { ("output", Output), ("h_n", HN), ("c_n", CN), ("dInput", DInput), ("dH0", DH0), ("dC0", DC0) }
            .Concat(Gradients.Select(g => ("grad " + g.Name, g.Values)));
}

/// <summary>
/// Inputs for one LSTM forward + backward in the library's layout: packed input and output
/// gradient, states [L·D, B, H] in the caller's batch order.
/// </summary>
internal sealed class LstmProblem
{
    public required LstmShape Shape { get; init; }
    public required SequenceBatch Batch { get; init; }
    public required float[] Input { get; init; }
    public required float[] H0 { get; init; }
    public required float[] C0 { get; init; }
    public required float[] DOutput { get; init; }
    public required float[] DHn { get; init; }
    public required float[] DCn { get; init; }

    public int StateLength => LstmHarness.StateLength(Shape, Batch.BatchSize);

    public override string ToString() =>
        $"I={Shape.InputSize} H={Shape.HiddenSize} L={Shape.NumberOfLayers} bidirectional={Shape.Bidirectional} lengths=[{string.Join(",", Batch.Lengths.ToArray())}]";

    /// <summary>Random inputs, states and output gradients for <paramref name="shape"/> and <paramref name="lengths"/>.</summary>
    public static LstmProblem Random(LstmShape shape, int[] lengths, int seed)
    {
        var random = new Random(seed);
        var batch = SequenceBatch.FromLengths(lengths);
        int state = LstmHarness.StateLength(shape, batch.BatchSize);
        return new LstmProblem
        {
            Shape = shape,
            Batch = batch,
            Input = TestTensors.Uniform(random, batch.TotalSteps * shape.InputSize),
            H0 = TestTensors.Uniform(random, state, 0.5f),
            C0 = TestTensors.Uniform(random, state, 0.5f),
            DOutput = TestTensors.Uniform(random, batch.TotalSteps * shape.OutputSize),
            DHn = TestTensors.Uniform(random, state),
            DCn = TestTensors.Uniform(random, state),
        };
    }

    /// <summary>An LSTM on <paramref name="context"/> with PyTorch-style random weights from <paramref name="weightSeed"/>.</summary>
    public LstmStack CreateLstm(ComputeContext context, int weightSeed)
    {
        var lstm = new LstmStack(Shape, context);
        lstm.Parameters.InitializeUniform(weightSeed);
        return lstm;
    }

    public LstmRun Run(LstmStack lstm) => LstmHarness.ForwardBackward(lstm, Batch, Input, H0, C0, DOutput, DHn, DCn);

    /// <summary>Σ output·dOutput + Σ h_n·dH_n + Σ c_n·dC_n of an inference forward, in double: the loss whose gradient Backward computes.</summary>
    public double Loss(LstmStack lstm)
    {
        var hN = new float[StateLength];
        var cN = new float[StateLength];
        var output = lstm.Forward(Batch, Input, H0, C0, hN, cN, training: false);
        return TestTensors.Dot(output, DOutput) + TestTensors.Dot(hN, DHn) + TestTensors.Dot(cN, DCn);
    }
}

internal static class LstmHarness
{
    /// <summary>Floats in one [L·D, B, H] state tensor.</summary>
    public static int StateLength(LstmShape shape, int batchSize) =>
        shape.NumberOfLayers * shape.Directions * batchSize * shape.HiddenSize;

    /// <summary>
    /// Forward (training) then Backward into cleared gradients. Every output buffer starts as NaN,
    /// so an element the library forgets to write (or accumulates into instead of overwriting) shows up.
    /// </summary>
    public static LstmRun ForwardBackward(LstmStack lstm, SequenceBatch batch, float[] input, float[] h0, float[] c0,
        float[] dOutput, float[] dHn, float[] dCn)
    {
        var shape = lstm.Shape;
        int state = StateLength(shape, batch.BatchSize);
        var hN = TestTensors.Filled(state, float.NaN);
        var cN = TestTensors.Filled(state, float.NaN);
        var output = lstm.Forward(batch, input, h0, c0, hN, cN, training: true).ToArray();
        Assert.AreEqual(batch.TotalSteps * shape.OutputSize, output.Length, "Forward's output length");

        var dInput = TestTensors.Filled(batch.TotalSteps * shape.InputSize, float.NaN);
        var dH0 = TestTensors.Filled(state, float.NaN);
        var dC0 = TestTensors.Filled(state, float.NaN);
        lstm.Gradients.Clear();
        lstm.Backward(dOutput, dHn, dCn, dInput, dH0, dC0);
        var gradients = lstm.Gradients.Named().Select(g => (g.Name, (float[])g.Values.Clone())).ToArray();
        return new LstmRun(output, hN, cN, dInput, dH0, dC0, gradients);
    }
}
