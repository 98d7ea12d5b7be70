// The compute core is thread-safe (per-thread GEMM workspaces, no shared mutable state), so test
// methods may run side by side; two workers match the two cores of the CI machine.
[assembly: Parallelize(Scope = ExecutionScope.MethodLevel, Workers = 2)]
