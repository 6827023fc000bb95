#include "pin_record.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.hpp"
#include "dir.hpp"
#include "json.hpp"
#include "json_writer.hpp"
#include "trusted_file.hpp"

namespace wp {

namespace {

constexpr size_t kMaxContainerIdBytes = 200;
constexpr const char *kCriOMetadataKey = "io.kubernetes.cri-o.Metadata";
constexpr std::string_view kSuffix = ".json";

Error sys_error(const std::string &what) {
    return make_error(Fault::System, what + ": " + std::strerror(errno));
}

template <class Map> void string_map(JsonWriter &w, std::string_view k, const Map &m) {
    w.key(k).begin_object(JsonWriter::Layout::Block);
    for (const auto &[mk, mv] : m)
        w.member(mk, mv);
    w.end_object();
}

void dir(JsonWriter &w, std::string_view k, const ControllerDir &d) {
    w.key(k).begin_object(JsonWriter::Layout::Inline).member("dir", d.rel);
    w.key("v2").boolean(d.v2).end_object();
}

// Typed reading of a record's keys; every error names `what` and the key.
struct Reader {
    json_object *o;
    std::string_view what;

    json_object *get(const char *k) const {
        json_object *v = nullptr;
        return json_object_object_get_ex(o, k, &v) ? v : nullptr;
    }
    Status string(const char *k, std::string &out, bool required = false) const {
        json_object *v = get(k);
        if (v == nullptr) {
            if (!required) return ok_status();
            return make_error(Fault::Input, std::string(what) + ": key \"" + k + "\" is missing");
        }
        auto s = json_string(v, what, k, Fault::Input);
        if (!s) return s.take_error();
        out = std::move(*s);
        return ok_status();
    }
    template <class T>
    Status integer(json_object *from, const char *k, std::optional<T> &out) const {
        json_object *v = nullptr;
        if (!json_object_object_get_ex(from, k, &v) || v == nullptr) return ok_status();
        auto n = json_int(v, what, k, Fault::Input);
        if (!n) return n.take_error();
        if (*n < 0)
            return make_error(Fault::Input, std::string(what) + ": key \"" + k + "\" is negative");
        out = static_cast<T>(*n);
        return ok_status();
    }
    Result<json_object *> object(const char *k) const {
        json_object *v = get(k);
        if (v == nullptr || !json_object_is_type(v, json_type_object))
            return make_error(Fault::Input,
                              std::string(what) + ": key \"" + k + "\" is not an object");
        return v;
    }
    template <class Map> Status string_map(const char *k, Map &out) const {
        auto obj = object(k);
        if (!obj) return obj.take_error();
        json_object_object_foreach(*obj, mk, mv) {
            auto s = json_string(mv, what, std::string(k) + "." + mk, Fault::Input);
            if (!s) return s.take_error();
            out[mk] = std::move(*s);
        }
        return ok_status();
    }
    Status controller(json_object *cgroups, const char *k, ControllerDir &out) const {
        json_object *d = nullptr;
        if (!json_object_object_get_ex(cgroups, k, &d) || !json_object_is_type(d, json_type_object))
            return make_error(Fault::Input,
                              std::string(what) + ": key \"cgroups." + k + "\" is not an object");
        Reader r{d, what};
        if (auto s = r.string("dir", out.rel, true); !s) return s;
        json_object *v2 = r.get("v2");
        if (v2 != nullptr) {
            auto b = json_bool(v2, what, std::string("cgroups.") + k + ".v2", Fault::Input);
            if (!b) return b.take_error();
            out.v2 = *b;
        }
        return check_cgroup_path(out.rel, what);
    }
};

} // namespace

Annotations deciding_annotations(const Partition &partition, const Annotations &all) {
    Annotations out;
    auto keep = [&](std::string_view k) {
        if (auto v = find_annotation(all, k)) out.emplace(std::string(k), std::string(*v));
    };
    keep(partition.activation_annotation);
    keep(kPodNamespaceKey);
    keep(kPodNameKey);
    keep(kContainerNameKey);
    keep(kCriOMetadataKey);
    if (auto name = find_annotation(all, kContainerNameKey))
        keep(partition.annotation_prefix + "/" + std::string(*name));
    return out;
}

Status check_container_id(std::string_view id) {
    auto bad = [&](const char *why) {
        return make_error(Fault::Input,
                          "container id " + json_quoted(id.substr(0, 64)) + ": " + why);
    };
    if (id.empty()) return bad("is empty");
    if (id.size() > kMaxContainerIdBytes) return bad("is longer than 200 bytes");
    if (id.front() == '.') return bad("starts with '.'");
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '+' || c == '-';
        if (!ok) return bad("may hold only letters, digits and \"_.+-\"");
    }
    return ok_status();
}

