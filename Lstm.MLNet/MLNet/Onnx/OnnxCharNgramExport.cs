using System.Text;
using Lstm.MLNet.Model;
using Lstm.MLNet.Text;

namespace Lstm.MLNet;

/// <summary>
/// The wide path's sub-word bag (<see cref="CharNgramHasher"/>) as ONNX nodes, bit-exact in which table rows it reads. Opset 12
/// has no string concatenation, so the n-gram strings are never built: each token is split into characters
/// (<c>com.microsoft.Tokenizer</c>, pattern "."), each character maps to its UTF-8 bytes by a <c>LabelEncoder</c> over every
/// BMP code point, the markers '&lt;' '&gt;' are added as codes, the n-grams that exist are picked out of the
/// [B × T × start] grid (<c>NonZero</c>, <c>GatherND</c>), their bytes laid out with dense masked operators and hashed by
/// <see cref="OnnxMurmurHash3"/>; row = hash mod buckets, summed into their batch rows by differences of prefix sums (<c>CumSum</c>), and the
/// bag is L2-normalised on its own, as <see cref="NgramLinear"/> does.
/// <para>The code table holds the 63,488 BMP code points outside the surrogate range (about 0.6 MB of the model file).
/// The library's tokens never hold a character outside the BMP (.NET's word pattern reads a surrogate half as no letter);
/// where RE2's pattern keeps one in a token (a word already split differently from the library's) it reads as U+FFFD.</para>
/// </summary>
internal static class OnnxCharNgramExport
{
    /// <summary>The character tokenizer's padding: two code points, which no single-character match can produce.</summary>
    private const string CharacterPadding = "##";
    /// <summary>A code is the character's UTF-8 bytes, little-endian in its low 24 bits, and their count times 2²⁴; 0 = no character.</summary>
    private const long LengthUnit = 1L << 24;
    private const int MaxUtf8BytesPerChar = 3;

