using Lstm.MLNet.Model;
using Lstm.MLNet.TimeSeries;

namespace Lstm.MLNet.Tests.TimeSeries;

/// <summary>The sequence regressor's model object writes and reads its own state (scalers, weights) with no ML.NET type.</summary>
[TestClass]
public sealed class SequenceRegressorModelPersistenceTests
{
    private static readonly SequenceRegressorOptions Network = new() { HiddenSize = 5, NumberOfLayers = 2, Outputs = 2, Seed = 4, NumberOfThreads = 1 };

    private static byte[] Save(SequenceRegressorModel model)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            model.WriteScalers(w);
            model.WriteWeights(w);
        }
        return stream.ToArray();
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void RoundTrip_PredictsBitIdentically(bool standardized)
    {
        var model = new SequenceRegressorModel(new SequenceRegressorNetwork(3, Network),
            standardized ? new Standardizer([1f, -2f, 0.5f], [2f, 0.25f, 1f]) : null,
            standardized ? new Standardizer([10f, 20f], [3f, 4f]) : null, maxSequenceLength: 4);
        var r = new BinaryReader(new MemoryStream(Save(model)));
        var scalers = SequenceRegressorModel.ReadScalers(r, standardized, featuresPerStep: 3, outputs: 2);
        var loaded = SequenceRegressorModel.ReadWeights(r, 3, Network, scalers, maxSequenceLength: 4);
        Assert.AreEqual(r.BaseStream.Length, r.BaseStream.Position);

        var row = Enumerable.Range(0, 3 * 6).Select(i => MathF.Sin(i * 0.7f) * 3f).ToArray();
        float[] expected = new float[2], actual = new float[2];
        model.CreatePredictor().Predict(row, expected);
        loaded.CreatePredictor().Predict(row, actual);
        CollectionAssert.AreEqual(expected, actual);
        CollectionAssert.AreEqual(model.Prepare(row), loaded.Prepare(row));
    }

    [TestMethod]
    public void ReadScalers_RejectsAScalerOfTheWrongWidth()
    {
        var model = new SequenceRegressorModel(new SequenceRegressorNetwork(3, Network),
            new Standardizer([0f, 0f, 0f], [1f, 1f, 1f]), new Standardizer([0f, 0f], [1f, 1f]), 0);
        var r = new BinaryReader(new MemoryStream(Save(model)));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => SequenceRegressorModel.ReadScalers(r, true, featuresPerStep: 4, outputs: 2));
        StringAssert.Contains(e.Message, "input standardisation has 3/3 values; 4 expected");
    }
}
