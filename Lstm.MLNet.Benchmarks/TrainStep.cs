namespace Lstm.MLNet.Benchmarks;

/// <summary>
/// One optimizer step of the benchmark model, embedding(V, E=I) → LSTM → linear(H → 2) on the last
/// layer's final hidden state → softmax cross-entropy → backward → Adam, on a fixed batch. Every
/// implementation (ours, the library's model class, libtorch) trains the same model on the same data.
/// </summary>
internal interface ITrainStep : IDisposable
{
    /// <summary>One step on the fixed batch; returns the batch's mean loss before the update.</summary>
    float Step();
}

/// <summary>A fixed random batch: B token sequences of T steps (ids in [0, V)) and binary labels.</summary>
internal sealed record TrainData(int[][] Sequences, int[] Labels, int Vocabulary)
{
    public const int DefaultVocabulary = 10_000;
    public const int Classes = 2;
    public const double LearningRate = 1e-3;

    public static TrainData Create(ModelShape shape, int seed = 7)
    {
        var random = new Random(seed);
        var sequences = new int[shape.Batch][];
        for (int b = 0; b < sequences.Length; b++)
        {
            sequences[b] = new int[shape.Steps];
            for (int t = 0; t < shape.Steps; t++) sequences[b][t] = random.Next(DefaultVocabulary);
        }
        var labels = new int[shape.Batch];
        for (int b = 0; b < labels.Length; b++) labels[b] = random.Next(Classes);
        return new TrainData(sequences, labels, DefaultVocabulary);
    }
}
