using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Tests.Compute;

/// <summary>
/// The public compute entry points take spans and work through raw pointers, so a buffer that is
/// too short must be rejected up front rather than read or written out of bounds.
/// </summary>
[TestClass]
public sealed class ArgumentValidationTests
{
    private static readonly ComputeContext Context = new(SimdSupport.Best, 1);

    // C[4×5] = A[4×3]·B[3×5], tight leading dimensions.
    private const int M = 4, N = 5, K = 3;

    private static void Multiply(int aLength, int lda, int bLength, int ldb, int cLength, int ldc, bool transposeA = false, bool transposeB = false) =>
        Gemm.Multiply(Context, transposeA, transposeB, M, N, K, new float[aLength], lda, new float[bLength], ldb, new float[cLength], ldc, accumulate: false);

    [TestMethod]
    public void Multiply_AcceptsExactlySizedBuffers()
    {
        Multiply(M * K, K, K * N, N, M * N, N);
        Multiply(K * M, M, N * K, K, M * N, N, transposeA: true, transposeB: true);
        // The last row needs only its own length, not a full leading dimension.
        Multiply((M - 1) * 7 + K, 7, (K - 1) * 9 + N, 9, (M - 1) * 6 + N, 6);
    }

    [TestMethod]
    public void Multiply_RejectsShortSpans()
    {
        Assert.Throws<ArgumentException>(() => Multiply(M * K - 1, K, K * N, N, M * N, N), "A too short");
        Assert.Throws<ArgumentException>(() => Multiply(M * K, K, K * N - 1, N, M * N, N), "B too short");
        Assert.Throws<ArgumentException>(() => Multiply(M * K, K, K * N, N, M * N - 1, N), "C too short");
        Assert.Throws<ArgumentException>(() => Multiply((M - 1) * 7 + K - 1, 7, K * N, N, M * N, N), "strided A too short");
        Assert.Throws<ArgumentException>(() => Multiply(K * M - 1, M, K * N, N, M * N, N, transposeA: true), "transposed A too short");
        Assert.Throws<ArgumentException>(() => Multiply(M * K, K, N * K - 1, K, M * N, N, transposeB: true), "transposed B too short");
    }

    [TestMethod]
    public void Multiply_RejectsLeadingDimensionsBelowRowLength()
    {
        Assert.Throws<ArgumentException>(() => Multiply(100, K - 1, K * N, N, M * N, N), "lda < k");
        Assert.Throws<ArgumentException>(() => Multiply(M * K, K, 100, N - 1, M * N, N), "ldb < n");
        Assert.Throws<ArgumentException>(() => Multiply(M * K, K, K * N, N, 100, N - 1), "ldc < n");
        Assert.Throws<ArgumentException>(() => Multiply(100, M - 1, K * N, N, M * N, N, transposeA: true), "lda < m for transposed A");
        Assert.Throws<ArgumentException>(() => Multiply(M * K, K, 100, K - 1, M * N, N, transposeB: true), "ldb < k for transposed B");
    }

    [TestMethod]
    public void Multiply_RejectsNegativeDimensions() =>
        Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(Context, false, false, -1, N, K, new float[100], K, new float[100], N, new float[100], N, accumulate: false));

    [TestMethod]
    public void MultiplyPacked_RejectsShortSpansAndForeignPacking()
    {
        var packed = Gemm.Pack(Context, transposeB: false, K, N, new float[K * N], N);
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(Context, false, M, new float[M * K - 1], K, packed, new float[M * N], N, false), "A too short");
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(Context, false, M, new float[M * K], K, packed, new float[M * N - 1], N, false), "C too short");
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(Context, false, M, new float[M * K], K, packed, new float[M * N], N - 1, false), "ldc < n");
        Assert.Throws<ArgumentException>(() => Gemm.Pack(Context, transposeB: false, K, N, new float[K * N - 1], N), "Pack source too short");
        Assert.Throws<ArgumentException>(() => packed.Repack(false, new float[K * N - 1], N), "Repack source too short");

        // Panels are laid out for one path's register width; using them on another would be garbage.
        foreach (var other in SimdSupport.Supported.Where(p => p != Context.Path))
            Assert.Throws<ArgumentException>(() => Gemm.Multiply(new ComputeContext(other, 1), false, M, new float[M * K], K, packed, new float[M * N], N, false), other.ToString());
    }

    [TestMethod]
    public void Activations_RejectShortDestination()
    {
        Assert.Throws<ArgumentException>(() => Activations.Sigmoid(new float[9], new float[8], SimdPath.Scalar));
        Assert.Throws<ArgumentException>(() => Activations.Tanh(new float[9], new float[8], SimdSupport.Best));
    }
}
