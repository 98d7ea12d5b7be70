using System.Text;
using Google.Protobuf;
using Lstm.MLNet.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lstm.MLNet.Tests.MLNet.Onnx;

/// <summary>
/// The character n-grams' MurmurHash3 x86_32 graph on its own, run by ONNX Runtime against the library's hash. The graph is
/// written through ML.NET's own <c>OnnxContext</c> implementation (internal to Microsoft.ML.OnnxConverter, reached by
/// reflection), so the nodes are exactly those <c>ConvertToOnnx</c> writes.
/// </summary>
[TestClass]
public sealed class OnnxMurmurHash3Tests
{
    private const int MaxBytes = 16;

    [TestMethod]
    public void Hash32_InOnnxRuntime_EqualsMurmurHash3Hash32_OnVariedStrings()
    {
        var inputs = new List<byte[]>();
        foreach (string text in new[] { "", "a", "<a", "<a>", "go", "<go", "goo", "ous>", "<gor", "café", "<é>", "über>", "ærø", "日本", "<日本>", "\uFFFD", "\uFFFD\uFFFD>",
                     "naïve", "abcd", "abcdefgh", "abcdefghijklmnop", "10/10", "!", "<!>", "<ñ", "ß>", "Ω", "€€€€", "\u0001" })
            inputs.Add(Encoding.UTF8.GetBytes(text));
        var random = new Random(7);
        for (int length = 0; length <= MaxBytes; length++)
            for (int repeat = 0; repeat < 6; repeat++)
            {
                var bytes = new byte[length];
                random.NextBytes(bytes);
                if (repeat == 0) Array.Fill(bytes, (byte)0xFF);   // every bit set: XOR and the wrapped products at their extreme
                inputs.Add(bytes);
            }
        Assert.IsTrue(inputs.All(b => b.Length <= MaxBytes));

        var actual = RunGraph(inputs);
        for (int i = 0; i < inputs.Count; i++)
            Assert.AreEqual((long)MurmurHash3.Hash32(inputs[i], CharNgramHasher.Seed), actual[i], $"input {i} ({Convert.ToHexString(inputs[i])})");
    }

    /// <summary>The ONNX hash of each byte string (up to <see cref="MaxBytes"/>), through a one-graph model.</summary>
    private static long[] RunGraph(List<byte[]> inputs)
    {
        var ml = new MLContext(1);
        var type = typeof(OnnxExportExtensions).Assembly.GetType("Microsoft.ML.Model.OnnxConverter.OnnxContextImpl", throwOnError: true)!;
        var constructor = type.GetConstructors().Single();
        object?[] arguments = constructor.GetParameters().Select(p =>
            p.ParameterType.IsInstanceOfType(ml) ? ml
            : p.HasDefaultValue ? p.DefaultValue
            : p.ParameterType == typeof(string) ? "test"
            : p.ParameterType == typeof(long) ? 0L
            : p.ParameterType.IsEnum ? Enum.GetValues(p.ParameterType).GetValue(0)
            : throw new AssertFailedException($"OnnxContextImpl takes an unexpected {p.ParameterType} {p.Name}.")).ToArray();
        // OnnxContext is internal to ML.NET (the library compiles against a publicized copy), so it is only named by reflection here.
        object context = constructor.Invoke(arguments);
        object? Call(string method, params object?[] values) =>
            type.GetMethods().Single(m => m.Name == method && m.GetParameters().Length == values.Length && (m.Name != "CreateNode" || m.GetParameters()[1].ParameterType == typeof(IEnumerable<string>)))
                .Invoke(context, values);
        Call("AddInputVariable", new VectorDataViewType(NumberDataViewType.Int64, MaxBytes), "Bytes");
        Call("AddInputVariable", NumberDataViewType.Int64, "Length");

        var graph = (OnnxGraph)Activator.CreateInstance(typeof(OnnxGraph), context, "test")!;
        string grouped = graph.Op("Reshape", "grouped", (string)Call("GetVariableName", "Bytes")!, graph.Longs([0, MaxBytes / 4, 4], 3));
        string words = graph.ReduceSum(graph.Op("Mul", "weighted", grouped, graph.Longs([1, 1 << 8, 1 << 16, 1 << 24], 4)), -1, keepDims: false, "words"); // [N × 4]
        string length = graph.Op("Reshape", "length", (string)Call("GetVariableName", "Length")!, graph.Longs([-1], 1));
        string hash = new OnnxMurmurHash3(graph).Hash32(words, MaxBytes / 4, length, "hash");
        string output = (string)Call("AddIntermediateVariable", NumberDataViewType.Int64, "Hash", false)!;
        Call("CreateNode", "Reshape", new[] { hash, graph.Longs([-1, 1], 2) }, new[] { output }, "hash.output", "");
        Call("AddOutputVariable", NumberDataViewType.Int64, output, null);
        byte[] model = ((IMessage)type.GetMethod("MakeModel")!.Invoke(context, null)!).ToByteArray();

        var bytes = new long[inputs.Count * MaxBytes];
        var lengths = new long[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            lengths[i] = inputs[i].Length;
            for (int b = 0; b < inputs[i].Length; b++) bytes[i * MaxBytes + b] = inputs[i][b];
        }
        using var session = new InferenceSession(model);
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor("Bytes", new DenseTensor<long>(bytes, [inputs.Count, MaxBytes])),
            NamedOnnxValue.CreateFromTensor("Length", new DenseTensor<long>(lengths, [inputs.Count, 1])),
        ]);
        return results.Single().AsTensor<long>().ToArray();
    }
}
