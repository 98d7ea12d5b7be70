using Lstm.MLNet.Model;

namespace Lstm.MLNet.TimeSeries;

/// <summary>
/// A sequence regressor outside ML.NET: the network with the preprocessing state learned at Fit (input and label
/// standardisation) and the input rule (<see cref="SequenceInput"/>). Training prepares its rows with
/// <see cref="Prepare"/> and <see cref="PrepareTarget"/>, prediction goes through the same <see cref="Prepare"/>
/// (in a <see cref="Predictor"/>), so the two cannot read a row differently.
/// </summary>
internal sealed partial class SequenceRegressorModel
{
    private readonly SequenceInput _input;

    /// <param name="network">The network (trained in place when the model is built for training).</param>
    /// <param name="inputScaler">Per-feature standardisation of the inputs, or null.</param>
    /// <param name="targetScaler">Per-position standardisation of the label, or null; predictions are given back in label units.</param>
    /// <param name="maxSequenceLength">Steps read per row (the last ones); 0 = all.</param>
    public SequenceRegressorModel(SequenceRegressorNetwork network, Standardizer? inputScaler, Standardizer? targetScaler, int maxSequenceLength)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        if (inputScaler is not null && inputScaler.Features != network.FeaturesPerStep)
            throw new ArgumentException($"The input scaler has {inputScaler.Features} features; the network reads {network.FeaturesPerStep} per step.", nameof(inputScaler));
        if (targetScaler is not null && targetScaler.Features != network.Outputs)
            throw new ArgumentException($"The label scaler has {targetScaler.Features} positions; the network predicts {network.Outputs}.", nameof(targetScaler));
        InputScaler = inputScaler;
        TargetScaler = targetScaler;
        MaxSequenceLength = maxSequenceLength;
        _input = new SequenceInput(network.FeaturesPerStep, maxSequenceLength, inputScaler);
    }

    public SequenceRegressorNetwork Network { get; }
    public Standardizer? InputScaler { get; }
    public Standardizer? TargetScaler { get; }
    public int MaxSequenceLength { get; }
    public int FeaturesPerStep => Network.FeaturesPerStep;
    public int Outputs => Network.Outputs;

    /// <summary>The network's input for a raw row (T·F values): its last MaxSequenceLength steps, standardised.</summary>
    public float[] Prepare(ReadOnlySpan<float> row) => _input.Prepare(row);

    /// <summary>A label in the network's units (standardised), as training needs it.</summary>
    public float[] PrepareTarget(ReadOnlySpan<float> label)
    {
        var copy = label.ToArray();
        TargetScaler?.Transform(copy);
        return copy;
    }

    /// <summary>One thread's predictor: a view of the shared weights and its own buffers.</summary>
    public Predictor CreatePredictor() => new(this);

    /// <summary>Predicts one row at a time in label units; one per thread (the model's weights are shared).</summary>
    public sealed class Predictor(SequenceRegressorModel model)
    {
        private readonly SequenceRegressorNetwork _view = model.Network.CreateInferenceView();
        private readonly float[][] _single = new float[1][];
        private float[] _prepared = [];

        /// <summary>Writes the prediction for a raw row (T·F values, at least one step) into <paramref name="output"/> [Outputs].</summary>
        public void Predict(ReadOnlySpan<float> row, Span<float> output)
        {
            model._input.Prepare(row, ref _prepared);
            _single[0] = _prepared;
            _view.Predict(_single, output);
            model.TargetScaler?.InverseTransform(output);
        }
    }
}
