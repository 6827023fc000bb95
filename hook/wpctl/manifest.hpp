// WorkloadPartitions manifests: JSON or YAML files holding single objects,
// multi-document YAML streams, or Lists (kind List / WorkloadPartitionsList),
// and directories of such files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "diag.hpp"
#include "json.hpp"
#include "result.hpp"

namespace wpctl {

inline constexpr const char *kApiVersion = "workload.openshift.io/v1";
inline constexpr const char *kKind = "WorkloadPartitions";
inline constexpr size_t kMaxManifestBytes = 4u << 20;

struct ManifestObject {
    std::string file;               // the path it was read from
    std::string location;           // "document 2, items[0]"; "" for a lone object
    std::string name;               // metadata.name
    std::vector<std::string> names; // partition names, each once, in file order
};

// "FILE: object \"NAME\" (LOCATION)"
std::string describe(const ManifestObject &o);

// Reads a whole file (or stdin for "-"), bounded by `max`; errors name the path.
wp::Result<std::string> read_input_file(const std::string &path, size_t max);

// The documents of a file: JSON when the name ends in ".json" or the first
// non-blank byte is '{' or '['; YAML otherwise. Empty YAML documents are dropped.
wp::Result<std::vector<wp::JsonPtr>> load_documents(std::string_view text, const std::string &path);

// A Kubernetes object name: a DNS-1123 subdomain (<= 253, lower-case labels joined by dots).
bool is_dns1123_subdomain(std::string_view s);

// Validates every object in `text` and appends the WorkloadPartitions objects.
// Problems go to `diag`, naming the file, the object and the field.
void read_manifest_text(std::string_view text, const std::string &path,
                        std::vector<ManifestObject> &out, Diagnostics &diag);

// Files and directories (a directory contributes its *.json, *.yaml and *.yml
// files in name order, not recursively, hidden files skipped).
void read_manifests(const std::vector<std::string> &paths, std::vector<ManifestObject> &out,
                    Diagnostics &diag);

} // namespace wpctl
