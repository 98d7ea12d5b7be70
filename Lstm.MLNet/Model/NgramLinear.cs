using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Model;

/// <summary>
/// The "wide" half of a wide-and-deep text classifier: a linear model over each sequence's bag of token n-grams
/// (n = 1 … <see cref="MaxNgramLength"/>), added to the deep network's logits. Unigrams use the token id itself;
/// longer n-grams are hashed into the same table of <see cref="Buckets"/> rows (a collision merely shares a row).
/// Each bag is L2-normalised (every n-gram weighs 1/√count), as ML.NET's <c>FeaturizeText</c> normalises its n-gram
/// vector, so the network starts from what a linear bag-of-n-grams model knows and the LSTM learns the rest.
/// <para>The table [Buckets × C] starts at zero and its gradient is row-sparse (a batch touches only its n-grams'
/// rows). Keeps the last forward's bags between calls: not thread-safe.</para>
/// </summary>
internal sealed class NgramLinear
{
    private readonly Embedding _table; // [Buckets × C]
    private int[] _rows = [];          // [total n-grams of the batch]: the table row of each n-gram, sequence by sequence
    private int[] _bagStarts = [];     // [B + 1]: sequence b's n-grams are _rows[_bagStarts[b] .. _bagStarts[b + 1])
    private float[] _bagScales = [];   // [B]: 1/√(n-grams of sequence b)
    private float[] _rowGradient = []; // [C]
    private int _batchSize;

    public NgramLinear(int buckets, int maxNgramLength, int classes, ComputeContext context)
        : this(buckets, maxNgramLength, classes, new float[checked(buckets * classes)], context)
    {
    }

    /// <summary>A layer over <paramref name="sharedWeight"/> [Buckets × C], used as is: inference views share the trained table.</summary>
    public NgramLinear(int buckets, int maxNgramLength, int classes, float[] sharedWeight, ComputeContext context)
    {
        if (maxNgramLength is < 1 or > MaxSupportedNgramLength)
            throw new ArgumentOutOfRangeException(nameof(maxNgramLength), maxNgramLength, $"Must be in [1, {MaxSupportedNgramLength}].");
        MaxNgramLength = maxNgramLength;
        _table = new Embedding(buckets, classes, sharedWeight, context);
    }

    /// <summary>The longest n-gram the bags hold.</summary>
    public const int MaxSupportedNgramLength = 3;

    public int Buckets => _table.VocabularySize;
    public int Classes => _table.EmbeddingSize;
    public int MaxNgramLength { get; }
    /// <summary>[Buckets × C]</summary>
    public float[] Weight => _table.Weight;
    public SparseRowGradient Gradient => _table.Gradient;

    /// <summary>Adds each sequence's bag-of-n-grams logits into <paramref name="logits"/> [B × C] (sequences in the caller's order).</summary>
    public void Forward(ReadOnlySpan<int[]> sequences, Span<float> logits)
    {
        int B = sequences.Length, C = Classes;
        long total = 0;
        foreach (var tokens in sequences) total += (long)tokens.Length * MaxNgramLength;
        var rows = NetworkSupport.Grow(ref _rows, checked((int)total));
        var starts = NetworkSupport.Grow(ref _bagStarts, B + 1);
        var scales = NetworkSupport.Grow(ref _bagScales, B);
        _batchSize = B;
        int n = 0;
        for (int b = 0; b < B; b++)
        {
            starts[b] = n;
            n += CollectRows(sequences[b], rows[n..]);
            int count = n - starts[b];
            scales[b] = BagWeight(count);
            var z = logits.Slice(b * C, C);
            for (int i = starts[b]; i < n; i++)
            {
                var row = _table.Weight.AsSpan(rows[i] * C, C);
                for (int c = 0; c < C; c++) z[c] += scales[b] * row[c];
            }
        }
        starts[B] = n;
    }

    /// <summary>Adds the gradient of the last forward's bags from dLoss/dLogits [B × C] into <see cref="Gradient"/>.</summary>
    public void Backward(ReadOnlySpan<float> dLogits)
    {
        int C = Classes;
        var rowGradient = NetworkSupport.Grow(ref _rowGradient, C);
        for (int b = 0; b < _batchSize; b++)
        {
            for (int c = 0; c < C; c++) rowGradient[c] = _bagScales[b] * dLogits[b * C + c];
            for (int i = _bagStarts[b]; i < _bagStarts[b + 1]; i++) _table.Gradient.Add(_rows[i], rowGradient);
        }
    }

    /// <summary>The weight of each entry of a bag of <paramref name="count"/> entries: 1/√count (an empty bag weighs nothing).</summary>
    private static float BagWeight(int count) => count == 0 ? 0f : 1f / MathF.Sqrt(count);

    /// <summary>
    /// Writes the table rows of <paramref name="tokens"/>' n-grams into <paramref name="rows"/>; returns how many.
    /// <paramref name="covered"/>, when not empty, receives each entry's tokens (first, count), for explanations.
    /// </summary>
    private int CollectRows(int[] tokens, Span<int> rows, Span<(int First, int Count)> covered = default)
    {
        uint buckets = (uint)Buckets;
        int n = 0;
        for (int t = 0; t < tokens.Length; t++)
        {
            if (!covered.IsEmpty) covered[n] = (t, 1);
            rows[n++] = (int)((uint)tokens[t] % buckets);
            ulong hash = Mix((uint)tokens[t]);
            for (int length = 2; length <= MaxNgramLength && t + length <= tokens.Length; length++)
            {
                hash = Mix(hash ^ (uint)tokens[t + length - 1]);
                if (!covered.IsEmpty) covered[n] = (t, length);
                rows[n++] = (int)(hash % buckets);
            }
        }
        return n;
    }

    /// <summary>
    /// The wide path's share of an integrated-gradients explanation of one sequence, for the score
    /// <paramref name="direction"/> · logits (<paramref name="direction"/> [C]). The path scales the whole bag by α from the
    /// empty bag to <paramref name="tokens"/>' bag; the logits are linear in the bag, so the gradient is the same at every α
    /// and each entry's attribution is exact: its bag weight × (its table row · direction). An entry is shared equally by
    /// the tokens it covers, added into <paramref name="tokenAttributions"/> [T]. Returns the sum: direction · (the bag's logits).
    /// </summary>
    public double AttributeToTokens(int[] tokens, ReadOnlySpan<float> direction, Span<float> tokenAttributions)
    {
        int C = Classes;
        if (direction.Length != C) throw new ArgumentException($"The direction has {direction.Length} values; the table has {C} classes.", nameof(direction));
        if (tokenAttributions.Length != tokens.Length)
            throw new ArgumentException($"{tokenAttributions.Length} attributions for {tokens.Length} tokens.", nameof(tokenAttributions));
        var rows = new int[tokens.Length * MaxNgramLength];
        var covered = new (int First, int Count)[rows.Length];
        int entries = CollectRows(tokens, rows, covered);
        float weight = BagWeight(entries);
        double total = 0;
        for (int i = 0; i < entries; i++)
        {
            var row = _table.Weight.AsSpan(rows[i] * C, C);
            double score = 0;
            for (int c = 0; c < C; c++) score += (double)direction[c] * row[c];
            score *= weight;
            total += score;
            var (first, count) = covered[i];
            if (count < 1) throw new InvalidOperationException($"Bag entry {i} records no token it covers: every kind of entry CollectRows adds must say which tokens it comes from.");
            for (int t = first; t < first + count; t++) tokenAttributions[t] += (float)(score / count);
        }
        return total;
    }

    // SplitMix64's finaliser: every input bit moves every output bit, so neighbouring ids spread over the table.
    private static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
