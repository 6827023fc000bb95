// The cgroup layout of a node: v1, v2 or hybrid, where each controller's
// hierarchy is under cgroupRoot, and the online CPUs. Decided by what exists
// under cgroupRoot, so that fake trees behave like real ones. One detection,
// shared by the hook (cgroup_locate) and wpctl status.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpuset.hpp"
#include "result.hpp"

namespace wp {

// A controller's cgroup directory, relative to cgroupRoot (no leading '/').
struct ControllerDir {
    std::string rel; // e.g. "cpuset/kubepods/pod1/crio-abc" or "unified/x.slice/y.scope"
    bool v2 = false; // in the unified hierarchy (cpu.weight / cpu.max / cpuset.cpus.effective)
};

struct CgroupLayout {
    std::string root; // cgroupRoot
    // The unified hierarchy, relative to root: "" for pure v2 (cgroup.controllers at
    // the root), "unified" for hybrid. Absent on a v1-only root.
    std::optional<std::string> unified;
    // The v1 hierarchies: directory names directly under root (not symlinks), such
    // as "cpuset", "cpu,cpuacct" or co-mounted "cpuset,cpu,cpuacct".
    std::vector<std::string> v1;

    bool pure_v2() const { return unified && unified->empty(); }
    // The directory of the v1 hierarchy whose comma-separated name lists
    // `controller`; std::nullopt when none does.
    std::optional<std::string> v1_hierarchy(std::string_view controller) const;
    // Where `controller`'s cgroup `path` (relative, no leading '/') is: its v1
    // hierarchy when there is one, else the unified hierarchy ("unified/" on a
    // root without cgroup.controllers).
    ControllerDir dir_for(std::string_view controller, const std::string &path) const;
    // The unified hierarchy's prefix for a relative path: "", or "unified/".
    std::string unified_prefix() const;
};

// Lists cgroupRoot once (needs getdents64: in the hook, before the sandbox).
// Never fails: a root that cannot be opened or listed has no v1 hierarchy and,
// without cgroup.controllers, the unified one at "unified"; the steps that then
// open a directory report what is missing.
CgroupLayout detect_cgroup_layout(const std::string &cgroup_root);

// The online CPUs: the root cpuset cgroup's CPUs (v1 <hierarchy>/cpuset.cpus,
// v2 <unified>/cpuset.cpus.effective).
Result<CpuSet> online_cpus(const CgroupLayout &layout);
inline Result<CpuSet> online_cpus(const std::string &cgroup_root) {
    return online_cpus(detect_cgroup_layout(cgroup_root));
}

// True when `list` (comma-separated, e.g. "cpu,cpuacct") names `token`.
bool lists_controller(std::string_view list, std::string_view token);

} // namespace wp
