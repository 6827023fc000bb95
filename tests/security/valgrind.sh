#!/usr/bin/env bash
# TAP suite: the hook's main paths under valgrind --error-exitcode=1
# --leak-check=full: no invalid read or write, no use of uninitialised memory,
# no leak. The hook is linked statically for production; valgrind cannot
# replace malloc in a static binary, so this suite runs the dynamically linked
# copy of the same objects ($BUILD/tests/security/workload-partitioning-hook-dynamic).
# Under valgrind the seccomp filter is not installed (valgrind does not
# implement seccomp(2)); the other suites run the real, sandboxed hook.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
HOOK=${VALGRIND_HOOK:-${BUILD:-build}/tests/security/workload-partitioning-hook-dynamic}
. "$here/lib.sh"
require_hook "valgrind"
if ! command -v valgrind >/dev/null; then
    echo "1..1"
    echo "ok 1 - valgrind # SKIP valgrind not installed"
    DONE=1
    exit 0
fi
if ldd "$HOOK" 2>/dev/null | grep -q 'libasan\|libubsan\|libtsan'; then
    echo "1..1"
    echo "ok 1 - valgrind # SKIP sanitizer build (SANITIZE=...): ASan and valgrind exclude each other"
    DONE=1
    exit 0
fi
HOOK_TIMEOUT=60
HOOK_WRAPPER=(valgrind -q --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible --track-fds=no
    --log-file="$TMP_ROOT/vg.log")

# vg NAME WANT_RC STATE_TEXT — one path of the hook under valgrind.
vg() {
    local name=$1 want=$2
    rm -f "$TMP_ROOT/vg.log"
    run_state "$3"
    local why=()
    # A valgrind error turns exit 0 into 1; for paths that exit 1 on their own,
    # the log decides.
    [ "$RC" = "$want" ] || why+=("exit $RC, want $want: $(head -c 600 <<<"$ERR" | tr '\n' ' ')")
    if [ -s "$TMP_ROOT/vg.log" ]; then why+=("valgrind: $(head -c 1500 "$TMP_ROOT/vg.log" | tr '\n' ' ')"); fi
    if [ ${#why[@]} -eq 0 ]; then tap_ok "valgrind: $name (exit $RC, ${ELAPSED_MS} ms)"; else
        tap_fail "valgrind: $name" "${why[@]}"
    fi
}
ACT='"target.workload.openshift.io/management": "{}"'

new_world
vg "applied: cpuset" 0 "$(state)"
[ "$(cpus)" = 0-1 ] && tap_ok "valgrind: the applied path really wrote cpuset.cpus" ||
    tap_fail "valgrind: the applied path wrote cpuset.cpus" "cpuset.cpus is $(cpus)"

new_world
write_partitions '"management": {"cpuset": "0-1", "defaults": {"cpushares": 512, "cpuquota": 50000, "cpuperiod": 100000}}'
vg "applied: cpuset, shares, quota and period from the partition defaults" 0 "$(state)"

new_world
echo 1 >"$CG/cpuset/$CG_PATH/cpuset.effective_cpus"
vg "applied: a per-container override (cpushares, cpulimit, cpuset)" 0 \
    "$(state "$ACT, \"io.kubernetes.container.name\": \"app\", \"resources.workload.openshift.io/app\": \"{\\\"cpushares\\\": 400, \\\"cpulimit\\\": 500, \\\"cpuset\\\": \\\"1\\\"}\"")"

new_world
write_config '"enabled": true, "mode": "audit"'
vg "audit mode" 0 "$(state)"

new_world
vg "not activated" 0 "$(state '"io.kubernetes.container.name": "app"')"

new_world
write_config '"enabled": false'
vg "disabled" 0 "$(state)"

new_world
rm "$CFG"
vg "no config file" 0 "$(state)"

new_world
chmod 0666 "$CFG"
vg "untrusted (world-writable) config" 0 "$(state)"

new_world
rm "$PARTS"
vg "no partition file" 0 "$(state)"

new_world
vg "malformed state" 2 '{"id": "x", "pid": NaN}'

new_world
vg "state nested too deep" 2 "$(python3 -c 'print("[" * 5000 + "]" * 5000)')"

new_world
vg "malformed override: refused" 1 \
    "$(state "$ACT, \"io.kubernetes.container.name\": \"app\", \"resources.workload.openshift.io/app\": \"{\\\"cpuset\\\": \\\"0-4294967295\\\"}\"")"

new_world
write_partitions '"management": {"cpuset": "0-1"}, "infra": {"cpuset": "2-3"}'
vg "two activated partitions: refused" 1 "$(state "$ACT, \"target.workload.openshift.io/infra\": \"{}\"")"

new_world
rm -r "${PROC:?}/$PID"
vg "pid gone: linux.cgroupsPath fallback" 0 "$(state)"

new_world
proc_cg=$PROC/$PID/cgroup
printf '4:cpuset:/%s/../..\n3:cpu,cpuacct:/%s\n' "$CG_PATH" "$CG_PATH" >"$proc_cg"
vg "cgroup path with '..': refused" 1 "$(state)"

new_world
rm "$CG/cpuset/$CG_PATH/cpuset.cpus"
ln -s /etc/hostname "$CG/cpuset/$CG_PATH/cpuset.cpus"
vg "cpuset.cpus is a symlink: refused, rollback path" 1 "$(state)"

new_world
echo "2-3" >"$CG/cpuset/$CG_PATH/cpuset.effective_cpus"
vg "read-back mismatch: refused, previous content restored" 1 "$(state)"
[ "$(cpus)" = 0-3 ] && tap_ok "valgrind: after the read-back mismatch cpuset.cpus is restored (0-3)" ||
    tap_fail "valgrind: cpuset.cpus restored after a read-back mismatch" "cpuset.cpus is $(cpus)"

new_world
printf '{"enabled": true, "partitionsFile": "%s", "cgroupRoot": "%s", "procRoot": "%s", "log": {"target": "journal"}}' \
    "$PARTS" "$CG" "$PROC" >"$CFG"
vg "journal log target (socket absent: falls back to stderr)" 0 "$(state)"

new_world
python3 - "$PID" "$BUNDLE" >"$TMP_ROOT/big.json" <<'EOF'
import json, sys
ann = {f"example.com/key-{i}": "v" * 20 for i in range(10000)}
ann["target.workload.openshift.io/management"] = "{}"
print(json.dumps({"ociVersion": "1.0.2", "id": "abc", "status": "creating",
                  "pid": int(sys.argv[1]), "bundle": sys.argv[2], "annotations": ann}))
EOF
vg "10,000 annotations" 0 "$(cat "$TMP_ROOT/big.json")"

tap_done
