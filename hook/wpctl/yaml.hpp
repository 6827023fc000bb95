// YAML documents (libyaml) converted to json-c trees, so that YAML and JSON
// manifests share one validator. Plain scalars are resolved with the YAML 1.2
// core schema (null, booleans, integers, floats); quoted scalars are strings.
#pragma once

#include <string_view>
#include <vector>

#include "json.hpp"
#include "result.hpp"

namespace wpctl {

inline constexpr size_t kYamlMaxNodes = 100000; // after alias expansion
inline constexpr int kYamlMaxDepth = 32;

// Every document of a YAML stream. An empty document yields a null JsonPtr.
// Errors name `what` and the line and column. Duplicate mapping keys, non-scalar
// keys and alias bombs are refused.
wp::Result<std::vector<wp::JsonPtr>> yaml_documents(std::string_view text, std::string_view what);

} // namespace wpctl
