// cgroup_locate: /proc/<pid>/cgroup on v1, v2 and hybrid trees, crun's systemd
// sub-cgroup, the linux.cgroupsPath fallback, and the lexical confinement.
#include "unit.hpp"

#include "cgroup_locate.hpp"
#include "cgroup_write.hpp"

using unit::TempDir;
using unit::tmp;
using wp::Fault;

static const int kPid = 4242;

// A cgroup v1 (hybrid) tree like Debian 12's or RHEL 8's: one mount per
// controller set, "cpu" a symlink to "cpu,cpuacct", the v2 hierarchy at unified/.
static void make_v1_tree(const TempDir &t) {
    for (const char *d : {"cg/cpuset", "cg/cpu,cpuacct", "cg/memory", "cg/systemd", "cg/unified"})
        t.mkdirs(d);
    t.symlink("cpu,cpuacct", "cg/cpu");
    t.symlink("cpu,cpuacct", "cg/cpuacct");
    t.write("cg/unified/cgroup.controllers", "");
    t.mkdirs("proc");
}

// A pure cgroup v2 tree: cgroup.controllers at the root.
static void make_v2_tree(const TempDir &t) {
    t.write("cg/cgroup.controllers", "cpuset cpu io memory pids\n");
    t.write("cg/cpuset.cpus.effective", "0-3\n");
    t.mkdirs("proc");
}

static void write_proc(const TempDir &t, const std::string &content) {
    t.write("proc/" + std::to_string(kPid) + "/cgroup", content);
}

static wp::LocateInput input(const TempDir &t, int pid = kPid,
                             const std::string &cgroups_path = "") {
    wp::LocateInput in;
    in.cgroup_root = t.p("cg");
    in.proc_root = t.p("proc");
    in.pid = pid;
    in.cgroups_path = cgroups_path;
    return in;
}

static wp::CgroupTarget must_locate(const wp::LocateInput &in) {
    auto r = wp::locate_cgroup(in);
    ASSERT_OK(r);
    return *r;
}

static void expect_dir(const wp::ControllerDir &d, const char *rel, bool v2) {
    if (d.rel != rel || d.v2 != v2)
        fail_msg("located \"%s\" (v2=%d), expected \"%s\" (v2=%d)", d.rel.c_str(), d.v2, rel, v2);
}

// --- parse_proc_cgroup --------------------------------------------------------

static void parse_proc_cgroup_v1_and_v2_lines(void **) {
    auto r = wp::parse_proc_cgroup("12:cpuset:/kubepods/pod1/crio-abc\n"
                                   "11:cpu,cpuacct:/kubepods/pod1/crio-abc\n"
                                   "1:name=systemd:/kubepods/pod1/crio-abc\n"
                                   "0::/kubepods/pod1/crio-abc\n",
                                   "/proc/1/cgroup");
    ASSERT_OK(r);
    assert_int_equal(r->size(), 4);
    ASSERT_STR_EQ((*r)[0].hierarchy, "12");
    ASSERT_STR_EQ((*r)[0].controllers, "cpuset");
    ASSERT_STR_EQ((*r)[0].path, "/kubepods/pod1/crio-abc");
    ASSERT_STR_EQ((*r)[1].controllers, "cpu,cpuacct");
    ASSERT_STR_EQ((*r)[2].controllers, "name=systemd");
    ASSERT_STR_EQ((*r)[3].hierarchy, "0");
    ASSERT_STR_EQ((*r)[3].controllers, "");
    ASSERT_STR_EQ((*r)[3].path, "/kubepods/pod1/crio-abc");
}

static void parse_proc_cgroup_pure_v2(void **) {
    auto r = wp::parse_proc_cgroup("0::/system.slice/crio-abc.scope\n", "/proc/1/cgroup");
    ASSERT_OK(r);
    assert_int_equal(r->size(), 1);
    ASSERT_STR_EQ((*r)[0].controllers, "");
    ASSERT_STR_EQ((*r)[0].path, "/system.slice/crio-abc.scope");
}

