namespace Lstm.MLNet.Model;

/// <summary>
/// Hyperparameters every LSTM sequence network shares (the LSTM stack, its pooling, the head's dropout,
/// the optimizer, reproducibility); each network's options add what only it needs.
/// </summary>
internal abstract record SequenceNetworkOptions
{
    /// <summary>Hidden units H per direction.</summary>
    public int HiddenSize { get; init; } = 64;
    /// <summary>Stacked LSTM layers.</summary>
    public int NumberOfLayers { get; init; } = 1;
    /// <summary>Run a reverse direction too (the pooled vector is then 2H wide).</summary>
    public bool Bidirectional { get; init; }
    /// <summary>Dropout rate in [0, 1) during training: on the pooled vector, and between stacked LSTM layers.</summary>
    public float Dropout { get; init; }
    /// <summary>
    /// Dropout rate in [0, 1) during training on the top LSTM layer's output at every step, before pooling
    /// (each value of each step independently). It is not variational dropout on h_{t−1} inside the
    /// recurrence: the recurrent connection itself is never dropped, so the fused cell kernels stay as they are.
    /// </summary>
    public float RecurrentDropout { get; init; }
    public LstmPooling Pooling { get; init; } = LstmPooling.Last;
    public double LearningRate { get; init; } = 1e-3;
    public LstmOptimizer Optimizer { get; init; } = LstmOptimizer.Adam;
    /// <summary>Momentum for <see cref="LstmOptimizer.Sgd"/> (ignored by Adam).</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>L2 weight decay λ, on every parameter (embedding rows only when touched).</summary>
    public double WeightDecay { get; init; }
    /// <summary>Global gradient-norm clipping threshold; 0 turns clipping off.</summary>
    public float GradientClipNorm { get; init; } = 5f;
    /// <summary>Seeds initialisation and dropout: equal seeds and data give bit-identical training.</summary>
    public int Seed { get; init; }
    /// <summary>Threads for the compute core; 0 = all cores. Results do not depend on it.</summary>
    public int NumberOfThreads { get; init; }

    /// <summary>
    /// Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range: sizes above their caps
    /// (HiddenSize ≤ 4096, NumberOfLayers ≤ 16), non-finite or out-of-range rates (NaN and ±∞ included), or a network
    /// whose parameters would not fit one array per tensor or the memory this process may use.
    /// </summary>
    public virtual void Validate()
    {
        ModelLimits.RequireInRange(HiddenSize, 1, ModelLimits.MaxHiddenSize, nameof(HiddenSize));
        ModelLimits.RequireInRange(NumberOfLayers, 1, ModelLimits.MaxLayers, nameof(NumberOfLayers));
        if (!(Dropout >= 0f && Dropout < 1f)) throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Must be in [0, 1).");
        if (!(RecurrentDropout >= 0f && RecurrentDropout < 1f)) throw new ArgumentOutOfRangeException(nameof(RecurrentDropout), RecurrentDropout, "Must be in [0, 1).");
        if (!Enum.IsDefined(Pooling)) throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "Unknown pooling.");
        if (!Enum.IsDefined(Optimizer)) throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, "Unknown optimizer.");
        if (!(LearningRate > 0 && LearningRate <= ModelLimits.MaxLearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, $"Must be finite and in (0, {ModelLimits.MaxLearningRate}].");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Must be in [0, 1).");
        ModelLimits.RequireFinite(WeightDecay, 0, ModelLimits.MaxWeightDecay, nameof(WeightDecay), $"in [0, {ModelLimits.MaxWeightDecay}]");
        ModelLimits.RequireFinite(GradientClipNorm, 0, float.MaxValue, nameof(GradientClipNorm), "non-negative (0 = no clipping)");
        if (NumberOfThreads < 0) throw new ArgumentOutOfRangeException(nameof(NumberOfThreads), NumberOfThreads, "Must be 0 (all cores) or positive.");
    }

    /// <summary>
    /// Throws unless a network of these options over <paramref name="inputSize"/>-wide steps with <paramref name="outputs"/>
    /// outputs (plus <paramref name="extraParameters"/>, e.g. an embedding table) fits: the LSTM's tensors in one array
    /// each, the training footprint in available memory. Called by <see cref="Validate"/> with what the options know and
    /// by the network constructors with the real sizes.
    /// </summary>
    internal void CheckSize(int inputSize, int outputs, long extraParameters = 0, long largestExtraTensor = 0)
    {
        long directions = Bidirectional ? 2 : 1;
        long largestLstm = 4L * HiddenSize * Math.Max(inputSize, directions * HiddenSize);
        long parameters = ModelLimits.ParameterCount(this, inputSize, outputs) + extraParameters;
        string shape = $"HiddenSize={HiddenSize}, NumberOfLayers={NumberOfLayers}{(Bidirectional ? ", bidirectional" : "")}, input {inputSize}, outputs {outputs}" +
                       (extraParameters > 0 ? $", {extraParameters:N0} more parameters" : "");
        ModelLimits.EnsureFits(parameters, Math.Max(largestLstm, largestExtraTensor), nameof(HiddenSize), shape);
    }
}

/// <summary>Hyperparameters of a <see cref="SequenceClassifierNetwork"/>.</summary>
internal sealed record SequenceClassifierOptions : SequenceNetworkOptions
{
    /// <summary>Width E of a token embedding.</summary>
    public int EmbeddingSize { get; init; } = 64;
    /// <summary>Dropout rate in [0, 1) during training on the embedded token vectors (each value of each step independently).</summary>
    public float EmbeddingDropout { get; init; }
    /// <summary>Rows of the wide path's table (<see cref="NgramLinear"/>: a linear model over the bag of hashed token n-grams, added to the logits); 0 = no wide path.</summary>
    public int NgramBuckets { get; init; }
    /// <summary>The longest n-gram of the wide path (1 = unigrams only … 3).</summary>
    public int NgramLength { get; init; } = 3;

    /// <summary>Throws if a value is out of range.</summary>
    public override void Validate()
    {
        base.Validate(); // first: the shared options' names are what users set most (e.g. Dropout feeds EmbeddingDropout)
        ModelLimits.RequireInRange(EmbeddingSize, 1, ModelLimits.MaxEmbeddingSize, nameof(EmbeddingSize));
        if (!(EmbeddingDropout >= 0f && EmbeddingDropout < 1f)) throw new ArgumentOutOfRangeException(nameof(EmbeddingDropout), EmbeddingDropout, "Must be in [0, 1).");
        ModelLimits.RequireInRange(NgramBuckets, 0, ModelLimits.MaxNgramBuckets, nameof(NgramBuckets));
        ModelLimits.RequireInRange(NgramLength, 1, NgramLinear.MaxSupportedNgramLength, nameof(NgramLength));
        CheckSize(EmbeddingSize, outputs: 2);
    }
}
