#!/usr/bin/env bash
# TAP suite: config/systemd/workload-partitioning-merge.service, the oneshot
# unit that runs `wpctl merge` at boot before CRI-O.
# Checks are functions run through t(); jq programs are single-quoted on purpose.
# shellcheck disable=SC2317,SC2016
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
unit=$root/config/systemd/workload-partitioning-merge.service
build=${BUILD:-build}
[[ $build = /* ]] || build=$root/$build
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '# %s\n' "$2"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
t() { # t NAME COMMAND...: a check that passes when COMMAND succeeds
    local name=$1; shift
    local out
    if out=$("$@" 2>&1); then ok "$name"; else nok "$name" "$out"; fi
}
# value KEY: every value of KEY= in the unit, space-joined (systemd lists accumulate)
value() { sed -n "s/^$1=//p" "$unit" | tr '\n' ' ' | sed 's/ $//'; }
has_word() { [[ " $(value "$1") " == *" $2 "* ]] || { echo "$1= is '$(value "$1")', lacks $2"; return 1; }; }

t "unit file exists" test -f "$unit"

if command -v systemd-analyze >/dev/null; then
    # Only the missing /usr/bin/wpctl on this build machine is expected.
    check_verify() {
        local out
        out=$(systemd-analyze verify --man=no "$unit" 2>&1 | grep -v 'Command /usr/bin/wpctl is not executable')
        [ -z "$out" ] || { echo "$out"; return 1; }
    }
    t "systemd-analyze verify reports nothing but the absent wpctl" check_verify
else
    skip "systemd-analyze verify" "systemd-analyze is not installed"
fi

t "Type=oneshot" test "$(value Type)" = oneshot
t "RemainAfterExit=yes (restarting crio does not re-run the merge)" test "$(value RemainAfterExit)" = yes
t "Before=crio.service" has_word Before crio.service
t "Before=kubelet.service" has_word Before kubelet.service
t "WantedBy=crio.service (pulled in wherever CRI-O starts)" has_word WantedBy crio.service
t "WantedBy=multi-user.target (runs on podman-only nodes too)" has_word WantedBy multi-user.target
no_hard_dep() {
    local k
    for k in Requires Requisite BindsTo PartOf RequiredBy; do
        [[ "$(value $k)" == *crio* ]] && { echo "$k= names crio: a failed merge must not stop CRI-O"; return 1; }
    done
    return 0
}
t "no hard dependency between the merge and CRI-O" no_hard_dep

exec_start=$(value ExecStart)
t "ExecStart runs /usr/bin/wpctl merge" test "${exec_start%% -*}" = "/usr/bin/wpctl merge"
t "ExecStart writes the hook's partitionsFile" \
    grep -q -- "-o $(jq -r .partitionsFile "$root/config/config.json") " <<<"$exec_start "
no_explicit_optional() { # an explicit --pinning/--policy must exist; the defaults may be absent
    if grep -qE -- '--(pinning|policy)' <<<"$exec_start"; then
        echo "ExecStart names --pinning/--policy: wpctl then fails when that file is absent"
        return 1
    fi
}
t "ExecStart leaves the optional pinning and policy files to wpctl's defaults" no_explicit_optional
mdir=$(value ConditionDirectoryNotEmpty)
t "ExecStart reads the manifest directory the unit is conditioned on ($mdir)" grep -q -- " $mdir\$" <<<"$exec_start"
t "ReadWritePaths covers the output's directory" \
    test "$(value ReadWritePaths)" = "$(dirname "$(jq -r .partitionsFile "$root/config/config.json")")"

documented() { # every path the unit touches is named in its header comment
    local p missing=
    for p in /etc/workload-partitioning/workloadpartitions.d /etc/kubernetes/openshift-workload-pinning \
        /etc/workload-partitioning/policy.json /etc/workload-partitioning/partitions.json; do
        grep -q "^#.*$p" "$unit" || missing+=" $p"
    done
    [ -z "$missing" ] || { echo "not documented:$missing"; return 1; }
}
t "the header comment documents every input and the output" documented

# Run the unit's ExecStart as systemd would, on copies of its inputs in a temp
# root, with the wpctl under test.
wpctl=$build/wpctl
if [ -x "$wpctl" ]; then
    run_merge() {
        local tmp rc
        tmp=$(mktemp -d) || return 1
        # shellcheck disable=SC2064
        trap "rm -rf '$tmp'" RETURN
        mkdir -p "$tmp/etc/workload-partitioning/workloadpartitions.d" "$tmp/etc/kubernetes"
        install -m 0644 "$root/config/machineconfig/files/management-partition.yaml" \
            "$tmp/etc/workload-partitioning/workloadpartitions.d/"
        install -m 0644 "$root/config/machineconfig/files/openshift-workload-pinning" "$tmp/etc/kubernetes/"
        local cmd=${exec_start//\/etc\//$tmp/etc/}
        cmd=${cmd/\/usr\/bin\/wpctl merge/$wpctl merge --pinning $tmp/etc/kubernetes/openshift-workload-pinning}
        # shellcheck disable=SC2086
        $cmd || { rc=$?; echo "$cmd: exit $rc"; return 1; }
        jq -e '.partitions.management.cpuset == "0-1"' "$tmp/etc/workload-partitioning/partitions.json" ||
            { cat "$tmp/etc/workload-partitioning/partitions.json"; return 1; }
        [ "$(stat -c %a "$tmp/etc/workload-partitioning/partitions.json")" = 644 ] || { echo "mode is not 0644"; return 1; }
    }
    t "ExecStart, run on the MachineConfig's files, writes management with cpuset 0-1" run_merge
    defaults_documented() { # wpctl's default inputs are the ones the unit documents
        local help p bad=0
        help=$("$wpctl" merge --help 2>&1)
        for p in /etc/kubernetes/openshift-workload-pinning /etc/workload-partitioning/policy.json; do
            grep -qF "$p" <<<"$help" || { echo "wpctl merge --help does not name $p as a default"; bad=1; }
        done
        return "$bad"
    }
    t "wpctl merge's default pinning and policy files are the documented inputs" defaults_documented
else
    skip "ExecStart writes the merged file" "$wpctl is not built"
    skip "wpctl merge's defaults are the documented inputs" "$wpctl is not built"
fi

# ---- workload-partitioning-reconcile.service: the day-2 reconciler
unit=$root/config/systemd/workload-partitioning-reconcile.service
t "reconcile unit exists" test -f "$unit"
if command -v systemd-analyze >/dev/null; then
    check_verify_reconcile() {
        local out
        out=$(systemd-analyze verify --man=no "$unit" 2>&1 | grep -v 'Command /usr/bin/wpctl is not executable')
        [ -z "$out" ] || { echo "$out"; return 1; }
    }
    t "reconcile unit: systemd-analyze verify reports nothing but the absent wpctl" check_verify_reconcile
else
    skip "reconcile unit: systemd-analyze verify" "systemd-analyze is not installed"
fi
t "reconcile unit: ExecStart runs wpctl reconcile --watch with --metrics" \
    grep -qE '^ExecStart=/usr/bin/wpctl reconcile --watch .*--metrics /' "$unit"
t "reconcile unit: Restart=on-failure" test "$(value Restart)" = on-failure
t "reconcile unit: NoNewPrivileges=yes" test "$(value NoNewPrivileges)" = yes
t "reconcile unit: ProtectSystem=strict (read-only system)" test "$(value ProtectSystem)" = strict
writable_only() { # exactly cgroupfs, the pin records and the metrics directory
    local want="/sys/fs/cgroup /run/workload-partitioning /var/lib/node_exporter/textfile_collector"
    [ "$(value ReadWritePaths)" = "$want" ] || { echo "ReadWritePaths= is '$(value ReadWritePaths)', want '$want'"; return 1; }
    grep -q -- "--metrics /var/lib/node_exporter/textfile_collector/" "$unit" || { echo "metrics outside the writable directory"; return 1; }
}
t "reconcile unit: writable only /sys/fs/cgroup, /run/workload-partitioning and the metrics dir" writable_only
t "reconcile unit: no ProtectControlGroups (it writes cgroups)" sh -c "! grep -q '^ProtectControlGroups=yes' '$unit'"

echo "1..$n"
[ "$failed" -eq 0 ]
