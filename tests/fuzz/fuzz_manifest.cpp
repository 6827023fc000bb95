// libFuzzer harness: wpctl's WorkloadPartitions manifest reader (JSON or YAML,
// single objects, Lists, multi-document streams): wpctl::read_manifest_text.
#include <vector>

#include "fuzz_common.hpp"
#include "manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::vector<wpctl::ManifestObject> out;
    wpctl::Diagnostics diag;
    const std::string path = size && data[0] == '{' ? "fuzz.json" : "fuzz.yaml";
    wpctl::read_manifest_text(fuzz::text(data, size), path, out, diag);
    for (const auto &o : out)
        for (const auto &n : o.names)
            if (n.empty()) fuzz::violated("an empty partition name was accepted");
    for (const auto &d : diag.items())
        if (d.message.empty()) fuzz::violated("a diagnostic without a message");
    return 0;
}
