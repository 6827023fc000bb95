// partitions: the merged partition file written by `wpctl merge`, read by the hook.
#include "unit.hpp"

#include "partitions.hpp"

using unit::tmp;
using wp::Fault;

static const char *kPath = "/etc/workload-partitioning/partitions.json";

// The example of docs/ARCHITECTURE.md §4.
static const char *kDesignExample = R"({
  "version": 1,
  "partitions": {
    "management": {
      "cpuset": "0-1,52-53",
      "activationAnnotation": "target.workload.openshift.io/management",
      "annotationPrefix": "resources.workload.openshift.io",
      "defaults": {"cpushares": 0, "cpuquota": 0, "cpuperiod": 0},
      "allowedNamespaces": [],
      "sources": ["management-partition"]
    }
  }
})";

static wp::PartitionFile must_parse(const std::string &text) {
    auto r = wp::parse_partitions(text, kPath);
    ASSERT_OK(r);
    return *r;
}

static std::string one_partition(const std::string &name, const std::string &body) {
    return R"({"version": 1, "partitions": {")" + name + "\": " + body + "}}";
}

static void design_example_is_parsed(void **) {
    wp::PartitionFile f = must_parse(kDesignExample);
    assert_int_equal(f.partitions.size(), 1);
    const wp::Partition &p = f.partitions[0];
    ASSERT_STR_EQ(p.name, "management");
    ASSERT_STR_EQ(p.cpuset_text, "0-1,52-53");
    ASSERT_STR_EQ(p.cpuset.format(), "0-1,52-53");
    assert_int_equal(p.cpuset.count(), 4);
    ASSERT_STR_EQ(p.activation_annotation, "target.workload.openshift.io/management");
    ASSERT_STR_EQ(p.annotation_prefix, "resources.workload.openshift.io");
    assert_int_equal(p.defaults.cpushares, 0);
    assert_int_equal(p.defaults.cpuquota, 0);
    assert_int_equal(p.defaults.cpuperiod, 0);
    assert_true(p.allowed_namespaces.empty());
    assert_int_equal(p.sources.size(), 1);
    ASSERT_STR_EQ(p.sources[0], "management-partition");
}

static void omitted_keys_take_their_defaults(void **) {
    wp::PartitionFile f = must_parse(one_partition("infra", R"({"cpuset": "2-3"})"));
    const wp::Partition *p = f.find("infra");
    assert_non_null(p);
    ASSERT_STR_EQ(p->activation_annotation, "target.workload.openshift.io/infra");
    ASSERT_STR_EQ(p->annotation_prefix, "resources.workload.openshift.io");
    assert_int_equal(p->defaults.cpushares, 0);
    assert_true(p->allowed_namespaces.empty());
}

static void empty_cpuset_is_a_partition_that_pins_nothing(void **) {
    wp::PartitionFile f = must_parse(one_partition("management", R"({"cpuset": ""})"));
    assert_int_equal(f.partitions.size(), 1);
    assert_true(f.partitions[0].cpuset.empty());
    ASSERT_STR_EQ(f.partitions[0].cpuset_text, "");
}

static void policy_fields_are_parsed(void **) {
    wp::PartitionFile f = must_parse(one_partition("management", R"({
      "cpuset": "0-1",
      "defaults": {"cpushares": 512, "cpuquota": 50000, "cpuperiod": 100000},
      "allowedNamespaces": ["openshift-*", "kube-system"],
      "sources": ["a", "b"]})"));
    const wp::Partition &p = f.partitions[0];
    assert_int_equal(p.defaults.cpushares, 512);
    assert_int_equal(p.defaults.cpuquota, 50000);
    assert_int_equal(p.defaults.cpuperiod, 100000);
    assert_int_equal(p.allowed_namespaces.size(), 2);
    ASSERT_STR_EQ(p.allowed_namespaces[0], "openshift-*");
    ASSERT_STR_EQ(p.allowed_namespaces[1], "kube-system");
}

