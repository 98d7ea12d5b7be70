using System.Runtime.InteropServices;

namespace Lstm.MLNet.Model.Persistence;

/// <summary>
/// The fields every saved model's payload writes the same way (little-endian, <see cref="BinaryWriter"/>), with no
/// ML.NET type: weight tensors followed by a checksum, float arrays, and the checks a reader makes before it allocates
/// (every count against <see cref="MaxSavedCount"/> and the bytes that remain; the tensors against what the saved
/// options imply). Readers throw <see cref="InvalidDataException"/> or <see cref="EndOfStreamException"/> on anything
/// malformed, so a loader reads everything before it builds anything.
/// </summary>
internal static class ModelPayload
{
    /// <summary>Guards against a corrupted or hostile model: no tensor or list in a saved model is larger.</summary>
    public const int MaxSavedCount = 1 << 28;

    /// <summary>
    /// Checks a declared count before anything of that size is allocated: within <see cref="MaxSavedCount"/> and, at
    /// <paramref name="bytesEach"/> bytes per item at least, within the bytes that remain in the stream.
    /// </summary>
    public static int CheckCount(BinaryReader r, int count, int bytesEach, string what)
    {
        long remaining = r.BaseStream.CanSeek ? r.BaseStream.Length - r.BaseStream.Position : long.MaxValue;
        if (count < 0 || count > MaxSavedCount || (long)count * bytesEach > remaining)
            throw new InvalidDataException($"The model claims {count} {what}; {remaining} byte(s) remain to hold them.");
        return count;
    }

    /// <summary>
    /// Parameters of an LSTM stack of <paramref name="layers"/> × <paramref name="hidden"/> over <paramref name="input"/>
    /// features, its dense head to <paramref name="outputs"/> and an optional embedding (<paramref name="embedding"/> values),
    /// in checked 64-bit arithmetic: what the saved options imply, compared with the saved tensors before any network is built.
    /// </summary>
    public static long ExpectedParameters(long input, long hidden, long layers, bool bidirectional, long outputs, long embedding = 0)
    {
        checked
        {
            long directions = bidirectional ? 2 : 1, total = embedding;
            for (long layer = 0; layer < layers; layer++)
            {
                long layerInput = layer == 0 ? input : directions * hidden;
                total += directions * (4 * hidden * layerInput + 4 * hidden * hidden + 8 * hidden);
            }
            return total + outputs * directions * hidden + outputs;
        }
    }

    /// <summary>Throws unless the saved tensors hold exactly the parameters the saved options imply.</summary>
    public static void CheckParameterCount((string Name, float[] Values)[] tensors, long expected)
    {
        long saved = tensors.Sum(t => (long)t.Values.Length);
        if (saved != expected)
            throw new InvalidDataException($"The saved tensors hold {saved} values; the saved options imply {expected}.");
    }

    /// <summary>Named tensors (count; per tensor: name, length, floats) and a 64-bit FNV-1a checksum of their bytes.</summary>
    public static void WriteTensors(BinaryWriter w, IEnumerable<(string Name, float[] Values)> parameters)
    {
        var tensors = parameters.ToArray();
        w.Write(tensors.Length);
        var checksum = new Fnv1a64();
        foreach (var (name, values) in tensors)
        {
            w.Write(name);
            w.Write(values.Length);
            var bytes = MemoryMarshal.AsBytes(values.AsSpan());
            w.Write(bytes);
            checksum.Add(bytes);
        }
        w.Write(checksum.Value);
    }

    public static (string Name, float[] Values)[] ReadTensors(BinaryReader r)
    {
        var tensors = new (string Name, float[] Values)[CheckCount(r, r.ReadInt32(), 1 + 4, "tensors")];
        var checksum = new Fnv1a64();
        for (int i = 0; i < tensors.Length; i++)
        {
            string name = r.ReadString();
            var values = new float[CheckCount(r, r.ReadInt32(), sizeof(float), $"values in tensor '{name}'")];
            var bytes = MemoryMarshal.AsBytes(values.AsSpan());
            ReadExactly(r, bytes);
            checksum.Add(bytes);
            tensors[i] = (name, values);
        }
        ulong saved = r.ReadUInt64();
        if (saved != checksum.Value)
            throw new InvalidDataException($"The weights' checksum is {checksum.Value:X16}; the model recorded {saved:X16}: the weights are corrupted.");
        return tensors;
    }

    /// <summary>A float array (count, then values).</summary>
    public static void WriteFloats(BinaryWriter w, float[] values)
    {
        w.Write(values.Length);
        w.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    public static float[] ReadFloats(BinaryReader r, string what)
    {
        var values = new float[CheckCount(r, r.ReadInt32(), sizeof(float), what)];
        ReadExactly(r, MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static void ReadExactly(BinaryReader reader, Span<byte> bytes)
    {
        // BinaryReader.Read may return fewer bytes than asked on a stream boundary; loop until full or EOF.
        int done = 0;
        while (done < bytes.Length)
        {
            int read = reader.BaseStream.Read(bytes[done..]);
            if (read == 0) throw new EndOfStreamException("The model ends in the middle of its data.");
            done += read;
        }
    }

    /// <summary>64-bit FNV-1a: detects corrupted weights (not an integrity guarantee against tampering).</summary>
    private struct Fnv1a64
    {
        private ulong _hash;
        public Fnv1a64() => _hash = 14695981039346656037UL;
        public readonly ulong Value => _hash;
        public void Add(ReadOnlySpan<byte> bytes)
        {
            foreach (byte b in bytes) _hash = (_hash ^ b) * 1099511628211UL;
        }
    }
}
