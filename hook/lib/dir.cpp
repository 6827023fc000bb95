#include "dir.hpp"

#include <cerrno>
#include <cstring>
#include <memory>

#include <dirent.h>
#include <fcntl.h>

#include "fd.hpp"

namespace wp {

namespace {
struct DirCloser {
    void operator()(DIR *d) const { ::closedir(d); }
};
} // namespace

Result<std::vector<DirEntry>> list_dir(int dirfd, const std::string &what) {
    UniqueFd own(::fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
    if (!own.valid()) return make_error(Fault::System, what + ": " + std::strerror(errno));
    std::unique_ptr<DIR, DirCloser> d(::fdopendir(own.get()));
    if (!d) return make_error(Fault::System, what + ": " + std::strerror(errno));
    own.release(); // the DIR owns it now
    // A dup shares the file offset with dirfd: start from the beginning.
    ::rewinddir(d.get());
    std::vector<DirEntry> out;
    errno = 0;
    while (dirent *e = ::readdir(d.get())) {
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
            out.push_back(DirEntry{e->d_name, e->d_type});
        errno = 0;
    }
    if (errno != 0) return make_error(Fault::System, what + ": " + std::strerror(errno));
    return out;
}

} // namespace wp
