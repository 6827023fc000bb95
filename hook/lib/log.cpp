#include "log.hpp"

#include <cstdlib>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fd.hpp"
#include "json_writer.hpp"

namespace wp {

namespace {

constexpr const char *kJournalSocket = "/run/systemd/journal/socket";
constexpr const char *kSyslogSocket = "/dev/log";
constexpr const char *kIdent = "workload-partitioning-hook";

bool is_socket(const char *path) {
    struct stat st;
    return ::stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

int syslog_severity(LogLevel l) {
    switch (l) {
    case LogLevel::Error:
        return 3;
    case LogLevel::Warning:
        return 4;
    case LogLevel::Info:
        return 6;
    case LogLevel::Debug:
        return 7;
    }
    return 6;
}

bool is_number(const std::string &s) {
    if (s.empty() || s.size() > 18) return false;
    size_t i = s[0] == '-' ? 1 : 0;
    if (i == s.size()) return false;
    for (; i < s.size(); ++i)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

bool send_dgram(const char *path, const std::string &payload) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
    ssize_t n = ::sendto(fd.get(), payload.data(), payload.size(), MSG_NOSIGNAL,
                         reinterpret_cast<const sockaddr *>(&addr), sizeof addr);
    return n == static_cast<ssize_t>(payload.size());
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char &c : out) {
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
        else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            c = '_';
    }
    return out;
}

void write_stderr(const std::string &s) {
    size_t off = 0;
    while (off < s.size()) {
        ssize_t n = ::write(2, s.data() + off, s.size() - off);
        if (n <= 0) return;
        off += static_cast<size_t>(n);
    }
}

} // namespace

LogTarget resolve_log_target(LogTarget t) {
    if (t != LogTarget::Auto) return t;
    if (is_socket(kJournalSocket)) return LogTarget::Journal;
    if (is_socket(kSyslogSocket)) return LogTarget::Syslog;
    return LogTarget::Stderr;
}

void log_record_members(JsonWriter &w, const LogRecord &r) {
    w.member("level", log_level_name(r.level)).member("message", r.message);
    for (const auto &f : r.fields) {
        w.key(f.key);
        if (f.number && is_number(f.value))
            w.raw_number(f.value);
        else
            w.string(f.value);
    }
}

std::string log_record_json(const LogRecord &r) {
    JsonWriter w;
    w.begin_object();
    log_record_members(w, r);
    return w.end_object().take();
}

std::string escape_line(std::string_view s, size_t max) {
    bool cut = s.size() > max;
    if (cut) {
        s = s.substr(0, max);
        // Back to the start of a UTF-8 sequence, so that no character is split.
        size_t end = s.size();
        while (end > 0 && (static_cast<unsigned char>(s[end - 1]) & 0xC0) == 0x80)
            --end;
        if (end > 0 && static_cast<unsigned char>(s[end - 1]) >= 0xC0) s = s.substr(0, end - 1);
    }
    std::string out;
    out.reserve(s.size() + 3);
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        } else {
            out += ch;
        }
    }
    if (cut) out += "...";
    return out;
}

void log_record_bound(LogRecord &r) {
    auto bound = [](std::string &v) {
        if (v.size() <= kMaxLogValueBytes) return;
        size_t end = kMaxLogValueBytes;
        while (end > 0 && (static_cast<unsigned char>(v[end]) & 0xC0) == 0x80)
            --end;
        v.resize(end);
        v += "...";
    };
    bound(r.message);
    size_t notes = 0, omitted = 0;
    std::vector<LogField> kept;
    kept.reserve(r.fields.size());
    for (auto &f : r.fields) {
        if (f.key == "notes_omitted") {
            omitted += std::strtoull(f.value.c_str(), nullptr, 10);
            continue;
        }
        if (f.key == "note" && ++notes > kMaxLogNotes) {
            ++omitted;
            continue;
        }
        bound(f.value);
        kept.push_back(std::move(f));
    }
    if (omitted > 0) kept.push_back(LogField{"notes_omitted", std::to_string(omitted), true});
    r.fields = std::move(kept);
}

void log_emit(LogRecord r, LogTarget target, LogLevel threshold) {
    if (static_cast<int>(r.level) > static_cast<int>(threshold)) return;
    log_record_bound(r);
    target = resolve_log_target(target);
    if (target == LogTarget::Journal) {
        std::string p = "MESSAGE=" + escape_line(r.message) +
                        "\nPRIORITY=" + std::to_string(syslog_severity(r.level)) +
                        "\nSYSLOG_IDENTIFIER=" + kIdent + "\n";
        for (const auto &f : r.fields)
            p += "WP_" + upper(f.key) + "=" + escape_line(f.value) + "\n";
        if (send_dgram(kJournalSocket, p)) return;
    } else if (target == LogTarget::Syslog) {
        // RFC 3164 over /dev/log, facility daemon.
        std::string p = "<" + std::to_string(3 * 8 + syslog_severity(r.level)) + ">" + kIdent +
                        "[" + std::to_string(::getpid()) + "]: " + escape_line(r.message);
        for (const auto &f : r.fields)
            p += " " + f.key + "=" + escape_line(f.value);
        if (send_dgram(kSyslogSocket, p)) return;
    }
    write_stderr(log_record_json(r) + "\n");
}

} // namespace wp
