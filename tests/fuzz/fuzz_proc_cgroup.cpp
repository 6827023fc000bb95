// libFuzzer harness: /proc/<pid>/cgroup parsing and the lexical confinement
// checks (wp::parse_proc_cgroup, wp::check_cgroup_path, wp::expand_systemd_slice).
#include <string>
#include <string_view>

#include "cgroup_locate.hpp"
#include "fuzz_common.hpp"

namespace {
bool has_dotdot(std::string_view p) {
    while (!p.empty()) {
        size_t s = p.find('/');
        if (p.substr(0, s) == "..") return true;
        if (s == std::string_view::npos) break;
        p.remove_prefix(s + 1);
    }
    return false;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    auto t = fuzz::text(data, size);
    auto lines = wp::parse_proc_cgroup(t, "/proc/1/cgroup");
    fuzz::check_error(lines);
    if (lines.ok()) {
        for (const auto &l : *lines) {
            if (l.path.empty() || l.path.front() != '/') fuzz::violated("a relative path accepted");
            auto st = wp::check_cgroup_path(l.path, "/proc/1/cgroup");
            fuzz::check_error(st);
            if (st.ok() && has_dotdot(l.path)) fuzz::violated("a path with '..' passed the check");
            if (st.ok() && l.path.find('\0') != std::string::npos)
                fuzz::violated("a path with NUL passed the check");
        }
    }
    auto slice = wp::expand_systemd_slice(t);
    fuzz::check_error(slice);
    if (slice.ok() && has_dotdot(*slice)) fuzz::violated("a slice expanded to a path with '..'");
    return 0;
}
