// log: the structured record as JSON, the target resolution and stderr output.
#include "unit.hpp"

#include <sys/socket.h>

#include "json.hpp"
#include "log.hpp"

static wp::JsonPtr parse_record(const std::string &text) {
    auto r = wp::json_parse_strict(text, "log record");
    ASSERT_OK(r);
    if (!json_object_is_type(r->get(), json_type_object))
        fail_msg("not an object: %s", text.c_str());
    return std::move(*r);
}

static json_object *member(const wp::JsonPtr &o, const char *key) {
    json_object *v = nullptr;
    if (!json_object_object_get_ex(o.get(), key, &v)) fail_msg("record has no key \"%s\"", key);
    return v;
}

// True when some string member of the object equals `s`.
static bool has_string_member(const wp::JsonPtr &o, const std::string &s) {
    json_object_object_foreach(o.get(), k, v) {
        (void)k;
        if (json_object_is_type(v, json_type_string) && s == json_object_get_string(v)) return true;
    }
    return false;
}

static wp::LogRecord sample() {
    wp::LogRecord r;
    r.level = wp::LogLevel::Info;
    r.message = "pinned container abc to partition management";
    r.fields = {{"container_id", "abc123", false},
                {"pod_namespace", "openshift-etcd", false},
                {"partition", "management", false},
                {"cpuset", "0-1", false},
                {"elapsed_us", "1234", true}};
    return r;
}

static void record_json_is_one_object_with_every_field(void **) {
    std::string j = wp::log_record_json(sample());
    assert_true(j.find('\n') == std::string::npos);
    wp::JsonPtr o = parse_record(j);
    assert_true(has_string_member(o, "pinned container abc to partition management"));
    ASSERT_STR_EQ(json_object_get_string(member(o, "container_id")), "abc123");
    ASSERT_STR_EQ(json_object_get_string(member(o, "pod_namespace")), "openshift-etcd");
    ASSERT_STR_EQ(json_object_get_string(member(o, "partition")), "management");
    ASSERT_STR_EQ(json_object_get_string(member(o, "cpuset")), "0-1");
}

static void number_fields_are_json_numbers(void **) {
    wp::JsonPtr o = parse_record(wp::log_record_json(sample()));
    json_object *e = member(o, "elapsed_us");
    assert_true(json_object_is_type(e, json_type_int));
    assert_int_equal(json_object_get_int64(e), 1234);
}

static void record_json_names_the_level(void **) {
    wp::LogRecord r = sample();
    r.level = wp::LogLevel::Error;
    wp::JsonPtr o = parse_record(wp::log_record_json(r));
    assert_true(has_string_member(o, wp::log_level_name(wp::LogLevel::Error)));
}

static void quotes_backslashes_and_control_characters_are_escaped(void **) {
    wp::LogRecord r;
    r.message =
        "bad annotation \"resources.workload.openshift.io/x\": \\ line1\nline2\t\x01\x1f end";
    r.fields = {{"annotation", "{\"cpushares\": \"400\"}\r\n", false}};
    std::string j = wp::log_record_json(r);
    for (char c : j)
        if (static_cast<unsigned char>(c) < 0x20)
            fail_msg("raw control character 0x%02x in %s", static_cast<unsigned char>(c),
                     j.c_str());
    wp::JsonPtr o = parse_record(j);
    assert_true(has_string_member(o, r.message));
    ASSERT_STR_EQ(json_object_get_string(member(o, "annotation")), r.fields[0].value);
}

static void pod_controlled_field_cannot_inject_keys(void **) {
    wp::LogRecord r;
    r.message = "m";
    r.fields = {{"pod_name", "x\",\"outcome\":\"applied", false}};
    wp::JsonPtr o = parse_record(wp::log_record_json(r));
    json_object *v = nullptr;
    assert_false(json_object_object_get_ex(o.get(), "outcome", &v));
    ASSERT_STR_EQ(json_object_get_string(member(o, "pod_name")), "x\",\"outcome\":\"applied");
}

