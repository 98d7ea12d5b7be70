using Lstm.MLNet.Compute;
using Lstm.MLNet.Model;
using Lstm.MLNet.Tests.TestSupport;

namespace Lstm.MLNet.Tests.Model.Inference;

/// <summary>The batch-1 path (token table, row products, fused pooling) against the batched path, on every SIMD path.</summary>
[TestClass]
public sealed class SingleSequenceInferenceTests
{
    private const int Vocabulary = 40;

    private static IEnumerable<object[]> Configurations => SimdPaths.Cross(
    [
        // pooling, bidirectional, layers, embedding, hidden, n-gram buckets
        [LstmPooling.Max, true, 1, 16, 16, 0],
        [LstmPooling.Mean, false, 2, 8, 10, 0],
        [LstmPooling.Last, true, 2, 12, 40, 0],
        [LstmPooling.Max, false, 1, 24, 72, 64],
    ]);

    private static SequenceClassifierNetwork Network(SimdPath path, LstmPooling pooling, bool bidirectional, int layers, int embedding, int hidden, int buckets, int classes = 3)
    {
        var network = new SequenceClassifierNetwork(Vocabulary, classes, new SequenceClassifierOptions
        {
            EmbeddingSize = embedding, HiddenSize = hidden, NumberOfLayers = layers, Bidirectional = bidirectional, Pooling = pooling,
            NgramBuckets = buckets, NgramLength = buckets > 0 ? 2 : 3, Seed = 5, NumberOfThreads = 1,
        });
        network.Context = new ComputeContext(path, 1);
        // Larger weights than the initialisation's, so the gates saturate and the test covers the whole activation range.
        var random = new Random(11);
        foreach (var (_, values) in network.NamedParameters())
            for (int i = 0; i < values.Length; i++) values[i] += (float)(random.NextDouble() - 0.5);
        network.InvalidateInferenceCache();
        return network;
    }

    private static int[][] Sequences(int seed)
    {
        var random = new Random(seed);
        var sequences = new List<int[]> { Array.Empty<int>(), new[] { 7 }, new[] { 0, 0, 0 } };
        for (int i = 0; i < 12; i++) sequences.Add(Enumerable.Range(0, random.Next(1, 30)).Select(_ => random.Next(Vocabulary)).ToArray());
        return sequences.ToArray();
    }

    private static void AssertMatchesBatched(SequenceClassifierNetwork network, SequenceClassifierNetwork single, int[][] sequences)
    {
        int C = network.NumberOfClasses;
        var batched = new float[sequences.Length * C];
        network.PredictLogits(sequences, batched);
        var logits = new float[C];
        for (int i = 0; i < sequences.Length; i++)
        {
            single.PredictSingleLogits(sequences[i], logits);
            for (int c = 0; c < C; c++)
            {
                float expected = batched[i * C + c];
                // Bit-identical: the row products sum as the GEMM does, the pooling reads in the batched order.
                Assert.AreEqual(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(logits[c]),
                    $"sequence {i} (length {sequences[i].Length}), class {c}: {expected} batched, {logits[c]} single");
            }
        }
    }

    [TestMethod]
    [DynamicData(nameof(Configurations))]
    public void MatchesTheBatchedPath(SimdPath path, LstmPooling pooling, bool bidirectional, int layers, int embedding, int hidden, int buckets)
    {
        var network = Network(path, pooling, bidirectional, layers, embedding, hidden, buckets);
        var sequences = Sequences(seed: layers * 100 + hidden);
        AssertMatchesBatched(network, network, sequences);
        // A view shares the built weights and the table; it gives the same answers.
        AssertMatchesBatched(network, network.CreateInferenceView(), sequences);
    }

