// trusted_file: bounded, no-follow reads; owner/mode/type checks for trusted files.
#include "unit.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include "trusted_file.hpp"

using unit::tmp;
using wp::Fault;

static void absent_trusted_file_is_nullopt(void **state) {
    auto r = wp::read_trusted_file(tmp(state).p("missing.json"), 1024);
    ASSERT_OK(r);
    assert_false(r->has_value());
}

static void absent_directory_is_nullopt(void **state) {
    auto r = wp::read_trusted_file(tmp(state).p("no-such-dir/config.json"), 1024);
    ASSERT_OK(r);
    assert_false(r->has_value());
}

static void root_owned_0644_file_is_read(void **state) {
    if (geteuid() != 0) skip();
    tmp(state).write("c.json", "{\"enabled\": true}\n", 0644);
    auto r = wp::read_trusted_file(tmp(state).p("c.json"), 1024);
    ASSERT_OK(r);
    assert_true(r->has_value());
    ASSERT_STR_EQ(**r, "{\"enabled\": true}\n");
}

static void readonly_0400_file_is_read(void **state) {
    if (geteuid() != 0) skip();
    tmp(state).write("c.json", "{}", 0400);
    auto r = wp::read_trusted_file(tmp(state).p("c.json"), 1024);
    ASSERT_OK(r);
    ASSERT_STR_EQ(**r, "{}");
}

static void empty_file_is_read_as_empty(void **state) {
    if (geteuid() != 0) skip();
    tmp(state).write("c.json", "", 0644);
    auto r = wp::read_trusted_file(tmp(state).p("c.json"), 1024);
    ASSERT_OK(r);
    assert_true(r->has_value());
    ASSERT_STR_EQ(**r, "");
}

static void symlink_is_refused_even_to_a_good_file(void **state) {
    auto &t = tmp(state);
    t.write("real.json", "{}", 0644);
    t.symlink(t.p("real.json"), "link.json");
    ASSERT_ERR(wp::read_trusted_file(t.p("link.json"), 1024), Fault::Untrusted, "link.json");
}

static void dangling_symlink_is_refused_not_absent(void **state) {
    auto &t = tmp(state);
    t.symlink(t.p("nowhere.json"), "link.json");
    ASSERT_ERR(wp::read_trusted_file(t.p("link.json"), 1024), Fault::Untrusted, "link.json");
}

static void fifo_is_refused_without_hanging(void **state) {
    auto &t = tmp(state);
    t.mkfifo("fifo.json");
    std::string path = t.p("fifo.json");
    int rc = unit::run_in_child(
        [&] {
            auto r = wp::read_trusted_file(path, 1024);
            if (r.ok()) return 10;
            if (r.error().fault != Fault::Untrusted) return 11;
            if (!unit::contains(r.error().message, "fifo.json")) return 12;
            return 0;
        },
        3.0);
    if (rc == -1) fail_msg("read_trusted_file on a FIFO hung");
    if (rc == 10) fail_msg("a FIFO was accepted as a trusted file");
    if (rc == 11) fail_msg("a FIFO was refused, but not as Fault::Untrusted");
    if (rc == 12) fail_msg("the error for a FIFO does not name the file");
    assert_int_equal(rc, 0);
}

static void unix_socket_is_refused_as_untrusted(void **state) {
    auto &t = tmp(state);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    std::string path = t.p("sock.json");
    if (path.size() >= sizeof addr.sun_path) skip();
    memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    int rc = bind(fd, reinterpret_cast<struct sockaddr *>(&addr), sizeof addr);
    close(fd);
    assert_int_equal(rc, 0);
    ASSERT_ERR(wp::read_trusted_file(path, 1024), Fault::Untrusted, "sock.json");
}

static void directory_is_refused(void **state) {
    auto &t = tmp(state);
    t.mkdirs("dir.json");
    ASSERT_ERR(wp::read_trusted_file(t.p("dir.json"), 1024), Fault::Untrusted, "dir.json");
}

static void device_is_refused(void **) {
    ASSERT_ERR(wp::read_trusted_file("/dev/null", 1024), Fault::Untrusted, "/dev/null");
}

static void group_writable_file_is_refused(void **state) {
    auto &t = tmp(state);
    t.write("c.json", "{}", 0664);
    ASSERT_ERR(wp::read_trusted_file(t.p("c.json"), 1024), Fault::Untrusted, "c.json");
}

static void world_writable_file_is_refused(void **state) {
    auto &t = tmp(state);
    t.write("c.json", "{}", 0646);
    ASSERT_ERR(wp::read_trusted_file(t.p("c.json"), 1024), Fault::Untrusted, "c.json");
}

