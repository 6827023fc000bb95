#include "json.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

namespace wp {

namespace {

// Length of the valid UTF-8 sequence at s[i], 0 when it is not one.
size_t utf8_len(std::string_view s, size_t i) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    unsigned char c = b(0);
    auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xc0) == 0x80; };
    if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if (!cont(1) || !cont(2)) return 0;
        if (c == 0xe0 && b(1) < 0xa0) return 0;  // overlong
        if (c == 0xed && b(1) >= 0xa0) return 0; // surrogate
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        if (c == 0xf0 && b(1) < 0x90) return 0;
        if (c == 0xf4 && b(1) >= 0x90) return 0;
        return 4;
    }
    return 0;
}

// Bytes that end a run of plain string bytes (printable ASCII that needs no
// escape): '"', '\\', controls, DEL and non-ASCII. The grammar check and the
// quoting skip such runs with one table look-up a byte.
constexpr std::array<bool, 256> kNotPlain = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c)
        t[c] = c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
    return t;
}();

struct TokenerFree {
    void operator()(json_tokener *t) const { json_tokener_free(t); }
};

// An RFC 8259 grammar check run before json-c, which is lenient in places even
// in strict mode (NaN, Infinity, single quotes, "+1", "01", ".5"). Depth is
// bounded by the caller's limit, so the recursion is too.
class Grammar {
  public:
    explicit Grammar(std::string_view s) : s_(s) {}

    // Empty string on success, else what is wrong.
    std::string check() {
        ws();
        if (!value(0)) return err_;
        ws();
        if (i_ != s_.size()) return at("trailing data");
        return {};
    }

