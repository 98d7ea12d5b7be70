using Lstm.MLNet.Compute;
using Lstm.MLNet.Tests.TestSupport;

namespace Lstm.MLNet.Tests.Compute;

/// <summary>GEMM against a double-precision reference on every path, transpose combination and edge size.</summary>
[TestClass]
public sealed class GemmTests
{
    // 1 and 3 are below every micro-kernel tile, 17 and 33 leave ragged edges on every MR/NR, and 257
    // crosses the KC = 256 depth block (and MC = 96 rows, and several NR strips).
    private static readonly int[] Sizes = [1, 3, 17, 33, 257];

    private static readonly bool[] Bools = [false, true];

    public static IEnumerable<object[]> PathsAndTransposes =>
        SimdPaths.Cross(from ta in Bools from tb in Bools select new object[] { ta, tb });

    // A fixed seed per case (HashCode is randomised per process) so a failure reproduces.
    private static int Seed(SimdPath path, bool transposeA, bool transposeB) => (int)path * 4 + (transposeA ? 2 : 0) + (transposeB ? 1 : 0);

    // Two threads so the products above the parallel threshold also run the split code.
    private static ComputeContext Context(SimdPath path) => new(path, threads: 2);

    private static float[] RunMultiply(ComputeContext context, GemmProblem p, bool accumulate)
    {
        var c = (float[])p.InitialC.Clone();
        Gemm.Multiply(context, p.TransposeA, p.TransposeB, p.M, p.N, p.K, p.A, p.Lda, p.B, p.Ldb, c, p.Ldc, accumulate);
        return c;
    }

    private static float[] RunPacked(ComputeContext context, GemmProblem p, bool accumulate)
    {
        var packed = Gemm.Pack(context, p.TransposeB, p.K, p.N, p.B, p.Ldb);
        var c = (float[])p.InitialC.Clone();
        Gemm.Multiply(context, p.TransposeA, p.M, p.A, p.Lda, packed, c, p.Ldc, accumulate);
        return c;
    }

    /// <summary>The full {1, 3, 17, 33, 257}³ cross product, overwriting and accumulating, tight and strided.</summary>
    [TestMethod]
    [DynamicData(nameof(PathsAndTransposes))]
    public void Multiply_MatchesReference(SimdPath path, bool transposeA, bool transposeB)
    {
        var context = Context(path);
        var random = new Random(Seed(path, transposeA, transposeB));
        int index = 0;
        foreach (int m in Sizes)
            foreach (int n in Sizes)
                foreach (int k in Sizes)
                {
                    // Cycle the row padding so tight and strided operands both appear for every size.
                    var problem = GemmProblem.Create(random, transposeA, transposeB, m, n, k, pad: new[] { 0, 1, 5 }[index++ % 3]);
                    foreach (bool accumulate in Bools)
                        problem.AssertResult(RunMultiply(context, problem, accumulate), accumulate, path.ToString());
                }
    }

    [TestMethod]
    [DynamicData(nameof(PathsAndTransposes))]
    public void MultiplyPacked_MatchesReference(SimdPath path, bool transposeA, bool transposeB)
    {
        var context = Context(path);
        var random = new Random(Seed(path, transposeA, transposeB) + 100);
        (int M, int N, int K)[] shapes = [(1, 1, 1), (3, 17, 33), (17, 3, 1), (33, 33, 17), (5, 257, 33), (17, 33, 257), (257, 17, 3)];
        foreach (var (m, n, k) in shapes)
        {
            var problem = GemmProblem.Create(random, transposeA, transposeB, m, n, k, pad: 2);
            foreach (bool accumulate in Bools)
                problem.AssertResult(RunPacked(context, problem, accumulate), accumulate, $"{path} packed");
        }
    }

