#include "yaml.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <yaml.h>

namespace wpctl {

namespace {

using wp::Error;
using wp::Fault;
using wp::JsonPtr;
using wp::make_error;
using wp::Result;

struct Parser {
    yaml_parser_t p;
    bool ok;
    Parser() { ok = yaml_parser_initialize(&p) != 0; }
    ~Parser() {
        if (ok) yaml_parser_delete(&p);
    }
    Parser(const Parser &) = delete;
    Parser &operator=(const Parser &) = delete;
};

struct Document {
    yaml_document_t d;
    bool loaded = false;
    ~Document() {
        if (loaded) yaml_document_delete(&d);
    }
};

std::string where(std::string_view what, const yaml_mark_t &m) {
    return std::string(what) + ": line " + std::to_string(m.line + 1) + ", column " +
           std::to_string(m.column + 1);
}

bool all_of(std::string_view s, const char *set) {
    return !s.empty() && s.find_first_not_of(set) == std::string_view::npos;
}

// [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+
bool is_integer(std::string_view s) {
    if (s.rfind("0o", 0) == 0) return all_of(s.substr(2), "01234567");
    if (s.rfind("0x", 0) == 0) return all_of(s.substr(2), "0123456789abcdefABCDEF");
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    return all_of(s, "0123456789");
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_float(std::string_view s) {
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    size_t e = s.find_first_of("eE");
    std::string_view mant = s.substr(0, e), exp = e == s.npos ? "" : s.substr(e + 1);
    if (e != s.npos) {
        if (!exp.empty() && (exp[0] == '-' || exp[0] == '+')) exp.remove_prefix(1);
        if (!all_of(exp, "0123456789")) return false;
    }
    size_t dot = mant.find('.');
    if (dot == mant.npos) return all_of(mant, "0123456789");
    std::string_view ip = mant.substr(0, dot), fp = mant.substr(dot + 1);
    if (ip.empty()) return all_of(fp, "0123456789");
    return all_of(ip, "0123456789") && (fp.empty() || all_of(fp, "0123456789"));
}

// YAML 1.2 core schema resolution of a plain scalar.
JsonPtr resolve_plain(const std::string &s, bool &is_null) {
    is_null = false;
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
        is_null = true;
        return nullptr;
    }
    if (s == "true" || s == "True" || s == "TRUE") return JsonPtr(json_object_new_boolean(1));
    if (s == "false" || s == "False" || s == "FALSE") return JsonPtr(json_object_new_boolean(0));
    if (is_integer(s)) {
        errno = 0;
        int base = 10;
        const char *begin = s.c_str();
        if (s.rfind("0o", 0) == 0)
            base = 8, begin += 2;
        else if (s.rfind("0x", 0) == 0)
            base = 16, begin += 2;
        char *end = nullptr;
        long long v = std::strtoll(begin, &end, base);
        if (errno == 0 && end && *end == '\0') return JsonPtr(json_object_new_int64(v));
        // Out of range: keep the text, as a string.
        return JsonPtr(json_object_new_string_len(s.data(), static_cast<int>(s.size())));
    }
    if (is_float(s)) return JsonPtr(json_object_new_double(std::strtod(s.c_str(), nullptr)));
    return JsonPtr(json_object_new_string_len(s.data(), static_cast<int>(s.size())));
}

class Converter {
  public:
    Converter(yaml_document_t *doc, std::string_view what) : doc_(doc), what_(what) {}

