#!/usr/bin/env bash
# wpctl merge: inputs in both forms and both syntaxes, Lists, directories,
# duplicates, validation messages, the removal guard and the atomic write.
set -u
. "$(dirname "$0")/lib.sh"
need "$WPCTL"

PIN_DEFAULT='{"management": {"cpuset": "0-1"}, "extra": {"cpuset": "2"}}'
pin() { printf "%s\n" "$PIN_DEFAULT" >"$W/pin"; }

test_examples_produce_the_documented_merged_file() {
    run "$WPCTL" merge -o "$W/partitions.json" --pinning "$EX/node/openshift-workload-pinning" \
        --policy "$EX/node/policy.json" "$EX/workloadpartitions"
    expect_rc 0
    diff -u "$EX/node/partitions.json" "$W/partitions.json" || die "differs from config/examples/node/partitions.json"
    [[ $(stat -c %a "$W/partitions.json") == 644 ]] || die "mode is not 0644"
    # ... and config/examples/README.md shows that file.
    sed -n '/^```json$/,/^```$/p' "$EX/README.md" | sed '1d;$d' >"$W/readme.json"
    diff -u "$W/readme.json" "$W/partitions.json" || die "config/examples/README.md shows another merged file"
}

test_several_objects_both_forms_with_duplicates() {
    wp_object a-names names management extra management >"$W/a.yaml"
    wp_object b-parts partitions extra management >"$W/b.yaml"
    cat >"$W/c.json" <<'J'
{"apiVersion": "workload.openshift.io/v1", "kind": "WorkloadPartitions",
 "metadata": {"name": "c-json"},
 "status": {"clusterPartitionNames": ["management"], "partitions": [{"name": "extra"}]}}
J
    pin
    run "$WPCTL" merge -o "$W/out.json" --pinning "$W/pin" --policy /dev/null/none "$W/a.yaml" "$W/b.yaml" "$W/c.json"
    expect_rc 1 # the explicit policy path does not exist
    err_has "/dev/null/none"
    [[ ! -e "$W/out.json" ]] || die "written despite an error"
    run "$WPCTL" merge -o "$W/out.json" --pinning "$W/pin" "$W/a.yaml" "$W/b.yaml" "$W/c.json"
    expect_rc 0
    [[ $(partition_names "$W/out.json") == extra,management ]] || die "names: $(partition_names "$W/out.json")"
    [[ $(jq -c '.partitions.management.sources' "$W/out.json") == '["a-names","b-parts","c-json"]' ]] ||
        die "sources: $(jq -c '.partitions.management.sources' "$W/out.json")"
    [[ $(cpuset_of "$W/out.json" extra) == 2 ]] || die "extra's cpuset"
    [[ $(jq -r '.partitions.extra.activationAnnotation' "$W/out.json") == target.workload.openshift.io/extra ]] ||
        die "activation annotation"
}

test_list_multi_document_and_directory() {
    mkdir "$W/dir"
    { wp_object one names management; echo '---'; wp_object two partitions extra; } >"$W/dir/multi.yaml"
    jq -n '{apiVersion: "v1", kind: "List", items: [
        {apiVersion: "workload.openshift.io/v1", kind: "WorkloadPartitions",
         metadata: {name: "three"}, status: {clusterPartitionNames: ["third"]}}]}' >"$W/dir/list.json"
    echo 'not a manifest' >"$W/dir/README"
    echo 'kind: Broken' >"$W/dir/.hidden.yaml"
    pin
    run "$WPCTL" merge -o "$W/out.json" --pinning "$W/pin" "$W/dir"
    expect_rc 0
    [[ $(partition_names "$W/out.json") == extra,management,third ]] || die "names: $(partition_names "$W/out.json")"
    [[ $(cpuset_of "$W/out.json" third) == "" ]] || die "third should have cpuset \"\""
    err_has 'partition "third"'
    err_has 'cpuset ""'
}

