// libFuzzer harness: the per-container override annotation (wp::parse_overrides).
#include "fuzz_common.hpp"
#include "overrides.hpp"

namespace {
void check_field(const wp::Field &f, int64_t lo, int64_t hi) {
    if (f.kind == wp::Field::Kind::Value && (f.value < lo || f.value > hi))
        fuzz::violated("an override value outside its documented range was accepted");
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    auto r = wp::parse_overrides(fuzz::text(data, size), "resources.workload.openshift.io/fuzz");
    fuzz::check_error(r);
    if (r.ok()) {
        check_field(r->cpushares, 2, 262144);
        check_field(r->cpulimit, 1, INT64_MAX);
        check_field(r->cpuquota, 1000, INT64_MAX);
        check_field(r->cpuperiod, 1000, 1000000);
        if (r->cpuset) {
            auto again = wp::CpuSet::parse(r->cpuset->format());
            if (!again.ok() || !(*again == *r->cpuset))
                fuzz::violated("an override cpuset does not survive format/parse");
        }
    }
    return 0;
}
