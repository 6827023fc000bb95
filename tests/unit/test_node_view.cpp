// node_view and reconcile on fake v1 trees: a record joined with its cgroup
// (pinned, drifted, gone, refused), one reconcile pass (repair, drop, re-pin
// after a partition change, refused records survive), unpin, the metrics text.
#include "unit.hpp"

#include "node_view.hpp"
#include "pin_record.hpp"
#include "reconcile.hpp"
#include "systemd_unit.hpp"

using unit::TempDir;
using unit::tmp;

static const char *kCpuset = "cpuset/wp/c1";
static const char *kCpu = "cpu,cpuacct/wp/c1";

// A node: config, partition file (cpuset `cpus`), a v1 cgroup for container c1
// pinned to "1" with shares 400, and its record.
static void make_node(const TempDir &t, const char *cpus = "1") {
    t.write("cg/cpuset/cpuset.cpus", "0-3\n");
    t.write(std::string("cg/") + kCpuset + "/cpuset.cpus", "1\n");
    t.write(std::string("cg/") + kCpuset + "/cpuset.effective_cpus", "1\n");
    t.write(std::string("cg/") + kCpuset + "/cgroup.procs", "4242\n");
    t.write(std::string("cg/") + kCpu + "/cpu.shares", "400\n");
    t.write("etc/config.json", "{\"enabled\": true, \"partitionsFile\": \"" +
                                   t.p("etc/parts.json") + "\", \"cgroupRoot\": \"" + t.p("cg") +
                                   "\", \"log\": {\"target\": \"stderr\", \"level\": \"error\"}}");
    t.write("etc/parts.json",
            std::string("{\"version\": 1, \"partitions\": {\"management\": {\"cpuset\": \"") +
                cpus + "\"}}}");
    ::mkdir(t.p("pins").c_str(), 0700);
    wp::PinRecord r;
    r.container_id = "c1";
    r.partition = "management";
    r.annotations = {{"target.workload.openshift.io/management", "{}"},
                     {"io.kubernetes.container.name", "etcd"},
                     {"resources.workload.openshift.io/etcd", "{\"cpushares\": 400}"}};
    r.plan.cpuset = *wp::CpuSet::parse(cpus);
    r.plan.shares = 400;
    r.cgroup_root = t.p("cg");
    r.cgroups.cpuset = {kCpuset, false};
    r.cgroups.cpu = {kCpu, false};
    r.before = {{std::string(kCpuset) + "/cpuset.cpus", "0-3"},
                {std::string(kCpu) + "/cpu.shares", "1024"}};
    r.time_unix = static_cast<int64_t>(::time(nullptr)) + 10; // newer than the inputs
    r.elapsed_us = 700;
    auto d = wp::PinDir::open(t.p("pins"), false);
    ASSERT_OK(d);
    ASSERT_OK(d->write(r));
}

static wp::ReconcileOptions options(const TempDir &t) {
    wp::ReconcileOptions o;
    o.config_path = t.p("etc/config.json");
    o.pin_dir = t.p("pins");
    o.log = false;
    return o;
}

static std::vector<wp::PinView> view(const TempDir &t) {
    auto d = wp::PinDir::open(t.p("pins"), false);
    ASSERT_OK(d);
    auto v = wp::read_node_view(*d, t.p("cg"), wp::SharesToWeight::Quadratic);
    ASSERT_OK(v);
    return *v;
}

static void pinned_record_is_pinned(void **state) {
    TempDir &t = tmp(state);
    make_node(t);
    auto v = view(t);
    assert_int_equal(v.size(), 1);
    assert_int_equal(static_cast<int>(v[0].state), static_cast<int>(wp::PinState::Pinned));
    ASSERT_STR_EQ(v[0].effective_cpuset, "1");
}

static void drift_names_resource_from_and_to(void **state) {
    TempDir &t = tmp(state);
    make_node(t);
    t.write(std::string("cg/") + kCpuset + "/cpuset.cpus", "0-1\n");
    t.write(std::string("cg/") + kCpu + "/cpu.shares", "1024\n");
    auto v = view(t);
    assert_int_equal(static_cast<int>(v[0].state), static_cast<int>(wp::PinState::Drifted));
    assert_int_equal(v[0].drifts.size(), 2);
    ASSERT_STR_EQ(v[0].drifts[0].resource, "cpuset");
    ASSERT_STR_EQ(v[0].drifts[0].from, "0-1");
    ASSERT_STR_EQ(v[0].drifts[0].to, "1");
    ASSERT_STR_EQ(v[0].drifts[1].resource, "shares");
    ASSERT_STR_EQ(v[0].drifts[1].from, "1024");
}

