#!/usr/bin/env bash
# Soak test of the published binary (docs/RELIABILITY.md, "Soak"): test/soak/soak.mjs under churn for
# SECONDS (default 240, what CI runs; the documented run is 3600), then its verdict.
#
# Usage: test/soak/run.sh [SECONDS] [OUT_DIR]      (after ./publish.sh)
# Writes OUT_DIR/soak.csv, soak.svg (RSS, GC heap, open files, threads, loop lag, clients over time)
# and summary.json; prints one line per check and ends with "N passed, N failed".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-240}"
out="${2:-$(mktemp -d /tmp/edge-soak.XXXXXX)}"
binary="${TEST_EDGE_BINARY:-$root/publish/linux-x64/edge}"
[[ -x "$binary" ]] || { echo "test/soak/run.sh: $binary not found: run ./publish.sh first" >&2; exit 1; }
command -v ffmpeg >/dev/null || { echo "test/soak/run.sh: ffmpeg is required (the pipe camera)" >&2; exit 1; }
command -v pkill >/dev/null || { echo "test/soak/run.sh: pkill (procps) is required" >&2; exit 1; }
# A copy: a concurrent ./publish.sh must not swap the binary under the run.
mkdir -p "$out"
cp "$binary" "$out/edge"
exec node --experimental-websocket --no-warnings "$here/soak.mjs" --binary "$out/edge" --seconds "$seconds" --out "$out"
