using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Tests.TestSupport;

/// <summary>DynamicData sources over the SIMD paths this CPU can run.</summary>
internal static class SimdPaths
{
    /// <summary>Every supported path: each must match the references on its own.</summary>
    public static IEnumerable<object[]> Each => SimdSupport.Supported.Select(p => new object[] { p });

    /// <summary>Scalar (the reference code) and the fastest path: for checks too slow to run on all four.</summary>
    public static IEnumerable<object[]> ScalarAndBest =>
        new[] { SimdPath.Scalar, SimdSupport.Best }.Distinct().Select(p => new object[] { p });

    /// <summary>Every supported path combined with every row of <paramref name="rows"/> (path first).</summary>
    public static IEnumerable<object[]> Cross(IEnumerable<object[]> rows) =>
        from path in SimdSupport.Supported
        from row in rows
        select new object[] { path }.Concat(row).ToArray();
}
