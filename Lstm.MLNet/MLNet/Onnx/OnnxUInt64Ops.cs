namespace Lstm.MLNet;

/// <summary>
/// Unsigned 64-bit arithmetic in ONNX opset 12, exactly as C# computes it on <c>ulong</c>: what the wide path's SplitMix64
/// n-gram hash needs. A value is an int64 tensor holding the uint64's bits. Opset 12 has no integer XOR (BitwiseXor is
/// opset 18) and no unsigned multiply in ONNX Runtime before opset 14, so: XOR goes through the 64 bits (each bit as 0/1,
/// (a − b)² per bit, weighted back by 2^k in exact 16-bit groups), multiplication is int64 <c>Mul</c> (two's complement: the low 64 bits of the
/// product are the unsigned product's), shifts are <c>BitShift</c> on uint64, and the unsigned remainder splits the value
/// into 32-bit halves so every intermediate stays below 2⁶³.
/// </summary>
internal sealed class OnnxUInt64Ops(OnnxGraph graph)
{
    private string? _bitShifts, _groupWeights, _groupShifts;

    public string ShiftRight(string value, int bits, string hint)
    {
        string unsigned = graph.Cast(value, typeof(ulong), hint + ".u64");
        string shifted = graph.Node("BitShift", hint + ".shr", [unsigned, graph.UInt64((ulong)bits)], n => n.AddAttribute("direction", "RIGHT"));
        return graph.Cast(shifted, typeof(long), hint);
    }

    /// <summary>a ^ b, for values of shape [B × T].</summary>
    public string Xor(string a, string b, string hint)
    {
        string difference = graph.Op("Sub", hint + ".diff", Bits(a, hint + ".a"), Bits(b, hint + ".b"));
        string differs = graph.Op("Mul", hint + ".ne", difference, difference);                       // [B × T × 64]: 1 where the bits differ
        // ONNX Runtime's int64 ReduceSum is not exact beyond 2⁵³, so the bits are summed 16 at a time (each sum < 2¹⁶)
        // and the four 16-bit groups are shifted into place and added (disjoint bits: the int64 adds never overflow).
        string groups = graph.Op("Reshape", hint + ".groups", differs, graph.Longs([0, 0, 4, 16], 4));
        _groupWeights ??= graph.Longs(Enumerable.Range(0, 16).Select(k => 1L << k).ToArray(), 16);
        string groupValues = graph.ReduceSum(graph.Op("Mul", hint + ".weighted", groups, _groupWeights), -1, keepDims: false, hint + ".group"); // [B × T × 4]
        _groupShifts ??= graph.UInt64s([0, 16, 32, 48], 4);
        string placed = graph.Cast(graph.Node("BitShift", hint + ".placed", [graph.Cast(groupValues, typeof(ulong), hint + ".group64"), _groupShifts],
            n => n.AddAttribute("direction", "LEFT")), typeof(long), hint + ".placed64");
        string sum = "";
        for (int group = 0; group < 4; group++)
        {
            string part = graph.Node("Gather", $"{hint}.part{group}", [placed, graph.Long(group)], n => n.AddAttribute("axis", 2L));
            sum = group == 0 ? part : graph.Op("Add", group == 3 ? hint : $"{hint}.sum{group}", sum, part);
        }
        return sum;
    }

    /// <summary>a · c mod 2⁶⁴.</summary>
    public string MultiplyConstant(string a, ulong c, string hint) => graph.Op("Mul", hint, a, graph.Long(unchecked((long)c)));

    /// <summary>a mod m, a read as unsigned, 0 &lt; m &lt; 2³¹: (hi · (2³² mod m) + lo) mod m, all terms below 2⁶³.</summary>
    public string RemainderUnsigned(string a, int modulus, string hint)
    {
        string high = ShiftRight(a, 32, hint + ".hi");
        string unsigned = graph.Cast(a, typeof(ulong), hint + ".u64");
        string up = graph.Node("BitShift", hint + ".up", [unsigned, graph.UInt64(32)], n => n.AddAttribute("direction", "LEFT"));
        string low = graph.Cast(graph.Node("BitShift", hint + ".lo64", [up, graph.UInt64(32)], n => n.AddAttribute("direction", "RIGHT")), typeof(long), hint + ".lo");
        string folded = graph.Op("Add", hint + ".folded", graph.Op("Mul", hint + ".hiw", high, graph.Long((long)((1UL << 32) % (ulong)modulus))), low);
        return graph.Node("Mod", hint, [folded, graph.Long(modulus)], n => n.AddAttribute("fmod", 0L));
    }

    /// <summary>SplitMix64's finaliser, as <c>NgramLinear</c> computes it.</summary>
    public string Mix(string x, string hint)
    {
        x = Xor(x, ShiftRight(x, 30, hint + ".s30"), hint + ".x30");
        x = MultiplyConstant(x, 0xBF58476D1CE4E5B9UL, hint + ".m1");
        x = Xor(x, ShiftRight(x, 27, hint + ".s27"), hint + ".x27");
        x = MultiplyConstant(x, 0x94D049BB133111EBUL, hint + ".m2");
        return Xor(x, ShiftRight(x, 31, hint + ".s31"), hint);
    }

    /// <summary>[..., 64] int64: bit k of each value (0 or 1), bit 0 first.</summary>
    private string Bits(string value, string hint)
    {
        string unsigned = graph.Cast(graph.Unsqueeze(value, -1, hint + ".col"), typeof(ulong), hint + ".u64");
        _bitShifts ??= graph.UInt64s(Enumerable.Range(0, 64).Select(k => (ulong)(63 - k)).ToArray(), 64);
        string top = graph.Node("BitShift", hint + ".top", [unsigned, _bitShifts], n => n.AddAttribute("direction", "LEFT"));
        string bit = graph.Node("BitShift", hint + ".bit", [top, graph.UInt64(63)], n => n.AddAttribute("direction", "RIGHT"));
        return graph.Cast(bit, typeof(long), hint);
    }
}
