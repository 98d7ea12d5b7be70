using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Benchmarks;

/// <summary>A benchmark workload: B sequences of T steps into an L-layer LSTM of input I and hidden H.</summary>
internal sealed record ModelShape(string Name, int Batch, int Steps, int Input, int Hidden, int Layers)
{
    /// <summary>(A) a mid-size single layer; (B) a large 2-layer stack; (C) a small-state stack where step overhead dominates.</summary>
    public static IReadOnlyList<ModelShape> All { get; } =
    [
        new("A", Batch: 32, Steps: 64, Input: 128, Hidden: 128, Layers: 1),
        new("B", Batch: 64, Steps: 128, Input: 128, Hidden: 256, Layers: 2),
        new("C", Batch: 64, Steps: 48, Input: 8, Hidden: 64, Layers: 2),
    ];

    public LstmShape LstmShape => new(Input, Hidden, Layers);

    public string Description => $"{Name}: B={Batch} T={Steps} I={Input} H={Hidden} L={Layers}";

    /// <summary>GEMM flops of one forward pass: per layer 2·N·4H·(in + H), N = B·T (the elementwise work is not counted).</summary>
    public double ForwardFlops
    {
        get
        {
            double n = (double)Batch * Steps, flops = 0;
            for (int l = 0; l < Layers; l++)
                flops += 2 * n * 4 * Hidden * ((l == 0 ? Input : Hidden) + Hidden);
            return flops;
        }
    }

    /// <summary>Backward is two GEMMs per forward one (data gradient and weight gradient), so forward + backward ≈ 3× forward.</summary>
    public double TrainingFlops => 3 * ForwardFlops;
}