    /// <summary>
    /// The sub-word bag's logits [B × C] of <paramref name="tokens"/> [B × T] (the lower-cased word pieces, each row's real
    /// tokens first) with <paramref name="realLengths"/> [B] int64 (tokens past it are padding and add nothing); <paramref name="table"/>
    /// is the word bag's (<see cref="OnnxNgramExport.Table"/>).
    /// </summary>
    public static string Emit(OnnxGraph graph, NgramLinear wide, string table, CharNgramHasher hasher, string tokens, string realLengths)
    {
        string lengthsColumn = graph.Unsqueeze(realLengths, 1, "char.lengths");                                  // [B × 1]
        // One padding token per row, so that T ≥ 1 even when no row of the batch has a token.
        string paddingColumn = graph.Node("LabelEncoder", "char.paddingtoken", [graph.Op("Mul", "char.zero", lengthsColumn, graph.Long(0))], n =>
        {
            n.AddAttribute("keys_int64s", new[] { 0L });
            n.AddAttribute("values_strings", new[] { WordTokenizer.PaddingToken });
            n.AddAttribute("default_string", WordTokenizer.PaddingToken);
        }, OnnxGraph.MLDomain);
        string words = graph.Node("Concat", "char.words", [tokens, paddingColumn], n => n.AddAttribute("axis", 1L));   // [B × T]
        string characters = graph.Node("Tokenizer", "char.characters", [words], n =>
        {
            n.AddAttribute("mark", 0L);
            n.AddAttribute("mincharnum", 1L);
            n.AddAttribute("pad_value", CharacterPadding);
            n.AddAttribute("tokenexp", ".");
        }, OnnxGraph.MicrosoftDomain);                                                                         // [B × T × L]
        var (keys, codes) = CodeTable();
        string characterCodes = graph.Node("LabelEncoder", "char.codes", [characters], n =>
        {
            n.AddAttribute("keys_strings", keys);
            n.AddAttribute("values_int64s", codes);
            n.AddAttribute("default_int64", Code("\uFFFD"));
        }, OnnxGraph.MLDomain);
        string marked = Marked(graph, characterCodes);                                                          // [B × T × W]

        string wordPositions = graph.Op("Range", "char.t", graph.Long(0), graph.Op("Squeeze", "char.tscalar", graph.Dimension(words, 1, "char.tdim")), graph.Long(1));
        string realWords = graph.Unsqueeze(graph.Op("Less", "char.realword", graph.Unsqueeze(wordPositions, 0, "char.t1"), lengthsColumn), 2, "char.realword3"); // [B × T × 1]
        var murmur = new OnnxMurmurHash3(graph);
        string? sum = null, count = null;
        for (int n = CharNgramHasher.MinLength; n <= hasher.MaxLength; n++)
        {
            // An n-gram starting at s exists when its last character is one (codes past "<token>" are 0) of a real token.
            string last = graph.Slice(marked, graph.Longs([n - 1], 1), graph.Longs([long.MaxValue], 1), 2, $"char.n{n}.last");   // [B × T × S]
            string exists = graph.Op("And", $"char.n{n}.exists", graph.Op("Not", $"char.n{n}.inside", graph.Op("Equal", $"char.n{n}.past", last, graph.Long(0))), realWords);
            // Only those go on (the [B × T × S] grid is mostly padding): their (b, t, s) [V × 3] in row-major order (so row b's
            // n-grams are consecutive), character j at (b, t, s + j); plus one at (0, 0, 0) after them, which no row's range
            // reaches, so that V ≥ 1 (with V = 0 ONNX Runtime 1.31.1 fails the hash's broadcasts).
            string found = graph.Node("Transpose", $"char.n{n}.found", [graph.Op("NonZero", $"char.n{n}.nonzero", exists)], a => a.AddAttribute("perm", new long[] { 1, 0 }));
            string where = graph.Node("Concat", $"char.n{n}.where", [found, graph.Longs([0, 0, 0], 1, 3)], a => a.AddAttribute("axis", 0L));
            var chars = new string[n];
            for (int j = 0; j < n; j++)
            {
                string shifted = j == 0 ? where : graph.Op("Add", $"char.n{n}.at{j}", where, graph.Longs([0, 0, j], 3));
                chars[j] = graph.Op("GatherND", $"char.n{n}.c{j}", marked, shifted);                               // [V]
            }
            var (words32, wordCount, byteLength) = Utf8Words(graph, chars, $"char.n{n}");
            string hash = murmur.Hash32(words32, wordCount, byteLength, $"char.n{n}.hash");
            string rows = graph.Node("Mod", $"char.n{n}.rows", [hash, graph.Long(wide.Buckets)], a => a.AddAttribute("fmod", 0L));
            string gathered = graph.Node("Gather", $"char.n{n}.weights", [table, rows], a => a.AddAttribute("axis", 0L)); // [V × C]
            // Row b's n-grams are rows [end_b − count_b, end_b) of the gathered weights: their sum is a difference of prefix sums,
            // taken in double so that the whole batch's running total loses nothing a row's float sum would keep.
            string rowCounts = graph.Node("ReduceSum", $"char.n{n}.count", [graph.Cast(exists, typeof(long), $"char.n{n}.exists64")],
                a => { a.AddAttribute("axes", new long[] { 1, 2 }); a.AddAttribute("keepdims", 0L); });          // [B]
            string ends = graph.Op("CumSum", $"char.n{n}.ends", rowCounts, graph.Long(0));
            string starts = graph.Op("Sub", $"char.n{n}.starts", ends, rowCounts);
            string prefix = graph.Op("Pad", $"char.n{n}.prefix", graph.Op("CumSum", $"char.n{n}.running", graph.Cast(gathered, typeof(double), $"char.n{n}.weights64"), graph.Long(0)),
                graph.Longs([1, 0, 0, 0], 4));                                                                     // [(V + 2) × C]: row i = Σ of the first i (padding: 0)
            string part = graph.Op("Sub", $"char.n{n}.sum", Row(graph, prefix, ends, $"char.n{n}.upto"), Row(graph, prefix, starts, $"char.n{n}.before")); // [B × C]
            sum = sum is null ? part : graph.Op("Add", $"char.total{n}", sum, part);
            count = count is null ? rowCounts : graph.Op("Add", $"char.counts{n}", count, rowCounts);
        }
        // Every n-gram weighs 1/√count; an empty bag's sum is 0, so the count is floored at 1 to keep the scale finite.
        string floored = graph.Op("Max", "char.floored", graph.Unsqueeze(graph.Cast(count!, typeof(float), "char.countf"), 1, "char.count1"), graph.Float(1f));
        return graph.Op("Mul", "char.logits", graph.Cast(sum!, typeof(float), "char.sumf"), graph.Op("Reciprocal", "char.scale", graph.Op("Sqrt", "char.norm", floored)));
    }

    private static string Row(OnnxGraph graph, string table, string indices, string hint) =>
        graph.Node("Gather", hint, [table, indices], a => a.AddAttribute("axis", 0L));

