// systemd_unit: which cgroup is a unit, the property encoding (CPU mask bytes,
// quota per second, shares -> weight), and the D-Bus exchange against a fake
// systemd private socket (tests/fake/fake_systemd.py, a peer-to-peer server like
// /run/systemd/private): success, refusal, deadline, odd reply, hang-up, no socket.
#include "unit.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include "systemd_unit.hpp"

#ifndef SRCDIR
#define SRCDIR "."
#endif

using unit::TempDir;
using wp::Fault;

static wp::CpuSet cpus(const char *text) {
    auto r = wp::CpuSet::parse(text);
    ASSERT_OK(r);
    return *r;
}

static void test_unit_of(void **) {
    ASSERT_STR_EQ(wp::systemd_unit_of("kubepods.slice/kubepods-pod1.slice/crio-abc.scope"),
                  "crio-abc.scope");
    ASSERT_STR_EQ(wp::systemd_unit_of("unified/system.slice/foo.service"), "foo.service");
    ASSERT_STR_EQ(wp::systemd_unit_of("cpu,cpuacct/kubepods.slice/crio-abc.scope/"),
                  "crio-abc.scope");
    // Not units: cgroupfs paths, no slice parent, a scope at the top.
    ASSERT_STR_EQ(wp::systemd_unit_of("cpuset/kubepods/pod1/crio-abc"), "");
    ASSERT_STR_EQ(wp::systemd_unit_of("kubepods/pod1/crio-abc.scope"), "");
    ASSERT_STR_EQ(wp::systemd_unit_of("crio-abc.scope"), "");
    ASSERT_STR_EQ(wp::systemd_unit_of("x.slice/.scope"), "");
    ASSERT_STR_EQ(wp::systemd_unit_of("x.slice/crio abc.scope"), "");
    ASSERT_STR_EQ(wp::systemd_unit_of("x.slice/crio-abc.scope/container"), "");

    wp::CgroupTarget t;
    t.cpuset = {"cpuset/kubepods/x", false};
    t.cpu = {"cpu,cpuacct/kubepods.slice/crio-1.scope", false};
    ASSERT_STR_EQ(wp::systemd_unit_of(t), "crio-1.scope");
    t.cpu = {"cpu,cpuacct/kubepods/x", false};
    t.cpuset = {"cpuset/machine.slice/libpod-2.scope", false};
    ASSERT_STR_EQ(wp::systemd_unit_of(t), "libpod-2.scope");
}

static void test_cpu_mask_bytes(void **) {
    auto m = wp::cpu_mask_bytes(cpus("0-3,8"));
    assert_int_equal(m.size(), 2);
    assert_int_equal(m[0], 0x0f);
    assert_int_equal(m[1], 0x01);
    assert_int_equal(wp::cpu_mask_bytes(cpus("")).size(), 0);
    m = wp::cpu_mask_bytes(cpus("1"));
    assert_int_equal(m.size(), 1);
    assert_int_equal(m[0], 0x02);
    m = wp::cpu_mask_bytes(cpus("7,63"));
    assert_int_equal(m.size(), 8);
    assert_int_equal(m[0], 0x80);
    for (int i = 1; i < 7; ++i)
        assert_int_equal(m[i], 0);
    assert_int_equal(m[7], 0x80);
}

static void test_quota_per_sec(void **) {
    assert_int_equal(wp::quota_per_sec_usec(50000, 100000), 500000);
    assert_int_equal(wp::quota_per_sec_usec(200000, 100000), 2000000);
    assert_int_equal(wp::quota_per_sec_usec(1000, 1000), 1000000);
    // Not a whole number: rounded up, so that systemd's conversion back (rounded
    // down) is the quota itself.
    assert_int_equal(wp::quota_per_sec_usec(1000, 3000), 333334);
    for (int64_t period : {1000, 3000, 7777, 33333, 100000, 999999, 1000000})
        for (int64_t quota : {1000, 1001, 4999, 33333, 123457, 2000000}) {
            uint64_t per_sec = wp::quota_per_sec_usec(quota, period);
            uint64_t back = per_sec * static_cast<uint64_t>(period) / 1000000;
            if (back != static_cast<uint64_t>(quota))
                fail_msg("quota %lld period %lld: per second %llu gives back %llu",
                         static_cast<long long>(quota), static_cast<long long>(period),
                         static_cast<unsigned long long>(per_sec),
                         static_cast<unsigned long long>(back));
        }
    assert_true(wp::quota_per_sec_usec(0, 100000) == wp::kSystemdInfinity);
}

