// The node config: /etc/workload-partitioning/config.json, every key optional.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "result.hpp"

namespace wp {

inline constexpr const char *kDefaultConfigPath = "/etc/workload-partitioning/config.json";
inline constexpr const char *kDefaultPartitionsPath = "/etc/workload-partitioning/partitions.json";

enum class Mode { Enforce, Audit };
enum class FailurePolicy { Fail, Ignore };
enum class SharesToWeight { Quadratic, Linear };
enum class LogLevel { Error = 0, Warning = 1, Info = 2, Debug = 3 };
enum class LogTarget { Auto, Journal, Syslog, Stderr };
// "auto": set a systemd unit's properties when the cgroup is one and systemd is reachable.
enum class SystemdMode { Auto, Off };

inline constexpr const char *kDefaultPinRecordDir = "/run/workload-partitioning/pins";
inline constexpr const char *kDefaultSystemdAddress = "unix:path=/run/systemd/private";
inline constexpr int kDefaultSystemdTimeoutMs = 500;
inline constexpr int kMaxSystemdTimeoutMs = 4000; // below the hooks.d timeout (5 s)

struct NodeConfig {
    bool enabled = false; // an absent "enabled" key means off, like the shipped file
    Mode mode = Mode::Enforce;
    FailurePolicy failure_policy = FailurePolicy::Fail;
    std::string partitions_file = kDefaultPartitionsPath;
    SharesToWeight shares_to_weight = SharesToWeight::Quadratic;
    std::string cgroup_root = "/sys/fs/cgroup";
    std::string proc_root = "/proc";
    LogLevel log_level = LogLevel::Info;
    LogTarget log_target = LogTarget::Auto;
    SystemdMode systemd = SystemdMode::Auto;
    // Where systemd's private socket is (a D-Bus address; tests point it at a fake).
    std::string systemd_address = kDefaultSystemdAddress;
    int systemd_timeout_ms = kDefaultSystemdTimeoutMs;
    std::string pin_record_dir = kDefaultPinRecordDir;
};

// Parses a node config. Unknown keys are refused (a typo in the toggle file must
// not silently turn into a default). Errors are Fault::Usage naming `path`.
Result<NodeConfig> parse_config(std::string_view text, std::string_view path);

// Loads the node config as a trusted file. Absent file -> std::nullopt (the hook is off).
Result<std::optional<NodeConfig>> load_config(const std::string &path);

const char *mode_name(Mode m);
const char *failure_policy_name(FailurePolicy p);
const char *log_target_name(LogTarget t);
const char *log_level_name(LogLevel l);
const char *systemd_mode_name(SystemdMode m);

} // namespace wp
