namespace Lstm.MLNet.Tests.TestSupport;

/// <summary>
/// A GEMM problem with strided operands and its double-precision reference. Gaps between rows (ld
/// larger than the row) hold NaN in A and B, so a kernel that reads them poisons C, and a sentinel
/// in C, so a kernel that writes them is caught.
/// </summary>
internal sealed class GemmProblem
{
    public const float CGapSentinel = -7777.25f;

    public required bool TransposeA { get; init; }
    public required bool TransposeB { get; init; }
    public required int M { get; init; }
    public required int N { get; init; }
    public required int K { get; init; }
    public required int Lda { get; init; }
    public required int Ldb { get; init; }
    public required int Ldc { get; init; }
    public required float[] A { get; init; }
    public required float[] B { get; init; }
    /// <summary>C before the product: random in the m×n region (so accumulate has something to add to), sentinel in the gaps.</summary>
    public required float[] InitialC { get; init; }

    public override string ToString() =>
        $"m={M} n={N} k={K} transA={TransposeA} transB={TransposeB} lda={Lda} ldb={Ldb} ldc={Ldc}";

    /// <summary>A random problem; <paramref name="pad"/> extra floats per row in every operand.</summary>
    public static GemmProblem Create(Random random, bool transposeA, bool transposeB, int m, int n, int k, int pad)
    {
        int aRows = transposeA ? k : m, aCols = transposeA ? m : k;
        int bRows = transposeB ? n : k, bCols = transposeB ? k : n;
        return new GemmProblem
        {
            TransposeA = transposeA, TransposeB = transposeB, M = m, N = n, K = k,
            Lda = aCols + pad, Ldb = bCols + pad, Ldc = n + pad,
            A = Strided(random, aRows, aCols, aCols + pad, float.NaN),
            B = Strided(random, bRows, bCols, bCols + pad, float.NaN),
            InitialC = Strided(random, m, n, n + pad, CGapSentinel),
        };
    }

    /// <summary>rows×cols random values with leading dimension ld; exactly as long as the library may require.</summary>
    private static float[] Strided(Random random, int rows, int cols, int ld, float gap)
    {
        var data = TestTensors.Filled(Math.Max(0, (rows - 1) * ld + cols), gap);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                data[r * ld + c] = (float)(random.NextDouble() * 2 - 1);
        return data;
    }

    private double OpA(int i, int p) => TransposeA ? A[p * Lda + i] : A[i * Lda + p];
    private double OpB(int p, int j) => TransposeB ? B[j * Ldb + p] : B[p * Ldb + j];

    /// <summary>
    /// Asserts <paramref name="c"/> (the library's result) is the product to within
    /// 1e-5·(|C0| + Σ|a_ik·b_kj|) + 1e-6 per element, the bound float accumulation can promise
    /// whatever the summation order, and that the row gaps of C were not written.
    /// </summary>
    public void AssertResult(float[] c, bool accumulate, string context)
    {
        double worst = 0;
        string worstAt = "";
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
            {
                double initial = accumulate ? InitialC[i * Ldc + j] : 0;
                double sum = initial, magnitude = Math.Abs(initial);
                for (int p = 0; p < K; p++)
                {
                    double term = OpA(i, p) * OpB(p, j);
                    sum += term;
                    magnitude += Math.Abs(term);
                }
                double ratio = Math.Abs(c[i * Ldc + j] - sum) / (1e-5 * magnitude + 1e-6);
                if (double.IsNaN(ratio)) ratio = double.PositiveInfinity;
                if (ratio > worst) { worst = ratio; worstAt = $"C[{i},{j}] = {c[i * Ldc + j]:R}, reference {sum:R}"; }
            }
        if (worst > 1)
            Assert.Fail($"{context}, {this}, accumulate={accumulate}: error is {worst:F2}× the tolerance at {worstAt}.");

        for (int i = 0; i < M - 1; i++)
            for (int j = N; j < Ldc; j++)
                if (c[i * Ldc + j] != CGapSentinel)
                    Assert.Fail($"{context}, {this}: wrote C[{i},{j}] in the gap past the row (ldc={Ldc}).");
    }
}
