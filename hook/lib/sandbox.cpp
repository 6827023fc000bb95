// The hook's seccomp self-sandbox: a libseccomp allow-list, default action
// SCMP_ACT_KILL_PROCESS. docs/SECURITY.md lists every rule and why it is there.
#include "sandbox.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <initializer_list>
#include <sched.h>
#include <seccomp.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define WP_HAVE_VALGRIND_H 1
#endif

// Sanitizer builds (make SANITIZE=address): LeakSanitizer checks for leaks at
// exit from a tracer it starts with clone(CLONE_VM) and attaches with ptrace.
#if defined(__SANITIZE_ADDRESS__)
#define WP_SANITIZER_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define WP_SANITIZER_LSAN 1
#endif
#endif

namespace wp {

namespace {

struct FilterCtx {
    scmp_filter_ctx ctx = nullptr;
    FilterCtx() = default;
    FilterCtx(const FilterCtx &) = delete;
    FilterCtx &operator=(const FilterCtx &) = delete;
    ~FilterCtx() {
        if (ctx) seccomp_release(ctx);
    }
};

Error sandbox_error(const std::string &what, int rc) {
    // libseccomp returns -errno.
    return make_errno_error(Fault::System, -rc, "seccomp sandbox: " + what);
}

// Adds one rule. A syscall this architecture does not have (e.g. `access` on
// aarch64) is skipped: nothing can call it, so there is nothing to allow.
Status rule(scmp_filter_ctx ctx, uint32_t action, const char *name,
            std::initializer_list<scmp_arg_cmp> args = {}) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) return ok_status();
    int rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(args.size()),
                                    args.size() ? args.begin() : nullptr);
    if (rc < 0) return sandbox_error(std::string("cannot add the rule for ") + name, rc);
    return ok_status();
}

Status allow(scmp_filter_ctx ctx, const char *name, std::initializer_list<scmp_arg_cmp> args = {}) {
    return rule(ctx, SCMP_ACT_ALLOW, name, args);
}

// Syscall arguments are 64-bit registers but the kernel reads an int: compare
// the low 32 bits only, so that the filter sees what the kernel sees.
constexpr scmp_datum_t kLow32 = 0xffffffffu;

bool needs_socket(LogTarget t) {
    return t == LogTarget::Journal || t == LogTarget::Syslog;
}

// A filter can never be removed or loosened, and seccomp(2) itself is not on the
// list: a second call in the same process (the C API run twice with
// WP_FLAG_SANDBOX) must not try to load another filter.
enum class Entered { No, WithoutSocket, WithSocket };
Entered g_entered = Entered::No;

} // namespace

// The open flags the library uses after the sandbox, exactly:
//   trusted_file.cpp  read_file_nofollow   O_RDONLY|O_CLOEXEC|O_NOFOLLOW|O_NONBLOCK
//   state.cpp         the bundle directory O_RDONLY|O_DIRECTORY|O_CLOEXEC
//   cgroup_write.cpp  cgroupRoot           O_RDONLY|O_DIRECTORY|O_CLOEXEC
//                     each path component  O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC
//                     each file written    O_WRONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC
// (cgroup_locate.cpp and pipeline.cpp read through read_file_nofollow; log.cpp
// opens no file.) Never O_RDWR, O_CREAT, O_TRUNC, O_APPEND, O_TMPFILE, O_PATH.
// O_LARGEFILE is harmless, and some libcs add it.
constexpr unsigned kOpenFlagsAllowed = O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_DIRECTORY |
                                       O_NONBLOCK | 0100000 /* O_LARGEFILE (kernel value) */;

