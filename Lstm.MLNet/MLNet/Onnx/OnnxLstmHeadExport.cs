using Lstm.MLNet.Compute;
using Lstm.MLNet.Model;

namespace Lstm.MLNet;

/// <summary>
/// <see cref="PooledLstmHead"/> as ONNX nodes: one ONNX <c>LSTM</c> node per layer (both directions in one node), its
/// <c>sequence_lens</c> carrying each row's real length, pooling over the real steps only, and the dense layer.
/// ONNX's LSTM stacks the gate blocks as i, o, f, c where PyTorch's (ours) are i, f, g, o, so the weights are reordered
/// here; its bias is [Wb | Rb] = [bias_ih | bias_hh].
/// </summary>
internal static class OnnxLstmHeadExport
{
    /// <summary>ONNX gate block b is our block <c>FromPyTorch[b]</c> (ONNX i, o, f, c ← PyTorch i, f, g, o).</summary>
    private static readonly int[] FromPyTorch = [0, 3, 1, 2];

    /// <summary>
    /// Emits the head over <paramref name="steps"/> [T × B × I] (steps past a row's length are ignored) with
    /// <paramref name="lengths"/> [B] int32 (each ≥ 1, ≤ T); returns the dense outputs [B × K].
    /// </summary>
    public static string Emit(OnnxGraph graph, PooledLstmHead head, string steps, string lengths)
    {
        var shape = head.Lstm.Shape;
        int H = shape.HiddenSize, D = shape.Directions;
        string layerInput = steps;
        string finalHidden = "";
        for (int layer = 0; layer < shape.NumberOfLayers; layer++)
        {
            int inputs = shape.LayerInputSize(layer);
            var w = new float[D * 4 * H * inputs];
            var r = new float[D * 4 * H * H];
            var b = new float[D * 8 * H];
            for (int d = 0; d < D; d++)
            {
                var cell = head.Lstm.Parameters[layer, d];
                for (int block = 0; block < 4; block++)
                {
                    int source = FromPyTorch[block];
                    cell.WeightIH.AsSpan(source * H * inputs, H * inputs).CopyTo(w.AsSpan((d * 4 + block) * H * inputs));
                    cell.WeightHH.AsSpan(source * H * H, H * H).CopyTo(r.AsSpan((d * 4 + block) * H * H));
                    cell.BiasIH.AsSpan(source * H, H).CopyTo(b.AsSpan(d * 8 * H + block * H));
                    cell.BiasHH.AsSpan(source * H, H).CopyTo(b.AsSpan(d * 8 * H + 4 * H + block * H));
                }
            }
            string y = graph.Value($"lstm{layer}.y"), yh = graph.Value($"lstm{layer}.yh");
            graph.NodeInto("LSTM", [layerInput, graph.Floats(w, D, 4 * H, inputs), graph.Floats(r, D, 4 * H, H), graph.Floats(b, D, 8 * H), lengths],
                [y, yh], n =>
                {
                    n.AddAttribute("hidden_size", (long)H);
                    n.AddAttribute("direction", D == 2 ? "bidirectional" : "forward");
                });
            // Y [T × D × B × H] → [T × B × D·H]: direction d in columns [d·H, (d+1)·H), as the packed outputs.
            string transposed = graph.Node("Transpose", $"lstm{layer}.tbdh", [y], n => n.AddAttribute("perm", new long[] { 0, 2, 1, 3 }));
            layerInput = graph.Op("Reshape", $"lstm{layer}.out", transposed, graph.Longs([0, 0, D * H], 3));
            finalHidden = yh;
        }

        string pooled = head.Pooling switch
        {
            // Y_h holds each direction's final state: forward at the last real step, reverse at step 0.
            LstmPooling.Last => graph.Op("Reshape", "pool.last",
                graph.Node("Transpose", "pool.bdh", [finalHidden], n => n.AddAttribute("perm", new long[] { 1, 0, 2 })), graph.Longs([0, D * H], 2)),
            LstmPooling.Mean => MeanOverRealSteps(graph, layerInput, lengths),
            LstmPooling.Max => MaxOverRealSteps(graph, layerInput, lengths),
            _ => throw new NotSupportedException($"Pooling {head.Pooling} has no ONNX export."),
        };
        var dense = head.Dense;
        return graph.Node("Gemm", "dense", [pooled, graph.Floats(dense.Weight, dense.Outputs, dense.Inputs), graph.Floats(dense.Bias, dense.Outputs)],
            n => n.AddAttribute("transB", 1L));
    }

    /// <summary>[T × B × 1] bool: step t is one of row b's real steps.</summary>
    private static string RealSteps(OnnxGraph graph, string outputs, string lengths)
    {
        string steps = graph.Op("Squeeze", "pool.steps", graph.Dimension(outputs, 0, "pool.t"));
        string positions = graph.Op("Range", "pool.positions", graph.Long(0), steps, graph.Long(1));           // [T]
        string longLengths = graph.Cast(lengths, typeof(long), "pool.lengths");                                // [B]
        string real = graph.Op("Less", "pool.real", graph.Unsqueeze(positions, 1, "pool.t1"), graph.Unsqueeze(longLengths, 0, "pool.1b"));
        return graph.Unsqueeze(real, 2, "pool.mask");
    }

    private static string MeanOverRealSteps(OnnxGraph graph, string outputs, string lengths)
    {
        string kept = graph.Op("Where", "pool.kept", RealSteps(graph, outputs, lengths), outputs, graph.Float(0f));
        string sum = graph.ReduceSum(kept, 0, keepDims: false, "pool.sum");                                    // [B × W]
        string inverse = graph.Op("Reciprocal", "pool.inverse", graph.Cast(lengths, typeof(float), "pool.flen"));
        return graph.Op("Mul", "pool.mean", sum, graph.Unsqueeze(inverse, 1, "pool.inverse1"));
    }

    private static string MaxOverRealSteps(OnnxGraph graph, string outputs, string lengths)
    {
        string kept = graph.Op("Where", "pool.kept", RealSteps(graph, outputs, lengths), outputs, graph.Float(float.NegativeInfinity));
        return graph.Node("ReduceMax", "pool.max", [kept], n => { n.AddAttribute("axes", new long[] { 0 }); n.AddAttribute("keepdims", 0L); });
    }
}
