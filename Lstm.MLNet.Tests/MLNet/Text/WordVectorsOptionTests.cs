using System.Globalization;
using Lstm.MLNet.Model;
using Lstm.MLNet.Text;
using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;

namespace Lstm.MLNet.Tests.MLNet.Text;

/// <summary>WordVectorsPath: pretrained vectors start the embedding; the dimension is checked or taken from the file.</summary>
[TestClass]
public sealed class WordVectorsOptionTests
{
    private static string WriteVectors(int dimension, params string[] tokens)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lstm-vectors-{Guid.NewGuid():N}.txt");
        var random = new Random(7);
        File.WriteAllLines(path, tokens.Select(t => t + " " + string.Join(' ', Enumerable.Range(0, dimension)
            .Select(_ => (random.NextDouble() - 0.5).ToString("R", CultureInfo.InvariantCulture)))));
        return path;
    }

    /// <summary>One epoch on 100 sentiment rows with the vectors of <paramref name="path"/> and the file's dimension.</summary>
    private static (MLContext Ml, IDataView Data, LstmTextClassifierOptions Options) OneEpochWithVectors(string path)
    {
        var ml = new MLContext(seed: 1);
        var options = FastOptions.Create(epochs: 1);
        options.EmbeddingSize = 0;
        options.WordVectorsPath = path;
        return (ml, ml.Data.LoadFromEnumerable(SentimentData.Take(100)), options);
    }

    [TestMethod]
    public void AutomaticEmbeddingSize_TakesTheFileDimension_AndAMismatchNamesBoth()
    {
        string path = WriteVectors(8, "the", "good", "bad", "great", "not", "movie");
        try
        {
            var (ml, data, options) = OneEpochWithVectors(path);
            var model = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(options).Fit(data);
            Assert.AreEqual(8, model.Options.EmbeddingSize);

            options.EmbeddingSize = 16;
            var e = Assert.Throws<Exception>(() => ml.BinaryClassification.Trainers.LstmText(options).Fit(data));
            StringAssert.Contains(e.Message, "8");
            StringAssert.Contains(e.Message, "16");
        }
        finally { File.Delete(path); }
    }

    [TestMethod]
    public void FrozenRows_KeepTheirValuesThroughTraining_OthersLearn()
    {
        var network = new SequenceClassifierNetwork(4, 2, new SequenceClassifierOptions { EmbeddingSize = 2, HiddenSize = 4, WeightDecay = 0.1 });
        network.InitializeEmbeddingRows([0, 0, 0, 0, 1, 2, 0, 0], [false, false, true, false], freeze: true);
        var before = network.NamedParameters().First().Values.ToArray();
        for (int step = 0; step < 5; step++) network.TrainBatch(new int[][] { [2, 3], [3, 2, 2] }, [0, 1]);
        var after = network.NamedParameters().First().Values;
        CollectionAssert.AreEqual(new float[] { 1, 2 }, after[4..6], "The frozen row.");
        CollectionAssert.AreNotEqual(before[6..8], after[6..8], "Token 3 has no vector and learns.");
    }

    [TestMethod]
    public void ExtraWords_GiveWordsTrainingNeverSawTheirPretrainedRows_AndSurviveSaveAndLoad()
    {
        // "splendid" and "dreadful" never occur in the training rows; "good" does; "e-mail" is no single token.
        string path = WriteVectors(4, "the", "good", "splendid", "e-mail", "Dreadful", "zzz");
        try
        {
            var (ml, data, options) = OneEpochWithVectors(path);
            options.WordVectorsExtraWords = 2;
            var model = (LstmTextClassificationTransformer)ml.BinaryClassification.Trainers.LstmText(options).Fit(data);
            var tokenizer = model.Tokenizer!;
            Assert.AreNotEqual(WordTokenizer.UnknownId, tokenizer.IdOf("splendid"));
            Assert.AreNotEqual(WordTokenizer.UnknownId, tokenizer.IdOf("dreadful"), "lower-cased, as the tokenizer makes it");
            Assert.AreEqual(WordTokenizer.UnknownId, tokenizer.IdOf("zzz"), "beyond the first 2 new words");
            Assert.AreEqual(WordTokenizer.UnknownId, tokenizer.IdOf("e-mail"), "the tokenizer never makes this piece");
            var row = model.Network.NamedParameters().First().Values.AsSpan(tokenizer.IdOf("splendid") * 4, 4).ToArray();
            var expected = File.ReadLines(path).Single(l => l.StartsWith("splendid ")).Split(' ')[1..].Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            CollectionAssert.AreEqual(expected, row, "no training row touched it");

            string saved = Path.Combine(Path.GetTempPath(), $"lstm-extra-{Guid.NewGuid():N}.zip");
            try
            {
                ml.Model.Save(model, data.Schema, saved);
                var loaded = (LstmTextClassificationTransformer)ml.Model.Load(saved, out _);
                Assert.AreEqual(tokenizer.IdOf("splendid"), loaded.Tokenizer!.IdOf("splendid"));
            }
            finally { File.Delete(saved); }
        }
        finally { File.Delete(path); }
    }

    [TestMethod]
    public void ExtraWords_OutOfRangeOrWithoutAFile_AreRejectedByName()
    {
        Assert.AreEqual(nameof(LstmOptions.WordVectorsExtraWords), Assert.Throws<ArgumentException>(new LstmTextClassifierOptions { WordVectorsExtraWords = 10 }.Validate).ParamName);
        Assert.AreEqual(nameof(LstmOptions.WordVectorsExtraWords), Assert.Throws<ArgumentOutOfRangeException>(new LstmTextClassifierOptions { WordVectorsExtraWords = -1 }.Validate).ParamName);
        Assert.AreEqual(nameof(LstmOptions.WordVectorsExtraWords), Assert.Throws<ArgumentOutOfRangeException>(new LstmTextClassifierOptions { WordVectorsExtraWords = int.MaxValue }.Validate).ParamName);
    }

    [TestMethod]
    public void MissingFile_IsRejectedByName()
    {
        var options = new LstmTextClassifierOptions { WordVectorsPath = "/no/such/vectors.vec" };
        Assert.AreEqual(nameof(LstmOptions.WordVectorsPath), Assert.Throws<ArgumentException>(options.Validate).ParamName);
    }

    [TestMethod]
    public void InitializeEmbeddingRows_CopiesFoundRowsOnly()
    {
        var network = new SequenceClassifierNetwork(5, 2, new SequenceClassifierOptions { EmbeddingSize = 2, HiddenSize = 4 });
        var before = network.NamedParameters().First().Values.ToArray();
        network.InitializeEmbeddingRows([0, 0, 0, 0, 1, 2, 0, 0], [false, false, true, false]);
        var after = network.NamedParameters().First().Values;
        CollectionAssert.AreEqual(new float[] { 1, 2 }, after[4..6]);
        CollectionAssert.AreEqual(before[..4], after[..4]);
        CollectionAssert.AreEqual(before[6..], after[6..]);
    }
}
