// pin_record: the JSON form round-trips, writes are atomic and root-only, list
// and remove, container ids that would leave the directory are refused.
#include "unit.hpp"

#include "partitions.hpp"
#include "pin_record.hpp"

using unit::TempDir;
using unit::tmp;
using wp::Fault;

static wp::PinRecord sample(const std::string &id = "0123abcd") {
    wp::PinRecord r;
    r.container_id = id;
    r.pod_namespace = "openshift-etcd";
    r.pod_name = "etcd-\"0\"";
    r.container_name = "etcd";
    r.partition = "management";
    r.annotations = {
        {"target.workload.openshift.io/management", "{\"effect\": \"PreferredDuringScheduling\"}"},
        {"resources.workload.openshift.io/etcd", "{\"cpushares\": 400}"}};
    r.plan.cpuset = *wp::CpuSet::parse("0-1,8");
    r.plan.shares = 400;
    r.plan.quota_us = 50000;
    r.plan.period_us = 100000;
    r.cgroup_root = "/sys/fs/cgroup";
    r.cgroups.cpuset = {"kubepods.slice/crio-0123abcd.scope", true};
    r.cgroups.cpu = {"kubepods.slice/crio-0123abcd.scope", true};
    r.unit = "crio-0123abcd.scope";
    r.systemd = "set";
    r.before = {{"kubepods.slice/crio-0123abcd.scope/cpu.weight", "100"},
                {"kubepods.slice/crio-0123abcd.scope/cpuset.cpus", ""}};
    r.time_unix = 1700000000;
    return r;
}

static void test_roundtrip(void **) {
    auto r = sample();
    std::string text = wp::pin_record_json(r);
    auto back = wp::parse_pin_record(text, "rec");
    ASSERT_OK(back);
    ASSERT_STR_EQ(back->container_id, r.container_id);
    ASSERT_STR_EQ(back->pod_name, r.pod_name);
    assert_true(back->annotations == r.annotations);
    assert_true(back->plan.cpuset && back->plan.cpuset->format() == "0-1,8");
    assert_true(back->plan.shares == r.plan.shares);
    assert_true(back->plan.quota_us == r.plan.quota_us);
    assert_true(back->plan.period_us == r.plan.period_us);
    ASSERT_STR_EQ(back->cgroups.cpu.rel, r.cgroups.cpu.rel);
    assert_true(back->cgroups.cpu.v2);
    ASSERT_STR_EQ(back->unit, r.unit);
    assert_true(back->before == r.before);
    assert_int_equal(back->time_unix, r.time_unix);
    // The same text again: deterministic.
    ASSERT_STR_EQ(wp::pin_record_json(*back), text);
    // A plan with nothing decided stays empty.
    wp::PinRecord empty = sample();
    empty.plan = wp::Plan{};
    auto e = wp::parse_pin_record(wp::pin_record_json(empty), "rec");
    ASSERT_OK(e);
    assert_false(e->plan.cpuset || e->plan.shares || e->plan.quota_us || e->plan.period_us);
}

static void test_parse_errors(void **) {
    ASSERT_ERR(wp::parse_pin_record("[]", "rec"), Fault::Input, "rec");
    ASSERT_ERR(wp::parse_pin_record("{\"version\": 2}", "rec"), Fault::Input, "version");
    std::string text = wp::pin_record_json(sample());
    auto swap = [&](const std::string &from, const std::string &to) {
        std::string t = text;
        t.replace(t.find(from), from.size(), to);
        return t;
    };
    ASSERT_ERR(wp::parse_pin_record(swap("\"0-1,8\"", "\"x\""), "rec"), Fault::Input,
               "plan.cpuset");
    ASSERT_ERR(wp::parse_pin_record(swap("\"cpushares\": 400", "\"cpushares\": \"400\""), "rec"),
               Fault::Input, "cpushares");
    ASSERT_ERR(wp::parse_pin_record(swap("\"0123abcd\"", "\"../etc/passwd\""), "rec"), Fault::Input,
               "container id");
    ASSERT_ERR(wp::parse_pin_record(swap("\"dir\": \"kubepods.slice/crio-0123abcd.scope\"",
                                         "\"dir\": \"../../etc\""),
                                    "rec"),
               Fault::Input, "..");
}

static void test_container_ids(void **) {
    ASSERT_OK(wp::check_container_id("0123456789abcdef"));
    ASSERT_OK(wp::check_container_id("my_ctr-1.2+x"));
    for (std::string bad :
         {std::string(""), std::string("."), std::string(".."), std::string("../x"),
          std::string("a/b"), std::string(".hidden"), std::string("a b"), std::string("a\nb"),
          std::string("a\0b", 3), std::string(201, 'a')})
        ASSERT_ERR(wp::check_container_id(bad), Fault::Input, "container id");
}

