using System.Buffers;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Lstm.MLNet.Text;

/// <summary>
/// A word-level <see cref="Tokenizer"/> with a vocabulary learned from training texts: lower-cases
/// (<see cref="LowerCaseNormalizer"/>), splits into words and single punctuation marks
/// (<see cref="PreTokenizer.CreateWordOrPunctuation"/>, i.e. <c>\w+|\p{P}</c>), and maps each piece to its id.
/// Id <see cref="PaddingId"/> = 0 is padding (what an empty text reads as), id <see cref="UnknownId"/> = 1
/// every piece outside the vocabulary; learned tokens follow from id 2 in order of decreasing training
/// frequency, ties in ordinal order, so the same texts always give the same ids.
/// <para>Thread-safe: the vocabulary never changes after construction.</para>
/// </summary>
public sealed partial class WordTokenizer : Tokenizer
{
    /// <summary>The id of padding (and of an empty text).</summary>
    public const int PaddingId = 0;
    /// <summary>The id of a token outside the vocabulary.</summary>
    public const int UnknownId = 1;
    /// <summary>The vocabulary entry of <see cref="PaddingId"/>.</summary>
    public const string PaddingToken = "<pad>";
    /// <summary>The vocabulary entry of <see cref="UnknownId"/>.</summary>
    public const string UnknownToken = "<unk>";
    /// <summary>Ids 0 and 1 are reserved (padding and unknown).</summary>
    public const int ReservedIds = 2;

    private static readonly PreTokenizer WordOrPunctuation = PreTokenizer.CreateWordOrPunctuation();

    private readonly string[] _tokens;  // id → token
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spanLookup;

