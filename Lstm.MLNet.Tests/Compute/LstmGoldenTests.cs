using Lstm.MLNet.Compute;
using Lstm.MLNet.Tests.TestSupport;

namespace Lstm.MLNet.Tests.Compute;

/// <summary>Forward and backward against libtorch's nn.LSTM on every golden file and every SIMD path.</summary>
[TestClass]
public sealed class LstmGoldenTests
{
    /// <summary>Float32 rounding of a different summation order: PyTorch itself differs by ~1e-6 between builds.</summary>
    private const double Tolerance = 1e-4;

    [TestMethod]
    public void GoldenFiles_ArePresent()
    {
        // An empty folder would make the data-driven test below vanish instead of fail.
        string[] expected = ["bi_two_layer.json", "bidirectional.json", "ragged.json", "ragged_bi.json", "tiny.json", "two_layer.json", "wide.json"];
        CollectionAssert.IsSubsetOf(expected, GoldenCase.FileNames.ToArray(), $"golden files in {GoldenCase.Folder}");
    }

    [TestMethod]
    [DynamicData(nameof(GoldenCase.EachFileOnEachPath), typeof(GoldenCase))]
    public void ForwardAndBackward_MatchPyTorch(SimdPath path, string file)
    {
        var golden = GoldenCase.Load(file);
        var shape = golden.Shape;
        // Two threads so the parallel step loop is what gets compared.
        var lstm = new LstmStack(shape, new ComputeContext(path, threads: 2));
        golden.CopyWeightsTo(lstm.Parameters);

        var run = LstmHarness.ForwardBackward(lstm, golden.SequenceBatch,
            golden.Pack(golden.X, shape.InputSize), golden.H0, golden.C0,
            // Packing drops dOutput at padded positions: PyTorch's packed output has none there either.
            golden.Pack(golden.DOutput, shape.OutputSize), golden.DHn, golden.DCn);

        var comparisons = new List<(string, float[], float[])>
        {
            // Unpacking writes zeros past each length, where PyTorch's padded output (and x's gradient) is zero too.
            ("output", golden.Unpack(run.Output, shape.OutputSize), golden.Output),
            ("h_n", run.HN, golden.HN),
            ("c_n", run.CN, golden.CN),
            ("grad x", golden.Unpack(run.DInput, shape.InputSize), golden.Grads["x"]),
            ("grad h0", run.DH0, golden.Grads["h0"]),
            ("grad c0", run.DC0, golden.Grads["c0"]),
        };
        foreach (var (name, values) in run.Gradients)
            comparisons.Add(("grad " + name, values, golden.Grads[name]));
        TestTensors.AssertAllClose(comparisons, Tolerance, $"{file} on {path}");
    }
}
