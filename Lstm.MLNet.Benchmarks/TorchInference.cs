using TorchSharp;
using static TorchSharp.torch;

namespace Lstm.MLNet.Benchmarks;

/// <summary>The libtorch peer of <see cref="InferenceBenchmark"/>: nn.Embedding → nn.LSTM → nn.Linear on the last layer's final state, under no_grad.</summary>
internal sealed class TorchInference : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _embedding, _head;
    private readonly TorchSharp.Modules.LSTM _lstm;
    private readonly Tensor _one, _all;
    private readonly int _layers;

    public TorchInference(ModelShape shape, TrainData data, int seed = 1)
    {
        torch.manual_seed(seed);
        _layers = shape.Layers;
        _embedding = nn.Embedding(data.Vocabulary, shape.Input);
        _lstm = nn.LSTM(shape.Input, shape.Hidden, numLayers: shape.Layers, batchFirst: true);
        _head = nn.Linear(shape.Hidden, TrainData.Classes);
        _embedding.eval(); _lstm.eval(); _head.eval();
        var ids = data.Sequences.SelectMany(s => s.Select(id => (long)id)).ToArray();
        _all = torch.tensor(ids, [data.Sequences.Length, shape.Steps]);
        _one = torch.tensor(ids.AsSpan(0, shape.Steps).ToArray(), [1, shape.Steps]);
    }

    /// <summary>The logits of the first sequence alone (batch 1).</summary>
    public void ForwardOne() => Forward(_one);

    /// <summary>The logits of every sequence at once.</summary>
    public void ForwardAll() => Forward(_all);

    private void Forward(Tensor tokens)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (_, hN, _) = _lstm.forward(_embedding.forward(tokens));
        // Reading one value forces the whole computation and matches what a caller does with the logits.
        _head.forward(hN[_layers - 1]).data<float>()[0].ToString();
    }

    public void Dispose()
    {
        _one.Dispose(); _all.Dispose();
        _embedding.Dispose(); _lstm.Dispose(); _head.Dispose();
    }
}
