using System.Globalization;
using System.IO.Compression;
using System.Numerics.Tensors;
using System.Text;
using Lstm.MLNet.Text;

namespace Lstm.MLNet.Samples.Classification;

/// <summary>
/// Word vectors learned from unlabelled text by skip-gram with negative sampling (Mikolov et al. 2013, with
/// word2vec's defaults: a window of up to 5 words each side, 5 negatives drawn from the unigram distribution raised
/// to 3/4, frequent words subsampled at 1e-4, a learning rate falling linearly from 0.025), written as a gzip
/// word2vec text file that <c>LstmTextClassifierOptions.WordVectorsPath</c> reads. Words are the classifier's own
/// tokens (<see cref="WordTokenizer"/>), so every row can match. One thread, so a seed gives the same file.
/// </summary>
public static class SkipGramVectors
{
    private const int Window = 5;
    private const int Negatives = 5;
    private const double SubsamplingThreshold = 1e-4;
    private const float InitialLearningRate = 0.025f;
    private const int NegativeTableSize = 10_000_000;

    /// <summary>Trains vectors of <paramref name="dimension"/> on <paramref name="texts"/> and writes them to <paramref name="path"/> atomically.</summary>
    /// <returns>How many words the file has.</returns>
    public static int TrainAndWrite(IEnumerable<string> texts, string path, int dimension = 50, int maxWords = 30_000, int minCount = 5, int epochs = 5, int seed = 1)
    {
        var documents = texts.ToList();
        var tokenizer = WordTokenizer.Train(documents, maxWords, minCount);
        int vocabulary = tokenizer.VocabularySize;
        var corpus = documents.Select(text => tokenizer.Encode(text).Where(id => id >= WordTokenizer.ReservedIds).ToArray()).Where(ids => ids.Length > 1).ToList();
        var counts = new long[vocabulary];
        foreach (var ids in corpus) foreach (int id in ids) counts[id]++;
        long totalWords = counts.Sum();

        var random = new Random(seed);
        var input = new float[vocabulary * dimension];
        var output = new float[vocabulary * dimension];
        for (int i = WordTokenizer.ReservedIds * dimension; i < input.Length; i++) input[i] = (float)((random.NextDouble() - 0.5) / dimension);
        var negativeTable = NegativeTable(counts);
        var keepProbability = counts.Select(c => c == 0 ? 0.0 : Math.Min(1.0, (Math.Sqrt(c / (SubsamplingThreshold * totalWords)) + 1) * SubsamplingThreshold * totalWords / c)).ToArray();

        var gradient = new float[dimension];
        var kept = new List<int>();
        long processed = 0, planned = totalWords * epochs;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            foreach (var ids in corpus)
            {
                processed += ids.Length;
                float learningRate = Math.Max(InitialLearningRate * 1e-4f, InitialLearningRate * (1 - (float)processed / planned));
                kept.Clear();
                foreach (int id in ids)
                    if (random.NextDouble() < keepProbability[id]) kept.Add(id);
                for (int position = 0; position < kept.Count; position++)
                {
                    int reach = random.Next(1, Window + 1);
                    int center = kept[position];
                    for (int other = Math.Max(0, position - reach); other <= Math.Min(kept.Count - 1, position + reach); other++)
                    {
                        if (other == position) continue;
                        var context = input.AsSpan(kept[other] * dimension, dimension);
                        gradient.AsSpan().Clear();
                        for (int sample = 0; sample <= Negatives; sample++)
                        {
                            int target = sample == 0 ? center : negativeTable[random.Next(negativeTable.Length)];
                            if (sample > 0 && target == center) continue;
                            var weights = output.AsSpan(target * dimension, dimension);
                            float score = TensorPrimitives.Dot(context, weights);
                            float step = ((sample == 0 ? 1f : 0f) - Sigmoid(score)) * learningRate;
                            TensorPrimitives.MultiplyAdd(weights, step, gradient, gradient);
                            TensorPrimitives.MultiplyAdd(context, step, weights, weights);
                        }
                        TensorPrimitives.Add(context, gradient, context);
                    }
                }
            }
        }
        return Write(tokenizer, counts, input, dimension, path);
    }

    private static float Sigmoid(float x) => x > 6 ? 1f : x < -6 ? 0f : 1f / (1f + MathF.Exp(-x));

    /// <summary>Word ids repeated in proportion to count^(3/4): a uniform draw from it is word2vec's noise distribution.</summary>
    private static int[] NegativeTable(long[] counts)
    {
        double total = counts.Sum(c => Math.Pow(c, 0.75));
        var table = new int[NegativeTableSize];
        int id = WordTokenizer.ReservedIds;
        double cumulative = Math.Pow(counts[id], 0.75) / total;
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = id;
            if ((double)(i + 1) / table.Length > cumulative && id < counts.Length - 1)
                cumulative += Math.Pow(counts[++id], 0.75) / total;
        }
        return table;
    }

    /// <summary>The word2vec text format (a "count dimension" header, then one word and its numbers a line), gzip, written to a temporary file and moved into place.</summary>
    private static int Write(WordTokenizer tokenizer, long[] counts, float[] vectors, int dimension, string path)
    {
        var words = Enumerable.Range(WordTokenizer.ReservedIds, tokenizer.VocabularySize - WordTokenizer.ReservedIds).Where(id => counts[id] > 0).ToList();
        string temporary = path + ".tmp";
        using (var file = new GZipStream(File.Create(temporary), CompressionLevel.SmallestSize))
        using (var writer = new StreamWriter(file, new UTF8Encoding(false)))
        {
            writer.Write($"{words.Count} {dimension}\n");
            var line = new StringBuilder();
            foreach (int id in words)
            {
                line.Clear().Append(tokenizer.Vocabulary[id]);
                for (int d = 0; d < dimension; d++)
                    line.Append(' ').Append(vectors[id * dimension + d].ToString("0.####", CultureInfo.InvariantCulture));
                writer.Write(line.Append('\n'));
            }
        }
        File.Move(temporary, path, overwrite: true);
        return words.Count;
    }
}
