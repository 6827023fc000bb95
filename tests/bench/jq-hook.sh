#!/bin/bash
# jq-hook.sh [--config FILE] < state.json
#
# The workload-partitioning hook as a node administrator would otherwise write
# it: bash and jq. The benchmark's case (e) times it against the C++ hook doing
# the same job on the same fake tree. It is written to be reasonably quick
# (three jq runs: the node config, the state, the partitions with the
# annotations), not to be slow on purpose. It does what the benchmark needs and
# no more: no trust checks on the files, no sandbox, no confinement of the
# cgroup path, no read-back, no rollback, cgroup v1 only.
set -euo pipefail

config=/etc/workload-partitioning/config.json
if [ "${1:-}" = --config ]; then config=$2; fi
[ -f "$config" ] || exit 0

eval "$(jq -r '@sh "enabled=\(.enabled // false)
  partitions=\(.partitionsFile // "/etc/workload-partitioning/partitions.json")
  cgroot=\(.cgroupRoot // "/sys/fs/cgroup") procroot=\(.procRoot // "/proc")"' "$config")"
[ "$enabled" = true ] || exit 0
[ -f "$partitions" ] || exit 0

state=$(cat)
eval "$(jq -r '@sh "pid=\(.pid // 0) bundle=\(.bundle // "")
  ann=\(.annotations // null | tojson)"' <<<"$state")"
if [ "$ann" = null ]; then
    ann=$(jq -c '.annotations // {}' "$bundle/config.json")
fi

# The activated partition, its cpuset, and the shares: the container's
# override annotation (a JSON string) when it names cpushares, else the default.
eval "$(jq -r --argjson ann "$ann" '
  [.partitions | to_entries[] | select(.value.activationAnnotation as $k | $ann | has($k))] as $act
  | if ($act | length) == 0 then "partition="
    elif ($act | length) > 1 then "echo \"jq-hook: more than one partition activated\" >&2; exit 1"
    else $act[0] as $p
      | ($ann["io.kubernetes.container.name"] // "") as $name
      | (if $name == "" then null
         else $ann[$p.value.annotationPrefix + "/" + $name] // null end) as $ov
      | (if $ov == null then {} else ($ov | fromjson // {}) end) as $o
      | @sh "partition=\($p.key) cpuset=\($p.value.cpuset)
             shares=\(if ($o.cpushares // 0) != 0 then $o.cpushares
                      else ($p.value.defaults.cpushares // 0) end)"
    end' "$partitions")"
[ -n "$partition" ] || exit 0

cpuset_dir= cpu_dir=
while IFS=: read -r _ controllers path; do
    case ",$controllers," in *,cpuset,*) cpuset_dir=$cgroot/$controllers$path ;; esac
    case ",$controllers," in *,cpu,*) cpu_dir=$cgroot/$controllers$path ;; esac
done <"$procroot/$pid/cgroup"
if [ -z "$cpuset_dir" ] || [ -z "$cpu_dir" ]; then
    echo "jq-hook: no cpuset or cpu cgroup for pid $pid" >&2
    exit 1
fi

if [ -n "$cpuset" ]; then echo "$cpuset" >"$cpuset_dir/cpuset.cpus"; fi
if [ "$shares" != 0 ]; then echo "$shares" >"$cpu_dir/cpu.shares"; fi
