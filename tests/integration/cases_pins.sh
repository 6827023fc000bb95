# shellcheck shell=bash disable=SC2016
# Integration cases of pin records and systemd units, sourced by run.sh (same
# fixtures and runner). systemd is tests/fake/fake_systemd.py on $SYSTEMD_SOCK:
# a peer-to-peer D-Bus server like /run/systemd/private that logs each
# SetUnitProperties call to $W/systemd/calls.log and answers by unit name
# (refuse-*, slow-*, ... see the script).

FAKE_SYSTEMD=$repo/tests/fake/fake_systemd.py
PIN_SCOPE=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/crio-abc.scope

# fake_systemd_missing: why the fake cannot run here ("" when it can).
fake_systemd_missing() {
    if ! /usr/bin/python3 -c 'import dbus.server, dbus.mainloop.glib, gi' 2>/dev/null; then
        echo "python3-dbus and python3-gi are not installed (scripts/install-deps.sh)"
    fi
}

# skip_test REASON: the runner reports the test as "ok N - ... # SKIP REASON".
skip_test() { echo "# SKIP $1"; }

# start_fake_systemd: the fake listens on $SYSTEMD_SOCK until the test ends.
start_fake_systemd() {
    mkdir -p "$(dirname "$SYSTEMD_SOCK")"
    /usr/bin/python3 "$FAKE_SYSTEMD" "$SYSTEMD_SOCK" "$W/systemd/calls.log" \
        >"$W/systemd/fake.log" 2>&1 &
    FAKE_PID=$!
    trap 'kill "$FAKE_PID" 2>/dev/null; if [[ -n "${W:-}" && "${KEEP:-0}" != 1 ]]; then rm -rf "$W"; fi' EXIT
    local i
    for i in $(seq 200); do
        [[ -e "$SYSTEMD_SOCK.ready" ]] && return 0
        sleep 0.05
    done
    fail "fake systemd did not start: $(cat "$W/systemd/fake.log")"
}

# need_fake_systemd: starts the fake, or reports the test skipped and fails (so
# that the caller's "|| return 0" ends the test).
need_fake_systemd() {
    local why
    why=$(fake_systemd_missing)
    if [[ -n "$why" ]]; then
        skip_test "$why"
        return 1
    fi
    start_fake_systemd
}

systemd_calls() { cat "$W/systemd/calls.log" 2>/dev/null || true; }

