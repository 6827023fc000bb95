// The OCI state (runtime-spec "state" object) as the hook receives it on stdin,
// and the few fields of the bundle's config.json that the hook may need.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "result.hpp"

namespace wp {

using Annotations = std::map<std::string, std::string, std::less<>>;

inline constexpr size_t kMaxAnnotations = 65536;

struct OciState {
    std::string oci_version;
    std::string id;
    std::string status;           // "creating", "created" (createRuntime), "stopped" (poststop)
    int pid = 0;                  // 0 when absent
    std::string bundle;           // "" when absent
    bool has_annotations = false; // the "annotations" key was present
    Annotations annotations;
};

// Parses and validates the state (strict JSON, <= kMaxStateBytes). Unknown
// fields are ignored. Errors are Fault::Usage and name "OCI state" and the key.
Result<OciState> parse_state(std::string_view text);

// What the hook may use from <bundle>/config.json.
struct BundleConfig {
    bool has_annotations = false;
    Annotations annotations;
    std::string cgroups_path; // linux.cgroupsPath, "" when absent
};

Result<BundleConfig> parse_bundle_config(std::string_view text, std::string_view what);

// Reads <bundle>/config.json: bounded, the bundle directory must be absolute and
// config.json must not be a symlink. Absent -> std::nullopt.
Result<std::optional<BundleConfig>> load_bundle_config(const std::string &bundle);

// A partition annotation's value, with string-typed annotation map checks.
std::optional<std::string_view> find_annotation(const Annotations &a, std::string_view key);

} // namespace wp
