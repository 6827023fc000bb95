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

} // namespace wp