# A crun container in a systemd scope on cgroup v2, UNIT (default crio-abc.scope).
scope_container() {
    local scope=${PIN_SCOPE%/*}/${1:-crio-abc.scope}
    SCOPE_DIR=cg$scope
    v2_dirs "$scope/container" 0-1
    put "$SCOPE_DIR/cpuset.cpus.effective" 0-1
    proc_cgroup "0::$scope/container"
}

# pin_record_field JQ: the record's value (the default container's).
pin_record_field() { jq -r "$1" "$PINS/$CONTAINER_ID.json"; }

expect_pin_record() {
    if [[ ! -f "$PINS/$CONTAINER_ID.json" ]]; then
        fail "no pin record $PINS/$CONTAINER_ID.json"
        return 0
    fi
    local mode dmode
    mode=$(stat -c %a "$PINS/$CONTAINER_ID.json")
    dmode=$(stat -c %a "$PINS")
    if [[ "$mode" != 600 || "$dmode" != 700 ]]; then
        fail "pin record mode $mode in a directory of mode $dmode, expected 600 in 700"
    fi
    if [[ $(find "$PINS" -mindepth 1 | wc -l) -ne 1 ]]; then
        fail "the record directory holds more than the record: $(ls -A "$PINS")"
    fi
}

expect_no_pin_record() {
    if [[ -e "$PINS/$CONTAINER_ID.json" ]]; then fail "pin record $PINS/$CONTAINER_ID.json exists"; fi
}

# ============================================================== pin records

t pin_record_written "an applied pin leaves a root-only record with what decided it"
test_pin_record_written() {
    scope_container
    override '{"cpushares": 400, "cpulimit": 500}'
    run_hook
    expect_rc 0
    expect_outcome applied
    expect_pin_record
    expect_record pin_record "$PINS/$CONTAINER_ID.json"
    local got
    got=$(pin_record_field '[.containerId, .podNamespace, .podName, .containerName, .partition,
        .plan.cpuset, .plan.cpushares, .plan.cpuquota, .plan.cpuperiod, .unit,
        .cgroups.cpu.dir, .cgroups.cpu.v2] | map(tostring) | join(" ")')
    local want="abc openshift-etcd etcd-0 app management 0-1 400 50000 100000 crio-abc.scope"
    want+=" ${SCOPE_DIR#cg/} true"
    if [[ "$got" != "$want" ]]; then fail "record: $got, expected $want"; fi
    got=$(pin_record_field '.annotations | keys | join(" ")')
    want="io.kubernetes.container.name io.kubernetes.pod.name io.kubernetes.pod.namespace"
    want+=" resources.workload.openshift.io/app target.workload.openshift.io/management"
    if [[ "$got" != "$want" ]]; then fail "record annotations: $got"; fi
    # The values before the first write, not the ones written.
    got=$(jq -r --arg d "${SCOPE_DIR#cg/}" \
        '[.before[$d + "/cpuset.cpus"], .before[$d + "/cpu.weight"], .before[$d + "/cpu.max"]]
         | join("|")' "$PINS/$CONTAINER_ID.json")
    if [[ "$got" != "|100|max 100000" ]]; then fail "record before: \"$got\""; fi
    if [[ $(pin_record_field '.time') -lt 1600000000 ]]; then fail "record time is not now"; fi
}

t pin_record_cgroupfs "a cgroupfs pin is recorded too, with no unit"
test_pin_record_cgroupfs() {
    v1_container
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$V1S/cpuset.cpus=0-1" "$V1C/cpu.shares=400"
    expect_pin_record
    if [[ $(pin_record_field '.unit') != "" ]]; then fail "a unit recorded for a cgroupfs pin"; fi
    expect_record systemd "not a systemd unit: cgroup files only"
}

t pin_record_replaced "a second createRuntime replaces the record atomically, nothing else left"
test_pin_record_replaced() {
    v1_container
    override '{"cpushares": 400}'
    run_hook
    override '{"cpushares": 500}'
    run_hook
    expect_rc 0
    expect_pin_record
    if [[ $(pin_record_field '.plan.cpushares') != 500 ]]; then fail "record not replaced"; fi
}

t pin_record_none_in_audit "audit mode and a null override write no record"
test_pin_record_none_in_audit() {
    v1_container
    config_set '.mode = "audit"'
    run_hook
    expect_rc 0
    expect_outcome audited
    if [[ -e "$PINS" ]]; then fail "audit mode created $PINS"; fi
}

t pin_record_bad_id "a container id that would leave the record directory is refused, nothing written"
test_pin_record_bad_id() {
    v1_container
    state_set '.id = "../escape"'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line "container id" "../escape"
    if [[ -e "$W/escape.json" || -n "$(ls -A "$PINS" 2>/dev/null)" ]]; then
        fail "a file was written for a bad id"
    fi
}

t pin_record_untrusted_dir "a group-writable record directory is refused before any write (untrusted: exit 0, as every refused node file)"
test_pin_record_untrusted_dir() {
    v1_container
    mkdir -p "$PINS"
    chmod 0777 "$PINS"
    run_hook
    expect_rc 0
    expect_outcome untrusted
    expect_no_changes
    expect_error_line "$PINS" "not writable by group or others"
}

# ================================================================= poststop

t poststop_removes_record "poststop removes the record and does nothing else"
test_poststop_removes_record() {
    v1_container
    run_hook
    expect_pin_record
    state_set '.status = "stopped" | del(.pid)'
    run_hook
    expect_rc 0
    expect_no_changes
    expect_outcome unpinned
    expect_no_pin_record
    expect_no_error_line
}

t poststop_no_record "poststop without a record: exit 0, nothing written"
test_poststop_no_record() {
    v1_container
    state_set '.status = "stopped"'
    run_hook
    expect_rc 0
    expect_no_changes
    expect_outcome no-record
}

t poststop_disabled "poststop removes the record even when the hook was turned off since"
test_poststop_disabled() {
    v1_container
    run_hook
    expect_pin_record
    config_set '.enabled = false'
    state_set '.status = "stopped"'
    run_hook
    expect_rc 0
    expect_outcome unpinned
    expect_no_pin_record
}

t poststop_bad_id "poststop with a path-traversing id: exit 2, no file removed"
test_poststop_bad_id() {
    v1_container
    mkdir -p "$PINS"
    chmod 0700 "$PINS"
    printf '{}\n' >"$W/victim.json"
    state_set '.status = "stopped" | .id = "../victim"'
    run_hook
    expect_rc 2
    expect_error_line "container id"
    if [[ ! -e "$W/victim.json" ]]; then fail "poststop removed a file outside $PINS"; fi
}

t hooks_d_stages "hooks.d registration lists createRuntime and poststop, nothing else"
test_hooks_d_stages() {
    local got
    got=$(jq -c '.stages' "$repo/config/hooks.d/99-workload-partitioning.json")
    if [[ "$got" != '["createRuntime","poststop"]' ]]; then fail "stages: $got"; fi
}

# ================================================================== systemd

t systemd_unreachable "no systemd socket: cgroup files only, and the record says why"
test_systemd_unreachable() {
    scope_container
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$SCOPE_DIR/cpuset.cpus=0-1" "$SCOPE_DIR/cpu.weight=49"
    expect_record systemd_unit crio-abc.scope
    expect_record systemd "not set: $SYSTEMD_SOCK: no such socket (systemd not reachable); cgroup files only"
    if [[ $(pin_record_field '.systemd') != *"no such socket"* ]]; then fail "record does not say why"; fi
}

t systemd_set "systemd reachable: SetUnitProperties(unit, true, ...) first, then the cgroup files"
test_systemd_set() {
    need_fake_systemd || return 0
    scope_container
    override '{"cpushares": 400, "cpulimit": 500}'
    run_hook
    expect_rc 0
    expect_outcome applied
    expect_changes "$SCOPE_DIR/cpuset.cpus=0-1" "$SCOPE_DIR/cpu.weight=49" \
        "$SCOPE_DIR/cpu.max=50000 100000"
    local call want
    call=$(systemd_calls | jq -c '[.unit, .runtime, .props]')
    want='["crio-abc.scope",true,{"AllowedCPUs":[3],"CPUWeight":49,"CPUQuotaPerSecUSec":500000,"CPUQuotaPeriodUSec":100000}]'
    if [[ "$call" != "$want" ]]; then fail "systemd call: $call, expected $want"; fi
    expect_record systemd "set AllowedCPUs=0-1 CPUWeight=49 CPUQuotaPerSecUSec=500000 CPUQuotaPeriodUSec=100000"
    if [[ $(pin_record_field '.systemd') != "set "* ]]; then fail "record does not say set"; fi
}

t systemd_set_v1 "systemd on cgroup v1: CPUShares, not CPUWeight"
test_systemd_set_v1() {
    need_fake_systemd || return 0
    v1_dirs "$PIN_SCOPE" 0-1
    proc_cgroup "11:cpuset:$PIN_SCOPE" "4:cpu,cpuacct:$PIN_SCOPE" "1:name=systemd:$PIN_SCOPE"
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    local call
    call=$(systemd_calls | jq -c '.props')
    if [[ "$call" != '{"AllowedCPUs":[3],"CPUShares":400}' ]]; then fail "systemd call: $call"; fi
}

t systemd_refused "systemd refuses: exit 1 (failurePolicy fail), no cgroup file written"
test_systemd_refused() {
    need_fake_systemd || return 0
    scope_container refuse-abc.scope
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_outcome refused
    expect_error_line "refuse-abc.scope" "refused" "NoSuchUnit"
    expect_no_pin_record
}

t systemd_refused_ignore "systemd refuses under failurePolicy ignore: exit 0, logged, nothing written"
test_systemd_refused_ignore() {
    need_fake_systemd || return 0
    config_set '.failurePolicy = "ignore"'
    scope_container refuse-abc.scope
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_no_changes
    expect_outcome ignored-error
}

t systemd_deadline "systemd does not answer: the deadline (systemdTimeoutMs) ends the call"
test_systemd_deadline() {
    need_fake_systemd || return 0
    config_set '.systemdTimeoutMs = 200'
    scope_container silent-abc.scope
    override '{"cpushares": 400}'
    local t0 t1
    t0=$(date +%s%N)
    run_hook
    t1=$(date +%s%N)
    expect_rc 1
    expect_no_changes
    expect_error_line "silent-abc.scope" "no reply within 200 ms"
    # The fake never answers: without the deadline the hook would wait for run_hook's
    # 20 s timeout (10 s leaves room for valgrind's start in valgrind_integration.sh).
    if (((t1 - t0) / 1000000 > 10000)); then fail "the hook took $(((t1 - t0) / 1000000)) ms"; fi
}

t systemd_odd_reply "a reply that is not SetUnitProperties' empty return is an error"
test_systemd_odd_reply() {
    need_fake_systemd || return 0
    scope_container odd-abc.scope
    override '{"cpushares": 400}'
    run_hook
    expect_rc 1
    expect_no_changes
    expect_error_line "odd-abc.scope" "unexpected reply"
}

t systemd_off "systemd: \"off\": no call, cgroup files only, and the record says so"
test_systemd_off() {
    need_fake_systemd || return 0
    config_set '.systemd = "off"'
    scope_container
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    expect_changes "$SCOPE_DIR/cpuset.cpus=0-1" "$SCOPE_DIR/cpu.weight=49"
    if [[ -n "$(systemd_calls)" ]]; then fail "systemd was called: $(systemd_calls)"; fi
    expect_record systemd "off in the node config: cgroup files only (daemon-reload undoes them)"
}

t systemd_not_a_unit "a cgroupfs container: systemd is not called"
test_systemd_not_a_unit() {
    need_fake_systemd || return 0
    v2_container
    override '{"cpushares": 400}'
    run_hook
    expect_rc 0
    if [[ -n "$(systemd_calls)" ]]; then fail "systemd was called: $(systemd_calls)"; fi
}

t systemd_audit "audit mode: systemd is not called, nothing written"
test_systemd_audit() {
    need_fake_systemd || return 0
    config_set '.mode = "audit"'
    scope_container
    run_hook
    expect_rc 0
    expect_no_changes
    if [[ -n "$(systemd_calls)" ]]; then fail "systemd was called in audit mode"; fi
}

t systemd_config_keys "bad systemd keys in the node config: exit 2 naming the key"
test_systemd_config_keys() {
    v1_container
    config_set '.systemd = "maybe"'
    run_hook
    expect_rc 2
    expect_error_line "systemd" "maybe"
    config_set '.systemd = "auto" | .systemdTimeoutMs = 0'
    run_hook
    expect_rc 2
    expect_error_line "systemdTimeoutMs"
    config_set 'del(.systemdTimeoutMs) | .systemdAddress = "tcp:host=x"'
    run_hook
    expect_rc 2
    expect_error_line "systemdAddress"
    expect_no_changes
}
