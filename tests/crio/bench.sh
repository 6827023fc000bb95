#!/usr/bin/env bash
# CRI-O latency case of `make bench`: what partitioning adds to a container's
# create+start under a real CRI-O, measured in pairs inside one CRI-O so that the
# machine's noise cancels out.
#
# For each mode — none (no hook, no workloads), hook (hooks.d as installed), builtin
# (CRI-O's [crio.runtime.workloads.management]) — CRI-O is started with that config and
# two pods are run: one annotated for the management partition, one ordinary. A pair is
# one container created and started in each (`crictl create` + `crictl start`, timed as
# a whole), in alternating order; the containers are removed untimed. The figure is
# the paired difference, annotated minus ordinary. Rounds go over all modes in turn
# (round 1: none, hook, builtin; round 2: ...) so that a change of the machine's load
# hits every mode alike. Printed: per mode the median paired difference, its
# interquartile range and full range, the medians of the two sides, and each round's
# median (the spread between rounds is the honest error bar on a shared machine).
#
# Usage: tests/crio/bench.sh [--pairs N] [--rounds N] [--modes "none hook builtin"] [--json FILE]
# (defaults: 20 pairs, 3 rounds). Needs what tests/crio/run.sh needs (root, cgroup
# v1 or v2, the third-party archives); otherwise says why and exits 0.
set -uo pipefail

CRIO_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$CRIO_REPO/$BUILD ;; esac
HOOK=${CRIO_HOOK:-$BUILD/workload-partitioning-hook}
# shellcheck source=tests/crio/lib.sh
. "$CRIO_REPO/tests/crio/lib.sh"

PAIRS=20 ROUNDS=3 MODES="none hook builtin" JSON=""
args=("$@")
while [ $# -gt 0 ]; do
    case $1 in
    --pairs) PAIRS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --modes) MODES=$2; shift 2 ;;
    --json) JSON=$2; shift 2 ;;
    *) echo "usage: $0 [--pairs N] [--rounds N] [--modes \"none hook builtin\"] [--json FILE]" >&2; exit 2 ;;
    esac
done
if [ "$PAIRS" -lt 1 ] || [ "$ROUNDS" -lt 1 ]; then
    echo "bench-crio: --pairs and --rounds must be >= 1" >&2
    exit 2
fi

reason=$(crio_cannot_run)
if [ -n "$reason" ]; then
    echo "bench-crio: skipped: $reason"
    exit 0
fi
[ -x "$HOOK" ] || { echo "bench-crio: $HOOK is not built" >&2; exit 1; }
crio_enter_namespace "$0" "${args[@]}"

build_log=$(mktemp /tmp/wp-crio-build.XXXXXX)
crio_build "$build_log" || { cat "$build_log" >&2; rm -f "$build_log"; exit 1; }
rm -f "$build_log"
CRIO_WORK=$(mktemp -d /tmp/wp-crio-bench.XXXXXX)
trap 'crio_cleanup' EXIT
trap 'exit 1' INT TERM
CRIO_PAUSE=${CRIO_PAUSE:-$BUILD/crio/pause}
crio_setup 1 || exit 1
RES=$CRIO_WORK/results
mkdir -p "$RES"

now_us() { echo $(($(date +%s%N) / 1000)); }

# One container create+start in pod NAME; prints the elapsed µs, leaves the id in $d/last.
timed_start() { # NAME ATTEMPT
    local d=$CRIO_WORK/pods/$1 t0 t1 id
    jq --argjson a "$2" '.metadata.attempt = $a' "$d/ctr.json" >"$d/ctr-$2.json"
    t0=$(now_us)
    id=$(crictl_ create "$(cat "$d/pod.id")" "$d/ctr-$2.json" "$d/pod.json") || return 1
    crictl_ start "$id" >/dev/null || return 1
    t1=$(now_us)
    echo "$id" >"$d/last"
    echo $((t1 - t0))
}
rm_last() { crictl_ rm -f "$(cat "$CRIO_WORK/pods/$1/last")" >/dev/null 2>&1; }

