#!/usr/bin/env bash
# wpctl explain (the hook's pipeline via the C API, dry run) against what the
# hook then really does on a fake node; wpctl status on fake v1 and v2 trees.
set -u
. "$(dirname "$0")/lib.sh"
need "$WPCTL" "$HOOK"
need_root

# tree_snapshot: every file of the fake cgroup tree with its content.
tree_snapshot() { (cd "$W/cg" && grep -r '' . | LC_ALL=C sort); }

# node_with PIN_JSON [POLICY_JSON]: a fake node whose merged file wpctl wrote.
node_with() {
    fake_node
    wp_object management-partition names management >"$W/m.yaml"
    echo "$1" >"$W/pin"
    echo "${2:-{\}}" >"$W/policy.json"
    "$WPCTL" merge -o "$W/etc/partitions.json" --pinning "$W/pin" --policy "$W/policy.json" "$W/m.yaml" 2>/dev/null
}

# explain_then_hook: explain --json, then the hook; checks that explain wrote
# nothing, that the hook's exit code is explain's, and that the hook changed
# exactly the files explain listed, to the values it listed.
explain_then_hook() {
    tree_snapshot >"$W/t0"
    local erc=0 hrc=0
    "$WPCTL" explain --json --config "$W/etc/config.json" <"$W/state.json" >"$W/explain.json" || erc=$?
    tree_snapshot >"$W/t1"
    diff "$W/t0" "$W/t1" >/dev/null || die "wpctl explain changed the tree: $(diff "$W/t0" "$W/t1")"
    jq -e . "$W/explain.json" >/dev/null || die "explain --json is not JSON: $(cat "$W/explain.json")"
    "$HOOK" --config "$W/etc/config.json" <"$W/state.json" >"$W/hook.out" 2>"$W/hook.err" || hrc=$?
    [[ $erc == "$hrc" ]] || die "explain exit $erc, hook exit $hrc: $(cat "$W/hook.err")"
    tree_snapshot >"$W/t2"
    # What changed, as "file=value" (first line of each changed file).
    local changed want
    changed=$({ diff "$W/t1" "$W/t2" || true; } | sed -n 's|^> \./\([^:]*\):\(.*\)$|\1=\2|p' | LC_ALL=C sort)
    want=$(jq -r '(.writes // [])[] | "\(.file)=\(.value)"' "$W/explain.json" | LC_ALL=C sort)
    # Every file the hook changed is one explain listed ...
    local line
    while IFS= read -r line; do
        [[ -z "$line" ]] && continue
        grep -qxF -- "$line" <<<"$want" || die "the hook changed $line, which explain did not list:
$want"
    done <<<"$changed"
    # ... and every file explain listed holds the value it listed (a write of the
    # value already there changes nothing, so check the content, not the diff).
    while IFS= read -r line; do
        [[ -z "$line" ]] && continue
        [[ $(tr -d '\n' <"$W/cg/${line%%=*}") == "${line#*=}" ]] ||
            die "explain listed $line, the file holds $(cat "$W/cg/${line%%=*}")"
    done <<<"$want"
    if [[ $erc == 0 && -n "$want" && -z "$changed" ]]; then die "the hook changed nothing"; fi
    EXPLAIN_RC=$erc
}

test_explain_prints_the_decision_the_hook_applies() {
    node_with '{"management": {"cpuset": "0-1"}}'
    crio_state management
    explain_then_hook
    [[ $EXPLAIN_RC == 0 ]] || die "exit $EXPLAIN_RC"
    [[ $(jq -r .outcome "$W/explain.json") == dry-run ]] || die "outcome $(jq -r .outcome "$W/explain.json")"
    [[ $(jq -r .partition "$W/explain.json") == management ]] || die "partition"
    [[ $(leaf_cpus) == 0-1 ]] || die "the hook did not pin: $(leaf_cpus)"
    # The text form says the same.
    "$WPCTL" explain --config "$W/etc/config.json" <"$W/state.json" >"$W/text" || die "text form failed"
    grep -q 'partition: management' "$W/text" || die "text: $(cat "$W/text")"
    grep -q 'cpuset.cpus = 0-1' "$W/text" || die "text: $(cat "$W/text")"
}

test_explain_with_an_override_matches_the_hook() {
    node_with '{"management": {"cpuset": "0-1"}}'
    crio_state management openshift-etcd '{"cpushares": 400, "cpulimit": 500, "cpuset": "1"}'
    explain_then_hook
    [[ $EXPLAIN_RC == 0 ]] || die "exit $EXPLAIN_RC"
    [[ $(leaf_cpus) == 1 ]] || die "cpuset $(leaf_cpus)"
    [[ $(leaf_shares) == 400 ]] || die "shares $(leaf_shares)"
    [[ $(jq '.writes | length' "$W/explain.json") -ge 3 ]] || die "writes: $(jq -c .writes "$W/explain.json")"
}