static void pass_repairs_drift_through_the_write_path(void **state) {
    TempDir &t = tmp(state);
    make_node(t);
    t.write(std::string("cg/") + kCpuset + "/cpuset.cpus", "0-1\n");
    t.write(std::string("cg/") + kCpu + "/cpu.shares", "1024\n");
    auto p = wp::reconcile_pass(options(t));
    ASSERT_OK(p);
    assert_int_equal(p->repaired, 1);
    assert_int_equal(p->pinned, 1);
    assert_int_equal(p->repairs_by_resource["cpuset"], 1);
    assert_int_equal(p->repairs_by_resource["shares"], 1);
    ASSERT_STR_EQ(unit::trim(t.read(std::string("cg/") + kCpuset + "/cpuset.cpus")), "1");
    ASSERT_STR_EQ(unit::trim(t.read(std::string("cg/") + kCpu + "/cpu.shares")), "400");
    std::string rec = wp::log_record_json(p->actions.at(0));
    ASSERT_CONTAINS(rec, "\"outcome\":\"repaired\"");
    ASSERT_CONTAINS(rec, "cpuset=0-1");
    ASSERT_CONTAINS(rec, "cpuset=1");
    // The next pass finds nothing to do.
    auto again = wp::reconcile_pass(options(t));
    ASSERT_OK(again);
    assert_int_equal(again->repaired, 0);
    assert_int_equal(again->pinned, 1);
}

static void audit_mode_reports_and_writes_nothing(void **state) {
    TempDir &t = tmp(state);
    make_node(t);
    t.write("etc/config.json", "{\"enabled\": true, \"mode\": \"audit\", \"partitionsFile\": \"" +
                                   t.p("etc/parts.json") + "\", \"cgroupRoot\": \"" + t.p("cg") +
                                   "\"}");
    t.write(std::string("cg/") + kCpu + "/cpu.shares", "1024\n");
    auto p = wp::reconcile_pass(options(t));
    ASSERT_OK(p);
    assert_int_equal(p->repaired, 0);
    ASSERT_STR_EQ(unit::trim(t.read(std::string("cg/") + kCpu + "/cpu.shares")), "1024");
}

static void gone_container_record_is_dropped(void **state) {
    TempDir &t = tmp(state);
    make_node(t);
    // Killed: the cgroup is still there, with no process in it.
    t.write(std::string("cg/") + kCpuset + "/cgroup.procs", "");
    auto p = wp::reconcile_pass(options(t));
    ASSERT_OK(p);
    assert_int_equal(p->dropped, 1);
    assert_true(view(t).empty());
    // And a record whose cgroup directory is gone altogether.
    make_node(t);
    std::filesystem::remove_all(t.p(std::string("cg/") + kCpuset));
    p = wp::reconcile_pass(options(t));
    ASSERT_OK(p);
    assert_int_equal(p->dropped, 1);
}

static void partition_change_repins(void **state) {
    TempDir &t = tmp(state);
    make_node(t);
    // The record predates a merge that moved the partition to CPU 2.
    auto d = wp::PinDir::open(t.p("pins"), false);
    ASSERT_OK(d);
    auto r = d->read("c1");
    ASSERT_OK(r);
    (*r)->time_unix = 1000;
    ASSERT_OK(d->write(**r));
    t.write("etc/parts.json",
            "{\"version\": 1, \"partitions\": {\"management\": {\"cpuset\": \"2\"}}}");
    t.write(std::string("cg/") + kCpuset + "/cpuset.effective_cpus", "2\n");
    auto p = wp::reconcile_pass(options(t));
    ASSERT_OK(p);
    assert_int_equal(p->repinned, 1);
    ASSERT_STR_EQ(unit::trim(t.read(std::string("cg/") + kCpuset + "/cpuset.cpus")), "2");
    auto after = d->read("c1");
    ASSERT_OK(after);
    ASSERT_STR_EQ((*after)->plan.cpuset->format(), "2");
    assert_true((*after)->plan.shares == 400u);
}

static void bad_records_are_refused_and_the_rest_reconciled(void **state) {
    TempDir &t = tmp(state);
    make_node(t);
    t.write(std::string("cg/") + kCpu + "/cpu.shares", "1024\n");
    std::string good = wp::pin_record_json(*view(t)[0].record);
    t.write("pins/bad.json", "{\"version\": 1, \"containerId\": ", 0600); // truncated
    t.write("pins/junk.json", "not json at all", 0600);
    t.write("elsewhere.json", "{}");
    t.symlink(t.p("elsewhere.json"), "pins/link.json");
    t.write("pins/other.json", good, 0600);
    assert_int_equal(::chown(t.p("pins/other.json").c_str(), 65534, 65534), 0);
    auto p = wp::reconcile_pass(options(t));
    ASSERT_OK(p);
    assert_int_equal(p->refused, 4);
    assert_int_equal(p->repaired, 1);
    ASSERT_STR_EQ(unit::trim(t.read(std::string("cg/") + kCpu + "/cpu.shares")), "400");
    ASSERT_STR_EQ(t.read("elsewhere.json"), "{}");
}

