#!/usr/bin/env bash
# CRI-O suite: the hook under a real CRI-O 1.26 driven through crictl, side by side with
# CRI-O's built-in [crio.runtime.workloads.*], on the same pods. Prints TAP lines.
#
# CRI-O, pinns and crictl are built from the third-party source archives beside the
# repository (tests/crio/build.sh, cached). One CRI-O of our own (config, socket, state, vfs storage under a temp dir)
# runs every case twice: with the hook registered through hooks.d exactly as installed
# (the shipped file, the hook's path substituted), then, after a restart, with the
# built-in workloads instead. Each case records, per mode, the container's cgroup values
# (cpuset, shares, quota) and the outcome; the suite prints them as one table and fails
# where the two differ, except the deliberate deviations that docs/DECISIONS.md lists
# (the DEVIATIONS table below names each one's heading there; a heading that is not in
# the file fails the suite).
#
# On a host (CRIO_PRIVATE=1, the default) the suite re-runs itself in a private mount
# namespace where /etc and /run are overlays: the node config and partition file sit at
# their installed paths, the hook's pin records at theirs, and a stand-in for journald's
# socket collects the hook's log records; nothing of the host's changes. With
# CRIO_PRIVATE=0 (a disposable VM) the real paths and the real journal are used.
#
# Environment: BUILD (build dir), WP_CRIO_ONLY (regex of case names to run),
# CRIO_CGROUP_MANAGER, CRIO_RUNTIME (see lib.sh), CRIO_TABLE (where to write the table;
# default $BUILD/crio/table.txt), CRIO_SUITE_TIMEOUT (seconds, default 900).
set -uo pipefail

CRIO_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$CRIO_REPO/$BUILD ;; esac
HOOK=${CRIO_HOOK:-$BUILD/workload-partitioning-hook}
CRIO_TABLE=${CRIO_TABLE:-$BUILD/crio/table.txt}
# debug: CRI-O then logs which hooks.d file matched a container.
CRIO_LOG_LEVEL=${CRIO_LOG_LEVEL:-debug}
# shellcheck source=tests/crio/lib.sh
. "$CRIO_REPO/tests/crio/lib.sh"

PART_CPUS=1       # the management partition: one CPU, visible against the online set
N_PARALLEL=${CRIO_PARALLEL:-20}
MALFORMED='{"cpushares": "lots"}'

# name|function: each case runs once per mode (hook, builtin).
CASES=(
    "management pod pinned|case_mgmt"
    "ordinary pod untouched|case_plain"
    "per-container override from the kubelet's labels|case_ovr_labels"
    "per-container override from CRI metadata only|case_ovr_metadata"
    "override value null leaves the container as the runtime made it|case_ovr_null"
    "pod outside allowedNamespaces untouched, inside pinned|case_namespace"
    "malformed override refused under failurePolicy fail|case_malformed_fail"
    "malformed override under failurePolicy ignore|case_malformed_ignore"
    "override cpuset outside the partition|case_cpuset_outside"
    "two partitions activated|case_two_partitions"
    "toggle turned off and on while CRI-O runs|case_toggle"
    "$N_PARALLEL pods started concurrently, half annotated|case_parallel"
    "pin records created and removed through poststop|case_pins"
)
# With a second runtime (CRIO_RUNTIME2): a management pod under that runtime handler.
[ -z "${CRIO_RUNTIME2-}" ] || CASES+=("management pod pinned under runtime handler $CRIO_RUNTIME2|case_mgmt_runtime2")
# Under the systemd cgroup manager (CRIO_DAEMON_RELOAD=1): the pin after a daemon-reload.
[ "${CRIO_DAEMON_RELOAD:-0}" = 0 ] || CASES+=("pin holds after systemctl daemon-reload|case_daemon_reload")

# Rows of the table where hook and built-in may differ: ROW|COLUMNS|heading in
# docs/DECISIONS.md that explains why (COLUMNS: comma list of cpuset,shares,quota,outcome).
DEVIATIONS=(
    "override (labels)|quota|CRI-O 1.26's workloads know cpushares and cpuset only"
    "allowedNamespaces: outside|cpuset,shares|allowedNamespaces: a pod outside is not pinned"
    "malformed, ignore|cpuset,shares,quota,outcome|failurePolicy: ignore starts the container unpinned"
    "cpuset outside partition|cpuset,shares,quota,outcome|An override cpuset outside the partition is refused"
    "two partitions|cpuset,shares,quota,outcome|Two activated partitions are refused"
    "toggle off|cpuset|The toggle needs no CRI-O restart"
    "pin records|cpuset,shares,quota,outcome|Pin records and poststop"
)

