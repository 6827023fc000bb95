#include "decision.hpp"

#include <algorithm>

#include "json.hpp"
#include "overrides.hpp"

namespace wp {

Result<const Partition *> find_activated(const PartitionFile &parts, const Annotations &ann) {
    const Partition *found = nullptr;
    for (const auto &p : parts.partitions) {
        if (ann.find(p.activation_annotation) == ann.end()) continue;
        if (found != nullptr)
            return make_error(Fault::Input, "annotations \"" + found->activation_annotation +
                                                "\" and \"" + p.activation_annotation +
                                                "\" both activate a partition; a container may "
                                                "activate only one");
        found = &p;
    }
    return found;
}

namespace {

std::string annotation_or_empty(const Annotations &ann, const char *key) {
    auto v = find_annotation(ann, key);
    return v ? std::string(*v) : std::string();
}

// Resolves an override field against the partition default (0 = none).
std::optional<int64_t> resolve(const Field &f, int64_t partition_default) {
    if (f.kind == Field::Kind::Value) return f.value;
    if (partition_default > 0) return partition_default;
    return std::nullopt;
}

// The container name: the kubelet's label, else the CRI metadata's "name" (a
// container created through the CRI without the kubelet's labels, as crictl does).
// "" when neither.
Result<std::string> container_name(const Annotations &ann) {
    if (auto v = find_annotation(ann, kContainerNameKey)) return std::string(*v);
    auto meta = find_annotation(ann, kCriMetadataKey);
    if (!meta) return std::string();
    auto root = json_parse_object(*meta, kCriMetadataKey, Fault::Input);
    if (!root) return root.take_error();
    json_object *name = nullptr;
    if (!json_object_object_get_ex(root->get(), "name", &name) || name == nullptr)
        return std::string();
    return json_string(name, kCriMetadataKey, "name", Fault::Input);
}

} // namespace

Result<Decision> decide(const PartitionFile &parts, const Annotations &ann,
                        const std::function<Result<CpuSet>()> &online_cpus) {
    auto act = find_activated(parts, ann);
    if (!act) return act.take_error();
    if (*act != nullptr) return decide_for(**act, ann, online_cpus);
    return identify(ann);
}

Decision identify(const Annotations &ann) {
    Decision d;
    d.pod_namespace = annotation_or_empty(ann, kPodNamespaceKey);
    d.pod_name = annotation_or_empty(ann, kPodNameKey);
    auto name = container_name(ann); // for the record only: never an error here
    if (name) d.container_name = std::move(*name);
    return d;
}

Result<Decision> decide_for(const Partition &p, const Annotations &ann,
                            const std::function<Result<CpuSet>()> &online_cpus) {
    Decision d;
    d.pod_namespace = annotation_or_empty(ann, kPodNamespaceKey);
    d.pod_name = annotation_or_empty(ann, kPodNameKey);
    auto name = container_name(ann);
    if (!name) return name.take_error();
    d.container_name = std::move(*name);
    d.partition = &p;
    if (!namespace_allowed(p, d.pod_namespace)) {
        d.verdict = Verdict::NotAllowed;
        d.notes.push_back("namespace \"" + d.pod_namespace +
                          "\" is not in allowedNamespaces of partition \"" + p.name + "\"");
        return d;
    }
    d.verdict = Verdict::Apply;

    Overrides ov;
    if (!d.container_name.empty()) {
        std::string key = p.annotation_prefix + "/" + d.container_name;
        if (auto v = find_annotation(ann, key)) {
            auto parsed = parse_overrides(*v, key);
            if (!parsed) return parsed.take_error();
            ov = std::move(*parsed);
            if (ov.whole_null) {
                d.left_as_is = true;
                d.notes.push_back(key + " is null: the container is left as the runtime made it");
                return d; // an empty plan
            }
            for (const auto &u : ov.unknown_keys)
                d.notes.push_back(key + ": unknown key \"" + u + "\" ignored");
        }
    }

    // cpuset
    if (ov.cpuset) {
        const CpuSet *bound = &p.cpuset;
        CpuSet online;
        std::string bound_name =
            "the cpuset \"" + p.cpuset_text + "\" of partition \"" + p.name + "\"";
        if (p.cpuset.empty()) {
            auto o = online_cpus();
            if (!o) return o.take_error();
            online = *o;
            bound = &online;
            bound_name = "the online CPUs \"" + online.format() + "\"";
        }
        if (!ov.cpuset->subset_of(*bound))
            return make_error(Fault::Input, p.annotation_prefix + "/" + d.container_name +
                                                ": key \"cpuset\": \"" + ov.cpuset->format() +
                                                "\" is not a subset of " + bound_name);
        d.plan.cpuset = *ov.cpuset;
    } else if (!p.cpuset.empty()) {
        d.plan.cpuset = p.cpuset;
    }

    // shares
    if (auto s = resolve(ov.cpushares, p.defaults.cpushares))
        d.plan.shares = static_cast<uint64_t>(*s);

    // period and quota
    std::optional<int64_t> period = resolve(ov.cpuperiod, p.defaults.cpuperiod);
    int64_t effective_period = period.value_or(kDefaultCfsPeriod);
    std::optional<int64_t> quota;
    if (ov.cpulimit.kind == Field::Kind::Value) {
        quota = std::max<int64_t>(ov.cpulimit.value * effective_period / 1000, 1000);
        if (ov.cpuquota.kind == Field::Kind::Value)
            d.notes.push_back("cpulimit overrides cpuquota");
    } else {
        quota = resolve(ov.cpuquota, p.defaults.cpuquota);
    }
    if (quota && !period) period = kDefaultCfsPeriod;
    d.plan.quota_us = quota;
    d.plan.period_us = period;
    return d;
}

} // namespace wp
