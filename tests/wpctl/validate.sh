#!/usr/bin/env bash
# wpctl validate: every kind of file, detected or forced with --type.
set -u
. "$(dirname "$0")/lib.sh"
need "$WPCTL"

test_shipped_and_example_files_are_valid() {
    run "$WPCTL" validate "$SRC/config/config.json" "$EX/node/openshift-workload-pinning" \
        "$EX/node/policy.json" "$EX/node/partitions.json" "$EX/workloadpartitions" \
        "$EX/workloadpartitions/list.yaml"
    expect_rc 0
    out_has "config.json: valid config"
    out_has "openshift-workload-pinning: valid pinning"
    out_has "policy.json: valid policy"
    out_has "partitions.json: valid partitions"
    out_has "list.yaml: valid manifest: 2 WorkloadPartitions objects"
    out_has "workloadpartitions: valid manifest: 4 WorkloadPartitions objects"
}

test_invalid_files_are_reported_and_exit_1() {
    echo '{"enabled": true, "mode": "enforced"}' >"$W/config.json"
    echo '{"management": {"cpuset": "a-b"}}' >"$W/pin"
    echo '{"management": {"defaults": {"cpushares": 999999}}}' >"$W/policy.json"
    echo '{"version": 2, "partitions": {}}' >"$W/partitions.json"
    wp_object ok names management >"$W/good.yaml"
    run "$WPCTL" validate "$W/config.json" "$W/pin" "$W/policy.json" "$W/partitions.json" "$W/good.yaml"
    expect_rc 1
    out_has "$W/config.json: invalid (config)"
    out_has "$W/pin: invalid (pinning)"
    out_has "$W/policy.json: invalid (policy)"
    out_has "$W/partitions.json: invalid (partitions)"
    out_has "$W/good.yaml: valid manifest"
    err_has "$W/config.json"
    err_has "mode"
    err_has "$W/policy.json: partition \"management\": key \"defaults.cpushares\": 999999 is outside 0 or 2..262144"
}

test_node_files_the_hook_would_refuse_are_invalid() {
    cp "$SRC/config/config.json" "$W/config.json"
    chmod 0666 "$W/config.json"
    run "$WPCTL" validate "$W/config.json"
    expect_rc 1
    err_has "the hook refuses this file"
    cp "$EX/node/partitions.json" "$W/partitions.json"
    chmod 0620 "$W/partitions.json"
    run "$WPCTL" validate "$W/partitions.json"
    expect_rc 1
    err_has "$W/partitions.json"
}

test_type_can_be_forced_and_ambiguity_is_explained() {
    echo '{"management": {}}' >"$W/ambiguous.json"
    run "$WPCTL" validate "$W/ambiguous.json"
    expect_rc 1
    err_has "pass --type"
    run "$WPCTL" validate --type policy "$W/ambiguous.json"
    expect_rc 0
    run "$WPCTL" validate --type pinning "$W/ambiguous.json"
    expect_rc 1
    err_has 'key "cpuset": missing'
    run "$WPCTL" validate --type bogus "$W/ambiguous.json"
    expect_rc 2
}

test_manifest_problems_are_named() {
    printf 'apiVersion: workload.openshift.io/v1\nkind: WorkloadPartitions\nmetadata: {name: m}\nstatus:\n  partitions:\n  - {name: ok}\n  - {scope: cluster}\n' >"$W/m.yaml"
    run "$WPCTL" validate "$W/m.yaml"
    expect_rc 1
    err_has "$W/m.yaml: object \"m\": status.partitions[1].name: missing"
    run "$WPCTL" validate "$W/nonexistent.yaml"
    expect_rc 1
    err_has "$W/nonexistent.yaml: No such file or directory"
}

test_validate_reads_stdin() {
    run bash -c "'$WPCTL' validate - < '$EX/workloadpartitions/management-partition.yaml'"
    expect_rc 0
    out_has "-: valid manifest: 1 WorkloadPartitions object"
}

t_root "the shipped config and the examples are valid" test_shipped_and_example_files_are_valid
t "invalid files of each kind are reported and exit 1" test_invalid_files_are_reported_and_exit_1
t "node files the hook would refuse (writable by others) are invalid" test_node_files_the_hook_would_refuse_are_invalid
t "--type forces a kind; an ambiguous file asks for it" test_type_can_be_forced_and_ambiguity_is_explained
t "manifest problems name the file, the object and the field" test_manifest_problems_are_named
t "validate reads a manifest from stdin" test_validate_reads_stdin
done_testing
