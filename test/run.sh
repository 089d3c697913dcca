#!/usr/bin/env bash
# The whole test suite: unit tests, real-server tests on 127.0.0.1, and tests of the published
# native binary (publish.sh runs inside them, installing missing build packages), and the web UI
# in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

# The browser test drives Debian's Chromium with playwright-core (no browser download).
if [[ ! -x /usr/bin/chromium ]]; then
  sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo)
  echo "test/run.sh: installing chromium" >&2
  "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq chromium >/dev/null
fi
if [[ ! -d test/ui/node_modules/playwright-core ]]; then
  (cd test/ui && npm install --no-package-lock --no-audit --no-fund --silent)
fi
exec dotnet test Edge.Tests.csproj --logger "console;verbosity=normal" "$@"
