// wpctl: the administrator's tool for workload partitioning (docs/ARCHITECTURE.md §6).
#include <cstdio>
#include <cstring>

#include "cli.hpp"
#include "workload_partitioning.h"

namespace {

void usage(std::FILE *out) {
    std::fprintf(
        out, "Usage: wpctl COMMAND [OPTIONS] ...\n"
             "Commands:\n"
             "  merge     merge WorkloadPartitions objects into the merged partition file\n"
             "  validate  check manifests, pinning files, policies, node configs, merged files\n"
             "  explain   show the hook's decision for an OCI state, without writing\n"
             "  status    list the containers pinned to a partition, and drifted ones\n"
             "  reconcile repair drift and re-pin from the pin records (--watch: keep doing it)\n"
             "  unpin     restore the recorded pre-pin values and drop the records\n"
             "  audit     per partition: escaped management containers, overlapping others\n"
             "Run 'wpctl COMMAND --help' for a command's options; see wpctl(8).\n");
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return wpctl::kExitUsage;
    }
    const char *cmd = argv[1];
    if (std::strcmp(cmd, "--help") == 0 || std::strcmp(cmd, "-h") == 0 ||
        std::strcmp(cmd, "help") == 0) {
        usage(stdout);
        return wpctl::kExitOk;
    }
    if (std::strcmp(cmd, "--version") == 0 || std::strcmp(cmd, "version") == 0) {
        std::printf("wpctl %s\n", wp_version());
        return wpctl::kExitOk;
    }
    // Each command parses its own options: argv[1] becomes its argv[0].
    if (std::strcmp(cmd, "merge") == 0) return wpctl::cmd_merge(argc - 1, argv + 1);
    if (std::strcmp(cmd, "validate") == 0) return wpctl::cmd_validate(argc - 1, argv + 1);
    if (std::strcmp(cmd, "explain") == 0) return wpctl::cmd_explain(argc - 1, argv + 1);
    if (std::strcmp(cmd, "status") == 0) return wpctl::cmd_status(argc - 1, argv + 1);
    if (std::strcmp(cmd, "reconcile") == 0) return wpctl::cmd_reconcile(argc - 1, argv + 1);
    if (std::strcmp(cmd, "unpin") == 0) return wpctl::cmd_unpin(argc - 1, argv + 1);
    if (std::strcmp(cmd, "audit") == 0) return wpctl::cmd_audit(argc - 1, argv + 1);
    std::fprintf(stderr, "wpctl: unknown command \"%s\"\n", cmd);
    usage(stderr);
    return wpctl::kExitUsage;
}
