// Listing a directory given as a descriptor, without taking that descriptor
// over (readdir needs its own: a dup, owned here until the DIR* owns it).
#pragma once

#include <string>
#include <vector>

#include "result.hpp"

namespace wp {

struct DirEntry {
    std::string name;
    unsigned char type; // d_type: DT_DIR, DT_REG, ..., DT_UNKNOWN
};

// The entries of the directory open at `dirfd`, without "." and "..", in
// readdir order. `dirfd` stays open and is not repositioned for its owner's
// other uses (openat, fstatat). Errors are Fault::System naming `what`.
Result<std::vector<DirEntry>> list_dir(int dirfd, const std::string &what);

} // namespace wp
