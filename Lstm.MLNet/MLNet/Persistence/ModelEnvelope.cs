using System.Buffers.Binary;
using System.IO.Hashing;

namespace Lstm.MLNet;

/// <summary>What a saved model stream holds; checked at load against the loader that reads it.</summary>
internal enum ModelKind : byte
{
    BinaryTextClassifier = 1,
    MulticlassTextClassifier = 2,
    SequenceRegressor = 3,
    Forecaster = 4,
    /// <summary>One forecaster over many series (<see cref="LstmForecastingOptions.SeriesIdColumnName"/>).</summary>
    GlobalForecaster = 5,
}

/// <summary>
/// Model format v2: all of a model's own state in one self-verifying stream, written after ML.NET's model header:
/// <code>
///   magic "LSTM.NET" (8 bytes) · int32 format version (2) · byte <see cref="ModelKind"/> · int64 payload length ·
///   payload · XxHash128 (16 bytes, big-endian canonical form) of everything before it
/// </code>
/// Load checks the header and that the declared payload fits in the bytes that remain before it allocates the payload,
/// then verifies the hash before a single field of the payload is parsed: a flipped bit anywhere (options, vocabulary,
/// labels, scalers, forecaster state, tensors, the kind byte) fails with <see cref="InvalidDataException"/>, and
/// nothing beyond the payload's own bytes is allocated for a damaged file.
/// </summary>
internal static class ModelEnvelope
{
    /// <summary>
    /// The version written. v3 (the text classifier's payload gained its character n-gram length) and v4 (the global
    /// forecaster's payload gained its network count and positive series' log units) have v2's envelope; the payload
    /// readers tell them apart by the version <see cref="Read(BinaryReader, out ModelKind, out int, ReadOnlySpan{ModelKind})"/> gives.
    /// </summary>
    public const int FormatVersion = 4;
    /// <summary>The oldest envelope version still read (v1 had no envelope).</summary>
    public const int OldestEnvelopeVersion = 2;
    private static ReadOnlySpan<byte> Magic => "LSTM.NET"u8;
    private const int HeaderSize = 8 + 4 + 1 + 8;
    private const int HashSize = 16;

    /// <summary>Writes <paramref name="kind"/>'s payload (what <paramref name="writePayload"/> writes) inside the envelope.</summary>
    public static void Write(BinaryWriter target, ModelKind kind, Action<BinaryWriter> writePayload)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
            writePayload(writer);

        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], FormatVersion);
        header[12] = (byte)kind;
        BinaryPrimitives.WriteInt64LittleEndian(header[13..], payload.Length);
        var body = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        var hash = new XxHash128();
        hash.Append(header);
        hash.Append(body);
        target.Write(header);
        target.Write(body);
        target.Write(hash.GetCurrentHash());
    }

    /// <summary>
    /// Reads and verifies the envelope at <paramref name="source"/>'s position; returns a reader over the verified payload.
    /// Throws <see cref="InvalidDataException"/> naming what is wrong (truncated, not ours, other version, damaged, other kind).
    /// </summary>
    public static BinaryReader Read(BinaryReader source, out ModelKind kind, params ReadOnlySpan<ModelKind> accepted) =>
        Read(source, out kind, out _, accepted);

    /// <summary>
    /// <see cref="Read(BinaryReader, out ModelKind, ReadOnlySpan{ModelKind})"/>, and the envelope's format
    /// <paramref name="version"/> (<see cref="OldestEnvelopeVersion"/> … <see cref="FormatVersion"/>).
    /// </summary>
    public static BinaryReader Read(BinaryReader source, out ModelKind kind, out int version, params ReadOnlySpan<ModelKind> accepted)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        if (ReadFully(source.BaseStream, header) < HeaderSize)
            throw new InvalidDataException("The model stream ends inside its header (the file is truncated).");
        if (!header[..8].SequenceEqual(Magic))
            throw new InvalidDataException("The model stream does not start with the Lstm.MLNet format marker: it is damaged or not an Lstm.MLNet model.");
        version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version is < OldestEnvelopeVersion or > FormatVersion)
            throw new InvalidDataException($"The model stream's format version is {version}; this library reads versions {OldestEnvelopeVersion} to {FormatVersion} (and 1).");
        long length = BinaryPrimitives.ReadInt64LittleEndian(header[13..]);
        long remaining = Remaining(source.BaseStream);
        if (length < 0 || length > Array.MaxLength || length + HashSize > remaining)
            throw new InvalidDataException($"The model stream declares a payload of {length} bytes; only {Math.Max(0, remaining - HashSize)} remain (the file is truncated or damaged).");

        var payload = ReadPayload(source.BaseStream, length);
        Span<byte> saved = stackalloc byte[HashSize];
        if (payload.Length < length || ReadFully(source.BaseStream, saved) < HashSize)
            throw new InvalidDataException("The model stream ends inside its payload (the file is truncated).");
        var hash = new XxHash128();
        hash.Append(header);
        hash.Append(payload);
        Span<byte> actual = stackalloc byte[HashSize];
        hash.GetCurrentHash(actual);
        if (!actual.SequenceEqual(saved))
            throw new InvalidDataException($"The model's checksum (XxHash128) is {Convert.ToHexString(actual)}; the file recorded {Convert.ToHexString(saved)}: the model is corrupted.");

        kind = (ModelKind)header[12];
        if (!accepted.Contains(kind))
            throw new InvalidDataException($"The model stream holds a {Describe(kind)}; its loader reads a {string.Join(" or ", accepted.ToArray().Select(Describe))} (task byte mismatch).");
        return new BinaryReader(new MemoryStream(payload, writable: false));
    }

    /// <summary>Whether the stream at <paramref name="source"/>'s position starts with the v2 marker (the position is kept).</summary>
    public static bool StartsWithMarker(BinaryReader source)
    {
        var stream = source.BaseStream;
        if (!stream.CanSeek) return false;
        long start = stream.Position;
        Span<byte> marker = stackalloc byte[8];
        bool found = ReadFully(stream, marker) == marker.Length && marker.SequenceEqual(Magic);
        stream.Position = start;
        return found;
    }

    /// <summary>Throws unless the payload was read to its last byte (a parser that stops early read something else than was written).</summary>
    public static void CheckFullyRead(BinaryReader payload)
    {
        long left = payload.BaseStream.Length - payload.BaseStream.Position;
        if (left != 0) throw new InvalidDataException($"The model payload has {left} byte(s) after its last field.");
    }

    private static string Describe(ModelKind kind) => Enum.IsDefined(kind) ? kind.ToString() : $"model of unknown kind {(byte)kind}";

    /// <summary>Bytes left in <paramref name="stream"/> (ML.NET gives loaders a seekable stream; otherwise no bound is known).</summary>
    private static long Remaining(Stream stream) => stream.CanSeek ? stream.Length - stream.Position : long.MaxValue;

    /// <summary>
    /// The payload's bytes: at once from a seekable stream (its length is already checked against what remains), in
    /// chunks otherwise, so a false length never allocates more than the stream really holds (plus one chunk).
    /// </summary>
    private static byte[] ReadPayload(Stream stream, long length)
    {
        if (stream.CanSeek)
        {
            var payload = new byte[length];
            return ReadFully(stream, payload) == length ? payload : [];
        }
        using var copy = new MemoryStream();
        var chunk = new byte[81920];
        while (copy.Length < length)
        {
            int read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, length - copy.Length));
            if (read == 0) break;
            copy.Write(chunk, 0, read);
        }
        return copy.ToArray();
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int read = stream.Read(buffer[done..]);
            if (read == 0) break;
            done += read;
        }
        return done;
    }
}
