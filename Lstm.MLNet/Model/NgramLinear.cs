using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Model;

/// <summary>
/// The "wide" half of a wide-and-deep text classifier: a linear model over each sequence's bag of token n-grams
/// (n = 1 … <see cref="MaxNgramLength"/>), added to the deep network's logits. Unigrams use the token id itself;
/// longer n-grams are hashed into the same table of <see cref="Buckets"/> rows (a collision merely shares a row).
/// Each bag is L2-normalised (every n-gram weighs 1/√count), as ML.NET's <c>FeaturizeText</c> normalises its n-gram
/// vector, so the network starts from what a linear bag-of-n-grams model knows and the LSTM learns the rest.
/// <para>A sequence may come with a second bag: sub-word hashes (the text layer's character n-grams,
/// <c>Text.CharNgramHasher</c>), each at row <c>(uint)hash % Buckets</c> of the same table, normalised on its own
/// (every hash weighs 1/√count), so the word bag and the sub-word bag each enter as a unit vector.</para>
/// <para>The table [Buckets × C] starts at zero and its gradient is row-sparse (a batch touches only its n-grams'
/// rows). Keeps the last forward's bags between calls: not thread-safe.</para>
/// </summary>
internal sealed class NgramLinear
{
    private readonly Embedding _table; // [Buckets × C]
    private int[] _rows = [];          // [total n-grams of the batch]: the table row of each n-gram, sequence by sequence
    private int[] _bagStarts = [];     // [B + 1]: sequence b's n-grams are _rows[_bagStarts[b] .. _bagStarts[b + 1])
    private int[] _subwordStarts = []; // [B]: sequence b's sub-word rows are _rows[_subwordStarts[b] .. _bagStarts[b + 1])
    private float[] _bagScales = [];   // [B]: 1/√(n-grams of sequence b)
    private float[] _subwordScales = []; // [B]: 1/√(sub-word hashes of sequence b)
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

    /// <summary>Adds each sequence's bag-of-n-grams logits into <paramref name="logits"/> [B × C] (no sub-word bags).</summary>
    public void Forward(ReadOnlySpan<int[]> sequences, Span<float> logits) => Forward(sequences, default, logits);

    /// <summary>
    /// Adds each sequence's bag-of-n-grams logits into <paramref name="logits"/> [B × C] (sequences in the caller's order),
    /// and, when <paramref name="subwords"/> is not empty ([B]: one array of hashes per sequence), its sub-word bag's.
    /// </summary>
    public void Forward(ReadOnlySpan<int[]> sequences, ReadOnlySpan<int[]> subwords, Span<float> logits)
    {
        int B = sequences.Length, C = Classes;
        if (!subwords.IsEmpty && subwords.Length != B)
            throw new ArgumentException($"{B} sequences but {subwords.Length} sub-word bags.", nameof(subwords));
        long total = 0;
        foreach (var tokens in sequences) total += (long)tokens.Length * MaxNgramLength;
        foreach (var hashes in subwords) total += hashes.Length;
        var rows = NetworkSupport.Grow(ref _rows, checked((int)total));
        var starts = NetworkSupport.Grow(ref _bagStarts, B + 1);
        var subwordStarts = NetworkSupport.Grow(ref _subwordStarts, B);
        var scales = NetworkSupport.Grow(ref _bagScales, B);
        var subwordScales = NetworkSupport.Grow(ref _subwordScales, B);
        _batchSize = B;
        int n = 0;
        for (int b = 0; b < B; b++)
        {
            starts[b] = n;
            int count = AddBag(sequences[b], subwords.IsEmpty ? default : subwords[b], rows[n..], logits.Slice(b * C, C),
                out int words, out scales[b], out subwordScales[b]);
            subwordStarts[b] = n + words;
            n += count;
        }
        starts[B] = n;
    }

    /// <summary>
    /// Adds one sequence's bag logits (and its sub-word bag's) into <paramref name="logits"/> [C]: the batch-1 path, the
    /// same sums in the same order as <see cref="Forward(ReadOnlySpan{int[]}, ReadOnlySpan{int[]}, Span{float})"/>, over
    /// spans and keeping nothing for <see cref="Backward"/> (inference only).
    /// </summary>
    public void ForwardSingle(ReadOnlySpan<int> tokens, ReadOnlySpan<int> subwords, Span<float> logits)
    {
        var rows = NetworkSupport.Grow(ref _rows, checked(tokens.Length * MaxNgramLength + subwords.Length));
        AddBag(tokens, subwords, rows, logits.Slice(0, Classes), out _, out _, out _);
    }

    /// <summary>
    /// One sequence's bags: its word n-gram rows, then its sub-word rows, written into <paramref name="rows"/>, each bag's
    /// rows added into <paramref name="z"/> [C] scaled by 1/√(its size). Returns how many rows were written.
    /// </summary>
    private int AddBag(ReadOnlySpan<int> tokens, ReadOnlySpan<int> subwords, Span<int> rows, Span<float> z,
        out int words, out float wordScale, out float subwordScale)
    {
        words = CollectRows(tokens, rows);
        uint buckets = (uint)Buckets;
        for (int i = 0; i < subwords.Length; i++) rows[words + i] = (int)((uint)subwords[i] % buckets);
        wordScale = InverseSqrt(words);
        subwordScale = InverseSqrt(subwords.Length);
        AddRows(rows[..words], wordScale, z);
        AddRows(rows.Slice(words, subwords.Length), subwordScale, z);
        return words + subwords.Length;
    }

