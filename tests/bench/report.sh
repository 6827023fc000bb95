#!/usr/bin/env bash
# report.sh [results.json]: renders wp-bench's JSON as the Markdown tables of
# docs/PERFORMANCE.md ("Latest figures"), so the doc is updated from a run, not by hand.
set -euo pipefail
json=${1:-build/bench/results.json}
jq -r '
def f1: if . == null then "n/a" else (. * 10 | round / 10 | tostring) end;
def f2: if . == null then "n/a" else (. * 100 | round / 100 | tostring) end;
def f0: if . == null then "n/a" else (round | tostring) end;
def met($m): if $m == null then "unknown" elif $m then "met" else "**not met**" end;
def state($t): if $t.state == "met" then "met" elif $t.state == "NOT met" then "**not met**" elif $t.state == "uncertain" then "uncertain (± \($t.noise | f2))" else met($t.met) end;
"Run \(.timestamp): \(.machine.cpu), \(.machine.cpus) CPUs, kernel \(.machine.kernel), cgroup \(.machine.cgroup), "
+ "1-min load average \(.machine.loadavg_start) at start and \(.machine.loadavg_end) at end, nice \(.machine.nice)\(if (.machine.realtime_cpu // -1) >= 0 then ", SCHED_FIFO on CPU \(.machine.realtime_cpu) (--realtime)" else "" end). "
+ "Hook \(if .hook.static then "statically" else "dynamically" end) linked. Iterations: \(.iterations.fast) "
+ "(jq \(.iterations.slow), runc \(.iterations.runc), \(.iterations.curve) a curve point).",
"",
"| case | n | median µs | p99 µs | × floor | CPU µs (user+sys) | CPU × floor | peak RSS |",
"|---|---:|---:|---:|---:|---:|---:|---:|",
(.cases | to_entries[] | .value as $c |
  if $c.skipped then "| \($c.label) | skipped: \($c.skipped) | | | | | | |"
  elif $c.failed then "| \($c.label) | **FAILED**: \($c.failures) failed runs: \([$c.errors[] | "\(.count) × `\(.error)`"] | join("; ")) | | | | | | |"
  else "| \($c.label) | \($c.n) | \($c.median_us | f1) | \($c.p99_us | f1) | \($c.ratio_to_floor | f2) | \($c.cpu_median_us | f0) | \($c.cpu_ratio_to_floor | f2) | \(if $c.peak_rss_kib then "\($c.peak_rss_kib) KiB" else "-" end) |" end),
"",
"| target | limit | wall-time median | | CPU time | |",
"|---|---:|---:|---|---:|---|",
(.targets | to_entries[] | .value as $t |
  "| \($t.what) | \($t.compare) \($t.limit | f2) \($t.unit) | \($t.value | f2) \($t.unit) | \(state($t)) | \($t.value_cpu | f2) | \(if $t.value_cpu == null then "" else met($t.met_cpu) end) |"),
"",
(.curves | to_entries[] | .value as $c |
  "**\($c.label)** — verdict: \($c.verdict) by wall time (growth exponent \($c.growth_exponent | f2), \($c.us_per_unit | f2) µs per \($c.unit) above the first point)\(if $c.verdict_cpu != "n/a" then ", \($c.verdict_cpu) by CPU time (exponent \($c.growth_exponent_cpu | f2), \($c.us_per_unit_cpu | f2) µs per \($c.unit))" else "" end)\(if $c.skipped then "; incomplete: \($c.skipped)" else "" end)\(if $c.failed then "; **FAILED**: \($c.failures) failed runs: \([$c.errors[] | "\(.count) × `\(.error)`"] | join("; "))" else "" end)",
  "",
  "| \($c.unit) | median µs | p99 µs | CPU µs | peak RSS |",
  "|---:|---:|---:|---:|---:|",
  ($c.points[] | "| \(.x) | \(.median_us | f1) | \(.p99_us | f1) | \(.cpu_median_us | f0) | \(if .peak_rss_kib then "\(.peak_rss_kib) KiB" else "-" end) |"),
  "")
' "$json"
