#include "systemd_unit.hpp"

#include "cgroup_write.hpp"

#include <ctime>

#include <dbus/dbus.h>

namespace wp {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// libdbus's DBusError, freed on scope exit.
struct ErrorHolder {
    DBusError e;
    ErrorHolder() { dbus_error_init(&e); }
    ErrorHolder(const ErrorHolder &) = delete;
    ErrorHolder &operator=(const ErrorHolder &) = delete;
    ~ErrorHolder() { dbus_error_free(&e); }
    bool set() const { return dbus_error_is_set(&e); }
    std::string name() const { return e.name ? e.name : ""; }
    std::string text() const { return e.message ? e.message : ""; }
};

struct MessageRef {
    DBusMessage *m = nullptr;
    explicit MessageRef(DBusMessage *msg) : m(msg) {}
    MessageRef(const MessageRef &) = delete;
    MessageRef &operator=(const MessageRef &) = delete;
    ~MessageRef() {
        if (m) dbus_message_unref(m);
    }
};

// Appends one (sv) entry of the a(sv) property array.
bool append_property(DBusMessageIter *array, const char *name, const char *sig,
                     const std::vector<uint8_t> *bytes, uint64_t number) {
    DBusMessageIter entry, variant;
    if (!dbus_message_iter_open_container(array, DBUS_TYPE_STRUCT, nullptr, &entry)) return false;
    if (!dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &name)) return false;
    if (!dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, sig, &variant)) return false;
    if (bytes != nullptr) {
        DBusMessageIter arr;
        if (!dbus_message_iter_open_container(&variant, DBUS_TYPE_ARRAY, DBUS_TYPE_BYTE_AS_STRING,
                                              &arr))
            return false;
        const uint8_t *data = bytes->data();
        if (!dbus_message_iter_append_fixed_array(&arr, DBUS_TYPE_BYTE, &data,
                                                  static_cast<int>(bytes->size())))
            return false;
        if (!dbus_message_iter_close_container(&variant, &arr)) return false;
    } else {
        dbus_uint64_t v = number;
        if (!dbus_message_iter_append_basic(&variant, DBUS_TYPE_UINT64, &v)) return false;
    }
    return dbus_message_iter_close_container(&entry, &variant) &&
           dbus_message_iter_close_container(array, &entry);
}

