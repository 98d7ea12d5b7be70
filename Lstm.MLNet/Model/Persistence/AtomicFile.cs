namespace Lstm.MLNet.Model.Persistence;

/// <summary>
/// Replaces a file all at once: the content goes to a temporary file in the same folder, is flushed to disk, and
/// only then is renamed over the target (a rename within one folder is atomic on the file systems .NET supports).
/// A write that fails part-way (a full disk, an exception from the writer, a killed process) leaves the previous
/// file as it was and removes the temporary one, so a checkpoint is never half old, half new.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>, atomically.</summary>
    public static void Write(string path, Action<Stream> write) => Write(path, write, decorate: null);

    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/>, atomically.</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(text);
        });
    }

    /// <summary>
    /// As <see cref="Write(string, Action{Stream})"/>; <paramref name="decorate"/> wraps the stream the writer sees
    /// (tests inject a write that fails after N bytes).
    /// </summary>
    internal static void Write(string path, Action<Stream> write, Func<Stream, Stream>? decorate)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string target = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        // Same folder: the rename stays on one file system, so it is atomic; the dot and the suffix keep it out of globs.
        string temporary = Path.Combine(folder, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
            {
                var view = new KeepOpenStream(file);
                write(decorate is null ? view : decorate(view));
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            try { File.Delete(temporary); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>The file stream as the writer sees it: disposing it (as ML.NET's saver may) leaves the file open for the flush.</summary>
    private sealed class KeepOpenStream(Stream inner) : DelegatingStream(inner)
    {
        protected override void Dispose(bool disposing) => Inner.Flush();
    }
}
