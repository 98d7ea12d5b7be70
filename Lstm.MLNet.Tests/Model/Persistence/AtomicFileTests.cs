using Lstm.MLNet.Model.Persistence;

namespace Lstm.MLNet.Tests.Model.Persistence;

/// <summary>A write that fails part-way leaves the previous file intact and no temporary file behind.</summary>
[TestClass]
public sealed class AtomicFileTests
{
    /// <summary>A stream that throws <see cref="IOException"/> (as a full disk does) once <paramref name="limit"/> bytes were written.</summary>
    internal sealed class FailingStream(Stream inner, long limit) : DelegatingStream(inner)
    {
        private long _written;
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            long room = limit - _written;
            if (buffer.Length > room)
            {
                Inner.Write(buffer[..(int)Math.Max(0, room)]);
                _written = limit;
                throw new IOException("No space left on device (simulated).");
            }
            Inner.Write(buffer);
            _written += buffer.Length;
        }
    }

    private static string NewFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "lstm-atomic-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    [TestMethod]
    public void AFailedWrite_LeavesThePreviousFileAndNoTemporaryFile()
    {
        string folder = NewFolder();
        try
        {
            string path = Path.Combine(folder, "leaderboard.csv");
            AtomicFile.WriteAllText(path, "old content");
            var bytes = new byte[10_000];
            new Random(1).NextBytes(bytes);
            Assert.ThrowsExactly<IOException>(() => AtomicFile.Write(path, s => s.Write(bytes), s => new FailingStream(s, 4096)));
            Assert.AreEqual("old content", File.ReadAllText(path));
            Assert.ThrowsExactly<InvalidOperationException>(() => AtomicFile.Write(path, _ => throw new InvalidOperationException("writer failed")));
            Assert.AreEqual("old content", File.ReadAllText(path));
            CollectionAssert.AreEqual(new[] { "leaderboard.csv" }, Directory.GetFiles(folder).Select(Path.GetFileName).ToArray(), "no temporary file is left");

            AtomicFile.Write(path, s => s.Write(bytes));
            CollectionAssert.AreEqual(bytes, File.ReadAllBytes(path));
            CollectionAssert.AreEqual(new[] { "leaderboard.csv" }, Directory.GetFiles(folder).Select(Path.GetFileName).ToArray());
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [TestMethod]
    public void AWriterThatDisposesTheStream_StillGetsItsBytesFlushedAndRenamed()
    {
        string folder = NewFolder();
        try
        {
            string path = Path.Combine(folder, "model.zip");
            AtomicFile.Write(path, s => { using (s) s.Write([1, 2, 3]); });
            CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
