using System.Diagnostics;
using System.IO.Compression;
using Lstm.MLNet.Tests.MLNet.Forecasting;
using Lstm.MLNet.Tests.MLNet.SequenceRegression;
using Lstm.MLNet.Tests.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet.Tests.MLNet.Persistence;

/// <summary>
/// Issue 10 item 5, through the public API only (<c>ml.Model.Save</c>/<c>Load</c>, predictions): small models of every kind
/// (binary, multiclass, regressor, a forecaster and a global forecaster of two networks, both with a checkpoint) are saved, then damaged: single-bit flips of the model's
/// own entries (a seeded sample; the zip is rebuilt so ML.NET's container is valid and only the model's bytes lie) and
/// truncations of the file. Every outcome must be identical predictions or the documented <see cref="InvalidDataException"/>
/// (possibly as the inner exception of ML.NET's wrapper), and a load may allocate only a small multiple of what the intact
/// model's load does.
/// </summary>
[TestClass]
public sealed class ModelFuzzTests
{
    private const int FlipsPerModel = 250;
    private const int TruncationsPerModel = 25;
    /// <summary>A damaged file may make a load allocate this many times what loading the intact model does.</summary>
    private const int AllocationMultiple = 4;

    /// <summary>A saved model and how to score it (the scores' bits are compared).</summary>
    private sealed record Subject(string Kind, byte[] Zip, Func<ITransformer, float[]> Score);

    private static readonly MLContext Ml = new(seed: 1);

    private static Subject Binary()
    {
        var data = Ml.Data.LoadFromEnumerable(SentimentData.Take(60));
        var options = FastOptions.Create(epochs: 1);
        options.EmbeddingSize = 4; options.HiddenSize = 4; options.MaxVocabularySize = 64;
        var model = Ml.BinaryClassification.Trainers.LstmText(options).Fit(data);
        var probe = Ml.Data.LoadFromEnumerable(SentimentData.Take(8, skip: 100));
        return new Subject("binary", Save(model, data.Schema), m => Floats(m.Transform(probe), "Score"));
    }

    private static Subject Multiclass()
    {
        var topics = Ml.Data.LoadFromEnumerable(SentimentData.Topics(60));
        var keyed = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(topics).Transform(topics);
        var options = FastOptions.Create(epochs: 1);
        options.EmbeddingSize = 4; options.HiddenSize = 4; options.MaxVocabularySize = 64;
        var model = Ml.MulticlassClassification.Trainers.LstmText(options).Fit(keyed);
        var probe = Ml.Data.TakeRows(keyed, 8);
        return new Subject("multiclass", Save(model, keyed.Schema), m => Floats(m.Transform(probe), "Score"));
    }

    private static Subject Regressor()
    {
        var data = Ml.Data.LoadFromEnumerable(SequenceRegressionTests.Synthetic(60, 1));
        var model = Ml.Regression.Trainers.LstmSequence(new LstmSequenceRegressorOptions
            { FeaturesPerStep = 2, HiddenSize = 4, MaxEpochs = 1, NumberOfThreads = 1, Seed = 3 }).Fit(data);
        var probe = Ml.Data.LoadFromEnumerable(SequenceRegressionTests.Synthetic(8, 2));
        return new Subject("regressor", Save(model, data.Schema), m => Floats(m.Transform(probe), "Score"));
    }

    private static Subject ForecasterCheckpoint()
    {
        var series = ForecastingTests.Seasonal(60);
        var model = Ml.Forecasting.ForecastByLstm(new LstmForecastingOptions
            { InputColumnName = "Value", WindowSize = 6, Horizon = 2, HiddenSize = 4, MaxEpochs = 1, NumberOfThreads = 1 })
            .Fit(Ml.Data.LoadFromEnumerable(series[..50]));
        var engine = model.CreateForecastingEngine();
        foreach (var o in series[50..]) engine.Update(o.Value);
        using var stream = new MemoryStream();
        engine.CheckPoint(Ml, stream);
        return new Subject("forecaster checkpoint", stream.ToArray(), m =>
        {
            var next = ((LstmForecastingTransformer)m).CreateForecastingEngine().Predict();
            return [.. next.Forecast, .. next.LowerBound, .. next.UpperBound];
        });
    }

