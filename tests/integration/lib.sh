# shellcheck shell=bash disable=SC2016,SC2119,SC2120
# Fixture helpers for the integration tests of workload-partitioning-hook.
#
# Every test runs in a subshell with a fresh work directory $W:
#   $TREE      everything the hook may see; snapshotted before and after each run
#   $CG        fake cgroupRoot        ($TREE/cg)
#   $PROC      fake procRoot          ($TREE/proc)
#   $ETC       config.json, partitions.json ($TREE/etc, root-owned, mode 0644)
#   $BUNDLE    the container bundle   ($TREE/bundle)
#   $W/state.json  the OCI state fed on stdin
# KEEP=1 keeps the work directories, VERBOSE=1 shows the hook's stderr of every test.
# After run_hook: $RC (exit code), $W/stdout, $W/stderr, and the change list
# (every file of $TREE added, removed or modified, see changes()).

HOOK_PID=4242
CONTAINER_ID=abc
POD=/kubepods/pod1/crio-abc
ACT_KEY=target.workload.openshift.io/management
ACT_VALUE='{"effect": "PreferredDuringScheduling"}'
OVR_KEY=resources.workload.openshift.io/app
ERR_PREFIX='workload-partitioning-hook: '

# ---------------------------------------------------------------- assertions

TEST_FAILED=0

fail() {
    TEST_FAILED=1
    printf '#   FAIL: %s\n' "$*"
}

# JSON records (one object per stderr line that has an "outcome" key).
records() {
    jq -cR 'fromjson? | select(type == "object" and has("outcome"))' <"$W/stderr" 2>/dev/null || true
}

# The short error lines "workload-partitioning-hook: <message>".
error_lines() {
    grep -F -- "$ERR_PREFIX" "$W/stderr" | grep -v '^{' || true
}

expect_rc() {
    if [[ "$RC" != "$1" ]]; then fail "exit code $RC, expected $1"; fi
}

# Exactly one decision record, with this outcome.
expect_outcome() {
    local n got
    n=$(records | wc -l)
    got=$(records | jq -r '.outcome' | paste -sd, -)
    if [[ "$n" -ne 1 || "$got" != "$1" ]]; then
        fail "expected exactly one log record with outcome \"$1\", got $n record(s): [$got]"
    fi
}

# expect_record KEY VALUE: the decision record's KEY (as a string) is VALUE;
# VALUE "<absent>" means the key is not present.
expect_record() {
    local got
    got=$(records | tail -n 1 | jq -r --arg k "$1" 'if has($k) then .[$k] | tostring else "<absent>" end')
    if [[ "$got" != "$2" ]]; then fail "log record .$1 = \"$got\", expected \"$2\""; fi
}

# expect_error_line [SUBSTRING...]: exactly one short error line, containing
# every SUBSTRING (fixed strings).
expect_error_line() {
    local n line s
    n=$(error_lines | wc -l)
    if [[ "$n" -ne 1 ]]; then
        fail "expected exactly one \"${ERR_PREFIX}...\" line on stderr, got $n"
        return 0
    fi
    line=$(error_lines)
    for s in "$@"; do
        if [[ "$line" != *"$s"* ]]; then fail "error line does not name \"$s\": $line"; fi
    done
}

expect_no_error_line() {
    local n
    n=$(error_lines | wc -l)
    if [[ "$n" -ne 0 ]]; then fail "unexpected error line on stderr: $(error_lines | head -n 1)"; fi
}

# expect_stdout_has SUBSTRING / expect_stderr_has SUBSTRING
expect_stdout_has() {
    if ! grep -qF -- "$1" "$W/stdout"; then fail "stdout does not contain \"$1\""; fi
}
expect_stderr_has() {
    if ! grep -qF -- "$1" "$W/stderr"; then fail "stderr does not contain \"$1\""; fi
}

# ------------------------------------------------------------------ snapshots