static void parse_proc_cgroup_without_final_newline(void **) {
    auto r = wp::parse_proc_cgroup("0::/a", "/proc/1/cgroup");
    ASSERT_OK(r);
    assert_int_equal(r->size(), 1);
    ASSERT_STR_EQ((*r)[0].path, "/a");
}

static void parse_proc_cgroup_path_may_contain_colons(void **) {
    auto r = wp::parse_proc_cgroup("5:cpu:/a:b:c\n", "/proc/1/cgroup");
    ASSERT_OK(r);
    ASSERT_STR_EQ((*r)[0].controllers, "cpu");
    ASSERT_STR_EQ((*r)[0].path, "/a:b:c");
}

static void parse_proc_cgroup_refuses_garbage_naming_the_file(void **) {
    for (const char *bad : {"nonsense\n", "x:cpu:/a\n", "1:cpu\n", ":cpu:/a\n"}) {
        auto r = wp::parse_proc_cgroup(bad, "/proc/77/cgroup");
        if (r.ok()) fail_msg("\"%s\" was accepted", bad);
        ASSERT_CONTAINS(r.error().message, "/proc/77/cgroup");
    }
}

// --- expand_systemd_slice / check_cgroup_path ------------------------------------

static void expand_systemd_slice_nests_each_dash(void **) {
    auto r = wp::expand_systemd_slice("a-b-c.slice");
    ASSERT_OK(r);
    ASSERT_STR_EQ(*r, "a.slice/a-b.slice/a-b-c.slice");
    auto k = wp::expand_systemd_slice("kubepods-burstable-pod1234.slice");
    ASSERT_OK(k);
    ASSERT_STR_EQ(*k, "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice");
    auto one = wp::expand_systemd_slice("machine.slice");
    ASSERT_OK(one);
    ASSERT_STR_EQ(*one, "machine.slice");
}

static void expand_systemd_slice_root_slice_is_empty(void **) {
    auto r = wp::expand_systemd_slice("-.slice");
    ASSERT_OK(r);
    ASSERT_STR_EQ(*r, "");
}

static void expand_systemd_slice_refuses_bad_names(void **) {
    for (const char *bad : {"foo", "foo.scope", ".slice", "a--b.slice", "-a.slice", "a-.slice",
                            "a/b.slice", "../x.slice"}) {
        auto r = wp::expand_systemd_slice(bad);
        if (r.ok()) fail_msg("\"%s\" expanded to \"%s\"", bad, r->c_str());
    }
}

static void check_cgroup_path_accepts_ordinary_paths(void **) {
    ASSERT_OK(wp::check_cgroup_path("/kubepods/pod1/crio-abc", "t"));
    ASSERT_OK(wp::check_cgroup_path("kubepods.slice/crio-abc.scope", "t"));
    ASSERT_OK(wp::check_cgroup_path("/a..b/c", "t")); // ".." only as a whole component
}

static void check_cgroup_path_refuses_dotdot(void **) {
    ASSERT_ERR(wp::check_cgroup_path("/kubepods/../../etc", "where"), Fault::Input, "where", "..");
    ASSERT_FAILS(wp::check_cgroup_path("..", "t"));
    ASSERT_FAILS(wp::check_cgroup_path("/a/..", "t"));
    ASSERT_FAILS(wp::check_cgroup_path("../a", "t"));
}

static void check_cgroup_path_refuses_the_root(void **) {
    ASSERT_ERR(wp::check_cgroup_path("/", "where"), Fault::Input, "where");
    ASSERT_FAILS(wp::check_cgroup_path("", "t"));
    ASSERT_FAILS(wp::check_cgroup_path("//", "t"));
    ASSERT_FAILS(wp::check_cgroup_path("/./", "t"));
}

static void check_cgroup_path_refuses_nul(void **) {
    using namespace std::literals;
    ASSERT_FAILS(wp::check_cgroup_path("/a\0/b"sv, "t"));
}

