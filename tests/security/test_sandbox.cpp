// TAP suite: the seccomp allow-list bites. Each case forks a child that calls
// wp::sandbox_enter() and then tries one system call; the parent checks that a
// forbidden call kills the child with SIGSYS and that an allowed one works.
// Controls run the same forbidden calls without the sandbox, to prove that the
// probes would notice a filter that lets them through.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "config.hpp"
#include "json.hpp"
#include "log.hpp"
#include "sandbox.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZER_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZER_LSAN 1
#endif
#endif

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif

namespace {

enum class Expect { Killed, Works, NotKilled, Aborts };

struct Case {
    std::string name;
    wp::LogTarget target;
    bool sandbox;
    Expect expect;
    std::function<int()> probe; // return 0 = the call succeeded, else errno
    std::string skip;           // non-empty: reported as SKIP with this reason
    // Run in the child before the sandbox: descriptors it grants.
    std::function<wp::SandboxGrants()> grants = {};
};

std::string g_dir; // a temporary directory for files the probes use

int rc_errno(long rc) {
    return rc < 0 ? (errno ? errno : 1) : 0;
}

// Runs one case in a child; returns a description of what happened.
std::string run_case(const Case &c, bool &pass) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        pass = false;
        return "fork failed";
    }
    if (pid == 0) {
        if (c.sandbox) {
            auto st = wp::sandbox_enter(c.target, c.grants ? c.grants() : wp::SandboxGrants{});
            if (!st) {
                fprintf(stderr, "sandbox_enter: %s\n", st.error().message.c_str());
                _exit(120);
            }
        }
        int e = c.probe();
        _exit(e == 0 ? 0 : (e > 100 ? 100 : e));
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    std::string what;
    bool killed_sys = WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
    if (WIFSIGNALED(status))
        what = std::string("killed by signal ") + strsignal(WTERMSIG(status));
    else
        what = "exited " + std::to_string(WEXITSTATUS(status)) +
               (WEXITSTATUS(status) && WEXITSTATUS(status) < 100
                    ? std::string(" (") + strerror(WEXITSTATUS(status)) + ")"
                    : "");
    switch (c.expect) {
    case Expect::Killed:
        pass = killed_sys;
        break;
    case Expect::Works:
        pass = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        break;
    case Expect::NotKilled:
        pass = WIFEXITED(status) && WEXITSTATUS(status) != 120;
        break;
    case Expect::Aborts:
        pass = WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
        break;
    }
    return what;
}

const char *expect_text(Expect e) {
    switch (e) {
    case Expect::Killed:
        return "killed with SIGSYS";
    case Expect::Works:
        return "allowed";
    case Expect::NotKilled:
        return "not killed (control, no sandbox)";
    case Expect::Aborts:
        return "aborts with SIGABRT";
    }
    return "";
}

std::string tmp_file(const char *name) {
    return g_dir + "/" + name;
}