Status sandbox_enter(LogTarget resolved_log_target, const SandboxGrants &grants) {
#ifdef WP_HAVE_VALGRIND_H
    // valgrind does not implement seccomp(2) and runs its JIT in our process:
    // under valgrind (tests only) the filter is not installed.
    if (RUNNING_ON_VALGRIND) return ok_status();
#endif
    if (g_entered != Entered::No) {
        if (grants.pin_dir_fd >= 0 || grants.systemd_fd >= 0)
            return make_error(Fault::System,
                              "seccomp sandbox: already installed; it cannot grant the pin record "
                              "directory or the systemd connection now");
        if (needs_socket(resolved_log_target) && g_entered == Entered::WithoutSocket)
            return make_error(Fault::System,
                              "seccomp sandbox: already installed without the log socket that "
                              "log target " +
                                  std::string(log_target_name(resolved_log_target)) + " needs");
        return ok_status();
    }
    FilterCtx f;
    f.ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (!f.ctx) return make_error(Fault::System, "seccomp sandbox: seccomp_init failed");
    scmp_filter_ctx ctx = f.ctx;

    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (rc < 0) return sandbox_error("cannot set the bad-architecture action", rc);
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
    if (rc < 0) return sandbox_error("cannot set no_new_privs", rc);

    const pid_t self = ::getpid();

    Status st = ok_status();
    auto add = [&](Status s) {
        if (st && !s) st = std::move(s);
    };

    // Reading and inspecting files already open, or opened read-only below:
    // read_fd_bounded (read), read_trusted_file/read_file_nofollow (fstat),
    // cgroup_locate/cgroup_write/log (fstatat; glibc may implement it with statx),
    // cgroup_write (fstatfs: is a directory or file on a cgroup filesystem).
    for (const char *name : {"read", "close", "fstat", "newfstatat", "statx", "fstatfs"})
        add(allow(ctx, name));

    // Writing to fds already open: stderr (main.cpp, log.cpp), the cgroup files
    // cgroup_write.cpp opened O_WRONLY (pwrite64), and ftruncate, with which
    // cgroup_write.cpp cuts a longer old value in a regular file (a fake tree in
    // tests; cgroupfs files report size 0).
    for (const char *name : {"write", "pwrite64", "ftruncate"})
        add(allow(ctx, name));

    // openat: only the flags the library uses. Read-only opens may name any
    // path (AT_FDCWD or a directory fd); write-only opens must be relative to a
    // directory fd (a cgroup directory walked with O_NOFOLLOW), never AT_FDCWD.
    const scmp_datum_t forbidden = kLow32 & ~static_cast<scmp_datum_t>(kOpenFlagsAllowed);
    add(allow(ctx, "openat", {SCMP_A2(SCMP_CMP_MASKED_EQ, forbidden | O_WRONLY, 0)}));
    add(allow(ctx, "openat",
              {SCMP_A2(SCMP_CMP_MASKED_EQ, forbidden | O_WRONLY, O_WRONLY),
               SCMP_A0(SCMP_CMP_MASKED_EQ, 0x80000000u, 0)})); // dirfd >= 0

    // Memory: never executable (no new code after the sandbox).
    add(allow(ctx, "brk"));
    add(allow(ctx, "munmap"));
    add(allow(ctx, "mremap"));
    add(allow(ctx, "madvise"));
    add(allow(ctx, "mmap", {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)}));
    add(allow(ctx, "mprotect", {SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)}));

    // Exit, signal return and abort(), locks in libstdc++/glibc, the elapsed-time
    // clock (vDSO, with a syscall fallback), json-c's hash seed (getrandom).
    for (const char *name :
         {"exit", "exit_group", "rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "restart_syscall",
          "futex", "getpid", "gettid", "clock_gettime", "gettimeofday", "getrandom"})
        add(allow(ctx, name));
    // abort()/raise(): signals to this process only, never to another one.
    add(allow(ctx, "tgkill",
              {SCMP_A0(SCMP_CMP_MASKED_EQ, kLow32, static_cast<scmp_datum_t>(self))}));
    add(allow(ctx, "kill", {SCMP_A0(SCMP_CMP_MASKED_EQ, kLow32, static_cast<scmp_datum_t>(self))}));

    // The log socket, only for the journal or syslog: log.cpp creates an
    // AF_UNIX datagram socket and sends one record with sendto() (no connect).
    if (needs_socket(resolved_log_target)) {
        const scmp_datum_t type_flags = SOCK_CLOEXEC | SOCK_NONBLOCK;
        add(allow(ctx, "socket",
                  {SCMP_A0(SCMP_CMP_MASKED_EQ, kLow32, AF_UNIX),
                   SCMP_A1(SCMP_CMP_MASKED_EQ, kLow32 & ~type_flags, SOCK_DGRAM),
                   SCMP_A2(SCMP_CMP_MASKED_EQ, kLow32, 0)}));
        add(allow(ctx, "sendto"));
    }

    // The pin record directory (pin_record.cpp through atomic_file.cpp): a
    // temporary file created O_EXCL in that directory only, written, fchmod'ed
    // to 0600, renamed over the record in the same directory (or unlinked on
    // failure). No fsync: records are volatile (pin_record.cpp).
    if (grants.pin_dir_fd >= 0) {
        const auto dir = static_cast<scmp_datum_t>(grants.pin_dir_fd);
        const scmp_datum_t create = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW;
        add(allow(
            ctx, "openat",
            {SCMP_A0(SCMP_CMP_MASKED_EQ, kLow32, dir),
             SCMP_A2(SCMP_CMP_MASKED_EQ, kLow32 & ~static_cast<scmp_datum_t>(0100000), create)}));
        add(allow(ctx, "fchmod", {SCMP_A1(SCMP_CMP_MASKED_EQ, kLow32, 0600)}));
        add(allow(
            ctx, "renameat",
            {SCMP_A0(SCMP_CMP_MASKED_EQ, kLow32, dir), SCMP_A2(SCMP_CMP_MASKED_EQ, kLow32, dir)}));
        add(allow(ctx, "renameat2",
                  {SCMP_A0(SCMP_CMP_MASKED_EQ, kLow32, dir),
                   SCMP_A2(SCMP_CMP_MASKED_EQ, kLow32, dir), SCMP_A4(SCMP_CMP_EQ, 0)}));
        add(allow(
            ctx, "unlinkat",
            {SCMP_A0(SCMP_CMP_MASKED_EQ, kLow32, dir), SCMP_A2(SCMP_CMP_MASKED_EQ, kLow32, 0)}));
    }

    // The systemd connection (systemd_unit.cpp, libdbus): made before the
    // sandbox, so neither socket() nor connect() is allowed for it. libdbus
    // authenticates (send/read of text lines), then exchanges messages with
    // sendmsg/recvmsg, waiting in poll; all on that one descriptor (the
    // authentication lines are read with read(), already allowed). Its
    // credentials for the EXTERNAL mechanism come from geteuid.
    if (grants.systemd_fd >= 0) {
        const auto fd = static_cast<scmp_datum_t>(grants.systemd_fd);
        for (const char *name : {"sendmsg", "recvmsg", "sendto"})
            add(allow(ctx, name, {SCMP_A0(SCMP_CMP_MASKED_EQ, kLow32, fd)}));
        add(allow(ctx, "poll"));
        add(allow(ctx, "ppoll"));
        for (const char *name : {"geteuid", "getuid"})
            add(allow(ctx, name));
    }

