#include "pipeline.hpp"

#include <ctime>

#include "cgroup_layout.hpp"
#include "cgroup_locate.hpp"
#include "decision.hpp"
#include "partitions.hpp"
#include "pin_record.hpp"
#include "sandbox.hpp"
#include "state.hpp"
#include "systemd_unit.hpp"
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
    // poststop: the container is gone; its pin record goes too, nothing else.
    Report &poststop();
    // Before the sandbox: what the pin needs afterwards (the record directory,
    // the connection to systemd), opened only when the run will write.
    Status prepare_pin_resources(bool writes);
    // Step 7's first half: the systemd unit's runtime properties (None when the
    // cgroup is not a unit, systemd is off or not reachable: the note says why).
    Status set_unit_properties(const std::vector<Write> &previous);
    // Step 8: the pin record of an applied pin.
    Status write_pin_record(const ApplyResult &applied);
    // Ends the run: fills the record and emits it.
    Report &finish(ExitCode exit_code, Outcome outcome, LogLevel level, std::string message);
    Report &done(Outcome outcome, LogLevel level, std::string message) {
        return finish(ExitCode::Ok, outcome, level, std::move(message));
    }
    // Ends the run on an error: the fault table (outcome.hpp) gives the exit code
    // and the outcome, whichever step met it. `what` names the step's input.
    Report &fail(const Error &e, Meant meant, const char *what = nullptr);
    // Whether the container means a partition, from the annotations known so far.
    Meant meant() const;
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

    // The node's cgroup layout, detected once per run (before the sandbox).
    const CgroupLayout &layout() {
        if (!layout_) layout_ = detect_cgroup_layout(cfg_.cgroup_root);
        return *layout_;
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
    const Annotations *ann_ = nullptr;
    std::optional<PinDir> pin_dir_;
    SystemdBus bus_;
    std::string unit_;       // the systemd unit of the target, "" when none
    std::string systemd_;    // "set" or why the unit's properties were not set
    std::string pin_record_; // the record written
    std::optional<CgroupLayout> layout_;
};

