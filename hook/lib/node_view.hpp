// The node's view: the pin records joined with what the cgroups hold now, and
// the containers the cgroup tree holds. One implementation for `wpctl
// reconcile`, `wpctl unpin`, `wpctl audit` and `wpctl status`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cgroup_layout.hpp"
#include "cgroup_write.hpp"
#include "config.hpp"
#include "cpuset.hpp"
#include "partitions.hpp"
#include "pin_record.hpp"
#include "result.hpp"

namespace wp {

// One resource whose cgroup file no longer holds what the plan wrote.
struct Drift {
    std::string resource; // "cpuset", "shares", "weight", "quota", "period", "quota/period"
    std::string file;     // relative to cgroupRoot
    std::string from;     // what the file holds now
    std::string to;       // what the plan writes
};

enum class PinState {
    Pinned,  // every planned file holds the plan's value
    Drifted, // at least one does not (see drifts)
    Gone,    // the container's cgroup no longer exists, or holds no process
    Refused, // the record could not be used (malformed, untrusted, unreadable cgroup)
};

const char *pin_state_name(PinState s);

struct PinView {
    std::string id;
    std::optional<PinRecord> record; // absent when the record itself was refused
    PinState state = PinState::Refused;
    std::vector<Drift> drifts;
    std::string effective_cpuset; // read now; "" when unknown
    std::string error;            // why Refused
};

// The resource a plan file carries ("cpuset.cpus" -> "cpuset", "cpu.max" -> "quota/period").
std::string plan_file_resource(std::string_view file);

// Joins one record with its cgroup: the record's plan against the files'
// current values, through inspect_plan (the same list of files and values the
// write path writes). The record's cgroupRoot must be `cgroup_root`.
// `effective`: also read the effective cpuset (audit, status; a reconcile pass
// does not need it).
PinView view_pin(const std::string &cgroup_root, const PinRecord &r, SharesToWeight formula,
                 bool effective = true);

// Every record of `dir`, each joined with its cgroup. A record that is
// malformed, truncated, not root's or a symlink is a Refused entry: it is
// reported, never followed, and the other records are still viewed.
Result<std::vector<PinView>> read_node_view(const PinDir &dir, const std::string &cgroup_root,
                                            SharesToWeight formula, bool effective = true);

// The cpuset hierarchy under cgroupRoot: "cpuset" (v1, or whichever directory
// names the controller), "" (v2), "unified" (hybrid without a v1 cpuset).
struct CpusetHierarchy {
    std::string rel;
    bool v2 = false;
};
Result<CpusetHierarchy> find_cpuset_hierarchy(const CgroupLayout &layout);

// A container's id from its cgroup directory name: crio-<id>[.scope],
// libpod-<id>[.scope], docker-<id>.scope, cri-containerd-<id>.scope, or <id>
// (64 lower-case hex digits). "" when the name is not a container's.
std::string container_id_of_cgroup(std::string_view name);

// A container cgroup found by walking the cpuset hierarchy.
struct ContainerCgroup {
    std::string id;
    std::string rel;  // relative to the hierarchy, "/kubepods/.../crio-<id>"
    std::string cpus; // cpuset.cpus, trimmed
    std::string effective;
    bool has_effective = false;
};

struct ContainerWalk {
    std::string hierarchy_dir; // cgroupRoot[/rel]
    CpusetHierarchy hierarchy;
    std::vector<ContainerCgroup> containers;
    std::vector<std::string> warnings;
    std::optional<CpuSet> online; // the root cpuset's CPUs
};

// Walks the cpuset hierarchy (openat(O_NOFOLLOW|O_DIRECTORY), bounded depth and
// size) and lists every container cgroup with its cpuset.
Result<ContainerWalk> walk_containers(const std::string &cgroup_root);

// The audit of one partition: management containers whose CPUs are not within
// the partition's (escaped) and other containers whose effective CPUs overlap it.
struct AuditEntry {
    std::string id;
    std::string cgroup; // relative to the hierarchy
    std::string effective;
    std::string reason;
};
struct PartitionAudit {
    std::string partition;
    std::string cpuset;
    size_t pinned = 0;
    std::vector<AuditEntry> escaped;
    std::vector<AuditEntry> overlapping;
};

// `management` lists the ids known to belong to a partition besides the
// records (e.g. from the runtime's bundles): id -> partition name.
std::vector<PartitionAudit>
audit_node(const PartitionFile &parts, const std::vector<PinView> &pins, const ContainerWalk &walk,
           const std::vector<std::pair<std::string, std::string>> &management);

} // namespace wp
