using Lstm.MLNet.Compute;
using Lstm.MLNet.Tests.TestSupport;

namespace Lstm.MLNet.Tests.Compute;

/// <summary>
/// Analytic gradients against central differences of the loss Σ output·R + Σ h_n·R2 + Σ c_n·R3, on
/// random shapes the golden files do not cover. Independent of PyTorch: it checks that Backward is the
/// derivative of this library's own Forward.
/// </summary>
[TestClass]
public sealed class LstmGradientCheckTests
{
    // The forward runs in float32: a step near 4e-3 balances truncation error (∝ step²) against the
    // rounding noise of the loss (∝ 1/step); the differences observed are ≤ 1e-4, a fifth of the
    // absolute floor, while a wrong gate derivative is off by the size of the gradient itself.
    private const float Step = 4e-3f;
    private const double RelativeTolerance = 2e-2;
    private const double AbsoluteTolerance = 5e-4;
    private const int CoordinatesPerTensor = 10;

    private static readonly Dictionary<string, (LstmShape Shape, int[] Lengths)> Cases = new()
    {
        ["one_layer_uniform"] = (new LstmShape(3, 4), [5, 5]),
        ["bidirectional_ragged"] = (new LstmShape(4, 3, 1, bidirectional: true), [3, 5, 1, 5]),
        ["two_layer_ragged"] = (new LstmShape(2, 5, 2), [2, 6, 6, 3]),
        ["two_layer_bidirectional_ragged"] = (new LstmShape(3, 4, 2, bidirectional: true), [4, 1, 3]),
    };

    public static IEnumerable<object[]> CasesOnScalarAndBest =>
        from path in SimdPaths.ScalarAndBest
        from name in Cases.Keys
        select new object[] { name, path[0] };

    [TestMethod]
    [DynamicData(nameof(CasesOnScalarAndBest))]
    public void AnalyticGradients_MatchCentralDifferences(string caseName, SimdPath path)
    {
        var (shape, lengths) = Cases[caseName];
        int seed = caseName.Length * 31 + (int)path;
        var problem = LstmProblem.Random(shape, lengths, seed);
        var lstm = problem.CreateLstm(new ComputeContext(path, threads: 1), weightSeed: seed + 1);
        var analytic = problem.Run(lstm);

        // Every parameter, the input and both initial states, each with its analytic gradient.
        var tensors = lstm.Parameters.Named().Zip(analytic.Gradients, (p, g) => (p.Name, Values: p.Values, Gradient: g.Values))
            .Append(("input", problem.Input, analytic.DInput))
            .Append(("h0", problem.H0, analytic.DH0))
            .Append(("c0", problem.C0, analytic.DC0));

        var random = new Random(seed);
        var failures = new List<string>();
        double worst = 0;
        int checkedCount = 0;
        foreach (var (name, values, gradient) in tensors)
            foreach (int i in TestTensors.SampleIndices(random, values.Length, CoordinatesPerTensor))
            {
                float original = values[i];
                float plus = original + Step, minus = original - Step;
                values[i] = plus;
                double lossPlus = problem.Loss(lstm);
                values[i] = minus;
                double lossMinus = problem.Loss(lstm);
                values[i] = original;
                // Divide by the step actually taken: float rounding makes plus − minus differ from 2·Step.
                double numeric = (lossPlus - lossMinus) / ((double)plus - minus);
                double error = Math.Abs(numeric - gradient[i]);
                double allowed = RelativeTolerance * Math.Max(Math.Abs(numeric), Math.Abs(gradient[i])) + AbsoluteTolerance;
                worst = Math.Max(worst, error / allowed);
                checkedCount++;
                if (!(error <= allowed))
                    failures.Add($"  {name}[{i}]: analytic {gradient[i]:G6}, numeric {numeric:G6}");
            }

        if (failures.Count > 0)
            Assert.Fail($"{caseName} ({problem}) on {path}: {failures.Count} of {checkedCount} coordinates off " +
                        $"(worst {worst:F1}× the tolerance {RelativeTolerance}·|g| + {AbsoluteTolerance}):\n{string.Join("\n", failures)}");
    }
}
