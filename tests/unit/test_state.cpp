// state: the OCI state on stdin and the bundle's config.json.
#include "unit.hpp"

#include "state.hpp"
#include "trusted_file.hpp"

using unit::tmp;
using wp::Fault;

static const char *kCreating = R"({
  "ociVersion": "1.0.2",
  "id": "abc123",
  "status": "creating",
  "pid": 4242,
  "bundle": "/run/containers/storage/overlay-containers/abc123/userdata",
  "annotations": {
    "io.kubernetes.pod.namespace": "openshift-etcd",
    "target.workload.openshift.io/management": "{\"effect\": \"PreferredDuringScheduling\"}"
  }
})";

static std::string state_with(const std::string &extra_members) {
    return R"({"ociVersion": "1.0.2", "id": "abc", "status": "creating", "pid": 1)" +
           extra_members + "}";
}

static void creating_state_is_parsed(void **) {
    auto r = wp::parse_state(kCreating);
    ASSERT_OK(r);
    ASSERT_STR_EQ(r->oci_version, "1.0.2");
    ASSERT_STR_EQ(r->id, "abc123");
    ASSERT_STR_EQ(r->status, "creating");
    assert_int_equal(r->pid, 4242);
    ASSERT_STR_EQ(r->bundle, "/run/containers/storage/overlay-containers/abc123/userdata");
    assert_true(r->has_annotations);
    assert_int_equal(r->annotations.size(), 2);
    ASSERT_STR_EQ(r->annotations.at("io.kubernetes.pod.namespace"), "openshift-etcd");
}

static void created_state_is_accepted(void **) {
    auto r = wp::parse_state(R"({"ociVersion": "1.0.2", "id": "x", "status": "created", "pid": 7,
                                 "bundle": "/b"})");
    ASSERT_OK(r);
    ASSERT_STR_EQ(r->status, "created");
}

static void running_state_is_refused(void **) {
    ASSERT_ERR(wp::parse_state(R"({"ociVersion": "1.0.2", "id": "x", "status": "running"})"),
               Fault::Usage, "status", "running");
}

static void unknown_fields_are_ignored(void **) {
    auto r = wp::parse_state(
        state_with(R"(, "future": {"nested": [1, 2, {"x": null}]}, "rootless": true)"));
    ASSERT_OK(r);
    ASSERT_STR_EQ(r->id, "abc");
}

static void state_without_root_is_accepted(void **) {
    // runc and crun do not put "root" in the state: nothing requires it.
    auto r = wp::parse_state(R"({"ociVersion": "1.0.2", "id": "x", "status": "creating",
                                 "pid": 5, "bundle": "/b"})");
    ASSERT_OK(r);
}

static void state_with_root_is_accepted(void **) {
    ASSERT_OK(wp::parse_state(state_with(R"(, "root": {"path": "rootfs"})")));
}

static void absent_annotations_are_reported_absent(void **) {
    auto r = wp::parse_state(state_with(""));
    ASSERT_OK(r);
    assert_false(r->has_annotations);
    assert_true(r->annotations.empty());
}

static void empty_annotations_are_present(void **) {
    auto r = wp::parse_state(state_with(R"(, "annotations": {})"));
    ASSERT_OK(r);
    assert_true(r->has_annotations);
    assert_true(r->annotations.empty());
}

static void absent_pid_and_bundle_are_zero_and_empty(void **) {
    auto r = wp::parse_state(R"({"ociVersion": "1.0.2", "id": "x", "status": "creating"})");
    ASSERT_OK(r);
    assert_int_equal(r->pid, 0);
    ASSERT_STR_EQ(r->bundle, "");
}

static void non_string_annotation_value_is_refused_naming_the_key(void **) {
    ASSERT_ERR(wp::parse_state(state_with(R"(, "annotations": {"my.key/x": 5})")), Fault::Usage,
               "my.key/x");
    ASSERT_ERR(wp::parse_state(state_with(R"(, "annotations": {"obj.key": {"a": "b"}})")),
               Fault::Usage, "obj.key");
    ASSERT_ERR(wp::parse_state(state_with(R"(, "annotations": {"null.key": null})")), Fault::Usage,
               "null.key");
}

