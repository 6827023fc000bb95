# shellcheck shell=bash
# shellcheck disable=SC2034 # settings read by tests/e2e/lib.sh and the cases
# Helpers of the in-VM node suite, on top of tests/e2e/lib.sh: which runtime and
# cgroup driver a case uses, kubepods-like cgroup paths as CRI-O makes them, and what
# a container's cgroup v2 directory holds.

# Registers a case: node_case NAME FUNCTION
node_case() { NODE_CASES+=("$1|$2"); }

NODE_POD_SEQ=0
# Sets NODE_UID to a fresh pod uid as the kubelet spells it in a slice name (dashes
# become underscores).
node_pod_uid() {
    NODE_POD_SEQ=$((NODE_POD_SEQ + 1))
    printf -v NODE_UID '%08x_0000_4000_8000_%012d' "$$" "$NODE_POD_SEQ"
}

# Selects the runtime (runc|crun) and cgroup driver (systemd|cgroupfs) for what
# follows: e2e_runc, node_start, node_expected_dir.
node_use() { # RUNTIME DRIVER
    NODE_RT=$1 NODE_DRIVER=$2
    E2E_RUNTIME=$1
    if [ "$2" = systemd ]; then
        E2E_RUNTIME_ARGS=--systemd-cgroup
        [ "$1" = crun ] && E2E_RUNTIME_ARGS=--cgroup-manager=systemd
    else
        E2E_RUNTIME_ARGS=""
        [ "$1" = crun ] && E2E_RUNTIME_ARGS=--cgroup-manager=cgroupfs
    fi
}

# The spec's linux.cgroupsPath for container ID of pod UID, as CRI-O writes it for a
# burstable pod, and the directory that the container's cgroup must then be.
node_cgroups_path() { # UID ID
    if [ "$NODE_DRIVER" = systemd ]; then
        echo "kubepods-burstable-pod$1.slice:crio:$2"
    else
        echo "/kubepods/burstable/pod$1/crio-$2"
    fi
}
node_expected_dir() { # UID ID
    if [ "$NODE_DRIVER" = systemd ]; then
        echo "$CGROOT/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$1.slice/crio-$2.scope"
    else
        echo "$CGROOT/kubepods/burstable/pod$1/crio-$2"
    fi
}

# The CPU resources the kubelet asks for in a burstable pod's container spec: a
# cpuset of all CPUs (the static CPU manager's shared pool) and 1024 shares.
NODE_ONLINE=$(cat /sys/devices/system/cpu/online)
E2E_SPEC_FILTER='.linux.resources.cpu = {shares: 1024, cpus: "'$NODE_ONLINE'"}'

# Starts container ID of a new pod with the selected runtime and driver; sets
# NODE_UID and NODE_WANT_DIR. Same arguments and exit code as e2e_runc_start.
node_start() { # ID ANNOTATIONS-JSON [wrap|direct]
    node_pod_uid
    NODE_WANT_DIR=$(node_expected_dir "$NODE_UID" "$1")
    e2e_runc_start "$1" "$2" "${3:-direct}" "$(node_cgroups_path "$NODE_UID" "$1")"
}

# Starts container ID with no hook at all: what the runtime alone makes of the spec.
node_start_nohook() { # ID
    local saved=$E2E_SPEC_FILTER rc
    E2E_SPEC_FILTER="$saved | del(.hooks)"
    node_start "$1" '{}'
    rc=$?
    E2E_SPEC_FILTER=$saved
    return $rc
}

# The cgroup v2 directory the hook must write for PID: its 0:: line, and for crun's
# systemd sub-cgroup (".../x.scope/container") the scope. Bash builtins only, here
# and in node_facts: every process started in the VM costs a fraction of a second.
node_cg_target() { # PID
    local line p=""
    while IFS= read -r line; do
        [[ $line == 0::* ]] && p=${line#0::}
    done <"/proc/$1/cgroup" || return 1
    [ -n "$p" ] || return 1
    [[ $p == */*.scope/container ]] && p=${p%/container}
    echo "$CGROOT$p"
}

# Reads FILE into variable VAR (empty when FILE cannot be read).
node_read() { # VAR FILE
    local v=""
    [ -r "$2" ] && v=$(<"$2")
    printf -v "$1" '%s' "$v"
}

# Sets SEEN (Cpus_allowed_list the container printed), PID, DIR (the cgroup the
# hook targets), CPUS (cpuset.cpus), EFF (cpuset.cpus.effective), WEIGHT
# (cpu.weight), MAX (cpu.max).
#   node_facts runc|podman ID
node_facts() {
    local out re=$'Cpus_allowed_list:[[:space:]]*([^\n]*)'
    SEEN="" PID="" DIR="" CPUS="" EFF="" WEIGHT="" MAX=""
    out=$(e2e_wait_ready "$1" "$2") || return 1
    [[ $out =~ $re ]] && SEEN=${BASH_REMATCH[1]}
    if [ "$1" = runc ]; then PID=$(e2e_runc_pid "$2"); else PID=$(e2e_podman_pid "$2"); fi
    [ -n "$PID" ] && [ -r "/proc/$PID/cgroup" ] || return 1
    DIR=$(node_cg_target "$PID") || return 1
    node_read CPUS "$DIR/cpuset.cpus"
    node_read EFF "$DIR/cpuset.cpus.effective"
    node_read WEIGHT "$DIR/cpu.weight"
    node_read MAX "$DIR/cpu.max"
}

# Facts of a started container, or a failure naming the runtime's error.
node_started() { # runc|podman ID
    if ! node_facts "$1" "$2"; then
        fail "$1 container $2 did not start or report: $(tr '\n' ' ' <"$E2E_WORK/bundles/$2/err" 2>/dev/null)"
        return 1
    fi
    echo "#   $2: sees=$SEEN dir=${DIR#"$CGROOT"} cpuset.cpus=$CPUS effective=$EFF cpu.weight=$WEIGHT cpu.max=$MAX"
}

# cgroup v2 cpu.weight for cpu.shares $2 under the node config's sharesToWeight $1.
node_weight() { # quadratic|linear SHARES
    awk -v f="$1" -v s="$2" 'BEGIN {
        if (f == "linear") { printf "%d\n", 1 + int(((s - 2) * 9999) / 262142); exit }
        l = log(s) / log(2); w = exp(((l * l + 125 * l) / 612 - 7 / 34) * log(10))
        printf "%d\n", (w == int(w)) ? w : int(w) + 1 }'
}

# Stops and removes every container the cases started (runc, crun, podman). A
# container's bundle directory names it; its runtime is the one whose state
# directory holds it (no "list": each runtime call costs the VM a second).
node_stop_all() {
    local rt b id
    for b in "$E2E_WORK"/bundles/*; do
        id=${b##*/}
        for rt in runc crun; do
            [ -d "$E2E_WORK/$rt-root/$id" ] && E2E_RUNTIME=$rt e2e_runc_rm "$id"
        done
    done
    if [ -d "$E2E_WORK/podman/root" ]; then e2e_podman rm -a -f -t 0 >/dev/null 2>&1 || true; fi
    rm -rf "$E2E_WORK/calls" "$E2E_WORK/bundles"
    mkdir -p "$E2E_WORK/bundles"
}