// --- locate from /proc/<pid>/cgroup ---------------------------------------------

static void locate_v1_uses_the_cpuset_and_cpu_lines(void **state) {
    auto &t = tmp(state);
    make_v1_tree(t);
    write_proc(t, "12:memory:/kubepods/pod1/crio-abc\n"
                  "11:cpuset:/kubepods/pod1/crio-abc\n"
                  "4:cpu,cpuacct:/kubepods/pod1/crio-abc\n"
                  "1:name=systemd:/kubepods/pod1/crio-abc\n"
                  "0::/\n");
    wp::CgroupTarget c = must_locate(input(t));
    expect_dir(c.cpuset, "cpuset/kubepods/pod1/crio-abc", false);
    expect_dir(c.cpu, "cpu,cpuacct/kubepods/pod1/crio-abc", false);
    ASSERT_CONTAINS(c.source, "cgroup");
}

static void locate_v1_controllers_in_different_cgroups(void **state) {
    auto &t = tmp(state);
    make_v1_tree(t);
    write_proc(t, "11:cpuset:/a/b\n4:cpu,cpuacct:/c/d\n");
    wp::CgroupTarget c = must_locate(input(t));
    expect_dir(c.cpuset, "cpuset/a/b", false);
    expect_dir(c.cpu, "cpu,cpuacct/c/d", false);
}

static void locate_v2_uses_the_unified_line(void **state) {
    auto &t = tmp(state);
    make_v2_tree(t);
    write_proc(t, "0::/kubepods.slice/kubepods-pod1.slice/crio-abc.scope\n");
    wp::CgroupTarget c = must_locate(input(t));
    expect_dir(c.cpuset, "kubepods.slice/kubepods-pod1.slice/crio-abc.scope", true);
    expect_dir(c.cpu, "kubepods.slice/kubepods-pod1.slice/crio-abc.scope", true);
}

static void locate_hybrid_controller_without_v1_line_is_in_unified(void **state) {
    auto &t = tmp(state);
    make_v1_tree(t);
    // cpuset is a v1 controller here, cpu is not: it lives in the unified hierarchy.
    write_proc(t, "11:cpuset:/x/y\n1:name=systemd:/x/y\n0::/x/y\n");
    wp::CgroupTarget c = must_locate(input(t));
    expect_dir(c.cpuset, "cpuset/x/y", false);
    expect_dir(c.cpu, "unified/x/y", true);
}

static void locate_v2_line_on_a_pure_v2_root_has_no_unified_prefix(void **state) {
    auto &t = tmp(state);
    make_v2_tree(t);
    t.mkdirs("cg/unified"); // a directory named unified in a v2 tree is just a cgroup
    write_proc(t, "0::/x/y\n");
    wp::CgroupTarget c = must_locate(input(t));
    expect_dir(c.cpu, "x/y", true);
}

static void locate_crun_container_subgroup_under_a_scope_is_the_scope(void **state) {
    auto &t = tmp(state);
    make_v2_tree(t);
    write_proc(t, "0::/machine.slice/libpod-abc.scope/container\n");
    wp::CgroupTarget c = must_locate(input(t));
    expect_dir(c.cpuset, "machine.slice/libpod-abc.scope", true);
    expect_dir(c.cpu, "machine.slice/libpod-abc.scope", true);
}

static void locate_crun_subgroup_on_v1_is_the_scope(void **state) {
    auto &t = tmp(state);
    make_v1_tree(t);
    write_proc(t, "11:cpuset:/kubepods.slice/crio-abc.scope/container\n"
                  "4:cpu,cpuacct:/kubepods.slice/crio-abc.scope/container\n");
    wp::CgroupTarget c = must_locate(input(t));
    expect_dir(c.cpuset, "cpuset/kubepods.slice/crio-abc.scope", false);
    expect_dir(c.cpu, "cpu,cpuacct/kubepods.slice/crio-abc.scope", false);
}

