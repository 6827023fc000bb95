#!/usr/bin/env bash
# TAP suite: odd nodes, on the real kernel where a fake tree cannot show the
# fault. Needs root; each case that needs more (a v1 cpu hierarchy, strace,
# unshare) prints a SKIP line saying why.
#   - quota and period under a parent's CFS limit (cgroup v1): runc's write order
#   - a tmpfs mounted over a container cgroup on a real cgroup root: refused
#   - the log target is resolved once, before the sandbox: a journal socket that
#     appears (or disappears) while the hook runs never gets it killed
# Every cgroup it creates has a unique name (wp-odd-<pid>-<random>) and is
# removed at the end; mounts live in a private mount namespace.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_hook "odd nodes"

ACT='"target.workload.openshift.io/management": "{}"'
ovr_state() { # OVERRIDE-JSON -> an OCI state whose container "app" has that override
    local esc
    esc=$(printf '%s' "$1" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')
    state "$ACT, \"io.kubernetes.container.name\": \"app\", \"resources.workload.openshift.io/app\": $esc"
}

# The v1 hierarchy directory (and its /proc controller list) of a controller.
v1_list() { awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $2 }' /proc/self/cgroup | head -1; }
CPU_LIST=$(v1_list cpu || true)
CPUSET_LIST=$(v1_list cpuset || true)
ROOT=/sys/fs/cgroup
NAME=wp-odd-$$-$RANDOM
CREATED=()
cleanup_cgroups() {
    local i
    for ((i = ${#CREATED[@]} - 1; i >= 0; i--)); do rmdir "${CREATED[$i]}" 2>/dev/null || true; done
}
trap 'cleanup_cgroups; on_exit' EXIT
mkcg() { mkdir "$1" && CREATED+=("$1"); }

real_v1=no
if [ "$(id -u)" -eq 0 ] && [ -n "$CPU_LIST" ] && [ -n "$CPUSET_LIST" ] &&
    [ -f "$ROOT/$CPU_LIST/cpu.cfs_quota_us" ] && [ -d "$ROOT/$CPUSET_LIST" ] &&
    [ "$(stat -f -c %T "$ROOT/$CPU_LIST")" = cgroupfs ]; then
    real_v1=yes
fi

# A world whose node config points at the real cgroup root and a fake procfs in
# which pid $PID sits in <hierarchy>/$NAME/$1.
real_world() {
    new_world
    CG=$ROOT
    write_config '"enabled": true'
    write_partitions '"management": {"cpuset": ""}'
    printf '%s:%s:/%s/%s\n' 4 "$CPUSET_LIST" "$NAME" "$1" 3 "$CPU_LIST" "$NAME" "$1" >"$PROC/$PID/cgroup"
}

# --- 1. quota and period under a parent limit: the parent allows 0.5 CPU
# (50000/100000), the container was created with 0.5 CPU too; the override asks
# for 0.25 CPU with a 50 ms period. Writing the period first (old quota 50000 /
# new period 50000 = 1 CPU) is refused by the kernel; runc writes the quota first
# in that case and retries the period.
if [ "$real_v1" = yes ]; then
    P=$ROOT/$CPU_LIST/$NAME
    mkcg "$P"
    echo 100000 >"$P/cpu.cfs_period_us"
    echo 50000 >"$P/cpu.cfs_quota_us"
    mkcg "$P/ctr"
    echo 50000 >"$P/ctr/cpu.cfs_quota_us"
    mkcg "$ROOT/$CPUSET_LIST/$NAME"
    mkcg "$ROOT/$CPUSET_LIST/$NAME/ctr"
    real_world ctr
    quota_case() { # NAME OVERRIDE WANT-RC WANT-QUOTA/PERIOD
        ovr_state "$2" >"$TMP_ROOT/s.json"
        run_hook "$TMP_ROOT/s.json"
        got="$(cat "$P/ctr/cpu.cfs_quota_us")/$(cat "$P/ctr/cpu.cfs_period_us")"
        if [ "$RC" = "$3" ] && [ "$got" = "$4" ] && { [ "$3" = 0 ] || grep -q 'cpu.cfs_' <<<"$ERR"; }; then
            tap_ok "real v1 kernel: $1"
        else
            tap_fail "real v1 kernel: $1" "exit $RC, quota/period $got, want exit $3 and $4" "stderr: ${ERR:0:400}"
        fi
    }
    quota_case "quota 12500 / period 50000 under a parent's 50000/100000 is applied (runc's order)" \
        '{"cpulimit": 250, "cpuperiod": 50000}' 0 12500/50000
    # And back up: 0.4 CPU with a 1 s period from 12500/50000 (the quota first
    # would be 400000/50000 = 8 CPUs: refused; the period first is valid).
    quota_case "then quota 400000 / period 1000000 is applied too" \
        '{"cpulimit": 400, "cpuperiod": 1000000}' 0 400000/1000000
    # Over the parent's limit (0.75 CPU > 0.5): refused, and the previous values
    # are back, although the kernel refuses them in one of the two orders.
    quota_case "a quota over the parent's limit is refused (exit 1), the previous values restored" \
        '{"cpulimit": 750, "cpuperiod": 100000}' 1 400000/1000000
else
    for n in "quota/period under a parent limit" "quota/period upwards" "quota over the parent's limit"; do
        tap_skip "real v1 kernel: $n" "needs root and a cgroup v1 cpu and cpuset hierarchy under $ROOT"
    done
fi

# --- 9. a tmpfs mounted over a container cgroup of the real cgroup root: the
# walk reached a cgroup filesystem, so a directory below that is not one is
# refused, and nothing is written into the tmpfs.
if [ "$real_v1" = yes ] && command -v unshare >/dev/null; then
    mkcg "$ROOT/$CPU_LIST/$NAME/fake"
    mkcg "$ROOT/$CPUSET_LIST/$NAME/fake"
    real_world fake
    ovr_state '{"cpushares": 400}' >"$TMP_ROOT/s.json"
    set +e
    out=$(timeout 20 unshare -m --propagation private bash -c '
        mount -t tmpfs tmpfs "$1" || exit 1
        echo 1024 >"$1/cpu.shares"
        rc=0
        "$2" --config "$3" <"$4" >/dev/null 2>"$5" || rc=$?
        echo "rc=$rc shares=$(cat "$1/cpu.shares")"
    ' _ "$ROOT/$CPU_LIST/$NAME/fake" "$HOOK" "$CFG" "$TMP_ROOT/s.json" "$TMP_ROOT/stderr")
    set -e
    ERR=$(cat "$TMP_ROOT/stderr")
    if [ "$out" = "rc=1 shares=1024" ] && grep -q 'not on a cgroup filesystem' <<<"$ERR"; then
        tap_ok "real cgroup root: a tmpfs over a container cgroup is refused, nothing written into it"
    else
        tap_fail "real cgroup root: a tmpfs over a container cgroup" "got '$out'" "stderr: ${ERR:0:400}"
    fi
else
    tap_skip "real cgroup root: a tmpfs over a container cgroup" "needs root, unshare and a cgroup v1 cpu hierarchy"
fi

# --- 4. the log target changes while the hook runs. strace holds the hook's
# first cgroup write (after the sandbox is in) for 1.5 s; meanwhile a journal
# socket appears (target auto resolved to stderr at the start) or disappears
# (resolved to the journal). Either way: exit 0, pinned, one record somewhere.
log_target_case() { # NAME appear|vanish
    new_world
    write_config '"enabled": true'
    printf '{"enabled": true, "partitionsFile": "%s", "cgroupRoot": "%s", "procRoot": "%s", "log": {"target": "auto", "level": "debug"}}' \
        "$PARTS" "$CG" "$PROC" >"$CFG"
    state >"$TMP_ROOT/s.json"
    set +e
    timeout 30 unshare -m --propagation private bash -c '
        mount -t tmpfs tmpfs /run
        mkdir -p /run/systemd/journal
        if [ -e /dev/log ]; then mount --bind /dev/null /dev/log; fi
        listen() {
            python3 - "$1" <<"PY" &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/run/systemd/journal/socket")
s.settimeout(6)
try:
    data = s.recv(1 << 20)
except socket.timeout:
    data = b""
open(sys.argv[1], "wb").write(data)
PY
            LPID=$!
            for i in $(seq 1 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
        }
        if [ "$6" = vanish ]; then listen "$1"; fi
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
            strace -f -qq -o /dev/null -e trace=pwrite64 -e inject=pwrite64:delay_enter=1500000:when=1 \
            "$2" --config "$3" <"$4" >/dev/null 2>"$5" &
        hook=$!
        sleep 0.5
        if [ "$6" = appear ]; then listen "$1"; else rm -f /run/systemd/journal/socket; fi
        wait $hook
        echo $? >"$1.rc"
        kill "$LPID" 2>/dev/null
        wait
    ' _ "$TMP_ROOT/journal.rec" "$HOOK" "$CFG" "$TMP_ROOT/s.json" "$TMP_ROOT/stderr" "$2"
    set -e
    local rc rec err
    rc=$(cat "$TMP_ROOT/journal.rec.rc" 2>/dev/null || echo none)
    rec=$(cat "$TMP_ROOT/journal.rec" 2>/dev/null | tr '\n' ' ' || true)
    err=$(cat "$TMP_ROOT/stderr" 2>/dev/null || true)
    if [ "$rc" = 0 ] && [ "$(cpus)" = 0-1 ] && grep -q '"outcome":"applied"' <<<"$err" &&
        ! grep -q 'WP_OUTCOME' <<<"$rec"; then
        tap_ok "$1"
    else
        tap_fail "$1" "hook exit $rc (159 = SIGSYS), cpuset '$(cpus)'; journal: ${rec:0:200}; stderr: ${err:0:300}"
    fi
    rm -f "$TMP_ROOT"/journal.rec*
}
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null && command -v strace >/dev/null &&
    strace -qq -o /dev/null -e inject=getpid:delay_enter=1 true 2>/dev/null; then
    log_target_case "log target auto: a journal socket that appears after the sandbox is not used; no SIGSYS, the record goes to stderr" appear
    log_target_case "log target auto: a journal socket that vanishes after the sandbox: the record falls back to stderr" vanish
else
    tap_skip "log target auto: a socket that appears after the sandbox" "needs root, unshare and strace with delay injection"
    tap_skip "log target auto: a socket that vanishes after the sandbox" "needs root, unshare and strace with delay injection"
fi

tap_done
