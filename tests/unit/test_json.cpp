// json: strict, bounded parsing over json-c and the typed accessors.
#include "unit.hpp"

#include "json.hpp"

using wp::Fault;
using namespace std::literals;

static std::string nested_arrays(int depth) {
    return std::string(static_cast<size_t>(depth), '[') +
           std::string(static_cast<size_t>(depth), ']');
}

static void parses_an_object(void **) {
    auto r = wp::json_parse_strict(R"({"a": 1, "b": [true, null], "c": "x"})", "test input");
    ASSERT_OK(r);
    assert_true(json_object_is_type(r->get(), json_type_object));
}

static void parses_scalars_at_top_level(void **) {
    // An override annotation's value may be the literal null (no override).
    ASSERT_OK(wp::json_parse_strict("null", "t"));
    ASSERT_OK(wp::json_parse_strict("true", "t"));
    ASSERT_OK(wp::json_parse_strict("false", "t"));
    ASSERT_OK(wp::json_parse_strict("5", "t"));
    ASSERT_OK(wp::json_parse_strict("-1.5", "t"));
    ASSERT_OK(wp::json_parse_strict("\"s\"", "t"));
    ASSERT_OK(wp::json_parse_strict("  {}\n", "t"));
}

static void top_level_null_is_json_null(void **) {
    auto r = wp::json_parse_strict("null", "t");
    ASSERT_OK(r);
    assert_null(r->get());
}

static void trailing_data_is_refused_and_names_the_source(void **) {
    ASSERT_ERR(wp::json_parse_strict("{} {}", "my-source.json"), Fault::Usage, "my-source.json");
    ASSERT_FAILS(wp::json_parse_strict("{}x", "t"));
    ASSERT_FAILS(wp::json_parse_strict("1 2", "t"));
}

static void empty_and_truncated_input_is_refused(void **) {
    ASSERT_ERR(wp::json_parse_strict("", "empty-src"), Fault::Usage, "empty-src");
    ASSERT_FAILS(wp::json_parse_strict("   ", "t"));
    ASSERT_FAILS(wp::json_parse_strict("{\"a\": ", "t"));
    ASSERT_FAILS(wp::json_parse_strict("[1, 2", "t"));
}

static void comments_are_refused(void **) {
    ASSERT_FAILS(wp::json_parse_strict("{/* c */ \"a\": 1}", "t"));
    ASSERT_FAILS(wp::json_parse_strict("{\"a\": 1} // c", "t"));
}

static void nan_and_infinity_are_refused(void **) {
    ASSERT_FAILS(wp::json_parse_strict("NaN", "t"));
    ASSERT_FAILS(wp::json_parse_strict("[NaN]", "t"));
    ASSERT_FAILS(wp::json_parse_strict("[Infinity]", "t"));
    ASSERT_FAILS(wp::json_parse_strict("[-Infinity]", "t"));
    ASSERT_FAILS(wp::json_parse_strict("{\"cpushares\": NaN}", "t"));
}

static void single_quoted_strings_are_refused(void **) {
    ASSERT_FAILS(wp::json_parse_strict("{'a': 1}", "t"));
    ASSERT_FAILS(wp::json_parse_strict("['x']", "t"));
}

static void non_standard_number_forms_are_refused(void **) {
    ASSERT_FAILS(wp::json_parse_strict("[01]", "t"));
    ASSERT_FAILS(wp::json_parse_strict("[1.]", "t"));
    ASSERT_FAILS(wp::json_parse_strict("[.5]", "t"));
    ASSERT_FAILS(wp::json_parse_strict("[+1]", "t"));
    ASSERT_FAILS(wp::json_parse_strict("[0x10]", "t"));
}

static void other_non_standard_syntax_is_refused(void **) {
    ASSERT_FAILS(wp::json_parse_strict("{a: 1}", "t"));
    ASSERT_FAILS(wp::json_parse_strict("[1,]", "t"));
    ASSERT_FAILS(wp::json_parse_strict("{\"a\": 1,}", "t"));
    ASSERT_FAILS(wp::json_parse_strict("TRUE", "t"));
    ASSERT_FAILS(wp::json_parse_strict("nul", "t"));
}

static void invalid_utf8_is_refused(void **) {
    ASSERT_FAILS(wp::json_parse_strict("\"\xff\xfe\"", "t"));
    ASSERT_FAILS(wp::json_parse_strict("{\"a\xc3\": 1}", "t"));
    // Valid multi-byte UTF-8 is fine.
    ASSERT_OK(wp::json_parse_strict("\"caf\xc3\xa9\"", "t"));
}

static void raw_nul_byte_is_refused(void **) {
    ASSERT_FAILS(wp::json_parse_strict("{}\0"sv, "t"));
    ASSERT_FAILS(wp::json_parse_strict("{\"a\0\": 1}"sv, "t"));
    ASSERT_FAILS(wp::json_parse_strict("\"a\0b\""sv, "t"));
}

