#!/usr/bin/env bash
# Reconciler benchmark (make bench): CPU time of one `wpctl reconcile` pass over
# 250 and 2,500 pin records on a fake cgroup v1 tree (every container pinned, so
# a pass reads every planned file and writes nothing), and the reconciler's max
# RSS after 100 and after 10,000 passes over 250 records (it must stay flat).
# Usage: tests/bench/reconcile.sh [WPCTL]    (BENCH_RECONCILE_PASSES=N for fewer)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-build}
[[ $build = /* ]] || build=$root/$build
wpctl=${1:-$build/wpctl}
long=${BENCH_RECONCILE_PASSES:-10000}
[ "$(id -u)" -eq 0 ] || { echo "reconcile bench: SKIP (records must be root's: run as root)"; exit 0; }
w=$(mktemp -d /tmp/wp-bench-reconcile.XXXXXX)
trap 'rm -rf "$w"' EXIT

node() { # N: a fake node with N pinned containers and their records
    local n=$1 d=$w/n$1 i cs cpu
    mkdir -p "$d/cg/cpuset" "$d/pins" "$d/etc"
    chmod 0700 "$d/pins"
    echo 0-3 >"$d/cg/cpuset/cpuset.cpus"
    printf '{"enabled": true, "partitionsFile": "%s", "cgroupRoot": "%s", "log": {"target": "stderr", "level": "error"}}\n' \
        "$d/etc/parts.json" "$d/cg" >"$d/etc/config.json"
    echo '{"version": 1, "partitions": {"management": {"cpuset": "1"}}}' >"$d/etc/parts.json"
    for ((i = 0; i < n; i++)); do
        cs=cpuset/wpb/c$i cpu=cpu,cpuacct/wpb/c$i
        mkdir -p "$d/cg/$cs" "$d/cg/$cpu"
        echo 1 >"$d/cg/$cs/cpuset.cpus"
        echo 1 >"$d/cg/$cs/cpuset.effective_cpus"
        echo 4242 >"$d/cg/$cs/cgroup.procs"
        echo 400 >"$d/cg/$cpu/cpu.shares"
        printf '{"version":1,"containerId":"c%d","partition":"management","annotations":{"target.workload.openshift.io/management":"{}"},"plan":{"cpuset":"1","cpushares":400},"cgroupRoot":"%s","cgroups":{"cpuset":{"dir":"%s","v2":false},"cpu":{"dir":"%s","v2":false}},"before":{},"time":%d,"elapsedUs":900}\n' \
            "$i" "$d/cg" "$cs" "$cpu" "$(($(date +%s) + 100))" >"$d/pins/c$i.json"
    done
    chmod 0600 "$d"/pins/*.json
}

# cpu_ms N PASSES: CPU milliseconds (user+sys) per pass, and the max RSS in KiB.
run() {
    local n=$1 p=$2 d=$w/n$1 t0 t1
    t0=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
    "$wpctl" reconcile --config "$d/etc/config.json" --pin-dir "$d/pins" \
        --watch --interval 0 --passes "$p" 2>"$w/err" >/dev/null
    RSS=$(sed -n 's/.*max RSS \([0-9]*\) KiB.*/\1/p' "$w/err")
    # Children's CPU time (clock ticks) of this shell, before and after.
    t1=$(awk '{print $14+$15+$16+$17}' /proc/$$/stat)
    MS=$(awk -v a="$t0" -v b="$t1" -v p="$p" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.3f", (b - a) * 1000 / hz / p}')
}

node 250
node 2500
run 250 400; ms250=$MS
run 2500 40; ms2500=$MS
run 250 100; rss100=$RSS
run 250 "$long"; rsslong=$RSS
printf 'reconcile: one pass over   250 records: %8s ms CPU (target <= 10 ms)\n' "$ms250"
printf 'reconcile: one pass over 2,500 records: %8s ms CPU (%.1fx the 250-record pass; linear = 10x)\n' \
    "$ms2500" "$(awk -v a="$ms250" -v b="$ms2500" 'BEGIN {print (a > 0) ? b / a : 0}')"
printf 'reconcile: max RSS after 100 passes: %s KiB, after %s passes: %s KiB\n' "$rss100" "$long" "$rsslong"
awk -v a="$ms250" 'BEGIN {exit !(a <= 10)}' || echo "reconcile: WARNING: a 250-record pass is above 10 ms"
[ "$rsslong" -le $((rss100 + 1024)) ] || echo "reconcile: WARNING: RSS grew by more than 1 MiB"
