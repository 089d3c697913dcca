#!/usr/bin/env bash
# Edge's runtime alone (docs/BENCHMARKS.md, "Runtime"): BenchmarkDotNet microbenchmarks of the event
# loop, task groups, worker pool and supervisor beside .NET's own primitives (test/bench/runtime/, JIT,
# in process), and the idle loop's post→run lag in three runs of 20 s.
#
# Usage: test/bench/runtime.sh [BenchmarkDotNet filter, default '*']   (about 6 minutes for all)
# Prints BenchmarkDotNet's tables and the lag lines; its reports stay in /tmp/edge-runtime-bench/.
set -euo pipefail
cd "$(dirname "$0")/../.."
filter=${1:-*}
dotnet build test/bench/runtime/RuntimeBench.csproj -c Release -nologo -v q >/dev/null
bench=bin/RuntimeBench/Release/net10.0/RuntimeBench

"$bench" --filter "$filter" | sed -n '/^| Method/,/^$/p'
if [[ $filter == '*' ]]; then
  for _ in 1 2 3; do "$bench" idle-lag 20; done
fi
