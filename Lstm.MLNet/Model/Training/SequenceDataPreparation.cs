namespace Lstm.MLNet.Model.Training;

/// <summary>Data preparation shared by training and prediction, so both treat sequences the same way.</summary>
internal static class SequenceDataPreparation
{
    /// <summary>
    /// Splits <paramref name="count"/> examples into training and validation indices: a seeded shuffle, then
    /// the first round(count·fraction) indices (at least 1 when the fraction is positive) validate. Both lists
    /// come back ascending (the data's order). Throws when no training example would be left.
    /// </summary>
    public static (int[] Train, int[] Validation) SplitForValidation(int count, double fraction, int seed)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "Must be non-negative.");
        if (!(fraction >= 0 && fraction < 1)) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "Must be in [0, 1).");
        if (fraction == 0) return (Enumerable.Range(0, count).ToArray(), []);
        int validationCount = Math.Max(1, (int)Math.Round(count * fraction));
        if (validationCount >= count)
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction,
                $"A validation fraction of {fraction} leaves no training example out of {count}; use more data or a smaller fraction.");
        var order = Enumerable.Range(0, count).ToArray();
        // A stream distinct from the epoch shuffles seeded with the same seed.
        SequenceTrainer.Shuffle(order, new Random(unchecked(seed * 7919 + 101)));
        var validation = order[..validationCount];
        var train = order[validationCount..];
        Array.Sort(validation);
        Array.Sort(train);
        return (train, validation);
    }

    /// <summary>
    /// The first <paramref name="maxLength"/> tokens of <paramref name="tokens"/>, order kept (the same array
    /// when it is short enough); maxLength 0 keeps everything.
    /// </summary>
    public static int[] Truncate(int[] tokens, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (maxLength < 0) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "Must be 0 (no limit) or positive.");
        return maxLength == 0 || tokens.Length <= maxLength ? tokens : tokens[..maxLength];
    }
}
