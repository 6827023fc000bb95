// The ranges of the CPU resource values (docs/ARCHITECTURE.md §4, the override
// annotation), one table for the override annotation, the partition defaults
// and wpctl's node policy. 0 always means "the default" and is accepted besides
// the range.
#pragma once

#include <cstdint>

namespace wp {

struct Range {
    int64_t lo, hi;
};

inline constexpr Range kSharesRange{2, 262144};
inline constexpr Range kCpuLimitRange{1, 1000000000};    // millicores: 1M CPUs
inline constexpr Range kQuotaRange{1000, 1000000000000}; // µs: the kernel caps lower anyway
inline constexpr Range kPeriodRange{1000, 1000000};      // µs

} // namespace wp
