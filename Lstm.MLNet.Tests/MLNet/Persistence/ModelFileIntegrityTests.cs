using System.Buffers.Binary;
using System.Reflection;
using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet.Persistence;

/// <summary>
/// Model format v2 verifies itself: a damaged or crafted Lstm.MLNet stream fails to load with an
/// <see cref="InvalidDataException"/> (reaching the caller inside ML.NET's <see cref="TargetInvocationException"/>),
/// before anything much is allocated; a damaged zip container gives ML.NET's <see cref="FormatException"/>.
/// </summary>
[TestClass]
public sealed class ModelFileIntegrityTests
{
    /// <summary>Each v1 fixture, loaded and saved again: the same model in format v2.</summary>
    private static byte[] SavedV2(string fixture)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(ModelFixtures.PathOf(fixture, ".zip"), out var schema);
        using var stream = new MemoryStream();
        ml.Model.Save(model, schema, stream);
        return stream.ToArray();
    }

    private static Exception LoadFails(byte[] zip) =>
        Assert.Throws<Exception>(() => new MLContext(seed: 1).Model.Load(new MemoryStream(zip), out _));

    /// <summary>
    /// What a user of ml.Model.Load gets for a damaged Lstm.MLNet stream: ML.NET's reflection wrapper around ours (one
    /// more per enclosing loader: a TransformerChain adds one).
    /// </summary>
    private static InvalidDataException OurException(Exception e)
    {
        Assert.IsInstanceOfType<TargetInvocationException>(e, $"{e.GetType().Name}: {e.Message}");
        var inner = e;
        while (inner is TargetInvocationException { InnerException: { } next }) inner = next;
        return Assert.IsInstanceOfType<InvalidDataException>(inner, $"{inner.GetType().Name}: {inner.Message}");
    }

    [TestMethod]
    [DataRow("binary")]
    [DataRow("multiclass")]
    [DataRow("regressor")]
    [DataRow("forecaster")]
    public void V2Model_RoundTrips_WithTheFixturesPredictions(string fixture)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(new MemoryStream(SavedV2(fixture)), out _);
        var inputs = File.ReadAllLines(ModelFixtures.PathOf(fixture, ".inputs.txt"));
        CollectionAssert.AreEqual(File.ReadAllLines(ModelFixtures.PathOf(fixture, ".predictions.txt")), ModelFixtures.Predict(fixture, ml, model, inputs));
    }

    [TestMethod]
    [DataRow("binary")]
    [DataRow("multiclass")]
    [DataRow("regressor")]
    [DataRow("forecaster")]
    public void FlippedBits_AnywhereInTheStream_AreRejected(string fixture)
    {
        var saved = new SavedModelStream(SavedV2(fixture));
        var random = new Random(12);
        for (int trial = 0; trial < 40; trial++)
        {
            var damaged = new SavedModelStream(saved.ToZip());
            int offset = damaged.Start + random.Next(damaged.End - damaged.Start);
            damaged.Entry[offset] ^= (byte)(1 << random.Next(8));
            var e = OurException(LoadFails(damaged.ToZip()));
            StringAssert.Contains(e.Message, fixture == "forecaster" ? "LSTM forecaster" : fixture == "regressor" ? "LSTM sequence regressor" : "LSTM text classifier");
        }
    }

    [TestMethod]
    public void FlippedTaskByte_IsRejected_WithOrWithoutAValidHash()
    {
        var stream = new SavedModelStream(SavedV2("binary"));
        stream.Entry[stream.KindOffset] = 2;                       // marked multiclass
        StringAssert.Contains(OurException(LoadFails(stream.ToZip())).Message, "checksum");
        stream.Reseal();
        StringAssert.Contains(OurException(LoadFails(stream.ToZip())).Message, "task byte mismatch");

        var payloadTask = new SavedModelStream(SavedV2("binary"));
        payloadTask.Entry[payloadTask.PayloadOffset] = (byte)LstmTask.MulticlassClassification;
        payloadTask.Reseal();
        StringAssert.Contains(OurException(LoadFails(payloadTask.ToZip())).Message, "task byte mismatch");
    }

    [TestMethod]
    public void V2Stream_WhoseHeaderVersionIsDamagedIntoV1_IsRejected()
    {
        var stream = new SavedModelStream(SavedV2("regressor"));
        // ML.NET's model header (before our stream) records the model signature, then the versions written and readable.
        int signature = stream.Entry.AsSpan(0, stream.Start).IndexOf("LSTMSEQR"u8);
        Assert.IsGreaterThanOrEqualTo(0, signature, "the header's model signature");
        Assert.AreEqual(0x00020001u, BinaryPrimitives.ReadUInt32LittleEndian(stream.Entry.AsSpan(signature + 8)));
        BinaryPrimitives.WriteUInt32LittleEndian(stream.Entry.AsSpan(signature + 8), 0x00010001);   // written: format v1
        BinaryPrimitives.WriteUInt32LittleEndian(stream.Entry.AsSpan(signature + 12), 0x00010001);  // readable: format v1
        StringAssert.Contains(OurException(LoadFails(stream.ToZip())).Message, "header is damaged");
    }

    [TestMethod]
    public void CraftedHugeSizes_WithAValidHash_AreRejectedBeforeAllocating()
    {
        var original = SavedV2("binary");
        LoadFails(Craft(original, s => { }, corrupt: true));   // warm-up: ML.NET's first load registers the assembly

        long Allocated(byte[] zip)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { new MLContext(seed: 1).Model.Load(new MemoryStream(zip), out _); } catch (TargetInvocationException) { }
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        long normal = Allocated(original);

        // HiddenSize (after the task/input-kind bytes, five column names and EmbeddingSize) set to 2^30 + 16: 4·H·H wraps in int.
        var hugeHidden = Craft(original, s => BinaryPrimitives.WriteInt32LittleEndian(s.Entry.AsSpan(HiddenSizeOffset(s)), (1 << 30) + 16));
        // The embedding tensor's declared length set to 2^28 floats (1 GiB).
        var hugeTensor = Craft(original, s => BinaryPrimitives.WriteInt32LittleEndian(s.Entry.AsSpan(s.Find("embedding.weight") + "embedding.weight".Length), 1 << 28));
        // The vocabulary size set to 2^28 tokens.
        var hugeVocabulary = Craft(original, s => BinaryPrimitives.WriteInt32LittleEndian(s.Entry.AsSpan(s.Find("<pad>") - 1 - 4 - 4), 1 << 28));
        foreach (var (name, zip) in new[] { ("HiddenSize", hugeHidden), ("tensor length", hugeTensor), ("vocabulary", hugeVocabulary) })
        {
            OurException(LoadFails(zip));
            long allocated = Allocated(zip);
            Console.WriteLine($"{name}: the failed load allocated {allocated / 1024} KB; a normal load {normal / 1024} KB.");
            Assert.IsLessThan(normal + (1 << 20), allocated, $"A crafted {name} must fail before allocating for it.");
        }
    }

    /// <summary>The zip with its stream edited by <paramref name="edit"/> and resealed (or, with <paramref name="corrupt"/>, one payload byte flipped).</summary>
    private static byte[] Craft(byte[] zip, Action<SavedModelStream> edit, bool corrupt = false)
    {
        var stream = new SavedModelStream(zip);
        edit(stream);
        if (corrupt) stream.Entry[stream.PayloadOffset + 3] ^= 1;
        else stream.Reseal();
        return stream.ToZip();
    }

    private static int HiddenSizeOffset(SavedModelStream s)
    {
        using var reader = new BinaryReader(new MemoryStream(s.Entry, s.PayloadOffset, s.PayloadLength));
        reader.ReadByte(); reader.ReadByte();
        for (int i = 0; i < 5; i++) reader.ReadString();
        reader.ReadInt32();                                      // EmbeddingSize
        return s.PayloadOffset + (int)reader.BaseStream.Position;
    }

    [TestMethod]
    public void TruncatedZip_GivesMLNetsFormatException_WithTheZipsInvalidDataExceptionInside()
    {
        var zip = SavedV2("binary");
        foreach (int length in new[] { 0, 10, zip.Length / 4, zip.Length / 2, zip.Length - 1 })
        {
            var e = LoadFails(zip[..length]);
            Assert.IsInstanceOfType<FormatException>(e, $"truncated to {length}: {e.GetType().Name}: {e.Message}");
            if (length > 0) Assert.IsInstanceOfType<InvalidDataException>(e.InnerException, $"truncated to {length}: {e.InnerException?.GetType().Name}");
        }
    }
}
