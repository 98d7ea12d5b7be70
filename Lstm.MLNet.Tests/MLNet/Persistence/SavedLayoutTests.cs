using System.Security.Cryptography;
using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet.Persistence;

/// <summary>
/// The v2 stream a model writes is pinned: each v1 fixture, loaded and saved again, gives a stream (marker to hash, the
/// fixture's own training history and weights) whose SHA-256 is recorded here (the hashes of the streams the code before that move wrote, checked identical), so moving who writes which field (the
/// model objects, the transformer base) cannot change a byte of the format unnoticed. The text classifiers' pins were
/// changed deliberately when v2's text payload gained the wide path (int NgramLength, int NgramBuckets after the
/// options; a v1 fixture re-saves them as 0, 0) and calibration (bool Calibrate, float temperature; v1: false, 1).
/// </summary>
[TestClass]
public sealed class SavedLayoutTests
{
    [TestMethod]
    [DataRow("binary", "9D098B22BD2FEA190EB691633D5E9DEF996FC4B912636869700E88728B621074")]
    [DataRow("multiclass", "154C3D79CCA3833766E914F8EFF98BDE31B40AF0A1D9D05A20895ACA81293F3B")]
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
