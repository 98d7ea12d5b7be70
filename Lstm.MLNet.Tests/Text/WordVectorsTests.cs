using System.Globalization;
using System.IO.Compression;
using System.Text;
using Lstm.MLNet.Text;

namespace Lstm.MLNet.Tests.Text;

[TestClass]
public sealed class WordVectorsTests
{
    // Ids 0 and 1 are the tokenizer's reserved ids (padding, unknown): no token, so no row is ever filled there.
    private static readonly Dictionary<string, int> Vocabulary = new() { ["the"] = 2, ["cat"] = 3, ["sat"] = 4, ["zebra"] = 5 };

    private const string GloVe = "the 0.1 0.2 0.3\ndog 1 2 3\ncat -1.5 2e-1 0\nsat 4 5 6\n";

    private string _folder = "";

    [TestInitialize]
    public void CreateFolder() => _folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "wordvectors-" + Guid.NewGuid().ToString("N"))).FullName;

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string content)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    private string WriteGzip(string name, string content)
    {
        string path = Path.Combine(_folder, name);
        using var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        gzip.Write(Encoding.UTF8.GetBytes(content));
        return path;
    }

    private static void AssertTheCatSat(WordVectors vectors)
    {
        Assert.AreEqual(3, vectors.Dimension);
        Assert.AreEqual(6 * 3, vectors.Vectors.Length, "ids 0..5");
        CollectionAssert.AreEqual(new[] { false, false, true, true, true, false }, vectors.Found);
        Assert.AreEqual(3, vectors.FoundCount);
        CollectionAssert.AreEqual(new[] { "zebra" }, vectors.MissingTokens.ToArray());
        CollectionAssert.AreEqual(new float[] { 0, 0, 0, 0, 0, 0, 0.1f, 0.2f, 0.3f, -1.5f, 0.2f, 0, 4, 5, 6, 0, 0, 0 }, vectors.Vectors);
        Assert.AreEqual(4, vectors.VectorLines);
    }

    [TestMethod]
    public void AHeaderDimensionBeyondAnyEmbedding_IsRefusedBeforeAllocating()
    {
        var e = Assert.Throws<InvalidDataException>(() => WordVectors.Read(Write("huge.vec", "2 100000000\nthe 1\n"), Vocabulary));
        StringAssert.Contains(e.Message, "100000000");
        StringAssert.Contains(e.Message, "line 1");
    }

    [TestMethod]
    public void LeadingTokens_InFileOrder_LowerCasedOnce_FilteredAndStoppingAtTheCount()
    {
        const string cased = "4 2\nDog 1 2\nthe 1 2\ndog 3 4\nCat 5 6\n";
        CollectionAssert.AreEqual(new[] { "dog", "cat" }, WordVectors.LeadingTokens(Write("cased.vec", cased), 5, token => token != "the"));
        CollectionAssert.AreEqual(new[] { "the", "dog" }, WordVectors.LeadingTokens(WriteGzip("glove.txt.gz", GloVe), 2, _ => true));
        Assert.AreEqual(0, WordVectors.LeadingTokens(Write("glove.txt", GloVe), 0, _ => true).Count);
        // It stops once it has them: a damaged line after the wanted words is never read, one before them is reported.
        Assert.AreEqual(1, WordVectors.LeadingTokens(Write("tail.txt", "the 1 2\ncat 1\n"), 1, _ => true).Count);
        StringAssert.Contains(Assert.Throws<InvalidDataException>(() => WordVectors.LeadingTokens(Write("damaged.txt", "the 1 2\ncat 1\n"), 2, _ => true)).Message, "line 2");
    }

    [TestMethod]
    public void GloVe_KeepsOnlyTheVocabularysRows_AndReportsTheMissing()
    {
        var vectors = WordVectors.Read(Write("glove.txt", GloVe), Vocabulary);
        Assert.AreEqual(WordVectorFileFormat.GloVe, vectors.Format);
        AssertTheCatSat(vectors);
    }

    [TestMethod]
    public void Word2VecText_AndFastTextVec_HeaderTrailingSpacesAndCrLf_ReadAlike()
    {
        var word2vec = WordVectors.Read(Write("w2v.txt", "4 3\n" + GloVe), Vocabulary);
        Assert.AreEqual(WordVectorFileFormat.Word2VecText, word2vec.Format);
        AssertTheCatSat(word2vec);

        // fastText .vec: a trailing space on every line; Windows line ends; a final line without newline.
        string vec = "4 3 \r\n" + string.Join("\r\n", GloVe.TrimEnd('\n').Split('\n').Select(l => l + " "));
        // (and a stray leading blank, which some hand-edited files have)
        vec = vec.Replace("\r\ncat", "\r\n cat", StringComparison.Ordinal);
        AssertTheCatSat(WordVectors.Read(Write("wiki.vec", vec), Vocabulary));
    }

    [TestMethod]
    public void Gzip_IsToldByItsBytes_NotItsName()
    {
        AssertTheCatSat(WordVectors.Read(WriteGzip("glove.txt.gz", GloVe), Vocabulary));
        AssertTheCatSat(WordVectors.Read(WriteGzip("vectors-without-extension", "4 3\n" + GloVe), Vocabulary));
    }

    [TestMethod]
    public void WrongDimension_OnAnyLine_NamesTheFileAndLine()
    {
        string path = Write("bad.txt", "the 1 2 3\ncat 1 2 3\nsat 1 2\n");
        var fewer = Assert.ThrowsExactly<InvalidDataException>(() => WordVectors.Read(path, Vocabulary));
        StringAssert.Contains(fewer.Message, path);
        StringAssert.Contains(fewer.Message, "line 3: 2 numbers after token 'sat', expected 3");

        // A line of a token the vocabulary does not have is checked too.
        var more = Assert.ThrowsExactly<InvalidDataException>(() => WordVectors.Read(Write("more.txt", "4 3\nthe 1 2 3\ndog 1 2 3 4\n"), Vocabulary));
        StringAssert.Contains(more.Message, "line 3: 4 numbers after the token, expected 3");

        var header = Assert.ThrowsExactly<InvalidDataException>(() => WordVectors.Read(Write("h.txt", "2 4\nthe 1 2 3\ncat 1 2 3\n"), Vocabulary));
        StringAssert.Contains(header.Message, "line 2: 3 numbers after token 'the', expected 4");

        var expected = Assert.ThrowsExactly<InvalidDataException>(() => WordVectors.Read(Write("e.txt", GloVe), Vocabulary, expectedDimension: 300));
        StringAssert.Contains(expected.Message, "line 1: the vectors have dimension 3, expected 300");
    }

    [TestMethod]
    public void MalformedFiles_GetSpecificMessages()
    {
        var value = Assert.ThrowsExactly<InvalidDataException>(() => WordVectors.Read(Write("v.txt", "the 1 2 3\ncat 1 x 3\n"), Vocabulary));
        StringAssert.Contains(value.Message, "line 2: value 2 'x' is not a finite number");
        var nan = Assert.ThrowsExactly<InvalidDataException>(() => WordVectors.Read(Write("n.txt", "the 1 NaN 3\n"), Vocabulary));
        StringAssert.Contains(nan.Message, "line 1: value 2 'NaN'");
        var count = Assert.ThrowsExactly<InvalidDataException>(() => WordVectors.Read(Write("c.txt", "10 3\n" + GloVe), Vocabulary));
        StringAssert.Contains(count.Message, "header announces 10 vectors but the file has 4");
        var empty = Assert.ThrowsExactly<InvalidDataException>(() => WordVectors.Read(Write("empty.txt", "\n\n"), Vocabulary));
        StringAssert.Contains(empty.Message, "empty");
        var lonely = Assert.ThrowsExactly<InvalidDataException>(() => WordVectors.Read(Write("t.txt", "token\n"), Vocabulary));
        StringAssert.Contains(lonely.Message, "line 1: expected 'token v1 … vD'");
        Assert.ThrowsExactly<FileNotFoundException>(() => WordVectors.Read(Path.Combine(_folder, "absent.vec"), Vocabulary));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => WordVectors.Read(Write("ok.txt", GloVe), Vocabulary, expectedDimension: 0));
    }

    [TestMethod]
    public void CasedFileTokens_FillLowerCaseVocabulary_ExactRowsWin()
    {
        var vocabulary = new Dictionary<string, int> { ["paris"] = 0, ["london"] = 1, ["rome"] = 2 };
        string path = Write("cased.vec", "4 2\nParis 1 1\nLONDON 3 3\nlondon 2 2\nROME 5 5\n");
        var folded = WordVectors.Read(path, vocabulary);
        CollectionAssert.AreEqual(new float[] { 1, 1, 2, 2, 5, 5 }, folded.Vectors);
        Assert.AreEqual(2, folded.CaseFoldedCount, "paris and rome came from cased tokens; london from its exact row");

        var exactOnly = WordVectors.Read(path, vocabulary, matchLowerCase: false);
        CollectionAssert.AreEqual(new[] { "paris", "rome" }, exactOnly.MissingTokens.ToArray());
        Assert.AreEqual(0, exactOnly.CaseFoldedCount);

        // The exact row replaces a case-folded one seen earlier, whatever the order in the file.
        var later = WordVectors.Read(Write("later.vec", "2 2\nLondon 9 9\nlondon 2 2\n"), vocabulary);
        CollectionAssert.AreEqual(new float[] { 0, 0, 2, 2, 0, 0 }, later.Vectors);
        Assert.AreEqual(0, later.CaseFoldedCount);
    }

    [TestMethod]
    public void TokensWithSpaces_AsInGlove840B_AreReadNotRejected()
    {
        var vectors = WordVectors.Read(Write("840b.txt", "the 1 2 3\n. . . 4 5 6\ncat 7 8 9\n"), Vocabulary);
        Assert.AreEqual(3, vectors.VectorLines);
        CollectionAssert.AreEqual(new[] { "sat", "zebra" }, vectors.MissingTokens.ToArray());
    }

    [TestMethod]
    public void LongLines_GrowTheBuffer_AndManyLines_AllocateNoStringPerLine()
    {
        // One 20000-dimensional vector: a line of 80k characters, longer than the reader's first buffer.
        var wide = new StringBuilder("cat");
        for (int i = 0; i < 20_000; i++) wide.Append(' ').Append((i % 7).ToString(CultureInfo.InvariantCulture));
        var vectors = WordVectors.Read(Write("wide.txt", wide.Append('\n').ToString()), Vocabulary);
        Assert.AreEqual(20_000, vectors.Dimension);
        Assert.AreEqual(6f, vectors.Vectors[3 * 20_000 + 6]);

        // 200k lines of tokens the vocabulary lacks: a string per line would allocate well over 20 MB.
        var many = new StringBuilder("200001 8\n");
        for (int i = 0; i < 200_000; i++) many.Append("word").Append(i).Append(" 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8\n");
        many.Append("sat 1 2 3 4 5 6 7 8\n");
        string path = Write("many.vec", many.ToString());
        long before = GC.GetAllocatedBytesForCurrentThread();
        var read = WordVectors.Read(path, Vocabulary);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.AreEqual(200_001, read.VectorLines);
        CollectionAssert.AreEqual(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, read.Vectors.AsSpan(4 * 8, 8).ToArray());
        Assert.IsLessThan(2_000_000, allocated, $"{allocated:N0} bytes allocated reading 200k lines");
    }
}
