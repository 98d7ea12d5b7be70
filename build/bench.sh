#!/usr/bin/env bash
# Builds the benchmarks (Release) and runs them with libtorch's compatibility shim preloaded.
#   build/bench.sh [all|peak|gemm|lstm|train|infer] [--quick] [--threads 1,2] [--isa avx512,avx2] [--no-torch] [--library-model]
# The build patches TorchSharp's native library and builds shim.so next to the dll
# (Lstm.MLNet.Benchmarks/torch-compat/README.md); LD_PRELOAD puts the shim in the global symbol scope.
set -euo pipefail
cd "$(dirname "$0")/.."
project=Lstm.MLNet.Benchmarks/Lstm.MLNet.Benchmarks.csproj
dotnet build "$project" -c Release --nologo -v quiet -clp:ErrorsOnly >&2
# Ask MSBuild where the dll went: it moves with LSTM_BUILD_ROOT (Directory.Build.props).
dll=$(dotnet msbuild "$project" -p:Configuration=Release -getProperty:TargetPath)
shim="$(dirname "$dll")/shim.so"
if [ -f "$shim" ]; then
  export LD_PRELOAD="$shim${LD_PRELOAD:+:$LD_PRELOAD}"
fi
exec dotnet "$dll" "$@"
