// libFuzzer harness: the OCI state parser (wp::parse_state) and the bundle
// config parser (wp::parse_bundle_config), which read the same kind of input.
#include "fuzz_common.hpp"
#include "state.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    auto t = fuzz::text(data, size);
    auto st = wp::parse_state(t);
    fuzz::check_error(st);
    if (st.ok()) {
        if (st->pid < 0) fuzz::violated("a negative pid was accepted");
        if (!st->has_annotations && !st->annotations.empty())
            fuzz::violated("annotations without the annotations key");
        if (st->annotations.size() > wp::kMaxAnnotations)
            fuzz::violated("more annotations than kMaxAnnotations");
    }
    auto bc = wp::parse_bundle_config(t, "fuzz/config.json");
    fuzz::check_error(bc);
    return 0;
}