int open_dir() {
    return open(g_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

// A datagram socket bound in g_dir; the log-socket cases send to it.
int g_listener = -1;

// The granted descriptors (set in the child by a case's grants()).
int g_pin_fd = -1, g_bus_fd = -1, g_bus_peer = -1;

// One byte through sendmsg (or recvmsg) on fd; 0 or errno.
int msg_one(int fd, bool receive) {
    char b = 'x';
    iovec io{&b, 1};
    msghdr m{};
    m.msg_iov = &io;
    m.msg_iovlen = 1;
    ssize_t n = receive ? recvmsg(fd, &m, 0) : sendmsg(fd, &m, MSG_NOSIGNAL);
    return n == 1 ? 0 : (errno ? errno : EIO);
}

int send_dgram() {
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return errno;
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s/log.sock", g_dir.c_str());
    const char msg[] = "MESSAGE=hello\n";
    if (sendto(s, msg, sizeof msg - 1, MSG_NOSIGNAL, reinterpret_cast<sockaddr *>(&a), sizeof a) <
        0)
        return errno;
    return 0;
}

std::vector<Case> cases() {
    using wp::LogTarget;
    const LogTarget J = LogTarget::Journal, S = LogTarget::Stderr, L = LogTarget::Syslog;
    std::string lsan_skip;
#ifdef SANITIZER_LSAN
    lsan_skip = "sanitizer build: LeakSanitizer's exit-time check needs this call, so the "
                "sandbox allows it here (release builds forbid it)";
#endif
    std::vector<Case> v;
    auto killed = [&](std::string n, LogTarget t, std::function<int()> f, std::string skip = "") {
        v.push_back({std::move(n), t, true, Expect::Killed, std::move(f), std::move(skip)});
    };
    auto works = [&](std::string n, LogTarget t, std::function<int()> f) {
        v.push_back({std::move(n), t, true, Expect::Works, std::move(f), ""});
    };
    auto control = [&](std::string n, std::function<int()> f) {
        v.push_back({std::move(n), S, false, Expect::NotKilled, std::move(f), ""});
    };

    // --- controls: the probes run and are not killed without the sandbox.
    control("control: socket(AF_INET) without the sandbox",
            [] { return rc_errno(socket(AF_INET, SOCK_STREAM, 0)); });
    control("control: fork() without the sandbox", [] {
        long p = syscall(SYS_fork);
        if (p == 0) _exit(0);
        if (p > 0) waitpid(static_cast<pid_t>(p), nullptr, 0);
        return rc_errno(p);
    });
    control("control: openat(O_CREAT) without the sandbox", [] {
        return rc_errno(open(tmp_file("created").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    });
    control("control: mmap(PROT_EXEC) without the sandbox", [] {
        void *p = mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? errno : 0;
    });

    // --- forbidden: running programs, new processes, tracing, mounting.
    killed("execve(/bin/true) is killed", S, [] {
        char *argv[] = {const_cast<char *>("/bin/true"), nullptr};
        return rc_errno(syscall(SYS_execve, "/bin/true", argv, environ));
    });
    killed("execveat(/bin/true) is killed", S, [] {
        char *argv[] = {const_cast<char *>("true"), nullptr};
        return rc_errno(syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, environ, 0));
    });
    killed("execve is killed with the journal target too", J, [] {
        char *argv[] = {const_cast<char *>("/bin/sh"), nullptr};
        return rc_errno(syscall(SYS_execve, "/bin/sh", argv, environ));
    });
    killed("fork() is killed", S, [] {
        long p = syscall(SYS_fork);
        if (p == 0) _exit(0);
        return rc_errno(p);
    });
    killed("vfork() is killed", S, [] {
        // The raw syscall: a vfork child returning here would corrupt the stack,
        // so the child exits at once; the sandbox must kill before that.
        long p = syscall(SYS_vfork);
        if (p == 0) _exit(0);
        return rc_errno(p);
    });
    killed("clone(SIGCHLD) (a fork) is killed", S, [] {
        long p = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
        if (p == 0) _exit(0);
        return rc_errno(p);
    });
    killed(
        "clone(CLONE_VM|CLONE_THREAD) (a thread) is killed", S,
        [] {
            long p = syscall(SYS_clone,
                             CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                                 CLONE_VFORK,
                             0, 0, 0, 0);
            if (p == 0) syscall(SYS_exit, 0);
            return rc_errno(p);
        },
        lsan_skip);
    killed("clone3() is killed", S, [] {
        clone_args a{};
        a.exit_signal = SIGCHLD;
        long p = syscall(SYS_clone3, &a, sizeof a);
        if (p == 0) _exit(0);
        return rc_errno(p);
    });
    killed(
        "ptrace(PTRACE_TRACEME) is killed", S,
        [] { return rc_errno(ptrace(PTRACE_TRACEME, 0, nullptr, nullptr)); }, lsan_skip);
    killed(
        "ptrace(PTRACE_ATTACH, 1) is killed", S,
        [] { return rc_errno(ptrace(PTRACE_ATTACH, 1, nullptr, nullptr)); }, lsan_skip);
    killed("mount(tmpfs) is killed", S,
           [] { return rc_errno(mount("none", g_dir.c_str(), "tmpfs", 0, nullptr)); });
    killed("umount2() is killed", S, [] { return rc_errno(umount2(g_dir.c_str(), MNT_DETACH)); });
    killed("unshare(CLONE_NEWNS) is killed", S, [] { return rc_errno(unshare(CLONE_NEWNS)); });
    killed("setns() is killed", S, [] { return rc_errno(syscall(SYS_setns, 0, 0)); });
    killed("chroot() is killed", S, [] { return rc_errno(chroot(g_dir.c_str())); });
    killed("setuid(0) is killed", S, [] { return rc_errno(syscall(SYS_setuid, 0)); });
    killed(
        "prctl() is killed", S, [] { return rc_errno(syscall(SYS_prctl, PR_GET_DUMPABLE)); },
        lsan_skip);
    killed("seccomp() (a new filter) is killed", S,
           [] { return rc_errno(syscall(SYS_seccomp, 0, 0, nullptr)); });
    killed("bpf() is killed", S, [] { return rc_errno(syscall(SYS_bpf, 0, nullptr, 0)); });
    killed("io_uring_setup() is killed", S,
           [] { return rc_errno(syscall(SYS_io_uring_setup, 1, nullptr)); });
    killed("kill(1, 0) (another process) is killed", S, [] { return rc_errno(kill(1, 0)); });
    killed("kill(getppid(), 0) (the parent) is killed", S,
           [] { return rc_errno(kill(getppid(), 0)); });
    killed("process_vm_writev() is killed", S,
           [] { return rc_errno(syscall(SYS_process_vm_writev, 1, nullptr, 0, nullptr, 0, 0)); });

    // --- forbidden: sockets other than the log socket.
    killed("socket(AF_INET, SOCK_STREAM) is killed (journal target)", J,
           [] { return rc_errno(socket(AF_INET, SOCK_STREAM, 0)); });
    killed("socket(AF_INET6, SOCK_DGRAM) is killed (syslog target)", L,
           [] { return rc_errno(socket(AF_INET6, SOCK_DGRAM, 0)); });
    killed("socket(AF_NETLINK) is killed (journal target)", J,
           [] { return rc_errno(socket(AF_NETLINK, SOCK_RAW, 0)); });
    killed("socket(AF_UNIX, SOCK_STREAM) is killed (journal target)", J,
           [] { return rc_errno(socket(AF_UNIX, SOCK_STREAM, 0)); });
    killed("socket(AF_UNIX, SOCK_DGRAM) is killed (stderr target: no socket at all)", S,
           [] { return rc_errno(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)); });
    killed("socketpair() is killed (journal target)", J, [] {
        int sv[2];
        return rc_errno(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    });
    killed("connect() is killed (stderr target)", S, [] {
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        return rc_errno(connect(0, reinterpret_cast<sockaddr *>(&a), sizeof a));
    });

    // --- forbidden: opens with flags the hook never uses, and filesystem changes.
    killed("openat(O_WRONLY|O_CREAT) is killed", S, [] {
        return rc_errno(open(tmp_file("created2").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    });
    killed("openat(O_RDWR) is killed", S,
           [] { return rc_errno(open(tmp_file("data").c_str(), O_RDWR | O_CLOEXEC)); });
    killed("openat(O_WRONLY|O_APPEND) is killed", S, [] {
        int d = open_dir();
        return rc_errno(openat(d, "data", O_WRONLY | O_APPEND | O_CLOEXEC));
    });
    killed("openat(O_PATH) is killed", S,
           [] { return rc_errno(open(tmp_file("data").c_str(), O_PATH | O_CLOEXEC)); });
    killed("openat(O_TMPFILE) is killed", S,
           [] { return rc_errno(open(g_dir.c_str(), O_TMPFILE | O_WRONLY, 0600)); });
    killed("openat(AT_FDCWD, absolute path, O_WRONLY) is killed", S, [] {
        return rc_errno(open(tmp_file("data").c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    });
    killed("openat2() is killed", S, [] {
        struct {
            uint64_t flags, mode, resolve;
        } how{O_RDONLY, 0, 0};
        return rc_errno(syscall(SYS_openat2, AT_FDCWD, "/etc/hostname", &how, sizeof how));
    });
    killed(
        "legacy open(2) is killed", S,
        [] { return rc_errno(syscall(SYS_open, "/etc/hostname", O_RDONLY)); }, lsan_skip);
    killed("unlinkat() is killed", S, [] { return rc_errno(unlink(tmp_file("data").c_str())); });
    killed("renameat() is killed", S,
           [] { return rc_errno(rename(tmp_file("data").c_str(), tmp_file("data2").c_str())); });
    killed("mkdirat() is killed", S, [] { return rc_errno(mkdir(tmp_file("d").c_str(), 0700)); });
    killed("symlinkat() is killed", S,
           [] { return rc_errno(symlink("/etc", tmp_file("link").c_str())); });
    killed("fchmodat() is killed", S,
           [] { return rc_errno(chmod(tmp_file("data").c_str(), 0777)); });
    killed("fchownat() is killed", S,
           [] { return rc_errno(chown(tmp_file("data").c_str(), 1000, 1000)); });
    killed("openat(O_WRONLY|O_TRUNC) is killed (the hook never truncates on open)", S, [] {
        int d = open_dir();
        return rc_errno(openat(d, "data", O_WRONLY | O_TRUNC | O_CLOEXEC));
    });
    killed("connect() is killed (journal target: log.cpp uses sendto only)", J, [] {
        int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        snprintf(a.sun_path, sizeof a.sun_path, "%s/log.sock", g_dir.c_str());
        return rc_errno(connect(s, reinterpret_cast<sockaddr *>(&a), sizeof a));
    });

    // --- forbidden: executable memory.
    killed("mmap(PROT_EXEC) is killed", S, [] {
        void *p = mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? errno : 0;
    });
    killed("mprotect(PROT_EXEC) is killed", S, [] {
        void *p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return errno;
        return rc_errno(mprotect(p, 4096, PROT_READ | PROT_EXEC));
    });

    // --- allowed: what the hook does after the sandbox.
    works("read a file: openat(O_RDONLY|O_CLOEXEC|O_NOFOLLOW|O_NONBLOCK), fstat, read", S, [] {
        int fd = open(tmp_file("data").c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0) return errno;
        struct stat st;
        if (fstat(fd, &st) != 0) return errno;
        char buf[64];
        if (read(fd, buf, sizeof buf) < 0) return errno;
        return rc_errno(close(fd));
    });
    works("walk a directory: openat(dirfd, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC)", S, [] {
        int d = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (d < 0) return errno;
        int e = openat(d, "tmp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return rc_errno(e);
    });
    works("write a file relative to a dirfd: openat(O_WRONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC), "
          "pwrite, ftruncate",
          S, [] {
              int d = open_dir();
              if (d < 0) return errno;
              int fd = openat(d, "data", O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
              if (fd < 0) return errno;
              if (pwrite(fd, "0-1\n", 4, 0) != 4) return errno;
              if (ftruncate(fd, 4) != 0) return errno;
              return rc_errno(close(fd));
          });
    works("fstatat(AT_SYMLINK_NOFOLLOW) and stat() on a path", S, [] {
        struct stat st;
        if (fstatat(AT_FDCWD, g_dir.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno;
        return rc_errno(stat(g_dir.c_str(), &st));
    });
    killed(
        "getdents64() (listing a directory) is killed", S,
        [] {
            int d = open_dir();
            char buf[1024];
            return rc_errno(syscall(SYS_getdents64, d, buf, sizeof buf));
        },
        lsan_skip);
    killed("ioctl(TIOCSTI) (typing into a terminal) is killed", S, [] {
        char c = 'x';
        return rc_errno(ioctl(0, TIOCSTI, &c));
    });
    killed(
        "fcntl(F_SETFL) is killed (the hook never changes fd flags)", S,
        [] { return rc_errno(fcntl(2, F_SETFL, O_NONBLOCK)); }, lsan_skip);
    killed("access() is killed (the hook checks with fstatat)", S,
           [] { return rc_errno(syscall(SYS_access, "/etc/hostname", F_OK)); });
    works("write to stderr and allocate 64 MiB (mmap, munmap, brk)", S, [] {
        if (write(2, "", 0) < 0) return errno;
        std::vector<char> big(64u << 20, 'x');
        std::string s(1000, 'y');
        s += std::to_string(big.size());
        return 0;
    });
    works("parse JSON with json-c (getrandom for the hash seed)", S, [] {
        auto j = wp::json_parse_strict(R"({"a": [1, 2, {"b": "c"}], "d": null})", "probe");
        return j ? 0 : EINVAL;
    });
    works("log_emit to stderr", S, [] {
        wp::LogRecord r;
        r.message = "sandbox probe";
        r.fields = {{"WP_PROBE", "1"}};
        wp::log_emit(r, wp::LogTarget::Stderr, wp::LogLevel::Debug);
        return 0;
    });
    works("log_emit to the journal (absent socket: falls back to stderr)", J, [] {
        wp::LogRecord r;
        r.message = "sandbox probe";
        wp::log_emit(r, wp::LogTarget::Journal, wp::LogLevel::Debug);
        return 0;
    });
    works("log_emit to syslog (absent /dev/log: falls back to stderr)", L, [] {
        wp::LogRecord r;
        r.message = "sandbox probe";
        wp::log_emit(r, wp::LogTarget::Syslog, wp::LogLevel::Debug);
        return 0;
    });
    works("AF_UNIX datagram: socket, sendto (journal target)", J, send_dgram);
    works("AF_UNIX datagram: socket, sendto (syslog target)", L, send_dgram);
    works("clock_gettime, getpid, gettid", S, [] {
        timespec ts;
        if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) != 0) return errno;
        if (syscall(SYS_getpid) <= 0) return errno;
        return syscall(SYS_gettid) > 0 ? 0 : errno;
    });
    works("kill(getpid(), 0) (itself)", S, [] { return rc_errno(kill(getpid(), 0)); });
    works("a second sandbox_enter in the same process is a no-op, not a kill", S, [] {
        auto again = wp::sandbox_enter(wp::LogTarget::Stderr);
        return again ? 0 : EINVAL;
    });
    works("a second sandbox_enter asking for the log socket is an error, not a kill", S, [] {
        auto again = wp::sandbox_enter(wp::LogTarget::Journal);
        return again ? EINVAL : 0;
    });
    // --- grants: the pin record directory and the systemd connection widen the
    // list for their own descriptor only.
    auto granted = [&](std::string n, Expect e, std::function<int()> f) {
        v.push_back({std::move(n), S, true, e, std::move(f), "", [] {
                         wp::SandboxGrants g;
                         mkdir(tmp_file("pins").c_str(), 0700);
                         g_pin_fd = open(tmp_file("pins").c_str(), O_RDONLY | O_DIRECTORY);
                         g.pin_dir_fd = g_pin_fd;
                         int sv[2];
                         if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0) {
                             g_bus_fd = sv[0];
                             g_bus_peer = sv[1];
                         }
                         g.systemd_fd = g_bus_fd;
                         return g;
                     }});
    };
    granted("pin dir: create O_EXCL, fchmod 0600, rename, unlink inside it", Expect::Works, [] {
        int fd =
            openat(g_pin_fd, ".a.tmp", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) return errno;
        if (write(fd, "{}", 2) != 2 || fchmod(fd, 0600) != 0) return errno;
        close(fd);
        if (renameat(g_pin_fd, ".a.tmp", g_pin_fd, "a.json") != 0) return errno;
        return rc_errno(unlinkat(g_pin_fd, "a.json", 0));
    });
    granted("pin dir granted: O_CREAT in another directory is killed", Expect::Killed, [] {
        return rc_errno(
            openat(open_dir(), "x", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    });
    granted("pin dir granted: O_CREAT without O_EXCL is killed", Expect::Killed, [] {
        return rc_errno(openat(g_pin_fd, "x", O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    });
    granted("pin dir granted: rename out of it is killed", Expect::Killed,
            [] { return rc_errno(renameat(g_pin_fd, "x", open_dir(), "y")); });
    granted("pin dir granted: unlink in another directory is killed", Expect::Killed,
            [] { return rc_errno(unlinkat(open_dir(), "data", 0)); });
    granted("pin dir granted: fchmod to 0644 is killed", Expect::Killed,
            [] { return rc_errno(fchmod(g_pin_fd, 0644)); });
    granted("systemd fd: sendmsg, recvmsg and poll on it", Expect::Works, [] {
        if (int e = msg_one(g_bus_fd, false)) return e;
        if (write(g_bus_peer, "y", 1) != 1) return errno;
        pollfd p{g_bus_fd, POLLIN, 0};
        if (poll(&p, 1, 1000) != 1) return errno ? errno : ETIMEDOUT;
        return msg_one(g_bus_fd, true);
    });
    granted("systemd fd granted: sendmsg on another socket is killed", Expect::Killed,
            [] { return msg_one(g_bus_peer, false); });
    granted("systemd fd granted: socket(AF_UNIX, SOCK_STREAM) is killed", Expect::Killed,
            [] { return rc_errno(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)); });
    granted("systemd fd granted: connect() is killed", Expect::Killed, [] {
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        snprintf(a.sun_path, sizeof a.sun_path, "%s/log.sock", g_dir.c_str());
        return rc_errno(connect(g_bus_fd, reinterpret_cast<sockaddr *>(&a), sizeof a));
    });
    works("a second sandbox_enter with grants is an error, not a kill", S, [] {
        wp::SandboxGrants g;
        g.pin_dir_fd = 0;
        auto again = wp::sandbox_enter(wp::LogTarget::Stderr, g);
        return again ? EINVAL : 0;
    });

    v.push_back({"abort() still raises SIGABRT inside the sandbox", S, true, Expect::Aborts,
                 [] {
                     abort();
                     return 0;
                 },
                 ""});
    return v;
}

} // namespace

int main() {
    char tmpl[] = "/tmp/wp-sandbox-XXXXXX";
    if (!mkdtemp(tmpl)) {
        printf("1..1\nnot ok 1 - mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    g_dir = tmpl;
    {
        int fd = open(tmp_file("data").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write(fd, "0-3\n", 4) != 4) {
            printf("1..1\nnot ok 1 - cannot create %s\n", tmp_file("data").c_str());
            return 1;
        }
        close(fd);
    }
    g_listener = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s/log.sock", g_dir.c_str());
    if (g_listener < 0 || bind(g_listener, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
        printf("1..1\nnot ok 1 - cannot bind %s: %s\n", a.sun_path, strerror(errno));
        return 1;
    }

    auto v = cases();
    printf("1..%zu\n", v.size() + 1);
    int failed = 0;
    size_t n = 0;
    for (const auto &c : v) {
        ++n;
        if (!c.skip.empty()) {
            printf("ok %zu - %s # SKIP %s\n", n, c.name.c_str(), c.skip.c_str());
            continue;
        }
        bool pass = false;
        std::string what = run_case(c, pass);
        if (!pass) ++failed;
        printf("%s %zu - %s\n", pass ? "ok" : "not ok", n, c.name.c_str());
        if (!pass) printf("# expected: %s; got: %s\n", expect_text(c.expect), what.c_str());
        fflush(stdout);
    }
    // The two datagram cases above each delivered one message to the listener.
    ++n;
    int got = 0;
    char buf[256];
    while (recv(g_listener, buf, sizeof buf, MSG_DONTWAIT) > 0)
        ++got;
    printf("%s %zu - the log-socket cases delivered their datagrams (%d of 2)\n",
           got == 2 ? "ok" : "not ok", n, got);
    if (got != 2) ++failed;

    std::string cmd = "rm -rf '" + g_dir + "'";
    if (system(cmd.c_str()) != 0) fprintf(stderr, "cannot remove %s\n", g_dir.c_str());
    return failed ? 1 : 0;
}
