#include "partitions.hpp"

#include <algorithm>

#include "json.hpp"
#include "json_writer.hpp"
#include "resource_limits.hpp"
#include "trusted_file.hpp"

namespace wp {

bool is_dns1123_label(std::string_view s) {
    if (s.empty() || s.size() > 63) return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(s.front()) || !alnum(s.back())) return false;
    for (char c : s)
        if (!alnum(c) && c != '-') return false;
    return true;
}

bool is_namespace_pattern(std::string_view s) {
    if (s.empty() || s.back() != '*') return is_dns1123_label(s);
    std::string_view prefix = s.substr(0, s.size() - 1);
    if (prefix.empty() || prefix.size() > 62) return false;
    if (!((prefix[0] >= 'a' && prefix[0] <= 'z') || (prefix[0] >= '0' && prefix[0] <= '9')))
        return false;
    for (char c : prefix)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
}

bool parse_allowed_namespaces(json_object *v, const std::string &what, const std::string &key,
                              std::vector<std::string> &out, const ReportError &report) {
    if (v == nullptr || !json_object_is_type(v, json_type_array)) {
        report(make_error(Fault::Usage, what + ": key \"" + key +
                                            "\": expected a list of strings, got " +
                                            json_type_label(v)));
        return false;
    }
    bool ok = true;
    size_t n = json_object_array_length(v);
    for (size_t i = 0; i < n; ++i) {
        std::string k = key + "[" + std::to_string(i) + "]";
        auto s = json_string(json_object_array_get_idx(v, i), what, k);
        if (!s) {
            report(s.take_error());
            ok = false;
        } else if (!is_namespace_pattern(*s)) {
            report(make_error(Fault::Usage,
                              what + ": key \"" + k + "\": " + json_quoted(*s) +
                                  " is neither a namespace name nor a \"prefix*\" pattern"));
            ok = false;
        } else {
            out.push_back(std::move(*s));
        }
    }
    return ok;
}

bool parse_partition_defaults(json_object *v, const std::string &what, const std::string &key,
                              PartitionDefaults &out, const ReportError &report) {
    if (v == nullptr || !json_object_is_type(v, json_type_object)) {
        report(make_error(Fault::Usage, what + ": key \"" + key + "\": expected an object, got " +
                                            json_type_label(v)));
        return false;
    }
    struct Field {
        const char *name;
        int64_t PartitionDefaults::*slot;
        Range range;
    };
    static const Field kFields[] = {{"cpushares", &PartitionDefaults::cpushares, kSharesRange},
                                    {"cpuquota", &PartitionDefaults::cpuquota, kQuotaRange},
                                    {"cpuperiod", &PartitionDefaults::cpuperiod, kPeriodRange}};
    bool ok = true;
    json_object_object_foreach(v, dk, dv) {
        std::string k = key + "." + dk;
        const Field *f = nullptr;
        for (const auto &c : kFields)
            if (std::string_view(dk) == c.name) f = &c;
        if (f == nullptr) {
            report(make_error(Fault::Usage, what + ": key \"" + k +
                                                "\": unknown (expected cpushares, cpuquota, "
                                                "cpuperiod)"));
            ok = false;
            continue;
        }
        auto n = json_int(dv, what, k);
        if (!n) {
            report(n.take_error());
            ok = false;
        } else if (*n != 0 && (*n < f->range.lo || *n > f->range.hi)) {
            report(make_error(Fault::Usage, what + ": key \"" + k + "\": " + std::to_string(*n) +
                                                " is outside 0 or " + std::to_string(f->range.lo) +
                                                ".." + std::to_string(f->range.hi)));
            ok = false;
        } else {
            out.*(f->slot) = *n;
        }
    }
    return ok;
}

bool namespace_allowed(const Partition &p, std::string_view ns) {
    if (p.allowed_namespaces.empty()) return true;
    for (const auto &pat : p.allowed_namespaces) {
        if (!pat.empty() && pat.back() == '*') {
            std::string_view prefix(pat.data(), pat.size() - 1);
            if (ns.size() >= prefix.size() && ns.substr(0, prefix.size()) == prefix) return true;
        } else if (ns == pat) {
            return true;
        }
    }
    return false;
}

const Partition *PartitionFile::find(std::string_view name) const {
    for (const auto &p : partitions)
        if (p.name == name) return &p;
    return nullptr;
}

