#include "reconcile.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <sys/stat.h>

#include "atomic_file.hpp"
#include "cgroup_locate.hpp"
#include "decision.hpp"
#include "fd.hpp"
#include "partitions.hpp"
#include "systemd_unit.hpp"

namespace wp {

namespace {

// Modification time of a file in seconds, 0 when absent.
int64_t mtime_of(const std::string &path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return static_cast<int64_t>(st.st_mtim.tv_sec);
}

std::string plan_text(const Plan &p) {
    std::string out;
    auto add = [&](const std::string &s) { out += (out.empty() ? "" : " ") + s; };
    if (p.cpuset) add("cpuset=" + p.cpuset->format());
    if (p.shares) add("cpushares=" + std::to_string(*p.shares));
    if (p.quota_us) add("cpuquota=" + std::to_string(*p.quota_us));
    if (p.period_us) add("cpuperiod=" + std::to_string(*p.period_us));
    return out.empty() ? "nothing" : out;
}

bool same_plan(const Plan &a, const Plan &b) {
    return a.cpuset == b.cpuset && a.shares == b.shares && a.quota_us == b.quota_us &&
           a.period_us == b.period_us;
}

LogRecord action(LogLevel level, const char *outcome, const PinView &v, std::string message) {
    LogRecord r;
    r.level = level;
    r.message = std::move(message);
    auto field = [&](const char *k, const std::string &val) {
        if (!val.empty()) r.fields.push_back(LogField{k, val, false});
    };
    field("outcome", outcome);
    field("container_id", v.id);
    if (v.record) {
        field("pod_namespace", v.record->pod_namespace);
        field("pod_name", v.record->pod_name);
        field("container_name", v.record->container_name);
        field("partition", v.record->partition);
    }
    return r;
}

void add_field(LogRecord &r, const char *k, const std::string &val) {
    if (!val.empty()) r.fields.push_back(LogField{k, val, false});
}

class Pass {
  public:
    explicit Pass(const ReconcileOptions &opt) : opt_(opt) {}
    Result<PassResult> run();

  private:
    void emit(LogRecord r) {
        if (opt_.log) log_emit(r, cfg_.log_target, cfg_.log_level);
        res_.actions.push_back(std::move(r));
    }
    void refuse(const PinView &v) {
        ++res_.refused;
        ++res_.errors;
        emit(action(LogLevel::Error, "refused", v, "pin record refused: " + v.error));
    }
    void drop(const PinDir &dir, const PinView &v);
    void repair(const PinView &v);
    // Decides again from the recorded annotations; true when the view was handled.
    bool redecide(const PinDir &dir, PinView &v);

    // The write path: the unit's properties (systemd keeps them), then the files.
    Result<ApplyResult> write_plan(const PinRecord &rec, const Plan &plan, std::string &systemd);