# One line per path below $TREE: "path<TAB>type mode [link target]<TAB>content",
# content of regular files with trailing newlines stripped and inner newlines
# shown as \n (cgroup files end with a newline; whether the hook writes one is
# not the point of these tests).
snapshot() {
    local rel type mode link content
    while IFS=$'\t' read -r rel type mode link; do
        content=
        if [[ "$type" == f ]]; then
            content=$(<"$TREE/$rel")
            content=${content//$'\n'/\\n}
        fi
        printf '%s\t%s %s %s\t%s\n' "$rel" "$type" "$mode" "$link" "$content"
    done < <(cd "$TREE" && find . -mindepth 1 -printf '%P\t%y\t%m\t%l\n' | LC_ALL=C sort)
}

# The change list between $W/before and $W/after, sorted:
#   path=new content      a file whose content changed
#   +path=content         a path that appeared
#   -path                 a path that disappeared
#   ~path: old -> new     type, mode or symlink target changed
changes() {
    awk -F'\t' '
        NR == FNR { meta[$1] = $2; cont[$1] = $3; next }
        {
            seen[$1] = 1
            if (!($1 in meta)) { print "+" $1 "=" $3; next }
            if (meta[$1] != $2) print "~" $1 ": " meta[$1] " -> " $2
            else if (cont[$1] != $3) print $1 "=" $3
        }
        END { for (p in meta) if (!(p in seen)) print "-" p }
    ' "$W/before" "$W/after" | LC_ALL=C sort
}

# expect_changes CHANGE...: exactly these changes (see changes()), nothing else.
expect_changes() {
    local want got
    want=$(printf '%s\n' "$@" | sed '/^$/d' | LC_ALL=C sort)
    got=$(changes)
    if [[ "$want" != "$got" ]]; then
        fail "files changed differ from what is expected"
        diff <(printf '%s' "${want:+$want$'\n'}") <(printf '%s' "${got:+$got$'\n'}") |
            sed -n 's/^</#     expected but missing:/p; s/^>/#     unexpected change:   /p' || true
    fi
}

expect_no_changes() { expect_changes; }

# ------------------------------------------------------------------- fixtures

# put REL CONTENT: writes $TREE/REL (content + newline), creating directories.
put() {
    mkdir -p "$(dirname "$TREE/$1")"
    printf '%s\n' "$2" >"$TREE/$1"
}

# jq_edit FILE FILTER [jq args...]: rewrites a JSON file in place (same inode, mode).
jq_edit() {
    local file=$1 filter=$2 tmp
    shift 2
    tmp=$(jq "$@" "$filter" "$file")
    printf '%s\n' "$tmp" >"$file"
}

config_set() { jq_edit "$ETC/config.json" "$@"; }
parts_set() { jq_edit "$ETC/partitions.json" "$@"; }
state_set() { jq_edit "$W/state.json" "$@"; }

# ann KEY VALUE: sets an annotation in the state; ann_del KEY removes it.
ann() { state_set '.annotations[$k] = $v' --arg k "$1" --arg v "$2"; }
ann_del() { state_set 'del(.annotations[$k])' --arg k "$1"; }
# override JSON: the container "app"'s override annotation.
override() { ann "$OVR_KEY" "$1"; }

# bundle_config JSON: writes $BUNDLE/config.json.
bundle_config() { printf '%s\n' "$1" >"$BUNDLE/config.json"; }

# proc_cgroup LINE...: writes <procRoot>/<pid>/cgroup.
proc_cgroup() {
    mkdir -p "$PROC/$HOOK_PID"
    printf '%s\n' "$@" >"$PROC/$HOOK_PID/cgroup"
}

# Directories from the root down to PATH: "/a/b" -> "a" "a/b".
_path_prefixes() {
    local p=${1#/} acc='' part
    local IFS=/
    for part in $p; do
        acc=${acc:+$acc/}$part
        printf '%s\n' "$acc"
    done
}

# v1_tree: the v1 hierarchy roots (cpuset, cpu,cpuacct, memory; cpu and cpuacct
# are symlinks to cpu,cpuacct as on a real node).
v1_tree() {
    put cg/cpuset/cpuset.cpus 0-3
    put cg/cpuset/cpuset.effective_cpus 0-3
    put cg/cpuset/cpuset.mems 0
    put cg/cpu,cpuacct/cpu.shares 1024
    put cg/cpu,cpuacct/cpu.cfs_quota_us -1
    put cg/cpu,cpuacct/cpu.cfs_period_us 100000
    put cg/memory/memory.limit_in_bytes 9223372036854771712
    [[ -e "$CG/cpu" ]] || ln -s cpu,cpuacct "$CG/cpu"
    [[ -e "$CG/cpuacct" ]] || ln -s cpu,cpuacct "$CG/cpuacct"
}

# v1_dirs PATH [EFFECTIVE]: the cgroup PATH in every v1 hierarchy; the leaf's
# cpuset.effective_cpus is EFFECTIVE (default 0-1, what the hook is expected to
# write: a fake tree does not recompute it). EFFECTIVE "-" leaves it out.
v1_dirs() {
    local path=$1 eff=${2-0-1} d
    v1_tree
    while read -r d; do
        put "cg/cpuset/$d/cpuset.cpus" 0-3
        put "cg/cpuset/$d/cpuset.effective_cpus" 0-3
        put "cg/cpuset/$d/cpuset.mems" 0
        put "cg/cpu,cpuacct/$d/cpu.shares" 1024
        put "cg/cpu,cpuacct/$d/cpu.cfs_quota_us" -1
        put "cg/cpu,cpuacct/$d/cpu.cfs_period_us" 100000
        put "cg/cpu,cpuacct/$d/cpuacct.usage" 0
        put "cg/memory/$d/memory.limit_in_bytes" 9223372036854771712
    done < <(_path_prefixes "$path")
    local leaf=${path#/}
    put "cg/cpu,cpuacct/$leaf/cpu.shares" 2
    if [[ "$eff" == - ]]; then
        rm -f "$CG/cpuset/$leaf/cpuset.effective_cpus"
    else
        put "cg/cpuset/$leaf/cpuset.effective_cpus" "$eff"
    fi
}

# v1_container [PATH [EFFECTIVE]]: v1 dirs plus the process's /proc cgroup file.
v1_container() {
    local path=${1:-$POD}
    v1_dirs "$path" "${2-0-1}"
    proc_cgroup "12:memory:$path" "11:cpuset:$path" "4:cpu,cpuacct:$path" \
        "1:name=systemd:$path"
}

# v2_dirs PATH [EFFECTIVE]: a unified hierarchy at $CG (cgroup.controllers at
# the root) with PATH in it; the leaf's cpuset.cpus.effective is EFFECTIVE.
v2_dirs() {
    local path=$1 eff=${2-0-1} base=${3:-cg} d
    put "$base/cgroup.controllers" "cpuset cpu io memory pids"
    put "$base/cgroup.subtree_control" "cpuset cpu io memory pids"
    put "$base/cpuset.cpus.effective" 0-3
    put "$base/cpu.stat" "usage_usec 0"
    while read -r d; do
        put "$base/$d/cgroup.controllers" "cpuset cpu io memory pids"
        put "$base/$d/cpuset.cpus" ""
        put "$base/$d/cpuset.cpus.effective" 0-3
        put "$base/$d/cpu.weight" 100
        put "$base/$d/cpu.max" "max 100000"
        put "$base/$d/memory.max" max
    done < <(_path_prefixes "$path")
    local leaf=${path#/}
    put "$base/$leaf/cpu.weight" 1
    if [[ "$eff" == - ]]; then
        rm -f "$TREE/$base/$leaf/cpuset.cpus.effective"
    else
        put "$base/$leaf/cpuset.cpus.effective" "$eff"
    fi
}

v2_container() {
    local path=${1:-$POD}
    v2_dirs "$path" "${2-0-1}"
    proc_cgroup "0::$path"
}

# hybrid_container [PATH [EFFECTIVE]]: v1 cpu,cpuacct and memory, no v1 cpuset:
# cpuset is in the unified hierarchy at $CG/unified (no $CG/cgroup.controllers).
hybrid_container() {
    local path=${1:-$POD} eff=${2-0-1} d
    put cg/cpu,cpuacct/cpu.shares 1024
    put cg/memory/memory.limit_in_bytes 9223372036854771712
    ln -s cpu,cpuacct "$CG/cpu"
    while read -r d; do
        put "cg/cpu,cpuacct/$d/cpu.shares" 1024
        put "cg/cpu,cpuacct/$d/cpu.cfs_quota_us" -1
        put "cg/cpu,cpuacct/$d/cpu.cfs_period_us" 100000
        put "cg/memory/$d/memory.limit_in_bytes" 9223372036854771712
    done < <(_path_prefixes "$path")
    put "cg/cpu,cpuacct/${path#/}/cpu.shares" 2
    v2_dirs "$path" "$eff" cg/unified
    proc_cgroup "12:memory:$path" "4:cpu,cpuacct:$path" "1:name=systemd:$path" "0::$path"
}

# ---------------------------------------------------------------- the setup

# wp_new: a fresh work directory with the default config, partition file and
# state (an "app" container of pod openshift-etcd/etcd-0 activating "management",
# no override yet, pid $HOOK_PID, no cgroup tree yet).
wp_new() {
    umask 022
    W=$(mktemp -d "${TMPDIR:-/tmp}/wp-int.XXXXXX")
    TREE=$W/tree CG=$W/tree/cg PROC=$W/tree/proc ETC=$W/tree/etc BUNDLE=$W/tree/bundle
    mkdir -p "$CG" "$PROC" "$ETC" "$BUNDLE"
    CONFIG=$ETC/config.json PARTS=$ETC/partitions.json
    # Pin records and systemd's socket live outside $TREE (whose every change a
    # test lists): $PINS, and $SYSTEMD_SOCK, absent unless a test starts a fake.
    PINS=$W/pins SYSTEMD_SOCK=$W/systemd/private
    jq -n --arg parts "$PARTS" --arg cg "$CG" --arg proc "$PROC" \
        --arg pins "$PINS" --arg systemd "$SYSTEMD_SOCK" '{
        enabled: true, mode: "enforce", failurePolicy: "fail", partitionsFile: $parts,
        sharesToWeight: "quadratic", cgroupRoot: $cg, procRoot: $proc,
        pinRecordDir: $pins, systemdAddress: ("unix:path=" + $systemd),
        log: {level: "debug", target: "stderr"}}' >"$CONFIG"
    jq -n '{version: 1, partitions: {management: {
        cpuset: "0-1",
        activationAnnotation: "target.workload.openshift.io/management",
        annotationPrefix: "resources.workload.openshift.io",
        defaults: {cpushares: 0, cpuquota: 0, cpuperiod: 0},
        allowedNamespaces: [], sources: ["management-partition"]}}}' >"$PARTS"
    chmod 0644 "$CONFIG" "$PARTS"
    jq -n --arg bundle "$BUNDLE" --arg id "$CONTAINER_ID" --argjson pid "$HOOK_PID" \
        --arg ak "$ACT_KEY" --arg av "$ACT_VALUE" '{
        ociVersion: "1.0.2", id: $id, status: "creating", pid: $pid, bundle: $bundle,
        annotations: {($ak): $av,
            "io.kubernetes.container.name": "app",
            "io.kubernetes.pod.namespace": "openshift-etcd",
            "io.kubernetes.pod.name": "etcd-0"}}' >"$W/state.json"
    STDIN_FILE=$W/state.json
    RC=
}

