#!/usr/bin/env bash
# TAP suite: confinement of the hook's writes to the container's own cgroup
# directory under cgroupRoot (docs/ARCHITECTURE.md §2 step 6): '..', symlinks, paths outside
# cgroupRoot, the root cgroup, cgroups that do not exist, bad /proc/<pid>/cgroup
# files, bundles whose config.json is a symlink, huge or a FIFO, a pid that is
# gone. Every refusal must leave every file of the world unchanged.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_hook "confinement"

proc_cgroup() { printf '%s\n' "$@" >"$PROC/$PID/cgroup"; }
# A directory outside cgroupRoot that looks like a cgroup; it must never change.
make_outside() {
    mkdir -p "$W/outside"
    echo 9 >"$W/outside/cpuset.cpus"
    echo 9 >"$W/outside/cpuset.effective_cpus"
    echo 9 >"$W/outside/cpu.shares"
}

# --- control: the world as built is applied, and only cpuset.cpus changes.
new_world
before
run_state "$(state)"
expect "control: the container's cgroup is written" 0 yes
changed=$(diff <(echo "$BEFORE") <(snapshot) | grep '^>' | grep -v "cpuset/$CG_PATH/cpuset.cpus\$" || true)
[ -z "$changed" ] && tap_ok "control: nothing but <cgroupRoot>/cpuset/<path>/cpuset.cpus changed" ||
    tap_fail "control: nothing but cpuset.cpus changed" "$changed"

# --- '..' in a /proc/<pid>/cgroup path.
new_world
make_outside
proc_cgroup "4:cpuset:/$CG_PATH/../../../../../outside" "3:cpu,cpuacct:/$CG_PATH"
before
run_state "$(state)"
expect "/proc/<pid>/cgroup cpuset path with '..' is refused" 1 no '"\.\."'

new_world
proc_cgroup "4:cpuset:/$CG_PATH" "3:cpu,cpuacct:/$CG_PATH/../../.."
write_partitions '"management": {"cpuset": "0-1", "defaults": {"cpushares": 512}}'
before
run_state "$(state)"
expect "'..' in the cpu line only: refused, the cpuset is not written either" 1 no '"\.\."'

new_world
proc_cgroup "4:cpuset:/.." "3:cpu,cpuacct:/.."
before
run_state "$(state)"
expect "/proc/<pid>/cgroup path '/..' is refused" 1 no '"\.\."'

# A controller list that smuggles '/..' into the directory name: the walk refuses '..'.
new_world
make_outside
mkdir -p "$CG/cpuset,"
proc_cgroup "4:cpuset,/../../outside:/x" "3:cpu,cpuacct:/$CG_PATH"
before
run_state "$(state)"
expect "controller list 'cpuset,/../../outside' cannot climb out of cgroupRoot" 1 no '\.\.'

# --- symlinks.
new_world
make_outside
ln -s "$W/outside" "$CG/cpuset/kubepods/evil"
proc_cgroup "4:cpuset:/kubepods/evil" "3:cpu,cpuacct:/$CG_PATH"
before
run_state "$(state)"
expect "a symlinked last component (-> a directory outside cgroupRoot) is refused" 1 no 'symlink'

new_world
make_outside
mkdir -p "$W/outside/burstable/pod1/crio-abc"
echo 9 >"$W/outside/burstable/pod1/crio-abc/cpuset.cpus"
mv "$CG/cpuset/kubepods" "$CG/cpuset/kubepods.real"
ln -s "$W/outside" "$CG/cpuset/kubepods"
before
run_state "$(state)"
expect "a symlinked middle component (kubepods -> outside) is refused" 1 no 'symlink'

new_world
mv "$CG/cpuset/kubepods" "$CG/cpuset/kubepods.real"
ln -s kubepods.real "$CG/cpuset/kubepods"
before
run_state "$(state)"
expect "a relative symlink inside cgroupRoot is refused as well" 1 no 'symlink'

new_world
make_outside
rm "$CG/cpuset/$CG_PATH/cpuset.cpus"
ln -s "$W/outside/cpuset.cpus" "$CG/cpuset/$CG_PATH/cpuset.cpus"
before
run_state "$(state)"
expect "cpuset.cpus itself a symlink to a file outside: refused" 1 no 'symlink'

new_world
make_outside
write_partitions '"management": {"cpuset": "0-1", "defaults": {"cpushares": 512}}'
rm "$CG/cpu,cpuacct/$CG_PATH/cpu.shares"
ln -s "$W/outside/cpu.shares" "$CG/cpu,cpuacct/$CG_PATH/cpu.shares"
before
run_state "$(state)"
expect "cpu.shares a symlink: refused, and cpuset.cpus (opened first) is not written" 1 no 'symlink'

