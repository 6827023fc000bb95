#!/usr/bin/env bash
# make node-shell: boots the test node VM with the share mounted at /mnt/host and
# root logged in on this terminal, for debugging a node case by hand:
#   /mnt/host/suite/run.sh                      the whole in-VM suite (TAP on stdout)
#   NODE_ONLY='crun, systemd' /mnt/host/suite/run.sh
#   poweroff                                    leave (or Ctrl-a x: qemu quits at once)
# The disk is a throw-away overlay: nothing done in the VM survives. The share is a
# temp dir with the files of tests/node/share.d/*.list and the suite; it is removed
# when the VM stops.
set -euo pipefail
NODE_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$NODE_REPO/$BUILD ;; esac
# shellcheck source=tests/node/lib.sh
. "$NODE_REPO/tests/node/lib.sh"

reason=$(node_cannot_run)
[ -z "$reason" ] || { echo "node-shell: cannot run the node VM: $reason" >&2; exit 1; }
img=$("$NODE_DIR/image.sh")
work=$(mktemp -d /var/tmp/wp-node-shell.XXXXXX)
trap 'rm -rf --one-file-system "$work"' EXIT
node_prepare_share "$work/share"
accel=$(node_accel "$img")
echo "node-shell: booting $img (accel $accel); the share is /mnt/host; poweroff or Ctrl-a x to leave" >&2
NODE_ACCEL=$accel node_boot shell "$img" "$work/share"
