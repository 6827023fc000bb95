#!/usr/bin/env bash
# The node suite, host side (make test-node; part of make test): builds or reuses the
# test node image (tests/node/image.sh), boots it under qemu with the 9p share of
# tests/node/lib.sh, and prints the TAP that the in-VM suite (tests/node/suite/run.sh)
# wrote to the share. Fails on any failing case, on a VM that did not boot (the
# console log's tail is printed), and on a timeout (NODE_TIMEOUT seconds for the
# boot and the suite, default 900). Skips, with the reason, where it cannot run
# (not root, no qemu or debootstrap, a dynamically linked hook).
#
# NODE_ONLY=REGEX runs only the cases whose name matches. NODE_CRIO=1 (tests/node/crio.sh,
# make test-crio-node) builds CRI-O here first (tests/crio/build.sh, cached) and adds
# the CRI-O suite to the VM's cases (suite/cases/40-crio.sh). The console log of the
# last run is kept in $BUILD/node/console.log.
set -uo pipefail

NODE_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$NODE_REPO/$BUILD ;; esac
# shellcheck source=tests/node/lib.sh
. "$NODE_REPO/tests/node/lib.sh"

reason=$(node_cannot_run)
if [ -n "$reason" ]; then
    echo "ok 1 - node suite (systemd, cgroup v2, runc, crun, podman in a VM) # SKIP $reason"
    echo "1..1"
    exit 0
fi

n=0
notok() { # NAME FILE-WITH-DETAILS LINES
    n=$((n + 1))
    echo "not ok $n - $1"
    [ -z "${2-}" ] || tail -n "${3:-40}" "$2" | sed 's/^/#   /'
}

logdir=$BUILD/node
mkdir -p "$logdir"
work=$(mktemp -d /var/tmp/wp-node.XXXXXX)
QEMU=""
cleanup() {
    [ -z "$QEMU" ] || kill "$QEMU" 2>/dev/null
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'echo "not ok $((n + 1)) - node suite interrupted"; exit 1' INT TERM

start=$SECONDS
if ! img=$("$NODE_DIR/image.sh" 2>"$work/image.log"); then
    notok "node image built (tests/node/image.sh)" "$work/image.log"
    echo "1..$n"
    exit 1
fi
sed 's/^/# /' "$work/image.log"
echo "# image: $img ($((SECONDS - start)) s)"

if [ "${NODE_CRIO:-0}" = 1 ]; then
    t=$SECONDS
    if [ ! -x "$BUILD/crio/pause" ]; then
        echo "missing $BUILD/crio/pause (make $BUILD/crio/pause)" >"$work/crio-build.log"
        notok "CRI-O for the node VM built (tests/crio/build.sh)" "$work/crio-build.log"
        echo "1..$n"
        exit 1
    fi
    if ! CRIO_BIN=$("$NODE_REPO/tests/crio/build.sh" 2>"$work/crio-build.log"); then
        notok "CRI-O for the node VM built (tests/crio/build.sh)" "$work/crio-build.log"
        echo "1..$n"
        exit 1
    fi
    echo "# CRI-O for the VM: $CRIO_BIN ($((SECONDS - t)) s)"
fi

share=$work/share
if ! node_prepare_share "$share" 2>"$work/share.log"; then
    notok "node share prepared (tests/node/share.d)" "$work/share.log"
    echo "1..$n"
    exit 1
fi
cat >"$share/entry" <<EOF
export NODE_ONLY=$(printf %q "${NODE_ONLY-}")
export NODE_CRIO=$(printf %q "${NODE_CRIO:-0}")
${WP_CRIO_ONLY+export WP_CRIO_ONLY=$(printf %q "$WP_CRIO_ONLY")}
exec /bin/bash /mnt/host/suite/run.sh >/mnt/host/out/tap 2>/mnt/host/out/stderr
EOF

accel=$(node_accel "$img")
console=$work/console.log
limit=${NODE_TIMEOUT:-900}
echo "# booting the node VM (accel $accel, timeout $limit s)"
boot=$SECONDS
NODE_ACCEL=$accel node_boot test "$img" "$share" "$console" "$limit" &
QEMU=$!
wait "$QEMU"
rc=$?
QEMU=""
cp "$console" "$logdir/console.log" 2>/dev/null
echo "# VM ran $((SECONDS - boot)) s (qemu exit $rc); console log: $logdir/console.log"

if [ ! -f "$share/out/booted" ]; then
    notok "node VM booted and mounted the share (qemu exit $rc)" "$console" 60
    echo "1..$n"
    exit 1
fi
if [ -f "$share/out/tap" ]; then
    grep -v '^1\.\.[0-9]' "$share/out/tap" # the plan comes last, from here
    n=$(grep -Ec '^(not )?ok [0-9]+' "$share/out/tap")
    cp "$share/out/tap" "$logdir/tap"
fi
# The CRI-O suite's hook/built-in table (suite/cases/40-crio.sh).
[ ! -f "$share/out/crio-table.txt" ] || cp "$share/out/crio-table.txt" "$logdir/crio-table.txt"
[ -s "$share/out/stderr" ] && sed 's/^/# stderr: /' "$share/out/stderr" | tail -n 40
if [ ! -f "$share/out/entry.rc" ]; then
    if [ "$rc" -eq 124 ]; then why="timed out after $limit s"; else why="VM stopped (qemu exit $rc)"; fi
    notok "node suite finished: $why" "$console" 40
    echo "1..$n"
    exit 1
fi
erc=$(cat "$share/out/entry.rc")
if [ "$n" -eq 0 ]; then
    notok "node suite ran cases (it exited $erc)" "$console" 40
    erc=1
fi
echo "1..$n"
echo "# node suite: $((SECONDS - start)) s in all"
[ "$erc" -eq 0 ] && ! grep -q '^not ok' "$share/out/tap"
