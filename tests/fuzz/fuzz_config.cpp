// libFuzzer harness: the node config parser (wp::parse_config).
#include "config.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    auto r = wp::parse_config(fuzz::text(data, size), "/etc/workload-partitioning/config.json");
    fuzz::check_error(r);
    if (r.ok()) {
        // The names of every enum value must exist (used in logs and wpctl explain).
        if (!wp::mode_name(r->mode) || !wp::failure_policy_name(r->failure_policy) ||
            !wp::log_target_name(r->log_target) || !wp::log_level_name(r->log_level))
            fuzz::violated("an enum value without a name");
    }
    return 0;
}