    /// <summary>
    /// Every row remainder of every micro-kernel (M = 1…13 covers 0–5 leftover rows of MR 6 and 0–3 of MR 4) on
    /// full-width strips (N = 192 is a whole number of 64-, 24- and 12-wide strips): the partial-row kernels.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(PathsAndTransposes))]
    public void RowRemainders_MatchReference(SimdPath path, bool transposeA, bool transposeB)
    {
        var context = Context(path);
        var random = new Random(Seed(path, transposeA, transposeB) + 200);
        for (int m = 1; m <= 13; m++)
        {
            var problem = GemmProblem.Create(random, transposeA, transposeB, m, 192, 40, pad: m % 3);
            foreach (bool accumulate in Bools)
            {
                problem.AssertResult(RunMultiply(context, problem, accumulate), accumulate, $"{path} m={m}");
                problem.AssertResult(RunPacked(context, problem, accumulate), accumulate, $"{path} packed m={m}");
            }
        }
    }

    /// <summary>A is read in place: with A's last float just before an unmapped page, a read past it would fault (in a child process).</summary>
    [TestMethod]
    public void InPlaceA_ReadsNothingPastItsEnd()
    {
        var result = IsolatedCases.RunInChildProcess(IsolatedCases.GemmAtAGuardPage)[IsolatedCases.GemmAtAGuardPage];
        Assert.AreEqual("OK", result[0], string.Join(" | ", result));
        if (OperatingSystem.IsLinux()) StringAssert.StartsWith(result[1], $"{SimdSupport.Supported.Count * 2 * 13} products");
    }

