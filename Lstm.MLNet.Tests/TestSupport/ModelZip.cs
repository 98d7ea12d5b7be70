using System.IO.Compression;

namespace Lstm.MLNet.Tests.TestSupport;

/// <summary>Edits saved ML.NET model zips the way an attacker or a bad disk would, keeping the container valid.</summary>
internal static class ModelZip
{
    /// <summary>The zip with <paramref name="entryName"/>'s (decompressed) content replaced by <paramref name="change"/>'s result; other entries as they were.</summary>
    public static byte[] Rewrite(byte[] zip, string entryName, Func<byte[], byte[]> change)
    {
        using var input = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var entry in input.Entries)
            {
                var bytes = Read(entry);
                if (entry.FullName == entryName) bytes = change(bytes);
                using var target = archive.CreateEntry(entry.FullName, CompressionLevel.Fastest).Open();
                target.Write(bytes);
            }
        return output.ToArray();
    }

    /// <summary>The decompressed content of <paramref name="entryName"/>.</summary>
    public static byte[] Read(byte[] zip, string entryName)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return Read(archive.GetEntry(entryName) ?? throw new ArgumentException($"No entry '{entryName}'.", nameof(entryName)));
    }

    /// <summary>
    /// The model block of an ML.NET <c>Model.key</c> entry as (start, length): ML.NET's <c>ModelHeader</c> stores FpModel at
    /// 0x10 and CbModel at 0x18 (little-endian longs); what lies between is the transformer's own data.
    /// </summary>
    public static (long Start, long Length) ModelBlock(byte[] modelKey) => (BitConverter.ToInt64(modelKey, 0x10), BitConverter.ToInt64(modelKey, 0x18));

    /// <summary>The string characters block of a <c>Model.key</c> entry (FpStringChars at 0x30, CbStringChars at 0x38).</summary>
    public static (long Start, long Length) StringCharacters(byte[] modelKey) => (BitConverter.ToInt64(modelKey, 0x30), BitConverter.ToInt64(modelKey, 0x38));

    private static byte[] Read(ZipArchiveEntry entry)
    {
        using var source = entry.Open();
        using var buffer = new MemoryStream();
        source.CopyTo(buffer);
        return buffer.ToArray();
    }
}
