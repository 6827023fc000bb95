# shellcheck shell=bash
# The node itself: what every other case relies on.

case_node_is_a_node() {
    expect "PID 1" "$(cat /proc/1/comm)" systemd
    expect "cgroup filesystem at $CGROOT" "$(stat -f -c %T "$CGROOT")" cgroup2fs
    local c
    for c in cpuset cpu; do
        grep -qw "$c" "$CGROOT/cgroup.controllers" || fail "controller $c not in $CGROOT/cgroup.controllers: $(cat "$CGROOT/cgroup.controllers")"
    done
    if ! e2e_cpulist_has "$NODE_ONLINE" 0 || ! e2e_cpulist_has "$NODE_ONLINE" 1; then
        fail "online CPUs $NODE_ONLINE: want 0 and 1, so that a pin to 1 is visible"
    fi
    echo "#   $(uname -r), systemd $(systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p'), $(runc --version | head -1), $(crun --version | head -1), podman $(podman --version | sed 's/.* //')"
}
node_case "node: systemd is PID 1, cgroup v2 with cpuset and cpu, CPUs $NODE_ONLINE" case_node_is_a_node