    Result<JsonPtr> convert(yaml_node_t *node, int depth) {
        if (node == nullptr)
            return make_error(Fault::Usage, std::string(what_) + ": dangling YAML node");
        if (++nodes_ > kYamlMaxNodes)
            return make_error(Fault::Usage, where(what_, node->start_mark) + ": more than " +
                                                std::to_string(kYamlMaxNodes) +
                                                " nodes (after aliases are expanded)");
        if (depth > kYamlMaxDepth)
            return make_error(Fault::Usage, where(what_, node->start_mark) +
                                                ": nesting deeper than " +
                                                std::to_string(kYamlMaxDepth));
        switch (node->type) {
        case YAML_SCALAR_NODE: {
            std::string s(reinterpret_cast<const char *>(node->data.scalar.value),
                          node->data.scalar.length);
            if (std::memchr(s.data(), '\0', s.size()) != nullptr)
                return make_error(Fault::Usage,
                                  where(what_, node->start_mark) + ": NUL character in a scalar");
            if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
                return JsonPtr(json_object_new_string_len(s.data(), static_cast<int>(s.size())));
            bool is_null = false;
            JsonPtr v = resolve_plain(s, is_null);
            return v;
        }
        case YAML_SEQUENCE_NODE: {
            JsonPtr arr(json_object_new_array());
            for (yaml_node_item_t *it = node->data.sequence.items.start;
                 it < node->data.sequence.items.top; ++it) {
                auto child = convert(yaml_document_get_node(doc_, *it), depth + 1);
                if (!child) return child.take_error();
                json_object_array_add(arr.get(), child->release());
            }
            return arr;
        }
        case YAML_MAPPING_NODE: {
            JsonPtr obj(json_object_new_object());
            for (yaml_node_pair_t *pr = node->data.mapping.pairs.start;
                 pr < node->data.mapping.pairs.top; ++pr) {
                yaml_node_t *k = yaml_document_get_node(doc_, pr->key);
                if (k == nullptr || k->type != YAML_SCALAR_NODE)
                    return make_error(Fault::Usage,
                                      where(what_, k ? k->start_mark : node->start_mark) +
                                          ": a mapping key must be a scalar");
                std::string key(reinterpret_cast<const char *>(k->data.scalar.value),
                                k->data.scalar.length);
                if (std::memchr(key.data(), '\0', key.size()) != nullptr)
                    return make_error(Fault::Usage,
                                      where(what_, k->start_mark) + ": NUL character in a key");
                if (json_object_object_get_ex(obj.get(), key.c_str(), nullptr))
                    return make_error(Fault::Usage, where(what_, k->start_mark) +
                                                        ": duplicate key \"" + key + "\"");
                auto child = convert(yaml_document_get_node(doc_, pr->value), depth + 1);
                if (!child) return child.take_error();
                json_object_object_add(obj.get(), key.c_str(), child->release());
            }
            return obj;
        }
        case YAML_NO_NODE:
            break;
        }
        return make_error(Fault::Usage, where(what_, node->start_mark) + ": empty YAML node");
    }

  private:
    yaml_document_t *doc_;
    std::string_view what_;
    size_t nodes_ = 0;
};

} // namespace

Result<std::vector<JsonPtr>> yaml_documents(std::string_view text, std::string_view what) {
    if (std::memchr(text.data(), '\0', text.size()) != nullptr)
        return make_error(Fault::Usage, std::string(what) + ": invalid YAML: NUL byte in input");
    Parser parser;
    if (!parser.ok) return make_error(Fault::System, std::string(what) + ": out of memory");
    yaml_parser_set_input_string(&parser.p, reinterpret_cast<const unsigned char *>(text.data()),
                                 text.size());
    std::vector<JsonPtr> docs;
    for (;;) {
        Document doc;
        if (!yaml_parser_load(&parser.p, &doc.d)) {
            std::string msg = where(what, parser.p.problem_mark) + ": invalid YAML: " +
                              (parser.p.problem ? parser.p.problem : "parse error");
            if (parser.p.context) msg += std::string(" (") + parser.p.context + ")";
            return make_error(Fault::Usage, msg);
        }
        doc.loaded = true;
        yaml_node_t *root = yaml_document_get_root_node(&doc.d);
        if (root == nullptr) break; // end of the stream
        if (docs.size() >= 1024)
            return make_error(Fault::Usage, std::string(what) + ": more than 1024 YAML documents");
        Converter conv(&doc.d, what);
        auto v = conv.convert(root, 1);
        if (!v) return v.take_error();
        docs.push_back(std::move(*v));
    }
    return docs;
}

} // namespace wpctl
