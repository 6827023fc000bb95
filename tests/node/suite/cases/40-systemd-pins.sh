# shellcheck shell=bash
# Pins that hold under systemd: with the systemd driver the hook sets the unit's
# runtime properties (SetUnitProperties over /run/systemd/private), so that
# `systemctl daemon-reload` keeps the pin; `systemd: "off"` shows what a reload does
# without them; with systemd's socket hidden the hook pins the files only and says
# why. And the pin record: present while the container runs, gone after delete.
# Uses PART_CPUS, OVERRIDE and pinned() of 20-runtimes.sh.

PINS_UNRELATED=systemd-journald.service # a service restart that has nothing to do with containers

# The pinned values of OVERRIDE ({"cpushares": 400, "cpulimit": 500}) on cgroup v2.
pins_expect_pinned() { # LABEL
    pinned "$1"
    expect "$1 cpu.weight" "$WEIGHT" "$(node_weight quadratic 400)"
    expect "$1 cpu.max" "$MAX" "50000 100000"
}

pins_unit() { echo "crio-$1.scope"; }

case_pins_hold() {
    local id=hold-$NODE_RT unit step
    E2E_CONFIG_EXTRA='{"sharesToWeight": "quadratic"}' e2e_write_config true
    e2e_write_partitions "$PART_CPUS"
    node_start "$id" "$(e2e_annotations api openshift-apiserver yes "$OVERRIDE")" || true
    node_started runc "$id" || return 1
    pins_expect_pinned "$id"
    unit=$(pins_unit "$id")
    for step in "daemon-reload" "daemon-reload" "restart $PINS_UNRELATED" "daemon-reload"; do
        # shellcheck disable=SC2086 # step is a systemctl verb and its argument
        systemctl $step || fail "systemctl $step failed"
        node_started runc "$id" || return 1
        pins_expect_pinned "$id after systemctl $step"
    done
    expect "systemctl show $unit AllowedCPUs" "$(systemctl show "$unit" -p AllowedCPUs --value)" "$PART_CPUS"
    expect "systemctl show $unit CPUWeight" "$(systemctl show "$unit" -p CPUWeight --value)" \
        "$(node_weight quadratic 400)"
    expect "systemctl show $unit CPUQuotaPerSecUSec" \
        "$(systemctl show "$unit" -p CPUQuotaPerSecUSec --value)" 500ms
}

case_pins_off() {
    local id=off-$NODE_RT
    E2E_CONFIG_EXTRA='{"sharesToWeight": "quadratic", "systemd": "off"}' e2e_write_config true
    e2e_write_partitions "$PART_CPUS"
    node_start "$id" "$(e2e_annotations api openshift-apiserver yes "$OVERRIDE")" || true
    node_started runc "$id" || return 1
    pins_expect_pinned "$id (systemd off, before a reload)"
    systemctl daemon-reload || fail "systemctl daemon-reload failed"
    node_started runc "$id" || return 1
    # What the runtime set goes back: weight 39 (1024 shares, the runtimes' linear
    # conversion); the pin of cpu.weight is lost.
    expect "$id cpu.weight after daemon-reload with systemd off (the reload undoes it)" \
        "$WEIGHT" "$(node_weight linear 1024)"
}

case_pins_no_socket() {
    local id=nosock-$NODE_RT out state
    E2E_CONFIG_EXTRA='{"sharesToWeight": "quadratic"}' e2e_write_config true
    e2e_write_partitions "$PART_CPUS"
    node_start_nohook "$id" || true
    node_started runc "$id" || return 1
    # The hook itself, on the running container, in a mount namespace where
    # /run/systemd is an empty tmpfs: systemd's socket is absent.
    state=$(jq -n --arg id "$id" --argjson pid "$PID" --argjson ann \
        "$(e2e_annotations api openshift-apiserver yes "$OVERRIDE")" \
        '{ociVersion: "1.0.2", id: $id, status: "created", pid: $pid, annotations: $ann}')
    out=$(unshare -m sh -c 'mount -t tmpfs none /run/systemd && exec "$0" --config "$1"' \
        "$HOOK" "$(E2E_CONFIG)" <<<"$state" 2>&1)
    expect "hook exit code without systemd's socket" "$?" 0
    node_started runc "$id" || return 1
    # The container printed its CPUs before the hook ran: check what it has now.
    expect "$id live Cpus_allowed_list" "$(sed -n 's/^Cpus_allowed_list:\t//p' "/proc/$PID/status")" \
        "$PART_CPUS"
    expect "$id cpuset.cpus" "$CPUS" "$PART_CPUS"
    expect "$id cpuset.cpus.effective" "$EFF" "$PART_CPUS"
    expect "$id cpu.weight" "$WEIGHT" "$(node_weight quadratic 400)"
    expect "$id cpu.max" "$MAX" "50000 100000"
    grep -q '"systemd":"not set: /run/systemd/private: no such socket' <<<"$out" ||
        fail "the log record does not say why systemd was not asked: $out"
}

case_pins_record() {
    local id=rec-$NODE_RT rec
    e2e_write_config true
    e2e_write_partitions "$PART_CPUS"
    node_start "$id" "$(e2e_annotations api openshift-apiserver yes "$OVERRIDE")" || true
    node_started runc "$id" || return 1
    rec=$E2E_WORK/pins/$id.json
    expect "$id pin record while running" \
        "$(jq -r '[.partition, .plan.cpuset, .unit] | join(" ")' "$rec" 2>&1)" \
        "management $PART_CPUS $(pins_unit "$id")"
    expect "$id pin record says systemd was asked" "$(jq -r '.systemd | startswith("set ")' "$rec")" true
    e2e_runc_rm "$id"
    expect "$id pin record after $NODE_RT delete (poststop)" \
        "$([ -e "$rec" ] && echo present || echo gone)" gone
}

for rt in runc crun; do
    eval "case_pins_${rt}() { node_use $rt systemd; \"\$@\"; }"
    node_case "$rt, systemd driver: the pin holds through daemon-reload twice and a service restart; systemctl show agrees" "case_pins_${rt} case_pins_hold"
    node_case "$rt, systemd driver: systemd \"off\": daemon-reload undoes the pinned weight" "case_pins_${rt} case_pins_off"
    node_case "$rt, systemd driver: no systemd socket (private mount namespace): pinned, and the record says why" "case_pins_${rt} case_pins_no_socket"
    node_case "$rt, systemd driver: pin record while running, removed by poststop at delete" "case_pins_${rt} case_pins_record"
done
unset rt