# TAP: tap_ok, tap_skip, tap_notok, expect, fail (tests/e2e/lib.sh, through lib.sh).

# ---------------------------------------------------------------- rows of the table

declare -A ROW=() SKIPPED=()
ROW_NAMES=()
# row NAME MODE CPUSET SHARES QUOTA OUTCOME
row() {
    [ -n "${ROW["$1|hook"]-}${ROW["$1|builtin"]-}" ] || ROW_NAMES+=("$1")
    ROW["$1|$2"]="$3|$4|$5|$6"
}
# The row of a started container from the facts just read.
row_facts() { row "$1" "$2" "$CPUS" "$SHARES" "$QUOTA" "${3:-started}"; }
row_refused() { row "$1" "$2" - - - refused; }

# ---------------------------------------------------------------- checks

ONLINE=""
RUNTIME_SHARES=2 # what the kubelet gives a container without CPU requests (BestEffort)
PLAIN_SHARES=102 # ... and one that requests 100m

untouched() { # LABEL SHARES
    expect "$1 sees" "$SEEN" "$ONLINE"
    expect "$1 cpuset" "$CPUS" "$ONLINE"
    expect "$1 shares" "$SHARES" "$(cg_shares_value "$2")"
    expect "$1 quota" "$QUOTA" -1
}
pinned() { # LABEL [CPUSET]
    expect "$1 sees" "$SEEN" "${2:-$PART_CPUS}"
    expect "$1 cpuset" "$CPUS" "${2:-$PART_CPUS}"
    expect "$1 effective cpuset" "$EFF" "${2:-$PART_CPUS}"
}
# Starts pod NAME; on failure records why. Then reads its facts.
started() { # NAME
    if ! pod_start "$1"; then
        fail "pod $1 did not start: $(pod_err "$1")"
        return 1
    fi
    if ! pod_facts "$1"; then
        fail "pod $1 did not report: $(pod_err "$1") log: $(pod_wait_ready "$1" | tr '\n' ' ')"
        return 1
    fi
    echo "#   $1: $(facts_line)"
}
# The words of a refusal by the hook that CRI-O's error carries: runc passes on the
# hook's stderr line (it names what is wrong); crun drops it and says only that the hook
# failed, so there the journal record (checked by each case) carries the reason.
hook_refused() { # NAME WANT-IN-HOOK-LINE...
    if [ "$CRIO_RUNTIME" = crun ]; then
        refused "$1" "error executing hook" "$HOOK"
    else
        refused "$1" "workload-partitioning-hook: " "${@:2}"
    fi
}
refused() { # NAME WANT-IN-ERROR...: the create must fail and its error name each WANT
    local want
    if pod_start "$1"; then
        fail "pod $1 started; want its container refused"
        return 1
    fi
    [ -n "$(pod_ctr_id "$1")" ] && fail "container of $1 was created: $(pod_ctr_id "$1")"
    for want in "${@:2}"; do
        grep -qF -- "$want" "$CRIO_WORK/pods/$1/err" || fail "CRI-O's error does not carry '$want': $(pod_err "$1")"
    done
    echo "#   $1 refused: $(pod_err "$1" | cut -c1-400)"
}
# The hook's journal record of pod NAME's container must have FIELD=VALUE pairs (or
# FIELD~TEXT: the field contains TEXT). The record is found by container id; when no
# container was created (CRI-O does not say which id it tried), it is the last record
# since the case began (JOURNAL_MARK) that carries an error (a poststop run for the
# failed container may log after it).
journal_has() { # NAME FIELD=VALUE...
    local rec kv id
    id=$(pod_ctr_id "$1")
    if [ -n "$id" ]; then
        rec=$(wp_journal_of "$id")
    else
        rec=$(wp_journal | tail -n +$((JOURNAL_MARK + 1)) | jq -c 'select(has("WP_ERROR"))' | tail -n 1)
    fi
    if [ -z "$rec" ]; then
        fail "no journal record of the hook for $1 (container ${id:-not created}); the last ones: $(wp_journal | tail -n 3)"
        return 1
    fi
    for kv in "${@:2}"; do
        if [[ $kv == *"~"* && ${kv%%~*} != *=* ]]; then # FIELD~TEXT: the field contains TEXT
            [[ $(jq -r --arg k "${kv%%~*}" '.[$k] // ""' <<<"$rec") == *"${kv#*~}"* ]] ||
                fail "$1 journal ${kv%%~*} does not contain '${kv#*~}': $rec"
        else
            expect "$1 journal ${kv%%=*}" "$(jq -r --arg k "${kv%%=*}" '.[$k] // ""' <<<"$rec")" "${kv#*=}"
        fi
    done
}
# The hook must not have logged anything for pod NAME's container.
journal_none() { # NAME
    local rec
    rec=$(wp_journal_of "$(pod_ctr_id "$1")")
    [ -z "$rec" ] || fail "unexpected journal record for $1: $rec"
}