// The SetUnitProperties call, or nullptr when out of memory.
DBusMessage *build_call(const std::string &unit, const UnitProperties &p) {
    DBusMessage *m =
        dbus_message_new_method_call("org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                     "org.freedesktop.systemd1.Manager", "SetUnitProperties");
    if (m == nullptr) return nullptr;
    MessageRef owned(m);
    DBusMessageIter args, array;
    dbus_message_iter_init_append(m, &args);
    const char *name = unit.c_str();
    dbus_bool_t runtime = TRUE;
    if (!dbus_message_iter_append_basic(&args, DBUS_TYPE_STRING, &name) ||
        !dbus_message_iter_append_basic(&args, DBUS_TYPE_BOOLEAN, &runtime) ||
        !dbus_message_iter_open_container(&args, DBUS_TYPE_ARRAY, "(sv)", &array))
        return nullptr;
    bool ok = true;
    std::vector<uint8_t> mask;
    if (p.allowed_cpus) {
        mask = cpu_mask_bytes(*p.allowed_cpus);
        ok = ok && append_property(&array, "AllowedCPUs", "ay", &mask, 0);
    }
    if (p.cpu_weight) ok = ok && append_property(&array, "CPUWeight", "t", nullptr, *p.cpu_weight);
    if (p.cpu_shares) ok = ok && append_property(&array, "CPUShares", "t", nullptr, *p.cpu_shares);
    if (p.quota_per_sec_usec)
        ok = ok &&
             append_property(&array, "CPUQuotaPerSecUSec", "t", nullptr, *p.quota_per_sec_usec);
    if (p.quota_period_usec)
        ok =
            ok && append_property(&array, "CPUQuotaPeriodUSec", "t", nullptr, *p.quota_period_usec);
    if (!ok || !dbus_message_iter_close_container(&args, &array)) return nullptr;
    owned.m = nullptr;
    return m;
}

struct PendingRef {
    DBusPendingCall *p;
    explicit PendingRef(DBusPendingCall *c) : p(c) {}
    PendingRef(const PendingRef &) = delete;
    PendingRef &operator=(const PendingRef &) = delete;
    ~PendingRef() { dbus_pending_call_unref(p); }
};

int64_t monotonic_ms() {
    timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

std::string address_path(const std::string &address) {
    constexpr std::string_view kPrefix = "unix:path=";
    if (address.rfind(kPrefix, 0) != 0) return std::string();
    std::string path = address.substr(kPrefix.size());
    return path.substr(0, path.find(','));
}

} // namespace

std::string systemd_unit_of(std::string_view rel) {
    while (!rel.empty() && rel.back() == '/')
        rel.remove_suffix(1);
    size_t slash = rel.rfind('/');
    if (slash == std::string_view::npos) return std::string();
    std::string_view leaf = rel.substr(slash + 1), parent = rel.substr(0, slash);
    size_t pslash = parent.rfind('/');
    std::string_view parent_leaf =
        pslash == std::string_view::npos ? parent : parent.substr(pslash + 1);
    if (!(ends_with(leaf, ".scope") || ends_with(leaf, ".service"))) return std::string();
    if (!ends_with(parent_leaf, ".slice")) return std::string();
    if (!valid_unit_name(leaf)) return std::string();
    return std::string(leaf);
}

std::string systemd_unit_of(const CgroupTarget &target) {
    std::string u = systemd_unit_of(target.cpu.rel);
    return u.empty() ? systemd_unit_of(target.cpuset.rel) : u;
}

bool valid_unit_name(std::string_view unit) {
    if (unit.empty() || unit.size() > 255) return false;
    for (char c : unit) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == ':' || c == '_' || c == '.' || c == '\\' || c == '@' || c == '-';
        if (!ok) return false;
    }
    return true;
}

std::vector<uint8_t> cpu_mask_bytes(const CpuSet &cpus) {
    std::vector<uint8_t> out;
    for (unsigned cpu = 0; cpu < kMaxCpus; ++cpu) {
        if (!cpus.contains(cpu)) continue;
        if (out.size() <= cpu / 8) out.resize(cpu / 8 + 1, 0);
        out[cpu / 8] = static_cast<uint8_t>(out[cpu / 8] | (1u << (cpu % 8)));
    }
    return out;
}

uint64_t quota_per_sec_usec(int64_t quota_us, int64_t period_us) {
    if (quota_us <= 0 || period_us <= 0) return kSystemdInfinity;
    auto q = static_cast<uint64_t>(quota_us), p = static_cast<uint64_t>(period_us);
    return (q * 1000000 + p - 1) / p;
}

std::string UnitProperties::describe() const {
    std::string s;
    auto add = [&](const char *k, const std::string &v) {
        s += (s.empty() ? "" : " ") + std::string(k) + "=" + v;
    };
    if (allowed_cpus) add("AllowedCPUs", allowed_cpus->format());
    if (cpu_weight) add("CPUWeight", std::to_string(*cpu_weight));
    if (cpu_shares) add("CPUShares", std::to_string(*cpu_shares));
    if (quota_per_sec_usec)
        add("CPUQuotaPerSecUSec", *quota_per_sec_usec == kSystemdInfinity
                                      ? std::string("infinity")
                                      : std::to_string(*quota_per_sec_usec));
    if (quota_period_usec) add("CPUQuotaPeriodUSec", std::to_string(*quota_period_usec));
    return s;
}

