#!/usr/bin/env bash
# Runs each libFuzzer harness for a bounded time.
#   tests/fuzz/run.sh SECONDS FUZZ_DIR HARNESS...
# The seed corpus tests/fuzz/corpus/<harness>/ is read, never written: new
# inputs go to FUZZ_DIR/corpus/<harness>/, crashes to FUZZ_DIR/artifacts/<harness>/.
# Exits non-zero when any harness finds a crash, a leak, a timeout or an OOM.
set -euo pipefail
seconds=$1 dir=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
failed=()
for h in "$@"; do
    bin=$dir/fuzz_$h
    seed=$here/corpus/$h
    work=$dir/corpus/$h
    art=$dir/artifacts/$h/
    mkdir -p "$work" "$art"
    [ -d "$seed" ] || { echo "fuzz: no seed corpus $seed" >&2; failed+=("$h"); continue; }
    echo "== fuzz_$h for ${seconds}s"
    # -timeout: one input taking over 10 s is a hang; -rss_limit_mb bounds memory.
    if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$art" -print_final_stats=1 "$work" "$seed" \
        >"$dir/fuzz_$h.log" 2>&1; then
        grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$dir/fuzz_$h.log" | sed 's/^/   /'
        echo "   ok: no crash ($(find "$work" -type f | wc -l) corpus entries)"
    else
        echo "   FAILED: see $dir/fuzz_$h.log and $art" >&2
        grep -E 'ERROR:|SUMMARY:|invariant|Test unit written' "$dir/fuzz_$h.log" | head -5 | sed 's/^/   /' >&2
        failed+=("$h")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: failures in: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: all harnesses ran ${seconds}s without a finding"
