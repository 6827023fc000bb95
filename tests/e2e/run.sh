#!/usr/bin/env bash
# End-to-end suite: the built hook under real runc and podman containers on the real
# cgroupfs. Prints TAP lines (ok / not ok / # SKIP). Needs root and cgroup v1 (hybrid
# is fine); otherwise every case is skipped with the reason.
#
# Each case asserts what the container itself sees (Cpus_allowed_list it prints from
# /proc/self/status) and what its cgroup holds (cpuset.cpus, cpu.shares,
# cpu.cfs_quota_us, found from the container's pid). The node config and partition
# file are temp files passed with --config; nothing under /etc is touched. Containers,
# cgroups (under /sys/fs/cgroup/*/wp-e2e-<pid>) and temp dirs are removed on exit.
set -uo pipefail

E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$E2E_REPO/$BUILD ;; esac
HOOK=${E2E_HOOK:-$BUILD/workload-partitioning-hook}
# shellcheck source=tests/e2e/lib.sh
. "$E2E_REPO/tests/e2e/lib.sh"

PART_CPUS=1 # the partition's cpuset: one CPU, visible against the online set
N_PARALLEL=${E2E_PARALLEL:-20}

CASES=(
    "runc: management container pinned to the partition's cpuset|case_runc_pinned"
    "runc: per-container cpushares and cpulimit applied|case_runc_override"
    "runc: unannotated container untouched (hook ran, wrote nothing)|case_runc_unannotated"
    "runc: namespace outside allowedNamespaces untouched, inside pinned|case_runc_namespace"
    "runc: malformed override refused under failurePolicy fail, runtime error carries the hook's line|case_runc_malformed_fail"
    "runc: malformed override under failurePolicy ignore starts unpinned|case_runc_malformed_ignore"
    "runc: audit mode writes nothing and logs the decision|case_runc_audit"
    "runc: toggle switched off between two starts and back on, nothing restarted|case_runc_toggle"
    "runc: $N_PARALLEL containers at once, half annotated|case_runc_parallel"
    "podman: hooks.d file selects annotated container, pinned with override|case_podman_pinned"
    "podman: unannotated container untouched, hook not run|case_podman_unannotated"
    "podman: malformed override refused under fail, error carries the hook's line|case_podman_malformed_fail"
    "podman: shipped hooks.d stages run the hook once per container start|case_podman_once"
    "podman: control: listing prestart and createRuntime runs the hook twice|case_podman_twice"
    "crun: management container pinned|case_crun_pinned"
)

# ---------------------------------------------------------------- cases

# Values of a container the hook did not touch.
ONLINE=""
untouched() { # LABEL
    expect "$1 sees" "$SEEN" "$ONLINE"
    expect "$1 cpuset.cpus" "$CPUS" "$ONLINE"
    expect "$1 cpu.shares" "$SHARES" 1024
    expect "$1 cpu.cfs_quota_us" "$QUOTA" -1
}
pinned() { # LABEL
    expect "$1 sees" "$SEEN" "$PART_CPUS"
    expect "$1 cpuset.cpus" "$CPUS" "$PART_CPUS"
    expect "$1 cpuset.effective_cpus" "$EFF" "$PART_CPUS"
}
started() { # runc|podman ID : facts, or a diagnostic
    local err=$E2E_WORK/bundles/$2/err
    if ! e2e_facts "$1" "$2"; then
        fail "$1 container $2 did not start or report: $(tr '\n' ' ' <"$err" 2>/dev/null)"
        return 1
    fi
    echo "#   $2: $(e2e_facts_line)"
}

