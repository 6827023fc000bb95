// The hook's pipeline, docs/ARCHITECTURE.md §2 steps 1-8, behind the C API.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cgroup_write.hpp"
#include "config.hpp"
#include "log.hpp"

namespace wp {

struct RunOptions {
    std::string config_path = kDefaultConfigPath;
    bool dry_run = false;
    bool sandbox = false;
    bool log = true;
};

struct Report {
    int exit_code = 0;
    std::string outcome;
    std::string error; // "" when none
    LogRecord record;
    std::vector<Write> writes;
    std::string json, text; // rendered on demand by the C API
};

Report run_pipeline(const RunOptions &opt, std::string_view state_text);

} // namespace wp