static void file_not_owned_by_root_is_refused(void **state) {
    if (geteuid() != 0) skip();
    auto &t = tmp(state);
    t.write("c.json", "{}", 0644);
    assert_int_equal(chown(t.p("c.json").c_str(), 65534, 65534), 0);
    ASSERT_ERR(wp::read_trusted_file(t.p("c.json"), 1024), Fault::Untrusted, "c.json");
}

static void relaxed_policy_accepts_other_owner_and_group_write(void **state) {
    if (geteuid() != 0) skip();
    auto &t = tmp(state);
    t.write("c.json", "{}", 0664);
    assert_int_equal(chown(t.p("c.json").c_str(), 65534, 65534), 0);
    wp::TrustPolicy relaxed;
    relaxed.require_root_owner = false;
    relaxed.forbid_group_other_write = false;
    auto r = wp::read_trusted_file(t.p("c.json"), 1024, relaxed);
    ASSERT_OK(r);
    ASSERT_STR_EQ(**r, "{}");
    // The type checks still hold under a relaxed policy.
    t.symlink(t.p("c.json"), "l.json");
    ASSERT_FAILS(wp::read_trusted_file(t.p("l.json"), 1024, relaxed), "l.json");
}

static void file_of_exactly_max_bytes_is_read(void **state) {
    if (geteuid() != 0) skip();
    auto &t = tmp(state);
    t.write("c.json", std::string(100, 'x'), 0644);
    auto r = wp::read_trusted_file(t.p("c.json"), 100);
    ASSERT_OK(r);
    assert_int_equal((*r)->size(), 100);
}

static void file_larger_than_max_is_refused(void **state) {
    if (geteuid() != 0) skip();
    auto &t = tmp(state);
    t.write("c.json", std::string(101, 'x'), 0644);
    ASSERT_ERR(wp::read_trusted_file(t.p("c.json"), 100), Fault::Usage, "c.json");
    t.write("big.json", std::string(wp::kMaxConfigBytes + 1, ' '), 0644);
    ASSERT_ERR(wp::read_trusted_file(t.p("big.json"), wp::kMaxConfigBytes), Fault::Usage,
               "big.json");
}

static void read_fd_bounded_reads_a_pipe(void **) {
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "hello\n", 6), 6);
    close(p[1]);
    auto r = wp::read_fd_bounded(p[0], 6, "the pipe");
    close(p[0]);
    ASSERT_OK(r);
    ASSERT_STR_EQ(*r, "hello\n");
}

static void read_fd_bounded_refuses_more_than_max_and_names_what(void **) {
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "0123456789", 10), 10);
    close(p[1]);
    auto r = wp::read_fd_bounded(p[0], 9, "OCI state on stdin");
    close(p[0]);
    ASSERT_FAILS(r, "OCI state on stdin");
}

// A non-blocking pipe whose writer is late (EAGAIN first): waited for, then read.
static void read_fd_bounded_waits_for_a_late_writer_on_a_nonblocking_fd(void **) {
    int p[2];
    assert_int_equal(pipe2(p, O_NONBLOCK), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        close(p[0]);
        usleep(200 * 1000);
        if (write(p[1], "late\n", 5) != 5) _exit(1);
        _exit(0);
    }
    close(p[1]);
    double t0 = unit::now_seconds();
    auto r = wp::read_fd_bounded(p[0], 64, "OCI state on stdin", 3000);
    double spent = unit::now_seconds() - t0;
    close(p[0]);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_OK(r);
    ASSERT_STR_EQ(*r, "late\n");
    if (spent > 2.5) fail_msg("took %.2f s", spent);
}

// Nobody writes and nobody closes: an error once the wait is over, not a hang.
static void read_fd_bounded_gives_up_at_the_deadline(void **) {
    int p[2];
    assert_int_equal(pipe2(p, O_NONBLOCK), 0);
    double t0 = unit::now_seconds();
    auto r = wp::read_fd_bounded(p[0], 64, "OCI state on stdin", 300);
    double spent = unit::now_seconds() - t0;
    close(p[0]);
    close(p[1]);
    ASSERT_ERR(r, wp::Fault::Usage, "OCI state on stdin", "300 ms");
    if (spent < 0.25 || spent > 2.0) fail_msg("gave up after %.2f s", spent);
}

static void nofollow_read_absent_is_nullopt(void **state) {
    auto r = wp::read_file_nofollow(AT_FDCWD, tmp(state).p("nope"), 1024);
    ASSERT_OK(r);
    assert_false(r->has_value());
}

