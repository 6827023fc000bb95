#!/usr/bin/env bash
# Day-2 suite with real runc containers (cgroup v1): wpctl reconcile repairs
# `runc update` drift within one interval, re-pins running containers after a
# `wpctl merge` that moves the partition, drops the record of a container killed
# without poststop, survives bad records; wpctl unpin restores the pre-pin
# values; wpctl audit finds an escaped and an overlapping container; the
# metrics file passes `promtool check metrics`.
#
# The hook pins each container; its pin record is the hook's when the hook
# writes one, else the suite writes the record the hook would write (same
# format, the values the container had before the pin). Prints TAP.
set -uo pipefail

E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$E2E_REPO/$BUILD ;; esac
HOOK=${E2E_HOOK:-$BUILD/workload-partitioning-hook}
WPCTL=$BUILD/wpctl
# shellcheck source=tests/e2e/lib.sh
. "$E2E_REPO/tests/e2e/lib.sh"

INTERVAL=1
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

CASES=(drift repin stale badrecords metrics audit sigterm unpin)
reason=$(e2e_cannot_run)
[ -x "$WPCTL" ] && [ -x "$HOOK" ] || reason="wpctl or the hook is not built in $BUILD"
if [ -n "$reason" ]; then
    for c in "${CASES[@]}"; do skip "day2: $c" "$reason"; done
    echo "1..$n"
    exit 0
fi