# ---------------------------------------------------------------- cases
# Each takes MODE (hook|builtin); pod names are prefixed with the mode.

case_mgmt() {
    local p=$1-mgmt spec
    pod_config "$p" openshift-etcd "$(pod_annotations management)" etcd yes "$RUNTIME_SHARES"
    started "$p" || { row_refused management "$1"; return 1; }
    row_facts management "$1"
    pinned "$p"
    expect "$p shares" "$SHARES" "$(cg_shares_value "$RUNTIME_SHARES")"
    expect "$p quota" "$QUOTA" -1
    expect "$p live Cpus_allowed_list" "$(sed -n 's/^Cpus_allowed_list:\t//p' "/proc/$PID/status")" "$PART_CPUS"
    # What `crictl inspect` shows: the runtime's spec. A createRuntime hook cannot change
    # it; the built-in writes its values into the spec.
    spec=$(crictl_ inspect "$(pod_ctr_id "$p")" | jq -r '.info.runtimeSpec.linux.resources.cpu.cpus // ""')
    if [ "$1" = hook ]; then
        expect "$p crictl inspect cpus (runtime's spec)" "$spec" ""
        journal_has "$p" WP_OUTCOME=applied WP_PARTITION=management WP_CPUSET="$PART_CPUS" \
            WP_POD_NAMESPACE=openshift-etcd WP_POD_NAME="$p" WP_CONTAINER_NAME=etcd \
            WP_EFFECTIVE_CPUSET="$PART_CPUS" SYSLOG_IDENTIFIER=workload-partitioning-hook
        grep -q 'hook 99-workload-partitioning.json matched' "$CRIO_WORK/crio-hook.log" ||
            fail "CRI-O's log does not show the hooks.d file matching"
        wpctl_status_lists "$p"
    else
        expect "$p crictl inspect cpus (runtime's spec)" "$spec" "$PART_CPUS"
    fi
}

# `wpctl status` (where an admin sees what the hook did) lists the container as pinned.
wpctl_status_lists() { # NAME
    local id out
    id=$(pod_ctr_id "$1")
    out=$("$BUILD/wpctl" status --json --containers-root "$CRIO_WORK/run/storage/vfs-containers" 2>&1)
    jq -e --arg id "$id" '.containers[]? | select(.id == $id and .state == "pinned")' <<<"$out" >/dev/null 2>&1 ||
        fail "wpctl status --json does not list container $id as pinned: $(head -c 600 <<<"$out")"
}

case_plain() {
    local p=$1-plain
    # An override without the activation annotation means nothing.
    pod_config "$p" default "$(pod_annotations no app '{"cpushares": 400}')" app yes "$PLAIN_SHARES"
    started "$p" || { row_refused ordinary "$1"; return 1; }
    row_facts ordinary "$1"
    untouched "$p" "$PLAIN_SHARES"
    [ "$1" = hook ] && journal_none "$p"
    return 0
}

