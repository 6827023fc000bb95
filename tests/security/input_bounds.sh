#!/usr/bin/env bash
# TAP suite: input bounds. Hostile OCI states, override annotations, node
# configs and partition files, each with its defined outcome (docs/DECISIONS.md
# "Exit codes for each fault"), within the hook's time budget, nothing written
# on a refusal. Also: the hook does install its seccomp filter (strace).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_hook "input bounds"

# Every run here must finish well inside the hooks.d timeout (5 s).
FAST_MS=2000
fast() {
    if [ "$ELAPSED_MS" -lt "$FAST_MS" ]; then tap_ok "$1: done in ${ELAPSED_MS} ms"; else
        tap_fail "$1: done in under $FAST_MS ms" "took ${ELAPSED_MS} ms"
    fi
}
ACT='"target.workload.openshift.io/management": "{}"'
# override JSON -> the annotation member for container "app" (JSON-escaped).
ovr() {
    local esc
    esc=$(printf '%s' "$1" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')
    printf '%s, "io.kubernetes.container.name": "app", "resources.workload.openshift.io/app": %s' "$ACT" "$esc"
}

# --- the seccomp filter is installed by the hook itself.
if command -v strace >/dev/null; then
    new_world
    state >"$TMP_ROOT/s.json"
    set +e
    # LeakSanitizer (SANITIZE builds) cannot ptrace a process strace already traces.
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        strace -f -qq -e trace=seccomp -o "$TMP_ROOT/strace.log" "$HOOK" --config "$CFG" \
        <"$TMP_ROOT/s.json" >/dev/null 2>&1
    rc=$?
    set -e
    if [ $rc = 0 ] && grep -q 'seccomp(SECCOMP_SET_MODE_FILTER, [^)]*) = 0' "$TMP_ROOT/strace.log"; then
        tap_ok "the hook installs its seccomp filter for an activating container"
    else
        tap_fail "the hook installs its seccomp filter" "exit $rc; $(tr '\n' ' ' <"$TMP_ROOT/strace.log")"
    fi
else
    tap_skip "the hook installs its seccomp filter" "strace not installed"
fi

# --- a state without annotations: the filter is in before the bundle's
# config.json (pod-influenced annotations) is opened.
if command -v strace >/dev/null; then
    new_world
    printf '{"ociVersion": "1.0.2", "annotations": {%s}, "linux": {"cgroupsPath": "/%s"}}\n' \
        "$ANN_DEFAULT" "$CG_PATH" >"$BUNDLE/config.json"
    printf '{"ociVersion": "1.0.2", "id": "abc", "status": "creating", "pid": %s, "bundle": "%s"}' \
        "$PID" "$BUNDLE" >"$TMP_ROOT/s.json"
    set +e
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        strace -f -qq -e trace=seccomp,openat -o "$TMP_ROOT/strace.log" "$HOOK" --config "$CFG" \
        <"$TMP_ROOT/s.json" >/dev/null 2>&1
    rc=$?
    set -e
    filter_line=$(grep -n 'seccomp(SECCOMP_SET_MODE_FILTER, [^)]*) = 0' "$TMP_ROOT/strace.log" | head -1 | cut -d: -f1)
    bundle_line=$(grep -n 'openat([^"]*"config.json"' "$TMP_ROOT/strace.log" | head -1 | cut -d: -f1)
    pinned=$(cat "$CG/cpuset/$CG_PATH/cpuset.cpus")
    if [ $rc = 0 ] && [ -n "$filter_line" ] && [ -n "$bundle_line" ] &&
        [ "$filter_line" -lt "$bundle_line" ] && [ "$pinned" = "0-1" ]; then
        tap_ok "annotations only in the bundle: the filter is installed before config.json is opened, and the container is pinned"
    else
        tap_fail "annotations only in the bundle: filter before config.json" \
            "exit $rc, filter at line '${filter_line}', config.json at line '${bundle_line}', cpuset '$pinned'; $(tr '\n' ' ' <"$TMP_ROOT/strace.log")"
    fi
else
    tap_skip "annotations only in the bundle: filter before config.json" "strace not installed"
fi

# --- the sandboxed hook logs to the journal: socket(AF_UNIX, SOCK_DGRAM) and
# sendto are allowed for that target. A private mount namespace puts a tmpfs on
# /run with a listening datagram socket at /run/systemd/journal/socket.
journal_case() { # NAME TARGET
    new_world
    printf '{"enabled": true, "partitionsFile": "%s", "cgroupRoot": "%s", "procRoot": "%s", "log": {"target": "%s", "level": "debug"}}' \
        "$PARTS" "$CG" "$PROC" "$2" >"$CFG"
    state >"$TMP_ROOT/s.json"
    set +e
    timeout 20 unshare -m --propagation private bash -c '
        set -e
        mount -t tmpfs tmpfs /run
        mkdir -p /run/systemd/journal
        python3 - "$1" <<"PY" &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/run/systemd/journal/socket")
open(sys.argv[1] + ".ready", "w").close()
s.settimeout(10)
try:
    data = s.recv(1 << 20)
except socket.timeout:
    data = b""
open(sys.argv[1], "wb").write(data)
PY
        for i in $(seq 1 100); do [ -e "$1.ready" ] && break; sleep 0.05; done
        "$2" --config "$3" <"$4" >/dev/null 2>"$1.stderr"
        echo $? >"$1.rc"
        wait
    ' _ "$TMP_ROOT/journal.rec" "$HOOK" "$CFG" "$TMP_ROOT/s.json"
    set -e
    local rc rec
    rc=$(cat "$TMP_ROOT/journal.rec.rc" 2>/dev/null || echo none)
    rec=$(tr '\n' ' ' <"$TMP_ROOT/journal.rec" 2>/dev/null || true)
    if [ "$rc" = 0 ] && grep -q 'WP_PARTITION=management' <<<"$rec" && [ "$(cpus)" = 0-1 ]; then
        tap_ok "$1"
    else
        tap_fail "$1" "hook exit $rc; record: ${rec:0:300}; stderr: $(head -c 300 "$TMP_ROOT/journal.rec.stderr" 2>/dev/null)"
    fi
    rm -f "$TMP_ROOT"/journal.rec*
}
if command -v unshare >/dev/null && [ "$(id -u)" -eq 0 ]; then
    journal_case "log target journal: the sandboxed hook sends its record to the journal socket" journal
    journal_case "log target auto with a journal socket: the sandboxed hook picks and reaches it" auto
else
    tap_skip "log target journal under the sandbox" "needs root and unshare"
    tap_skip "log target auto under the sandbox" "needs root and unshare"
fi

# --- the OCI state on stdin: malformed -> exit 2, nothing written.
bad_state() { # NAME FILE REGEX
    new_world
    before
    run_hook "$2"
    expect "$1" 2 no "$3"
    fast "$1"
}
gen() { python3 -c "$1" >"$TMP_ROOT/in.json"; }

gen 'import sys; sys.stdout.write("{\"id\": \"" + "x" * (1 << 20) + "\"}")'
bad_state "state over 1 MiB" "$TMP_ROOT/in.json" 'larger than the limit'
gen 'import sys; sys.stdout.write("[" * 100000 + "]" * 100000)'
bad_state "state nested 100000 deep" "$TMP_ROOT/in.json" 'nesting|depth|deep'
gen 'import sys; sys.stdout.write("{\"a\":" * 33 + "1" + "}" * 33)'
bad_state "state nested 33 deep (limit 32)" "$TMP_ROOT/in.json" 'nesting|depth|deep'
printf '{"id": "\xff\xfe", "pid": 1}' >"$TMP_ROOT/in.json"
bad_state "state with invalid UTF-8 in a string" "$TMP_ROOT/in.json" 'UTF-8|utf'
printf '{"id": "\xc0\xaf", "pid": 1}' >"$TMP_ROOT/in.json"
bad_state "state with an overlong UTF-8 encoding of '/'" "$TMP_ROOT/in.json" 'UTF-8|utf'
printf '{"id": "\xed\xa0\x80", "pid": 1}' >"$TMP_ROOT/in.json"
bad_state "state with a UTF-8-encoded surrogate" "$TMP_ROOT/in.json" 'UTF-8|utf'
printf '{"id": "x", "pid": NaN}' >"$TMP_ROOT/in.json"
bad_state "state with NaN" "$TMP_ROOT/in.json" 'OCI state'
printf '{"id": "x", "pid": Infinity}' >"$TMP_ROOT/in.json"
bad_state "state with Infinity" "$TMP_ROOT/in.json" 'OCI state'
printf '{"id": "x", "pid": 99999999999999999999999}' >"$TMP_ROOT/in.json"
bad_state "state with a pid that overflows int64" "$TMP_ROOT/in.json" 'pid'
printf '{"id": "x", "pid": 4294967338}' >"$TMP_ROOT/in.json"
bad_state "state with a pid that overflows int (2^32 + 42)" "$TMP_ROOT/in.json" 'pid'
printf '{"id": "x", "pid": -1}' >"$TMP_ROOT/in.json"
bad_state "state with a negative pid" "$TMP_ROOT/in.json" 'pid'
printf '{"id": "x", "pid": 42.5}' >"$TMP_ROOT/in.json"
bad_state "state with a fractional pid" "$TMP_ROOT/in.json" 'pid'
printf '{"id": "x", "pid": 1e3}' >"$TMP_ROOT/in.json"
bad_state "state with an exponent pid (1e3)" "$TMP_ROOT/in.json" 'pid'
printf '{"id": "x", "pid": "4242"}' >"$TMP_ROOT/in.json"
bad_state "state with a string pid" "$TMP_ROOT/in.json" 'pid'
printf '{"id": "a\\u0000b", "pid": 1}' >"$TMP_ROOT/in.json"
bad_state "state with an escaped NUL (\\u0000) inside a string" "$TMP_ROOT/in.json" 'NUL|id'
printf '{"id": "a\0b", "pid": 1}' >"$TMP_ROOT/in.json"
bad_state "state with a raw NUL byte inside a string" "$TMP_ROOT/in.json" 'OCI state'
printf '{"id": "x", "pid": 1} {"id": "y"}' >"$TMP_ROOT/in.json"
bad_state "state followed by a second JSON value" "$TMP_ROOT/in.json" 'OCI state'
printf '' >"$TMP_ROOT/in.json"
bad_state "empty state" "$TMP_ROOT/in.json" 'OCI state'
printf '[1, 2]' >"$TMP_ROOT/in.json"
bad_state "state that is an array" "$TMP_ROOT/in.json" 'OCI state'
printf '{"id": "x", "pid": 1, // comment\n}' >"$TMP_ROOT/in.json"
bad_state "state with a comment" "$TMP_ROOT/in.json" 'OCI state'
printf "{'id': 'x'}" >"$TMP_ROOT/in.json"
bad_state "state with single quotes" "$TMP_ROOT/in.json" 'OCI state'
printf '{"id": "x", "pid": 1, "annotations": {"a": 1}}' >"$TMP_ROOT/in.json"
bad_state "state with a non-string annotation value" "$TMP_ROOT/in.json" 'annotations'
printf '{"id": "x", "pid": 1, "annotations": ["a"]}' >"$TMP_ROOT/in.json"
bad_state "state whose annotations are an array" "$TMP_ROOT/in.json" 'annotations'
printf '{"id": "x", "status": "running", "pid": 1}' >"$TMP_ROOT/in.json"
bad_state "state with status 'running' (only creating/created)" "$TMP_ROOT/in.json" 'status'
printf '{"id": "x", "pid": 1, "annotations": {"k\\u0000": "v"}}' >"$TMP_ROOT/in.json"
bad_state "state with a NUL inside an annotation key" "$TMP_ROOT/in.json" 'NUL|annotation'
# json-c keeps object keys as C strings: a key with an escaped NUL must be refused,
# not truncated into the activation annotation.
printf '{"id": "x", "pid": 1, "annotations": {"target.workload.openshift.io/management\\u0000x": "{}"}}' >"$TMP_ROOT/in.json"
bad_state "state with an activation key followed by \\u0000 (truncation attack)" "$TMP_ROOT/in.json" 'NUL|annotation'

# Duplicate keys: the last one wins (docs/DECISIONS.md, Go encoding/json parity).
new_world
write_partitions '"management": {"cpuset": "0-1", "defaults": {"cpushares": 512}}'
run_state "{\"id\": \"abc\", \"status\": \"creating\", \"pid\": 1, \"pid\": $PID, \"bundle\": \"$BUNDLE\", \"annotations\": {$(ovr '{"cpushares": 300}'), \"resources.workload.openshift.io/app\": \"{\\\"cpushares\\\": 700}\"}}"
expect "duplicate keys in the state: the last pid and the last annotation win" 0 yes
[ "$(shares)" = 700 ] && tap_ok "duplicate annotation keys: cpu.shares is the last value (700)" ||
    tap_fail "duplicate annotation keys: the last wins" "cpu.shares is $(shares)"

# 10,000 annotations: accepted, applied, fast.
new_world
python3 - "$PID" "$BUNDLE" >"$TMP_ROOT/in.json" <<'EOF'
import json, sys
ann = {f"example.com/key-{i}": "v" * 20 for i in range(10000)}
ann["target.workload.openshift.io/management"] = "{}"
print(json.dumps({"ociVersion": "1.0.2", "id": "abc", "status": "creating",
                  "pid": int(sys.argv[1]), "bundle": sys.argv[2], "annotations": ann}))
EOF
run_hook "$TMP_ROOT/in.json"
expect "10,000 annotations: applied" 0 yes
fast "10,000 annotations"

# 100,000 annotations, still under 1 MiB? No: it is over, so refused as too large.
python3 -c 'import json; print(json.dumps({"id": "x", "annotations": {str(i): "" for i in range(100000)}}))' >"$TMP_ROOT/in.json"
bad_state "100,000 annotations (over 1 MiB)" "$TMP_ROOT/in.json" 'larger than the limit'

# --- the per-container override annotation: malformed -> failurePolicy (fail -> 1).
bad_override() { # NAME OVERRIDE REGEX
    new_world
    before
    run_state "$(state "$(ovr "$2")")"
    expect "$1" 1 no "$3"
    fast "$1"
}
bad_override "override cpuset \"0-4294967295\"" '{"cpuset": "0-4294967295"}' 'cpuset'
bad_override "override cpuset \"4294967296\" (over 2^32)" '{"cpuset": "4294967296"}' 'cpuset'
bad_override "override cpuset \"0-18446744073709551616\" (over 2^64)" '{"cpuset": "0-18446744073709551616"}' 'cpuset'
bad_override "override cpuset \"8192\" (>= kMaxCpus)" '{"cpuset": "8192"}' 'cpuset'
bad_override "override cpuset outside the partition (0-3 vs 0-1)" '{"cpuset": "0-3"}' 'cpuset'
bad_override "override cpuset descending range \"3-1\"" '{"cpuset": "3-1"}' 'cpuset'
bad_override "override cpuset \"0,,1\"" '{"cpuset": "0,,1"}' 'cpuset'
bad_override "override cpuset \"-1\"" '{"cpuset": "-1"}' 'cpuset'
bad_override "override cpuset with an inner space \"0, 1\"" '{"cpuset": "0, 1"}' 'cpuset'
bad_override "override cpuset listing CPUs 0..99999 (ids >= 8192)" "{\"cpuset\": \"$(python3 -c 'print(",".join(map(str, range(100000))))')\"}" 'cpuset'
# "0,0,...,0" 100,000 times is a valid list (the kernel accepts repeats): CPU 0, quickly.
new_world
echo 0 >"$CG/cpuset/$CG_PATH/cpuset.effective_cpus"
run_state "$(state "$(ovr "{\"cpuset\": \"$(python3 -c 'print(",".join(["0"] * 100000))')\"}")")"
expect "override cpuset \"0,0,...\" (100,000 repeats): applied as CPU 0" 0 maybe
[ "$(cpus)" = 0 ] && tap_ok "override cpuset of 100,000 repeats: cpuset.cpus is \"0\"" ||
    tap_fail "override cpuset of 100,000 repeats: cpuset.cpus is \"0\"" "cpuset.cpus is $(cpus)"
fast "override cpuset of 100,000 repeats"
bad_override "override cpushares 1 (below 2)" '{"cpushares": 1}' 'cpushares'
bad_override "override cpushares 262145 (above 262144)" '{"cpushares": 262145}' 'cpushares'
bad_override "override cpushares -5" '{"cpushares": -5}' 'cpushares'
bad_override "override cpushares that overflows int64" '{"cpushares": 99999999999999999999}' 'cpushares'
bad_override "override cpushares 4.5e2 (not an integer)" '{"cpushares": 4.5e2}' 'cpushares'
bad_override "override cpushares \"400\" (a string)" '{"cpushares": "400"}' 'cpushares'
bad_override "override cpushares NaN" '{"cpushares": NaN}' 'resources.workload.openshift.io/app'
bad_override "override cpulimit 9223372036854775807 (quota would overflow)" '{"cpulimit": 9223372036854775807}' 'cpulimit'
bad_override "override cpuperiod 999 (below 1000)" '{"cpuperiod": 999}' 'cpuperiod'
bad_override "override cpuperiod 1000001 (above 1000000)" '{"cpuperiod": 1000001}' 'cpuperiod'
bad_override "override cpuquota 999 (below 1000)" '{"cpuquota": 999}' 'cpuquota'
bad_override "override that is not JSON" '{cpushares: 400' 'resources.workload.openshift.io/app'
bad_override "override that is a JSON array" '[400]' 'resources.workload.openshift.io/app'
bad_override "override nested 1000 deep" "$(python3 -c 'print("{\"a\":" * 1000 + "1" + "}" * 1000)')" 'resources.workload.openshift.io/app'
bad_override "override with an escaped NUL in the cpuset" '{"cpuset": "0\u00001"}' 'cpuset|NUL'

# Raw invalid UTF-8 cannot reach an annotation value inside a valid state (the
# state itself would be refused, above); the nearest is a lone surrogate escape,
# which JSON allows: accepted, as Go's encoding/json does (it reads U+FFFD).
new_world
run_state "$(state "$(ovr '{"cpushares": 400, "x": "\udcff"}')")"
expect "override with a lone surrogate escape (\\udcff): accepted like Go, applied" 0 yes
[ "$(shares)" = 400 ] && tap_ok "override with a lone surrogate escape: cpu.shares is 400" ||
    tap_fail "override with a lone surrogate escape: cpu.shares is 400" "cpu.shares is $(shares)"

# Duplicate keys in the override: the last wins.
new_world
run_state "$(state "$(ovr '{"cpushares": 300, "cpushares": 900}')")"
expect "override with a duplicate key: accepted" 0 yes
[ "$(shares)" = 900 ] && tap_ok "override duplicate keys: the last value (900) is written" ||
    tap_fail "override duplicate keys: the last wins" "cpu.shares is $(shares)"

# 10,000 unknown keys: ignored (logged), applied, fast.
new_world
big=$(python3 -c 'import json; d={f"k{i}": i for i in range(10000)}; d["cpushares"]=400; print(json.dumps(d))')
run_state "$(state "$(ovr "$big")")"
expect "override with 10,000 unknown keys: applied" 0 yes
fast "override with 10,000 unknown keys"

# Two activated partitions: refused (CRI-O would pick one at random).
new_world
write_partitions '"management": {"cpuset": "0-1"}, "infra": {"cpuset": "2-3"}'
before
run_state "$(state "$ACT, \"target.workload.openshift.io/infra\": \"{}\"")"
expect "two activated partitions: refused" 1 no 'infra|management'

