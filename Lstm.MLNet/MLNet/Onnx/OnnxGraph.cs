using Microsoft.ML.Model.OnnxConverter;

namespace Lstm.MLNet;

/// <summary>
/// A small builder over ML.NET's <see cref="OnnxContext"/> (the context <c>ml.Model.ConvertToOnnx</c> hands each exportable
/// step): one call per ONNX node, every intermediate value named under one prefix so it cannot take over a data view column's
/// name, and typed constants. Only the default domain at opset ≤ 12 (what ML.NET's converter declares), <c>ai.onnx.ml</c>
/// v2 and ONNX Runtime's <c>com.microsoft</c> operators are used.
/// </summary>
internal sealed class OnnxGraph(OnnxContext context, string prefix)
{
    public const string MicrosoftDomain = "com.microsoft";
    public const string MLDomain = "ai.onnx.ml";

    public OnnxContext Context => context;

    /// <summary>A fresh intermediate value name (no data view column maps to it).</summary>
    public string Value(string hint) => context.AddIntermediateVariable(null, $"{prefix}.{hint}", skip: true);

    /// <summary>Adds node <paramref name="op"/> writing one new value; <paramref name="attributes"/> sets its attributes.</summary>
    public string Node(string op, string hint, string[] inputs, Action<OnnxNode>? attributes = null, string domain = "")
    {
        string output = Value(hint);
        NodeInto(op, inputs, [output], attributes, domain);
        return output;
    }

    /// <summary>Adds node <paramref name="op"/> writing the given outputs (names from <see cref="Value"/> or a column's variable).</summary>
    public void NodeInto(string op, string[] inputs, string[] outputs, Action<OnnxNode>? attributes = null, string domain = "")
    {
        var node = context.CreateNode(op, inputs, outputs, context.GetNodeName($"{prefix}.{op}"), domain);
        attributes?.Invoke(node);
    }

    public string Op(string op, string hint, params string[] inputs) => Node(op, hint, inputs);

    public string Cast(string input, Type to, string hint) => Node("Cast", hint, [input], n => n.AddAttribute("to", to));

    public string Unsqueeze(string input, long axis, string hint) => Node("Unsqueeze", hint, [input], n => n.AddAttribute("axes", new[] { axis }));

    public string ReduceSum(string input, long axis, bool keepDims, string hint) =>
        Node("ReduceSum", hint, [input], n => { n.AddAttribute("axes", new[] { axis }); n.AddAttribute("keepdims", keepDims ? 1L : 0L); });

    /// <summary>input[:, start : start + length] along <paramref name="axis"/>, with start and length (or end) given as 1-element int64 values.</summary>
    public string Slice(string input, string starts, string ends, long axis, string hint) =>
        Op("Slice", hint, input, starts, ends, Longs([axis], 1));

    public string Floats(float[] values, params long[] dims) => context.AddInitializer(values, dims, $"{prefix}.const");
    public string Float(float value) => context.AddInitializer(value, $"{prefix}.const");
    public string Longs(long[] values, params long[] dims) => context.AddInitializer(values, dims, $"{prefix}.const");
    public string Long(long value) => context.AddInitializer(value, $"{prefix}.const");
    public string Ints(int[] values, params long[] dims) => context.AddInitializer(values, typeof(int), dims, $"{prefix}.const");
    public string UInt64s(ulong[] values, params long[] dims) => context.AddInitializer(values, isUint64: true, dims, $"{prefix}.const");
    public string UInt64(ulong value) => context.AddInitializer(value, isUint64: true, $"{prefix}.const");

    /// <summary>Dimension <paramref name="axis"/> of <paramref name="input"/> as a 1-element int64 value.</summary>
    public string Dimension(string input, long axis, string hint)
    {
        string shape = Op("Shape", hint + ".shape", input);
        return Node("Gather", hint, [shape, Longs([axis], 1)], n => n.AddAttribute("axis", 0L));
    }
}