static void locate_custom_subgroup_name(void **state) {
    auto &t = tmp(state);
    make_v2_tree(t);
    write_proc(t, "0::/machine.slice/libpod-abc.scope/inner\n");
    wp::LocateInput in = input(t);
    in.systemd_subgroup = "inner";
    expect_dir(must_locate(in).cpu, "machine.slice/libpod-abc.scope", true);
    // With the custom name, a leaf called "container" is an ordinary cgroup.
    write_proc(t, "0::/machine.slice/libpod-abc.scope/container\n");
    expect_dir(must_locate(in).cpu, "machine.slice/libpod-abc.scope/container", true);
}

static void locate_container_leaf_not_under_a_scope_is_kept(void **state) {
    auto &t = tmp(state);
    make_v2_tree(t);
    write_proc(t, "0::/kubepods/pod1/container\n");
    expect_dir(must_locate(input(t)).cpu, "kubepods/pod1/container", true);
}

static void locate_refuses_the_root_cgroup(void **state) {
    auto &t = tmp(state);
    make_v2_tree(t);
    write_proc(t, "0::/\n");
    ASSERT_FAILS(wp::locate_cgroup(input(t)));
    write_proc(t, "11:cpuset:/\n4:cpu,cpuacct:/\n");
    ASSERT_FAILS(wp::locate_cgroup(input(t)));
}

static void locate_keeps_a_top_level_container_leaf(void **state) {
    auto &t = tmp(state);
    make_v2_tree(t);
    write_proc(t, "0::/container\n");
    auto r = wp::locate_cgroup(input(t));
    // "/container" is not under a scope: it is kept, and it is not the root.
    ASSERT_OK(r);
    expect_dir(r->cpu, "container", true);
}

static void locate_refuses_dotdot_in_proc_cgroup(void **state) {
    auto &t = tmp(state);
    make_v2_tree(t);
    write_proc(t, "0::/kubepods/../../../etc\n");
    ASSERT_FAILS(wp::locate_cgroup(input(t)), "..");
    write_proc(t, "11:cpuset:/ok\n4:cpu,cpuacct:/a/../..\n");
    ASSERT_FAILS(wp::locate_cgroup(input(t)), "..");
}

static void locate_refuses_a_proc_file_without_cpu_controller(void **state) {
    auto &t = tmp(state);
    make_v1_tree(t);
    write_proc(t, "12:memory:/a\n1:name=systemd:/a\n");
    ASSERT_FAILS(wp::locate_cgroup(input(t)));
}

static void locate_refuses_a_malformed_proc_file(void **state) {
    auto &t = tmp(state);
    make_v2_tree(t);
    write_proc(t, "garbage\n");
    ASSERT_FAILS(wp::locate_cgroup(input(t)), "cgroup");
}

static void locate_does_not_follow_a_symlinked_proc_file(void **state) {
    auto &t = tmp(state);
    make_v2_tree(t);
    t.write("elsewhere", "0::/a/b\n");
    t.mkdirs("proc/" + std::to_string(kPid));
    t.symlink(t.p("elsewhere"), "proc/" + std::to_string(kPid) + "/cgroup");
    ASSERT_FAILS(wp::locate_cgroup(input(t)));
}

// --- fallback to linux.cgroupsPath --------------------------------------------

static void fallback_cgroupfs_path_on_v1_when_the_pid_is_gone(void **state) {
    auto &t = tmp(state);
    make_v1_tree(t);
    wp::CgroupTarget c = must_locate(input(t, kPid, "/kubepods/pod1/crio-abc"));
    expect_dir(c.cpuset, "cpuset/kubepods/pod1/crio-abc", false);
    expect_dir(c.cpu, "cpu,cpuacct/kubepods/pod1/crio-abc", false);
    ASSERT_CONTAINS(c.source, "cgroupsPath");
}

