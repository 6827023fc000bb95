// One structured record per decision, to the journal, syslog or stderr.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config.hpp"
#include "json_writer.hpp"

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

// Bounds of a record, so that every record fits one journal or syslog datagram:
// at most kMaxLogNotes "note" fields (then one "notes_omitted" count), and no
// field value or message longer than kMaxLogValueBytes.
inline constexpr size_t kMaxLogNotes = 8;
inline constexpr size_t kMaxLogValueBytes = 1024;

// Resolves LogTarget::Auto against the filesystem (journal socket, /dev/log).
// A run resolves once, before its sandbox, and keeps that target: a socket that
// appears later must not make it call socket() under a filter that forbids it.
LogTarget resolve_log_target(LogTarget t);

// Applies the bounds above (idempotent).
void log_record_bound(LogRecord &r);

// Emits the record, bounded, when its level is within `threshold`, to `target`
// (Auto is resolved here; a run passes the target it resolved). Never fails
// loudly: a log target that cannot be reached falls back to stderr, and a failed
// write to stderr is ignored.
void log_emit(LogRecord r, LogTarget target, LogLevel threshold);

// `s` as one printable line: control characters (newline, ESC, BEL, CR, DEL...)
// written as \n, \r, \t or \xHH; cut at a UTF-8 boundary to at most `max` bytes
// of input, with "..." appended when cut. For text a pod may control.
std::string escape_line(std::string_view s, size_t max = kMaxLogValueBytes);

// The record as one JSON object (for stderr and for wpctl explain --json), and
// its members alone, for a document that adds its own (the C API report).
std::string log_record_json(const LogRecord &r);
void log_record_members(JsonWriter &w, const LogRecord &r);

} // namespace wp
