#!/usr/bin/env bash
# The lifecycle questions of docs/ARCHITECTURE.md §7, one test each, end to end:
# wpctl merge writes the merged file, the hook runs on a fake node.
set -u
. "$(dirname "$0")/lib.sh"
need "$WPCTL" "$HOOK"
need_root

merge() { "$WPCTL" merge -o "$W/etc/partitions.json" --pinning "$W/pin" "$@"; }
hook() {
    HRC=0
    "$HOOK" --config "$W/etc/config.json" <"$W/state.json" >"$W/hook.out" 2>"$W/hook.err" || HRC=$?
}
reset_leaf() {
    echo 0-3 >"$W/cg/cpuset/${POD_PATH#/}/cpuset.cpus"
    echo 2 >"$W/cg/cpu,cpuacct/${POD_PATH#/}/cpu.shares"
}
tree_snapshot() { (cd "$W/cg" && grep -r '' . | LC_ALL=C sort); }

install_time() {
    fake_node
    echo '{"management": {"cpuset": "0-1"}}' >"$W/pin"
    wp_object management-partition names management >"$W/install.yaml"
    merge "$W/install.yaml" 2>/dev/null || die "install-time merge failed"
}

test_day2_object_on_a_partitioned_cluster() {
    install_time
    wp_object day2-partition partitions day2 >"$W/day2.yaml"
    run merge "$W/install.yaml" "$W/day2.yaml"
    expect_rc 0
    err_has 'partition "day2" (from day2-partition) has no cpuset'
    [[ $(cpuset_of "$W/etc/partitions.json" day2) == "" ]] || die "day2 has a cpuset"
    [[ $(cpuset_of "$W/etc/partitions.json" management) == 0-1 ]] || die "management changed"
    # A day2 pod: shares apply, nothing is pinned until the node has a cpuset.
    crio_state day2 openshift-etcd '{"cpushares": 400}'
    hook
    [[ $HRC == 0 ]] || die "hook exit $HRC: $(cat "$W/hook.err")"
    [[ $(leaf_cpus) == 0-3 ]] || die "pinned to $(leaf_cpus) without a cpuset"
    [[ $(leaf_shares) == 400 ]] || die "shares $(leaf_shares)"
    # Management pods are pinned as before.
    reset_leaf
    crio_state management
    hook
    [[ $HRC == 0 && $(leaf_cpus) == 0-1 ]] || die "management pod not pinned: $(cat "$W/hook.err")"
    # The node reserves CPUs for day2; the next merge gives them to the partition.
    echo '{"management": {"cpuset": "0-1"}, "day2": {"cpuset": "2"}}' >"$W/pin"
    run merge "$W/install.yaml" "$W/day2.yaml"
    expect_rc 0
    err_lacks 'has no cpuset'
    reset_leaf
    crio_state day2
    hook
    [[ $HRC == 0 && $(leaf_cpus) == 2 ]] || die "day2 pod not pinned to 2: $(leaf_cpus) $(cat "$W/hook.err")"
}

test_day2_object_on_a_cluster_without_partitioning() {
    fake_node
    # The node toggle as shipped (config/config.json): disabled.
    jq --arg p "$W/etc/partitions.json" --arg cg "$W/cg" --arg proc "$W/proc" \
        '.partitionsFile = $p | .cgroupRoot = $cg | .procRoot = $proc | .log.target = "stderr"' \
        "$SRC/config/config.json" >"$W/etc/config.json"
    [[ $(jq .enabled "$W/etc/config.json") == false ]] || die "the shipped config is not disabled"
    echo '{"management": {"cpuset": "0-1"}}' >"$W/pin"
    wp_object late-partition names management >"$W/late.yaml"
    run merge "$W/late.yaml"
    expect_rc 0
    crio_state management
    tree_snapshot >"$W/t0"
    hook
    [[ $HRC == 0 ]] || die "hook exit $HRC"
    tree_snapshot >"$W/t1"
    diff "$W/t0" "$W/t1" || die "the hook changed cgroups on a node where partitioning is off"
    # No node config at all: the same.
    rm "$W/etc/config.json"
    hook
    [[ $HRC == 0 ]] || die "hook exit $HRC without a config"
    tree_snapshot >"$W/t2"
    diff "$W/t0" "$W/t2" || die "the hook changed cgroups without a node config"
}

