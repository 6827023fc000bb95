// Common include for the CMocka unit tests: the headers CMocka needs, assertion
// helpers for wp::Result, and temporary directory trees for fake cgroup/proc
// trees and trusted files. Include it before any other header: CMocka's fail()
// macro must come after the C++ standard headers.
//
// CMocka reports a failure with longjmp, which skips C++ destructors; tests that
// need a temporary tree therefore get it from a setup function and it is removed
// by the matching teardown (TMP_TEST below), not by a destructor on the stack.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bitset>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "result.hpp"

// CMocka last: its fail() macro would clash with std::basic_ios::fail.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

extern "C" {
#include <cmocka.h>
}

namespace unit {

inline const char *fault_name(wp::Fault f) {
    switch (f) {
    case wp::Fault::Usage:
        return "Usage";
    case wp::Fault::Input:
        return "Input";
    case wp::Fault::Config:
        return "Config";
    case wp::Fault::Untrusted:
        return "Untrusted";
    case wp::Fault::System:
        return "System";
    }
    return "?";
}

inline bool contains(std::string_view hay, std::string_view needle) {
    return hay.find(needle) != std::string_view::npos;
}

template <class T> void expect_ok_at(const wp::Result<T> &r, const char *file, int line) {
    if (!r.ok()) {
        print_error("expected success, got %s error: %s\n", fault_name(r.error().fault),
                    r.error().message.c_str());
        _fail(file, line);
    }
}

// The result is an error of kind `fault` whose message contains every needle.
template <class T>
void expect_error_at(const wp::Result<T> &r, wp::Fault fault,
                     std::initializer_list<std::string_view> needles, const char *file, int line) {
    if (r.ok()) {
        print_error("expected a %s error, got success\n", fault_name(fault));
        _fail(file, line);
        return;
    }
    const wp::Error &e = r.error();
    if (e.fault != fault) {
        print_error("expected a %s error, got %s: %s\n", fault_name(fault), fault_name(e.fault),
                    e.message.c_str());
        _fail(file, line);
    }
    for (std::string_view n : needles) {
        if (!contains(e.message, n)) {
            print_error("error message \"%s\" does not name \"%.*s\"\n", e.message.c_str(),
                        static_cast<int>(n.size()), n.data());
            _fail(file, line);
        }
    }
}

// Any error (kind not checked) whose message contains every needle.
template <class T>
void expect_any_error_at(const wp::Result<T> &r, std::initializer_list<std::string_view> needles,
                         const char *file, int line) {
    if (r.ok()) {
        print_error("expected an error, got success\n");
        _fail(file, line);
        return;
    }
    for (std::string_view n : needles) {
        if (!contains(r.error().message, n)) {
            print_error("error message \"%s\" does not name \"%.*s\"\n", r.error().message.c_str(),
                        static_cast<int>(n.size()), n.data());
            _fail(file, line);
        }
    }
}

#define ASSERT_OK(r) ::unit::expect_ok_at((r), __FILE__, __LINE__)
// ASSERT_ERR(result, wp::Fault::X, "needle", ...): error of that kind naming each needle.
#define ASSERT_ERR(r, fault, ...)                                                                  \
    ::unit::expect_error_at((r), (fault), {__VA_ARGS__}, __FILE__, __LINE__)
// ASSERT_FAILS(result, "needle", ...): an error of any kind naming each needle.
#define ASSERT_FAILS(r, ...) ::unit::expect_any_error_at((r), {__VA_ARGS__}, __FILE__, __LINE__)

#define ASSERT_STR_EQ(a, b) assert_string_equal(std::string(a).c_str(), std::string(b).c_str())
#define ASSERT_CONTAINS(hay, needle)                                                               \
    do {                                                                                           \
        std::string hay_ = (hay);                                                                  \
        std::string needle_ = (needle);                                                            \
        if (!::unit::contains(hay_, needle_))                                                      \
            fail_msg("\"%s\" does not contain \"%s\"", hay_.c_str(), needle_.c_str());             \
    } while (0)

inline std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t'))
        s.pop_back();
    size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
        ++i;
    return s.substr(i);
}

