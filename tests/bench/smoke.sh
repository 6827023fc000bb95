#!/usr/bin/env bash
# Smoke test of the benchmark suite (make test): runs wp-bench with a handful
# of iterations and checks that results.json is valid JSON with every key.
# No timing is asserted: timings belong to `make bench` and docs/PERFORMANCE.md.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
dir=$BUILD/bench
hook=$BUILD/workload-partitioning-hook
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { # check NAME JQ-FILTER: the filter must print true
    if [ "$(jq -r "$2" "$json" 2>&1)" = true ]; then ok "$1"; else notok "$1"; fi
}

if ! command -v jq >/dev/null; then skip "bench smoke" "jq is not installed"; exit 0; fi
for f in "$dir/wp-bench" "$dir/noop" "$dir/rssprobe" "$hook"; do
    if [ ! -x "$f" ]; then skip "bench smoke" "$f is not built (make bench-tools all)"; exit 0; fi
done

json=$(mktemp /tmp/wp-bench-smoke.XXXXXX.json)
out=$(mktemp /tmp/wp-bench-smoke.XXXXXX.txt)
work=$(mktemp -d /tmp/wp-bench-smoke.XXXXXX)
trap 'rm -rf "$json" "$out" "$work"' EXIT
if "$dir/wp-bench" --quick --hook "$hook" --floor "$dir/noop" --probe "$dir/rssprobe" \
    --jq-hook tests/bench/jq-hook.sh --json "$json" --work "$work" --keep >"$out" 2>&1; then
    ok "wp-bench --quick exits 0"
else
    notok "wp-bench --quick exits 0"
    sed 's/^/# /' "$out"
fi
if jq -e . "$json" >/dev/null 2>&1; then ok "results.json is valid JSON"; else
    notok "results.json is valid JSON"
    exit 0
fi
grep -q '^case ' "$out" && grep -q '^targets' "$out" && ok "the table is printed" ||
    notok "the table is printed"

check "machine and hook keys" \
    '(.machine | has("kernel") and has("cpu") and has("cpus") and has("cgroup")) and (.hook | has("path") and has("static"))'

