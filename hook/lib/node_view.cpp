#include "node_view.hpp"

#include "cgroup_layout.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include <dirent.h> // DT_DIR, DT_UNKNOWN
#include <fcntl.h>
#include <sys/stat.h>

#include "dir.hpp"
#include "fd.hpp"
#include "trusted_file.hpp"

namespace wp {

namespace {

inline constexpr int kMaxWalkDepth = 32;
inline constexpr size_t kMaxWalkDirs = 200000;

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t'))
        s.pop_back();
    size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
        ++i;
    return s.substr(i);
}

bool exists_at(int dirfd, const char *name, bool want_dir) {
    struct stat st {};
    if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
    return want_dir ? S_ISDIR(st.st_mode) : true;
}

// A small file of an open cgroup directory, trimmed; nullopt when absent or unreadable.
std::optional<std::string> read_small(int dirfd, const char *name) {
    auto t = read_file_nofollow(dirfd, name, kMaxSmallFileBytes);
    if (!t || !t->has_value()) return std::nullopt;
    return trim(std::move(**t));
}

bool has_subdirectory(int dirfd) {
    auto list = list_dir(dirfd, "cgroup");
    if (!list) return true; // unknown: assume the container may be there
    for (const auto &e : *list)
        if (e.type == DT_DIR || (e.type == DT_UNKNOWN && exists_at(dirfd, e.name.c_str(), true)))
            return true;
    return false;
}

// Whether the cgroup still holds a process (itself or below): v2 cgroup.events
// "populated", v1 cgroup.procs or a child cgroup. Unknown counts as populated.
bool populated(int dirfd, bool v2) {
    if (v2) {
        auto ev = read_small(dirfd, "cgroup.events");
        if (!ev) return true;
        return ev->find("populated 0") == std::string::npos;
    }
    auto procs = read_small(dirfd, "cgroup.procs");
    if (!procs || !procs->empty()) return true;
    return has_subdirectory(dirfd);
}

bool same_value(const std::string &file, const std::string &now, const std::string &want) {
    if (file.size() >= 11 && file.compare(file.size() - 11, 11, "cpuset.cpus") == 0) {
        auto a = CpuSet::parse(now), b = CpuSet::parse(want);
        return a && b && *a == *b;
    }
    return trim(now) == trim(want);
}

} // namespace

const char *pin_state_name(PinState s) {
    switch (s) {
    case PinState::Pinned:
        return "pinned";
    case PinState::Drifted:
        return "drifted";
    case PinState::Gone:
        return "gone";
    case PinState::Refused:
        return "refused";
    }
    return "?";
}

std::string plan_file_resource(std::string_view file) {
    std::string_view base =
        file.substr(file.rfind('/') == std::string_view::npos ? 0 : file.rfind('/') + 1);
    if (base == "cpuset.cpus") return "cpuset";
    if (base == "cpu.shares") return "shares";
    if (base == "cpu.weight") return "weight";
    if (base == "cpu.cfs_quota_us") return "quota";
    if (base == "cpu.cfs_period_us") return "period";
    if (base == "cpu.max") return "quota/period";
    return std::string(base);
}