inline double now_seconds() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// A temporary directory, removed recursively when destroyed.
class TempDir {
  public:
    TempDir() {
        char tmpl[] = "/tmp/wp-unit-XXXXXX";
        if (!mkdtemp(tmpl)) {
            perror("mkdtemp");
            abort();
        }
        path = tmpl;
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    ~TempDir() {
        std::error_code ec;
        // Make everything removable again (tests may chmod a directory to 0).
        for (auto it = std::filesystem::recursive_directory_iterator(
                 path, std::filesystem::directory_options::skip_permission_denied, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
            if (it->is_directory(ec) && !it->is_symlink(ec)) ::chmod(it->path().c_str(), 0755);
        }
        std::filesystem::remove_all(path, ec);
    }

    std::string path;

    std::string p(std::string_view rel) const {
        std::string out = path;
        if (!rel.empty() && rel.front() != '/') out += '/';
        out += rel;
        return out;
    }
    void mkdirs(std::string_view rel) const {
        std::error_code ec;
        std::filesystem::create_directories(p(rel), ec);
        if (ec) fail_msg("mkdir -p %s: %s", p(rel).c_str(), ec.message().c_str());
    }
    // Writes a file (creating its parent directories) and sets its mode.
    void write(std::string_view rel, std::string_view content, mode_t mode = 0644) const {
        std::string full = p(rel);
        std::filesystem::path parent = std::filesystem::path(full).parent_path();
        std::error_code ec;
        std::filesystem::create_directories(parent, ec);
        std::ofstream f(full, std::ios::binary | std::ios::trunc);
        if (!f) fail_msg("cannot write %s", full.c_str());
        f.write(content.data(), static_cast<std::streamsize>(content.size()));
        f.close();
        if (::chmod(full.c_str(), mode) != 0)
            fail_msg("chmod %s: %s", full.c_str(), strerror(errno));
    }
    std::string read(std::string_view rel) const {
        std::ifstream f(p(rel), std::ios::binary);
        if (!f) fail_msg("cannot read %s", p(rel).c_str());
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    }
    bool exists(std::string_view rel) const {
        struct stat st;
        return ::lstat(p(rel).c_str(), &st) == 0;
    }
    void symlink(std::string_view target, std::string_view rel) const {
        if (::symlink(std::string(target).c_str(), p(rel).c_str()) != 0)
            fail_msg("symlink %s: %s", p(rel).c_str(), strerror(errno));
    }
    void mkfifo(std::string_view rel, mode_t mode = 0644) const {
        if (::mkfifo(p(rel).c_str(), mode) != 0)
            fail_msg("mkfifo %s: %s", p(rel).c_str(), strerror(errno));
    }

    // Every entry below the directory: regular files map to their content,
    // directories to "<dir>", symlinks to "-> target", others to "<special>".
    std::map<std::string, std::string> snapshot() const {
        std::map<std::string, std::string> out;
        std::error_code ec;
        for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
            std::string rel = std::filesystem::relative(it->path(), path).string();
            auto st = it->symlink_status();
            if (std::filesystem::is_symlink(st))
                out[rel] = "-> " + std::filesystem::read_symlink(it->path()).string();
            else if (std::filesystem::is_directory(st))
                out[rel] = "<dir>";
            else if (std::filesystem::is_regular_file(st))
                out[rel] = read(rel);
            else
                out[rel] = "<special>";
        }
        return out;
    }
};

// What changed between two snapshots: rel path -> new content ("<deleted>" when gone).
inline std::map<std::string, std::string> changes(const std::map<std::string, std::string> &before,
                                                  const std::map<std::string, std::string> &after) {
    std::map<std::string, std::string> out;
    for (const auto &[k, v] : after) {
        auto it = before.find(k);
        if (it == before.end() || it->second != v) out[k] = v;
    }
    for (const auto &[k, v] : before)
        if (!after.count(k)) out[k] = "<deleted>";
    return out;
}

inline std::string describe(const std::map<std::string, std::string> &m) {
    std::string s;
    for (const auto &[k, v] : m) {
        s += k + "=" + trim(v) + "; ";
    }
    return s.empty() ? "(nothing)" : s;
}

inline int tmp_setup(void **state) {
    *state = new TempDir();
    return 0;
}
inline int tmp_teardown(void **state) {
    delete static_cast<TempDir *>(*state);
    return 0;
}
inline TempDir &tmp(void **state) {
    return *static_cast<TempDir *>(*state);
}

#define TMP_TEST(f) cmocka_unit_test_setup_teardown(f, ::unit::tmp_setup, ::unit::tmp_teardown)

// Runs fn in a child process and returns its exit status, or -1 when it did not
// finish within `seconds` (the child is then killed). For calls that might hang.
inline int run_in_child(const std::function<int()> &fn, double seconds) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) fail_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        alarm(static_cast<unsigned>(seconds) + 5);
        _exit(fn());
    }
    double deadline = now_seconds() + seconds;
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (now_seconds() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        usleep(10000);
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

// Runs fn with stderr redirected to a temporary file and returns what it wrote.
inline std::string capture_stderr(const std::function<void()> &fn) {
    char path[] = "/tmp/wp-unit-stderr-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) fail_msg("mkstemp: %s", strerror(errno));
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    fn();
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    std::string out;
    lseek(fd, 0, SEEK_SET);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0)
        out.append(buf, static_cast<size_t>(n));
    close(fd);
    unlink(path);
    return out;
}

} // namespace unit
