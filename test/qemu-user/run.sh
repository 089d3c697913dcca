#!/usr/bin/env bash
# The published-binary tests (test/Binary) against a binary of another architecture, run under qemu
# user mode: the arm64 binary on an x86_64 machine (the default) or the other way round. The tests run
# the binary as `qemu-aarch64 edge ...` (test/Binary/ElfMachine.cs). Tests marked NativeOnly meet an
# emulator gap and are left out; each says which (IP_MULTICAST_IF, /proc/PID/exe, signal dispositions).
#
# Usage: test/qemu-user/run.sh [path/to/edge]   (default publish/linux-arm64/edge; ./publish.sh linux-arm64 makes it)
# Installs qemu-user and the target's OpenSSL (Edge loads libssl at run time for HTTPS) when missing.
# Ends with VSTest's summary ("Passed: N", "Failed: N"); exits non-zero when a test failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
edge=$(realpath "${1:-publish/linux-arm64/edge}")
[[ -x $edge ]] || { echo "qemu-user: $edge is missing: run ./publish.sh linux-arm64" >&2; exit 2; }
case $(readelf -h "$edge" | sed -nE 's/^ *Machine: *//p') in
  AArch64) arch=arm64 ;;
  *X86-64) arch=amd64 ;;
  *) echo "qemu-user: $edge is neither aarch64 nor x86_64" >&2; exit 2 ;;
esac
[[ $arch != "$(dpkg --print-architecture)" ]] || echo "qemu-user: $edge is for this machine; it runs natively"

installed() { [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]; }
need=()
installed "qemu-user:$(dpkg --print-architecture)" || need+=(qemu-user)
installed "libssl3:$arch" || need+=("libssl3:$arch")
if ((${#need[@]})); then
  echo "qemu-user: installing ${need[*]}" >&2
  dpkg --print-foreign-architectures | grep -qx "$arch" || [[ $arch == "$(dpkg --print-architecture)" ]] || dpkg --add-architecture "$arch"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

TEST_EDGE_BINARY=$edge exec dotnet test Edge.Tests.csproj --logger "console;verbosity=normal" \
  --filter "FullyQualifiedName~Edge.Tests.Binary&TestCategory!=NativeOnly"
