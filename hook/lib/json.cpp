#include "json.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace wp {

namespace {

bool only_whitespace(std::string_view s) {
    for (char c : s)
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
    return true;
}

struct TokenerFree {
    void operator()(json_tokener *t) const { json_tokener_free(t); }
};

} // namespace

Result<JsonPtr> json_parse_strict(std::string_view text, std::string_view what, Fault fault) {
    auto fail = [&](std::string_view why) {
        return make_error(fault, std::string(what) + ": " + std::string(why));
    };
    if (std::memchr(text.data(), '\0', text.size()) != nullptr)
        return fail("invalid JSON: NUL byte in input");
    if (text.size() > static_cast<size_t>(INT32_MAX)) return fail("input too large");
    std::unique_ptr<json_tokener, TokenerFree> tok(json_tokener_new_ex(kJsonMaxDepth));
    if (!tok) return fail("out of memory");
    json_tokener_set_flags(tok.get(), JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    JsonPtr obj(json_tokener_parse_ex(tok.get(), text.data(), static_cast<int>(text.size())));
    json_tokener_error err = json_tokener_get_error(tok.get());
    if (err == json_tokener_continue) return fail("invalid JSON: unexpected end of input");
    if (err != json_tokener_success) {
        std::string msg = "invalid JSON at byte " +
                          std::to_string(json_tokener_get_parse_end(tok.get())) + ": " +
                          json_tokener_error_desc(err);
        return fail(msg);
    }
    size_t end = json_tokener_get_parse_end(tok.get());
    if (end < text.size() && !only_whitespace(text.substr(end)))
        return fail("invalid JSON: trailing data at byte " + std::to_string(end));
    return obj;
}

const char *json_type_label(const json_object *o) {
    if (o == nullptr) return "null";
    switch (json_object_get_type(o)) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "boolean";
    case json_type_double:
        return "number with a fraction";
    case json_type_int:
        return "integer";
    case json_type_object:
        return "object";
    case json_type_array:
        return "array";
    case json_type_string:
        return "string";
    }
    return "unknown";
}

namespace {
Error type_error(Fault fault, std::string_view what, std::string_view key, const char *want,
                 json_object *o) {
    return make_error(fault, std::string(what) + ": key \"" + std::string(key) + "\": expected " +
                                 want + ", got " + json_type_label(o));
}
} // namespace

Result<std::string> json_string(json_object *o, std::string_view what, std::string_view key,
                                Fault fault) {
    if (o == nullptr || !json_object_is_type(o, json_type_string))
        return type_error(fault, what, key, "a string", o);
    const char *s = json_object_get_string(o);
    int len = json_object_get_string_len(o);
    if (std::memchr(s, '\0', static_cast<size_t>(len)) != nullptr)
        return make_error(fault, std::string(what) + ": key \"" + std::string(key) +
                                     "\": string contains a NUL character");
    return std::string(s, static_cast<size_t>(len));
}

Result<int64_t> json_int(json_object *o, std::string_view what, std::string_view key, Fault fault) {
    if (o == nullptr || !json_object_is_type(o, json_type_int))
        return type_error(fault, what, key, "an integer", o);
    errno = 0;
    int64_t v = json_object_get_int64(o);
    if (v == INT64_MAX || v == INT64_MIN)
        return make_error(fault, std::string(what) + ": key \"" + std::string(key) +
                                     "\": integer out of range");
    return v;
}

Result<bool> json_bool(json_object *o, std::string_view what, std::string_view key, Fault fault) {
    if (o == nullptr || !json_object_is_type(o, json_type_boolean))
        return type_error(fault, what, key, "true or false", o);
    return json_object_get_boolean(o) != 0;
}

void json_append_quoted(std::string &out, std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                out += "\\u00";
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 15]);
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
    }
    out.push_back('"');
}

} // namespace wp
