#include "atomic_write.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.hpp"
#include "dir.hpp"
#include "fd.hpp"

namespace wpctl {

using wp::Fault;
using wp::make_error;

namespace {

wp::Error sys_error(const std::string &what) {
    return make_error(Fault::System, what + ": " + std::strerror(errno));
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
    return wp::replace_file_at(t.dirfd.get(), t.dir, t.base, content, mode);
}

} // namespace wpctl
