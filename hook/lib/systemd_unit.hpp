// systemd units: which unit owns a container's cgroup, the unit properties that
// carry a Plan, and a D-Bus client that sets them with
// org.freedesktop.systemd1.Manager.SetUnitProperties(unit, runtime=true, props).
//
// systemd owns a unit's own cgroup attributes and writes back what it knows on
// every daemon-reload; a pin written only into cgroupfs does not survive that.
// Setting the same values as the unit's runtime properties makes them systemd's.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroup_locate.hpp"
#include "config.hpp"
#include "cpuset.hpp"
#include "decision.hpp"
#include "result.hpp"

struct DBusConnection; // libdbus

namespace wp {

// The unit that owns a cgroup directory (relative to cgroupRoot, as in
// ControllerDir::rel): its last component when that is "<name>.scope" or
// "<name>.service" and its parent is a "*.slice". "" when it is not a unit.
std::string systemd_unit_of(std::string_view cgroup_rel);

// The unit of a located target: the cpu controller's directory, else the cpuset's.
std::string systemd_unit_of(const CgroupTarget &target);

// AllowedCPUs' wire form (D-Bus "ay"): bit n%8 of byte n/8 is CPU n; no trailing
// zero bytes; the empty set is the empty array ("no restriction").
std::vector<uint8_t> cpu_mask_bytes(const CpuSet &cpus);

// CPUQuotaPerSecUSec for a CFS quota and period (µs): quota × 1,000,000 / period,
// rounded up, so that systemd's own conversion back (per_sec × period /
// 1,000,000, rounded down) gives exactly `quota_us`.
uint64_t quota_per_sec_usec(int64_t quota_us, int64_t period_us);

// systemd's "infinity" for CPUQuotaPerSecUSec (no quota).
inline constexpr uint64_t kSystemdInfinity = UINT64_MAX;

// The runtime properties set on a unit; absent ones are not sent.
struct UnitProperties {
    std::optional<CpuSet> allowed_cpus;         // AllowedCPUs (ay)
    std::optional<uint64_t> cpu_weight;         // CPUWeight (t), cgroup v2
    std::optional<uint64_t> cpu_shares;         // CPUShares (t), cgroup v1
    std::optional<uint64_t> quota_per_sec_usec; // CPUQuotaPerSecUSec (t)
    std::optional<uint64_t> quota_period_usec;  // CPUQuotaPeriodUSec (t)
    bool empty() const {
        return !allowed_cpus && !cpu_weight && !cpu_shares && !quota_per_sec_usec &&
               !quota_period_usec;
    }
    // "AllowedCPUs=1 CPUWeight=49 ...", as `systemctl set-property` takes them.
    std::string describe() const;
};

// The properties that carry `plan` for a unit whose cpu controller is v2 (weight)
// or v1 (shares). A quota comes with its period (the decision always sets one).
UnitProperties unit_properties_for(const Plan &plan, bool cpu_v2, SharesToWeight formula);

// The properties that carry recorded cgroup file values back (a pin record's
// "before": file relative to cgroupRoot -> value): cpuset.cpus -> AllowedCPUs
// ("" = no restriction), cpu.shares -> CPUShares, cpu.weight -> CPUWeight,
// cpu.cfs_quota_us / cpu.cfs_period_us / cpu.max -> CPUQuota* ("-1", "max" =
// infinity). Values that do not parse are left out.
UnitProperties unit_properties_for_values(const std::map<std::string, std::string> &values);

// A systemd unit name as D-Bus may carry it: [A-Za-z0-9:_.\\@-], 1..255 bytes.
bool valid_unit_name(std::string_view unit);

// How the hook reaches systemd. `address` is a D-Bus address of a peer-to-peer
// server (systemd's private socket; tests give a fake's); no Hello is sent.
struct SystemdClientOptions {
    std::string address = kDefaultSystemdAddress; // systemd's private socket: PID 1, no bus daemon
    int timeout_ms = kDefaultSystemdTimeoutMs;
};

// A private D-Bus connection to systemd. Connecting is separate from calling so
// that the connection can be made before the seccomp sandbox and used after it.
class SystemdBus {
  public:
    // Connects. When nothing listens (the socket is absent, or refuses the
    // connection: systemd is not running here) the result is an unconnected
    // bus whose unreachable() says why; other failures are errors.
    static Result<SystemdBus> connect(const SystemdClientOptions &opt);

    SystemdBus() = default;
    SystemdBus(SystemdBus &&o) noexcept;
    SystemdBus &operator=(SystemdBus &&o) noexcept;
    SystemdBus(const SystemdBus &) = delete;
    SystemdBus &operator=(const SystemdBus &) = delete;
    ~SystemdBus();

    bool connected() const { return conn_ != nullptr; }
    // The connection's socket (for the sandbox's rules), -1 when not connected.
    int fd() const;
    const std::string &unreachable() const { return why_; }

    // SetUnitProperties(unit, true, props), waiting at most the timeout for the
    // reply. Errors (Fault::System) name the unit: systemd's error reply
    // ("refused"), no reply in time, a lost connection, a reply that is not the
    // empty method return SetUnitProperties gives.
    Status set_unit_properties(const std::string &unit, const UnitProperties &props);

  private:
    void close();
    ::DBusConnection *conn_ = nullptr;
    std::string address_, why_;
    int timeout_ms_ = kDefaultSystemdTimeoutMs;
};

// The systemd half of the write path, run before the cgroup files are written:
// sets `props` on `unit` when the cgroup is a unit, the node config does not
// turn systemd off, and the bus is connected. Returns what was done for the log
// and the pin record ("set ...", or why not; "" when there was nothing to set);
// systemd's refusal is an error.
Result<std::string> apply_unit_properties(SystemdBus &bus, SystemdMode mode,
                                          const std::string &unit, const UnitProperties &props);

} // namespace wp
