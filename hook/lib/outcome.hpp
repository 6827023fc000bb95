// Outcomes, exit codes, and the one table from a fault to both.
#pragma once

#include <array>
#include <string_view>

#include "config.hpp"
#include "result.hpp"

namespace wp {

// The hook's exit codes (include/workload_partitioning.h WP_EXIT_*).
enum class ExitCode : int {
    Ok = 0,      // done, or nothing to do
    Refused = 1, // an error under failurePolicy "fail": the runtime refuses the container
    Error = 2,   // usage or internal error
};

// What a run did; the record's "outcome" and wp_report_outcome().
enum class Outcome {
    Disabled,     // no node config, or enabled false
    NoPartitions, // no merged partition file
    NotActivated, // no activation annotation
    NotAllowed,   // namespace outside allowedNamespaces: not pinned, logged
    Applied,      // written (or nothing to write)
    Audited,      // mode audit: what would be written, logged
    DryRun,       // WP_FLAG_DRY_RUN: what would be written
    Refused,      // an error under failurePolicy fail
    IgnoredError, // an error under failurePolicy ignore, or in audit mode
    Error,        // usage or internal error, or an error for a container that means no partition
    Untrusted,    // a node file failed its trust checks: refused, nothing done
    Unpinned,     // poststop: the container's pin record removed
    NoRecord,     // poststop: the container had no pin record
};

inline constexpr std::array kAllOutcomes = {
    Outcome::Disabled,     Outcome::NoPartitions, Outcome::NotActivated, Outcome::NotAllowed,
    Outcome::Applied,      Outcome::Audited,      Outcome::DryRun,       Outcome::Refused,
    Outcome::IgnoredError, Outcome::Error,        Outcome::Untrusted,    Outcome::Unpinned,
    Outcome::NoRecord};

const char *outcome_name(Outcome o);

// Whether the container is known to mean a partition when a fault is met.
enum class Meant {
    No,    // its annotations are known and none starts with the activation prefix
    Maybe, // its annotations could not be read (the bundle's config.json failed)
    Yes,   // it carries an activation-prefix annotation, or activated a partition
};

struct Disposition {
    ExitCode exit_code;
    Outcome outcome;
};

// The one table (docs/DECISIONS.md "Exit codes for each fault"):
//   Usage      the invocation is broken              exit 2, error
//   Untrusted  a node file is refused                exit 0, untrusted
//   Config, Input, System:
//     a container that means no partition            exit 0, error (never failed)
//     no node config to take a policy from (it is    exit 2, error
//       what failed)
//     otherwise the node config's failurePolicy      fail -> 1 refused, ignore -> 0
//                                                    ignored-error; mode audit -> 0
//                                                    ignored-error
// `cfg` is the node config, nullptr when it is not loaded.
Disposition dispose(Fault fault, Meant meant, const NodeConfig *cfg);

} // namespace wp