    /// <summary>A global model of two networks (format v4's network count) over three series, checkpointed with its engine state.</summary>
    private static Subject GlobalForecasterCheckpoint()
    {
        var rows = Enumerable.Range(0, 40).SelectMany(t => new[] { "a", "b", "c" }.Select((id, k) =>
            new StoreRow { Store = id, Sales = (float)((k + 1) * 10 * (1 + 0.3 * Math.Sin(2 * Math.PI * t / 4))) })).ToArray();
        var model = Ml.Forecasting.ForecastByLstm(new LstmForecastingOptions
            { InputColumnName = nameof(StoreRow.Sales), SeriesIdColumnName = nameof(StoreRow.Store), WindowSize = 4, Horizon = 2, SeasonalPeriod = 4,
              HiddenSize = 4, MaxEpochs = 1, NumberOfThreads = 1, EnsembleSize = 2 })
            .Fit(Ml.Data.LoadFromEnumerable(rows));
        var engine = model.CreateForecastingEngine();
        engine.Update("b", 25f);
        using var stream = new MemoryStream();
        engine.CheckPoint(Ml, stream);
        return new Subject("global forecaster checkpoint", stream.ToArray(), m =>
        {
            var loaded = ((LstmForecastingTransformer)m).CreateForecastingEngine();
            return [.. new[] { "a", "b", "c" }.SelectMany(id => { var f = loaded.Predict(id); return f.Forecast.Concat(f.LowerBound).Concat(f.UpperBound); })];
        });
    }

    private sealed class StoreRow
    {
        public string Store { get; set; } = "";
        public float Sales { get; set; }
    }

    private static byte[] Save(ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        Ml.Model.Save(model, schema, stream);
        return stream.ToArray();
    }

    private static float[] Floats(IDataView scored, string column) =>
        scored.Schema[column].Type is VectorDataViewType
            ? scored.GetColumn<VBuffer<float>>(column).SelectMany(v => v.DenseValues()).ToArray()
            : scored.GetColumn<float>(column).ToArray();

    private enum Outcome { Identical, DocumentedException, SilentChange, OtherException, AllocationTooLarge }

