# shellcheck shell=bash
# Helpers for the end-to-end suite (tests/e2e/run.sh) and the demo (scripts/demo.sh):
# a busybox rootfs, node config files, runc bundles and podman invocations with the
# workload-partitioning hook, and what a running container sees and its cgroup holds.
#
# Everything lives under $E2E_WORK (a temp dir) and, on the host, under the cgroup
# parent $E2E_CGPARENT in each hierarchy; e2e_cleanup removes both.
#
# Required before use: E2E_WORK, HOOK (absolute path of the built hook).
# The node suite (tests/node) uses the same helpers inside a VM with cgroup v2 and
# systemd; the E2E_RUNTIME* / E2E_PODMAN_* / E2E_SPEC_FILTER / E2E_CONFIG_EXTRA
# settings below are how it picks the runtime, the cgroup driver and the hierarchy.

CGROOT=/sys/fs/cgroup
E2E_TIMEOUT=${E2E_TIMEOUT:-30} # seconds, for every runtime command
E2E_READY_WAIT=${E2E_READY_WAIT:-20} # seconds for a started container to report

# ---------------------------------------------------------------- TAP

n=0
DIAG=/dev/null # where expect and fail record what went wrong in the current case
tap_ok() { n=$((n + 1)); echo "ok $n - $1"; }
tap_skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
tap_notok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    sed 's/^/#   /' "$DIAG"
}
# Records a mismatch: expect LABEL GOT WANT
expect() {
    if [ "$2" != "$3" ]; then
        echo "$1: got '$2', want '$3'" >>"$DIAG"
    fi
}
fail() { echo "$*" >>"$DIAG"; }
# The TAP line of case NAME that returned RC: a skip when it set SKIP_REASON and
# recorded no failure, ok when it returned 0 and recorded none, else not ok.
tap_case() { # NAME RC
    if [ -n "${SKIP_REASON-}" ] && [ ! -s "$DIAG" ]; then
        tap_skip "$1" "$SKIP_REASON"
    elif [ "$2" -eq 0 ] && [ ! -s "$DIAG" ]; then
        tap_ok "$1"
    else
        [ -s "$DIAG" ] || echo "case returned $2" >"$DIAG"
        tap_notok "$1"
    fi
}

# Why containers cannot run here, or "" when they can (root, runc, writable cgroup v1 cpuset+cpu).
e2e_cannot_run() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "not root (runc containers and cgroup writes need root)"
    elif ! command -v runc >/dev/null 2>&1; then
        echo "runc not installed"
    elif ! command -v jq >/dev/null 2>&1; then
        echo "jq not installed"
    elif [ ! -x /bin/busybox ]; then
        echo "busybox-static not installed (/bin/busybox)"
    elif [ ! -f "$CGROOT/cpuset/cpuset.cpus" ] || ! e2e_v1_mount cpu >/dev/null; then
        echo "no cgroup v1 cpuset and cpu hierarchies under $CGROOT (this suite asserts v1 files)"
    elif [ ! -w "$CGROOT/cpuset" ]; then
        echo "no write access to $CGROOT/cpuset"
    elif ! e2e_cpulist_has "$(cat "$CGROOT/cpuset/cpuset.effective_cpus")" 0 ||
        ! e2e_cpulist_has "$(cat "$CGROOT/cpuset/cpuset.effective_cpus")" 1; then
        echo "needs CPUs 0 and 1 online (got $(cat "$CGROOT/cpuset/cpuset.effective_cpus")) to make pinning visible"
    fi
}