static void fallback_cgroupfs_path_when_there_is_no_pid(void **state) {
    auto &t = tmp(state);
    make_v2_tree(t);
    wp::CgroupTarget c = must_locate(input(t, 0, "/kubepods/pod1/crio-abc"));
    expect_dir(c.cpuset, "kubepods/pod1/crio-abc", true);
    expect_dir(c.cpu, "kubepods/pod1/crio-abc", true);
}

static void fallback_systemd_slice_prefix_name_on_v2(void **state) {
    auto &t = tmp(state);
    make_v2_tree(t);
    wp::CgroupTarget c = must_locate(input(t, kPid, "kubepods-burstable-pod1.slice:crio:abc"));
    const char *want = "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/"
                       "crio-abc.scope";
    expect_dir(c.cpuset, want, true);
    expect_dir(c.cpu, want, true);
}

static void fallback_systemd_slice_prefix_name_on_v1(void **state) {
    auto &t = tmp(state);
    make_v1_tree(t);
    wp::CgroupTarget c = must_locate(input(t, kPid, "machine.slice:libpod:abc"));
    expect_dir(c.cpuset, "cpuset/machine.slice/libpod-abc.scope", false);
    expect_dir(c.cpu, "cpu,cpuacct/machine.slice/libpod-abc.scope", false);
}

static void fallback_callback_is_used_only_when_needed(void **state) {
    auto &t = tmp(state);
    make_v2_tree(t);
    int calls = 0;
    wp::LocateInput in = input(t, kPid, "");
    in.cgroups_path_fallback = [&]() -> wp::Result<std::string> {
        ++calls;
        return std::string("/from/bundle");
    };
    expect_dir(must_locate(in).cpu, "from/bundle", true);
    assert_int_equal(calls, 1);
    write_proc(t, "0::/from/proc\n");
    expect_dir(must_locate(in).cpu, "from/proc", true);
    assert_int_equal(calls, 1);
}

static void fallback_without_cgroups_path_is_an_error(void **state) {
    auto &t = tmp(state);
    make_v2_tree(t);
    ASSERT_FAILS(wp::locate_cgroup(input(t, kPid, "")), "cgroupsPath");
    ASSERT_FAILS(wp::locate_cgroup(input(t, 0, "")), "cgroupsPath");
}

static void fallback_refuses_dotdot_root_and_malformed_paths(void **state) {
    auto &t = tmp(state);
    make_v2_tree(t);
    ASSERT_FAILS(wp::locate_cgroup(input(t, kPid, "/kubepods/../../etc")), "..");
    ASSERT_FAILS(wp::locate_cgroup(input(t, kPid, "/")));
    ASSERT_FAILS(wp::locate_cgroup(input(t, kPid, "relative/path")), "relative/path");
    ASSERT_FAILS(wp::locate_cgroup(input(t, kPid, "only:two")), "only:two");
    ASSERT_FAILS(wp::locate_cgroup(input(t, kPid, "bad--slice.slice:crio:abc")));
    ASSERT_FAILS(wp::locate_cgroup(input(t, kPid, "machine.slice:crio:../x")));
}

// This machine's layout: cpu and cpuacct mounted separately, no "cpu,cpuacct".
static void separate_cpu_mount_from_proc_and_fallback(void **state) {
    auto &t = tmp(state);
    for (const char *d : {"cg/cpuset/a", "cg/cpu/a", "cg/cpuacct/a", "cg/unified"})
        t.mkdirs(d);
    t.mkdirs("proc");
    write_proc(t, "3:cpuset:/a\n2:cpuacct:/a\n1:cpu:/a\n0::/\n");
    wp::CgroupTarget c = must_locate(input(t));
    expect_dir(c.cpuset, "cpuset/a", false);
    expect_dir(c.cpu, "cpu/a", false);
    wp::CgroupTarget f = must_locate(input(t, 0, "/a"));
    expect_dir(f.cpuset, "cpuset/a", false);
    expect_dir(f.cpu, "cpu/a", false);
}

