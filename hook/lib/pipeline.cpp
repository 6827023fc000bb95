#include "pipeline.hpp"

#include <ctime>

#include "cgroup_locate.hpp"
#include "decision.hpp"
#include "partitions.hpp"
#include "sandbox.hpp"
#include "state.hpp"
#include "trusted_file.hpp"

namespace wp {

namespace {

int64_t now_us() {
    timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

bool mentions_partition(const Annotations &ann) {
    auto it = ann.lower_bound(kActivationPrefix);
    return it != ann.end() && it->first.rfind(kActivationPrefix, 0) == 0;
}

class Run {
  public:
    Run(const RunOptions &opt) : opt_(opt), start_(now_us()) {}

    Report go(std::string_view state_text);

  private:
    // Ends the run: fills the record and emits it.
    Report &finish(int exit_code, const char *outcome, LogLevel level, std::string message);
    // An error for a container that activates a partition: failurePolicy decides.
    Report &policy_error(const Error &e);
    void field(const char *k, std::string v) {
        if (!v.empty()) rep_.record.fields.push_back(LogField{k, std::move(v), false});
    }
    void number(const char *k, int64_t v) {
        rep_.record.fields.push_back(LogField{k, std::to_string(v), true});
    }
    // The log target, resolved once per run (before the sandbox, which allows a
    // log socket only for the target resolved then).
    LogTarget log_target() {
        if (!log_target_)
            log_target_ = resolve_log_target(have_cfg_ ? cfg_.log_target : LogTarget::Auto);
        return *log_target_;
    }

    const RunOptions &opt_;
    int64_t start_;
    Report rep_;
    NodeConfig cfg_;
    bool have_cfg_ = false;
    OciState st_;
    const Partition *part_ = nullptr;
    Decision dec_;
    Plan plan_;
    std::optional<CgroupTarget> target_;
    std::string effective_;
    std::optional<LogTarget> log_target_;
};

Report &Run::finish(int exit_code, const char *outcome, LogLevel level, std::string message) {
    rep_.exit_code = exit_code;
    rep_.outcome = outcome;
    auto &r = rep_.record;
    r.level = level;
    r.message = std::move(message);
    field("outcome", outcome);
    field("container_id", st_.id);
    field("pod_namespace", dec_.pod_namespace);
    field("pod_name", dec_.pod_name);
    field("container_name", dec_.container_name);
    if (part_ != nullptr) field("partition", part_->name);
    if (plan_.cpuset) field("cpuset", plan_.cpuset->format());
    if (plan_.shares) {
        number("shares", static_cast<int64_t>(*plan_.shares));
        if (target_ && target_->cpu.v2) // cgroup v2 gets the weight, not the shares
            number("weight",
                   static_cast<int64_t>(shares_to_weight(*plan_.shares, cfg_.shares_to_weight)));
    }
    if (plan_.quota_us) number("cpu_quota", *plan_.quota_us);
    if (plan_.period_us) number("cpu_period", *plan_.period_us);
    if (target_) {
        field("cgroup_cpuset", target_->cpuset.rel);
        field("cgroup_cpu", target_->cpu.rel);
    }
    field("effective_cpuset", effective_);
    for (const auto &n : dec_.notes)
        field("note", n);
    field("error", rep_.error);
    number("elapsed_us", now_us() - start_);
    log_record_bound(r);
    if (opt_.log) {
        LogLevel threshold = have_cfg_ ? cfg_.log_level : LogLevel::Info;
        log_emit(r, log_target(), threshold);
    }
    return rep_;
}

Report &Run::policy_error(const Error &e) {
    rep_.error = e.message;
    if (cfg_.mode == Mode::Audit)
        return finish(0, "ignored-error", LogLevel::Error, "audit: would refuse: " + e.message);
    if (cfg_.failure_policy == FailurePolicy::Fail)
        return finish(1, "refused", LogLevel::Error, "refused: " + e.message);
    return finish(0, "ignored-error", LogLevel::Error,
                  "error ignored (failurePolicy ignore): " + e.message);
}

Report Run::go(std::string_view state_text) {
    // 1. The OCI state.
    auto st = parse_state(state_text);
    if (!st) {
        rep_.error = st.error().message;
        return finish(2, "error", LogLevel::Error, rep_.error);
    }
    st_ = std::move(*st);

    // 2. Node config and merged partition file, both trusted files.
    auto cfg = load_config(opt_.config_path);
    if (!cfg) {
        rep_.error = cfg.error().message;
        if (cfg.error().fault == Fault::Untrusted)
            return finish(0, "untrusted", LogLevel::Error, "node config refused: " + rep_.error);
        bool meant = mentions_partition(st_.annotations);
        return finish(meant ? 2 : 0, "error", LogLevel::Error, "node config: " + rep_.error);
    }
    if (!*cfg) return finish(0, "disabled", LogLevel::Debug, "no node config: hook disabled");
    cfg_ = std::move(**cfg);
    have_cfg_ = true;
    if (!cfg_.enabled)
        return finish(0, "disabled", LogLevel::Debug, "hook disabled in node config");

    auto parts = load_partitions(cfg_.partitions_file);
    if (!parts) {
        if (parts.error().fault == Fault::Untrusted) {
            rep_.error = parts.error().message;
            return finish(0, "untrusted", LogLevel::Error, "partition file refused: " + rep_.error);
        }
        if (mentions_partition(st_.annotations)) return policy_error(parts.error());
        rep_.error = parts.error().message;
        return finish(0, "error", LogLevel::Error, "partition file: " + rep_.error);
    }
    if (!*parts)
        return finish(0, "no-partitions", LogLevel::Debug, "no partition file: nothing to do");
    const PartitionFile &pf = **parts;

    // 3. Annotations: the state's, or the bundle's config.json when the state has none.
    std::optional<BundleConfig> bundle;
    bool bundle_loaded = false;
    auto load_bundle = [&]() -> Status {
        if (bundle_loaded) return ok_status();
        bundle_loaded = true;
        auto b = load_bundle_config(st_.bundle);
        if (!b) return b.take_error();
        bundle = std::move(*b);
        return ok_status();
    };
    // The seccomp filter goes in before anything pod-influenced is read beyond the
    // state itself: here when the bundle's config.json must be parsed, else once a
    // partition is activated, so that unpartitioned containers never pay for it.
    bool confined = false;
    auto confine = [&]() -> Status {
        if (!opt_.sandbox || confined) return ok_status();
        confined = true;
        return sandbox_enter(log_target());
    };
    const Annotations *ann = &st_.annotations;
    if (!st_.has_annotations) {
        auto s = confine();
        if (s) s = load_bundle();
        if (!s) {
            rep_.error = s.error().message;
            return finish(2, "error", LogLevel::Error, rep_.error);
        }
        static const Annotations kNone;
        ann = bundle && bundle->has_annotations ? &bundle->annotations : &kNone;
    }

    // 4. The activated partition.
    auto act = find_activated(pf, *ann);
    if (!act) return policy_error(act.error());
    if (*act == nullptr)
        return finish(0, "not-activated", LogLevel::Debug, "no partition activated");
    part_ = *act;

    if (auto s = confine(); !s) return policy_error(s.error());

    // 5. Namespace and per-container override.
    auto dec = decide_for(*part_, *ann, [&] { return online_cpus(cfg_.cgroup_root); });
    if (!dec) return policy_error(dec.error());
    dec_ = std::move(*dec);
    if (dec_.verdict == Verdict::NotAllowed)
        return finish(0, "not-allowed", LogLevel::Warning,
                      "not pinned: " + (dec_.notes.empty() ? std::string() : dec_.notes.front()));
    plan_ = dec_.plan;
    if (dec_.left_as_is)
        return finish(0, "applied", LogLevel::Info, "nothing written: " + dec_.notes.front());

    // 6. The container's cgroup.
    LocateInput li;
    li.cgroup_root = cfg_.cgroup_root;
    li.proc_root = cfg_.proc_root;
    li.pid = st_.pid;
    if (auto sub = find_annotation(*ann, "run.oci.systemd.subgroup")) li.systemd_subgroup = *sub;
    li.cgroups_path_fallback = [&]() -> Result<std::string> {
        auto s = load_bundle();
        if (!s) return s.take_error();
        return bundle ? bundle->cgroups_path : std::string();
    };
    auto target = locate_cgroup(li);
    if (!target) return policy_error(target.error());
    target_ = *target;

    // 7. Write (or, in audit mode and dry runs, only say what would be written).
    bool dry = opt_.dry_run || cfg_.mode == Mode::Audit;
    auto applied = apply_plan(cfg_.cgroup_root, *target, plan_, cfg_.shares_to_weight, dry);
    if (!applied) return policy_error(applied.error());
    rep_.writes = applied->writes;
    std::string what;
    for (const auto &w : rep_.writes)
        what += (what.empty() ? "" : ", ") + w.file + "=" + w.value;
    if (what.empty()) what = "nothing to write";

    // 8. One record.
    if (opt_.dry_run) return finish(0, "dry-run", LogLevel::Info, "would write: " + what);
    if (cfg_.mode == Mode::Audit)
        return finish(0, "audited", LogLevel::Info, "audit: would write: " + what);
    if (applied->verified) effective_ = applied->effective_cpuset;
    return finish(0, "applied", LogLevel::Info, "pinned: " + what);
}

} // namespace

Report run_pipeline(const RunOptions &opt, std::string_view state_text) {
    Run run(opt);
    return run.go(state_text);
}

} // namespace wp