static void invalid_utf8_in_a_field_still_gives_valid_json(void **) {
    wp::LogRecord r;
    r.message = "m";
    r.fields = {{"pod_name", "bad\xff\xfe utf8", false}};
    std::string j = wp::log_record_json(r);
    parse_record(j); // strict parsing validates UTF-8
}

static void non_numeric_number_field_still_gives_valid_json(void **) {
    wp::LogRecord r;
    r.message = "m";
    r.fields = {{"elapsed_us", "12,\"x\":1", true}, {"weight", "", true}};
    parse_record(wp::log_record_json(r));
}

static void empty_record_is_valid_json(void **) {
    parse_record(wp::log_record_json(wp::LogRecord{}));
}

static void explicit_targets_resolve_to_themselves(void **) {
    assert_true(wp::resolve_log_target(wp::LogTarget::Stderr) == wp::LogTarget::Stderr);
    assert_true(wp::resolve_log_target(wp::LogTarget::Journal) == wp::LogTarget::Journal);
    assert_true(wp::resolve_log_target(wp::LogTarget::Syslog) == wp::LogTarget::Syslog);
}

static bool is_socket(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static void auto_target_follows_the_sockets_present(void **) {
    wp::LogTarget want = is_socket("/run/systemd/journal/socket") ? wp::LogTarget::Journal
                         : is_socket("/dev/log")                  ? wp::LogTarget::Syslog
                                                                  : wp::LogTarget::Stderr;
    assert_true(wp::resolve_log_target(wp::LogTarget::Auto) == want);
}

static void stderr_target_writes_one_json_line(void **) {
    std::string out = unit::capture_stderr(
        [] { wp::log_emit(sample(), wp::LogTarget::Stderr, wp::LogLevel::Info); });
    if (out.empty() || out.back() != '\n') fail_msg("not one line: \"%s\"", out.c_str());
    assert_true(out.find('\n') == out.size() - 1);
    wp::JsonPtr o = parse_record(out.substr(0, out.size() - 1));
    ASSERT_STR_EQ(json_object_get_string(member(o, "partition")), "management");
}

static void records_above_the_threshold_are_not_emitted(void **) {
    wp::LogRecord r = sample();
    r.level = wp::LogLevel::Debug;
    std::string out =
        unit::capture_stderr([&] { wp::log_emit(r, wp::LogTarget::Stderr, wp::LogLevel::Info); });
    ASSERT_STR_EQ(out, "");
    r.level = wp::LogLevel::Info;
    out =
        unit::capture_stderr([&] { wp::log_emit(r, wp::LogTarget::Stderr, wp::LogLevel::Error); });
    ASSERT_STR_EQ(out, "");
    r.level = wp::LogLevel::Error;
    out =
        unit::capture_stderr([&] { wp::log_emit(r, wp::LogTarget::Stderr, wp::LogLevel::Error); });
    assert_true(!out.empty());
    r.level = wp::LogLevel::Debug;
    out =
        unit::capture_stderr([&] { wp::log_emit(r, wp::LogTarget::Stderr, wp::LogLevel::Debug); });
    assert_true(!out.empty());
}

static void unreachable_journal_falls_back_to_stderr(void **) {
    if (is_socket("/run/systemd/journal/socket")) skip(); // reachable here: nothing to prove
    std::string out = unit::capture_stderr(
        [] { wp::log_emit(sample(), wp::LogTarget::Journal, wp::LogLevel::Info); });
    ASSERT_CONTAINS(out, "management");
}

static void unreachable_syslog_falls_back_to_stderr(void **) {
    if (is_socket("/dev/log")) skip(); // reachable here: nothing to prove
    std::string out = unit::capture_stderr(
        [] { wp::log_emit(sample(), wp::LogTarget::Syslog, wp::LogLevel::Info); });
    ASSERT_CONTAINS(out, "management");
}

// The stderr error line: control characters of a pod's text escaped, one line.
static void escape_line_escapes_control_characters(void **) {
    std::string got = wp::escape_line(std::string("0\n\x1b[31mX\x07\rY\tZ\x7f"));
    ASSERT_STR_EQ(got, "0\\n\\x1b[31mX\\x07\\rY\\tZ\\x7f");
    for (char c : got)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) fail_msg("control byte left");
    ASSERT_STR_EQ(wp::escape_line("caf\xc3\xa9 ok"), "caf\xc3\xa9 ok"); // UTF-8 kept
}

