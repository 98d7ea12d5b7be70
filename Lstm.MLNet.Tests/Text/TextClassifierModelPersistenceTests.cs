using Lstm.MLNet.Model;
using Lstm.MLNet.Text;

namespace Lstm.MLNet.Tests.Text;

/// <summary>The text classifier's model object writes and reads its own state (vocabulary, weights) with no ML.NET type.</summary>
[TestClass]
public sealed class TextClassifierModelPersistenceTests
{
    private static readonly SequenceClassifierOptions Network = new() { EmbeddingSize = 6, HiddenSize = 5, Bidirectional = true, Seed = 4, NumberOfThreads = 1 };

    private static TextClassifierModel NewModel(int maxSequenceLength)
    {
        var tokenizer = WordTokenizer.FromVocabulary([WordTokenizer.PaddingToken, WordTokenizer.UnknownToken, "good", "bad", "film", "plot"]);
        return new TextClassifierModel(new SequenceClassifierNetwork(tokenizer.VocabularySize, 3, Network), tokenizer, maxSequenceLength);
    }

    private static byte[] Save(TextClassifierModel model, Action<BinaryWriter>? between = null)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            model.WriteVocabulary(w);
            between?.Invoke(w);
            model.WriteWeights(w);
        }
        return stream.ToArray();
    }

    [TestMethod]
    public void RoundTrip_PredictsBitIdentically_AndKeepsTheVocabularyAndLengthRule()
    {
        var model = NewModel(maxSequenceLength: 2);
        var r = new BinaryReader(new MemoryStream(Save(model, w => w.Write(42))));
        var vocabulary = TextClassifierModel.ReadVocabulary(r, binary: false, textInput: true);
        Assert.AreEqual(42, r.ReadInt32(), "The caller's fields between the vocabulary and the weights are where it wrote them.");
        var loaded = TextClassifierModel.ReadWeights(r, vocabulary, Network, maxSequenceLength: 2)();
        Assert.AreEqual(r.BaseStream.Length, r.BaseStream.Position);

        CollectionAssert.AreEqual(model.Tokenizer!.Vocabulary.ToArray(), loaded.Tokenizer!.Vocabulary.ToArray());
        Assert.AreEqual(3, loaded.NumberOfClasses);
        foreach (var text in new[] { "good film", "bad plot good", "", "unseen words here" })
        {
            CollectionAssert.AreEqual(model.Prepare(text).Tokens, loaded.Prepare(text).Tokens);
            var (expected, actual) = (model.CreatePredictor(), loaded.CreatePredictor());
            expected.Predict(model.Prepare(text));
            actual.Predict(loaded.Prepare(text));
            CollectionAssert.AreEqual(expected.Logits, actual.Logits, $"'{text}'");
        }
    }

    [TestMethod]
    public void ReadVocabulary_RejectsABinaryModelWithThreeClasses()
    {
        var r = new BinaryReader(new MemoryStream(Save(NewModel(0))));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextClassifierModel.ReadVocabulary(r, binary: true, textInput: true));
        StringAssert.Contains(e.Message, "3 classes for binary");
    }

    [TestMethod]
    public void ReadWeights_RejectsWeightsOfAnotherNetworkShape()
    {
        var r = new BinaryReader(new MemoryStream(Save(NewModel(0))));
        var vocabulary = TextClassifierModel.ReadVocabulary(r, binary: false, textInput: true);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextClassifierModel.ReadWeights(r, vocabulary, Network with { HiddenSize = 7 }, 0));
        StringAssert.Contains(e.Message, "the saved options imply");
    }
}
