// wpctl's readers: YAML -> JSON conversion, WorkloadPartitions manifests (both
// forms, Lists), the kubelet pinning file, the node policy, and the merge.
#include "unit.hpp"

#include "manifest.hpp"
#include "merge.hpp"
#include "nodefiles.hpp"
#include "yaml.hpp"

using unit::contains;
using wpctl::Diagnostics;
using wpctl::ManifestObject;

namespace {

// Every error (or warning) message joined, for assertions.
std::string messages(const Diagnostics &d, wpctl::Severity s) {
    std::string out;
    for (const auto &x : d.items())
        if (x.severity == s) out += x.message + "\n";
    return out;
}
std::string errors(const Diagnostics &d) {
    return messages(d, wpctl::Severity::Error);
}
std::string warnings(const Diagnostics &d) {
    return messages(d, wpctl::Severity::Warning);
}

std::vector<ManifestObject> read(const std::string &text, const std::string &path, Diagnostics &d) {
    std::vector<ManifestObject> out;
    wpctl::read_manifest_text(text, path, out, d);
    return out;
}

void expect_one_error(const Diagnostics &d, std::initializer_list<std::string_view> needles) {
    if (d.count(wpctl::Severity::Error) != 1)
        fail_msg("expected exactly one error, got %zu:\n%s", d.count(wpctl::Severity::Error),
                 errors(d).c_str());
    std::string e = errors(d);
    for (auto n : needles)
        if (!contains(e, n))
            fail_msg("error \"%s\" does not name \"%.*s\"", e.c_str(), static_cast<int>(n.size()),
                     n.data());
}

const char *kInstallTimeYaml = R"(apiVersion: workload.openshift.io/v1
kind: WorkloadPartitions
metadata:
  # arbitrary name, all objects of this Kind should be processed and merged
  name: management-partition
status:
  clusterPartitionNames:
    - management
)";

const char *kScopedForm = R"(apiVersion: workload.openshift.io/v1
kind: WorkloadPartitions
metadata:
  name: management-partition
status:
  partitions:
    - name: management
      scope: cluster # optional, cluster scope would be the default
    - name: telco
)";

} // namespace

// ------------------------------------------------------------------ YAML

static void yaml_plain_scalars_follow_the_core_schema(void **) {
    auto r = wpctl::yaml_documents("a: 1\nb: true\nc: ~\nd: text\ne: '1'\nf: \"true\"\ng: 1.5\n",
                                   "t.yaml");
    ASSERT_OK(r);
    assert_int_equal(r->size(), 1);
    json_object *o = (*r)[0].get(), *v = nullptr;
    assert_true(json_object_object_get_ex(o, "a", &v) && json_object_is_type(v, json_type_int));
    assert_true(json_object_object_get_ex(o, "b", &v) && json_object_is_type(v, json_type_boolean));
    assert_true(json_object_object_get_ex(o, "c", &v) && v == nullptr);
    assert_true(json_object_object_get_ex(o, "d", &v) && json_object_is_type(v, json_type_string));
    assert_true(json_object_object_get_ex(o, "e", &v) && json_object_is_type(v, json_type_string));
    assert_true(json_object_object_get_ex(o, "f", &v) && json_object_is_type(v, json_type_string));
    assert_true(json_object_object_get_ex(o, "g", &v) && json_object_is_type(v, json_type_double));
}

static void yaml_number_forms(void **) {
    auto r = wpctl::yaml_documents("[0x1f, 0o17, -12, 1e3, .5, 1.2.3, '-', 1_000, 2026-01-01]\n",
                                   "n.yaml");
    ASSERT_OK(r);
    json_object *a = (*r)[0].get();
    const json_type want[] = {json_type_int,    json_type_int,    json_type_int,
                              json_type_double, json_type_double, json_type_string,
                              json_type_string, json_type_string, json_type_string};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; ++i)
        if (!json_object_is_type(json_object_array_get_idx(a, i), want[i]))
            fail_msg("item %zu: got %s", i,
                     json_object_to_json_string(json_object_array_get_idx(a, i)));
    assert_int_equal(json_object_get_int64(json_object_array_get_idx(a, 0)), 31);
    assert_int_equal(json_object_get_int64(json_object_array_get_idx(a, 1)), 15);
}

static void yaml_multi_document_stream(void **) {
    auto r = wpctl::yaml_documents("a: 1\n---\nb: 2\n---\n", "t.yaml");
    ASSERT_OK(r);
    assert_int_equal(r->size(), 3); // the trailing empty document is a null
    assert_non_null((*r)[0].get());
    assert_non_null((*r)[1].get());
    assert_null((*r)[2].get());
}