test_oc_get_json_on_stdin() {
    # What `oc get workloadpartitions -o json` prints, server fields included.
    cat >"$W/oc.json" <<'J'
{
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "workload.openshift.io/v1",
            "kind": "WorkloadPartitions",
            "metadata": {
                "creationTimestamp": "2026-11-30T10:00:00Z",
                "generation": 1,
                "managedFields": [{"apiVersion": "workload.openshift.io/v1", "fieldsType": "FieldsV1",
                                   "manager": "installer", "operation": "Update", "subresource": "status"}],
                "name": "management-partition",
                "resourceVersion": "12345",
                "uid": "5f0c8a64-7d3b-4c39-9d0a-2f1e6a4b3c21"
            },
            "status": {"clusterPartitionNames": ["management"]}
        }
    ],
    "kind": "List",
    "metadata": {"resourceVersion": ""}
}
J
    pin
    run bash -c "'$WPCTL' merge -o '$W/out.json' --pinning '$W/pin' - < '$W/oc.json'"
    expect_rc 0
    [[ $(partition_names "$W/out.json") == management ]] || die "names: $(partition_names "$W/out.json")"
    [[ $(jq -c '.partitions.management.sources' "$W/out.json") == '["management-partition"]' ]] || die "sources"
}

test_invalid_name_names_file_object_and_field() {
    wp_object good names management >"$W/good.yaml"
    wp_object bad-obj names management Bad_Name >"$W/bad.yaml"
    pin
    run "$WPCTL" merge -o "$W/out.json" --pinning "$W/pin" "$W/good.yaml" "$W/bad.yaml"
    expect_rc 1
    err_has "$W/bad.yaml: object \"bad-obj\": status.clusterPartitionNames[1]: \"Bad_Name\" is not a valid partition name"
    [[ ! -e "$W/out.json" ]] || die "written despite an error"
}

test_unknown_scope_is_refused() {
    wp_object scoped partitions management | sed 's/scope: cluster/scope: node/' >"$W/s.yaml"
    run "$WPCTL" merge -o "$W/out.json" --pinning /dev/null "$W/s.yaml"
    expect_rc 1
    [[ $(grep -c 'error:' "$W/err") == 1 ]] || die "expected one error: $(cat "$W/err")"
    err_has "$W/s.yaml: object \"scoped\": status.partitions[0].scope: unknown scope \"node\""
    [[ ! -e "$W/out.json" ]] || die "written despite an error"
}

test_malformed_yaml_is_refused() {
    printf 'apiVersion: workload.openshift.io/v1\nkind: WorkloadPartitions\nmetadata: {name: x\n' >"$W/m.yaml"
    run "$WPCTL" merge -o "$W/out.json" "$W/m.yaml"
    expect_rc 1
    err_has "$W/m.yaml: line "
    err_has "invalid YAML"
    [[ ! -e "$W/out.json" ]] || die "written despite an error"
}

test_malformed_json_is_refused() {
    printf '{"apiVersion": "workload.openshift.io/v1", "kind": "WorkloadPartitions",,}\n' >"$W/m.json"
    run "$WPCTL" merge -o "$W/out.json" "$W/m.json"
    expect_rc 1
    err_has "$W/m.json: invalid JSON"
}

test_wrong_kind_is_refused() {
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata: {}\n' >"$W/cm.yaml"
    run "$WPCTL" merge -o "$W/out.json" "$W/cm.yaml"
    expect_rc 1
    err_has "$W/cm.yaml: object: kind: \"ConfigMap\" is not WorkloadPartitions"
}

test_bad_pinning_cpuset_is_refused() {
    wp_object a names management >"$W/a.yaml"
    echo '{"management": {"cpuset": "1-0"}}' >"$W/pin"
    run "$WPCTL" merge -o "$W/out.json" --pinning "$W/pin" "$W/a.yaml"
    expect_rc 1
    err_has "$W/pin: partition \"management\": key \"cpuset\": \"1-0\""
}

