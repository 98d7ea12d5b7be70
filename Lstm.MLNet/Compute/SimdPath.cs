using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lstm.MLNet.Compute;

/// <summary>The instruction-set path the compute core runs on.</summary>
public enum SimdPath
{
    /// <summary>Plain scalar code: the reference every other path is tested against.</summary>
    Scalar = 0,
    /// <summary>Portable 128-bit vectors (SSE on x86, AdvSimd on Arm).</summary>
    Vector128 = 1,
    /// <summary>256-bit AVX2 with FMA3.</summary>
    Avx2 = 2,
    /// <summary>512-bit AVX-512F.</summary>
    Avx512 = 3,
}

/// <summary>Which <see cref="SimdPath"/>s this CPU supports and which one the process uses.</summary>
public static class SimdSupport
{
    /// <summary>Environment variable that forces a path: <c>avx512</c>, <c>avx2</c>, <c>vector128</c> or <c>scalar</c>.</summary>
    public const string EnvironmentVariable = "LSTM_MLNET_ISA";

    /// <summary>The fastest path this CPU supports.</summary>
    public static SimdPath Best { get; } = DetectBest();

    /// <summary>The path used by default: <see cref="Best"/>, or the one forced by <see cref="EnvironmentVariable"/>.</summary>
    public static SimdPath Default { get; } = FromEnvironment(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Whether <paramref name="path"/> can run on this CPU.</summary>
    public static bool IsSupported(SimdPath path) => path switch
    {
        SimdPath.Scalar => true,
        SimdPath.Vector128 => Vector128.IsHardwareAccelerated,
        SimdPath.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        SimdPath.Avx512 => Avx512F.IsSupported && Vector512.IsHardwareAccelerated,
        _ => false,
    };

    /// <summary>Every path this CPU supports, slowest first.</summary>
    public static IReadOnlyList<SimdPath> Supported { get; } =
        Enum.GetValues<SimdPath>().Where(IsSupported).ToArray();

    /// <summary>Parses a path name as the environment variable spells it (case-insensitive).</summary>
    public static SimdPath Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "avx512" or "avx-512" or "avx512f" => SimdPath.Avx512,
        "avx2" or "avx2+fma" or "avx" => SimdPath.Avx2,
        "vector128" or "v128" or "sse" or "neon" => SimdPath.Vector128,
        "scalar" or "none" => SimdPath.Scalar,
        _ => throw new ArgumentException(
            $"Unknown SIMD path '{name}'. Expected one of: avx512, avx2, vector128, scalar.", nameof(name)),
    };

    internal static SimdPath FromEnvironment(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return Best;
        var path = Parse(value);
        if (!IsSupported(path))
            throw new PlatformNotSupportedException(
                $"{EnvironmentVariable}={value} asks for {path}, which this CPU does not support (best available: {Best}).");
        return path;
    }

    private static SimdPath DetectBest()
    {
        if (IsSupported(SimdPath.Avx512)) return SimdPath.Avx512;
        if (IsSupported(SimdPath.Avx2)) return SimdPath.Avx2;
        if (IsSupported(SimdPath.Vector128)) return SimdPath.Vector128;
        return SimdPath.Scalar;
    }

    /// <summary>A short description of the CPU for benchmark tables.</summary>
    public static string DescribeCpu()
    {
        string model = "unknown CPU";
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line != null) model = line[(line.IndexOf(':') + 1)..].Trim();
            }
        }
        catch (IOException) { }
        return $"{model}, {Environment.ProcessorCount} logical cores, best ISA {Best}";
    }
}
