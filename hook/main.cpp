// workload-partitioning-hook: a thin main over libworkload-partitioning.
// Reads the OCI state on stdin, runs the pipeline, exits 0, 1 or 2.
#include <csignal>
#include <cstring>
#include <string>
#include <unistd.h>

#include "log.hpp"
#include "trusted_file.hpp"
#include "workload_partitioning.h"

namespace {

void put(int fd, const std::string &s) {
    size_t off = 0;
    while (off < s.size()) {
        ssize_t n = ::write(fd, s.data() + off, s.size() - off);
        if (n <= 0) return;
        off += static_cast<size_t>(n);
    }
}

constexpr const char *kUsage =
    "Usage: workload-partitioning-hook [--config FILE] [--help] [--version]\n"
    "OCI runtime hook (createRuntime): reads the OCI state on stdin and pins a container\n"
    "that activates a workload partition onto the partition's CPUs.\n"
    "  --config FILE  node config (default /etc/workload-partitioning/config.json)\n"
    "Exit status: 0 done or nothing to do, 1 refused (failurePolicy fail), 2 usage or\n"
    "internal error. See workload-partitioning-hook(8).\n";

// The hooks.d registration gives the hook 5 s; a runtime that hands over a
// non-blocking stdin may still be writing the state. Wait for it up to 4 s and
// keep the last second for the run itself.
constexpr int kStdinWaitMs = 4000;

// The one short stderr line: escaped (no control character of a pod's text
// reaches the runtime's error or a terminal), bounded, always one line.
void error_line(std::string_view message) {
    put(2, "workload-partitioning-hook: " + wp::escape_line(message) + "\n");
}

} // namespace

int main(int argc, char **argv) {
    // A stderr whose reader is gone must not kill the hook after it wrote a cgroup:
    // a failed write is ignored and never changes the exit code.
    ::signal(SIGPIPE, SIG_IGN);
    const char *config = nullptr;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--help" || a == "-h") {
            put(1, kUsage);
            return 0;
        }
        if (a == "--version") {
            put(1, std::string("workload-partitioning-hook ") + wp_version() + "\n");
            return 0;
        }
        if (a == "--config") {
            if (i + 1 >= argc) {
                put(2, std::string("workload-partitioning-hook: --config needs a FILE\n") + kUsage);
                return 2;
            }
            config = argv[++i];
        } else if (a.rfind("--config=", 0) == 0) {
            config = argv[i] + 9;
        } else {
            error_line("unknown argument \"" + std::string(a) + "\"");
            put(2, kUsage);
            return 2;
        }
    }
    auto state = wp::read_fd_bounded(0, wp::kMaxStateBytes, "OCI state on stdin", kStdinWaitMs);
    if (!state) {
        error_line(state.error().message);
        return 2;
    }
    wp_report *report = nullptr;
    int code = wp_run(config, state->data(), state->size(), WP_FLAG_SANDBOX, &report);
    if (const char *err = wp_report_error(report))
        error_line(err);
    else if (report == nullptr && code != 0)
        error_line("internal error");
    wp_report_free(report);
    return code;
}