case_ovr_labels() {
    local p=$1-ovr
    pod_config "$p" openshift-apiserver "$(pod_annotations management api '{"cpushares": 400, "cpulimit": 500}')" \
        api yes "$RUNTIME_SHARES"
    started "$p" || { row_refused "override (labels)" "$1"; return 1; }
    row_facts "override (labels)" "$1"
    pinned "$p"
    expect "$p shares" "$SHARES" "$(cg_shares_value 400)"
    if [ "$1" = hook ]; then
        expect "$p quota (cpulimit 500 of period 100000)" "$QUOTA" 50000
        journal_has "$p" WP_OUTCOME=applied WP_CONTAINER_NAME=api WP_SHARES=400 WP_CPU_QUOTA=50000
    else
        expect "$p quota (CRI-O 1.26 ignores cpulimit)" "$QUOTA" -1
    fi
}

case_ovr_metadata() {
    local p=$1-meta
    # A bare CRI client: no io.kubernetes.* labels; CRI-O keys the override on the CRI
    # metadata name, and passes it to the hook only in io.kubernetes.cri-o.Metadata.
    pod_config "$p" openshift-apiserver "$(pod_annotations management meta '{"cpushares": 300}')" \
        meta no "$RUNTIME_SHARES"
    started "$p" || { row_refused "override (metadata)" "$1"; return 1; }
    row_facts "override (metadata)" "$1"
    pinned "$p"
    expect "$p shares" "$SHARES" "$(cg_shares_value 300)"
    expect "$p quota" "$QUOTA" -1
    [ "$1" = hook ] && journal_has "$p" WP_OUTCOME=applied WP_CONTAINER_NAME=meta WP_SHARES=300
    return 0
}

case_ovr_null() {
    local p=$1-null
    # CRI-O: the whole value null is MutateSpec(nil), the container stays as the runtime made it.
    pod_config "$p" openshift-apiserver "$(pod_annotations management nul null)" nul yes "$RUNTIME_SHARES"
    started "$p" || { row_refused "override null" "$1"; return 1; }
    row_facts "override null" "$1"
    untouched "$p" "$RUNTIME_SHARES"
}

case_namespace() {
    local o=$1-outside i=$1-inside rc=0
    wp_write_partitions "$PART_CPUS" '["openshift-*", "kube-system"]'
    pod_config "$o" default "$(pod_annotations management sneaky '{"cpushares": 400}')" sneaky yes "$RUNTIME_SHARES"
    pod_config "$i" openshift-monitoring "$(pod_annotations management prom)" prom yes "$RUNTIME_SHARES"
    if started "$o"; then
        row_facts "allowedNamespaces: outside" "$1"
        if [ "$1" = hook ]; then
            untouched "$o" "$RUNTIME_SHARES"
            journal_has "$o" WP_OUTCOME=not-allowed WP_POD_NAMESPACE=default
        else
            pinned "$o" # CRI-O trusts the admission webhook
        fi
    else
        row_refused "allowedNamespaces: outside" "$1"
        rc=1
    fi
    if started "$i"; then
        row_facts "allowedNamespaces: inside" "$1"
        pinned "$i"
    else
        row_refused "allowedNamespaces: inside" "$1"
        rc=1
    fi
    wp_write_partitions "$PART_CPUS"
    return $rc
}

case_malformed_fail() {
    local p=$1-badfail
    wp_write_config true fail
    pod_config "$p" openshift-apiserver "$(pod_annotations management bad "$MALFORMED")" bad yes "$RUNTIME_SHARES"
    if [ "$1" = hook ]; then
        # The hook's own stderr line, naming the annotation at fault, inside CRI-O's error.
        hook_refused "$p" "$OVR_PREFIX/bad"
        journal_has "$p" WP_OUTCOME=refused WP_PARTITION=management "WP_ERROR~$OVR_PREFIX/bad" "WP_ERROR~cpushares"
    else
        refused "$p" "cannot unmarshal"
    fi
    if [ -n "$(pod_ctr_id "$p")" ]; then row_facts "malformed, fail" "$1" "started"; else row_refused "malformed, fail" "$1"; fi
}

