#!/usr/bin/env bash
# Builds crio, pinns and crictl from the third-party source archives (offline:
# Debian's golang-go and the archives' vendor/ trees) and prints the directory
# that holds the three binaries.
#
# The result is cached under $WP_CRIO_CACHE (default
# /var/cache/workload-partitioning/crio) in a directory keyed by the archives'
# checksums (SHA256SUMS), this script and the Go version, so a second run costs
# nothing; Go's build cache is kept beside it, so a rebuild after a change of
# this script takes seconds instead of minutes.
#
# Usage: tests/crio/build.sh [--third-party DIR]   (default: $WP_THIRD_PARTY, else the
# directory shared/third_party beside the repository, where CI puts the archives).
# Progress goes to stderr; exit 1 on any failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tp=${WP_THIRD_PARTY:-$repo/../shared/third_party}
[ "${1:-}" = --third-party ] && tp=$2
cache=${WP_CRIO_CACHE:-/var/cache/workload-partitioning/crio}

CRIO_ARCHIVE=cri-o-1.26.4.tar.gz
CRICTL_ARCHIVE=cri-tools-1.26.1.tar.gz
# The tags of CRI-O's own Makefile minus what needs libraries absent here
# (gpgme, btrfs, devicemapper, ostree); seccomp links libseccomp.
CRIO_TAGS="containers_image_ostree_stub containers_image_openpgp exclude_graphdriver_btrfs btrfs_noversion exclude_graphdriver_devicemapper libdm_no_deferred_remove seccomp"

say() { echo "crio-build: $*" >&2; }
die() { say "$*"; exit 1; }

for f in SHA256SUMS "$CRIO_ARCHIVE" "$CRICTL_ARCHIVE"; do
    [ -r "$tp/$f" ] || die "missing $tp/$f (the third-party source archives)"
done
command -v go >/dev/null || die "go not found (Debian package golang-go)"
gover=$(go version)
key=$( { cat "$tp/SHA256SUMS" "$here/build.sh"; echo "$gover"; } | sha256sum | cut -c1-16)
out=$cache/bin-$key
if [ -x "$out/crio" ] && [ -x "$out/pinns" ] && [ -x "$out/crictl" ]; then
    say "cached: $out"
    echo "$out"
    exit 0
fi

mkdir -p "$cache"
# One builder at a time; a second caller waits and then finds the cache.
exec 9>"$cache/.lock"
flock 9
if [ -x "$out/crio" ] && [ -x "$out/pinns" ] && [ -x "$out/crictl" ]; then
    echo "$out"
    exit 0
fi
(cd "$tp" && sha256sum --quiet -c SHA256SUMS) || die "checksum mismatch in $tp (SHA256SUMS)"

work=$(mktemp -d "$cache/work.XXXXXX")
trap 'rm -rf "$work"' EXIT
say "unpacking into $work"
tar -xzf "$tp/$CRIO_ARCHIVE" -C "$work"
tar -xzf "$tp/$CRICTL_ARCHIVE" -C "$work"
mkdir -p "$work/out"

export GOFLAGS=-mod=vendor GOPROXY=off GO111MODULE=on
export GOCACHE=$cache/gocache GOPATH=$cache/gopath GOTMPDIR=$work
t0=$(date +%s)
say "building crio (minutes when cold)"
(cd "$work/cri-o-1.26.4" &&
    CGO_ENABLED=1 go build -buildvcs=false -trimpath -ldflags "-s -w" -tags "$CRIO_TAGS" -o "$work/out/crio" ./cmd/crio)
say "building pinns"
make -s -C "$work/cri-o-1.26.4/pinns" >&2
cp "$work/cri-o-1.26.4/bin/pinns" "$work/out/pinns"
say "building crictl"
(cd "$work/cri-tools-1.26.1" &&
    CGO_ENABLED=0 go build -buildvcs=false -trimpath -ldflags "-s -w" -o "$work/out/crictl" ./cmd/crictl)
"$work/out/crio" --version >/dev/null || die "the built crio does not run"
rm -rf "$out"
mv "$work/out" "$out"
# Older keys are stale (the archives or this script changed): drop their binaries.
for d in "$cache"/bin-*; do [ "$d" = "$out" ] || rm -rf "$d"; done
say "built in $(($(date +%s) - t0)) s: $out"
echo "$out"
