// Atomic replacement of a file inside an open directory: a temporary file in
// the same directory, written and fsync'ed, renamed over the target, then the
// directory fsync'ed. A reader sees the old content or the new, never a part.
#pragma once

#include <string>
#include <string_view>

#include <sys/types.h>

#include "result.hpp"

namespace wp {

// Replaces `base` in the directory `dirfd` (shown as `dir` in errors) with
// `content`, mode `mode` (umask does not apply). The temporary file is
// ".<base>.tmp.<pid>.<random>", created O_EXCL|O_NOFOLLOW and removed on failure.
Status replace_file_at(int dirfd, const std::string &dir, const std::string &base,
                       std::string_view content, mode_t mode);

} // namespace wp
