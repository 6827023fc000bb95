/*
 * The C API in-process: this program links only libworkload-partitioning.so and
 * pins a container on a fake cgroup v1 tree through wp_run(), with no hook
 * process. Each test snapshots every file of the fake tree before and after the
 * call and checks exactly which files changed and to what.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "workload_partitioning.h"

#define POD "kubepods/pod1/crio-abc"
#define CPUSET_DIR "cg/cpuset/" POD
#define CPU_DIR "cg/cpu,cpuacct/" POD
#define OVR_KEY "resources.workload.openshift.io/app"
/* the change list of a successful run, sorted: cpu.shares then cpuset.cpus */
#define APPLIED_CHANGES CPU_DIR "/cpu.shares\tf644\t400\n" CPUSET_DIR "/cpuset.cpus\tf644\t0-1\n"

/* ------------------------------------------------------------ small helpers */

static char root_dir[256]; /* the fake tree of the current test */
static char config_path[PATH_MAX];

static void path_of(char *out, size_t len, const char *rel) {
    int n = snprintf(out, len, "%s/%s", root_dir, rel);
    assert_true(n > 0 && (size_t)n < len);
}

static void mkdirs(const char *rel) {
    char p[PATH_MAX];
    path_of(p, sizeof p, rel);
    for (char *s = p + strlen(root_dir) + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
        *s = '/';
    }
    assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
}

/* put("a/b/c", "x"): writes x plus a newline to <root>/a/b/c, mode 0644. */
static void put(const char *rel, const char *content) {
    char dir[PATH_MAX], p[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", rel);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        mkdirs(dir);
    }
    path_of(p, sizeof p, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    assert_true(fprintf(f, "%s\n", content) >= 0);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(p, 0644), 0);
}

/* The content of <root>/rel without its trailing newlines; caller frees. */
static char *get(const char *rel) {
    char p[PATH_MAX];
    path_of(p, sizeof p, rel);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    char *buf = calloc(1, 65536);
    assert_non_null(buf);
    size_t n = fread(buf, 1, 65535, f);
    fclose(f);
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    return buf;
}

/* ---------------------------------------------------------------- snapshots */

/* A snapshot: one entry per path below the root, "rel\ttype\tcontent". */
struct snapshot {
    char **lines;
    size_t n, cap;
};

static struct snapshot *snap_target;
static size_t snap_root_len;

static int snap_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)ftw;
    if (strlen(path) <= snap_root_len) return 0; /* the root itself */
    const char *rel = path + snap_root_len + 1;
    char content[4096] = "";
    char kind = '?';
    if (type == FTW_F && S_ISREG(st->st_mode)) {
        kind = 'f';
        FILE *f = fopen(path, "r");
        if (f) {
            size_t n = fread(content, 1, sizeof content - 1, f);
            content[n] = '\0';
            fclose(f);
        }
        size_t n = strlen(content);
        while (n > 0 && content[n - 1] == '\n')
            content[--n] = '\0';
    } else if (type == FTW_D || type == FTW_DP) {
        kind = 'd';
    } else if (type == FTW_SL || type == FTW_SLN) {
        kind = 'l';
    }
    char *line = NULL;
    if (asprintf(&line, "%s\t%c%o\t%s", rel, kind, (unsigned)(st->st_mode & 07777), content) < 0)
        return -1;
    if (snap_target->n == snap_target->cap) {
        snap_target->cap = snap_target->cap ? 2 * snap_target->cap : 64;
        snap_target->lines = realloc(snap_target->lines, snap_target->cap * sizeof(char *));
        if (!snap_target->lines) return -1;
    }
    snap_target->lines[snap_target->n++] = line;
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void snapshot_take(struct snapshot *s) {
    memset(s, 0, sizeof *s);
    snap_target = s;
    snap_root_len = strlen(root_dir);
    assert_int_equal(nftw(root_dir, snap_one, 32, FTW_PHYS), 0);
    qsort(s->lines, s->n, sizeof(char *), cmp_str);
}

static void snapshot_free(struct snapshot *s) {
    for (size_t i = 0; i < s->n; i++)
        free(s->lines[i]);
    free(s->lines);
    memset(s, 0, sizeof *s);
}

/* Lines of `after` that are not in `before` ("rel\tmeta\tcontent"), joined with
 * '\n', plus "-rel" for paths gone: the changes, sorted. Caller frees. */
