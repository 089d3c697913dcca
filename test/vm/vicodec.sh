#!/usr/bin/env bash
# vicodec, Linux's virtual stateful mem-to-mem (M2M) codec (FWHT), built as an out-of-tree module for the
# VM's kernel: Edge's V4L2 M2M encoder path (the Raspberry Pi's bcm2835-codec is a stateful M2M codec
# too) meets a real driver there. Debian's kernels lack it (CONFIG_VIDEO_VICODEC unset), and the amd64
# one lacks v4l2-mem2mem, the framework it needs, as well (CONFIG_V4L2_MEM2MEM_DEV unset; the arm64 one
# has it as a module), so both are compiled from Debian's linux-source package at the kernel package's
# own version against the headers of that exact kernel (its .config and Module.symvers: the symbol
# versions and the layouts of the structures the modules share are the running kernel's).
#   x86_64: v4l2-mem2mem.ko and vicodec.ko in one Kbuild directory, so vicodec links against the
#     v4l2-mem2mem built beside it (that build's Module.symvers), with /lib/modules/KVER/build
#     (linux-headers-KVER).
#   arm64: vicodec.ko only, cross-compiled (gcc-12-aarch64-linux-gnu; gcc 12 built the kernel) against
#     linux-headers-KVER:arm64, downloaded and unpacked for the build (it cannot be installed beside the
#     host's packages), with the host's linux-kbuild-X.Y (its tools run on the build machine) and
#     linux-headers-*-common (architecture-independent).
#
# Sourced by test/vm/run.sh, whose apt_install and need it uses: vicodec_build KVER [VERSION] sets
# vicodec_dir to a directory holding the built .ko files, stripped of debug info as Debian's are.
# VERSION is the kernel package's (linux-image-KVER's) version, read from dpkg when it is installed.
# Run by itself: test/vm/vicodec.sh [KVER [VERSION]] (default: the newest /boot kernel) builds them and
# prints that directory.
#
# Cached in ${XDG_CACHE_HOME:-~/.cache}/edge-vm/vicodec/KVER_VERSION (the kernel's and linux-source's
# version, the same); reused while both match, other versions for the same kernel removed. A cold build
# installs what is missing (linux-source-X.Y, the headers, make, xz-utils, the cross compiler for
# arm64), unpacks only the two source directories' files it needs from /usr/src/linux-source-X.Y.tar.xz
# (decompressing the whole archive once is most of the time) and compiles. Their other headers are in
# the headers package (include/media) or vicodec's own directory.

# shellcheck disable=SC2016 # dpkg-query's field, not the shell's
vicodec_installed() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || true; } # PACKAGE: its installed version