    const ReconcileOptions &opt_;
    NodeConfig cfg_;
    std::optional<SystemdBus> bus_; // connected on the first write to a unit
    std::optional<PartitionFile> parts_;
    int64_t inputs_mtime_ = 0;
    PassResult res_;
};

// The systemd bus of a node config, connected once per pass or unpin and only
// when a unit is written; unreachable is not an error (cgroup files only).
Result<SystemdBus *> systemd_bus(std::optional<SystemdBus> &bus, const NodeConfig &cfg,
                                 const std::string &unit) {
    if (bus || unit.empty() || cfg.systemd == SystemdMode::Off) return bus ? &*bus : nullptr;
    auto b = SystemdBus::connect({cfg.systemd_address, cfg.systemd_timeout_ms});
    if (!b) return b.take_error();
    bus = std::move(*b);
    return &*bus;
}

// A before_write that sets `props` on the record's unit and notes what was done.
BeforeWrite unit_step(std::optional<SystemdBus> &bus, const NodeConfig &cfg,
                      const std::string &unit, UnitProperties props, std::string &done) {
    return
        [&bus, &cfg, &unit, props = std::move(props), &done](const std::vector<Write> &) -> Status {
            auto b = systemd_bus(bus, cfg, unit);
            if (!b) return b.take_error();
            SystemdBus none;
            auto r = apply_unit_properties(*b ? **b : none, cfg.systemd, unit, props);
            if (!r) return r.take_error();
            done = *r;
            return ok_status();
        };
}

Result<ApplyResult> Pass::write_plan(const PinRecord &rec, const Plan &plan, std::string &systemd) {
    return apply_plan(
        cfg_.cgroup_root, rec.cgroups, plan, cfg_.shares_to_weight, false,
        unit_step(bus_, cfg_, rec.unit,
                  unit_properties_for(plan, rec.cgroups.cpu.v2, cfg_.shares_to_weight), systemd));
}

void Pass::drop(const PinDir &dir, const PinView &v) {
    if (opt_.dry_run) {
        ++res_.dropped;
        emit(action(LogLevel::Info, "would-drop", v, "dry run: container gone, record kept"));
        return;
    }
    auto removed = dir.remove(v.id);
    if (!removed) {
        ++res_.errors;
        emit(action(LogLevel::Error, "error", v, removed.error().message));
        return;
    }
    ++res_.dropped;
    emit(action(LogLevel::Info, "dropped", v, "container gone: pin record dropped"));
}

void Pass::repair(const PinView &v) {
    std::string what, from, to;
    for (const auto &d : v.drifts) {
        what += (what.empty() ? "" : ",") + d.resource;
        from += (from.empty() ? "" : " ") + d.resource + "=" + (d.from.empty() ? "\"\"" : d.from);
        to += (to.empty() ? "" : " ") + d.resource + "=" + d.to;
    }
    bool write = !opt_.dry_run && cfg_.mode == Mode::Enforce;
    std::string systemd;
    LogRecord r;
    if (write) {
        auto applied = write_plan(*v.record, v.record->plan, systemd);
        if (!applied) {
            ++res_.errors;
            r = action(LogLevel::Error, "error", v, "repair failed: " + applied.error().message);
            add_field(r, "drifted", what);
            emit(std::move(r));
            return;
        }
        r = action(LogLevel::Warning, "repaired", v, "drift repaired: " + what);
    } else {
        r = action(LogLevel::Warning, "drifted", v,
                   std::string(opt_.dry_run ? "dry run" : "audit mode") + ": would repair " + what);
    }
    add_field(r, "drifted", what);
    add_field(r, "from", from);
    add_field(r, "to", to);
    add_field(r, "systemd", systemd);
    emit(std::move(r));
    if (!write) return;
    ++res_.repaired;
    ++res_.pinned;
    ++res_.pinned_by_partition[v.record->partition];
    for (const auto &d : v.drifts)
        ++res_.repairs_by_resource[d.resource];
}

bool Pass::redecide(const PinDir &dir, PinView &v) {
    PinRecord &rec = *v.record;
    if (!parts_ || inputs_mtime_ < rec.time_unix) return false;
    auto act = find_activated(*parts_, rec.annotations);
    const Partition *p = act ? *act : nullptr;
    if (p == nullptr || p->name != rec.partition) {
        ++res_.errors;
        emit(action(LogLevel::Error, "error", v,
                    act ? "partition \"" + rec.partition +
                              "\" is no longer in the partition file (or no longer activated): "
                              "pin left as it is; wpctl unpin restores the container"
                        : act.error().message));
        return true;
    }
    auto dec = decide_for(*p, rec.annotations, [&] { return online_cpus(cfg_.cgroup_root); });
    if (!dec || dec->verdict != Verdict::Apply) {
        ++res_.errors;
        emit(action(LogLevel::Error, "error", v,
                    dec ? "no longer allowed in partition \"" + p->name +
                              "\": pin left as it is; wpctl unpin restores the container"
                        : dec.error().message));
        return true;
    }
    Plan old = rec.plan;
    if (same_plan(old, dec->plan)) {
        // Same plan: note the new inputs in the record, then check drift as usual.
        rec.time_unix = static_cast<int64_t>(std::time(nullptr));
        if (!opt_.dry_run && cfg_.mode == Mode::Enforce) (void)dir.write(rec);
        return false;
    }
    bool write = !opt_.dry_run && cfg_.mode == Mode::Enforce;
    std::string systemd;
    LogRecord r;
    if (write) {
        auto applied = write_plan(rec, dec->plan, systemd);
        if (!applied) {
            ++res_.errors;
            emit(action(LogLevel::Error, "error", v, "re-pin failed: " + applied.error().message));
            return true;
        }
        rec.plan = dec->plan;
        rec.time_unix = static_cast<int64_t>(std::time(nullptr));
        if (auto s = dir.write(rec); !s) {
            ++res_.errors;
            emit(action(LogLevel::Error, "error", v,
                        "re-pinned, but the record was not rewritten: " + s.error().message));
            return true;
        }
        r = action(LogLevel::Warning, "repinned", v, "partition inputs changed: re-pinned");
        ++res_.repinned;
        ++res_.pinned;
        ++res_.pinned_by_partition[rec.partition];
    } else {
        r = action(LogLevel::Warning, "would-repin", v,
                   std::string(opt_.dry_run ? "dry run" : "audit mode") + ": would re-pin");
    }
    add_field(r, "from", plan_text(old));
    add_field(r, "to", plan_text(dec->plan));
    add_field(r, "systemd", systemd);
    emit(std::move(r));
    return true;
}

Result<PassResult> Pass::run() {
    auto cfg = load_config(opt_.config_path);
    if (!cfg) return cfg.take_error();
    if (*cfg) cfg_ = std::move(**cfg);
    res_.disabled = !*cfg || !cfg_.enabled;
    if (!res_.disabled) {
        auto parts = load_partitions(cfg_.partitions_file);
        if (!parts) return parts.take_error();
        if (*parts) parts_ = std::move(**parts);
        inputs_mtime_ = std::max(mtime_of(opt_.config_path), mtime_of(cfg_.partitions_file));
    }
    auto dir = PinDir::open(opt_.pin_dir.empty() ? cfg_.pin_record_dir : opt_.pin_dir, false);
    if (!dir) return dir.take_error();
    auto view = read_node_view(*dir, cfg_.cgroup_root, cfg_.shares_to_weight, false);
    if (!view) return view.take_error();
    res_.records = view->size();
    for (auto &v : *view) {
        if (v.state == PinState::Refused) {
            refuse(v);
            continue;
        }
        if (v.record && v.record->elapsed_us > 0)
            res_.pin_elapsed_us.push_back(v.record->elapsed_us);
        if (v.state == PinState::Gone) {
            drop(*dir, v);
            continue;
        }
        if (res_.disabled) continue;
        if (redecide(*dir, v)) continue;
        if (v.state == PinState::Drifted) {
            repair(v);
            continue;
        }
        ++res_.pinned;
        ++res_.pinned_by_partition[v.record->partition];
    }
    return std::move(res_);
}

// Histogram buckets of the hook's run time, in seconds.
constexpr double kPinBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1};

std::string label_value(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

} // namespace

Result<PassResult> reconcile_pass(const ReconcileOptions &opt) {
    Pass p(opt);
    return p.run();
}

void ReconcileTotals::add(const PassResult &p, double seconds) {
    ++passes;
    errors += p.errors;
    for (const auto &[k, n] : p.repairs_by_resource)
        repairs_by_resource[k] += n;
    last_pass_seconds = seconds;
}

std::string render_metrics(const PassResult &last, const ReconcileTotals &totals) {
    std::string o;
    o += "# HELP workload_partitioning_pinned_containers Containers holding their partition's "
         "plan after the last reconcile pass.\n"
         "# TYPE workload_partitioning_pinned_containers gauge\n";
    for (const auto &[part, n] : last.pinned_by_partition)
        o += "workload_partitioning_pinned_containers{partition=\"" + label_value(part) + "\"} " +
             std::to_string(n) + "\n";
    o += "# HELP workload_partitioning_repairs_total Drifted resources repaired by the "
         "reconciler.\n"
         "# TYPE workload_partitioning_repairs_total counter\n";
    for (const char *r : {"cpuset", "shares", "weight", "quota", "period", "quota/period"}) {
        auto it = totals.repairs_by_resource.find(r);
        o += "workload_partitioning_repairs_total{resource=\"" + label_value(r) + "\"} " +
             std::to_string(it == totals.repairs_by_resource.end() ? 0 : it->second) + "\n";
    }
    o += "# HELP workload_partitioning_reconcile_errors_total Records refused and repairs that "
         "failed.\n"
         "# TYPE workload_partitioning_reconcile_errors_total counter\n"
         "workload_partitioning_reconcile_errors_total " +
         std::to_string(totals.errors) + "\n";
    o += "# HELP workload_partitioning_pin_duration_seconds The hook's run time for the pins "
         "recorded now.\n"
         "# TYPE workload_partitioning_pin_duration_seconds histogram\n";
    double sum = 0;
    for (int64_t us : last.pin_elapsed_us)
        sum += static_cast<double>(us) / 1e6;
    for (double b : kPinBuckets) {
        size_t n = 0;
        for (int64_t us : last.pin_elapsed_us)
            if (static_cast<double>(us) / 1e6 <= b) ++n;
        o += "workload_partitioning_pin_duration_seconds_bucket{le=\"" + num(b) + "\"} " +
             std::to_string(n) + "\n";
    }
    o += "workload_partitioning_pin_duration_seconds_bucket{le=\"+Inf\"} " +
         std::to_string(last.pin_elapsed_us.size()) + "\n";
    o += "workload_partitioning_pin_duration_seconds_sum " + num(sum) + "\n";
    o += "workload_partitioning_pin_duration_seconds_count " +
         std::to_string(last.pin_elapsed_us.size()) + "\n";
    o += "# HELP workload_partitioning_reconcile_duration_seconds Wall time of the last "
         "reconcile pass.\n"
         "# TYPE workload_partitioning_reconcile_duration_seconds gauge\n"
         "workload_partitioning_reconcile_duration_seconds " +
         num(totals.last_pass_seconds) + "\n";
    return o;
}

Status write_metrics_file(const std::string &path, const std::string &text) {
    size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    if (base.empty())
        return make_error(Fault::Usage, "metrics file \"" + path + "\": no file name");
    UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dfd.valid())
        return make_error(Fault::System, "metrics directory " + dir + ": " + std::strerror(errno));
    return replace_file_at(dfd.get(), dir, base, text, 0644);
}

