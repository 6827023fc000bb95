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
#include <string>
#include <vector>

#include <dirent.h> // DT_DIR, DT_UNKNOWN
#include <fcntl.h>
#include <sys/stat.h>

#include <libcgroup.h>

#include "cgroup_layout.hpp"
#include "cli.hpp"
#include "config.hpp"
#include "cpuset.hpp"
#include "decision.hpp"
#include "dir.hpp"
#include "fd.hpp"
#include "json_writer.hpp"
#include "partitions.hpp"
#include "state.hpp"
#include "trusted_file.hpp"

namespace wpctl {

namespace {

inline constexpr int kMaxWalkDepth = 32;
inline constexpr size_t kMaxWalkDirs = 200000;

struct Hierarchy {
    std::string rel; // relative to cgroupRoot: "cpuset", "", "unified"
    bool v2 = false;
    const char *cpus_file() const { return "cpuset.cpus"; }
    const char *effective_file() const {
        return v2 ? "cpuset.cpus.effective" : "cpuset.effective_cpus";
    }
};

// Where the cpuset controller is under cgroupRoot: the library's layout detection,
// the same as the hook's.
wp::Result<Hierarchy> find_cpuset_hierarchy(const wp::CgroupLayout &l) {
    if (l.pure_v2()) return Hierarchy{"", true};
    if (auto h = l.v1_hierarchy("cpuset")) return Hierarchy{*h, false};
    if (l.unified) return Hierarchy{*l.unified, true};
    return wp::make_error(wp::Fault::Usage,
                          l.root + ": no cpuset hierarchy (neither cgroup.controllers nor a v1 "
                                   "cpuset directory)");
}

struct Entry {
    std::string path; // relative to the hierarchy, "/kubepods/.../crio-<id>"
    std::string id;   // container id
    std::string cpus; // cpuset.cpus as read (trimmed)
    std::string effective;
    bool has_effective = false;
};

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t'))
        s.pop_back();
    size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
        ++i;
    return s.substr(i);
}

// A container's id from its cgroup directory name: crio-<id>[.scope],
// libpod-<id>[.scope], docker-<id>.scope, cri-containerd-<id>.scope, or <id>.
std::string container_id(std::string_view name) {
    if (name.size() > 6 && name.substr(name.size() - 6) == ".scope") name.remove_suffix(6);
    for (std::string_view prefix : {"crio-", "libpod-", "docker-", "cri-containerd-"}) {
        if (name.substr(0, prefix.size()) == prefix) {
            name.remove_prefix(prefix.size());
            break;
        }
    }
    if (name.size() != 64) return "";
    for (char c : name)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "";
    return std::string(name);
}

struct Walker {
    const Hierarchy &h;
    std::vector<Entry> &out;
    std::vector<std::string> &warnings;
    size_t dirs = 0;

    void walk(int dirfd, const std::string &rel, int depth) {
        if (depth > kMaxWalkDepth || ++dirs > kMaxWalkDirs) {
            warnings.push_back(rel + ": walk limit reached, not descending");
            return;
        }
        auto list = wp::list_dir(dirfd, rel);
        if (!list) {
            warnings.push_back(list.error().message);
            return;
        }
        std::vector<std::string> children;
        for (auto &e : *list)
            if (e.type == DT_DIR || e.type == DT_UNKNOWN) children.push_back(std::move(e.name));
        std::sort(children.begin(), children.end());
        for (const auto &n : children) {
            wp::UniqueFd cfd(
                ::openat(dirfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!cfd.valid()) continue; // a symlink, a file, or gone
            std::string crel = rel + "/" + n;
            std::string id = container_id(n);
            if (!id.empty()) {
                Entry e;
                e.path = crel;
                e.id = id;
                auto cpus =
                    wp::read_file_nofollow(cfd.get(), h.cpus_file(), wp::kMaxSmallFileBytes);
                if (cpus && cpus->has_value()) e.cpus = trim(**cpus);
                auto eff =
                    wp::read_file_nofollow(cfd.get(), h.effective_file(), wp::kMaxSmallFileBytes);
                if (eff && eff->has_value()) {
                    e.effective = trim(**eff);
                    e.has_effective = true;
                }
                out.push_back(std::move(e));
                continue; // crun's "container" sub-cgroup is part of the container
            }
            walk(cfd.get(), crel, depth + 1);
        }
    }
};

enum class State { Pinned, Drifted, Unpinned };

struct Row {
    Entry e;
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

Row classify(const Entry &e, const wp::PartitionFile &parts, const std::vector<std::string> &roots,
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
    // A parent that does not allow the CPUs: what runs is not what was written.
    if (r.state == State::Pinned && e.has_effective) {
        auto eff = wp::CpuSet::parse(e.effective);
        if (eff && actual && !(*eff == *actual)) {
            r.state = State::Drifted;
            r.reason =
                "effective cpus \"" + e.effective + "\" differ from cpuset.cpus \"" + e.cpus + "\"";
        }
    }
    return r;
}

void status_usage(std::FILE *out) {
    std::fprintf(out,
                 "Usage: wpctl status [--config FILE] [--partitions FILE] [--cgroup-root DIR]\n"
                 "                    [--containers-root DIR]... [--all] [--json]\n"
                 "Lists the containers pinned to a partition's cpuset and the ones that drifted.\n"
                 "Exit 0: no drift; 1: a container drifted; 2: usage or read error.\n");
}

struct StatusOptions {
    std::string config_path = wp::kDefaultConfigPath, partitions_path, cgroup_root;
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

    wp::CgroupLayout layout = wp::detect_cgroup_layout(o.cgroup_root);
    auto h = find_cpuset_hierarchy(layout);
    if (!h) return h.take_error();
    v.cgroup_root = o.cgroup_root;
    v.hierarchy = o.cgroup_root + (h->rel.empty() ? "" : "/" + h->rel);
    const std::string &hdir = v.hierarchy;
    // Cross-check with libcgroup's view of the mount table on the real hierarchy.
    if (o.cgroup_root == "/sys/fs/cgroup" && !h->v2 && cgroup_init() == 0) {
        char *mp = nullptr;
        if (cgroup_get_subsys_mount_point("cpuset", &mp) == 0 && mp != nullptr) {
            if (hdir != mp)
                v.warnings.push_back("the cpuset controller is mounted at " + std::string(mp) +
                                     ", not at " + hdir + " where the hook looks (cgroupRoot)");
            std::free(mp);
        }
    }
    wp::UniqueFd hfd(::open(hdir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!hfd.valid()) return wp::make_error(wp::Fault::Usage, hdir + ": " + std::strerror(errno));
    auto online = [&] { return wp::online_cpus(layout); };

    std::vector<Entry> entries;
    std::vector<std::string> walk_warnings;
    Walker w{*h, entries, walk_warnings};
    w.walk(hfd.get(), "", 0);
    for (const auto &s : walk_warnings)
        v.warnings.push_back(hdir + s);

    v.containers = entries.size();
    for (const auto &e : entries) {
        Row r = classify(e, parts, o.roots, online);
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
        w.member("cgroup", r.e.path).member("reason", r.reason).end_object();
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
                     r.expected.empty() ? "-" : r.expected.c_str(), r.e.path.c_str());
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
