// dir: listing a directory given as a descriptor; the descriptor is the
// caller's, and nothing leaks when the listing fails.
#include "unit.hpp"

#include <dirent.h>

#include <algorithm>

#include "dir.hpp"
#include "fd.hpp"

using unit::tmp;

static size_t open_fds() {
    size_t n = 0;
    for ([[maybe_unused]] const auto &e : std::filesystem::directory_iterator("/proc/self/fd"))
        ++n;
    return n;
}

static void lists_entries_without_dot_and_dotdot(void **state) {
    tmp(state).write("a", "x", 0644);
    tmp(state).write("sub/b", "y", 0644);
    wp::UniqueFd fd(::open(tmp(state).p("").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    assert_true(fd.valid());
    auto r = wp::list_dir(fd.get(), "tmp");
    ASSERT_OK(r);
    std::vector<std::string> names;
    for (const auto &e : *r) {
        names.push_back(e.name);
        if (e.name == "sub") assert_true(e.type == DT_DIR || e.type == DT_UNKNOWN);
    }
    std::sort(names.begin(), names.end());
    assert_int_equal(names.size(), 2);
    ASSERT_STR_EQ(names[0], "a");
    ASSERT_STR_EQ(names[1], "sub");
    // The caller's descriptor is still open and usable, and a second listing
    // sees the same entries (the shared offset is rewound).
    auto again = wp::list_dir(fd.get(), "tmp");
    ASSERT_OK(again);
    assert_int_equal(again->size(), 2);
}

static void a_failed_listing_leaks_no_descriptor(void **state) {
    tmp(state).write("file", "x", 0644);
    wp::UniqueFd fd(::open(tmp(state).p("file").c_str(), O_RDONLY | O_CLOEXEC));
    assert_true(fd.valid());
    size_t before = open_fds();
    for (int i = 0; i < 100; ++i) {
        auto r = wp::list_dir(fd.get(), "file");
        ASSERT_ERR(r, wp::Fault::System, "file");
    }
    assert_int_equal(open_fds(), before);
    // A bad descriptor is an error too, not a crash.
    ASSERT_ERR(wp::list_dir(-1, "nothing"), wp::Fault::System, "nothing");
    assert_int_equal(open_fds(), before);
}

static void a_listing_leaks_no_descriptor(void **state) {
    wp::UniqueFd fd(::open(tmp(state).p("").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    size_t before = open_fds();
    for (int i = 0; i < 100; ++i)
        ASSERT_OK(wp::list_dir(fd.get(), "tmp"));
    assert_int_equal(open_fds(), before);
}

int main() {
    const struct CMUnitTest tests[] = {
        TMP_TEST(lists_entries_without_dot_and_dotdot),
        TMP_TEST(a_failed_listing_leaks_no_descriptor),
        TMP_TEST(a_listing_leaks_no_descriptor),
    };
    return cmocka_run_group_tests_name("dir", tests, NULL, NULL);
}
