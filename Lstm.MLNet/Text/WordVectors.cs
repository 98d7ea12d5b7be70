using System.Globalization;
using System.IO.Compression;
using System.Text;
using Lstm.MLNet.Model;

namespace Lstm.MLNet.Text;

/// <summary>The layout of a pretrained word-vector text file, told apart by its first line.</summary>
internal enum WordVectorFileFormat
{
    /// <summary>GloVe: every line is <c>token v1 … vD</c>, no header.</summary>
    GloVe,
    /// <summary>word2vec text format and fastText <c>.vec</c>: a first line <c>count D</c>, then <c>token v1 … vD</c> lines.</summary>
    Word2VecText,
}

/// <summary>
/// The rows of a pretrained word-vector file (GloVe text, word2vec text, fastText <c>.vec</c>; plain or gzip) that a
/// vocabulary needs, read in one streaming pass: a 1–5 GB file is never held in memory, only one line at a time in a
/// reused character buffer, and numbers are parsed from spans, only for the lines whose token the vocabulary has.
/// Every line's dimension is checked against the header (or the first line), with the file and line in the message.
/// <para>
/// Tokens match exactly (ordinal); with <c>matchLowerCase</c> a cased file token (<c>Paris</c>) also fills a
/// lower-cased vocabulary token (<c>paris</c>) that has no exact row, which a lower-casing tokenizer needs with the
/// cased word2vec and fastText files. The first row of a token wins; an exact row beats a case-folded one.
/// A token containing spaces (a few glove.840B lines) is taken as everything before the last D numbers.
/// </para>
/// </summary>
internal sealed class WordVectors
{
    /// <summary>A line longer than this is not a vectors file (a binary word2vec file, say): fail instead of buffering it.</summary>
    internal const int MaxLineLength = 1 << 24;

    private WordVectors(string source, WordVectorFileFormat format, int dimension, float[] vectors, bool[] found, IReadOnlyDictionary<string, int> vocabulary, int caseFolded, long lines)
    {
        Source = source;
        Format = format;
        Dimension = dimension;
        Vectors = vectors;
        Found = found;
        _vocabulary = vocabulary;
        CaseFoldedCount = caseFolded;
        VectorLines = lines;
    }

    private readonly IReadOnlyDictionary<string, int> _vocabulary;

    public string Source { get; }
    public WordVectorFileFormat Format { get; }
    /// <summary>D, the length of every vector in the file.</summary>
    public int Dimension { get; }
    /// <summary>[ids × D], row id = the vocabulary id; zeros where <see cref="Found"/> is false (ids = largest id + 1).</summary>
    public float[] Vectors { get; }
    /// <summary>Per vocabulary id: whether the file had a row for its token.</summary>
    public bool[] Found { get; }
    public int FoundCount => Found.Count(f => f);
    /// <summary>How many of the found tokens were filled from a differently cased file token.</summary>
    public int CaseFoldedCount { get; }
    /// <summary>Vector lines in the file (every one is read and checked).</summary>
    public long VectorLines { get; }

    /// <summary>The vocabulary tokens the file had no row for, in id order.</summary>
    public IEnumerable<string> MissingTokens => _vocabulary.Where(kv => !Found[kv.Value]).OrderBy(kv => kv.Value).Select(kv => kv.Key);

    /// <param name="path">a GloVe, word2vec text or fastText .vec file, gzip-compressed or not (told by its first bytes)</param>
    /// <param name="vocabulary">token → id (ids ≥ 0; reserved ids such as padding simply have no token here)</param>
    /// <param name="expectedDimension">when given, the file's dimension must be this</param>
    /// <param name="matchLowerCase">also fill a lower-case vocabulary token from a cased file token when no exact row exists</param>
    /// <param name="cancellationToken">checked every 4096 lines</param>
    public static WordVectors Read(string path, IReadOnlyDictionary<string, int> vocabulary, int? expectedDimension = null, bool matchLowerCase = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (!File.Exists(path)) throw new FileNotFoundException($"Word-vector file '{path}' does not exist.", path);
        using var file = File.OpenRead(path);
        return Read(file, path, vocabulary, expectedDimension, matchLowerCase, cancellationToken);
    }

