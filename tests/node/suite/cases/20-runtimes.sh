# shellcheck shell=bash
# shellcheck disable=SC2034 # settings read by tests/e2e/lib.sh and the cases
# The hook registered in an OCI bundle (createRuntime, as the shipped hooks.d file
# says), with real containers of runc and crun, each under the systemd and the
# cgroupfs cgroup driver, on a kubepods hierarchy as CRI-O lays it out.

PART_CPUS=1 # the partition's cpuset: a subset of the online CPUs 0-1
OVERRIDE='{"cpushares": 400, "cpulimit": 500}'
MALFORMED='{"cpushares": "lots"}'

# What the runtime alone makes of the spec (a container started without the hook),
# per runtime and driver: the values an untouched container must have.
declare -A BASE
node_baseline() { # sets BASE[<rt>-<driver>]
    local key=$NODE_RT-$NODE_DRIVER id=base-$NODE_RT-$NODE_DRIVER
    [ -n "${BASE[$key]-}" ] && return 0
    node_start_nohook "$id" || true
    node_started runc "$id" || return 1
    BASE[$key]="sees=$SEEN cpus=$CPUS eff=$EFF weight=$WEIGHT max=$MAX"
    e2e_runc_rm "$id"
}
untouched() { # LABEL
    expect "$1 (vs. a container started without the hook)" \
        "sees=$SEEN cpus=$CPUS eff=$EFF weight=$WEIGHT max=$MAX" "${BASE[$NODE_RT-$NODE_DRIVER]}"
}
pinned() { # LABEL
    expect "$1 sees (/proc/self/status)" "$SEEN" "$PART_CPUS"
    expect "$1 cpuset.cpus" "$CPUS" "$PART_CPUS"
    expect "$1 cpuset.cpus.effective" "$EFF" "$PART_CPUS"
    expect "$1 cgroup" "$DIR" "$NODE_WANT_DIR"
}

# The formula of each driver's pinned case: both are covered on every runtime.
formula() { if [ "$NODE_DRIVER" = systemd ]; then echo quadratic; else echo linear; fi; }

case_pinned() {
    local f id=mgmt-$NODE_RT-$NODE_DRIVER
    f=$(formula)
    E2E_CONFIG_EXTRA="{\"sharesToWeight\": \"$f\"}" e2e_write_config true
    e2e_write_partitions "$PART_CPUS"
    node_start "$id" "$(e2e_annotations api openshift-apiserver yes "$OVERRIDE")" || true
    node_started runc "$id" || return 1
    pinned "$id"
    expect "$id cpu.weight (cpushares 400, $f)" "$WEIGHT" "$(node_weight "$f" 400)"
    expect "$id cpu.max (cpulimit 500)" "$MAX" "50000 100000"
    if [ "$NODE_RT-$NODE_DRIVER" = crun-systemd ]; then
        expect "$id process in the scope's sub-cgroup" "$(sed -n 's/^0:://p' "/proc/$PID/cgroup")" \
            "${NODE_WANT_DIR#"$CGROOT"}/container"
    fi
}

case_ordinary() {
    local id=plain-$NODE_RT-$NODE_DRIVER
    node_baseline || return 1
    e2e_write_config true
    e2e_write_partitions "$PART_CPUS"
    node_start "$id" "$(e2e_annotations app default no "$OVERRIDE")" wrap || true
    node_started runc "$id" || return 1
    untouched "$id"
    expect "$id cgroup" "$DIR" "$NODE_WANT_DIR"
    expect "hook exit codes for $id" "$(e2e_calls_rc "$id")" 0
}