static void yaml_malformed_names_file_line_and_column(void **) {
    auto r = wpctl::yaml_documents("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml");
    ASSERT_FAILS(r, "bad.yaml", "line ", "column ", "invalid YAML");
}

static void yaml_duplicate_keys_are_refused(void **) {
    auto r = wpctl::yaml_documents("a: 1\nb: 2\na: 3\n", "dup.yaml");
    ASSERT_FAILS(r, "dup.yaml", "line 3", "duplicate key \"a\"");
}

static void yaml_non_scalar_keys_are_refused(void **) {
    auto r = wpctl::yaml_documents("? [a, b]\n: 1\n", "k.yaml");
    ASSERT_FAILS(r, "k.yaml", "mapping key must be a scalar");
}

static void yaml_alias_bomb_is_refused(void **) {
    std::string y = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    std::string prev = "a";
    for (int i = 0; i < 8; ++i) {
        std::string n = "l" + std::to_string(i);
        y += n + ": &" + n + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" +
             prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
             "]\n";
        prev = n;
    }
    auto r = wpctl::yaml_documents(y, "bomb.yaml");
    ASSERT_FAILS(r, "bomb.yaml", "nodes");
}

static void yaml_deep_nesting_is_refused(void **) {
    std::string y(100, '[');
    y += std::string(100, ']');
    auto r = wpctl::yaml_documents(y, "deep.yaml");
    ASSERT_FAILS(r, "deep.yaml", "nesting");
}

// ------------------------------------------------------------- manifests

static void first_form_is_read(void **) {
    Diagnostics d;
    auto objs = read(kInstallTimeYaml, "install-time.yaml", d);
    assert_false(d.has_errors());
    assert_int_equal(objs.size(), 1);
    ASSERT_STR_EQ(objs[0].name, "management-partition");
    assert_int_equal(objs[0].names.size(), 1);
    ASSERT_STR_EQ(objs[0].names[0], "management");
}

static void alternative_form_is_read_with_scope_defaulting_to_cluster(void **) {
    Diagnostics d;
    auto objs = read(kScopedForm, "alt.yaml", d);
    assert_false(d.has_errors());
    assert_int_equal(objs.size(), 1);
    assert_int_equal(objs[0].names.size(), 2);
    ASSERT_STR_EQ(objs[0].names[0], "management");
    ASSERT_STR_EQ(objs[0].names[1], "telco");
}

static void json_object_is_read(void **) {
    Diagnostics d;
    auto objs = read(R"({"apiVersion": "workload.openshift.io/v1", "kind": "WorkloadPartitions",
        "metadata": {"name": "a"}, "status": {"clusterPartitionNames": ["x", "y", "x"]}})",
                     "a.json", d);
    assert_false(d.has_errors());
    assert_int_equal(objs.size(), 1);
    assert_int_equal(objs[0].names.size(), 2); // "x" once
    ASSERT_CONTAINS(warnings(d), "status.clusterPartitionNames[2]: \"x\" is listed twice");
}

static void lists_of_both_kinds_are_read(void **) {
    Diagnostics d;
    auto objs = read(R"(apiVersion: v1
kind: List
items:
- {apiVersion: workload.openshift.io/v1, kind: WorkloadPartitions, metadata: {name: a},
   status: {clusterPartitionNames: [one]}}
- {apiVersion: workload.openshift.io/v1, kind: WorkloadPartitions, metadata: {name: b},
   status: {partitions: [{name: two}]}}
---
apiVersion: workload.openshift.io/v1
kind: WorkloadPartitionsList
items:
- {apiVersion: workload.openshift.io/v1, kind: WorkloadPartitions, metadata: {name: c},
   status: {clusterPartitionNames: [three]}}
)",
                     "l.yaml", d);
    assert_false(d.has_errors());
    assert_int_equal(objs.size(), 3);
    ASSERT_STR_EQ(objs[1].location, "document 1, items[1]");
    ASSERT_STR_EQ(objs[2].names[0], "three");
}

static void invalid_partition_name_names_file_object_and_field(void **) {
    Diagnostics d;
    auto objs = read(R"(apiVersion: workload.openshift.io/v1
kind: WorkloadPartitions
metadata: {name: bad-names}
status:
  clusterPartitionNames: [ok, Not_A_Label]
)",
                     "names.yaml", d);
    expect_one_error(d, {"names.yaml", "object \"bad-names\"", "status.clusterPartitionNames[1]",
                         "\"Not_A_Label\"", "DNS-1123"});
    assert_int_equal(objs.size(), 0);
}

