using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Tests.Compute;

/// <summary>Path names, detection and the contexts built on them.</summary>
[TestClass]
public sealed class SimdSupportTests
{
    [TestMethod]
    [DataRow("avx512", SimdPath.Avx512)]
    [DataRow("AVX512", SimdPath.Avx512)]
    [DataRow("avx2", SimdPath.Avx2)]
    [DataRow("Avx2", SimdPath.Avx2)]
    [DataRow("vector128", SimdPath.Vector128)]
    [DataRow(" Vector128 ", SimdPath.Vector128)]
    [DataRow("scalar", SimdPath.Scalar)]
    [DataRow("SCALAR", SimdPath.Scalar)]
    public void Parse_AcceptsPathNamesInAnyCase(string name, SimdPath expected) =>
        Assert.AreEqual(expected, SimdSupport.Parse(name));

    [TestMethod]
    [DataRow("")]
    [DataRow("avx1024")]
    [DataRow("sse4")]
    [DataRow("fast")]
    public void Parse_RejectsUnknownNames(string name) =>
        Assert.ThrowsExactly<ArgumentException>(() => SimdSupport.Parse(name));

    [TestMethod]
    [DataRow(null)]
    [DataRow("")]
    [DataRow("   ")]
    public void FromEnvironment_WithoutValue_IsBest(string? value) =>
        Assert.AreEqual(SimdSupport.Best, SimdSupport.FromEnvironment(value));

    [TestMethod]
    public void FromEnvironment_ForcesEverySupportedPath()
    {
        foreach (var path in SimdSupport.Supported)
            Assert.AreEqual(path, SimdSupport.FromEnvironment(path.ToString().ToLowerInvariant()));
    }

    [TestMethod]
    public void Supported_IsSlowestFirstStartsWithScalarAndEndsWithBest()
    {
        var supported = SimdSupport.Supported;
        Assert.AreEqual(SimdPath.Scalar, supported[0]);
        Assert.AreEqual(SimdSupport.Best, supported[^1]);
        CollectionAssert.AreEqual(supported.Order().ToArray(), supported.ToArray());
        foreach (var path in Enum.GetValues<SimdPath>())
            Assert.AreEqual(supported.Contains(path), SimdSupport.IsSupported(path), path.ToString());
    }

    [TestMethod]
    public void ComputeContext_RejectsPathsTheCpuLacks()
    {
        // An undefined enum value is never supported, so the rejection is checked on every CPU...
        Assert.ThrowsExactly<PlatformNotSupportedException>(() => new ComputeContext((SimdPath)99, 1));
        // ...and real paths the CPU lacks (none on an AVX-512 machine) are rejected the same way.
        foreach (var path in Enum.GetValues<SimdPath>().Where(p => !SimdSupport.IsSupported(p)))
        {
            Assert.ThrowsExactly<PlatformNotSupportedException>(() => new ComputeContext(path, 1), path.ToString());
            Assert.ThrowsExactly<PlatformNotSupportedException>(() => SimdSupport.FromEnvironment(path.ToString()), path.ToString());
        }
    }

    [TestMethod]
    public void ComputeContext_ThreadCounts()
    {
        Assert.AreEqual(Environment.ProcessorCount, new ComputeContext(SimdPath.Scalar, 0).Threads);
        Assert.AreEqual(3, new ComputeContext(SimdPath.Scalar, 3).Threads);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ComputeContext(SimdPath.Scalar, -1));

        var context = new ComputeContext(SimdSupport.Best, 2);
        var fewer = context.WithThreads(1);
        Assert.AreEqual((SimdSupport.Best, 1), (fewer.Path, fewer.Threads));
        var scalar = context.WithPath(SimdPath.Scalar);
        Assert.AreEqual((SimdPath.Scalar, 2), (scalar.Path, scalar.Threads));
    }
}