static void escaped_nul_in_an_object_key_is_refused(void **) {
    // json-c stores keys as C strings: "a\u0000b" would silently become "a".
    ASSERT_FAILS(wp::json_parse_strict(R"({"a\u0000b": 1})", "t"));
    ASSERT_FAILS(wp::json_parse_strict(R"({"x": {"\u0000": 1}})", "t"));
}

static void nesting_up_to_the_limit_is_accepted(void **) {
    ASSERT_OK(wp::json_parse_strict(nested_arrays(wp::kJsonMaxDepth), "t"));
}

static void nesting_beyond_the_limit_is_refused(void **) {
    ASSERT_ERR(wp::json_parse_strict(nested_arrays(wp::kJsonMaxDepth + 1), "deep-src"),
               Fault::Usage, "deep-src");
    ASSERT_FAILS(wp::json_parse_strict(nested_arrays(10000), "t"));
}

static void fault_kind_is_the_callers(void **) {
    ASSERT_ERR(wp::json_parse_strict("{", "ann", Fault::Input), Fault::Input, "ann");
}

static std::string parsed_string(std::string_view text) {
    auto r = wp::json_parse_strict(text, "t");
    ASSERT_OK(r);
    if (!json_object_is_type(r->get(), json_type_string)) fail_msg("not a string");
    return std::string(json_object_get_string(r->get()),
                       static_cast<size_t>(json_object_get_string_len(r->get())));
}

static void string_escapes_are_decoded(void **) {
    ASSERT_STR_EQ(parsed_string(R"("\u00e9\n\"\/\\\t")"), "\xc3\xa9\n\"/\\\t");
    // A UTF-16 surrogate pair is one code point (U+1F600).
    ASSERT_STR_EQ(parsed_string(R"("\ud83d\ude00")"), "\xf0\x9f\x98\x80");
}

