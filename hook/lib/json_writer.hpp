// The one JSON writer: the C API report, the log record, the merged partition
// file and `wpctl status --json` are written with it. Members come out in the
// order written; strings are escaped by json_append_quoted (quotes, backslashes
// and every control character; invalid UTF-8 replaced), so no text, whoever
// controls it, can break the document.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wp {

class JsonWriter {
  public:
    // How a container lays out its members:
    //   Compact  {"a":1,"b":[2,3]}            records, reports, status
    //   Inline   {"a": 1, "b": [2, 3]}        short values in files people read
    //   Block    one member a line, indented two spaces a level
    enum class Layout { Compact, Inline, Block };

    JsonWriter &begin_object(Layout layout = Layout::Compact);
    JsonWriter &end_object();
    JsonWriter &begin_array(Layout layout = Layout::Compact);
    JsonWriter &end_array();
    // The key of the next member of the current object.
    JsonWriter &key(std::string_view k);
    JsonWriter &string(std::string_view s);
    JsonWriter &number(int64_t n);
    JsonWriter &boolean(bool b);
    // A number already in JSON syntax (a value the caller formatted).
    JsonWriter &raw_number(std::string_view digits);
    // A member: key(k) then the value.
    JsonWriter &member(std::string_view k, std::string_view s) { return key(k).string(s); }
    JsonWriter &member(std::string_view k, const char *s) { return key(k).string(s); }
    JsonWriter &member(std::string_view k, int64_t n) { return key(k).number(n); }
    JsonWriter &member(std::string_view k, uint64_t n) {
        return key(k).number(static_cast<int64_t>(n));
    }
    JsonWriter &member(std::string_view k, int n) { return key(k).number(n); }
    // A member whose value is an array of strings.
    JsonWriter &member(std::string_view k, const std::vector<std::string> &list,
                       Layout layout = Layout::Compact);

    const std::string &str() const { return out_; }
    std::string take() { return std::move(out_); }

  private:
    struct Level {
        Layout layout;
        bool empty = true;
    };
    void before_value();
    void open(char c, Layout layout);
    void close(char c);

    std::string out_;
    std::vector<Level> stack_;
    bool after_key_ = false;
};

// `s` as a JSON string literal, for messages that show a value.
std::string json_quoted(std::string_view s);

} // namespace wp
