// libFuzzer harness: the kernel CPU list parser (wp::CpuSet::parse).
#include <string>

#include "cpuset.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    auto r = wp::CpuSet::parse(fuzz::text(data, size));
    fuzz::check_error(r);
    if (!r.ok()) return 0;
    // Round trip: the canonical form parses back to the same set, and is a fixed point.
    std::string canon = r->format();
    auto again = wp::CpuSet::parse(canon);
    if (!again.ok()) fuzz::violated("the canonical form does not parse");
    if (!(*again == *r)) fuzz::violated("the canonical form names another set");
    if (again->format() != canon) fuzz::violated("format is not idempotent");
    if (r->count() > wp::kMaxCpus) fuzz::violated("more CPUs than kMaxCpus");
    if (!r->subset_of(*again) || !again->subset_of(*r))
        fuzz::violated("subset_of disagrees with ==");
    return 0;
}
