using Lstm.MLNet.Model;
using Lstm.MLNet.Model.Persistence;

namespace Lstm.MLNet.TimeSeries;

/// <summary>What <see cref="GuardedForecaster.Read"/> needs from the saved options (the ML.NET layer owns and reads them first).</summary>
internal sealed record ForecasterShape(SequenceRegressorOptions Network, SeriesTransformKind Transform, ForecastStrategy Strategy,
    int WindowSize, int Horizon, int Covariates, float ConfidenceLevel);

internal sealed partial class GuardedForecaster
{
    // The forecaster's state in a saved payload, in the layout of format v1 (which v2 wraps unchanged), after the
    // options and column names the ML.NET transformer writes:
    //   the scaler (means, deviations), the interval offsets (lower, upper), the engine state (tail [StateLength],
    //   covariate tail [WindowSize × C]): each ModelPayload.WriteFloats
    //   (the transformer's training record: history and best epoch, written by the writeTrainingRecord callback)
    //   the network's tensors (ModelPayload.WriteTensors)
    //   v2 only, and absent in v2 models saved before the guard: the guard (seasonal period, decision and its evidence)
    //   v2 only, and only when the steps serve different things: int32 step count, then per step int32 decision, double
    //   network weight, bool seasonal-naive (models saved without it serve one decision at every step, as they did)

    /// <summary>
    /// Writes the forecaster with the engine state <paramref name="tail"/> and <paramref name="covariateTail"/>;
    /// <paramref name="writeTrainingRecord"/> writes what the caller keeps between the state and the weights.
    /// </summary>
    public void Write(BinaryWriter w, float[] tail, float[] covariateTail, Action<BinaryWriter> writeTrainingRecord)
    {
        CheckState(tail.Length, covariateTail.Length, m => new ArgumentException(m, nameof(tail)));
        ModelPayload.WriteFloats(w, Network.Scaler.Means);
        ModelPayload.WriteFloats(w, Network.Scaler.StandardDeviations);
        ModelPayload.WriteFloats(w, Intervals.LowerOffsets);
        ModelPayload.WriteFloats(w, Intervals.UpperOffsets);
        ModelPayload.WriteFloats(w, tail);
        ModelPayload.WriteFloats(w, covariateTail);
        writeTrainingRecord(w);
        ModelPayload.WriteTensors(w, Network.Network.NamedParameters());
        WriteGuard(w);
    }

    /// <summary>
    /// Reads what <see cref="Write"/> wrote for a forecaster of <paramref name="shape"/>; <paramref name="readTrainingRecord"/>
    /// reads the caller's part. Without a guard (<paramref name="mayHoldGuard"/> false for v1, or the payload ends after
    /// the weights) the network is served, as it was. Everything is read and checked before the network is built.
    /// </summary>
    public static (GuardedForecaster Model, float[] Tail, float[] CovariateTail) Read(BinaryReader r, ForecasterShape shape,
        bool mayHoldGuard, Action<BinaryReader> readTrainingRecord)
    {
        var scaler = new Standardizer(ModelPayload.ReadFloats(r, "means"), ModelPayload.ReadFloats(r, "deviations"));
        var intervals = new ResidualIntervals(ModelPayload.ReadFloats(r, "lower offsets"), ModelPayload.ReadFloats(r, "upper offsets"), shape.ConfidenceLevel);
        var tail = ModelPayload.ReadFloats(r, "observations");
        var covariateTail = ModelPayload.ReadFloats(r, "covariate observations");
        readTrainingRecord(r);
        var tensors = ModelPayload.ReadTensors(r);
        if (shape.Transform == SeriesTransformKind.Auto) throw new InvalidDataException("The saved transform is Auto; a trained model holds the transform Auto chose.");
        var diagnostics = !mayHoldGuard || r.BaseStream.Position == r.BaseStream.Length
            ? ForecastDiagnostics.Unguarded(shape.Transform, 1)
            : ReadGuard(r, shape.Transform);
        int period = SeriesTransform.IsSeasonal(shape.Transform) ? diagnostics.SeasonalPeriod : 0;
        if (intervals.Horizon != shape.Horizon) throw new InvalidDataException($"The saved intervals cover {intervals.Horizon} steps; the horizon is {shape.Horizon}.");
        var options = shape.Network;
        ModelPayload.CheckParameterCount(tensors, ModelPayload.ExpectedParameters(1 + shape.Covariates, options.HiddenSize, options.NumberOfLayers,
            options.Bidirectional, options.Outputs));

        var network = new SequenceRegressorNetwork(1 + shape.Covariates, options);
        network.LoadParameters(tensors);
        GuardedForecaster model;
        try
        {
            var forecaster = new SeriesForecaster(network, scaler, shape.Transform, shape.Strategy, shape.WindowSize, shape.Horizon, shape.Covariates, period);
            model = new GuardedForecaster(forecaster, intervals, diagnostics);
        }
        catch (ArgumentException e) { throw new InvalidDataException($"The saved forecaster is inconsistent: {e.Message}", e); }
        model.CheckState(tail.Length, covariateTail.Length, m => new InvalidDataException(m));
        return (model, tail, covariateTail);
    }

    /// <summary>Checks an engine state's lengths against what this forecaster forecasts from; <paramref name="fail"/> makes the exception.</summary>
    public void CheckState(long tail, long covariateTail, Func<string, Exception> fail)
    {
        long covariates = (long)Network.WindowSize * Network.Covariates;
        if (tail != StateLength || covariateTail != covariates)
            throw fail($"The state holds {tail} observations and {covariateTail} covariate values; window {Network.WindowSize} with the " +
                $"{Network.Transform} transform, its guard and {Network.Covariates} covariate(s) needs {StateLength} and {covariates}.");
    }

    // Payload section (format v2, after the network's tensors): the seasonal period and the guard's decision with its evidence.
    private void WriteGuard(BinaryWriter w)
    {
        var d = Diagnostics;
        w.Write(d.SeasonalPeriod); w.Write(d.ValidationWindows);
        w.Write(d.NetworkMae); w.Write(d.PersistenceMae); w.Write(d.SeasonalNaiveMae);
        w.Write((int)d.Decision); w.Write(d.NetworkWeight); w.Write(d.Reason);
        if (d.Steps is { } steps) ServedStep.WriteAll(w, steps);
    }

    private static ForecastDiagnostics ReadGuard(BinaryReader r, SeriesTransformKind transform)
    {
        int period = r.ReadInt32(), windows = r.ReadInt32();
        double network = r.ReadDouble(), persistence = r.ReadDouble(), seasonal = r.ReadDouble();
        int decision = r.ReadInt32();
        double weight = r.ReadDouble();
        string reason = r.ReadString();
        if (period < 1 || windows < 0 || !Enum.IsDefined((ForecastDecision)decision) || !(weight >= 0 && weight <= 1))
            throw new InvalidDataException($"The saved guard is invalid (period {period}, {windows} windows, decision {decision}, weight {weight}).");
        if (SeriesTransform.IsSeasonal(transform) && period < 2)
            throw new InvalidDataException($"The saved {transform} transform needs a seasonal period of at least 2; the model holds {period}.");
        ServedStep[]? steps = null;
        if (r.BaseStream.Position < r.BaseStream.Length)
        {
            steps = ServedStep.ReadAll(r);
        }
        return new ForecastDiagnostics(transform, period, windows, network, persistence, seasonal, (ForecastDecision)decision, weight, reason, steps);
    }
}