static void partitions_are_sorted_by_name_and_found(void **) {
    wp::PartitionFile f = must_parse(R"({"version": 1, "partitions": {
      "zeta": {"cpuset": "3"}, "alpha": {"cpuset": "1"}, "mid": {"cpuset": ""}}})");
    assert_int_equal(f.partitions.size(), 3);
    ASSERT_STR_EQ(f.partitions[0].name, "alpha");
    ASSERT_STR_EQ(f.partitions[1].name, "mid");
    ASSERT_STR_EQ(f.partitions[2].name, "zeta");
    assert_non_null(f.find("mid"));
    ASSERT_STR_EQ(f.find("zeta")->cpuset.format(), "3");
    assert_null(f.find("nope"));
    assert_null(f.find(""));
}

static void empty_partition_map_is_valid(void **) {
    wp::PartitionFile f = must_parse(R"({"version": 1, "partitions": {}})");
    assert_true(f.partitions.empty());
}

static void bad_cpuset_is_refused_naming_the_partition(void **) {
    ASSERT_FAILS(wp::parse_partitions(one_partition("management", R"({"cpuset": "0-a"})"), kPath),
                 kPath, "management", "0-a");
    ASSERT_FAILS(wp::parse_partitions(one_partition("management", R"({"cpuset": "3-1"})"), kPath),
                 "management");
    ASSERT_FAILS(wp::parse_partitions(one_partition("management", R"({"cpuset": "8192"})"), kPath),
                 "management");
    ASSERT_FAILS(wp::parse_partitions(one_partition("management", R"({"cpuset": 1})"), kPath),
                 "cpuset");
}

static void missing_cpuset_is_refused(void **) {
    ASSERT_FAILS(wp::parse_partitions(one_partition("management", "{}"), kPath), "management",
                 "cpuset");
}

static void invalid_partition_name_is_refused(void **) {
    ASSERT_FAILS(wp::parse_partitions(one_partition("Management", R"({"cpuset": ""})"), kPath),
                 "Management");
    ASSERT_FAILS(wp::parse_partitions(one_partition("a_b", R"({"cpuset": ""})"), kPath), "a_b");
    ASSERT_FAILS(wp::parse_partitions(one_partition("", R"({"cpuset": ""})"), kPath), kPath);
}

static void invalid_allowed_namespace_patterns_are_refused(void **) {
    for (const char *pat : {"*", "Kube-System", "a*b", "", "a_b", "*-system"}) {
        std::string body = std::string(R"({"cpuset": "", "allowedNamespaces": [")") + pat + "\"]}";
        auto r = wp::parse_partitions(one_partition("management", body), kPath);
        if (r.ok()) fail_msg("allowedNamespaces pattern \"%s\" was accepted", pat);
        ASSERT_CONTAINS(r.error().message, "allowedNamespaces");
    }
}

static void shared_activation_annotation_is_refused(void **) {
    // Every pod carrying it would activate two partitions: refuse the file instead.
    ASSERT_FAILS(wp::parse_partitions(R"({"version": 1, "partitions": {
        "a": {"cpuset": "", "activationAnnotation": "x.io/y"},
        "b": {"cpuset": "", "activationAnnotation": "x.io/y"}}})",
                                      kPath),
                 "x.io/y");
}

static void empty_annotation_names_are_refused(void **) {
    ASSERT_FAILS(
        wp::parse_partitions(
            one_partition("management", R"({"cpuset": "", "activationAnnotation": ""})"), kPath),
        "activationAnnotation");
    ASSERT_FAILS(
        wp::parse_partitions(
            one_partition("management", R"({"cpuset": "", "annotationPrefix": ""})"), kPath),
        "annotationPrefix");
}

static void unsupported_version_is_refused(void **) {
    ASSERT_FAILS(wp::parse_partitions(R"({"version": 2, "partitions": {}})", kPath), "version");
    ASSERT_FAILS(wp::parse_partitions(R"({"version": "1", "partitions": {}})", kPath), "version");
}

