#!/usr/bin/env bash
# Installs the Debian packages that building, testing and the demo need.
# Does nothing when they are all present; needs root (apt-get) otherwise.
set -euo pipefail
pkgs=(g++ make pkg-config clang-format
      libjson-c-dev libseccomp-dev libcgroup-dev libcmocka-dev libyaml-dev
      runc podman crun busybox-static jq
      rpm cpio python3-yaml
      clang libclang-rt-14-dev valgrind strace)
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
