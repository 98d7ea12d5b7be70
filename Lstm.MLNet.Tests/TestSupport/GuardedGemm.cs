using System.Runtime.InteropServices;
using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Tests.TestSupport;

/// <summary>
/// Products whose A ends exactly where an inaccessible page begins (Linux: mmap + mprotect), so a kernel that read even one
/// float past A's last element would fault. Runs in <see cref="IsolatedCases"/>' child process: a fault ends the child, not the host.
/// </summary>
internal static unsafe partial class GuardedGemm
{
    private const int ProtectNone = 0, ProtectReadWrite = 3, MapPrivateAnonymous = 0x22;

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Map(nint address, nuint length, int protection, int flags, int descriptor, nint offset);

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static partial int Protect(nint address, nuint length, int protection);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Unmap(nint address, nuint length);

    public static string ProductsWithAEndingAtAGuardPage()
    {
        if (!OperatingSystem.IsLinux()) return "skipped: needs Linux's mmap";
        int products = 0;
        var random = new Random(17);
        foreach (var path in SimdSupport.Supported)
            foreach (bool transposeA in new[] { false, true })
                for (int m = 1; m <= 13; m++)
                {
                    // k = 300 crosses a depth block; n = 70 leaves a partial strip on every path (edge tiles).
                    var problem = GemmProblem.Create(random, transposeA, transposeB: false, m, n: 70, k: 300, pad: 1);
                    var c = (float[])problem.InitialC.Clone();
                    WithGuardedCopy(problem.A, a => Gemm.Multiply(new ComputeContext(path, threads: 1), transposeA, false, m, problem.N, problem.K,
                        a, problem.Lda, problem.B, problem.Ldb, c, problem.Ldc, accumulate: false));
                    problem.AssertResult(c, accumulate: false, $"{path} m={m} guarded");
                    products++;
                }
        return $"{products} products";
    }

    private delegate void SpanAction(ReadOnlySpan<float> span);

    private static void WithGuardedCopy(float[] values, SpanAction use)
    {
        nuint page = (nuint)Environment.SystemPageSize, bytes = (nuint)values.Length * sizeof(float);
        nuint dataPages = (bytes + page - 1) / page * page, length = dataPages + page;
        nint region = Map(0, length, ProtectReadWrite, MapPrivateAnonymous, -1, 0);
        if (region == -1) throw new InvalidOperationException($"mmap failed: {Marshal.GetLastPInvokeError()}");
        try
        {
            if (Protect(region + (nint)dataPages, page, ProtectNone) != 0) throw new InvalidOperationException($"mprotect failed: {Marshal.GetLastPInvokeError()}");
            var span = new Span<float>((void*)(region + (nint)(dataPages - bytes)), values.Length);
            values.CopyTo(span);
            use(span);
        }
        finally { Unmap(region, length); }
    }
}
