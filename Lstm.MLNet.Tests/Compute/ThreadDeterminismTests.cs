using Lstm.MLNet.Compute;
using Lstm.MLNet.Tests.TestSupport;

namespace Lstm.MLNet.Tests.Compute;

/// <summary>
/// Results must not depend on the thread count (every output element is computed by one thread in a
/// fixed order), so a model trained on many cores reproduces bit for bit on few.
/// </summary>
[TestClass]
public sealed class ThreadDeterminismTests
{
    private static readonly int[] ThreadCounts = [1, 2, 3, 4];

    /// <summary>
    /// Big enough to pass the parallel threshold: the first shape splits rows, the second (few rows,
    /// many strips) splits columns, and k &gt; 256 crosses a depth block.
    /// </summary>
    private static readonly (int M, int N, int K, bool TransposeA, bool TransposeB)[] GemmShapes =
        [(200, 300, 150, false, false), (200, 300, 150, true, true), (10, 1000, 300, false, true), (10, 1000, 300, true, false)];

    [TestMethod]
    [DynamicData(nameof(SimdPaths.Each), typeof(SimdPaths))]
    public void Gemm_IsBitIdenticalForAnyThreadCount(SimdPath path)
    {
        var random = new Random(17);
        foreach (var (m, n, k, ta, tb) in GemmShapes)
        {
            var problem = GemmProblem.Create(random, ta, tb, m, n, k, pad: 1);
            var packed = Gemm.Pack(new ComputeContext(path, 1), tb, k, n, problem.B, problem.Ldb);
            float[]? reference = null, packedReference = null;
            foreach (int threads in ThreadCounts)
            {
                var context = new ComputeContext(path, threads);
                var c = (float[])problem.InitialC.Clone();
                Gemm.Multiply(context, ta, tb, m, n, k, problem.A, problem.Lda, problem.B, problem.Ldb, c, problem.Ldc, accumulate: true);
                var cPacked = (float[])problem.InitialC.Clone();
                Gemm.Multiply(context, ta, m, problem.A, problem.Lda, packed, cPacked, problem.Ldc, accumulate: true);
                reference ??= c;
                packedReference ??= cPacked;
                TestTensors.AssertBitIdentical(c, reference, $"{path}, {problem}, {threads} threads vs 1");
                TestTensors.AssertBitIdentical(cPacked, packedReference, $"{path} packed, {problem}, {threads} threads vs 1");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(SimdPaths.Each), typeof(SimdPaths))]
    public void Lstm_ForwardAndBackwardAreBitIdenticalForAnyThreadCount(SimdPath path)
    {
        int[] lengths = [9, 3, 9, 7, 1, 5, 9, 2, 8, 6, 4, 9, 3, 7, 5, 9];
        var problem = LstmProblem.Random(new LstmShape(24, 40, 2, bidirectional: true), lengths, seed: 23);
        LstmRun? reference = null;
        foreach (int threads in ThreadCounts)
        {
            var run = problem.Run(problem.CreateLstm(new ComputeContext(path, threads), weightSeed: 29));
            reference ??= run;
            foreach (var ((name, values), (_, expected)) in run.Tensors().Zip(reference.Tensors()))
                TestTensors.AssertBitIdentical(values, expected, $"{path}, {name}, {threads} threads vs 1");
        }
    }
}
