# shellcheck shell=bash
# Helpers for the CRI-O suite (tests/crio/run.sh) and the CRI-O latency benchmark
# (tests/crio/bench.sh): a CRI-O of our own (config, socket, state, storage under
# $CRIO_WORK), crictl pods and containers, and what a container sees and what its
# cgroup holds, on cgroup v1 or v2.
#
# Required before use:
#   CRIO_REPO   the repository root
#   CRIO_WORK   an empty directory for everything of this run
#   CRIO_BIN    the directory holding crio, pinns and crictl (tests/crio/build.sh)
#   CRIO_PAUSE  the static pause program (tests/crio/pause.c)
#   HOOK        the hook binary hooks.d will name
# Optional:
#   CRIO_CGROUP_MANAGER  cgroupfs (default) | systemd
#   CRIO_RUNTIME         runc (default) | crun: the default runtime CRI-O starts containers with
#   CRIO_PRIVATE         1 (default): /etc and /run are private overlays in a private mount
#                        namespace (crio_private_root), with a journal socket of our own;
#                        0: the real /etc/workload-partitioning and the real journal (a VM)
#   CRIO_CGPARENT        the cgroup parent of our pods (default wp-crio-<pid>; a *.slice
#                        name under the systemd cgroup manager)
#   CRIO_POD_PID         the pods' pid namespace: 1 = CONTAINER (default; a cgroup v1 host
#                        without systemd cannot run the pause container), 0 = POD (full
#                        pods with their pause container, as on a node)
#   CRIO_SHARES_TO_WEIGHT quadratic (default) | linear: the node config's sharesToWeight on
#                        cgroup v2, and how the suite turns shares into the weight it expects
#   CRIO_RUNTIME2        a second runtime CRI-O knows (a runtime handler), e.g. runc beside crun
#   CRIO_BIN             when set to a directory holding crio, pinns and crictl (a VM that
#                        was given them), nothing is built and go is not needed

E2E_READY_WAIT=${E2E_READY_WAIT:-60} # seconds for a started container to report
# The generic helpers (cpu lists, v1 mounts, root-owned files, the busybox rootfs,
# unmounting, removing a cgroup parent, the watchdog) are the e2e suite's.
# shellcheck source=tests/e2e/lib.sh
. "$CRIO_REPO/tests/e2e/lib.sh"

CRIO_TIMEOUT=${CRIO_TIMEOUT:-120} # seconds, for every crictl call (generous: the CPUs are shared)
CRIO_CGROUP_MANAGER=${CRIO_CGROUP_MANAGER:-cgroupfs}
CRIO_RUNTIME=${CRIO_RUNTIME:-runc}
CRIO_PRIVATE=${CRIO_PRIVATE:-1}
CRIO_CGPARENT=${CRIO_CGPARENT:-wp-crio-$$}
CRIO_POD_PID=${CRIO_POD_PID:-1}
CRIO_SHARES_TO_WEIGHT=${CRIO_SHARES_TO_WEIGHT:-quadratic}
CRIO_IMAGE=localhost/wp-busybox:latest
CRIO_PAUSE_IMAGE=localhost/wp-pause:latest
# The files the hook reads by default, as installed (the hooks.d file passes no --config).
WP_ETC=/etc/workload-partitioning
# shellcheck disable=SC2034 # used by run.sh
WP_PINS=/run/workload-partitioning/pins
JOURNAL_SOCKET=/run/systemd/journal/socket
ACT_VALUE='{"effect": "PreferredDuringScheduling"}'
OVR_PREFIX=resources.workload.openshift.io

# Why the suite cannot run here, or "" when it can.
crio_cannot_run() {
    local c
    if [ "$(id -u)" -ne 0 ]; then
        echo "not root (CRI-O, runc and cgroup writes need root)"
        return
    fi
    # go and gcc build CRI-O and the pause program; a caller that brings both needs neither.
    local need=("$CRIO_RUNTIME" ${CRIO_RUNTIME2:+"$CRIO_RUNTIME2"} conmon jq podman unshare tar)
    [ -n "${CRIO_BIN-}" ] || need+=(go)
    [ -x "${CRIO_PAUSE-}" ] || need+=(gcc)
    for c in "${need[@]}"; do
        command -v "$c" >/dev/null 2>&1 || { echo "$c not installed (scripts/install-deps.sh)"; return; }
    done
    if [ ! -x /bin/busybox ]; then
        echo "busybox-static not installed (/bin/busybox)"
    elif [ "$CRIO_PRIVATE" = 1 ] && ! command -v python3 >/dev/null 2>&1; then
        echo "python3 not installed (the journal stand-in)"
    elif [ "$(cg_version)" = v1 ] && { [ ! -w "$CGROOT/cpuset" ] || ! e2e_v1_mount cpu >/dev/null; }; then
        echo "no writable cgroup v1 cpuset and cpu hierarchies under $CGROOT"
    elif ! e2e_cpulist_has "$(cg_online)" 0 || ! e2e_cpulist_has "$(cg_online)" 1; then
        echo "needs CPUs 0 and 1 online (got $(cg_online)) to make pinning visible"
    fi
}

