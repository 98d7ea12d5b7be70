using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet.Persistence;

/// <summary>
/// Format v3: the text classifier's payload gained int CharNgramLength (after NgramBuckets); nothing else changed but
/// the envelope's version. v2 files still load: the fixtures under <c>TestData/v2-models/</c> were trained and saved by
/// the code of format v2 (commit 097de83, <see cref="ModelFixtures.Train"/>: wide path and calibration on), their
/// predictions recorded then, bit for bit.
/// </summary>
[TestClass]
public sealed class FormatV3Tests
{
    private static string V2PathOf(string name, string extension) => Path.Combine(AppContext.BaseDirectory, "TestData", "v2-models", name + extension);

    [TestMethod]
    [DataRow("binary")]
    [DataRow("multiclass")]
    public void V2Model_Loads_AndPredictsAsWhenItWasSaved(string name)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(V2PathOf(name, ".zip"), out _);
        var inputs = File.ReadAllLines(V2PathOf(name, ".inputs.txt"));
        var expected = File.ReadAllLines(V2PathOf(name, ".predictions.txt"));
        CollectionAssert.AreEqual(expected, ModelFixtures.Predict(name, ml, model, inputs), $"The {name} v2 fixture's predictions changed.");
        var classifier = model as LstmTextClassificationTransformer
                         ?? ((IEnumerable<ITransformer>)model).OfType<LstmTextClassificationTransformer>().Single();
        Assert.AreEqual(3, classifier.Options.NgramLength, "a v2 model keeps its wide path");
        Assert.AreEqual(0, classifier.Options.CharNgramLength, "v2 had no character n-grams");
    }

    /// <summary>
    /// Each v1 fixture re-saved now, with the version set back to 2 and (text classifiers) the CharNgramLength int taken
    /// out, is byte for byte the v2 stream format v2 wrote (the SHA-256 pins v2's SavedLayoutTests recorded).
    /// </summary>
    [TestMethod]
    [DataRow("binary", true, "9D098B22BD2FEA190EB691633D5E9DEF996FC4B912636869700E88728B621074")]
    [DataRow("multiclass", true, "154C3D79CCA3833766E914F8EFF98BDE31B40AF0A1D9D05A20895ACA81293F3B")]
    [DataRow("regressor", false, "979EED3B210BCD0CB8B9E492C316EDBA0F8588472D9EACBFFC62D9009F31A3D1")]
    [DataRow("forecaster", false, "61D5347DE200B8955946BA0E9DB74E5C58A355DC4AEA8924EAEB38B163A8066B")]
    public void V3Stream_IsTheV2StreamWithTheCharacterNgramLengthAdded(string fixture, bool textClassifier, string v2Sha256)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(ModelFixtures.PathOf(fixture, ".zip"), out var schema);
        using var zip = new MemoryStream();
        ml.Model.Save(model, schema, zip);
        var stream = new SavedModelStream(zip.ToArray());
        Assert.AreEqual(4, BinaryPrimitives.ReadInt32LittleEndian(stream.Entry.AsSpan(stream.Start + 8)), "the version written (v4 changed only the global forecaster)");
        var payload = stream.Entry.AsSpan(stream.PayloadOffset, stream.PayloadLength).ToArray();
        if (textClassifier)
        {
            int at = CharNgramLengthOffset(payload);
            Assert.AreEqual(0, BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(at)), "a v1 fixture has no character n-grams");
            payload = [.. payload[..at], .. payload[(at + 4)..]];
        }
        var header = stream.Entry.AsSpan(stream.Start, 21).ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), 2);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(13), payload.Length);
        byte[] v2 = [.. header, .. payload, .. XxHash128.Hash([.. header, .. payload])];
        Assert.AreEqual(v2Sha256, Convert.ToHexString(SHA256.HashData(v2)));
    }

    /// <summary>Where the text payload's CharNgramLength sits: after task, input kind, 5 column names, the options, NgramLength and NgramBuckets.</summary>
    private static int CharNgramLengthOffset(byte[] payload)
    {
        using var r = new BinaryReader(new MemoryStream(payload));
        r.ReadByte(); r.ReadByte();
        for (int i = 0; i < 5; i++) r.ReadString();
        LstmModelFormat.ReadOptions(r);
        r.ReadInt32(); r.ReadInt32();
        return (int)r.BaseStream.Position;
    }
}
