// `wpctl explain`: what the hook would do for the container whose OCI state is
// on stdin. It runs the hook's own pipeline through the C API, with
// WP_FLAG_DRY_RUN | WP_FLAG_NO_LOG: one implementation, nothing written.
#include <cstdio>
#include <getopt.h>
#include <memory>
#include <string>

#include "cli.hpp"
#include "json.hpp"
#include "manifest.hpp"
#include "trusted_file.hpp"
#include "workload_partitioning.h"

namespace wpctl {

namespace {

struct ReportFree {
    void operator()(wp_report *r) const { wp_report_free(r); }
};

void explain_usage(std::FILE *out) {
    std::fprintf(out,
                 "Usage: wpctl explain [--config FILE] [--json] [STATE_FILE] < state.json\n"
                 "Prints the hook's decision for the OCI state (stdin, or STATE_FILE) without\n"
                 "writing anything. The exit status is the hook's: 0 done or nothing to do,\n"
                 "1 the hook would refuse the container, 2 usage or internal error.\n");
}

} // namespace

int cmd_explain(int argc, char **argv) {
    std::string config;
    bool json = false;
    static const option longopts[] = {{"config", required_argument, nullptr, 'c'},
                                      {"json", no_argument, nullptr, 'j'},
                                      {"help", no_argument, nullptr, 'h'},
                                      {nullptr, 0, nullptr, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+c:jh", longopts, nullptr)) != -1) {
        switch (c) {
        case 'c':
            config = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            explain_usage(stdout);
            return kExitOk;
        default:
            explain_usage(stderr);
            return kExitUsage;
        }
    }
    if (argc - optind > 1) {
        explain_usage(stderr);
        return kExitUsage;
    }
    std::string source = optind < argc ? argv[optind] : "-";
    // One byte more than the hook accepts, so that the pipeline reports the size.
    auto state = read_input_file(source, wp::kMaxStateBytes + 1);
    if (!state) {
        std::fprintf(stderr, "wpctl explain: %s\n", state.error().message.c_str());
        return kExitUsage;
    }
    // `runc state ID` and `crun state ID` print a running container's state with
    // status "running" (or "paused", "stopped"); the hook only ever sees
    // "creating" or "created". Explain such a state as the hook saw it at start.
    std::string text = std::move(*state);
    if (auto doc = wp::json_parse_strict(text, source == "-" ? "standard input" : source)) {
        json_object *st = nullptr;
        if (json_object_is_type(doc->get(), json_type_object) &&
            json_object_object_get_ex(doc->get(), "status", &st) &&
            json_object_is_type(st, json_type_string)) {
            std::string status = json_object_get_string(st);
            if (status == "running" || status == "paused" || status == "stopped") {
                std::fprintf(stderr,
                             "wpctl explain: state status \"%s\" explained as \"created\", "
                             "the status the hook saw\n",
                             status.c_str());
                json_object_object_add(doc->get(), "status", json_object_new_string("created"));
                text = json_object_to_json_string_ext(doc->get(), JSON_C_TO_STRING_PLAIN);
            }
        }
    }
    wp_report *raw = nullptr;
    int rc = wp_run(config.empty() ? nullptr : config.c_str(), text.data(), text.size(),
                    WP_FLAG_DRY_RUN | WP_FLAG_NO_LOG, &raw);
    std::unique_ptr<wp_report, ReportFree> report(raw);
    if (!report) {
        std::fprintf(stderr, "wpctl explain: no report (exit %d)\n", rc);
        return rc == 0 ? kExitUsage : rc;
    }
    const char *out = json ? wp_report_json(report.get()) : wp_report_text(report.get());
    if (out != nullptr) {
        std::fputs(out, stdout);
        size_t n = std::char_traits<char>::length(out);
        if (n == 0 || out[n - 1] != '\n') std::fputc('\n', stdout);
    }
    return rc;
}

} // namespace wpctl
