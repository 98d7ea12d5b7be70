using System.IO.Compression;
using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.Persistence;

/// <summary>Saving and loading through ml.Model.Save/Load (the fresh-process check is in <see cref="EndToEndTests"/>).</summary>
[TestClass]
public sealed class PersistenceTests
{
    private static readonly Lazy<(MLContext Ml, ITransformer Model, DataViewSchema Schema)> Binary = new(() =>
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SentimentData.Take(120));
        return (ml, ml.BinaryClassification.Trainers.LstmText(FastOptions.Create(epochs: 1)).Fit(data), data.Schema);
    });

    private static byte[] Save(ITransformer model, DataViewSchema schema, MLContext ml)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, schema, stream);
        return stream.ToArray();
    }

    [TestMethod]
    public void MulticlassModel_LoadsWithANewMLContext_WithItsKeyValuesAndHistory()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(SentimentData.Topics(120));
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.LstmText(FastOptions.Create(epochs: 2)))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel")).Fit(data);
        var bytes = Save(model, data.Schema, ml);

        var fresh = new MLContext(seed: 99);
        var loaded = fresh.Model.Load(new MemoryStream(bytes), out var schema);
        Assert.AreEqual("Text", schema["Text"].Name);
        var before = model.Transform(data);
        var after = loaded.Transform(fresh.Data.LoadFromEnumerable(SentimentData.Topics(120)));
        CollectionAssert.AreEqual(before.GetColumn<string>("PredictedText").ToArray(), after.GetColumn<string>("PredictedText").ToArray());
        var scoresBefore = before.GetColumn<float[]>("Score").SelectMany(s => s).Select(BitConverter.SingleToInt32Bits).ToArray();
        var scoresAfter = after.GetColumn<float[]>("Score").SelectMany(s => s).Select(BitConverter.SingleToInt32Bits).ToArray();
        CollectionAssert.AreEqual(scoresBefore, scoresAfter, "Loaded scores must be bit-identical.");
        var lstm = ((TransformerChain<ITransformer>)loaded).OfType<LstmTextClassificationTransformer>().Single();
        Assert.HasCount(2, lstm.TrainingHistory);
        CollectionAssert.AreEqual(model.OfType<LstmTextClassificationTransformer>().Single().ClassNames.ToArray(), lstm.ClassNames.ToArray());
    }

    [TestMethod]
    public void TruncatedZip_GivesAClearException()
    {
        var (ml, model, schema) = Binary.Value;
        var bytes = Save(model, schema, ml);
        var truncated = bytes[..(bytes.Length / 2)];
        var e = Assert.Throws<Exception>(() => new MLContext().Model.Load(new MemoryStream(truncated), out _));
        Assert.IsTrue(e is InvalidDataException or FormatException, $"Expected InvalidDataException or FormatException; got {e.GetType().Name}: {e.Message}");
    }

    [TestMethod]
    public void CorruptedWeights_GiveAnInvalidDataException_NamingTheChecksum()
    {
        var (ml, model, schema) = Binary.Value;
        var bytes = Save(model, schema, ml);
        // Rewrite the LSTM's entry with flipped bits in the weights (the zip stays valid, the payload does not).
        using var zipStream = new MemoryStream();
        zipStream.Write(bytes);
        using (var zip = new ZipArchive(zipStream, ZipArchiveMode.Update, leaveOpen: true))
        {
            // The LSTM's stream is by far the largest Model.key (it holds the weights).
            var entry = zip.Entries.Where(e => e.FullName.EndsWith("Model.key", StringComparison.Ordinal)).MaxBy(e => e.Length)!;
            var payload = ReadAll(entry);
            string name = entry.FullName;
            entry.Delete();
            payload[payload.Length - 200] ^= 0x5A;   // inside the last tensor (the classifier's bias/weights), before the checksum
            var replacement = zip.CreateEntry(name);
            using var writer = replacement.Open();
            writer.Write(payload);
        }
        var e = Assert.Throws<Exception>(() => new MLContext().Model.Load(new MemoryStream(zipStream.ToArray()), out _));
        var inner = e;
        while (inner is not InvalidDataException && inner.InnerException is not null) inner = inner.InnerException;
        Assert.IsInstanceOfType<InvalidDataException>(inner, $"Got {e.GetType().Name}: {e.Message}");
        StringAssert.Contains(inner.Message, "checksum");
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
