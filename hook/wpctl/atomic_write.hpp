// Atomic replacement of a file: a temporary file in the same directory,
// written and fsync'ed, then renamed over the target, then the directory fsync'ed.
// A reader sees the old content or the new, never a partial file.
#pragma once

#include <string>
#include <string_view>

#include <sys/types.h>

#include "fd.hpp"
#include "result.hpp"

namespace wpctl {

// The target's directory, opened (created with mode 0755 when missing) and
// locked with flock(2) until destroyed; temporary files left by a killed writer
// are removed. Hold it from reading the current file to writing the new one.
struct LockedTarget {
    std::string path, dir, base;
    wp::UniqueFd dirfd;
};
wp::Result<LockedTarget> lock_target(const std::string &path);

// Replaces t.path atomically with `content`, mode `mode` (umask does not apply).
wp::Status write_locked(const LockedTarget &t, std::string_view content, mode_t mode);

} // namespace wpctl
