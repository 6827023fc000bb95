#include "trusted_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.hpp"

namespace wp {

namespace {

const char *file_type_name(mode_t m) {
    if (S_ISDIR(m)) return "a directory";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISLNK(m)) return "a symlink";
    if (S_ISSOCK(m)) return "a socket";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    return "not a regular file";
}

} // namespace

Result<std::string> read_fd_bounded(int fd, size_t max, std::string_view what, int wait_ms,
                                    size_t known_size) {
    std::string out;
    char buf[16384];
    timespec start{};
    if (wait_ms > 0) ::clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            if ((errno == EAGAIN || errno == EWOULDBLOCK) && wait_ms > 0) {
                timespec now{};
                ::clock_gettime(CLOCK_MONOTONIC, &now);
                int64_t spent =
                    (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
                if (spent >= wait_ms)
                    return make_error(Fault::Usage, std::string(what) +
                                                        ": no end of input within " +
                                                        std::to_string(wait_ms) + " ms");
                pollfd p{fd, POLLIN, 0};
                ::poll(&p, 1, static_cast<int>(wait_ms - spent));
                continue;
            }
            return make_errno_error(Fault::System, errno, std::string(what) + ": read failed");
        }
        if (n == 0) break;
        if (out.size() + static_cast<size_t>(n) > max)
            return make_error(Fault::Usage, std::string(what) + ": larger than the limit of " +
                                                std::to_string(max) + " bytes");
        out.append(buf, static_cast<size_t>(n));
        // A regular file whose size fstat gave: all of it read, no read for EOF.
        if (known_size != 0 && out.size() == known_size) break;
    }
    return out;
}

namespace {

// The one bounded, no-follow read behind both public functions. `type_fault`
// is the fault for a symlink or a file that is not regular, `size_fault` for
// one over `max`; `trust`, when given, adds the owner and mode checks.
Result<std::optional<std::string>> read_regular(int dirfd, const std::string &path, size_t max,
                                                Fault type_fault, Fault size_fault,
                                                const TrustPolicy *trust) {
    UniqueFd fd(::openat(dirfd, path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    struct stat st;
    if (!fd.valid()) {
        int e = errno;
        if (e == ENOENT) return std::optional<std::string>{};
        if (e == ELOOP)
            return make_error(type_fault, path + ": is a symlink; refusing to follow it");
        if (::fstatat(dirfd, path.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            !S_ISREG(st.st_mode)) // a socket (ENXIO), a device without a driver, ...
            return make_error(type_fault,
                              path + ": is " + file_type_name(st.st_mode) + ", not a regular file");
        return make_errno_error(Fault::System, e, path + ": cannot open");
    }
    if (::fstat(fd.get(), &st) != 0)
        return make_errno_error(Fault::System, errno, path + ": cannot stat");
    if (!S_ISREG(st.st_mode))
        return make_error(type_fault,
                          path + ": is " + file_type_name(st.st_mode) + ", not a regular file");
    if (trust && trust->require_root_owner && st.st_uid != 0)
        return make_error(Fault::Untrusted,
                          path + ": owned by uid " + std::to_string(st.st_uid) + ", not by root");
    if (trust && trust->forbid_group_other_write && (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return make_error(Fault::Untrusted,
                          path + ": mode " + mode + " is writable by group or others");
    }
    if (static_cast<uint64_t>(st.st_size) > max)
        return make_error(size_fault, path + ": " + std::to_string(st.st_size) +
                                          " bytes, larger than the limit of " +
                                          std::to_string(max) + " bytes");
    // Files of procfs and cgroupfs report size 0 and are read to EOF.
    auto text = read_fd_bounded(fd.get(), max, path, 0, static_cast<size_t>(st.st_size));
    if (!text) {
        Error e = text.take_error();
        if (e.fault == Fault::Usage) e.fault = size_fault; // grew past max while read
        return e;
    }
    return std::optional<std::string>(std::move(*text));
}

} // namespace

Result<std::optional<std::string>> read_trusted_file(const std::string &path, size_t max,
                                                     const TrustPolicy &policy) {
    return read_regular(AT_FDCWD, path, max, Fault::Untrusted, Fault::Usage, &policy);
}

Result<std::optional<std::string>> read_file_nofollow(int dirfd, const std::string &path,
                                                      size_t max) {
    return read_regular(dirfd, path, max, Fault::Input, Fault::Input, nullptr);
}

} // namespace wp
