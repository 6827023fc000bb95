// cgroup_write: confined directory walk and apply_plan on fake v1 and v2 trees:
// exactly the planned files, dry run, restore on failure, read-back.
#include "unit.hpp"

#include <sys/resource.h>

#include "cgroup_write.hpp"

using unit::TempDir;
using unit::tmp;
using wp::Fault;

static const char *kV1Cpuset = "cpuset/kubepods/pod1/crio-abc";
static const char *kV1Cpu = "cpu,cpuacct/kubepods/pod1/crio-abc";
static const char *kV2Dir = "kubepods.slice/kubepods-pod1.slice/crio-abc.scope";

static std::string cg(const std::string &rel) {
    return "cg/" + rel;
}

// A container cgroup on a v1 tree, with the files the kernel shows.
static void make_v1(const TempDir &t, bool with_effective = false,
                    const char *effective = "0-3\n") {
    t.write(cg(kV1Cpuset) + "/cpuset.cpus", "0-3\n");
    t.write(cg(kV1Cpuset) + "/cpuset.mems", "0\n");
    if (with_effective) t.write(cg(kV1Cpuset) + "/cpuset.effective_cpus", effective);
    t.write(cg(kV1Cpu) + "/cpu.shares", "1024\n");
    t.write(cg(kV1Cpu) + "/cpu.cfs_quota_us", "-1\n");
    t.write(cg(kV1Cpu) + "/cpu.cfs_period_us", "50000\n");
    t.write(cg(kV1Cpu) + "/cpuacct.usage", "0\n");
    t.symlink("cpu,cpuacct", "cg/cpu");
}

static void make_v2(const TempDir &t, bool with_effective = false,
                    const char *effective = "0-3\n") {
    t.write("cg/cgroup.controllers", "cpuset cpu io memory pids\n");
    t.write(cg(kV2Dir) + "/cpuset.cpus", "\n");
    if (with_effective) t.write(cg(kV2Dir) + "/cpuset.cpus.effective", effective);
    t.write(cg(kV2Dir) + "/cpu.weight", "100\n");
    t.write(cg(kV2Dir) + "/cpu.weight.nice", "0\n");
    t.write(cg(kV2Dir) + "/cpu.max", "max 100000\n");
    t.write(cg(kV2Dir) + "/memory.max", "max\n");
}

static wp::CgroupTarget v1_target() {
    wp::CgroupTarget c;
    c.cpuset = {kV1Cpuset, false};
    c.cpu = {kV1Cpu, false};
    c.source = "test";
    return c;
}

static wp::CgroupTarget v2_target() {
    wp::CgroupTarget c;
    c.cpuset = {kV2Dir, true};
    c.cpu = {kV2Dir, true};
    c.source = "test";
    return c;
}

static wp::CpuSet cpus(const char *text) {
    auto r = wp::CpuSet::parse(text);
    ASSERT_OK(r);
    return *r;
}

// The tree under cg/ with every file's content trimmed (a cgroup file's final
// newline carries no meaning).
static std::map<std::string, std::string> snap(const TempDir &t) {
    auto s = t.snapshot();
    std::map<std::string, std::string> out;
    for (auto &[k, v] : s)
        out[k] = unit::trim(v);
    return out;
}

static void expect_changes(const std::map<std::string, std::string> &before, const TempDir &t,
                           const std::map<std::string, std::string> &want) {
    auto got = unit::changes(before, snap(t));
    if (got != want)
        fail_msg("changed: %s\nexpected: %s", unit::describe(got).c_str(),
                 unit::describe(want).c_str());
}

static void expect_writes(const wp::ApplyResult &r,
                          const std::vector<std::pair<std::string, std::string>> &want) {
    std::string got_s, want_s;
    for (auto &w : r.writes)
        got_s += w.file + "=" + unit::trim(w.value) + "; ";
    for (auto &w : want)
        want_s += w.first + "=" + w.second + "; ";
    if (got_s != want_s) fail_msg("writes: %s\nexpected: %s", got_s.c_str(), want_s.c_str());
}