    /// <summary>
    /// An output at most one vector wide takes the narrow kernel (a few input features: dX = dGates·W_ih, dW_ih = dGatesᵀ·X);
    /// its columns have the bits the wide kernels give the same columns of a wider product (k order, depth blocks added alike).
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(PathsAndTransposes))]
    public void NarrowProducts_HaveTheBitsOfTheSameColumnsOfAWideProduct(SimdPath path, bool transposeA, bool transposeB)
    {
        var context = Context(path);
        var random = new Random(Seed(path, transposeA, transposeB) + 400);
        // A few columns; 8, which AVX-512 computes in 256-bit vectors; one whole vector, whose B (tight, not transposed) is read in place.
        int vector = VectorWidth(path), wideWidth = 70;
        foreach (int narrowWidth in new[] { Math.Min(5, vector), Math.Min(8, vector), vector }.Distinct())
        foreach (var (m, k) in new[] { (1, 1), (7, 40), (8, 300), (61, 257), (300, 600) })
        {
            var wide = GemmProblem.Create(random, transposeA, transposeB, m, wideWidth, k, pad: 0);
            // The narrow B: the wide B's first columns (rows of op(B) are its columns when transposed).
            var narrowB = new float[k * narrowWidth];
            for (int p = 0; p < k; p++)
                for (int j = 0; j < narrowWidth; j++)
                    narrowB[transposeB ? j * k + p : p * narrowWidth + j] = transposeB ? wide.B[j * wide.Ldb + p] : wide.B[p * wide.Ldb + j];
            foreach (bool accumulate in Bools)
            {
                var wideC = RunMultiply(context, wide, accumulate);
                var narrowC = new float[m * narrowWidth];
                for (int i = 0; i < m; i++) Array.Copy(wide.InitialC, i * wide.Ldc, narrowC, i * narrowWidth, narrowWidth);
                Gemm.Multiply(context, transposeA, transposeB, m, narrowWidth, k, wide.A, wide.Lda, narrowB, transposeB ? k : narrowWidth, narrowC, narrowWidth, accumulate);
                for (int i = 0; i < m; i++)
                    TestTensors.AssertBitIdentical(narrowC.AsSpan(i * narrowWidth, narrowWidth).ToArray(), wideC.AsSpan(i * wide.Ldc, narrowWidth).ToArray(),
                        $"{path} n={narrowWidth} m={m} k={k} row {i} accumulate={accumulate}");
            }
        }
    }

    private static int VectorWidth(SimdPath path) => path switch
    {
        SimdPath.Avx512 => 16, SimdPath.Avx2 => 8, SimdPath.Vector128 => 4, _ => 1,
    };

    /// <summary>
    /// A tight B exactly one strip wide (n = NR, ldb = NR, not transposed: dW = dGatesᵀ·X at H = NR) is its own packed panel
    /// and is read in place: the product has the bits of the same product with B strided (packed) and matches the reference.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(PathsAndTransposes))]
    public void OneStripB_ReadInPlace_HasThePackedBits(SimdPath path, bool transposeA, bool transposeB)
    {
        if (transposeB) return; // a transposed B is always packed
        var context = Context(path);
        var random = new Random(Seed(path, transposeA, transposeB) + 500);
        int n = Gemm.NRFor(path);
        foreach (var (m, k) in new[] { (7, 40), (61, 300), (200, 1000) })
        {
            var tight = GemmProblem.Create(random, transposeA, false, m, n, k, pad: 0);
            var strided = new GemmProblem
            {
                TransposeA = transposeA, TransposeB = false, M = m, N = n, K = k, Lda = tight.Lda, Ldb = n + 3, Ldc = tight.Ldc,
                A = tight.A, B = new float[k * (n + 3)], InitialC = tight.InitialC,
            };
            for (int p = 0; p < k; p++) Array.Copy(tight.B, p * n, strided.B, p * (n + 3), n);
            foreach (bool accumulate in Bools)
            {
                var inPlace = RunMultiply(context, tight, accumulate);
                tight.AssertResult(inPlace, accumulate, $"{path} in place m={m} k={k}");
                TestTensors.AssertBitIdentical(RunMultiply(context, strided, accumulate), inPlace, $"{path} m={m} k={k} accumulate={accumulate}");
            }
        }
    }

    /// <summary>Repack must replace every panel: an optimizer step reuses the packed buffer with new weights.</summary>
    [TestMethod]
    [DynamicData(nameof(SimdPaths.Each), typeof(SimdPaths))]
    public void Repack_ReplacesPackedValues(SimdPath path)
    {
        var context = Context(path);
        var random = new Random(11);
        var before = GemmProblem.Create(random, transposeA: false, transposeB: true, m: 9, n: 40, k: 300, pad: 1);
        var after = GemmProblem.Create(random, transposeA: false, transposeB: true, m: 9, n: 40, k: 300, pad: 1);
        var packed = Gemm.Pack(context, before.TransposeB, before.K, before.N, before.B, before.Ldb);
        packed.Repack(after.TransposeB, after.B, after.Ldb);

        var c = (float[])after.InitialC.Clone();
        Gemm.Multiply(context, after.TransposeA, after.M, after.A, after.Lda, packed, c, after.Ldc, accumulate: false);
        after.AssertResult(c, accumulate: false, $"{path} repacked");
    }

    /// <summary>k = 0 is an empty sum: C becomes 0, or stays as it was when accumulating.</summary>
    [TestMethod]
    [DynamicData(nameof(SimdPaths.Each), typeof(SimdPaths))]
    public void Multiply_ZeroDepth_ClearsOrKeepsC(SimdPath path)
    {
        var context = Context(path);
        var problem = GemmProblem.Create(new Random(3), transposeA: false, transposeB: false, m: 5, n: 6, k: 0, pad: 2);
        foreach (bool accumulate in Bools)
            problem.AssertResult(RunMultiply(context, problem, accumulate), accumulate, $"{path} k=0");
    }

    /// <summary>
    /// Every path computes the same mathematical product; comparing the SIMD paths with Scalar on one
    /// shape catches a kernel that is self-consistent but wrong in a way the tolerance could hide.
    /// </summary>
    [TestMethod]
    public void Multiply_AllPathsAgreeClosely()
    {
        var problem = GemmProblem.Create(new Random(5), transposeA: true, transposeB: false, m: 70, n: 90, k: 300, pad: 1);
        var scalar = RunMultiply(Context(SimdPath.Scalar), problem, accumulate: true);
        foreach (var path in SimdSupport.Supported)
            TestTensors.AssertClose(RunMultiply(Context(path), problem, accumulate: true), scalar, 1e-4, $"{path} vs Scalar");
    }
}
