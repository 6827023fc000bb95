// libFuzzer harness: the merged partition file parser (wp::parse_partitions),
// with the round trip through wp::format_partitions that `wpctl merge` relies on.
#include "fuzz_common.hpp"
#include "partitions.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    auto r =
        wp::parse_partitions(fuzz::text(data, size), "/etc/workload-partitioning/partitions.json");
    fuzz::check_error(r);
    if (!r.ok()) return 0;
    if (r->partitions.size() > wp::kMaxPartitions) fuzz::violated("more than kMaxPartitions");
    for (const auto &p : r->partitions)
        if (!wp::is_dns1123_label(p.name))
            fuzz::violated("a partition name that is not a DNS label");
    std::string once = wp::format_partitions(*r);
    auto again = wp::parse_partitions(once, "formatted");
    if (!again.ok()) {
        std::fprintf(stderr, "%s\n", again.error().message.c_str());
        fuzz::violated("format_partitions wrote a file that parse_partitions refuses");
    }
    if (wp::format_partitions(*again) != once) fuzz::violated("format/parse is not a fixed point");
    return 0;
}
