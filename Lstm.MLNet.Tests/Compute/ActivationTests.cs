using Lstm.MLNet.Compute;
using Lstm.MLNet.Tests.TestSupport;

namespace Lstm.MLNet.Tests.Compute;

/// <summary>Sigmoid and tanh against double-precision Math over the whole float range, on every path.</summary>
[TestClass]
public sealed class ActivationTests
{
    private const double Tolerance = 1e-6;

    private static double SigmoidReference(double x) => 1.0 / (1.0 + Math.Exp(-x));

    /// <summary>
    /// A dense sweep of [-20, 20] (where both functions bend), decimal magnitudes from 1e-30 to 3e38 of
    /// both signs, every binary exponent including subnormals, and the special values. The count is
    /// odd so the scalar tail of every vector width runs too.
    /// </summary>
    private static readonly float[] Inputs = BuildInputs();

    private static float[] BuildInputs()
    {
        var values = new List<float>();
        for (int i = -20 * 1024; i <= 20 * 1024; i++) values.Add(i / 1024f);
        foreach (double mantissa in new[] { 1.0, 1.5, 2.5, 3.0, 5.0, 7.5 })
            for (int exponent = -30; exponent <= 38; exponent++)
            {
                float v = (float)(mantissa * Math.Pow(10, exponent));
                if (float.IsFinite(v)) { values.Add(v); values.Add(-v); }
            }
        for (int exponent = -149; exponent <= 127; exponent++)
        {
            float v = (float)Math.ScaleB(1.25, exponent);
            if (float.IsFinite(v) && v != 0) { values.Add(v); values.Add(-v); }
        }
        values.AddRange([float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.MinValue, 0f, -0f,
            float.Epsilon, -float.Epsilon, 1e-40f, -1e-40f, 87f, -87f, 88.7f, -88.7f, 89f, -89f, 100f, -100f]);
        if (values.Count % 2 == 0) values.Add(0.5f);
        return values.ToArray();
    }

    private static void AssertMatches(float[] input, float[] actual, Func<double, double> reference, string what)
    {
        double worst = 0;
        int worstAt = 0;
        for (int i = 0; i < input.Length; i++)
        {
            double error = Math.Abs(actual[i] - reference(input[i]));
            if (double.IsNaN(error)) error = double.PositiveInfinity;
            if (error > worst) { worst = error; worstAt = i; }
        }
        Assert.IsLessThanOrEqualTo(Tolerance, worst,
            $"{what}: max abs error {worst:E3} at x = {input[worstAt]:R} (got {actual[worstAt]:R}, expected {reference(input[worstAt]):R}).");
    }

    [TestMethod]
    [DynamicData(nameof(SimdPaths.Each), typeof(SimdPaths))]
    public void Sigmoid_MatchesDoubleReferenceOverFloatRange(SimdPath path)
    {
        var output = new float[Inputs.Length];
        Activations.Sigmoid(Inputs, output, path);
        AssertMatches(Inputs, output, SigmoidReference, $"sigmoid on {path}");
    }

    [TestMethod]
    [DynamicData(nameof(SimdPaths.Each), typeof(SimdPaths))]
    public void Tanh_MatchesDoubleReferenceOverFloatRange(SimdPath path)
    {
        var output = new float[Inputs.Length];
        Activations.Tanh(Inputs, output, path);
        AssertMatches(Inputs, output, Math.Tanh, $"tanh on {path}");
    }

    /// <summary>Saturation must be exact: an LSTM gate at 1 or 0 must not leak, and ±∞ must not become NaN.</summary>
    [TestMethod]
    [DynamicData(nameof(SimdPaths.Each), typeof(SimdPaths))]
    public void Activations_SaturateExactlyAtInfinity(SimdPath path)
    {
        // Placed at several offsets so both the vector body and the scalar tail see them.
        float[] input = [float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.MinValue];
        var repeated = Enumerable.Repeat(input, 9).SelectMany(v => v).ToArray();
        var sigmoid = new float[repeated.Length];
        var tanh = new float[repeated.Length];
        Activations.Sigmoid(repeated, sigmoid, path);
        Activations.Tanh(repeated, tanh, path);
        for (int i = 0; i < repeated.Length; i++)
        {
            bool positive = repeated[i] > 0;
            Assert.AreEqual(positive ? 1f : 0f, sigmoid[i], $"sigmoid({repeated[i]}) on {path} at [{i}]");
            Assert.AreEqual(positive ? 1f : -1f, tanh[i], $"tanh({repeated[i]}) on {path} at [{i}]");
        }
    }

    /// <summary>NaN stays NaN: a diverged pre-activation clamped into a finite gate would hide the divergence.</summary>
    [TestMethod]
    [DynamicData(nameof(SimdPaths.Each), typeof(SimdPaths))]
    public void Activations_PropagateNaN(SimdPath path)
    {
        var input = Enumerable.Range(0, 35).Select(i => i % 3 == 0 ? float.NaN : i - 17f).ToArray();
        foreach (bool tanh in new[] { false, true })
        {
            var output = new float[input.Length];
            if (tanh) Activations.Tanh(input, output, path);
            else Activations.Sigmoid(input, output, path);
            for (int i = 0; i < input.Length; i++)
                Assert.AreEqual(float.IsNaN(input[i]), float.IsNaN(output[i]), $"{(tanh ? "tanh" : "sigmoid")}({input[i]}) = {output[i]} on {path} at [{i}]");
        }
    }

    public static IEnumerable<object[]> PathsAndTailLengths =>
        SimdPaths.Cross(new[] { 1, 7, 17, 33 }.Select(n => new object[] { n }));

    /// <summary>Lengths that are not a multiple of any vector width: the tail must be computed and nothing past it written.</summary>
    [TestMethod]
    [DynamicData(nameof(PathsAndTailLengths))]
    public void Activations_HandleTailLengths(SimdPath path, int length)
    {
        const float sentinel = -12345f;
        var input = TestTensors.Uniform(new Random(length), length, scale: 10f);
        foreach (bool tanh in new[] { false, true })
        {
            var output = TestTensors.Filled(length + 4, sentinel);
            if (tanh) Activations.Tanh(input, output, path);
            else Activations.Sigmoid(input, output, path);
            AssertMatches(input, output[..length], tanh ? Math.Tanh : SigmoidReference, $"{(tanh ? "tanh" : "sigmoid")} length {length} on {path}");
            CollectionAssert.AreEqual(TestTensors.Filled(4, sentinel), output[length..], $"wrote past the end (length {length}, {path})");
        }
    }
}