static void invalid_name_in_alternative_form(void **) {
    Diagnostics d;
    read(R"({"apiVersion": "workload.openshift.io/v1", "kind": "WorkloadPartitions",
        "metadata": {"name": "x"}, "status": {"partitions": [{"name": "-lead"}]}})",
         "n.json", d);
    expect_one_error(d, {"n.json", "object \"x\"", "status.partitions[0].name", "\"-lead\""});
}

static void name_longer_than_63_is_refused(void **) {
    Diagnostics d;
    std::string longname(64, 'a');
    read("{\"apiVersion\": \"workload.openshift.io/v1\", \"kind\": \"WorkloadPartitions\", "
         "\"metadata\": {\"name\": \"x\"}, \"status\": {\"clusterPartitionNames\": [\"" +
             longname + "\"]}}",
         "long.json", d);
    expect_one_error(d, {"long.json", "clusterPartitionNames[0]"});
}

static void unknown_scope_is_refused(void **) {
    Diagnostics d;
    auto objs = read(R"(apiVersion: workload.openshift.io/v1
kind: WorkloadPartitions
metadata: {name: scoped}
status:
  partitions:
  - {name: management, scope: namespace}
)",
                     "scope.yaml", d);
    expect_one_error(d, {"scope.yaml", "object \"scoped\"", "status.partitions[0].scope",
                         "unknown scope \"namespace\"", "only \"cluster\""});
    assert_int_equal(objs.size(), 0);
}

static void wrong_kind_is_refused(void **) {
    Diagnostics d;
    read("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n", "cm.yaml", d);
    expect_one_error(d, {"cm.yaml", "kind", "\"ConfigMap\"", "WorkloadPartitions"});
}

static void wrong_kind_inside_a_list_names_the_item(void **) {
    Diagnostics d;
    read("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: "
         "s}}\n",
         "l.yaml", d);
    expect_one_error(d, {"l.yaml", "items[0]", "\"Secret\""});
}

static void wrong_api_version_is_refused(void **) {
    Diagnostics d;
    read("apiVersion: workload.openshift.io/v2\nkind: WorkloadPartitions\nmetadata: {name: "
         "v}\nstatus: {clusterPartitionNames: [a]}\n",
         "v.yaml", d);
    expect_one_error(d, {"v.yaml", "object \"v\"", "apiVersion", "workload.openshift.io/v2"});
}

static void missing_metadata_name_is_refused(void **) {
    Diagnostics d;
    read("apiVersion: workload.openshift.io/v1\nkind: WorkloadPartitions\nmetadata: {}\n", "m.yaml",
         d);
    expect_one_error(d, {"m.yaml", "metadata.name", "missing"});
}

static void wrong_field_types_are_refused(void **) {
    Diagnostics d;
    read("apiVersion: workload.openshift.io/v1\nkind: WorkloadPartitions\nmetadata: {name: "
         "t}\nstatus: {clusterPartitionNames: management}\n",
         "t.yaml", d);
    expect_one_error(d, {"t.yaml", "object \"t\"", "status.clusterPartitionNames", "string"});
}

static void malformed_json_is_refused_naming_the_file(void **) {
    Diagnostics d;
    read(R"({"apiVersion": "workload.openshift.io/v1", "kind": )", "broken.json", d);
    expect_one_error(d, {"broken.json", "JSON"});
}

static void malformed_yaml_is_refused_naming_the_file(void **) {
    Diagnostics d;
    read("apiVersion: workload.openshift.io/v1\nkind: WorkloadPartitions\n metadata: x\n  - y\n",
         "broken.yaml", d);
    expect_one_error(d, {"broken.yaml", "line", "YAML"});
}

static void object_without_names_is_a_warning(void **) {
    Diagnostics d;
    auto objs = read("apiVersion: workload.openshift.io/v1\nkind: WorkloadPartitions\nmetadata: "
                     "{name: empty}\n",
                     "e.yaml", d);
    assert_false(d.has_errors());
    assert_int_equal(objs.size(), 1);
    ASSERT_CONTAINS(warnings(d), "object \"empty\"");
}

// -------------------------------------------------- pinning and policy

