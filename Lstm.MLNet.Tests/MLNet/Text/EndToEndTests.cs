using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.Text;

/// <summary>The whole path a user takes: catalog → Fit → Evaluate → Save → Load (fresh process) → PredictionEngine.</summary>
[TestClass]
public sealed class EndToEndTests
{
    [TestMethod]
    public void BinaryCatalog_TrainsEvaluatesSavesAndLoadsInAFreshProcess_BitIdentically()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(SentimentData.Take(600));
        var test = ml.Data.LoadFromEnumerable(SentimentData.Take(200, skip: 2000));
        var options = FastOptions.Create(epochs: 3);
        options.ValidationFraction = 0.1;
        var model = ml.BinaryClassification.Trainers.LstmText(options).Fit(train);

        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
        Assert.IsGreaterThan(0.6, metrics.AreaUnderRocCurve, $"AUC {metrics.AreaUnderRocCurve:F3} shows no learning.");

        string directory = Path.Combine(Path.GetTempPath(), "lstm-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string path = Path.Combine(directory, "model.zip");
            ml.Model.Save(model, train.Schema, path);
            string[] texts = ["This is great, I love it!", "Terrible. Would not buy again.", "", "   ", "zzzz unseenword qqqq", SentimentData.Rows[2500].Text];
            var here = ChildProcessEntryPoint.Predict(ml, model, texts).ToArray();
            var inFreshProcess = ChildProcessEntryPoint.Run(path, texts, TimeSpan.FromMinutes(2));
            CollectionAssert.AreEqual(here, inFreshProcess, "The model loaded in a fresh process predicts differently.");
            foreach (var line in here)
            {
                var parts = line.Split(' ');
                Assert.AreEqual(parts[0], parts[2], "PredictionEngine and Transform give different scores.");
                Assert.AreEqual(parts[1], parts[3], "PredictionEngine and Transform give different probabilities.");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