// --- open_confined_dir ----------------------------------------------------------

static void open_confined_dir_opens_a_real_directory(void **state) {
    auto &t = tmp(state);
    make_v1(t);
    auto r = wp::open_confined_dir(t.p("cg"), kV1Cpuset);
    ASSERT_OK(r);
    struct stat st;
    assert_int_equal(fstat(r->get(), &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(faccessat(r->get(), "cpuset.cpus", F_OK, 0), 0);
}

static void open_confined_dir_refuses_a_symlinked_middle_component(void **state) {
    auto &t = tmp(state);
    t.mkdirs("elsewhere/pod1/crio-abc");
    t.mkdirs("cg/cpuset");
    t.symlink(t.p("elsewhere"), "cg/cpuset/kubepods");
    ASSERT_FAILS(wp::open_confined_dir(t.p("cg"), kV1Cpuset), "kubepods");
}

static void open_confined_dir_refuses_a_symlinked_leaf(void **state) {
    auto &t = tmp(state);
    t.mkdirs("elsewhere");
    t.mkdirs("cg/cpuset/kubepods/pod1");
    t.symlink(t.p("elsewhere"), "cg/cpuset/kubepods/pod1/crio-abc");
    ASSERT_FAILS(wp::open_confined_dir(t.p("cg"), kV1Cpuset), "crio-abc");
}

static void open_confined_dir_refuses_a_symlinked_controller_mount(void **state) {
    auto &t = tmp(state);
    make_v1(t);
    // "cpu" -> "cpu,cpuacct" as on real v1 hosts: the walk must not follow it.
    ASSERT_FAILS(wp::open_confined_dir(t.p("cg"), "cpu/kubepods/pod1/crio-abc"));
}

static void open_confined_dir_refuses_a_missing_directory(void **state) {
    auto &t = tmp(state);
    t.mkdirs("cg/cpuset/kubepods");
    ASSERT_FAILS(wp::open_confined_dir(t.p("cg"), "cpuset/kubepods/gone"), "gone");
}

static void open_confined_dir_refuses_a_file_component(void **state) {
    auto &t = tmp(state);
    t.write("cg/cpuset/kubepods", "not a dir");
    ASSERT_FAILS(wp::open_confined_dir(t.p("cg"), "cpuset/kubepods/pod1"));
}

static void open_confined_dir_refuses_dotdot(void **state) {
    auto &t = tmp(state);
    t.mkdirs("cg/cpuset/a");
    t.mkdirs("outside");
    ASSERT_FAILS(wp::open_confined_dir(t.p("cg"), "cpuset/a/../../../outside"));
    ASSERT_FAILS(wp::open_confined_dir(t.p("cg"), ".."));
}

// --- apply_plan: exactly the planned files ------------------------------------------

static void v1_plan_writes_cpuset_cpus_and_cpu_shares_only(void **state) {
    auto &t = tmp(state);
    make_v1(t);
    auto before = snap(t);
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    plan.shares = 400;
    auto r = wp::apply_plan(t.p("cg"), v1_target(), plan, wp::SharesToWeight::Quadratic, false);
    ASSERT_OK(r);
    expect_changes(before, t,
                   {{cg(kV1Cpuset) + "/cpuset.cpus", "0-1"}, {cg(kV1Cpu) + "/cpu.shares", "400"}});
    expect_writes(*r, {{std::string(kV1Cpuset) + "/cpuset.cpus", "0-1"},
                       {std::string(kV1Cpu) + "/cpu.shares", "400"}});
}

static void v1_quota_writes_period_then_quota(void **state) {
    auto &t = tmp(state);
    make_v1(t);
    auto before = snap(t);
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    plan.shares = 512;
    plan.quota_us = 50000;
    plan.period_us = 100000;
    auto r = wp::apply_plan(t.p("cg"), v1_target(), plan, wp::SharesToWeight::Quadratic, false);
    ASSERT_OK(r);
    expect_changes(before, t,
                   {{cg(kV1Cpuset) + "/cpuset.cpus", "0-1"},
                    {cg(kV1Cpu) + "/cpu.shares", "512"},
                    {cg(kV1Cpu) + "/cpu.cfs_period_us", "100000"},
                    {cg(kV1Cpu) + "/cpu.cfs_quota_us", "50000"}});
    expect_writes(*r, {{std::string(kV1Cpuset) + "/cpuset.cpus", "0-1"},
                       {std::string(kV1Cpu) + "/cpu.shares", "512"},
                       {std::string(kV1Cpu) + "/cpu.cfs_period_us", "100000"},
                       {std::string(kV1Cpu) + "/cpu.cfs_quota_us", "50000"}});
}

static void v1_shares_only_leaves_the_cpuset_alone(void **state) {
    auto &t = tmp(state);
    make_v1(t);
    auto before = snap(t);
    wp::Plan plan;
    plan.shares = 2;
    ASSERT_OK(wp::apply_plan(t.p("cg"), v1_target(), plan, wp::SharesToWeight::Quadratic, false));
    expect_changes(before, t, {{cg(kV1Cpu) + "/cpu.shares", "2"}});
}

static void v1_quota_alone_writes_only_the_quota(void **state) {
    auto &t = tmp(state);
    make_v1(t);
    auto before = snap(t);
    wp::Plan plan;
    plan.quota_us = 20000;
    ASSERT_OK(wp::apply_plan(t.p("cg"), v1_target(), plan, wp::SharesToWeight::Quadratic, false));
    expect_changes(before, t, {{cg(kV1Cpu) + "/cpu.cfs_quota_us", "20000"}});
}

static void v2_quota_alone_sets_the_quota_in_cpu_max(void **state) {
    auto &t = tmp(state);
    make_v2(t);
    wp::Plan plan;
    plan.quota_us = 20000;
    ASSERT_OK(wp::apply_plan(t.p("cg"), v2_target(), plan, wp::SharesToWeight::Quadratic, false));
    std::string max = unit::trim(t.read(cg(kV2Dir) + "/cpu.max"));
    // "20000" (period unchanged) or "20000 100000" (the period the file held).
    if (max != "20000" && max != "20000 100000") fail_msg("cpu.max is \"%s\"", max.c_str());
}

static void v2_plan_writes_cpuset_cpus_and_cpu_weight_only(void **state) {
    auto &t = tmp(state);
    make_v2(t);
    auto before = snap(t);
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    plan.shares = 1024;
    auto r = wp::apply_plan(t.p("cg"), v2_target(), plan, wp::SharesToWeight::Quadratic, false);
    ASSERT_OK(r);
    // 1024 shares -> weight 100 (quadratic), the value the file already holds.
    expect_changes(before, t, {{cg(kV2Dir) + "/cpuset.cpus", "0-1"}});
    expect_writes(*r, {{std::string(kV2Dir) + "/cpuset.cpus", "0-1"},
                       {std::string(kV2Dir) + "/cpu.weight", "100"}});
}

static void v2_weight_follows_the_configured_formula(void **state) {
    auto &t = tmp(state);
    make_v2(t);
    auto before = snap(t);
    wp::Plan plan;
    plan.shares = 1024;
    ASSERT_OK(wp::apply_plan(t.p("cg"), v2_target(), plan, wp::SharesToWeight::Linear, false));
    expect_changes(before, t, {{cg(kV2Dir) + "/cpu.weight", "39"}});
    plan.shares = 2048;
    ASSERT_OK(wp::apply_plan(t.p("cg"), v2_target(), plan, wp::SharesToWeight::Quadratic, false));
    expect_changes(before, t, {{cg(kV2Dir) + "/cpu.weight", "174"}});
}

static void v2_quota_writes_cpu_max(void **state) {
    auto &t = tmp(state);
    make_v2(t);
    auto before = snap(t);
    wp::Plan plan;
    plan.quota_us = 50000;
    plan.period_us = 100000;
    auto r = wp::apply_plan(t.p("cg"), v2_target(), plan, wp::SharesToWeight::Quadratic, false);
    ASSERT_OK(r);
    expect_changes(before, t, {{cg(kV2Dir) + "/cpu.max", "50000 100000"}});
    expect_writes(*r, {{std::string(kV2Dir) + "/cpu.max", "50000 100000"}});
}

static void v2_period_alone_writes_max_and_period(void **state) {
    auto &t = tmp(state);
    make_v2(t);
    auto before = snap(t);
    wp::Plan plan;
    plan.period_us = 50000;
    ASSERT_OK(wp::apply_plan(t.p("cg"), v2_target(), plan, wp::SharesToWeight::Quadratic, false));
    expect_changes(before, t, {{cg(kV2Dir) + "/cpu.max", "max 50000"}});
}

static void hybrid_target_writes_v1_cpuset_and_v2_weight(void **state) {
    auto &t = tmp(state);
    t.write(cg(kV1Cpuset) + "/cpuset.cpus", "0-3\n");
    t.write(cg(std::string("unified/") + kV2Dir) + "/cpu.weight", "100\n");
    t.write(cg(std::string("unified/") + kV2Dir) + "/cpu.max", "max 100000\n");
    auto before = snap(t);
    wp::CgroupTarget target;
    target.cpuset = {kV1Cpuset, false};
    target.cpu = {std::string("unified/") + kV2Dir, true};
    wp::Plan plan;
    plan.cpuset = cpus("1");
    plan.shares = 2048;
    ASSERT_OK(wp::apply_plan(t.p("cg"), target, plan, wp::SharesToWeight::Quadratic, false));
    expect_changes(before, t,
                   {{cg(kV1Cpuset) + "/cpuset.cpus", "1"},
                    {cg(std::string("unified/") + kV2Dir) + "/cpu.weight", "174"}});
}

static void empty_plan_writes_nothing(void **state) {
    auto &t = tmp(state);
    make_v1(t);
    auto before = snap(t);
    auto r =
        wp::apply_plan(t.p("cg"), v1_target(), wp::Plan{}, wp::SharesToWeight::Quadratic, false);
    ASSERT_OK(r);
    assert_true(r->writes.empty());
    expect_changes(before, t, {});
}

static void dry_run_writes_nothing_and_reports_the_writes(void **state) {
    auto &t = tmp(state);
    make_v1(t);
    auto before = snap(t);
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    plan.shares = 400;
    plan.quota_us = 50000;
    plan.period_us = 100000;
    auto r = wp::apply_plan(t.p("cg"), v1_target(), plan, wp::SharesToWeight::Quadratic, true);
    ASSERT_OK(r);
    expect_changes(before, t, {});
    expect_writes(*r, {{std::string(kV1Cpuset) + "/cpuset.cpus", "0-1"},
                       {std::string(kV1Cpu) + "/cpu.shares", "400"},
                       {std::string(kV1Cpu) + "/cpu.cfs_period_us", "100000"},
                       {std::string(kV1Cpu) + "/cpu.cfs_quota_us", "50000"}});
}

static void dry_run_on_v2_writes_nothing(void **state) {
    auto &t = tmp(state);
    make_v2(t);
    auto before = snap(t);
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    plan.shares = 400;
    plan.quota_us = 20000;
    auto r = wp::apply_plan(t.p("cg"), v2_target(), plan, wp::SharesToWeight::Quadratic, true);
    ASSERT_OK(r);
    expect_changes(before, t, {});
    assert_int_equal(r->writes.size(), 3);
}

// --- read-back ------------------------------------------------------------------------

static void v1_read_back_matching_is_verified(void **state) {
    auto &t = tmp(state);
    make_v1(t, true, "0-1\n");
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    auto r = wp::apply_plan(t.p("cg"), v1_target(), plan, wp::SharesToWeight::Quadratic, false);
    ASSERT_OK(r);
    assert_true(r->verified);
    ASSERT_STR_EQ(r->effective_cpuset, "0-1");
}

static void read_back_without_effective_file_is_not_verified(void **state) {
    auto &t = tmp(state);
    make_v1(t, false);
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    auto r = wp::apply_plan(t.p("cg"), v1_target(), plan, wp::SharesToWeight::Quadratic, false);
    ASSERT_OK(r);
    assert_false(r->verified);
    ASSERT_STR_EQ(r->effective_cpuset, "");
}

static void v1_read_back_mismatch_is_an_error_and_restores(void **state) {
    auto &t = tmp(state);
    make_v1(t, true, "0-3\n"); // a parent that does not let the CPUs change
    auto before = snap(t);
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    plan.shares = 400;
    auto r = wp::apply_plan(t.p("cg"), v1_target(), plan, wp::SharesToWeight::Quadratic, false);
    ASSERT_ERR(r, Fault::System, "cpuset.effective_cpus", "0-3");
    expect_changes(before, t, {});
}

static void v2_read_back_mismatch_is_an_error_and_restores(void **state) {
    auto &t = tmp(state);
    make_v2(t, true, "0-3\n");
    auto before = snap(t);
    wp::Plan plan;
    plan.cpuset = cpus("2");
    plan.shares = 2048;
    plan.quota_us = 20000;
    plan.period_us = 100000;
    auto r = wp::apply_plan(t.p("cg"), v2_target(), plan, wp::SharesToWeight::Quadratic, false);
    ASSERT_ERR(r, Fault::System, "cpuset.cpus.effective");
    expect_changes(before, t, {});
}

static void unreadable_effective_cpuset_is_an_error_and_restores(void **state) {
    auto &t = tmp(state);
    make_v1(t);
    t.mkdirs(cg(kV1Cpuset) + "/cpuset.effective_cpus"); // exists, but cannot be read
    auto before = snap(t);
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    plan.shares = 400;
    auto r = wp::apply_plan(t.p("cg"), v1_target(), plan, wp::SharesToWeight::Quadratic, false);
    ASSERT_FAILS(r, "cpuset.effective_cpus");
    expect_changes(before, t, {});
}

static void garbage_effective_cpuset_is_an_error_and_restores(void **state) {
    auto &t = tmp(state);
    make_v1(t, true, "garbage\n");
    auto before = snap(t);
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    auto r = wp::apply_plan(t.p("cg"), v1_target(), plan, wp::SharesToWeight::Quadratic, false);
    ASSERT_FAILS(r, "cpuset.effective_cpus");
    expect_changes(before, t, {});
}

static void v2_read_back_matching_is_verified(void **state) {
    auto &t = tmp(state);
    make_v2(t, true, "2\n");
    wp::Plan plan;
    plan.cpuset = cpus("2");
    auto r = wp::apply_plan(t.p("cg"), v2_target(), plan, wp::SharesToWeight::Quadratic, false);
    ASSERT_OK(r);
    assert_true(r->verified);
    ASSERT_STR_EQ(r->effective_cpuset, "2");
}

// --- failures before and during the writes ---------------------------------------------

static void missing_later_target_fails_before_any_write(void **state) {
    auto &t = tmp(state);
    make_v1(t);
    unlink(t.p(cg(kV1Cpu) + "/cpu.cfs_quota_us").c_str());
    auto before = snap(t);
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    plan.shares = 400;
    plan.quota_us = 50000;
    plan.period_us = 100000;
    auto r = wp::apply_plan(t.p("cg"), v1_target(), plan, wp::SharesToWeight::Quadratic, false);
    ASSERT_FAILS(r, "cpu.cfs_quota_us");
    expect_changes(before, t, {});
}

static void directory_as_later_target_fails_before_any_write(void **state) {
    auto &t = tmp(state);
    make_v1(t);
    unlink(t.p(cg(kV1Cpu) + "/cpu.shares").c_str());
    t.mkdirs(cg(kV1Cpu) + "/cpu.shares");
    auto before = snap(t);
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    plan.shares = 400;
    auto r = wp::apply_plan(t.p("cg"), v1_target(), plan, wp::SharesToWeight::Quadratic, false);
    ASSERT_FAILS(r, "cpu.shares");
    expect_changes(before, t, {});
}

static void symlinked_target_file_is_refused_and_not_followed(void **state) {
    auto &t = tmp(state);
    make_v1(t);
    t.write("victim", "precious\n");
    unlink(t.p(cg(kV1Cpu) + "/cpu.shares").c_str());
    t.symlink(t.p("victim"), cg(kV1Cpu) + "/cpu.shares");
    auto before = snap(t);
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    plan.shares = 400;
    auto r = wp::apply_plan(t.p("cg"), v1_target(), plan, wp::SharesToWeight::Quadratic, false);
    ASSERT_FAILS(r, "cpu.shares");
    expect_changes(before, t, {});
    ASSERT_STR_EQ(t.read("victim"), "precious\n");
}

static void symlinked_cgroup_directory_is_refused_and_nothing_written(void **state) {
    auto &t = tmp(state);
    t.write(cg(kV1Cpuset) + "/cpuset.cpus", "0-3\n");
    t.write("elsewhere/crio-abc/cpu.shares", "1024\n");
    t.mkdirs("cg/cpu,cpuacct/kubepods");
    t.symlink(t.p("elsewhere"), "cg/cpu,cpuacct/kubepods/pod1");
    auto before = snap(t);
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    plan.shares = 400;
    auto r = wp::apply_plan(t.p("cg"), v1_target(), plan, wp::SharesToWeight::Quadratic, false);
    ASSERT_FAILS(r);
    expect_changes(before, t, {});
}

static void missing_container_directory_is_an_error(void **state) {
    auto &t = tmp(state);
    t.mkdirs("cg/cpuset");
    t.mkdirs("cg/cpu,cpuacct");
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    ASSERT_FAILS(wp::apply_plan(t.p("cg"), v1_target(), plan, wp::SharesToWeight::Quadratic, false),
                 "kubepods");
}

// Runs apply_plan with the file size limit at `limit` bytes, so that a write of a
// longer value fails (EFBIG) after the shorter ones succeeded.
static wp::Result<wp::ApplyResult> apply_with_fsize_limit(const TempDir &t,
                                                          const wp::CgroupTarget &target,
                                                          const wp::Plan &plan, rlim_t limit) {
    struct rlimit old;
    getrlimit(RLIMIT_FSIZE, &old);
    struct rlimit lim = old;
    lim.rlim_cur = limit;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &lim);
    auto r = wp::apply_plan(t.p("cg"), target, plan, wp::SharesToWeight::Quadratic, false);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_handler);
    return r;
}

