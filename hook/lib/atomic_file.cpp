#include "atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.hpp"

namespace wp {

namespace {

Error sys_error(const std::string &what) {
    return make_error(Fault::System, what + ": " + std::strerror(errno));
}

// getrandom(2), not std::random_device: its constructor probes the CPU with
// cpuid for the CPU's random-number instructions, and every cpuid is a trap to
// the hypervisor in a VM.
std::string random_suffix() {
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char bytes[8] = {};
    if (::getrandom(bytes, sizeof bytes, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof bytes)) {
        // No entropy yet (early boot): O_EXCL still keeps names unique; vary by time.
        timespec ts;
        ::clock_gettime(CLOCK_MONOTONIC, &ts);
        for (size_t i = 0; i < sizeof bytes; ++i)
            bytes[i] = static_cast<unsigned char>(ts.tv_nsec >> (i * 3));
    }
    std::string s;
    for (unsigned char b : bytes)
        s.push_back(alnum[b % (sizeof(alnum) - 1)]);
    return s;
}

} // namespace

Status replace_file_at(int dirfd, const std::string &dir, const std::string &base,
                       std::string_view content, mode_t mode, Durability durability) {
    std::string tmp;
    UniqueFd fd;
    for (int attempt = 0; attempt < 16 && !fd.valid(); ++attempt) {
        tmp = "." + base + ".tmp." + std::to_string(::getpid()) + "." + random_suffix();
        fd.reset(::openat(dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                          0600));
        if (!fd.valid() && errno != EEXIST) return sys_error(dir + "/" + tmp);
    }
    if (!fd.valid()) return sys_error(dir + "/" + tmp);
    auto fail = [&](const std::string &what) {
        Error e = sys_error(what);
        ::unlinkat(dirfd, tmp.c_str(), 0);
        return e;
    };
    const std::string tmp_path = dir + "/" + tmp;
    size_t off = 0;
    while (off < content.size()) {
        ssize_t n = ::write(fd.get(), content.data() + off, content.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(tmp_path + ": write");
        }
        off += static_cast<size_t>(n);
    }
    if (::fchmod(fd.get(), mode) != 0) return fail(tmp_path + ": fchmod");
    const bool synced = durability == Durability::Synced;
    if (synced && ::fsync(fd.get()) != 0) return fail(tmp_path + ": fsync");
    if (::close(fd.release()) != 0) return fail(tmp_path + ": close");
    if (::renameat(dirfd, tmp.c_str(), dirfd, base.c_str()) != 0)
        return fail("rename " + tmp_path + " -> " + dir + "/" + base);
    if (synced && ::fsync(dirfd) != 0) return sys_error(dir + ": fsync of the directory");
    return ok_status();
}

} // namespace wp