test_explain_on_a_v2_tree_matches_the_hook() {
    fake_node_v2
    wp_object management-partition names management >"$W/m.yaml"
    echo '{"management": {"cpuset": "0-1"}}' >"$W/pin"
    "$WPCTL" merge -o "$W/etc/partitions.json" --pinning "$W/pin" "$W/m.yaml" 2>/dev/null
    crio_state management openshift-etcd '{"cpushares": 400, "cpuquota": 20000}'
    explain_then_hook
    [[ $EXPLAIN_RC == 0 ]] || die "exit $EXPLAIN_RC"
    local leaf=$W/cg/${POD_PATH#/}
    [[ $(cat "$leaf/cpuset.cpus") == 0-1 ]] || die "cpuset $(cat "$leaf/cpuset.cpus")"
    [[ $(cat "$leaf/cpu.weight") != 100 ]] || die "cpu.weight not written"
    [[ $(cat "$leaf/cpu.max") == "20000 100000" ]] || die "cpu.max $(cat "$leaf/cpu.max")"
}

test_explain_of_a_refused_override_matches_the_hook() {
    node_with '{"management": {"cpuset": "0-1"}}'
    crio_state management openshift-etcd '{"cpushares": 1}'
    explain_then_hook
    [[ $EXPLAIN_RC == 1 ]] || die "exit $EXPLAIN_RC, expected 1"
    jq -r '.message, .error' "$W/explain.json" | grep -q cpushares || die "does not name cpushares: $(cat "$W/explain.json")"
}

test_explain_of_a_namespace_outside_the_policy() {
    node_with '{"management": {"cpuset": "0-1"}}' '{"management": {"allowedNamespaces": ["openshift-*"]}}'
    crio_state management default
    explain_then_hook
    [[ $EXPLAIN_RC == 0 ]] || die "exit $EXPLAIN_RC"
    [[ $(jq -r .outcome "$W/explain.json") == not-allowed ]] || die "outcome $(jq -r .outcome "$W/explain.json")"
    [[ $(leaf_cpus) == 0-3 ]] || die "pinned a pod outside allowedNamespaces"
}

test_explain_of_an_unpartitioned_container() {
    node_with '{"management": {"cpuset": "0-1"}}'
    crio_state ""
    explain_then_hook
    [[ $(jq -r .outcome "$W/explain.json") == not-activated ]] || die "outcome $(jq -r .outcome "$W/explain.json")"
}

test_explain_reads_a_state_file_argument() {
    node_with '{"management": {"cpuset": "0-1"}}'
    crio_state management
    run "$WPCTL" explain --json --config "$W/etc/config.json" "$W/state.json"
    expect_rc 0
    jq -e '.partition == "management"' "$W/out" >/dev/null || die "$(cat "$W/out")"
    echo '{"ociVersion": ' >"$W/bad.json"
    run "$WPCTL" explain --config "$W/etc/config.json" "$W/bad.json"
    expect_rc 2
}

test_explain_of_a_running_containers_state() {
    # What `runc state ID` prints for a running container.
    node_with '{"management": {"cpuset": "0-1"}}'
    crio_state management
    jq '.status = "running" | .rootfs = "/var/lib/containers/x/merged" | .created = "2026-01-01T00:00:00Z" | .owner = ""' \
        "$W/state.json" >"$W/running.json"
    run "$WPCTL" explain --json --config "$W/etc/config.json" "$W/running.json"
    expect_rc 0
    err_has 'state status "running" explained as "created"'
    jq -e '.outcome == "dry-run" and .partition == "management"' "$W/out" >/dev/null || die "$(cat "$W/out")"
}

status() { run "$WPCTL" status --config "$W/etc/config.json" --cgroup-root "$W/cg" --containers-root "$W/containers" "$@"; }

test_status_lists_pinned_then_drifted() {
    node_with '{"management": {"cpuset": "0-1"}}'
    crio_state management
    "$HOOK" --config "$W/etc/config.json" <"$W/state.json" 2>/dev/null || die "hook failed"
    status
    expect_rc 0
    out_has "${CID:0:12}"
    grep -E "^${CID:0:12} +pinned +management +0-1 +0-1 " "$W/out" >/dev/null || die "not listed as pinned: $(cat "$W/out")"
    out_has "1 pinned, 0 drifted"
    # Something rewrites the container's cpuset behind the hook's back.
    echo 0-3 >"$W/cg/cpuset/${POD_PATH#/}/cpuset.cpus"
    status --json
    expect_rc 1
    jq -e --arg id "$CID" '.drifted == 1 and (.containers[] | select(.id == $id) |
        .state == "drifted" and .partition == "management" and .cpuset == "0-3" and .expected == "0-1")' \
        "$W/out" >/dev/null || die "not drifted: $(cat "$W/out")"
}

