#!/usr/bin/env bash
# Runs every test exactly as README.md and .ci/run do, then prints a one-line summary from the TRX log.
set -euo pipefail
cd "$(dirname "$0")/.."
results="${TEST_RESULTS_DIR:-$PWD/TestResults}"
rm -rf "$results"
status=0
dotnet test Lstm.MLNet.Tests/Lstm.MLNet.Tests.csproj -c Release --logger "trx;LogFileName=tests.trx" --results-directory "$results" "$@" || status=$?
trx="$results/tests.trx"
if [ -f "$trx" ]; then
  counters=$(grep -m 1 -o '<Counters [^>]*>' "$trx")
  passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  echo "Tests: ${passed:-0} passed, ${failed:-0} failed"
  if [ "${passed:-0}" -eq 0 ]; then echo "No test ran." >&2; status=1; fi
else
  echo "No TRX log was written: the test run did not start." >&2
  status=1
fi
exit $status
