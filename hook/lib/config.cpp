#include "config.hpp"

#include <cstring>

#include "json.hpp"
#include "trusted_file.hpp"

namespace wp {

namespace {

template <class E> struct Choice {
    const char *name;
    E value;
};

template <class E, size_t N>
Status pick(json_object *v, std::string_view path, std::string_view key,
            const Choice<E> (&choices)[N], E &out) {
    auto s = json_string(v, path, key);
    if (!s) return s.take_error();
    std::string allowed;
    for (const auto &c : choices) {
        if (*s == c.name) {
            out = c.value;
            return ok_status();
        }
        if (!allowed.empty()) allowed += ", ";
        allowed += std::string("\"") + c.name + "\"";
    }
    return make_error(Fault::Usage, std::string(path) + ": key \"" + std::string(key) + "\": \"" +
                                        *s + "\" is not one of " + allowed);
}

constexpr Choice<Mode> kModes[] = {{"enforce", Mode::Enforce}, {"audit", Mode::Audit}};
constexpr Choice<FailurePolicy> kPolicies[] = {{"fail", FailurePolicy::Fail},
                                               {"ignore", FailurePolicy::Ignore}};
constexpr Choice<SharesToWeight> kFormulas[] = {{"quadratic", SharesToWeight::Quadratic},
                                                {"linear", SharesToWeight::Linear}};
constexpr Choice<LogLevel> kLevels[] = {{"error", LogLevel::Error},
                                        {"warning", LogLevel::Warning},
                                        {"info", LogLevel::Info},
                                        {"debug", LogLevel::Debug}};
constexpr Choice<LogTarget> kTargets[] = {{"auto", LogTarget::Auto},
                                          {"journal", LogTarget::Journal},
                                          {"syslog", LogTarget::Syslog},
                                          {"stderr", LogTarget::Stderr}};

constexpr Choice<SystemdMode> kSystemdModes[] = {{"auto", SystemdMode::Auto},
                                                 {"off", SystemdMode::Off}};

template <class E, size_t N> const char *name_of(const Choice<E> (&choices)[N], E v) {
    for (const auto &c : choices)
        if (c.value == v) return c.name;
    return "?";
}

Status absolute_path(json_object *v, std::string_view path, std::string_view key,
                     std::string &out) {
    auto s = json_string(v, path, key);
    if (!s) return s.take_error();
    if (s->empty() || s->front() != '/')
        return make_error(Fault::Usage, std::string(path) + ": key \"" + std::string(key) +
                                            "\": \"" + *s + "\" is not an absolute path");
    out = std::move(*s);
    return ok_status();
}

Status unknown_key(std::string_view path, std::string_view key) {
    return make_error(Fault::Usage,
                      std::string(path) + ": unknown key \"" + std::string(key) + "\"");
}

} // namespace

Result<NodeConfig> parse_config(std::string_view text, std::string_view path) {
    auto root = json_parse_object(text, path);
    if (!root) return root.take_error();
    json_object *o = root->get();
    NodeConfig c;
    json_object_object_foreach(o, key, v) {
        std::string_view k(key);
        Status st = ok_status();
        if (k == "enabled") {
            auto b = json_bool(v, path, k);
            if (!b) return b.take_error();
            c.enabled = *b;
        } else if (k == "mode") {
            st = pick(v, path, k, kModes, c.mode);
        } else if (k == "failurePolicy") {
            st = pick(v, path, k, kPolicies, c.failure_policy);
        } else if (k == "sharesToWeight") {
            st = pick(v, path, k, kFormulas, c.shares_to_weight);
        } else if (k == "partitionsFile") {
            st = absolute_path(v, path, k, c.partitions_file);
        } else if (k == "cgroupRoot") {
            st = absolute_path(v, path, k, c.cgroup_root);
        } else if (k == "procRoot") {
            st = absolute_path(v, path, k, c.proc_root);
        } else if (k == "systemd") {
            st = pick(v, path, k, kSystemdModes, c.systemd);
        } else if (k == "systemdAddress") {
            auto a = json_string(v, path, k);
            if (!a) return a.take_error();
            if (a->rfind("unix:", 0) != 0)
                return make_error(Fault::Usage, std::string(path) + ": key \"systemdAddress\": \"" +
                                                    *a + "\" is not a D-Bus unix: address");
            c.systemd_address = std::move(*a);
        } else if (k == "systemdTimeoutMs") {
            auto n = json_int(v, path, k);
            if (!n) return n.take_error();
            if (*n < 1 || *n > kMaxSystemdTimeoutMs)
                return make_error(Fault::Usage, std::string(path) + ": key \"systemdTimeoutMs\": " +
                                                    std::to_string(*n) + " is not within 1.." +
                                                    std::to_string(kMaxSystemdTimeoutMs));
            c.systemd_timeout_ms = static_cast<int>(*n);
        } else if (k == "pinRecordDir") {
            st = absolute_path(v, path, k, c.pin_record_dir);
        } else if (k == "log") {
            if (v == nullptr || !json_object_is_type(v, json_type_object))
                return make_error(Fault::Usage, std::string(path) +
                                                    ": key \"log\": expected an object, got " +
                                                    json_type_label(v));
            json_object_object_foreach(v, lk, lv) {
                std::string_view l(lk);
                if (l == "level") {
                    st = pick(lv, path, "log.level", kLevels, c.log_level);
                } else if (l == "target") {
                    st = pick(lv, path, "log.target", kTargets, c.log_target);
                } else {
                    st = unknown_key(path, "log." + std::string(l));
                }
                if (!st) return st.take_error();
            }
        } else {
            st = unknown_key(path, k);
        }
        if (!st) return st.take_error();
    }
    return c;
}

Result<std::optional<NodeConfig>> load_config(const std::string &path) {
    auto text = read_trusted_file(path, kMaxConfigBytes);
    if (!text) return node_file_fault(text.take_error());
    if (!*text) return std::optional<NodeConfig>{};
    auto c = parse_config(**text, path);
    if (!c) return node_file_fault(c.take_error());
    return std::optional<NodeConfig>(std::move(*c));
}

const char *mode_name(Mode m) {
    return name_of(kModes, m);
}
const char *failure_policy_name(FailurePolicy p) {
    return name_of(kPolicies, p);
}
const char *log_target_name(LogTarget t) {
    return name_of(kTargets, t);
}
const char *log_level_name(LogLevel l) {
    return name_of(kLevels, l);
}
const char *systemd_mode_name(SystemdMode m) {
    return name_of(kSystemdModes, m);
}

} // namespace wp