static void v1_failing_later_write_restores_the_earlier_ones(void **state) {
    auto &t = tmp(state);
    make_v1(t);
    auto before = snap(t);
    wp::Plan plan;
    plan.cpuset = cpus("0-1");   // written
    plan.shares = 512;           // written
    plan.period_us = 100000;     // written (was 50000)
    plan.quota_us = 12345678901; // longer than the 8-byte limit: fails
    auto r = apply_with_fsize_limit(t, v1_target(), plan, 8);
    ASSERT_ERR(r, Fault::System, "cpu.cfs_quota_us");
    auto after = snap(t);
    // Every file written before the failure has its previous content back.
    for (const char *f : {"cpuset.cpus", "cpuset.mems"})
        ASSERT_STR_EQ(after[cg(kV1Cpuset) + "/" + f], before[cg(kV1Cpuset) + "/" + f]);
    for (const char *f : {"cpu.shares", "cpu.cfs_period_us", "cpuacct.usage"})
        ASSERT_STR_EQ(after[cg(kV1Cpu) + "/" + f], before[cg(kV1Cpu) + "/" + f]);
}

static void v2_failing_later_write_restores_the_earlier_ones(void **state) {
    auto &t = tmp(state);
    make_v2(t);
    t.write(cg(kV2Dir) + "/cpuset.cpus", "0-3\n");
    auto before = snap(t);
    wp::Plan plan;
    plan.cpuset = cpus("0-1");   // written
    plan.shares = 2048;          // weight 174, written
    plan.quota_us = 12345678901; // cpu.max "12345678901 100000": fails
    plan.period_us = 100000;
    auto r = apply_with_fsize_limit(t, v2_target(), plan, 8);
    ASSERT_ERR(r, Fault::System, "cpu.max");
    auto after = snap(t);
    ASSERT_STR_EQ(after[cg(kV2Dir) + "/cpuset.cpus"], "0-3");
    ASSERT_STR_EQ(after[cg(kV2Dir) + "/cpu.weight"], "100");
}