vicodec_build() { # KVER [VERSION]: sets vicodec_dir
  local kver=$1 version=${2:-} series common source_version build tarball headers objs modules=() cross='' arch_args=() ko
  series=$(cut -d . -f 1,2 <<<"$kver")
  common=linux-headers-${kver%-*}-common
  if [[ -z $version ]]; then
    version=$(vicodec_installed "linux-image-$kver")
    [[ -n $version ]] || { echo "vm: linux-image-$kver is not installed: no version to build vicodec at" >&2; exit 2; }
  fi
  vicodec_dir=${XDG_CACHE_HOME:-$HOME/.cache}/edge-vm/vicodec/${kver}_$version
  [[ -e $vicodec_dir/.built ]] && return 0

  echo "vm: building vicodec for $kver from linux-source-$series $version"
  source_version=$(vicodec_installed "linux-source-$series")
  [[ $source_version == "$version" ]] || apt_install "linux-source-$series=$version"
  need make:make xz-utils:xz
  build=$(mktemp -d)
  case $kver in
    *-amd64)
      modules=(v4l2-mem2mem vicodec)
      [[ $(vicodec_installed "linux-headers-$kver") == "$version" ]] || apt_install "linux-headers-$kver=$version"
      headers=/lib/modules/$kver/build
      ;;
    *-arm64)
      modules=(vicodec)
      cross=aarch64-linux-gnu-
      arch_args=(ARCH=arm64 "CROSS_COMPILE=$cross")
      need gcc-12-aarch64-linux-gnu:aarch64-linux-gnu-gcc-12 binutils-aarch64-linux-gnu:aarch64-linux-gnu-strip
      [[ $(vicodec_installed "$common") == "$version" ]] || apt_install "$common=$version"
      [[ -d /usr/lib/linux-kbuild-$series/scripts ]] || apt_install "linux-kbuild-$series"
      (cd "$build" && apt-get download "linux-headers-$kver:arm64=$version") >"$build/download.log" 2>&1 ||
        { echo "vm: could not download linux-headers-$kver:arm64 $version: $(tail -n 2 "$build/download.log")" >&2
          rm -rf "$build"; exit 2; }
      dpkg-deb -x "$build"/linux-headers-*.deb "$build/headers"
      headers=$build/headers/usr/src/linux-headers-$kver
      # Its links to the kbuild tools are relative to /usr/src: point them at the host's.
      ln -sfn "/usr/lib/linux-kbuild-$series/scripts" "$headers/scripts"
      ln -sfn "/usr/lib/linux-kbuild-$series/tools" "$headers/tools"
      ;;
    *) echo "vm: no vicodec build for $kver (amd64 and arm64 kernels only)" >&2; rm -rf "$build"; exit 2 ;;
  esac
  tarball=/usr/src/linux-source-$series.tar.xz
  tar -xJf "$tarball" -C "$build" --wildcards --no-wildcards-match-slash \
    "linux-source-$series/drivers/media/v4l2-core/v4l2-mem2mem.c" \
    "linux-source-$series/drivers/media/test-drivers/vicodec/*" ||
    { echo "vm: $tarball has no v4l2-mem2mem.c or vicodec" >&2; rm -rf "$build"; exit 2; }
  mkdir "$build/kbuild"
  cp "$build/linux-source-$series/drivers/media/test-drivers/vicodec/"*.[ch] "$build/kbuild/"
  [[ ${modules[0]} != v4l2-mem2mem ]] || cp "$build/linux-source-$series/drivers/media/v4l2-core/v4l2-mem2mem.c" "$build/kbuild/"
  # vicodec's objects as its own Makefile lists them (there obj-$(CONFIG_VIDEO_VICODEC) is unset).
  objs=$(sed -n 's/^vicodec-objs *:= *//p' "$build/linux-source-$series/drivers/media/test-drivers/vicodec/Makefile")
  [[ -n $objs ]] || { echo "vm: vicodec's Makefile lists no vicodec-objs" >&2; rm -rf "$build"; exit 2; }
  printf 'obj-m := %s\nvicodec-y := %s\n' "${modules[*]/%/.o}" "$objs" >"$build/kbuild/Kbuild"
  if ! make -C "$headers" M="$build/kbuild" "${arch_args[@]}" -j "$(nproc)" modules >"$build/make.log" 2>&1; then
    echo "vm: building vicodec failed:" >&2; tail -n 20 "$build/make.log" >&2; rm -rf "$build"; exit 2
  fi
  rm -rf "${vicodec_dir%_*}"_*
  mkdir -p "$vicodec_dir"
  for ko in "${modules[@]}"; do "${cross}strip" --strip-debug -o "$vicodec_dir/$ko.ko" "$build/kbuild/$ko.ko"; done
  rm -rf "$build"
  touch "$vicodec_dir/.built"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  # run.sh's helpers, for a run by itself.
  apt_install() {
    if ((EUID != 0)); then echo "vm: missing $*: apt-get install $* (as root), or run this as root" >&2; exit 2; fi
    echo "vm: installing $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1; } ||
      { echo "vm: could not install $*" >&2; exit 2; }
  }
  need() {
    local missing=() pair
    for pair in "$@"; do command -v "${pair#*:}" >/dev/null 2>&1 || missing+=("${pair%%:*}"); done
    ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
  }
  # shellcheck disable=SC2012 # version-sorted names
  vicodec_build "${1:-$(ls /boot/vmlinuz-* | sort -V | tail -n 1 | sed 's,^/boot/vmlinuz-,,')}" "${2:-}" >&2
  echo "$vicodec_dir"
fi
