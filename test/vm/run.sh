#!/usr/bin/env bash
# The published binary against a real V4L2 driver, installed as on a board: Linux's vivid (a virtual
# capture device) in a qemu VM, for an x86_64 or an arm64 (aarch64) binary, whichever it is.
#
# Builds an initramfs: busybox (its init runs test/vm/guest/inittab), docs/init/edge.sysv as
# /etc/init.d/edge (Debian's start-stop-daemon beside it) and /etc/edge/edge.json, v4l2-ctl, every
# library they load plus OpenSSL and OpenH264 (libopenh264.so.7, and what it loads), and vivid, virtio
# (net, block, rng) and ext4 with the modules they need, and vicodec (a virtual stateful M2M codec;
# test/vm/vicodec.sh builds it, with v4l2-mem2mem for amd64, out of tree from Debian's linux-source,
# cached) loaded after vivid. The board's disk is an ext4 virtio disk, mounted at /disk: /usr/local and
# /var/lib/edge are links into it. Edge is copied onto it at /usr/local/bin/edge, as an install copies
# it onto a board, so a boot reads the binary from a disk with a cold page cache, as a board does; Edge
# keeps its data in /var/lib/edge and runs with its defaults (auth with the generated admin, HTTPS,
# RTSP, ONVIF); only the camera is configured. qemu uses user-mode networking with Edge's ports and the
# VM's command port (busybox nc running test/vm/guest/vmctl) forwarded to 127.0.0.1.
#
# First boot, checked from the host: the generated admin password (read from /var/log/edge.log) and
# Basic auth, camera.list, snapshots and streams for YUYV and NV12 at two sizes each, camera.set
# (format, size, fps) at run time in one process, recovery from injected faults (a fatal streaming
# error; a disconnect followed by reloading the module) with a viewer that stays connected, the camera
# closed once nobody watches and opened again by a snapshot, HTTPS and RTSP, H.264 from the raw camera
# (camera.list has no V4L2 H.264 encoder, so OpenH264's: RTSP /h264 probed and decoded, camera.h264
# read while it plays; /live.mp4 and a recording made by the API, read by ffprobe), vicodec's
# multi-planar encoder and decoder nodes (and `edge codec-check` on them, skipped while the binary
# lacks it); then `/etc/init.d/edge stop` and a power-off with a clean disk.
# Second boot, same disk: init starts Edge again; with no client but /healthz (no login, so no
# OpenSSL), Edge's RSS (smaps_rollup) is read in the VM every 10 s for the idle window: 60 s after
# Edge's start it must be at most 24 MiB and grow by at most 1 MiB after that, and OpenH264 must not be
# loaded; smaps_rollup and the biggest mappings are printed at both ends of the window. Then: no new
# admin was created, the first password works, the journal and camera settings survived.
#
# Usage: test/vm/run.sh [--idle SECONDS] [--csv FILE] [--logs DIR] [path/to/edge]
#   path/to/edge     default publish/linux-x64/edge; its ELF header says which VM to boot
#   --idle SECONDS   the idle window after the second boot's checks (default 120, at least 60;
#                    the documented long run is 900)
#   --csv FILE       writes the idle samples there: seconds since Edge started, RSS in kB
#   --logs DIR       keeps both boots' consoles (console1.log, console2.log) and Edge's logs there
# x86_64: qemu-system-x86_64 with the host's kernel from /boot (linux-image-amd64) and its modules,
#   the host's busybox-static, dash (/bin/sh), v4l2-ctl and start-stop-daemon; KVM when it works,
#   TCG otherwise; libopenh264-7 installed on the host.
# arm64: qemu-system-aarch64 (virt, cortex-a57, TCG) with the newest linux-image-*-arm64; it,
#   busybox-static, dash, v4l-utils, dpkg (start-stop-daemon) and libopenh264-7 for arm64 are fetched
#   with apt-get download and unpacked in ${XDG_CACHE_HOME:-~/.cache}/edge-vm/arm64 (reused while the
#   versions match); their libraries come from arm64 multiarch packages (libc6, libgcc-s1,
#   libstdc++6, libssl3, libv4l-0), listed by the arm64 loader under qemu-aarch64 (qemu-user).
# vicodec needs linux-source-X.Y and the kernel's headers (for arm64: downloaded, and a cross compiler).
# Both need ffmpeg, curl, cpio, kmod, e2fsprogs, binutils, python3. Missing packages are installed
# when running as root (apt-get); otherwise it exits 2 naming them.
# Prints a line per check and ends with "N passed, N failed"; exits 0 only when none failed.
# shellcheck disable=SC2317 # functions run through trap and until_true
set -euo pipefail
cd "$(dirname "$0")/../.."

usage() { sed -n '/^# Usage:/,/^#   --logs/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
idle=120
csv=
logs=
edge=
while (($#)); do
  case $1 in
    --idle) idle=${2:?}; shift 2 ;;
    --csv) csv=${2:?}; shift 2 ;;
    --logs) logs=${2:?}; shift 2 ;;
    -h | --help) usage ;;
    -*) echo "vm: unknown option $1" >&2; usage ;;
    *) [[ -z $edge ]] || usage; edge=$1; shift ;;
  esac
done
if ! [[ $idle =~ ^[0-9]+$ ]] || ((idle < 60)); then echo "vm: --idle takes whole seconds, at least 60" >&2; exit 2; fi
[[ -z $csv ]] || csv=$(realpath -m "$csv")
[[ -z $logs ]] || logs=$(realpath -m "$logs")
edge=$(realpath "${edge:-publish/linux-x64/edge}")
[[ -x $edge ]] || { echo "vm: $edge is missing: run ./publish.sh" >&2; exit 2; }
run_started=$(date +%s)

work=$(mktemp -d)
qemu_pid=
viewer_pid=
# Never changes the exit status: under set -e a failing last command here (wait on the qemu it just
# killed) would replace the "N passed, 0 failed" status with 143.
cleanup() {
  [[ -z $viewer_pid ]] || kill "$viewer_pid" 2>/dev/null || true
  [[ -z $qemu_pid ]] || { kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null; } || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- what this needs -----------------------------------------------------------------------------
apt_install() { # PACKAGE...: installs them, or exits 2 naming them
  if ((EUID != 0)); then echo "vm: missing $*: apt-get install $* (as root), or run this as root" >&2; exit 2; fi
  echo "vm: installing $*"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends "$@" >"$work/apt.log" 2>&1; then
    apt-get update -qq >>"$work/apt.log" 2>&1 || true
    apt-get install -y -qq --no-install-recommends "$@" >>"$work/apt.log" 2>&1 ||
      { echo "vm: could not install $*: $(tail -n 3 "$work/apt.log")" >&2; exit 2; }
  fi
}
need() { # PACKAGE:COMMAND...: installs the packages whose command is missing
  local missing=() pair
  for pair in "$@"; do command -v "${pair#*:}" >/dev/null 2>&1 || missing+=("${pair%%:*}"); done
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
}
need binutils:readelf
machine=$(readelf -h "$edge" 2>/dev/null | sed -n 's/^ *Machine: *//p' || true)
case $machine in
  *X86-64*) arch=x86_64 triplet=x86_64-linux-gnu ;;
  AArch64) arch=arm64 triplet=aarch64-linux-gnu ;;
  *) echo "vm: $edge is not an x86_64 or AArch64 ELF executable (${machine:-no ELF header})" >&2; exit 2 ;;