    /// <summary>Reads from a stream; <paramref name="name"/> names it in messages.</summary>
    public static WordVectors Read(Stream stream, string name, IReadOnlyDictionary<string, int> vocabulary, int? expectedDimension = null, bool matchLowerCase = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (expectedDimension is <= 0) throw new ArgumentOutOfRangeException(nameof(expectedDimension), expectedDimension, "The expected dimension must be positive.");
        int ids = 0;
        foreach (var (token, id) in vocabulary)
        {
            if (string.IsNullOrEmpty(token)) throw new ArgumentException("The vocabulary has an empty token.", nameof(vocabulary));
            if (id < 0) throw new ArgumentException($"Vocabulary token '{token}' has a negative id {id}.", nameof(vocabulary));
            ids = Math.Max(ids, id + 1);
        }
        var lookup = new Dictionary<string, int>(vocabulary, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

        using var gzip = IsGzip(stream, name) ? new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true) : null;
        using var text = new StreamReader(gzip ?? stream, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        var lines = new LineReader(text);
        long lineNumber = 0;
        var (format, dimension, declaredCount) = ReadHeader(lines, name, ref lineNumber);
        if (expectedDimension is int expected && expected != dimension)
            throw new InvalidDataException($"{name} line 1: the vectors have dimension {dimension}, expected {expected}.");

        // The header is the file's word: bound it before allocating, as the embedding these rows start will be.
        if (dimension > MaxLineLength / 2)
            throw new InvalidDataException($"{name} line 1: the vectors have dimension {dimension}; a line of at most {MaxLineLength} characters holds at most {MaxLineLength / 2} numbers.");
        long values = (long)ids * dimension;
        ModelLimits.EnsureFits(values, values, "WordVectorsPath", $"{ids:N0} vocabulary ids × {dimension} dimensions of '{name}'");
        var vectors = new float[values];
        var found = new bool[ids];
        var exact = new bool[ids];     // found through an exact token match (a case-folded row may still be replaced)
        int caseFolded = 0;
        long vectorLines = 0;
        char[] lowered = new char[64];
        while (lines.TryReadNonBlank(out var line, name, ref lineNumber))
        {
            if ((vectorLines & 0xFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            vectorLines++;

            var token = TokenOf(line, dimension, name, lineNumber, out var numbers);
            if (lookup.TryGetValue(token, out int id))
            {
                if (!exact[id])
                {
                    if (found[id]) caseFolded--;
                    ParseVector(numbers, vectors.AsSpan((int)((long)id * dimension), dimension), name, lineNumber);
                    found[id] = exact[id] = true;
                }
            }
            else if (matchLowerCase && HasUpper(token))
            {
                if (lowered.Length < token.Length) lowered = new char[token.Length * 2];
                int length = token.ToLowerInvariant(lowered);
                if (lookup.TryGetValue(lowered.AsSpan(0, length), out id) && !found[id])
                {
                    ParseVector(numbers, vectors.AsSpan((int)((long)id * dimension), dimension), name, lineNumber);
                    found[id] = true;
                    caseFolded++;
                }
            }
        }
        if (declaredCount >= 0 && vectorLines != declaredCount)
            throw new InvalidDataException($"{name}: the header announces {declaredCount} vectors but the file has {vectorLines} (truncated download?).");
        return new WordVectors(name, format, dimension, vectors, found, vocabulary, caseFolded, vectorLines);
    }

    /// <summary>
    /// The file's first <paramref name="count"/> distinct tokens, lower-cased, that <paramref name="wanted"/> accepts, in
    /// file order: the public vector files list the most frequent words first, so these are the words a vocabulary
    /// built from them should add. Streams the file and stops once it has them; every line read is checked as
    /// <see cref="Read(string, IReadOnlyDictionary{string, int}, int?, bool, CancellationToken)"/> checks it.
    /// </summary>
    public static List<string> LeadingTokens(string path, int count, Func<string, bool> wanted, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!File.Exists(path)) throw new FileNotFoundException($"Word-vector file '{path}' does not exist.", path);
        var tokens = new List<string>();
        if (count == 0) return tokens;
        using var file = File.OpenRead(path);
        using var gzip = IsGzip(file, path) ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : null;
        using var text = new StreamReader(gzip ?? (Stream)file, new UTF8Encoding(false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        var lines = new LineReader(text);
        long lineNumber = 0;
        var (_, dimension, _) = ReadHeader(lines, path, ref lineNumber);
        var taken = new HashSet<string>(StringComparer.Ordinal);  // only what is kept: a file of millions of rejected words costs nothing
        while (tokens.Count < count && lines.TryReadNonBlank(out var line, path, ref lineNumber))
        {
            if ((lineNumber & 0xFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
            string token = TokenOf(line, dimension, path, lineNumber, out _).ToString().ToLowerInvariant();
            if (!taken.Contains(token) && wanted(token) && taken.Add(token)) tokens.Add(token);
        }
        return tokens;
    }

    /// <summary>
    /// Reads the first non-blank line and tells the format by it: a "count dimension" header (word2vec text, fastText),
    /// or already a GloVe vector line, which is put back for the caller's loop to read first.
    /// </summary>
    private static (WordVectorFileFormat Format, int Dimension, long DeclaredCount) ReadHeader(LineReader lines, string name, ref long lineNumber)
    {
        if (!lines.TryReadNonBlank(out var line, name, ref lineNumber))
            throw new InvalidDataException($"{name}: the file is empty; expected word vectors in the GloVe, word2vec text or fastText .vec format.");

        Span<Range> headerFields = stackalloc Range[3];
        int headerFieldCount = line.SplitAny(headerFields, " \t", StringSplitOptions.RemoveEmptyEntries);
        if (headerFieldCount == 2
            && long.TryParse(line[headerFields[0]], NumberStyles.None, CultureInfo.InvariantCulture, out long declaredCount)
            && int.TryParse(line[headerFields[1]], NumberStyles.None, CultureInfo.InvariantCulture, out int dimension))
        {
            if (dimension <= 0) throw new InvalidDataException($"{name} line 1: the header 'count dimension' gives dimension {dimension}; expected a positive number.");
            return (WordVectorFileFormat.Word2VecText, dimension, declaredCount);
        }
        dimension = CountFields(line) - 1;
        if (dimension < 1) throw new InvalidDataException($"{name} line 1: expected 'token v1 … vD' or a 'count dimension' header, got '{Excerpt(line)}'.");
        lines.PutBack();
        lineNumber--;
        return (WordVectorFileFormat.GloVe, dimension, -1);
    }

    /// <summary>Whether the stream starts with the gzip magic bytes 1F 8B (its position is left where it was).</summary>
    private static bool IsGzip(Stream stream, string name)
    {
        if (!stream.CanSeek) throw new ArgumentException($"{name}: the stream must be seekable (its first bytes tell gzip from text).", nameof(stream));
        long start = stream.Position;
        Span<byte> magic = stackalloc byte[2];
        int read = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        stream.Position = start;
        return read == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }

    /// <summary>
    /// The token of a vector line: everything before its last <paramref name="dimension"/> fields, which
    /// <paramref name="numbers"/> receives. Throws when the line has fewer numbers, or more (a number where the
    /// token should end).
    /// </summary>
    private static ReadOnlySpan<char> TokenOf(ReadOnlySpan<char> line, int dimension, string name, long lineNumber, out ReadOnlySpan<char> numbers)
    {
        int tokenEnd = line.IndexOfAny(' ', '\t');
        if (tokenEnd > 0)
        {
            var rest = line[(tokenEnd + 1)..];
            int fields = CountFields(rest);
            if (fields == dimension) { numbers = rest; return line[..tokenEnd]; }
            if (fields > dimension)
            {
                // Walk back over the last D fields; what precedes them is a token with spaces, unless it ends in a number.
                int end = line.Length;
                for (int f = 0; f < dimension; f++)
                {
                    end = line[..end].LastIndexOfAny(' ', '\t');
                    end = line[..end].TrimEnd(" \t").Length;
                }
                var token = line[..end];
                int lastStart = token.LastIndexOfAny(' ', '\t') + 1;
                if (!float.TryParse(token[lastStart..], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    numbers = line[end..].TrimStart(" \t");
                    return token;
                }
                throw new InvalidDataException($"{name} line {lineNumber}: {CountFields(line) - 1} numbers after the token, expected {dimension}.");
            }
            throw new InvalidDataException($"{name} line {lineNumber}: {fields} numbers after token '{Excerpt(line[..tokenEnd])}', expected {dimension}.");
        }
        throw new InvalidDataException($"{name} line {lineNumber}: '{Excerpt(line)}' has no numbers, expected a token and {dimension}.");
    }

    private static void ParseVector(ReadOnlySpan<char> numbers, Span<float> row, string name, long lineNumber)
    {
        int i = 0;
        foreach (var field in numbers.SplitAny(" \t"))
        {
            var text = numbers[field];
            if (text.IsEmpty) continue;
            if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                throw new InvalidDataException($"{name} line {lineNumber}: value {i + 1} '{Excerpt(text)}' is not a finite number.");
            row[i++] = value;
        }
    }

    private static int CountFields(ReadOnlySpan<char> text)
    {
        int fields = 0;
        bool inField = false;
        foreach (char c in text)
        {
            bool separator = c is ' ' or '\t';
            if (!separator && !inField) fields++;
            inField = !separator;
        }
        return fields;
    }

    private static bool HasUpper(ReadOnlySpan<char> token)
    {
        foreach (char c in token) if (char.IsUpper(c)) return true;
        return false;
    }

    private static string Excerpt(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "…");

    /// <summary>
    /// Lines as spans over one reused buffer (valid until the next call): no string per line. '\r\n' and '\n' end a
    /// line; the buffer grows only for a line longer than it, up to <see cref="MaxLineLength"/>.
    /// </summary>
    private sealed class LineReader(TextReader reader)
    {
        private char[] _buffer = new char[1 << 16];
        private int _start, _end, _lastStart;
        private bool _endOfInput;

        /// <summary>The next line that is not blank, trimmed; <paramref name="lineNumber"/> counts every line read.</summary>
        public bool TryReadNonBlank(out ReadOnlySpan<char> line, string name, ref long lineNumber)
        {
            while (TryRead(out line, name, lineNumber + 1))
            {
                lineNumber++;
                line = line.Trim();
                if (!line.IsEmpty) return true;
            }
            return false;
        }

        /// <summary>Makes the line just read the next one again (only right after a read: the buffer has not moved since).</summary>
        public void PutBack() => _start = _lastStart;

        public bool TryRead(out ReadOnlySpan<char> line, string name, long lineNumber)
        {
            while (true)
            {
                _lastStart = _start;
                int newline = _buffer.AsSpan(_start, _end - _start).IndexOf('\n');
                if (newline >= 0)
                {
                    line = _buffer.AsSpan(_start, newline).TrimEnd('\r');
                    _start += newline + 1;
                    return true;
                }
                if (_endOfInput)
                {
                    line = _buffer.AsSpan(_start, _end - _start).TrimEnd('\r');
                    bool any = _end > _start;
                    _start = _end;
                    return any;
                }
                if (_start > 0)
                {
                    Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }
                if (_end == _buffer.Length)
                {
                    if (_buffer.Length >= MaxLineLength)
                        throw new InvalidDataException($"{name} line {lineNumber}: longer than {MaxLineLength} characters; not a text vectors file (word2vec binary files need converting to text).");
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }
                int read = reader.Read(_buffer, _end, _buffer.Length - _end);
                if (read == 0) _endOfInput = true;
                else _end += read;
            }
        }
    }
}
