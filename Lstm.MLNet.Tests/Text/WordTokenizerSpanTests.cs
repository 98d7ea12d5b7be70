using Lstm.MLNet.Tests.TestSupport;
using Lstm.MLNet.Text;

namespace Lstm.MLNet.Tests.Text;

/// <summary>The serving tokenizer (spans, a source-generated pattern, a reused list) gives the ids <see cref="WordTokenizer.Encode"/> gives.</summary>
[TestClass]
public sealed class WordTokenizerSpanTests
{
    private static readonly string[] Awkward =
    [
        "", "   ", "\t\n", "Don't STOP—e-mail me!!", "İstanbul ΟΔΟΣ straße ﬁne", "café CAFÉ Café", "emoji 😀 here 👍🏽.", "a,b;c:d?e", "x_y z__", "١٢٣ numbers 42",
    ];

    [TestMethod]
    public void GivesTheSameIdsAsEncode()
    {
        var texts = SentimentData.Take(3000).Select(r => r.Text).Concat(Awkward).ToArray();
        var tokenizer = WordTokenizer.Train(texts.Take(1500).Concat(Awkward), maxVocabularySize: 2000, minTokenFrequency: 1);
        var ids = new List<int>();
        foreach (int max in new[] { 0, 5 })
            foreach (var text in texts)
            {
                tokenizer.EncodeInto(text, max, ids);
                CollectionAssert.AreEqual(tokenizer.Encode(text, max), ids, $"'{text}', max {max}");
            }
    }

    [TestMethod]
    public void GivesTheSameSubwordHashesAsEncode()
    {
        var texts = SentimentData.Take(1000).Select(r => r.Text).Concat(Awkward).ToArray();
        var tokenizer = WordTokenizer.Train(texts, maxVocabularySize: 500, minTokenFrequency: 1);
        var charNgrams = new CharNgramHasher(4);
        List<int> ids = [], subwords = [];
        foreach (int max in new[] { 0, 5 })
            foreach (var text in texts)
            {
                tokenizer.EncodeInto(text, max, ids, charNgrams, subwords);
                CollectionAssert.AreEqual(tokenizer.Encode(text, max, charNgrams, out var expected), ids, $"'{text}', max {max}");
                CollectionAssert.AreEqual(expected, subwords, $"'{text}', max {max}: sub-word hashes");
            }
    }

    [TestMethod]
    [DoNotParallelize] // a parallel test's garbage brings gen-2 collections, which trim the shared array pool
    public void AllocatesNothingOnceTheListHasGrown()
    {
        var texts = SentimentData.Take(50).Select(r => r.Text).ToArray();
        var tokenizer = WordTokenizer.Train(texts);
        var ids = new List<int>(256);
        var subwords = new List<int>(4096);
        var charNgrams = new CharNgramHasher(4);
        foreach (var text in texts) tokenizer.EncodeInto(text, 0, ids, charNgrams, subwords);
        // The pooled lower-casing buffers can be trimmed by a gen-2 collection (other tests run in parallel), after which
        // one pass rents them again: a steady state is a pass that allocates nothing, which one of three must reach.
        var allocated = new List<long>();
        for (int attempt = 0; attempt < 3 && (allocated.Count == 0 || allocated[^1] != 0); attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            foreach (var text in texts) tokenizer.EncodeInto(text, 0, ids);
            foreach (var text in texts) tokenizer.EncodeInto(text, 0, ids, charNgrams, subwords);
            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.AreEqual(0, allocated[^1], $"bytes allocated per pass: {string.Join(", ", allocated)}");
    }
}