new_world
rm "$PROC/$PID/cgroup"
printf '4:cpuset:/outside\n3:cpu,cpuacct:/outside\n' >"$W/fake-cgroup"
ln -s "$W/fake-cgroup" "$PROC/$PID/cgroup"
before
run_state "$(state)"
expect "/proc/<pid>/cgroup is a symlink: refused" 1 no 'symlink'

# --- the root cgroup.
new_world
proc_cgroup "4:cpuset:/" "3:cpu,cpuacct:/"
before
run_state "$(state)"
expect "the root cgroup ('/') is refused" 1 no 'root cgroup'

new_world
proc_cgroup "4:cpuset:/./." "3:cpu,cpuacct:/$CG_PATH"
before
run_state "$(state)"
expect "the root cgroup spelled '/./.' is refused" 1 no 'root cgroup'

new_world
proc_cgroup "4:cpuset:/$CG_PATH" "3:cpu,cpuacct://"
write_partitions '"management": {"cpuset": "0-1", "defaults": {"cpushares": 512}}'
before
run_state "$(state)"
expect "the root cpu cgroup ('//') is refused" 1 no 'root cgroup'

# --- cgroups that do not exist, or are not directories.
new_world
proc_cgroup "4:cpuset:/kubepods/nope" "3:cpu,cpuacct:/kubepods/nope"
before
run_state "$(state)"
expect "a /proc/<pid>/cgroup naming a cgroup that does not exist: refused, nothing created" 1 no 'does not exist'

new_world
echo x >"$CG/cpuset/kubepods/file"
proc_cgroup "4:cpuset:/kubepods/file" "3:cpu,cpuacct:/$CG_PATH"
before
run_state "$(state)"
expect "a cgroup path naming a regular file: refused" 1 no 'not a directory'

new_world
path=$(printf 'a/%.0s' $(seq 1 2000))
proc_cgroup "4:cpuset:/$path" "3:cpu,cpuacct:/$CG_PATH"
before
run_state "$(state)"
expect "a cgroup path of 2000 components that does not exist: refused quickly" 1 no 'does not exist'

new_world
rm "$CG/cpuset/$CG_PATH/cpuset.cpus"
mkfifo "$CG/cpuset/$CG_PATH/cpuset.cpus"
before
run_state "$(state)"
expect "cpuset.cpus is a FIFO: refused without blocking" 1 no 'FIFO|not a regular file'

new_world
printf '4:cpuset:/kube\0pods\n3:cpu,cpuacct:/%s\n' "$CG_PATH" >"$PROC/$PID/cgroup"
before
run_state "$(state)"
expect "a NUL byte inside a /proc/<pid>/cgroup path: refused" 1 no 'NUL|does not exist'

# --- malformed /proc/<pid>/cgroup files.
new_world
head -c 70000 /dev/zero | tr '\0' 'x' >"$PROC/$PID/cgroup"
before
run_state "$(state)"
expect "/proc/<pid>/cgroup larger than 64 KiB: refused" 1 no 'larger than the limit'

new_world
proc_cgroup "garbage without colons"
before
run_state "$(state)"
expect "/proc/<pid>/cgroup line without 'id:controllers:path': refused" 1 no 'line 1'

new_world
for i in $(seq 1 300); do echo "$i:ctl$i:/x"; done >"$PROC/$PID/cgroup"
before
run_state "$(state)"
expect "/proc/<pid>/cgroup with 300 lines: refused" 1 no 'more than'

new_world
proc_cgroup "4:cpuset:relative/path" "3:cpu,cpuacct:/$CG_PATH"
before
run_state "$(state)"
expect "/proc/<pid>/cgroup with a relative path: refused" 1 no 'not absolute'

new_world
proc_cgroup "12:memory:/$CG_PATH"
before
run_state "$(state)"
expect "/proc/<pid>/cgroup without cpuset, cpu or v2 lines: refused" 1 no 'no line for the cpuset'

# --- the pid is gone: linux.cgroupsPath from the bundle's config.json.
new_world
rm -r "${PROC:?}/$PID"
run_state "$(state)"
expect "pid gone: the cgroupfs linux.cgroupsPath from config.json is used" 0 yes

new_world
rm -r "${PROC:?}/$PID"
mkdir -p "$CG/cpuset/kubepods.slice/kubepods-burstable.slice/crio-abc.scope" \
    "$CG/cpu,cpuacct/kubepods.slice/kubepods-burstable.slice/crio-abc.scope"
