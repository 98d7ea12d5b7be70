using Lstm.MLNet.Text;

namespace Lstm.MLNet.Tests.Text;

[TestClass]
public sealed class WordTokenizerTests
{
    private static readonly string[] Texts = ["The movie was GREAT!", "the plot was great, the cast was not.", "Great", "", null!, "   "];

    [TestMethod]
    public void Vocabulary_IsOrderedByFrequencyThenOrdinal_WithReservedIds()
    {
        var tokenizer = WordTokenizer.Train(Texts, maxVocabularySize: 100, minTokenFrequency: 1);
        Assert.AreEqual(WordTokenizer.PaddingToken, tokenizer.Vocabulary[0]);
        Assert.AreEqual(WordTokenizer.UnknownToken, tokenizer.Vocabulary[1]);
        // great ×3, the ×3, was ×3 (ordinal among equals), then the singletons in ordinal order.
        CollectionAssert.AreEqual(new[] { "great", "the", "was", "!", ",", ".", "cast", "movie", "not", "plot" }, tokenizer.Vocabulary.Skip(2).ToArray());
    }

    [TestMethod]
    public void MinFrequencyAndMaxSize_Limit_TheVocabulary_UnknownsMapToOne()
    {
        var tokenizer = WordTokenizer.Train(Texts, maxVocabularySize: 4, minTokenFrequency: 2);
        Assert.AreEqual(4, tokenizer.VocabularySize);
        CollectionAssert.AreEqual(new[] { 2, 1, 3, 1 }, tokenizer.Encode("Great plot the movie"));
        CollectionAssert.AreEqual(new[] { 2, 1 }, tokenizer.Encode("Great plot the movie", maxTokens: 2));
        Assert.IsEmpty(tokenizer.Encode("  "));
        Assert.IsEmpty(tokenizer.Encode(null));
    }

    [TestMethod]
    public void TokenizerApi_EncodesLikeTheFastPath_AndRoundTripsItsVocabulary()
    {
        var tokenizer = WordTokenizer.Train(Texts, minTokenFrequency: 1);
        const string text = "The cast was GREAT, really!";
        CollectionAssert.AreEqual(tokenizer.Encode(text), tokenizer.EncodeToIds(text).ToArray());
        Assert.AreEqual(7, tokenizer.CountTokens(text));
        Assert.AreEqual("the cast was great , <unk> !", tokenizer.Decode(tokenizer.EncodeToIds(text)));
        using var stream = new MemoryStream();
        tokenizer.Write(new BinaryWriter(stream));
        stream.Position = 0;
        var copy = WordTokenizer.Read(new BinaryReader(stream));
        CollectionAssert.AreEqual(tokenizer.Vocabulary.ToArray(), copy.Vocabulary.ToArray());
    }

    [TestMethod]
    public void MalformedSavedVocabulary_GivesInvalidDataException()
    {
        using var stream = new MemoryStream();
        var writer = new BinaryWriter(stream);
        writer.Write(3); writer.Write("<pad>"); writer.Write("<unk>"); writer.Write("");
        stream.Position = 0;
        Assert.ThrowsExactly<InvalidDataException>(() => WordTokenizer.Read(new BinaryReader(stream)));
    }
}
