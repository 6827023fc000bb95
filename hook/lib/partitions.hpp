// The merged partition file: every partition name, with this node's cpuset.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpuset.hpp"
#include "result.hpp"

struct json_object;

namespace wp {

inline constexpr const char *kActivationPrefix = "target.workload.openshift.io/";
inline constexpr const char *kDefaultAnnotationPrefix = "resources.workload.openshift.io";
inline constexpr size_t kMaxPartitions = 4096;

struct PartitionDefaults {
    int64_t cpushares = 0; // 0 = leave as the runtime set it
    int64_t cpuquota = 0;
    int64_t cpuperiod = 0;
};

struct Partition {
    std::string name;
    CpuSet cpuset; // empty when cpuset_text is ""
    std::string cpuset_text;
    std::string activation_annotation; // default target.workload.openshift.io/<name>
    std::string annotation_prefix;     // default resources.workload.openshift.io
    PartitionDefaults defaults;
    std::vector<std::string> allowed_namespaces; // empty = any
    std::vector<std::string> sources;
};

struct PartitionFile {
    std::vector<Partition> partitions; // sorted by name
    const Partition *find(std::string_view name) const;
};

// A DNS-1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 characters.
bool is_dns1123_label(std::string_view s);

// An allowedNamespaces entry: a namespace name (a DNS-1123 label) or a
// "prefix*" pattern whose prefix starts like one.
bool is_namespace_pattern(std::string_view s);

// The node-policy fields of a partition entry, "allowedNamespaces" and
// "defaults": one parser, one set of messages, for the merged partition file and
// for wpctl's node policy. `what` names the file (and the entry), `key` the field
// as messages show it ("partitions.management.defaults", "defaults"). Every
// problem is passed to `report` (the partition file keeps the first, wpctl
// collects them all); the result says whether there was none. Messages:
//   <what>: key "<key>": expected a list of strings, got <type>
//   <what>: key "<key>[i]": "<v>" is neither a namespace name nor a "prefix*" pattern
//   <what>: key "<key>": expected an object, got <type>
//   <what>: key "<key>.<k>": unknown (expected cpushares, cpuquota, cpuperiod)
//   <what>: key "<key>.<k>": <n> is outside 0 or <lo>..<hi>
using ReportError = std::function<void(Error)>;
bool parse_allowed_namespaces(json_object *v, const std::string &what, const std::string &key,
                              std::vector<std::string> &out, const ReportError &report);
bool parse_partition_defaults(json_object *v, const std::string &what, const std::string &key,
                              PartitionDefaults &out, const ReportError &report);

// `ns` matches an allowedNamespaces entry: exact, or "prefix-*" glob.
bool namespace_allowed(const Partition &p, std::string_view ns);

Result<PartitionFile> parse_partitions(std::string_view text, std::string_view path);
// Absent file -> std::nullopt.
Result<std::optional<PartitionFile>> load_partitions(const std::string &path);

// Serializes in the documented format (docs/ARCHITECTURE.md §4 key order, partitions sorted by
// name, two-space indent, final newline); parse_partitions(format_partitions(f)) == f.
std::string format_partitions(const PartitionFile &f);

} // namespace wp