static void pinning_file_is_parsed_and_normalized(void **) {
    Diagnostics d;
    auto p = wpctl::parse_pinning(R"({"management": {"cpuset": "0,1,52-53"}})", "pin", d);
    assert_false(d.has_errors());
    ASSERT_STR_EQ(p.at("management").cpuset_text, "0-1,52-53");
}

static void pinning_bad_cpuset_names_file_partition_and_value(void **) {
    Diagnostics d;
    wpctl::parse_pinning(R"({"management": {"cpuset": "3-1"}})", "/etc/kubernetes/pin", d);
    expect_one_error(d, {"/etc/kubernetes/pin", "\"management\"", "cpuset", "\"3-1\""});
}

static void policy_is_parsed(void **) {
    Diagnostics d;
    auto p = wpctl::parse_policy(
        R"({"management": {"allowedNamespaces": ["openshift-*", "kube-system"],
            "defaults": {"cpushares": 512, "cpuperiod": 100000}}})",
        "policy.json", d);
    assert_false(d.has_errors());
    assert_int_equal(p.at("management").allowed_namespaces.size(), 2);
    assert_int_equal(p.at("management").defaults.cpushares, 512);
}

static void policy_typos_and_bad_values_are_refused(void **) {
    {
        Diagnostics d;
        wpctl::parse_policy(R"({"management": {"allowedNamespace": []}})", "policy.json", d);
        expect_one_error(d, {"policy.json", "\"management\"", "\"allowedNamespace\"", "unknown"});
    }
    {
        Diagnostics d;
        wpctl::parse_policy(R"({"management": {"allowedNamespaces": ["Open*"]}})", "policy.json",
                            d);
        expect_one_error(d, {"policy.json", "allowedNamespaces[0]", "\"Open*\""});
    }
    {
        Diagnostics d;
        wpctl::parse_policy(R"({"management": {"defaults": {"cpushares": 1}}})", "policy.json", d);
        expect_one_error(d,
                         {"policy.json", "\"management\"", "\"defaults.cpushares\": 1 is outside"});
    }
}

// The node policy and the merged partition file share one parser of the
// partition entry fields: the same bad entry gives the same message, but for
// where it is ("<file>: partition \"x\": key \"f\"" / "<file>: key \"partitions.x.f\"").
static void policy_and_partition_file_give_the_same_messages(void **) {
    struct Case {
        const char *entry, *message;
    };
    const Case cases[] = {
        {R"({"allowedNamespaces": "openshift-*"})",
         R"(allowedNamespaces": expected a list of strings, got string)"},
        {R"({"allowedNamespaces": ["Open*"]})",
         R"(allowedNamespaces[0]": "Open*" is neither a namespace name nor a "prefix*" pattern)"},
        {R"({"allowedNamespaces": ["ok", "a_b"]})",
         R"(allowedNamespaces[1]": "a_b" is neither a namespace name nor a "prefix*" pattern)"},
        {R"({"defaults": [1]})", R"(defaults": expected an object, got array)"},
        {R"({"defaults": {"cpuset": 1}})",
         R"(defaults.cpuset": unknown (expected cpushares, cpuquota, cpuperiod))"},
        {R"({"defaults": {"cpushares": 1}})",
         R"(defaults.cpushares": 1 is outside 0 or 2..262144)"},
        {R"({"defaults": {"cpuperiod": 999}})",
         R"(defaults.cpuperiod": 999 is outside 0 or 1000..1000000)"},
    };
    for (const auto &c : cases) {
        Diagnostics d;
        wpctl::parse_policy(std::string(R"({"x": )") + c.entry + "}", "policy.json", d);
        expect_one_error(d, {std::string("policy.json: partition \"x\": key \"") + c.message});
        std::string body = c.entry;
        body.insert(1, R"("cpuset": "", )");
        auto f = wp::parse_partitions(R"({"version": 1, "partitions": {"x": )" + body + "}}",
                                      "partitions.json");
        if (f.ok()) fail_msg("partitions.json with %s was accepted", c.entry);
        std::string want = std::string("partitions.json: key \"partitions.x.") + c.message;
        if (f.error().message != want)
            fail_msg("partitions.json: \"%s\", want \"%s\"", f.error().message.c_str(),
                     want.c_str());
    }
}

// ---------------------------------------------------------------- merge

static ManifestObject obj(const std::string &name, std::vector<std::string> names) {
    return ManifestObject{"f.yaml", "", name, std::move(names)};
}

