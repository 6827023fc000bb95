#!/usr/bin/env bash
# TAP suite: the hook's integration tests (tests/integration/run.sh) with every
# hook run under valgrind --error-exitcode=1 --leak-check=full. Each run writes
# its own valgrind log; the last test requires all of them to be empty (no
# invalid access, no uninitialised read, no leak), because a valgrind error in
# a run that is expected to exit 1 anyway would not show in its exit code.
# Runs the dynamically linked copy of the hook (valgrind cannot see malloc in a
# static binary); valgrind does not implement seccomp(2), so no filter here.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
DYN=${VALGRIND_HOOK:-${BUILD:-build}/tests/security/workload-partitioning-hook-dynamic}
[[ "$DYN" == /* ]] || DYN=$repo/$DYN

skip() {
    echo "1..1"
    echo "ok 1 - integration tests under valgrind # SKIP $1"
    exit 0
}
[ "${WP_SKIP_VALGRIND_INTEGRATION:-0}" = 1 ] && skip "WP_SKIP_VALGRIND_INTEGRATION=1"
[ -x "$DYN" ] || skip "$DYN not built (make BUILD=... $DYN)"
command -v valgrind >/dev/null || skip "valgrind not installed"
if ldd "$DYN" 2>/dev/null | grep -q 'libasan\|libubsan\|libtsan'; then
    skip "sanitizer build (SANITIZE=...): ASan and valgrind exclude each other"
fi

T=$(mktemp -d /tmp/wp-vg-integration.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/bin" "$T/logs"
cat >"$T/bin/workload-partitioning-hook" <<EOF
#!/bin/sh
exec valgrind -q --error-exitcode=1 --leak-check=full \\
    --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible \\
    --log-file="$T/logs/vg.%p.log" "$DYN" "\$@"
EOF
chmod 0755 "$T/bin/workload-partitioning-hook"

# valgrind makes each run 20-50 times slower; a loaded machine more: a longer bound.
WP_HOOK_TIMEOUT=120 BUILD=$T/bin "$repo/tests/integration/run.sh" >"$T/out" 2>&1
rc=$?
# The integration suite's own lines, named as run under valgrind; its plan is replaced by ours.
n=0
while IFS= read -r line; do
    if [[ "$line" =~ ^(not\ ok|ok)\ ([0-9]+)\ -\ (.*)$ ]]; then
        n=${BASH_REMATCH[2]}
        echo "${BASH_REMATCH[1]} $n - valgrind: ${BASH_REMATCH[3]}"
    elif [[ "$line" =~ ^1\.\.[0-9]+$ || "$line" =~ ^TAP\ version ]]; then
        :
    else
        echo "$line"
    fi
done <"$T/out"
runs=$(find "$T/logs" -name 'vg.*.log' | wc -l)
bad=$(find "$T/logs" -name 'vg.*.log' -size +0c | sort)
n=$((n + 1))
if [ "$runs" -eq 0 ]; then
    echo "not ok $n - valgrind ran the hook (no valgrind log at all; integration suite exit $rc)"
elif [ -z "$bad" ]; then
    echo "ok $n - no valgrind error and no leak in $runs hook runs"
else
    echo "not ok $n - no valgrind error and no leak in $runs hook runs"
    for f in $bad; do
        echo "# $(basename "$f"):"
        head -n 30 "$f" | sed 's/^/#   /'
    done
fi
echo "1..$n"