static void unpin_restores_before_values(void **state) {
    TempDir &t = tmp(state);
    make_node(t);
    // A fake tree's effective cpuset does not follow cpuset.cpus: no read-back.
    std::filesystem::remove(t.p(std::string("cg/") + kCpuset + "/cpuset.effective_cpus"));
    auto u = wp::unpin(options(t), {});
    ASSERT_OK(u);
    assert_int_equal(u->size(), 1);
    assert_true((*u)[0].ok);
    ASSERT_STR_EQ(unit::trim(t.read(std::string("cg/") + kCpuset + "/cpuset.cpus")), "0-3");
    ASSERT_STR_EQ(unit::trim(t.read(std::string("cg/") + kCpu + "/cpu.shares")), "1024");
    assert_true(view(t).empty());
}

static void unpin_refuses_a_file_outside_the_plan(void **state) {
    TempDir &t = tmp(state);
    make_node(t);
    auto d = wp::PinDir::open(t.p("pins"), false);
    ASSERT_OK(d);
    auto r = d->read("c1");
    ASSERT_OK(r);
    t.write(std::string("cg/") + kCpu + "/notify_on_release", "0\n");
    (*r)->before[std::string(kCpu) + "/notify_on_release"] = "1";
    ASSERT_OK(d->write(**r));
    auto u = wp::unpin(options(t), {"c1"});
    ASSERT_OK(u);
    assert_false((*u)[0].ok);
    ASSERT_CONTAINS((*u)[0].message, "not a file a plan writes");
    ASSERT_STR_EQ(unit::trim(t.read(std::string("cg/") + kCpuset + "/cpuset.cpus")), "1");
    assert_int_equal(view(t).size(), 1);
}

static void metrics_text_has_every_family(void **state) {
    TempDir &t = tmp(state);
    make_node(t);
    auto p = wp::reconcile_pass(options(t));
    ASSERT_OK(p);
    wp::ReconcileTotals totals;
    totals.add(*p, 0.002);
    std::string m = wp::render_metrics(*p, totals);
    ASSERT_CONTAINS(m, "workload_partitioning_pinned_containers{partition=\"management\"} 1\n");
    ASSERT_CONTAINS(m, "workload_partitioning_repairs_total{resource=\"cpuset\"} 0\n");
    ASSERT_CONTAINS(m, "workload_partitioning_reconcile_errors_total 0\n");
    ASSERT_CONTAINS(m, "workload_partitioning_pin_duration_seconds_bucket{le=\"0.001\"} 1\n");
    ASSERT_CONTAINS(m, "workload_partitioning_pin_duration_seconds_count 1\n");
    ASSERT_CONTAINS(m, "workload_partitioning_reconcile_duration_seconds 0.002\n");
    ASSERT_OK(wp::write_metrics_file(t.p("m.prom"), m));
    ASSERT_STR_EQ(t.read("m.prom"), m);
}

static void unit_properties_carry_recorded_values_back(void **) {
    auto v1 = wp::unit_properties_for_values({{"cpuset/x/cpuset.cpus", "0-1\n"},
                                              {"cpu/x/cpu.shares", "1024"},
                                              {"cpu/x/cpu.cfs_quota_us", "-1"},
                                              {"cpu/x/cpu.cfs_period_us", "100000"}});
    assert_true(v1.allowed_cpus && v1.allowed_cpus->format() == "0-1");
    assert_true(v1.cpu_shares == 1024u);
    assert_true(v1.quota_per_sec_usec == wp::kSystemdInfinity);
    assert_true(v1.quota_period_usec == 100000u);
    auto v2 = wp::unit_properties_for_values({{"a.slice/b.scope/cpuset.cpus", ""},
                                              {"a.slice/b.scope/cpu.weight", "100"},
                                              {"a.slice/b.scope/cpu.max", "50000 100000"}});
    assert_true(v2.allowed_cpus && v2.allowed_cpus->empty()); // no restriction
    assert_true(v2.cpu_weight == 100u);
    assert_true(v2.quota_per_sec_usec == 500000u);
    // Not a unit, or systemd off: nothing is asked, and the record says why.
    wp::SystemdBus none;
    auto r = wp::apply_unit_properties(none, wp::SystemdMode::Auto, "", v1);
    ASSERT_OK(r);
    ASSERT_CONTAINS(*r, "not a systemd unit");
    r = wp::apply_unit_properties(none, wp::SystemdMode::Off, "crio-x.scope", v1);
    ASSERT_OK(r);
    ASSERT_CONTAINS(*r, "off in the node config");
}

int main() {
    const struct CMUnitTest tests[] = {
        TMP_TEST(pinned_record_is_pinned),
        TMP_TEST(drift_names_resource_from_and_to),
        TMP_TEST(pass_repairs_drift_through_the_write_path),
        TMP_TEST(audit_mode_reports_and_writes_nothing),
        TMP_TEST(gone_container_record_is_dropped),
        TMP_TEST(partition_change_repins),
        TMP_TEST(bad_records_are_refused_and_the_rest_reconciled),
        TMP_TEST(unpin_restores_before_values),
        TMP_TEST(unpin_refuses_a_file_outside_the_plan),
        TMP_TEST(metrics_text_has_every_family),
        cmocka_unit_test(unit_properties_carry_recorded_values_back),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
