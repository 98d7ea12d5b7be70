namespace Lstm.MLNet.Tests.TestSupport;

/// <summary>Random tensors and the elementwise comparisons every test file shares.</summary>
internal static class TestTensors
{
    /// <summary>Uniform values in [-scale, scale].</summary>
    public static float[] Uniform(Random random, int count, float scale = 1f)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        return values;
    }

    public static float[] Filled(int count, float value)
    {
        var values = new float[count];
        Array.Fill(values, value);
        return values;
    }

    /// <summary>Σ a·b accumulated in double, so the test's own rounding stays far below the library's.</summary>
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.AreEqual(a.Length, b.Length, "Dot: lengths differ");
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return sum;
    }

    /// <summary>Largest |actual − expected| / max(1, |expected|) and where; NaN counts as infinitely far.</summary>
    public static (double Error, int Index) MaxScaledError(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.AreEqual(expected.Length, actual.Length, "lengths differ");
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]) / Math.Max(1.0, Math.Abs((double)expected[i]));
            if (double.IsNaN(error)) error = double.PositiveInfinity;
            if (error > worst || worstAt < 0) { worst = error; worstAt = i; }
        }
        return (worst, worstAt);
    }

    /// <summary>
    /// Asserts |actual − expected| ≤ tolerance·max(1, |expected|) everywhere (NaN never passes) and
    /// reports the worst element, so a failure says how far off the library is, not just that it is.
    /// </summary>
    public static void AssertClose(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double tolerance, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length");
        var (worst, at) = MaxScaledError(actual, expected);
        if (worst > tolerance)
            Assert.Fail($"{what}: max error {worst:E3} (|a−b|/max(1,|b|)) at [{at}]: got {actual[at]:R}, " +
                        $"expected {expected[at]:R}; tolerance {tolerance:E1}.");
    }

    /// <summary>
    /// <see cref="AssertClose"/> over many tensors at once; a failure lists the max error of every
    /// tensor, so one run shows whether e.g. only the reverse direction's gradients are off.
    /// </summary>
    public static void AssertAllClose(IEnumerable<(string Name, float[] Actual, float[] Expected)> tensors, double tolerance, string context)
    {
        var lines = new List<string>();
        bool failed = false;
        foreach (var (name, actual, expected) in tensors)
        {
            if (actual.Length != expected.Length)
            {
                lines.Add($"  {name}: length {actual.Length}, expected {expected.Length}  <-- FAIL");
                failed = true;
                continue;
            }
            var (error, at) = MaxScaledError(actual, expected);
            bool bad = error > tolerance;
            failed |= bad;
            lines.Add(bad
                ? $"  {name}: max error {error:E3} at [{at}] (got {actual[at]:R}, expected {expected[at]:R})  <-- FAIL"
                : $"  {name}: max error {error:E3}");
        }
        if (failed)
            Assert.Fail($"{context}: tolerance {tolerance:E1} exceeded\n{string.Join("\n", lines)}");
    }

    /// <summary>Asserts the two tensors hold the same bits (determinism, not closeness).</summary>
    public static void AssertBitIdentical(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: length");
        int differing = 0, first = -1;
        for (int i = 0; i < actual.Length; i++)
            if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]))
            {
                if (first < 0) first = i;
                differing++;
            }
        if (differing > 0)
            Assert.Fail($"{what}: {differing} of {actual.Length} elements differ bitwise; first at [{first}]: " +
                        $"{actual[first]:R} vs {expected[first]:R}.");
    }

    /// <summary>Up to <paramref name="count"/> distinct indices in [0, length), or all of them when fewer.</summary>
    public static int[] SampleIndices(Random random, int length, int count)
    {
        if (length <= count) return Enumerable.Range(0, length).ToArray();
        var chosen = new HashSet<int>();
        while (chosen.Count < count) chosen.Add(random.Next(length));
        return chosen.Order().ToArray();
    }
}
