#!/usr/bin/env bash
# Publishes Edge as one native executable: publish/<rid>/edge (default rid linux-x64).
# Fails on any trim/AOT warning (IL2xxx/IL3xxx).
#
# linux-arm64 needs, on the build machine, the arm64 ILCompiler pack from NuGet
# (runtime.linux-arm64.Microsoft.DotNet.ILCompiler) and an aarch64 cross toolchain:
#   apt-get install clang lld gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu zlib1g-dev:arm64 libturbojpeg0-dev:arm64
# then: ./publish.sh linux-arm64   (or build natively on an arm64 machine).
set -euo pipefail
cd "$(dirname "$0")"
rid="${1:-linux-x64}"

# Native AOT links with the system C toolchain and zlib, and Edge links libjpeg-turbo's static
# TurboJPEG library; install what is missing (Debian/Ubuntu).
need=()
command -v gcc >/dev/null 2>&1 || command -v clang >/dev/null 2>&1 || need+=(gcc)
for pkg in zlib1g-dev libturbojpeg0-dev; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
if ((${#need[@]})); then
  echo "publish.sh: installing ${need[*]}" >&2
  sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v dotnet >/dev/null 2>&1 || { echo "publish.sh: the .NET SDK (dotnet) is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; exit 1; }
out="publish/$rid"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

extra=()
if [[ "$rid" == linux-arm64 && "$(uname -m)" != aarch64 ]]; then
  # Cross-compiling: let the ILCompiler drive clang with the aarch64 sysroot's linker.
  extra+=(-p:CppCompilerAndLinker=clang -p:SysRoot=/ -p:LinkerFlavor=lld -p:ObjCopyName=aarch64-linux-gnu-objcopy)
fi

rm -rf "$out.tmp"
if ! dotnet publish Edge.csproj -c Release -r "$rid" -o "$out.tmp" -nologo "${extra[@]}" >"$log" 2>&1; then
  cat "$log"
  echo "publish.sh: dotnet publish failed" >&2
  exit 1
fi
if grep -E 'warning (IL2|IL3)[0-9]{3}' "$log" | sort -u | grep .; then
  echo "publish.sh: trim/AOT warnings above; fix them" >&2
  exit 1
fi
mkdir -p "$out"
# A rename: a copy of edge that is running keeps its old file.
mv -f "$out.tmp/edge" "$out/edge"
rm -rf "$out.tmp"
size=$(stat -c %s "$out/edge")
echo "publish.sh: $out/edge $size bytes ($(awk "BEGIN { printf \"%.1f\", $size / 1048576 }") MiB)"