static void invalid_escapes_are_refused(void **) {
    for (const char *bad :
         {R"("\x41")", R"("\u12")", R"("\uZZZZ")", R"("\)", R"("\a")", R"("\U00e9")"})
        if (wp::json_parse_strict(bad, "t").ok()) fail_msg("%s was accepted", bad);
}

static void raw_control_characters_in_strings_are_refused(void **) {
    ASSERT_FAILS(wp::json_parse_strict("\"a\tb\"", "t"));
    ASSERT_FAILS(wp::json_parse_strict("\"a\nb\"", "t"));
    ASSERT_FAILS(wp::json_parse_strict("{\"k\x01\": 1}", "t"));
    ASSERT_FAILS(wp::json_parse_strict("\"\x1f\"", "t"));
}

static void overlong_surrogate_and_out_of_range_utf8_are_refused(void **) {
    ASSERT_FAILS(wp::json_parse_strict("\"\xc0\xaf\"", "t"));                   // overlong '/'
    ASSERT_FAILS(wp::json_parse_strict("\"\xe0\x80\xaf\"", "t"));               // overlong '/'
    ASSERT_FAILS(wp::json_parse_strict("\"\xed\xa0\x80\"", "t"));               // UTF-16 surrogate
    ASSERT_FAILS(wp::json_parse_strict("\"\xf4\x90\x80\x80\"", "t"));           // > U+10FFFF
    ASSERT_FAILS(wp::json_parse_strict("\"\xe2\x82\"", "t"));                   // truncated
    ASSERT_FAILS(wp::json_parse_strict("\"\x80\"", "t"));                       // lone continuation
    ASSERT_OK(wp::json_parse_strict("\"\xe2\x82\xac \xf0\x9f\x98\x80\"", "t")); // euro, emoji
}

static void only_json_whitespace_is_accepted(void **) {
    ASSERT_OK(wp::json_parse_strict(" \t\r\n{ \t\r\n} \t\r\n", "t"));
    ASSERT_FAILS(wp::json_parse_strict("\f{}", "t"));
    ASSERT_FAILS(wp::json_parse_strict("\v{}", "t"));
    ASSERT_FAILS(wp::json_parse_strict("\xc2\xa0{}", "t")); // no-break space
}

static void number_grammar(void **) {
    for (const char *good : {"-0", "0.5e-3", "1E+2", "1e5", "-12.25", "0"})
        if (!wp::json_parse_strict(good, "t").ok()) fail_msg("%s was refused", good);
    for (const char *bad : {"-", "1e", "1e+", "--1", "1.e3", "-.5", "0.", "00", "1_000"})
        if (wp::json_parse_strict(bad, "t").ok()) fail_msg("%s was accepted", bad);
}

static void objects_and_arrays_nest_within_the_limit(void **) {
    std::string mixed;
    for (int i = 0; i < wp::kJsonMaxDepth / 2; ++i)
        mixed += "{\"a\":[";
    mixed += "1";
    for (int i = 0; i < wp::kJsonMaxDepth / 2; ++i)
        mixed += "]}";
    ASSERT_OK(wp::json_parse_strict(mixed, "t"));
    ASSERT_FAILS(wp::json_parse_strict("{\"a\":" + mixed + "}", "t"));
}

static void one_mebibyte_document_parses_quickly(void **) {
    std::string big = "[";
    while (big.size() < (1u << 20) - 16)
        big += "123456789,";
    big += "0]";
    double t0 = unit::now_seconds();
    auto r = wp::json_parse_strict(big, "t");
    double dt = unit::now_seconds() - t0;
    ASSERT_OK(r);
    if (dt > 3.0) fail_msg("1 MiB took %.3f s", dt); // catches quadratic work, not jitter
}

static void duplicate_keys_last_one_wins(void **) {
    auto r = wp::json_parse_strict(R"({"a": 1, "a": 2})", "t");
    ASSERT_OK(r);
    json_object *v = nullptr;
    assert_true(json_object_object_get_ex(r->get(), "a", &v));
    assert_int_equal(json_object_get_int64(v), 2);
}

static json_object *member(const wp::JsonPtr &o, const char *key) {
    json_object *v = nullptr;
    if (!json_object_object_get_ex(o.get(), key, &v)) fail_msg("no key %s", key);
    return v;
}

static void json_string_returns_value_and_refuses_wrong_type(void **) {
    auto doc = wp::json_parse_strict(R"({"s": "hello", "n": 5})", "t");
    ASSERT_OK(doc);
    auto s = wp::json_string(member(*doc, "s"), "doc.json", "s");
    ASSERT_OK(s);
    ASSERT_STR_EQ(*s, "hello");
    ASSERT_ERR(wp::json_string(member(*doc, "n"), "doc.json", "n"), Fault::Usage, "doc.json", "n");
}

static void escaped_nul_in_a_string_value_never_reaches_the_caller(void **) {
    // Refused by the parser, or else by json_string: never a truncated C string.
    auto doc = wp::json_parse_strict(R"({"z": "a\u0000b"})", "doc.json");
    if (!doc.ok()) return;
    ASSERT_FAILS(wp::json_string(member(*doc, "z"), "doc.json", "z"), "z");
}

static void json_int_accepts_integers_only(void **) {
    auto doc = wp::json_parse_strict(
        R"({"i": 42, "neg": -7, "max": 9223372036854775807, "f": 1.5, "e": 1e3, "s": "5",
            "b": true, "fz": 1.0})",
        "t");
    ASSERT_OK(doc);
    auto i = wp::json_int(member(*doc, "i"), "doc", "i");
    ASSERT_OK(i);
    assert_int_equal(*i, 42);
    auto n = wp::json_int(member(*doc, "neg"), "doc", "neg");
    ASSERT_OK(n);
    assert_true(*n == -7);
    auto m = wp::json_int(member(*doc, "max"), "doc", "max");
    ASSERT_OK(m);
    assert_true(*m == INT64_MAX);
    ASSERT_ERR(wp::json_int(member(*doc, "f"), "doc", "f"), Fault::Usage, "f");
    ASSERT_ERR(wp::json_int(member(*doc, "e"), "doc", "e"), Fault::Usage, "e");
    ASSERT_ERR(wp::json_int(member(*doc, "fz"), "doc", "fz"), Fault::Usage, "fz");
    ASSERT_ERR(wp::json_int(member(*doc, "s"), "doc", "s"), Fault::Usage, "s");
    ASSERT_ERR(wp::json_int(member(*doc, "b"), "doc", "b"), Fault::Usage, "b");
}

static void json_int_refuses_values_beyond_int64(void **) {
    auto doc = wp::json_parse_strict(
        R"({"big": 9223372036854775808, "huge": 99999999999999999999999, "low": -9223372036854775809})",
        "t");
    // Refusing the whole document is fine too; a clamped value is not.
    if (!doc.ok()) return;
    ASSERT_FAILS(wp::json_int(member(*doc, "big"), "doc", "big"), "big");
    ASSERT_FAILS(wp::json_int(member(*doc, "huge"), "doc", "huge"), "huge");
    ASSERT_FAILS(wp::json_int(member(*doc, "low"), "doc", "low"), "low");
}

static void json_int_fault_kind_is_the_callers(void **) {
    auto doc = wp::json_parse_strict(R"({"s": "x"})", "t");
    ASSERT_OK(doc);
    ASSERT_ERR(wp::json_int(member(*doc, "s"), "ann", "s", Fault::Input), Fault::Input, "ann", "s");
}

