// config: the node config /etc/workload-partitioning/config.json.
#include "unit.hpp"

#include "config.hpp"

using unit::tmp;
using wp::Fault;

static const char *kPath = "/etc/workload-partitioning/config.json";

static void empty_object_gives_the_defaults(void **) {
    auto r = wp::parse_config("{}", kPath);
    ASSERT_OK(r);
    assert_false(r->enabled); // an absent "enabled" means off
    assert_true(r->mode == wp::Mode::Enforce);
    assert_true(r->failure_policy == wp::FailurePolicy::Fail);
    ASSERT_STR_EQ(r->partitions_file, "/etc/workload-partitioning/partitions.json");
    assert_true(r->shares_to_weight == wp::SharesToWeight::Quadratic);
    ASSERT_STR_EQ(r->cgroup_root, "/sys/fs/cgroup");
    ASSERT_STR_EQ(r->proc_root, "/proc");
    assert_true(r->log_level == wp::LogLevel::Info);
    assert_true(r->log_target == wp::LogTarget::Auto);
}

static void design_example_is_parsed(void **) {
    auto r = wp::parse_config(R"({
  "enabled": true,
  "mode": "enforce",
  "failurePolicy": "fail",
  "partitionsFile": "/etc/workload-partitioning/partitions.json",
  "sharesToWeight": "quadratic",
  "cgroupRoot": "/sys/fs/cgroup",
  "procRoot": "/proc",
  "log": {"level": "info", "target": "auto"}
})",
                              kPath);
    ASSERT_OK(r);
    assert_true(r->enabled);
    assert_true(r->mode == wp::Mode::Enforce);
    assert_true(r->failure_policy == wp::FailurePolicy::Fail);
}

static void every_key_takes_its_non_default_value(void **) {
    auto r = wp::parse_config(R"({
  "enabled": true,
  "mode": "audit",
  "failurePolicy": "ignore",
  "partitionsFile": "/tmp/p.json",
  "sharesToWeight": "linear",
  "cgroupRoot": "/tmp/fake/cgroup",
  "procRoot": "/tmp/fake/proc",
  "log": {"level": "debug", "target": "stderr"}
})",
                              kPath);
    ASSERT_OK(r);
    assert_true(r->enabled);
    assert_true(r->mode == wp::Mode::Audit);
    assert_true(r->failure_policy == wp::FailurePolicy::Ignore);
    ASSERT_STR_EQ(r->partitions_file, "/tmp/p.json");
    assert_true(r->shares_to_weight == wp::SharesToWeight::Linear);
    ASSERT_STR_EQ(r->cgroup_root, "/tmp/fake/cgroup");
    ASSERT_STR_EQ(r->proc_root, "/tmp/fake/proc");
    assert_true(r->log_level == wp::LogLevel::Debug);
    assert_true(r->log_target == wp::LogTarget::Stderr);
}

static void every_log_level_and_target_is_accepted(void **) {
    struct {
        const char *name;
        wp::LogLevel level;
    } levels[] = {{"error", wp::LogLevel::Error},
                  {"warning", wp::LogLevel::Warning},
                  {"info", wp::LogLevel::Info},
                  {"debug", wp::LogLevel::Debug}};
    for (auto &l : levels) {
        auto r = wp::parse_config(std::string(R"({"log": {"level": ")") + l.name + "\"}}", kPath);
        ASSERT_OK(r);
        assert_true(r->log_level == l.level);
        ASSERT_STR_EQ(wp::log_level_name(l.level), l.name);
    }
    struct {
        const char *name;
        wp::LogTarget target;
    } targets[] = {{"auto", wp::LogTarget::Auto},
                   {"journal", wp::LogTarget::Journal},
                   {"syslog", wp::LogTarget::Syslog},
                   {"stderr", wp::LogTarget::Stderr}};
    for (auto &t : targets) {
        auto r = wp::parse_config(std::string(R"({"log": {"target": ")") + t.name + "\"}}", kPath);
        ASSERT_OK(r);
        assert_true(r->log_target == t.target);
        ASSERT_STR_EQ(wp::log_target_name(t.target), t.name);
    }
}

