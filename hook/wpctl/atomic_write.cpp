#include "atomic_write.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dir.hpp"
#include "fd.hpp"

namespace wpctl {

using wp::Fault;
using wp::make_error;

namespace {

wp::Error sys_error(const std::string &what) {
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

void remove_stale_temps(int dfd, const std::string &prefix) {
    auto list = wp::list_dir(dfd, prefix);
    if (!list) return;
    for (const auto &e : *list)
        if (std::string_view(e.name).substr(0, prefix.size()) == prefix)
            ::unlinkat(dfd, e.name.c_str(), 0);
}

} // namespace

wp::Result<LockedTarget> lock_target(const std::string &path) {
    namespace fs = std::filesystem;
    fs::path p(path);
    std::string base = p.filename().string();
    if (base.empty() || base == "." || base == "..")
        return make_error(Fault::Usage, path + ": not a file name");
    std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        fs::create_directories(dir, ec);
        if (ec)
            return make_error(Fault::System,
                              dir + ": cannot create the directory: " + ec.message());
        ::chmod(dir.c_str(), 0755);
    }
    wp::UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dfd.valid()) return sys_error(dir);
    if (::flock(dfd.get(), LOCK_EX) != 0) return sys_error(dir + ": flock");
    // Every writer holds the lock while its temporary file exists, so any
    // temporary file seen now was left by a writer that was killed: remove it.
    remove_stale_temps(dfd.get(), "." + base + ".tmp.");
    LockedTarget t;
    t.path = path;
    t.dir = dir;
    t.base = base;
    t.dirfd = std::move(dfd);
    return t;
}

wp::Status write_locked(const LockedTarget &t, std::string_view content, mode_t mode) {
    const std::string &dir = t.dir, &base = t.base, &path = t.path;
    const int dirfd = t.dirfd.get();
    std::string tmp;
    wp::UniqueFd fd;
    for (int attempt = 0; attempt < 16 && !fd.valid(); ++attempt) {
        tmp = "." + base + ".tmp." + std::to_string(::getpid()) + "." + random_suffix();
        fd.reset(::openat(dirfd, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                          0600));
        if (!fd.valid() && errno != EEXIST) return sys_error(dir + "/" + tmp);
    }
    if (!fd.valid()) return sys_error(dir + "/" + tmp);
    auto fail = [&](const std::string &what) {
        wp::Error e = sys_error(what);
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
    if (::fsync(fd.get()) != 0) return fail(tmp_path + ": fsync");
    if (::close(fd.release()) != 0) return fail(tmp_path + ": close");
    if (::renameat(dirfd, tmp.c_str(), dirfd, base.c_str()) != 0)
        return fail("rename " + tmp_path + " -> " + path);
    if (::fsync(dirfd) != 0) return sys_error(dir + ": fsync of the directory");
    return wp::ok_status();
}

} // namespace wpctl
