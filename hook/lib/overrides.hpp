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

// One override key. Absent, 0 and JSON null all mean "the partition default", as
// in CRI-O (Go's encoding/json leaves a field untouched for null).
struct Field {
    enum class Kind { Default, Value };
    Kind kind = Kind::Default;
    int64_t value = 0;
};

struct Overrides {
    // The whole value was JSON null: leave the container exactly as the runtime
    // made it, nothing written, not even the partition's defaults or cpuset
    // (CRI-O's MutateSpec(nil)).
    bool whole_null = false;
    Field cpushares, cpulimit, cpuquota, cpuperiod;
    std::optional<CpuSet> cpuset;          // a non-empty cpuset string
    std::vector<std::string> unknown_keys; // ignored, logged
};

// Parses an override annotation's value. `key` (the annotation key) names the
// source in every error. Errors are Fault::Input.
Result<Overrides> parse_overrides(std::string_view value, std::string_view key);

} // namespace wp
