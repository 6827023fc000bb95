// Pin records: one JSON file per pinned container,
// <dir>/<container-id>.json (default dir /run/workload-partitioning/pins),
// written atomically by the hook for every applied pin and removed at poststop.
// They make the node's pins checkable after the fact: what was decided, from
// which annotations, into which cgroups and unit, over which previous values.
// Write, read, list and remove live here and nowhere else.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroup_locate.hpp"
#include "decision.hpp"
#include "fd.hpp"
#include "result.hpp"
#include "state.hpp"

namespace wp {

inline constexpr size_t kMaxPinRecordBytes = 1u << 20;
inline constexpr int kPinRecordVersion = 1;

struct PinRecord {
    std::string container_id;
    std::string pod_namespace, pod_name, container_name;
    std::string partition;
    Annotations annotations; // the ones that decided the pin
    Plan plan;
    std::string cgroup_root;
    CgroupTarget cgroups; // source is not recorded
    std::string unit;     // the systemd unit, "" when the cgroup is not one
    std::string systemd;  // "set", or why not ("off", "unreachable: ...", "not a unit")
    std::map<std::string, std::string> before; // file (relative to cgroup_root) -> value
    int64_t time_unix = 0;                     // seconds since the epoch
    int64_t elapsed_us = 0;                    // the hook's run time, 0 when unknown
};

// The annotations of `all` that decide a container's pin: the partition's
// activation annotation, its override for the container, and the pod identity
// keys the decision reads (namespace, container name, CRI-O metadata).
Annotations deciding_annotations(const Partition &partition, const Annotations &all);

// A container id that may name a record: 1..200 bytes of [A-Za-z0-9_.+-], not
// starting with '.'. Anything else (a '/', "..", a NUL) is refused: Fault::Input.
Status check_container_id(std::string_view id);

std::string pin_record_json(const PinRecord &r);
// Errors are Fault::Input naming `what` and the key.
Result<PinRecord> parse_pin_record(std::string_view text, std::string_view what);

// The record directory, open. Records are root-only: the directory is created
// 0700 and must be a directory owned by the effective user, not group/world
// writable, not a symlink; records are written 0600.
class PinDir {
  public:
    // create=false: an absent directory opens as empty (nothing recorded).
    static Result<PinDir> open(const std::string &path, bool create);

    const std::string &path() const { return path_; }
    int fd() const { return fd_.get(); }
    bool exists() const { return fd_.valid(); }

    Status write(const PinRecord &r) const;
    // Absent -> std::nullopt.
    Result<std::optional<PinRecord>> read(std::string_view container_id) const;
    // The container ids of every record, sorted (temporary files are skipped).
    Result<std::vector<std::string>> list() const;
    // false when there was no record.
    Result<bool> remove(std::string_view container_id) const;

  private:
    std::string path_;
    UniqueFd fd_;
};

} // namespace wp
