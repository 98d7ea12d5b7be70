using Lstm.MLNet.Model;

namespace Lstm.MLNet;

/// <summary>
/// The wide path (<see cref="NgramLinear"/>) as ONNX nodes, bit-exact in which table rows it reads: unigram rows are
/// id mod buckets, longer n-grams chain SplitMix64 over the ids (<see cref="OnnxUInt64Ops"/>), and each row's bag is
/// L2-normalised over the n-grams that fit inside its real tokens. Another hashed feature family (say character n-grams)
/// adds its rows the same way: a [B × T] row tensor and a [B × T] mask per n-gram length, summed into the same bag.
/// </summary>
internal static class OnnxNgramExport
{
    /// <summary>The table [Buckets × C] as one initializer, which the word bag and the sub-word bag both read.</summary>
    public static string Table(OnnxGraph graph, NgramLinear wide) => graph.Floats(wide.Weight, wide.Buckets, wide.Classes);

    /// <summary>
    /// The wide logits [B × C] of <paramref name="ids"/> [B × T] int64 (T ≥ 1, real tokens first, then padding) with
    /// <paramref name="realLengths"/> [B] int64 (0 for an empty text: no n-grams, no contribution); <paramref name="table"/>
    /// from <see cref="Table"/>.
    /// </summary>
    public static string Emit(OnnxGraph graph, NgramLinear wide, string table, string ids, string realLengths)
    {
        int N = wide.MaxNgramLength, buckets = wide.Buckets;
        var u64 = new OnnxUInt64Ops(graph);

        string length = graph.Dimension(ids, 1, "ngram.t");                                                     // [1]
        string positions = graph.Op("Range", "ngram.positions", graph.Long(0), graph.Op("Squeeze", "ngram.tscalar", length), graph.Long(1)); // [T]
        string lengthsColumn = graph.Unsqueeze(realLengths, 1, "ngram.lengths");                                // [B × 1]
        // Room for the last n-grams' followers: ids shifted by k are columns k … k + T of the padded ids.
        string padded = graph.Op("Pad", "ngram.padded", ids, graph.Longs([0, 0, 0, N - 1], 4), graph.Long(0));

        string? sum = null, count = null;
        string hash = "";
        for (int n = 1; n <= N; n++)
        {
            string token = n == 1 ? ids : graph.Slice(padded, graph.Longs([n - 1], 1), graph.Op("Add", $"ngram.end{n}", length, graph.Longs([n - 1], 1)), 1, $"ngram.next{n}");
            string rows;
            if (n == 1)
            {
                rows = graph.Node("Mod", "ngram.rows1", [token, graph.Long(buckets)], a => a.AddAttribute("fmod", 0L));
                if (N > 1) hash = u64.Mix(token, "ngram.h1");
            }
            else
            {
                hash = u64.Mix(u64.Xor(hash, token, $"ngram.x{n}"), $"ngram.h{n}");
                rows = u64.RemainderUnsigned(hash, buckets, $"ngram.rows{n}");
            }
            // An n-gram starting at t exists when t + n ≤ the row's real length.
            string fits = graph.Op("Less", $"ngram.fits{n}", graph.Op("Add", $"ngram.last{n}", positions, graph.Long(n - 1)), lengthsColumn); // [B × T]
            string mask = graph.Cast(fits, typeof(float), $"ngram.mask{n}");
            string gathered = graph.Node("Gather", $"ngram.weights{n}", [table, rows], a => a.AddAttribute("axis", 0L)); // [B × T × C]
            string masked = graph.Op("Mul", $"ngram.masked{n}", gathered, graph.Unsqueeze(mask, 2, $"ngram.mask{n}.c"));
            string part = graph.ReduceSum(masked, 1, keepDims: false, $"ngram.sum{n}");                        // [B × C]
            string partCount = graph.ReduceSum(mask, 1, keepDims: true, $"ngram.count{n}");                     // [B × 1]
            sum = sum is null ? part : graph.Op("Add", $"ngram.total{n}", sum, part);
            count = count is null ? partCount : graph.Op("Add", $"ngram.counts{n}", count, partCount);
        }
        // Every n-gram weighs 1/√count; an empty bag's sum is 0, so the count is floored at 1 to keep the scale finite.
        string floored = graph.Op("Max", "ngram.floored", count!, graph.Float(1f));
        string scale = graph.Op("Reciprocal", "ngram.scale", graph.Op("Sqrt", "ngram.norm", floored));
        return graph.Op("Mul", "ngram.logits", sum!, scale);
    }
}
