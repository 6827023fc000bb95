// The C API (include/workload_partitioning.h) over the pipeline. No C++
// exception crosses it: anything thrown becomes WP_EXIT_ERROR.
#include "workload_partitioning.h"

#include <cstring>
#include <new>

#include "cgroup_write.hpp"
#include "cpuset.hpp"
#include "json_writer.hpp"
#include "pipeline.hpp"

struct wp_report {
    wp::Report r;
    // Rendered once, on the first wp_report_json() / wp_report_text().
    mutable std::string json, text;
    mutable bool rendered = false;
};

namespace {

int exit_code(const wp::Report &r) {
    return static_cast<int>(r.exit_code);
}

void render(const wp_report &rep) {
    if (rep.rendered) return;
    const wp::Report &r = rep.r;
    wp::JsonWriter j;
    j.begin_object();
    wp::log_record_members(j, r.record);
    j.member("exit_code", exit_code(r)).key("writes").begin_array();
    for (const auto &w : r.writes)
        j.begin_object().member("file", w.file).member("value", w.value).end_object();
    rep.json = j.end_array().end_object().take();

    std::string t = std::string("outcome: ") + wp::outcome_name(r.outcome) + " (exit " +
                    std::to_string(exit_code(r)) + ")\n";
    for (const auto &f : r.record.fields) {
        if (f.key == "outcome" || f.key == "elapsed_us") continue;
        t += f.key + ": " + f.value + "\n";
    }
    t += "message: " + r.record.message + "\n";
    if (!r.writes.empty()) {
        t += "writes:\n";
        for (const auto &w : r.writes)
            t += "  " + w.file + " = " + w.value + "\n";
    }
    rep.text = std::move(t);
    rep.rendered = true;
}

// One rendered form of the report (rendering on the first call), or `none`.
const char *rendered(const wp_report *r, std::string wp_report::*form, const char *none) {
    if (!r) return none;
    try {
        render(*r);
    } catch (...) {
        return none;
    }
    return (r->*form).c_str();
}

} // namespace

extern "C" {

int wp_run(const char *config_path, const char *state, size_t state_len, unsigned flags,
           wp_report **report) {
    if (report) *report = nullptr;
    try {
        wp::RunOptions opt;
        if (config_path) opt.config_path = config_path;
        opt.dry_run = (flags & WP_FLAG_DRY_RUN) != 0;
        opt.sandbox = (flags & WP_FLAG_SANDBOX) != 0;
        opt.log = (flags & WP_FLAG_NO_LOG) == 0;
        std::string_view text = state ? std::string_view(state, state_len) : std::string_view();
        wp::Report r = wp::run_pipeline(opt, text);
        int code = exit_code(r);
        if (report) *report = new (std::nothrow) wp_report{std::move(r), {}, {}, false};
        return code;
    } catch (...) {
        return WP_EXIT_ERROR;
    }
}

const char *wp_report_outcome(const wp_report *r) {
    return r ? wp::outcome_name(r->r.outcome) : wp::outcome_name(wp::Outcome::Error);
}
const char *wp_report_error(const wp_report *r) {
    return r && !r->r.error.empty() ? r->r.error.c_str() : nullptr;
}
const char *wp_report_json(const wp_report *r) {
    return rendered(r, &wp_report::json, "{}");
}
const char *wp_report_text(const wp_report *r) {
    return rendered(r, &wp_report::text, "");
}
int wp_report_exit_code(const wp_report *r) {
    return r ? exit_code(r->r) : WP_EXIT_ERROR;
}
void wp_report_free(wp_report *r) {
    delete r;
}

unsigned long long wp_shares_to_weight(unsigned long long shares, int formula) {
    return wp::shares_to_weight(shares, formula == 1 ? wp::SharesToWeight::Linear
                                                     : wp::SharesToWeight::Quadratic);
}

int wp_cpuset_normalize(const char *in, char *out, size_t out_len) {
    if (!in || !out) return -1;
    try {
        auto cs = wp::CpuSet::parse(in);
        if (!cs) return -1;
        std::string s = cs->format();
        if (s.size() + 1 > out_len) return -1;
        std::memcpy(out, s.c_str(), s.size() + 1);
        return 0;
    } catch (...) {
        return -1;
    }
}

const char *wp_version(void) {
    return WP_VERSION;
}

} // extern "C"
