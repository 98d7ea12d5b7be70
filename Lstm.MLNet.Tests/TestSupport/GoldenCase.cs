using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Tests.TestSupport;

/// <summary>
/// One PyTorch reference run from TestData/golden/lstm (format in its README.md): an
/// <c>nn.LSTM(batch_first=True)</c> forward and backward with every input, output and gradient.
/// </summary>
internal sealed class GoldenCase
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "TestData", "golden", "lstm");

    /// <summary>File names of every golden case, sorted so test names are stable.</summary>
    public static IReadOnlyList<string> FileNames =>
        Directory.EnumerateFiles(Folder, "*.json").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();

    /// <summary>DynamicData source: every golden file × every supported SIMD path.</summary>
    public static IEnumerable<object[]> EachFileOnEachPath => SimdPaths.Cross(FileNames.Select(f => new object[] { f }));

    private static readonly ConcurrentDictionary<string, GoldenCase> s_cache = new();

    /// <summary>Parses (once per process) and validates a golden file.</summary>
    public static GoldenCase Load(string fileName) => s_cache.GetOrAdd(fileName, static name =>
    {
        var path = Path.Combine(Folder, name);
        var golden = JsonSerializer.Deserialize<GoldenCase>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"{path} is empty.");
        golden.Validate(path);
        return golden;
    });

    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("inputSize")] public int InputSize { get; init; }
    [JsonPropertyName("hiddenSize")] public int HiddenSize { get; init; }
    [JsonPropertyName("numLayers")] public int NumLayers { get; init; }
    [JsonPropertyName("bidirectional")] public bool Bidirectional { get; init; }
    [JsonPropertyName("batch")] public int Batch { get; init; }
    [JsonPropertyName("seqLen")] public int SeqLen { get; init; }
    /// <summary>Null when every sequence is <see cref="SeqLen"/> long.</summary>
    [JsonPropertyName("lengths")] public int[]? Lengths { get; init; }
    [JsonPropertyName("x")] public float[] X { get; init; } = [];
    [JsonPropertyName("h0")] public float[] H0 { get; init; } = [];
    [JsonPropertyName("c0")] public float[] C0 { get; init; } = [];
    [JsonPropertyName("output")] public float[] Output { get; init; } = [];
    [JsonPropertyName("h_n")] public float[] HN { get; init; } = [];
    [JsonPropertyName("c_n")] public float[] CN { get; init; } = [];
    [JsonPropertyName("dOutput")] public float[] DOutput { get; init; } = [];
    [JsonPropertyName("dH_n")] public float[] DHn { get; init; } = [];
    [JsonPropertyName("dC_n")] public float[] DCn { get; init; } = [];
    [JsonPropertyName("weights")] public Dictionary<string, float[]> Weights { get; init; } = [];
    /// <summary>Gradients by weight name, plus <c>x</c>, <c>h0</c> and <c>c0</c>.</summary>
    [JsonPropertyName("grads")] public Dictionary<string, float[]> Grads { get; init; } = [];

    [JsonIgnore] public LstmShape Shape => new(InputSize, HiddenSize, NumLayers, Bidirectional);

    [JsonIgnore] public SequenceBatch SequenceBatch => Lengths is null ? SequenceBatch.Uniform(Batch, SeqLen) : SequenceBatch.FromLengths(Lengths);

    /// <summary>Loads the file's weights into <paramref name="parameters"/>, by PyTorch name.</summary>
    public void CopyWeightsTo(LstmParameters parameters)
    {
        foreach (var (name, values) in parameters.Named())
        {
            Assert.IsTrue(Weights.TryGetValue(name, out var source), $"{Name}: the golden file has no weight '{name}'.");
            Assert.AreEqual(values.Length, source!.Length, $"{Name}: '{name}' has {source.Length} values; the library expects {values.Length}.");
            source.CopyTo(values, 0);
        }
    }

    /// <summary>A batch-first padded tensor [B, T, features] packed for <see cref="SequenceBatch"/>.</summary>
    public float[] Pack(float[] padded, int features)
    {
        var batch = SequenceBatch;
        var packed = new float[batch.TotalSteps * features];
        batch.PackPadded(padded, SeqLen, features, packed);
        return packed;
    }

    /// <summary>A packed tensor spread back to [B, T, features], zero past each length (as PyTorch pads).</summary>
    public float[] Unpack(ReadOnlySpan<float> packed, int features)
    {
        var padded = new float[Batch * SeqLen * features];
        SequenceBatch.UnpackToPadded(packed, SeqLen, features, padded);
        return padded;
    }

    private void Validate(string path)
    {
        int d = Bidirectional ? 2 : 1, state = NumLayers * d * Batch * HiddenSize;
        void Expect(string field, int actual, int expected)
        {
            if (actual != expected) throw new InvalidDataException($"{path}: '{field}' has {actual} values, expected {expected}.");
        }
        Expect("x", X.Length, Batch * SeqLen * InputSize);
        Expect("output", Output.Length, Batch * SeqLen * d * HiddenSize);
        Expect("dOutput", DOutput.Length, Output.Length);
        foreach (var (field, values) in new[] { ("h0", H0), ("c0", C0), ("h_n", HN), ("c_n", CN), ("dH_n", DHn), ("dC_n", DCn) })
            Expect(field, values.Length, state);
        if (Lengths is not null) Expect("lengths", Lengths.Length, Batch);
        foreach (var name in Weights.Keys.Concat(["x", "h0", "c0"]))
            if (!Grads.ContainsKey(name)) throw new InvalidDataException($"{path}: no gradient for '{name}'.");
        // The tests compare x's gradient after unpacking, which writes zeros past each length; that is
        // only a comparison if PyTorch's gradient is zero there too (it is for packed sequences).
        if (Lengths is not null)
            for (int b = 0; b < Batch; b++)
                for (int i = (b * SeqLen + Lengths[b]) * InputSize; i < (b + 1) * SeqLen * InputSize; i++)
                    if (Grads["x"][i] != 0)
                        throw new InvalidDataException($"{path}: the gradient of x is {Grads["x"][i]} at padded element {i}.");
    }
}