esac
need ffmpeg:ffmpeg ffmpeg:ffprobe curl:curl cpio:cpio kmod:modprobe kmod:depmod e2fsprogs:mkfs.ext4 \
  e2fsprogs:e2fsck python3:python3 gzip:gzip
static() { [[ -f $1 ]] && ! readelf -l "$1" | grep -q 'program interpreter'; }
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,disk,etc/init.d,etc/edge,etc/vm,lib/modules,usr/bin,usr/sbin,var/log,var/lib}
ln -s /disk/local "$root/usr/local"
ln -s /disk/edge "$root/var/lib/edge"

if [[ $arch == x86_64 ]]; then
  need qemu-system-x86:qemu-system-x86_64 v4l-utils:v4l2-ctl dpkg:start-stop-daemon dash:dash
  ls /boot/vmlinuz-* >/dev/null 2>&1 || apt_install linux-image-amd64
  static /bin/busybox || apt_install busybox-static
  static /bin/busybox || { echo "vm: /bin/busybox is not static (apt-get install busybox-static)" >&2; exit 2; }
  [[ -e /usr/lib/$triplet/libssl.so.3 ]] || apt_install libssl3
  [[ -e /usr/lib/$triplet/libopenh264.so.7 ]] || apt_install libopenh264-7
  openh264=/usr/lib/$triplet/libopenh264.so.7
  # shellcheck disable=SC2012 # version-sorted names
  kernel=$(ls /boot/vmlinuz-* | sort -V | tail -n 1)
  kver=${kernel#/boot/vmlinuz-}
  modroot=/
  busybox=/bin/busybox
  dash=$(command -v dash)
  v4l2ctl=$(command -v v4l2-ctl)
  ssd=$(command -v start-stop-daemon)
  qemu="qemu-system-x86_64"
  console_device=ttyS0
  libs() { ldd "$1"; }
else
  need qemu-system-arm:qemu-system-aarch64 qemu-user:qemu-aarch64 apt:apt-get dpkg:dpkg-deb
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    ((EUID == 0)) || { echo "vm: the arm64 architecture is not enabled: dpkg --add-architecture arm64 (as root)" >&2; exit 2; }
    dpkg --add-architecture arm64
    apt-get update -qq >/dev/null 2>&1 || true
  fi
  # The arm64 libraries of the programs in the VM (all Multi-Arch: same, beside the host's).
  missing=()
  for package in libc6 libgcc-s1 libstdc++6 libssl3 libv4l-0; do
    # shellcheck disable=SC2016 # dpkg-query's field, not the shell's
    dpkg-query -W -f '${Status}' "$package:arm64" 2>/dev/null | grep -q 'ok installed' || missing+=("$package:arm64")
  done
  ((${#missing[@]} == 0)) || apt_install "${missing[@]}"
  # Programs cannot be installed for arm64 beside the host's: download and unpack them, once per version.
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/edge-vm/arm64
  mkdir -p "$cache"
  candidate() { apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p'; }
  unpacked() { # PACKAGE (arm64) VERSION: prints the directory it is unpacked in
    local dir="$cache/$1_$2"
    if [[ ! -e $dir/.unpacked ]]; then
      rm -rf "$cache/${1%%-[0-9]*}"[-_]* "$cache"/*.deb # other versions
      (cd "$cache" && apt-get download "$1:arm64=$2") >"$work/download.log" 2>&1 ||
        { echo "vm: could not download $1:arm64 $2: $(grep -v '^W:' "$work/download.log" | tail -n 2)" >&2; exit 2; }
      dpkg-deb -x "$cache"/"${1}"_*.deb "$dir"
      rm -f "$cache"/*.deb
      touch "$dir/.unpacked"
    fi
    echo "$dir"
  }
  kernel_package=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^:]*\).*/\1/p' | head -n 1 || true)
  if [[ -z $kernel_package ]]; then
    ((EUID == 0)) && apt-get update -qq >/dev/null 2>&1
    kernel_package=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^:]*\).*/\1/p' | head -n 1 || true)
  fi
  [[ -n $kernel_package ]] || { echo "vm: apt knows no linux-image-arm64:arm64 (is arm64 in the sources? apt-get update)" >&2; exit 2; }
  kver=${kernel_package#linux-image-}
  versions=()
  for package in "$kernel_package" busybox-static v4l-utils dpkg dash libopenh264-7; do
    version=$(candidate "$package:arm64")
    [[ -n $version ]] || { echo "vm: apt has no $package:arm64" >&2; exit 2; }
    versions+=("$version")
  done
  kernel_dir=$(unpacked "$kernel_package" "${versions[0]}")
  [[ -e $kernel_dir/.depmod ]] || { depmod -b "$kernel_dir" "$kver" && touch "$kernel_dir/.depmod"; }
  kernel=$kernel_dir/boot/vmlinuz-$kver
  modroot=$kernel_dir
  busybox=$(unpacked busybox-static "${versions[1]}")/bin/busybox
  static "$busybox" || { echo "vm: $busybox is not static" >&2; exit 2; }
  v4l2ctl=$(unpacked v4l-utils "${versions[2]}")/usr/bin/v4l2-ctl
  ssd=$(unpacked dpkg "${versions[3]}")/sbin/start-stop-daemon
  [[ -x $ssd ]] || ssd=$(dirname "$ssd")/../usr/sbin/start-stop-daemon
  dash=$(unpacked dash "${versions[4]}")/bin/dash
  [[ -x $dash ]] || dash=$(dirname "$dash")/../usr/bin/dash
  # Only the VM loads OpenH264, so it is downloaded as the programs are rather than installed for arm64.
  openh264=$(unpacked libopenh264-7 "${versions[5]}")/usr/lib/$triplet/libopenh264.so.7
  qemu="qemu-system-aarch64"
  console_device=ttyAMA0
  # ldd cannot read arm64 programs; the arm64 loader under qemu-user lists them the same way.
  libs() { qemu-aarch64 /lib/ld-linux-aarch64.so.1 --list "$1"; }
fi
for file in "$kernel" "$busybox" "$dash" "$v4l2ctl" "$ssd" "$openh264"; do
  [[ -e $file ]] || { echo "vm: $file is missing" >&2; exit 2; }
done

# --- the initramfs -------------------------------------------------------------------------------
cp "$busybox" "$root/bin/busybox"
# /bin/sh is dash, as on Debian: busybox's sh runs its own applets before anything in PATH, so under
# it /etc/init.d/edge would get busybox's start-stop-daemon.
cp "$dash" "$root/bin/dash"
ln -s dash "$root/bin/sh"
ln -s bin/busybox "$root/init"
cp "$v4l2ctl" "$root/usr/bin/v4l2-ctl"
cp "$ssd" "$root/usr/sbin/start-stop-daemon"
install -m 755 docs/init/edge.sysv "$root/etc/init.d/edge"
cp test/vm/guest/inittab "$root/etc/inittab"
install -m 755 test/vm/guest/rcS "$root/etc/init.d/rcS"
install -m 755 test/vm/guest/vmctl "$root/etc/vm/vmctl"
cp test/vm/guest/functions "$root/etc/vm/functions"
# Edge's defaults, as on a board; only the camera is configured.
cat >"$root/etc/edge/edge.json" <<'EOF'
{"Camera":{"Source":"v4l2","Device":"/dev/video0","Format":"yuyv","Width":640,"Height":480,"Fps":30}}
EOF
chmod 600 "$root/etc/edge/edge.json"
# Every shared library the programs load, at the same paths (the dynamic loader included); OpenSSL
# too, which Edge loads itself for randomness and HTTPS, and OpenH264 with what it loads (libstdc++,
# libgcc_s, libm), which Edge loads for the first H.264 viewer when no V4L2 encoder makes H.264.
listed=$work/libs.txt
for program in "$edge" "$v4l2ctl" "$ssd" "$dash" "$openh264"; do
  if ! libs "$program" >"$work/libs.out" 2>&1 || grep -q 'not found' "$work/libs.out"; then
    echo "vm: the libraries of $program are not all installed for $arch:" >&2; cat "$work/libs.out" >&2; exit 2
  fi
  awk '/=>/ { print $3 } /^[ \t]*\// { print $1 }' "$work/libs.out"
done >"$listed"
ls "/usr/lib/$triplet/libssl.so.3" "/usr/lib/$triplet/libcrypto.so.3" >>"$listed"
sort -u "$listed" | while IFS= read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
# Where Debian installs it (the loader's default directory; the arm64 one is unpacked in the cache).
mkdir -p "$root/usr/lib/$triplet"
cp -L "$openh264" "$root/usr/lib/$triplet/libopenh264.so.7"
# Modules in load order, decompressed (busybox's insmod takes plain .ko files).
modules() { modprobe -d "$modroot" -S "$kver" --show-depends "$1" 2>/dev/null | awk '$1 == "insmod" { print $2 }'; }
add_module() { # PATH LIST
  local name
  name=$(basename "$1"); name=${name%.xz}; name=${name%.zst}; name=${name%.gz}
  case $1 in
    *.xz) xz -dc "$1" >"$root/lib/modules/$name" ;;
    *.zst) zstd -qdc "$1" >"$root/lib/modules/$name" ;;
    *.gz) gzip -dc "$1" >"$root/lib/modules/$name" ;;
    *) cp "$1" "$root/lib/modules/$name" ;;
  esac
  grep -qx "$name" "$root/etc/vm/$2" 2>/dev/null || echo "$name" >>"$root/etc/vm/$2"
}
: >"$root/etc/vm/modules.base"
: >"$root/etc/vm/modules.vivid"
# Built in on one architecture, modules on the other: --show-depends says "builtin" for those.
for m in virtio_pci virtio_net virtio_blk virtio_rng crc32c ext4; do
  for path in $(modules "$m"); do add_module "$path" modules.base; done
done
for path in $(modules vivid); do add_module "$path" modules.vivid; done
grep -q '^vivid.ko$' "$root/etc/vm/modules.vivid" || { echo "vm: the kernel $kver has no vivid module" >&2; exit 2; }
grep -q '^ext4.ko$' "$root/etc/vm/modules.base" || modprobe -d "$modroot" -S "$kver" --show-depends ext4 2>/dev/null | grep -q '^builtin' ||
  { echo "vm: the kernel $kver has no ext4" >&2; exit 2; }
# vicodec, the stateful M2M codec (FWHT) that Edge's V4L2 encoder path is checked against, is in neither
# architecture's kernel: test/vm/vicodec.sh builds it (and v4l2-mem2mem for amd64, whose kernel lacks it
# too) for this kernel, cached. The guest loads it after vivid, so vivid stays /dev/video0.
# shellcheck source=./vicodec.sh source-path=SCRIPTDIR disable=SC1091 # followed with -x
. test/vm/vicodec.sh
vicodec_dir=
vicodec_build "$kver" "${versions[0]:-}" # sets vicodec_dir
: >"$root/etc/vm/modules.vicodec"
for dependency in $(modinfo -F depends "$vicodec_dir"/*.ko | tr ',' '\n' | sort -u); do
  [[ ! -e $vicodec_dir/$dependency.ko ]] || continue # built beside it
  paths=$(modules "$dependency")
  [[ -n $paths ]] || modprobe -d "$modroot" -S "$kver" --show-depends "$dependency" 2>/dev/null | grep -q '^builtin' ||
    { echo "vm: the kernel $kver has no $dependency, which vicodec needs" >&2; exit 2; }
  for path in $paths; do add_module "$path" modules.vicodec; done
done
for module in v4l2-mem2mem vicodec; do [[ ! -e $vicodec_dir/$module.ko ]] || add_module "$vicodec_dir/$module.ko" modules.vicodec; done
(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$work/initrd.gz"
# The board's disk, kept across boots (sparse; more than Files:ReserveBytes free): the binary installed
# at local/bin/edge, Edge's data directory at edge/.
disk=$work/disk.img
mkdir -p "$work/disk/local/bin" "$work/disk/edge"
cp "$edge" "$work/disk/local/bin/edge"
truncate -s 256M "$disk"
mkfs.ext4 -q -F -L edge-disk -d "$work/disk" "$disk"

# --- boot ----------------------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
boot() { # CONSOLE-LOG ACCELERATOR-ARGS...: starts qemu in the background; sets qemu_pid and the ports
  local console=$1; shift
  port=$(free_port) control=$(free_port) https_port=$(free_port) rtsp_port=$(free_port)
  base=http://127.0.0.1:$port
  "$qemu" "$@" -m 768 -smp 2 -kernel "$kernel" -initrd "$work/initrd.gz" \
    -append "console=$console_device panic=-1 quiet" -no-reboot -display none -monitor none \
    -serial "file:$console" \
    -netdev "user,id=net,hostfwd=tcp:127.0.0.1:$port-:8080,hostfwd=tcp:127.0.0.1:$https_port-:8443,hostfwd=tcp:127.0.0.1:$rtsp_port-:8554,hostfwd=tcp:127.0.0.1:$control-:5555" \
    -device virtio-net-pci,netdev=net,romfile= \
    -drive "if=none,id=data,file=$disk,format=raw" -device virtio-blk-pci,drive=data \
    -device virtio-rng-pci 2>"$work/qemu.err" &
  qemu_pid=$!
}
until_true() { # SECONDS COMMAND...: retries once a second
  local deadline=$(($(date +%s) + $1)); shift
  until "$@" >/dev/null 2>&1; do (($(date +%s) < deadline)) || return 1; sleep 1; done
}
serving() { # waits up to SECONDS for /healthz while qemu runs
  local deadline=$(($(date +%s) + $1))
  while kill -0 "$qemu_pid" 2>/dev/null && (($(date +%s) < deadline)); do
    curl -fs --max-time 2 "$base/healthz" >/dev/null 2>&1 && return 0
    sleep 1
  done
  return 1
}
powered_off() { # waits up to SECONDS for qemu to exit by itself
  local deadline=$(($(date +%s) + $1))
  while kill -0 "$qemu_pid" 2>/dev/null; do
    (($(date +%s) < deadline)) || return 1
    sleep 0.5
  done
  wait "$qemu_pid" 2>/dev/null || true
  qemu_pid=
}
stop_qemu() { [[ -z $qemu_pid ]] || { kill "$qemu_pid" 2>/dev/null; wait "$qemu_pid" 2>/dev/null; qemu_pid=; } || true; }

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "vm: PASS $1"; }
fail() { failed=$((failed + 1)); echo "vm: FAIL $1${2:+: $2}"; }
# A check that cannot run yet; not in the closing line, which .ci/run reads as "N passed, N failed".
skipped=0
skip() { skipped=$((skipped + 1)); echo "vm: SKIP $1: skipped: $2"; }
finish() {
  echo "vm: Edge's warnings and errors (fps adjustments left out):"
  cat "$work"/edge*.log 2>/dev/null | grep -aE ' (warn|error|crit) ' | grep -av 'fps instead of' | cut -c1-220 | head -n 30 | sed 's/^/vm:   /' || true
  if [[ -n $logs ]]; then
    mkdir -p "$logs"
    cp "$work"/console*.log "$work"/edge*.log "$work"/idle.csv "$logs"/ 2>/dev/null || true
    echo "vm: the consoles and Edge's logs are in $logs"
  fi
  echo "vm: $arch run took $(($(date +%s) - run_started)) s"
  ((skipped == 0)) || echo "vm: $skipped skipped"
  echo "$passed passed, $failed failed"
  local status=0
  [[ $failed == 0 ]] || status=1
  exit "$status"
}
vm_do() { # COMMAND [ARGUMENT]: runs it in the VM (vmctl); prints its output; fails unless it answered "done 0"
  local line status=
  { exec 3<>"/dev/tcp/127.0.0.1/$control"; } 2>/dev/null || { echo "vm: no connection for '$*'" >&2; return 1; }
  printf '%s\n' "$*" >&3
  while IFS= read -r -t 120 line <&3; do
    if [[ $line == "done "* ]]; then status=${line#done }; break; fi
    [[ -z $line ]] || printf '%s\n' "$line"
  done
  exec 3<&-
  [[ $status == 0 ]] || { echo "vm: '$*' answered '${status:-nothing}'" >&2; return 1; }
}
save_log() { vm_do log >"$work/edge$1.log" 2>/dev/null || true; }
# Boots, falling back from KVM to TCG on x86_64; prints a failure and finishes when nothing serves.
init_or_gone() { grep -aq 'vm: init' "$1" || ! kill -0 "$qemu_pid" 2>/dev/null; }
boot_and_serve() { # BOOT-NUMBER CHECK-NAME
  local started reason console=$work/console$1.log
  started=$(date +%s)
  if [[ $arch == arm64 ]]; then
    accelerator=tcg
    boot "$console" -M virt -cpu cortex-a57 -accel tcg,thread=multi
    serving 300 || true
  elif [[ ${accelerator:-kvm} == kvm ]]; then
    accelerator=kvm
    boot "$console" -accel kvm -cpu host
    # Under KVM init starts within seconds; nested virtualization may refuse KVM, or hang silently.
    until_true 20 init_or_gone "$console" || true
    if ! grep -aq 'vm: init' "$console"; then
      stop_qemu
      reason=$(grep -v 'terminating on signal' "$work/qemu.err" | tail -n 1 || true)
      echo "vm: KVM did not work (no init within 20 s${reason:+: $reason}); using TCG"
      accelerator=tcg
      started=$(date +%s)
      boot "$console" -accel tcg -cpu max
    fi
    serving 240 || true
  else
    boot "$console" -accel tcg -cpu max
    serving 240 || true
  fi
  if curl -fs "$base/healthz" >/dev/null 2>&1; then
    pass "$2 ($(($(date +%s) - started)) s)"
  else
    fail "$2" "$(tail -n 20 "$console"; cat "$work/qemu.err")"
    save_log "$1"
    finish
  fi
}

boot_and_serve 1 "the VM boots and init starts Edge, which serves /healthz"
echo "vm: kernel $kver under $accelerator ($arch), Edge on $base"

# --- first boot: the generated admin -------------------------------------------------------------
password=$(vm_do log | sed -nE "s/.*created user 'admin' with password '([^']+)'.*/\1/p" | head -n 1 || true)
unauthorized=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$base/api" -H 'Content-Type: application/json' -d '{"id":1,"method":"ping"}' || true)
if [[ -n $password && $unauthorized == 401 ]] &&
  curl -fsS --max-time 60 -u "admin:$password" "$base/api" -H 'Content-Type: application/json' -d '{"id":1,"method":"ping"}' | grep -q pong; then
  pass "first start: Edge created user 'admin' and logged its password; the API answers 401 without it and takes it (Basic)"
else
  fail "first start: Edge created user 'admin' and logged its password; the API answers 401 without it and takes it (Basic)" \
    "password '${password}', without it HTTP $unauthorized; $(vm_do log 2>&1 | tail -n 5)"
  save_log 1
  finish
fi
credentials=admin:$password
api() { # METHOD [PARAMS-JSON]
  curl -fsS --max-time 60 -u "$credentials" "$base/api" -H 'Content-Type: application/json' \
    -d "{\"id\":1,\"method\":\"$1\",\"params\":${2:-null}}"
}
json() { # EXPRESSION over d, the reply read from stdin; a reply without it is printed to stderr
  python3 -c "
import json, sys
raw = sys.stdin.read()
try:
    d = json.loads(raw)
    print($1)
except Exception as e:
    sys.exit(f'vm: {e!r} in reply {raw[:500]}')"
}
edge_started=$(api system.info | json "d['result']['startedAt']" || true)

# 1. camera.list shows vivid and its formats.
list=$(api camera.list || true)
if echo "$list" | json "[f['format'] for d in d['result']['devices'] if d['driver'] == 'vivid' for f in d['formats']]" | grep -q "'yuyv'.*'nv12'\|'nv12'.*'yuyv'"; then
  pass "camera.list shows the vivid device with YUYV and NV12"
else
  fail "camera.list shows the vivid device with YUYV and NV12" "$list"
fi

# 2. Each format at two sizes, set at run time: snapshots at the size, streams of 30 decodable frames.
snapshot_size() { curl -fs --max-time 30 -u "$credentials" "$base/snapshot.jpg" -o "$work/snap.jpg" && ffprobe -v error -show_entries stream=width,height -of csv=p=0 "$work/snap.jpg"; }
snapshot_is() { [[ $(snapshot_size) == "$1,$2" ]]; }
for format in yuyv nv12; do
  for size in 640x480 1280x720; do
    width=${size%x*}; height=${size#*x}
    reply=$(api camera.set "{\"source\":\"v4l2\",\"device\":\"/dev/video0\",\"format\":\"$format\",\"width\":$width,\"height\":$height,\"fps\":30}" || true)
    if ! echo "$reply" | grep -q '"result"'; then fail "camera.set $format $size" "$reply"; continue; fi
    if until_true 60 snapshot_is "$width" "$height"; then
      pass "$format $size: /snapshot.jpg decodes at $width×$height"
    else
      fail "$format $size: /snapshot.jpg decodes at $width×$height" "got $(snapshot_size 2>&1 || true)"
    fi
    frames=$(timeout 120 ffmpeg -nostdin -v error -f mpjpeg -i "http://$credentials@127.0.0.1:$port/stream.mjpg" -frames:v 30 -f framemd5 - 2>"$work/ffmpeg.err" | grep -vc '^#' || true)
    if [[ $frames -ge 30 && ! -s $work/ffmpeg.err ]]; then
      pass "$format $size: /stream.mjpg delivers 30 frames that decode"
    else
      fail "$format $size: /stream.mjpg delivers 30 frames that decode" "$frames frames; $(head -c 300 "$work/ffmpeg.err")"
    fi
  done
done
# The frame rate too: vivid's webcam offers 10 fps at 640×480; Edge's capture rate follows.
capture_fps() { api state.get '{"keys":["camera.fps"]}' | json "d['result']['camera.fps']['capture']"; }
api camera.set '{"format":"yuyv","width":640,"height":480,"fps":10}' >/dev/null || true
# Read while a viewer watches (capture runs only then), after the restart has settled.
curl -sN --max-time 8 -u "$credentials" "$base/stream.mjpg" -o /dev/null &
sleep 6
rate=$(capture_fps || echo 0)
wait $! || true
if python3 -c "import sys; sys.exit(0 if 8 <= float('$rate') <= 12 else 1)"; then
  pass "camera.set fps 10: the capture runs at $rate fps"
else
  fail "camera.set fps 10: the capture runs at about 10 fps" "$rate fps"
fi
if [[ -n $edge_started && $(api system.info | json "d['result']['startedAt']" || true) == "$edge_started" ]]; then
  pass "five camera.set changes ran in one Edge process"
else
  fail "five camera.set changes ran in one Edge process"
fi

# 3. Faults while a viewer stays connected: it must get frames again each time.
curl -sN -u "$credentials" "$base/stream.mjpg" -o "$work/viewer.mjpg" &
viewer_pid=$!
viewer_bytes() { stat -c %s "$work/viewer.mjpg" 2>/dev/null || echo 0; }
grew() { (($(viewer_bytes) > $1 + 20000)); }
grows() { until_true 30 grew "$(viewer_bytes)"; } # a frame's worth within 30 s
signal_ok() { [[ $(api state.get '{"keys":["camera.video"]}' | json "d['result']['camera.video']['signal']") == ok ]]; }
if grows; then pass "a viewer gets frames"; else fail "a viewer gets frames"; fi

restarts() { api system.info | json "[s['restarts'] for s in d['result']['services'] if s['name'] == 'camera'][0]"; }
restarted() { (($(restarts) > $1)); }
before=$(restarts || echo 0)
if vm_do ctl inject_fatal_streaming_error=1 >/dev/null; then
  if until_true 60 restarted "$before" && until_true 60 signal_ok && grows; then
    pass "after a fatal streaming error the source restarts and the same viewer gets frames again"
  else
    fail "after a fatal streaming error the source restarts and the same viewer gets frames again" "restarts $before -> $(restarts || true)"
  fi
else
  fail "vivid's fatal streaming error can be injected"
fi

before=$(restarts || echo 0)
if vm_do ctl disconnect=1 >/dev/null && vm_do reload >/dev/null; then
  if until_true 90 signal_ok && grows && restarted "$before"; then
    pass "after a disconnect and a reload of vivid the source recovers and the same viewer gets frames again"
  else
    fail "after a disconnect and a reload of vivid the source recovers and the same viewer gets frames again" "$(api state.get '{"keys":["camera.status","camera.video"]}' || true)"
  fi
else
  fail "vivid disconnects and reloads" "$(tail -n 5 "$work/console1.log")"
fi
if kill -0 "$viewer_pid" 2>/dev/null; then pass "the viewer stayed connected throughout"; else fail "the viewer stayed connected throughout"; fi
kill "$viewer_pid" 2>/dev/null || true
wait "$viewer_pid" 2>/dev/null || true
viewer_pid=
# Nobody watching: 10 s later Edge stops streaming and closes the camera (its buffers leave Edge's
# memory); a snapshot opens it again.
closed=
for _ in $(seq 40); do
  mappings=$(vm_do mapped /dev/video0 2>/dev/null || echo "?")
  if [[ $mappings == 0 ]]; then closed=$SECONDS; break; fi
  sleep 1
done
if [[ -n $closed ]]; then
  reopened=$(date +%s%N)
  if [[ $(snapshot_size 2>/dev/null) == 640,480 ]]; then
    pass "with no viewer Edge closes the camera and a snapshot opens it again ($(( ($(date +%s%N) - reopened) / 1000000 )) ms)"
  else
    fail "with no viewer Edge closes the camera and a snapshot opens it again" "$(snapshot_size 2>&1 || true)"
  fi
else
  fail "with no viewer Edge closes the camera (no /dev/video0 mapping 40 s after the last viewer left)" "$mappings mappings"
fi

# 4. The other default services: HTTPS with the certificate Edge made, RTSP with the same user.
if curl -fsk --max-time 60 "https://127.0.0.1:$https_port/healthz" >/dev/null 2>"$work/https.err"; then
  pass "HTTPS serves on 8443 with the self-signed certificate Edge made"
else
  fail "HTTPS serves on 8443 with the self-signed certificate Edge made" "$(curl -sSk --max-time 30 "https://127.0.0.1:$https_port/healthz" 2>&1 | head -c 300)"
fi
rtsp_frames=$(timeout 60 ffmpeg -nostdin -v error -rtsp_transport tcp -i "rtsp://$credentials@127.0.0.1:$rtsp_port/stream" -frames:v 10 -f framemd5 - 2>"$work/rtsp.err" | grep -vc '^#' || true)
if ((rtsp_frames >= 10)); then
  pass "RTSP /stream delivers 10 frames that decode (same user)"
else
  fail "RTSP /stream delivers 10 frames that decode (same user)" "$rtsp_frames frames; $(head -c 300 "$work/rtsp.err")"
fi

# 4a. H.264 from the raw camera (YUYV 640×480 at 10 fps since camera.set above; its size is read back from
# camera.get). No V4L2 mem-to-mem encoder makes H.264 here (vicodec's make FWHT), so Edge encodes with
# OpenH264, which it loads from the initramfs for the first H.264 viewer (ffprobe's DESCRIBE below), not
# before: the second boot checks it is not loaded at idle. It may run under TCG (arm64's always), so the
# timeouts are generous; camera.h264 (its fps is the last second's) is read while ffmpeg plays, not after.
openh264_in_vm=/usr/lib/$triplet/libopenh264.so.7
encoders=$(api camera.list | json "d['result']['encoders']" || true)
if [[ $encoders == '[]' ]]; then
  pass "camera.list has no V4L2 H.264 encoder (encoders []; vicodec's make FWHT), so H.264 is OpenH264's"
else
  fail "camera.list has no V4L2 H.264 encoder (encoders []; vicodec's make FWHT)" "encoders: ${encoders:-no reply}"
fi
h264_url=rtsp://$credentials@127.0.0.1:$rtsp_port/h264
configured=$(api camera.get | json "'%sx%s' % (d['result']['width'], d['result']['height'])" || true)
probed=$(timeout 90 ffprobe -v error -rtsp_transport tcp -select_streams v:0 -show_entries stream=codec_name,width,height,profile \
  -of json "$h264_url" 2>"$work/h264-probe.err" | json "'{codec_name} {width}x{height} {profile}'.format(**d['streams'][0])" || true)
if [[ -n $configured && $probed == "h264 $configured Constrained Baseline" ]]; then
  pass "RTSP /h264 (TCP): ffprobe says $probed, the camera's size"
else
  fail "RTSP /h264 (TCP): ffprobe says h264 ${configured:-(no camera.get)} Constrained Baseline" \
    "${probed:-nothing}; $(head -c 300 "$work/h264-probe.err")"
fi
timeout 120 ffmpeg -nostdin -v error -rtsp_transport tcp -i "$h264_url" -frames:v 30 -f framemd5 "$work/h264.md5" 2>"$work/h264.err" &
viewer_pid=$!
: >"$work/h264-state.jsonl"
while kill -0 "$viewer_pid" 2>/dev/null; do
  api state.get '{"keys":["camera.h264"]}' | json "json.dumps(d['result'].get('camera.h264'))" >>"$work/h264-state.jsonl" 2>&1 || true
  sleep 1
done
wait "$viewer_pid" || true
viewer_pid=
h264_frames=$(grep -vc '^#' "$work/h264.md5" 2>/dev/null || true)
if ((h264_frames >= 30)) && [[ ! -s $work/h264.err ]]; then
  pass "RTSP /h264 (TCP): ffmpeg decodes 30 frames without an error"
else
  fail "RTSP /h264 (TCP): ffmpeg decodes 30 frames without an error" "${h264_frames:-0} frames; $(head -c 300 "$work/h264.err")"
fi
# The sample of the fastest second: the first ones may fall in ffmpeg's connecting, the last after it left.
h264_state=$(python3 -c "
import json, sys
samples = []
for line in open(sys.argv[1]):
    try: samples.append(json.loads(line))
    except ValueError: pass # a reply json() could not read: its message is in the file
samples = [s for s in samples if isinstance(s, dict)]
if samples: print(json.dumps(max(samples, key=lambda s: s.get('fps', 0)), separators=(',', ':')))" "$work/h264-state.jsonl" || true)
h264_encoder=$(json "d.get('encoder', '') if d.get('fps', 0) > 0 else ''" <<<"${h264_state:-null}" 2>/dev/null || true)
h264_mapped=$(vm_do mapped "$openh264_in_vm" 2>/dev/null || echo "?")
if [[ $h264_encoder == "OpenH264 2."* && $h264_mapped =~ ^[1-9] ]]; then
  pass "camera.h264 while ffmpeg played: $h264_state (OpenH264 loaded from $openh264_in_vm)"
else
  fail "camera.h264 names an encoder 'OpenH264 2.…' encoding at more than 0 fps, loaded from $openh264_in_vm" \
    "${h264_state:-$(tail -n 2 "$work/h264-state.jsonl")}; $h264_mapped mappings"
fi

# 4b. The same H.264 as fragmented MP4: /live.mp4 read for a few seconds (what the browser's player gets),
# and a recording made with recording.start/stop onto the VM's ext4 disk, fetched back with GET
# /recordings/NAME. ffprobe reads both: H.264 at the camera's size, beginning on a key frame.
mp4_check() { # FILE: "CODEC WIDTHxHEIGHT FRAMES FIRST-FLAGS" as ffprobe reads them
  ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height:packet=flags -of json "$1" 2>/dev/null |
    json "'%s %sx%s %d %s' % (d['streams'][0]['codec_name'], d['streams'][0]['width'], d['streams'][0]['height'], len(d['packets']), d['packets'][0]['flags'])"
}
curl -s --max-time 8 -u "$credentials" "$base/live.mp4" -o "$work/live.mp4" || true
read -r live_codec live_size live_frames live_flags < <(mp4_check "$work/live.mp4" || echo "none - 0 -")
if [[ $live_codec == h264 && $live_size == "$configured" && $live_flags == K* ]] && ((live_frames >= 20)); then
  pass "/live.mp4 for 8 s: ffprobe reads $live_frames H.264 frames at $live_size, the first a key frame"
else
  fail "/live.mp4 for 8 s: H.264 at ${configured:-?}, at least 20 frames, the first a key frame" \
    "$live_codec $live_size, $live_frames frames, first flags $live_flags; $(head -c 200 "$work/live.mp4" | tr -c '[:print:]' '.')"
fi
recording=""
if [[ $(api recording.start | json "d['result']" 2>/dev/null) == True ]]; then
  sleep 6
  api recording.stop >/dev/null || true
  for _ in $(seq 30); do
    recording=$(api recordings.list | json "' '.join(r['name'] for r in d['result']['recordings'] if not r['open'])" 2>/dev/null || true)
    [[ -z $recording ]] || break
    sleep 1
  done
fi
recording=${recording%% *}
if [[ -n $recording ]] && curl -fs --max-time 60 -u "$credentials" "$base/recordings/$recording" -o "$work/recording.mp4"; then
  read -r rec_codec rec_size rec_frames rec_flags < <(mp4_check "$work/recording.mp4" || echo "none - 0 -")
fi
# It begins at a key frame (one every 2 s), so 6 s hold at least 20 of vivid's 10 frames a second.
if [[ ${rec_codec:-} == h264 && ${rec_size:-} == "$configured" && ${rec_flags:-} == K* ]] && ((rec_frames >= 20)); then
  pass "a 6 s recording (recording.start/stop) on the ext4 disk: $recording, $rec_frames H.264 frames at $rec_size, from a key frame"
else
  fail "a 6 s recording: listed closed, served, H.264 at ${configured:-?} from a key frame, at least 20 frames" \
    "name '${recording}', ${rec_codec:-no file} ${rec_size:-} ${rec_frames:-0} frames ${rec_flags:-}; $(vm_do log 2>&1 | grep -i record | tail -n 3)"
fi

# 4c. The V4L2 M2M codec: vicodec's stateful encoder and decoder nodes (its stateless decoder is not
# used), by the names the driver gives them, multi-planar (multiplanar=1, the API the Raspberry Pi's
# bcm2835-codec has), with vivid still /dev/video0, the node Edge's camera and the checks above use.
nodes=$(vm_do nodes 2>&1 || true)
node_named() { awk -v name="$1" '{ path = $1; sub(/^[^ ]+ /, "") } $0 == name { print path; exit }' <<<"$nodes"; }
encoder=$(node_named stateful-encoder)
decoder=$(node_named stateful-decoder)
multiplanar() { vm_do v4l2 -d "$1" -D | grep -A 3 'Device Caps' | grep -q 'Video Memory-to-Memory Multiplanar'; }
if [[ -n $encoder && -n $decoder && $(node_named vivid-000-vid-cap) == /dev/video0 ]] && multiplanar "$encoder" &&
  multiplanar "$decoder"; then
  pass "vicodec's stateful encoder ($encoder) and decoder ($decoder) are multi-planar M2M nodes; vivid is /dev/video0"
else
  fail "vicodec's stateful encoder and decoder are multi-planar M2M nodes; vivid is /dev/video0" \
    "$(tr '\n' ';' <<<"$nodes"); $(grep -a 'vicodec' "$work/console1.log" | tail -n 2 | tr '\n' ' ')"
fi

# Edge's V4L2 M2M encoder path against vicodec: `edge codec-check` encodes test frames to FWHT on the
# encoder node, decodes them again on the decoder node and prints one JSON line; exit 0 when all held.
# A binary without the command is skipped, not failed: it takes an unknown first word as a configuration
# argument, so `edge codec-check --help` prints the general help and exits 0, and `edge codec-check ...`
# would start a second Edge; only help that names codec-check counts (exit 2 or any failure does not).
check_m2m_codec() { # ENCODER DECODER
  local name="edge codec-check encodes 30 frames of 640x480 to FWHT on ${1:-(no node)} and decodes them on ${2:-(no node)}" line
  if ! vm_do edge codec-check --help >"$work/codec-help.out" 2>&1 || ! grep -q 'codec-check' "$work/codec-help.out"; then
    skip "$name" "edge has no codec-check"
    return 0
  fi
  if [[ -z $1 || -z $2 ]]; then fail "$name" "no vicodec encoder or decoder node"; return 0; fi
  if vm_do edge codec-check --device "$1" --decoder "$2" --coded fwht --frames 30 --size 640x480 >"$work/codec.out" 2>&1 &&
    line=$(grep -m 1 '^{' "$work/codec.out") && [[ $(json "type(d).__name__" <<<"$line") == dict ]]; then
    pass "$name: ${line:0:400}"
  else
    fail "$name" "$(head -c 600 "$work/codec.out")"
  fi
}
check_m2m_codec "$encoder" "$decoder"

# The encoder's device gone mid-stream (vicodec's driver unbound, as a USB codec unplugged): a clear error naming the
# device and exit 1, no hang and no crash; in the service the same exception makes the supervisor restart h264.
check_codec_gone() { # ENCODER DECODER
  local name="the encoder's device unbound while codec-check encodes is a clear error naming it"
  if [[ -z $1 || -z $2 ]]; then fail "$name" "no vicodec encoder or decoder node"; return 0; fi
  # 90 pictures of 640x360 (31 MB; about 2 s of vicodec under TCG): the unbind comes 1 s in.
  vm_do unplug-codec "codec-check --device $1 --decoder $2 --coded fwht --frames 90 --size 640x360" >"$work/unplug.out" 2>&1 || true
  if grep -q '^exit 1$' "$work/unplug.out" && grep -q "^edge codec-check: $1: " "$work/unplug.out" \
    && ! grep -q 'Unhandled exception' "$work/unplug.out"; then
    pass "$name: $(grep -m 1 '^edge codec-check:' "$work/unplug.out" | head -c 300)"
  else
    fail "$name" "$(head -c 600 "$work/unplug.out")"
  fi
}
check_codec_gone "$encoder" "$decoder"

# 5. Stop as a board does (the init script, sync, power off) with a clean data disk.
stop_started=$(date +%s)
if vm_do stop >"$work/stop.out" 2>&1; then stopped=yes; else stopped=no; fi
stop_seconds=$(($(date +%s) - stop_started))
save_log 1
vm_do poweroff >/dev/null 2>&1 || true
if powered_off 60; then off=yes; else off=no; stop_qemu; fi
fsck=$(e2fsck -fn "$disk" 2>&1) && clean=yes || clean=no
if [[ $stopped == yes && $off == yes && $clean == yes ]] && grep -q 'Edge stopped' "$work/edge1.log"; then
  pass "/etc/init.d/edge stop stops Edge ($stop_seconds s) and the VM powers off with a clean data disk"
else
  fail "/etc/init.d/edge stop stops Edge and the VM powers off with a clean data disk" \
    "stop: $stopped ($stop_seconds s, $(head -c 200 "$work/stop.out")); powered off: $off; e2fsck: $clean $(echo "$fsck" | tail -n 2); log: $(tail -n 2 "$work/edge1.log")"
fi

# --- second boot: the same disk -------------------------------------------------------------------
boot_and_serve 2 "second boot: init starts Edge again and it serves /healthz"

# --- idle memory: no client yet (only /healthz, which needs no login); Edge's RSS from /proc in the VM ---
smaps() { # WHEN
  echo "vm: Edge's memory $1 (smaps_rollup in kB, then the biggest mappings; the VM's files are in"
  echo "vm: RAM, so mapped files count as Shmem):"
  vm_do smaps 2>&1 | sed 's/^/vm:   /' || true
}
thp=$(vm_do thp 2>/dev/null || echo "?")
if [[ $thp == 0 ]]; then
  pass "Edge runs with transparent huge pages off (THP_enabled 0; the kernel's default: $(vm_do smaps 2>/dev/null | sed -n 's/^transparent huge pages: //p'))"
else
  fail "Edge runs with transparent huge pages off" "THP_enabled $thp"
fi
smaps "at the start of the idle window"
samples=$work/idle.csv
echo "seconds,rss_kb" >"$samples"
window_end=$(($(date +%s) + idle))
while :; do
  sample=$(vm_do rss 2>/dev/null || true)
  read -r age rss <<<"${sample:-x x}"
  if [[ $age =~ ^[0-9.]+$ && $rss =~ ^[0-9]+$ ]]; then
    echo "$age,$rss" >>"$samples"
  else
    echo "vm: no RSS sample: ${sample:-no answer}"
    age=0
  fi
  (($(date +%s) < window_end)) || break
  # The next sample at the next multiple of 10 s of Edge's age.
  sleep "$(awk -v age="$age" 'BEGIN { printf "%.1f", 10 - age % 10 }')"
done
smaps "at the end of the idle window"
if [[ -n $csv ]] && ! { mkdir -p "$(dirname "$csv")" && cp "$samples" "$csv"; }; then echo "vm: could not write $csv"; fi
echo "vm: idle RSS (seconds since Edge started: kB): $(tail -n +2 "$samples" | tr ',\n' ': ' | sed 's/ $//')"
# The 60 s sample is the first one at 59.5 s or later (later only when the checks took longer).
read -r age60 rss60 growth last_age <<<"$(python3 -c "
import csv
rows = [(float(r['seconds']), int(r['rss_kb'])) for r in csv.DictReader(open('$samples'))]
after = [r for r in rows if r[0] >= 59.5]
if not after: print('none none none none')
else:
    rss60 = after[0][1]
    print(round(after[0][0]), rss60, max(r[1] for r in after) - rss60, round(after[-1][0]))")"
if [[ $rss60 != none ]] && ((rss60 <= 24576)); then
  pass "idle: RSS $age60 s after Edge started is $rss60 kB ≤ 24576 kB (24 MiB)"
else
  fail "idle: RSS 60 s after Edge started ≤ 24576 kB (24 MiB)" "$rss60 kB at $age60 s"
fi
if [[ $growth != none ]] && ((growth <= 1024)); then
  pass "idle: RSS grew by $growth kB ≤ 1024 kB from 60 s to $last_age s"
else
  fail "idle: RSS grows by ≤ 1024 kB after the first minute" "$growth kB from 60 s to $last_age s"
fi
# Loaded only for an H.264 viewer (with libstdc++, 1.4 MB of RSS): the first boot's played it; this Edge has none.
idle_h264=$(vm_do mapped "$openh264_in_vm" 2>/dev/null || echo "?")
if [[ $idle_h264 == 0 ]]; then
  pass "idle: OpenH264 is not loaded (no mapping of $openh264_in_vm)"
else
  fail "idle: OpenH264 is not loaded" "$idle_h264 mappings of $openh264_in_vm"
fi
# --- the second boot's checks, after the idle window: a login loads OpenSSL (password hashes) -------
save_log 2
if [[ -s $work/edge2.log ]] && ! grep -q 'created user' "$work/edge2.log"; then
  pass "second boot: Edge created no new admin (no 'created user' line)"
else
  fail "second boot: Edge created no new admin (no 'created user' line)" "$(grep -m 1 'created user' "$work/edge2.log" || echo 'no log')"
fi
if api ping | grep -q pong; then
  pass "second boot: the first boot's admin password still works"
else
  fail "second boot: the first boot's admin password still works" "$(curl -s --max-time 30 -u "$credentials" "$base/api" -d '{"id":1,"method":"ping"}' || true)"
fi
# The journal (newest first: this start, the first boot's stop and start) and camera.set's settings.
kinds=$(api events.list '{"kind":"edge.","limit":3}' | json "' '.join(e['kind'] for e in d['result']['events'])" || true)
camera=$(api camera.get | json "'%s %sx%s %s' % (d['result']['format'], d['result']['width'], d['result']['height'], d['result']['fps'])" || true)
if [[ $kinds == "edge.started edge.stopping edge.started" && $camera == "yuyv 640x480 10" ]]; then
  pass "second boot: the journal and camera.set's settings survived on the data disk ($kinds; $camera)"
else
  fail "second boot: the journal and camera.set's settings survived on the data disk" "journal: $kinds; camera: $camera"
fi

read -r age rss <<<"$(vm_do rss 2>/dev/null || echo '? ?')"
echo "vm: second boot, for the record: Edge's RSS after the logged-in checks (OpenSSL loaded): $rss kB at $age s"
save_log 2
finish
