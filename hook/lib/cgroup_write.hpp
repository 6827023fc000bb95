// Writes a Plan into a container's cgroup, confined under cgroupRoot.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
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
    std::vector<Write> writes;    // in order
    std::vector<Write> previous;  // each written file's value before the first write
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

} // namespace wp
