// The decision: which partition a container activates and what to write.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "cpuset.hpp"
#include "partitions.hpp"
#include "result.hpp"
#include "state.hpp"

namespace wp {

inline constexpr int64_t kDefaultCfsPeriod = 100000;

// What to write into the container's cgroup. An absent value is not written.
struct Plan {
    std::optional<CpuSet> cpuset;
    std::optional<uint64_t> shares;   // cgroup v1 cpu.shares
    std::optional<int64_t> quota_us;  // CFS quota
    std::optional<int64_t> period_us; // CFS period
};

enum class Verdict {
    NoPartition, // no activation annotation: leave the container alone
    NotAllowed,  // the pod's namespace is outside allowedNamespaces: refused, logged
    Apply,       // write the plan
};

struct Decision {
    Verdict verdict = Verdict::NoPartition;
    const Partition *partition = nullptr;
    std::string pod_namespace, pod_name, container_name;
    Plan plan;
    bool left_as_is = false;        // the override is null: nothing to locate or write
    std::vector<std::string> notes; // unknown override keys, etc.
};

// The container/pod identity annotations CRI-O sets.
inline constexpr const char *kContainerNameKey = "io.kubernetes.container.name";
inline constexpr const char *kPodNamespaceKey = "io.kubernetes.pod.namespace";
inline constexpr const char *kPodNameKey = "io.kubernetes.pod.name";
// CRI-O's copy of the CRI container metadata, JSON with a "name"; the container
// name when kContainerNameKey is absent.
inline constexpr const char *kCriMetadataKey = "io.kubernetes.cri-o.Metadata";

// The partition whose activation annotation is present, nullptr when none.
// More than one -> Fault::Input error naming both annotations.
Result<const Partition *> find_activated(const PartitionFile &parts, const Annotations &ann);

// Decides for one container that activates `partition` (from find_activated):
// namespace check, override, plan. `online_cpus` is asked only when the
// partition's cpuset is "" and the override names a cpuset. Errors are Fault::Input.
Result<Decision> decide_for(const Partition &partition, const Annotations &ann,
                            const std::function<Result<CpuSet>()> &online_cpus);

// Who the container is, for the record: pod namespace and name, container name
// ("" where absent or unreadable). Never fails; the steps that need the name check it.
Decision identify(const Annotations &ann);

// find_activated + decide_for (NoPartition when none is activated).
Result<Decision> decide(const PartitionFile &parts, const Annotations &ann,
                        const std::function<Result<CpuSet>()> &online_cpus);

} // namespace wp
