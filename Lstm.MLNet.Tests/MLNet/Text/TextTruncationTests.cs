using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.Text;

/// <summary>MaxSequenceLength for texts: a long text predicts exactly as its first MaxSequenceLength tokens.</summary>
[TestClass]
public sealed class TextTruncationTests
{
    [TestMethod]
    public void LongText_PredictsExactlyAsItsFirstMaxSequenceLengthTokens()
    {
        var ml = new MLContext(seed: 1);
        var options = FastOptions.Create(epochs: 1);
        options.MaxSequenceLength = 5;
        var model = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(options).Fit(ml.Data.LoadFromEnumerable(SentimentData.Take(100)));

        var longTexts = SentimentData.Take(40, skip: 500).Select(r => r.Text).Where(t => t.Split(' ').Length > 8).ToArray();
        Assert.IsGreaterThan(5, longTexts.Length);
        // The tokenizer splits words and punctuation: cut the text after its fifth token.
        var truncated = longTexts.Select(t => string.Concat(model.Tokenizer!.EncodeToTokens(t, out _).Take(5).Select(token => token.Value + " "))).ToArray();
        float[] Scores(string[] texts) => model.Transform(ml.Data.LoadFromEnumerable(texts.Select(t => new SentimentRow { Text = t })))
            .GetColumn<float>("Score").ToArray();
        CollectionAssert.AreEqual(Scores(truncated), Scores(longTexts));
    }
}