static void nofollow_read_relative_to_dirfd(void **state) {
    auto &t = tmp(state);
    t.write("sub/cgroup", "0::/x\n", 0644);
    int dfd = open(t.path.c_str(), O_RDONLY | O_DIRECTORY);
    assert_true(dfd >= 0);
    auto r = wp::read_file_nofollow(dfd, "sub/cgroup", 1024);
    close(dfd);
    ASSERT_OK(r);
    assert_true(r->has_value());
    ASSERT_STR_EQ(**r, "0::/x\n");
}

static void nofollow_read_refuses_a_symlink(void **state) {
    auto &t = tmp(state);
    t.write("real", "x", 0644);
    t.symlink(t.p("real"), "link");
    ASSERT_FAILS(wp::read_file_nofollow(AT_FDCWD, t.p("link"), 1024), "link");
}

static void nofollow_read_refuses_a_fifo_without_hanging(void **state) {
    auto &t = tmp(state);
    t.mkfifo("fifo");
    std::string path = t.p("fifo");
    int rc = unit::run_in_child(
        [&] { return wp::read_file_nofollow(AT_FDCWD, path, 1024).ok() ? 10 : 0; }, 3.0);
    if (rc == -1) fail_msg("read_file_nofollow on a FIFO hung");
    if (rc == 10) fail_msg("a FIFO was read as a file");
    assert_int_equal(rc, 0);
}

static void nofollow_read_refuses_a_directory(void **state) {
    auto &t = tmp(state);
    t.mkdirs("d");
    ASSERT_FAILS(wp::read_file_nofollow(AT_FDCWD, t.p("d"), 1024), "d");
}

static void nofollow_read_refuses_more_than_max(void **state) {
    auto &t = tmp(state);
    t.write("f", std::string(65, 'x'), 0644);
    ASSERT_FAILS(wp::read_file_nofollow(AT_FDCWD, t.p("f"), 64), "f");
    auto ok = wp::read_file_nofollow(AT_FDCWD, t.p("f"), 65);
    ASSERT_OK(ok);
    assert_int_equal((*ok)->size(), 65);
}

static void nofollow_read_reads_procfs_files_that_report_size_zero(void **) {
    auto r = wp::read_file_nofollow(AT_FDCWD, "/proc/self/cgroup", wp::kMaxSmallFileBytes);
    ASSERT_OK(r);
    assert_true(r->has_value());
    assert_true((*r)->size() > 0);
    ASSERT_CONTAINS(**r, ":/");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        TMP_TEST(absent_trusted_file_is_nullopt),
        TMP_TEST(absent_directory_is_nullopt),
        TMP_TEST(root_owned_0644_file_is_read),
        TMP_TEST(readonly_0400_file_is_read),
        TMP_TEST(empty_file_is_read_as_empty),
        TMP_TEST(symlink_is_refused_even_to_a_good_file),
        TMP_TEST(dangling_symlink_is_refused_not_absent),
        TMP_TEST(fifo_is_refused_without_hanging),
        TMP_TEST(unix_socket_is_refused_as_untrusted),
        TMP_TEST(directory_is_refused),
        cmocka_unit_test(device_is_refused),
        TMP_TEST(group_writable_file_is_refused),
        TMP_TEST(world_writable_file_is_refused),
        TMP_TEST(file_not_owned_by_root_is_refused),
        TMP_TEST(relaxed_policy_accepts_other_owner_and_group_write),
        TMP_TEST(file_of_exactly_max_bytes_is_read),
        TMP_TEST(file_larger_than_max_is_refused),
        cmocka_unit_test(read_fd_bounded_reads_a_pipe),
        cmocka_unit_test(read_fd_bounded_refuses_more_than_max_and_names_what),
        cmocka_unit_test(read_fd_bounded_waits_for_a_late_writer_on_a_nonblocking_fd),
        cmocka_unit_test(read_fd_bounded_gives_up_at_the_deadline),
        TMP_TEST(nofollow_read_absent_is_nullopt),
        TMP_TEST(nofollow_read_relative_to_dirfd),
        TMP_TEST(nofollow_read_refuses_a_symlink),
        TMP_TEST(nofollow_read_refuses_a_fifo_without_hanging),
        TMP_TEST(nofollow_read_refuses_a_directory),
        TMP_TEST(nofollow_read_refuses_more_than_max),
        cmocka_unit_test(nofollow_read_reads_procfs_files_that_report_size_zero),
    };
    return cmocka_run_group_tests_name("trusted_file", tests, NULL, NULL);
}
