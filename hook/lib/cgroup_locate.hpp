// Where the container's cgroup is: from <procRoot>/<pid>/cgroup, or from
// linux.cgroupsPath when the process is gone.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroup_layout.hpp"
#include "cpuset.hpp"
#include "result.hpp"
#include "state.hpp"

namespace wp {

// One line of /proc/<pid>/cgroup: "hierarchy-id:controller-list:path".
struct ProcCgroupLine {
    std::string hierarchy;
    std::string controllers; // "cpu,cpuacct", "" for the v2 line
    std::string path;
};

Result<std::vector<ProcCgroupLine>> parse_proc_cgroup(std::string_view text, std::string_view what);

struct CgroupTarget {
    ControllerDir cpuset;
    ControllerDir cpu;
    std::string source; // "/proc/<pid>/cgroup" or "linux.cgroupsPath"
};

struct LocateInput {
    std::string cgroup_root;
    // The layout of cgroup_root; detected here when not given.
    std::optional<CgroupLayout> layout;
    std::string proc_root;
    int pid = 0;
    std::string cgroups_path; // linux.cgroupsPath ("" when unknown)
    // Asked for linux.cgroupsPath only when cgroups_path is "" and the process is
    // gone, so the bundle's config.json is read only when it is needed.
    std::function<Result<std::string>()> cgroups_path_fallback;
    std::string systemd_subgroup = "container"; // run.oci.systemd.subgroup
};

// Resolves both controller directories. Every path is checked lexically here
// (no "..", not the root cgroup); the open in cgroup_write checks symlinks.
Result<CgroupTarget> locate_cgroup(const LocateInput &in);

// "a-b-c.slice" -> "a.slice/a-b.slice/a-b-c.slice"; "-.slice" -> "".
Result<std::string> expand_systemd_slice(std::string_view slice);

// Lexical checks on a cgroup path: no "..", no NUL, not the root.
Status check_cgroup_path(std::string_view path, std::string_view what);

} // namespace wp
