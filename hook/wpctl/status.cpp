// `wpctl status`: the containers whose cgroup cpuset is a partition's cpuset,
// and the ones that drifted from what the hook decided for them.
//
// The cpuset hierarchy is found the way the hook finds it (docs/ARCHITECTURE.md §2 step 6: by
// what exists under cgroupRoot) and walked with openat(O_NOFOLLOW|O_DIRECTORY),
// so that fake trees behave like real ones. libcgroup is used only to cross-check
// where the real cpuset controller is mounted (docs/DECISIONS.md, wpctl).
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <getopt.h>
#include <map>
#include <string>
#include <vector>

#include <dirent.h> // DT_DIR, DT_UNKNOWN
#include <fcntl.h>
#include <sys/stat.h>

#include <libcgroup.h>

#include "cli.hpp"
#include "config.hpp"
#include "cpuset.hpp"
#include "decision.hpp"
#include "dir.hpp"
#include "fd.hpp"
#include "json_writer.hpp"
#include "node_view.hpp"
#include "partitions.hpp"
#include "pin_record.hpp"
#include "state.hpp"
#include "trusted_file.hpp"

namespace wpctl {

namespace {

enum class State { Pinned, Drifted, Unpinned };

struct Row {
    wp::ContainerCgroup e;
    State state = State::Unpinned;
    std::string partition; // "" when none
    std::string expected;  // the cpuset the hook decided, "" when unknown
    std::string reason;
};

const char *state_name(State s) {
    switch (s) {
    case State::Pinned:
        return "pinned";
    case State::Drifted:
        return "drifted";
    case State::Unpinned:
        return "unpinned";
    }
    return "?";
}

// The container's annotations from its bundle's config.json, if a containers
// root holds it (<root>/<id>/userdata/config.json: CRI-O and podman).
std::optional<wp::Annotations> find_annotations(const std::vector<std::string> &roots,
                                                const std::string &id) {
    for (const auto &r : roots) {
        auto b = wp::load_bundle_config(r + "/" + id + "/userdata");
        if (b && b->has_value() && (*b)->has_annotations) return (*b)->annotations;
    }
    return std::nullopt;
}

// A parent that does not allow the CPUs: what runs is not what was written.
void flag_effective(Row &r) {
    if (r.state != State::Pinned || !r.e.has_effective) return;
    auto eff = wp::CpuSet::parse(r.e.effective);
    auto actual = wp::CpuSet::parse(r.e.cpus);
    if (eff && actual && !(*eff == *actual)) {
        r.state = State::Drifted;
        r.reason =
            "effective cpus \"" + r.e.effective + "\" differ from cpuset.cpus \"" + r.e.cpus + "\"";
    }
}

Row classify(const wp::ContainerCgroup &e, const wp::PartitionFile &parts,
             const std::vector<std::string> &roots,
             const std::function<wp::Result<wp::CpuSet>()> &online) {
    Row r;
    r.e = e;
    auto actual = wp::CpuSet::parse(e.cpus);
    auto ann = find_annotations(roots, e.id);
    if (ann) {
        auto d = wp::decide(parts, *ann, online);
        if (!d) {
            r.reason = d.error().message;
            if (auto act = wp::find_activated(parts, *ann); act && *act) r.partition = (*act)->name;
        } else if (d->verdict == wp::Verdict::Apply && d->partition != nullptr) {
            r.partition = d->partition->name;
            if (d->plan.cpuset) {
                r.expected = d->plan.cpuset->format();
                if (actual && *actual == *d->plan.cpuset) {
                    r.state = State::Pinned;
                } else {
                    r.state = State::Drifted;
                    r.reason = "cpuset.cpus is \"" + e.cpus + "\", the hook decided \"" +
                               r.expected + "\"";
                }
            }
        } else if (d->verdict == wp::Verdict::NotAllowed && d->partition != nullptr) {
            r.partition = d->partition->name;
            r.reason = "namespace not in allowedNamespaces: not pinned by the hook";
        }
    }
    if (r.state == State::Unpinned && r.expected.empty() && actual && !actual->empty()) {
        for (const auto &p : parts.partitions) {
            if (!p.cpuset_text.empty() && p.cpuset == *actual) {
                r.state = State::Pinned;
                if (r.partition.empty()) r.partition = p.name;
                break;
            }
        }
    }
    flag_effective(r);
    return r;
}

void status_usage(std::FILE *out) {
    std::fprintf(out,
                 "Usage: wpctl status [--config FILE] [--partitions FILE] [--cgroup-root DIR]\n"
                 "                    [--containers-root DIR]... [--pin-dir DIR] [--all] [--json]\n"
                 "Lists the containers pinned to a partition's cpuset and the ones that drifted.\n"
                 "Exit 0: no drift; 1: a container drifted; 2: usage or read error.\n");
}

struct StatusOptions {
    std::string config_path = wp::kDefaultConfigPath, partitions_path, cgroup_root;
    std::string pin_dir;            // "" = the node config's pinRecordDir
    std::vector<std::string> roots; // containers roots holding the bundles
    bool all = false, json = false;
};

// What status found: the node's view, rendered as text or JSON.
struct StatusView {
    std::string partitions_path;
    bool no_partitions = false;         // the merged file is absent: nothing else is read
    std::string cgroup_root, hierarchy; // hierarchy: the cpuset directory walked
    std::vector<Row> rows;              // pinned and drifted, or all with --all
    size_t pinned = 0, drifted = 0, containers = 0;
    std::vector<std::string> warnings;
};

// Reads the node config, the merged file and the cgroup tree.
wp::Result<StatusView> gather(StatusOptions o) {
    wp::NodeConfig cfg;
    auto lc = wp::load_config(o.config_path);
    if (!lc) return lc.take_error();
    if (lc->has_value()) cfg = **lc;
    if (o.partitions_path.empty()) o.partitions_path = cfg.partitions_file;
    if (o.cgroup_root.empty()) o.cgroup_root = cfg.cgroup_root;
    if (o.roots.empty())
        o.roots = {"/run/containers/storage/overlay-containers",
                   "/var/lib/containers/storage/overlay-containers"};

    StatusView v;
    v.partitions_path = o.partitions_path;
    auto lp = wp::load_partitions(o.partitions_path);
    if (!lp) return lp.take_error();
    if (!lp->has_value()) {
        v.no_partitions = true;
        return v;
    }
    const wp::PartitionFile &parts = **lp;

    auto walk = wp::walk_containers(o.cgroup_root);
    if (!walk) return walk.take_error();
    v.cgroup_root = o.cgroup_root;
    v.hierarchy = walk->hierarchy_dir;
    const std::string &hdir = v.hierarchy;
    // Cross-check with libcgroup's view of the mount table on the real hierarchy.
    if (o.cgroup_root == "/sys/fs/cgroup" && !walk->hierarchy.v2 && cgroup_init() == 0) {
        char *mp = nullptr;
        if (cgroup_get_subsys_mount_point("cpuset", &mp) == 0 && mp != nullptr) {
            if (hdir != mp)
                v.warnings.push_back("the cpuset controller is mounted at " + std::string(mp) +
                                     ", not at " + hdir + " where the hook looks (cgroupRoot)");
            std::free(mp);
        }
    }
    auto online = [&]() -> wp::Result<wp::CpuSet> {
        if (!walk->online) return wp::make_error(wp::Fault::System, hdir + ": no root cpuset file");
        return *walk->online;
    };
    for (const auto &s : walk->warnings)
        v.warnings.push_back(hdir + s);
    const auto &entries = walk->containers;

    // The pin records: what the hook decided, joined with the cgroups now.
    std::map<std::string, wp::PinView> pins;
    if (auto dir = wp::PinDir::open(o.pin_dir.empty() ? cfg.pin_record_dir : o.pin_dir, false)) {
        if (auto view = wp::read_node_view(*dir, o.cgroup_root, cfg.shares_to_weight))
            for (auto &pv : *view)
                pins.emplace(pv.id, std::move(pv));
    } else {
        v.warnings.push_back(dir.error().message);
    }

    v.containers = entries.size();
    for (const auto &e : entries) {
        Row r = classify(e, parts, o.roots, online);
        if (auto it = pins.find(e.id); it != pins.end() && it->second.record) {
            const wp::PinView &pv = it->second;
            r.partition = pv.record->partition;
            r.expected = pv.record->plan.cpuset ? pv.record->plan.cpuset->format() : "";
            r.reason.clear();
            r.state = pv.state == wp::PinState::Pinned ? State::Pinned : State::Drifted;
            for (const auto &d : pv.drifts)
                r.reason += (r.reason.empty() ? "" : "; ") + d.resource + " is \"" + d.from +
                            "\", the hook decided \"" + d.to + "\"";
            if (pv.state == wp::PinState::Refused) r.reason = pv.error;
            flag_effective(r);
        }
        if (r.state == State::Pinned) ++v.pinned;
        if (r.state == State::Drifted) ++v.drifted;
        if (r.state != State::Unpinned || o.all) v.rows.push_back(std::move(r));
    }
    return v;
}

std::string render_json(const StatusView &v) {
    wp::JsonWriter w;
    w.begin_object().member("cgroupRoot", v.cgroup_root).member("hierarchy", v.hierarchy);
    w.member("pinned", v.pinned).member("drifted", v.drifted);
    w.key("containers").begin_array();
    for (const auto &r : v.rows) {
        w.begin_object().member("id", r.e.id).member("state", state_name(r.state));
        w.member("partition", r.partition).member("cpuset", r.e.cpus);
        w.member("effective", r.e.effective).member("expected", r.expected);
        w.member("cgroup", r.e.rel).member("reason", r.reason).end_object();
    }
    w.end_array().end_object();
    return w.take() + "\n";
}

void render_text(const StatusView &v, std::FILE *out) {
    std::fprintf(out, "%-13s %-8s %-16s %-16s %-16s %s\n", "CONTAINER", "STATE", "PARTITION",
                 "CPUSET", "EXPECTED", "CGROUP");
    for (const auto &r : v.rows) {
        std::fprintf(out, "%-13s %-8s %-16s %-16s %-16s %s\n", r.e.id.substr(0, 12).c_str(),
                     state_name(r.state), r.partition.empty() ? "-" : r.partition.c_str(),
                     r.e.cpus.empty() ? "\"\"" : r.e.cpus.c_str(),
                     r.expected.empty() ? "-" : r.expected.c_str(), r.e.rel.c_str());
        if (!r.reason.empty()) std::fprintf(out, "    %s\n", r.reason.c_str());
    }
    std::fprintf(out, "%zu pinned, %zu drifted, %zu containers in %s\n", v.pinned, v.drifted,
                 v.containers, v.hierarchy.c_str());
}

} // namespace

int cmd_status(int argc, char **argv) {
    StatusOptions o;
    static const option longopts[] = {{"config", required_argument, nullptr, 'c'},
                                      {"partitions", required_argument, nullptr, 'p'},
                                      {"cgroup-root", required_argument, nullptr, 'r'},
                                      {"containers-root", required_argument, nullptr, 'C'},
                                      {"pin-dir", required_argument, nullptr, 'd'},
                                      {"all", no_argument, nullptr, 'a'},
                                      {"json", no_argument, nullptr, 'j'},
                                      {"help", no_argument, nullptr, 'h'},
                                      {nullptr, 0, nullptr, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+c:ajh", longopts, nullptr)) != -1) {
        switch (c) {
        case 'c':
            o.config_path = optarg;
            break;
        case 'p':
            o.partitions_path = optarg;
            break;
        case 'r':
            o.cgroup_root = optarg;
            break;
        case 'C':
            o.roots.push_back(optarg);
            break;
        case 'd':
            o.pin_dir = optarg;
            break;
        case 'a':
            o.all = true;
            break;
        case 'j':
            o.json = true;
            break;
        case 'h':
            status_usage(stdout);
            return kExitOk;
        default:
            status_usage(stderr);
            return kExitUsage;
        }
    }
    if (optind != argc) {
        status_usage(stderr);
        return kExitUsage;
    }
    bool json = o.json;
    auto view = gather(std::move(o));
    if (!view) {
        std::fprintf(stderr, "wpctl status: %s\n", view.error().message.c_str());
        return kExitUsage;
    }
    const StatusView &v = *view;
    if (v.no_partitions) {
        std::printf("%s: absent: no partition on this node\n", v.partitions_path.c_str());
        return kExitOk;
    }
    for (const auto &w : v.warnings)
        std::fprintf(stderr, "wpctl: warning: %s\n", w.c_str());
    if (json)
        std::fputs(render_json(v).c_str(), stdout);
    else
        render_text(v, stdout);
    return v.drifted ? kExitInvalid : kExitOk;
}

} // namespace wpctl
