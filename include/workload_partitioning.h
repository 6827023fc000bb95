/*
 * libworkload-partitioning: the C API.
 *
 * One call runs the hook's whole pipeline (docs/ARCHITECTURE.md §2) for one container:
 * parse the OCI state, load the node config and the merged partition file,
 * decide, locate the cgroup, write, read back, log. A runtime can embed it
 * in-process instead of exec'ing workload-partitioning-hook; the hook's main()
 * and `wpctl explain` call it too, so there is one implementation.
 *
 * No C++ exception crosses this API. All strings returned are owned by the
 * report and live until wp_report_free().
 */
#ifndef WORKLOAD_PARTITIONING_H
#define WORKLOAD_PARTITIONING_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WP_VERSION "0.1.0"

/* Exit codes of the hook, returned by wp_run(). */
#define WP_EXIT_OK 0      /* done, or nothing to do */
#define WP_EXIT_REFUSED 1 /* an error under failurePolicy "fail": refuse the container */
#define WP_EXIT_ERROR 2   /* usage or internal error (malformed state or node config) */

/* Flags for wp_run(). */
#define WP_FLAG_DRY_RUN 0x1u /* decide and locate, write nothing (wpctl explain) */
#define WP_FLAG_SANDBOX 0x2u /* install the seccomp allow-list (the hook process only) */
#define WP_FLAG_NO_LOG 0x4u  /* emit no log record (the caller reports) */

typedef struct wp_report wp_report;

/*
 * Runs the pipeline. config_path NULL means /etc/workload-partitioning/config.json.
 * state/state_len: the OCI state JSON (not NUL-terminated necessarily).
 * *report (if report is not NULL) receives a report to free with wp_report_free().
 * Returns WP_EXIT_OK, WP_EXIT_REFUSED or WP_EXIT_ERROR.
 */
int wp_run(const char *config_path, const char *state, size_t state_len, unsigned flags,
           wp_report **report);

/* What happened: "disabled", "no-partitions", "not-activated", "not-allowed",
 * "applied", "audited", "dry-run", "refused", "ignored-error", "error", "untrusted",
 * and at poststop "unpinned" (the pin record removed) or "no-record". */
const char *wp_report_outcome(const wp_report *r);
/* The error message naming the file, key or value at fault; NULL when none. */
const char *wp_report_error(const wp_report *r);
/* The decision record as one JSON object. */
const char *wp_report_json(const wp_report *r);
/* A short human-readable explanation, several lines. The JSON and the text are
 * rendered once, on the first call of either; a report is not for concurrent use. */
const char *wp_report_text(const wp_report *r);
int wp_report_exit_code(const wp_report *r);
void wp_report_free(wp_report *r);

/* cgroup v2 weight from v1 shares; formula 0 = quadratic (runc/crun), 1 = linear. */
unsigned long long wp_shares_to_weight(unsigned long long shares, int formula);

/* Normalizes a kernel CPU list ("0-3,8"); returns 0 and writes the canonical form
 * into out (NUL-terminated), or -1 when it does not parse or out is too small. */
int wp_cpuset_normalize(const char *in, char *out, size_t out_len);

const char *wp_version(void);

#ifdef __cplusplus
}
#endif

#endif