# add_partition NAME CPUSET: a second partition with the default keys.
add_partition() {
    parts_set '.partitions[$n] = {cpuset: $c,
        activationAnnotation: ("target.workload.openshift.io/" + $n),
        annotationPrefix: "resources.workload.openshift.io",
        defaults: {cpushares: 0, cpuquota: 0, cpuperiod: 0},
        allowedNamespaces: [], sources: [$n]}' --arg n "$1" --arg c "$2"
}

# run_hook [ARGS...]: runs the hook with --config $CONFIG (unless NO_CONFIG_ARG=1)
# and ARGS, stdin from $STDIN_FILE, snapshotting $TREE before and after.
run_hook() {
    local args=()
    [[ "${NO_CONFIG_ARG:-0}" == 1 ]] || args=(--config "$CONFIG")
    snapshot >"$W/before"
    RC=0
    timeout "${WP_HOOK_TIMEOUT:-20}" "$HOOK" "${args[@]}" "$@" <"$STDIN_FILE" >"$W/stdout" 2>"$W/stderr" || RC=$?
    snapshot >"$W/after"
}

# wp_finish: reports the hook's output when the test failed; the test's status.
wp_finish() {
    if [[ ("$TEST_FAILED" != 0 || "${VERBOSE:-0}" == 1) && -f "$W/stderr" ]]; then
        echo "#   hook exit code: $RC; stderr:"
        head -c 4000 "$W/stderr" | sed 's/^/#   | /'
    fi
    if [[ "${KEEP:-0}" == 1 ]]; then echo "#   kept $W"; else rm -rf "$W"; fi
    return "$TEST_FAILED"
}

# wp_abort LINE COMMAND: a fixture command failed (set -e): the test fails.
wp_abort() {
    trap - ERR
    fail "aborted at line $1: $2"
    wp_finish || true
    exit 1
}