test_policy_is_applied_and_typos_refused() {
    wp_object a names management >"$W/a.yaml"
    pin
    echo '{"management": {"allowedNamespaces": ["openshift-*"], "defaults": {"cpushares": 512}}}' >"$W/policy.json"
    run "$WPCTL" merge -o "$W/out.json" --pinning "$W/pin" --policy "$W/policy.json" "$W/a.yaml"
    expect_rc 0
    [[ $(jq -c '.partitions.management.allowedNamespaces' "$W/out.json") == '["openshift-*"]' ]] || die "allowedNamespaces"
    [[ $(jq '.partitions.management.defaults.cpushares' "$W/out.json") == 512 ]] || die "defaults"
    echo '{"management": {"allowedNamspaces": []}}' >"$W/policy.json"
    run "$WPCTL" merge -o "$W/out.json" --pinning "$W/pin" --policy "$W/policy.json" "$W/a.yaml"
    expect_rc 1
    err_has "$W/policy.json: partition \"management\": key \"allowedNamspaces\": unknown"
}

test_removal_is_refused_without_allow_removal() {
    wp_object install names management >"$W/install.yaml"
    wp_object day2 names extra >"$W/day2.yaml"
    pin
    run "$WPCTL" merge -o "$W/out.json" --pinning "$W/pin" "$W/install.yaml" "$W/day2.yaml"
    expect_rc 0
    run "$WPCTL" merge -o "$W/out.json" --pinning "$W/pin" "$W/day2.yaml"
    expect_rc 1
    err_has "partition \"management\" (from install) is in no input object; kept"
    err_has "--allow-removal"
    [[ $(partition_names "$W/out.json") == extra,management ]] || die "management was dropped"
    [[ $(cpuset_of "$W/out.json" management) == 0-1 ]] || die "management's entry changed"
}

test_removal_with_allow_removal() {
    wp_object install names management >"$W/install.yaml"
    wp_object day2 names extra >"$W/day2.yaml"
    pin
    run "$WPCTL" merge -o "$W/out.json" --pinning "$W/pin" "$W/install.yaml" "$W/day2.yaml"
    expect_rc 0
    run "$WPCTL" merge -o "$W/out.json" --pinning "$W/pin" --allow-removal "$W/day2.yaml"
    expect_rc 0
    err_has 'partition "management" is in no input object; removed'
    [[ $(partition_names "$W/out.json") == extra ]] || die "names: $(partition_names "$W/out.json")"
}

test_unchanged_file_is_not_rewritten() {
    wp_object a names management >"$W/a.yaml"
    pin
    run "$WPCTL" merge -o "$W/out.json" --pinning "$W/pin" "$W/a.yaml"
    expect_rc 0
    local ino
    ino=$(stat -c %i "$W/out.json")
    run "$WPCTL" merge -o "$W/out.json" --pinning "$W/pin" "$W/a.yaml"
    expect_rc 0
    err_has unchanged
    [[ $(stat -c %i "$W/out.json") == "$ino" ]] || die "rewritten"
    # Same content, wrong mode: rewritten with 0644.
    chmod 0600 "$W/out.json"
    run "$WPCTL" merge -o "$W/out.json" --pinning "$W/pin" "$W/a.yaml"
    expect_rc 0
    err_has wrote
    [[ $(stat -c %a "$W/out.json") == 644 ]] || die "mode $(stat -c %a "$W/out.json")"
}

test_atomic_write_leaves_no_temp_file_and_creates_the_directory() {
    wp_object a names management >"$W/a.yaml"
    pin
    umask 077
    run "$WPCTL" merge -o "$W/new/dir/partitions.json" --pinning "$W/pin" "$W/a.yaml"
    expect_rc 0
    [[ $(stat -c %a "$W/new/dir/partitions.json") == 644 ]] || die "mode $(stat -c %a "$W/new/dir/partitions.json") despite umask 077"
    [[ $(find "$W/new/dir" -mindepth 1 | wc -l) == 1 ]] || die "left files behind: $(ls -a "$W/new/dir")"
    "$WPCTL" validate "$W/new/dir/partitions.json" >/dev/null || die "the written file does not validate"
    # A temporary file left by a killed writer is removed by the next merge.
    echo partial >"$W/new/dir/.partitions.json.tmp.999999.deadbeef"
    wp_object b names other >"$W/b.yaml"
    run "$WPCTL" merge -o "$W/new/dir/partitions.json" --pinning "$W/pin" "$W/a.yaml" "$W/b.yaml"
    expect_rc 0
    [[ $(find "$W/new/dir" -mindepth 1 | wc -l) == 1 ]] || die "left files behind: $(ls -a "$W/new/dir")"
}

