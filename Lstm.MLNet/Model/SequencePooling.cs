using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Model;

/// <summary>
/// Pooling of packed LSTM outputs over each sequence's real steps (never padding: the packed layout
/// has none). Outputs are [N × W] packed rows (W = D·H, direction d in columns [d·H, (d+1)·H));
/// pooled vectors are [B × W] in the caller's batch order.
/// </summary>
internal static class SequencePooling
{
    /// <summary>
    /// Forward. Last: forward direction at the last step (and, bidirectional, the reverse direction at
    /// step 0, where it ends). Mean: Σ_t x_t / length. Max: per-feature max over t, recording in
    /// <paramref name="argmax"/> [B × W] the packed row of each maximum (first on ties) for backward.
    /// </summary>
    public static void Forward(LstmPooling kind, SequenceBatch batch, ReadOnlySpan<float> packed, int width, int directions,
        Span<float> pooled, Span<int> argmax, SimdPath path)
    {
        int B = batch.BatchSize;
        switch (kind)
        {
            case LstmPooling.Last:
                int h = width / directions;
                for (int b = 0; b < B; b++)
                    for (int d = 0; d < directions; d++)
                    {
                        int row = FinalStateRow(batch, b, d);
                        packed.Slice(row * width + d * h, h).CopyTo(pooled.Slice(b * width + d * h, h));
                    }
                break;

            case LstmPooling.Mean:
                pooled.Slice(0, B * width).Clear();
                // Rows are added in packed order (t ascending), a fixed order per sequence: deterministic.
                for (int t = 0; t < batch.MaxLength; t++)
                    for (int r = 0; r < batch.StepBatchSizes[t]; r++)
                    {
                        int b = batch.SortedToOriginal[r];
                        ElementwiseOps.Add(path, packed.Slice((batch.StepOffsets[t] + r) * width, width), pooled.Slice(b * width, width));
                    }
                for (int b = 0; b < B; b++)
                    ElementwiseOps.Scale(path, 1f / batch.Lengths[b], pooled.Slice(b * width, width));
                break;

            case LstmPooling.Max:
                for (int b = 0; b < B; b++)
                {
                    int first = batch.PackedRow(b, 0);
                    packed.Slice(first * width, width).CopyTo(pooled.Slice(b * width, width));
                    argmax.Slice(b * width, width).Fill(first);
                }
                for (int t = 1; t < batch.MaxLength; t++)
                    for (int r = 0; r < batch.StepBatchSizes[t]; r++)
                    {
                        int b = batch.SortedToOriginal[r], row = batch.StepOffsets[t] + r;
                        var x = packed.Slice(row * width, width);
                        var best = pooled.Slice(b * width, width);
                        var at = argmax.Slice(b * width, width);
                        for (int j = 0; j < width; j++)
                            if (x[j] > best[j]) { best[j] = x[j]; at[j] = row; }
                    }
                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown pooling.");
        }
    }

    /// <summary>The packed row holding direction <paramref name="direction"/>'s final state of sequence <paramref name="b"/>: the last real step forward, step 0 in reverse.</summary>
    private static int FinalStateRow(SequenceBatch batch, int b, int direction) =>
        batch.PackedRow(b, direction == 0 ? batch.Lengths[b] - 1 : 0);

    /// <summary>
    /// Backward: overwrites <paramref name="dPacked"/> [N × W] with the gradient of the packed outputs
    /// (zero wherever the pooling did not read). Last: dPooled lands on the rows read. Mean: dPooled / length
    /// on every row. Max: dPooled on the recorded argmax rows.
    /// </summary>
    public static void Backward(LstmPooling kind, SequenceBatch batch, ReadOnlySpan<float> dPooled, int width, int directions,
        ReadOnlySpan<int> argmax, Span<float> dPacked, SimdPath path)
    {
        int B = batch.BatchSize;
        dPacked.Slice(0, batch.TotalSteps * width).Clear();
        switch (kind)
        {
            case LstmPooling.Last:
                int h = width / directions;
                for (int b = 0; b < B; b++)
                    for (int d = 0; d < directions; d++)
                    {
                        int row = FinalStateRow(batch, b, d);
                        dPooled.Slice(b * width + d * h, h).CopyTo(dPacked.Slice(row * width + d * h, h));
                    }
                break;

            case LstmPooling.Mean:
                for (int t = 0; t < batch.MaxLength; t++)
                    for (int r = 0; r < batch.StepBatchSizes[t]; r++)
                    {
                        int b = batch.SortedToOriginal[r];
                        ElementwiseOps.AddScaled(path, 1f / batch.Lengths[b], dPooled.Slice(b * width, width),
                            dPacked.Slice((batch.StepOffsets[t] + r) * width, width));
                    }
                break;

            case LstmPooling.Max:
                // Each packed row belongs to one sequence, so every (row, j) receives at most one value.
                for (int b = 0; b < B; b++)
                    for (int j = 0; j < width; j++)
                        dPacked[argmax[b * width + j] * width + j] = dPooled[b * width + j];
                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown pooling.");
        }
    }
}
