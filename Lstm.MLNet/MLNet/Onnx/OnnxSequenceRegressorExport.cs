using Lstm.MLNet.TimeSeries;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace Lstm.MLNet;

/// <summary>
/// The sequence regressor as an ONNX graph through ML.NET's export hook: the float vector [B × T·F] read as T steps of F
/// values, its last <c>MaxSequenceLength</c> steps kept (<see cref="SequenceInput"/>'s rule), standardised with the
/// scaler learned at Fit, the LSTM head (<see cref="OnnxLstmHeadExport"/>), and the label scaling undone. A row the
/// library cannot score (empty, or holding NaN or ±∞) scores NaN, as with <c>NonFiniteValues = SkipRow</c>; the graph
/// cannot throw, so a model trained with <c>Throw</c> also gives NaN there instead of the library's exception.
/// </summary>
internal static class OnnxSequenceRegressorExport
{
    public static void Emit(OnnxContext context, SequenceRegressorModel model, string inputVariable, string scoreColumn, DataViewType scoreType)
    {
        context.CheckOpSetVersion(OnnxTextClassifierExport.MinimumOpSet, LstmSequenceRegressionTransformer.UserName);
        var graph = new OnnxGraph(context, "LstmRegressor");
        int F = model.FeaturesPerStep;

        string rows = graph.Dimension(inputVariable, 0, "rows");                                               // [1]: B
        string values = graph.Dimension(inputVariable, 1, "values");                                           // [1]: T·F
        string steps = graph.Op("Div", "steps", values, graph.Longs([F], 1));
        string sequence = graph.Op("Reshape", "sequence", inputVariable, graph.Node("Concat", "sequence.shape", [rows, steps, graph.Longs([F], 1)], n => n.AddAttribute("axis", 0L)));
        if (model.MaxSequenceLength > 0)
            sequence = graph.Slice(sequence, graph.Longs([-model.MaxSequenceLength], 1), graph.Longs([long.MaxValue], 1), 1, "sequence.kept");
        if (model.InputScaler is { } scaler)
            sequence = graph.Op("Div", "sequence.scaled", graph.Op("Sub", "sequence.centred", sequence, graph.Floats(scaler.Means, F)), graph.Floats(scaler.StandardDeviations, F));

        // One zero step appended so an empty row still gives the LSTM a step (its score is replaced by NaN below).
        string padded = graph.Op("Pad", "sequence.padded", sequence, graph.Longs([0, 0, 0, 0, 1, 0], 6), graph.Float(0f));
        string timeMajor = graph.Node("Transpose", "steps.tbf", [padded], n => n.AddAttribute("perm", new long[] { 1, 0, 2 }));
        string kept = graph.Dimension(sequence, 1, "kept");                                                    // [1]
        string atLeastOne = graph.Op("Where", "kept.min1", graph.Op("Less", "kept.empty", kept, graph.Longs([1], 1)), graph.Longs([1], 1), kept);
        string lengths = graph.Op("Expand", "lengths", graph.Cast(atLeastOne, typeof(int), "kept32"), rows);   // [B] int32

        string output = OnnxLstmHeadExport.Emit(graph, model.Network.Head, timeMajor, lengths);               // [B × K]
        if (model.TargetScaler is { } target)
            output = graph.Op("Add", "score.units", graph.Op("Mul", "score.scaled", output, graph.Floats(target.StandardDeviations, target.Features)), graph.Floats(target.Means, target.Features));

        // x · 0 is NaN exactly for NaN and ±∞, so the row sum flags a non-finite value; an empty row is flagged by its size.
        string nonFinite = graph.Op("IsNaN", "row.nonfinite",
            graph.ReduceSum(graph.Op("Mul", "row.zeros", inputVariable, graph.Float(0f)), 1, keepDims: true, "row.zerosum"));  // [B × 1]
        string unusable = graph.Op("Or", "row.unusable", nonFinite, graph.Op("Equal", "row.empty", values, graph.Longs([0], 1)));
        graph.NodeInto("Where", [unusable, graph.Float(float.NaN), output], [context.AddIntermediateVariable(scoreType, scoreColumn)]);
    }
}