case_malformed_ignore() {
    local p=$1-badign
    wp_write_config true ignore
    pod_config "$p" openshift-apiserver "$(pod_annotations management bad "$MALFORMED")" bad yes "$RUNTIME_SHARES"
    if [ "$1" = hook ]; then
        if started "$p"; then
            row_facts "malformed, ignore" "$1"
            untouched "$p" "$RUNTIME_SHARES"
            journal_has "$p" WP_OUTCOME=ignored-error
        else
            row_refused "malformed, ignore" "$1"
        fi
    else
        # No failurePolicy in CRI-O: always refused.
        refused "$p" "cannot unmarshal"
        row_refused "malformed, ignore" "$1"
    fi
    wp_write_config true fail
}

case_cpuset_outside() {
    local p=$1-outcpus
    pod_config "$p" openshift-apiserver "$(pod_annotations management wide '{"cpuset": "0"}')" wide yes "$RUNTIME_SHARES"
    if [ "$1" = hook ]; then
        hook_refused "$p" "$OVR_PREFIX/wide"
        journal_has "$p" WP_OUTCOME=refused "WP_ERROR~$OVR_PREFIX/wide"
        row_refused "cpuset outside partition" "$1"
    else
        started "$p" || { row_refused "cpuset outside partition" "$1"; return 1; }
        row_facts "cpuset outside partition" "$1"
        pinned "$p" 0 # CRI-O does not check
    fi
}

case_two_partitions() {
    local p=$1-two
    pod_config "$p" openshift-apiserver "$(pod_annotations both)" two yes "$RUNTIME_SHARES"
    if [ "$1" = hook ]; then
        hook_refused "$p" "infra" "management"
        journal_has "$p" WP_OUTCOME=refused "WP_ERROR~infra" "WP_ERROR~management"
        row_refused "two partitions" "$1"
    else
        # CRI-O takes one of the two, whichever its map iteration meets first.
        started "$p" || { row_refused "two partitions" "$1"; return 1; }
        row_facts "two partitions" "$1"
        case $CPUS in 0 | "$PART_CPUS") ;; *) fail "$p cpuset $CPUS is neither partition's" ;; esac
    fi
}

case_toggle() {
    local off=$1-toggleoff on=$1-toggleon pid=$CRIO_PID rc=0
    wp_write_config false
    pod_config "$off" openshift-etcd "$(pod_annotations management etcd)" etcd yes "$RUNTIME_SHARES"
    if started "$off"; then
        row_facts "toggle off" "$1"
        # The built-in has no toggle short of a config change and a restart.
        if [ "$1" = hook ]; then untouched "$off" "$RUNTIME_SHARES"; else pinned "$off"; fi
    else
        row_refused "toggle off" "$1"
        rc=1
    fi
    wp_write_config true
    pod_config "$on" openshift-etcd "$(pod_annotations management etcd)" etcd yes "$RUNTIME_SHARES"
    if started "$on"; then
        row_facts "toggle on again" "$1"
        pinned "$on"
    else
        row_refused "toggle on again" "$1"
        rc=1
    fi
    expect "CRI-O process (not restarted)" "$CRIO_PID" "$pid"
    return $rc
}

case_parallel() {
    local i p pids=() cpus="" shares="" quota="" started=0 want_act
    for ((i = 0; i < N_PARALLEL; i++)); do
        p=$1-par$i
        if ((i % 2 == 0)); then
            pod_config "$p" openshift-etcd "$(pod_annotations management c '{"cpushares": 400}')" c yes "$RUNTIME_SHARES"
        else
            pod_config "$p" default "$(pod_annotations no)" c yes "$PLAIN_SHARES"
        fi
    done
    for ((i = 0; i < N_PARALLEL; i++)); do
        pod_start "$1-par$i" &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i"; done
    for ((i = 0; i < N_PARALLEL; i++)); do
        p=$1-par$i
        if ! pod_facts "$p"; then
            fail "$p did not start or report: $(pod_err "$p")"
            continue
        fi
        started=$((started + 1))
        want_act=$((i % 2 == 0))
        if [ "$want_act" = 1 ]; then
            pinned "$p"
            expect "$p shares" "$SHARES" "$(cg_shares_value 400)"
        else
            untouched "$p" "$PLAIN_SHARES"
        fi
        cpus+="$CPUS"$'\n' shares+="$SHARES"$'\n' quota+="$QUOTA"$'\n'
    done
    # A summary per column: "10x1 10x0-1".
    summary() { sort <<<"$1" | sed '/^$/d' | uniq -c | awk '{printf "%s%dx%s", (NR > 1 ? " " : ""), $1, $2}'; }
    row "$N_PARALLEL concurrent" "$1" "$(summary "$cpus")" "$(summary "$shares")" "$(summary "$quota")" \
        "$started started"
    expect "started" "$started" "$N_PARALLEL"
}