    private WordTokenizer(string[] tokens)
    {
        _tokens = tokens;
        _ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int id = ReservedIds; id < tokens.Length; id++)
            if (!_ids.TryAdd(tokens[id], id))
                throw new ArgumentException($"Token '{tokens[id]}' appears twice in the vocabulary (ids {_ids[tokens[id]]} and {id}).", nameof(tokens));
        _spanLookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>
    /// Learns a vocabulary from <paramref name="texts"/> (null or blank texts are ignored): the pieces seen at
    /// least <paramref name="minTokenFrequency"/> times, the most frequent first, at most
    /// <paramref name="maxVocabularySize"/> ids in all (the 2 reserved ids included).
    /// </summary>
    public static WordTokenizer Train(IEnumerable<string?> texts, int maxVocabularySize = 20_000, int minTokenFrequency = 1)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (maxVocabularySize < ReservedIds + 1)
            throw new ArgumentOutOfRangeException(nameof(maxVocabularySize), maxVocabularySize, $"Must be at least {ReservedIds + 1} (ids 0 and 1 are reserved).");
        if (minTokenFrequency < 1) throw new ArgumentOutOfRangeException(nameof(minTokenFrequency), minTokenFrequency, "Must be at least 1.");

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var text in texts)
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            string normalized = LowerCaseNormalizer.Instance.Normalize(text);
            foreach (var (offset, length) in WordOrPunctuation.PreTokenize(normalized))
            {
                var piece = normalized.AsSpan(offset, length);
                if (lookup.TryGetValue(piece, out int count)) lookup[piece] = count + 1;
                else lookup[piece] = 1;
            }
        }
        var learned = counts.Where(kv => kv.Value >= minTokenFrequency)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(maxVocabularySize - ReservedIds).Select(kv => kv.Key);
        return new WordTokenizer([PaddingToken, UnknownToken, .. learned]);
    }

    /// <summary>A tokenizer over a saved vocabulary: <paramref name="vocabulary"/>[id] is the token of id (ids 0 and 1 the reserved tokens).</summary>
    public static WordTokenizer FromVocabulary(IReadOnlyList<string> vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Count < ReservedIds || vocabulary[PaddingId] != PaddingToken || vocabulary[UnknownId] != UnknownToken)
            throw new ArgumentException($"A vocabulary starts with '{PaddingToken}' (id 0) and '{UnknownToken}' (id 1).", nameof(vocabulary));
        for (int id = ReservedIds; id < vocabulary.Count; id++)
            if (string.IsNullOrEmpty(vocabulary[id]))
                throw new ArgumentException($"Vocabulary entry {id} is empty.", nameof(vocabulary));
        return new WordTokenizer([.. vocabulary]);
    }

    /// <summary>
    /// This vocabulary followed by those of <paramref name="tokens"/> it lacks that this tokenizer can produce (one
    /// lower-case piece each): the existing ids keep their tokens.
    /// </summary>
    internal WordTokenizer WithTokens(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var added = tokens.Where(token => IsPiece(token) && !_ids.ContainsKey(token)).Distinct(StringComparer.Ordinal);
        return new WordTokenizer([.. _tokens, .. added]);
    }

    /// <summary>Whether <paramref name="token"/> is what this tokenizer makes of it: lower-case and a single piece.</summary>
    internal static bool IsPiece(string token)
    {
        if (string.IsNullOrEmpty(token) || LowerCaseNormalizer.Instance.Normalize(token) != token) return false;
        using var pieces = WordOrPunctuation.PreTokenize(token).GetEnumerator();
        return pieces.MoveNext() && pieces.Current == (0, token.Length) && !pieces.MoveNext();
    }

    /// <summary>Number of ids, the reserved ones included.</summary>
    public int VocabularySize => _tokens.Length;

    /// <summary>The token of each id (index = id).</summary>
    public IReadOnlyList<string> Vocabulary => _tokens;

    /// <summary>Splits words and punctuation.</summary>
    public override PreTokenizer PreTokenizer => WordOrPunctuation;

    /// <summary>Lower-cases the text.</summary>
    public override Normalizer Normalizer => LowerCaseNormalizer.Instance;

    /// <summary>The id of <paramref name="token"/> (already lower-case), or <see cref="UnknownId"/>.</summary>
    public int IdOf(ReadOnlySpan<char> token) => _spanLookup.TryGetValue(token, out int id) ? id : UnknownId;

    /// <summary>
    /// The ids of <paramref name="text"/>'s first <paramref name="maxTokens"/> pieces (0 = all), in order; an
    /// empty array for null, empty or blank text. The fast path used in training and prediction.
    /// </summary>
    public int[] Encode(string? text, int maxTokens = 0) => Encode(text, maxTokens, charNgrams: null, out _);

    /// <summary>
    /// <see cref="Encode(string?, int)"/>, and the hashes of the same pieces' character n-grams in
    /// <paramref name="subwords"/> (every piece's, in or out of the vocabulary; empty when <paramref name="charNgrams"/> is null).
    /// <paramref name="subwordOwners"/>, when given, receives each hash's piece (its index in the returned ids), for explanations.
    /// </summary>
    internal int[] Encode(string? text, int maxTokens, CharNgramHasher? charNgrams, out int[] subwords, List<int>? subwordOwners = null)
    {
        if (maxTokens < 0) throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "Must be 0 (no limit) or positive.");
        subwords = [];
        if (string.IsNullOrWhiteSpace(text)) return [];
        string normalized = LowerCaseNormalizer.Instance.Normalize(text);
        var ids = new List<int>();
        var hashes = charNgrams is null ? null : new List<int>();
        foreach (var (offset, length) in WordOrPunctuation.PreTokenize(normalized))
        {
            var piece = normalized.AsSpan(offset, length);
            ids.Add(IdOf(piece));
            if (charNgrams is not null)
            {
                int before = hashes!.Count;
                charNgrams.AddHashes(piece, hashes);
                for (int h = before; h < hashes.Count; h++) subwordOwners?.Add(ids.Count - 1);
            }
            if (ids.Count == maxTokens) break;
        }
        if (hashes is not null) subwords = hashes.ToArray();
        return ids.ToArray();
    }

    /// <summary>
    /// <see cref="Encode(string?, int)"/> over a span, for serving: the ids go into <paramref name="ids"/> (cleared first),
    /// the lower-cased copy into a pooled buffer, and the pieces come from a source-generated form of the same pattern, so
    /// a steady stream of texts allocates nothing once the list has grown to the longest. The same ids as
    /// <see cref="Encode(string?, int)"/> (<c>WordTokenizerSpanTests</c> compares them on real texts). With
    /// <paramref name="charNgrams"/>, the pieces' character n-gram hashes go into <paramref name="subwords"/> (cleared first),
    /// as <see cref="Encode(string?, int, CharNgramHasher?, out int[], List{int}?)"/> gives them.
    /// </summary>
    internal void EncodeInto(ReadOnlySpan<char> text, int maxTokens, List<int> ids, CharNgramHasher? charNgrams = null, List<int>? subwords = null)
    {
        if (maxTokens < 0) throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "Must be 0 (no limit) or positive.");
        if (charNgrams is not null) ArgumentNullException.ThrowIfNull(subwords);
        ids.Clear();
        subwords?.Clear();
        if (text.IsWhiteSpace()) return;
        char[] buffer = ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            var lower = buffer.AsSpan(0, text.Length);
            text.ToLowerInvariant(lower);
            foreach (var match in WordOrPunctuationPattern().EnumerateMatches(lower))
            {
                var piece = lower.Slice(match.Index, match.Length);
                ids.Add(IdOf(piece));
                charNgrams?.AddHashes(piece, subwords!);
                if (ids.Count == maxTokens) break;
            }
        }
        finally { ArrayPool<char>.Shared.Return(buffer); }
    }

    /// <summary><see cref="PreTokenizer.CreateWordOrPunctuation"/>'s pattern, compiled at build time.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"\w+|[\p{P}]")]
    private static partial System.Text.RegularExpressions.Regex WordOrPunctuationPattern();

    /// <inheritdoc/>
    protected override EncodeResults<EncodedToken> EncodeToTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var pieces = Split(text, textSpan, settings, out var source, out var normalized);
        var tokens = new List<EncodedToken>();
        int consumed = 0;
        foreach (var (offset, length) in pieces)
        {
            if (tokens.Count == settings.MaxTokenCount) break;
            var piece = source.Slice(offset, length);
            tokens.Add(new EncodedToken(IdOf(piece), piece.ToString(), new Range(offset, offset + length)));
            consumed = offset + length;
        }
        return new EncodeResults<EncodedToken> { Tokens = tokens, NormalizedText = normalized, CharsConsumed = tokens.Count == pieces.Count ? source.Length : consumed };
    }

    /// <inheritdoc/>
    protected override EncodeResults<int> EncodeToIds(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var pieces = Split(text, textSpan, settings, out var source, out var normalized);
        var ids = new List<int>();
        int consumed = 0;
        foreach (var (offset, length) in pieces)
        {
            if (ids.Count == settings.MaxTokenCount) break;
            ids.Add(IdOf(source.Slice(offset, length)));
            consumed = offset + length;
        }
        return new EncodeResults<int> { Tokens = ids, NormalizedText = normalized, CharsConsumed = ids.Count == pieces.Count ? source.Length : consumed };
    }

    /// <inheritdoc/>
    protected override int CountTokens(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings)
    {
        var pieces = Split(text, textSpan, settings, out _, out _);
        return Math.Min(pieces.Count, settings.MaxTokenCount);
    }

    /// <inheritdoc/>
    protected override int GetIndexByTokenCount(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings, bool fromEnd,
        out string? normalizedString, out int tokenCount)
    {
        var pieces = Split(text, textSpan, settings, out var source, out var normalized);
        normalizedString = normalized;
        int max = settings.MaxTokenCount;
        tokenCount = Math.Min(pieces.Count, max);
        if (tokenCount == pieces.Count) return fromEnd ? 0 : source.Length;
        if (tokenCount == 0) return fromEnd ? source.Length : 0;
        return fromEnd ? pieces[^tokenCount].Offset : pieces[tokenCount - 1].Offset + pieces[tokenCount - 1].Length;
    }

    /// <summary>The tokens of <paramref name="ids"/> joined by spaces (ids out of range are skipped; padding is dropped).</summary>
    public override string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        foreach (int id in ids)
        {
            if (id == PaddingId || (uint)id >= (uint)_tokens.Length) continue;
            if (text.Length > 0) text.Append(' ');
            text.Append(_tokens[id]);
        }
        return text.ToString();
    }

    /// <inheritdoc/>
    public override OperationStatus Decode(IEnumerable<int> ids, Span<char> destination, out int idsConsumed, out int charsWritten)
    {
        ArgumentNullException.ThrowIfNull(ids);
        idsConsumed = 0;
        charsWritten = 0;
        foreach (int id in ids)
        {
            if (id != PaddingId && (uint)id < (uint)_tokens.Length)
            {
                string token = _tokens[id];
                int needed = token.Length + (charsWritten > 0 ? 1 : 0);
                if (charsWritten + needed > destination.Length) return OperationStatus.DestinationTooSmall;
                if (charsWritten > 0) destination[charsWritten++] = ' ';
                token.AsSpan().CopyTo(destination[charsWritten..]);
                charsWritten += token.Length;
            }
            idsConsumed++;
        }
        return OperationStatus.Done;
    }

    /// <summary>Writes the vocabulary (count, then each token); <see cref="Read"/> reads it back.</summary>
    public void Write(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(_tokens.Length);
        foreach (var token in _tokens) writer.Write(token);
    }

    /// <summary>Reads a vocabulary written by <see cref="Write"/>; throws <see cref="InvalidDataException"/> when it is malformed.</summary>
    public static WordTokenizer Read(BinaryReader reader, int maxVocabularySize = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int count = reader.ReadInt32();
        if (count < ReservedIds || count > maxVocabularySize)
            throw new InvalidDataException($"The saved vocabulary claims {count} tokens; expected between {ReservedIds} and {maxVocabularySize}.");
        var tokens = new string[count];
        for (int i = 0; i < count; i++) tokens[i] = reader.ReadString();
        try
        {
            return FromVocabulary(tokens);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException("The saved vocabulary is malformed: " + e.Message, e);
        }
    }

    /// <summary>Normalises (when asked) and splits into pieces: the text the offsets refer to, the normalised string (null when not normalised), the pieces.</summary>
    private static List<(int Offset, int Length)> Split(string? text, ReadOnlySpan<char> textSpan, EncodeSettings settings, out ReadOnlySpan<char> source, out string? normalized)
    {
        if (settings.MaxTokenCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(settings), settings.MaxTokenCount, "MaxTokenCount must be positive.");
        normalized = null;
        source = text is null ? textSpan : text.AsSpan();
        if (settings.ConsiderNormalization)
        {
            normalized = text is null ? LowerCaseNormalizer.Instance.Normalize(textSpan) : LowerCaseNormalizer.Instance.Normalize(text);
            source = normalized.AsSpan();
        }
        List<(int, int)> pieces;
        if (settings.ConsiderPreTokenization)
            pieces = normalized is not null ? WordOrPunctuation.PreTokenize(normalized).ToList()
                : text is not null ? WordOrPunctuation.PreTokenize(text).ToList() : WordOrPunctuation.PreTokenize(textSpan).ToList();
        else
            pieces = source.IsEmpty ? [] : [(0, source.Length)];
        return pieces;
    }
}