static void located_v1_directories_open_confined(void **state) {
    auto &t = tmp(state);
    make_v1_tree(t);
    t.mkdirs("cg/cpuset/kubepods/pod1/crio-abc");
    t.mkdirs("cg/cpu,cpuacct/kubepods/pod1/crio-abc");
    for (const wp::LocateInput &in :
         {input(t, 0, "/kubepods/pod1/crio-abc"), input(t, kPid, "/kubepods/pod1/crio-abc")}) {
        write_proc(t, "11:cpuset:/kubepods/pod1/crio-abc\n4:cpu,cpuacct:/kubepods/pod1/crio-abc\n");
        wp::CgroupTarget c = must_locate(in);
        // Real v1 trees have "cpu" as a symlink to "cpu,cpuacct": the located
        // directory must still be reachable without following a symlink.
        ASSERT_OK(wp::open_confined_dir(t.p("cg"), c.cpuset.rel));
        ASSERT_OK(wp::open_confined_dir(t.p("cg"), c.cpu.rel));
    }
}

static void online_cpus_from_the_root_cpuset_on_v1_v2_and_hybrid(void **) {
    unit::TempDir v1, v2, hybrid, none;
    v1.write("cpuset/cpuset.cpus", "0-3\n");
    v2.write("cgroup.controllers", "cpuset cpu\n");
    v2.write("cpuset.cpus.effective", "0-7\n");
    hybrid.write("unified/cpuset.cpus.effective", "0-1\n");
    auto a = wp::online_cpus(v1.path);
    ASSERT_OK(a);
    ASSERT_STR_EQ(a->format(), "0-3");
    auto b = wp::online_cpus(v2.path);
    ASSERT_OK(b);
    ASSERT_STR_EQ(b->format(), "0-7");
    auto c = wp::online_cpus(hybrid.path);
    ASSERT_OK(c);
    ASSERT_STR_EQ(c->format(), "0-1");
    ASSERT_ERR(wp::online_cpus(none.path), wp::Fault::Input, "cpuset.cpus.effective",
               "does not exist");
}

// Co-mounted v1 hierarchies: a controller lives in the directory of the line
// that names it, whatever else that line names.
static void locate_co_mounted_cpuset_cpu_cpuacct(void **state) {
    auto &t = tmp(state);
    make_v1_tree(t);
    t.mkdirs("cg/cpuset,cpu,cpuacct");
    write_proc(t, "12:memory:/kubepods/p/c\n3:cpuset,cpu,cpuacct:/kubepods/p/c\n0::/\n");
    wp::CgroupTarget c = must_locate(input(t));
    expect_dir(c.cpuset, "cpuset,cpu,cpuacct/kubepods/p/c", false);
    expect_dir(c.cpu, "cpuset,cpu,cpuacct/kubepods/p/c", false);
}

static void locate_co_mounted_cpu_cpuset(void **state) {
    auto &t = tmp(state);
    make_v1_tree(t);
    write_proc(t, "3:cpu,cpuset:/a/b\n1:name=systemd:/a/b\n0::/a/b\n");
    wp::CgroupTarget c = must_locate(input(t));
    expect_dir(c.cpuset, "cpu,cpuset/a/b", false);
    expect_dir(c.cpu, "cpu,cpuset/a/b", false);
}

// Two lines naming one controller: which one is the container's is ambiguous.
static void parse_proc_cgroup_refuses_a_controller_listed_twice(void **) {
    ASSERT_ERR(wp::parse_proc_cgroup("4:cpu,cpuacct:/a\n5:cpu:/b\n", "/proc/1/cgroup"),
               Fault::Input, "/proc/1/cgroup", "line 2", "\"cpu\"", "ambiguous");
    ASSERT_ERR(wp::parse_proc_cgroup("11:cpuset:/a\n12:cpuset:/b\n", "f"), Fault::Input, "cpuset",
               "ambiguous");
    ASSERT_ERR(wp::parse_proc_cgroup("0::/a\n0::/b\n", "f"), Fault::Input, "line 2", "v2");
    // "cpu" and "cpuacct" and "cpuset" are different controllers.
    ASSERT_OK(wp::parse_proc_cgroup("3:cpuset:/a\n4:cpu:/a\n5:cpuacct:/a\n0::/\n", "f"));
}