# failurePolicy ignore: the same malformed override is logged, exit 0, nothing written.
new_world
write_config '"enabled": true, "failurePolicy": "ignore"'
before
run_state "$(state "$(ovr '{"cpuset": "0-4294967295"}')")"
expect "failurePolicy ignore: a malformed override exits 0 and writes nothing" 0 no 'cpuset'

# --- the node config: malformed -> 2 for an activating pod, 0 otherwise.
bad_config() { # NAME CONFIG_TEXT REGEX
    new_world
    printf '%s' "$2" >"$CFG"
    before
    run_state "$(state)"
    expect "$1" 2 no "$3"
}
bad_config "config with NaN" '{"enabled": true, "x": NaN}' 'config.json'
bad_config "config with an unknown key (typo 'enable')" '{"enabled": true, "enable": true}' 'enable'
bad_config "config with invalid UTF-8" $'{"enabled": true, "procRoot": "\xff"}' 'config.json'
bad_config "config nested 100 deep" "$(python3 -c 'print("{\"log\":" * 100 + "1" + "}" * 100)')" 'config.json'
bad_config "config with mode \"enforcing\" (not a mode)" '{"enabled": true, "mode": "enforcing"}' 'mode'
bad_config "config with enabled \"yes\" (not a bool)" '{"enabled": "yes"}' 'enabled'
bad_config "config with a NUL in cgroupRoot" '{"enabled": true, "cgroupRoot": "/sys\u0000/x"}' 'cgroupRoot|NUL'
new_world
printf '%s' '{"enabled": true, "x": NaN}' >"$CFG"
before
run_state "$(state '"io.kubernetes.container.name": "app"')"
expect "malformed config, container without a partition: exit 0, nothing written" 0 no
new_world
printf '{"enabled": true, "partitionsFile": "%s", "cgroupRoot": "%s", "procRoot": "%s", "log": {"target": "stderr"}, "enabled": false}' \
    "$PARTS" "$CG" "$PROC" >"$CFG"
