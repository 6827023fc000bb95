#!/usr/bin/env bash
# wpctl reconcile and unpin on a fake cgroup v2 node whose container cgroup is a
# systemd scope, with tests/fake/fake_systemd.py as systemd's private socket: a
# repair and an unpin set the unit's properties (SetUnitProperties) before the
# cgroup files, like the hook.
set -u
. "$(dirname "$0")/lib.sh"
need "$WPCTL"
need_root

SCOPE=kubepods.slice/kubepods-burstable.slice/crio-0123.scope

# v2_node: a fake v2 tree with the scope pinned to "1" / weight 49, its pin record,
# and the fake systemd listening on $W/systemd.sock.
v2_node() {
    /usr/bin/python3 -c 'import dbus.server, dbus.mainloop.glib, gi' 2>/dev/null ||
        { echo "SKIP python3-dbus and python3-gi are not installed"; exit 0; }
    mkdir -p "$W/cg/$SCOPE" "$W/etc" "$W/systemd"
    mkdir -m 0700 "$W/pins"
    echo "cpuset cpu" >"$W/cg/cgroup.controllers"
    echo 0-3 >"$W/cg/cpuset.cpus.effective"
    echo 1 >"$W/cg/$SCOPE/cpuset.cpus"
    echo 49 >"$W/cg/$SCOPE/cpu.weight"
    echo "populated 1" >"$W/cg/$SCOPE/cgroup.events"
    jq -n --arg cg "$W/cg" --arg p "$W/etc/partitions.json" --arg pins "$W/pins" \
        --arg sock "unix:path=$W/systemd.sock" \
        '{enabled: true, partitionsFile: $p, cgroupRoot: $cg, pinRecordDir: $pins,
          systemdAddress: $sock, log: {level: "error", target: "stderr"}}' >"$W/etc/config.json"
    echo '{"version": 1, "partitions": {"management": {"cpuset": "1"}}}' >"$W/etc/partitions.json"
    chmod 0644 "$W/etc/config.json" "$W/etc/partitions.json"
    jq -n --arg cg "$W/cg" --arg d "$SCOPE" --arg t "$(($(date +%s) + 100))" \
        '{version: 1, containerId: "0123", partition: "management",
          annotations: {"target.workload.openshift.io/management": "{}"},
          plan: {cpuset: "1", cpushares: 400}, cgroupRoot: $cg,
          cgroups: {cpuset: {dir: $d, v2: true}, cpu: {dir: $d, v2: true}},
          unit: "crio-0123.scope", systemd: "set",
          before: {($d + "/cpuset.cpus"): "", ($d + "/cpu.weight"): "100"},
          time: ($t | tonumber)}' >"$W/pins/0123.json"
    chmod 0600 "$W/pins/0123.json"
    /usr/bin/python3 "$SRC/tests/fake/fake_systemd.py" "$W/systemd.sock" "$W/systemd/calls.log" \
        >"$W/systemd/fake.log" 2>&1 &
    FAKE=$!
    trap 'kill "$FAKE" 2>/dev/null; rm -rf "$W"' EXIT
    local i
    for i in $(seq 200); do [[ -e "$W/systemd.sock.ready" ]] && return 0; sleep 0.05; done
    die "fake systemd did not start: $(cat "$W/systemd/fake.log")"
}

test_repair_sets_the_units_properties_first() {
    v2_node
    echo 0-3 >"$W/cg/$SCOPE/cpuset.cpus"
    echo 100 >"$W/cg/$SCOPE/cpu.weight"
    "$WPCTL" reconcile --json --config "$W/etc/config.json" >"$W/out" 2>&1 || die "$(cat "$W/out")"
    [[ $(cat "$W/cg/$SCOPE/cpuset.cpus") == 1 && $(cat "$W/cg/$SCOPE/cpu.weight") == 49 ]] ||
        die "files not repaired: $(cat "$W/cg/$SCOPE/cpuset.cpus") $(cat "$W/cg/$SCOPE/cpu.weight")"
    jq -e 'select(.unit == "crio-0123.scope" and .runtime == true
                  and .props.AllowedCPUs == [2] and .props.CPUWeight == 49)' \
        "$W/systemd/calls.log" >/dev/null || die "systemd calls: $(cat "$W/systemd/calls.log")"
    grep -q '"systemd":"set AllowedCPUs=1 CPUWeight=49' "$W/out" || die "$(cat "$W/out")"
}

test_unpin_gives_the_unit_its_recorded_values() {
    v2_node
    "$WPCTL" unpin --all --config "$W/etc/config.json" >"$W/out" 2>&1 || die "$(cat "$W/out")"
    [[ -z "$(cat "$W/cg/$SCOPE/cpuset.cpus")" && $(cat "$W/cg/$SCOPE/cpu.weight") == 100 ]] ||
        die "files not restored"
    jq -e 'select(.unit == "crio-0123.scope" and .props.AllowedCPUs == [] and .props.CPUWeight == 100)' \
        "$W/systemd/calls.log" >/dev/null ||
        die "systemd calls: $(cat "$W/systemd/calls.log" "$W/out" "$W/systemd/fake.log")"
    [[ ! -e "$W/pins/0123.json" ]] || die "record kept"
}

test_refused_by_systemd_writes_nothing() {
    v2_node
    jq '.unit = "refuse-0123.scope"' "$W/pins/0123.json" >"$W/r" && cat "$W/r" >"$W/pins/0123.json"
    echo 100 >"$W/cg/$SCOPE/cpu.weight"
    local rc=0
    "$WPCTL" reconcile --config "$W/etc/config.json" >"$W/out" 2>&1 || rc=$?
    [[ $rc == 1 ]] || die "exit $rc: $(cat "$W/out")"
    [[ $(cat "$W/cg/$SCOPE/cpu.weight") == 100 ]] || die "a file was written after systemd refused"
}

t "reconcile: a repair sets the unit's properties (SetUnitProperties) before the files" test_repair_sets_the_units_properties_first
t "unpin: the unit gets its recorded values back, the record is dropped" test_unpin_gives_the_unit_its_recorded_values
t "reconcile: systemd refuses the unit: nothing written, exit 1" test_refused_by_systemd_writes_nothing
echo "1..$TAP_N"
[[ $TAP_FAILED == 0 ]]