static void escaped_nul_in_an_annotation_key_is_refused(void **) {
    // json-c keys are C strings: "key\u0000x" would otherwise arrive as "key",
    // turning any key into an activation annotation.
    ASSERT_ERR(wp::parse_state(state_with(
                   R"(, "annotations": {"target.workload.openshift.io/management\u0000x": "y"})")),
               Fault::Usage, "annotations");
}

static void escaped_nul_in_an_annotation_value_is_refused(void **) {
    ASSERT_ERR(wp::parse_state(state_with(R"(, "annotations": {"my.key/nul": "a\u0000b"})")),
               Fault::Usage, "my.key/nul");
}

static void annotations_not_an_object_is_refused(void **) {
    ASSERT_ERR(wp::parse_state(state_with(R"(, "annotations": ["a"])")), Fault::Usage,
               "annotations");
}

static void wrong_types_are_refused_naming_the_key(void **) {
    ASSERT_ERR(wp::parse_state(R"({"ociVersion": "1.0.2", "id": 5, "status": "creating"})"),
               Fault::Usage, "id");
    ASSERT_ERR(
        wp::parse_state(R"({"ociVersion": "1.0.2", "id": "x", "status": "creating", "pid": "1"})"),
        Fault::Usage, "pid");
    ASSERT_ERR(
        wp::parse_state(R"({"ociVersion": "1.0.2", "id": "x", "status": "creating", "pid": 1.5})"),
        Fault::Usage, "pid");
    ASSERT_ERR(wp::parse_state(state_with(R"(, "bundle": 7)")), Fault::Usage, "bundle");
    ASSERT_ERR(wp::parse_state(R"({"ociVersion": "1.0.2", "id": "x", "status": true})"),
               Fault::Usage, "status");
}

static void negative_or_huge_pid_is_refused(void **) {
    ASSERT_ERR(
        wp::parse_state(R"({"ociVersion": "1.0.2", "id": "x", "status": "creating", "pid": -1})"),
        Fault::Usage, "pid");
    ASSERT_ERR(
        wp::parse_state(
            R"({"ociVersion": "1.0.2", "id": "x", "status": "creating", "pid": 4294967297})"),
        Fault::Usage, "pid");
}

static void missing_id_is_refused(void **) {
    ASSERT_ERR(wp::parse_state(R"({"ociVersion": "1.0.2", "status": "creating"})"), Fault::Usage,
               "id");
}

static void state_that_is_not_an_object_is_refused(void **) {
    ASSERT_ERR(wp::parse_state("[]"), Fault::Usage, "OCI state");
    ASSERT_ERR(wp::parse_state("\"x\""), Fault::Usage, "OCI state");
}

static void malformed_json_is_refused_naming_the_state(void **) {
    ASSERT_ERR(wp::parse_state("{\"id\": \"x\""), Fault::Usage, "OCI state");
    ASSERT_ERR(wp::parse_state(std::string(kCreating) + "{}"), Fault::Usage, "OCI state");
    ASSERT_ERR(wp::parse_state(""), Fault::Usage, "OCI state");
}

static std::string state_of_size(size_t total) {
    std::string head = R"({"ociVersion": "1.0.2", "id": "x", "status": "creating", "pad": ")";
    std::string tail = "\"}";
    return head + std::string(total - head.size() - tail.size(), 'a') + tail;
}

static void state_of_exactly_one_mib_is_accepted(void **) {
    std::string s = state_of_size(wp::kMaxStateBytes);
    assert_int_equal(s.size(), 1u << 20);
    ASSERT_OK(wp::parse_state(s));
}

static void state_over_one_mib_is_refused(void **) {
    std::string s = state_of_size(wp::kMaxStateBytes + 1);
    ASSERT_ERR(wp::parse_state(s), Fault::Usage, "OCI state");
}

static std::string nested(int depth) {
    std::string s;
    for (int i = 0; i < depth; ++i)
        s += "{\"a\":";
    s += "1";
    for (int i = 0; i < depth; ++i)
        s += "}";
    return s;
}