static char *snapshot_diff(const struct snapshot *before, const struct snapshot *after) {
    size_t cap = 1, len = 0;
    for (size_t i = 0; i < after->n; i++)
        cap += strlen(after->lines[i]) + 2;
    for (size_t i = 0; i < before->n; i++)
        cap += strlen(before->lines[i]) + 2;
    char *out = calloc(1, cap);
    assert_non_null(out);
    for (size_t i = 0; i < after->n; i++) {
        int found = 0;
        for (size_t j = 0; j < before->n && !found; j++)
            found = strcmp(after->lines[i], before->lines[j]) == 0;
        if (!found) len += (size_t)sprintf(out + len, "%s\n", after->lines[i]);
    }
    for (size_t j = 0; j < before->n; j++) {
        size_t plen = strcspn(before->lines[j], "\t");
        int found = 0;
        for (size_t i = 0; i < after->n && !found; i++)
            found = strncmp(after->lines[i], before->lines[j], plen + 1) == 0;
        if (!found) len += (size_t)sprintf(out + len, "-%.*s\n", (int)plen, before->lines[j]);
    }
    return out;
}

/* -------------------------------------------------------------- the fixture */

static char state[8192];

static void make_state(const char *override_json) {
    char ovr[1024] = "";
    if (override_json) {
        /* the override annotation's value is a JSON string holding JSON */
        char esc[512];
        size_t k = 0;
        for (const char *c = override_json; *c && k < sizeof esc - 2; c++) {
            if (*c == '"' || *c == '\\') esc[k++] = '\\';
            esc[k++] = *c;
        }
        esc[k] = '\0';
        snprintf(ovr, sizeof ovr, ", \"" OVR_KEY "\": \"%s\"", esc);
    }
    snprintf(state, sizeof state,
             "{\"ociVersion\": \"1.0.2\", \"id\": \"abc\", \"status\": \"creating\", "
             "\"pid\": 4242, \"bundle\": \"%s/bundle\", \"annotations\": {"
             "\"target.workload.openshift.io/management\": "
             "\"{\\\"effect\\\": \\\"PreferredDuringScheduling\\\"}\", "
             "\"io.kubernetes.container.name\": \"app\", "
             "\"io.kubernetes.pod.namespace\": \"openshift-etcd\", "
             "\"io.kubernetes.pod.name\": \"etcd-0\"%s}}",
             root_dir, ovr);
}

static void write_config(const char *enabled, const char *policy) {
    char cfg[8192];
    snprintf(cfg, sizeof cfg,
             "{\"enabled\": %s, \"mode\": \"enforce\", \"failurePolicy\": \"%s\", "
             "\"partitionsFile\": \"%s/etc/partitions.json\", \"sharesToWeight\": \"quadratic\", "
             "\"cgroupRoot\": \"%s/cg\", \"procRoot\": \"%s/proc\", "
             "\"log\": {\"level\": \"debug\", \"target\": \"stderr\"}}",
             enabled, policy, root_dir, root_dir, root_dir);
    put("etc/config.json", cfg);
}

