#include "overrides.hpp"

#include "json.hpp"
#include "resource_limits.hpp"

namespace wp {

namespace {

Status read_field(json_object *v, std::string_view key, std::string_view name, Range range,
                  Field &out) {
    const int64_t lo = range.lo, hi = range.hi;
    if (v == nullptr) { // null: the partition default
        out.kind = Field::Kind::Default;
        return ok_status();
    }
    auto n = json_int(v, key, name, Fault::Input);
    if (!n) return n.take_error();
    if (*n == 0) {
        out.kind = Field::Kind::Default;
        return ok_status();
    }
    if (*n < lo || *n > hi)
        return make_error(Fault::Input, std::string(key) + ": key \"" + std::string(name) +
                                            "\": " + std::to_string(*n) + " is outside " +
                                            std::to_string(lo) + ".." + std::to_string(hi));
    out.kind = Field::Kind::Value;
    out.value = *n;
    return ok_status();
}

} // namespace

Result<Overrides> parse_overrides(std::string_view value, std::string_view key) {
    auto root = json_parse_strict(value, key, Fault::Input);
    if (!root) return root.take_error();
    Overrides ov;
    json_object *o = root->get();
    if (o == nullptr) { // the whole value null: leave the container alone
        ov.whole_null = true;
        return ov;
    }
    if (!json_object_is_type(o, json_type_object))
        return make_error(Fault::Input,
                          std::string(key) + ": expected a JSON object, got " + json_type_label(o));
    json_object_object_foreach(o, k, v) {
        std::string_view name(k);
        Status st = ok_status();
        if (name == "cpushares") {
            st = read_field(v, key, name, kSharesRange, ov.cpushares);
        } else if (name == "cpulimit") {
            st = read_field(v, key, name, kCpuLimitRange, ov.cpulimit);
        } else if (name == "cpuquota") {
            st = read_field(v, key, name, kQuotaRange, ov.cpuquota);
        } else if (name == "cpuperiod") {
            st = read_field(v, key, name, kPeriodRange, ov.cpuperiod);
        } else if (name == "cpuset") {
            if (v == nullptr) continue; // null: the partition's cpuset
            auto s = json_string(v, key, name, Fault::Input);
            if (!s) return s.take_error();
            auto cs = CpuSet::parse(*s);
            if (!cs)
                return make_error(Fault::Input,
                                  std::string(key) + ": key \"cpuset\": " + cs.error().message);
            if (!cs->empty()) ov.cpuset = *cs;
        } else {
            ov.unknown_keys.emplace_back(name);
        }
        if (!st) return st.take_error();
    }
    return ov;
}

} // namespace wp
