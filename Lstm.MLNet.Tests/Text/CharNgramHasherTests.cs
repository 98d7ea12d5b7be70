using System.Text;
using Lstm.MLNet.Text;

namespace Lstm.MLNet.Tests.Text;

/// <summary>The wide path's sub-word bag: character n-grams of every token with word-boundary markers, hashed as strings.</summary>
[TestClass]
public sealed class CharNgramHasherTests
{
    private static int[] Hashes(CharNgramHasher hasher, string token)
    {
        var hashes = new List<int>();
        hasher.AddHashes(token, hashes);
        return hashes.ToArray();
    }

    private static int HashOf(string ngram) => unchecked((int)MurmurHash3.Hash32(Encoding.UTF8.GetBytes(ngram), CharNgramHasher.Seed));

    [TestMethod]
    public void ATokenGivesEveryMarkedNgramFromTwoToTheLongest()
    {
        // "<ab>": 2-grams <a ab b>, 3-grams <ab ab>, 4-gram <ab>.
        string[] expected = ["<a", "ab", "b>", "<ab", "ab>", "<ab>"];
        CollectionAssert.AreEqual(expected.Select(HashOf).ToArray(), Hashes(new CharNgramHasher(4), "ab"));
        CollectionAssert.AreEqual(expected[..3].Select(HashOf).ToArray(), Hashes(new CharNgramHasher(2), "ab"));
    }

    [TestMethod]
    public void NonAsciiNgramsAreHashedAsTheirUtf8Bytes() =>
        CollectionAssert.Contains(Hashes(new CharNgramHasher(3), "café"), HashOf("fé>"));

    [TestMethod]
    [DataRow(0)]
    [DataRow(1)]
    [DataRow(6)]
    public void LengthsOutsideTheSupportedRangeAreRejected(int length) =>
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CharNgramHasher(length));

    [TestMethod]
    public void TheTokenizerHashesEveryPieceItReadsAndNoMore()
    {
        var tokenizer = WordTokenizer.Train(["the screen is gorgeous", "the battery"]);
        var hasher = new CharNgramHasher(3);
        // "gorgeously" is outside the vocabulary: its id is unknown, its n-grams still share "<go", "gor", ... with "gorgeous".
        var ids = tokenizer.Encode("The GORGEOUSLY bright screen", maxTokens: 2, hasher, out var subwords);
        CollectionAssert.AreEqual(tokenizer.Encode("The GORGEOUSLY bright screen", maxTokens: 2), ids);
        Assert.AreEqual(WordTokenizer.UnknownId, ids[1]);
        CollectionAssert.AreEqual(Hashes(hasher, "the").Concat(Hashes(hasher, "gorgeously")).ToArray(), subwords);
        var shared = Hashes(hasher, "gorgeous").Intersect(subwords).Count();
        Assert.IsTrue(shared >= 10, $"only {shared} n-grams shared with 'gorgeous'");

        tokenizer.Encode("   ", 0, hasher, out var none);
        Assert.AreEqual(0, none.Length);
        tokenizer.Encode("the screen", 0, charNgrams: null, out var off);
        Assert.AreEqual(0, off.Length);
    }
}