case_malformed() {
    local id=bad-$NODE_RT-$NODE_DRIVER err ann where
    e2e_write_config true enforce fail
    e2e_write_partitions "$PART_CPUS"
    err=$E2E_WORK/bundles/$id/err
    where=$err
    ann=$(e2e_annotations api openshift-apiserver yes "$MALFORMED")
    if [ "$NODE_RT" = crun ]; then
        # crun drops a hook's stderr unless the annotation run.oci.hooks.stderr names a
        # file; its own error names the hook and its exit code only.
        where=$E2E_WORK/hook-stderr-$id
        ann=$(jq --arg f "$where" '. + {"run.oci.hooks.stderr": $f}' <<<"$ann")
    fi
    if node_start "$id" "$ann"; then
        fail "$NODE_RT run succeeded; want it refused"
        return 1
    fi
    grep -qE 'error (running|executing) hook' "$err" || fail "$NODE_RT error does not name a hook: $(cat "$err")"
    # The hook's own line, naming the annotation at fault.
    grep -q 'resources\.workload\.openshift\.io/api' "$where" 2>/dev/null ||
        fail "$where does not carry the hook's line naming resources.workload.openshift.io/api: $(cat "$where" 2>&1)"
    [ -z "$(e2e_runc_pid "$id")" ] || fail "container $id exists after a refused start"
    local i
    for ((i = 0; i < 50; i++)); do [ -d "$NODE_WANT_DIR" ] || break; sleep 0.1; done
    [ ! -d "$NODE_WANT_DIR" ] || fail "cgroup of the refused container left behind: $NODE_WANT_DIR"
    echo "#   $NODE_RT: $(grep -m1 'hook' "$err" | cut -c1-240)"
    [ "$where" = "$err" ] || echo "#   run.oci.hooks.stderr: $(grep -m1 . "$where" | cut -c1-200)"
}

case_audit() {
    local id=audit-$NODE_RT-$NODE_DRIVER rec
    node_baseline || return 1
    e2e_write_config true audit fail
    e2e_write_partitions "$PART_CPUS"
    node_start "$id" "$(e2e_annotations api openshift-apiserver yes "$OVERRIDE")" wrap || true
    node_started runc "$id" || return 1
    untouched "$id"
    expect "hook exit codes for $id" "$(e2e_calls_rc "$id")" 0
    rec=$(e2e_calls_err "$id" | grep -m1 '^{') || true
    if [ -z "$rec" ]; then
        fail "no JSON decision record on the hook's stderr: $(e2e_calls_err "$id")"
    else
        expect "record outcome" "$(jq -r .outcome <<<"$rec")" audited
        expect "record cpuset (what it would write)" "$(jq -r .cpuset <<<"$rec")" "$PART_CPUS"
    fi
}

case_toggle() {
    local first=on-$NODE_RT-$NODE_DRIVER second=off-$NODE_RT-$NODE_DRIVER first_pid first_dir
    node_baseline || return 1
    e2e_write_config true
    e2e_write_partitions "$PART_CPUS"
    node_start "$first" "$(e2e_annotations etcd openshift-etcd yes)" || true
    node_started runc "$first" || return 1
    pinned "$first"
    first_pid=$PID first_dir=$NODE_WANT_DIR
    # Switched off: nothing restarted, the next start is left alone.
    e2e_write_config false
    node_start "$second" "$(e2e_annotations etcd openshift-etcd yes)" wrap || true
    node_started runc "$second" || return 1
    untouched "$second"
    expect "hook exit codes for $second" "$(e2e_calls_rc "$second")" 0
    # The first container runs on, still pinned.
    node_started runc "$first" || return 1
    NODE_WANT_DIR=$first_dir
    pinned "$first"
    expect "$first pid (not restarted)" "$PID" "$first_pid"
}

for rt in runc crun; do
    for drv in systemd cgroupfs; do
        # Each case selects its runtime and driver first.
        eval "case_${rt}_${drv}() { node_use $rt $drv; \"\$@\"; }"
        node_case "$rt, $drv driver: management container pinned (cpuset, cpu.weight by the formula, cpu.max)" "case_${rt}_${drv} case_pinned"
        node_case "$rt, $drv driver: ordinary container untouched (the hook ran)" "case_${rt}_${drv} case_ordinary"
        where="in the runtime's error"
        [ "$rt" = crun ] && where="in the file of run.oci.hooks.stderr"
        node_case "$rt, $drv driver: malformed override refused under failurePolicy fail, the hook's line $where" "case_${rt}_${drv} case_malformed"
        node_case "$rt, $drv driver: audit mode writes nothing and logs the decision" "case_${rt}_${drv} case_audit"
        node_case "$rt, $drv driver: toggle switched off between two starts" "case_${rt}_${drv} case_toggle"
    done
done
unset rt drv where
