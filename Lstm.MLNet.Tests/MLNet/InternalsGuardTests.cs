namespace Lstm.MLNet.Tests.MLNet;

/// <summary>
/// Fails loudly when the loaded Microsoft.ML no longer has an internal member Lstm.MLNet is compiled against
/// (a new ML.NET version): every entry MLNetCompatibility checks must be found.
/// </summary>
[TestClass]
public sealed class InternalsGuardTests
{
    [TestMethod]
    public void EveryMLNetInternalThisLibraryUses_IsPresent()
    {
        var missing = MLNetCompatibility.FindMissing();
        Assert.IsEmpty(missing, "ML.NET internals moved: " + string.Join("; ", missing));
        MLNetCompatibility.EnsureSupported();
    }

    [TestMethod]
    public void TheLoadedMLNet_IsTheSupportedMajorMinor()
    {
        // ML.NET's assembly version stays 1.0.0.0; the package version is in the informational version.
        string version = typeof(Microsoft.ML.MLContext).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;
        StringAssert.StartsWith(version, "5.0.", $"Lstm.MLNet is pinned to Microsoft.ML {MLNetCompatibility.SupportedRange}; loaded {version}.");
    }
}