PinView view_pin(const std::string &cgroup_root, const PinRecord &r, SharesToWeight formula,
                 bool effective) {
    PinView v;
    v.id = r.container_id;
    v.record = r;
    if (r.cgroup_root != cgroup_root) {
        v.error = "recorded under cgroupRoot \"" + r.cgroup_root + "\", the node config has \"" +
                  cgroup_root + "\"";
        return v;
    }
    // Gone: a directory that no longer exists, or a cgroup no process is in.
    auto dirs = open_target(cgroup_root, r.cgroups);
    if (!dirs) {
        struct stat st {};
        for (const ControllerDir *d : {&r.cgroups.cpuset, &r.cgroups.cpu}) {
            std::string full = cgroup_root + "/" + d->rel;
            if (::lstat(full.c_str(), &st) != 0 && errno == ENOENT) {
                v.state = PinState::Gone;
                return v;
            }
        }
        v.error = dirs.error().message;
        return v;
    }
    const ControllerDir &cs = r.cgroups.cpuset;
    if (!populated(dirs->cpuset.get(), cs.v2)) {
        v.state = PinState::Gone;
        return v;
    }
    if (effective)
        if (auto eff = read_small(dirs->cpuset.get(),
                                  cs.v2 ? "cpuset.cpus.effective" : "cpuset.effective_cpus"))
            v.effective_cpuset = *eff;
    auto now = inspect_plan(cgroup_root, *dirs, r.plan, formula);
    if (!now) {
        v.error = now.error().message;
        return v;
    }
    for (size_t i = 0; i < now->writes.size() && i < now->previous.size(); ++i) {
        const Write &want = now->writes[i];
        const Write &was = now->previous[i];
        if (!same_value(want.file, was.value, want.value))
            v.drifts.push_back(
                Drift{plan_file_resource(want.file), want.file, was.value, want.value});
    }
    v.state = v.drifts.empty() ? PinState::Pinned : PinState::Drifted;
    return v;
}

Result<std::vector<PinView>> read_node_view(const PinDir &dir, const std::string &cgroup_root,
                                            SharesToWeight formula, bool effective) {
    auto ids = dir.list();
    if (!ids) return ids.take_error();
    std::vector<PinView> out;
    out.reserve(ids->size());
    for (const auto &id : *ids) {
        auto rec = dir.read(id);
        if (!rec || !rec->has_value()) {
            PinView v;
            v.id = id;
            v.error =
                rec ? dir.path() + "/" + id + ".json: vanished while read" : rec.error().message;
            if (!rec) out.push_back(std::move(v));
            continue;
        }
        out.push_back(view_pin(cgroup_root, **rec, formula, effective));
    }
    return out;
}

Result<CpusetHierarchy> find_cpuset_hierarchy(const CgroupLayout &l) {
    if (l.pure_v2()) return CpusetHierarchy{"", true};
    if (auto h = l.v1_hierarchy("cpuset")) return CpusetHierarchy{*h, false};
    if (l.unified) return CpusetHierarchy{*l.unified, true};
    return make_error(Fault::Usage, l.root + ": no cpuset hierarchy (neither cgroup.controllers "
                                             "nor a v1 cpuset directory)");
}

