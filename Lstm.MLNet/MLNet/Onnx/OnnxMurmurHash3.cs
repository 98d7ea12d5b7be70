namespace Lstm.MLNet;

/// <summary>
/// <see cref="Text.MurmurHash3"/>.Hash32 (x86_32, seed 0) as ONNX opset-12 integer operators, over byte strings already packed
/// into little-endian 32-bit words. A uint32 lives in an int64 tensor (0 … 2³² − 1): products wrap in int64 and are reduced
/// <c>Mod</c> 2³² (the low 32 bits of a wrapped int64 product are the uint32 product's), rotations are a multiply and a
/// divide by powers of two, XOR goes byte by byte through a 256 × 256 table (opset 12 has no integer bitwise operators; every
/// sum stays below 2³², where ONNX Runtime's int64 <c>ReduceSum</c> is exact). Shapes are any [...] with the words on a last axis.
/// </summary>
internal sealed class OnnxMurmurHash3(OnnxGraph graph)
{
    private const long TwoTo32 = 1L << 32;
    private const uint C1 = 0xCC9E2D51, C2 = 0x1B873593;
    private string? _xorTable, _byteWeights, _wrap;  // [65536] int32; [4]: 256⁰ … 256³; 2³²

    /// <summary>
    /// The hash [...] of byte strings given as <paramref name="words"/> [... × K] (word k = bytes 4k … 4k + 3, little-endian,
    /// zero past the string's end) and <paramref name="byteLength"/> [...] (≤ 4K).
    /// </summary>
    public string Hash32(string words, int wordCount, string byteLength, string hint)
    {
        string h = "";
        for (int k = 0; k < wordCount; k++)
        {
            string word = graph.Node("Gather", $"{hint}.w{k}", [words, graph.Long(k)], n => n.AddAttribute("axis", -1L));
            // The reference mixes a full block into h, then rotates and adds; a tail block (1–3 bytes) is mixed in without
            // the step; a word past the end is 0, whose mix is 0, so h ^ 0 leaves h as it is.
            string mixed = RotateLeft(Multiply(word, C1, $"{hint}.k{k}a"), 15, $"{hint}.k{k}r");
            mixed = Multiply(mixed, C2, $"{hint}.k{k}");
            string x = k == 0 ? mixed : Xor(h, mixed, $"{hint}.x{k}");          // h starts at the seed, 0
            string stepped = Wrap(graph.Op("Add", $"{hint}.s{k}", graph.Op("Mul", $"{hint}.five{k}", RotateLeft(x, 13, $"{hint}.r{k}"), graph.Long(5)),
                graph.Long(0xE6546B64)), $"{hint}.step{k}");
            string fullBlock = graph.Op("Greater", $"{hint}.full{k}", byteLength, graph.Long(4 * k + 3));
            h = graph.Op("Where", $"{hint}.h{k}", fullBlock, stepped, x);
        }
        h = Xor(h, byteLength, $"{hint}.len");
        h = Xor(h, ShiftRight(h, 16, $"{hint}.f1s"), $"{hint}.f1");
        h = Multiply(h, 0x85EBCA6B, $"{hint}.f2");
        h = Xor(h, ShiftRight(h, 13, $"{hint}.f3s"), $"{hint}.f3");
        h = Multiply(h, 0xC2B2AE35, $"{hint}.f4");
        return Xor(h, ShiftRight(h, 16, $"{hint}.f5s"), hint);
    }

    /// <summary>a · c mod 2³².</summary>
    private string Multiply(string a, uint c, string hint) => Wrap(graph.Op("Mul", hint + ".mul", a, graph.Long(c)), hint);

    private string Wrap(string value, string hint)
    {
        _wrap ??= graph.Long(TwoTo32);
        return graph.Node("Mod", hint, [value, _wrap], n => n.AddAttribute("fmod", 0L));
    }

    private string ShiftRight(string a, int bits, string hint) => graph.Op("Div", hint, a, graph.Long(1L << bits));

    /// <summary>The uint32 rotated left by <paramref name="bits"/>: the low bits moved up (mod 2³²) plus the high bits moved down.</summary>
    private string RotateLeft(string a, int bits, string hint) =>
        graph.Op("Add", hint, Wrap(graph.Op("Mul", hint + ".up", a, graph.Long(1L << bits)), hint + ".low"), ShiftRight(a, 32 - bits, hint + ".high"));

    /// <summary>a ^ b, a byte at a time: Σᵢ 256ⁱ · table[256 · aᵢ + bᵢ] over the 4 bytes (table[256x + y] = x ^ y).</summary>
    private string Xor(string a, string b, string hint)
    {
        _xorTable ??= graph.Ints(Enumerable.Range(0, 1 << 16).Select(i => (i >> 8) ^ (i & 0xFF)).ToArray(), 1 << 16);
        string index = graph.Op("Add", hint + ".index", graph.Op("Mul", hint + ".ahigh", Bytes(a, hint + ".a"), graph.Long(256)), Bytes(b, hint + ".b"));
        string bytes = graph.Cast(graph.Node("Gather", hint + ".table", [_xorTable, index], n => n.AddAttribute("axis", 0L)), typeof(long), hint + ".bytes");
        return graph.ReduceSum(graph.Op("Mul", hint + ".weighted", bytes, ByteWeights()), -1, keepDims: false, hint);
    }

    /// <summary>[... × 4]: byte i of each value, byte 0 first.</summary>
    private string Bytes(string value, string hint)
    {
        string shifted = graph.Op("Div", hint + ".shifted", graph.Unsqueeze(value, -1, hint + ".col"), ByteWeights());
        return graph.Node("Mod", hint, [shifted, graph.Long(256)], n => n.AddAttribute("fmod", 0L));
    }

    private string ByteWeights() => _byteWeights ??= graph.Longs([1, 1 << 8, 1 << 16, 1 << 24], 4);
}