static void missing_version_or_partitions_is_refused(void **) {
    ASSERT_FAILS(wp::parse_partitions(R"({"partitions": {}})", kPath), "version");
    ASSERT_FAILS(wp::parse_partitions(R"({"version": 1})", kPath), "partitions");
}

static void negative_defaults_are_refused(void **) {
    ASSERT_FAILS(
        wp::parse_partitions(
            one_partition("management", R"({"cpuset": "", "defaults": {"cpushares": -5}})"), kPath),
        "cpushares");
    ASSERT_FAILS(
        wp::parse_partitions(
            one_partition("management", R"({"cpuset": "", "defaults": {"cpuquota": -1}})"), kPath),
        "cpuquota");
}

static void defaults_out_of_the_override_ranges_are_refused(void **) {
    // The defaults stand in for an override: the same ranges hold (docs/ARCHITECTURE.md §4).
    ASSERT_FAILS(
        wp::parse_partitions(
            one_partition("management", R"({"cpuset": "", "defaults": {"cpushares": 1}})"), kPath),
        "cpushares");
    ASSERT_FAILS(
        wp::parse_partitions(
            one_partition("management", R"({"cpuset": "", "defaults": {"cpushares": 262145}})"),
            kPath),
        "cpushares");
    ASSERT_FAILS(
        wp::parse_partitions(
            one_partition("management", R"({"cpuset": "", "defaults": {"cpuperiod": 999}})"),
            kPath),
        "cpuperiod");
}

static void wrong_types_are_refused_naming_the_key(void **) {
    ASSERT_FAILS(
        wp::parse_partitions(
            one_partition("management", R"({"cpuset": "", "allowedNamespaces": "openshift-*"})"),
            kPath),
        "allowedNamespaces");
    ASSERT_FAILS(
        wp::parse_partitions(
            one_partition("management", R"({"cpuset": "", "allowedNamespaces": [5]})"), kPath),
        "allowedNamespaces");
    ASSERT_FAILS(
        wp::parse_partitions(
            one_partition("management", R"({"cpuset": "", "defaults": {"cpushares": "400"}})"),
            kPath),
        "cpushares");
    ASSERT_FAILS(wp::parse_partitions(R"({"version": 1, "partitions": []})", kPath), "partitions");
    ASSERT_FAILS(wp::parse_partitions(one_partition("management", R"("0-1")"), kPath),
                 "management");
}

static void malformed_json_is_refused_naming_the_file(void **) {
    ASSERT_FAILS(wp::parse_partitions("{\"version\": 1,", kPath), kPath);
    ASSERT_FAILS(wp::parse_partitions("[]", kPath), kPath);
}

static void format_round_trips_the_design_example(void **) {
    wp::PartitionFile f = must_parse(kDesignExample);
    std::string text = wp::format_partitions(f);
    assert_true(!text.empty() && text.back() == '\n');
    wp::PartitionFile g = must_parse(text);
    assert_int_equal(g.partitions.size(), 1);
    const wp::Partition &p = g.partitions[0];
    ASSERT_STR_EQ(p.name, "management");
    ASSERT_STR_EQ(p.cpuset_text, "0-1,52-53");
    ASSERT_STR_EQ(p.activation_annotation, "target.workload.openshift.io/management");
    ASSERT_STR_EQ(p.annotation_prefix, "resources.workload.openshift.io");
    assert_int_equal(p.sources.size(), 1);
    ASSERT_STR_EQ(p.sources[0], "management-partition");
    // Formatting is stable: format(parse(format(x))) == format(x).
    ASSERT_STR_EQ(wp::format_partitions(g), text);
}

