#include "atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <random>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd.hpp"

namespace wp {

namespace {

Error sys_error(const std::string &what) {
    return make_error(Fault::System, what + ": " + std::strerror(errno));
}

std::string random_suffix() {
    static std::random_device rd;
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string s;
    for (int i = 0; i < 8; ++i)
        s.push_back(alnum[rd() % (sizeof(alnum) - 1)]);
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
