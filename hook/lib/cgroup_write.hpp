// Writes a Plan into a container's cgroup, confined under cgroupRoot.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroup_locate.hpp"
#include "config.hpp"
#include "decision.hpp"
#include "fd.hpp"
#include "result.hpp"

namespace wp {

// Opens <root>/<rel> as a directory, one component at a time with
// openat(O_NOFOLLOW|O_DIRECTORY): a symlink anywhere below root is refused.
Result<UniqueFd> open_confined_dir(const std::string &root, const std::string &rel);

// cgroup v2 cpu.weight from cgroup v1 cpu.shares (node config "sharesToWeight").
uint64_t shares_to_weight(uint64_t shares, SharesToWeight formula);

struct Write {
    std::string file;  // path relative to cgroupRoot, for logs and tests
    std::string value; // what is (or would be) written
};

struct ApplyResult {
    std::vector<Write> writes; // in order
    std::vector<Write>
        previous; // each written file's value before the first write (not in dry runs)
    std::string effective_cpuset; // read back, "" when not verified
    bool verified = false;
};

// Opens every file first, then writes, then reads back the effective cpuset.
// On any failure the files already written get their previous content back, so
// no partial plan is ever left behind. With dry_run nothing is opened for write;
// the writes that would be done are returned. `before_write`, when given, runs
// once every previous value is known and before the first write (the systemd
// unit's properties go there); its error ends the run with nothing written.
using BeforeWrite = std::function<Status(const std::vector<Write> &previous)>;
Result<ApplyResult> apply_plan(const std::string &cgroup_root, const CgroupTarget &target,
                               const Plan &plan, SharesToWeight formula, bool dry_run,
                               const BeforeWrite &before_write = {});

// A target's two controller directories, open with open_confined_dir (one fd
// when they are the same directory). `target` must outlive it.
struct TargetDirs {
    UniqueFd cpuset, cpu_owned;
    int cpu_fd = -1;
    const CgroupTarget *target = nullptr;
    int fd(const ControllerDir *d) const { return d == &target->cpuset ? cpuset.get() : cpu_fd; }
};
Result<TargetDirs> open_target(const std::string &cgroup_root, const CgroupTarget &target);

// What apply_plan would write, with each file's current value in `previous`;
// nothing is opened for writing. The node's view compares the two (drift).
Result<ApplyResult> inspect_plan(const std::string &cgroup_root, const TargetDirs &dirs,
                                 const Plan &plan, SharesToWeight formula);

// A file a plan writes: cpuset.cpus, cpu.shares, cpu.weight, cpu.max,
// cpu.cfs_period_us, cpu.cfs_quota_us.
bool is_plan_file(std::string_view name);

// Writes recorded values back (`file` relative to cgroupRoot, as in Write),
// the same way as apply_plan: every file opened first, the previous content
// restored on a failure, the effective cpuset read back when cpuset.cpus gets a
// non-empty value. Only the plan files of `target`'s two directories are
// accepted: a value for any other file is refused before anything is written.
// `before_write` as in apply_plan (the systemd unit's properties).
Result<ApplyResult> apply_values(const std::string &cgroup_root, const CgroupTarget &target,
                                 const std::vector<Write> &values, bool dry_run,
                                 const BeforeWrite &before_write = {});

} // namespace wp