static void test_properties_for_plan(void **) {
    wp::Plan plan;
    plan.cpuset = cpus("0-1");
    plan.shares = 400;
    plan.quota_us = 50000;
    plan.period_us = 100000;
    // v2: the weight, by the configured formula.
    auto p = wp::unit_properties_for(plan, true, wp::SharesToWeight::Quadratic);
    assert_true(p.allowed_cpus && p.allowed_cpus->format() == "0-1");
    assert_true(p.cpu_weight && *p.cpu_weight == 49);
    assert_false(p.cpu_shares.has_value());
    assert_true(p.quota_per_sec_usec && *p.quota_per_sec_usec == 500000);
    assert_true(p.quota_period_usec && *p.quota_period_usec == 100000);
    ASSERT_STR_EQ(p.describe(), "AllowedCPUs=0-1 CPUWeight=49 CPUQuotaPerSecUSec=500000 "
                                "CPUQuotaPeriodUSec=100000");
    p = wp::unit_properties_for(plan, true, wp::SharesToWeight::Linear);
    assert_true(p.cpu_weight && *p.cpu_weight == 16);
    // v1: the shares themselves.
    p = wp::unit_properties_for(plan, false, wp::SharesToWeight::Quadratic);
    assert_false(p.cpu_weight.has_value());
    assert_true(p.cpu_shares && *p.cpu_shares == 400);
    // Nothing decided: nothing sent.
    assert_true(wp::unit_properties_for(wp::Plan{}, true, wp::SharesToWeight::Linear).empty());
    // A period alone.
    wp::Plan per;
    per.period_us = 50000;
    p = wp::unit_properties_for(per, true, wp::SharesToWeight::Linear);
    assert_false(p.quota_per_sec_usec.has_value());
    assert_true(p.quota_period_usec && *p.quota_period_usec == 50000);
}

static void test_valid_unit_name(void **) {
    assert_true(wp::valid_unit_name("crio-0123abcdef.scope"));
    assert_true(wp::valid_unit_name("libpod-conmon-x\\x2dy@1.service"));
    assert_false(wp::valid_unit_name(""));
    assert_false(wp::valid_unit_name("a/b.scope"));
    assert_false(wp::valid_unit_name("a\nb.scope"));
    assert_false(wp::valid_unit_name(std::string(256, 'a')));
}

// ---------------------------------------------------------------- the exchange