    /// <summary>Loads <paramref name="zip"/> (in a fresh context) and scores it: identical, the documented exception, or a failure.</summary>
    private static (Outcome Outcome, string Detail) Try(Subject subject, byte[] zip, float[] expected, long allocationLimit)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            var model = new MLContext(seed: 1).Model.Load(new MemoryStream(zip), out _);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            var scores = subject.Score(model);
            if (allocated > allocationLimit) return (Outcome.AllocationTooLarge, $"{allocated:N0} bytes");
            bool same = scores.Length == expected.Length && scores.Zip(expected).All(p => BitConverter.SingleToInt32Bits(p.First) == BitConverter.SingleToInt32Bits(p.Second));
            return same ? (Outcome.Identical, "") : (Outcome.SilentChange, "predictions differ");
        }
        catch (Exception e)
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > allocationLimit) return (Outcome.AllocationTooLarge, $"{allocated:N0} bytes before {e.GetType().Name}");
            for (Exception? x = e; x is not null; x = x.InnerException)
                if (x is InvalidDataException) return (Outcome.DocumentedException, "");
            return (Outcome.OtherException, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>The zip with one bit of one entry's (decompressed) content flipped, rebuilt so the container itself is valid.</summary>
    private static byte[] FlipBit(byte[] zip, string entryName, long bit) => ModelZip.Rewrite(zip, entryName, bytes =>
    {
        bytes[bit / 8] ^= (byte)(1 << (int)(bit % 8));
        return bytes;
    });

    /// <summary>
    /// The bytes the library writes, as (entry, start, length) regions: in a <c>Model.key</c> entry the model block and the
    /// string characters (ML.NET's header, string offsets and assembly name around them are ML.NET's format, whose damage
    /// ML.NET reports itself); other entries of the model folder (e.g. the label schema) whole. TrainingInfo is ML.NET's.
    /// </summary>
    private static List<(string Name, long Start, long Length)> ModelRegions(byte[] zip)
    {
        var regions = new List<(string, long, long)>();
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        foreach (var entry in archive.Entries.Where(e => e.FullName.StartsWith("TransformerChain/", StringComparison.Ordinal) && e.Length > 0))
        {
            if (!entry.FullName.EndsWith("Model.key", StringComparison.Ordinal)) { regions.Add((entry.FullName, 0, entry.Length)); continue; }
            var key = ModelZip.Read(zip, entry.FullName);
            var (modelStart, modelLength) = ModelZip.ModelBlock(key);
            var (charsStart, charsLength) = ModelZip.StringCharacters(key);
            regions.Add((entry.FullName, modelStart, modelLength));
            if (charsLength > 0) regions.Add((entry.FullName, charsStart, charsLength));
        }
        return regions;
    }

    [TestMethod]
    public void BitFlipsAndTruncations_GiveIdenticalPredictionsOrInvalidDataException_WithBoundedAllocation()
    {
        var report = new List<string>();
        var failures = new List<string>();
        int totalCases = 0;
        var timer = Stopwatch.StartNew();
        foreach (var subject in new[] { Binary(), Multiclass(), Regressor(), ForecasterCheckpoint(), GlobalForecasterCheckpoint() })
        {
            var expected = subject.Score(new MLContext(seed: 1).Model.Load(new MemoryStream(subject.Zip), out _));
            Assert.AreEqual(Outcome.Identical, Try(subject, subject.Zip, expected, long.MaxValue).Outcome, $"the intact {subject.Kind} model reloads to the same predictions");
            long baseline = GC.GetAllocatedBytesForCurrentThread();
            new MLContext(seed: 1).Model.Load(new MemoryStream(subject.Zip), out _);
            baseline = GC.GetAllocatedBytesForCurrentThread() - baseline;
            long limit = AllocationMultiple * baseline;

            var random = new Random(10);
            var regions = ModelRegions(subject.Zip);
            long totalBits = regions.Sum(e => e.Length * 8);
            var counts = new Dictionary<Outcome, int>();
            void Record(string what, (Outcome Outcome, string Detail) result)
            {
                counts[result.Outcome] = counts.GetValueOrDefault(result.Outcome) + 1;
                totalCases++;
                if (result.Outcome is not (Outcome.Identical or Outcome.DocumentedException) && failures.Count < 30)
                    failures.Add($"{subject.Kind}, {what}: {result.Outcome} {result.Detail}");
            }
            for (int i = 0; i < FlipsPerModel; i++)
            {
                long bit = random.NextInt64(totalBits);
                var (name, start, length) = regions.First(e => (bit -= e.Length * 8) < 0);
                long inEntry = start * 8 + bit + length * 8;
                Record($"bit {inEntry} of {name}", Try(subject, FlipBit(subject.Zip, name, inEntry), expected, limit));
            }
            for (int i = 0; i < TruncationsPerModel; i++)
            {
                int cut = i == 0 ? subject.Zip.Length - 1 : random.Next(subject.Zip.Length);
                Record($"truncated to {cut} bytes", Try(subject, subject.Zip[..cut], expected, limit));
            }
            report.Add($"{subject.Kind} ({subject.Zip.Length:N0} B zip, {totalBits / 8:N0} B of the library's own in {string.Join(", ", regions.Select(e => e.Name).Distinct())}, intact load {baseline / 1024:N0} KB): " +
                       string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}")));
        }
        string summary = $"{totalCases} damaged files in {timer.Elapsed.TotalSeconds:F1} s\n" + string.Join("\n", report);
        Console.WriteLine(summary);
        Assert.IsEmpty(failures, summary + "\nFirst failures:\n" + string.Join("\n", failures));
    }
}
