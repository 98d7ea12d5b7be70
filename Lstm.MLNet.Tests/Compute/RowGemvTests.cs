using Lstm.MLNet.Compute;
using Lstm.MLNet.Tests.TestSupport;

namespace Lstm.MLNet.Tests.Compute;

/// <summary>The one-row product over row-packed weights against a double-precision reference, odd shapes included.</summary>
[TestClass]
public sealed unsafe class RowGemvTests
{
    private static IEnumerable<object[]> Shapes => SimdPaths.Cross(
    [
        [1, 1, false], [7, 13, true], [128, 512, true], [33, 200, false], [64, 256, true],
    ]);

    [TestMethod]
    [DynamicData(nameof(Shapes))]
    public void MatchesTheReference(SimdPath path, int depth, int columns, bool transpose)
    {
        var random = new Random(depth * 31 + columns);
        var b = Enumerable.Range(0, depth * columns).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var x = Enumerable.Range(0, depth).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var start = Enumerable.Range(0, columns).Select(_ => (float)random.NextDouble()).ToArray();
        RowPackedMatrix packed;
        fixed (float* pb = b) packed = new RowPackedMatrix(path, depth, columns, pb, transpose);
        Assert.IsTrue(packed.PaddedColumns >= columns && packed.PaddedColumns % RowPackedMatrix.PanelVectors == 0);
        var startPadded = new float[packed.PaddedColumns];
        start.CopyTo(startPadded, 0);
        var y = new float[packed.PaddedColumns];
        fixed (float* px = x) fixed (float* ps = startPadded) fixed (float* py = y)
            SimdDispatch.Run(path, new Product { X = px, B = packed, Start = ps, Y = py });
        for (int j = 0; j < columns; j++)
        {
            double expected = start[j];
            for (int k = 0; k < depth; k++) expected += (double)x[k] * (transpose ? b[j * depth + k] : b[k * columns + j]);
            Assert.AreEqual(expected, y[j], 1e-5 * Math.Max(1, Math.Abs(expected)) * Math.Sqrt(depth), $"column {j}");
        }
        for (int j = columns; j < packed.PaddedColumns; j++) Assert.AreEqual(0f, y[j], "padding columns stay zero");
    }

    private struct Product : ISimdKernel
    {
        public float* X, Start, Y; public RowPackedMatrix B;
        public readonly void Run<V>() where V : unmanaged, ISimdFloat<V> => RowGemv<V>.MultiplyAdd(X, B, Start, Y);
    }
}