// A cgroup file that is a hard link to a file outside the tree (possible only on a
// fake or non-cgroup root): never written through, nothing written at all.
static void hard_linked_target_file_is_refused(void **state) {
    auto &t = tmp(state);
    make_v1(t);
    t.write("victim", "precious\n");
    unlink(t.p(cg(kV1Cpu) + "/cpu.shares").c_str());
    if (::link(t.p("victim").c_str(), t.p(cg(kV1Cpu) + "/cpu.shares").c_str()) != 0)
        fail_msg("link: %s", strerror(errno));
    auto before = snap(t);
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    plan.shares = 400;
    auto r = wp::apply_plan(t.p("cg"), v1_target(), plan, wp::SharesToWeight::Quadratic, false);
    ASSERT_ERR(r, Fault::Input, "cpu.shares", "2 hard links");
    expect_changes(before, t, {});
    ASSERT_STR_EQ(t.read("victim"), "precious\n");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TMP_TEST(open_confined_dir_opens_a_real_directory),
        TMP_TEST(open_confined_dir_refuses_a_symlinked_middle_component),
        TMP_TEST(open_confined_dir_refuses_a_symlinked_leaf),
        TMP_TEST(open_confined_dir_refuses_a_symlinked_controller_mount),
        TMP_TEST(open_confined_dir_refuses_a_missing_directory),
        TMP_TEST(open_confined_dir_refuses_a_file_component),
        TMP_TEST(open_confined_dir_refuses_dotdot),
        TMP_TEST(v1_plan_writes_cpuset_cpus_and_cpu_shares_only),
        TMP_TEST(v1_quota_writes_period_then_quota),
        TMP_TEST(v1_shares_only_leaves_the_cpuset_alone),
        TMP_TEST(v1_quota_alone_writes_only_the_quota),
        TMP_TEST(v2_quota_alone_sets_the_quota_in_cpu_max),
        TMP_TEST(v2_plan_writes_cpuset_cpus_and_cpu_weight_only),
        TMP_TEST(v2_weight_follows_the_configured_formula),
        TMP_TEST(v2_quota_writes_cpu_max),
        TMP_TEST(v2_period_alone_writes_max_and_period),
        TMP_TEST(hybrid_target_writes_v1_cpuset_and_v2_weight),
        TMP_TEST(empty_plan_writes_nothing),
        TMP_TEST(dry_run_writes_nothing_and_reports_the_writes),
        TMP_TEST(dry_run_on_v2_writes_nothing),
        TMP_TEST(v1_read_back_matching_is_verified),
        TMP_TEST(read_back_without_effective_file_is_not_verified),
        TMP_TEST(v1_read_back_mismatch_is_an_error_and_restores),
        TMP_TEST(v2_read_back_mismatch_is_an_error_and_restores),
        TMP_TEST(unreadable_effective_cpuset_is_an_error_and_restores),
        TMP_TEST(garbage_effective_cpuset_is_an_error_and_restores),
        TMP_TEST(v2_read_back_matching_is_verified),
        TMP_TEST(missing_later_target_fails_before_any_write),
        TMP_TEST(directory_as_later_target_fails_before_any_write),
        TMP_TEST(symlinked_target_file_is_refused_and_not_followed),
        TMP_TEST(hard_linked_target_file_is_refused),
        TMP_TEST(symlinked_cgroup_directory_is_refused_and_nothing_written),
        TMP_TEST(missing_container_directory_is_an_error),
        TMP_TEST(v1_failing_later_write_restores_the_earlier_ones),
        TMP_TEST(v2_failing_later_write_restores_the_earlier_ones),
    };
    return cmocka_run_group_tests_name("cgroup_write", tests, NULL, NULL);
}
