// workload-partitioning-hook: a thin main over libworkload-partitioning.
// Reads the OCI state on stdin, runs the pipeline, exits 0, 1 or 2.
#include <cstring>
#include <string>
#include <unistd.h>

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

} // namespace

int main(int argc, char **argv) {
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
            put(2, "workload-partitioning-hook: unknown argument \"" + std::string(a) + "\"\n" +
                       kUsage);
            return 2;
        }
    }
    auto state = wp::read_fd_bounded(0, wp::kMaxStateBytes, "OCI state on stdin");
    if (!state) {
        put(2, "workload-partitioning-hook: " + state.error().message + "\n");
        return 2;
    }
    wp_report *report = nullptr;
    int code = wp_run(config, state->data(), state->size(), WP_FLAG_SANDBOX, &report);
    if (const char *err = wp_report_error(report))
        put(2, std::string("workload-partitioning-hook: ") + err + "\n");
    else if (report == nullptr && code != 0)
        put(2, "workload-partitioning-hook: internal error\n");
    wp_report_free(report);
    return code;
}
