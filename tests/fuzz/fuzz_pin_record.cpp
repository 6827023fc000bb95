// libFuzzer harness: the pin record parser (wp::parse_pin_record), which the
// reconciler, unpin, audit and status run on every record of the node.
#include "fuzz_common.hpp"
#include "pin_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    auto r = wp::parse_pin_record(fuzz::text(data, size), "pin record");
    fuzz::check_error(r);
    if (r.ok()) {
        // What the writer writes, the parser reads back to the same record.
        std::string once = wp::pin_record_json(*r);
        auto again = wp::parse_pin_record(once, "pin record (rewritten)");
        if (!again.ok()) fuzz::violated("a written record does not parse");
        if (wp::pin_record_json(*again) != once) fuzz::violated("a record does not round-trip");
    }
    return 0;
}