case_runc_pinned() {
    e2e_write_config true
    e2e_write_partitions "$PART_CPUS"
    e2e_runc_start mgmt "$(e2e_annotations etcd openshift-etcd yes)" || { started runc mgmt; return 1; }
    started runc mgmt || return 1
    pinned mgmt
    expect "mgmt cpu.shares" "$SHARES" 1024
    expect "mgmt cgroup is the bundle's cgroupsPath" "$CPUSET_DIR" "$CGROOT/cpuset/$E2E_CGPARENT/mgmt"
    expect "mgmt live Cpus_allowed_list" "$(sed -n 's/^Cpus_allowed_list:\t//p' "/proc/$PID/status")" "$PART_CPUS"
    # The pin record exists while the container runs; runc delete runs poststop.
    local id rec
    id=$(e2e_runc state mgmt | jq -r .id)
    rec=$E2E_WORK/pins/$id.json
    expect "mgmt pin record while running" "$(jq -r '.partition + " " + .plan.cpuset' "$rec" 2>&1)" \
        "management $PART_CPUS"
    e2e_runc_rm mgmt
    expect "mgmt pin record after runc delete" "$([[ -e "$rec" ]] && echo present || echo gone)" gone
}

case_runc_override() {
    e2e_write_config true
    e2e_write_partitions "$PART_CPUS"
    e2e_runc_start ovr "$(e2e_annotations api openshift-apiserver yes '{"cpushares": 400, "cpulimit": 500}')" || true
    started runc ovr || return 1
    pinned ovr
    expect "ovr cpu.shares" "$SHARES" 400
    expect "ovr cpu.cfs_quota_us (500m of 100000us)" "$QUOTA" 50000
    expect "ovr cpu.cfs_period_us" "$PERIOD" 100000
}

case_runc_unannotated() {
    e2e_write_config true
    e2e_write_partitions "$PART_CPUS"
    e2e_runc_start plain "$(e2e_annotations app default no '{"cpushares": 400}')" wrap || true
    started runc plain || return 1
    untouched plain
    expect "hook calls for plain" "$(e2e_calls plain)" 1
    expect "hook exit codes for plain" "$(e2e_calls_rc plain)" 0
}

case_runc_namespace() {
    e2e_write_config true
    e2e_write_partitions "$PART_CPUS" '["openshift-*", "kube-system"]'
    e2e_runc_start outside "$(e2e_annotations sneaky default yes '{"cpushares": 400}')" wrap || true
    e2e_runc_start inside "$(e2e_annotations etcd openshift-etcd yes)" wrap || true
    started runc outside || return 1
    untouched outside
    expect "hook exit codes for outside" "$(e2e_calls_rc outside)" 0
    started runc inside || return 1
    pinned inside
}

MALFORMED='{"cpushares": "lots"}'

case_runc_malformed_fail() {
    e2e_write_config true enforce fail
    e2e_write_partitions "$PART_CPUS"
    local err=$E2E_WORK/bundles/bad/err
    if e2e_runc_start bad "$(e2e_annotations api openshift-apiserver yes "$MALFORMED")"; then
        fail "runc run succeeded; want it refused"
        return 1
    fi
    grep -q 'error running hook' "$err" || fail "runc error does not name a hook: $(cat "$err")"
    # The hook's own stderr line, naming the annotation at fault, inside runc's error.
    grep -q 'stderr: .*resources\.workload\.openshift\.io/api' "$err" ||
        fail "runc error does not carry the hook's line naming resources.workload.openshift.io/api: $(cat "$err")"
    [ -z "$(e2e_runc_pid bad)" ] || fail "container bad exists after a refused start"
    [ ! -d "$CGROOT/cpuset/$E2E_CGPARENT/bad" ] || fail "cgroup of refused container left behind"
}

case_runc_malformed_ignore() {
    e2e_write_config true enforce ignore
    e2e_write_partitions "$PART_CPUS"
    e2e_runc_start badok "$(e2e_annotations api openshift-apiserver yes "$MALFORMED")" wrap || true
    started runc badok || return 1
    untouched badok
    # The hook ran, saw the fault and let the container start.
    expect "hook exit codes for badok" "$(e2e_calls_rc badok)" 0
    e2e_calls_err badok | grep -q 'resources\.workload\.openshift\.io/api' ||
        fail "hook logged no error naming resources.workload.openshift.io/api: $(e2e_calls_err badok)"
}

