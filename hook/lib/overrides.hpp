// The per-container override annotation <annotationPrefix>/<container-name>.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpuset.hpp"
#include "result.hpp"

namespace wp {

// One override key. Absent and 0 both mean "the partition default"; JSON null
// means "change nothing" for that resource.
struct Field {
    enum class Kind { Default, Null, Value };
    Kind kind = Kind::Default;
    int64_t value = 0;
};

struct Overrides {
    Field cpushares, cpulimit, cpuquota, cpuperiod;
    bool cpuset_null = false;
    std::optional<CpuSet> cpuset;          // a non-empty cpuset string
    std::vector<std::string> unknown_keys; // ignored, logged
};

// Parses an override annotation's value. `key` (the annotation key) names the
// source in every error. Errors are Fault::Input. The value JSON `null` as a
// whole means no override.
Result<Overrides> parse_overrides(std::string_view value, std::string_view key);

} // namespace wp