UnitProperties unit_properties_for(const Plan &plan, bool cpu_v2, SharesToWeight formula) {
    UnitProperties p;
    p.allowed_cpus = plan.cpuset;
    if (plan.shares) {
        if (cpu_v2)
            p.cpu_weight = shares_to_weight(*plan.shares, formula);
        else
            p.cpu_shares = *plan.shares;
    }
    if (plan.quota_us)
        p.quota_per_sec_usec =
            quota_per_sec_usec(*plan.quota_us, plan.period_us.value_or(kDefaultCfsPeriod));
    if (plan.period_us) p.quota_period_usec = static_cast<uint64_t>(*plan.period_us);
    return p;
}

UnitProperties unit_properties_for_values(const std::map<std::string, std::string> &values) {
    UnitProperties p;
    auto number = [](const std::string &v) -> std::optional<int64_t> {
        try {
            size_t used = 0;
            long long n = std::stoll(v, &used);
            if (used != v.size()) return std::nullopt;
            return static_cast<int64_t>(n);
        } catch (...) {
            return std::nullopt;
        }
    };
    std::optional<int64_t> quota, period;
    bool unlimited = false;
    for (const auto &[file, raw] : values) {
        std::string base =
            file.substr(file.rfind('/') == std::string::npos ? 0 : file.rfind('/') + 1);
        std::string v = raw;
        while (!v.empty() && (v.back() == '\n' || v.back() == ' '))
            v.pop_back();
        if (base == "cpuset.cpus") {
            if (auto cs = CpuSet::parse(v)) p.allowed_cpus = *cs;
        } else if (base == "cpu.shares") {
            if (auto n = number(v); n && *n > 0) p.cpu_shares = static_cast<uint64_t>(*n);
        } else if (base == "cpu.weight") {
            if (auto n = number(v); n && *n > 0) p.cpu_weight = static_cast<uint64_t>(*n);
        } else if (base == "cpu.cfs_quota_us") {
            quota = number(v);
            unlimited = quota && *quota < 0;
        } else if (base == "cpu.cfs_period_us") {
            period = number(v);
        } else if (base == "cpu.max") {
            std::string q = v.substr(0, v.find(' '));
            if (v.find(' ') != std::string::npos) period = number(v.substr(v.find(' ') + 1));
            unlimited = q == "max";
            if (!unlimited) quota = number(q);
        }
    }
    if (period && *period > 0) p.quota_period_usec = static_cast<uint64_t>(*period);
    if (unlimited)
        p.quota_per_sec_usec = kSystemdInfinity;
    else if (quota && *quota > 0)
        p.quota_per_sec_usec = quota_per_sec_usec(*quota, period.value_or(kDefaultCfsPeriod));
    return p;
}

Result<std::string> apply_unit_properties(SystemdBus &bus, SystemdMode mode,
                                          const std::string &unit, const UnitProperties &props) {
    if (unit.empty()) return std::string("not a systemd unit: cgroup files only");
    if (mode == SystemdMode::Off)
        return std::string("off in the node config: cgroup files only (daemon-reload undoes them)");
    if (!bus.connected()) return "not set: " + bus.unreachable() + "; cgroup files only";
    if (props.empty()) return std::string();
    if (auto s = bus.set_unit_properties(unit, props); !s) return s.take_error();
    return "set " + props.describe();
}

Result<SystemdBus> SystemdBus::connect(const SystemdClientOptions &opt) {
    SystemdBus bus;
    bus.address_ = opt.address;
    bus.timeout_ms_ = opt.timeout_ms;
    ErrorHolder err;
    DBusConnection *c = dbus_connection_open_private(opt.address.c_str(), &err.e);
    if (c == nullptr) {
        std::string name = err.name();
        // Nothing listens: the socket is absent (ENOENT) or refuses (ECONNREFUSED).
        if (name == DBUS_ERROR_FILE_NOT_FOUND || name == DBUS_ERROR_NO_SERVER) {
            std::string path = address_path(opt.address);
            bus.why_ =
                (path.empty() ? opt.address : path) +
                (name == DBUS_ERROR_FILE_NOT_FOUND ? ": no such socket" : ": connection refused") +
                " (systemd not reachable)";
            return bus;
        }
        return make_error(Fault::System, "systemd D-Bus address " + opt.address +
                                             ": cannot connect: " + err.text());
    }
    // A private connection must never take the process down when it closes.
    dbus_connection_set_exit_on_disconnect(c, FALSE);
    bus.conn_ = c;
    return bus;
}

