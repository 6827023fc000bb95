// The hook's seccomp self-sandbox (libseccomp allow-list).
#pragma once

#include "config.hpp"
#include "result.hpp"

namespace wp {

// Descriptors opened before the sandbox that the run uses after it; each widens
// the allow-list only for that descriptor (-1: not granted).
struct SandboxGrants {
    // The pin record directory: create O_EXCL, fchmod, fsync, rename and unlink
    // inside it (pin_record.cpp, atomic_file.cpp).
    int pin_dir_fd = -1;
    // The connected socket to systemd: send/receive and poll on it (systemd_unit.cpp).
    // No socket() or connect(): the connection is made before the sandbox.
    int systemd_fd = -1;
};

// Installs the allow-list: no execve, no fork/clone, no ptrace, no mount, AF_UNIX
// datagram sockets only when the log target needs them, and the grants. Call
// after the trusted inputs are loaded and before pod-controlled input is parsed.
Status sandbox_enter(LogTarget resolved_log_target, const SandboxGrants &grants = {});

} // namespace wp