namespace {

struct Fake {
    TempDir dir;
    pid_t pid = -1;
    std::string sock() const { return dir.p("private"); }
    std::string address() const { return "unix:path=" + sock(); }
    std::string log() const { return dir.exists("calls.log") ? dir.read("calls.log") : ""; }
};

const char *kPython = "/usr/bin/python3";

std::string fake_script() {
    return std::string(SRCDIR) + "/tests/fake/fake_systemd.py";
}

// Why the fake cannot run here, "" when it can.
std::string fake_unavailable() {
    if (::access(fake_script().c_str(), R_OK) != 0) return fake_script() + " not found";
    std::string cmd =
        std::string(kPython) + " -c 'import dbus.server, dbus.mainloop.glib, gi' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) return "python3-dbus and python3-gi are not installed";
    return "";
}

int fake_setup(void **state) {
    std::string why = fake_unavailable();
    if (!why.empty()) {
        print_message("# fake systemd unavailable: %s\n", why.c_str());
        *state = nullptr;
        return 0;
    }
    auto *f = new Fake();
    std::string script = fake_script(), sock = f->sock(), log = f->dir.p("calls.log");
    fflush(stdout);
    fflush(stderr);
    f->pid = fork();
    if (f->pid == 0) {
        execl(kPython, kPython, script.c_str(), sock.c_str(), log.c_str(), (char *)nullptr);
        _exit(127);
    }
    for (int i = 0; i < 1000 && !f->dir.exists("private.ready"); ++i)
        usleep(10000);
    if (!f->dir.exists("private.ready")) {
        print_error("fake systemd did not start\n");
        kill(f->pid, SIGKILL);
        waitpid(f->pid, nullptr, 0);
        delete f;
        return -1;
    }
    *state = f;
    return 0;
}

int fake_teardown(void **state) {
    auto *f = static_cast<Fake *>(*state);
    if (f == nullptr) return 0;
    kill(f->pid, SIGTERM);
    waitpid(f->pid, nullptr, 0);
    delete f;
    return 0;
}

Fake &fake(void **state) {
    if (*state == nullptr) {
        print_message("# SKIP fake systemd unavailable (python3-dbus, python3-gi)\n");
        skip();
    }
    return *static_cast<Fake *>(*state);
}

wp::SystemdBus connect_to(const std::string &address, int timeout_ms = 2000) {
    wp::SystemdClientOptions o;
    o.address = address;
    o.timeout_ms = timeout_ms;
    auto b = wp::SystemdBus::connect(o);
    ASSERT_OK(b);
    return std::move(*b);
}

wp::UnitProperties pinned() {
    wp::UnitProperties p;
    p.allowed_cpus = cpus("0-3,8");
    p.cpu_weight = 49;
    p.quota_per_sec_usec = 500000;
    p.quota_period_usec = 100000;
    return p;
}

// The last call the fake logged, as its JSON line.
std::string last_call(const Fake &f) {
    std::string log = f.log();
    if (log.empty()) return "";
    log.pop_back();
    size_t nl = log.rfind('\n');
    return nl == std::string::npos ? log : log.substr(nl + 1);
}

} // namespace

static void test_set_properties(void **state) {
    Fake &f = fake(state);
    auto bus = connect_to(f.address());
    assert_true(bus.connected());
    ASSERT_OK(bus.set_unit_properties("crio-abc.scope", pinned()));
    std::string call = last_call(f);
    ASSERT_CONTAINS(call, "\"unit\": \"crio-abc.scope\"");
    ASSERT_CONTAINS(call, "\"runtime\": true");
    ASSERT_CONTAINS(call, "\"signature\": \"sba(sv)\"");
    ASSERT_CONTAINS(call, "\"destination\": \"org.freedesktop.systemd1\"");
    ASSERT_CONTAINS(call, "\"AllowedCPUs\": [15, 1]");
    ASSERT_CONTAINS(call, "\"CPUWeight\": 49");
    ASSERT_CONTAINS(call, "\"CPUQuotaPerSecUSec\": 500000");
    ASSERT_CONTAINS(call, "\"CPUQuotaPeriodUSec\": 100000");
    if (unit::contains(call, "CPUShares"))
        fail_msg("CPUShares sent with CPUWeight: %s", call.c_str());
    // The same connection serves a second call (a rollback, say).
    wp::UnitProperties shares;
    shares.cpu_shares = 2;
    ASSERT_OK(bus.set_unit_properties("crio-def.scope", shares));
    call = last_call(f);
    ASSERT_CONTAINS(call, "\"unit\": \"crio-def.scope\"");
    ASSERT_CONTAINS(call, "\"props\": {\"CPUShares\": 2}");
}

static void test_refused(void **state) {
    Fake &f = fake(state);
    auto bus = connect_to(f.address());
    auto s = bus.set_unit_properties("refuse-abc.scope", pinned());
    ASSERT_ERR(s, Fault::System, "refuse-abc.scope", "refused",
               "org.freedesktop.systemd1.NoSuchUnit", "not loaded");
}

static void test_deadline(void **state) {
    Fake &f = fake(state);
    for (const char *unit : {"slow-abc.scope", "silent-abc.scope"}) {
        auto bus = connect_to(f.address(), 300);
        double t0 = unit::now_seconds();
        auto s = bus.set_unit_properties(unit, pinned());
        double took = unit::now_seconds() - t0;
        ASSERT_ERR(s, Fault::System, unit, "no reply within 300 ms");
        if (took < 0.25 || took > 2.0) fail_msg("%s: the call took %.3f s, not ~0.3 s", unit, took);
    }
}