test_status_without_annotations_matches_by_cpuset() {
    node_with '{"management": {"cpuset": "0-1"}}'
    crio_state management
    "$HOOK" --config "$W/etc/config.json" <"$W/state.json" 2>/dev/null || die "hook failed"
    rm -rf "$W/containers"
    # The hook's pin record says what it decided ...
    status
    expect_rc 0
    grep -E "^${CID:0:12} +pinned +management +0-1 +0-1 " "$W/out" >/dev/null || die "$(cat "$W/out")"
    # ... and without it the cpuset alone is matched.
    rm -rf "$W/pins"
    status
    expect_rc 0
    grep -E "^${CID:0:12} +pinned +management +0-1 +- " "$W/out" >/dev/null || die "$(cat "$W/out")"
    # An unpartitioned container is only listed with --all.
    local other=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210
    mkdir -p "$W/cg/cpuset/kubepods.slice/crio-$other.scope"
    echo 0-3 >"$W/cg/cpuset/kubepods.slice/crio-$other.scope/cpuset.cpus"
    status
    ! grep -q "${other:0:12}" "$W/out" || die "unpinned container listed without --all"
    status --all
    grep -E "^${other:0:12} +unpinned " "$W/out" >/dev/null || die "$(cat "$W/out")"
}

test_status_reports_an_effective_cpuset_that_differs() {
    node_with '{"management": {"cpuset": "0-1"}}'
    crio_state management
    "$HOOK" --config "$W/etc/config.json" <"$W/state.json" 2>/dev/null || die "hook failed"
    echo 1 >"$W/cg/cpuset/${POD_PATH#/}/cpuset.effective_cpus"
    status
    expect_rc 1
    out_has 'effective cpus "1" differ'
}

test_status_on_a_v2_tree() {
    fake_node
    echo '{"management": {"cpuset": "2-3"}}' >"$W/pin"
    wp_object mp names management >"$W/m.yaml"
    "$WPCTL" merge -o "$W/etc/partitions.json" --pinning "$W/pin" "$W/m.yaml" 2>/dev/null
    rm -rf "$W/cg"
    mkdir -p "$W/cg/system.slice/libpod-$CID.scope/container"
    echo "cpuset cpu memory" >"$W/cg/cgroup.controllers"
    echo 0-3 >"$W/cg/cpuset.cpus.effective"
    echo 2-3 >"$W/cg/system.slice/libpod-$CID.scope/cpuset.cpus"
    echo 2-3 >"$W/cg/system.slice/libpod-$CID.scope/cpuset.cpus.effective"
    echo "" >"$W/cg/system.slice/libpod-$CID.scope/container/cpuset.cpus"
    status --json
    expect_rc 0
    jq -e '.pinned == 1 and .containers[0].cgroup == "/system.slice/libpod-'"$CID"'.scope"' "$W/out" >/dev/null ||
        die "$(cat "$W/out")"
}

test_status_does_not_follow_symlinks() {
    node_with '{"management": {"cpuset": "0-1"}}'
    mkdir -p "$W/elsewhere/crio-$CID.scope"
    echo 0-1 >"$W/elsewhere/crio-$CID.scope/cpuset.cpus"
    ln -s "$W/elsewhere" "$W/cg/cpuset/kubepods.slice/link"
    status
    expect_rc 0
    out_has "0 pinned, 0 drifted, 1 containers"
}

test_status_on_this_host() {
    # The real hierarchy (v1 hybrid here), with an empty partition file.
    mkdir -p "$W/etc"
    echo '{"version": 1, "partitions": {}}' >"$W/etc/partitions.json"
    run "$WPCTL" status --config /nonexistent --partitions "$W/etc/partitions.json"
    expect_rc 0
    out_has "0 pinned, 0 drifted"
    err_lacks "warning: the cpuset controller is mounted at"
}