    /// <summary>
    /// "&lt;token&gt;" as codes [B × T × (L + 2)]: '&lt;', the token's codes, '&gt;' right after its last character, 0 after that.
    /// </summary>
    private static string Marked(OnnxGraph graph, string codes)
    {
        string present = graph.Cast(graph.Op("Not", "char.present", graph.Op("Equal", "char.none", codes, graph.Long(0))), typeof(long), "char.present64");
        string characterCount = graph.ReduceSum(present, 2, keepDims: true, "char.count");                      // [B × T × 1]
        string padded = graph.Op("Pad", "char.padded", codes, graph.Longs([0, 0, 1, 0, 0, 1], 6), graph.Long(0));
        string positions = graph.Op("Range", "char.positions", graph.Long(0), graph.Op("Squeeze", "char.wscalar", graph.Dimension(padded, 2, "char.w")), graph.Long(1));
        string started = graph.Op("Where", "char.started", graph.Op("Equal", "char.first", positions, graph.Long(0)), graph.Long(Code("<")), padded);
        string afterLast = graph.Op("Equal", "char.afterlast", positions, graph.Op("Add", "char.endposition", characterCount, graph.Long(1)));
        return graph.Op("Where", "char.marked", afterLast, graph.Long(Code(">")), started);
    }

    /// <summary>
    /// The UTF-8 bytes of the n-grams whose characters are <paramref name="chars"/> (codes, each [V]) as little-endian
    /// 32-bit words [V × K], and their byte counts [V].
    /// </summary>
    private static (string Words, int WordCount, string ByteLength) Utf8Words(OnnxGraph graph, string[] chars, string hint)
    {
        int wordCount = (chars.Length * MaxUtf8BytesPerChar + 3) / 4, byteSlots = 4 * wordCount;
        string slots = graph.Longs(Enumerable.Range(0, byteSlots).Select(p => (long)p).ToArray(), byteSlots);
        string? bytes = null, offset = null;
        for (int j = 0; j < chars.Length; j++)
        {
            string length = graph.Op("Div", $"{hint}.len{j}", chars[j], graph.Long(LengthUnit));
            string packed = graph.Node("Mod", $"{hint}.packed{j}", [chars[j], graph.Long(LengthUnit)], n => n.AddAttribute("fmod", 0L));
            for (int i = 0; i < MaxUtf8BytesPerChar; i++)
            {
                // Byte i of character j (0 past the character's length) goes to slot offset_j + i.
                string value = graph.Node("Mod", $"{hint}.b{j}.{i}", [graph.Op("Div", $"{hint}.d{j}.{i}", packed, graph.Long(1L << (8 * i))), graph.Long(256)],
                    n => n.AddAttribute("fmod", 0L));
                string at = offset is null ? graph.Long(i) : graph.Op("Add", $"{hint}.at{j}.{i}", offset, graph.Long(i));
                string slot = graph.Op("Equal", $"{hint}.slot{j}.{i}", graph.Unsqueeze(at, -1, $"{hint}.at{j}.{i}.col"), slots);   // [V × P] (or [P])
                string placed = graph.Op("Where", $"{hint}.placed{j}.{i}", slot, graph.Unsqueeze(value, -1, $"{hint}.b{j}.{i}.col"), graph.Long(0));
                bytes = bytes is null ? placed : graph.Op("Add", $"{hint}.bytes{j}.{i}", bytes, placed);
            }
            offset = offset is null ? length : graph.Op("Add", $"{hint}.offset{j}", offset, length);
        }
        string grouped = graph.Op("Reshape", $"{hint}.grouped", bytes!, graph.Longs([0, wordCount, 4], 3));
        string words = graph.ReduceSum(graph.Op("Mul", $"{hint}.weighted", grouped, graph.Longs([1, 1 << 8, 1 << 16, 1 << 24], 4)), -1, keepDims: false, $"{hint}.words");
        return (words, wordCount, offset!);
    }

    /// <summary>The code of every BMP character outside the surrogates, and 0 for the character tokenizer's padding.</summary>
    private static (string[] Keys, long[] Codes) CodeTable()
    {
        var keys = new List<string>(65536) { CharacterPadding };
        var codes = new List<long>(65536) { 0 };
        for (int c = 0; c <= char.MaxValue; c++)
        {
            if (char.IsSurrogate((char)c)) continue;
            string key = ((char)c).ToString();
            keys.Add(key);
            codes.Add(Code(key));
        }
        return (keys.ToArray(), codes.ToArray());
    }

    private static long Code(string character)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(character);
        long code = utf8.Length * LengthUnit;
        for (int i = 0; i < utf8.Length; i++) code += (long)utf8[i] << (8 * i);
        return code;
    }
}