E2E_WORK=$(mktemp -d /tmp/wp-day2.XXXXXX)
E2E_CGPARENT=wp-day2-$$
PINS=$E2E_WORK/pins
mkdir -m 0700 "$PINS"
WATCH_PID=""
stop_watch() {
    [ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null && wait "$WATCH_PID" 2>/dev/null
    WATCH_PID=""
}
cleanup() {
    stop_watch
    local id
    for id in $(e2e_runc list -q 2>/dev/null); do e2e_runc_rm "$id"; done
    e2e_cgroups_remove "$E2E_CGPARENT"
    rm -rf "$E2E_WORK"
}
trap cleanup EXIT
e2e_make_rootfs "$E2E_WORK/rootfs"
e2e_write_config true
e2e_write_partitions 1
ONLINE=$(cat "$CGROOT/cpuset/cpuset.effective_cpus")

# A 64-hex container id, so that the cgroup walk recognises it as a container.
cid() { printf '%s%062x' "$1" $$; }

# start ID ANNOTATE(yes|no): a runc container, pinned by the hook when annotated.
# Writes the pin record the hook would write when the hook wrote none.
start() {
    local id=$1 ann cs cpu
    ann=$(e2e_annotations "c${id:0:6}" openshift-etcd "$2" '{"cpushares": 400}')
    e2e_runc_start "$id" "$ann" || { echo "runc run $id failed: $(cat "$E2E_WORK/bundles/$id/err")"; return 1; }
    e2e_facts runc "$id" || { echo "$id did not start"; return 1; }
    [ "$2" = yes ] || return 0
    [ -f "$PINS/$id.json" ] && return 0
    cs=${CPUSET_DIR#"$CGROOT"/} cpu=${CPU_DIR#"$CGROOT"/}
    jq -n --arg id "$id" --argjson ann "$ann" --arg cs "$cs" --arg cpu "$cpu" \
        --arg online "$ONLINE" --arg root "$CGROOT" --arg t "$(date +%s)" \
        '{version: 1, containerId: $id, podNamespace: "openshift-etcd",
          podName: "pod", containerName: $ann["io.kubernetes.container.name"],
          partition: "management", annotations: $ann,
          plan: {cpuset: "1", cpushares: 400}, cgroupRoot: $root,
          cgroups: {cpuset: {dir: $cs, v2: false}, cpu: {dir: $cpu, v2: false}},
          unit: "", systemd: "not a unit",
          before: {($cs + "/cpuset.cpus"): $online, ($cpu + "/cpu.shares"): "1024"},
          time: ($t | tonumber), elapsedUs: 850}' >"$PINS/$id.json"
    chmod 0600 "$PINS/$id.json"
}

reconcile() { "$WPCTL" reconcile --config "$(E2E_CONFIG)" --pin-dir "$PINS" "$@"; }
watch_start() {
    # wpctl itself in the background (not a function's subshell), so that $! is its pid.
    "$WPCTL" reconcile --config "$(E2E_CONFIG)" --pin-dir "$PINS" --watch --interval "$INTERVAL" \
        --metrics "$E2E_WORK/metrics.prom" >"$E2E_WORK/watch.out" 2>"$E2E_WORK/watch.err" &
    WATCH_PID=$!
}
cg_cpus() { cat "$CGROOT/cpuset/$E2E_CGPARENT/$1/cpuset.cpus"; }
cg_shares() { cat "$(e2e_v1_mount cpu)/$E2E_CGPARENT/$1/cpu.shares"; }
# within SECONDS COMMAND...: COMMAND succeeds within SECONDS
within() {
    local s=$1 i
    shift
    for ((i = 0; i < s * 10; i++)); do "$@" && return 0; sleep 0.1; done
    return 1
}
holds() { [ "$(cg_cpus "$1")" = "$2" ] && [ "$(cg_shares "$1")" = "$3" ]; }

A=$(cid a1) B=$(cid b2) O=$(cid 0f)

# ---- drift
out=$(start "$A" yes 2>&1) && [ "$(cg_cpus "$A")" = 1 ] || nok "day2: drift" "$out pinned: $(cg_cpus "$A" 2>&1)"
echo "# pin record of the first container: $(jq -c '{systemd, elapsedUs, before}' "$PINS/$A.json" 2>&1)"
watch_start
sleep 0.3
e2e_runc update --cpuset-cpus 0-1 --cpu-share 1024 "$A"
# One interval, plus the time of one pass on a busy machine.
if within $((INTERVAL + 2)) holds "$A" 1 400 && grep -q '"outcome":"repaired"' "$E2E_WORK/watch.err"; then
    ok "day2: runc update --cpuset-cpus 0-1 --cpu-share 1024 repaired within one interval"
else
    nok "day2: drift repaired" "cpus=$(cg_cpus "$A") shares=$(cg_shares "$A") $(tail -5 "$E2E_WORK/watch.err")"
fi

# ---- re-pin after a merge that moves the partition
out=$(start "$B" yes 2>&1) || nok "day2: repin setup" "$out"
mkdir -p "$E2E_WORK/merge"
printf 'apiVersion: workload.openshift.io/v1\nkind: WorkloadPartitions\nmetadata: {name: m}\nstatus: {clusterPartitionNames: [management]}\n' >"$E2E_WORK/merge/m.yaml"
echo '{"management": {"cpuset": "0"}}' >"$E2E_WORK/merge/pin"
sleep 1 # the merge must be newer (seconds) than the records
if "$WPCTL" merge -o "$(E2E_PARTITIONS)" --pinning "$E2E_WORK/merge/pin" "$E2E_WORK/merge/m.yaml" 2>"$E2E_WORK/merge.err" &&
    within $((INTERVAL + 2)) holds "$A" 0 400 && within 1 holds "$B" 0 400 &&
    [ "$(jq -r .plan.cpuset "$PINS/$A.json")" = 0 ]; then
    ok "day2: wpctl merge moving the partition re-pins every running container within one interval"
else
    nok "day2: re-pin" "A=$(cg_cpus "$A") B=$(cg_cpus "$B") $(cat "$E2E_WORK/merge.err") $(tail -5 "$E2E_WORK/watch.err")"
fi

# ---- a container killed without poststop
pid=$(e2e_runc_pid "$B")
kill -KILL "$pid"
if within $((INTERVAL + 3)) test ! -e "$PINS/$B.json"; then
    ok "day2: a container killed without poststop: its record is dropped by the next pass"
else
    nok "day2: stale record" "$(ls "$PINS") $(tail -3 "$E2E_WORK/watch.err")"
fi
e2e_runc_rm "$B"

# ---- bad records: malformed, truncated, another user's, a symlink
printf 'not json' >"$PINS/junk.json"
printf '{"version": 1, "containerId": "x' >"$PINS/trunc.json"
cp "$PINS/$A.json" "$PINS/other.json" && chown 65534:65534 "$PINS/other.json"
echo '{}' >"$E2E_WORK/target.json"
ln -s "$E2E_WORK/target.json" "$PINS/link.json"
chmod 0600 "$PINS"/*.json 2>/dev/null
e2e_runc update --cpu-share 1024 "$A"
if within $((INTERVAL + 2)) holds "$A" 0 400 && kill -0 "$WATCH_PID" 2>/dev/null &&
    [ "$(grep -c '"outcome":"refused"' "$E2E_WORK/watch.err")" -ge 4 ] && [ "$(cat "$E2E_WORK/target.json")" = '{}' ]; then
    ok "day2: the reconciler survives malformed, truncated, foreign and symlinked records (refused, logged)"
else
    nok "day2: bad records" "alive=$(kill -0 "$WATCH_PID" 2>&1 && echo yes) shares=$(cg_shares "$A") $(grep -c refused "$E2E_WORK/watch.err")"
fi
rm -f "$PINS/junk.json" "$PINS/trunc.json" "$PINS/other.json" "$PINS/link.json"

# ---- metrics
if ! command -v promtool >/dev/null; then
    skip "day2: metrics file accepted by promtool check metrics" "promtool not installed (Debian package prometheus)"
elif out=$(promtool check metrics <"$E2E_WORK/metrics.prom" 2>&1) &&
    grep -q '^workload_partitioning_repairs_total{resource="cpuset"} [1-9]' "$E2E_WORK/metrics.prom"; then
    ok "day2: metrics file accepted by promtool check metrics"
else
    nok "day2: metrics" "$out $(cat "$E2E_WORK/metrics.prom")"
fi

# ---- audit: reconciler stopped, then drift -> escaped; an ordinary container overlaps
stop_watch
out=$(start "$O" no 2>&1) || nok "day2: audit setup" "$out"
e2e_runc update --cpuset-cpus 0-1 "$A"
aout=$("$WPCTL" audit --json --config "$(E2E_CONFIG)" --pin-dir "$PINS" 2>&1)
arc=$?
if [ "$arc" = 1 ] && jq -e --arg a "$A" --arg o "$O" '.partitions[0] | (.escaped | map(.id) | index($a)) != null
        and (.overlapping | map(.id) | index($o)) != null' <<<"$aout" >/dev/null; then
    ok "day2: wpctl audit finds the escaped management container (exit 1) and the overlapping one"
else
    nok "day2: audit" "exit $arc: $aout"
fi

# ---- the watcher stopped on SIGTERM (the unit's stop)
if pgrep -f -- "--pin-dir $PINS " >/dev/null; then
    nok "day2: wpctl reconcile --watch ends on SIGTERM" "$(pgrep -af -- "--pin-dir $PINS ")"
else
    ok "day2: wpctl reconcile --watch ends on SIGTERM"
fi

# ---- unpin
if "$WPCTL" unpin --all --config "$(E2E_CONFIG)" --pin-dir "$PINS" >"$E2E_WORK/unpin.out" 2>&1 &&
    holds "$A" "$ONLINE" 1024 && [ -z "$(ls "$PINS")" ]; then
    ok "day2: wpctl unpin --all restores the pre-pin values and drops the records"
else
    nok "day2: unpin" "$(cat "$E2E_WORK/unpin.out") cpus=$(cg_cpus "$A") shares=$(cg_shares "$A")"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