static void names_are_the_config_spellings(void **) {
    ASSERT_STR_EQ(wp::mode_name(wp::Mode::Enforce), "enforce");
    ASSERT_STR_EQ(wp::mode_name(wp::Mode::Audit), "audit");
    ASSERT_STR_EQ(wp::failure_policy_name(wp::FailurePolicy::Fail), "fail");
    ASSERT_STR_EQ(wp::failure_policy_name(wp::FailurePolicy::Ignore), "ignore");
}

static void enabled_false_is_off(void **) {
    auto r = wp::parse_config(R"({"enabled": false, "mode": "audit"})", kPath);
    ASSERT_OK(r);
    assert_false(r->enabled);
}

static void unknown_top_level_key_is_refused_naming_it_and_the_file(void **) {
    ASSERT_ERR(wp::parse_config(R"({"enable": true})", kPath), Fault::Usage, "enable", kPath);
    ASSERT_ERR(wp::parse_config(R"({"enabled": true, "Mode": "audit"})", kPath), Fault::Usage,
               "Mode");
}

static void unknown_log_key_is_refused(void **) {
    ASSERT_ERR(wp::parse_config(R"({"log": {"level": "info", "file": "/tmp/x"}})", kPath),
               Fault::Usage, "file", kPath);
}

static void bad_mode_is_refused(void **) {
    ASSERT_ERR(wp::parse_config(R"({"mode": "permissive"})", kPath), Fault::Usage, "mode",
               "permissive");
    ASSERT_ERR(wp::parse_config(R"({"mode": "Enforce"})", kPath), Fault::Usage, "mode");
    ASSERT_ERR(wp::parse_config(R"({"mode": ""})", kPath), Fault::Usage, "mode");
}

static void bad_failure_policy_is_refused(void **) {
    ASSERT_ERR(wp::parse_config(R"({"failurePolicy": "warn"})", kPath), Fault::Usage,
               "failurePolicy", "warn");
}

static void bad_shares_to_weight_is_refused(void **) {
    ASSERT_ERR(wp::parse_config(R"({"sharesToWeight": "cubic"})", kPath), Fault::Usage,
               "sharesToWeight", "cubic");
}

static void bad_log_level_and_target_are_refused(void **) {
    ASSERT_ERR(wp::parse_config(R"({"log": {"level": "verbose"}})", kPath), Fault::Usage,
               "verbose");
    ASSERT_ERR(wp::parse_config(R"({"log": {"target": "file"}})", kPath), Fault::Usage, "file");
}

static void wrong_types_are_refused_naming_the_key(void **) {
    ASSERT_ERR(wp::parse_config(R"({"enabled": "yes"})", kPath), Fault::Usage, "enabled");
    ASSERT_ERR(wp::parse_config(R"({"enabled": 1})", kPath), Fault::Usage, "enabled");
    ASSERT_ERR(wp::parse_config(R"({"mode": 1})", kPath), Fault::Usage, "mode");
    ASSERT_ERR(wp::parse_config(R"({"cgroupRoot": 5})", kPath), Fault::Usage, "cgroupRoot");
    ASSERT_ERR(wp::parse_config(R"({"procRoot": null})", kPath), Fault::Usage, "procRoot");
    ASSERT_ERR(wp::parse_config(R"({"partitionsFile": ["/a"]})", kPath), Fault::Usage,
               "partitionsFile");
    ASSERT_ERR(wp::parse_config(R"({"log": "stderr"})", kPath), Fault::Usage, "log");
}

static void relative_or_empty_paths_are_refused(void **) {
    // The hook's working directory is the bundle: a relative path would resolve there.
    ASSERT_ERR(wp::parse_config(R"({"cgroupRoot": ""})", kPath), Fault::Usage, "cgroupRoot");
    ASSERT_ERR(wp::parse_config(R"({"cgroupRoot": "sys/fs/cgroup"})", kPath), Fault::Usage,
               "cgroupRoot");
    ASSERT_ERR(wp::parse_config(R"({"procRoot": "proc"})", kPath), Fault::Usage, "procRoot");
    ASSERT_ERR(wp::parse_config(R"({"partitionsFile": "partitions.json"})", kPath), Fault::Usage,
               "partitionsFile");
}

