using TorchSharp;
using static TorchSharp.torch;

namespace Lstm.MLNet.Benchmarks;

/// <summary>The libtorch peer of <see cref="InferenceBenchmark"/>: nn.Embedding → nn.LSTM → nn.Linear on the last layer's final state, under no_grad.</summary>
internal sealed class TorchInference : IDisposable
{
    private readonly TorchClassifier _model;
    private readonly Tensor _one, _all;

    public TorchInference(ModelShape shape, TrainData data, int seed = 1)
    {
        _model = new TorchClassifier(shape, data.Vocabulary, seed);
        _model.Eval();
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
        // Reading one value forces the whole computation and matches what a caller does with the logits.
        _ = _model.Logits(tokens).data<float>()[0];
    }

    public void Dispose()
    {
        _one.Dispose(); _all.Dispose();
        _model.Dispose();
    }
}