# Whether cpu list $1 ("0-3,8") holds CPU $2.
e2e_cpulist_has() {
    local r lo hi
    for r in ${1//,/ }; do
        lo=${r%-*} hi=${r#*-}
        [ "$2" -ge "$lo" ] && [ "$2" -le "$hi" ] && return 0
    done
    return 1
}

# The directory of the v1 hierarchy that holds controller $1 (cpu lives in cpu or cpu,cpuacct).
e2e_v1_mount() {
    local c
    for c in "$1" "$1,cpuacct" "cpuacct,$1"; do
        [ -d "$CGROOT/$c" ] && { echo "$CGROOT/$c"; return 0; }
    done
    return 1
}

# A busybox rootfs at $1: /bin/busybox and a symlink per applet.
e2e_make_rootfs() {
    local r=$1 a
    mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/etc"
    cp /bin/busybox "$r/bin/busybox"
    for a in $("$r/bin/busybox" --list); do
        [ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
    done
    echo "root:x:0:0:root:/:/bin/sh" >"$r/etc/passwd"
    echo "root:x:0:" >"$r/etc/group"
}

# Root-owned (when we are root), mode 0644: the hook refuses anything else.
e2e_install_file() { # dest (content on stdin)
    local tmp
    tmp=$(mktemp "$1.XXXXXX")
    cat >"$tmp"
    if [ "$(id -u)" -eq 0 ]; then chown 0:0 "$tmp"; fi
    chmod 0644 "$tmp"
    mv -f "$tmp" "$1"
}

E2E_CONFIG() { echo "$E2E_WORK/etc/config.json"; }
E2E_PARTITIONS() { echo "$E2E_WORK/etc/partitions.json"; }

# Node config: enabled (true|false), mode, failurePolicy. cgroupRoot and procRoot are the
# real ones unless E2E_CGROUP_ROOT / E2E_PROC_ROOT name a fake tree. E2E_CONFIG_EXTRA
# (a JSON object, e.g. {"sharesToWeight": "linear"}) is merged in last.
e2e_write_config() {
    mkdir -p "$E2E_WORK/etc"
    jq -n --argjson en "$1" --arg mode "${2:-enforce}" --arg fp "${3:-fail}" \
        --arg pf "$(E2E_PARTITIONS)" --arg cgroot "${E2E_CGROUP_ROOT:-$CGROOT}" \
        --arg procroot "${E2E_PROC_ROOT:-/proc}" --arg pins "$E2E_WORK/pins" \
        --argjson extra "${E2E_CONFIG_EXTRA:-"{}"}" \
        '{enabled: $en, mode: $mode, failurePolicy: $fp, partitionsFile: $pf,
          cgroupRoot: $cgroot, procRoot: $procroot, pinRecordDir: $pins,
          log: {level: "info", target: "stderr"}} + $extra' | e2e_install_file "$(E2E_CONFIG)"
}

# Merged partition file with one partition "management": cpuset, allowedNamespaces (JSON array).
e2e_write_partitions() {
    mkdir -p "$E2E_WORK/etc"
    jq -n --arg cpus "$1" --argjson ns "${2:-[]}" \
        '{version: 1, partitions: {management: {
            cpuset: $cpus,
            activationAnnotation: "target.workload.openshift.io/management",
            annotationPrefix: "resources.workload.openshift.io",
            defaults: {cpushares: 0, cpuquota: 0, cpuperiod: 0},
            allowedNamespaces: $ns, sources: ["e2e"]}}}' | e2e_install_file "$(E2E_PARTITIONS)"
}

# Pod-like annotations as CRI-O passes them, as a JSON object.
#   e2e_annotations NAME NAMESPACE ACTIVATE(yes|no) [OVERRIDE-JSON-TEXT]
e2e_annotations() {
    local name=$1 ns=$2 act=$3 ovr=${4-}
    jq -n --arg name "$name" --arg ns "$ns" --arg act "$act" --arg ovr "$ovr" \
        '{"io.kubernetes.container.name": $name,
          "io.kubernetes.pod.namespace": $ns,
          "io.kubernetes.pod.name": ($name + "-pod")}
         + (if $act == "yes" then {"target.workload.openshift.io/management":
                 "{\"effect\": \"PreferredDuringScheduling\"}"} else {} end)
         + (if $ovr != "" then {("resources.workload.openshift.io/" + $name): $ovr} else {} end)'
}

# The stages named in the shipped hooks.d file (JSON array), e.g. ["createRuntime"].
e2e_shipped_stages() { jq -c '.stages' "$E2E_REPO/config/hooks.d/99-workload-partitioning.json"; }

# A wrapper around the real hook that records each call (container id, exit code, stderr)
# in $E2E_WORK/calls, then returns the hook's stderr and exit code unchanged. Bash
# builtins only besides the hook (no jq, no mktemp): it must stay fast under load.
e2e_make_wrapper() {
    mkdir -p "$E2E_WORK/calls"
    cat >"$E2E_WORK/hook-wrapper" <<EOF
#!/bin/bash
state=\$(</dev/stdin)
id=unknown
re='"id": *"([^"]+)"'
[[ \$state =~ \$re ]] && id=\${BASH_REMATCH[1]}
rec="$E2E_WORK/calls/\$id.\$\$.call"
"$HOOK" "\$@" <<<"\$state" 2>"\$rec.err"
rc=\$?
echo "\$rc" >"\$rec"
while IFS= read -r line; do echo "\$line" >&2; done <"\$rec.err"
exit "\$rc"
EOF
    chmod 0755 "$E2E_WORK/hook-wrapper"
}