test_corrupt_current_file_needs_allow_removal() {
    wp_object a names management >"$W/a.yaml"
    pin
    echo '{"version": 1, "partitions": ' >"$W/out.json"
    run "$WPCTL" merge -o "$W/out.json" --pinning "$W/pin" "$W/a.yaml"
    expect_rc 1
    err_has "$W/out.json"
    [[ $(cat "$W/out.json") == '{"version": 1, "partitions": ' ]] || die "the corrupt file was replaced"
    run "$WPCTL" merge -o "$W/out.json" --pinning "$W/pin" --allow-removal "$W/a.yaml"
    expect_rc 0
    [[ $(partition_names "$W/out.json") == management ]] || die "not replaced"
}

test_empty_pinning_file_means_no_cpusets() {
    wp_object a names management >"$W/a.yaml"
    run "$WPCTL" merge -o - --pinning /dev/null "$W/a.yaml"
    expect_rc 0
    err_has "/dev/null: empty: no partition has a cpuset"
    jq -e '.partitions.management.cpuset == ""' "$W/out" >/dev/null || die "$(cat "$W/out")"
}

test_dry_run_writes_nothing() {
    wp_object a names management >"$W/a.yaml"
    pin
    run "$WPCTL" merge -n -o "$W/out.json" --pinning "$W/pin" "$W/a.yaml"
    expect_rc 0
    [[ ! -e "$W/out.json" ]] || die "dry run wrote the file"
    jq -e '.partitions.management.cpuset == "0-1"' "$W/out" >/dev/null || die "dry run output"
}

test_usage_errors_exit_2() {
    run "$WPCTL" merge
    expect_rc 2
    run "$WPCTL" merge --no-such-option x
    expect_rc 2
    run "$WPCTL" frobnicate
    expect_rc 2
    err_has 'unknown command "frobnicate"'
}

t "the examples with the example pinning file produce the documented merged file" test_examples_produce_the_documented_merged_file
t "several objects, both forms, JSON and YAML, duplicates across objects" test_several_objects_both_forms_with_duplicates
t "a List, a multi-document YAML file and a directory" test_list_multi_document_and_directory
t "oc get -o json output (a List with server fields) on stdin" test_oc_get_json_on_stdin
t "an invalid name is refused, naming the file, the object and the field" test_invalid_name_names_file_object_and_field
t "an unknown scope is refused" test_unknown_scope_is_refused
t "malformed YAML is refused" test_malformed_yaml_is_refused
t "malformed JSON is refused" test_malformed_json_is_refused
t "an object of the wrong kind is refused" test_wrong_kind_is_refused
t "a bad cpuset in the pinning file is refused" test_bad_pinning_cpuset_is_refused
t "the node policy is applied; a typo in it is refused" test_policy_is_applied_and_typos_refused
t_root "a partition removed without --allow-removal is kept, with an error" test_removal_is_refused_without_allow_removal
t_root "a partition removed with --allow-removal is dropped" test_removal_with_allow_removal
t_root "an unchanged merged file is not rewritten" test_unchanged_file_is_not_rewritten
t_root "the write is 0644 whatever the umask, creates the directory, leaves and keeps no temp file" test_atomic_write_leaves_no_temp_file_and_creates_the_directory
t "a corrupt current file is only replaced with --allow-removal" test_corrupt_current_file_needs_allow_removal
t "an empty pinning file (/dev/null) gives every partition cpuset \"\"" test_empty_pinning_file_means_no_cpusets
t "--dry-run prints the merged file and writes nothing" test_dry_run_writes_nothing
t "usage errors exit 2" test_usage_errors_exit_2
done_testing
