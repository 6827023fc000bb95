// overrides: the per-container annotation <annotationPrefix>/<container-name>,
// every row of the override table of docs/ARCHITECTURE.md §4 and its parity rules.
#include "unit.hpp"

#include "overrides.hpp"

using Kind = wp::Field::Kind;
using wp::Fault;

static const char *kKey = "resources.workload.openshift.io/etcd";

static wp::Overrides must_parse(const std::string &value) {
    auto r = wp::parse_overrides(value, kKey);
    ASSERT_OK(r);
    return *r;
}

static void expect_field_value(const wp::Field &f, int64_t v) {
    if (f.kind != Kind::Value) fail_msg("expected a value %lld", static_cast<long long>(v));
    assert_true(f.value == v);
}

// The value is refused as Fault::Input, naming the annotation key and `what`.
static void expect_refused(const std::string &value, const char *what) {
    auto r = wp::parse_overrides(value, kKey);
    if (r.ok()) fail_msg("%s was accepted", value.c_str());
    if (r.error().fault != Fault::Input)
        fail_msg("%s: error is not Fault::Input: %s", value.c_str(), r.error().message.c_str());
    if (!unit::contains(r.error().message, kKey))
        fail_msg("%s: error does not name the annotation: %s", value.c_str(),
                 r.error().message.c_str());
    if (!unit::contains(r.error().message, what))
        fail_msg("%s: error does not name %s: %s", value.c_str(), what, r.error().message.c_str());
}

static void design_example_cpushares_and_cpulimit(void **) {
    wp::Overrides o = must_parse(R"({"cpushares": 400, "cpulimit": 500})");
    expect_field_value(o.cpushares, 400);
    expect_field_value(o.cpulimit, 500);
    assert_true(o.cpuquota.kind == Kind::Default);
    assert_true(o.cpuperiod.kind == Kind::Default);
    assert_false(o.cpuset.has_value());
    assert_true(o.unknown_keys.empty());
}

static void every_key_with_a_value(void **) {
    wp::Overrides o = must_parse(
        R"({"cpushares": 2, "cpulimit": 1, "cpuquota": 1000, "cpuperiod": 1000, "cpuset": "0-1,3"})");
    expect_field_value(o.cpushares, 2);
    expect_field_value(o.cpulimit, 1);
    expect_field_value(o.cpuquota, 1000);
    expect_field_value(o.cpuperiod, 1000);
    assert_true(o.cpuset.has_value());
    ASSERT_STR_EQ(o.cpuset->format(), "0-1,3");
}

static void empty_object_is_all_default(void **) {
    wp::Overrides o = must_parse("{}");
    assert_true(o.cpushares.kind == Kind::Default);
    assert_true(o.cpulimit.kind == Kind::Default);
    assert_true(o.cpuquota.kind == Kind::Default);
    assert_true(o.cpuperiod.kind == Kind::Default);
    assert_false(o.cpuset.has_value());
}

static void zero_means_the_partition_default(void **) {
    wp::Overrides o = must_parse(
        R"({"cpushares": 0, "cpulimit": 0, "cpuquota": 0, "cpuperiod": 0, "cpuset": ""})");
    assert_true(o.cpushares.kind == Kind::Default);
    assert_true(o.cpulimit.kind == Kind::Default);
    assert_true(o.cpuquota.kind == Kind::Default);
    assert_true(o.cpuperiod.kind == Kind::Default);
    assert_false(o.cpuset.has_value()); // "" is the zero value of a string
}

// CRI-O parity: null is Go's zero value, the partition default.
static void null_means_the_partition_default(void **) {
    wp::Overrides o = must_parse(
        R"({"cpushares": null, "cpulimit": null, "cpuquota": null, "cpuperiod": null, "cpuset": null})");
    assert_false(o.whole_null);
    assert_true(o.cpushares.kind == Kind::Default);
    assert_true(o.cpulimit.kind == Kind::Default);
    assert_true(o.cpuquota.kind == Kind::Default);
    assert_true(o.cpuperiod.kind == Kind::Default);
    assert_false(o.cpuset.has_value());
}

// CRI-O parity: the whole value null leaves the container as the runtime made it.
static void whole_value_null_leaves_the_container_alone(void **) {
    wp::Overrides o = must_parse("null");
    assert_true(o.whole_null);
    assert_false(o.cpuset.has_value());
    wp::Overrides spaced = must_parse(" null\n");
    assert_true(spaced.whole_null);
    assert_false(must_parse("{}").whole_null);
}

static void unknown_keys_are_collected_not_refused(void **) {
    wp::Overrides o = must_parse(R"({"cpushares": 400, "memory": 5, "cpuShares": 100, "x": {}})");
    expect_field_value(o.cpushares, 400);
    assert_int_equal(o.unknown_keys.size(), 3);
    auto has = [&](const char *k) {
        for (auto &u : o.unknown_keys)
            if (u == k) return true;
        return false;
    };
    assert_true(has("memory"));
    assert_true(has("cpuShares")); // keys are matched exactly, lower case
    assert_true(has("x"));
}

static void cpushares_range_2_to_262144(void **) {
    expect_field_value(must_parse(R"({"cpushares": 2})").cpushares, 2);
    expect_field_value(must_parse(R"({"cpushares": 262144})").cpushares, 262144);
    expect_refused(R"({"cpushares": 1})", "cpushares");
    expect_refused(R"({"cpushares": 262145})", "cpushares");
    expect_refused(R"({"cpushares": -1})", "cpushares");
}