stat_keys='has("n") and has("median_us") and has("p99_us") and has("min_us") and has("mean_us") and has("ratio_to_floor") and has("peak_rss_kib") and has("failures")'
# Cases that must always run: a broken hook shows up here as "skipped".
for c in floor unannotated fake_pin jq_hook; do
    if [ "$(jq -r ".cases.$c | has(\"skipped\")" "$json")" = true ]; then
        notok "case $c ran: $(jq -r ".cases.$c.skipped" "$json")"
    else
        check "case $c has every key, no failed run" \
            ".cases.$c | ($stat_keys) and .failures == 0 and .n > 0 and (.median_us > 0)"
    fi
done
check "the floor's ratio is 1" '.cases.floor.ratio_to_floor == 1'
check "the hook's peak RSS is measured" '.cases.fake_pin.peak_rss_kib > 0'
# Cases that need root, cgroup v1 and runc: skipped with a reason elsewhere.
for c in real_pin runc runc_floor_hook runc_hook runc_hook_all_cpus; do
    why=$(jq -r ".cases.$c.skipped // empty" "$json")
    if [[ $why == validation* ]]; then
        notok "case $c ran: $why" # the environment allows it, the hook failed it
    elif [ -n "$why" ]; then
        skip "case $c has every key" "$why"
    else
        check "case $c has every key, no failed run" \
            ".cases.$c | ($stat_keys) and .failures == 0 and .n > 0"
    fi
done
check "runc_hook_overhead_pct key" 'has("runc_hook_overhead_pct")'
for c in annotations state_bytes bundle_config_bytes cpuset_width cpuset_ranges partitions concurrent_hooks; do
    why=$(jq -r ".curves.$c.skipped // empty" "$json")
    if [ -n "$why" ]; then
        notok "curve $c ran: $why"
    else
        check "curve $c has points and a verdict, no failed run" \
            ".curves.$c | (.points | length >= 2) and (.points | all(has(\"x\") and has(\"median_us\") and has(\"p99_us\") and .median_us > 0)) and (.verdict | IN(\"flat\", \"linear\", \"superlinear\")) and has(\"growth_exponent\") and has(\"us_per_unit\") and has(\"verdict_cpu\")"
    fi
done
for t in unannotated_ratio pin_ratio runc_overhead_pct peak_rss_kib jq_over_pin; do
    check "target $t has value, limit and met" \
        ".targets.$t | has(\"value\") and has(\"limit\") and has(\"met\") and has(\"what\")"
done
# What the hook reads (docs/PERFORMANCE.md): the unannotated path reads stdin and the two
# small files and nothing else; the bundle's config.json is read only when the
# state has no annotations. Checked with strace on the harness's own inputs.
files_opened() { # STATE: the paths the hook opens, one a line
    strace -f -qq -e trace=open,openat,execve,socket -o "$work/strace.txt" \
        "$hook" --config "$work/config.json" <"$1" >/dev/null 2>&1
    # A sanitizer build is linked dynamically: what the loader and the sanitizer
    # runtime open (ld.so.cache, shared objects, /proc/self/*) is not the hook's
    # reading. The static release hook opens none of these.
    grep -oE '(open|openat)\([^"]*"[^"]*"' "$work/strace.txt" | sed 's/.*"\(.*\)"/\1/' |
        grep -vE '^/etc/ld\.so\.cache$|\.so(\.[0-9]+)*$|^/proc/self/' || true
}
if ! command -v strace >/dev/null; then
    skip "hook reads only what it needs" "strace is not installed"
elif [ ! -f "$work/state-unannotated.json" ]; then
    notok "hook reads only what it needs: the harness left no inputs in $work"
else
    got=$(files_opened "$work/state-unannotated.json" | sort | tr '\n' ' ')
    want=$(printf '%s\n' "$work/config.json" "$work/partitions.json" | sort | tr '\n' ' ')
    if [ "$got" = "$want" ]; then ok "unannotated: opens only the node config and the partition file"
    else notok "unannotated: opens only the node config and the partition file (opened: $got)"; fi
    others=$(grep -cE '^[0-9]+ +(execve|socket)' "$work/strace.txt")
    if [ "$others" -eq 1 ]; then ok "unannotated: no exec, no socket"
    else notok "unannotated: no exec, no socket ($others calls)"; fi
    # The hook opens the bundle directory, then "config.json" relative to it.
    reads_bundle() { files_opened "$1" | grep -qE '(/bundle[^/]*$|^config\.json$)'; }
    if reads_bundle "$work/state-pin.json"; then
        notok "annotated state: the bundle's config.json is not read"
    else ok "annotated state: the bundle's config.json is not read"; fi
    nb=$(ls "$work"/curves/nobundleann-*.json 2>/dev/null | head -1)
    if [ -z "$nb" ]; then notok "state without annotations: no input to check"
    elif reads_bundle "$nb"; then ok "state without annotations: the bundle's config.json is read"
    else notok "state without annotations: the bundle's config.json is read"; fi
fi
# A failing run is reported as a failure, never dropped from the figures: a hook
# that fails every third run after the validation and warm-up runs (one counter
# for (b) and (c), whose first 8 runs are those) must make wp-bench exit
# non-zero, mark (b) and (c) FAILED with no figure, print the error once per
# case, and fail the targets that need them.
flaky=$work/flaky
mkdir -p "$flaky"
printf '%s\n' '#!/bin/bash' \
    "count=$flaky/count" \
    'n=$(($(cat "$count" 2>/dev/null || echo 0) + 1))' \
    'echo "$n" >"$count"' \
    'if [ "$n" -gt 8 ] && [ $((n % 3)) -eq 0 ]; then' \
    '    echo "flaky-hook: injected failure" >&2' \
    '    echo "second line, never shown" >&2' \
    '    exit 3' \
    'fi' \
    "exec $PWD/$hook \"\$@\"" >"$flaky/hook"
chmod 755 "$flaky/hook"
if "$dir/wp-bench" --iterations 12 --hook "$flaky/hook" --floor "$dir/noop" --probe "$dir/rssprobe" \
    --skip-real --skip-runc --no-curves --no-nice --json "$flaky/results.json" \
    --work "$flaky/work" >"$flaky/out" 2>"$flaky/err"; then
    notok "failing runs: wp-bench exits non-zero"
else ok "failing runs: wp-bench exits non-zero"; fi
json=$flaky/results.json
check "failing runs: (b) and (c) are FAILED, counted, with the exit status and the first stderr line" \
    '[.cases.unannotated, .cases.fake_pin] | all(.failed == true and .failures > 0 and (has("median_us") | not) and (.errors | length == 1) and .errors[0].error == "exit 3: flaky-hook: injected failure" and .errors[0].count == .failures)'
check "failing runs: the floor still gives a figure" '.cases.floor.failed == false and .cases.floor.median_us > 0'
check "failing runs: the targets that need (b) and (c) are FAILED" \
    '.targets.unannotated_ratio.state == "FAILED" and .targets.pin_ratio.state == "FAILED" and .targets.pin_ratio.met == false'
nerr=$(grep -c 'FAILED (exit 3: flaky-hook: injected failure)' "$flaky/err")
if [ "$nerr" -eq 2 ]; then ok "failing runs: each case's error is printed once"
else
    notok "failing runs: each case's error is printed once ($nerr times)"
    sed 's/^/# /' "$flaky/err"
fi
if grep -q '^(c) hook pins, fake v1 tree, sandbox on *FAILED' "$flaky/out" &&
    grep -qE '[0-9]+ x .*exit 3: flaky-hook: injected failure' "$flaky/out"; then
    ok "failing runs: the table says FAILED, not a figure"
else
    notok "failing runs: the table says FAILED, not a figure"
    sed 's/^/# /' "$flaky/out"
fi

# No libcgroup in the hook (docs/DECISIONS.md: its cgroup_init alone costs ~0.5 ms).
if ! command -v nm >/dev/null || ! nm "$hook" >/dev/null 2>&1; then
    skip "the hook does not contain libcgroup" "nm cannot read $hook (stripped?)"
elif nm "$hook" | grep -qE ' [TtWwU] cgroup_init$'; then
    notok "the hook does not contain libcgroup (cgroup_init is linked in)"
else ok "the hook does not contain libcgroup"; fi
echo "1..$n"