std::string container_id_of_cgroup(std::string_view name) {
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

namespace {

struct Walker {
    const CpusetHierarchy &h;
    ContainerWalk &out;
    size_t dirs = 0;

    const char *effective_file() const {
        return h.v2 ? "cpuset.cpus.effective" : "cpuset.effective_cpus";
    }

    void walk(int dirfd, const std::string &rel, int depth) {
        if (depth > kMaxWalkDepth || ++dirs > kMaxWalkDirs) {
            out.warnings.push_back(rel + ": walk limit reached, not descending");
            return;
        }
        auto list = list_dir(dirfd, rel);
        if (!list) {
            out.warnings.push_back(list.error().message);
            return;
        }
        std::vector<std::string> children;
        for (auto &e : *list)
            if (e.type == DT_DIR || e.type == DT_UNKNOWN) children.push_back(std::move(e.name));
        std::sort(children.begin(), children.end());
        for (const auto &n : children) {
            UniqueFd cfd(
                ::openat(dirfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!cfd.valid()) continue; // a symlink, a file, or gone
            std::string crel = rel + "/" + n;
            std::string id = container_id_of_cgroup(n);
            if (!id.empty()) {
                ContainerCgroup e;
                e.rel = crel;
                e.id = id;
                if (auto cpus = read_small(cfd.get(), "cpuset.cpus")) e.cpus = *cpus;
                if (auto eff = read_small(cfd.get(), effective_file())) {
                    e.effective = *eff;
                    e.has_effective = true;
                }
                out.containers.push_back(std::move(e));
                continue; // crun's "container" sub-cgroup is part of the container
            }
            walk(cfd.get(), crel, depth + 1);
        }
    }
};

} // namespace

Result<ContainerWalk> walk_containers(const std::string &cgroup_root) {
    CgroupLayout layout = detect_cgroup_layout(cgroup_root);
    auto h = find_cpuset_hierarchy(layout);
    if (!h) return h.take_error();
    ContainerWalk w;
    w.hierarchy = *h;
    w.hierarchy_dir = cgroup_root + (h->rel.empty() ? "" : "/" + h->rel);
    UniqueFd hfd(::open(w.hierarchy_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!hfd.valid())
        return make_error(Fault::Usage, w.hierarchy_dir + ": " + std::strerror(errno));
    if (auto cs = online_cpus(layout)) w.online = *cs;
    Walker walker{*h, w};
    walker.walk(hfd.get(), "", 0);
    return w;
}

std::vector<PartitionAudit>
audit_node(const PartitionFile &parts, const std::vector<PinView> &pins, const ContainerWalk &walk,
           const std::vector<std::pair<std::string, std::string>> &management) {
    // Which partition each container belongs to: its record's, else the runtime's annotations.
    std::map<std::string, std::string> member;
    for (const auto &[id, part] : management)
        member[id] = part;
    for (const auto &p : pins)
        if (p.record && p.state != PinState::Gone) member[p.id] = p.record->partition;
    // A walked cgroup's directory relative to cgroupRoot, as records hold it.
    auto root_rel = [&](const ContainerCgroup &c) {
        return walk.hierarchy.rel.empty() ? c.rel.substr(1) : walk.hierarchy.rel + c.rel;
    };
    std::map<std::string, std::string> by_dir; // record's cpuset dir -> id
    for (const auto &p : pins)
        if (p.record) by_dir[p.record->cgroups.cpuset.rel] = p.id;

    std::vector<PartitionAudit> out;
    for (const auto &part : parts.partitions) {
        PartitionAudit a;
        a.partition = part.name;
        a.cpuset = part.cpuset_text;
        for (const auto &p : pins)
            if (p.record && p.record->partition == part.name && p.state == PinState::Pinned)
                ++a.pinned;
        for (const auto &c : walk.containers) {
            std::string id = c.id;
            if (auto it = by_dir.find(root_rel(c)); it != by_dir.end()) id = it->second;
            std::string shown = c.has_effective ? c.effective : c.cpus;
            auto cpus = CpuSet::parse(shown);
            if (!cpus && walk.online) cpus = *walk.online;
            if (shown.empty() && walk.online) cpus = *walk.online; // v2 "": every CPU
            auto m = member.find(id);
            if (m != member.end()) {
                if (m->second != part.name || part.cpuset_text.empty()) continue;
                if (!cpus || !cpus->subset_of(part.cpuset))
                    a.escaped.push_back(AuditEntry{id, c.rel, shown,
                                                   "runs on CPUs \"" + shown +
                                                       "\", outside the partition's \"" +
                                                       part.cpuset_text + "\""});
                continue;
            }
            if (part.cpuset_text.empty() || !cpus) continue;
            if (cpus->intersects(part.cpuset))
                a.overlapping.push_back(AuditEntry{id, c.rel, shown,
                                                   "may run on CPUs \"" + shown +
                                                       "\", overlapping the partition's \"" +
                                                       part.cpuset_text + "\""});
        }
        // A record whose cgroup the walk did not find (another hierarchy layout)
        // is judged from the record's own view.
        for (const auto &p : pins) {
            if (!p.record || p.record->partition != part.name || part.cpuset_text.empty()) continue;
            bool seen = false;
            for (const auto &e : a.escaped)
                seen = seen || e.id == p.id;
            for (const auto &c : walk.containers)
                seen = seen || c.id == p.id || root_rel(c) == p.record->cgroups.cpuset.rel;
            if (seen || p.state != PinState::Drifted) continue;
            auto eff = CpuSet::parse(p.effective_cpuset);
            if (!eff || !eff->subset_of(part.cpuset))
                a.escaped.push_back(
                    AuditEntry{p.id, p.record->cgroups.cpuset.rel, p.effective_cpuset,
                               "runs on CPUs \"" + p.effective_cpuset +
                                   "\", outside the partition's \"" + part.cpuset_text + "\""});
        }
        out.push_back(std::move(a));
    }
    return out;
}

} // namespace wp
