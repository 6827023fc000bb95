#include "nodefiles.hpp"

#include <cstring>

#include "json.hpp"
#include "json_writer.hpp"

namespace wpctl {

namespace {

json_object *get(json_object *o, const char *key) {
    json_object *v = nullptr;
    return json_object_object_get_ex(o, key, &v) ? v : nullptr;
}

// Both files are a JSON object keyed by partition name. Calls each(name, where,
// entry) for every entry whose name is a DNS-1123 label and whose value is an
// object; reports everything else. `shape` shows the expected entry in errors.
template <class Each>
void for_each_partition(std::string_view text, const std::string &path, const char *what,
                        const char *shape, Diagnostics &diag, Each each) {
    auto root = wp::json_parse_strict(text, path);
    if (!root) {
        diag.error(root.error().message);
        return;
    }
    if (root->get() == nullptr || !json_object_is_type(root->get(), json_type_object)) {
        diag.error(path + ": expected a " + std::string(what) +
                   " object keyed by partition name, got " + wp::json_type_label(root->get()));
        return;
    }
    json_object_object_foreach(root->get(), name, entry) {
        std::string where = path + ": partition " + wp::json_quoted(name);
        if (!wp::is_dns1123_label(name)) {
            diag.error(where + ": not a valid partition name (a DNS-1123 label)");
            continue;
        }
        if (entry == nullptr || !json_object_is_type(entry, json_type_object)) {
            diag.error(where + ": expected an object " + shape + ", got " +
                       wp::json_type_label(entry));
            continue;
        }
        each(std::string(name), where, entry);
    }
}

bool blank(std::string_view text) {
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

} // namespace

Pinning parse_pinning(std::string_view text, const std::string &path, Diagnostics &diag) {
    Pinning out;
    if (blank(text)) {
        diag.warn(path + ": empty: no partition has a cpuset on this node");
        return out;
    }
    for_each_partition(text, path, "kubelet pinning", "{\"cpuset\": \"...\"}", diag,
                       [&](const std::string &name, const std::string &where, json_object *entry) {
                           json_object_object_foreach(entry, key, val) {
                               (void)val;
                               if (std::strcmp(key, "cpuset") != 0)
                                   diag.warn(where + ": key " + wp::json_quoted(key) +
                                             ": unknown, ignored");
                           }
                           json_object *cs = get(entry, "cpuset");
                           if (cs == nullptr) {
                               diag.error(where + ": key \"cpuset\": missing");
                               return;
                           }
                           auto s = wp::json_string(cs, where, "cpuset");
                           if (!s) {
                               diag.error(s.error().message);
                               return;
                           }
                           auto set = wp::CpuSet::parse(*s);
                           if (!set) {
                               diag.error(where + ": key \"cpuset\": " + wp::json_quoted(*s) +
                                          " is not a CPU list (" + set.error().message + ")");
                               return;
                           }
                           out[name] = PinningEntry{set->format(), *set};
                       });
    return out;
}

Policy parse_policy(std::string_view text, const std::string &path, Diagnostics &diag) {
    Policy out;
    if (blank(text)) return out; // no policy
    for_each_partition(
        text, path, "node policy", "{\"allowedNamespaces\": [...], \"defaults\": {...}}", diag,
        [&](const std::string &name, const std::string &where, json_object *entry) {
            PolicyEntry pe;
            bool ok = true;
            auto report = [&](wp::Error e) { diag.error(std::move(e.message)); };
            json_object_object_foreach(entry, key, val) {
                if (std::strcmp(key, "allowedNamespaces") == 0) {
                    ok &= wp::parse_allowed_namespaces(val, where, key, pe.allowed_namespaces,
                                                       report);
                } else if (std::strcmp(key, "defaults") == 0) {
                    ok &= wp::parse_partition_defaults(val, where, key, pe.defaults, report);
                } else {
                    diag.error(where + ": key " + wp::json_quoted(key) +
                               ": unknown (expected allowedNamespaces, defaults)");
                    ok = false;
                }
            }
            if (ok) out[name] = std::move(pe);
        });
    return out;
}

} // namespace wpctl