static void config_that_is_not_an_object_is_refused(void **) {
    ASSERT_ERR(wp::parse_config("[]", kPath), Fault::Usage, kPath);
    ASSERT_ERR(wp::parse_config("true", kPath), Fault::Usage, kPath);
}

static void malformed_json_is_refused_naming_the_file(void **) {
    ASSERT_ERR(wp::parse_config("{\"enabled\": true,}", kPath), Fault::Usage, kPath);
    ASSERT_ERR(wp::parse_config("", kPath), Fault::Usage, kPath);
}

static void load_config_absent_file_is_nullopt(void **state) {
    auto r = wp::load_config(tmp(state).p("config.json"));
    ASSERT_OK(r);
    assert_false(r->has_value());
}

static void load_config_reads_a_trusted_file(void **state) {
    if (geteuid() != 0) skip();
    auto &t = tmp(state);
    t.write("config.json", R"({"enabled": true, "mode": "audit"})", 0644);
    auto r = wp::load_config(t.p("config.json"));
    ASSERT_OK(r);
    assert_true(r->has_value());
    assert_true((*r)->enabled);
    assert_true((*r)->mode == wp::Mode::Audit);
}

static void load_config_refuses_a_world_writable_file(void **state) {
    auto &t = tmp(state);
    t.write("config.json", R"({"enabled": true})", 0666);
    ASSERT_ERR(wp::load_config(t.p("config.json")), Fault::Untrusted, "config.json");
}

static void load_config_refuses_a_symlink(void **state) {
    auto &t = tmp(state);
    t.write("real.json", R"({"enabled": true})", 0644);
    t.symlink(t.p("real.json"), "config.json");
    ASSERT_ERR(wp::load_config(t.p("config.json")), Fault::Untrusted, "config.json");
}

static void load_config_reports_a_parse_error_with_the_path(void **state) {
    if (geteuid() != 0) skip();
    auto &t = tmp(state);
    t.write("config.json", R"({"enabled": tru})", 0644);
    // A malformed node file is a Config fault for the hook (outcome.hpp).
    ASSERT_ERR(wp::load_config(t.p("config.json")), Fault::Config, t.p("config.json"));
}

static void shipped_config_is_valid_and_disabled(void **) {
    // config/config.json, as installed: "enabled": false, every other key default.
    std::ifstream f("config/config.json");
    if (!f) skip(); // run from the repository root by `make test`
    std::stringstream ss;
    ss << f.rdbuf();
    auto r = wp::parse_config(ss.str(), "config/config.json");
    ASSERT_OK(r);
    assert_false(r->enabled);
    assert_true(r->mode == wp::Mode::Enforce);
    assert_true(r->failure_policy == wp::FailurePolicy::Fail);
    assert_true(r->shares_to_weight == wp::SharesToWeight::Quadratic);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_object_gives_the_defaults),
        cmocka_unit_test(design_example_is_parsed),
        cmocka_unit_test(every_key_takes_its_non_default_value),
        cmocka_unit_test(every_log_level_and_target_is_accepted),
        cmocka_unit_test(names_are_the_config_spellings),
        cmocka_unit_test(enabled_false_is_off),
        cmocka_unit_test(unknown_top_level_key_is_refused_naming_it_and_the_file),
        cmocka_unit_test(unknown_log_key_is_refused),
        cmocka_unit_test(bad_mode_is_refused),
        cmocka_unit_test(bad_failure_policy_is_refused),
        cmocka_unit_test(bad_shares_to_weight_is_refused),
        cmocka_unit_test(bad_log_level_and_target_are_refused),
        cmocka_unit_test(wrong_types_are_refused_naming_the_key),
        cmocka_unit_test(relative_or_empty_paths_are_refused),
        cmocka_unit_test(config_that_is_not_an_object_is_refused),
        cmocka_unit_test(malformed_json_is_refused_naming_the_file),
        TMP_TEST(load_config_absent_file_is_nullopt),
        TMP_TEST(load_config_reads_a_trusted_file),
        TMP_TEST(load_config_refuses_a_world_writable_file),
        TMP_TEST(load_config_refuses_a_symlink),
        TMP_TEST(load_config_reports_a_parse_error_with_the_path),
        cmocka_unit_test(shipped_config_is_valid_and_disabled),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
