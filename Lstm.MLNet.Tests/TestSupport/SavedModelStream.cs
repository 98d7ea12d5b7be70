using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace Lstm.MLNet.Tests.TestSupport;

/// <summary>
/// A saved model zip opened at the Lstm.MLNet stream inside it (format v2: marker, version, kind, payload length,
/// payload, XxHash128), so a test can damage it, or craft it and <see cref="Reseal"/> it with a valid hash as an attacker would.
/// </summary>
internal sealed class SavedModelStream
{
    private static readonly byte[] Marker = "LSTM.NET"u8.ToArray();
    private readonly byte[] _zip;
    private readonly string _entryName;

    public SavedModelStream(byte[] zip)
    {
        _zip = zip;
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        foreach (var entry in archive.Entries)
        {
            var bytes = ReadAll(entry);
            int start = bytes.AsSpan().IndexOf(Marker);
            if (start < 0) continue;
            _entryName = entry.FullName;
            Entry = bytes;
            Start = start;
            return;
        }
        throw new InvalidOperationException("No Lstm.MLNet v2 stream in this zip.");
    }

    /// <summary>The bytes of the zip entry holding our stream (ML.NET's header, then ours); edit them in place.</summary>
    public byte[] Entry { get; }
    /// <summary>Where our stream starts in <see cref="Entry"/>.</summary>
    public int Start { get; }
    public int KindOffset => Start + 12;
    public int PayloadOffset => Start + 21;
    public int PayloadLength => (int)BinaryPrimitives.ReadInt64LittleEndian(Entry.AsSpan(Start + 13));
    /// <summary>Offsets of our stream's bytes, hash included: where a flipped bit must be detected.</summary>
    public int End => PayloadOffset + PayloadLength + 16;

    /// <summary>Offset in <see cref="Entry"/> of the first occurrence of <paramref name="text"/> (UTF-8) inside the payload.</summary>
    public int Find(string text) => PayloadOffset + Entry.AsSpan(PayloadOffset, PayloadLength).IndexOf(Encoding.UTF8.GetBytes(text));

    /// <summary>Recomputes the hash over the (edited) header and payload, as a crafted file would carry.</summary>
    public void Reseal()
    {
        var hash = XxHash128.Hash(Entry.AsSpan(Start, 21 + PayloadLength));
        hash.CopyTo(Entry, PayloadOffset + PayloadLength);
    }

    /// <summary>The zip with the entry replaced by <see cref="Entry"/>.</summary>
    public byte[] ToZip()
    {
        using var copy = new MemoryStream();
        copy.Write(_zip);
        using (var archive = new ZipArchive(copy, ZipArchiveMode.Update, leaveOpen: true))
        {
            archive.GetEntry(_entryName)!.Delete();
            using var stream = archive.CreateEntry(_entryName).Open();
            stream.Write(Entry);
        }
        return copy.ToArray();
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
