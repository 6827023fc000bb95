#!/usr/bin/env bash
# `make demo`: starts a management container (annotated) and an ordinary one with
# runc and the built hook, prints side by side the CPUs each may run on and its
# cpu.shares, and cleans up. Where containers cannot run (not root, no cgroup v1
# access), it says why and runs the hook on a fake cgroup v1 tree instead, printing
# the files before and after. Nothing under /etc is read or written.
set -euo pipefail

E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$E2E_REPO/$BUILD ;; esac
HOOK=$BUILD/workload-partitioning-hook
# shellcheck source=tests/e2e/lib.sh
. "$E2E_REPO/tests/e2e/lib.sh"

if [ ! -x "$HOOK" ]; then
    echo "demo: $HOOK is not built (run: make demo, or make BUILD=... all)" >&2
    exit 1
fi

MGMT_OVERRIDE='{"cpushares": 400}'

demo_containers() {
    local online part=1 row fields
    online=$(cat "$CGROOT/cpuset/cpuset.effective_cpus")
    E2E_WORK=$(mktemp -d /tmp/wp-demo.XXXXXX)
    E2E_CGPARENT=wp-demo-$$
    trap e2e_cleanup EXIT
    trap 'exit 1' INT TERM
    e2e_make_rootfs "$E2E_WORK/rootfs"
    e2e_write_config true
    e2e_write_partitions "$part"

    echo "Node CPUs: $online. Partition \"management\" reserves CPU $part."
    echo "Hook: ${HOOK#"$E2E_REPO"/}, registered in each runc bundle (stage $(e2e_shipped_stages | jq -r 'join(",")'))."
    echo
    e2e_runc_start etcd "$(e2e_annotations etcd openshift-etcd yes "$MGMT_OVERRIDE")" ||
        { echo "runc could not start the management container: $(cat "$E2E_WORK/bundles/etcd/err")"; return 1; }
    e2e_runc_start web "$(e2e_annotations web shop no)" ||
        { echo "runc could not start the ordinary container: $(cat "$E2E_WORK/bundles/web/err")"; return 1; }

    printf '%-10s %-15s %-40s %-12s %s\n' container namespace annotation "may run on" cpu.shares
    for row in "etcd openshift-etcd target.workload.openshift.io/management" "web shop -"; do
        read -r -a fields <<<"$row"
        set -- "${fields[@]}"
        e2e_facts runc "$1" || { echo "container $1 did not report"; return 1; }
        printf '%-10s %-15s %-40s %-12s %s\n' "$1" "$2" "$3" "CPU $SEEN" "$SHARES"
    done
    echo
    echo "\"may run on\" is Cpus_allowed_list, printed by each container from /proc/self/status;"
    echo "cpu.shares is read from its cgroup (the management container carries $MGMT_OVERRIDE)."
    e2e_cleanup
    trap - EXIT
    echo "Containers, cgroups and temp files removed."
}

# The hook on a fake cgroup v1 tree: two containers of one node with CPUs 0-3,
# partition "management" reserving 0-1.
demo_fake() {
    local t cg proc name pid ns act ovr state f fields before after msg
    t=$(mktemp -d /tmp/wp-demo-fake.XXXXXX)
    trap 'rm -rf "$t"' EXIT
    cg=$t/cgroup proc=$t/proc
    mkdir -p "$cg/cpuset" "$cg/cpu"
    echo 0-3 >"$cg/cpuset/cpuset.cpus"
    E2E_WORK=$t E2E_CGROUP_ROOT=$cg E2E_PROC_ROOT=$proc
    e2e_write_config true
    e2e_write_partitions 0-1

    # Files the hook reads are trusted only when root-owned: as a non-root user, run it in
    # a user namespace where our uid is root (unshare -r); it still writes only our files.
    local run=()
    if [ "$(id -u)" -ne 0 ]; then
        if unshare --map-root-user true 2>/dev/null; then
            run=(unshare --map-root-user --)
        else
            echo "(no user namespaces either: the hook will refuse the non-root-owned config)"
        fi
    fi

    echo "A fake cgroup v1 tree and /proc in a temp dir (cgroupRoot, procRoot); node CPUs 0-3,"
    echo "partition \"management\" reserves 0-1; each container's cgroup is kubepods/pod-NAME/crio-NAME."
    echo
    printf '%-10s %-12s %-7s %s\n' container file before after
    for c in "etcd 101 openshift-etcd yes" "web 202 shop no"; do
        read -r -a fields <<<"$c"
        set -- "${fields[@]}"
        name=$1 pid=$2 ns=$3 act=$4
        mkdir -p "$cg/cpuset/kubepods/pod-$name/crio-$name" "$cg/cpu/kubepods/pod-$name/crio-$name" "$proc/$pid"
        echo 0-3 >"$cg/cpuset/kubepods/pod-$name/crio-$name/cpuset.cpus"
        echo 1024 >"$cg/cpu/kubepods/pod-$name/crio-$name/cpu.shares"
        echo -1 >"$cg/cpu/kubepods/pod-$name/crio-$name/cpu.cfs_quota_us"
        echo 100000 >"$cg/cpu/kubepods/pod-$name/crio-$name/cpu.cfs_period_us"
        printf '3:cpuset:/kubepods/pod-%s/crio-%s\n1:cpu:/kubepods/pod-%s/crio-%s\n' \
            "$name" "$name" "$name" "$name" >"$proc/$pid/cgroup"
        ovr=""
        [ "$act" = yes ] && ovr=$MGMT_OVERRIDE
        state=$(jq -n --arg id "$name" --argjson pid "$pid" --argjson ann "$(e2e_annotations "$name" "$ns" "$act" "$ovr")" \
            '{ociVersion: "1.0.2", id: $id, status: "creating", pid: $pid, bundle: "/nonexistent", annotations: $ann}')
        declare -A was=()
        for f in cpuset/kubepods/pod-$name/crio-$name/cpuset.cpus cpu/kubepods/pod-$name/crio-$name/cpu.shares; do
            was[$f]=$(cat "$cg/$f")
        done
        msg=$("${run[@]}" "$HOOK" --config "$(E2E_CONFIG)" <<<"$state" 2>&1 >/dev/null) ||
            echo "hook exit $? for $name: $msg"
        for f in cpuset/kubepods/pod-$name/crio-$name/cpuset.cpus cpu/kubepods/pod-$name/crio-$name/cpu.shares; do
            before=${was[$f]}
            after=$(cat "$cg/$f")
            printf '%-10s %-12s %-7s %s\n' "$name" "${f##*/}" "$before" "$after"
        done
        unset was
        msg=$(grep -m1 '^{' <<<"$msg" | jq -r '.message // empty' 2>/dev/null || true)
        echo "           hook: ${msg:-nothing to do (no activation annotation)}"
    done
    rm -rf "$t"
    trap - EXIT
}

echo "== workload-partitioning demo"
reason=$(e2e_cannot_run)
[ -z "${WP_DEMO_FAKE-}" ] || reason="WP_DEMO_FAKE is set"
if [ -z "$reason" ]; then
    demo_containers && exit 0
    echo
    echo "Real containers failed here; showing the fake-tree version instead."
else
    echo "Real containers cannot run here: $reason."
    echo "Showing the hook on a fake cgroup tree instead."
fi
echo
demo_fake