    private static float InverseSqrt(int count) => count == 0 ? 0f : 1f / MathF.Sqrt(count);

    private void AddRows(ReadOnlySpan<int> rows, float scale, Span<float> z)
    {
        int C = z.Length;
        foreach (int r in rows)
        {
            var row = _table.Weight.AsSpan(r * C, C);
            for (int c = 0; c < C; c++) z[c] += scale * row[c];
        }
    }

    /// <summary>Adds the gradient of the last forward's bags from dLoss/dLogits [B × C] into <see cref="Gradient"/>.</summary>
    public void Backward(ReadOnlySpan<float> dLogits)
    {
        int C = Classes;
        var rowGradient = NetworkSupport.Grow(ref _rowGradient, C);
        for (int b = 0; b < _batchSize; b++)
        {
            var dz = dLogits.Slice(b * C, C);
            AddGradient(_bagStarts[b], _subwordStarts[b], _bagScales[b], dz, rowGradient);
            AddGradient(_subwordStarts[b], _bagStarts[b + 1], _subwordScales[b], dz, rowGradient);
        }
    }

    private void AddGradient(int from, int to, float scale, ReadOnlySpan<float> dz, Span<float> rowGradient)
    {
        if (from == to) return;
        for (int c = 0; c < dz.Length; c++) rowGradient[c] = scale * dz[c];
        for (int i = from; i < to; i++) _table.Gradient.Add(_rows[i], rowGradient);
    }

    /// <summary>
    /// Writes the table rows of <paramref name="tokens"/>' n-grams into <paramref name="rows"/>; returns how many.
    /// <paramref name="covered"/>, when not empty, receives each entry's tokens (first, count), for explanations.
    /// </summary>
    private int CollectRows(ReadOnlySpan<int> tokens, Span<int> rows, Span<(int First, int Count)> covered = default)
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
    /// <paramref name="direction"/> · logits (<paramref name="direction"/> [C]). The path scales both bags by α from the
    /// empty bags to <paramref name="tokens"/>' bags; the logits are linear in the bags, so the gradient is the same at every
    /// α and each entry's attribution is exact: its bag weight × (its table row · direction). A word n-gram is shared
    /// equally by the tokens it covers; a sub-word hash (<paramref name="subwords"/>, sequence order) belongs to the token
    /// <paramref name="subwordOwners"/> names. Added into <paramref name="tokenAttributions"/> [T]. Returns the sum:
    /// direction · (the bags' logits).
    /// </summary>
    public double AttributeToTokens(int[] tokens, ReadOnlySpan<int> subwords, ReadOnlySpan<int> subwordOwners, ReadOnlySpan<float> direction, Span<float> tokenAttributions)
    {
        int C = Classes;
        if (direction.Length != C) throw new ArgumentException($"The direction has {direction.Length} values; the table has {C} classes.", nameof(direction));
        if (tokenAttributions.Length != tokens.Length)
            throw new ArgumentException($"{tokenAttributions.Length} attributions for {tokens.Length} tokens.", nameof(tokenAttributions));
        if (subwordOwners.Length != subwords.Length)
            throw new ArgumentException($"{subwordOwners.Length} owners for {subwords.Length} sub-word hashes.", nameof(subwordOwners));
        var rows = new int[tokens.Length * MaxNgramLength];
        var covered = new (int First, int Count)[rows.Length];
        int entries = CollectRows(tokens, rows, covered);
        double total = 0;
        float weight = InverseSqrt(entries);
        for (int i = 0; i < entries; i++)
        {
            var (first, count) = covered[i];
            if (count < 1) throw new InvalidOperationException($"Bag entry {i} records no token it covers: every kind of entry CollectRows adds must say which tokens it comes from.");
            double score = weight * RowScore(rows[i], direction);
            total += score;
            for (int t = first; t < first + count; t++) tokenAttributions[t] += (float)(score / count);
        }
        float subwordWeight = InverseSqrt(subwords.Length);
        for (int i = 0; i < subwords.Length; i++)
        {
            int owner = subwordOwners[i];
            if ((uint)owner >= (uint)tokens.Length)
                throw new ArgumentOutOfRangeException(nameof(subwordOwners), owner, $"Sub-word hash {i} names token {owner} of {tokens.Length}.");
            double score = subwordWeight * RowScore((int)((uint)subwords[i] % (uint)Buckets), direction);
            total += score;
            tokenAttributions[owner] += (float)score;
        }
        return total;
    }

    private double RowScore(int row, ReadOnlySpan<float> direction)
    {
        int C = Classes;
        var weights = _table.Weight.AsSpan(row * C, C);
        double score = 0;
        for (int c = 0; c < C; c++) score += (double)direction[c] * weights[c];
        return score;
    }

    // SplitMix64's finaliser: every input bit moves every output bit, so neighbouring ids spread over the table.
    private static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
