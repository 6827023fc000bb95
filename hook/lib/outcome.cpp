#include "outcome.hpp"

#include <cstring>

namespace wp {

Error make_errno_error(Fault f, int e, std::string msg) {
    Error err = make_error(f, std::move(msg) + ": " + std::strerror(e));
    err.sys_errno = e;
    return err;
}

const char *outcome_name(Outcome o) {
    switch (o) {
    case Outcome::Disabled:
        return "disabled";
    case Outcome::NoPartitions:
        return "no-partitions";
    case Outcome::NotActivated:
        return "not-activated";
    case Outcome::NotAllowed:
        return "not-allowed";
    case Outcome::Applied:
        return "applied";
    case Outcome::Audited:
        return "audited";
    case Outcome::DryRun:
        return "dry-run";
    case Outcome::Refused:
        return "refused";
    case Outcome::IgnoredError:
        return "ignored-error";
    case Outcome::Error:
        return "error";
    case Outcome::Untrusted:
        return "untrusted";
    case Outcome::Unpinned:
        return "unpinned";
    case Outcome::NoRecord:
        return "no-record";
    }
    return "error";
}

Disposition dispose(Fault fault, Meant meant, const NodeConfig *cfg) {
    switch (fault) {
    case Fault::Usage:
        return {ExitCode::Error, Outcome::Error};
    case Fault::Untrusted:
        return {ExitCode::Ok, Outcome::Untrusted};
    case Fault::Config:
    case Fault::Input:
    case Fault::System:
        break;
    }
    if (meant == Meant::No) return {ExitCode::Ok, Outcome::Error};
    if (cfg == nullptr) return {ExitCode::Error, Outcome::Error};
    if (cfg->mode == Mode::Audit || cfg->failure_policy == FailurePolicy::Ignore)
        return {ExitCode::Ok, Outcome::IgnoredError};
    return {ExitCode::Refused, Outcome::Refused};
}

} // namespace wp