    [TestMethod]
    [DynamicData(nameof(SimdPaths.Each), typeof(SimdPaths))]
    public void SubwordBagsMatchTheBatchedPath(SimdPath path)
    {
        // The wide path's character n-gram bag (hashes of any sign, some sequences without any) through both paths.
        var network = Network(path, LstmPooling.Max, false, 1, 24, 72, 64);
        var view = network.CreateInferenceView();
        var sequences = Sequences(seed: 23);
        var random = new Random(29);
        var subwords = sequences.Select((s, i) => i % 4 == 1 ? [] : Enumerable.Range(0, random.Next(1, 3 * s.Length + 2)).Select(_ => random.Next(int.MinValue, int.MaxValue)).ToArray()).ToArray();
        int C = network.NumberOfClasses;
        var batched = new float[sequences.Length * C];
        network.PredictLogits(sequences, subwords, batched);
        var logits = new float[C];
        var withoutBag = new float[C];
        for (int i = 0; i < sequences.Length; i++)
        {
            view.PredictSingleLogits(sequences[i], subwords[i], logits);
            CollectionAssert.AreEqual(batched.AsSpan(i * C, C).ToArray().Select(BitConverter.SingleToInt32Bits).ToArray(), logits.Select(BitConverter.SingleToInt32Bits).ToArray(), $"sequence {i}");
            view.PredictSingleLogits(sequences[i], withoutBag);
            if (subwords[i].Length > 0) CollectionAssert.AreNotEqual(logits, withoutBag, $"sequence {i}: its sub-word bag counts");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Configurations))]
    public void AViewsBatchedPathReadsTheTableBitForBit(SimdPath path, LstmPooling pooling, bool bidirectional, int layers, int embedding, int hidden, int buckets)
    {
        var network = Network(path, pooling, bidirectional, layers, embedding, hidden, buckets);
        var view = network.CreateInferenceView();
        var sequences = Sequences(seed: 17 + hidden);
        int C = network.NumberOfClasses;
        var computed = new float[sequences.Length * C];
        var fromTable = new float[sequences.Length * C];
        network.PredictLogits(sequences, computed);     // the training network computes its projections
        view.PredictLogits(sequences, fromTable);       // the view reads them from the table (a narrow embedding computes them too)
        bool readsTable = embedding >= SequenceClassifierNetwork.MinimumTableEmbedding;
        Assert.AreEqual(readsTable, view.SingleSequenceWeights.Table!.FilledRows > 0, "the view's batched path filled the table");
        CollectionAssert.AreEqual(computed.Select(BitConverter.SingleToInt32Bits).ToArray(), fromTable.Select(BitConverter.SingleToInt32Bits).ToArray());
        // One text at a time always reads the table: the same bits as the batch, whichever way the batch projected.
        var single = new float[C];
        for (int i = 0; i < sequences.Length; i++)
        {
            view.PredictSingleLogits(sequences[i], single);
            CollectionAssert.AreEqual(fromTable.AsSpan(i * C, C).ToArray().Select(BitConverter.SingleToInt32Bits).ToArray(),
                single.Select(BitConverter.SingleToInt32Bits).ToArray(), $"sequence {i}");
        }
        Assert.IsTrue(view.SingleSequenceWeights.Table!.FilledRows > 0, "one text fills the table");
    }

    [TestMethod]
    [DynamicData(nameof(SimdPaths.Each), typeof(SimdPaths))]
    public void WithoutTheTableEachStepProjectsItsToken(SimdPath path)
    {
        var network = Network(path, LstmPooling.Max, true, 1, 16, 20, 0);
        var embedding = network.NamedParameters().First(p => p.Name == "embedding.weight").Values;
        var lstm = new LstmParameters(new LstmShape(16, 20, 1, true));
        foreach (var ((_, source), (_, target)) in network.NamedParameters().Where(p => p.Name.StartsWith("lstm.", StringComparison.Ordinal)).Zip(lstm.Named()))
            source.CopyTo(target, 0);
        var dense = new Dense(40, 3);
        for (int i = 0; i < dense.Weight.Length; i++) dense.Weight[i] = MathF.Sin(i);
        var withTable = new SingleSequenceWeights(path, lstm, embedding, Vocabulary, dense, long.MaxValue);
        var without = new SingleSequenceWeights(path, lstm, embedding, Vocabulary, dense, tableBudgetFloats: 0);
        Assert.IsNotNull(withTable.Table);
        Assert.IsNull(without.Table);

        var runner = new SingleSequenceRunner();
        var a = new float[3];
        var b = new float[3];
        foreach (var sequence in Sequences(seed: 9))
        {
            runner.Run(withTable, sequence, LstmPooling.Max, a);
            runner.Run(without, sequence, LstmPooling.Max, b);
            CollectionAssert.AreEqual(a, b, "the table's row and the per-step projection are the same product");
        }
    }

    [TestMethod]
    public void TheTableFillsOnlyTheTokensSeen()
    {
        var network = Network(SimdSupport.Best, LstmPooling.Max, true, 1, 16, 16, 0);
        var logits = new float[3];
        network.PredictSingleLogits([3, 5, 3, 9], logits);
        network.PredictSingleLogits([5, 11], logits);
        var table = network.SingleSequenceWeights.Table;
        Assert.IsNotNull(table);
        Assert.AreEqual(4, table.FilledRows, "tokens 3, 5, 9, 11");
    }

    [TestMethod]
    public void ATrainingStepRebuildsTheBatchOneWeights()
    {
        var network = Network(SimdSupport.Best, LstmPooling.Mean, false, 1, 8, 12, 0, classes: 2);
        var view = network.CreateInferenceView();
        var sequences = Sequences(seed: 4);
        AssertMatchesBatched(network, view, sequences);   // builds the table at these weights
        network.TrainBatch(sequences, sequences.Select(s => s.Length % 2).ToArray());
        AssertMatchesBatched(network, view, sequences);   // the view sees the trained weights, not the stale table
    }

    [TestMethod]
    public void ViewsOnSeveralThreadsShareTheTableSafely()
    {
        var network = Network(SimdSupport.Best, LstmPooling.Max, true, 1, 16, 24, 0);
        var sequences = Enumerable.Range(0, 8).SelectMany(seed => Sequences(seed)).ToArray();
        var expected = new float[sequences.Length * 3];
        network.PredictLogits(sequences, expected);
        // Four views start on an empty table at once: they fill the same rows concurrently and must still read exact rows.
        var results = new float[4][];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            var view = network.CreateInferenceView();
            var logits = new float[sequences.Length * 3];
            for (int i = 0; i < sequences.Length; i++) view.PredictSingleLogits(sequences[(i + 7 * k) % sequences.Length], logits.AsSpan(((i + 7 * k) % sequences.Length) * 3, 3));
            results[k] = logits;
        });
        foreach (var logits in results)
            CollectionAssert.AreEqual(expected.Select(BitConverter.SingleToInt32Bits).ToArray(), logits.Select(BitConverter.SingleToInt32Bits).ToArray());
    }

    [TestMethod]
    public void AnOutOfRangeTokenNamesItsPosition()
    {
        var network = Network(SimdSupport.Best, LstmPooling.Max, false, 1, 8, 8, 0);
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => network.PredictSingleLogits([1, 2, Vocabulary], new float[3]));
        StringAssert.Contains(error.Message, "Token 2");
    }

    [TestMethod]
    public void APredictionAllocatesNothingOnceWarm()
    {
        var network = Network(SimdSupport.Best, LstmPooling.Max, true, 2, 16, 16, 0);
        var view = network.CreateInferenceView();
        var logits = new float[3];
        int[] tokens = [1, 2, 3, 4, 5, 6, 7, 8];
        view.PredictSingleLogits(tokens, logits);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) view.PredictSingleLogits(tokens, logits);
        Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
