using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Model;

/// <summary>A fully connected layer, <c>nn.Linear</c>'s layout: weight [Out × In], bias [Out].</summary>
internal sealed class Dense
{
    public Dense(int inputs, int outputs) : this(inputs, outputs, new float[outputs * inputs], new float[outputs])
    {
    }

    /// <summary>A layer over <paramref name="sharedWeight"/> [Out × In] and <paramref name="sharedBias"/> [Out], used as is (inference views share the trained weights).</summary>
    public Dense(int inputs, int outputs, float[] sharedWeight, float[] sharedBias)
    {
        if (sharedWeight.Length != outputs * inputs) throw new ArgumentException($"The weight has {sharedWeight.Length} values; [{outputs} × {inputs}] needs {outputs * inputs}.", nameof(sharedWeight));
        if (sharedBias.Length != outputs) throw new ArgumentException($"The bias has {sharedBias.Length} values; expected {outputs}.", nameof(sharedBias));
        Inputs = inputs;
        Outputs = outputs;
        Weight = sharedWeight;
        Bias = sharedBias;
        WeightGradient = new float[outputs * inputs];
        BiasGradient = new float[outputs];
    }

    public int Inputs { get; }
    public int Outputs { get; }
    public float[] Weight { get; }
    public float[] Bias { get; }
    /// <summary>Gradients: <see cref="Backward"/> adds into them.</summary>
    public float[] WeightGradient { get; }
    public float[] BiasGradient { get; }

    /// <summary>Weight and bias uniform in [−1/√In, 1/√In], <c>nn.Linear</c>'s default bounds.</summary>
    public void InitializeUniform(Random random)
    {
        double bound = 1 / Math.Sqrt(Inputs);
        foreach (var t in new[] { Weight, Bias })
            for (int i = 0; i < t.Length; i++) t[i] = (float)((random.NextDouble() * 2 - 1) * bound);
    }

    /// <summary>Forward: y [B × Out] = x [B × In] · Wᵀ + b.</summary>
    public void Forward(ComputeContext context, int rows, ReadOnlySpan<float> x, Span<float> y)
    {
        for (int r = 0; r < rows; r++) Bias.CopyTo(y.Slice(r * Outputs, Outputs));
        Gemm.Multiply(context, false, true, rows, Outputs, Inputs, x, Inputs, Weight, Inputs, y, Outputs, accumulate: true);
    }

    /// <summary>
    /// Backward: dW [Out × In] += dyᵀ·x, db += Σ_rows dy, and dx [B × In] = dy·W (overwritten; skipped when empty).
    /// </summary>
    public void Backward(ComputeContext context, int rows, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        Gemm.Multiply(context, true, false, Outputs, Inputs, rows, dy, Outputs, x, Inputs, WeightGradient, Inputs, accumulate: true);
        for (int r = 0; r < rows; r++) ElementwiseOps.Add(context.Path, dy.Slice(r * Outputs, Outputs), BiasGradient);
        if (!dx.IsEmpty)
            Gemm.Multiply(context, false, false, rows, Inputs, Outputs, dy, Outputs, Weight, Inputs, dx, Inputs, accumulate: false);
    }
}