static void json_bool_accepts_booleans_only(void **) {
    auto doc = wp::json_parse_strict(R"({"t": true, "f": false, "one": 1, "s": "true"})", "t");
    ASSERT_OK(doc);
    auto t = wp::json_bool(member(*doc, "t"), "doc", "t");
    ASSERT_OK(t);
    assert_true(*t);
    auto f = wp::json_bool(member(*doc, "f"), "doc", "f");
    ASSERT_OK(f);
    assert_false(*f);
    ASSERT_ERR(wp::json_bool(member(*doc, "one"), "doc", "one"), Fault::Usage, "one");
    ASSERT_ERR(wp::json_bool(member(*doc, "s"), "doc", "s"), Fault::Usage, "s");
}

static void type_label_names_json_types(void **) {
    auto doc = wp::json_parse_strict(R"({"s": "x", "n": 1, "a": [], "o": {}, "b": true})", "t");
    ASSERT_OK(doc);
    const char *labels[] = {
        wp::json_type_label(member(*doc, "s")), wp::json_type_label(member(*doc, "n")),
        wp::json_type_label(member(*doc, "a")), wp::json_type_label(member(*doc, "o")),
        wp::json_type_label(member(*doc, "b"))};
    for (size_t i = 0; i < 5; ++i) {
        assert_non_null(labels[i]);
        assert_true(strlen(labels[i]) > 0);
        for (size_t j = 0; j < i; ++j)
            if (strcmp(labels[i], labels[j]) == 0) fail_msg("two types labelled %s", labels[i]);
    }
    assert_non_null(wp::json_type_label(nullptr)); // JSON null
}

static void append_quoted_escapes_and_round_trips(void **) {
    const std::string nasty = "a\"b\\c\nd\te\x01\x1f/\xc3\xa9";
    std::string out = "prefix:";
    wp::json_append_quoted(out, nasty);
    assert_true(unit::contains(out, "prefix:\""));
    std::string lit = out.substr(strlen("prefix:"));
    // No raw control characters survive.
    for (char c : lit)
        if (static_cast<unsigned char>(c) < 0x20)
            fail_msg("raw control character in %s", lit.c_str());
    auto back = wp::json_parse_strict(lit, "quoted");
    ASSERT_OK(back);
    assert_true(json_object_is_type(back->get(), json_type_string));
    ASSERT_STR_EQ(json_object_get_string(back->get()), nasty);
}

static void append_quoted_empty_string(void **) {
    std::string out;
    wp::json_append_quoted(out, "");
    ASSERT_STR_EQ(out, "\"\"");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_an_object),
        cmocka_unit_test(parses_scalars_at_top_level),
        cmocka_unit_test(top_level_null_is_json_null),
        cmocka_unit_test(trailing_data_is_refused_and_names_the_source),
        cmocka_unit_test(empty_and_truncated_input_is_refused),
        cmocka_unit_test(comments_are_refused),
        cmocka_unit_test(nan_and_infinity_are_refused),
        cmocka_unit_test(single_quoted_strings_are_refused),
        cmocka_unit_test(non_standard_number_forms_are_refused),
        cmocka_unit_test(other_non_standard_syntax_is_refused),
        cmocka_unit_test(invalid_utf8_is_refused),
        cmocka_unit_test(raw_nul_byte_is_refused),
        cmocka_unit_test(escaped_nul_in_an_object_key_is_refused),
        cmocka_unit_test(nesting_up_to_the_limit_is_accepted),
        cmocka_unit_test(nesting_beyond_the_limit_is_refused),
        cmocka_unit_test(fault_kind_is_the_callers),
        cmocka_unit_test(string_escapes_are_decoded),
        cmocka_unit_test(invalid_escapes_are_refused),
        cmocka_unit_test(raw_control_characters_in_strings_are_refused),
        cmocka_unit_test(overlong_surrogate_and_out_of_range_utf8_are_refused),
        cmocka_unit_test(only_json_whitespace_is_accepted),
        cmocka_unit_test(number_grammar),
        cmocka_unit_test(objects_and_arrays_nest_within_the_limit),
        cmocka_unit_test(one_mebibyte_document_parses_quickly),
        cmocka_unit_test(duplicate_keys_last_one_wins),
        cmocka_unit_test(json_string_returns_value_and_refuses_wrong_type),
        cmocka_unit_test(escaped_nul_in_a_string_value_never_reaches_the_caller),
        cmocka_unit_test(json_int_accepts_integers_only),
        cmocka_unit_test(json_int_refuses_values_beyond_int64),
        cmocka_unit_test(json_int_fault_kind_is_the_callers),
        cmocka_unit_test(json_bool_accepts_booleans_only),
        cmocka_unit_test(type_label_names_json_types),
        cmocka_unit_test(append_quoted_escapes_and_round_trips),
        cmocka_unit_test(append_quoted_empty_string),
    };
    return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
