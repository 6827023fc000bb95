#!/usr/bin/env bash
# Installs the Debian packages that building, testing and the demo need.
# Does nothing when they are all present; needs root (apt-get) otherwise.
# On a system without dpkg and apt-get it installs nothing: it names the
# libraries (pkg-config modules) and the commands that are missing, and fails
# only when a library the build needs is missing (the suites that need a
# missing command print a SKIP with the reason).
set -euo pipefail
if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    libs=(json-c libseccomp libcgroup cmocka yaml-0.1 dbus-1)
    cmds=(make pkg-config clang-format jq runc podman crun busybox rpm rpmbuild rpm2cpio cpio
          python3 groff clang valgrind strace go conmon qemu-system-x86_64 debootstrap mke2fs
          promtool)
    missing_libs=() missing_cmds=()
    command -v "${CXX:-g++}" >/dev/null || missing_cmds+=("${CXX:-g++}")
    for l in "${libs[@]}"; do
        pkg-config --exists "$l" 2>/dev/null || missing_libs+=("$l")
    done
    for c in "${cmds[@]}"; do
        command -v "$c" >/dev/null || missing_cmds+=("$c")
    done
    [ ${#missing_cmds[@]} -eq 0 ] ||
        echo "install-deps: not Debian, installing nothing; missing commands: ${missing_cmds[*]}" >&2
    if [ ${#missing_libs[@]} -ne 0 ]; then
        echo "install-deps: not Debian, installing nothing; missing libraries (pkg-config): ${missing_libs[*]}" >&2
        exit 1
    fi
    exit 0
fi
pkgs=(g++ make pkg-config clang-format
      libjson-c-dev libseccomp-dev libcgroup-dev libcmocka-dev libyaml-dev libdbus-1-dev
      python3-dbus python3-gi
      runc podman crun busybox-static jq groff
      rpm cpio python3-yaml
      golang-go conmon python3
      clang libclang-rt-14-dev valgrind strace
      qemu-system-x86 debootstrap e2fsprogs
      prometheus)  # promtool: checks the reconciler's metrics file
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]} (run as root, or: apt-get install ${missing[*]})" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
