// The hook's pipeline, docs/ARCHITECTURE.md §2 steps 1-8, behind the C API.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cgroup_write.hpp"
#include "config.hpp"
#include "log.hpp"
#include "outcome.hpp"

namespace wp {

struct RunOptions {
    std::string config_path = kDefaultConfigPath;
    bool dry_run = false;
    bool sandbox = false;
    bool log = true;
};

struct Report {
    ExitCode exit_code = ExitCode::Ok;
    Outcome outcome = Outcome::Error;
    std::string error; // "" when none
    LogRecord record;
    std::vector<Write> writes;
};

Report run_pipeline(const RunOptions &opt, std::string_view state_text);

} // namespace wp
