// Bounded reads of files: trusted configuration (regular, root-owned, not
// group/world writable, never through a symlink) and plain bounded reads.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "result.hpp"

namespace wp {

inline constexpr size_t kMaxStateBytes = 1u << 20;        // OCI state on stdin
inline constexpr size_t kMaxConfigBytes = 1u << 20;       // node config, partition file
inline constexpr size_t kMaxBundleConfigBytes = 4u << 20; // <bundle>/config.json
inline constexpr size_t kMaxSmallFileBytes = 64u << 10;   // /proc and cgroup files

struct TrustPolicy {
    bool require_root_owner = true; // st_uid == 0
    bool forbid_group_other_write = true;
};

// Reads a trusted file. The last path component is opened with O_NOFOLLOW; the
// file must be a regular file, within `max` bytes, and satisfy `policy`.
// Absent file (ENOENT) -> std::nullopt. Fault::Untrusted for type/owner/mode
// failures, Fault::Usage for size, Fault::System for other I/O errors.
Result<std::optional<std::string>> read_trusted_file(const std::string &path, size_t max,
                                                     const TrustPolicy &policy = {});

// A node file (node config, merged partition file) that is malformed or too large
// is a Fault::Config for the hook; the parsers, shared with wpctl, say Fault::Usage.
inline Error node_file_fault(Error e) {
    if (e.fault == Fault::Usage) e.fault = Fault::Config;
    return e;
}

// Reads all of fd up to `max` bytes; more than `max` is an error naming `what`.
// A non-blocking fd with nothing to read yet (EAGAIN) is waited for with poll(2)
// for up to `wait_ms` milliseconds in all (0: no wait, EAGAIN is an error).
// `known_size` > 0 (a regular file's size from fstat): stop once that many bytes
// are read, without the read that would return EOF; 0: read until EOF.
Result<std::string> read_fd_bounded(int fd, size_t max, std::string_view what, int wait_ms = 0,
                                    size_t known_size = 0);

// Reads a file relative to dirfd (or an absolute path when dirfd == AT_FDCWD)
// with O_NOFOLLOW, bounded. Absent -> std::nullopt. Any file type that is not a
// regular file (or a kernfs/procfs pseudo file) is refused.
Result<std::optional<std::string>> read_file_nofollow(int dirfd, const std::string &path,
                                                      size_t max);

} // namespace wp