static void test_write_read_remove(void **state) {
    TempDir &t = tmp(state);
    std::string dir = t.p("run/workload-partitioning/pins");
    auto d = wp::PinDir::open(dir, true);
    ASSERT_OK(d);
    struct stat st;
    assert_int_equal(::stat(dir.c_str(), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    assert_int_equal(::stat(t.p("run/workload-partitioning").c_str(), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);

    ::umask(0);
    ASSERT_OK(d->write(sample("aaa")));
    ASSERT_OK(d->write(sample("bbb")));
    ::umask(022);
    assert_int_equal(::stat((dir + "/aaa.json").c_str(), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    // Only the records: no temporary file is left.
    auto snap = t.snapshot();
    size_t files = 0;
    for (const auto &[k, v] : snap)
        if (v != "<dir>") ++files;
    assert_int_equal(files, 2);

    auto ids = d->list();
    ASSERT_OK(ids);
    assert_int_equal(ids->size(), 2);
    ASSERT_STR_EQ((*ids)[0], "aaa");
    ASSERT_STR_EQ((*ids)[1], "bbb");

    auto r = d->read("aaa");
    ASSERT_OK(r);
    assert_true(r->has_value());
    ASSERT_STR_EQ((*r)->pod_namespace, "openshift-etcd");
    auto none = d->read("ccc");
    ASSERT_OK(none);
    assert_false(none->has_value());

    // A rewrite replaces the record whole.
    auto changed = sample("aaa");
    changed.partition = "other";
    ASSERT_OK(d->write(changed));
    r = d->read("aaa");
    ASSERT_OK(r);
    ASSERT_STR_EQ((*r)->partition, "other");

    auto removed = d->remove("aaa");
    ASSERT_OK(removed);
    assert_true(*removed);
    removed = d->remove("aaa");
    ASSERT_OK(removed);
    assert_false(*removed);
    assert_false(t.exists("run/workload-partitioning/pins/aaa.json"));
    assert_true(t.exists("run/workload-partitioning/pins/bbb.json"));
}

static void test_bad_ids_never_touch_files(void **state) {
    TempDir &t = tmp(state);
    t.write("secret.json", "keep");
    auto d = wp::PinDir::open(t.p("pins"), true);
    ASSERT_OK(d);
    auto before = t.snapshot();
    ASSERT_ERR(d->write(sample("../secret")), Fault::Input, "container id");
    ASSERT_ERR(d->remove("../secret"), Fault::Input, "container id");
    ASSERT_ERR(d->read("../secret"), Fault::Input, "container id");
    assert_true(t.snapshot() == before);
}

static void test_record_with_another_id(void **state) {
    TempDir &t = tmp(state);
    auto d = wp::PinDir::open(t.p("pins"), true);
    ASSERT_OK(d);
    t.write("pins/xyz.json", wp::pin_record_json(sample("abc")), 0600);
    ASSERT_ERR(d->read("xyz"), Fault::Input, "not the file's name");
}

static void test_absent_and_untrusted_dir(void **state) {
    TempDir &t = tmp(state);
    auto d = wp::PinDir::open(t.p("none"), false);
    ASSERT_OK(d);
    assert_false(d->exists());
    auto ids = d->list();
    ASSERT_OK(ids);
    assert_true(ids->empty());
    auto removed = d->remove("abc");
    ASSERT_OK(removed);
    assert_false(*removed);
    assert_false(t.exists("none"));

    t.mkdirs("open");
    ::chmod(t.p("open").c_str(), 0777);
    ASSERT_ERR(wp::PinDir::open(t.p("open"), true), Fault::Untrusted, "open", "writable");
    t.mkdirs("real");
    t.symlink(t.p("real"), "link");
    ASSERT_FAILS(wp::PinDir::open(t.p("link"), true), "link");
    ASSERT_ERR(wp::PinDir::open("relative/pins", true), Fault::Usage, "not absolute");
}

static void test_deciding_annotations(void **) {
    wp::Partition p;
    p.name = "management";
    p.activation_annotation = "target.workload.openshift.io/management";
    p.annotation_prefix = "resources.workload.openshift.io";
    wp::Annotations all = {{"target.workload.openshift.io/management", "{}"},
                           {"resources.workload.openshift.io/etcd", "{\"cpushares\": 400}"},
                           {"resources.workload.openshift.io/other", "{\"cpushares\": 2}"},
                           {"io.kubernetes.container.name", "etcd"},
                           {"io.kubernetes.pod.namespace", "openshift-etcd"},
                           {"io.kubernetes.pod.name", "etcd-0"},
                           {"unrelated", "x"}};
    auto got = wp::deciding_annotations(p, all);
    assert_int_equal(got.size(), 5);
    assert_true(got.count("resources.workload.openshift.io/etcd"));
    assert_false(got.count("resources.workload.openshift.io/other"));
    assert_false(got.count("unrelated"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),         cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_container_ids),     TMP_TEST(test_write_read_remove),
        TMP_TEST(test_bad_ids_never_touch_files), TMP_TEST(test_record_with_another_id),
        TMP_TEST(test_absent_and_untrusted_dir),  cmocka_unit_test(test_deciding_annotations),
    };
    return cmocka_run_group_tests_name("pin_record", tests, nullptr, nullptr);
}