case_runc_audit() {
    e2e_write_config true audit fail
    e2e_write_partitions "$PART_CPUS"
    e2e_runc_start audited "$(e2e_annotations api openshift-apiserver yes '{"cpushares": 400, "cpulimit": 500}')" wrap || true
    started runc audited || return 1
    untouched audited
    expect "hook exit codes for audited" "$(e2e_calls_rc audited)" 0
    # The decision is logged (one JSON record on stderr) with what it would write.
    local rec
    rec=$(e2e_calls_err audited | grep -m1 '^{') || true
    if [ -z "$rec" ]; then
        fail "no JSON decision record on the hook's stderr: $(e2e_calls_err audited)"
    else
        expect "record container_id" "$(jq -r .container_id <<<"$rec")" audited
        expect "record outcome" "$(jq -r .outcome <<<"$rec")" audited
        expect "record cpuset (what it would write)" "$(jq -r .cpuset <<<"$rec")" "$PART_CPUS"
        expect "record shares (what it would write)" "$(jq -r .shares <<<"$rec")" 400
    fi
}

case_runc_toggle() {
    e2e_write_config true
    e2e_write_partitions "$PART_CPUS"
    e2e_runc_start first "$(e2e_annotations etcd openshift-etcd yes)" || true
    started runc first || return 1
    pinned first
    local first_pid=$PID
    e2e_write_config false
    e2e_runc_start second "$(e2e_annotations etcd openshift-etcd yes)" wrap || true
    started runc second || return 1
    untouched second
    expect "hook exit codes for second" "$(e2e_calls_rc second)" 0
    # Switched back on: the next start is pinned again.
    e2e_write_config true
    e2e_runc_start third "$(e2e_annotations etcd openshift-etcd yes)" || true
    started runc third || return 1
    pinned third
    # The first container kept running, still pinned: nothing was restarted.
    started runc first || return 1
    pinned first
    expect "first container's pid (not restarted)" "$PID" "$first_pid"
}

case_runc_parallel() {
    e2e_write_config true
    e2e_write_partitions "$PART_CPUS"
    local i id pids=() bad=0
    for ((i = 0; i < N_PARALLEL; i++)); do
        id=par$i
        if ((i % 2 == 0)); then
            e2e_runc_start "$id" "$(e2e_annotations "c$i" openshift-etcd yes '{"cpushares": 300}')" wrap &
        else
            e2e_runc_start "$id" "$(e2e_annotations "c$i" default no)" wrap &
        fi
        pids+=($!)
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || { fail "par$i: runc run failed: $(cat "$E2E_WORK/bundles/par$i/err")"; bad=1; }
    done
    for ((i = 0; i < N_PARALLEL; i++)); do
        id=par$i
        started runc "$id" || { bad=1; continue; }
        if ((i % 2 == 0)); then
            pinned "$id"
            expect "$id cpu.shares" "$SHARES" 300
        else
            untouched "$id"
        fi
        expect "hook calls for $id" "$(e2e_calls "$id")" 1
        expect "hook exit codes for $id" "$(e2e_calls_rc "$id")" 0
    done
    return $bad
}

have_podman() { command -v podman >/dev/null 2>&1; }

case_podman_pinned() {
    e2e_write_config true
    e2e_write_partitions "$PART_CPUS"
    e2e_write_hooksd direct
    e2e_podman_start pmgmt "$(e2e_annotations api openshift-apiserver yes '{"cpushares": 400, "cpulimit": 500}')" || true
    started podman pmgmt || return 1
    pinned pmgmt
    expect "pmgmt cpu.shares" "$SHARES" 400
    expect "pmgmt cpu.cfs_quota_us" "$QUOTA" 50000
    case $CPUSET_DIR in "$CGROOT/cpuset/$E2E_CGPARENT/"*) ;; *) fail "pmgmt cgroup $CPUSET_DIR not under --cgroup-parent" ;; esac
}