before
run_state "$(state)"
expect "config with duplicate 'enabled' (true then false): the last wins, nothing written" 0 no

# --- the merged partition file: malformed -> failurePolicy for an activating pod.
bad_parts() { # NAME TEXT REGEX
    new_world
    printf '%s' "$2" >"$PARTS"
    before
    run_state "$(state)"
    expect "$1" 1 no "$3"
}
bad_parts "partition file with cpuset \"0-4294967295\"" '{"version": 1, "partitions": {"management": {"cpuset": "0-4294967295"}}}' 'cpuset'
bad_parts "partition file with version 2" '{"version": 2, "partitions": {}}' 'version'
bad_parts "partition file with an invalid partition name" '{"version": 1, "partitions": {"Bad_Name": {"cpuset": "0"}}}' 'Bad_Name'
bad_parts "partition file with Infinity" '{"version": 1, "partitions": {"management": {"cpuset": "0", "defaults": {"cpushares": Infinity}}}}' 'partitions.json'
bad_parts "partition file with defaults.cpushares overflowing int64" '{"version": 1, "partitions": {"management": {"cpuset": "0", "defaults": {"cpushares": 1e999}}}}' 'partitions.json|cpushares'
python3 -c 'import json; print(json.dumps({"version": 1, "partitions": {f"p{i}": {"cpuset": ""} for i in range(5000)}}))' >"$TMP_ROOT/p.json"
bad_parts "partition file with 5000 partitions (over 4096)" "$(cat "$TMP_ROOT/p.json")" 'partitions'
fast "partition file with 5000 partitions"

tap_done