# Number of recorded hook calls for a container id, and their stderr.
e2e_calls() { find "$E2E_WORK/calls" -name "$1.*.call" 2>/dev/null | wc -l; }
e2e_calls_rc() { cat "$E2E_WORK/calls/$1".*.call 2>/dev/null | sort -u | tr '\n' ' ' | sed 's/ $//'; }
e2e_calls_err() { cat "$E2E_WORK/calls/$1".*.call.err 2>/dev/null; }

# What the container runs: prints its own allowed CPUs, then waits to be inspected.
E2E_CMD='grep Cpus_allowed_list /proc/self/status; echo READY; exec sleep 300'

# ---------------------------------------------------------------- runc

# The OCI runtime that e2e_runc drives: E2E_RUNTIME (runc, or crun, which takes the
# same commands) with the global options E2E_RUNTIME_ARGS (e.g. --systemd-cgroup);
# its state lives in $E2E_WORK/<runtime>-root.
e2e_runc() {
    local rt=${E2E_RUNTIME:-runc}
    # shellcheck disable=SC2086 # E2E_RUNTIME_ARGS is a list of words
    timeout -k 5 "$E2E_TIMEOUT" "$rt" --root "$E2E_WORK/$rt-root" ${E2E_RUNTIME_ARGS-} "$@"
}

# Starts container ID detached with the runtime; the hook is registered under every
# stage the shipped hooks.d file lists. CGROUPS-PATH is the spec's linux.cgroupsPath
# (default /$E2E_CGPARENT/ID); the jq filter E2E_SPEC_FILTER, when set, edits the
# spec last (e.g. resources as the kubelet asks for them).
#   e2e_runc_start ID ANNOTATIONS-JSON [wrap|direct] [CGROUPS-PATH]
# Output: $E2E_WORK/bundles/ID/{out,err}; returns the runtime's exit code.
e2e_runc_start() {
    local id=$1 ann=$2 via=${3:-direct} cg=${4:-/$E2E_CGPARENT/$1} b path
    b=$E2E_WORK/bundles/$id
    mkdir -p "$b"
    path=$HOOK
    [ "$via" = wrap ] && path=$E2E_WORK/hook-wrapper
    # The runtime's default spec, made once per work dir (a runc call is slow in a VM);
    # a rename puts it in place, so that starts in parallel never read half of it.
    if [ ! -s "$E2E_WORK/spec.json" ]; then
        local sd=$E2E_WORK/spec.$BASHPID
        mkdir -p "$sd"
        runc spec --bundle "$sd" 2>/dev/null || (cd "$sd" && runc spec)
        mv -f "$sd/config.json" "$E2E_WORK/spec.json"
        rmdir "$sd"
    fi
    jq --arg root "$E2E_WORK/rootfs" --arg cmd "$E2E_CMD" --argjson ann "$ann" \
        --arg cg "$cg" --arg path "$path" --arg cfg "$(E2E_CONFIG)" \
        --argjson stages "$(e2e_shipped_stages)" \
        '.process.terminal = false | .process.args = ["sh", "-c", $cmd]
         | .root = {path: $root, readonly: true} | .hostname = "e2e"
         | .annotations = $ann | .linux.cgroupsPath = $cg
         | .hooks = (reduce $stages[] as $s ({}; .[$s] = [{path: $path,
              args: ["workload-partitioning-hook", "--config", $cfg], timeout: 10}]))
         | '"${E2E_SPEC_FILTER:-.}" \
        "$E2E_WORK/spec.json" >"$b/config.json"
    e2e_runc run -d --bundle "$b" "$id" >"$b/out" 2>"$b/err" </dev/null
}

e2e_runc_pid() { e2e_runc state "$1" 2>/dev/null | jq -r '.pid // empty'; }

e2e_runc_rm() { e2e_runc delete -f "$1" >/dev/null 2>&1 || true; }

# ---------------------------------------------------------------- podman