# ---------------------------------------------------------------- cgroups, v1 or v2
# Everything that knows the cgroup layout is here; the cases only see the values.

cg_version() { if [ -f "$CGROOT/cgroup.controllers" ]; then echo v2; else echo v1; fi; }

# The online CPUs, as the root cpuset cgroup sees them.
cg_online() {
    if [ "$(cg_version)" = v2 ]; then cat "$CGROOT/cpuset.cpus.effective"; else cat "$CGROOT/cpuset/cpuset.effective_cpus"; fi
}

# The cgroup directory of PID for controller CTRL (cpuset|cpu), from /proc/PID/cgroup.
# On v2, where the leaf is crun's systemd sub-cgroup under a *.scope, the scope (the
# hook's target).
cg_dir() { # PID CTRL
    local d
    if [ "$(cg_version)" = v1 ]; then
        e2e_cg_dir "$1" "$2"
        return
    fi
    d=$(sed -n 's/^0:://p' "/proc/$1/cgroup")
    [ -n "$d" ] || return 1
    d=$CGROOT$d
    case $d in */*.scope/*) d=${d%/*} ;; esac
    echo "$d"
}

# Sets CPUS (cpuset.cpus), EFF (the effective cpuset), SHARES (v1 cpu.shares, v2 cpu.weight),
# QUOTA (v1 cpu.cfs_quota_us, v2 the first field of cpu.max; -1 = no quota), PERIOD,
# CPUSET_DIR and CPU_DIR for PID.
cg_facts() { # PID
    local max leaf
    CPUS="" EFF="" SHARES="" QUOTA="" PERIOD=""
    CPUSET_DIR=$(cg_dir "$1" cpuset) || return 1
    CPU_DIR=$(cg_dir "$1" cpu) || return 1
    if [ "$(cg_version)" = v2 ]; then
        # The target's cpuset.cpus; crun under systemd writes a cpuset on its "container"
        # leaf instead and leaves the scope's empty. EFF: what applies to the process.
        leaf=$CGROOT$(sed -n 's/^0:://p' "/proc/$1/cgroup")
        CPUS=$(cat "$CPUSET_DIR/cpuset.cpus")
        [ -n "$CPUS" ] || CPUS=$(cat "$leaf/cpuset.cpus")
        EFF=$(cat "$leaf/cpuset.cpus.effective")
        SHARES=$(cat "$CPU_DIR/cpu.weight")
        max=$(cat "$CPU_DIR/cpu.max")
        QUOTA=${max% *} PERIOD=${max#* }
        [ "$QUOTA" != max ] || QUOTA=-1
        # An empty cpuset.cpus on v2 means "the parent's": report what applies.
        [ -n "$CPUS" ] || CPUS=$EFF
    else
        CPUS=$(cat "$CPUSET_DIR/cpuset.cpus")
        EFF=$(cat "$CPUSET_DIR/cpuset.effective_cpus")
        SHARES=$(cat "$CPU_DIR/cpu.shares")
        QUOTA=$(cat "$CPU_DIR/cpu.cfs_quota_us")
        PERIOD=$(cat "$CPU_DIR/cpu.cfs_period_us")
    fi
}

# What the cgroup holds for CPU shares N: v1 the shares, v2 the weight by the node
# config's sharesToWeight (CRIO_SHARES_TO_WEIGHT; linear is what runc 1.1 and crun 1.8 use).
cg_shares_value() { # N
    if [ "$(cg_version)" = v1 ]; then
        echo "$1"
        return
    fi
    if [ "$CRIO_SHARES_TO_WEIGHT" = linear ]; then
        echo $((1 + (($1 - 2) * 9999) / 262142))
        return
    fi
    awk -v s="$1" 'BEGIN { l = log(s) / log(2); e = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
        w = 10 ^ e; c = int(w); if (c < w) c++; print c }'
}

# Kills what is left under cgroup parent NAME and removes it: every v1 hierarchy, and
# on v2 the one directory.
cg_remove_parent() { # NAME
    local pid
    e2e_cgroups_remove "$1"
    [ "$(cg_version)" = v2 ] && [ -d "$CGROOT/$1" ] || return 0
    while IFS= read -r pid; do
        [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    done < <(find "$CGROOT/$1" -name cgroup.procs -exec cat {} + 2>/dev/null)
    sleep 0.3
    find "$CGROOT/$1" -depth -type d -exec rmdir {} + 2>/dev/null
    # Under the systemd cgroup manager the parent is a slice unit of our own.
    if [ "$CRIO_CGROUP_MANAGER" = systemd ] && [[ $1 == *.slice ]]; then
        systemctl stop "$1" 2>/dev/null || true
    fi
}

# ---------------------------------------------------------------- the node's files

# The node config at its installed path: enabled (true|false), failurePolicy, mode.
wp_write_config() { # ENABLED [FAILURE-POLICY] [MODE]
    jq -n --argjson en "$1" --arg fp "${2:-fail}" --arg mode "${3:-enforce}" --arg s2w "$CRIO_SHARES_TO_WEIGHT" \
        '{enabled: $en, mode: $mode, failurePolicy: $fp, sharesToWeight: $s2w,
          partitionsFile: "/etc/workload-partitioning/partitions.json",
          log: {level: "info", target: "auto"}}' | e2e_install_file "$WP_ETC/config.json"
}

# The merged partition file: "management" on CPU $1 (allowedNamespaces $2, a JSON array),
# and a second partition "infra" on CPU 0 (for the two-partitions case).
wp_write_partitions() { # CPUSET [ALLOWED-NAMESPACES-JSON]
    jq -n --arg cpus "$1" --argjson ns "${2:-[]}" \
        'def part($name; $cpus; $ns): {cpuset: $cpus,
            activationAnnotation: ("target.workload.openshift.io/" + $name),
            annotationPrefix: "resources.workload.openshift.io",
            defaults: {cpushares: 0, cpuquota: 0, cpuperiod: 0},
            allowedNamespaces: $ns, sources: ["crio-suite"]};
         {version: 1, partitions: {management: part("management"; $cpus; $ns),
                                   infra: part("infra"; "0"; [])}}' |
        e2e_install_file "$WP_ETC/partitions.json"
}

# hooks.d as `make install` and the RPM install it: the shipped file with the hook's
# path substituted (the same sed as the Makefile's install rule), into DIR.
wp_install_hooksd() { # DIR
    mkdir -p "$1"
    sed "s|/usr/libexec/oci/hooks.d/workload-partitioning-hook|$HOOK|" \
        "$CRIO_REPO/config/hooks.d/99-workload-partitioning.json" >"$1/99-workload-partitioning.json"
    chmod 0644 "$1/99-workload-partitioning.json"
}

# ---------------------------------------------------------------- private /etc, /run, journal

# In a private mount namespace (the caller runs under `unshare -m --propagation private`):
# /etc and /run become overlays whose changes live in a tmpfs of ours, so the installed
# paths (/etc/workload-partitioning, /run/workload-partitioning) are the test's own and the
# host's are never touched; a stand-in for journald's socket records the hook's journal
# records in $CRIO_WORK/journal.jsonl.
crio_private_root() {
    local d
    mkdir -p "$CRIO_WORK/ovl"
    mount -t tmpfs -o mode=0755 wp-crio-ovl "$CRIO_WORK/ovl" || return 1
    for d in etc run; do
        mkdir -p "$CRIO_WORK/ovl/$d/upper" "$CRIO_WORK/ovl/$d/work"
        mount -t overlay "wp-crio-$d" \
            -o "lowerdir=/$d,upperdir=$CRIO_WORK/ovl/$d/upper,workdir=$CRIO_WORK/ovl/$d/work" "/$d" ||
            return 1
    done
    rm -rf "$WP_ETC" /run/workload-partitioning "$(dirname "$JOURNAL_SOCKET")"
    mkdir -p "$(dirname "$JOURNAL_SOCKET")"
    : >"$CRIO_WORK/journal.jsonl"
    python3 "$CRIO_REPO/tests/crio/journal-sink.py" "$JOURNAL_SOCKET" "$CRIO_WORK/journal.jsonl" \
        >"$CRIO_WORK/journal-sink.out" 2>&1 &
    JOURNAL_PID=$!
    for _ in $(seq 100); do
        grep -q ready "$CRIO_WORK/journal-sink.out" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "journal stand-in did not start: $(cat "$CRIO_WORK/journal-sink.out")" >&2
    return 1
}

# The hook's journal records (one JSON object a line, journal field names) since the
# suite started.
wp_journal() {
    if [ "$CRIO_PRIVATE" = 1 ]; then
        cat "$CRIO_WORK/journal.jsonl"
    else
        journalctl -q -o json --since "@${CRIO_T0:-0}" SYSLOG_IDENTIFIER=workload-partitioning-hook
    fi
}

# The last record whose FIELD is VALUE, or nothing.
wp_journal_where() { wp_journal | jq -c --arg k "$1" --arg v "$2" 'select(.[$k] == $v)' | tail -n 1; }
# The record of container ID (the last one), or nothing.
wp_journal_of() { wp_journal_where WP_CONTAINER_ID "$1"; }

# ---------------------------------------------------------------- CRI-O

crictl_() {
    timeout "$CRIO_TIMEOUT" "$CRIO_BIN/crictl" --config "$CRIO_WORK/crictl.yaml" \
        --runtime-endpoint "unix://$CRIO_WORK/crio.sock" --image-endpoint "unix://$CRIO_WORK/crio.sock" \
        --timeout "${CRIO_TIMEOUT}s" "$@"
}

crio_storage_args() {
    echo --root "$CRIO_WORK/storage" --runroot "$CRIO_WORK/run/storage" --storage-driver vfs
}

# Images from local files: a busybox-static rootfs, and the pause image (/pause only).
crio_import_images() {
    local r=$CRIO_WORK/img/busybox p=$CRIO_WORK/img/pause a
    mkdir -p "$p" "$CRIO_WORK/podman/tmp"
    e2e_make_rootfs "$r"
    cp "$CRIO_PAUSE" "$p/pause"
    tar -C "$r" -cf "$CRIO_WORK/img/busybox.tar" .
    tar -C "$p" -cf "$CRIO_WORK/img/pause.tar" .
    : >"$CRIO_WORK/podman/containers.conf"
    # shellcheck disable=SC2046
    for a in "busybox.tar $CRIO_IMAGE" "pause.tar $CRIO_PAUSE_IMAGE"; do
        CONTAINERS_CONF=$CRIO_WORK/podman/containers.conf CONTAINERS_STORAGE_CONF=$CRIO_WORK/storage.conf \
            timeout "$CRIO_TIMEOUT" podman $(crio_storage_args) --tmpdir "$CRIO_WORK/podman/tmp" \
            --events-backend file --cgroup-manager cgroupfs \
            import "$CRIO_WORK/img/${a% *}" "${a#* }" >/dev/null 2>"$CRIO_WORK/podman/import.log" ||
            { cat "$CRIO_WORK/podman/import.log" >&2; return 1; }
    done
}

# The workloads table of CRI-O's built-in version of the same job.
crio_builtin_workloads() { # MANAGEMENT-CPUSET
    cat <<EOF
[crio.runtime.workloads.management]
activation_annotation = "target.workload.openshift.io/management"
annotation_prefix = "$OVR_PREFIX"
resources = { "cpushares" = 0, "cpuset" = "$1" }

[crio.runtime.workloads.infra]
activation_annotation = "target.workload.openshift.io/infra"
annotation_prefix = "$OVR_PREFIX"
resources = { "cpushares" = 0, "cpuset" = "0" }
EOF
}

# CRI-O's table for a second runtime (handler) NAME.
crio_runtime_table() { # NAME
    mkdir -p "$CRIO_WORK/run/$1"
    printf '\n[crio.runtime.runtimes.%s]\nruntime_path = "%s"\nruntime_type = "oci"\n' "$1" "$(command -v "$1")"
    printf 'runtime_root = "%s"\nmonitor_path = "%s"\n' "$CRIO_WORK/run/$1" "$(command -v conmon)"
}

# Writes CRI-O's config for MODE: hook (hooks_dir holds the installed hooks.d file),
# builtin ([crio.runtime.workloads.*], empty hooks_dir), none (neither).
crio_write_conf() { # MODE MANAGEMENT-CPUSET
    local w=$CRIO_WORK hooks=$CRIO_WORK/hooks.d-empty rt
    rt=$(command -v "$CRIO_RUNTIME")
    mkdir -p "$w/hooks.d" "$w/hooks.d-empty" "$w/crio.conf.d" "$w/cni/net.d" "$w/cni/bin" \
        "$w/run/exits" "$w/run/attach" "$w/run/ns" "$w/run/$CRIO_RUNTIME" "$w/lib" "$w/logs"
    [ "$1" = hook ] && hooks=$w/hooks.d
    cat >"$w/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$w/run/storage"
graphroot = "$w/storage"
EOF
    echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$w/policy.json"
    printf 'runtime-endpoint: unix://%s/crio.sock\n' "$w" >"$w/crictl.yaml"
    cat >"$w/crio.conf" <<EOF
[crio]
root = "$w/storage"
runroot = "$w/run/storage"
storage_driver = "vfs"
log_dir = "$w/logs"
version_file = "$w/run/version"
version_file_persist = "$w/lib/version"
clean_shutdown_file = "$w/lib/clean.shutdown"

[crio.api]
listen = "$w/crio.sock"
stream_address = "127.0.0.1"
stream_port = "0"

[crio.runtime]
default_runtime = "$CRIO_RUNTIME"
cgroup_manager = "$CRIO_CGROUP_MANAGER"
conmon_cgroup = "pod"
hooks_dir = ["$hooks"]
container_exits_dir = "$w/run/exits"
container_attach_socket_dir = "$w/run/attach"
namespaces_dir = "$w/run/ns"
pinns_path = "$CRIO_BIN/pinns"
selinux = false
log_level = "${CRIO_LOG_LEVEL:-info}"

[crio.runtime.runtimes.$CRIO_RUNTIME]
runtime_path = "$rt"
runtime_type = "oci"
runtime_root = "$w/run/$CRIO_RUNTIME"
monitor_path = "$(command -v conmon)"
$([ -n "${CRIO_RUNTIME2-}" ] && crio_runtime_table "$CRIO_RUNTIME2")

$([ "$1" = builtin ] && crio_builtin_workloads "$2")

[crio.image]
pause_image = "$CRIO_PAUSE_IMAGE"
pause_command = "/pause"
signature_policy = "$w/policy.json"

[crio.network]
network_dir = "$w/cni/net.d"
plugin_dirs = ["$w/cni/bin"]

[crio.metrics]
enable_metrics = false
EOF
}

# Starts CRI-O in MODE and waits until it answers. Sets CRIO_PID.
crio_start() { # MODE MANAGEMENT-CPUSET
    local i
    crio_write_conf "$1" "$2"
    CONTAINERS_STORAGE_CONF=$CRIO_WORK/storage.conf "$CRIO_BIN/crio" --config "$CRIO_WORK/crio.conf" \
        --config-dir "$CRIO_WORK/crio.conf.d" >>"$CRIO_WORK/crio-$1.log" 2>&1 &
    CRIO_PID=$!
    for ((i = 0; i < CRIO_TIMEOUT * 5; i++)); do
        if [ -S "$CRIO_WORK/crio.sock" ] && crictl_ version >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$CRIO_PID" 2>/dev/null || break
        sleep 0.2
    done
    echo "crio ($1) did not come up; its log ends:" >&2
    tail -n 20 "$CRIO_WORK/crio-$1.log" >&2
    return 1
}

# Removes every pod, then stops CRI-O.
crio_stop() {
    local i
    [ -n "${CRIO_PID-}" ] || return 0
    if kill -0 "$CRIO_PID" 2>/dev/null; then
        CRIO_TIMEOUT=60 crictl_ rmp -a -f >/dev/null 2>&1 || true
        kill -TERM "$CRIO_PID" 2>/dev/null
        for ((i = 0; i < 150; i++)); do
            kill -0 "$CRIO_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$CRIO_PID" 2>/dev/null
    fi
    wait "$CRIO_PID" 2>/dev/null
    CRIO_PID=""
    rm -f "$CRIO_WORK/crio.sock"
}

# ---------------------------------------------------------------- pods and containers

# What every test container runs: prints its own allowed CPUs, then waits.
CRIO_CMD='grep Cpus_allowed_list /proc/self/status; echo READY; exec sleep 3600'

# The pod's annotations, a JSON object.
#   pod_annotations ACTIVATE(management|infra|both|no) [CONTAINER OVERRIDE-TEXT]
# The override annotation is only added when both CONTAINER and OVERRIDE-TEXT are given.
pod_annotations() {
    jq -n --arg act "$1" --arg ctr "${2-}" --arg ovr "${3-}" --arg withovr "$(($# >= 3))" \
        --arg v "$ACT_VALUE" --arg p "$OVR_PREFIX" \
        '(if $act == "management" or $act == "both" then {"target.workload.openshift.io/management": $v} else {} end)
         + (if $act == "infra" or $act == "both" then {"target.workload.openshift.io/infra": $v} else {} end)
         + (if $withovr == "1" then {($p + "/" + $ctr): $ovr} else {} end)'
}

# Writes the pod and container configs of pod NAME under $CRIO_WORK/pods/NAME.
#   pod_config NAME NAMESPACE ANNOTATIONS-JSON CONTAINER KUBELET(yes|no) CPU-SHARES
# KUBELET=yes: the labels the kubelet sets (io.kubernetes.pod.*, io.kubernetes.container.name);
# no: a bare CRI client, CRI metadata only. CPU-SHARES: the container's cpu_shares (0: unset).
pod_config() {
    local d=$CRIO_WORK/pods/$1 parent=/$CRIO_CGPARENT
    mkdir -p "$d/logs"
    [ "$CRIO_CGROUP_MANAGER" = systemd ] && parent=$CRIO_CGPARENT
    jq -n --arg name "$1" --arg ns "$2" --argjson ann "$3" --arg kubelet "$5" --arg logs "$d/logs" \
        --arg parent "$parent" --argjson pidns "$CRIO_POD_PID" \
        '{metadata: {name: $name, namespace: $ns, uid: ("uid-" + $name), attempt: 0},
          annotations: $ann,
          labels: (if $kubelet == "yes" then {"io.kubernetes.pod.name": $name,
                     "io.kubernetes.pod.namespace": $ns, "io.kubernetes.pod.uid": ("uid-" + $name)}
                   else {} end),
          log_directory: $logs,
          linux: {cgroup_parent: $parent,
                  security_context: {namespace_options: {network: 2, pid: $pidns, ipc: 0}}}}' >"$d/pod.json"
    jq -n --arg pod "$1" --arg ns "$2" --arg ctr "$4" --argjson ann "$3" --arg kubelet "$5" \
        --argjson shares "$6" --arg image "$CRIO_IMAGE" --arg cmd "$CRIO_CMD" --argjson pidns "$CRIO_POD_PID" \
        '{metadata: {name: $ctr, attempt: 0}, image: {image: $image},
          command: ["sh", "-c", $cmd], log_path: ($ctr + ".log"), annotations: $ann,
          labels: (if $kubelet == "yes" then {"io.kubernetes.container.name": $ctr,
                     "io.kubernetes.pod.name": $pod, "io.kubernetes.pod.namespace": $ns,
                     "io.kubernetes.pod.uid": ("uid-" + $pod)} else {} end),
          linux: {resources: (if $shares > 0 then {cpu_shares: $shares} else {} end),
                  security_context: {namespace_options: {network: 2, pid: $pidns, ipc: 0}}}}' >"$d/ctr.json"
    echo "$4" >"$d/ctr.name"
}

# Runs the pod sandbox, creates and starts its container. Ids in $d/{pod,ctr}.id, errors
# in $d/err; returns non-zero when a step failed. CRIO_HANDLER names a runtime handler
# other than the default (crictl runp --runtime).
pod_start() { # NAME
    local d=$CRIO_WORK/pods/$1 id
    : >"$d/err"
    id=$(crictl_ runp ${CRIO_HANDLER:+--runtime "$CRIO_HANDLER"} "$d/pod.json" 2>>"$d/err") || return 1
    echo "$id" >"$d/pod.id"
    id=$(crictl_ create "$(cat "$d/pod.id")" "$d/ctr.json" "$d/pod.json" 2>>"$d/err") || return 1
    echo "$id" >"$d/ctr.id"
    crictl_ start "$id" >/dev/null 2>>"$d/err" || return 1
}

pod_ctr_id() { cat "$CRIO_WORK/pods/$1/ctr.id" 2>/dev/null; }
pod_err() { tr '\n' ' ' <"$CRIO_WORK/pods/$1/err" 2>/dev/null; }

# Removes pod NAME with its container.
pod_rm() {
    local id
    id=$(cat "$CRIO_WORK/pods/$1/pod.id" 2>/dev/null) || return 0
    crictl_ rmp -f "$id" >/dev/null 2>&1 || true
}

# Waits until the container printed READY; prints what it printed.
pod_wait_ready() { # NAME
    local d=$CRIO_WORK/pods/$1
    e2e_wait_ready file "$d/logs/$(cat "$d/ctr.name").log"
}

# Sets SEEN (the Cpus_allowed_list the container printed), PID and the cgroup facts.
pod_facts() { # NAME
    local out
    SEEN="" PID=""
    out=$(pod_wait_ready "$1") || return 1
    SEEN=$(sed -n 's/.*Cpus_allowed_list:[[:space:]]*//p' <<<"$out")
    PID=$(crictl_ inspect "$(pod_ctr_id "$1")" 2>/dev/null | jq -r '.info.pid // empty')
    [ -n "$PID" ] && [ -r "/proc/$PID/cgroup" ] || return 1
    cg_facts "$PID"
}