static void test_odd_reply(void **state) {
    Fake &f = fake(state);
    auto bus = connect_to(f.address());
    ASSERT_ERR(bus.set_unit_properties("odd-abc.scope", pinned()), Fault::System, "odd-abc.scope",
               "unexpected reply", "\"s\"");
}

static void test_hangup(void **state) {
    Fake &f = fake(state);
    auto bus = connect_to(f.address());
    ASSERT_ERR(bus.set_unit_properties("hangup-abc.scope", pinned()), Fault::System,
               "hangup-abc.scope");
    // The next call on the lost connection fails too, quickly.
    double t0 = unit::now_seconds();
    ASSERT_ERR(bus.set_unit_properties("crio-abc.scope", pinned()), Fault::System,
               "crio-abc.scope");
    assert_true(unit::now_seconds() - t0 < 1.0);
}

static void test_no_socket(void **) {
    TempDir t;
    auto bus = connect_to("unix:path=" + t.p("absent/private"));
    assert_false(bus.connected());
    ASSERT_CONTAINS(bus.unreachable(), t.p("absent/private"));
    ASSERT_CONTAINS(bus.unreachable(), "no such socket");
    ASSERT_ERR(bus.set_unit_properties("crio-abc.scope", pinned()), Fault::System, "not connected");
}

namespace {

// A unix socket at `path`; listening (never accepting) or merely bound.
int unix_socket(const std::string &path, bool listening) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0)
        fail_msg("bind %s: %s", path.c_str(), strerror(errno));
    if (listening && ::listen(fd, 4) != 0) fail_msg("listen: %s", strerror(errno));
    return fd;
}

} // namespace

static void test_stale_socket(void **) {
    // A socket file nobody listens on (systemd gone): unreachable, not an error.
    TempDir t;
    int fd = unix_socket(t.p("private"), false);
    auto bus = connect_to("unix:path=" + t.p("private"));
    ::close(fd);
    assert_false(bus.connected());
    ASSERT_CONTAINS(bus.unreachable(), "connection refused");
}

static void test_mute_listener(void **) {
    // Something listens but never speaks D-Bus (a hung PID 1): the deadline
    // covers the authentication too.
    TempDir t;
    int fd = unix_socket(t.p("private"), true);
    auto bus = connect_to("unix:path=" + t.p("private"), 300);
    assert_true(bus.connected());
    double t0 = unit::now_seconds();
    auto s = bus.set_unit_properties("crio-abc.scope", pinned());
    double took = unit::now_seconds() - t0;
    ::close(fd);
    ASSERT_ERR(s, Fault::System, "crio-abc.scope");
    if (took > 2.0) fail_msg("the call took %.3f s with a 300 ms deadline", took);
}

static void test_bad_address(void **) {
    wp::SystemdClientOptions o;
    o.address = "nonsense";
    ASSERT_ERR(wp::SystemdBus::connect(o), Fault::System, "nonsense", "cannot connect");
}

int main(void) {
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_unit_of),         cmocka_unit_test(test_cpu_mask_bytes),
        cmocka_unit_test(test_quota_per_sec),   cmocka_unit_test(test_properties_for_plan),
        cmocka_unit_test(test_valid_unit_name), cmocka_unit_test(test_no_socket),
        cmocka_unit_test(test_stale_socket),    cmocka_unit_test(test_mute_listener),
        cmocka_unit_test(test_bad_address),
    };
    const struct CMUnitTest exchange[] = {
        cmocka_unit_test(test_set_properties), cmocka_unit_test(test_refused),
        cmocka_unit_test(test_deadline),       cmocka_unit_test(test_odd_reply),
        cmocka_unit_test(test_hangup),
    };
    int failed = cmocka_run_group_tests_name("systemd_unit", pure, nullptr, nullptr);
    failed +=
        cmocka_run_group_tests_name("systemd_unit_exchange", exchange, fake_setup, fake_teardown);
    return failed;
}
