using Lstm.MLNet.Compute;
using Lstm.MLNet.Tests.TestSupport;

namespace Lstm.MLNet.Tests.Compute;

/// <summary>The packed-sequence layout: ordering, step sizes and pack/unpack.</summary>
[TestClass]
public sealed class SequenceBatchTests
{
    [TestMethod]
    [DataRow(new[] { 1 })]
    [DataRow(new[] { 4, 4, 4 })]
    [DataRow(new[] { 3, 5, 3, 5, 1 })]
    [DataRow(new[] { 1, 2, 3, 4, 5, 6, 7 })]
    [DataRow(new[] { 9, 1, 1, 6, 2, 9 })]
    public void PackThenUnpack_RoundTripsAndZeroesPadding(int[] lengths)
    {
        const int features = 3;
        var batch = SequenceBatch.FromLengths(lengths);
        int paddedLength = batch.MaxLength + 2; // longer than needed, as a caller's fixed-size buffer is
        var padded = TestTensors.Uniform(new Random(lengths.Length), lengths.Length * paddedLength * features);

        var packed = TestTensors.Filled(batch.TotalSteps * features, float.NaN);
        batch.PackPadded(padded, paddedLength, features, packed);
        // Every packed value must come from the real (unpadded) part of the padded tensor.
        for (int b = 0; b < lengths.Length; b++)
            for (int t = 0; t < lengths[b]; t++)
                CollectionAssert.AreEqual(padded.AsSpan((b * paddedLength + t) * features, features).ToArray(),
                    packed.AsSpan(batch.PackedRow(b, t) * features, features).ToArray(), $"sequence {b} step {t}");

        var unpacked = TestTensors.Filled(padded.Length, float.NaN);
        batch.UnpackToPadded(packed, paddedLength, features, unpacked);
        for (int b = 0; b < lengths.Length; b++)
            for (int t = 0; t < paddedLength; t++)
                for (int f = 0; f < features; f++)
                {
                    int i = (b * paddedLength + t) * features + f;
                    Assert.AreEqual(t < lengths[b] ? padded[i] : 0f, unpacked[i], $"sequence {b} step {t} feature {f}");
                }
    }

    [TestMethod]
    public void SortedOrder_IsLongestFirstAndStableForTies()
    {
        var batch = SequenceBatch.FromLengths([3, 5, 3, 5, 1, 3]);
        CollectionAssert.AreEqual(new[] { 1, 3, 0, 2, 5, 4 }, batch.SortedToOriginal.ToArray());
        for (int r = 0; r < batch.BatchSize; r++)
            Assert.AreEqual(r, batch.OriginalToSorted[batch.SortedToOriginal[r]], $"OriginalToSorted is not the inverse at sorted row {r}");
    }

    [TestMethod]
    [DataRow(new[] { 3, 5, 3, 5, 1, 3 })]
    [DataRow(new[] { 1, 9, 4, 4, 2 })]
    [DataRow(new[] { 7 })]
    public void StepBatchSizes_AreNonIncreasingAndMatchOffsets(int[] lengths)
    {
        var batch = SequenceBatch.FromLengths(lengths);
        Assert.AreEqual(lengths.Max(), batch.MaxLength);
        Assert.AreEqual(lengths.Sum(), batch.TotalSteps);
        Assert.AreEqual(lengths.Length, batch.BatchSize);
        Assert.AreEqual(0, batch.StepOffsets[0]);
        for (int t = 0; t < batch.MaxLength; t++)
        {
            Assert.AreEqual(lengths.Count(l => l > t), batch.StepBatchSizes[t], $"active sequences at step {t}");
            if (t > 0) Assert.IsLessThanOrEqualTo(batch.StepBatchSizes[t - 1], batch.StepBatchSizes[t], $"step {t} has more rows than step {t - 1}");
            Assert.AreEqual(batch.StepOffsets[t] + batch.StepBatchSizes[t], batch.StepOffsets[t + 1], $"offset of step {t + 1}");
        }
        Assert.AreEqual(batch.TotalSteps, batch.StepOffsets[batch.MaxLength]);
    }

    [TestMethod]
    public void Uniform_HasEqualLengthsInCallerOrder()
    {
        var batch = SequenceBatch.Uniform(4, 6);
        CollectionAssert.AreEqual(new[] { 6, 6, 6, 6 }, batch.Lengths.ToArray());
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3 }, batch.SortedToOriginal.ToArray());
        Assert.AreEqual(24, batch.TotalSteps);
    }

    [TestMethod]
    [DataRow(new[] { 0 })]
    [DataRow(new[] { 3, 0, 2 })]
    [DataRow(new[] { 2, -1 })]
    public void FromLengths_RejectsLengthsBelowOne(int[] lengths) =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SequenceBatch.FromLengths(lengths));

    [TestMethod]
    public void FromLengths_RejectsEmptyBatch() =>
        Assert.ThrowsExactly<ArgumentException>(() => SequenceBatch.FromLengths([]));

    [TestMethod]
    public void PackedRow_RejectsStepPastTheSequence() =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SequenceBatch.FromLengths([3, 2]).PackedRow(1, 2));

    [TestMethod]
    public void Pack_RejectsBuffersThatDoNotFit()
    {
        var batch = SequenceBatch.FromLengths([3, 2]);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => batch.PackPadded(new float[2 * 2 * 4], 2, 4, new float[5 * 4]));
        Assert.ThrowsExactly<ArgumentException>(() => batch.PackPadded(new float[2 * 3 * 4 - 1], 3, 4, new float[5 * 4]));
        Assert.ThrowsExactly<ArgumentException>(() => batch.PackPadded(new float[2 * 3 * 4], 3, 4, new float[5 * 4 - 1]));
        Assert.ThrowsExactly<ArgumentException>(() => batch.UnpackToPadded(new float[5 * 4 - 1], 3, 4, new float[2 * 3 * 4]));
    }
}
