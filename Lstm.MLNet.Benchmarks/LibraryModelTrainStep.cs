using Lstm.MLNet.Compute;
using Lstm.MLNet.Model;

namespace Lstm.MLNet.Benchmarks;

/// <summary>
/// The same training step through the library's public model class (selected with --library-model).
/// Differences from <see cref="OurTrainStep"/>, both in the library's favour: the embedding table is
/// updated lazily (only the batch's rows), and the network computes the gradient norm each step
/// (clipping is off here to match the peer).
/// </summary>
internal sealed class LibraryModelTrainStep : ITrainStep
{
    private readonly SequenceClassifierNetwork _network;
    private readonly TrainData _data;

    public LibraryModelTrainStep(ModelShape shape, TrainData data, ComputeContext context, int seed = 1)
    {
        _data = data;
        _network = new SequenceClassifierNetwork(data.Vocabulary, TrainData.Classes, new SequenceClassifierOptions
        {
            EmbeddingSize = shape.Input,
            HiddenSize = shape.Hidden,
            NumberOfLayers = shape.Layers,
            Pooling = LstmPooling.Last,
            Dropout = 0,
            GradientClipNorm = 0,
            LearningRate = TrainData.LearningRate,
            Seed = seed,
            NumberOfThreads = context.Threads,
        });
        _network.Context = context;
    }

    public float Step() => _network.TrainBatch(_data.Sequences, _data.Labels);

    public void Dispose() { }
}