case_pins() {
    local p=$1-pins id rec
    if [ "$1" = builtin ]; then
        row "pin records" builtin - - - "n/a"
        SKIP_REASON="the built-in keeps no pin records"
        return 0
    fi
    pod_config "$p" openshift-etcd "$(pod_annotations management etcd '{"cpushares": 400}')" etcd yes "$RUNTIME_SHARES"
    started "$p" || { row_refused "pin records" "$1"; return 1; }
    pinned "$p"
    id=$(pod_ctr_id "$p")
    rec=$WP_PINS/$id.json
    if [ ! -e "$rec" ] && ! jq -e '.stages | index("poststop")' "$CRIO_WORK/hooks.d/99-workload-partitioning.json" >/dev/null; then
        SKIP_REASON="this hook keeps no pin records: no $rec after a pinned start, and its hooks.d file lists no poststop stage"
        row "pin records" hook "$CPUS" "$SHARES" "$QUOTA" "skip: no pin records"
        SKIPPED["pin records"]=$SKIP_REASON
        return 0
    fi
    [ -e "$rec" ] || fail "no pin record $rec after a pinned start"
    jq -e --arg id "$id" '[.. | strings | select(. == $id)] | length > 0' "$rec" >/dev/null 2>&1 ||
        fail "pin record $rec does not name container $id"
    jq -e '.stages | index("poststop")' "$CRIO_WORK/hooks.d/99-workload-partitioning.json" >/dev/null ||
        fail "the hooks.d file lists no poststop stage: the record would outlive the container"
    # poststop runs when CRI-O deletes the container (runc delete).
    crictl_ stop -t 0 "$id" >/dev/null 2>&1 || fail "crictl stop $id failed"
    crictl_ rm "$id" >/dev/null 2>&1 || fail "crictl rm $id failed"
    [ ! -e "$rec" ] || fail "pin record $rec still there after the container was removed"
    row "pin records" hook "$CPUS" "$SHARES" "$QUOTA" "created, removed"
}

case_mgmt_runtime2() {
    local p=$1-rt2 row="management ($CRIO_RUNTIME2)" rc=0
    pod_config "$p" openshift-etcd "$(pod_annotations management etcd '{"cpushares": 400}')" etcd yes "$RUNTIME_SHARES"
    CRIO_HANDLER=$CRIO_RUNTIME2 started "$p" || { row_refused "$row" "$1"; return 1; }
    row_facts "$row" "$1"
    pinned "$p"
    expect "$p shares" "$SHARES" "$(cg_shares_value 400)"
    # The container's state is in the second runtime's root (its runtime_root).
    [ -d "$CRIO_WORK/run/$CRIO_RUNTIME2/$(pod_ctr_id "$p")" ] ||
        fail "$p: no state of its container under $CRIO_WORK/run/$CRIO_RUNTIME2: not run by $CRIO_RUNTIME2"
    [ "$1" = hook ] && journal_has "$p" WP_OUTCOME=applied WP_SHARES=400
    return $rc
}

