using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lstm.MLNet.Tests.MLNet.Onnx;

/// <summary>README's deployment path: export with a text-only schema, then predict with ONNX Runtime's InferenceSession alone.</summary>
[TestClass]
public sealed class OnnxRuntimeDeploymentTests
{
    public sealed class TextOnly
    {
        public string Text { get; set; } = "";
    }

    [TestMethod]
    public void InferenceSession_WithTheTextAlone_GivesTheLibrarysProbabilities()
    {
        var ml = new MLContext(1);
        var model = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(FastOptions.Create(epochs: 1))
            .Fit(ml.Data.LoadFromEnumerable(SentimentData.Take(200)));
        string path = Path.Combine(Path.GetTempPath(), $"lstm-deploy-{Guid.NewGuid():N}.onnx");
        try
        {
            var schemaOnly = ml.Data.LoadFromEnumerable(new[] { new TextOnly() });
            using (var file = File.Create(path)) ml.Model.ConvertToOnnx(model, schemaOnly, file);

            using var session = new InferenceSession(path);
            Assert.AreEqual("Text", session.InputMetadata.Keys.Single(), "the graph's only input is the text");
            foreach (string sentence in new[] { "Great phone, the battery lasts all day!", "", "Worst. Purchase. Ever." }.Concat(SentimentData.Take(5, skip: 2500).Select(r => r.Text)))
            {
                var text = new DenseTensor<string>(new[] { sentence }, new[] { 1, 1 });
                using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("Text", text) });
                float probability = results.First(r => r.Name == "Probability.output").AsTensor<float>()[0, 0];
                bool positive = results.First(r => r.Name == "PredictedLabel.output").AsTensor<bool>()[0, 0];
                float expected = model.PredictProbabilities(sentence)[1];
                Assert.AreEqual(expected, probability, OnnxRoundTrip.Tolerance, $"'{sentence}'");
                Assert.AreEqual(expected > 0.5f, positive, $"'{sentence}'");
            }

            // A batch of rows of different lengths (one empty) in one run: each row as if alone.
            string[] batch = ["Not good at all, I returned it the next day.", "", "Loved it!"];
            using var batched = session.Run(new[] { NamedOnnxValue.CreateFromTensor("Text", new DenseTensor<string>(batch, new[] { batch.Length, 1 })) });
            var probabilities = batched.First(r => r.Name == "Probability.output").AsTensor<float>();
            for (int row = 0; row < batch.Length; row++)
                Assert.AreEqual(model.PredictProbabilities(batch[row])[1], probabilities[row, 0], OnnxRoundTrip.Tolerance, $"batch row {row}");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
