# shellcheck shell=bash
# shellcheck disable=SC2034 # settings read by tests/e2e/lib.sh and the cases
# podman with the shipped hooks.d file (--hooks-dir): the closest thing to CRI-O's
# matching of the registration's annotation regex. systemd cgroup manager, the pod
# as a kubepods-burstable-pod<uid>.slice, runc and crun.

# A new pod for podman with RUNTIME; the node config (enabled, MODE, POLICY) and the
# hooks.d file registering the hook (direct) or its recording wrapper (wrap).
podman_use() { # RUNTIME direct|wrap [MODE POLICY]
    e2e_write_config true "${3:-enforce}" "${4:-fail}"
    e2e_write_partitions "$PART_CPUS"
    e2e_write_hooksd "$2"
    NODE_RT=$1 NODE_DRIVER=systemd
    E2E_PODMAN_RUNTIME=$1 E2E_PODMAN_CGROUP_MANAGER=systemd
    node_pod_uid
    E2E_PODMAN_CGROUP_PARENT=kubepods-burstable-pod$NODE_UID.slice
    NODE_POD_DIR=$CGROOT/kubepods.slice/kubepods-burstable.slice/$E2E_PODMAN_CGROUP_PARENT
}

case_podman_pinned() { # RUNTIME
    local name=pmgmt-$1 id
    podman_use "$1" direct
    e2e_podman_start "$name" "$(e2e_annotations api openshift-apiserver yes "$OVERRIDE")" || true
    node_started podman "$name" || return 1
    id=$(cat "$E2E_WORK/bundles/$name/id")
    NODE_WANT_DIR=$NODE_POD_DIR/libpod-$id.scope
    pinned "$name"
    expect "$name cpu.weight (cpushares 400, quadratic)" "$WEIGHT" "$(node_weight quadratic 400)"
    expect "$name cpu.max (cpulimit 500)" "$MAX" "50000 100000"
}

case_podman_ordinary() {
    local name=pplain id
    podman_use runc wrap
    e2e_podman_start "$name" "$(e2e_annotations app default no "$OVERRIDE")" || true
    node_started podman "$name" || return 1
    id=$(cat "$E2E_WORK/bundles/$name/id")
    expect "hook calls for $name (the hooks.d 'when' does not match)" "$(e2e_calls "$id")" 0
    expect "$name sees" "$SEEN" "$NODE_ONLINE"
    expect "$name cpu.max" "$MAX" "max 100000"
    [ "$CPUS" != "$PART_CPUS" ] || fail "$name cpuset.cpus is the partition's ($CPUS)"
}

case_podman_malformed() {
    local name=pbad err
    podman_use runc direct enforce fail
    err=$E2E_WORK/bundles/$name/err
    if e2e_podman_start "$name" "$(e2e_annotations api openshift-apiserver yes "$MALFORMED")"; then
        fail "podman run succeeded; want it refused"
        return 1
    fi
    grep -q 'resources\.workload\.openshift\.io/api' "$err" ||
        fail "podman error does not carry the hook's line naming resources.workload.openshift.io/api: $(cat "$err")"
}

node_case "podman (runc), hooks.d, systemd cgroup manager: management container pinned" "case_podman_pinned runc"
node_case "podman (crun), hooks.d, systemd cgroup manager: management container pinned" "case_podman_pinned crun"
node_case "podman, hooks.d: ordinary container untouched, the hook not run" case_podman_ordinary
node_case "podman, hooks.d: malformed override refused under failurePolicy fail, the error carries the hook's line" case_podman_malformed
