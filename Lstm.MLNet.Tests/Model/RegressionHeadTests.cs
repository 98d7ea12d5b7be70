using Lstm.MLNet.Compute;
using Lstm.MLNet.Model;
using static Lstm.MLNet.Tests.TestSupport.FiniteDifferences;

namespace Lstm.MLNet.Tests.Model;

/// <summary>
/// The regression path (packed float inputs → LSTM → pooling → dense → mean squared error): analytic
/// gradients of every parameter and of the inputs against central finite differences, on a tiny ragged batch.
/// </summary>
[TestClass]
public sealed class RegressionHeadTests
{
    private const int Inputs = 2, Hidden = 3, Outputs = 2;
    private static readonly int[] Lengths = [3, 1, 2];

    public static IEnumerable<object[]> Cases =>
        from kind in new[] { LstmPooling.Last, LstmPooling.Mean }
        from bidirectional in new[] { false, true }
        select new object[] { kind, bidirectional };

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void Gradients_MatchFiniteDifferences(LstmPooling pooling, bool bidirectional)
    {
        var options = new SequenceRegressorOptions { HiddenSize = Hidden, Outputs = Outputs, Pooling = pooling, Bidirectional = bidirectional, Seed = 15 };
        var head = new PooledLstmHead(new LstmShape(Inputs, Hidden, 1, bidirectional), Outputs, options, new ComputeContext(SimdPath.Scalar, 1), "regressor");
        var random = new Random(16);
        head.Lstm.Parameters.InitializeUniform(17);
        head.Dense.InitializeUniform(random);
        var batch = SequenceBatch.FromLengths(Lengths);
        var input = Enumerable.Range(0, batch.TotalSteps * Inputs).Select(_ => random.NextSingle() * 2 - 1).ToArray();
        var targets = Enumerable.Range(0, Lengths.Length * Outputs).Select(_ => random.NextSingle() * 2 - 1).ToArray();
        float Loss() => MeanSquaredError.Forward(head.Forward(batch, input, training: true), targets);

        var predictions = head.Forward(batch, input, training: true).ToArray();
        var dPredictions = new float[predictions.Length];
        MeanSquaredError.Backward(predictions, targets, dPredictions);
        var dInput = new float[input.Length];
        head.Backward(dPredictions, dInput);
        var analytic = head.NamedParameters().Zip(head.Lstm.Gradients.Tensors().Append(head.Dense.WeightGradient).Append(head.Dense.BiasGradient))
            .Select(p => (p.First.Name, p.First.Values, Gradient: p.Second.ToArray())).ToList();

        string what = $"{pooling}, bidirectional {bidirectional}";
        for (int i = 0; i < input.Length; i++)
            AssertGradient(NumericGradient(Loss, input, i), dInput[i], $"{what}: dInput[{i}]");
        foreach (var (name, values, gradient) in analytic)
            for (int i = 0; i < values.Length; i++)
                AssertGradient(NumericGradient(Loss, values, i), gradient[i], $"{what}: d{name}[{i}]");
    }
}