echo 0-1 >"$CG/cpuset/kubepods.slice/kubepods-burstable.slice/crio-abc.scope/cpuset.effective_cpus"
echo 0-3 >"$CG/cpuset/kubepods.slice/kubepods-burstable.slice/crio-abc.scope/cpuset.cpus"
printf '{"linux": {"cgroupsPath": "kubepods-burstable.slice:crio:abc"}}' >"$BUNDLE/config.json"
run_state "$(state)"
[ "$RC" = 0 ] && [ "$(cat "$CG/cpuset/kubepods.slice/kubepods-burstable.slice/crio-abc.scope/cpuset.cpus")" = 0-1 ] &&
    tap_ok "pid gone: a systemd cgroupsPath 'slice:prefix:name' names <slices>/prefix-name.scope" ||
    tap_fail "pid gone: systemd cgroupsPath" "exit $RC: $ERR"

new_world
rm -r "${PROC:?}/$PID"
printf '{"ociVersion": "1.0.2"}' >"$BUNDLE/config.json"
before
run_state "$(state)"
expect "pid gone and no linux.cgroupsPath: refused" 1 no 'cgroupsPath'

new_world
rm -r "${PROC:?}/$PID"
rm "$BUNDLE/config.json"
before
run_state "$(state)"
expect "pid gone and no bundle config.json: refused" 1 no ''

new_world
rm -r "${PROC:?}/$PID"
printf '{"linux": {"cgroupsPath": "/kubepods/../../outside"}}' >"$BUNDLE/config.json"
make_outside
before
run_state "$(state)"
expect "pid gone, linux.cgroupsPath with '..': refused" 1 no '"\.\."'

new_world
rm -r "${PROC:?}/$PID"
printf '{"linux": {"cgroupsPath": "/"}}' >"$BUNDLE/config.json"
before
run_state "$(state)"
expect "pid gone, linux.cgroupsPath '/' (the root cgroup): refused" 1 no 'root cgroup'

new_world
rm -r "${PROC:?}/$PID"
printf '{"linux": {"cgroupsPath": "a/b:c:d/e"}}' >"$BUNDLE/config.json"
before
run_state "$(state)"
expect "pid gone, systemd cgroupsPath with '/' in the unit name: refused" 1 no 'cgroupsPath'

new_world
rm -r "${PROC:?}/$PID"
mv "$BUNDLE/config.json" "$W/real-config.json"
ln -s "$W/real-config.json" "$BUNDLE/config.json"
before
run_state "$(state)"
expect "pid gone, the bundle's config.json is a symlink: refused, not followed" 1 no 'symlink'

new_world
rm -r "${PROC:?}/$PID"
{
    printf '{"linux": {"cgroupsPath": "/%s"}, "pad": "' "$CG_PATH"
    head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' 'x'
    printf '"}'
} >"$BUNDLE/config.json"
before
run_state "$(state)"
expect "pid gone, the bundle's config.json is 5 MiB (> 4 MiB): refused" 1 no 'larger than the limit'

new_world
rm -r "${PROC:?}/$PID"
rm "$BUNDLE/config.json"
mkfifo "$BUNDLE/config.json"
before
run_state "$(state)"
expect "pid gone, the bundle's config.json is a FIFO: refused without blocking" 1 no 'FIFO|not a regular file'

new_world
rm -r "${PROC:?}/$PID"
BUNDLE_SAVE=$BUNDLE
BUNDLE=relative/bundle
before
run_state "$(state)"
expect "pid gone, a relative bundle path: refused" 1 no 'not an absolute path'
BUNDLE=$BUNDLE_SAVE

# --- the state has no annotations: they come from the bundle's config.json.
new_world
mv "$BUNDLE/config.json" "$W/real-config.json"
ln -s "$W/real-config.json" "$BUNDLE/config.json"
before
run_state "{\"ociVersion\": \"1.0.2\", \"id\": \"abc\", \"status\": \"creating\", \"pid\": $PID, \"bundle\": \"$BUNDLE\"}"
# The same fault as with the pid gone (an Input fault of the bundle), so the same
# exit code: failurePolicy fail -> 1, whichever step reads the bundle.
expect "no annotations in the state, the bundle's config.json is a symlink: refused (exit 1, as when the pid is gone)" 1 no 'symlink'
write_config '"enabled": true, "failurePolicy": "ignore"'
before
run_state "{\"ociVersion\": \"1.0.2\", \"id\": \"abc\", \"status\": \"creating\", \"pid\": $PID, \"bundle\": \"$BUNDLE\"}"
expect "no annotations in the state, the bundle's config.json is a symlink, failurePolicy ignore: exit 0" 0 no 'symlink'

tap_done