static void moderately_nested_unknown_field_is_accepted(void **) {
    ASSERT_OK(wp::parse_state(state_with(", \"x\": " + nested(10))));
}

static void deeply_nested_state_is_refused(void **) {
    ASSERT_ERR(wp::parse_state(state_with(", \"x\": " + nested(64))), Fault::Usage, "OCI state");
    ASSERT_ERR(wp::parse_state(state_with(", \"x\": " + nested(100000))), Fault::Usage,
               "OCI state");
}

static std::string state_with_annotations(size_t n) {
    std::string a;
    for (size_t i = 0; i < n; ++i) {
        if (i) a += ",";
        a += "\"k" + std::to_string(i) + "\":\"\"";
    }
    return state_with(", \"annotations\": {" + a + "}");
}

static void annotation_count_up_to_the_limit_is_accepted(void **) {
    auto r = wp::parse_state(state_with_annotations(wp::kMaxAnnotations));
    ASSERT_OK(r);
    assert_int_equal(r->annotations.size(), wp::kMaxAnnotations);
}

static void annotation_count_beyond_the_limit_is_refused(void **) {
    ASSERT_ERR(wp::parse_state(state_with_annotations(wp::kMaxAnnotations + 1)), Fault::Usage,
               "annotations");
}

static void find_annotation_returns_the_value_or_nothing(void **) {
    wp::Annotations a{{"k1", "v1"}, {"k2", ""}};
    auto v = wp::find_annotation(a, "k1");
    assert_true(v.has_value());
    assert_true(*v == "v1");
    auto e = wp::find_annotation(a, "k2");
    assert_true(e.has_value());
    assert_true(e->empty());
    assert_false(wp::find_annotation(a, "K1").has_value());
    assert_false(wp::find_annotation(a, "k3").has_value());
}

static const char *kBundleConfig = R"({
  "ociVersion": "1.0.2",
  "process": {"args": ["sleep", "1"], "cwd": "/"},
  "root": {"path": "rootfs"},
  "annotations": {"io.kubernetes.container.name": "etcd", "run.oci.systemd.subgroup": "container"},
  "linux": {"cgroupsPath": "kubepods-burstable-pod1.slice:crio:abc", "namespaces": [{"type": "pid"}]}
})";

static void bundle_config_annotations_and_cgroups_path_are_parsed(void **) {
    auto r = wp::parse_bundle_config(kBundleConfig, "/b/config.json");
    ASSERT_OK(r);
    assert_true(r->has_annotations);
    ASSERT_STR_EQ(r->annotations.at("io.kubernetes.container.name"), "etcd");
    ASSERT_STR_EQ(r->cgroups_path, "kubepods-burstable-pod1.slice:crio:abc");
}

static void bundle_config_without_annotations_or_linux(void **) {
    auto r = wp::parse_bundle_config(R"({"ociVersion": "1.0.2", "process": {}})", "/b/config.json");
    ASSERT_OK(r);
    assert_false(r->has_annotations);
    ASSERT_STR_EQ(r->cgroups_path, "");
}

static void bundle_config_errors_name_the_file(void **) {
    ASSERT_FAILS(wp::parse_bundle_config("{", "/b/config.json"), "/b/config.json");
    ASSERT_FAILS(wp::parse_bundle_config(R"({"annotations": {"k": 1}})", "/b/config.json"),
                 "/b/config.json", "k");
    ASSERT_FAILS(wp::parse_bundle_config(R"({"linux": {"cgroupsPath": 5}})", "/b/config.json"),
                 "/b/config.json", "cgroupsPath");
}

static void load_bundle_config_reads_config_json(void **state) {
    auto &t = tmp(state);
    t.write("bundle/config.json", kBundleConfig, 0644);
    auto r = wp::load_bundle_config(t.p("bundle"));
    ASSERT_OK(r);
    assert_true(r->has_value());
    ASSERT_STR_EQ((*r)->cgroups_path, "kubepods-burstable-pod1.slice:crio:abc");
}

