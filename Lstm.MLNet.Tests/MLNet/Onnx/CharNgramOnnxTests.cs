using Lstm.MLNet.Tests.TestSupport;
using Lstm.MLNet.Text;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lstm.MLNet.Tests.MLNet.Onnx;

/// <summary>
/// The wide path's character n-grams through <c>ml.Model.ConvertToOnnx</c>: at the shortest and the longest n-gram length a
/// model may ask for, ONNX Runtime gives the library's scores within 1e-5 on words the vocabulary has never seen, accented,
/// Greek and CJK letters (2- and 3-byte UTF-8: the longest n-grams then span four 32-bit hash blocks), long and one-letter
/// tokens, and batches where no row has a token.
/// </summary>
[TestClass]
public sealed class CharNgramOnnxTests
{
    private static readonly string[] Edges =
    [
        "", "   ", "a", "Gorgeously unwatchable, unforgettably gorgeous!", "supercalifragilisticexpialidocious antidisestablishmentarianism",
        "CAFÉ crème brûlée, NAÏVE façade", "ΚΑΛΟ προϊόν, πολύ καλό", "日本語のレビュー、最高です", "Straße ÆRØ ĳssel ǅemal", "x y z 1 22 333 4444 55555",
        "👍 great 👍", "it's -- \"quoted\" (parenthesised) [bracketed] … done", "ÉÉÉÉÉ ééééé ééé",
    ];

    [TestMethod]
    [DataRow(CharNgramHasher.MinLength)]
    [DataRow(CharNgramHasher.MaxSupportedLength)]
    public void CharNgrams_ExportExactly_AtEveryNgramLengthBound(int charNgramLength)
    {
        var ml = new MLContext(1);
        var options = FastOptions.Create(epochs: 1);
        options.MaxSequenceLength = 24;
        options.CharNgramLength = charNgramLength;
        var model = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(options).Fit(ml.Data.LoadFromEnumerable(SentimentData.Take(300)));
        Assert.AreEqual(charNgramLength, model.Options.CharNgramLength);

        var rows = SentimentData.Take(20, skip: 2300).Concat(Edges.Select(text => new SentimentRow { Text = text }))
            .Append(new SentimentRow { Text = string.Join(" ", SentimentData.Take(6, skip: 2400).Select(r => r.Text)) })   // past the length cap
            .ToArray();
        Assert.HasCount(34, rows, "20 sentences, the edge cases, one text past the cap");
        Console.WriteLine($"CharNgramLength {charNgramLength}:");
        OnnxRoundTrip.AssertBinaryColumnsEqual(ml, model, ml.Data.LoadFromEnumerable(rows));
    }

    [TestMethod]
    public void OneRunOverABatch_ScoresEachRowAsTheLibraryDoes_EvenWithoutAnyToken()
    {
        var ml = new MLContext(1);
        var model = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(FastOptions.Create(epochs: 1))
            .Fit(ml.Data.LoadFromEnumerable(SentimentData.Take(200)));
        Assert.AreEqual(LstmOptions.DefaultCharNgramLength, model.Options.CharNgramLength, "character n-grams are on by default");
        string path = Path.Combine(Path.GetTempPath(), $"lstm-charngrams-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var file = File.Create(path)) ml.Model.ConvertToOnnx(model, ml.Data.LoadFromEnumerable(new[] { new OnnxRuntimeDeploymentTests.TextOnly() }), file);
            using var session = new InferenceSession(path);
            // One run sums each row's n-grams out of the whole batch's: token-less batches, and 64 sentences with empty rows between.
            string[] many = [.. SentimentData.Take(60, skip: 2600).Select(r => r.Text), "", "Ünïcödé wörds", "   ", "日本語"];
            foreach (string[] batch in new[] { new[] { "" }, new[] { "", "  ", "?!" }, new[] { "  ", "Ünïcödé wörds", "" }, many })
            {
                using var results = session.Run([NamedOnnxValue.CreateFromTensor("Text", new DenseTensor<string>(batch, [batch.Length, 1]))]);
                var probabilities = results.First(r => r.Name == "Probability.output").AsTensor<float>();
                for (int row = 0; row < batch.Length; row++)
                    Assert.AreEqual(model.PredictProbabilities(batch[row])[1], probabilities[row, 0], OnnxRoundTrip.Tolerance, $"[{string.Join("|", batch)}] row {row}");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