# systemd owns the cgroups under the systemd cgroup manager and writes a unit's cgroup
# attributes again at a daemon-reload: a pin that systemd does not know of reverts then.
# The built-in passes its cpuset in the spec (the runtime sets AllowedCPUs on the scope);
# the hook tells systemd when it can (the pin record and the WP_SYSTEMD field of its
# journal record show that). A hook without either is skipped, with what was seen.
case_daemon_reload() {
    local p=$1-reload row="after daemon-reload" id rec before after sys
    pod_config "$p" openshift-etcd "$(pod_annotations management etcd '{"cpushares": 400}')" etcd yes "$RUNTIME_SHARES"
    started "$p" || { row_refused "$row" "$1"; return 1; }
    pinned "$p"
    id=$(pod_ctr_id "$p")
    before=$(facts_line)
    systemctl daemon-reload || fail "systemctl daemon-reload failed"
    sleep 1
    cg_facts "$PID" || { fail "$p: no cgroup facts after the daemon-reload"; return 1; }
    SEEN=$(sed -n 's/^Cpus_allowed_list:\t//p' "/proc/$PID/status")
    after=$(facts_line)
    echo "#   $p after daemon-reload: $after"
    if [ "$1" = hook ]; then
        rec=$(wp_journal_of "$id")
        sys=$(jq -r '.WP_SYSTEMD // ""' <<<"$rec" 2>/dev/null)
        if [ -z "$sys" ] && [ ! -e "$WP_PINS/$id.json" ]; then
            SKIP_REASON="this hook does not tell systemd of its pin (no WP_SYSTEMD in its journal record, no $WP_PINS/$id.json); seen before the reload: $before; after: $after"
            SKIPPED["$row"]=$SKIP_REASON
            row "$row" hook "$CPUS" "$SHARES" "$QUOTA" "skip: no systemd properties"
            return 0
        fi
        # "set AllowedCPUs=1 CPUWeight=16": what the hook asked systemd for.
        expect "$p journal WP_SYSTEMD (the scope's properties set)" "${sys%% *}" set
    fi
    row_facts "$row" "$1" "held"
    pinned "$p"
    expect "$p shares after the reload" "$SHARES" "$(cg_shares_value 400)"
}

# ---------------------------------------------------------------- the table

# Prints the table and adds one TAP line per row: the two modes agree, or differ only
# in the columns a listed deviation names.
compare_rows() {
    local r h b cols d dev_cols heading col i hv bv diff bad tbl
    local names=(cpuset shares quota outcome)
    tbl=$(
        printf '%-28s | %-34s | %-34s | %s\n' "case" "hook: cpuset shares quota outcome" \
            "built-in: cpuset shares quota outcome" "differs"
        for r in "${ROW_NAMES[@]}"; do
            h=${ROW["$r|hook"]-"?|?|?|not run"} b=${ROW["$r|builtin"]-"?|?|?|not run"}
            diff=""
            for i in 0 1 2 3; do
                hv=$(cut -d'|' -f$((i + 1)) <<<"$h") bv=$(cut -d'|' -f$((i + 1)) <<<"$b")
                [ "$hv" = "$bv" ] || diff+="${diff:+,}${names[$i]}"
            done
            printf '%-28s | %-34s | %-34s | %s\n' "$r" "${h//|/  }" "${b//|/  }" "${diff:--}"
        done
    )
    mkdir -p "$(dirname "$CRIO_TABLE")"
    printf '%s\n' "$tbl" >"$CRIO_TABLE"
    sed 's/^/# /' <<<"$tbl"
    for r in "${ROW_NAMES[@]}"; do
        h=${ROW["$r|hook"]-} b=${ROW["$r|builtin"]-}
        DIAG=$CRIO_WORK/diag
        : >"$DIAG"
        if [ -z "$h" ] || [ -z "$b" ]; then
            fail "row not filled for both modes (hook: '${h:-none}', built-in: '${b:-none}')"
        elif [[ $h == *"|skip: "* ]]; then
            tap_skip "side by side: $r" "the hook's side was skipped (${h##*|skip: }): ${SKIPPED["$r"]-}"
            continue
        else
            dev_cols="" heading=""
            for d in "${DEVIATIONS[@]}"; do
                [ "${d%%|*}" = "$r" ] || continue
                cols=${d#*|} dev_cols=${cols%%|*} heading=${cols#*|}
            done
            bad=""
            for i in 0 1 2 3; do
                hv=$(cut -d'|' -f$((i + 1)) <<<"$h") bv=$(cut -d'|' -f$((i + 1)) <<<"$b")
                [ "$hv" = "$bv" ] && continue
                case ",$dev_cols," in *",${names[$i]},"*) ;; *) bad+=" ${names[$i]} (hook '$hv', built-in '$bv')" ;; esac
            done
            [ -z "$bad" ] || fail "hook and built-in differ in:$bad"
            if [ -n "$heading" ] && ! grep -qF -- "### $heading" "$CRIO_REPO/docs/DECISIONS.md"; then
                fail "deviation '$heading' is not a heading of docs/DECISIONS.md"
            fi
        fi
        col="side by side: $r"
        [ -z "$heading" ] || col+=" (deviation: $heading)"
        if [ -s "$DIAG" ]; then tap_notok "$col"; else tap_ok "$col"; fi
    done
}