# A real container (runc, busybox) on this host's cgroups: explain, the hook,
# and status agree with the kernel.
test_real_runc_container() {
    local id bundle parent=wpctl-test-$$
    id=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    bundle=$W/containers/$id/userdata
    RUNC_ROOT=$W/runc RUNC_ID=$id
    trap 'runc --root "$RUNC_ROOT" delete -f "$RUNC_ID" >/dev/null 2>&1; rmdir /sys/fs/cgroup/*/'"$parent"' 2>/dev/null; rm -rf "$W"' EXIT
    mkdir -p "$bundle/rootfs/bin"
    cp "$(command -v busybox)" "$bundle/rootfs/bin/busybox"
    (cd "$bundle" && runc spec)
    jq --arg cg "/$parent/crio-$id" '.process.args = ["/bin/busybox", "sleep", "300"]
        | .process.terminal = false | .root.readonly = true | .linux.cgroupsPath = $cg
        | .linux.resources.cpu = {cpus: "0-1", mems: "0"}
        | .annotations = {"target.workload.openshift.io/management": "{\"effect\": \"PreferredDuringScheduling\"}",
            "io.kubernetes.pod.namespace": "openshift-etcd", "io.kubernetes.pod.name": "p",
            "io.kubernetes.container.name": "c"}' "$bundle/config.json" >"$W/c.json"
    mv "$W/c.json" "$bundle/config.json"
    runc --root "$RUNC_ROOT" run -d --bundle "$bundle" "$id" </dev/null >"$W/runc.out" 2>&1 || die "runc run: $(cat "$W/runc.out")"
    mkdir -p "$W/etc"
    jq -n '{version: 1, partitions: {management: {cpuset: "0",
        activationAnnotation: "target.workload.openshift.io/management",
        annotationPrefix: "resources.workload.openshift.io",
        defaults: {cpushares: 0, cpuquota: 0, cpuperiod: 0}, allowedNamespaces: [], sources: ["t"]}}}' \
        >"$W/etc/partitions.json"
    jq -n --arg p "$W/etc/partitions.json" '{enabled: true, partitionsFile: $p, log: {target: "stderr"}}' >"$W/etc/config.json"
    local st=(status --config "$W/etc/config.json" --containers-root "$W/containers")
    # Started on 0-1: the annotations say management (0): drifted.
    run "$WPCTL" "${st[@]}" --json
    expect_rc 1
    jq -e --arg id "$id" '.containers[] | select(.id == $id) | .state == "drifted" and .expected == "0"' "$W/out" >/dev/null ||
        die "$(cat "$W/out")"
    # explain of `runc state` says what the hook will write ...
    runc --root "$RUNC_ROOT" state "$id" >"$W/state.json"
    run "$WPCTL" explain --json --config "$W/etc/config.json" "$W/state.json"
    expect_rc 0
    jq -e '.writes | length == 1 and (.[0].file | endswith("/cpuset.cpus")) and .[0].value == "0"' "$W/out" >/dev/null ||
        die "$(cat "$W/out")"
    # ... the hook (given the state as it saw it at creation) writes it ...
    jq '.status = "created"' "$W/state.json" | "$HOOK" --config "$W/etc/config.json" 2>"$W/hook.err" ||
        die "hook: $(cat "$W/hook.err")"
    local f
    f=/sys/fs/cgroup/$(jq -r '.writes[0].file' "$W/out")
    [[ $(cat "$f") == 0 ]] || die "$f holds $(cat "$f")"
    # ... and status now sees the container pinned.
    run "$WPCTL" "${st[@]}" --json
    expect_rc 0
    jq -e --arg id "$id" '.containers[] | select(.id == $id) | .state == "pinned" and .cpuset == "0"' "$W/out" >/dev/null ||
        die "$(cat "$W/out")"
}

t "explain of a CRI-O-style state prints the decision the hook then applies" test_explain_prints_the_decision_the_hook_applies
t "explain with a per-container override matches the hook's writes" test_explain_with_an_override_matches_the_hook
t "explain on a cgroup v2 tree (weight, cpu.max) matches the hook" test_explain_on_a_v2_tree_matches_the_hook
t "explain of an out-of-range override exits 1 like the hook" test_explain_of_a_refused_override_matches_the_hook
t "explain of a pod outside allowedNamespaces: not-allowed, the hook pins nothing" test_explain_of_a_namespace_outside_the_policy
t "explain of a container without the activation annotation" test_explain_of_an_unpartitioned_container
t "explain reads a state file argument; a malformed state exits 2" test_explain_reads_a_state_file_argument
t "explain of a running container's state (runc state) explains it as the hook saw it" test_explain_of_a_running_containers_state
t "status lists a pinned container, then reports its drift" test_status_lists_pinned_then_drifted
t "status without annotations matches containers by cpuset" test_status_without_annotations_matches_by_cpuset
t "status reports an effective cpuset that differs from cpuset.cpus" test_status_reports_an_effective_cpuset_that_differs
t "status on a cgroup v2 tree (crun's container sub-cgroup)" test_status_on_a_v2_tree
t "status does not follow symlinks out of the tree" test_status_does_not_follow_symlinks
if ! command -v runc >/dev/null || ! command -v busybox >/dev/null; then
    skip "explain, hook and status on a real runc container" "runc or busybox is not installed"
elif [[ $(nproc) -lt 2 ]]; then
    skip "explain, hook and status on a real runc container" "needs 2 CPUs"
else
    t "explain, hook and status on a real runc container" test_real_runc_container
fi
if [[ -d /sys/fs/cgroup && $(id -u) == 0 ]]; then
    t "status walks this host's real cgroup hierarchy" test_status_on_this_host
else
    skip "status walks this host's real cgroup hierarchy" "no /sys/fs/cgroup or not root"
fi
done_testing
