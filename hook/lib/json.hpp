// Strict, bounded JSON parsing over json-c, with RAII ownership of json_object.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <json-c/json.h>

#include "result.hpp"

namespace wp {

struct JsonPut {
    void operator()(json_object *o) const { json_object_put(o); }
};
using JsonPtr = std::unique_ptr<json_object, JsonPut>;

inline constexpr int kJsonMaxDepth = 32;

// Parses `text` as exactly one JSON value: strict grammar (no comments, no NaN,
// no trailing data), valid UTF-8, no raw NUL byte, nesting <= kJsonMaxDepth.
// `what` names the source (a file path, "OCI state on stdin", an annotation key)
// and appears in every error message. Duplicate object keys: the last one wins,
// as in Go's encoding/json that CRI-O uses.
Result<JsonPtr> json_parse_strict(std::string_view text, std::string_view what,
                                  Fault fault = Fault::Usage);

// json_parse_strict, and the value must be an object ("expected a JSON object, got ...").
Result<JsonPtr> json_parse_object(std::string_view text, std::string_view what,
                                  Fault fault = Fault::Usage);

// Typed accessors. Each returns an error naming `what` and `key` when the type is
// wrong; std::nullopt when the key is absent.
const char *json_type_label(const json_object *o);

// A string value as std::string; strings with an embedded NUL are refused.
Result<std::string> json_string(json_object *o, std::string_view what, std::string_view key,
                                Fault fault = Fault::Usage);
// An integer value (JSON number without fraction or exponent).
Result<int64_t> json_int(json_object *o, std::string_view what, std::string_view key,
                         Fault fault = Fault::Usage);
Result<bool> json_bool(json_object *o, std::string_view what, std::string_view key,
                       Fault fault = Fault::Usage);

// Writes `s` as a JSON string literal (with quotes) to `out`.
void json_append_quoted(std::string &out, std::string_view s);

} // namespace wp
