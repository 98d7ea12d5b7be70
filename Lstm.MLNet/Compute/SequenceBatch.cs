namespace Lstm.MLNet.Compute;

/// <summary>
/// The layout of a ragged batch, as PyTorch's PackedSequence: sequences sorted by length (longest
/// first, ties by index, so the order is deterministic), and the rows of every time step stored
/// together. At step t the active sequences are the first <c>StepBatchSizes[t]</c> sorted rows, so
/// no state or gradient ever touches padding and no work is spent on it. A packed tensor has
/// <see cref="TotalSteps"/> rows; the row of sorted sequence r at step t is <c>StepOffsets[t] + r</c>.
/// </summary>
public sealed class SequenceBatch
{
    private readonly int[] _lengths, _sortedToOriginal, _originalToSorted, _stepBatchSizes, _stepOffsets;

    private SequenceBatch(int[] lengths)
    {
        _lengths = lengths;
        BatchSize = lengths.Length;
        _sortedToOriginal = Enumerable.Range(0, BatchSize).OrderByDescending(i => lengths[i]).ThenBy(i => i).ToArray();
        _originalToSorted = new int[BatchSize];
        for (int r = 0; r < BatchSize; r++) _originalToSorted[_sortedToOriginal[r]] = r;
        MaxLength = BatchSize == 0 ? 0 : lengths.Max();
        _stepBatchSizes = new int[MaxLength];
        _stepOffsets = new int[MaxLength + 1];
        for (int t = 0; t < MaxLength; t++)
        {
            int active = 0;
            while (active < BatchSize && lengths[_sortedToOriginal[active]] > t) active++;
            _stepBatchSizes[t] = active;
            _stepOffsets[t + 1] = _stepOffsets[t] + active;
        }
        TotalSteps = _stepOffsets[MaxLength];
    }

    /// <summary>A batch whose sequence i has <c>lengths[i]</c> steps (each at least 1).</summary>
    public static SequenceBatch FromLengths(ReadOnlySpan<int> lengths)
    {
        if (lengths.Length == 0) throw new ArgumentException("A batch needs at least one sequence.", nameof(lengths));
        for (int i = 0; i < lengths.Length; i++)
            if (lengths[i] < 1)
                throw new ArgumentOutOfRangeException(nameof(lengths), $"Sequence {i} has length {lengths[i]}; every sequence needs at least one step.");
        return new SequenceBatch(lengths.ToArray());
    }

    /// <summary>A batch of <paramref name="batchSize"/> sequences all <paramref name="length"/> steps long.</summary>
    public static SequenceBatch Uniform(int batchSize, int length) =>
        FromLengths(Enumerable.Repeat(length, batchSize).ToArray());

    /// <summary>Number of sequences (B).</summary>
    public int BatchSize { get; }
    /// <summary>Length of the longest sequence (T).</summary>
    public int MaxLength { get; }
    /// <summary>Sum of the lengths: the rows of a packed tensor.</summary>
    public int TotalSteps { get; }
    /// <summary>Each sequence's length, in the caller's order.</summary>
    public ReadOnlySpan<int> Lengths => _lengths;
    /// <summary>Active sequences at each step (non-increasing).</summary>
    public ReadOnlySpan<int> StepBatchSizes => _stepBatchSizes;
    /// <summary>First packed row of each step; element T is <see cref="TotalSteps"/>.</summary>
    public ReadOnlySpan<int> StepOffsets => _stepOffsets;
    /// <summary>Caller's index of each sorted row.</summary>
    public ReadOnlySpan<int> SortedToOriginal => _sortedToOriginal;
    /// <summary>Sorted row of each caller's index.</summary>
    public ReadOnlySpan<int> OriginalToSorted => _originalToSorted;

    /// <summary>The packed row holding step <paramref name="step"/> of sequence <paramref name="sequence"/> (caller's index).</summary>
    public int PackedRow(int sequence, int step)
    {
        if ((uint)step >= (uint)_lengths[sequence])
            throw new ArgumentOutOfRangeException(nameof(step), $"Sequence {sequence} has {_lengths[sequence]} steps; step {step} does not exist.");
        return _stepOffsets[step] + _originalToSorted[sequence];
    }

    /// <summary>Packs a batch-first padded tensor [B, T, features] (T ≥ <see cref="MaxLength"/>) into [TotalSteps, features].</summary>
    public void PackPadded(ReadOnlySpan<float> padded, int paddedLength, int features, Span<float> packed)
    {
        CheckPadded(padded.Length, paddedLength, features, packed.Length);
        for (int t = 0; t < MaxLength; t++)
            for (int r = 0; r < _stepBatchSizes[t]; r++)
                padded.Slice((_sortedToOriginal[r] * paddedLength + t) * features, features)
                      .CopyTo(packed.Slice((_stepOffsets[t] + r) * features, features));
    }

    /// <summary>Unpacks [TotalSteps, features] into a batch-first padded tensor [B, T, features], zero past each length.</summary>
    public void UnpackToPadded(ReadOnlySpan<float> packed, int paddedLength, int features, Span<float> padded)
    {
        CheckPadded(padded.Length, paddedLength, features, packed.Length);
        padded.Slice(0, BatchSize * paddedLength * features).Clear();
        for (int t = 0; t < MaxLength; t++)
            for (int r = 0; r < _stepBatchSizes[t]; r++)
                packed.Slice((_stepOffsets[t] + r) * features, features)
                      .CopyTo(padded.Slice((_sortedToOriginal[r] * paddedLength + t) * features, features));
    }

    private void CheckPadded(int paddedCount, int paddedLength, int features, int packedCount)
    {
        if (paddedLength < MaxLength)
            throw new ArgumentOutOfRangeException(nameof(paddedLength), $"Padded length {paddedLength} is shorter than the longest sequence ({MaxLength}).");
        if (paddedCount < BatchSize * paddedLength * features)
            throw new ArgumentException($"The padded tensor holds {paddedCount} floats; [{BatchSize}, {paddedLength}, {features}] needs {BatchSize * paddedLength * features}.");
        if (packedCount < TotalSteps * features)
            throw new ArgumentException($"The packed tensor holds {packedCount} floats; [{TotalSteps}, {features}] needs {TotalSteps * features}.");
    }
}