  private:
    std::string at(const std::string &why) { return why + " at byte " + std::to_string(i_); }
    bool fail(const std::string &why) {
        if (err_.empty()) err_ = at(why);
        return false;
    }
    void ws() {
        while (i_ < s_.size() &&
               (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
            ++i_;
    }
    bool lit(std::string_view word) {
        if (s_.substr(i_, word.size()) != word) return fail("invalid literal");
        i_ += word.size();
        return true;
    }
    static bool digit(char c) { return c >= '0' && c <= '9'; }
    bool number() {
        if (i_ < s_.size() && s_[i_] == '-') ++i_;
        if (i_ >= s_.size() || !digit(s_[i_])) return fail("invalid number");
        if (s_[i_] == '0') {
            ++i_;
        } else {
            while (i_ < s_.size() && digit(s_[i_]))
                ++i_;
        }
        if (i_ < s_.size() && s_[i_] == '.') {
            ++i_;
            if (i_ >= s_.size() || !digit(s_[i_])) return fail("invalid number");
            while (i_ < s_.size() && digit(s_[i_]))
                ++i_;
        }
        if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
            ++i_;
            if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
            if (i_ >= s_.size() || !digit(s_[i_])) return fail("invalid number");
            while (i_ < s_.size() && digit(s_[i_]))
                ++i_;
        }
        return true;
    }
    // Names where a NUL is: json-c keys are C strings, so "key\u0000x" would
    // arrive as "key"; a NUL is refused everywhere, naming the key path.
    bool nul_error(size_t start, bool in_key) {
        std::string where;
        for (auto k : path_)
            where += (where.empty() ? "" : ".") + std::string(k);
        if (in_key) {
            std::string_view raw = s_.substr(start, std::min<size_t>(i_ + 5 - start, 80));
            where += (where.empty() ? "" : ".") + std::string(raw);
            return fail("NUL character (\\u0000) in the key \"" + where + "\"");
        }
        return fail("NUL character (\\u0000) in the value of key \"" + where + "\"");
    }
    bool string(bool in_key = false) {
        size_t start = ++i_; // after the opening quote
        const size_t n = s_.size();
        const char *p = s_.data();
        while (i_ < n) {
            // Fast path: skip the plain printable ASCII, one table look-up a byte.
            while (i_ < n && !kNotPlain[static_cast<unsigned char>(p[i_])])
                ++i_;
            if (i_ >= n) break;
            unsigned char c = static_cast<unsigned char>(s_[i_]);
            if (c == '"') {
                ++i_;
                return true;
            }
            if (c < 0x20) return fail("control character in string");
            if (c >= 0x80) {
                // Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
                size_t n = utf8_len(s_, i_);
                if (n == 0) return fail("invalid UTF-8 in string");
                i_ += n;
                continue;
            }
            if (c == '\\') {
                ++i_;
                if (i_ >= s_.size()) break;
                char e = s_[i_];
                if (e == 'u') {
                    for (int k = 1; k <= 4; ++k)
                        if (i_ + k >= s_.size() ||
                            !std::isxdigit(static_cast<unsigned char>(s_[i_ + k])))
                            return fail("invalid \\u escape");
                    if (s_.substr(i_ + 1, 4) == "0000") return nul_error(start, in_key);
                    i_ += 4;
                } else if (std::strchr("\"\\/bfnrt", e) == nullptr || e == '\0') {
                    return fail("invalid escape");
                }
            }
            ++i_;
        }
        return fail("unterminated string");
    }
    bool value(int depth) {
        if (i_ >= s_.size()) return fail("unexpected end of input");
        char c = s_[i_];
        if (c == '{' || c == '[') {
            if (depth >= kJsonMaxDepth) return fail("nesting deeper than the limit");
            char close = c == '{' ? '}' : ']';
            ++i_;
            ws();
            if (i_ < s_.size() && s_[i_] == close) {
                ++i_;
                return true;
            }
            for (;;) {
                if (c == '{') {
                    if (i_ >= s_.size() || s_[i_] != '"') return fail("expected a quoted key");
                    size_t key_start = i_ + 1;
                    if (!string(true)) return false;
                    path_.push_back(s_.substr(key_start, i_ - 1 - key_start));
                    ws();
                    if (i_ >= s_.size() || s_[i_] != ':') return fail("expected ':'");
                    ++i_;
                    ws();
                }
                if (!value(depth + 1)) return false;
                if (c == '{') path_.pop_back();
                ws();
                if (i_ < s_.size() && s_[i_] == ',') {
                    ++i_;
                    ws();
                    continue;
                }
                if (i_ < s_.size() && s_[i_] == close) {
                    ++i_;
                    return true;
                }
                return fail(c == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
            }
        }
        if (c == '"') return string();
        if (c == 't') return lit("true");
        if (c == 'f') return lit("false");
        if (c == 'n') return lit("null");
        if (c == '-' || digit(c)) return number();
        return fail("unexpected character");
    }

    std::string_view s_;
    size_t i_ = 0;
    std::string err_;
    std::vector<std::string_view> path_; // keys from the root to the current value
};

} // namespace

Result<JsonPtr> json_parse_strict(std::string_view text, std::string_view what, Fault fault) {
    auto fail = [&](std::string_view why) {
        return make_error(fault, std::string(what) + ": " + std::string(why));
    };
    if (std::memchr(text.data(), '\0', text.size()) != nullptr)
        return fail("invalid JSON: NUL byte in input");
    if (text.size() > static_cast<size_t>(INT32_MAX) - 1) return fail("input too large");
    std::string grammar = Grammar(text).check();
    if (!grammar.empty()) return fail("invalid JSON: " + grammar);
    std::unique_ptr<json_tokener, TokenerFree> tok(json_tokener_new_ex(kJsonMaxDepth + 1));
    if (!tok) return fail("out of memory");
    // No JSON_TOKENER_VALIDATE_UTF8: the grammar check above has already
    // refused any invalid UTF-8, more strictly than json-c (overlong forms,
    // surrogates); a second check of every byte cost ~5 % of a pin.
    json_tokener_set_flags(tok.get(), JSON_TOKENER_STRICT);
    // The terminating NUL is passed too, so that a number or literal at the very
    // end of the input is complete (json-c waits for more input otherwise).
    std::string buf(text);
    JsonPtr obj(json_tokener_parse_ex(tok.get(), buf.c_str(), static_cast<int>(buf.size() + 1)));
    json_tokener_error err = json_tokener_get_error(tok.get());
    if (err != json_tokener_success)
        return fail("invalid JSON at byte " +
                    std::to_string(json_tokener_get_parse_end(tok.get())) + ": " +
                    json_tokener_error_desc(err));
    return obj;
}

Result<JsonPtr> json_parse_object(std::string_view text, std::string_view what, Fault fault) {
    auto root = json_parse_strict(text, what, fault);
    if (!root) return root;
    if (root->get() == nullptr || !json_object_is_type(root->get(), json_type_object))
        return make_error(fault, std::string(what) + ": expected a JSON object, got " +
                                     json_type_label(root->get()));
    return root;
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
    int64_t v = json_object_get_int64(o);
    if ((v == INT64_MAX && json_object_get_uint64(o) > static_cast<uint64_t>(INT64_MAX)) ||
        v == INT64_MIN)
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
    for (size_t i = 0; i < s.size(); ++i) {
        // A run of plain bytes is appended at once.
        size_t run = i;
        while (run < s.size() && !kNotPlain[static_cast<unsigned char>(s[run])])
            ++run;
        if (run != i) {
            out.append(s.data() + i, run - i);
            i = run - 1;
            continue;
        }
        unsigned char c = static_cast<unsigned char>(s[i]);
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
            } else if (c < 0x80) {
                out.push_back(static_cast<char>(c));
            } else if (size_t n = utf8_len(s, i)) {
                out.append(s.substr(i, n));
                i += n - 1;
            } else {
                out += "\\ufffd"; // invalid UTF-8 byte
            }
        }
    }
    out.push_back('"');
}

} // namespace wp
