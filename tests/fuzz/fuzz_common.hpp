// Shared helpers for the libFuzzer harnesses (tests/fuzz/fuzz_*.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace fuzz {

inline std::string_view text(const uint8_t *data, size_t size) {
    return {reinterpret_cast<const char *>(data), size};
}

// An invariant of the parser does not hold: report it and crash, so that
// libFuzzer saves the input as a crash artifact.
[[noreturn]] inline void violated(const char *what) {
    std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
    std::abort();
}

// Every error message must be non-empty (it names the file, key or value at fault).
template <class R> void check_error(const R &r) {
    if (!r.ok() && r.error().message.empty()) violated("an error without a message");
}

} // namespace fuzz
