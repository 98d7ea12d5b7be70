using System.Globalization;

namespace Lstm.MLNet.Model;

/// <summary>
/// The bounds every network size is checked against before anything is allocated: a cap per option (far above
/// what an LSTM text or series model uses, low enough that no product of them wraps in 64 bits), and a memory
/// budget for the whole network. Training and loading a saved model run the same checks (through the options'
/// <c>Validate()</c> and the network constructors), so a model file cannot ask for more than training could.
/// </summary>
internal static class ModelLimits
{
    /// <summary>HiddenSize cap: [4H × 2H] recurrent weights of 4096 are already 134 M values (512 MB).</summary>
    public const int MaxHiddenSize = 4096;
    /// <summary>EmbeddingSize cap.</summary>
    public const int MaxEmbeddingSize = 4096;
    /// <summary>NumberOfLayers cap.</summary>
    public const int MaxLayers = 16;
    /// <summary>Cap on the regressor's outputs (the forecaster's Horizon) and on a classifier's classes.</summary>
    public const int MaxOutputs = 65_536;
    /// <summary>Cap on values per step of a sequence regressor (its LSTM input width).</summary>
    public const int MaxFeaturesPerStep = 65_536;
    /// <summary>Cap on the rows of a text classifier's n-gram table (the wide path).</summary>
    public const int MaxNgramBuckets = 1 << 22;
    /// <summary>
    /// Floats batch-1 inference may spend on the first layer's per-token input projections (V × D × 4H, filled as tokens
    /// are seen; 128 MB): a larger model computes each step's projection instead (<see cref="SingleSequenceWeights"/>).
    /// </summary>
    public const long MaxTokenTableFloats = 1L << 25;
    /// <summary>LearningRate must be in (0, this].</summary>
    public const double MaxLearningRate = 10;
    /// <summary>WeightDecay must be in [0, this].</summary>
    public const double MaxWeightDecay = 100;
    /// <summary>Cap on an explanation's integration steps (integrated gradients: the error falls as 1/steps², so more than this buys nothing).</summary>
    public const int MaxExplanationSteps = 1024;

    /// <summary>
    /// Floats a network holds per parameter while it trains: the weights, their gradients, Adam's two moments and
    /// the best-epoch snapshot (the packed copies of W_hh add less than one more).
    /// </summary>
    public const int TrainingFloatsPerParameter = 6;

    /// <summary>Memory the budget is checked against: what the GC may use (the container's limit, or physical memory).</summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Parameters of a stacked LSTM plus a dense head, in 64 bits (each factor is capped, so no product wraps).</summary>
    public static long ParameterCount(SequenceNetworkOptions options, int inputSize, int outputs)
    {
        long h = options.HiddenSize, directions = options.Bidirectional ? 2 : 1;
        long total = 0;
        for (int layer = 0; layer < options.NumberOfLayers; layer++)
        {
            long input = layer == 0 ? inputSize : directions * h;
            total += directions * 4 * h * (input + h + 2);
        }
        return total + (directions * h + 1) * outputs;
    }

    /// <summary>
    /// Throws unless <paramref name="parameters"/> (and <paramref name="largestTensor"/>) fit: every tensor in one array,
    /// the training footprint in the available memory. <paramref name="optionName"/> is the option the message blames;
    /// <paramref name="shape"/> describes the sizes that led there.
    /// </summary>
    public static void EnsureFits(long parameters, long largestTensor, string optionName, string shape)
    {
        if (largestTensor > Array.MaxLength)
            throw new ArgumentOutOfRangeException(optionName, string.Create(CultureInfo.InvariantCulture,
                $"{shape}: one tensor would hold {largestTensor:N0} values, more than an array can ({Array.MaxLength:N0}). Reduce {optionName}."));
        long bytes = parameters * TrainingFloatsPerParameter * sizeof(float);
        long available = AvailableBytes;
        if (bytes > available)
            throw new ArgumentOutOfRangeException(optionName, string.Create(CultureInfo.InvariantCulture,
                $"{shape}: {parameters:N0} parameters need about {bytes / (1 << 20):N0} MB to train; this process may use {available / (1 << 20):N0} MB. Reduce {optionName}."));
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and in [<paramref name="min"/>, <paramref name="max"/>] (NaN and ±∞ included).</summary>
    public static void RequireFinite(double value, double min, double max, string optionName, string range)
    {
        if (!(double.IsFinite(value) && value >= min && value <= max))
            throw new ArgumentOutOfRangeException(optionName, value, $"Must be finite and {range}.");
    }

    /// <summary>Throws unless <paramref name="value"/> is in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static void RequireInRange(int value, int min, int max, string optionName)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(optionName, value, string.Create(CultureInfo.InvariantCulture, $"Must be in [{min}, {max:N0}]."));
    }
}
