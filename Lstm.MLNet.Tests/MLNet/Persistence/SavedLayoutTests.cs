using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet.Persistence;

/// <summary>
/// The v2 stream a model writes is pinned: each v1 fixture, loaded and saved again, gives a stream (marker to hash, the
/// fixture's own training history and weights) whose SHA-256 is recorded here (the hashes of the streams the code before that move wrote, checked identical), so moving who writes which field (the
/// model objects, the transformer base) cannot change a byte of the format unnoticed. The text classifiers' pins were
/// changed deliberately when v2's text payload gained the wide path (int NgramLength, int NgramBuckets after the
/// options; a v1 fixture re-saves them as 0, 0) and calibration (bool Calibrate, float temperature; v1: false, 1), and
/// again for format v3 (every model: the envelope's version 3; text classifiers: int CharNgramLength after NgramBuckets,
/// 0 for a v1 fixture). <see cref="FormatV3Tests"/> checks that these v3 streams, with the version set back to 2 and that
/// int taken out, are exactly the v2 pins. Format v4 changed only the global forecaster's payload (<see cref="FormatV4Tests"/>):
/// these models' v4 streams, with the version set back to 3, are the v3 pins.
/// </summary>
[TestClass]
public sealed class SavedLayoutTests
{
    [TestMethod]
    [DataRow("binary", "0A643FFE0F4B12F1A69004F6C953C5D4A26559C90741C69883540AFDAECB53DB")]
    [DataRow("multiclass", "33BAED5091CEE29A2E29E502CE0EE9D455CC2C1EB70C86ACBC61CEA6704A88DB")]
    [DataRow("regressor", "C29E7D474F008353CC02A11341D839C394F3BB3713395551FF49720420A248EA")]
    [DataRow("forecaster", "48114CD2A1DF049A47F822C74C421DBF6549E4C8AFF7B58829F108157C973ECB")]
    public void ResavedFixture_WritesTheRecordedStream(string fixture, string expectedSha256)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(ModelFixtures.PathOf(fixture, ".zip"), out var schema);
        using var zip = new MemoryStream();
        ml.Model.Save(model, schema, zip);
        var stream = new SavedModelStream(zip.ToArray());
        Assert.AreEqual(4, BinaryPrimitives.ReadInt32LittleEndian(stream.Entry.AsSpan(stream.Start + 8)), "the version written");
        var header = stream.Entry.AsSpan(stream.Start, 21).ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), 3);
        var payload = stream.Entry.AsSpan(stream.PayloadOffset, stream.PayloadLength).ToArray();
        byte[] v3 = [.. header, .. payload, .. XxHash128.Hash([.. header, .. payload])];
        Assert.AreEqual(expectedSha256, Convert.ToHexString(SHA256.HashData(v3)), $"The {fixture} model's v3 stream changed.");
    }
}
