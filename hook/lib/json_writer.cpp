#include "json_writer.hpp"

#include "json.hpp"

namespace wp {

void JsonWriter::before_value() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (stack_.empty()) return;
    Level &l = stack_.back();
    if (!l.empty) out_ += l.layout == Layout::Inline ? ", " : ",";
    if (l.layout == Layout::Block) {
        out_ += '\n';
        out_.append(2 * stack_.size(), ' ');
    }
    l.empty = false;
}

void JsonWriter::open(char c, Layout layout) {
    before_value();
    out_ += c;
    stack_.push_back(Level{layout});
}

void JsonWriter::close(char c) {
    Level l = stack_.back();
    stack_.pop_back();
    if (l.layout == Layout::Block && !l.empty) {
        out_ += '\n';
        out_.append(2 * stack_.size(), ' ');
    }
    out_ += c;
}

JsonWriter &JsonWriter::begin_object(Layout layout) {
    open('{', layout);
    return *this;
}

JsonWriter &JsonWriter::end_object() {
    close('}');
    return *this;
}

JsonWriter &JsonWriter::begin_array(Layout layout) {
    open('[', layout);
    return *this;
}

JsonWriter &JsonWriter::end_array() {
    close(']');
    return *this;
}

JsonWriter &JsonWriter::key(std::string_view k) {
    before_value();
    json_append_quoted(out_, k);
    out_ += stack_.back().layout == Layout::Compact ? ":" : ": ";
    after_key_ = true;
    return *this;
}

JsonWriter &JsonWriter::string(std::string_view s) {
    before_value();
    json_append_quoted(out_, s);
    return *this;
}

JsonWriter &JsonWriter::number(int64_t n) {
    before_value();
    out_ += std::to_string(n);
    return *this;
}

JsonWriter &JsonWriter::boolean(bool b) {
    before_value();
    out_ += b ? "true" : "false";
    return *this;
}

JsonWriter &JsonWriter::raw_number(std::string_view digits) {
    before_value();
    out_ += digits;
    return *this;
}

JsonWriter &JsonWriter::member(std::string_view k, const std::vector<std::string> &list,
                               Layout layout) {
    key(k).begin_array(layout);
    for (const auto &s : list)
        string(s);
    return end_array();
}

std::string json_quoted(std::string_view s) {
    std::string out;
    json_append_quoted(out, s);
    return out;
}

} // namespace wp