std::string pin_record_json(const PinRecord &r) {
    JsonWriter w;
    w.begin_object(JsonWriter::Layout::Block);
    w.member("version", kPinRecordVersion);
    w.member("containerId", r.container_id);
    w.member("podNamespace", r.pod_namespace);
    w.member("podName", r.pod_name);
    w.member("containerName", r.container_name);
    w.member("partition", r.partition);
    string_map(w, "annotations", r.annotations);
    w.key("plan").begin_object(JsonWriter::Layout::Inline);
    if (r.plan.cpuset) w.member("cpuset", r.plan.cpuset->format());
    if (r.plan.shares) w.member("cpushares", *r.plan.shares);
    if (r.plan.quota_us) w.member("cpuquota", *r.plan.quota_us);
    if (r.plan.period_us) w.member("cpuperiod", *r.plan.period_us);
    w.end_object();
    w.member("cgroupRoot", r.cgroup_root);
    w.key("cgroups").begin_object(JsonWriter::Layout::Block);
    dir(w, "cpuset", r.cgroups.cpuset);
    dir(w, "cpu", r.cgroups.cpu);
    w.end_object();
    w.member("unit", r.unit);
    w.member("systemd", r.systemd);
    string_map(w, "before", r.before);
    w.member("time", r.time_unix);
    if (r.elapsed_us > 0) w.member("elapsedUs", r.elapsed_us);
    w.end_object();
    return w.take() + "\n";
}

Result<PinRecord> parse_pin_record(std::string_view text, std::string_view what) {
    auto root = json_parse_object(text, what, Fault::Input);
    if (!root) return root.take_error();
    Reader rd{root->get(), what};
    PinRecord r;
    std::optional<int64_t> version;
    if (auto s = rd.integer(rd.o, "version", version); !s) return s.take_error();
    if (version != kPinRecordVersion)
        return make_error(Fault::Input, std::string(what) + ": key \"version\" is not " +
                                            std::to_string(kPinRecordVersion));
    for (auto [k, field, required] : {std::tuple{"containerId", &r.container_id, true},
                                      {"podNamespace", &r.pod_namespace, false},
                                      {"podName", &r.pod_name, false},
                                      {"containerName", &r.container_name, false},
                                      {"partition", &r.partition, true},
                                      {"cgroupRoot", &r.cgroup_root, true},
                                      {"unit", &r.unit, false},
                                      {"systemd", &r.systemd, false}})
        if (auto s = rd.string(k, *field, required); !s) return s.take_error();
    if (auto s = check_container_id(r.container_id); !s)
        return make_error(Fault::Input, std::string(what) + ": " + s.error().message);
    if (auto s = rd.string_map("annotations", r.annotations); !s) return s.take_error();
    if (auto s = rd.string_map("before", r.before); !s) return s.take_error();

    auto plan = rd.object("plan");
    if (!plan) return plan.take_error();
    Reader pr{*plan, what};
    std::string cpuset;
    if (pr.get("cpuset") != nullptr) {
        if (auto s = pr.string("cpuset", cpuset); !s) return s.take_error();
        auto cs = CpuSet::parse(cpuset);
        if (!cs)
            return make_error(Fault::Input,
                              std::string(what) + ": key \"plan.cpuset\": " + cs.error().message);
        r.plan.cpuset = *cs;
    }
    if (auto s = rd.integer(*plan, "cpushares", r.plan.shares); !s) return s.take_error();
    if (auto s = rd.integer(*plan, "cpuquota", r.plan.quota_us); !s) return s.take_error();
    if (auto s = rd.integer(*plan, "cpuperiod", r.plan.period_us); !s) return s.take_error();

    auto cgroups = rd.object("cgroups");
    if (!cgroups) return cgroups.take_error();
    if (auto s = rd.controller(*cgroups, "cpuset", r.cgroups.cpuset); !s) return s.take_error();
    if (auto s = rd.controller(*cgroups, "cpu", r.cgroups.cpu); !s) return s.take_error();
    r.cgroups.source = "pin record";
    std::optional<int64_t> t;
    if (auto s = rd.integer(rd.o, "time", t); !s) return s.take_error();
    r.time_unix = t.value_or(0);
    std::optional<int64_t> el;
    if (auto s = rd.integer(rd.o, "elapsedUs", el); !s) return s.take_error();
    r.elapsed_us = el.value_or(0);
    return r;
}