# E2E_PODMAN_CGROUP_MANAGER (cgroupfs, or systemd), E2E_PODMAN_RUNTIME (runc, or crun)
# and E2E_PODMAN_CGROUP_PARENT (default /$E2E_CGPARENT; a *.slice under systemd)
# choose how podman runs its containers.
e2e_podman() {
    CONTAINERS_CONF=$E2E_WORK/podman/containers.conf timeout -k 5 "$E2E_TIMEOUT" podman \
        --root "$E2E_WORK/podman/root" --runroot "$E2E_WORK/podman/run" \
        --tmpdir "$E2E_WORK/podman/tmp" --storage-driver vfs --events-backend file \
        --cgroup-manager "${E2E_PODMAN_CGROUP_MANAGER:-cgroupfs}" \
        --runtime "$(command -v "${E2E_PODMAN_RUNTIME:-runc}")" \
        --hooks-dir "$E2E_WORK/hooks.d" "$@"
}

# hooks.d: the shipped file, with its path pointing at the built hook (or the wrapper)
# and --config pointing at the test's node config. STAGES (JSON) overrides its stages.
e2e_write_hooksd() { # [wrap|direct] [STAGES-JSON]
    local via=${1:-direct} stages=${2-} path=$HOOK
    [ "$via" = wrap ] && path=$E2E_WORK/hook-wrapper
    mkdir -p "$E2E_WORK/hooks.d"
    jq --arg path "$path" --arg cfg "$(E2E_CONFIG)" --arg stages "$stages" \
        '.hook.path = $path | .hook.args = ["workload-partitioning-hook", "--config", $cfg]
         | if $stages != "" then .stages = ($stages | fromjson) else . end' \
        "$E2E_REPO/config/hooks.d/99-workload-partitioning.json" \
        >"$E2E_WORK/hooks.d/99-workload-partitioning.json"
}

# podman's --annotation is CSV-parsed: quote the whole KEY=VALUE, double inner quotes.
e2e_csvq() { local s=$1; printf '"%s"' "${s//\"/\"\"}"; }

# Starts container NAME detached with podman; returns podman's exit code.
#   e2e_podman_start NAME ANNOTATIONS-JSON
e2e_podman_start() {
    local name=$1 ann=$2 args=() k
    mkdir -p "$E2E_WORK/podman"
    [ -f "$E2E_WORK/podman/containers.conf" ] || : >"$E2E_WORK/podman/containers.conf"
    while IFS= read -r k; do
        args+=(--annotation "$(e2e_csvq "$k=$(jq -r --arg k "$k" '.[$k]' <<<"$ann")")")
    done < <(jq -r 'keys[]' <<<"$ann")
    mkdir -p "$E2E_WORK/bundles/$name"
    e2e_podman run -d --name "$name" --network none --log-driver k8s-file \
        --cgroup-parent "${E2E_PODMAN_CGROUP_PARENT:-/$E2E_CGPARENT}" \
        --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "${args[@]}" \
        --rootfs "$E2E_WORK/rootfs" sh -c "$E2E_CMD" \
        >"$E2E_WORK/bundles/$name/id" 2>"$E2E_WORK/bundles/$name/err" </dev/null
}

e2e_podman_pid() { e2e_podman inspect -f '{{.State.Pid}}' "$1" 2>/dev/null; }
e2e_podman_rm() { e2e_podman rm -f -t 0 "$1" >/dev/null 2>&1 || true; }

# ---------------------------------------------------------------- what a container sees

# Waits until the container printed READY; its output is in FILE (runc) or podman logs,
# or (kind file) in the file named instead of an ID.
e2e_wait_ready() { # runc|podman|file ID|PATH
    local i out
    for ((i = 0; i < E2E_READY_WAIT * 10; i++)); do
        if [ "$1" = runc ]; then
            out=$(cat "$E2E_WORK/bundles/$2/out" 2>/dev/null)
        elif [ "$1" = file ]; then
            out=$(cat "$2" 2>/dev/null)
        else
            out=$(e2e_podman logs "$2" 2>/dev/null)
        fi
        if grep -q READY <<<"$out"; then
            printf '%s\n' "$out"
            return 0
        fi
        sleep 0.1
    done
    printf '%s\n' "$out"
    return 1
}