static void escape_line_bounds_the_length_at_a_character(void **) {
    std::string big(5000, 'a');
    std::string got = wp::escape_line(big, 100);
    ASSERT_STR_EQ(got, std::string(100, 'a') + "...");
    // Never half a UTF-8 character: "é" is 2 bytes, a cut at 101 bytes keeps 100.
    std::string accents;
    for (int i = 0; i < 100; ++i)
        accents += "\xc3\xa9";
    std::string cut = wp::escape_line(accents, 101);
    ASSERT_STR_EQ(cut, accents.substr(0, 100) + "...");
}

// A record has a bound: the first notes and a count, and no value over the limit.
static void record_bound_keeps_the_first_notes_and_a_count(void **) {
    wp::LogRecord r = sample();
    for (int i = 0; i < 30000; ++i)
        r.fields.push_back({"note", "unknown key \"k" + std::to_string(i) + "\" ignored", false});
    r.fields.push_back({"error", std::string(100000, 'e'), false});
    r.message = std::string(100000, 'm');
    wp::log_record_bound(r);
    size_t notes = 0;
    std::string omitted;
    for (auto &f : r.fields) {
        if (f.key == "note") ++notes;
        if (f.key == "notes_omitted") omitted = f.value;
        if (f.value.size() > wp::kMaxLogValueBytes + 3)
            fail_msg("field %s not bounded", f.key.c_str());
    }
    assert_int_equal(notes, wp::kMaxLogNotes);
    ASSERT_STR_EQ(omitted, std::to_string(30000 - wp::kMaxLogNotes));
    assert_true(r.message.size() <= wp::kMaxLogValueBytes + 3);
    std::string j = wp::log_record_json(r);
    if (j.size() > 32 * 1024) fail_msg("record of %zu bytes", j.size());
    parse_record(j);
    // Idempotent.
    wp::LogRecord again = r;
    wp::log_record_bound(again);
    ASSERT_STR_EQ(wp::log_record_json(again), j);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escape_line_escapes_control_characters),
        cmocka_unit_test(escape_line_bounds_the_length_at_a_character),
        cmocka_unit_test(record_bound_keeps_the_first_notes_and_a_count),
        cmocka_unit_test(record_json_is_one_object_with_every_field),
        cmocka_unit_test(number_fields_are_json_numbers),
        cmocka_unit_test(record_json_names_the_level),
        cmocka_unit_test(quotes_backslashes_and_control_characters_are_escaped),
        cmocka_unit_test(pod_controlled_field_cannot_inject_keys),
        cmocka_unit_test(invalid_utf8_in_a_field_still_gives_valid_json),
        cmocka_unit_test(non_numeric_number_field_still_gives_valid_json),
        cmocka_unit_test(empty_record_is_valid_json),
        cmocka_unit_test(explicit_targets_resolve_to_themselves),
        cmocka_unit_test(auto_target_follows_the_sockets_present),
        cmocka_unit_test(stderr_target_writes_one_json_line),
        cmocka_unit_test(records_above_the_threshold_are_not_emitted),
        cmocka_unit_test(unreachable_journal_falls_back_to_stderr),
        cmocka_unit_test(unreachable_syslog_falls_back_to_stderr),
    };
    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
