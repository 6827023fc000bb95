#!/usr/bin/env bash
# Runs test suites and prints one summary line: "N passed, N failed, N skipped".
# Each argument is a suite: an executable that prints TAP lines
#   ok N - name | not ok N - name | ok N - name # SKIP reason | 1..0 # SKIP reason
#   (and CMocka's "not ok N # SKIP name", a skip)
# A suite that exits non-zero without a "not ok" line counts as one failure.
set -u
passed=0 failed=0 skipped=0
log_dir=${TEST_LOG_DIR:-${BUILD:-build}/test-logs}
mkdir -p "$log_dir"
for suite in "$@"; do
    name=$(basename "$(dirname "$suite")")-$(basename "$suite")
    out="$log_dir/$name.log"
    echo "== $suite"
    CMOCKA_MESSAGE_OUTPUT=TAP "$suite" >"$out" 2>&1
    rc=$?
    p=$(grep -Ec '^ok [0-9]+' "$out" | head -1)
    s=$(grep -Eci '^ok [0-9]+.*# *skip' "$out" | head -1)
    p=$((p - s))
    # CMocka's TAP output marks a skipped test "not ok N # SKIP name".
    cs=$(grep -Eci '^not ok [0-9]+ *# *skip' "$out" | head -1)
    f=$(($(grep -Ec '^not ok [0-9]+' "$out" | head -1) - cs))
    s=$((s + cs))
    # A suite that skips as a whole prints the plan "1..0 # SKIP reason".
    if [ "$p" -eq 0 ] && [ "$s" -eq 0 ] && [ "$f" -eq 0 ] && grep -Eqi '^1\.\.0 *# *skip' "$out"; then
        s=1
        grep -Ei '^1\.\.0 *# *skip' "$out" | head -1 | sed 's/^/   /'
    fi
    grep -E '^(not ok|ok [0-9]+.*# *[Ss][Kk][Ii][Pp])' "$out" | sed 's/^/   /'
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "   suite exited $rc without a failing test line; last lines:"
        tail -n 15 "$out" | sed 's/^/   | /'
        f=1
    fi
    echo "   $p passed, $f failed, $s skipped (log: $out)"
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
