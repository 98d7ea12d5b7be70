using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Persistence;

namespace Lstm.MLNet.TimeSeries;

internal sealed partial class SequenceRegressorModel
{
    // The model's state in a saved payload, in the layout of format v1 (which v2 wraps unchanged), where the ML.NET
    // transformer's training history sits between the scalers and the weights:
    //   WriteScalers: when standardising, the input then the label standardiser (means, deviations: ModelPayload.WriteFloats)
    //   (the transformer's training history and best epoch)
    //   WriteWeights: the network's tensors and their checksum (ModelPayload.WriteTensors)
    // Features per step, outputs, the standardise flag and the network options are the transformer's saved options.

    /// <summary>Writes the input and label standardisers (nothing when the model does not standardise).</summary>
    public void WriteScalers(BinaryWriter w)
    {
        if ((InputScaler is null) != (TargetScaler is null))
            throw new InvalidOperationException("A regressor standardises both its inputs and its label or neither: one scaler is missing.");
        if (InputScaler is null) return;
        foreach (var scaler in new[] { InputScaler, TargetScaler! })
        {
            ModelPayload.WriteFloats(w, scaler.Means);
            ModelPayload.WriteFloats(w, scaler.StandardDeviations);
        }
    }

    /// <summary>Writes the network's weights.</summary>
    public void WriteWeights(BinaryWriter w) => ModelPayload.WriteTensors(w, Network.NamedParameters());

    /// <summary>Reads what <see cref="WriteScalers"/> wrote: both scalers when <paramref name="standardized"/>, else none.</summary>
    public static (Standardizer? Input, Standardizer? Target) ReadScalers(BinaryReader r, bool standardized, int featuresPerStep, int outputs)
        => standardized ? (ReadScaler(r, featuresPerStep, "input"), ReadScaler(r, outputs, "label")) : (null, null);

    /// <summary>
    /// Reads what <see cref="WriteWeights"/> wrote, checks it holds exactly the parameters <paramref name="network"/>
    /// implies for <paramref name="featuresPerStep"/> inputs, and only then builds the model.
    /// </summary>
    public static SequenceRegressorModel ReadWeights(BinaryReader r, int featuresPerStep, SequenceRegressorOptions network,
        (Standardizer? Input, Standardizer? Target) scalers, int maxSequenceLength)
    {
        var tensors = ModelPayload.ReadTensors(r);
        ModelPayload.CheckParameterCount(tensors, ModelPayload.ExpectedParameters(featuresPerStep, network.HiddenSize,
            network.NumberOfLayers, network.Bidirectional, network.Outputs));
        var built = new SequenceRegressorNetwork(featuresPerStep, network);
        built.LoadParameters(tensors);
        return new SequenceRegressorModel(built, scalers.Input, scalers.Target, maxSequenceLength);
    }

    private static Standardizer ReadScaler(BinaryReader r, int expected, string what)
    {
        var means = ModelPayload.ReadFloats(r, $"{what} means");
        var deviations = ModelPayload.ReadFloats(r, $"{what} deviations");
        if (means.Length != expected || deviations.Length != expected)
            throw new InvalidDataException($"The saved {what} standardisation has {means.Length}/{deviations.Length} values; {expected} expected.");
        return new Standardizer(means, deviations);
    }
}
