// The merged partition file: every partition name, with this node's cpuset.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cpuset.hpp"
#include "result.hpp"

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

// "" when the defaults are within the ranges of resource_limits.hpp (0 = none),
// else what is wrong, e.g. "key \"cpushares\": 1 is outside 0 or 2..262144".
std::string check_defaults(const PartitionDefaults &d);

// `ns` matches an allowedNamespaces entry: exact, or "prefix-*" glob.
bool namespace_allowed(const Partition &p, std::string_view ns);

Result<PartitionFile> parse_partitions(std::string_view text, std::string_view path);
// Absent file -> std::nullopt.
Result<std::optional<PartitionFile>> load_partitions(const std::string &path);

// Serializes in the documented format (docs/ARCHITECTURE.md §4 key order, partitions sorted by
// name, two-space indent, final newline); parse_partitions(format_partitions(f)) == f.
std::string format_partitions(const PartitionFile &f);

} // namespace wp
