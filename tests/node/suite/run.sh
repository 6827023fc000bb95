#!/bin/bash
# The node suite, inside the test node VM (systemd PID 1, cgroup v2): started by the
# share's entry script, prints TAP on stdout. Sources the e2e helpers
# (tests/e2e/lib.sh, copied to the share) and ./lib.sh, then every case file
# cases/*.sh in name order; a case file registers its cases with
#   node_case "NAME" FUNCTION
# and they run in that order (FUNCTION may be followed by arguments, one word each). A case passes when FUNCTION returns 0 and recorded
# nothing with expect/fail; it is skipped when it sets SKIP_REASON.
# NODE_ONLY=REGEX runs only the cases whose name matches.
set -uo pipefail

NODE_SHARE=${NODE_SHARE:-/mnt/host}
NODE_SUITE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_REPO=$NODE_SHARE/repo
# Bundles live on the VM's disk: runtimes cannot exec a rootfs under /run here.
E2E_WORK=/var/lib/wp-node/work
E2E_CGPARENT=wp-node
HOOK=/usr/libexec/oci/hooks.d/workload-partitioning-hook
E2E_TIMEOUT=${E2E_TIMEOUT:-60}
E2E_READY_WAIT=${E2E_READY_WAIT:-60}

# shellcheck source=tests/e2e/lib.sh
. "$NODE_SHARE/e2e/lib.sh"
# shellcheck source=tests/node/suite/lib.sh
. "$NODE_SUITE/lib.sh"

rm -rf "$E2E_WORK"
mkdir -p "$E2E_WORK/bundles" "$(dirname "$HOOK")"
install -m 0755 "$NODE_SHARE/bin/workload-partitioning-hook" "$HOOK"
# The host made the containers' rootfs (tests/node/lib.sh).
cp -a "$NODE_SHARE/rootfs" "$E2E_WORK/rootfs" || e2e_make_rootfs "$E2E_WORK/rootfs"

NODE_CASES=()
for f in "$NODE_SUITE"/cases/*.sh; do
    # shellcheck disable=SC1090
    . "$f"
done

for c in "${NODE_CASES[@]}"; do
    name=${c%%|*} fn=${c#*|}
    if [ -n "${NODE_ONLY-}" ] && ! grep -qE -- "$NODE_ONLY" <<<"$name"; then continue; fi
    DIAG=$E2E_WORK/diag
    : >"$DIAG"
    SKIP_REASON=""
    e2e_make_wrapper
    t0=$(date +%s.%N)
    # shellcheck disable=SC2086 # FUNCTION may carry arguments
    $fn
    rc=$?
    secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    tap_case "$name" "$rc"
    echo "#   ($secs s)"
    node_stop_all
done
echo "1..$n"