Result<std::vector<UnpinResult>> unpin(const ReconcileOptions &opt,
                                       const std::vector<std::string> &ids) {
    auto cfg = load_config(opt.config_path);
    if (!cfg) return cfg.take_error();
    NodeConfig c = *cfg ? **cfg : NodeConfig{};
    auto dir = PinDir::open(opt.pin_dir.empty() ? c.pin_record_dir : opt.pin_dir, false);
    if (!dir) return dir.take_error();
    std::vector<std::string> todo = ids;
    if (todo.empty()) {
        auto all = dir->list();
        if (!all) return all.take_error();
        todo = std::move(*all);
    }
    std::optional<SystemdBus> bus;
    std::vector<UnpinResult> out;
    for (const auto &id : todo) {
        UnpinResult u;
        u.id = id;
        auto rec = dir->read(id);
        if (!rec || !rec->has_value()) {
            u.outcome = "error";
            u.message = rec ? "no pin record for this container" : rec.error().message;
            out.push_back(std::move(u));
            continue;
        }
        PinView v = view_pin(c.cgroup_root, **rec, c.shares_to_weight);
        if (v.state == PinState::Refused) {
            u.outcome = "error";
            u.message = v.error;
            out.push_back(std::move(u));
            continue;
        }
        if (v.state != PinState::Gone) {
            if ((*rec)->before.empty()) {
                u.outcome = "error";
                u.message = "the record holds no pre-pin values; record kept";
                out.push_back(std::move(u));
                continue;
            }
            std::vector<Write> values;
            for (const auto &[file, value] : (*rec)->before)
                values.push_back(Write{file, value});
            std::string systemd;
            auto applied =
                apply_values(c.cgroup_root, (*rec)->cgroups, values, opt.dry_run,
                             unit_step(bus, c, (*rec)->unit,
                                       unit_properties_for_values((*rec)->before), systemd));
            if (!applied) {
                u.outcome = "error";
                u.message = applied.error().message + "; record kept";
                out.push_back(std::move(u));
                continue;
            }
            u.restored = applied->writes;
            u.outcome = "unpinned";
            u.message = systemd; // what systemd was asked, or why not
        } else {
            u.outcome = "dropped";
            u.message = "container gone";
        }
        if (!opt.dry_run) {
            auto removed = dir->remove(id);
            if (!removed) {
                u.outcome = "error";
                u.message = removed.error().message;
                out.push_back(std::move(u));
                continue;
            }
        }
        u.ok = true;
        if (opt.log) {
            LogRecord r = action(LogLevel::Info, u.outcome.c_str(), v,
                                 u.outcome == "unpinned" ? "pre-pin values restored, record dropped"
                                                         : "container gone: record dropped");
            std::string what;
            for (const auto &w : u.restored)
                what += (what.empty() ? "" : " ") + w.file + "=" + w.value;
            add_field(r, "restored", what);
            log_emit(r, c.log_target, c.log_level);
        }
        out.push_back(std::move(u));
    }
    return out;
}

} // namespace wp