Report &Run::finish(ExitCode exit_code, Outcome outcome, LogLevel level, std::string message) {
    rep_.exit_code = exit_code;
    rep_.outcome = outcome;
    auto &r = rep_.record;
    r.level = level;
    r.message = std::move(message);
    field("outcome", outcome_name(outcome));
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
    field("systemd_unit", unit_);
    field("systemd", systemd_);
    field("pin_record", pin_record_);
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

Meant Run::meant() const {
    if (part_ != nullptr || mentions_partition(st_.annotations)) return Meant::Yes;
    return Meant::No;
}

Report &Run::fail(const Error &e, Meant m, const char *what) {
    rep_.error = e.message;
    // A step that failed before the decision still names the container in its record.
    if (ann_ != nullptr && dec_.partition == nullptr) dec_ = identify(*ann_);
    Disposition d = dispose(e.fault, m, have_cfg_ ? &cfg_ : nullptr);
    std::string msg = e.message;
    switch (d.outcome) {
    case Outcome::Refused:
        msg = "refused: " + msg;
        break;
    case Outcome::IgnoredError:
        msg = (cfg_.mode == Mode::Audit ? "audit: would refuse: "
                                        : "error ignored (failurePolicy ignore): ") +
              msg;
        break;
    case Outcome::Untrusted:
        msg = std::string(what ? what : "input") + " refused: " + msg;
        break;
    default:
        if (what) msg = std::string(what) + ": " + msg;
        break;
    }
    return finish(d.exit_code, d.outcome, LogLevel::Error, std::move(msg));
}

Report Run::go(std::string_view state_text) {
    // 1. The OCI state.
    auto st = parse_state(state_text);
    if (!st) return fail(st.error(), Meant::Maybe);
    st_ = std::move(*st);
    if (st_.status == "stopped") return poststop();

    // 2. Node config and merged partition file, both trusted files.
    auto cfg = load_config(opt_.config_path);
    if (!cfg) return fail(cfg.error(), meant(), "node config");
    if (!*cfg) return done(Outcome::Disabled, LogLevel::Debug, "no node config: hook disabled");
    cfg_ = std::move(**cfg);
    have_cfg_ = true;
    if (!cfg_.enabled)
        return done(Outcome::Disabled, LogLevel::Debug, "hook disabled in node config");

    auto parts = load_partitions(cfg_.partitions_file);
    if (!parts) return fail(parts.error(), meant(), "partition file");
    if (!*parts)
        return done(Outcome::NoPartitions, LogLevel::Debug, "no partition file: nothing to do");
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
    // The cgroup layout is read (a directory listing) before it, once. What the
    // pin needs after it (the record directory, the connection to systemd) is
    // opened just before it, with the sandbox or without.
    bool confined = false;
    auto confine = [&]() -> Status {
        if (confined) return ok_status();
        confined = true;
        if (auto s = prepare_pin_resources(!opt_.dry_run && cfg_.mode == Mode::Enforce); !s)
            return s;
        if (!opt_.sandbox) return ok_status();
        layout();
        SandboxGrants grants;
        if (pin_dir_) grants.pin_dir_fd = pin_dir_->fd();
        grants.systemd_fd = bus_.fd();
        return sandbox_enter(log_target(), grants);
    };
    const Annotations *ann = &st_.annotations;
    if (!st_.has_annotations) {
        // Whatever fails here, the hook cannot tell whether the container means a
        // partition: the fault table decides as for an activating container.
        auto s = confine();
        if (s) s = load_bundle();
        if (!s) return fail(s.error(), Meant::Maybe);
        static const Annotations kNone;
        ann = bundle && bundle->has_annotations ? &bundle->annotations : &kNone;
    }
    ann_ = ann;

    // 4. The activated partition.
    auto act = find_activated(pf, *ann);
    if (!act) return fail(act.error(), Meant::Yes);
    if (*act == nullptr)
        return done(Outcome::NotActivated, LogLevel::Debug, "no partition activated");
    part_ = *act;

    if (auto s = confine(); !s) return fail(s.error(), Meant::Yes);

    // 5. Namespace and per-container override.
    auto dec = decide_for(*part_, *ann, [&] { return online_cpus(layout()); });
    if (!dec) return fail(dec.error(), Meant::Yes);
    dec_ = std::move(*dec);
    if (dec_.verdict == Verdict::NotAllowed)
        return done(Outcome::NotAllowed, LogLevel::Warning,
                    "not pinned: " + (dec_.notes.empty() ? std::string() : dec_.notes.front()));
    plan_ = dec_.plan;
    if (dec_.left_as_is)
        return done(Outcome::Applied, LogLevel::Info, "nothing written: " + dec_.notes.front());

    // 6. The container's cgroup.
    LocateInput li;
    li.cgroup_root = cfg_.cgroup_root;
    li.layout = layout();
    li.proc_root = cfg_.proc_root;
    li.pid = st_.pid;
    if (auto sub = find_annotation(*ann, "run.oci.systemd.subgroup")) li.systemd_subgroup = *sub;
    li.cgroups_path_fallback = [&]() -> Result<std::string> {
        auto s = load_bundle();
        if (!s) return s.take_error();
        return bundle ? bundle->cgroups_path : std::string();
    };
    auto target = locate_cgroup(li);
    if (!target) return fail(target.error(), Meant::Yes);
    target_ = *target;

    // 7. Write (or, in audit mode and dry runs, only say what would be written):
    // first the systemd unit's runtime properties, so that systemd keeps the pin
    // through daemon-reload, then the cgroup files and the read-back.
    bool dry = opt_.dry_run || cfg_.mode == Mode::Audit;
    unit_ = systemd_unit_of(*target);
    auto applied = apply_plan(
        cfg_.cgroup_root, *target, plan_, cfg_.shares_to_weight, dry,
        [this](const std::vector<Write> &previous) { return set_unit_properties(previous); });
    if (!applied) return fail(applied.error(), Meant::Yes);
    rep_.writes = applied->writes;
    std::string what;
    for (const auto &w : rep_.writes)
        what += (what.empty() ? "" : ", ") + w.file + "=" + w.value;
    if (what.empty()) what = "nothing to write";

    // 8. One record.
    if (opt_.dry_run) return done(Outcome::DryRun, LogLevel::Info, "would write: " + what);
    if (cfg_.mode == Mode::Audit)
        return done(Outcome::Audited, LogLevel::Info, "audit: would write: " + what);
    if (applied->verified) effective_ = applied->effective_cpuset;

    // 8. The pin record, and one log record.
    if (auto s = write_pin_record(*applied); !s) return fail(s.error(), Meant::Yes);
    return done(Outcome::Applied, LogLevel::Info, "pinned: " + what);
}

Report &Run::poststop() {
    // The node config only says where the records are; a disabled or absent
    // config still removes a record left from when the hook was on.
    std::string dir = kDefaultPinRecordDir;
    if (auto cfg = load_config(opt_.config_path); cfg && *cfg) {
        cfg_ = std::move(**cfg);
        have_cfg_ = true;
        dir = cfg_.pin_record_dir;
    }
    if (auto s = check_container_id(st_.id); !s) {
        rep_.error = s.error().message;
        return finish(ExitCode::Error, Outcome::Error, LogLevel::Error, "poststop: " + rep_.error);
    }
    auto d = PinDir::open(dir, false);
    Result<bool> removed = d ? d->remove(st_.id) : Result<bool>(d.take_error());
    if (!removed) {
        rep_.error = removed.error().message;
        return finish(ExitCode::Ok, Outcome::Error, LogLevel::Error,
                      "poststop: pin record: " + rep_.error);
    }
    if (!*removed) return done(Outcome::NoRecord, LogLevel::Debug, "poststop: no pin record");
    pin_record_ = dir + "/" + st_.id + ".json";
    return done(Outcome::Unpinned, LogLevel::Info, "poststop: pin record removed");
}

Status Run::prepare_pin_resources(bool writes) {
    if (!writes || pin_dir_) return ok_status();
    if (auto s = check_container_id(st_.id); !s) return s;
    auto d = PinDir::open(cfg_.pin_record_dir, true);
    if (!d) return d.take_error();
    pin_dir_ = std::move(*d);
    if (cfg_.systemd == SystemdMode::Off) return ok_status();
    auto bus = SystemdBus::connect({cfg_.systemd_address, cfg_.systemd_timeout_ms});
    if (!bus) return bus.take_error();
    bus_ = std::move(*bus);
    return ok_status();
}

Status Run::set_unit_properties(const std::vector<Write> &previous) {
    (void)previous;
    // A dry run or audit opens no connection: nothing is set, nothing to say.
    if (!bus_.connected() && !pin_dir_ && !unit_.empty() && cfg_.systemd != SystemdMode::Off)
        return ok_status();
    auto done =
        apply_unit_properties(bus_, cfg_.systemd, unit_,
                              unit_properties_for(plan_, target_->cpu.v2, cfg_.shares_to_weight));
    if (!done) return done.take_error();
    if (!done->empty()) systemd_ = *done;
    return ok_status();
}

Status Run::write_pin_record(const ApplyResult &applied) {
    if (!pin_dir_) return ok_status();
    PinRecord r;
    r.container_id = st_.id;
    r.pod_namespace = dec_.pod_namespace;
    r.pod_name = dec_.pod_name;
    r.container_name = dec_.container_name;
    r.partition = part_->name;
    r.annotations = deciding_annotations(*part_, *ann_);
    r.plan = plan_;
    r.cgroup_root = cfg_.cgroup_root;
    r.cgroups = *target_;
    r.unit = unit_;
    r.systemd = systemd_;
    for (const auto &w : applied.previous)
        r.before[w.file] = w.value;
    timespec now;
    ::clock_gettime(CLOCK_REALTIME, &now);
    r.time_unix = static_cast<int64_t>(now.tv_sec);
    r.elapsed_us = now_us() - start_; // up to the pin (the metrics' pin duration)
    if (auto s = pin_dir_->write(r); !s) return s;
    pin_record_ = pin_dir_->path() + "/" + st_.id + ".json";
    return ok_status();
}

} // namespace

Report run_pipeline(const RunOptions &opt, std::string_view state_text) {
    Run run(opt);
    return run.go(state_text);
}

} // namespace wp