facts_line() { echo "sees=$SEEN cpuset=$CPUS effective=$EFF shares=$SHARES quota=$QUOTA period=$PERIOD"; }

# ---------------------------------------------------------------- setup

# A caller on a host (CRIO_PRIVATE=1) runs in a private mount namespace: re-exec there.
# Call as: crio_enter_namespace "$0" "$@" (returns only when already inside, or private is off).
crio_enter_namespace() {
    [ "$CRIO_PRIVATE" = 1 ] && [ -z "${WP_CRIO_IN_NS-}" ] || return 0
    exec unshare --mount --propagation private env WP_CRIO_IN_NS=1 "$@"
}

# Sets CRIO_BIN: builds crio, pinns and crictl, or takes them from the cache; the
# build's progress goes to FILE.
crio_build() { # FILE
    local b
    if [ -n "${CRIO_BIN-}" ]; then
        for b in crio pinns crictl; do
            [ -x "$CRIO_BIN/$b" ] || { echo "crio-build: CRIO_BIN=$CRIO_BIN has no $b" >"$1"; return 1; }
        done
        echo "crio-build: given: $CRIO_BIN" >"$1"
        return 0
    fi
    CRIO_BIN=$("$CRIO_REPO/tests/crio/build.sh" 2>"$1")
}