case_podman_unannotated() {
    e2e_write_config true
    e2e_write_partitions "$PART_CPUS"
    e2e_make_wrapper
    e2e_write_hooksd wrap
    e2e_podman_start pplain "$(e2e_annotations app default no '{"cpushares": 400}')" || true
    started podman pplain || return 1
    untouched pplain
    local id
    id=$(cat "$E2E_WORK/bundles/pplain/id")
    expect "hook calls for pplain (hooks.d 'when' does not match)" "$(e2e_calls "$id")" 0
}

case_podman_malformed_fail() {
    e2e_write_config true enforce fail
    e2e_write_partitions "$PART_CPUS"
    e2e_write_hooksd direct
    local err=$E2E_WORK/bundles/pbad/err
    if e2e_podman_start pbad "$(e2e_annotations api openshift-apiserver yes "$MALFORMED")"; then
        fail "podman run succeeded; want it refused"
        return 1
    fi
    grep -q 'resources\.workload\.openshift\.io/api' "$err" ||
        fail "podman error does not carry the hook's line naming resources.workload.openshift.io/api: $(cat "$err")"
}

# Starts 3 annotated containers with hooks.d stages STAGES; sets CALLS to their call counts.
podman_count_calls() { # STAGES-JSON PREFIX
    e2e_write_config true
    e2e_write_partitions "$PART_CPUS"
    e2e_make_wrapper
    e2e_write_hooksd wrap "$1"
    local i id
    CALLS=""
    for i in 1 2 3; do
        e2e_podman_start "$2$i" "$(e2e_annotations "c$i" openshift-etcd yes)" || true
        started podman "$2$i" || return 1
        pinned "$2$i"
        id=$(cat "$E2E_WORK/bundles/$2$i/id")
        CALLS="$CALLS $(e2e_calls "$id")"
    done
    CALLS=${CALLS# }
}

case_podman_once() {
    local stages
    stages=$(e2e_shipped_stages)
    expect "stages in config/hooks.d/99-workload-partitioning.json" "$stages" \
        '["createRuntime","poststop"]'
    # Counted while the containers run: poststop (removing the pin record) comes at
    # removal, so one call each means createRuntime ran once.
    podman_count_calls "$stages" ponce || return 1
    expect "hook calls per container with stages $stages" "$CALLS" "1 1 1"
}

case_podman_twice() {
    podman_count_calls '["prestart", "createRuntime"]' ptwice || return 1
    expect "hook calls per container with both stages" "$CALLS" "2 2 2"
}

case_crun_pinned() {
    local out
    if ! command -v crun >/dev/null 2>&1; then
        SKIP_REASON="crun not installed (Debian's crun 1.8.1 refuses hybrid cgroup v1+v2 hosts)"
        return 0
    fi
    # Probe: crun 1.8.1 refuses hybrid cgroups ("cgroups in hybrid mode not supported").
    e2e_runc_start crunprobe "$(e2e_annotations x default no)" >/dev/null 2>&1 || true
    e2e_runc_rm crunprobe
    out=$(cd "$E2E_WORK/bundles/crunprobe" && jq 'del(.hooks) | .process.args = ["true"]' config.json >probe.json &&
        mv probe.json config.json && timeout "$E2E_TIMEOUT" crun --root "$E2E_WORK/crun-root" run \
        --bundle "$E2E_WORK/bundles/crunprobe" crunprobe 2>&1 </dev/null) || {
        SKIP_REASON="crun $(crun --version | sed -n 's/^crun version //p') cannot run containers here: $(tr '\n' ' ' <<<"$out")"
        timeout 10 crun --root "$E2E_WORK/crun-root" delete -f crunprobe >/dev/null 2>&1
        return 0
    }
    # crun runs here: the same pinned case through crun.
    e2e_write_config true
    e2e_write_partitions "$PART_CPUS"
    local b=$E2E_WORK/bundles/crunmgmt
    e2e_runc_start crunmgmt "$(e2e_annotations etcd openshift-etcd yes)" >/dev/null 2>&1 || true
    e2e_runc_rm crunmgmt
    : >"$b/out"
    timeout "$E2E_TIMEOUT" crun --root "$E2E_WORK/crun-root" run -d --bundle "$b" crunmgmt >"$b/out" 2>"$b/err" </dev/null ||
        { fail "crun run failed: $(cat "$b/err")"; return 1; }
    local pid
    out=$(e2e_wait_ready runc crunmgmt) || { fail "crun container did not report"; return 1; }
    SEEN=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' <<<"$out")
    pid=$(timeout 10 crun --root "$E2E_WORK/crun-root" state crunmgmt | jq -r .pid)
    CPUS=$(cat "$(e2e_cg_dir "$pid" cpuset)/cpuset.cpus")
    EFF=$PART_CPUS
    pinned crunmgmt
    timeout 10 crun --root "$E2E_WORK/crun-root" delete -f crunmgmt >/dev/null 2>&1
}

# ---------------------------------------------------------------- main

stop_all() {
    local id
    for id in $(e2e_runc list -q 2>/dev/null); do e2e_runc_rm "$id"; done
    if [ -d "$E2E_WORK/podman/root" ]; then e2e_podman rm -a -f -t 0 >/dev/null 2>&1 || true; fi
    if [ -d "$E2E_WORK/crun-root" ]; then
        for id in $(timeout 10 crun --root "$E2E_WORK/crun-root" list -q 2>/dev/null); do
            timeout 10 crun --root "$E2E_WORK/crun-root" delete -f "$id" >/dev/null 2>&1
        done
    fi
    rm -rf "$E2E_WORK/calls" "$E2E_WORK/bundles"
}

skip_all() {
    local c
    for c in "${CASES[@]}"; do tap_skip "${c%%|*}" "$1"; done
    echo "1..$n"
    exit 0
}

reason=$(e2e_cannot_run)
[ -z "$reason" ] || skip_all "$reason"
if [ ! -x "$HOOK" ]; then
    for c in "${CASES[@]}"; do
        n=$((n + 1))
        echo "not ok $n - ${c%%|*}"
        echo "#   hook not built: $HOOK (run make BUILD=${BUILD#"$E2E_REPO"/} first)"
    done
    echo "1..$n"
    exit 1
fi

E2E_WORK=$(mktemp -d /tmp/wp-e2e.XXXXXX)
E2E_CGPARENT=wp-e2e-$$
# A watchdog bounds the whole suite; each runtime command has its own timeout too.
e2e_watchdog "${E2E_SUITE_TIMEOUT:-600}" &
WATCHDOG=$!
current="setup"
trap 'kill "$WATCHDOG" 2>/dev/null; e2e_cleanup' EXIT
trap 'echo "not ok $((n + 1)) - interrupted (signal or suite timeout) during: $current"; exit 1' INT TERM

e2e_make_rootfs "$E2E_WORK/rootfs"
e2e_make_wrapper
ONLINE=$(cat "$CGROOT/cpuset/cpuset.effective_cpus")

for c in "${CASES[@]}"; do
    name=${c%%|*} fn=${c#*|}
    current=$name
    if [ -n "${E2E_ONLY-}" ] && ! grep -qE -- "$E2E_ONLY" <<<"$name"; then continue; fi
    DIAG=$E2E_WORK/diag
    : >"$DIAG"
    SKIP_REASON=""
    mkdir -p "$E2E_WORK/bundles"
    e2e_make_wrapper
    if [[ $name == podman:* ]] && ! have_podman; then
        tap_skip "$name" "podman not installed"
        continue
    fi
    "$fn"
    tap_case "$name" $?
    stop_all
done
echo "1..$n"
