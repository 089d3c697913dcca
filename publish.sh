#!/usr/bin/env bash
# Publishes Edge as one native executable: publish/<rid>/edge.
#   ./publish.sh               linux-x64
#   ./publish.sh linux-arm64   cross-compiled on an x86_64 Debian/Ubuntu machine, or built natively on arm64
#   ./publish.sh all           both, then publish/SHA256SUMS
# Fails on any trim/AOT warning (IL2xxx/IL3xxx) and on a binary that needs any library but libc, libm
# and the dynamic loader. Installs the build packages it misses (apt-get): a C toolchain, zlib and
# libjpeg-turbo's static TurboJPEG for the target; for linux-arm64 on x86_64 also the arm64
# architecture (dpkg --add-architecture), clang, lld and the aarch64 binutils and gcc.
set -euo pipefail
cd "$(dirname "$0")"
rid="${1:-linux-x64}"

if [[ $rid == all ]]; then
  "$0" linux-x64
  "$0" linux-arm64
  (cd publish && sha256sum linux-x64/edge linux-arm64/edge >SHA256SUMS)
  echo "publish.sh: publish/SHA256SUMS"
  exit 0
fi
case $rid in
  linux-x64) arch=amd64 ;;
  linux-arm64) arch=arm64 ;;
  *) echo "publish.sh: unknown target '$rid' (linux-x64, linux-arm64 or all)" >&2; exit 2 ;;
esac
host=$(dpkg --print-architecture)
cross=false
if [[ $arch != "$host" ]]; then
  [[ $host == amd64 && $arch == arm64 ]] || { echo "publish.sh: cannot build $rid on $host; build it on an $arch machine" >&2; exit 2; }
  cross=true
fi

# Packages are named with their architecture: once a second one is added, a bare name is ambiguous.
installed() { [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]; }
need=()
for pkg in "zlib1g-dev:$arch" "libturbojpeg0-dev:$arch"; do installed "$pkg" || need+=("$pkg"); done
if $cross; then
  for pkg in clang lld gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu; do installed "$pkg:$host" || need+=("$pkg"); done
else
  command -v gcc >/dev/null 2>&1 || command -v clang >/dev/null 2>&1 || need+=(gcc)
fi
if ((${#need[@]})); then
  echo "publish.sh: installing ${need[*]}" >&2
  sudo=(); [[ $(id -u) == 0 ]] || sudo=(sudo)
  if $cross && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then "${sudo[@]}" dpkg --add-architecture "$arch"; fi
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v dotnet >/dev/null 2>&1 || { echo "publish.sh: the .NET 10 SDK (dotnet) is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; exit 1; }
out="publish/$rid"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

extra=()
if $cross; then
  # Let the ILCompiler drive clang with lld over the arm64 multiarch libraries.
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
# A board needs nothing but its C library: readelf reads either architecture's headers.
needed=$(readelf -d "$out.tmp/edge" | sed -nE 's/.*\(NEEDED\).*\[(.*)\]/\1/p' | grep -vE '^(libc\.so\.6|libm\.so\.6|ld-linux-(x86-64|aarch64)\.so\.[12])$' || true)
if [[ -n $needed ]]; then
  echo "publish.sh: $out.tmp/edge needs libraries a board may lack: $needed" >&2
  exit 1
fi
glibc=$(readelf -W --dyn-syms "$out.tmp/edge" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1)
mkdir -p "$out"
# A rename: a copy of edge that is running keeps its old file.
mv -f "$out.tmp/edge" "$out/edge"
rm -rf "$out.tmp"
size=$(stat -c %s "$out/edge")
echo "publish.sh: $out/edge $size bytes ($(awk "BEGIN { printf \"%.1f\", $size / 1048576 }") MiB), needs ${glibc/_/ } or newer"
