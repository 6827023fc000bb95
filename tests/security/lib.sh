# Shared helpers for the security suites (sourced, not run).
#
# Each test builds a fresh temporary world: a fake cgroup v1 tree, a fake
# procfs, a root-owned 0644 node config and partition file, a bundle; runs the
# hook on an OCI state with `timeout`, and checks the exit code, the stderr line
# and which files changed. TAP output: ok N - name / not ok N - name.

HOOK=${HOOK:-${BUILD:-build}/workload-partitioning-hook}
HOOK_TIMEOUT=${HOOK_TIMEOUT:-10}
PID=4242
CG_PATH=kubepods/burstable/pod1/crio-abc
N=0
FAILED=0

TMP_ROOT=$(mktemp -d /tmp/wp-security.XXXXXX)
DONE=0
# A suite that stops before tap_done (an unexpected error under set -e) must
# not pass silently: it reports one failing test and exits non-zero.
on_exit() {
    local rc=$?
    rm -rf "$TMP_ROOT"
    if [ "$DONE" = 0 ]; then
        N=$((N + 1))
        echo "not ok $N - the suite stopped before its end (exit $rc) after test $((N - 1))"
        echo "1..$N"
        exit 1
    fi
}
trap on_exit EXIT

tap_ok() { N=$((N + 1)); echo "ok $N - $1"; }
tap_skip() { N=$((N + 1)); echo "ok $N - $1 # SKIP $2"; }
tap_fail() {
    N=$((N + 1)) FAILED=$((FAILED + 1))
    echo "not ok $N - $1"
    shift
    local l
    for l in "$@"; do echo "# $l"; done
}
tap_done() {
    DONE=1
    echo "1..$N"
    [ "$FAILED" -eq 0 ]
}

# A hook binary must exist; otherwise the whole suite is one SKIP line.
require_hook() {
    if [ ! -x "$HOOK" ]; then
        echo "1..1"
        echo "ok 1 - $1 # SKIP $HOOK not built (run make)"
        DONE=1
        exit 0
    fi
}

# new_world: a fresh tree in $W. Sets CFG (config path), PARTS (partition file),
# CG (cgroupRoot), PROC (procRoot), BUNDLE.
new_world() {
    W=$(mktemp -d "$TMP_ROOT/w.XXXXXX")
    chmod 0755 "$W"
    CG=$W/cg PROC=$W/proc BUNDLE=$W/bundle CFG=$W/etc/config.json PARTS=$W/etc/partitions.json
    mkdir -p "$W/etc" "$BUNDLE" "$PROC/$PID"
    mkdir -p "$CG/cpuset/$CG_PATH" "$CG/cpu,cpuacct/$CG_PATH"
    echo "0-3" >"$CG/cpuset/cpuset.cpus"
    echo "0-3" >"$CG/cpuset/cpuset.effective_cpus"
    local d=$CG/cpuset
    local part
    IFS=/ read -ra parts <<<"$CG_PATH"
    for part in "${parts[@]}"; do
        d=$d/$part
        echo "0-3" >"$d/cpuset.cpus"
    done
    # The fake kernel "accepts" what the hook writes: effective_cpus is preset to
    # the partition's cpuset, so the read-back agrees.
    echo "0-1" >"$CG/cpuset/$CG_PATH/cpuset.effective_cpus"
    echo "1024" >"$CG/cpu,cpuacct/$CG_PATH/cpu.shares"
    echo "-1" >"$CG/cpu,cpuacct/$CG_PATH/cpu.cfs_quota_us"
    echo "100000" >"$CG/cpu,cpuacct/$CG_PATH/cpu.cfs_period_us"
    printf '12:memory:/%s\n4:cpuset:/%s\n3:cpu,cpuacct:/%s\n0::/\n' \
        "$CG_PATH" "$CG_PATH" "$CG_PATH" >"$PROC/$PID/cgroup"
    write_config '"enabled": true'
    write_partitions '"management": {"cpuset": "0-1"}'
    printf '{"ociVersion": "1.0.2", "linux": {"cgroupsPath": "/%s"}}\n' "$CG_PATH" \
        >"$BUNDLE/config.json"
    chmod 0644 "$CFG" "$PARTS"
}

