// Day 2: one reconcile pass over the node's view, unpin, and the metrics of
// both. The pass is a loop over read_node_view() that calls the write path
// (apply_plan, apply_values) and the decision code (decide_for); it has no
// other way to decide or to write.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config.hpp"
#include "log.hpp"
#include "node_view.hpp"
#include "result.hpp"

namespace wp {

struct ReconcileOptions {
    std::string config_path = kDefaultConfigPath;
    std::string pin_dir;  // "" = the node config's pinRecordDir
    bool dry_run = false; // decide and report, write and drop nothing
    bool log = true;      // emit one log record per action
};

// What one pass did, and what the node holds after it.
struct PassResult {
    size_t records = 0;  // records read (refused ones included)
    size_t pinned = 0;   // holding their plan after the pass
    size_t repaired = 0; // drift repaired
    size_t repinned = 0; // decided again (partition file or node config changed) and applied
    size_t dropped = 0;  // gone: record removed
    size_t refused = 0;  // a record that could not be used
    size_t errors = 0;   // refused records, failed repairs, unreadable inputs
    std::map<std::string, size_t> pinned_by_partition;
    std::map<std::string, size_t> repairs_by_resource; // "cpuset", "shares", ...
    std::vector<int64_t> pin_elapsed_us;               // the hook's, from the records
    std::vector<LogRecord> actions;                    // one per repair, re-pin, drop, refusal
    bool disabled = false;                             // node config absent or enabled:false
};

// One pass: drop the records of containers that are gone; repair drift through
// apply_plan; when the merged partition file or the node config is newer than a
// record, decide again from its recorded annotations and apply the new plan
// (the record is rewritten). A node config that is absent or disabled repairs
// nothing (records of gone containers are still dropped); mode "audit" reports
// drift and writes nothing. Errors of single records are counted, logged and
// skipped; only unreadable inputs (config, partition file, record directory)
// fail the pass.
Result<PassResult> reconcile_pass(const ReconcileOptions &opt);

// Running totals over the passes of one process, for the metrics.
struct ReconcileTotals {
    uint64_t passes = 0;
    uint64_t errors = 0;
    std::map<std::string, uint64_t> repairs_by_resource;
    double last_pass_seconds = 0;
    void add(const PassResult &p, double seconds);
};

// The node_exporter textfile-collector text of the last pass and the totals.
std::string render_metrics(const PassResult &last, const ReconcileTotals &totals);

// Writes `text` to `path` atomically (temporary file, fsync, rename), mode 0644.
Status write_metrics_file(const std::string &path, const std::string &text);

struct UnpinResult {
    std::string id;
    bool ok = false;
    std::string outcome; // "unpinned", "dropped" (gone), "error"
    std::string message;
    std::vector<Write> restored;
};

// Restores the recorded pre-pin values of each container (all records when
// `ids` is empty) through apply_values, and drops its record. A record whose
// cgroup is gone is dropped; one that cannot be restored is kept.
Result<std::vector<UnpinResult>> unpin(const ReconcileOptions &opt,
                                       const std::vector<std::string> &ids);

} // namespace wp
