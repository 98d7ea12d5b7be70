using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Tests.Compute;

/// <summary>
/// Sizes that would wrap in int fail at the compute core's entry points with a named exception, before a buffer is
/// allocated or a kernel touches memory (issue 10: HiddenSize = 2^30 + 16 made 4·H·H wrap and GEMM write past it).
/// </summary>
[TestClass]
public sealed class BufferBoundsTests
{
    [TestMethod]
    public void CheckedSize_ReturnsExactProducts_AndRejectsWhatDoesNotFitOneArray()
    {
        Assert.AreEqual(4 * 128 * 64, CheckedSize.Of(4 * 128, 64, "gates"));
        Assert.AreEqual(Array.MaxLength, CheckedSize.Of(1, Array.MaxLength, "x"));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CheckedSize.Of(4L * ((1 << 30) + 16), (1 << 30) + 16, "weight_hh"));
        Assert.AreEqual("weight_hh", e.ParamName);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CheckedSize.Of(int.MaxValue, int.MaxValue, int.MaxValue, "state"));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CheckedSize.Of(65_536, 65_536, 2, "state"));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CheckedSize.Of(-1, 4, "negative"));
    }

    [TestMethod]
    [DataRow((1 << 30) + 16)]
    [DataRow(46_341)]   // 4·H·H is just above int.MaxValue
    [DataRow(1 << 29)]
    public void LstmShape_RejectsAHiddenSizeWhoseWeightsCannotBeOneArray(int hiddenSize)
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new LstmShape(8, hiddenSize));
        Assert.AreEqual("hiddenSize", e.ParamName);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new LstmShape(int.MaxValue, 2));
        Assert.AreEqual(23_170, new LstmShape(1, 23_170).HiddenSize, "the largest H with 4H·H below Array.MaxLength is accepted by the shape");
    }

    [TestMethod]
    public unsafe void PinnedBuffer_RejectsANegativeLength_InsteadOfReturningAStalePointer()
    {
        var buffer = new PinnedBuffer();
        int hidden = 46_341, wrapped = unchecked(hidden * hidden);   // H·H in int: negative
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => { buffer.Ensure(wrapped); });
    }

    /// <summary>Packs strips [0, <paramref name="strips"/>) of an 8×8 B, depth <paramref name="kc"/>, 8 wide, into <paramref name="destination"/>.</summary>
    private static unsafe void PackInto(float[] destination, int strips, int kc)
    {
        var source = new float[8 * 8];
        fixed (float* b = source) fixed (float* d = destination)
            Gemm.PackB(false, b, 8, 8, 0, kc, 0, strips, 8, d, destination.Length);
    }

    [TestMethod]
    public void PackB_ChecksTheDestinationOncePerCall()
    {
        var destination = new float[8 * 8];
        PackInto(destination, strips: 1, kc: 8);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PackInto(destination, strips: 2, kc: 8));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PackInto(destination, strips: 1, kc: -8));
    }

    [TestMethod]
    public void PackedMatrix_RejectsPanelsThatDoNotFitOneArray()
    {
        // [k × n] = [2^30 × 4] in panels 8 wide: 2^33 floats, which wrapped to 0 in int.
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new PackedMatrix(SimdPath.Scalar, 1 << 30, 4, 8));
        StringAssert.Contains(e.Message, "8589934592");
    }

    [TestMethod]
    public void LstmStack_ChecksItsWorkspacesAtEntry_BeforeAnyKernel()
    {
        // 2^21 steps × 4·H (H = 256) is 2^31 gate values: one too many for an array.
        var lstm = new LstmStack(new LstmShape(1, 256), new ComputeContext(SimdPath.Scalar, 1));
        var batch = SequenceBatch.FromLengths([1 << 21]);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => lstm.Forward(batch, new float[1 << 21], default, default, default, default));
        Assert.AreEqual("LSTM gates", e.ParamName);
    }
}
