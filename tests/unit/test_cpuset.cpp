// cpuset: the kernel's CPU list format, ids < 8192, subset and equality.
#include "unit.hpp"

#include "cpuset.hpp"

using wp::CpuSet;
using wp::Fault;

static CpuSet must_parse(std::string_view text) {
    auto r = CpuSet::parse(text);
    ASSERT_OK(r);
    return *r;
}

static void parse_list_and_format_round_trip(void **) {
    CpuSet s = must_parse("0-3,8,10-11");
    assert_int_equal(s.count(), 7);
    for (unsigned c : {0u, 1u, 2u, 3u, 8u, 10u, 11u})
        assert_true(s.contains(c));
    for (unsigned c : {4u, 7u, 9u, 12u})
        assert_false(s.contains(c));
    ASSERT_STR_EQ(s.format(), "0-3,8,10-11");
    assert_true(must_parse(s.format()) == s);
}

static void format_is_canonical(void **) {
    ASSERT_STR_EQ(must_parse("5").format(), "5");
    ASSERT_STR_EQ(must_parse("0-1").format(), "0-1");
    ASSERT_STR_EQ(must_parse("0,2,4").format(), "0,2,4");
    ASSERT_STR_EQ(must_parse("2-2").format(), "2");
    ASSERT_STR_EQ(must_parse("0,1,2,3").format(), "0-3");
    ASSERT_STR_EQ(must_parse("8191").format(), "8191");
    ASSERT_STR_EQ(must_parse("0-8191").format(), "0-8191");
}

static void unordered_list_is_accepted_and_formatted_sorted(void **) {
    // The kernel accepts the entries of a list in any order.
    ASSERT_STR_EQ(must_parse("8,0-3").format(), "0-3,8");
}

static void empty_string_is_empty_set(void **) {
    CpuSet s = must_parse("");
    assert_true(s.empty());
    assert_int_equal(s.count(), 0);
    ASSERT_STR_EQ(s.format(), "");
}

static void lone_newline_is_empty_set(void **) {
    CpuSet s = must_parse("\n");
    assert_true(s.empty());
    ASSERT_STR_EQ(s.format(), "");
}

static void trailing_newline_from_cgroup_file_is_accepted(void **) {
    CpuSet s = must_parse("0-3\n");
    ASSERT_STR_EQ(s.format(), "0-3");
    ASSERT_STR_EQ(must_parse("  1,3 \n").format(), "1,3");
}

static void highest_id_8191_is_accepted(void **) {
    CpuSet s = must_parse("8191");
    assert_true(s.contains(8191));
    assert_int_equal(s.count(), 1);
}

static void id_8192_is_refused(void **) {
    ASSERT_FAILS(CpuSet::parse("8192"), "8192");
    ASSERT_FAILS(CpuSet::parse("0-8192"));
    ASSERT_FAILS(CpuSet::parse("1,8192"));
}

static void huge_range_is_refused_quickly(void **) {
    double t0 = unit::now_seconds();
    auto r = CpuSet::parse("0-4294967295");
    double dt = unit::now_seconds() - t0;
    ASSERT_FAILS(r);
    if (dt > 0.1) fail_msg("parsing 0-4294967295 took %.3f s", dt);
    // Values that overflow 32 and 64 bits are refused too, not wrapped around.
    ASSERT_FAILS(CpuSet::parse("4294967296"));
    ASSERT_FAILS(CpuSet::parse("18446744073709551617"));
    ASSERT_FAILS(CpuSet::parse("0-18446744073709551616"));
}

static void descending_range_is_refused(void **) {
    ASSERT_FAILS(CpuSet::parse("3-1"), "3-1");
    ASSERT_FAILS(CpuSet::parse("0,5-4"));
}

static void garbage_is_refused(void **) {
    const char *bad[] = {"a",   "1-",  "-1",   "1,,2", "1-2-3", "1, 2", "1 ,2",
                         "0x1", "+1",  "1,",   ",1",   ",",     "-",    "1-a",
                         "one", "1;2", "1\n2", "1\t2", "0-3,",  "1..3", "1:2"};
    for (const char *t : bad) {
        auto r = CpuSet::parse(t);
        if (r.ok()) fail_msg("\"%s\" was accepted as %s", t, r->format().c_str());
    }
}

static void embedded_nul_is_refused(void **) {
    using namespace std::literals;
    ASSERT_FAILS(CpuSet::parse("1\0"sv));
    ASSERT_FAILS(CpuSet::parse("1\0,2"sv));
}

static void error_names_the_offending_text(void **) {
    ASSERT_FAILS(CpuSet::parse("0-3,zz"), "zz");
}

static void subset_of_larger_set(void **) {
    CpuSet small = must_parse("0-1");
    CpuSet big = must_parse("0-3");
    CpuSet other = must_parse("2-3");
    assert_true(small.subset_of(big));
    assert_false(big.subset_of(small));
    assert_false(small.subset_of(other));
    assert_true(big.subset_of(big));
}

static void empty_set_is_subset_of_everything(void **) {
    CpuSet e = must_parse("");
    assert_true(e.subset_of(must_parse("0")));
    assert_true(e.subset_of(e));
    assert_false(must_parse("0").subset_of(e));
}

static void equality_ignores_spelling(void **) {
    assert_true(must_parse("0-3") == must_parse("0,1,2,3"));
    assert_true(must_parse("0-3\n") == must_parse("0-1,2-3"));
    assert_false(must_parse("0-3") == must_parse("0-2"));
    assert_true(must_parse("") == CpuSet{});
}

static void contains_is_bounded(void **) {
    CpuSet s = must_parse("0-8191");
    assert_int_equal(s.count(), 8192);
    assert_false(s.contains(8192));
    assert_false(s.contains(~0u));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_list_and_format_round_trip),
        cmocka_unit_test(format_is_canonical),
        cmocka_unit_test(unordered_list_is_accepted_and_formatted_sorted),
        cmocka_unit_test(empty_string_is_empty_set),
        cmocka_unit_test(lone_newline_is_empty_set),
        cmocka_unit_test(trailing_newline_from_cgroup_file_is_accepted),
        cmocka_unit_test(highest_id_8191_is_accepted),
        cmocka_unit_test(id_8192_is_refused),
        cmocka_unit_test(huge_range_is_refused_quickly),
        cmocka_unit_test(descending_range_is_refused),
        cmocka_unit_test(garbage_is_refused),
        cmocka_unit_test(embedded_nul_is_refused),
        cmocka_unit_test(error_names_the_offending_text),
        cmocka_unit_test(subset_of_larger_set),
        cmocka_unit_test(empty_set_is_subset_of_everything),
        cmocka_unit_test(equality_ignores_spelling),
        cmocka_unit_test(contains_is_bounded),
    };
    return cmocka_run_group_tests_name("cpuset", tests, NULL, NULL);
}