static void cpulimit_must_be_at_least_one(void **) {
    expect_field_value(must_parse(R"({"cpulimit": 1})").cpulimit, 1);
    expect_field_value(must_parse(R"({"cpulimit": 64000})").cpulimit, 64000);
    expect_refused(R"({"cpulimit": -1})", "cpulimit");
    expect_refused(R"({"cpulimit": -500})", "cpulimit");
}

static void cpuquota_must_be_at_least_1000(void **) {
    expect_field_value(must_parse(R"({"cpuquota": 1000})").cpuquota, 1000);
    expect_field_value(must_parse(R"({"cpuquota": 5000000})").cpuquota, 5000000);
    expect_refused(R"({"cpuquota": 999})", "cpuquota");
    expect_refused(R"({"cpuquota": 1})", "cpuquota");
    expect_refused(R"({"cpuquota": -1})", "cpuquota");
}

static void cpuperiod_range_1000_to_1000000(void **) {
    expect_field_value(must_parse(R"({"cpuperiod": 1000})").cpuperiod, 1000);
    expect_field_value(must_parse(R"({"cpuperiod": 1000000})").cpuperiod, 1000000);
    expect_refused(R"({"cpuperiod": 999})", "cpuperiod");
    expect_refused(R"({"cpuperiod": 1000001})", "cpuperiod");
    expect_refused(R"({"cpuperiod": -100000})", "cpuperiod");
}

static void wrong_types_are_refused(void **) {
    expect_refused(R"({"cpushares": "400"})", "cpushares");
    expect_refused(R"({"cpushares": 400.5})", "cpushares");
    expect_refused(R"({"cpushares": 4e2})", "cpushares");
    expect_refused(R"({"cpushares": true})", "cpushares");
    expect_refused(R"({"cpulimit": [500]})", "cpulimit");
    expect_refused(R"({"cpuquota": {}})", "cpuquota");
    expect_refused(R"({"cpuperiod": "100000"})", "cpuperiod");
    expect_refused(R"({"cpuset": 1})", "cpuset");
    expect_refused(R"({"cpuset": ["0-1"]})", "cpuset");
}

static void huge_integers_are_refused_not_wrapped(void **) {
    expect_refused(R"({"cpushares": 9223372036854775808})", "cpushares");
    expect_refused(R"({"cpulimit": 18446744073709551616})", "cpulimit");
    expect_refused(R"({"cpuquota": -9223372036854775809})", "cpuquota");
}

static void cpuset_is_parsed(void **) {
    wp::Overrides o = must_parse(R"({"cpuset": "0-3,8\n"})");
    assert_true(o.cpuset.has_value());
    ASSERT_STR_EQ(o.cpuset->format(), "0-3,8");
}

static void bad_cpuset_is_refused(void **) {
    expect_refused(R"({"cpuset": "0-a"})", "cpuset");
    expect_refused(R"({"cpuset": "3-1"})", "cpuset");
    expect_refused(R"({"cpuset": "8192"})", "cpuset");
    expect_refused(R"({"cpuset": "0-4294967295"})", "cpuset");
}

static void malformed_json_is_refused(void **) {
    expect_refused("{cpushares: 400}", kKey);
    expect_refused("{\"cpushares\": 400", kKey);
    expect_refused("", kKey);
    expect_refused("{\"cpushares\": 400} trailing", kKey);
    expect_refused("{\"cpushares\": 400,}", kKey);
}

static void value_that_is_not_an_object_is_refused(void **) {
    expect_refused("[]", kKey);
    expect_refused("400", kKey);
    expect_refused("\"cpushares\"", kKey);
    expect_refused("true", kKey);
}

static void deeply_nested_unknown_key_is_refused_not_crashing(void **) {
    std::string v = "{\"x\": " + std::string(5000, '[') + std::string(5000, ']') + "}";
    expect_refused(v, kKey);
}

static void key_with_an_escaped_nul_is_not_a_known_key(void **) {
    // "cpushares\u0000x" is not "cpushares": refusing it or ignoring it as unknown is fine.
    auto r = wp::parse_overrides(R"({"cpushares\u0000x": 300})", kKey);
    if (!r.ok()) return;
    assert_true(r->cpushares.kind == Kind::Default);
}

static void duplicate_keys_last_one_wins(void **) {
    expect_field_value(must_parse(R"({"cpushares": 100, "cpushares": 400})").cpushares, 400);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(design_example_cpushares_and_cpulimit),
        cmocka_unit_test(every_key_with_a_value),
        cmocka_unit_test(empty_object_is_all_default),
        cmocka_unit_test(zero_means_the_partition_default),
        cmocka_unit_test(null_means_the_partition_default),
        cmocka_unit_test(whole_value_null_leaves_the_container_alone),
        cmocka_unit_test(unknown_keys_are_collected_not_refused),
        cmocka_unit_test(cpushares_range_2_to_262144),
        cmocka_unit_test(cpulimit_must_be_at_least_one),
        cmocka_unit_test(cpuquota_must_be_at_least_1000),
        cmocka_unit_test(cpuperiod_range_1000_to_1000000),
        cmocka_unit_test(wrong_types_are_refused),
        cmocka_unit_test(huge_integers_are_refused_not_wrapped),
        cmocka_unit_test(cpuset_is_parsed),
        cmocka_unit_test(bad_cpuset_is_refused),
        cmocka_unit_test(malformed_json_is_refused),
        cmocka_unit_test(value_that_is_not_an_object_is_refused),
        cmocka_unit_test(deeply_nested_unknown_key_is_refused_not_crashing),
        cmocka_unit_test(key_with_an_escaped_nul_is_not_a_known_key),
        cmocka_unit_test(duplicate_keys_last_one_wins),
    };
    return cmocka_run_group_tests_name("overrides", tests, NULL, NULL);
}