SystemdBus::SystemdBus(SystemdBus &&o) noexcept
    : conn_(o.conn_), address_(std::move(o.address_)), why_(std::move(o.why_)),
      timeout_ms_(o.timeout_ms_) {
    o.conn_ = nullptr;
}

SystemdBus &SystemdBus::operator=(SystemdBus &&o) noexcept {
    if (this != &o) {
        close();
        conn_ = o.conn_;
        o.conn_ = nullptr;
        address_ = std::move(o.address_);
        why_ = std::move(o.why_);
        timeout_ms_ = o.timeout_ms_;
    }
    return *this;
}

int SystemdBus::fd() const {
    int fd = -1;
    if (conn_ == nullptr || !dbus_connection_get_unix_fd(conn_, &fd)) return -1;
    return fd;
}

SystemdBus::~SystemdBus() {
    close();
}

void SystemdBus::close() {
    if (conn_ == nullptr) return;
    dbus_connection_close(conn_);
    dbus_connection_unref(conn_);
    conn_ = nullptr;
}

Status SystemdBus::set_unit_properties(const std::string &unit, const UnitProperties &props) {
    const std::string what = "systemd SetUnitProperties(" + unit + ")";
    if (conn_ == nullptr) return make_error(Fault::System, what + ": not connected: " + why_);
    if (!valid_unit_name(unit)) return make_error(Fault::System, what + ": not a valid unit name");
    MessageRef call(build_call(unit, props));
    if (call.m == nullptr) return make_error(Fault::System, what + ": out of memory");
    // libdbus's send_with_reply_and_block waits without a bound while the
    // connection authenticates; this loop holds the deadline over all of it.
    DBusPendingCall *pending_raw = nullptr;
    if (!dbus_connection_send_with_reply(conn_, call.m, &pending_raw, timeout_ms_) ||
        pending_raw == nullptr)
        return make_error(Fault::System, what + ": connection to " + address_ + " lost");
    PendingRef pending(pending_raw);
    const int64_t deadline = monotonic_ms() + timeout_ms_;
    while (!dbus_pending_call_get_completed(pending.p)) {
        int64_t left = deadline - monotonic_ms();
        if (left <= 0) {
            dbus_pending_call_cancel(pending.p);
            return make_error(Fault::System,
                              what + ": no reply within " + std::to_string(timeout_ms_) + " ms");
        }
        if (!dbus_connection_read_write_dispatch(conn_, static_cast<int>(left)) &&
            !dbus_pending_call_get_completed(pending.p))
            return make_error(Fault::System, what + ": connection to " + address_ + " lost");
    }
    MessageRef reply(dbus_pending_call_steal_reply(pending.p));
    if (reply.m == nullptr) return make_error(Fault::System, what + ": no reply");
    ErrorHolder err;
    if (dbus_set_error_from_message(&err.e, reply.m)) {
        std::string name = err.name();
        if (name == DBUS_ERROR_NO_REPLY || name == DBUS_ERROR_TIMEOUT)
            return make_error(Fault::System,
                              what + ": no reply within " + std::to_string(timeout_ms_) + " ms");
        if (!dbus_connection_get_is_connected(conn_))
            return make_error(Fault::System,
                              what + ": connection to " + address_ + " lost: " + err.text());
        return make_error(Fault::System, what + ": refused: " + name + ": " + err.text());
    }
    const char *sig = dbus_message_get_signature(reply.m);
    if (sig != nullptr && sig[0] != '\0')
        return make_error(Fault::System, what + ": unexpected reply with arguments \"" +
                                             std::string(sig) + "\" (is " + address_ +
                                             " systemd?)");
    return ok_status();
}

} // namespace wp