static void locate_refuses_duplicate_controller_lines(void **state) {
    auto &t = tmp(state);
    make_v1_tree(t);
    write_proc(t, "11:cpuset:/kubepods/p/c\n4:cpu,cpuacct:/kubepods/p/c\n7:cpu:/elsewhere\n");
    ASSERT_ERR(wp::locate_cgroup(input(t)), Fault::Input, "ambiguous", "\"cpu\"");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(online_cpus_from_the_root_cpuset_on_v1_v2_and_hybrid),
        cmocka_unit_test(parse_proc_cgroup_v1_and_v2_lines),
        cmocka_unit_test(parse_proc_cgroup_refuses_a_controller_listed_twice),
        TMP_TEST(locate_co_mounted_cpuset_cpu_cpuacct),
        TMP_TEST(locate_co_mounted_cpu_cpuset),
        TMP_TEST(locate_refuses_duplicate_controller_lines),
        cmocka_unit_test(parse_proc_cgroup_pure_v2),
        cmocka_unit_test(parse_proc_cgroup_without_final_newline),
        cmocka_unit_test(parse_proc_cgroup_path_may_contain_colons),
        cmocka_unit_test(parse_proc_cgroup_refuses_garbage_naming_the_file),
        cmocka_unit_test(expand_systemd_slice_nests_each_dash),
        cmocka_unit_test(expand_systemd_slice_root_slice_is_empty),
        cmocka_unit_test(expand_systemd_slice_refuses_bad_names),
        cmocka_unit_test(check_cgroup_path_accepts_ordinary_paths),
        cmocka_unit_test(check_cgroup_path_refuses_dotdot),
        cmocka_unit_test(check_cgroup_path_refuses_the_root),
        cmocka_unit_test(check_cgroup_path_refuses_nul),
        TMP_TEST(locate_v1_uses_the_cpuset_and_cpu_lines),
        TMP_TEST(locate_v1_controllers_in_different_cgroups),
        TMP_TEST(locate_v2_uses_the_unified_line),
        TMP_TEST(locate_hybrid_controller_without_v1_line_is_in_unified),
        TMP_TEST(locate_v2_line_on_a_pure_v2_root_has_no_unified_prefix),
        TMP_TEST(locate_crun_container_subgroup_under_a_scope_is_the_scope),
        TMP_TEST(locate_crun_subgroup_on_v1_is_the_scope),
        TMP_TEST(locate_custom_subgroup_name),
        TMP_TEST(locate_container_leaf_not_under_a_scope_is_kept),
        TMP_TEST(locate_refuses_the_root_cgroup),
        TMP_TEST(locate_keeps_a_top_level_container_leaf),
        TMP_TEST(locate_refuses_dotdot_in_proc_cgroup),
        TMP_TEST(locate_refuses_a_proc_file_without_cpu_controller),
        TMP_TEST(locate_refuses_a_malformed_proc_file),
        TMP_TEST(locate_does_not_follow_a_symlinked_proc_file),
        TMP_TEST(fallback_cgroupfs_path_on_v1_when_the_pid_is_gone),
        TMP_TEST(fallback_cgroupfs_path_when_there_is_no_pid),
        TMP_TEST(fallback_systemd_slice_prefix_name_on_v2),
        TMP_TEST(fallback_systemd_slice_prefix_name_on_v1),
        TMP_TEST(fallback_callback_is_used_only_when_needed),
        TMP_TEST(fallback_without_cgroups_path_is_an_error),
        TMP_TEST(fallback_refuses_dotdot_root_and_malformed_paths),
        TMP_TEST(separate_cpu_mount_from_proc_and_fallback),
        TMP_TEST(located_v1_directories_open_confined),
    };
    return cmocka_run_group_tests_name("cgroup_locate", tests, NULL, NULL);
}
