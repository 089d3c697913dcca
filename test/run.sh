#!/usr/bin/env bash
# The whole test suite: unit tests, real-server tests on 127.0.0.1, and tests of the published
# native binary (publish.sh runs inside them, installing missing build packages).
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet test Edge.Tests.csproj --logger "console;verbosity=normal" "$@"