static void load_bundle_config_absent_is_nullopt(void **state) {
    auto &t = tmp(state);
    t.mkdirs("bundle");
    auto r = wp::load_bundle_config(t.p("bundle"));
    ASSERT_OK(r);
    assert_false(r->has_value());
}

static void load_bundle_config_refuses_a_relative_bundle(void **) {
    ASSERT_FAILS(wp::load_bundle_config("relative/bundle"), "relative/bundle");
}

static void load_bundle_config_refuses_a_symlinked_config_json(void **state) {
    auto &t = tmp(state);
    t.write("elsewhere.json", kBundleConfig, 0644);
    t.mkdirs("bundle");
    t.symlink(t.p("elsewhere.json"), "bundle/config.json");
    ASSERT_FAILS(wp::load_bundle_config(t.p("bundle")), "config.json");
}

static void load_bundle_config_refuses_a_fifo_without_hanging(void **state) {
    auto &t = tmp(state);
    t.mkdirs("bundle");
    t.mkfifo("bundle/config.json");
    std::string b = t.p("bundle");
    int rc = unit::run_in_child([&] { return wp::load_bundle_config(b).ok() ? 10 : 0; }, 3.0);
    if (rc == -1) fail_msg("load_bundle_config hung on a FIFO config.json");
    assert_int_equal(rc, 0);
}

static void load_bundle_config_refuses_an_oversized_file(void **state) {
    auto &t = tmp(state);
    std::string big = R"({"pad": ")" + std::string(wp::kMaxBundleConfigBytes, 'a') + "\"}";
    t.write("bundle/config.json", big, 0644);
    ASSERT_FAILS(wp::load_bundle_config(t.p("bundle")), "config.json");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(creating_state_is_parsed),
        cmocka_unit_test(created_state_is_accepted),
        cmocka_unit_test(running_state_is_refused),
        cmocka_unit_test(unknown_fields_are_ignored),
        cmocka_unit_test(state_without_root_is_accepted),
        cmocka_unit_test(state_with_root_is_accepted),
        cmocka_unit_test(absent_annotations_are_reported_absent),
        cmocka_unit_test(empty_annotations_are_present),
        cmocka_unit_test(absent_pid_and_bundle_are_zero_and_empty),
        cmocka_unit_test(non_string_annotation_value_is_refused_naming_the_key),
        cmocka_unit_test(escaped_nul_in_an_annotation_key_is_refused),
        cmocka_unit_test(escaped_nul_in_an_annotation_value_is_refused),
        cmocka_unit_test(annotations_not_an_object_is_refused),
        cmocka_unit_test(wrong_types_are_refused_naming_the_key),
        cmocka_unit_test(negative_or_huge_pid_is_refused),
        cmocka_unit_test(missing_id_is_refused),
        cmocka_unit_test(state_that_is_not_an_object_is_refused),
        cmocka_unit_test(malformed_json_is_refused_naming_the_state),
        cmocka_unit_test(state_of_exactly_one_mib_is_accepted),
        cmocka_unit_test(state_over_one_mib_is_refused),
        cmocka_unit_test(moderately_nested_unknown_field_is_accepted),
        cmocka_unit_test(deeply_nested_state_is_refused),
        cmocka_unit_test(annotation_count_up_to_the_limit_is_accepted),
        cmocka_unit_test(annotation_count_beyond_the_limit_is_refused),
        cmocka_unit_test(find_annotation_returns_the_value_or_nothing),
        cmocka_unit_test(bundle_config_annotations_and_cgroups_path_are_parsed),
        cmocka_unit_test(bundle_config_without_annotations_or_linux),
        cmocka_unit_test(bundle_config_errors_name_the_file),
        TMP_TEST(load_bundle_config_reads_config_json),
        TMP_TEST(load_bundle_config_absent_is_nullopt),
        cmocka_unit_test(load_bundle_config_refuses_a_relative_bundle),
        TMP_TEST(load_bundle_config_refuses_a_symlinked_config_json),
        TMP_TEST(load_bundle_config_refuses_a_fifo_without_hanging),
        TMP_TEST(load_bundle_config_refuses_an_oversized_file),
    };
    return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
