#include "manifest.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include <fcntl.h>
#include <sys/stat.h>

#include "fd.hpp"
#include "json_writer.hpp"
#include "partitions.hpp"
#include "trusted_file.hpp"
#include "yaml.hpp"

namespace wpctl {

using wp::Fault;
using wp::JsonPtr;
using wp::make_error;
using wp::Result;

std::string describe(const ManifestObject &o) {
    std::string s = o.file + ": object \"" + o.name + "\"";
    if (!o.location.empty()) s += " (" + o.location + ")";
    return s;
}

Result<std::string> read_input_file(const std::string &path, size_t max) {
    if (path == "-") return wp::read_fd_bounded(0, max, "standard input");
    wp::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd.valid()) return make_error(Fault::Usage, path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return make_error(Fault::System, path + ": " + std::strerror(errno));
    // Regular files, and character devices such as /dev/null or /dev/stdin.
    if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
        return make_error(Fault::Usage, path + ": not a regular file");
    return wp::read_fd_bounded(fd.get(), max, path);
}

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool looks_like_json(std::string_view text) {
    size_t i = 0;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        ++i;
    return i < text.size() && (text[i] == '{' || text[i] == '[');
}

// The context of one object while it is validated.
struct Ctx {
    const std::string &file;
    std::string location;
    std::string name; // "" until metadata.name is known
    std::string prefix() const {
        std::string s = file + ": ";
        if (!name.empty()) s += "object \"" + name + "\"";
        if (!location.empty()) s += name.empty() ? location : " (" + location + ")";
        if (name.empty() && location.empty()) s += "object";
        return s;
    }
};

json_object *get(json_object *o, const char *key) {
    json_object *v = nullptr;
    if (o == nullptr || !json_object_is_type(o, json_type_object)) return nullptr;
    return json_object_object_get_ex(o, key, &v) ? v : nullptr;
}

bool has(json_object *o, const char *key) {
    return json_object_object_get_ex(o, key, nullptr);
}

// A string field; records an error and returns false when it is not one.
bool string_field(json_object *v, const Ctx &c, const std::string &field, std::string &out,
                  Diagnostics &diag) {
    if (v == nullptr || !json_object_is_type(v, json_type_string)) {
        diag.error(c.prefix() + ": " + field + ": expected a string, got " +
                   wp::json_type_label(v));
        return false;
    }
    out.assign(json_object_get_string(v), static_cast<size_t>(json_object_get_string_len(v)));
    return true;
}

bool check_name(const std::string &n, const Ctx &c, const std::string &field, Diagnostics &diag) {
    if (wp::is_dns1123_label(n)) return true;
    diag.error(c.prefix() + ": " + field + ": " + wp::json_quoted(n) +
               " is not a valid partition name (a DNS-1123 label: lower-case letters, digits "
               "and '-', starting and ending with a letter or digit, at most 63 characters)");
    return false;
}

// The CRD declares both lists unique (list-type set / map keyed by name): the
// API server refuses such an object, so it was not exported from a cluster.
void warn_listed_twice(const Ctx &c, const std::string &field, const std::string &n,
                       Diagnostics &diag) {
    diag.warn(c.prefix() + ": " + field + ": " + wp::json_quoted(n) +
              " is listed twice (the API server would refuse this object); merged once");
}

void add_name(ManifestObject &o, const std::string &n) {
    if (std::find(o.names.begin(), o.names.end(), n) == o.names.end()) o.names.push_back(n);
}

void check_workload_partitions(json_object *obj, Ctx c, std::vector<ManifestObject> &out,
                               Diagnostics &diag) {
    size_t errors_before = diag.count(Severity::Error);
    // metadata.name first, so that later messages name the object.
    json_object *meta = get(obj, "metadata");
    if (meta == nullptr || !json_object_is_type(meta, json_type_object)) {
        diag.error(c.prefix() + ": metadata: expected an object with a name, got " +
                   (has(obj, "metadata") ? wp::json_type_label(meta) : "nothing"));
        return;
    }
    std::string name;
    if (!has(meta, "name")) {
        diag.error(c.prefix() + ": metadata.name: missing");
        return;
    }
    if (!string_field(get(meta, "name"), c, "metadata.name", name, diag)) return;
    if (!is_dns1123_subdomain(name)) {
        diag.error(c.prefix() + ": metadata.name: " + wp::json_quoted(name) +
                   " is not a valid object name (a DNS-1123 subdomain)");
        return;
    }
    c.name = name;
    if (has(meta, "namespace"))
        diag.warn(c.prefix() +
                  ": metadata.namespace: ignored, WorkloadPartitions is cluster-scoped");

    std::string api;
    if (!has(obj, "apiVersion")) {
        diag.error(c.prefix() + ": apiVersion: missing (expected " + wp::json_quoted(kApiVersion) +
                   ")");
    } else if (string_field(get(obj, "apiVersion"), c, "apiVersion", api, diag) &&
               api != kApiVersion) {
        diag.error(c.prefix() + ": apiVersion: " + wp::json_quoted(api) +
                   " is not supported (expected " + wp::json_quoted(kApiVersion) + ")");
    }

    ManifestObject mo{c.file, c.location, name, {}};
    json_object *status = get(obj, "status");
    if (status == nullptr) {
        diag.warn(c.prefix() + ": status: missing or null; the object lists no partition names");
    } else if (!json_object_is_type(status, json_type_object)) {
        diag.error(c.prefix() + ": status: expected an object, got " + wp::json_type_label(status));
    } else {
        json_object_object_foreach(status, key, val) {
            (void)val;
            if (std::strcmp(key, "clusterPartitionNames") != 0 &&
                std::strcmp(key, "partitions") != 0)
                diag.warn(c.prefix() + ": status." + key + ": unknown field, ignored");
        }
        json_object *cpn = get(status, "clusterPartitionNames");
        if (cpn != nullptr) {
            if (!json_object_is_type(cpn, json_type_array)) {
                diag.error(c.prefix() +
                           ": status.clusterPartitionNames: expected a list of names, got " +
                           wp::json_type_label(cpn));
            } else {
                size_t n = json_object_array_length(cpn);
                std::set<std::string> seen;
                for (size_t i = 0; i < n; ++i) {
                    std::string field = "status.clusterPartitionNames[" + std::to_string(i) + "]";
                    std::string pn;
                    if (string_field(json_object_array_get_idx(cpn, i), c, field, pn, diag) &&
                        check_name(pn, c, field, diag)) {
                        if (!seen.insert(pn).second) warn_listed_twice(c, field, pn, diag);
                        add_name(mo, pn);
                    }
                }
            }
        }
        json_object *parts = get(status, "partitions");
        if (parts != nullptr) {
            if (!json_object_is_type(parts, json_type_array)) {
                diag.error(c.prefix() + ": status.partitions: expected a list, got " +
                           wp::json_type_label(parts));
            } else {
                size_t n = json_object_array_length(parts);
                std::set<std::string> seen;
                for (size_t i = 0; i < n; ++i) {
                    std::string field = "status.partitions[" + std::to_string(i) + "]";
                    json_object *p = json_object_array_get_idx(parts, i);
                    if (p == nullptr || !json_object_is_type(p, json_type_object)) {
                        diag.error(c.prefix() + ": " + field +
                                   ": expected an object {name, scope}, got " +
                                   wp::json_type_label(p));
                        continue;
                    }
                    json_object_object_foreach(p, key, val) {
                        (void)val;
                        if (std::strcmp(key, "name") != 0 && std::strcmp(key, "scope") != 0)
                            diag.warn(c.prefix() + ": " + field + "." + key +
                                      ": unknown field, ignored");
                    }
                    bool ok = true;
                    json_object *scope = get(p, "scope");
                    if (scope != nullptr) {
                        std::string sc;
                        if (!string_field(scope, c, field + ".scope", sc, diag))
                            ok = false;
                        else if (sc != "cluster") {
                            diag.error(c.prefix() + ": " + field + ".scope: unknown scope " +
                                       wp::json_quoted(sc) + " (only \"cluster\" is accepted)");
                            ok = false;
                        }
                    }
                    std::string pn;
                    if (!has(p, "name")) {
                        diag.error(c.prefix() + ": " + field + ".name: missing");
                        ok = false;
                    } else if (!string_field(get(p, "name"), c, field + ".name", pn, diag) ||
                               !check_name(pn, c, field + ".name", diag)) {
                        ok = false;
                    }
                    if (ok && !seen.insert(pn).second)
                        warn_listed_twice(c, field + ".name", pn, diag);
                    if (ok) add_name(mo, pn);
                }
            }
        }
        if (cpn == nullptr && parts == nullptr)
            diag.warn(c.prefix() + ": status: lists no partition names");
    }
    if (diag.count(Severity::Error) == errors_before) out.push_back(std::move(mo));
}

void check_document(json_object *doc, const Ctx &c, bool in_list, std::vector<ManifestObject> &out,
                    Diagnostics &diag) {
    if (doc == nullptr || !json_object_is_type(doc, json_type_object)) {
        diag.error(c.prefix() + ": expected a WorkloadPartitions object, got " +
                   wp::json_type_label(doc));
        return;
    }
    std::string kind;
    if (!has(doc, "kind")) {
        diag.error(c.prefix() + ": kind: missing (expected " + wp::json_quoted(kKind) + ")");
        return;
    }
    if (!string_field(get(doc, "kind"), c, "kind", kind, diag)) return;
    if (kind == kKind) {
        check_workload_partitions(doc, c, out, diag);
        return;
    }
    if (kind == "List" || kind == "WorkloadPartitionsList") {
        if (in_list) {
            diag.error(c.prefix() + ": kind: a " + kind + " inside a List is not supported");
            return;
        }
        std::string api;
        const char *want = kind == "List" ? "v1" : kApiVersion;
        if (!has(doc, "apiVersion"))
            diag.error(c.prefix() + ": apiVersion: missing (expected " + wp::json_quoted(want) +
                       ")");
        else if (string_field(get(doc, "apiVersion"), c, "apiVersion", api, diag) && api != want)
            diag.error(c.prefix() + ": apiVersion: " + wp::json_quoted(api) +
                       " is not supported for kind " + kind + " (expected " +
                       wp::json_quoted(want) + ")");
        json_object *items = get(doc, "items");
        if (items == nullptr) return; // an empty list
        if (!json_object_is_type(items, json_type_array)) {
            diag.error(c.prefix() + ": items: expected a list, got " + wp::json_type_label(items));
            return;
        }
        size_t n = json_object_array_length(items);
        for (size_t i = 0; i < n; ++i) {
            Ctx item{c.file,
                     (c.location.empty() ? "" : c.location + ", ") + "items[" + std::to_string(i) +
                         "]",
                     ""};
            check_document(json_object_array_get_idx(items, i), item, true, out, diag);
        }
        return;
    }
    diag.error(c.prefix() + ": kind: " + wp::json_quoted(kind) + " is not " + kKind +
               " (nor a List of them)");
}

} // namespace

