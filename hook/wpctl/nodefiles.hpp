// The node's own inputs to `wpctl merge`: the kubelet pinning file
// (/etc/kubernetes/openshift-workload-pinning) and the optional node policy
// (/etc/workload-partitioning/policy.json).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cpuset.hpp"
#include "diag.hpp"
#include "partitions.hpp"
#include "result.hpp"

namespace wpctl {

inline constexpr const char *kDefaultPinningPath = "/etc/kubernetes/openshift-workload-pinning";
inline constexpr const char *kDefaultPolicyPath = "/etc/workload-partitioning/policy.json";

struct PinningEntry {
    std::string cpuset_text; // canonical form
    wp::CpuSet cpuset;
};
using Pinning = std::map<std::string, PinningEntry, std::less<>>;

// {"<partition>": {"cpuset": "0-1,52-53"}, ...}. Unknown keys inside an entry
// are warnings (the kubelet owns this file); everything else is an error.
Pinning parse_pinning(std::string_view text, const std::string &path, Diagnostics &diag);

struct PolicyEntry {
    std::vector<std::string> allowed_namespaces;
    wp::PartitionDefaults defaults;
};
using Policy = std::map<std::string, PolicyEntry, std::less<>>;

// {"<partition>": {"allowedNamespaces": [...], "defaults": {"cpushares": N,
// "cpuquota": N, "cpuperiod": N}}}. Unknown keys are errors (an admin's typo
// must not silently widen a partition).
Policy parse_policy(std::string_view text, const std::string &path, Diagnostics &diag);

} // namespace wpctl