# The cgroup directory of PID for v1 controller CTRL, from /proc/PID/cgroup.
e2e_cg_dir() { # PID CTRL
    local line ctrls path
    while IFS= read -r line; do
        ctrls=${line#*:}
        path=${ctrls#*:}
        ctrls=${ctrls%%:*}
        case ",$ctrls," in *",$2,"*)
            echo "$CGROOT/$ctrls$path"
            return 0
            ;;
        esac
    done <"/proc/$1/cgroup"
    return 1
}

# Sets SEEN (Cpus_allowed_list the container printed), CPUS (cpuset.cpus), EFF
# (cpuset.effective_cpus), SHARES (cpu.shares), QUOTA (cpu.cfs_quota_us),
# PERIOD (cpu.cfs_period_us), CPUSET_DIR, CPU_DIR, PID.
#   e2e_facts runc|podman ID
e2e_facts() {
    local out
    SEEN="" CPUS="" EFF="" SHARES="" QUOTA="" PERIOD="" CPUSET_DIR="" CPU_DIR="" PID=""
    out=$(e2e_wait_ready "$1" "$2") || return 1
    SEEN=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' <<<"$out")
    if [ "$1" = runc ]; then PID=$(e2e_runc_pid "$2"); else PID=$(e2e_podman_pid "$2"); fi
    [ -n "$PID" ] && [ -r "/proc/$PID/cgroup" ] || return 1
    CPUSET_DIR=$(e2e_cg_dir "$PID" cpuset) || return 1
    CPU_DIR=$(e2e_cg_dir "$PID" cpu) || return 1
    CPUS=$(cat "$CPUSET_DIR/cpuset.cpus")
    EFF=$(cat "$CPUSET_DIR/cpuset.effective_cpus")
    SHARES=$(cat "$CPU_DIR/cpu.shares")
    QUOTA=$(cat "$CPU_DIR/cpu.cfs_quota_us")
    PERIOD=$(cat "$CPU_DIR/cpu.cfs_period_us")
}

e2e_facts_line() {
    echo "sees=$SEEN cpuset.cpus=$CPUS effective=$EFF cpu.shares=$SHARES quota=$QUOTA period=$PERIOD"
}

# ---------------------------------------------------------------- cleanup

e2e_umount_under() {
    local m
    # Deepest first.
    awk '{print $5}' /proc/self/mountinfo | grep -F "$1/" | sort -r | while IFS= read -r m; do
        umount -l "$m" 2>/dev/null || true
    done
}

# Kills what is left in our cgroups (container processes whose runtime state is gone),
# then removes the cgroup directories, deepest first.
e2e_cgroups_remove() { # CGPARENT
    local d f pid
    for _ in 1 2 3 4 5; do
        for f in "$CGROOT"/*/"$1"; do
            [ -d "$f" ] || continue
            while IFS= read -r pid; do
                [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
            done < <(find "$f" -name cgroup.procs -exec cat {} + 2>/dev/null)
        done
        for d in "$CGROOT"/*/"$1"; do
            [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
        done
        compgen -G "$CGROOT/*/$1" >/dev/null || return 0
        sleep 0.2
    done
    echo "# cleanup: could not remove $(compgen -G "$CGROOT/*/$1" | tr '\n' ' ')" >&2
}

e2e_cleanup() {
    local id pids i
    [ -n "${E2E_WORK-}" ] && [ -d "$E2E_WORK" ] || return 0
    # Runtime commands still in flight (e.g. interrupted during the parallel case): they
    # all name our temp dir; stop them (timeout passes TERM on to runc) and wait.
    pids=$(pgrep -f -- "$E2E_WORK/" 2>/dev/null | grep -vx "$$" || true)
    if [ -n "$pids" ]; then
        # shellcheck disable=SC2086
        kill -TERM $pids 2>/dev/null
        for ((i = 0; i < 50; i++)); do
            pgrep -f -- "$E2E_WORK/(runc-root|podman)" >/dev/null || break
            sleep 0.2
        done
    fi
    if [ -d "$E2E_WORK/runc-root" ]; then
        for id in $(e2e_runc list -q 2>/dev/null); do e2e_runc_rm "$id"; done
    fi
    if [ -d "$E2E_WORK/podman/root" ]; then
        e2e_podman rm -a -f -t 0 >/dev/null 2>&1 || true
    fi
    [ -z "${E2E_CGPARENT-}" ] || e2e_cgroups_remove "$E2E_CGPARENT"
    e2e_umount_under "$E2E_WORK"
    rm -rf --one-file-system "$E2E_WORK"
}

# Run in the background (e2e_watchdog SECONDS &): after SECONDS, says so and sends TERM
# to the suite (whose INT/TERM trap reports the interrupted case and cleans up). Kill
# it with TERM when the suite ends first.
e2e_watchdog() {
    local sp
    sleep "$1" &
    sp=$!
    trap 'kill "$sp" 2>/dev/null; exit 0' TERM
    wait "$sp" && echo "# suite timeout after $1 s" && kill -TERM $$
}
