#!/usr/bin/env bash
# The samples' command line, as a user meets it (no training): help works, and a bad option value ends with one clear
# message and exit code 1, not a stack trace. Run by .ci/run after the samples are built (Release).
set -euo pipefail
cd "$(dirname "$0")/.."
dll=$(dotnet msbuild Lstm.MLNet.Samples/Lstm.MLNet.Samples.csproj -p:Configuration=Release -getProperty:TargetPath)
fail() { echo "samples-cli-test: $*" >&2; exit 1; }
help=$(dotnet "$dll" --help) || fail "--help exited with $?"
for command in sentiment spam mr quality forecast vectors sweep predict; do
  grep -qE "^  $command( |$)" <<<"$help" || fail "--help does not list '$command'"
done
sweep_help=$(dotnet "$dll" sweep --help) || fail "'sweep --help' exited with $?"
grep -q -- '--trials' <<<"$sweep_help" || fail "'sweep --help' does not list --trials"
expect_error() {  # expect_error MESSAGE ARGS...: exit code 1, MESSAGE on stderr, no stack trace
  local message=$1; shift
  local status=0 errors
  errors=$(dotnet "$dll" "$@" 2>&1 >/dev/null) || status=$?
  [ "$status" -eq 1 ] || fail "'$*' exited with $status, expected 1"
  grep -qF -- "$message" <<<"$errors" || fail "'$*' did not say \"$message\": $errors"
  if grep -qE '^\s+at |Unhandled exception' <<<"$errors"; then fail "'$*' printed a stack trace: $errors"; fi
}
expect_error "Cannot parse argument 'abc' for option '--trials'" sweep --trials abc
expect_error "--trials must be at least 1, got 0." sweep --trials 0
expect_error "--epochs must be a positive integer, got -2." sentiment --epochs -2
expect_error "Unknown data set 'nope'; expected sentiment, spam or mr." quality --datasets nope
expect_error "No model at 'missing.zip'" predict --model missing.zip "some text"
expect_error "WordVectorsPath 'no-such.vec' is not a file." sentiment --vectors no-such.vec "some text"
echo "samples-cli-test: help and validation messages as expected."
