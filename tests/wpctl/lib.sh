# shellcheck shell=bash
# Helpers for wpctl's TAP suites (sourced, not run: it is not executable).
#
# Each test is a function run in a subshell with `set -euo pipefail` and a fresh
# work directory $W; it fails by exiting non-zero (die, or any failing command).
# Its output is printed as TAP comments when it fails.

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${BUILD:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR=$SRC/$BUILD_DIR ;; esac
# shellcheck disable=SC2034 # used by the suites
WPCTL=$BUILD_DIR/wpctl
# shellcheck disable=SC2034
HOOK=$BUILD_DIR/workload-partitioning-hook
# shellcheck disable=SC2034
EX=$SRC/config/examples
TAP_N=0
TAP_FAILED=0

# need FILE...: prints a SKIP plan and exits when a built file is missing.
need() {
    local f
    for f in "$@"; do
        if [[ ! -x "$f" ]]; then
            echo "1..0 # SKIP $f is not built (run: make BUILD=... all)"
            exit 0
        fi
    done
}

# need_root: the hook trusts only root-owned node files, so suites that run it
# on fake nodes need root.
need_root() {
    if [[ $(id -u) != 0 ]]; then
        echo "1..0 # SKIP needs root: the hook trusts only root-owned config and partition files"
        exit 0
    fi
}

die() {
    echo "FAIL: $*"
    exit 1
}

# t NAME FUNCTION: runs one test.
t() {
    local name=$1 fn=$2 log rc
    TAP_N=$((TAP_N + 1))
    log=$(mktemp)
    (
        set -euo pipefail
        umask 022
        W=$(mktemp -d "${TMPDIR:-/tmp}/wpctl-test.XXXXXX")
        trap 'rm -rf "$W"' EXIT
        cd "$W"
        [[ -z "${WPCTL_TEST_TRACE:-}" ]] || set -x
        "$fn"
    ) >"$log" 2>&1
    rc=$?
    if [[ $rc -eq 0 ]]; then
        echo "ok $TAP_N - $name"
    else
        echo "not ok $TAP_N - $name"
        echo "#   (the test exited with status $rc)"
        sed 's/^/#   /' "$log" | tail -n 40
        TAP_FAILED=1
    fi
    rm -f "$log"
}

# skip NAME REASON
skip() {
    TAP_N=$((TAP_N + 1))
    echo "ok $TAP_N - $1 # SKIP $2"
}

# t_root NAME FUNCTION: a test whose files must be root-owned (wpctl, like the
# hook, trusts only root-owned node files): run as root, a SKIP otherwise.
t_root() {
    if [[ $(id -u) == 0 ]]; then
        t "$@"
    else
        skip "$1" "needs root: wpctl trusts only root-owned merged files and node configs"
    fi
}

done_testing() {
    echo "1..$TAP_N"
    exit "$TAP_FAILED"
}

# run CMD...: runs CMD, capturing $RC, $W/out, $W/err (never fails itself).
run() {
    RC=0
    "$@" >"$W/out" 2>"$W/err" || RC=$?
}

expect_rc() { [[ "$RC" == "$1" ]] || { cat "$W/err"; die "exit code $RC, expected $1: $*"; }; }
err_has() { grep -qF -- "$1" "$W/err" || { cat "$W/err"; die "stderr lacks: $1"; }; }
out_has() { grep -qF -- "$1" "$W/out" || { cat "$W/out"; die "stdout lacks: $1"; }; }
err_lacks() { ! grep -qF -- "$1" "$W/err" || { cat "$W/err"; die "stderr has: $1"; }; }

# wp_object NAME FORM PARTITION... : a WorkloadPartitions object in YAML.
# FORM: names (status.clusterPartitionNames) or partitions (status.partitions[]).
wp_object() {
    local name=$1 form=$2 p
    shift 2
    printf 'apiVersion: workload.openshift.io/v1\nkind: WorkloadPartitions\nmetadata:\n  name: %s\nstatus:\n' "$name"
    if [[ $form == names ]]; then
        printf '  clusterPartitionNames:\n'
        for p in "$@"; do printf '    - %s\n' "$p"; done
    else
        printf '  partitions:\n'
        for p in "$@"; do printf '    - name: %s\n      scope: cluster\n' "$p"; done
    fi
}

# partitions_names FILE: the partition names of a merged file, comma-separated.
partition_names() { jq -r '.partitions | keys | join(",")' "$1"; }
# cpuset_of FILE NAME
cpuset_of() { jq -r --arg n "$2" '.partitions[$n].cpuset' "$1"; }

# ----------------------------------------------------- a fake node for the hook

CID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
FAKE_PID=4242
POD_PATH=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/crio-$CID.scope

# fake_node [PARTITIONS_FILE]: a v1 cgroup tree at $W/cg, a proc tree at
# $W/proc, a node config $W/etc/config.json (enabled, enforce, fail) pointing
# partitionsFile at PARTITIONS_FILE (default $W/etc/partitions.json).
fake_node() {
    local parts=${1:-$W/etc/partitions.json} d acc=
    mkdir -p "$W/cg/cpuset" "$W/cg/cpu,cpuacct" "$W/proc/$FAKE_PID" "$W/etc"
    echo 0-3 >"$W/cg/cpuset/cpuset.cpus"
    echo 0-3 >"$W/cg/cpuset/cpuset.effective_cpus"
    echo 1024 >"$W/cg/cpu,cpuacct/cpu.shares"
    ln -s cpu,cpuacct "$W/cg/cpu"
    local IFS=/
    for d in ${POD_PATH#/}; do
        acc=${acc:+$acc/}$d
        mkdir -p "$W/cg/cpuset/$acc" "$W/cg/cpu,cpuacct/$acc"
        echo 0-3 >"$W/cg/cpuset/$acc/cpuset.cpus"
        echo 0 >"$W/cg/cpuset/$acc/cpuset.mems"
        echo 1024 >"$W/cg/cpu,cpuacct/$acc/cpu.shares"
        echo -1 >"$W/cg/cpu,cpuacct/$acc/cpu.cfs_quota_us"
        echo 100000 >"$W/cg/cpu,cpuacct/$acc/cpu.cfs_period_us"
    done
    unset IFS
    echo 2 >"$W/cg/cpu,cpuacct/${POD_PATH#/}/cpu.shares"
    printf '11:cpuset:%s\n4:cpu,cpuacct:%s\n1:name=systemd:%s\n' "$POD_PATH" "$POD_PATH" \
        "$POD_PATH" >"$W/proc/$FAKE_PID/cgroup"
    jq -n --arg parts "$parts" --arg cg "$W/cg" --arg proc "$W/proc" --arg pins "$W/pins" '{
        enabled: true, mode: "enforce", failurePolicy: "fail", partitionsFile: $parts,
        sharesToWeight: "quadratic", cgroupRoot: $cg, procRoot: $proc, pinRecordDir: $pins,
        log: {level: "info", target: "stderr"}}' >"$W/etc/config.json"
    chmod 0644 "$W/etc/config.json"
}

# fake_node_v2: as fake_node, but a cgroup v2 tree at $W/cg (the pod's
# directories carry cpuset.cpus, cpu.weight and cpu.max; no effective files,
# so the hook reports the cpuset as not verified).
fake_node_v2() {
    fake_node "$@"
    rm -rf "$W/cg"
    mkdir -p "$W/cg"
    echo "cpuset cpu io memory pids" >"$W/cg/cgroup.controllers"
    echo 0-3 >"$W/cg/cpuset.cpus.effective"
    local d acc='' IFS=/
    for d in ${POD_PATH#/}; do
        acc=${acc:+$acc/}$d
        mkdir -p "$W/cg/$acc"
        echo "cpuset cpu io memory pids" >"$W/cg/$acc/cgroup.controllers"
        echo "" >"$W/cg/$acc/cpuset.cpus"
        echo 100 >"$W/cg/$acc/cpu.weight"
        echo "max 100000" >"$W/cg/$acc/cpu.max"
    done
    unset IFS
    printf '0::%s\n' "$POD_PATH" >"$W/proc/$FAKE_PID/cgroup"
}

# leaf_cpus / leaf_shares: what the container's cgroup holds.
leaf_cpus() { tr -d '\n' <"$W/cg/cpuset/${POD_PATH#/}/cpuset.cpus"; }
leaf_shares() { tr -d '\n' <"$W/cg/cpu,cpuacct/${POD_PATH#/}/cpu.shares"; }

# crio_state PARTITION [NAMESPACE] [OVERRIDE_JSON]: a CRI-O-style OCI state on
# stdout: the pod annotations CRI-O copies into the container, the activation
# annotation and the per-container resources annotation. The bundle is
# $W/containers/$CID/userdata, whose config.json carries the same annotations.
crio_state() {
    local part=$1 ns=${2:-openshift-etcd} ovr=${3:-}
    local bundle=$W/containers/$CID/userdata
    mkdir -p "$bundle"
    jq -n --arg id "$CID" --argjson pid "$FAKE_PID" --arg bundle "$bundle" --arg part "$part" \
        --arg ns "$ns" --arg ovr "$ovr" --arg path "$POD_PATH" '
        ({"io.kubernetes.container.name": "etcd",
          "io.kubernetes.pod.namespace": $ns,
          "io.kubernetes.pod.name": "etcd-master-0",
          "io.kubernetes.pod.uid": "7c1d0f3e-0000-4000-8000-000000000001",
          "io.kubernetes.cri-o.ContainerType": "container",
          "io.kubernetes.cri-o.SandboxID": "fedcba9876543210",
          "io.container.manager": "cri-o"}
         + (if $part == "" then {} else {("target.workload.openshift.io/" + $part):
              "{\"effect\": \"PreferredDuringScheduling\"}"} end)
         + (if $ovr == "" then {} else {"resources.workload.openshift.io/etcd": $ovr} end)) as $a
        | {ociVersion: "1.0.2-dev", id: $id, status: "creating", pid: $pid, bundle: $bundle,
           annotations: $a}' >"$W/state.json"
    jq '{ociVersion, annotations, linux: {cgroupsPath: "kubepods-burstable-pod1.slice:crio:'"$CID"'"}}' \
        "$W/state.json" >"$bundle/config.json"
}
