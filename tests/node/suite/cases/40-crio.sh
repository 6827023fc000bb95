# shellcheck shell=bash
# shellcheck disable=SC2034 # SKIP_REASON is read by suite/run.sh
# The CRI-O suite (tests/crio/run.sh) inside the node, in the OpenShift configuration:
# cgroup v2, cgroup_manager "systemd" with the pods in a slice of their own,
# conmon_cgroup "pod", crun as the default runtime and runc as a second handler, full
# pods with their pause container (pid = POD), the real /etc, /run and journal
# (CRIO_PRIVATE=0: the VM is disposable), and a `systemctl daemon-reload` between a
# pinned start and its check. Every case runs with the hook and with CRI-O's built-in
# workloads; the hook/built-in table is written to the share (out/crio-table.txt).
#
# Registered only when the host runs the node suite with NODE_CRIO=1 (make
# test-crio-node, tests/node/crio.sh), which builds CRI-O on the host and puts it in the
# share (share.d/40-crio.list): under qemu without KVM the suite takes minutes.
# The inner suite's TAP lines become lines of this suite ("CRI-O: ..."), followed by
# one line for the run as a whole.

# Which of the suite's cases run here (a regex of their names; WP_CRIO_ONLY="" for all):
# under TCG on a loaded machine one case takes 60-80 s a mode, so the VM runs the cases
# that the OpenShift configuration changes (the pin, a refusal through crun, the second
# runtime, the daemon-reload); the rest run on the host (make test-crio).
NODE_CRIO_CASES='^(management pod pinned|malformed override refused|pin holds after)'

case_crio() {
    # The inner TAP and stderr go to the share as they come: the host can follow a long run.
    local share=$NODE_SHARE/crio out=$NODE_SHARE/out/crio.tap err=$NODE_SHARE/out/crio.stderr line rc re='^(not )?ok [0-9]+ - (.*)$'
    if [ ! -x "$share/bin/crio" ] || [ ! -x "$share/pause" ]; then
        SKIP_REASON="no CRI-O in the share ($share/bin/crio, $share/pause): run with NODE_CRIO=1 (make test-crio-node)"
        return 0
    fi
    CRIO_SHARES_TO_WEIGHT=linear WP_CRIO_ONLY=${WP_CRIO_ONLY-$NODE_CRIO_CASES} \
        CRIO_PRIVATE=0 CRIO_CGROUP_MANAGER=systemd CRIO_CGPARENT=wpcrio.slice CRIO_RUNTIME=crun \
        CRIO_RUNTIME2=runc CRIO_POD_PID=0 CRIO_DAEMON_RELOAD=1 CRIO_BIN=$share/bin CRIO_PAUSE=$share/pause \
        CRIO_HOOK=$HOOK BUILD=$NODE_SHARE/bin CRIO_TABLE=$NODE_SHARE/out/crio-table.txt \
        CRIO_SUITE_TIMEOUT=${CRIO_SUITE_TIMEOUT:-1500} \
        bash "$NODE_SHARE/repo/tests/crio/run.sh" >"$out" 2>"$err"
    rc=$?
    while IFS= read -r line; do
        if [[ $line =~ $re ]]; then
            n=$((n + 1))
            echo "${BASH_REMATCH[1]}ok $n - CRI-O: ${BASH_REMATCH[2]}"
        elif [[ ! $line =~ ^1\.\.[0-9]+ ]]; then
            echo "$line"
        fi
    done <"$out"
    if [ "$rc" -ne 0 ]; then
        fail "the CRI-O suite exited $rc; its stderr ends: $(tail -n 15 "$err" | tr '\n' ' ')"
        return 1
    fi
}

if [ "${NODE_CRIO:-0}" = 1 ]; then
    node_case "CRI-O suite in the node (systemd cgroup manager, crun and runc, cgroup v2, full pods, daemon-reload)" case_crio
fi
