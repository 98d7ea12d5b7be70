using System.Security.Cryptography;
using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet.Persistence;

/// <summary>
/// The v2 stream a model writes is pinned: each v1 fixture, loaded and saved again, gives a stream (marker to hash, the
/// fixture's own training history and weights) whose SHA-256 is recorded here (the hashes of the streams the code before that move wrote, checked identical), so moving who writes which field (the
/// model objects, the transformer base) cannot change a byte of the format unnoticed.
/// </summary>
[TestClass]
public sealed class SavedLayoutTests
{
    [TestMethod]
    [DataRow("binary", "CD395ED6A406E3E14ED854B187486A3AD215F6C441690078D067C6DECD6C3711")]
    [DataRow("multiclass", "FB6779B0630DB21837D51E7A6908749201845914A92B2B78395413684BA320F5")]
    [DataRow("regressor", "979EED3B210BCD0CB8B9E492C316EDBA0F8588472D9EACBFFC62D9009F31A3D1")]
    [DataRow("forecaster", "61D5347DE200B8955946BA0E9DB74E5C58A355DC4AEA8924EAEB38B163A8066B")]
    public void ResavedFixture_WritesTheRecordedV2Stream(string fixture, string expectedSha256)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(ModelFixtures.PathOf(fixture, ".zip"), out var schema);
        using var zip = new MemoryStream();
        ml.Model.Save(model, schema, zip);
        var stream = new SavedModelStream(zip.ToArray());
        var envelope = stream.Entry.AsSpan(stream.Start..stream.End);
        Assert.AreEqual(expectedSha256, Convert.ToHexString(SHA256.HashData(envelope)), $"The {fixture} model's v2 stream changed.");
    }
}
