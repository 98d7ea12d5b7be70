namespace Lstm.MLNet.Compute;

/// <summary>Shape of a (stacked, optionally bidirectional) LSTM, as <c>torch.nn.LSTM</c>'s constructor arguments.</summary>
public sealed record LstmShape
{
    /// <summary>The shape of an LSTM stack: <paramref name="inputSize"/> features per step, <paramref name="hiddenSize"/> units, <paramref name="numberOfLayers"/> layers, one or two directions.</summary>
    public LstmShape(int inputSize, int hiddenSize, int numberOfLayers = 1, bool bidirectional = false)
    {
        if (inputSize < 1) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "The input size must be at least 1.");
        if (hiddenSize < 1) throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, "The hidden size must be at least 1.");
        if (numberOfLayers < 1) throw new ArgumentOutOfRangeException(nameof(numberOfLayers), numberOfLayers, "The number of layers must be at least 1.");
        // The largest tensor, [4H × max(I, D·H)], must fit one array: checked in 64 bits before anything is allocated.
        long widest = Math.Max(inputSize, (bidirectional ? 2L : 1L) * hiddenSize);
        if (widest > Array.MaxLength / (4L * hiddenSize))
            throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize,
                $"An LSTM weight of [4·{hiddenSize} × {widest}] does not fit in one array (at most {Array.MaxLength:N0} values).");
        InputSize = inputSize; HiddenSize = hiddenSize; NumberOfLayers = numberOfLayers; Bidirectional = bidirectional;
    }

    /// <summary>I: features per step of the first layer.</summary>
    public int InputSize { get; }
    /// <summary>H: hidden units per direction.</summary>
    public int HiddenSize { get; }
    /// <summary>Stacked layers.</summary>
    public int NumberOfLayers { get; }
    /// <summary>Whether each layer also runs in reverse (outputs 2·H wide).</summary>
    public bool Bidirectional { get; }
    /// <summary>D: 2 when bidirectional, else 1.</summary>
    public int Directions => Bidirectional ? 2 : 1;
    /// <summary>Width of the output: D·H.</summary>
    public int OutputSize => Directions * HiddenSize;
    /// <summary>Input width of layer <paramref name="layer"/>: I for the first, D·H above.</summary>
    public int LayerInputSize(int layer) => layer == 0 ? InputSize : OutputSize;
}

/// <summary>
/// One layer-direction's weights in PyTorch's layout: rows of the 4H dimension in gate order
/// i, f, g, o. <c>weight_ih</c> [4H × in], <c>weight_hh</c> [4H × H], <c>bias_ih</c>, <c>bias_hh</c> [4H].
/// </summary>
public sealed class LstmCellParameters
{
    internal LstmCellParameters(int inputSize, int hiddenSize)
    {
        InputSize = inputSize; HiddenSize = hiddenSize;
        WeightIH = new float[CheckedSize.Of(4L * hiddenSize, inputSize, "weight_ih")];
        WeightHH = new float[CheckedSize.Of(4L * hiddenSize, hiddenSize, "weight_hh")];
        BiasIH = new float[4 * hiddenSize];
        BiasHH = new float[4 * hiddenSize];
    }

    /// <summary>Features per step this cell reads (I for layer 0, D·H above).</summary>
    public int InputSize { get; }
    /// <summary>H: hidden units.</summary>
    public int HiddenSize { get; }
    /// <summary><c>weight_ih</c> [4H × I], gates i, f, g, o (PyTorch layout).</summary>
    public float[] WeightIH { get; }
    /// <summary><c>weight_hh</c> [4H × H].</summary>
    public float[] WeightHH { get; }
    /// <summary><c>bias_ih</c> [4H].</summary>
    public float[] BiasIH { get; }
    /// <summary><c>bias_hh</c> [4H].</summary>
    public float[] BiasHH { get; }
}

/// <summary>All weights of an <see cref="LstmShape"/> (or their gradients: the same structure).</summary>
public sealed class LstmParameters
{
    private readonly LstmCellParameters[] _cells;

    /// <summary>Zero-initialised parameters of every layer and direction of <paramref name="shape"/>.</summary>
    public LstmParameters(LstmShape shape)
    {
        Shape = shape ?? throw new ArgumentNullException(nameof(shape));
        _cells = new LstmCellParameters[shape.NumberOfLayers * shape.Directions];
        for (int l = 0; l < shape.NumberOfLayers; l++)
            for (int d = 0; d < shape.Directions; d++)
                _cells[l * shape.Directions + d] = new LstmCellParameters(shape.LayerInputSize(l), shape.HiddenSize);
    }

    /// <summary>The stack these parameters belong to.</summary>
    public LstmShape Shape { get; }

    /// <summary>Layer <paramref name="layer"/>, direction 0 (forward) or 1 (reverse).</summary>
    public LstmCellParameters this[int layer, int direction] => _cells[layer * Shape.Directions + direction];

    /// <summary>Every tensor with its PyTorch name (<c>weight_ih_l0</c>, <c>bias_hh_l1_reverse</c>, …), in <c>nn.LSTM</c>'s order.</summary>
    public IEnumerable<(string Name, float[] Values)> Named()
    {
        for (int l = 0; l < Shape.NumberOfLayers; l++)
            for (int d = 0; d < Shape.Directions; d++)
            {
                string suffix = $"_l{l}" + (d == 1 ? "_reverse" : "");
                var p = this[l, d];
                yield return ("weight_ih" + suffix, p.WeightIH);
                yield return ("weight_hh" + suffix, p.WeightHH);
                yield return ("bias_ih" + suffix, p.BiasIH);
                yield return ("bias_hh" + suffix, p.BiasHH);
            }
    }

    /// <summary>Every tensor, in <see cref="Named"/>'s order.</summary>
    public IEnumerable<float[]> Tensors() => Named().Select(n => n.Values);

    /// <summary>Sets every value to zero (e.g. before accumulating gradients).</summary>
    public void Clear()
    {
        foreach (var t in Tensors()) Array.Clear(t);
    }

    /// <summary>PyTorch's default initialisation: every weight and bias uniform in [-1/√H, 1/√H], from a seeded generator.</summary>
    public void InitializeUniform(int seed)
    {
        var random = new Random(seed);
        float bound = 1f / MathF.Sqrt(Shape.HiddenSize);
        foreach (var t in Tensors())
            for (int i = 0; i < t.Length; i++)
                t[i] = (float)(random.NextDouble() * 2 - 1) * bound;
    }

    /// <summary>Copies every value from <paramref name="source"/> (same shape).</summary>
    public void CopyFrom(LstmParameters source)
    {
        if (source.Shape != Shape) throw new ArgumentException($"Shapes differ: {source.Shape} vs {Shape}.", nameof(source));
        foreach (var (dst, src) in Tensors().Zip(source.Tensors())) src.AsSpan().CopyTo(dst);
    }
}