# ---------------------------------------------------------------- main

skip_all() {
    local c m
    for m in hook builtin; do
        for c in "${CASES[@]}"; do tap_skip "$m: ${c%%|*}" "$1"; done
    done
    echo "1..$n"
    exit 0
}

# On a host: check, then re-run inside a private mount namespace.
reason=$(crio_cannot_run)
[ -z "$reason" ] || skip_all "$reason"
crio_enter_namespace "$0" "$@"

if [ ! -x "$HOOK" ] || [ ! -x "$BUILD/wpctl" ]; then
    echo "not ok 1 - hook and wpctl built"
    echo "#   missing $HOOK or $BUILD/wpctl (run make BUILD=${BUILD#"$CRIO_REPO"/} first)"
    echo "1..1"
    exit 1
fi

CRIO_T0=$(date +%s)
t0=$CRIO_T0
build_log=$(mktemp /tmp/wp-crio-build.XXXXXX)
if crio_build "$build_log"; then
    tap_ok "crio, pinns and crictl built from the third-party archives ($(($(date +%s) - t0)) s; $(tail -n 1 "$build_log" | sed 's/^crio-build: //'))"
    rm -f "$build_log"
else
    DIAG=$build_log
    tap_notok "crio, pinns and crictl built from the third-party archives"
    rm -f "$build_log"
    echo "1..$n"
    exit 1
fi

CRIO_WORK=$(mktemp -d /tmp/wp-crio.XXXXXX)
e2e_watchdog "${CRIO_SUITE_TIMEOUT:-900}" &
WATCHDOG=$!
current=setup
trap 'kill "$WATCHDOG" 2>/dev/null; crio_cleanup' EXIT
trap 'echo "not ok $((n + 1)) - interrupted (signal or suite timeout) during: $current"; exit 1' INT TERM

DIAG=$CRIO_WORK/diag
: >"$DIAG"
CRIO_PAUSE=${CRIO_PAUSE:-$BUILD/crio/pause}
crio_setup "$PART_CPUS" 2>>"$DIAG" || fail "setup failed"
# Installed exactly as shipped: only the hook's path differs.
[ -s "$DIAG" ] || expect "hooks.d file apart from the hook's path" \
    "$(jq -S 'del(.hook.path)' "$CRIO_WORK/hooks.d/99-workload-partitioning.json")" \
    "$(jq -S 'del(.hook.path)' "$CRIO_REPO/config/hooks.d/99-workload-partitioning.json")"
ONLINE=$(cg_online)
if [ -s "$DIAG" ]; then
    tap_notok "setup: private root, images, node files"
    echo "1..$n"
    exit 1
fi
tap_ok "setup: images imported, hooks.d installed as shipped, node config and partitions at $WP_ETC ($(cg_version), $CRIO_CGROUP_MANAGER, $CRIO_RUNTIME)"

for mode in hook builtin; do
    current="starting CRI-O ($mode)"
    DIAG=$CRIO_WORK/diag
    : >"$DIAG"
    wp_write_config true fail
    wp_write_partitions "$PART_CPUS"
    if ! crio_start "$mode" "$PART_CPUS" 2>>"$DIAG"; then
        tap_notok "$mode: CRI-O started"
        continue
    fi
    for c in "${CASES[@]}"; do
        name=${c%%|*} fn=${c#*|}
        if [ -n "${WP_CRIO_ONLY-}" ] && ! grep -qE -- "$WP_CRIO_ONLY" <<<"$name"; then continue; fi
        current="$mode: $name"
        : >"$DIAG"
        SKIP_REASON=""
        JOURNAL_MARK=$(wp_journal | wc -l)
        ts=$(date +%s)
        "$fn" "$mode"
        rc=$?
        echo "#   ($(($(date +%s) - ts)) s)"
        tap_case "$mode: $name" "$rc"
    done
    current="stopping CRI-O ($mode)"
    crio_stop
done
current="table"
compare_rows
echo "# CRI-O suite: $(($(date +%s) - CRIO_T0)) s"
echo "1..$n"
