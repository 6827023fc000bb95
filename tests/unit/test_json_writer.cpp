// The one JSON writer: layouts, nesting, escaping, and that what it writes
// parses back with the project's strict parser.
#include "unit.hpp"

#include "json.hpp"
#include "json_writer.hpp"

using L = wp::JsonWriter::Layout;

static void compact_objects_and_arrays(void **) {
    wp::JsonWriter w;
    w.begin_object().member("a", 1).member("b", "x").key("c").begin_array();
    w.number(2).string("y").begin_object().end_object().begin_array().end_array();
    w.end_array().member("d", std::vector<std::string>{"p", "q"}).end_object();
    ASSERT_STR_EQ(w.str(), R"({"a":1,"b":"x","c":[2,"y",{},[]],"d":["p","q"]})");
}

static void inline_layout_has_spaces_after_colons_and_commas(void **) {
    wp::JsonWriter w;
    w.begin_object(L::Inline)
        .member("a", int64_t{-5})
        .member("b", std::vector<std::string>{}, L::Inline);
    w.member("c", std::vector<std::string>{"1", "2"}, L::Inline).end_object();
    ASSERT_STR_EQ(w.str(), R"({"a": -5, "b": [], "c": ["1", "2"]})");
}

static void block_layout_indents_two_spaces_a_level(void **) {
    wp::JsonWriter w;
    w.begin_object(L::Block).member("version", 1).key("p").begin_object(L::Block);
    w.key("m").begin_object(L::Block).key("d").begin_object(L::Inline).member("x", 0);
    w.end_object().end_object().end_object().key("e").begin_object(L::Block).end_object();
    w.end_object();
    ASSERT_STR_EQ(w.str(), "{\n  \"version\": 1,\n  \"p\": {\n    \"m\": {\n      \"d\": {\"x\": "
                           "0}\n    }\n  },\n  \"e\": {}\n}");
}

static void strings_and_keys_are_escaped_control_characters_included(void **) {
    std::string nasty = std::string("q\"b\\n\n\r\t\x01\x1f\x7f", 11) + std::string(1, '\0') + "e";
    wp::JsonWriter w;
    w.begin_object().member(nasty, nasty).end_object();
    std::string out = w.take();
    for (char c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            fail_msg("a raw control character 0x%02x in %s", c, out.c_str());
    ASSERT_CONTAINS(out, "\\u0001");
    ASSERT_CONTAINS(out, "\\u001f");
    ASSERT_CONTAINS(out, "\\u007f");
    ASSERT_CONTAINS(out, "\\u0000");
    ASSERT_CONTAINS(out, "\\n");
    ASSERT_CONTAINS(out, "\\\"");
    // Without the NUL (which the strict parser refuses in any string) it parses
    // back, to the same key and value.
    std::string text = nasty.substr(0, 11) + "e";
    wp::JsonWriter w2;
    w2.begin_object().member(text, text).end_object();
    auto parsed = wp::json_parse_strict(w2.str(), "writer output");
    ASSERT_OK(parsed);
    json_object *v = nullptr;
    assert_true(json_object_object_get_ex(parsed->get(), text.c_str(), &v));
    auto back = wp::json_string(v, "writer output", "value");
    ASSERT_OK(back);
    ASSERT_STR_EQ(*back, text);
}

static void raw_numbers_and_quoted_values(void **) {
    wp::JsonWriter w;
    w.begin_array().raw_number("12.5").number(INT64_MIN).end_array();
    ASSERT_STR_EQ(w.str(), "[12.5,-9223372036854775808]");
    ASSERT_STR_EQ(wp::json_quoted("a\"b\n"), "\"a\\\"b\\n\"");
    ASSERT_STR_EQ(wp::json_quoted(""), "\"\"");
}

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compact_objects_and_arrays),
        cmocka_unit_test(inline_layout_has_spaces_after_colons_and_commas),
        cmocka_unit_test(block_layout_indents_two_spaces_a_level),
        cmocka_unit_test(strings_and_keys_are_escaped_control_characters_included),
        cmocka_unit_test(raw_numbers_and_quoted_values),
    };
    return cmocka_run_group_tests_name("json_writer", tests, NULL, NULL);
}
