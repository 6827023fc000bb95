// One structured record per decision, to the journal, syslog or stderr.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "config.hpp"

namespace wp {

struct LogField {
    std::string key, value;
    bool number = false; // rendered as a JSON number
};

struct LogRecord {
    LogLevel level = LogLevel::Info;
    std::string message; // one human line
    // Structured fields, lower-case names; the journal gets them as WP_<NAME>.
    std::vector<LogField> fields;
};

// Resolves LogTarget::Auto against the filesystem (journal socket, /dev/log).
LogTarget resolve_log_target(LogTarget t);

// Emits the record when its level is within `threshold`. Never fails loudly:
// a log target that cannot be reached falls back to stderr.
void log_emit(const LogRecord &r, LogTarget target, LogLevel threshold);

// The record as one JSON object (for stderr and for wpctl explain --json).
std::string log_record_json(const LogRecord &r);

} // namespace wp