static void merge_dedups_names_and_records_sources(void **) {
    wpctl::MergeInputs in;
    in.objects = {obj("b-obj", {"management", "extra"}), obj("a-obj", {"management"})};
    in.pinning = wpctl::Pinning{};
    (*in.pinning)["management"] = {"0-1", *wp::CpuSet::parse("0-1")};
    (*in.pinning)["extra"] = {"2", *wp::CpuSet::parse("2")};
    Diagnostics d;
    auto r = wpctl::merge_partitions(in, d);
    assert_false(d.has_errors());
    assert_int_equal(r.file.partitions.size(), 2);
    ASSERT_STR_EQ(r.file.partitions[0].name, "extra");
    ASSERT_STR_EQ(r.file.partitions[1].name, "management");
    ASSERT_STR_EQ(r.file.partitions[1].cpuset_text, "0-1");
    ASSERT_STR_EQ(r.file.partitions[1].activation_annotation,
                  "target.workload.openshift.io/management");
    assert_int_equal(r.file.partitions[1].sources.size(), 2);
    ASSERT_STR_EQ(r.file.partitions[1].sources[0], "a-obj");
}

static void merge_name_without_cpuset_gets_empty_cpuset_and_a_warning(void **) {
    wpctl::MergeInputs in;
    in.objects = {obj("o", {"day2"})};
    in.pinning = wpctl::Pinning{};
    in.pinning_path = "/etc/kubernetes/openshift-workload-pinning";
    Diagnostics d;
    auto r = wpctl::merge_partitions(in, d);
    assert_false(d.has_errors());
    ASSERT_STR_EQ(r.file.partitions[0].cpuset_text, "");
    ASSERT_CONTAINS(warnings(d), "\"day2\"");
    ASSERT_CONTAINS(warnings(d), "cpuset \"\"");
}

static void merge_keeps_a_removed_name_with_an_error(void **) {
    wpctl::MergeInputs in;
    in.objects = {obj("o", {"new"})};
    wp::PartitionFile cur;
    wp::Partition old;
    old.name = "management";
    old.cpuset_text = "0-1";
    old.cpuset = *wp::CpuSet::parse("0-1");
    old.activation_annotation = "target.workload.openshift.io/management";
    old.annotation_prefix = "resources.workload.openshift.io";
    old.sources = {"management-partition"};
    cur.partitions.push_back(old);
    in.current = cur;
    in.current_path = "/etc/workload-partitioning/partitions.json";
    {
        Diagnostics d;
        auto r = wpctl::merge_partitions(in, d);
        expect_one_error(d, {"partitions.json", "\"management\"", "--allow-removal"});
        assert_int_equal(r.kept.size(), 1);
        assert_int_equal(r.file.partitions.size(), 2);
        ASSERT_STR_EQ(r.file.partitions[0].name, "management");
        ASSERT_STR_EQ(r.file.partitions[0].cpuset_text, "0-1");
    }
    in.allow_removal = true;
    {
        Diagnostics d;
        auto r = wpctl::merge_partitions(in, d);
        assert_false(d.has_errors());
        assert_int_equal(r.removed.size(), 1);
        assert_int_equal(r.file.partitions.size(), 1);
        ASSERT_STR_EQ(r.file.partitions[0].name, "new");
    }
}

// An ordinary user creates an object (docs/ARCHITECTURE.md §7; RBAC): every authenticated user may
// read WorkloadPartitions and do nothing else; the shipped manifests grant no write verb to anyone.
static void rbac_grants_read_only_to_authenticated_users(void **) {
    std::string path = std::string(SRCDIR) + "/config/crd/workloadpartitions.rbac.yaml";
    auto text = wpctl::read_input_file(path, 1 << 20);
    ASSERT_OK(text);
    auto docs = wpctl::yaml_documents(*text, path);
    ASSERT_OK(docs);
    int roles = 0, bindings = 0;
    for (auto &doc : *docs) {
        json_object *kind = nullptr;
        assert_true(json_object_object_get_ex(doc.get(), "kind", &kind));
        std::string k = json_object_get_string(kind);
        if (k == "ClusterRole") {
            ++roles;
            json_object *rules = nullptr;
            assert_true(json_object_object_get_ex(doc.get(), "rules", &rules));
            for (size_t i = 0; i < json_object_array_length(rules); ++i) {
                json_object *verbs = nullptr;
                assert_true(json_object_object_get_ex(json_object_array_get_idx(rules, i), "verbs",
                                                      &verbs));
                for (size_t j = 0; j < json_object_array_length(verbs); ++j) {
                    std::string v = json_object_get_string(json_object_array_get_idx(verbs, j));
                    if (v != "get" && v != "list" && v != "watch")
                        fail_msg("ClusterRole grants verb \"%s\"", v.c_str());
                }
            }
        } else if (k == "ClusterRoleBinding") {
            ++bindings;
            json_object *subjects = nullptr;
            assert_true(json_object_object_get_ex(doc.get(), "subjects", &subjects));
            assert_int_equal(json_object_array_length(subjects), 1);
            json_object *name = nullptr;
            assert_true(
                json_object_object_get_ex(json_object_array_get_idx(subjects, 0), "name", &name));
            ASSERT_STR_EQ(json_object_get_string(name), "system:authenticated");
        } else {
            fail_msg("unexpected kind %s in the RBAC manifest", k.c_str());
        }
    }
    assert_int_equal(roles, 1);
    assert_int_equal(bindings, 1);
}

