// The kernel's CPU list format ("0-3,8,10-11"), ids bounded (< kMaxCpus).
#pragma once

#include <bitset>
#include <cstddef>
#include <string>
#include <string_view>

#include "result.hpp"

namespace wp {

inline constexpr unsigned kMaxCpus = 8192;

class CpuSet {
  public:
    // Parses the list format. "" and "\n" are the empty set. Whitespace around
    // the whole string (a trailing newline from a cgroup file) is accepted;
    // inside it is not. Ranges must be ascending; ids must be < kMaxCpus.
    static Result<CpuSet> parse(std::string_view text);

    std::string format() const; // canonical form, e.g. "0-3,8,10-11"; "" when empty
    bool empty() const { return bits_.none(); }
    size_t count() const { return bits_.count(); }
    bool contains(unsigned cpu) const { return cpu < kMaxCpus && bits_.test(cpu); }
    bool subset_of(const CpuSet &other) const { return (bits_ & ~other.bits_).none(); }
    bool intersects(const CpuSet &other) const { return (bits_ & other.bits_).any(); }
    bool operator==(const CpuSet &other) const { return bits_ == other.bits_; }

  private:
    std::bitset<kMaxCpus> bits_;
};

} // namespace wp