Result<PinDir> PinDir::open(const std::string &path, bool create) {
    PinDir d;
    d.path_ = path;
    if (path.empty() || path.front() != '/')
        return make_error(Fault::Usage, "pin record directory \"" + path + "\": not absolute");
    constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = ::open(path.c_str(), kFlags);
    if (fd < 0 && errno == ENOENT && create) {
        // Every missing component, root-only. Existing ones are left alone.
        for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
            std::string prefix = path.substr(0, slash);
            if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
                return sys_error("pin record directory " + prefix + ": cannot create it");
            if (slash == std::string::npos) break;
        }
        fd = ::open(path.c_str(), kFlags);
    }
    if (fd < 0) {
        if (errno == ENOENT && !create) return d;
        return sys_error("pin record directory " + path);
    }
    d.fd_.reset(fd);
    struct stat st;
    if (::fstat(fd, &st) != 0) return sys_error("pin record directory " + path);
    if (st.st_uid != ::geteuid() || (st.st_mode & 022) != 0)
        return make_error(Fault::Untrusted,
                          "pin record directory " + path + ": must be owned by uid " +
                              std::to_string(::geteuid()) + " and not writable by group or others");
    return d;
}

Status PinDir::write(const PinRecord &r) const {
    if (auto s = check_container_id(r.container_id); !s) return s;
    if (!exists()) return make_error(Fault::System, path_ + ": pin record directory not open");
    // Records live on /run and describe this boot's containers: no fsync (two disk
    // flushes where /run is not a tmpfs), the rename keeps readers atomic.
    return replace_file_at(fd(), path_, r.container_id + std::string(kSuffix), pin_record_json(r),
                           0600, Durability::Volatile);
}

Result<std::optional<PinRecord>> PinDir::read(std::string_view container_id) const {
    if (auto s = check_container_id(container_id); !s) return s.take_error();
    if (!exists()) return std::optional<PinRecord>();
    std::string name = std::string(container_id) + std::string(kSuffix);
    // A record is a trusted file: regular, never through a symlink, owned by
    // root and writable by nobody else. Anything else is refused, not followed.
    auto text = read_trusted_file(path_ + "/" + name, kMaxPinRecordBytes);
    if (!text) return text.take_error();
    if (!*text) return std::optional<PinRecord>();
    auto r = parse_pin_record(**text, path_ + "/" + name);
    if (!r) return r.take_error();
    if (r->container_id != container_id)
        return make_error(Fault::Input, path_ + "/" + name + ": key \"containerId\" is \"" +
                                            r->container_id + "\", not the file's name");
    return std::optional<PinRecord>(std::move(*r));
}

Result<std::vector<std::string>> PinDir::list() const {
    std::vector<std::string> ids;
    if (!exists()) return ids;
    auto entries = list_dir(fd(), path_);
    if (!entries) return entries.take_error();
    for (const auto &e : *entries) {
        std::string_view n = e.name;
        if (n.size() <= kSuffix.size() || n.substr(n.size() - kSuffix.size()) != kSuffix) continue;
        std::string_view id = n.substr(0, n.size() - kSuffix.size());
        if (check_container_id(id)) ids.emplace_back(id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

Result<bool> PinDir::remove(std::string_view container_id) const {
    if (auto s = check_container_id(container_id); !s) return s.take_error();
    if (!exists()) return false;
    std::string name = std::string(container_id) + std::string(kSuffix);
    if (::unlinkat(fd(), name.c_str(), 0) != 0) {
        if (errno == ENOENT) return false;
        return sys_error(path_ + "/" + name + ": cannot remove");
    }
    return true;
}

} // namespace wp
