using System.Text;

namespace Lstm.MLNet.Text;

/// <summary>
/// Sub-word evidence for the wide path: the character n-grams of each token, fastText-style, with word-boundary
/// markers (the token "gorgeous" is read as "&lt;gorgeous&gt;", so "&lt;go" marks a prefix and "us&gt;" a suffix), of every
/// length from <see cref="MinLength"/> to <see cref="MaxLength"/>. Each n-gram STRING is hashed with MurmurHash3 x86_32
/// over its UTF-8 bytes, seed <see cref="Seed"/> (what ONNX Runtime's <c>com.microsoft.MurmurHash3</c> operator computes
/// on a string tensor with <c>positive = 1</c>), and the wide path's table row is <c>hash % buckets</c>. A token never
/// seen in training still shares its n-grams with the words it resembles ("gorgeously", "gorgeous").
/// <para>Characters are UTF-16 code units of the tokenizer's lower-cased piece; a lone surrogate encodes as U+FFFD.
/// Immutable: thread-safe.</para>
/// </summary>
internal sealed class CharNgramHasher
{
    /// <summary>The MurmurHash3 seed of every character n-gram.</summary>
    public const uint Seed = 0;
    /// <summary>The shortest n-gram.</summary>
    public const int MinLength = 2;
    /// <summary>The longest n-gram a model may ask for.</summary>
    public const int MaxSupportedLength = 5;
    private const char WordStart = '<', WordEnd = '>';

    /// <param name="maxLength">The longest n-gram, in [<see cref="MinLength"/>, <see cref="MaxSupportedLength"/>].</param>
    public CharNgramHasher(int maxLength)
    {
        if (maxLength is < MinLength or > MaxSupportedLength)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"Must be in [{MinLength}, {MaxSupportedLength}].");
        MaxLength = maxLength;
    }

    public int MaxLength { get; }

    /// <summary>Appends the hashes of <paramref name="token"/>'s n-grams (lengths MinLength … MaxLength of "&lt;token&gt;") to <paramref name="hashes"/>.</summary>
    public void AddHashes(ReadOnlySpan<char> token, List<int> hashes)
    {
        int length = token.Length + 2;
        Span<char> marked = length <= 256 ? stackalloc char[length] : new char[length];
        marked[0] = WordStart;
        token.CopyTo(marked[1..]);
        marked[^1] = WordEnd;
        for (int n = MinLength; n <= MaxLength && n <= length; n++)
            for (int start = 0; start + n <= length; start++)
                hashes.Add(unchecked((int)Hash(marked.Slice(start, n))));
    }

    /// <summary>The hash of one n-gram string (its UTF-8 bytes).</summary>
    public static uint Hash(ReadOnlySpan<char> ngram)
    {
        // n ≤ MaxSupportedLength UTF-16 units: at most 3 UTF-8 bytes each (a surrogate pair takes 4 for 2 units); sized
        // for GetMaxByteCount, which reserves a unit more, so an n-gram of the longest length does not allocate.
        Span<byte> utf8 = stackalloc byte[(MaxSupportedLength + 1) * 3];
        int most = Encoding.UTF8.GetMaxByteCount(ngram.Length);
        if (most > utf8.Length) utf8 = new byte[most];
        int bytes = Encoding.UTF8.GetBytes(ngram, utf8);
        return MurmurHash3.Hash32(utf8[..bytes], Seed);
    }
}