# write_config 'EXTRA JSON MEMBERS' — the node config with the fake roots.
write_config() {
    printf '{%s, "partitionsFile": "%s", "cgroupRoot": "%s", "procRoot": "%s", "log": {"target": "stderr", "level": "debug"}}\n' \
        "$1" "$PARTS" "$CG" "$PROC" >"$CFG"
    chmod 0644 "$CFG"
}

# write_partitions 'PARTITION MEMBERS' — the merged partition file.
write_partitions() {
    printf '{"version": 1, "partitions": {%s}}\n' "$1" >"$PARTS"
    chmod 0644 "$PARTS"
}

# state [ANNOTATION MEMBERS] — an OCI state for pid $PID activating "management".
ANN_DEFAULT='"target.workload.openshift.io/management": "{\"effect\": \"PreferredDuringScheduling\"}", "io.kubernetes.container.name": "app", "io.kubernetes.pod.namespace": "openshift-etcd", "io.kubernetes.pod.name": "etcd-0"'
state() {
    local ann=${1-$ANN_DEFAULT}
    printf '{"ociVersion": "1.0.2", "id": "abc", "status": "creating", "pid": %s, "bundle": "%s", "annotations": {%s}}' \
        "$PID" "$BUNDLE" "$ann"
}

# run_hook STATE_FILE [hook args...] — sets RC, ERR (stderr), ELAPSED_MS.
# The hook runs under `timeout`: exit 124 means it hung.
run_hook() {
    local in=$1
    shift
    local t0 t1
    t0=$(date +%s%N)
    set +e
    timeout -k 2 "$HOOK_TIMEOUT" "${HOOK_WRAPPER[@]}" "$HOOK" --config "$CFG" "$@" <"$in" \
        >"$TMP_ROOT/stdout" 2>"$TMP_ROOT/stderr"
    RC=$?
    set -e
    t1=$(date +%s%N)
    ELAPSED_MS=$(((t1 - t0) / 1000000))
    ERR=$(cat "$TMP_ROOT/stderr")
}
HOOK_WRAPPER=()

# run_state 'STATE JSON' [args] — writes the state to a file and runs the hook.
run_state() {
    printf '%s' "$1" >"$TMP_ROOT/state.json"
    shift
    run_hook "$TMP_ROOT/state.json" "$@"
}

# Snapshot of every file's content under the world (except logs), to prove
# that nothing outside the expected files changed.
snapshot() {
    (cd "$W" && find . -type f -print0 | sort -z | xargs -0 -r sha1sum 2>/dev/null
    find . -printf '%y %m %u %p\n' | sort)
}

cpus() { cat "$CG/cpuset/$CG_PATH/cpuset.cpus"; }
shares() { cat "$CG/cpu,cpuacct/$CG_PATH/cpu.shares"; }

# expect NAME RC_WANTED WRITES(yes|no) [STDERR_REGEX] — the outcome of the last run.
# WRITES=no: the world is byte-for-byte what it was before the run ($BEFORE).
expect() {
    local name=$1 want=$2 writes=$3 re=${4-}
    local why=()
    [ "$RC" = "$want" ] || why+=("exit $RC, want $want")
    if [ "$RC" = 124 ] || [ "$RC" = 137 ]; then why+=("the hook hung (timeout)"); fi
    if [ "$writes" = no ]; then
        [ "$(snapshot)" = "$BEFORE" ] ||
            why+=("files changed: $(diff <(echo "$BEFORE") <(snapshot) | head -5 | tr '\n' ' ' || true)")
    elif [ "$writes" = yes ]; then
        [ "$(cpus)" = "0-1" ] || why+=("cpuset.cpus is '$(cpus)', want 0-1")
    fi
    if [ -n "$re" ] && ! grep -aEq -- "$re" <<<"$ERR"; then
        why+=("stderr does not match /$re/: $(head -c 400 <<<"$ERR" | tr '\n' ' ')")
    fi
    if [ ${#why[@]} -eq 0 ]; then
        tap_ok "$name (exit $RC, ${ELAPSED_MS} ms)"
    else
        tap_fail "$name" "${why[@]}"
    fi
}

# before: record the world before a run that must not write.
before() { BEFORE=$(snapshot); }
