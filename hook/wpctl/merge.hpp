// `wpctl merge`: WorkloadPartitions objects + kubelet pinning file + node policy
// -> the merged partition file (docs/ARCHITECTURE.md §4, §6), through the library's
// wp::PartitionFile and wp::format_partitions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "diag.hpp"
#include "manifest.hpp"
#include "nodefiles.hpp"
#include "partitions.hpp"

namespace wpctl {

struct MergeInputs {
    std::vector<ManifestObject> objects;
    std::optional<Pinning> pinning;
    std::string pinning_path; // for messages
    std::optional<Policy> policy;
    std::string policy_path;
    std::optional<wp::PartitionFile> current; // the merged file being replaced
    std::string current_path;
    bool allow_removal = false;
};

struct MergeResult {
    wp::PartitionFile file;
    // Names of the current file missing from the inputs and kept (docs/ARCHITECTURE.md §7).
    std::vector<std::string> kept;
    std::vector<std::string> removed;
};

// Merges; warnings and errors go to `diag`. Names kept without --allow-removal
// are reported as errors too, but the result still holds them.
MergeResult merge_partitions(const MergeInputs &in, Diagnostics &diag);

int cmd_merge(int argc, char **argv);

} // namespace wpctl