static void format_round_trips_every_field(void **) {
    wp::PartitionFile f = must_parse(R"({"version": 1, "partitions": {
      "zeta": {"cpuset": "", "sources": []},
      "management": {"cpuset": "0-1,8", "activationAnnotation": "example.com/custom",
                     "annotationPrefix": "example.com/res",
                     "defaults": {"cpushares": 512, "cpuquota": 50000, "cpuperiod": 200000},
                     "allowedNamespaces": ["openshift-*", "kube-system"],
                     "sources": ["a", "b \"quoted\""]}}})");
    std::string text = wp::format_partitions(f);
    wp::PartitionFile g = must_parse(text);
    assert_int_equal(g.partitions.size(), 2);
    const wp::Partition *p = g.find("management");
    assert_non_null(p);
    ASSERT_STR_EQ(p->cpuset.format(), "0-1,8");
    ASSERT_STR_EQ(p->activation_annotation, "example.com/custom");
    ASSERT_STR_EQ(p->annotation_prefix, "example.com/res");
    assert_int_equal(p->defaults.cpushares, 512);
    assert_int_equal(p->defaults.cpuquota, 50000);
    assert_int_equal(p->defaults.cpuperiod, 200000);
    assert_int_equal(p->allowed_namespaces.size(), 2);
    ASSERT_STR_EQ(p->allowed_namespaces[1], "kube-system");
    assert_int_equal(p->sources.size(), 2);
    ASSERT_STR_EQ(p->sources[1], "b \"quoted\"");
    const wp::Partition *z = g.find("zeta");
    assert_non_null(z);
    ASSERT_STR_EQ(z->cpuset_text, "");
    // Sorted keys: "management" is written before "zeta".
    assert_true(text.find("\"management\"") < text.find("\"zeta\""));
    ASSERT_STR_EQ(wp::format_partitions(g), text);
}

static void format_uses_two_space_indent(void **) {
    std::string text = wp::format_partitions(must_parse(kDesignExample));
    ASSERT_CONTAINS(text, "\n  \"version\": 1");
    ASSERT_CONTAINS(text, "\n    \"management\": {");
}

static std::string many_partitions(size_t n) {
    std::string body;
    for (size_t i = 0; i < n; ++i) {
        if (i) body += ",";
        body += "\"p" + std::to_string(i) + "\": {\"cpuset\": \"\"}";
    }
    return R"({"version": 1, "partitions": {)" + body + "}}";
}

static void partition_count_up_to_the_limit_is_accepted(void **) {
    wp::PartitionFile f = must_parse(many_partitions(wp::kMaxPartitions));
    assert_int_equal(f.partitions.size(), wp::kMaxPartitions);
    assert_non_null(f.find("p4095"));
}

static void partition_count_beyond_the_limit_is_refused(void **) {
    ASSERT_FAILS(wp::parse_partitions(many_partitions(wp::kMaxPartitions + 1), kPath), kPath);
}

static void dns1123_labels(void **) {
    for (const char *good : {"a", "management", "a-b", "0", "a1-b2", "x9"})
        if (!wp::is_dns1123_label(good)) fail_msg("\"%s\" refused", good);
    assert_true(wp::is_dns1123_label(std::string(63, 'a')));
    assert_false(wp::is_dns1123_label(std::string(64, 'a')));
    for (const char *bad : {"", "-a", "a-", "A", "a_b", "a.b", "a b", "é", "a/b"})
        if (wp::is_dns1123_label(bad)) fail_msg("\"%s\" accepted", bad);
}

static wp::Partition with_namespaces(std::vector<std::string> ns) {
    wp::Partition p;
    p.name = "management";
    p.allowed_namespaces = std::move(ns);
    return p;
}

static void empty_allowed_namespaces_allow_any(void **) {
    wp::Partition p = with_namespaces({});
    assert_true(wp::namespace_allowed(p, "default"));
    assert_true(wp::namespace_allowed(p, "openshift-etcd"));
}

static void allowed_namespaces_match_exactly(void **) {
    wp::Partition p = with_namespaces({"kube-system"});
    assert_true(wp::namespace_allowed(p, "kube-system"));
    assert_false(wp::namespace_allowed(p, "kube-system2"));
    assert_false(wp::namespace_allowed(p, "kube"));
    assert_false(wp::namespace_allowed(p, "default"));
    assert_false(wp::namespace_allowed(p, ""));
}