bool is_dns1123_subdomain(std::string_view s) {
    if (s.empty() || s.size() > 253) return false;
    size_t start = 0;
    for (;;) {
        size_t dot = s.find('.', start);
        std::string_view label =
            s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
        if (!wp::is_dns1123_label(label)) return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

Result<std::vector<JsonPtr>> load_documents(std::string_view text, const std::string &path) {
    if (ends_with(path, ".json") || looks_like_json(text)) {
        auto j = wp::json_parse_strict(text, path);
        if (!j) return j.take_error();
        std::vector<JsonPtr> v;
        v.push_back(std::move(*j));
        return v;
    }
    auto docs = yaml_documents(text, path);
    if (!docs) return docs.take_error();
    std::vector<JsonPtr> v;
    for (auto &d : *docs)
        if (d) v.push_back(std::move(d));
    return v;
}

void read_manifest_text(std::string_view text, const std::string &path,
                        std::vector<ManifestObject> &out, Diagnostics &diag) {
    auto docs = load_documents(text, path);
    if (!docs) {
        diag.error(docs.error().message);
        return;
    }
    if (docs->empty()) {
        diag.warn(path + ": no objects in the file");
        return;
    }
    for (size_t i = 0; i < docs->size(); ++i) {
        Ctx c{path, docs->size() > 1 ? "document " + std::to_string(i + 1) : "", ""};
        check_document((*docs)[i].get(), c, false, out, diag);
    }
}

void read_manifests(const std::vector<std::string> &paths, std::vector<ManifestObject> &out,
                    Diagnostics &diag) {
    namespace fs = std::filesystem;
    for (const auto &p : paths) {
        std::error_code ec;
        if (p != "-" && fs::is_directory(p, ec)) {
            std::vector<std::string> files;
            for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
                std::string fname = it->path().filename().string();
                if (fname.empty() || fname[0] == '.') continue;
                if (!ends_with(fname, ".json") && !ends_with(fname, ".yaml") &&
                    !ends_with(fname, ".yml"))
                    continue;
                files.push_back(it->path().string());
            }
            if (ec) {
                diag.error(p + ": " + ec.message());
                continue;
            }
            std::sort(files.begin(), files.end());
            if (files.empty()) diag.warn(p + ": no *.json, *.yaml or *.yml files in the directory");
            for (const auto &f : files) {
                auto text = read_input_file(f, kMaxManifestBytes);
                if (!text)
                    diag.error(text.error().message);
                else
                    read_manifest_text(*text, f, out, diag);
            }
            continue;
        }
        auto text = read_input_file(p, kMaxManifestBytes);
        if (!text)
            diag.error(text.error().message);
        else
            read_manifest_text(*text, p, out, diag);
    }
}

} // namespace wpctl
