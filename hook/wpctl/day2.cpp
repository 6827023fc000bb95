// Day 2: `wpctl reconcile [--watch]`, `wpctl unpin`, `wpctl audit`. Each is a
// command line over the library's node view (node_view.hpp) and reconcile pass
// (reconcile.hpp); nothing here decides or writes a cgroup.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <getopt.h>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "cli.hpp"
#include "config.hpp"
#include "json.hpp"
#include "log.hpp"
#include "node_view.hpp"
#include "partitions.hpp"
#include "reconcile.hpp"
#include "state.hpp"

namespace wpctl {

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_stop(int) {
    g_stop = 1;
}

double now_seconds(clockid_t clock) {
    timespec ts;
    ::clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// "reconcile: 12 records: 10 pinned, 1 repaired, 0 re-pinned, 1 dropped, 0 refused, 0 errors"
void print_summary(const wp::PassResult &p, double seconds) {
    std::printf("%zu records: %zu pinned, %zu repaired, %zu re-pinned, %zu dropped, %zu refused, "
                "%zu errors (%.3f ms)%s\n",
                p.records, p.pinned, p.repaired, p.repinned, p.dropped, p.refused, p.errors,
                seconds * 1e3,
                p.disabled ? "; node config absent or disabled: nothing repaired" : "");
}

void print_action(const wp::LogRecord &r, bool json) {
    if (json) {
        std::printf("%s\n", wp::log_record_json(r).c_str());
        return;
    }
    std::string outcome, id, extra;
    for (const auto &f : r.fields) {
        if (f.key == "outcome") outcome = f.value;
        if (f.key == "container_id") id = f.value;
        if (f.key == "from" || f.key == "to" || f.key == "drifted")
            extra += "  " + f.key + ": " + f.value;
    }
    std::string shown;
    wp::json_append_quoted(shown, id); // ids of refused records come from file names
    std::printf("%-10s %s: %s%s\n", outcome.c_str(), shown.c_str(), r.message.c_str(),
                extra.c_str());
}

// --config FILE and --pin-dir DIR, which every day-2 command takes.
bool node_option(int c, wp::ReconcileOptions &opt) {
    if (c == 'c') opt.config_path = optarg;
    if (c == 'd') opt.pin_dir = optarg;
    return c == 'c' || c == 'd';
}

void reconcile_usage(std::FILE *out) {
    std::fprintf(out,
                 "Usage: wpctl reconcile [--config FILE] [--pin-dir DIR] [--metrics FILE]\n"
                 "                       [--dry-run] [--json] [--watch [--interval SECONDS]]\n"
                 "One pass over the pin records: drop the records of containers that are gone,\n"
                 "repair drift, re-pin when the partition file or node config changed.\n"
                 "--watch repeats the pass every interval (default 5 s) until SIGTERM.\n"
                 "Exit 0: done; 1: a record was refused or a repair failed; 2: usage or inputs.\n");
}

} // namespace

int cmd_reconcile(int argc, char **argv) {
    wp::ReconcileOptions opt;
    std::string metrics;
    bool watch = false, json = false;
    double interval = 5;
    long passes = 0; // --passes N: stop after N passes (tests, benchmarks)
    static const option longopts[] = {
        {"config", required_argument, nullptr, 'c'},   {"pin-dir", required_argument, nullptr, 'd'},
        {"metrics", required_argument, nullptr, 'm'},  {"watch", no_argument, nullptr, 'w'},
        {"interval", required_argument, nullptr, 'i'}, {"passes", required_argument, nullptr, 'n'},
        {"dry-run", no_argument, nullptr, 'D'},        {"json", no_argument, nullptr, 'j'},
        {"help", no_argument, nullptr, 'h'},           {nullptr, 0, nullptr, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+c:wjh", longopts, nullptr)) != -1) {
        if (node_option(c, opt)) continue;
        switch (c) {
        case 'm':
            metrics = optarg;
            break;
        case 'w':
            watch = true;
            break;
        case 'i': {
            char *end = nullptr;
            errno = 0;
            interval = std::strtod(optarg, &end);
            if (errno != 0 || end == optarg || *end != '\0' || !(interval >= 0) ||
                interval > 86400) {
                std::fprintf(stderr,
                             "wpctl reconcile: --interval \"%s\": want seconds, 0.01..86400 (0 "
                             "with --passes)\n",
                             optarg);
                return kExitUsage;
            }
            break;
        }
        case 'n': {
            char *end = nullptr;
            passes = std::strtol(optarg, &end, 10);
            if (end == optarg || *end != '\0' || passes < 1) {
                std::fprintf(stderr, "wpctl reconcile: --passes \"%s\": want a count >= 1\n",
                             optarg);
                return kExitUsage;
            }
            break;
        }
        case 'D':
            opt.dry_run = true;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            reconcile_usage(stdout);
            return kExitOk;
        default:
            reconcile_usage(stderr);
            return kExitUsage;
        }
    }
    if (optind != argc) {
        reconcile_usage(stderr);
        return kExitUsage;
    }
    if (!watch && passes == 0) passes = 1;
    if (interval < 0.01 && passes == 0) { // back-to-back passes only for a bounded run
        std::fprintf(stderr, "wpctl reconcile: --interval below 0.01 needs --passes\n");
        return kExitUsage;
    }
    struct sigaction sa {};
    sa.sa_handler = on_stop;
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);

    wp::ReconcileTotals totals;
    int rc = kExitOk;
    for (long n = 0; !g_stop && (passes == 0 || n < passes); ++n) {
        double t0 = now_seconds(CLOCK_MONOTONIC);
        auto pass = wp::reconcile_pass(opt);
        double seconds = now_seconds(CLOCK_MONOTONIC) - t0;
        if (!pass) {
            std::fprintf(stderr, "wpctl reconcile: %s\n", pass.error().message.c_str());
            wp::PassResult failed;
            failed.errors = 1;
            totals.add(failed, seconds);
            rc = kExitUsage;
            if (!watch) return rc;
        } else {
            totals.add(*pass, seconds);
            if (!watch) {
                for (const auto &a : pass->actions)
                    print_action(a, json);
                print_summary(*pass, seconds);
                rc = pass->errors ? kExitInvalid : kExitOk;
            }
            if (!metrics.empty())
                if (auto s = wp::write_metrics_file(metrics, wp::render_metrics(*pass, totals));
                    !s) {
                    std::fprintf(stderr, "wpctl reconcile: %s\n", s.error().message.c_str());
                    if (!watch) return kExitUsage;
                }
        }
        if (watch && !g_stop && (passes == 0 || n + 1 < passes)) {
            double s = interval;
            timespec ts{static_cast<time_t>(s),
                        static_cast<long>((s - static_cast<time_t>(s)) * 1e9)};
            ::nanosleep(&ts, nullptr); // a signal ends the sleep early
        }
    }
    if (watch) {
        // The process's own cost, for benchmarks and the service's logs.
        rusage ru{};
        ::getrusage(RUSAGE_SELF, &ru);
        std::fprintf(stderr, "wpctl reconcile: %llu passes, max RSS %ld KiB\n",
                     static_cast<unsigned long long>(totals.passes), ru.ru_maxrss);
        return kExitOk;
    }
    return rc;
}

namespace {

void unpin_usage(std::FILE *out) {
    std::fprintf(out,
                 "Usage: wpctl unpin [--config FILE] [--pin-dir DIR] [--dry-run] (--all | ID...)\n"
                 "Restores each container's recorded pre-pin values and drops its record.\n"
                 "Exit 0: done; 1: a container could not be restored (its record is kept);\n"
                 "2: usage or inputs.\n");
}

} // namespace

int cmd_unpin(int argc, char **argv) {
    wp::ReconcileOptions opt;
    bool all = false;
    static const option longopts[] = {
        {"config", required_argument, nullptr, 'c'}, {"pin-dir", required_argument, nullptr, 'd'},
        {"all", no_argument, nullptr, 'a'},          {"dry-run", no_argument, nullptr, 'D'},
        {"help", no_argument, nullptr, 'h'},         {nullptr, 0, nullptr, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+c:ah", longopts, nullptr)) != -1) {
        if (node_option(c, opt)) continue;
        switch (c) {
        case 'a':
            all = true;
            break;
        case 'D':
            opt.dry_run = true;
            break;
        case 'h':
            unpin_usage(stdout);
            return kExitOk;
        default:
            unpin_usage(stderr);
            return kExitUsage;
        }
    }
    std::vector<std::string> ids(argv + optind, argv + argc);
    if (all == !ids.empty()) {
        std::fprintf(stderr, "wpctl unpin: give --all or container ids, not both or neither\n");
        unpin_usage(stderr);
        return kExitUsage;
    }
    for (const auto &id : ids)
        if (auto s = wp::check_container_id(id); !s) {
            std::fprintf(stderr, "wpctl unpin: %s\n", s.error().message.c_str());
            return kExitUsage;
        }
    auto res = wp::unpin(opt, ids);
    if (!res) {
        std::fprintf(stderr, "wpctl unpin: %s\n", res.error().message.c_str());
        return kExitUsage;
    }
    int rc = kExitOk;
    for (const auto &u : *res) {
        std::string restored;
        for (const auto &w : u.restored)
            restored += " " + w.file + "=" + (w.value.empty() ? "\"\"" : w.value);
        std::printf("%-9s %s%s%s%s\n", u.outcome.c_str(), u.id.c_str(),
                    u.message.empty() ? "" : ": ", u.message.c_str(), restored.c_str());
        if (!u.ok) rc = kExitInvalid;
    }
    std::printf("%zu records%s\n", res->size(), opt.dry_run ? " (dry run: nothing written)" : "");
    return rc;
}

namespace {

void audit_usage(std::FILE *out) {
    std::fprintf(out,
                 "Usage: wpctl audit [--config FILE] [--pin-dir DIR] [--containers-root DIR]...\n"
                 "                   [--strict] [--json]\n"
                 "Per partition: management containers that are not pinned (escaped), and other\n"
                 "containers whose effective CPUs overlap the partition's.\n"
                 "Exit 0: nothing escaped; 1: a management container escaped (--strict: or an\n"
                 "ordinary container overlaps); 2: usage or inputs.\n");
}

void entries_json(std::string &out, const char *key, const std::vector<wp::AuditEntry> &v) {
    out += ",\"";
    out += key;
    out += "\":[";
    bool first = true;
    for (const auto &e : v) {
        out += first ? "{" : ",{";
        first = false;
        out += "\"id\":";
        wp::json_append_quoted(out, e.id);
        out += ",\"cgroup\":";
        wp::json_append_quoted(out, e.cgroup);
        out += ",\"effective\":";
        wp::json_append_quoted(out, e.effective);
        out += ",\"reason\":";
        wp::json_append_quoted(out, e.reason);
        out += "}";
    }
    out += "]";
}

} // namespace

int cmd_audit(int argc, char **argv) {
    wp::ReconcileOptions opt;
    std::vector<std::string> roots;
    bool strict = false, json = false;
    static const option longopts[] = {{"config", required_argument, nullptr, 'c'},
                                      {"pin-dir", required_argument, nullptr, 'd'},
                                      {"containers-root", required_argument, nullptr, 'C'},
                                      {"strict", no_argument, nullptr, 's'},
                                      {"json", no_argument, nullptr, 'j'},
                                      {"help", no_argument, nullptr, 'h'},
                                      {nullptr, 0, nullptr, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+c:sjh", longopts, nullptr)) != -1) {
        if (node_option(c, opt)) continue;
        switch (c) {
        case 'C':
            roots.push_back(optarg);
            break;
        case 's':
            strict = true;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            audit_usage(stdout);
            return kExitOk;
        default:
            audit_usage(stderr);
            return kExitUsage;
        }
    }
    if (optind != argc) {
        audit_usage(stderr);
        return kExitUsage;
    }
    auto fail = [](const wp::Error &e) {
        std::fprintf(stderr, "wpctl audit: %s\n", e.message.c_str());
        return kExitUsage;
    };
    auto lc = wp::load_config(opt.config_path);
    if (!lc) return fail(lc.error());
    wp::NodeConfig cfg = lc->has_value() ? **lc : wp::NodeConfig{};
    auto lp = wp::load_partitions(cfg.partitions_file);
    if (!lp) return fail(lp.error());
    if (!lp->has_value()) {
        std::printf("%s: absent: no partition on this node\n", cfg.partitions_file.c_str());
        return kExitOk;
    }
    auto dir = wp::PinDir::open(opt.pin_dir.empty() ? cfg.pin_record_dir : opt.pin_dir, false);
    if (!dir) return fail(dir.error());
    auto view = wp::read_node_view(*dir, cfg.cgroup_root, cfg.shares_to_weight);
    if (!view) return fail(view.error());
    auto walk = wp::walk_containers(cfg.cgroup_root);
    if (!walk) return fail(walk.error());
    for (const auto &w : walk->warnings)
        std::fprintf(stderr, "wpctl: warning: %s%s\n", walk->hierarchy_dir.c_str(), w.c_str());
    // Management containers the runtime knows of (their bundles' annotations).
    if (roots.empty())
        roots = {"/run/containers/storage/overlay-containers",
                 "/var/lib/containers/storage/overlay-containers"};
    std::vector<std::pair<std::string, std::string>> management;
    for (const auto &ct : walk->containers) {
        for (const auto &r : roots) {
            auto b = wp::load_bundle_config(r + "/" + ct.id + "/userdata");
            if (!b || !b->has_value() || !(*b)->has_annotations) continue;
            auto act = wp::find_activated(**lp, (*b)->annotations);
            if (act && *act) management.emplace_back(ct.id, (*act)->name);
            break;
        }
    }
    for (const auto &v : *view)
        if (v.state == wp::PinState::Refused)
            std::fprintf(stderr, "wpctl audit: pin record refused: %s\n", v.error.c_str());
    auto audit = wp::audit_node(**lp, *view, *walk, management);
    size_t escaped = 0, overlapping = 0;
    for (const auto &a : audit) {
        escaped += a.escaped.size();
        overlapping += a.overlapping.size();
    }
    if (json) {
        std::string out = "{\"partitions\":[";
        bool first = true;
        for (const auto &a : audit) {
            out += first ? "{" : ",{";
            first = false;
            out += "\"name\":";
            wp::json_append_quoted(out, a.partition);
            out += ",\"cpuset\":";
            wp::json_append_quoted(out, a.cpuset);
            out += ",\"pinned\":" + std::to_string(a.pinned);
            entries_json(out, "escaped", a.escaped);
            entries_json(out, "overlapping", a.overlapping);
            out += "}";
        }
        out += "],\"escaped\":" + std::to_string(escaped) +
               ",\"overlapping\":" + std::to_string(overlapping) + "}\n";
        std::fputs(out.c_str(), stdout);
    } else {
        for (const auto &a : audit) {
            std::printf("partition %s (cpuset \"%s\"): %zu pinned, %zu escaped, %zu overlapping\n",
                        a.partition.c_str(), a.cpuset.c_str(), a.pinned, a.escaped.size(),
                        a.overlapping.size());
            for (const auto &e : a.escaped)
                std::printf("  escaped     %s %s: %s\n", e.id.c_str(), e.cgroup.c_str(),
                            e.reason.c_str());
            for (const auto &e : a.overlapping)
                std::printf("  overlapping %s %s: %s\n", e.id.c_str(), e.cgroup.c_str(),
                            e.reason.c_str());
        }
    }
    if (escaped) return kExitInvalid;
    if (strict && overlapping) return kExitInvalid;
    return kExitOk;
}

} // namespace wpctl
