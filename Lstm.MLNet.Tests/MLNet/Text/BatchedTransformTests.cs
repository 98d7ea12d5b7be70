using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.Text;

/// <summary>Transform's cursors score rows in read-ahead batches: the same bits as PredictionEngine, cursor semantics intact.</summary>
[TestClass]
public sealed class BatchedTransformTests
{
    /// <summary>More rows than two read-ahead batches, with empty and blank texts, and a row id column.</summary>
    private static IdRow[] Rows()
    {
        var texts = SentimentData.Take(LstmTextClassificationTransformer.ReadAheadRows * 2 + 37).Select(r => r.Text).ToList();
        texts.Insert(5, "");
        texts.Insert(300, "   ");
        return texts.Select((t, i) => new IdRow { Id = i, Text = t, Label = "amazon" }).ToArray();
    }

    private static (MLContext Ml, ITransformer Model) Load(string fixture)
    {
        var ml = new MLContext(seed: 1);
        return (ml, ml.Model.Load(ModelFixtures.PathOf(fixture, ".zip"), out _));
    }

    private static float[][] Scores(IDataView scored, string fixture)
    {
        if (fixture == "binary") return scored.GetColumn<float>("Score").Select(s => new[] { s }).ToArray();
        return scored.GetColumn<float[]>("Score").ToArray();
    }

    private static float[] EngineScore(MLContext ml, ITransformer model, string fixture, IdRow row)
    {
        if (fixture == "binary") return [ml.Model.CreatePredictionEngine<IdRow, BinaryPrediction>(model).Predict(row).Score];
        return ml.Model.CreatePredictionEngine<IdRow, MulticlassScore>(model).Predict(row).Score;
    }

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what);
        for (int c = 0; c < expected.Length; c++)
            Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[c]), BitConverter.SingleToInt32Bits(actual[c]), $"{what}, output {c}: {expected[c]} vs {actual[c]}");
    }

    [TestMethod]
    [DataRow("binary")]
    [DataRow("multiclass")]
    public void BatchScoresEqualPredictionEngineBitForBit(string fixture)
    {
        var (ml, model) = Load(fixture);
        var rows = Rows();
        var lstm = model is TransformerChain<ITransformer> chain ? chain.OfType<LstmTextClassificationTransformer>().Single() : (LstmTextClassificationTransformer)model;
        var scored = Scores(model.Transform(ml.Data.LoadFromEnumerable(rows)), fixture);
        Assert.AreEqual(rows.Length, scored.Length);
        Assert.AreEqual(rows.Length, lstm.RowsScoredInBatches, "every row came from a read-ahead batch");
        var binary = fixture == "binary" ? ml.Model.CreatePredictionEngine<IdRow, BinaryPrediction>(model) : null;
        var multiclass = fixture == "multiclass" ? ml.Model.CreatePredictionEngine<IdRow, MulticlassScore>(model) : null;
        for (int i = 0; i < rows.Length; i++)
        {
            float[] expected = binary is not null ? [binary.Predict(rows[i]).Score] : multiclass!.Predict(rows[i]).Score;
            AssertBits(expected, scored[i], $"row {i}");
        }
    }

    [TestMethod]
    public void RowOrderIdsAndOtherColumnsAreThoseOfTheInput()
    {
        var (ml, model) = Load("binary");
        var data = ml.Data.LoadFromEnumerable(Rows());
        var scored = model.Transform(data);
        using var input = data.GetRowCursor(data.Schema);
        using var output = scored.GetRowCursor(scored.Schema);
        var inputId = input.GetIdGetter();
        var outputId = output.GetIdGetter();
        var id = output.GetGetter<int>(scored.Schema["Id"]);
        int expectedRow = 0;
        while (output.MoveNext())
        {
            Assert.IsTrue(input.MoveNext());
            DataViewRowId a = default, b = default;
            int value = 0;
            inputId(ref a); outputId(ref b); id(ref value);
            Assert.AreEqual(a, b, $"row {expectedRow}: the row id passes through");
            Assert.AreEqual(expectedRow++, value, "rows keep their order");
        }
        Assert.IsFalse(input.MoveNext());
    }

    [TestMethod]
    public void RowsWhoseScoresAreNeverAskedForAreSkippedCorrectly()
    {
        var (ml, model) = Load("binary");
        var rows = Rows();
        var scored = model.Transform(ml.Data.LoadFromEnumerable(rows));
        using var cursor = scored.GetRowCursor(scored.Schema);
        var score = cursor.GetGetter<float>(scored.Schema["Score"]);
        // Ask for every 97th row only: the read-ahead must stay aligned across the rows it read but nobody asked for.
        while (cursor.MoveNext())
        {
            if (cursor.Position % 97 != 0) continue;
            float value = 0;
            score(ref value);
            AssertBits(EngineScore(ml, model, "binary", rows[cursor.Position]), [value], $"row {cursor.Position}");
        }
    }

    [TestMethod]
    public void ShuffledCursorsAndCursorSetsScoreEveryRowAsTheEngineDoes()
    {
        var (ml, model) = Load("binary");
        var rows = Rows();
        var data = ml.Data.Cache(ml.Data.LoadFromEnumerable(rows));   // cached: shufflable and splittable
        var scored = model.Transform(data);
        var columns = new[] { scored.Schema["Id"], scored.Schema["Score"] };
        var cursors = new List<DataViewRowCursor> { scored.GetRowCursor(columns, new Random(3)) };
        cursors.AddRange(scored.GetRowCursorSet(columns, 2));
        var seen = new Dictionary<int, float>();
        foreach (var (cursor, set) in cursors.Select((c, i) => (c, i)))
        {
            using (cursor)
            {
                var id = cursor.GetGetter<int>(scored.Schema["Id"]);
                var score = cursor.GetGetter<float>(scored.Schema["Score"]);
                while (cursor.MoveNext())
                {
                    int i = 0; float value = 0;
                    id(ref i); score(ref value);
                    AssertBits(EngineScore(ml, model, "binary", rows[i]), [value], $"row {i} (cursor {set})");
                    seen[i] = value;
                }
            }
        }
        Assert.AreEqual(rows.Length, seen.Count, "every row scored");
    }

    public sealed class IdRow
    {
        public int Id { get; set; }
        public string Text { get; set; } = "";
        public string Label { get; set; } = "";
    }

    public sealed class MulticlassScore
    {
        public float[] Score { get; set; } = [];
    }
}