static void allowed_namespaces_prefix_glob(void **) {
    wp::Partition p = with_namespaces({"openshift-*"});
    assert_true(wp::namespace_allowed(p, "openshift-etcd"));
    assert_true(wp::namespace_allowed(p, "openshift-kube-apiserver"));
    assert_false(wp::namespace_allowed(p, "openshift"));
    assert_false(wp::namespace_allowed(p, "my-openshift-etcd"));
    assert_false(wp::namespace_allowed(p, "openshiftx-etcd"));
    assert_false(wp::namespace_allowed(p, "default"));
}

static void allowed_namespaces_mixed_list(void **) {
    wp::Partition p = with_namespaces({"openshift-*", "kube-system"});
    assert_true(wp::namespace_allowed(p, "kube-system"));
    assert_true(wp::namespace_allowed(p, "openshift-dns"));
    assert_false(wp::namespace_allowed(p, "kube-public"));
}

static void load_partitions_absent_is_nullopt(void **state) {
    auto r = wp::load_partitions(tmp(state).p("partitions.json"));
    ASSERT_OK(r);
    assert_false(r->has_value());
}

static void load_partitions_reads_a_trusted_file(void **state) {
    if (geteuid() != 0) skip();
    auto &t = tmp(state);
    t.write("partitions.json", kDesignExample, 0644);
    auto r = wp::load_partitions(t.p("partitions.json"));
    ASSERT_OK(r);
    assert_true(r->has_value());
    assert_non_null((*r)->find("management"));
}

static void load_partitions_refuses_a_group_writable_file(void **state) {
    auto &t = tmp(state);
    t.write("partitions.json", kDesignExample, 0664);
    ASSERT_ERR(wp::load_partitions(t.p("partitions.json")), Fault::Untrusted, "partitions.json");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(design_example_is_parsed),
        cmocka_unit_test(omitted_keys_take_their_defaults),
        cmocka_unit_test(empty_cpuset_is_a_partition_that_pins_nothing),
        cmocka_unit_test(policy_fields_are_parsed),
        cmocka_unit_test(partitions_are_sorted_by_name_and_found),
        cmocka_unit_test(empty_partition_map_is_valid),
        cmocka_unit_test(bad_cpuset_is_refused_naming_the_partition),
        cmocka_unit_test(missing_cpuset_is_refused),
        cmocka_unit_test(invalid_partition_name_is_refused),
        cmocka_unit_test(invalid_allowed_namespace_patterns_are_refused),
        cmocka_unit_test(shared_activation_annotation_is_refused),
        cmocka_unit_test(empty_annotation_names_are_refused),
        cmocka_unit_test(unsupported_version_is_refused),
        cmocka_unit_test(missing_version_or_partitions_is_refused),
        cmocka_unit_test(negative_defaults_are_refused),
        cmocka_unit_test(defaults_out_of_the_override_ranges_are_refused),
        cmocka_unit_test(wrong_types_are_refused_naming_the_key),
        cmocka_unit_test(malformed_json_is_refused_naming_the_file),
        cmocka_unit_test(format_round_trips_the_design_example),
        cmocka_unit_test(format_round_trips_every_field),
        cmocka_unit_test(format_uses_two_space_indent),
        cmocka_unit_test(partition_count_up_to_the_limit_is_accepted),
        cmocka_unit_test(partition_count_beyond_the_limit_is_refused),
        cmocka_unit_test(dns1123_labels),
        cmocka_unit_test(empty_allowed_namespaces_allow_any),
        cmocka_unit_test(allowed_namespaces_match_exactly),
        cmocka_unit_test(allowed_namespaces_prefix_glob),
        cmocka_unit_test(allowed_namespaces_mixed_list),
        TMP_TEST(load_partitions_absent_is_nullopt),
        TMP_TEST(load_partitions_reads_a_trusted_file),
        TMP_TEST(load_partitions_refuses_a_group_writable_file),
    };
    return cmocka_run_group_tests_name("partitions", tests, NULL, NULL);
}
