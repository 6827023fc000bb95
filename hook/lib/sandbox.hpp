// The hook's seccomp self-sandbox (libseccomp allow-list).
#pragma once

#include "config.hpp"
#include "result.hpp"

namespace wp {

// Installs the allow-list: no execve, no fork/clone, no ptrace, no mount, AF_UNIX
// datagram sockets only when the log target needs them. Call after the trusted
// inputs are loaded and before pod-controlled input is parsed.
Status sandbox_enter(LogTarget resolved_log_target);

} // namespace wp