# Everything before CRI-O starts, in the fresh $CRIO_WORK: the pause program (unless
# CRIO_PAUSE names a built one), the private /etc, /run and journal socket (or the real
# ones), the images, hooks.d as installed, and the node config (on, failurePolicy fail)
# and partition file (management on CPUSET). Errors on stderr, non-zero on failure.
crio_setup() { # CPUSET
    if [ ! -x "${CRIO_PAUSE-}" ]; then
        CRIO_PAUSE=$CRIO_WORK/pause
        gcc -O2 -static -o "$CRIO_PAUSE" "$CRIO_REPO/tests/crio/pause.c" || return 1
    fi
    if [ "$CRIO_PRIVATE" = 1 ]; then
        crio_private_root || { echo "cannot set up the private /etc, /run and journal socket" >&2; return 1; }
    fi
    mkdir -p "$WP_ETC"
    crio_write_conf hook "$1"
    crio_import_images || { echo "cannot import the test images" >&2; return 1; }
    wp_install_hooksd "$CRIO_WORK/hooks.d"
    wp_write_config true fail
    wp_write_partitions "$1"
}

# ---------------------------------------------------------------- cleanup

# Stops CRI-O (removing its pods), whatever conmon or container is left in our cgroups,
# the journal stand-in, and removes the work directory. Safe to call twice.
crio_cleanup() {
    [ -n "${CRIO_WORK-}" ] && [ -d "$CRIO_WORK" ] || return 0
    crio_stop
    cg_remove_parent "$CRIO_CGPARENT"
    if [ -n "${JOURNAL_PID-}" ]; then
        kill "$JOURNAL_PID" 2>/dev/null
        wait "$JOURNAL_PID" 2>/dev/null
        JOURNAL_PID=""
    fi
    e2e_umount_under "$CRIO_WORK"
    rm -rf --one-file-system "$CRIO_WORK"
}
