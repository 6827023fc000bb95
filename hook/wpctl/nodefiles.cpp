#include "nodefiles.hpp"

#include <cstring>

#include "json.hpp"

namespace wpctl {

namespace {

std::string qstr(std::string_view s) {
    std::string out;
    wp::json_append_quoted(out, s);
    return out;
}

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
        std::string where = path + ": partition " + qstr(name);
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
                                   diag.warn(where + ": key " + qstr(key) + ": unknown, ignored");
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
                               diag.error(where + ": key \"cpuset\": " + qstr(*s) +
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
            json_object_object_foreach(entry, key, val) {
                if (std::strcmp(key, "allowedNamespaces") == 0) {
                    if (val == nullptr || !json_object_is_type(val, json_type_array)) {
                        diag.error(where +
                                   ": key \"allowedNamespaces\": expected a list of strings, got " +
                                   wp::json_type_label(val));
                        ok = false;
                        continue;
                    }
                    size_t n = json_object_array_length(val);
                    for (size_t i = 0; i < n; ++i) {
                        std::string k = "allowedNamespaces[" + std::to_string(i) + "]";
                        auto s = wp::json_string(json_object_array_get_idx(val, i), where, k);
                        if (!s) {
                            diag.error(s.error().message);
                            ok = false;
                        } else if (!wp::is_namespace_pattern(*s)) {
                            diag.error(where + ": key \"" + k + "\": " + qstr(*s) +
                                       " is neither a namespace name nor a \"prefix*\" pattern");
                            ok = false;
                        } else {
                            pe.allowed_namespaces.push_back(*s);
                        }
                    }
                } else if (std::strcmp(key, "defaults") == 0) {
                    if (val == nullptr || !json_object_is_type(val, json_type_object)) {
                        diag.error(where + ": key \"defaults\": expected an object, got " +
                                   wp::json_type_label(val));
                        ok = false;
                        continue;
                    }
                    json_object_object_foreach(val, dk, dv) {
                        int64_t *slot = nullptr;
                        if (std::strcmp(dk, "cpushares") == 0)
                            slot = &pe.defaults.cpushares;
                        else if (std::strcmp(dk, "cpuquota") == 0)
                            slot = &pe.defaults.cpuquota;
                        else if (std::strcmp(dk, "cpuperiod") == 0)
                            slot = &pe.defaults.cpuperiod;
                        if (slot == nullptr) {
                            diag.error(where + ": key \"defaults." + dk +
                                       "\": unknown (expected cpushares, cpuquota, cpuperiod)");
                            ok = false;
                            continue;
                        }
                        auto v = wp::json_int(dv, where, std::string("defaults.") + dk);
                        if (!v) {
                            diag.error(v.error().message);
                            ok = false;
                            continue;
                        }
                        *slot = *v;
                    }
                    std::string bad = wp::check_defaults(pe.defaults);
                    if (!bad.empty()) {
                        diag.error(where + ": defaults: " + bad);
                        ok = false;
                    }
                } else {
                    diag.error(where + ": key " + qstr(key) +
                               ": unknown (expected allowedNamespaces, defaults)");
                    ok = false;
                }
            }
            if (ok) out[name] = std::move(pe);
        });
    return out;
}

} // namespace wpctl