namespace {

// The first problem an entry parser reports.
struct FirstError {
    std::optional<Error> error;
    ReportError sink() {
        return [this](Error e) {
            if (!error) error = std::move(e);
        };
    }
};

Status string_list(json_object *v, const std::string &what, const std::string &key,
                   std::vector<std::string> &out) {
    if (v == nullptr || !json_object_is_type(v, json_type_array))
        return make_error(Fault::Usage, what + ": key \"" + key + "\": expected an array, got " +
                                            json_type_label(v));
    size_t n = json_object_array_length(v);
    for (size_t i = 0; i < n; ++i) {
        auto s =
            json_string(json_object_array_get_idx(v, i), what, key + "[" + std::to_string(i) + "]");
        if (!s) return s.take_error();
        out.push_back(std::move(*s));
    }
    return ok_status();
}

Result<Partition> parse_partition(const std::string &name, json_object *o,
                                  const std::string &path) {
    std::string where = "partitions." + name;
    if (!is_dns1123_label(name))
        return make_error(Fault::Usage,
                          path + ": partition name \"" + name + "\" is not a DNS-1123 label");
    if (o == nullptr || !json_object_is_type(o, json_type_object))
        return make_error(Fault::Usage, path + ": key \"" + where + "\": expected an object, got " +
                                            json_type_label(o));
    Partition p;
    p.name = name;
    p.activation_annotation = std::string(kActivationPrefix) + name;
    p.annotation_prefix = kDefaultAnnotationPrefix;
    bool have_cpuset = false;
    json_object_object_foreach(o, key, v) {
        std::string k(key);
        std::string full = where + "." + k;
        if (k == "cpuset") {
            auto s = json_string(v, path, full);
            if (!s) return s.take_error();
            auto cs = CpuSet::parse(*s);
            if (!cs)
                return make_error(Fault::Usage,
                                  path + ": key \"" + full + "\": " + cs.error().message);
            p.cpuset = *cs;
            p.cpuset_text = cs->format();
            have_cpuset = true;
        } else if (k == "activationAnnotation" || k == "annotationPrefix") {
            auto s = json_string(v, path, full);
            if (!s) return s.take_error();
            if (s->empty())
                return make_error(Fault::Usage, path + ": key \"" + full + "\" is empty");
            (k == "activationAnnotation" ? p.activation_annotation : p.annotation_prefix) =
                std::move(*s);
        } else if (k == "defaults") {
            FirstError first;
            if (!parse_partition_defaults(v, path, full, p.defaults, first.sink()))
                return std::move(*first.error);
        } else if (k == "allowedNamespaces") {
            FirstError first;
            if (!parse_allowed_namespaces(v, path, full, p.allowed_namespaces, first.sink()))
                return std::move(*first.error);
        } else if (k == "sources") {
            auto st = string_list(v, path, full, p.sources);
            if (!st) return st.take_error();
        } else {
            return make_error(Fault::Usage, path + ": unknown key \"" + full + "\"");
        }
    }
    if (!have_cpuset)
        return make_error(Fault::Usage, path + ": key \"" + where + ".cpuset\" is missing");
    return p;
}

} // namespace

Result<PartitionFile> parse_partitions(std::string_view text, std::string_view path_view) {
    std::string path(path_view);
    auto root = json_parse_object(text, path);
    if (!root) return root.take_error();
    json_object *o = root->get();
    PartitionFile f;
    bool have_version = false, have_partitions = false;
    json_object_object_foreach(o, key, v) {
        std::string_view k(key);
        if (k == "version") {
            auto n = json_int(v, path, "version");
            if (!n) return n.take_error();
            if (*n != 1)
                return make_error(Fault::Usage, path + ": key \"version\": " + std::to_string(*n) +
                                                    " is not supported (1 is)");
            have_version = true;
        } else if (k == "partitions") {
            if (v == nullptr || !json_object_is_type(v, json_type_object))
                return make_error(Fault::Usage,
                                  path + ": key \"partitions\": expected an object, got " +
                                      json_type_label(v));
            if (static_cast<size_t>(json_object_object_length(v)) > kMaxPartitions)
                return make_error(Fault::Usage, path + ": more than " +
                                                    std::to_string(kMaxPartitions) + " partitions");
            json_object_object_foreach(v, pk, pv) {
                auto p = parse_partition(pk, pv, path);
                if (!p) return p.take_error();
                f.partitions.push_back(std::move(*p));
            }
            have_partitions = true;
        } else {
            return make_error(Fault::Usage, path + ": unknown key \"" + std::string(k) + "\"");
        }
    }
    if (!have_version) return make_error(Fault::Usage, path + ": key \"version\" is missing");
    if (!have_partitions) return make_error(Fault::Usage, path + ": key \"partitions\" is missing");
    std::sort(f.partitions.begin(), f.partitions.end(),
              [](const Partition &a, const Partition &b) { return a.name < b.name; });
    {
        std::vector<const Partition *> by_ann;
        by_ann.reserve(f.partitions.size());
        for (const auto &p : f.partitions)
            by_ann.push_back(&p);
        std::sort(by_ann.begin(), by_ann.end(), [](const Partition *a, const Partition *b) {
            return a->activation_annotation < b->activation_annotation;
        });
        for (size_t i = 1; i < by_ann.size(); ++i)
            if (by_ann[i - 1]->activation_annotation == by_ann[i]->activation_annotation)
                return make_error(Fault::Usage, path + ": partitions \"" + by_ann[i - 1]->name +
                                                    "\" and \"" + by_ann[i]->name +
                                                    "\" share the activation annotation \"" +
                                                    by_ann[i]->activation_annotation + "\"");
    }
    return f;
}

Result<std::optional<PartitionFile>> load_partitions(const std::string &path) {
    auto text = read_trusted_file(path, kMaxConfigBytes);
    if (!text) return node_file_fault(text.take_error());
    if (!*text) return std::optional<PartitionFile>{};
    auto f = parse_partitions(**text, path);
    if (!f) return node_file_fault(f.take_error());
    return std::optional<PartitionFile>(std::move(*f));
}

std::string format_partitions(const PartitionFile &f) {
    using L = JsonWriter::Layout;
    JsonWriter w;
    w.begin_object(L::Block).member("version", 1).key("partitions").begin_object(L::Block);
    for (const Partition &p : f.partitions) {
        w.key(p.name).begin_object(L::Block);
        w.member("cpuset", p.cpuset.format());
        w.member("activationAnnotation", p.activation_annotation);
        w.member("annotationPrefix", p.annotation_prefix);
        w.key("defaults").begin_object(L::Inline);
        w.member("cpushares", p.defaults.cpushares);
        w.member("cpuquota", p.defaults.cpuquota);
        w.member("cpuperiod", p.defaults.cpuperiod);
        w.end_object();
        w.member("allowedNamespaces", p.allowed_namespaces, L::Inline);
        w.member("sources", p.sources, L::Inline);
        w.end_object();
    }
    w.end_object().end_object();
    return w.take() + "\n";
}

} // namespace wp