#ifdef WP_SANITIZER_LSAN
    // LeakSanitizer's exit-time check: a tracer thread sharing our memory
    // (clone with CLONE_VM; a fork, without it, stays forbidden) that stops
    // the threads with ptrace and lists them in /proc/self/task. Test builds only.
    add(allow(ctx, "clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_VM, CLONE_VM)}));
    for (const char *name : {"ptrace",
                             "wait4",
                             "prctl",
                             "sched_yield",
                             "sigaltstack",
                             "fcntl",
                             "lseek",
                             "getppid",
                             "sched_getaffinity",
                             "readlink",
                             "readlinkat",
                             "process_vm_readv",
                             "set_robust_list",
                             "rseq",
                             "uname",
                             "getrlimit",
                             "prlimit64",
                             "nanosleep",
                             "clock_nanosleep",
                             "pipe",
                             "pipe2",
                             "dup",
                             "dup2",
                             "dup3",
                             "tkill",
                             "getdents",
                             "getdents64"})
        add(allow(ctx, name));
    // The sanitizer's report checks whether stderr is a terminal (colours).
    add(allow(ctx, "ioctl", {SCMP_A1(SCMP_CMP_MASKED_EQ, kLow32, TCGETS)}));
    // The sanitizer runtime opens /proc/self/task with the legacy open(2), read-only.
    add(allow(ctx, "open", {SCMP_A1(SCMP_CMP_MASKED_EQ, forbidden | O_WRONLY, 0)}));
#endif

    if (!st) return st;
    rc = seccomp_load(ctx);
    if (rc < 0) return sandbox_error("cannot load the filter", rc);
    g_entered = needs_socket(resolved_log_target) ? Entered::WithSocket : Entered::WithoutSocket;
    return ok_status();
}

} // namespace wp