// The CRD's schema accepts both forms with the same name pattern the tools use.
static void crd_schema_matches_the_tools(void **) {
    std::string path = std::string(SRCDIR) + "/config/crd/workloadpartitions.crd.yaml";
    auto text = wpctl::read_input_file(path, 1 << 20);
    ASSERT_OK(text);
    auto docs = wpctl::yaml_documents(*text, path);
    ASSERT_OK(docs);
    assert_int_equal(docs->size(), 1);
    std::string s = json_object_to_json_string_ext((*docs)[0].get(), JSON_C_TO_STRING_PLAIN);
    ASSERT_CONTAINS(s, "\"scope\":\"Cluster\"");
    ASSERT_CONTAINS(s, "\"group\":\"workload.openshift.io\"");
    ASSERT_CONTAINS(s, "\"clusterPartitionNames\"");
    ASSERT_CONTAINS(s, "\"enum\":[\"cluster\"]");
    ASSERT_CONTAINS(s, "\"status\":{}"); // the status subresource
    ASSERT_CONTAINS(s, "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
}

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(yaml_plain_scalars_follow_the_core_schema),
        cmocka_unit_test(yaml_number_forms),
        cmocka_unit_test(yaml_multi_document_stream),
        cmocka_unit_test(yaml_malformed_names_file_line_and_column),
        cmocka_unit_test(yaml_duplicate_keys_are_refused),
        cmocka_unit_test(yaml_non_scalar_keys_are_refused),
        cmocka_unit_test(yaml_alias_bomb_is_refused),
        cmocka_unit_test(yaml_deep_nesting_is_refused),
        cmocka_unit_test(first_form_is_read),
        cmocka_unit_test(alternative_form_is_read_with_scope_defaulting_to_cluster),
        cmocka_unit_test(json_object_is_read),
        cmocka_unit_test(lists_of_both_kinds_are_read),
        cmocka_unit_test(invalid_partition_name_names_file_object_and_field),
        cmocka_unit_test(invalid_name_in_alternative_form),
        cmocka_unit_test(name_longer_than_63_is_refused),
        cmocka_unit_test(unknown_scope_is_refused),
        cmocka_unit_test(wrong_kind_is_refused),
        cmocka_unit_test(wrong_kind_inside_a_list_names_the_item),
        cmocka_unit_test(wrong_api_version_is_refused),
        cmocka_unit_test(missing_metadata_name_is_refused),
        cmocka_unit_test(wrong_field_types_are_refused),
        cmocka_unit_test(malformed_json_is_refused_naming_the_file),
        cmocka_unit_test(malformed_yaml_is_refused_naming_the_file),
        cmocka_unit_test(object_without_names_is_a_warning),
        cmocka_unit_test(pinning_file_is_parsed_and_normalized),
        cmocka_unit_test(pinning_bad_cpuset_names_file_partition_and_value),
        cmocka_unit_test(policy_is_parsed),
        cmocka_unit_test(policy_typos_and_bad_values_are_refused),
        cmocka_unit_test(policy_and_partition_file_give_the_same_messages),
        cmocka_unit_test(merge_dedups_names_and_records_sources),
        cmocka_unit_test(merge_name_without_cpuset_gets_empty_cpuset_and_a_warning),
        cmocka_unit_test(merge_keeps_a_removed_name_with_an_error),
        cmocka_unit_test(rbac_grants_read_only_to_authenticated_users),
        cmocka_unit_test(crd_schema_matches_the_tools),
    };
    return cmocka_run_group_tests_name("wpctl_manifest", tests, NULL, NULL);
}