test_install_time_object_deleted() {
    install_time
    wp_object day2-partition names day2 >"$W/day2.yaml"
    merge "$W/install.yaml" "$W/day2.yaml" 2>/dev/null
    cp "$W/etc/partitions.json" "$W/before.json"
    # The install-time object is gone from the cluster.
    run merge "$W/day2.yaml"
    expect_rc 1
    err_has 'partition "management" (from management-partition) is in no input object; kept'
    [[ $(cpuset_of "$W/etc/partitions.json" management) == 0-1 ]] || die "management was dropped"
    crio_state management
    hook
    [[ $HRC == 0 && $(leaf_cpus) == 0-1 ]] || die "the hook stopped pinning management: $(cat "$W/hook.err")"
    # A broken input never replaces the last good file.
    printf 'kind: WorkloadPartitions\nmetadata: {name: x\n' >"$W/broken.yaml"
    run merge "$W/install.yaml" "$W/broken.yaml"
    expect_rc 1
    cmp -s "$W/etc/partitions.json" "$W/before.json" || die "a failed merge changed the file"
    # The admin confirms the removal.
    run merge --allow-removal "$W/day2.yaml"
    expect_rc 0
    [[ $(partition_names "$W/etc/partitions.json") == day2 ]] || die "names: $(partition_names "$W/etc/partitions.json")"
    reset_leaf
    hook
    [[ $HRC == 0 && $(leaf_cpus) == 0-3 ]] || die "management still pinned after its removal"
}

test_random_user_creates_an_object() {
    # In the cluster: the RBAC manifests grant read verbs only (checked in
    # detail by the unit test rbac_grants_read_only_to_authenticated_users).
    ! grep -nE '^\s*-\s*(create|update|patch|delete|deletecollection|escalate|bind|"\*"|\*)\s*$' \
        "$SRC/config/crd/workloadpartitions.rbac.yaml" || die "the RBAC manifest grants a write verb"
    grep -q 'name: system:authenticated' "$SRC/config/crd/workloadpartitions.rbac.yaml" || die "no read binding"
    # On the node: a partition such an object adds only pins namespaces the node
    # policy allows.
    fake_node
    echo '{"management": {"cpuset": "0-1"}, "rogue": {"cpuset": "0-1"}}' >"$W/pin"
    echo '{"management": {"allowedNamespaces": ["openshift-*"]}, "rogue": {"allowedNamespaces": ["openshift-*"]}}' >"$W/policy.json"
    wp_object management-partition names management >"$W/install.yaml"
    wp_object rogue-object names rogue >"$W/rogue.yaml"
    run merge --policy "$W/policy.json" "$W/install.yaml" "$W/rogue.yaml"
    expect_rc 0
    crio_state rogue user-namespace
    hook
    [[ $HRC == 0 && $(leaf_cpus) == 0-3 ]] || die "a pod outside allowedNamespaces was pinned"
    crio_state management user-namespace
    hook
    [[ $HRC == 0 && $(leaf_cpus) == 0-3 ]] || die "a pod outside allowedNamespaces was pinned"
    crio_state management openshift-etcd
    hook
    [[ $HRC == 0 && $(leaf_cpus) == 0-1 ]] || die "an allowed pod was not pinned"
    # And a merged file that someone other than root could have written is refused.
    reset_leaf
    chmod 0664 "$W/etc/partitions.json"
    tree_snapshot >"$W/t0"
    hook
    tree_snapshot >"$W/t1"
    diff "$W/t0" "$W/t1" || die "the hook used a group-writable partition file"
    grep -q partitions.json "$W/hook.err" || die "the refusal does not name the file: $(cat "$W/hook.err")"
    chmod 0644 "$W/etc/partitions.json"
    chown 65534 "$W/etc/partitions.json"
    hook
    tree_snapshot >"$W/t2"
    diff "$W/t0" "$W/t2" || die "the hook used a partition file not owned by root"
    run "$WPCTL" validate "$W/etc/partitions.json"
    expect_rc 1
}

t "an admin creates a WorkloadPartitions object day-2 on a partitioned cluster" test_day2_object_on_a_partitioned_cluster
t "an admin creates a WorkloadPartitions object day-2 on a cluster without partitioning" test_day2_object_on_a_cluster_without_partitioning
t "an admin deletes the install-time WorkloadPartitions object" test_install_time_object_deleted
if [[ $(id -u) == 0 ]]; then
    t "a random user creates a WorkloadPartitions object (RBAC bug)" test_random_user_creates_an_object
else
    skip "a random user creates a WorkloadPartitions object (RBAC bug)" "needs root to chown the partition file"
fi
done_testing
