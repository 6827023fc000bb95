#!/usr/bin/env bash
# Integration tests: the built workload-partitioning-hook on fake cgroup and proc
# trees. Each test checks the exit code, exactly which files of the fake tree
# changed and to what, and the stderr line naming the fault.
#
# Usage: tests/integration/run.sh [PATTERN]   (runs the tests whose name matches)
#   BUILD=dir   where the hook is (default build)
#   KEEP=1      keep each test's work directory
#   VERBOSE=1   show the hook's exit code and stderr for every test
# Output: TAP, one line per test; exits non-zero when a test fails.
set -euo pipefail
# shellcheck disable=SC2016,SC2119

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"

HOOK=${BUILD:-build}/workload-partitioning-hook
[[ "$HOOK" == /* ]] || HOOK=$repo/$HOOK

T_NAMES=() T_DESCS=()
t() { T_NAMES+=("$1") T_DESCS+=("$2"); }

# Paths (relative to $TREE) of the default container's files.
V1S=cg/cpuset$POD
V1C=cg/cpu,cpuacct$POD
V2=cg$POD
HYS=cg/unified$POD

# ===================================================== v1, v2, hybrid, scope

t v1_shares "v1: cpushares writes cpuset.cpus and cpu.shares, nothing else"
test_v1_shares() {
    v1_container
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.shares=400"
    expect_outcome applied
    expect_record container_id abc
    expect_record pod_namespace openshift-etcd
    expect_record pod_name etcd-0
    expect_record container_name app
    expect_record partition management
    expect_record cpuset 0-1
    expect_record shares 400
    expect_no_error_line
    if [[ $(records | jq -r 'has("elapsed_us")') != true ]]; then fail "record has no elapsed_us"; fi
}

t v1_no_override "v1: no override annotation writes the partition cpuset only"
test_v1_no_override() {
    v1_container
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1"
    expect_outcome applied
}

t v2_weight_quadratic "v2: cpushares 2048 writes cpuset.cpus and cpu.weight 174 (quadratic)"
test_v2_weight_quadratic() {
    v2_container
    override '{"cpushares": 2048}'
    run_hook
    expect_rc 0
    expect_changes "$V2/cpuset.cpus=0-1" "$V2/cpu.weight=174"
    expect_outcome applied
    expect_record weight 174
    expect_no_error_line
}

t v2_weight_quadratic_1024 "v2: cpushares 1024 -> cpu.weight 100 (quadratic, the default)"
test_v2_weight_quadratic_1024() {
    config_set 'del(.sharesToWeight)'
    v2_container
    override '{"cpushares": 1024}'
    run_hook
    expect_rc 0
    expect_changes "$V2/cpuset.cpus=0-1" "$V2/cpu.weight=100"
}

t v2_weight_linear "v2: sharesToWeight linear: cpushares 1024 -> cpu.weight 39"
test_v2_weight_linear() {
    config_set '.sharesToWeight = "linear"'
    v2_container
    override '{"cpushares": 1024}'
    run_hook
    expect_rc 0
    expect_changes "$V2/cpuset.cpus=0-1" "$V2/cpu.weight=39"
    expect_record weight 39
}

t v1_cpulimit "v1: cpulimit 500 writes cpu.cfs_quota_us 50000 and cpu.cfs_period_us 100000"
test_v1_cpulimit() {
    v1_container
    put "$V1C/cpu.cfs_period_us" 50000 # so that the period write is visible
    override '{"cpulimit": 500}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.cfs_quota_us=50000" \
        "$V1C/cpu.cfs_period_us=100000"
    expect_outcome applied
    expect_record cpu_quota 50000
    expect_record cpu_period 100000
}

t v1_cpulimit_period "v1: cpulimit 500 with cpuperiod 200000 -> quota 100000, period 200000"
test_v1_cpulimit_period() {
    v1_container
    override '{"cpulimit": 500, "cpuperiod": 200000, "cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.shares=400" \
        "$V1C/cpu.cfs_quota_us=100000" "$V1C/cpu.cfs_period_us=200000"
}

t v1_cpulimit_minimum "v1: cpulimit 5 -> quota raised to the 1000 us minimum"
test_v1_cpulimit_minimum() {
    v1_container
    override '{"cpulimit": 5}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.cfs_quota_us=1000"
}

t v1_cpulimit_over_quota "v1: cpulimit overrides cpuquota"
test_v1_cpulimit_over_quota() {
    v1_container
    override '{"cpulimit": 500, "cpuquota": 20000}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.cfs_quota_us=50000"
}

t v1_cpuquota "v1: cpuquota 30000 alone -> quota 30000, period 100000"
test_v1_cpuquota() {
    v1_container
    put "$V1C/cpu.cfs_period_us" 50000
    override '{"cpuquota": 30000}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.cfs_quota_us=30000" \
        "$V1C/cpu.cfs_period_us=100000"
}

t v2_cpulimit "v2: cpulimit 500 writes cpu.max \"50000 100000\""
test_v2_cpulimit() {
    v2_container
    override '{"cpulimit": 500}'
    run_hook
    expect_rc 0
    expect_changes "$V2/cpuset.cpus=0-1" "$V2/cpu.max=50000 100000"
    expect_outcome applied
}

t v2_cpulimit_shares_period "v2: cpushares 400, cpulimit 1500, cpuperiod 50000"
test_v2_cpulimit_shares_period() {
    v2_container
    override '{"cpushares": 400, "cpulimit": 1500, "cpuperiod": 50000}'
    run_hook
    expect_rc 0
    expect_changes "$V2/cpuset.cpus=0-1" "$V2/cpu.weight=49" "$V2/cpu.max=75000 50000"
}

t v2_period_only "v2: cpuperiod alone writes cpu.max \"max 200000\""
test_v2_period_only() {
    v2_container
    override '{"cpuperiod": 200000}'
    run_hook
    expect_rc 0
    expect_changes "$V2/cpuset.cpus=0-1" "$V2/cpu.max=max 200000"
}

t v1_with_unified_line "v1 lines win over a 0:: line (systemd hybrid host): cpuset from cpuset/"
test_v1_with_unified_line() {
    v1_container
    v2_dirs /system.slice/other.scope 0-1 cg/unified
    proc_cgroup "12:memory:$POD" "11:cpuset:$POD" "4:cpu,cpuacct:$POD" \
        "1:name=systemd:$POD" "0::/system.slice/other.scope"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.shares=400"
}

t hybrid "hybrid: cpuset in unified/, cpu.shares in cpu,cpuacct/"
test_hybrid() {
    hybrid_container
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$HYS/cpuset.cpus=0-1" "$V1C/cpu.shares=400"
    expect_outcome applied
    expect_no_error_line
}

t hybrid_cpulimit "hybrid: cpulimit writes v1 cpu.cfs_quota_us, not cpu.max"
test_hybrid_cpulimit() {
    hybrid_container
    override '{"cpulimit": 250}'
    run_hook
    expect_rc 0
    expect_changes "$HYS/cpuset.cpus=0-1" "$V1C/cpu.cfs_quota_us=25000"
}

SCOPE=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/crio-abc.scope

t crun_scope_v2 "crun systemd: leaf .../crio-abc.scope/container -> the scope is written"
test_crun_scope_v2() {
    v2_dirs "$SCOPE/container" 0-1
    put "cg$SCOPE/cpuset.cpus.effective" 0-1
    proc_cgroup "0::$SCOPE/container"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "cg$SCOPE/cpuset.cpus=0-1" "cg$SCOPE/cpu.weight=49"
    expect_outcome applied
}

t crun_scope_subgroup "crun systemd: run.oci.systemd.subgroup names the sub-cgroup"
test_crun_scope_subgroup() {
    v2_dirs "$SCOPE/inner" 0-1
    put "cg$SCOPE/cpuset.cpus.effective" 0-1
    proc_cgroup "0::$SCOPE/inner"
    ann run.oci.systemd.subgroup inner
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "cg$SCOPE/cpuset.cpus=0-1" "cg$SCOPE/cpu.weight=49"
}

t scope_other_leaf "a leaf under a scope that is not the sub-cgroup is written itself"
test_scope_other_leaf() {
    v2_container "$SCOPE/inner"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "cg$SCOPE/inner/cpuset.cpus=0-1" "cg$SCOPE/inner/cpu.weight=49"
}

t container_not_under_scope "a leaf named container outside a .scope is written itself"
test_container_not_under_scope() {
    v2_container /kubepods/pod1/container
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "cg/kubepods/pod1/container/cpuset.cpus=0-1" \
        "cg/kubepods/pod1/container/cpu.weight=49"
}

t crun_scope_v1 "crun systemd on v1: cpuset and cpu,cpuacct scopes are written"
test_crun_scope_v1() {
    v1_dirs "$SCOPE/container" 0-1
    put "cg/cpuset$SCOPE/cpuset.effective_cpus" 0-1
    proc_cgroup "11:cpuset:$SCOPE/container" "4:cpu,cpuacct:$SCOPE/container" \
        "1:name=systemd:$SCOPE/container"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "cg/cpuset$SCOPE/cpuset.cpus=0-1" "cg/cpu,cpuacct$SCOPE/cpu.shares=400"
}

t runc_scope_plain "a scope leaf without the sub-cgroup (runc) is written itself"
test_runc_scope_plain() {
    v2_container "$SCOPE"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "cg$SCOPE/cpuset.cpus=0-1" "cg$SCOPE/cpu.weight=49"
}

# ============================================================ cgroupsPath

t fallback_cgroupfs "pid gone: linux.cgroupsPath (cgroupfs form) on v1"
test_fallback_cgroupfs() {
    v1_dirs "$POD"
    bundle_config "{\"ociVersion\": \"1.0.2\", \"linux\": {\"cgroupsPath\": \"$POD\"}}"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.shares=400"
    expect_outcome applied
}

t fallback_systemd_v2 "pid gone: linux.cgroupsPath slice:prefix:name on v2 -> nested slices + scope"
test_fallback_systemd_v2() {
    v2_dirs "$SCOPE"
    bundle_config '{"ociVersion": "1.0.2", "linux": {"cgroupsPath": "kubepods-burstable-pod1.slice:crio:abc"}}'
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "cg$SCOPE/cpuset.cpus=0-1" "cg$SCOPE/cpu.weight=49"
    expect_outcome applied
}

t fallback_systemd_v1 "pid gone: linux.cgroupsPath slice:prefix:name on v1"
test_fallback_systemd_v1() {
    v1_dirs "$SCOPE"
    bundle_config '{"ociVersion": "1.0.2", "linux": {"cgroupsPath": "kubepods-burstable-pod1.slice:crio:abc"}}'
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "cg/cpuset$SCOPE/cpuset.cpus=0-1" "cg/cpu,cpuacct$SCOPE/cpu.shares=400"
}

t fallback_no_pid "state without pid: linux.cgroupsPath is used"
test_fallback_no_pid() {
    v1_container
    rm -r "${PROC:?}/$HOOK_PID"
    bundle_config "{\"ociVersion\": \"1.0.2\", \"linux\": {\"cgroupsPath\": \"$POD\"}}"
    state_set 'del(.pid)'
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.shares=400"
}

t fallback_bundle_symlink "pid gone, the bundle's config.json a symlink: not followed, exit 1"
test_fallback_bundle_symlink() {
    v1_dirs "$POD"
    printf '{"ociVersion": "1.0.2", "linux": {"cgroupsPath": "%s"}}\n' "$POD" >"$TREE/real-config.json"
    ln -s ../real-config.json "$BUNDLE/config.json"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line config.json
}

t fallback_none "pid gone and no cgroupsPath: exit 1, names the fault, nothing written"
test_fallback_none() {
    v1_dirs "$POD"
    bundle_config '{"ociVersion": "1.0.2", "linux": {}}'
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line cgroupsPath
    expect_outcome refused
}

# ===================================================== nothing to do: exit 0

t unannotated "no activation annotation: exit 0, nothing written"
test_unannotated() {
    v1_container
    ann_del "$ACT_KEY"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_no_changes
    expect_outcome not-activated
    expect_no_error_line
}

t disabled "enabled: false: exit 0, nothing written"
test_disabled() {
    config_set '.enabled = false'
    v1_container
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_no_changes
    expect_no_error_line
    expect_outcome disabled
}

t enabled_absent "no \"enabled\" key means off: exit 0, nothing written"
test_enabled_absent() {
    config_set 'del(.enabled)'
    v1_container
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_no_changes
    expect_no_error_line    expect_outcome disabled
}

t config_absent "absent config file: exit 0, nothing written"
test_config_absent() {
    rm "$CONFIG"
    v1_container
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_no_changes
    expect_no_error_line
}

t partitions_absent "absent partition file: exit 0, nothing written"
test_partitions_absent() {
    rm "$PARTS"
    v1_container
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_no_changes
    expect_no_error_line
    expect_outcome no-partitions
}

t other_partition_name "an activation annotation of a partition this node does not have: exit 0"
test_other_partition_name() {
    v1_container
    ann_del "$ACT_KEY"
    ann target.workload.openshift.io/other "$ACT_VALUE"
    run_hook
    expect_rc 0
    expect_no_changes
    expect_outcome not-activated
}

# ================================================ malformed overrides: exit 1

# Each malformed value: failurePolicy fail -> exit 1, error line names the
# annotation key, nothing written.
BAD_OVERRIDES=(
    '{"cpushares": "400"}'
    '{"cpushares": 1}'
    '{"cpushares": 262145}'
    '{"cpushares": -5}'
    '{"cpushares": 4.5}'
    '{"cpushares": true}'
    '{"cpulimit": -1}'
    '{"cpulimit": "500m"}'
    '{"cpuquota": 999}'
    '{"cpuperiod": 999}'
    '{"cpuperiod": 1000001}'
    '{"cpuset": "1-0"}'
    '{"cpuset": "zero"}'
    '{"cpuset": 1}'
    '{"cpuset": "8192"}'
    '{cpushares: 400}'
    '{"cpushares": 400'
    '{"cpushares": 400} x'
    '[400]'
    '"cpushares"'
)
i=0
for v in "${BAD_OVERRIDES[@]}"; do
    i=$((i + 1))
    t "bad_override_$i" "malformed override $v, failurePolicy fail: exit 1, names the annotation, nothing written"
    eval "test_bad_override_$i() { bad_override_case \"\${BAD_OVERRIDES[$((i - 1))]}\"; }"
done
bad_override_case() {
    v1_container
    override "$1"
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line "$OVR_KEY"
    expect_outcome refused
    # The refusal's record still names the pod and the container.
    expect_record pod_namespace openshift-etcd
    expect_record pod_name etcd-0
    expect_record container_name app
}

t bad_override_ignore "malformed override, failurePolicy ignore: exit 0, nothing written, logged"
test_bad_override_ignore() {
    config_set '.failurePolicy = "ignore"'
    v1_container
    override '{"cpushares": "lots"}'
    run_hook
    expect_rc 0
    expect_no_changes
    expect_error_line "$OVR_KEY"
    expect_outcome ignored-error
    if [[ $(records | jq -r '.error // ""') != *"$OVR_KEY"* ]]; then
        fail "record's error does not name $OVR_KEY"
    fi
}

t bad_override_audit "malformed override in audit mode: exit 0, nothing written"
test_bad_override_audit() {
    config_set '.mode = "audit"'
    v1_container
    override '{"cpushares": "lots"}'
    run_hook
    expect_rc 0
    expect_no_changes    expect_error_line "$OVR_KEY"
}

# ================================================= override parity rules

t override_unknown_key "unknown override keys are ignored: applied"
test_override_unknown_key() {
    v1_container
    override '{"cpushares": 400, "memory": 12}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.shares=400"
    expect_stderr_has memory
}

t override_keys_exact "override keys match exactly: \"CPUShares\" is an unknown key"
test_override_keys_exact() {
    v1_container
    override '{"CPUShares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1"
}

t override_duplicate_key "duplicate override keys: the last one wins"
test_override_duplicate_key() {
    v1_container
    override '{"cpushares": 300, "cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.shares=400"
}

t override_bounds "cpushares 2 and 262144 (the bounds) are accepted"
test_override_bounds() {
    v2_container
    override '{"cpushares": 262144}'
    run_hook
    expect_rc 0
    expect_changes "$V2/cpuset.cpus=0-1" "$V2/cpu.weight=10000"
    override '{"cpushares": 2}'
    run_hook
    expect_rc 0
    expect_changes "$V2/cpu.weight=1"
}

t override_zero_default "cpushares 0 means the partition default"
test_override_zero_default() {
    parts_set '.partitions.management.defaults.cpushares = 256'
    v1_container
    override '{"cpushares": 0}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.shares=256"
}

t override_null_key "cpushares null: the partition default, as in CRI-O (Go's zero value)"
test_override_null_key() {
    parts_set '.partitions.management.defaults.cpushares = 256'
    v1_container
    override '{"cpushares": null, "cpuset": null}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.shares=256"
}

t override_null_whole "override value null: the container is left as the runtime made it (CRI-O MutateSpec(nil))"
test_override_null_whole() {
    parts_set '.partitions.management.defaults = {cpushares: 256, cpuquota: 20000, cpuperiod: 50000}'
    v1_container
    override 'null'
    run_hook
    expect_rc 0
    expect_no_changes
    expect_outcome applied
    expect_no_error_line
    if ! records | jq -e '.note | test("null")' >/dev/null; then fail "record has no note on the null override"; fi
}

t crio_metadata_name "no io.kubernetes.container.name: the name from io.kubernetes.cri-o.Metadata, its override applies"
test_crio_metadata_name() {
    v1_container
    ann_del io.kubernetes.container.name
    ann io.kubernetes.cri-o.Metadata '{"name":"app","attempt":0}'
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.shares=400"
    expect_record container_name app
}

t partition_defaults "partition defaults: cpushares, cpuquota, cpuperiod"
test_partition_defaults() {
    parts_set '.partitions.management.defaults = {cpushares: 256, cpuquota: 20000, cpuperiod: 50000}'
    v1_container
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.shares=256" \
        "$V1C/cpu.cfs_quota_us=20000" "$V1C/cpu.cfs_period_us=50000"
}

t no_container_name "no io.kubernetes.container.name: no override, partition cpuset only"
test_no_container_name() {
    v1_container
    ann_del io.kubernetes.container.name
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1"
}

t other_container_override "another container's override does not apply"
test_other_container_override() {
    v1_container
    ann resources.workload.openshift.io/sidecar '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1"
}

t cpuset_subset "override cpuset \"1\" (a subset of 0-1) is written"
test_cpuset_subset() {
    v1_container "$POD" 1
    override '{"cpuset": "1", "cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=1" "$V1C/cpu.shares=400"
}

t cpuset_not_subset "override cpuset 2-3 outside the partition's 0-1: exit 1, nothing written"
test_cpuset_not_subset() {
    v1_container "$POD" 2-3
    override '{"cpuset": "2-3", "cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line 2-3
    expect_outcome refused
}

t empty_partition_cpuset "partition cpuset \"\": cpuset not written, shares still are"
test_empty_partition_cpuset() {
    parts_set '.partitions.management.cpuset = ""'
    v1_container "$POD" 0-3
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$V1C/cpu.shares=400"
}

t empty_partition_override_online "partition cpuset \"\": override 2-3 within the online CPUs is written"
test_empty_partition_override_online() {
    parts_set '.partitions.management.cpuset = ""'
    v1_container "$POD" 2-3
    override '{"cpuset": "2-3"}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=2-3"
}

t empty_partition_override_offline "partition cpuset \"\": override 4-5 beyond the online CPUs: exit 1"
test_empty_partition_override_offline() {
    parts_set '.partitions.management.cpuset = ""'
    v1_container "$POD" 4-5
    override '{"cpuset": "4-5"}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line 4-5
}

# ============================================== partitions and namespaces

t two_partitions_activated "two partitions activated: exit 1, names both annotations, nothing written"
test_two_partitions_activated() {
    add_partition infra 2-3
    v1_container
    ann target.workload.openshift.io/infra "$ACT_VALUE"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line "$ACT_KEY" target.workload.openshift.io/infra
    expect_outcome refused
}

t two_partitions_ignore "two partitions activated, failurePolicy ignore: exit 0, nothing written"
test_two_partitions_ignore() {
    config_set '.failurePolicy = "ignore"'
    add_partition infra 2-3
    v1_container
    ann target.workload.openshift.io/infra "$ACT_VALUE"
    run_hook
    expect_rc 0
    expect_no_changes
    expect_error_line target.workload.openshift.io/infra
    expect_outcome ignored-error
}

t second_partition "of two partitions the activated one is used (infra: 2-3)"
test_second_partition() {
    add_partition infra 2-3
    v1_container "$POD" 2-3
    ann_del "$ACT_KEY"
    ann target.workload.openshift.io/infra "$ACT_VALUE"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=2-3" "$V1C/cpu.shares=400"
    expect_record partition infra
}

t activation_value_unparsed "the activation annotation's value need not parse"
test_activation_value_unparsed() {
    v1_container
    ann "$ACT_KEY" 'not json'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1"
}

t namespace_not_allowed "namespace outside allowedNamespaces: exit 0, nothing written, logged"
test_namespace_not_allowed() {
    parts_set '.partitions.management.allowedNamespaces = ["openshift-*", "kube-system"]'
    v1_container
    ann io.kubernetes.pod.namespace default
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_no_changes
    expect_outcome not-allowed
    expect_record pod_namespace default
}

t namespace_glob_allowed "namespace matching an allowedNamespaces glob is pinned"
test_namespace_glob_allowed() {
    parts_set '.partitions.management.allowedNamespaces = ["openshift-*", "kube-system"]'
    v1_container
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.shares=400"
}

t namespace_exact_allowed "namespace matching an exact allowedNamespaces entry is pinned"
test_namespace_exact_allowed() {
    parts_set '.partitions.management.allowedNamespaces = ["openshift-*", "kube-system"]'
    v1_container
    ann io.kubernetes.pod.namespace kube-system
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1"
}

t namespace_absent "allowedNamespaces set, no namespace annotation: not pinned"
test_namespace_absent() {
    parts_set '.partitions.management.allowedNamespaces = ["openshift-*"]'
    v1_container
    ann_del io.kubernetes.pod.namespace
    run_hook
    expect_rc 0
    expect_no_changes
    expect_outcome not-allowed
}

t namespace_prefix_not_glob "\"openshift-*\" does not match namespace \"openshift\""
test_namespace_prefix_not_glob() {
    parts_set '.partitions.management.allowedNamespaces = ["openshift-*"]'
    v1_container
    ann io.kubernetes.pod.namespace openshift
    run_hook
    expect_rc 0
    expect_no_changes
    expect_outcome not-allowed
}

# =================================================================== logging

t log_info_noop_quiet "log level info: a not-activated container logs nothing"
test_log_info_noop_quiet() {
    config_set '.log.level = "info"'
    v1_container
    ann_del "$ACT_KEY"
    run_hook
    expect_rc 0
    expect_no_changes
    if [[ -s "$W/stderr" ]]; then fail "stderr is not empty: $(head -c 300 "$W/stderr")"; fi
}

t log_info_applied "log level info: an applied decision is one record"
test_log_info_applied() {
    config_set '.log.level = "info"'
    v1_container
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1"
    expect_outcome applied
}

t log_error_level_refused "log level error: a refusal is still logged and on stderr"
test_log_error_level_refused() {
    config_set '.log.level = "error"'
    v1_container
    override '{"cpushares": 1}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_outcome refused
    expect_error_line "$OVR_KEY"
}

# ===================================================================== audit

t audit "mode audit: exit 0, nothing written, the decision logged"
test_audit() {
    config_set '.mode = "audit"'
    v1_container
    override '{"cpushares": 400, "cpulimit": 500}'
    run_hook
    expect_rc 0
    expect_no_changes
    expect_outcome audited
    expect_record cpuset 0-1
    expect_record shares 400
    expect_no_error_line
}

t audit_v2 "mode audit on v2: nothing written, weight logged"
test_audit_v2() {
    config_set '.mode = "audit"'
    v2_container
    override '{"cpushares": 2048}'
    run_hook
    expect_rc 0
    expect_no_changes
    expect_outcome audited
    expect_record weight 174
}

# ======================================================= read-back, rollback

t readback_mismatch_v1 "v1: cpuset.effective_cpus differs: exit 1, all writes rolled back"
test_readback_mismatch_v1() {
    v1_container "$POD" 0-3
    override '{"cpushares": 400, "cpulimit": 500}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line cpuset.effective_cpus
    expect_outcome refused
}

t readback_mismatch_v2 "v2: cpuset.cpus.effective differs: exit 1, all writes rolled back"
test_readback_mismatch_v2() {
    v2_container "$POD" 2
    override '{"cpushares": 400, "cpulimit": 500}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line cpuset.cpus.effective
}

t readback_mismatch_ignore "read-back mismatch, failurePolicy ignore: exit 0, rolled back"
test_readback_mismatch_ignore() {
    config_set '.failurePolicy = "ignore"'
    v1_container "$POD" 0-3
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_no_changes
    expect_error_line cpuset.effective_cpus
    expect_outcome ignored-error
}

t readback_absent "no effective-cpuset file: written, reported as not verified"
test_readback_absent() {
    v1_container "$POD" -
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.shares=400"
}

t target_file_missing "cpu.shares missing: exit 1, no file created, nothing written"
test_target_file_missing() {
    v1_container
    rm "$TREE/$V1C/cpu.shares"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line cpu.shares
}

t target_file_is_dir "cpu.shares is a directory: exit 1, nothing written"
test_target_file_is_dir() {
    v1_container
    rm "$TREE/$V1C/cpu.shares"
    mkdir "$TREE/$V1C/cpu.shares"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line cpu.shares
}

# ============================================================ confinement

t dotdot_in_path "'..' in the /proc cgroup path: exit 1, nothing written"
test_dotdot_in_path() {
    v1_dirs /kubepods/pod2/crio-abc
    v1_dirs "$POD"
    proc_cgroup "11:cpuset:/kubepods/pod1/../pod2/crio-abc" \
        "4:cpu,cpuacct:/kubepods/pod1/../pod2/crio-abc"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line ..
}

t dotdot_escape "a /proc cgroup path escaping cgroupRoot: exit 1, nothing written"
test_dotdot_escape() {
    v1_container
    put outside/cpuset.cpus 0-3
    put outside/cpuset.effective_cpus 0-1
    put outside/cpu.shares 2
    proc_cgroup "11:cpuset:/../../outside" "4:cpu,cpuacct:/../../outside"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line ..
}

t dotdot_cgroupspath "'..' in linux.cgroupsPath: exit 1, nothing written"
test_dotdot_cgroupspath() {
    v1_dirs /kubepods/pod2/crio-abc
    v1_dirs /kubepods/x
    bundle_config '{"ociVersion": "1.0.2", "linux": {"cgroupsPath": "/kubepods/x/../pod2/crio-abc"}}'
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line ..
}

t symlink_component "a symlinked directory in the cgroup path: exit 1, nothing written"
test_symlink_component() {
    v1_container /elsewhere/pod1/crio-abc
    mkdir -p "$CG/cpuset/kubepods" "$CG/cpu,cpuacct/kubepods"
    ln -s ../elsewhere/pod1 "$CG/cpuset/kubepods/pod1"
    ln -s ../elsewhere/pod1 "$CG/cpu,cpuacct/kubepods/pod1"
    proc_cgroup "11:cpuset:$POD" "4:cpu,cpuacct:$POD"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line pod1
}

t symlink_leaf "a symlinked leaf directory: exit 1, nothing written"
test_symlink_leaf() {
    v1_container /kubepods/pod1/real
    ln -s real "$CG/cpuset/kubepods/pod1/crio-abc"
    ln -s real "$CG/cpu,cpuacct/kubepods/pod1/crio-abc"
    proc_cgroup "11:cpuset:$POD" "4:cpu,cpuacct:$POD"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line crio-abc
}

t symlink_file "cpu.shares a symlink to another file: exit 1, nothing written"
test_symlink_file() {
    v1_container
    put victim 2
    rm "$TREE/$V1C/cpu.shares"
    ln -s "$TREE/victim" "$TREE/$V1C/cpu.shares"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line cpu.shares
}

t dotdot_ignore "'..' in the cgroup path, failurePolicy ignore: exit 0, nothing written"
test_dotdot_ignore() {
    config_set '.failurePolicy = "ignore"'
    v1_dirs /kubepods/pod2/crio-abc
    v1_dirs "$POD"
    proc_cgroup "11:cpuset:/kubepods/pod1/../pod2/crio-abc" \
        "4:cpu,cpuacct:/kubepods/pod1/../pod2/crio-abc"
    run_hook
    expect_rc 0
    expect_no_changes
    expect_error_line ..
    expect_outcome ignored-error
}

t root_cgroup_v1 "the root cgroup (v1 path /): exit 1, nothing written"
test_root_cgroup_v1() {
    v1_tree
    put cg/cpuset/cpuset.effective_cpus 0-1
    proc_cgroup "11:cpuset:/" "4:cpu,cpuacct:/"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line root
}

t root_cgroup_v2 "the root cgroup (v2 path /): exit 1, nothing written"
test_root_cgroup_v2() {
    v2_dirs /other
    put cg/cpuset.cpus 0-3
    put cg/cpu.weight 100
    proc_cgroup "0::/"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line root
}

t root_scope_container "crun sub-cgroup directly under the root (/container): not the root"
test_root_scope_container() {
    v2_dirs /x.scope/container
    put cg/x.scope/cpuset.cpus.effective 0-1
    proc_cgroup "0::/x.scope/container"
    run_hook
    expect_rc 0
    expect_changes "cg/x.scope/cpuset.cpus=0-1"
}

t root_cgroupspath "linux.cgroupsPath \"/\": exit 1, nothing written"
test_root_cgroupspath() {
    v1_tree
    put cg/cpuset/cpuset.effective_cpus 0-1
    bundle_config '{"ociVersion": "1.0.2", "linux": {"cgroupsPath": "/"}}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line root
}

t cgroup_dir_missing "the container's cgroup directory does not exist: exit 1, nothing created"
test_cgroup_dir_missing() {
    v1_tree
    proc_cgroup "11:cpuset:$POD" "4:cpu,cpuacct:$POD"
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line cpuset/kubepods
}

# ================================================================ the state

t state_created_extra "status created, unknown fields, no root: accepted"
test_state_created_extra() {
    v1_container
    state_set '.status = "created" | .future = {"x": [1, 2]} | del(.root)'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1"
}

t state_bundle_annotations "state without annotations: the bundle's config.json annotations"
test_state_bundle_annotations() {
    v1_container
    jq '{ociVersion: "1.0.2", annotations: .annotations}' "$W/state.json" >"$BUNDLE/config.json"
    jq -c '.annotations[$k] = "{\"cpushares\": 400}"' --arg k "$OVR_KEY" "$BUNDLE/config.json" \
        >"$W/b" && mv "$W/b" "$BUNDLE/config.json"
    state_set 'del(.annotations)'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.shares=400"
}

t state_empty_annotations "state with annotations {}: the bundle's are not used"
test_state_empty_annotations() {
    v1_container
    jq '{ociVersion: "1.0.2", annotations: .annotations}' "$W/state.json" >"$BUNDLE/config.json"
    state_set '.annotations = {}'
    run_hook
    expect_rc 0
    expect_no_changes
    expect_outcome not-activated
}

bad_state_case() {
    v1_container
    override '{"cpushares": 400}'
    STDIN_FILE=$W/bad-state
    run_hook
    expect_rc 2
    expect_no_changes
    expect_error_line "$@"
}

t state_not_json "malformed state (not JSON): exit 2, nothing written"
test_state_not_json() {
    printf '{"ociVersion": "1.0.2", "id": ' >"$W/bad-state"
    bad_state_case state
}

t state_empty "empty stdin: exit 2, nothing written"
test_state_empty() {
    : >"$W/bad-state"
    bad_state_case state
}

t state_array "state is a JSON array: exit 2, nothing written"
test_state_array() {
    jq -c '[.]' "$W/state.json" >"$W/bad-state"
    bad_state_case state
}

t state_trailing "state with trailing data: exit 2, nothing written"
test_state_trailing() {
    { cat "$W/state.json"; echo '{}'; } >"$W/bad-state"
    bad_state_case state
}

t state_pid_string "state pid is a string: exit 2, names pid"
test_state_pid_string() {
    jq -c '.pid = "4242"' "$W/state.json" >"$W/bad-state"
    bad_state_case pid
}

t state_annotation_not_string "state annotation value is a number: exit 2"
test_state_annotation_not_string() {
    jq -c '.annotations["x"] = 1' "$W/state.json" >"$W/bad-state"
    bad_state_case annotations
}

t state_too_big "state larger than 1 MiB: exit 2, nothing written"
test_state_too_big() {
    head -c 1100000 /dev/zero | tr '\0' a >"$W/big"
    jq -c --rawfile big "$W/big" '.annotations.big = $big' "$W/state.json" >"$W/bad-state"
    bad_state_case state
}

t state_too_deep "state nested deeper than the limit: exit 2, nothing written"
test_state_too_deep() {
    jq -c --argjson deep "$(printf '[%.0s' {1..40}; printf ']%.0s' {1..40})" '.future = $deep' \
        "$W/state.json" >"$W/bad-state"
    bad_state_case state
}

# =============================================================== the config

t config_not_json "malformed config (not JSON), annotated pod: exit 2, names the file"
test_config_not_json() {
    v1_container
    printf '{"enabled": true,' >"$CONFIG"
    run_hook
    expect_rc 2
    expect_no_changes
    expect_error_line "$CONFIG"
}

t config_unknown_key "config with unknown key \"enable\": exit 2, names the key"
test_config_unknown_key() {
    v1_container
    config_set '.enable = true'
    run_hook
    expect_rc 2
    expect_no_changes
    expect_error_line enable "$CONFIG"
}

t config_bad_value "config failurePolicy \"sometimes\": exit 2, names the key"
test_config_bad_value() {
    v1_container
    config_set '.failurePolicy = "sometimes"'
    run_hook
    expect_rc 2
    expect_no_changes
    expect_error_line failurePolicy
}

t config_bad_type "config enabled \"yes\" (a string): exit 2, names the key"
test_config_bad_type() {
    v1_container
    config_set '.enabled = "yes"'
    run_hook
    expect_rc 2
    expect_no_changes
    expect_error_line enabled
}

t config_malformed_unannotated "malformed config, pod without activation: exit 0"
test_config_malformed_unannotated() {
    v1_container
    ann_del "$ACT_KEY"
    printf 'not json\n' >"$CONFIG"
    run_hook
    expect_rc 0
    expect_no_changes
}

t partitions_malformed "malformed partition file, failurePolicy fail: exit 1, names the file"
test_partitions_malformed() {
    v1_container
    printf '{"version": 1, "partitions": {' >"$PARTS"
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line "$PARTS"
}

t partitions_malformed_ignore "malformed partition file, failurePolicy ignore: exit 0"
test_partitions_malformed_ignore() {
    config_set '.failurePolicy = "ignore"'
    v1_container
    parts_set '.partitions.management.cpuset = "3-1"'
    run_hook
    expect_rc 0
    expect_no_changes
    expect_error_line "$PARTS"
}

# ============================================================= trust checks

t untrusted_config_mode "config mode 0666: refused, exit 0, nothing written"
test_untrusted_config_mode() {
    v1_container
    chmod 0666 "$CONFIG"
    run_hook
    expect_rc 0
    expect_no_changes
    expect_error_line "$CONFIG"
}

t untrusted_config_group_write "config mode 0664: refused, exit 0, nothing written"
test_untrusted_config_group_write() {
    v1_container
    chmod 0664 "$CONFIG"
    run_hook
    expect_rc 0
    expect_no_changes
    expect_error_line "$CONFIG"
}

t untrusted_config_owner "config owned by uid 65534: refused, exit 0, nothing written"
test_untrusted_config_owner() {
    v1_container
    chown 65534 "$CONFIG"
    run_hook
    expect_rc 0
    expect_no_changes
    expect_error_line "$CONFIG"
}

t untrusted_config_symlink "config is a symlink: refused, exit 0, nothing written"
test_untrusted_config_symlink() {
    v1_container
    mv "$CONFIG" "$ETC/real-config.json"
    ln -s real-config.json "$CONFIG"
    run_hook
    expect_rc 0
    expect_no_changes
    expect_error_line "$CONFIG"
}

t untrusted_config_dir "config is a directory: refused, exit 0, nothing written"
test_untrusted_config_dir() {
    v1_container
    rm "$CONFIG"
    mkdir "$CONFIG"
    run_hook
    expect_rc 0
    expect_no_changes
    expect_error_line "$CONFIG"
}

t untrusted_partitions_mode "partition file mode 0666: refused, exit 0, nothing written"
test_untrusted_partitions_mode() {
    v1_container
    chmod 0666 "$PARTS"
    run_hook
    expect_rc 0
    expect_no_changes
    expect_error_line "$PARTS"
    expect_outcome untrusted
}

t untrusted_partitions_symlink "partition file is a symlink: refused, exit 0, nothing written"
test_untrusted_partitions_symlink() {
    v1_container
    mv "$PARTS" "$ETC/real-partitions.json"
    ln -s real-partitions.json "$PARTS"
    run_hook
    expect_rc 0
    expect_no_changes
    expect_error_line "$PARTS"
}

# ============================================ odd nodes and hostile text

# co_mounted_dirs LIST: one v1 hierarchy LIST (e.g. "cpuset,cpu,cpuacct") holding
# both controllers' files for $POD, and the /proc line that names it.
co_mounted_dirs() {
    local h=cg/$1 d
    put "$h/cpuset.cpus" 0-3
    put "$h/cpuset.effective_cpus" 0-3
    while read -r d; do
        put "$h/$d/cpuset.cpus" 0-3
        put "$h/$d/cpuset.effective_cpus" 0-3
        put "$h/$d/cpu.shares" 1024
        put "$h/$d/cpu.cfs_quota_us" -1
        put "$h/$d/cpu.cfs_period_us" 100000
    done < <(_path_prefixes "$POD")
    put "$h$POD/cpuset.effective_cpus" 0-1
    proc_cgroup "12:memory:$POD" "3:$1:$POD" "1:name=systemd:$POD" "0::/"
}

t co_mounted_cpuset_cpu_cpuacct "co-mounted v1 cpuset,cpu,cpuacct: cpuset and shares both in that directory"
test_co_mounted_cpuset_cpu_cpuacct() {
    co_mounted_dirs cpuset,cpu,cpuacct
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "cg/cpuset,cpu,cpuacct$POD/cpuset.cpus=0-1" "cg/cpuset,cpu,cpuacct$POD/cpu.shares=400"
    expect_outcome applied
    expect_record cgroup_cpu "cpuset,cpu,cpuacct${POD}"
}

t co_mounted_cpu_cpuset "co-mounted v1 cpu,cpuset: cpuset and shares both in that directory"
test_co_mounted_cpu_cpuset() {
    co_mounted_dirs cpu,cpuset
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "cg/cpu,cpuset$POD/cpuset.cpus=0-1" "cg/cpu,cpuset$POD/cpu.shares=400"
}

t duplicate_controller_lines "two /proc/<pid>/cgroup lines for the cpu controller: ambiguous, refused, nothing written"
test_duplicate_controller_lines() {
    v1_dirs "$POD"
    proc_cgroup "11:cpuset:$POD" "4:cpu,cpuacct:$POD" "7:cpu:/elsewhere"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line ambiguous '"cpu"'
}

t hard_linked_cgroup_file "cpu.shares a hard link to a file outside the cgroup root: refused, nothing written through it"
test_hard_linked_cgroup_file() {
    v1_container
    put outside/victim precious
    rm "$TREE/$V1C/cpu.shares"
    ln "$TREE/outside/victim" "$TREE/$V1C/cpu.shares"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line cpu.shares "hard links"
    [[ $(<"$TREE/outside/victim") == precious ]] || fail "the file outside was written"
}

t error_line_escaped "control characters in an override cpuset: one escaped stderr line, no raw ESC, BEL or CR"
test_error_line_escaped() {
    v1_container
    override "$(jq -cn '{cpuset: "0\n\u001b[31mX\u0007\r"}')"
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line 'cpuset' '\x1b[31mX\x07\r'
    if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$W/stderr"; then fail "a raw control character reached stderr"; fi
}

t error_line_bounded "an error naming a 20,000-byte value: the stderr line is bounded"
test_error_line_bounded() {
    v1_dirs "$POD"
    state_set 'del(.pid)'
    bundle_config "$(jq -cn --arg p "$(head -c 20000 /dev/zero | tr '\0' x)" '{linux: {cgroupsPath: $p}}')"
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line cgroupsPath '...'
    local len
    len=$(error_lines | wc -c)
    if ((len > 1200)); then fail "error line of $len bytes"; fi
}

t log_record_bounded "an override with 30,000 unknown keys: applied, one bounded record (first notes and a count)"
test_log_record_bounded() {
    v1_container
    jq -cn '[range(30000) | {key: "k\(.)", value: 1}] | from_entries' >"$W/override.json"
    state_set '.annotations[$k] = $v' --arg k "$OVR_KEY" --rawfile v "$W/override.json"
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1"
    expect_outcome applied
    expect_record notes_omitted 29992
    local len
    len=$(records | wc -c)
    if ((len > 32768)); then fail "record of $len bytes"; fi
}

# run_hook_py MODE: the hook run by python3 with an odd stdin or stderr.
#   closed-stderr  stderr is a pipe whose reader is gone
#   late-stdin     stdin is a non-blocking pipe; the state comes 300 ms late
run_hook_py() {
    snapshot >"$W/before"
    RC=0
    python3 - "$1" "$HOOK" "$CONFIG" "$STDIN_FILE" "$W/stderr" <<'PY' || RC=$?
import os, subprocess, sys, time
mode, hook, config, state_file, err_file = sys.argv[1:]
state = open(state_file, "rb").read()
args = [hook, "--config", config]
if mode == "closed-stderr":
    r, w = os.pipe()
    os.close(r)
    p = subprocess.run(args, input=state, stdout=subprocess.DEVNULL, stderr=w, timeout=20)
    open(err_file, "w").close()
    sys.exit(p.returncode if p.returncode >= 0 else 128 - p.returncode)
r, w = os.pipe()
os.set_blocking(r, False)
with open(err_file, "wb") as err:
    p = subprocess.Popen(args, stdin=r, stdout=subprocess.DEVNULL, stderr=err)
    os.close(r)
    time.sleep(0.3)
    os.write(w, state)
    os.close(w)
    rc = p.wait(timeout=20)
sys.exit(rc if rc >= 0 else 128 - rc)
PY
    snapshot >"$W/after"
}

t sigpipe_stderr "stderr a pipe whose reader is gone: no SIGPIPE, exit 0, pinned"
test_sigpipe_stderr() {
    v1_container
    run_hook_py closed-stderr
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1"
}

t nonblocking_stdin "non-blocking stdin with a late writer: waited for, exit 0, pinned"
test_nonblocking_stdin() {
    v1_container
    run_hook_py late-stdin
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1"
    expect_outcome applied
}

# ============================================================ command line

t help "--help: exit 0, usage on stdout"
test_help() {
    STDIN_FILE=/dev/null
    NO_CONFIG_ARG=1 run_hook --help
    expect_rc 0
    expect_stdout_has --config
    expect_no_changes
}

t version "--version: exit 0, the version on stdout"
test_version() {
    STDIN_FILE=/dev/null
    NO_CONFIG_ARG=1 run_hook --version
    expect_rc 0
    expect_stdout_has 0.1.0
}

t bad_flag "an unknown flag: exit 2, names it, nothing written"
test_bad_flag() {
    v1_container
    run_hook --bogus
    expect_rc 2
    expect_no_changes
    expect_error_line --bogus
}

t config_flag_no_arg "--config without FILE: exit 2"
test_config_flag_no_arg() {
    v1_container
    NO_CONFIG_ARG=1 run_hook --config
    expect_rc 2
    expect_no_changes
    expect_error_line --config
}

t extra_argument "an extra positional argument: exit 2"
test_extra_argument() {
    v1_container
    run_hook extra
    expect_rc 2
    expect_no_changes
    expect_error_line extra
}

# ======================================================= pins and systemd

# shellcheck source=tests/integration/cases_pins.sh
. "$here/cases_pins.sh"

# ================================================================== runner

pattern=${1:-}
echo "TAP version 13"
if [[ $(id -u) != 0 ]]; then
    echo "ok 1 - integration tests # SKIP not root (trusted files must be root-owned)"
    exit 0
fi
if ! command -v jq >/dev/null; then
    echo "ok 1 - integration tests # SKIP jq is not installed (scripts/install-deps.sh)"
    exit 0
fi
if [[ ! -x "$HOOK" ]]; then
    echo "ok 1 - integration tests # SKIP $HOOK not built (make BUILD=${BUILD:-build})"
    exit 0
fi

n=0 failed=0
for idx in "${!T_NAMES[@]}"; do
    name=${T_NAMES[$idx]}
    [[ -z "$pattern" || "$name" == *$pattern* ]] || continue
    n=$((n + 1))
    set +e
    (
        set -eEuo pipefail
        trap 'wp_abort "$LINENO" "$BASH_COMMAND"' ERR
        trap 'if [[ -n "${W:-}" && "${KEEP:-0}" != 1 ]]; then rm -rf "$W"; fi' EXIT
        wp_new
        "test_$name"
        trap - ERR
        wp_finish
    ) >"${TMPDIR:-/tmp}/wp-int-out.$$" 2>&1
    rc=$?
    set -e
    if [[ $rc -eq 0 ]]; then
        skip=$(sed -n 's/^# SKIP //p' "${TMPDIR:-/tmp}/wp-int-out.$$" | head -n 1)
        echo "ok $n - $name: ${T_DESCS[$idx]}${skip:+ # SKIP $skip}"
    else
        failed=$((failed + 1))
        echo "not ok $n - $name: ${T_DESCS[$idx]}"
    fi
    cat "${TMPDIR:-/tmp}/wp-int-out.$$"
done
rm -f "${TMPDIR:-/tmp}/wp-int-out.$$"
echo "1..$n"
[[ $failed -eq 0 ]]
