using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.Text;

/// <summary>Calibrated probabilities: a temperature fitted on the validation rows, applied to every output, saved with the model.</summary>
[TestClass]
public sealed class CalibrationTests
{
    private static float[] Column(ITransformer model, IDataView data, string name) => model.Transform(data).GetColumn<float>(name).ToArray();

    [TestMethod]
    public void BinaryModel_DividesItsMarginByTheFittedTemperature_AndKeepsItAcrossSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SentimentData.Take(200));
        var calibrated = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(FastOptions.Create(epochs: 2)).Fit(data);
        var rawOptions = FastOptions.Create(epochs: 2);
        rawOptions.Calibrate = false;
        var raw = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(rawOptions).Fit(data);
        Assert.AreEqual(1f, raw.Temperature);
        Assert.IsTrue(calibrated.Options.Calibrate);
        Assert.AreNotEqual(1f, calibrated.Temperature, "200 noisy rows after 2 epochs leave a temperature to fit.");

        // Same seed, same training: only the temperature differs, so Score is the raw margin divided by T.
        var probe = ml.Data.LoadFromEnumerable(SentimentData.Take(30, skip: 400));
        float[] rawScores = Column(raw, probe, "Score"), scores = Column(calibrated, probe, "Score"), probabilities = Column(calibrated, probe, "Probability");
        for (int i = 0; i < scores.Length; i++)
        {
            Assert.AreEqual(rawScores[i] / calibrated.Temperature, scores[i], 1e-4f * Math.Max(1f, Math.Abs(scores[i])));
            Assert.AreEqual(1f / (1f + MathF.Exp(-scores[i])), probabilities[i], 1e-5f);
        }

        using var stream = new MemoryStream();
        ml.Model.Save(calibrated, data.Schema, stream);
        var loaded = (LstmTextClassificationTransformer)new MLContext().Model.Load(new MemoryStream(stream.ToArray()), out _);
        Assert.AreEqual(calibrated.Temperature, loaded.Temperature);
        CollectionAssert.AreEqual(scores, Column(loaded, probe, "Score"));
    }

    [TestMethod]
    public void NoValidationRows_KeepTemperatureOne()
    {
        var ml = new MLContext(seed: 1);
        var options = FastOptions.Create(epochs: 1);
        options.ValidationFraction = 0;
        var model = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(options).Fit(ml.Data.LoadFromEnumerable(SentimentData.Take(80)));
        Assert.AreEqual(1f, model.Temperature);
    }
}