static int setup(void **st) {
    (void)st;
    snprintf(root_dir, sizeof root_dir, "%s/wp-capi.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(root_dir)) return -1;
    snprintf(config_path, sizeof config_path, "%s/etc/config.json", root_dir);
    put("cg/cpuset/cpuset.cpus", "0-3");
    put("cg/cpuset/cpuset.effective_cpus", "0-3");
    put(CPUSET_DIR "/cpuset.cpus", "0-3");
    /* a fake tree does not recompute the effective cpuset: pre-fill it with
     * what the hook is expected to write, so that the read-back agrees */
    put(CPUSET_DIR "/cpuset.effective_cpus", "0-1");
    put(CPUSET_DIR "/cpuset.mems", "0");
    put(CPU_DIR "/cpu.shares", "2");
    put(CPU_DIR "/cpu.cfs_quota_us", "-1");
    put(CPU_DIR "/cpu.cfs_period_us", "100000");
    put("proc/4242/cgroup", "11:cpuset:/" POD "\n4:cpu,cpuacct:/" POD "\n1:name=systemd:/" POD);
    mkdirs("bundle");
    write_config("true", "fail");
    put("etc/partitions.json",
        "{\"version\": 1, \"partitions\": {\"management\": {\"cpuset\": \"0-1\", "
        "\"activationAnnotation\": \"target.workload.openshift.io/management\", "
        "\"annotationPrefix\": \"resources.workload.openshift.io\", "
        "\"defaults\": {\"cpushares\": 0, \"cpuquota\": 0, \"cpuperiod\": 0}, "
        "\"allowedNamespaces\": [], \"sources\": [\"management-partition\"]}}}");
    make_state("{\"cpushares\": 400}");
    return 0;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st, (void)type, (void)ftw;
    return remove(path);
}

static int teardown(void **st) {
    (void)st;
    if (getenv("KEEP")) return 0;
    return nftw(root_dir, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

/* Runs wp_run() between two snapshots; returns the changes (caller frees). */
static char *run(unsigned flags, int *rc, wp_report **report) {
    struct snapshot before, after;
    snapshot_take(&before);
    *rc = wp_run(config_path, state, strlen(state), flags, report);
    snapshot_take(&after);
    char *d = snapshot_diff(&before, &after);
    snapshot_free(&before);
    snapshot_free(&after);
    return d;
}

/* ------------------------------------------------------------------- tests */

static void applied_writes_cpuset_and_shares(void **st) {
    (void)st;
    wp_report *r = NULL;
    int rc = -1;
    char *changes = run(0, &rc, &r);
    assert_int_equal(rc, WP_EXIT_OK);
    assert_non_null(r);
    assert_string_equal(wp_report_outcome(r), "applied");
    assert_null(wp_report_error(r));
    assert_int_equal(wp_report_exit_code(r), WP_EXIT_OK);
    assert_non_null(wp_report_json(r));
    assert_non_null(strstr(wp_report_json(r), "\"applied\""));
    assert_non_null(strstr(wp_report_json(r), "\"management\""));
    assert_non_null(wp_report_text(r));
    assert_true(strlen(wp_report_text(r)) > 0);
    /* exactly these two files changed, to these values */
    assert_string_equal(changes, APPLIED_CHANGES);
    char *v = get(CPUSET_DIR "/cpuset.cpus");
    assert_string_equal(v, "0-1");
    free(v);
    free(changes);
    wp_report_free(r);
}

static void applied_without_report(void **st) {
    (void)st;
    int rc = -1;
    char *changes = run(WP_FLAG_NO_LOG, &rc, NULL);
    assert_int_equal(rc, WP_EXIT_OK);
    assert_string_equal(changes, APPLIED_CHANGES);
    free(changes);
}

static void dry_run_writes_nothing(void **st) {
    (void)st;
    wp_report *r = NULL;
    int rc = -1;
    char *changes = run(WP_FLAG_DRY_RUN, &rc, &r);
    assert_int_equal(rc, WP_EXIT_OK);
    assert_string_equal(changes, "");
    assert_string_equal(wp_report_outcome(r), "dry-run");
    assert_null(wp_report_error(r));
    /* the decision is reported all the same */
    assert_non_null(strstr(wp_report_json(r), "0-1"));
    assert_non_null(strstr(wp_report_json(r), "400"));
    free(changes);
    wp_report_free(r);
}

static void malformed_override_refused(void **st) {
    (void)st;
    make_state("{\"cpushares\": \"lots\"}");
    wp_report *r = NULL;
    int rc = -1;
    char *changes = run(0, &rc, &r);
    assert_int_equal(rc, WP_EXIT_REFUSED);
    assert_string_equal(changes, "");
    assert_string_equal(wp_report_outcome(r), "refused");
    assert_int_equal(wp_report_exit_code(r), WP_EXIT_REFUSED);
    assert_non_null(wp_report_error(r));
    assert_non_null(strstr(wp_report_error(r), OVR_KEY));
    free(changes);
    wp_report_free(r);
}

static void malformed_override_ignored(void **st) {
    (void)st;
    write_config("true", "ignore");
    make_state("{\"cpushares\": 1}");
    wp_report *r = NULL;
    int rc = -1;
    char *changes = run(0, &rc, &r);
    assert_int_equal(rc, WP_EXIT_OK);
    assert_string_equal(changes, "");
    assert_string_equal(wp_report_outcome(r), "ignored-error");
    assert_non_null(wp_report_error(r));
    assert_non_null(strstr(wp_report_error(r), OVR_KEY));
    free(changes);
    wp_report_free(r);
}

static void readback_mismatch_rolled_back(void **st) {
    (void)st;
    put(CPUSET_DIR "/cpuset.effective_cpus", "0-3");
    wp_report *r = NULL;
    int rc = -1;
    char *changes = run(0, &rc, &r);
    assert_int_equal(rc, WP_EXIT_REFUSED);
    assert_string_equal(changes, "");
    assert_string_equal(wp_report_outcome(r), "refused");
    assert_non_null(strstr(wp_report_error(r), "cpuset.effective_cpus"));
    free(changes);
    wp_report_free(r);
}

static void malformed_state_is_an_error(void **st) {
    (void)st;
    snprintf(state, sizeof state, "{\"ociVersion\": \"1.0.2\", \"id\": ");
    wp_report *r = NULL;
    int rc = -1;
    char *changes = run(0, &rc, &r);
    assert_int_equal(rc, WP_EXIT_ERROR);
    assert_string_equal(changes, "");
    assert_string_equal(wp_report_outcome(r), "error");
    assert_int_equal(wp_report_exit_code(r), WP_EXIT_ERROR);
    assert_non_null(wp_report_error(r));
    free(changes);
    wp_report_free(r);
}

static void state_not_nul_terminated(void **st) {
    (void)st;
    /* state_len bounds the input: the bytes after it are not part of it */
    size_t len = strlen(state);
    snprintf(state + len, sizeof state - len, "garbage");
    struct snapshot before, after;
    snapshot_take(&before);
    wp_report *r = NULL;
    int rc = wp_run(config_path, state, len, 0, &r);
    snapshot_take(&after);
    char *changes = snapshot_diff(&before, &after);
    assert_int_equal(rc, WP_EXIT_OK);
    assert_string_equal(wp_report_outcome(r), "applied");
    assert_string_equal(changes, APPLIED_CHANGES);
    free(changes);
    snapshot_free(&before);
    snapshot_free(&after);
    wp_report_free(r);
}

static void disabled_writes_nothing(void **st) {
    (void)st;
    write_config("false", "fail");
    wp_report *r = NULL;
    int rc = -1;
    char *changes = run(0, &rc, &r);
    assert_int_equal(rc, WP_EXIT_OK);
    assert_string_equal(changes, "");
    assert_string_equal(wp_report_outcome(r), "disabled");
    free(changes);
    wp_report_free(r);
}

/* Runs wp_run() with fd 2 redirected to a file; returns what it wrote. */
static char *stderr_of_run(unsigned flags, int *rc) {
    char p[PATH_MAX];
    path_of(p, sizeof p, "stderr.txt");
    fflush(stderr);
    int saved = dup(2);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
    *rc = wp_run(config_path, state, strlen(state), flags, NULL);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char *out = get("stderr.txt");
    unlink(p);
    return out;
}

static void log_record_and_no_log_flag(void **st) {
    (void)st;
    int rc = -1;
    char *err = stderr_of_run(WP_FLAG_DRY_RUN, &rc);
    assert_int_equal(rc, WP_EXIT_OK);
    assert_non_null(strstr(err, "\"outcome\""));
    free(err);
    err = stderr_of_run(WP_FLAG_DRY_RUN | WP_FLAG_NO_LOG, &rc);
    assert_int_equal(rc, WP_EXIT_OK);
    assert_string_equal(err, "");
    free(err);
}

static void helpers(void **st) {
    (void)st;
    assert_int_equal(wp_shares_to_weight(1024, 0), 100);
    assert_int_equal(wp_shares_to_weight(2048, 0), 174);
    assert_int_equal(wp_shares_to_weight(2, 0), 1);
    assert_int_equal(wp_shares_to_weight(262144, 0), 10000);
    assert_int_equal(wp_shares_to_weight(1024, 1), 39);
    assert_int_equal(wp_shares_to_weight(262144, 1), 10000);
    char out[64];
    assert_int_equal(wp_cpuset_normalize("3,0-1,2", out, sizeof out), 0);
    assert_string_equal(out, "0-3");
    assert_int_equal(wp_cpuset_normalize("0-1,52-53\n", out, sizeof out), 0);
    assert_string_equal(out, "0-1,52-53");
    assert_int_equal(wp_cpuset_normalize("", out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(wp_cpuset_normalize("1-0", out, sizeof out), -1);
    assert_int_equal(wp_cpuset_normalize("8192", out, sizeof out), -1);
    assert_int_equal(wp_cpuset_normalize("0-3", out, 3), -1); /* "0-3" needs 4 bytes */
    assert_string_equal(wp_version(), WP_VERSION);
}

int main(void) {
    if (geteuid() != 0) {
        /* cmocka 1.1 prints a skipped test as "not ok N # SKIP": say it here */
        printf("1..1\nok 1 - capi_inprocess # SKIP trusted files must be root-owned: run as "
               "root\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(applied_writes_cpuset_and_shares, setup, teardown),
        cmocka_unit_test_setup_teardown(applied_without_report, setup, teardown),
        cmocka_unit_test_setup_teardown(dry_run_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_override_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_override_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(readback_mismatch_rolled_back, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_state_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(state_not_nul_terminated, setup, teardown),
        cmocka_unit_test_setup_teardown(disabled_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(log_record_and_no_log_flag, setup, teardown),
        cmocka_unit_test(helpers),
    };
    return cmocka_run_group_tests_name("capi_inprocess", tests, NULL, NULL);
}