# Runs one round of MODE: PAIRS pairs; appends "annotated ordinary diff" lines (µs).
run_round() { # MODE ROUND
    local m=$1 r=$2 i ta to a=$1-ann o=$1-ord
    crio_start "$m" 1 || return 1
    pod_config "$a" openshift-etcd "$(pod_annotations management etcd '{"cpushares": 400}')" etcd yes 2
    pod_config "$o" default "$(pod_annotations no)" app yes 102
    for p in "$a" "$o"; do
        crictl_ runp "$CRIO_WORK/pods/$p/pod.json" >"$CRIO_WORK/pods/$p/pod.id" || return 1
    done
    # Warm-up pair, not counted (first create after a start loads the image's layers).
    timed_start "$a" 1000 >/dev/null && rm_last "$a"
    timed_start "$o" 1000 >/dev/null && rm_last "$o"
    for ((i = 0; i < PAIRS; i++)); do
        if ((i % 2 == 0)); then
            ta=$(timed_start "$a" "$i") || return 1
            to=$(timed_start "$o" "$i") || return 1
        else
            to=$(timed_start "$o" "$i") || return 1
            ta=$(timed_start "$a" "$i") || return 1
        fi
        rm_last "$a"
        rm_last "$o"
        echo "$ta $to $((ta - to))" >>"$RES/$m.$r"
    done
    crio_stop
}

# Quantiles of a column of numbers (µs in, ms out): "median q1 q3 min max".
stats() { # FILE COLUMN
    awk -v c="$2" '{print $c}' "$1" | sort -n | awk '
        { v[NR] = $1 }
        function q(p,  h, lo) { h = (NR - 1) * p + 1; lo = int(h); return v[lo] + (h - lo) * (v[lo + 1 > NR ? NR : lo + 1] - v[lo]) }
        END { printf "%.2f %.2f %.2f %.2f %.2f", q(0.5) / 1000, q(0.25) / 1000, q(0.75) / 1000, v[1] / 1000, v[NR] / 1000 }'
}

load_start=$(cut -d' ' -f1 /proc/loadavg)
t_start=$(date +%s)
echo "bench-crio: $PAIRS pairs x $ROUNDS rounds for modes: $MODES (CRI-O 1.26.4, $CRIO_RUNTIME, $CRIO_CGROUP_MANAGER, cgroup $(cg_version); 1-min load $load_start)"
for ((r = 1; r <= ROUNDS; r++)); do
    for m in $MODES; do
        if ! run_round "$m" "$r"; then
            echo "bench-crio: round $r of mode $m failed; CRI-O's log ends:" >&2
            tail -n 20 "$CRIO_WORK/crio-$m.log" >&2
            exit 1
        fi
    done
done
load_end=$(cut -d' ' -f1 /proc/loadavg)

printf '\nCRI-O container create+start: annotated minus ordinary, paired (%d pairs x %d rounds), ms\n' "$PAIRS" "$ROUNDS"
printf '%-8s %8s %18s %18s %10s %10s   %s\n' mode median "IQR" "range" ordinary annotated "round medians"
for m in $MODES; do
    cat "$RES/$m".* >"$RES/$m.all"
    read -r med q1 q3 lo hi < <(stats "$RES/$m.all" 3)
    ord=$(stats "$RES/$m.all" 2 | cut -d' ' -f1)
    ann=$(stats "$RES/$m.all" 1 | cut -d' ' -f1)
    rounds=""
    for ((r = 1; r <= ROUNDS; r++)); do rounds+="$(stats "$RES/$m.$r" 3 | cut -d' ' -f1) "; done
    printf '%-8s %+8.2f %18s %18s %10s %10s   %s\n' "$m" "$med" "[$q1, $q3]" "[$lo, $hi]" "$ord" "$ann" "$rounds"
    echo "$m $med $q1 $q3 $lo $hi $ord $ann $rounds" >>"$RES/summary"
done
echo "(1-min load average $load_start at start, $load_end at end; $(($(date +%s) - t_start)) s)"

if [ -n "$JSON" ]; then
    mkdir -p "$(dirname "$JSON")"
    {
        for m in $MODES; do
            for ((r = 1; r <= ROUNDS; r++)); do
                awk -v m="$m" -v r="$r" '{printf "{\"mode\":\"%s\",\"round\":%d,\"annotated_us\":%d,\"ordinary_us\":%d,\"diff_us\":%d}\n", m, r, $1, $2, $3}' "$RES/$m.$r"
            done
        done
    } | jq -s --arg when "$(date -u +%FT%TZ)" --arg ls "$load_start" --arg le "$load_end" \
        --argjson pairs "$PAIRS" --argjson rounds "$ROUNDS" --arg rt "$CRIO_RUNTIME" \
        --arg cgm "$CRIO_CGROUP_MANAGER" --arg cgv "$(cg_version)" \
        '{when: $when, crio: "1.26.4", runtime: $rt, cgroup_manager: $cgm, cgroup: $cgv,
          pairs: $pairs, rounds: $rounds, load_start: ($ls | tonumber), load_end: ($le | tonumber),
          samples: .}' >"$JSON"
    echo "bench-crio: samples in $JSON"
fi
