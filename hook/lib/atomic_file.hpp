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
// Durability::Synced fsyncs the file before the rename and the directory after
// it (a file that must survive a crash); Durability::Volatile skips both (a file
// on /run that a reboot removes anyway: the rename alone keeps readers atomic).
enum class Durability { Synced, Volatile };
Status replace_file_at(int dirfd, const std::string &dir, const std::string &base,
                       std::string_view content, mode_t mode,
                       Durability durability = Durability::Synced);

} // namespace wp
