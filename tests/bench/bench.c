/* wp-bench: the benchmark suite of workload-partitioning-hook (docs/PERFORMANCE.md).
 *
 * Every case is timed the same way: posix_spawn + wait4 of the program, many
 * iterations, interleaved with the other cases of the same phase so that drift
 * of the machine hits all of them alike. Reported: median, p99, the ratio of
 * the median to the floor measured in the same run, and the peak RSS of one
 * run measured through rssprobe (see rssprobe.c for why not directly).
 *
 *   (a) floor        a static no-op C binary
 *   (b) unannotated  the hook, a container that activates no partition
 *   (c) fake_pin     the hook pinning an annotated container on a fake v1 tree
 *   (d) real_pin     the same on the real cgroupfs (a real cgroup, a live pid)
 *   (e) jq_hook      tests/bench/jq-hook.sh doing the job of (c)
 *   (f) runc         `runc run` of /bin/true, without and with the hook
 *
 * then scaling curves (annotations, state size, bundle config.json size,
 * cpuset width and fragmentation, partitions, N hooks at once), each with a
 * flat/linear verdict that is reported, not asserted. Output: a table on
 * stdout and, with --json FILE, the same figures as JSON.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <elf.h>

/* ------------------------------------------------------------------ utils */

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("wp-bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static char *xasprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) die("out of memory");
    va_end(ap);
    return s;
}

/* A growing string buffer. */
typedef struct {
    char *p;
    size_t len, cap;
} sb_t;

static void sb_reserve(sb_t *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p) die("out of memory");
    b->cap = cap;
}

static void sb_printf(sb_t *b, const char *fmt, ...) {
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) die("vsnprintf failed");
    sb_reserve(b, (size_t)n);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    b->len += (size_t)n;
}

static void sb_fill(sb_t *b, char c, size_t n) {
    sb_reserve(b, n);
    memset(b->p + b->len, c, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void sb_free(sb_t *b) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

static void write_file(const char *path, const char *data, size_t len, mode_t mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) die("cannot create %s: %s", path, strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) die("cannot write %s: %s", path, strerror(errno));
        off += (size_t)w;
    }
    if (fchmod(fd, mode) < 0) die("cannot chmod %s: %s", path, strerror(errno));
    close(fd);
}

static void write_str(const char *path, const char *s) {
    write_file(path, s, strlen(s), 0644);
}

/* Writes to an existing (cgroupfs) file; returns 0 or errno. */
static int write_existing(const char *path, const char *s) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    ssize_t w = write(fd, s, strlen(s));
    int err = w < 0 ? errno : 0;
    close(fd);
    return err;
}

/* Reads a small file, trailing whitespace stripped; NULL when unreadable. */
static char *read_small(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    sb_t b = {0};
    char buf[4096];
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0)
        sb_printf(&b, "%.*s", (int)r, buf);
    close(fd);
    if (!b.p) return strdup("");
    while (b.len && (b.p[b.len - 1] == '\n' || b.p[b.len - 1] == ' '))
        b.p[--b.len] = 0;
    return b.p;
}

static void mkdir_p(const char *path) {
    char *p = strdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, 0755) < 0 && errno != EEXIST) die("mkdir %s: %s", p, strerror(errno));
        *s = '/';
    }
    if (mkdir(p, 0755) < 0 && errno != EEXIST) die("mkdir %s: %s", p, strerror(errno));
    free(p);
}

static bool exists(const char *path) {
    return access(path, F_OK) == 0;
}

static bool is_executable(const char *path) {
    return path && access(path, X_OK) == 0;
}

/* Looks a program up in PATH; returns a malloc'd absolute path or NULL. */
static char *which(const char *prog) {
    const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    char *dirs = strdup(path), *save = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char *c = xasprintf("%s/%s", d, prog);
        if (is_executable(c)) {
            free(dirs);
            return c;
        }
        free(c);
    }
    free(dirs);
    return NULL;
}

static char *abspath(const char *p) {
    char *r = realpath(p, NULL);
    if (!r) die("cannot resolve %s: %s", p, strerror(errno));
    return r;
}

/* True when the ELF file has no PT_INTERP program header: statically linked. */
static int elf_is_static(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    Elf64_Ehdr eh;
    int result = -1;
    if (pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh && memcmp(eh.e_ident, ELFMAG, 4) == 0 &&
        eh.e_ident[EI_CLASS] == ELFCLASS64) {
        result = 1;
        for (int i = 0; i < eh.e_phnum; i++) {
            Elf64_Phdr ph;
            if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (uint64_t)i * eh.e_phentsize)) !=
                (ssize_t)sizeof ph)
                break;
            if (ph.p_type == PT_INTERP) result = 0;
        }
    }
    close(fd);
    return result;
}

static double loadavg1(void) {
    double l = NAN;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &l) != 1) l = NAN;
        fclose(f);
    }
    return l;
}

static double load_start = NAN, load_end = NAN;
static int nice_value;
static int rt_cpu = -1; /* the CPU of --realtime, -1 when not in effect */

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* ------------------------------------------------------------------ spawn */

static char *const bench_env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};
static int devnull_fd = -1;

/* One program to run: argv, and a file it reads on stdin (rewound every run). */
typedef struct {
    char *argv[12];
    int stdin_fd;
} job_t;

static void job_set(job_t *j, const char *stdin_path, ...) {
    memset(j, 0, sizeof *j);
    va_list ap;
    va_start(ap, stdin_path);
    int i = 0;
    for (const char *a; (a = va_arg(ap, const char *)) != NULL;) {
        if (i >= 11) die("too many arguments");
        j->argv[i++] = strdup(a);
    }
    va_end(ap);
    j->stdin_fd = -1;
    if (stdin_path) {
        j->stdin_fd = open(stdin_path, O_RDONLY | O_CLOEXEC);
        if (j->stdin_fd < 0) die("cannot open %s: %s", stdin_path, strerror(errno));
    }
}

static pid_t job_start(job_t *j, int stderr_fd) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (j->stdin_fd >= 0) {
        if (lseek(j->stdin_fd, 0, SEEK_SET) < 0) die("lseek: %s", strerror(errno));
        posix_spawn_file_actions_adddup2(&fa, j->stdin_fd, 0);
    } else {
        posix_spawn_file_actions_adddup2(&fa, devnull_fd, 0);
    }
    posix_spawn_file_actions_adddup2(&fa, devnull_fd, 1);
    posix_spawn_file_actions_adddup2(&fa, stderr_fd >= 0 ? stderr_fd : devnull_fd, 2);
    pid_t pid;
    int err = posix_spawn(&pid, j->argv[0], &fa, NULL, j->argv, bench_env);
    posix_spawn_file_actions_destroy(&fa);
    if (err) die("posix_spawn %s: %s", j->argv[0], strerror(err));
    return pid;
}

/* CPU time (user + system) of the last child waited for, in µs: unlike the
 * wall time it does not grow while the child waits for a CPU on a busy machine. */
static double last_cpu_us;

static int wait_pid(pid_t pid) {
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR) die("wait4: %s", strerror(errno));
    last_cpu_us = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
                  (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
    return status;
}

/* Runs the job once; returns the elapsed wall time in µs, *status the wait status. */
static double job_run(job_t *j, int *status, int stderr_fd) {
    double t0 = now_us();
    pid_t pid = job_start(j, stderr_fd);
    *status = wait_pid(pid);
    return now_us() - t0;
}

static const char *rssprobe_path;

/* Peak RSS (KiB) of one run, through rssprobe; -1 when unknown. */
static long job_peak_rss(job_t *j) {
    job_t p = *j;
    p.argv[0] = (char *)rssprobe_path;
    for (int i = 0; i < 11; i++) {
        p.argv[i + 1] = j->argv[i];
        if (!j->argv[i]) break;
    }
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) die("pipe: %s", strerror(errno));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (j->stdin_fd >= 0) {
        lseek(j->stdin_fd, 0, SEEK_SET);
        posix_spawn_file_actions_adddup2(&fa, j->stdin_fd, 0);
    } else {
        posix_spawn_file_actions_adddup2(&fa, devnull_fd, 0);
    }
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    posix_spawn_file_actions_adddup2(&fa, devnull_fd, 2);
    pid_t pid;
    int err = posix_spawn(&pid, p.argv[0], &fa, NULL, p.argv, bench_env);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    if (err) die("posix_spawn %s: %s", p.argv[0], strerror(err));
    char buf[128] = {0};
    ssize_t n = read(pfd[0], buf, sizeof buf - 1);
    close(pfd[0]);
    wait_pid(pid);
    long kib = -1;
    int st = -1;
    if (n <= 0 || sscanf(buf, "%ld %d", &kib, &st) != 2 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    return kib;
}

/* ------------------------------------------------------------------ stats */

typedef struct {
    int n;
    double median, p99, min, max, mean;
    double se_median; /* standard error of the median, 1.2533 sd / sqrt(n) */
} stats_t;

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static stats_t stats_of(double *v, int n) {
    stats_t s = {0};
    s.n = n;
    if (n == 0) return s;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    int k = (int)ceil(0.99 * n) - 1;
    s.p99 = v[k < 0 ? 0 : k];
    s.min = v[0];
    s.max = v[n - 1];
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += v[i];
    s.mean = sum / n;
    double ss = 0;
    for (int i = 0; i < n; i++)
        ss += (v[i] - s.mean) * (v[i] - s.mean);
    s.se_median = n > 1 ? 1.2533 * sqrt(ss / (n - 1)) / sqrt(n) : NAN;
    return s;
}

/* ------------------------------------------------------------------ failures */

/* Every failed timed run is counted, never dropped silently: a case or curve
 * keeps its distinct errors (how the program ended and the first line of its
 * stderr), each printed once when first seen, and is reported as FAILED
 * rather than as a figure. */
enum { MAX_DISTINCT = 8 };

typedef struct {
    int failures; /* failed timed runs */
    int ndistinct;
    struct {
        char *what; /* "exit 1: <first stderr line>" */
        int count, first_iter;
    } e[MAX_DISTINCT];
    int other; /* failures beyond MAX_DISTINCT distinct errors */
} errlog_t;

static bool any_failure; /* main's exit status */

static char *status_text(int status) {
    if (WIFEXITED(status)) return xasprintf("exit %d", WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return xasprintf("killed by signal %d", WTERMSIG(status));
    return xasprintf("wait status %d", status);
}

/* The first line of what the run wrote to fd (from offset 0), control characters replaced. */
static char *first_line(int fd) {
    char buf[256] = {0};
    ssize_t n = fd >= 0 ? pread(fd, buf, sizeof buf - 1, 0) : 0;
    if (n < 0) n = 0;
    buf[n] = 0;
    buf[strcspn(buf, "\n")] = 0;
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20) *p = '?';
    return strdup(n > 0 ? buf : "(no stderr)");
}

/* Records one failed run of `who` (iteration `iter`); prints a new error once. */
static void errlog_add(errlog_t *l, const char *who, int iter, int status, int stderr_fd) {
    char *st = status_text(status), *line = first_line(stderr_fd);
    char *what = xasprintf("%s: %s", st, line);
    free(st), free(line);
    l->failures++;
    any_failure = true;
    for (int i = 0; i < l->ndistinct; i++)
        if (strcmp(l->e[i].what, what) == 0) {
            l->e[i].count++;
            free(what);
            return;
        }
    if (l->ndistinct == MAX_DISTINCT) {
        l->other++;
        free(what);
        return;
    }
    l->e[l->ndistinct].what = what;
    l->e[l->ndistinct].count = 1;
    l->e[l->ndistinct].first_iter = iter;
    l->ndistinct++;
    if (iter >= 0)
        fprintf(stderr,
                "wp-bench: %s: run %d FAILED (%s); later runs with this error are counted\n", who,
                iter, what);
    else
        fprintf(stderr,
                "wp-bench: %s: a warm-up run FAILED (%s); later runs with this error are counted\n",
                who, what);
}

/* A stderr file for the timed runs: emptied before each run (outside the timing). */
static int stderr_reset(int fd) {
    if (fd >= 0 && (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0))
        die("cannot reset the stderr file: %s", strerror(errno));
    return fd;
}

static void errlog_print(FILE *f, const errlog_t *l, int runs) {
    fprintf(f, "  FAILED: %d failed runs (%d timed runs, plus warm-ups)\n", l->failures, runs);
    for (int i = 0; i < l->ndistinct; i++)
        fprintf(f, "    %d x (first at run %d; -1 = a warm-up run) %s\n", l->e[i].count,
                l->e[i].first_iter, l->e[i].what);
    if (l->other) fprintf(f, "    %d x other errors\n", l->other);
}

/* ------------------------------------------------------------------ options */

static struct {
    const char *hook, *floor, *probe, *jq_hook, *json, *work, *busybox, *runc;
    int iters, slow_iters, runc_iters, curve_iters, wait_idle;
    bool quick, skip_runc, skip_real, keep, no_curves, no_nice, realtime;
} opt = {.iters = 2000, .slow_iters = 100, .runc_iters = 200, .curve_iters = 300};

static void usage(FILE *f) {
    fprintf(f,
            "usage: wp-bench --hook PATH --floor PATH --probe PATH [--jq-hook PATH]\n"
            "                [--json FILE] [--work DIR] [--keep] [--quick]\n"
            "                [--iterations N] [--slow-iterations N] [--runc-iterations N]\n"
            "                [--curve-iterations N] [--skip-runc] [--skip-real] [--no-curves]\n"
            "                [--no-nice] [--realtime]\n"
            "As root the harness (and so every program it times) runs at nice -20, so that\n"
            "other load on the machine disturbs the timings less; --no-nice keeps the nice value.\n"
            "--realtime (root): run everything SCHED_FIFO priority 1 on the last CPU only, so\n"
            "that wall times on a shared, busy machine approach those of an idle one (the\n"
            "other CPUs stay free for the other load; N-hooks-at-once then shares one CPU;\n"
            "runc gets a realtime budget in its cgroup so that its RT tasks may join it).\n"
            "                [--runc PATH] [--busybox PATH] [--wait-idle SECONDS]\n"
            "--wait-idle: first wait (up to SECONDS) for the 1-minute load average to drop\n"
            "below 1.0; the load at start and end is reported either way.\n"
            "Runs as root for the real-cgroup and runc cases (skipped otherwise).\n");
}

static void parse_args(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
#define ARG(name) (strcmp(a, name) == 0 && (i + 1 < argc || (die("%s needs a value", name), 0)))
        if (ARG("--hook"))
            opt.hook = argv[++i];
        else if (ARG("--floor"))
            opt.floor = argv[++i];
        else if (ARG("--probe"))
            opt.probe = argv[++i];
        else if (ARG("--jq-hook"))
            opt.jq_hook = argv[++i];
        else if (ARG("--json"))
            opt.json = argv[++i];
        else if (ARG("--work"))
            opt.work = argv[++i];
        else if (ARG("--busybox"))
            opt.busybox = argv[++i];
        else if (ARG("--runc"))
            opt.runc = argv[++i];
        else if (ARG("--iterations"))
            opt.iters = atoi(argv[++i]);
        else if (ARG("--slow-iterations"))
            opt.slow_iters = atoi(argv[++i]);
        else if (ARG("--runc-iterations"))
            opt.runc_iters = atoi(argv[++i]);
        else if (ARG("--curve-iterations"))
            opt.curve_iters = atoi(argv[++i]);
        else if (ARG("--wait-idle"))
            opt.wait_idle = atoi(argv[++i]);
        else if (strcmp(a, "--quick") == 0)
            opt.quick = true;
        else if (strcmp(a, "--skip-runc") == 0)
            opt.skip_runc = true;
        else if (strcmp(a, "--skip-real") == 0)
            opt.skip_real = true;
        else if (strcmp(a, "--keep") == 0)
            opt.keep = true;
        else if (strcmp(a, "--no-curves") == 0)
            opt.no_curves = true;
        else if (strcmp(a, "--no-nice") == 0)
            opt.no_nice = true;
        else if (strcmp(a, "--realtime") == 0)
            opt.realtime = true;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else {
            usage(stderr);
            die("unknown argument %s", a);
        }
#undef ARG
    }
    if (!opt.hook || !opt.floor || !opt.probe) {
        usage(stderr);
        die("--hook, --floor and --probe are required");
    }
    if (opt.quick) {
        opt.iters = 5;
        opt.slow_iters = 3;
        opt.runc_iters = 3;
        opt.curve_iters = 3;
    }
    if (opt.iters < 1 || opt.slow_iters < 1 || opt.runc_iters < 1 || opt.curve_iters < 1)
        die("iteration counts must be >= 1");
}

/* ------------------------------------------------------------------ inputs */

static char *work;      /* the work directory (absolute) */
static char *fake_cg;   /* <work>/fake/cgroup */
static char *fake_proc; /* <work>/fake/proc */
static const char *kPodPath = "kubepods/burstable/pod6f1d0c2e-bench";

/* A fake container k: pid 200000+k, cgroup <kPodPath>/crio-<k> in cpuset and cpu,cpuacct. */
static int fake_pid(int k) {
    return 200000 + k;
}

static char *fake_ctr_path(int k) {
    return xasprintf("%s/crio-%064d", kPodPath, k);
}

static char *fake_cpuset_dir(int k) {
    char *p = fake_ctr_path(k);
    char *d = xasprintf("%s/cpuset/%s", fake_cg, p);
    free(p);
    return d;
}

static char *fake_cpu_dir(int k) {
    char *p = fake_ctr_path(k);
    char *d = xasprintf("%s/cpu,cpuacct/%s", fake_cg, p);
    free(p);
    return d;
}

/* Resets a fake container's files: cpuset.cpus empty (as a fresh v1 cpuset
 * cgroup), effective_cpus = what the kernel would report once `effective` is
 * written, cpu.* at the kernel's defaults. */
static void fake_container(int k, const char *effective) {
    char *cs = fake_cpuset_dir(k), *cpu = fake_cpu_dir(k), *path = fake_ctr_path(k);
    mkdir_p(cs);
    mkdir_p(cpu);
    char *f;
    write_str(f = xasprintf("%s/cpuset.cpus", cs), ""), free(f);
    write_str(f = xasprintf("%s/cpuset.effective_cpus", cs), effective), free(f);
    write_str(f = xasprintf("%s/cpuset.mems", cs), "0\n"), free(f);
    write_str(f = xasprintf("%s/cpu.shares", cpu), "1024\n"), free(f);
    write_str(f = xasprintf("%s/cpu.cfs_quota_us", cpu), "-1\n"), free(f);
    write_str(f = xasprintf("%s/cpu.cfs_period_us", cpu), "100000\n"), free(f);
    char *pd = xasprintf("%s/%d", fake_proc, fake_pid(k));
    mkdir_p(pd);
    char *cg = xasprintf("12:hugetlb:/%s\n11:pids:/%s\n10:memory:/%s\n9:net_cls,net_prio:/%s\n"
                         "8:perf_event:/%s\n7:blkio:/%s\n6:freezer:/%s\n5:devices:/%s\n"
                         "4:cpuset:/%s\n3:cpu,cpuacct:/%s\n2:rdma:/\n1:name=systemd:/%s\n"
                         "0::/\n",
                         path, path, path, path, path, path, path, path, path, path, path);
    write_str(f = xasprintf("%s/cgroup", pd), cg), free(f);
    free(cg), free(pd), free(cs), free(cpu), free(path);
}

/* Checks that the hook pinned fake container k: cpuset.cpus == want_cpus and
 * cpu.shares == want_shares. Returns NULL or a malloc'd reason. */
static char *fake_check(int k, const char *want_cpus, const char *want_shares) {
    char *cs = fake_cpuset_dir(k), *cpu = fake_cpu_dir(k);
    char *f1 = xasprintf("%s/cpuset.cpus", cs), *f2 = xasprintf("%s/cpu.shares", cpu);
    char *got_cpus = read_small(f1), *got_shares = read_small(f2);
    char *why = NULL;
    if (!got_cpus || strcmp(got_cpus, want_cpus) != 0)
        why = xasprintf("%s is \"%.40s\", expected \"%.40s\"", f1, got_cpus ? got_cpus : "?",
                        want_cpus);
    else if (!got_shares || strcmp(got_shares, want_shares) != 0)
        why = xasprintf("%s is \"%s\", expected \"%s\"", f2, got_shares ? got_shares : "?",
                        want_shares);
    free(cs), free(cpu), free(f1), free(f2), free(got_cpus), free(got_shares);
    return why;
}

/* The annotations CRI-O gives an ordinary container (about 30, ~3 KB). */
static void crio_annotations(sb_t *b, int k, const char *ns) {
    sb_printf(b,
              "\"io.container.manager\": \"cri-o\",\n"
              "\"io.kubernetes.container.hash\": \"9b1f6c2a\",\n"
              "\"io.kubernetes.container.name\": \"bench\",\n"
              "\"io.kubernetes.container.restartCount\": \"0\",\n"
              "\"io.kubernetes.container.terminationMessagePath\": \"/dev/termination-log\",\n"
              "\"io.kubernetes.container.terminationMessagePolicy\": \"File\",\n"
              "\"io.kubernetes.cri-o.Annotations\": "
              "\"{\\\"io.kubernetes.container.hash\\\":\\\"9b1f6c2a\\\"}\",\n"
              "\"io.kubernetes.cri-o.ContainerID\": \"%064d\",\n"
              "\"io.kubernetes.cri-o.ContainerType\": \"container\",\n"
              "\"io.kubernetes.cri-o.Created\": \"2026-12-01T04:00:00.000000000Z\",\n"
              "\"io.kubernetes.cri-o.IP.0\": \"10.128.0.42\",\n"
              "\"io.kubernetes.cri-o.Image\": "
              "\"quay.io/openshift/origin-cli@sha256:0123456789abcdef0123456789abcdef\",\n"
              "\"io.kubernetes.cri-o.ImageName\": \"quay.io/openshift/origin-cli:latest\",\n"
              "\"io.kubernetes.cri-o.ImageRef\": "
              "\"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\n"
              "\"io.kubernetes.cri-o.Labels\": "
              "\"{\\\"io.kubernetes.container.name\\\":\\\"bench\\\","
              "\\\"io.kubernetes.pod.namespace\\\":\\\"%s\\\"}\",\n"
              "\"io.kubernetes.cri-o.LogPath\": "
              "\"/var/log/pods/%s_bench-0_6f1d0c2e/bench/0.log\",\n"
              "\"io.kubernetes.cri-o.Metadata\": \"{\\\"name\\\":\\\"bench\\\"}\",\n"
              "\"io.kubernetes.cri-o.MountPoint\": "
              "\"/var/lib/containers/storage/overlay/%064d/merged\",\n"
              "\"io.kubernetes.cri-o.Name\": \"k8s_bench_bench-0_%s_6f1d0c2e_0\",\n"
              "\"io.kubernetes.cri-o.ResolvPath\": "
              "\"/var/run/containers/storage/overlay-containers/%064d/userdata/resolv.conf\",\n"
              "\"io.kubernetes.cri-o.SandboxID\": \"%064d\",\n"
              "\"io.kubernetes.cri-o.SandboxName\": \"k8s_bench-0_%s_6f1d0c2e_0\",\n"
              "\"io.kubernetes.cri-o.SeccompProfilePath\": \"runtime/default\",\n"
              "\"io.kubernetes.cri-o.Stdin\": \"false\",\n"
              "\"io.kubernetes.cri-o.StdinOnce\": \"false\",\n"
              "\"io.kubernetes.cri-o.TTY\": \"false\",\n"
              "\"io.kubernetes.cri-o.Volumes\": \"[]\",\n"
              "\"io.kubernetes.pod.name\": \"bench-0\",\n"
              "\"io.kubernetes.pod.namespace\": \"%s\",\n"
              "\"io.kubernetes.pod.terminationGracePeriod\": \"30\",\n"
              "\"io.kubernetes.pod.uid\": \"6f1d0c2e-0000-4000-8000-000000000000\",\n"
              "\"kubernetes.io/config.seen\": \"2026-12-01T04:00:00.000000000Z\",\n"
              "\"kubernetes.io/config.source\": \"api\"",
              k, ns, ns, k, ns, k, k + 1, ns, ns);
}

/* The two annotations a partitioned container carries. */
static void pin_annotations(sb_t *b, const char *partition, int shares) {
    sb_printf(b,
              ",\n\"target.workload.openshift.io/%s\": "
              "\"{\\\"effect\\\": \\\"PreferredDuringScheduling\\\"}\",\n"
              "\"resources.workload.openshift.io/bench\": \"{\\\"cpushares\\\": %d}\"",
              partition, shares);
}

typedef struct {
    bool annotated;      /* carries the activation + resources annotations */
    bool minimal;        /* only the 3 io.kubernetes.* keys the hook uses, not CRI-O's 33 */
    bool no_annotations; /* the state has no "annotations" key at all */
    const char *partition;
    int extra_annotations; /* filler annotations */
    size_t padding;        /* one filler annotation of this many bytes */
    const char *bundle;    /* "" -> a bundle without config.json */
} state_spec;

static char *make_state(const char *path, int k, int pid, const state_spec *s) {
    sb_t b = {0};
    sb_printf(&b,
              "{\"ociVersion\": \"1.0.2\", \"id\": \"%064d\", \"status\": \"creating\", "
              "\"pid\": %d, \"bundle\": \"%s\"",
              k, pid, s->bundle);
    if (!s->no_annotations) {
        sb_printf(&b, ",\n\"annotations\": {\n");
        if (s->minimal)
            sb_printf(&b, "\"io.kubernetes.container.name\": \"bench\",\n"
                          "\"io.kubernetes.pod.name\": \"bench-0\",\n"
                          "\"io.kubernetes.pod.namespace\": \"openshift-bench\"");
        else
            crio_annotations(&b, k, "openshift-bench");
        if (s->annotated) pin_annotations(&b, s->partition ? s->partition : "management", 400);
        for (int i = 0; i < s->extra_annotations; i++)
            sb_printf(&b, ",\n\"bench.example.com/filler-%05d\": \"value-%05d\"", i, i);
        if (s->padding) {
            sb_printf(&b, ",\n\"bench.example.com/padding\": \"");
            sb_fill(&b, 'x', s->padding);
            sb_printf(&b, "\"");
        }
        sb_printf(&b, "\n}");
    }
    sb_printf(&b, "}\n");
    write_file(path, b.p, b.len, 0644);
    sb_free(&b);
    return strdup(path);
}

/* A bundle config.json of about `size` bytes: a runc-style spec with the
 * partition annotations (when annotated) and process.env filler. */
static void make_bundle(const char *dir, size_t size, bool annotated, int k) {
    mkdir_p(dir);
    sb_t b = {0};
    sb_printf(&b, "{\"ociVersion\": \"1.0.2\",\n \"process\": {\"terminal\": false, "
                  "\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"/bin/true\"], \"cwd\": \"/\", "
                  "\"env\": [\"PATH=/usr/bin:/bin\"");
    size_t i = 0;
    while (b.len + 2600 < size)
        sb_printf(&b, ", \"BENCH_FILLER_%06zu=%040zu\"", i, i), i++;
    sb_printf(&b, "]},\n \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
                  " \"hostname\": \"bench\",\n \"annotations\": {\n");
    crio_annotations(&b, k, "openshift-bench");
    if (annotated) pin_annotations(&b, "management", 400);
    sb_printf(&b,
              "\n},\n \"linux\": {\"cgroupsPath\": \"/%s/crio-%064d\", \"namespaces\": "
              "[{\"type\": \"pid\"}, {\"type\": \"mount\"}]}}\n",
              kPodPath, k);
    char *f = xasprintf("%s/config.json", dir);
    write_file(f, b.p, b.len, 0644);
    free(f);
    sb_free(&b);
}

/* A merged partition file: `n` partitions, "management" (the one the bench
 * containers activate) last. */
static void make_partitions(const char *path, int n, const char *cpuset) {
    sb_t b = {0};
    sb_printf(&b, "{\"version\": 1, \"partitions\": {\n");
    for (int i = 0; i < n; i++) {
        char name[32];
        if (i == n - 1)
            snprintf(name, sizeof name, "management");
        else
            snprintf(name, sizeof name, "partition-%04d", i);
        sb_printf(&b,
                  "  \"%s\": {\"cpuset\": \"%s\", \"activationAnnotation\": "
                  "\"target.workload.openshift.io/%s\", \"annotationPrefix\": "
                  "\"resources.workload.openshift.io\", \"defaults\": {\"cpushares\": 0, "
                  "\"cpuquota\": 0, \"cpuperiod\": 0}, \"allowedNamespaces\": [], "
                  "\"sources\": [\"%s\"]}%s\n",
                  name, i == n - 1 ? cpuset : "0-1", name, name, i == n - 1 ? "" : ",");
    }
    sb_printf(&b, "}}\n");
    write_file(path, b.p, b.len, 0644);
    sb_free(&b);
}

static void make_config(const char *path, const char *partitions, const char *cgroup_root,
                        const char *proc_root) {
    /* The pin records go beside the config, never into the node's /run. */
    const char *slash = strrchr(path, '/');
    int dir_len = slash ? (int)(slash - path) : 1;
    const char *dir = slash ? path : ".";
    char *c = xasprintf("{\"enabled\": true, \"mode\": \"enforce\", \"failurePolicy\": \"fail\",\n"
                        " \"partitionsFile\": \"%s\",\n \"cgroupRoot\": \"%s\",\n"
                        " \"procRoot\": \"%s\",\n \"pinRecordDir\": \"%.*s/pins\",\n"
                        " \"log\": {\"target\": \"stderr\", \"level\": \"error\"}}\n",
                        partitions, cgroup_root, proc_root, dir_len, dir);
    write_str(path, c);
    free(c);
}

/* "0-1,4-5,8-9,..." with n ranges of two CPUs. */
static char *cpuset_ranges(int n) {
    sb_t b = {0};
    for (int i = 0; i < n; i++)
        sb_printf(&b, "%s%d-%d", i ? "," : "", 4 * i, 4 * i + 1);
    return b.p;
}

/* ------------------------------------------------------------------ cases */

typedef struct bcase bcase;
struct bcase {
    const char *key, *label;
    job_t job;
    int iters;
    void (*prep)(bcase *, int iter); /* untimed, before each run */
    char *(*check)(bcase *);         /* after the validation run: NULL or why not */
    char *skipped;                   /* reason, or NULL */
    bool is_hook;                    /* counts for the peak RSS target */
    double *samples, *cpu_samples;
    int n;
    errlog_t err; /* failed timed runs */
    stats_t st, cpu;
    long rss_kib;
    int fake_k;
};

static bcase cases[10];
static int ncases;

static bcase *add_case(const char *key, const char *label) {
    bcase *c = &cases[ncases++];
    memset(c, 0, sizeof *c);
    c->key = key;
    c->label = label;
    c->rss_kib = -1;
    return c;
}

static bcase *find_case(const char *key) {
    for (int i = 0; i < ncases; i++)
        if (strcmp(cases[i].key, key) == 0) return &cases[i];
    return NULL;
}

static char *last_stderr(int fd) {
    char buf[1024] = {0};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n < 0) n = 0;
    buf[n] = 0;
    for (char *p = buf; *p; p++)
        if (*p == '\n') *p = ' ';
    return strdup(buf);
}

static int stderr_capture(const char *name) {
    char *p = xasprintf("%s/stderr-%s.txt", work, name);
    int fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) die("cannot create %s: %s", p, strerror(errno));
    free(p);
    return fd;
}

/* One validation run: exit status 0 and the case's own check. Marks the case
 * skipped (with the reason) when it fails, so that a broken case is never
 * timed as if it worked. */
static void validate(bcase *c) {
    if (c->skipped) return;
    int efd = stderr_capture("validate");
    if (c->prep) c->prep(c, -1);
    int status;
    job_run(&c->job, &status, efd);
    char *err = last_stderr(efd);
    close(efd);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        c->skipped = xasprintf("validation run failed (wait status %d): %.300s", status, err);
    } else if (c->check) {
        char *why = c->check(c);
        if (why) c->skipped = xasprintf("validation run had no effect: %s", why);
        free(why);
    }
    free(err);
    if (c->skipped) fprintf(stderr, "wp-bench: %s: %s\n", c->key, c->skipped);
}

/* Runs the cases interleaved: round i runs every case that wants > i runs. */
static void run_interleaved(bcase **cs, int n) {
    int max = 0;
    int efd[16];
    for (int i = 0; i < n; i++) {
        efd[i] = stderr_capture(cs[i]->key);
        validate(cs[i]);
        if (cs[i]->skipped) continue;
        cs[i]->samples = calloc((size_t)cs[i]->iters, sizeof(double));
        cs[i]->cpu_samples = calloc((size_t)cs[i]->iters, sizeof(double));
        if (cs[i]->iters > max) max = cs[i]->iters;
        /* warm-up: page cache, dentries */
        for (int w = 0; w < 3; w++) {
            int status;
            if (cs[i]->prep) cs[i]->prep(cs[i], -1);
            job_run(&cs[i]->job, &status, stderr_reset(efd[i]));
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                errlog_add(&cs[i]->err, cs[i]->key, -1, status, efd[i]);
        }
    }
    for (int it = 0; it < max; it++) {
        for (int i = 0; i < n; i++) {
            bcase *c = cs[i];
            if (c->skipped || it >= c->iters) continue;
            if (c->prep) c->prep(c, it);
            int status;
            double us = job_run(&c->job, &status, stderr_reset(efd[i]));
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                errlog_add(&c->err, c->key, it, status, efd[i]);
                continue;
            }
            c->cpu_samples[c->n] = last_cpu_us;
            c->samples[c->n++] = us;
        }
    }
    for (int i = 0; i < n; i++) {
        bcase *c = cs[i];
        close(efd[i]);
        if (c->skipped) continue;
        c->st = stats_of(c->samples, c->n);
        c->cpu = stats_of(c->cpu_samples, c->n);
        if (c->prep) c->prep(c, -1);
        c->rss_kib = job_peak_rss(&c->job);
    }
}

/* ---- (d): a real cgroup with a live pid */

static char *real_cpuset_parent, *real_cpuset_dir, *real_cpu_parent, *real_cpu_dir;
static pid_t real_sleeper = -1;
static char *real_online, *real_reserved;

static void real_cleanup(void) {
    if (real_sleeper > 0) {
        kill(real_sleeper, SIGKILL);
        waitpid(real_sleeper, NULL, 0);
        real_sleeper = -1;
    }
    /* A killed task leaves its cgroup asynchronously; retry rmdir briefly. */
    const char *dirs[] = {real_cpuset_dir, real_cpuset_parent, real_cpu_dir, real_cpu_parent};
    for (int i = 0; i < 4; i++) {
        if (!dirs[i]) continue;
        for (int t = 0; t < 100 && rmdir(dirs[i]) < 0 && errno == EBUSY; t++)
            usleep(10000);
    }
}

static char *real_setup(void) {
    if (geteuid() != 0) return strdup("not root");
    const char *root = "/sys/fs/cgroup";
    char *root_cpus = xasprintf("%s/cpuset/cpuset.cpus", root);
    char *root_shares = xasprintf("%s/cpu/cpu.shares", root);
    bool v1 = exists(root_cpus) && exists(root_shares);
    if (!v1) {
        free(root_cpus), free(root_shares);
        return strdup("no cgroup v1 cpuset and cpu hierarchies under /sys/fs/cgroup "
                      "(the real-cgroup case supports v1 only)");
    }
    real_online = read_small(root_cpus);
    char *mems = xasprintf("%s/cpuset/cpuset.mems", root);
    char *root_mems = read_small(mems);
    free(mems), free(root_cpus), free(root_shares);
    if (!real_online || !root_mems || !*real_online) return strdup("cannot read the root cpuset");
    /* Reserve the last online CPU: the pin then really narrows the cpuset, and
     * under --realtime it is the CPU the harness keeps free of other load, so
     * that (f) measures the hook rather than a container moved onto a busy CPU. */
    const char *last = real_online + strlen(real_online);
    while (last > real_online && last[-1] >= '0' && last[-1] <= '9')
        last--;
    real_reserved = xasprintf("%d", atoi(last));
    int self = (int)getpid();
    real_cpuset_parent = xasprintf("%s/cpuset/wp-bench-%d", root, self);
    real_cpuset_dir = xasprintf("%s/ctr", real_cpuset_parent);
    real_cpu_parent = xasprintf("%s/cpu/wp-bench-%d", root, self);
    real_cpu_dir = xasprintf("%s/ctr", real_cpu_parent);
    atexit(real_cleanup);
    const char *dirs[] = {real_cpuset_parent, real_cpuset_dir, real_cpu_parent, real_cpu_dir};
    for (int i = 0; i < 4; i++)
        if (mkdir(dirs[i], 0755) < 0 && errno != EEXIST)
            return xasprintf("mkdir %s: %s", dirs[i], strerror(errno));
    char *f;
    int err = 0;
    for (int i = 0; i < 2 && !err; i++) {
        f = xasprintf("%s/cpuset.cpus", dirs[i]);
        err = write_existing(f, real_online);
        free(f);
        if (err) break;
        f = xasprintf("%s/cpuset.mems", dirs[i]);
        err = write_existing(f, root_mems);
        free(f);
    }
    free(root_mems);
    if (err) return xasprintf("cannot configure %s: %s", real_cpuset_dir, strerror(err));
    real_sleeper = fork();
    if (real_sleeper < 0) return xasprintf("fork: %s", strerror(errno));
    if (real_sleeper == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;)
            pause();
    }
    /* Under --realtime: an RT task cannot join a v1 cpu cgroup without an RT
     * budget. Set by the parent, so that it holds before the move below. */
    struct sched_param sp = {.sched_priority = 0};
    if (rt_cpu >= 0 && sched_setscheduler(real_sleeper, SCHED_OTHER, &sp) < 0)
        return xasprintf("sched_setscheduler: %s", strerror(errno));
    char pid[32];
    snprintf(pid, sizeof pid, "%d", (int)real_sleeper);
    const char *leaves[] = {real_cpuset_dir, real_cpu_dir};
    for (int i = 0; i < 2; i++) {
        f = xasprintf("%s/cgroup.procs", leaves[i]);
        err = write_existing(f, pid);
        char *r = err ? xasprintf("cannot move pid %s into %s: %s", pid, f, strerror(err)) : NULL;
        free(f);
        if (r) return r;
    }
    return NULL;
}

/* Before each run: give the cgroup back the state of a new container. */
static void real_prep(bcase *c, int iter) {
    (void)c, (void)iter;
    char *f = xasprintf("%s/cpuset.cpus", real_cpuset_dir);
    write_existing(f, real_online);
    free(f);
    f = xasprintf("%s/cpu.shares", real_cpu_dir);
    write_existing(f, "1024");
    free(f);
}

static char *real_check(bcase *c) {
    (void)c;
    char *f1 = xasprintf("%s/cpuset.cpus", real_cpuset_dir),
         *f2 = xasprintf("%s/cpu.shares", real_cpu_dir);
    char *cpus = read_small(f1), *shares = read_small(f2), *why = NULL;
    if (!cpus || strcmp(cpus, real_reserved) != 0)
        why = xasprintf("%s is \"%s\", expected \"%s\"", f1, cpus ? cpus : "?", real_reserved);
    else if (!shares || strcmp(shares, "400") != 0)
        why = xasprintf("%s is \"%s\", expected \"400\"", f2, shares ? shares : "?");
    free(f1), free(f2), free(cpus), free(shares);
    return why;
}

/* ---- fake-tree cases */

static const char *fake_expect_cpus = "0-1";

static void fake_prep(bcase *c, int iter) {
    if (iter < 0) fake_container(c->fake_k, fake_expect_cpus);
}

static char *fake_pin_check(bcase *c) {
    return fake_check(c->fake_k, fake_expect_cpus, "400");
}

static char *fake_untouched_check(bcase *c) {
    return fake_check(c->fake_k, "", "1024");
}

/* ---- (f) runc */

static char *runc_state_dir;
static int runc_seq;

/* Under --realtime every runc container cgroup gets an RT budget (see
 * runc_setup), and the kernel admits a budget only while the budgets of all
 * the siblings fit in the parent's (cpu.rt_runtime_us of the root, 950000).
 * The budget of a container runc has just removed is released only when its
 * task group is freed, which the kernel defers to RCU callbacks and a
 * workqueue: normal-priority work that a SCHED_FIFO harness starves on its CPU.
 * Starting the next container at once then fails with EINVAL on
 * cpu.rt_runtime_us (35-40 % of the runs on an idle machine). So, untimed,
 * before each run: wait (sleeping, which lets that work run) until a budget of
 * the same size fits, probed on the bench's own cgroup and given back at once. */
static const char *kRuncRtRuntime = "100000";
static int rt_waits; /* runs that had to wait */

static void rt_wait_room(void) {
    if (rt_cpu < 0 || !real_cpu_parent) return;
    char *f = xasprintf("%s/cpu.rt_runtime_us", real_cpu_parent);
    bool waited = false;
    for (int t = 0; t < 2000; t++) { /* at most ~2 s: then the run fails, and says why */
        int err = write_existing(f, kRuncRtRuntime);
        if (err == 0) break;
        if (err != EINVAL && err != EBUSY) break;
        waited = true;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    write_existing(f, "0");
    if (waited) rt_waits++;
    free(f);
}

static void runc_prep(bcase *c, int iter) {
    (void)iter;
    rt_wait_room();
    free(c->job.argv[6]);
    c->job.argv[6] = xasprintf("wpb-%d-%s-%d", (int)getpid(), c->key, runc_seq++);
}

/* Three bundles: no hook; the floor binary as the hook (what runc itself pays
 * to run any hook); the workload-partitioning hook. */
static char *runc_setup(const char *real_config, const char *real_config_all, char *bundles[4]) {
    if (geteuid() != 0) return strdup("not root");
    if (!opt.runc) opt.runc = which("runc");
    if (!opt.runc) return strdup("runc not found in PATH");
    if (!opt.busybox) opt.busybox = exists("/bin/busybox") ? "/bin/busybox" : which("busybox");
    if (!opt.busybox) return strdup("busybox (busybox-static) not found");
    if (elf_is_static(opt.busybox) != 1)
        return xasprintf("%s is not statically linked (install busybox-static)", opt.busybox);
    char *rootfs = xasprintf("%s/runc/rootfs", work);
    char *bin = xasprintf("%s/bin", rootfs);
    mkdir_p(bin);
    char *dst = xasprintf("%s/busybox", bin), *lnk = xasprintf("%s/true", bin);
    {
        int in = open(opt.busybox, O_RDONLY | O_CLOEXEC);
        if (in < 0) return xasprintf("cannot open %s: %s", opt.busybox, strerror(errno));
        struct stat st;
        fstat(in, &st);
        char *data = malloc((size_t)st.st_size);
        if (!data || read(in, data, (size_t)st.st_size) != st.st_size)
            return xasprintf("cannot read %s", opt.busybox);
        close(in);
        write_file(dst, data, (size_t)st.st_size, 0755);
        free(data);
    }
    unlink(lnk);
    if (symlink("busybox", lnk) < 0) return xasprintf("symlink %s: %s", lnk, strerror(errno));
    runc_state_dir = xasprintf("%s/runc/state", work);
    mkdir_p(runc_state_dir);
    const char *names[4] = {"plain", "floor-hook", "hook", "hook-all-cpus"};
    for (int h = 0; h < 4; h++) {
        char *dir = xasprintf("%s/runc/bundle-%s", work, names[h]);
        mkdir_p(dir);
        sb_t b = {0};
        sb_printf(&b,
                  "{\"ociVersion\": \"1.0.2-dev\",\n"
                  " \"process\": {\"terminal\": false, \"user\": {\"uid\": 0, \"gid\": 0},\n"
                  "  \"args\": [\"/bin/true\"], \"env\": [\"PATH=/bin\"], \"cwd\": \"/\",\n"
                  "  \"capabilities\": {\"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", "
                  "\"CAP_NET_BIND_SERVICE\"], \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", "
                  "\"CAP_NET_BIND_SERVICE\"], \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", "
                  "\"CAP_NET_BIND_SERVICE\"], \"ambient\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", "
                  "\"CAP_NET_BIND_SERVICE\"]},\n"
                  "  \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": "
                  "1024}],\n  \"noNewPrivileges\": true},\n"
                  " \"root\": {\"path\": \"%s\", \"readonly\": true},\n"
                  " \"hostname\": \"bench\",\n"
                  " \"mounts\": [\n"
                  "  {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
                  "  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", "
                  "\"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
                  "  {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": "
                  "\"devpts\", \"options\": [\"nosuid\", \"noexec\", \"newinstance\", "
                  "\"ptmxmode=0666\", \"mode=0620\", \"gid=5\"]},\n"
                  "  {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", "
                  "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", "
                  "\"size=65536k\"]},\n"
                  "  {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": "
                  "\"mqueue\", \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
                  "  {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", "
                  "\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},\n"
                  "  {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": "
                  "\"cgroup\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", "
                  "\"ro\"]}],\n"
                  " \"annotations\": {\n",
                  rootfs);
        crio_annotations(&b, 7, "openshift-bench");
        pin_annotations(&b, "management", 400);
        sb_printf(&b, "},\n");
        if (h)
            sb_printf(
                &b,
                " \"hooks\": {\"createRuntime\": [{\"path\": \"%s\", \"args\": "
                "[\"workload-partitioning-hook\", \"--config\", \"%s\"], \"timeout\": 5}]},\n",
                h == 1 ? opt.floor : opt.hook, h == 3 ? real_config_all : real_config);
        /* Under --realtime runc and the container run SCHED_FIFO; a v1 cpu cgroup
         * only admits an RT task with an RT budget, which runc sets from here. */
        char *rt_budget = rt_cpu >= 0 ? xasprintf("\"cpu\": {\"realtimeRuntime\": %s, "
                                                  "\"realtimePeriod\": 1000000}, ",
                                                  kRuncRtRuntime)
                                      : strdup("");
        sb_printf(&b,
                  " \"linux\": {\"resources\": {%s\"devices\": [{\"allow\": false, \"access\": "
                  "\"rwm\"}]},\n"
                  "  \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, "
                  "{\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}],\n"
                  "  \"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", "
                  "\"/proc/keys\", \"/proc/latency_stats\", \"/proc/timer_list\", "
                  "\"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\", "
                  "\"/proc/scsi\"],\n"
                  "  \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", "
                  "\"/proc/sys\", \"/proc/sysrq-trigger\"]}}\n",
                  rt_budget);
        free(rt_budget);
        char *f = xasprintf("%s/config.json", dir);
        write_file(f, b.p, b.len, 0644);
        free(f);
        sb_free(&b);
        bundles[h] = dir;
    }
    free(rootfs), free(bin), free(dst), free(lnk);
    return NULL;
}

/* ------------------------------------------------------------------ curves */

typedef struct {
    const char *key, *label, *unit;
    int npoints;
    double x[16];
    stats_t st[16], cpu[16];
    long rss[16];
    char *skipped;
    errlog_t err;                      /* failed timed runs, all points */
    int runs;                          /* timed runs, all points */
    const char *verdict, *verdict_cpu; /* by wall time, by CPU time */
    double exponent, per_unit_us, exponent_cpu, per_unit_cpu_us;
    bool batch; /* y is the wall time of a batch of x hooks at once */
} curve_t;

static curve_t curves[8];
static int ncurves;

/* Flat, linear or superlinear: the growth exponent of the cost above the
 * first point, between the two largest points (where growth, if any, is
 * clearest). Flat when the largest point costs < 10 % (or 20 µs) more. */
static const char *verdict_of(const double *x, const double *y, int n, double *exponent,
                              double *per_unit) {
    *exponent = NAN;
    *per_unit = NAN;
    if (n < 2) return "n/a";
    double base = y[0], ex_last = y[n - 1] - base, ex_prev = y[n - 2] - base;
    double span = x[n - 1] - x[0];
    *per_unit = span > 0 ? ex_last / span : NAN;
    double noise = fmax(0.05 * base, 10.0);
    if (ex_prev > noise && ex_last > noise)
        *exponent = log(ex_last / ex_prev) / log(x[n - 1] / x[n - 2]);
    if (ex_last < fmax(0.10 * base, 20.0)) return "flat";
    if (isnan(*exponent) || *exponent <= 1.25) return "linear";
    return "superlinear";
}

static void curve_verdict(curve_t *c) {
    double wall[16], cpu[16];
    for (int i = 0; i < c->npoints; i++)
        wall[i] = c->st[i].median, cpu[i] = c->cpu[i].median;
    c->verdict = verdict_of(c->x, wall, c->npoints, &c->exponent, &c->per_unit_us);
    c->verdict_cpu =
        c->batch ? "n/a" : verdict_of(c->x, cpu, c->npoints, &c->exponent_cpu, &c->per_unit_cpu_us);
}

static int hook_exit_ok(job_t *j, char **err) {
    int efd = stderr_capture("validate");
    int status;
    job_run(j, &status, efd);
    *err = last_stderr(efd);
    close(efd);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Times one point: `iters` runs of job; validated first. */
static bool curve_point(curve_t *c, double x, job_t *j, int k, const char *want_cpus, int iters) {
    if (c->skipped) return false;
    char *err = NULL;
    if (k >= 0) fake_container(k, want_cpus);
    if (!hook_exit_ok(j, &err)) {
        c->skipped = xasprintf("x=%g: the hook failed: %.300s", x, err);
        free(err);
        return false;
    }
    free(err);
    if (k >= 0) {
        char *why = fake_check(k, want_cpus, "400");
        if (why) {
            c->skipped = xasprintf("x=%g: %s", x, why);
            free(why);
            return false;
        }
    }
    double *v = calloc((size_t)iters, sizeof *v), *cv = calloc((size_t)iters, sizeof *cv);
    int n = 0;
    int efd = stderr_capture(c->key);
    char *who = xasprintf("%s x=%g", c->key, x);
    for (int w = 0; w < 2; w++) {
        int status;
        job_run(j, &status, stderr_reset(efd));
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            errlog_add(&c->err, who, -1, status, efd);
    }
    for (int i = 0; i < iters; i++) {
        int status;
        double us = job_run(j, &status, stderr_reset(efd));
        c->runs++;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            cv[n] = last_cpu_us;
            v[n++] = us;
        } else {
            errlog_add(&c->err, who, i, status, efd);
        }
    }
    close(efd);
    free(who);
    int p = c->npoints++;
    c->x[p] = x;
    c->st[p] = stats_of(v, n);
    c->cpu[p] = stats_of(cv, n);
    c->rss[p] = job_peak_rss(j);
    free(v), free(cv);
    fprintf(stderr, ".");
    return true;
}

static curve_t *add_curve(const char *key, const char *label, const char *unit) {
    curve_t *c = &curves[ncurves++];
    memset(c, 0, sizeof *c);
    c->key = key;
    c->label = label;
    c->unit = unit;
    return c;
}

static void job_free(job_t *j) {
    for (int i = 0; i < 12; i++)
        free(j->argv[i]);
    if (j->stdin_fd >= 0) close(j->stdin_fd);
}

/* ---- the curves: one table of {name, unit, xs, make_input} ---------------
 * Each point of a serial curve is one hook run on its own input, made by the
 * curve's make_input: the state file, the node config when not the main one,
 * the cpuset the run must leave (NULL: fake_expect_cpus) and the point's x
 * when it is not the nominal one (a file's real size). */
typedef struct {
    const char *dir, *main_bundle;
} curve_ctx;

typedef struct {
    char *state, *config, *expect; /* owned; config and expect may be NULL */
    double x;
} curve_input;

typedef void (*make_input_fn)(const curve_ctx *ctx, int x, int k, curve_input *in);

/* 3 io.kubernetes.* + 2 partition annotations + filler = x */
static void input_annotations(const curve_ctx *ctx, int x, int k, curve_input *in) {
    in->state = xasprintf("%s/ann-%d.json", ctx->dir, x);
    state_spec s = {
        .annotated = true, .minimal = true, .extra_annotations = x - 5, .bundle = ctx->main_bundle};
    free(make_state(in->state, k, fake_pid(k), &s));
}

/* one large annotation pads the state to x bytes (to just under 1 MiB for the largest) */
static void input_state_bytes(const curve_ctx *ctx, int x, int k, curve_input *in) {
    in->state = xasprintf("%s/size-%d.json", ctx->dir, x);
    state_spec s0 = {.annotated = true, .bundle = ctx->main_bundle};
    free(make_state(in->state, k, fake_pid(k), &s0));
    struct stat st;
    stat(in->state, &st);
    state_spec s = s0;
    s.padding = (size_t)x > (size_t)st.st_size + 64 ? (size_t)x - (size_t)st.st_size - 64 : 0;
    if (x >= 1000000) s.padding = (1u << 20) - (size_t)st.st_size - 100;
    free(make_state(in->state, k, fake_pid(k), &s));
    stat(in->state, &st);
    in->x = (double)st.st_size;
}

/* a bundle config.json of about x bytes, the state without annotations */
static void input_bundle_config_bytes(const curve_ctx *ctx, int x, int k, curve_input *in) {
    char *bd = xasprintf("%s/bundle-%d", ctx->dir, x);
    make_bundle(bd, (size_t)x, true, k);
    char *cj = xasprintf("%s/config.json", bd);
    struct stat st;
    stat(cj, &st);
    in->state = xasprintf("%s/nobundleann-%d.json", ctx->dir, x);
    state_spec s = {.annotated = false, .no_annotations = true, .bundle = bd};
    free(make_state(in->state, k, fake_pid(k), &s));
    in->x = (double)st.st_size;
    free(bd), free(cj);
}

/* a node whose merged file has `npartitions` partitions of cpuset `cpus` (taken
 * over): partitions-<tag><x>.json, config-<tag><x>.json, <name>-<x>.json */
static void input_partition_cpus(const curve_ctx *ctx, char tag, const char *name, int x, int k,
                                 char *cpus, int npartitions, curve_input *in) {
    char *pp = xasprintf("%s/partitions-%c%d.json", ctx->dir, tag, x);
    in->config = xasprintf("%s/config-%c%d.json", ctx->dir, tag, x);
    make_partitions(pp, npartitions, cpus);
    make_config(in->config, pp, fake_cg, fake_proc);
    in->state = xasprintf("%s/%s-%d.json", ctx->dir, name, x);
    state_spec s = {.annotated = true, .bundle = ctx->main_bundle};
    free(make_state(in->state, k, fake_pid(k), &s));
    free(pp);
    in->expect = cpus;
}

/* the partition's cpuset is 0-(x-1) */
static void input_cpuset_width(const curve_ctx *ctx, int x, int k, curve_input *in) {
    input_partition_cpus(ctx, 'w', "width", x, k, xasprintf("0-%d", x - 1), 1, in);
}

/* x ranges of 2 CPUs, "0-1,4-5,..." */
static void input_cpuset_ranges(const curve_ctx *ctx, int x, int k, curve_input *in) {
    input_partition_cpus(ctx, 'r', "ranges", x, k, cpuset_ranges(x), 1, in);
}

/* x partitions in the merged file */
static void input_partitions(const curve_ctx *ctx, int x, int k, curve_input *in) {
    input_partition_cpus(ctx, 'n', "parts", x, k, xasprintf("%s", fake_expect_cpus), x, in);
}

typedef struct {
    const char *key, *label, *unit;
    int xs[8];     /* the points, up to the first 0 */
    int quick_max; /* --quick: only the points up to this x; 0 = all */
    make_input_fn make_input;
} curve_def;

static const curve_def serial_curves[] = {
    {"annotations",
     "annotations in the state",
     "annotations",
     {10, 100, 1000, 10000},
     1000,
     input_annotations},
    {"state_bytes",
     "state size (one large annotation)",
     "bytes",
     {4096, 65536, 262144, 1000000},
     65536,
     input_state_bytes},
    {"bundle_config_bytes",
     "bundle config.json size (state without annotations)",
     "bytes",
     {4096, 65536, 524288, 2097152, 4000000},
     65536,
     input_bundle_config_bytes},
    {"cpuset_width",
     "cpuset width (contiguous CPUs)",
     "CPUs",
     {2, 64, 1024, 8192},
     0,
     input_cpuset_width},
    {"cpuset_ranges",
     "cpuset ranges (0-1,4-5,...)",
     "ranges",
     {1, 16, 256, 2048},
     0,
     input_cpuset_ranges},
    {"partitions",
     "partitions in the merged file",
     "partitions",
     {1, 10, 100, 1000},
     0,
     input_partitions},
};

static void run_curves(const char *main_config, const char *main_bundle) {
    char *dir = xasprintf("%s/curves", work);
    mkdir_p(dir);
    int k = 100; /* fake container ids for curve points */
    int it = opt.curve_iters;
    const curve_ctx ctx = {.dir = dir, .main_bundle = main_bundle};

    for (size_t d = 0; d < sizeof serial_curves / sizeof *serial_curves; d++) {
        const curve_def *def = &serial_curves[d];
        curve_t *c = add_curve(def->key, def->label, def->unit);
        for (size_t i = 0; i < sizeof def->xs / sizeof *def->xs && def->xs[i] != 0; i++, k++) {
            int x = def->xs[i];
            if (opt.quick && def->quick_max != 0 && x > def->quick_max) continue;
            curve_input in = {.x = x};
            def->make_input(&ctx, x, k, &in);
            job_t j;
            job_set(&j, in.state, opt.hook, "--config", in.config ? in.config : main_config, NULL);
            curve_point(c, in.x, &j, k, in.expect ? in.expect : fake_expect_cpus, it);
            job_free(&j), free(in.state), free(in.config), free(in.expect);
        }
        curve_verdict(c);
    }
    /* N hooks at once, each pinning its own container */
    {
        curve_t *c =
            add_curve("concurrent_hooks", "N hooks at once (wall time of the batch)", "hooks");
        c->batch = true;
        enum { MAXN = 64 };
        job_t jobs[MAXN];
        int base = k;
        for (int i = 0; i < MAXN; i++, k++) {
            char *sp = xasprintf("%s/conc-%d.json", dir, i);
            state_spec s = {.annotated = true, .bundle = main_bundle};
            free(make_state(sp, k, fake_pid(k), &s));
            fake_container(k, fake_expect_cpus);
            job_set(&jobs[i], sp, opt.hook, "--config", main_config, NULL);
            free(sp);
        }
        char *err = NULL;
        if (!hook_exit_ok(&jobs[0], &err)) c->skipped = xasprintf("the hook failed: %.300s", err);
        free(err);
        const int xs[] = {1, 2, 4, 8, 16, 32, 64};
        for (size_t i = 0; i < sizeof xs / sizeof *xs && !c->skipped; i++) {
            int n = xs[i];
            int batches = opt.quick ? 1 : (it / 3 < 20 ? 20 : it / 3);
            double *v = calloc((size_t)batches, sizeof *v);
            int nv = 0;
            /* One stderr file for the batch (append: the hooks write at once). */
            char *ep = xasprintf("%s/stderr-concurrent.txt", work);
            int efd = open(ep, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
            if (efd < 0) die("cannot create %s: %s", ep, strerror(errno));
            char *who = xasprintf("%s x=%d", c->key, n);
            for (int b = opt.quick ? 0 : -2; b < batches; b++) {
                pid_t pids[MAXN];
                stderr_reset(efd);
                double t0 = now_us();
                for (int h = 0; h < n; h++)
                    pids[h] = job_start(&jobs[h], efd);
                int sts[MAXN];
                for (int h = 0; h < n; h++)
                    sts[h] = wait_pid(pids[h]);
                double us = now_us() - t0;
                bool ok = true;
                for (int h = 0; h < n; h++) {
                    if (b >= 0) c->runs++;
                    if (!WIFEXITED(sts[h]) || WEXITSTATUS(sts[h]) != 0) {
                        ok = false;
                        errlog_add(&c->err, who, b, sts[h], efd);
                    }
                }
                if (b >= 0 && ok) v[nv++] = us;
            }
            close(efd);
            free(ep), free(who);
            int p = c->npoints++;
            c->x[p] = n;
            c->st[p] = stats_of(v, nv);
            c->rss[p] = -1;
            free(v);
            fprintf(stderr, ".");
        }
        for (int h = 0; h < MAXN; h++) {
            char *why = fake_check(base + h, fake_expect_cpus, "400");
            if (why && !c->skipped) c->skipped = xasprintf("hook %d left no pin: %s", h, why);
            free(why);
            job_free(&jobs[h]);
        }
        curve_verdict(c);
    }
    fprintf(stderr, "\n");
    free(dir);
}

/* ------------------------------------------------------------------ report */

static char *json_str(const char *s) {
    sb_t b = {0};
    sb_printf(&b, "\"");
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            sb_printf(&b, "\\%c", ch);
        else if (ch < 0x20)
            sb_printf(&b, "\\u%04x", ch);
        else
            sb_printf(&b, "%c", ch);
    }
    sb_printf(&b, "\"");
    return b.p;
}

static void json_num(FILE *f, double v) {
    if (isnan(v) || isinf(v))
        fprintf(f, "null");
    else
        fprintf(f, "%.3f", v);
}

/* "errors": [{"error": "exit 1: ...", "count": N, "first_run": I}, ...] */
static void json_errors(FILE *f, const errlog_t *l) {
    fprintf(f, "\"errors\": [");
    for (int i = 0; i < l->ndistinct; i++) {
        char *w = json_str(l->e[i].what);
        fprintf(f, "%s{\"error\": %s, \"count\": %d, \"first_run\": %d}", i ? ", " : "", w,
                l->e[i].count, l->e[i].first_iter);
        free(w);
    }
    if (l->other)
        fprintf(f, "%s{\"error\": \"other\", \"count\": %d, \"first_run\": null}",
                l->ndistinct ? ", " : "", l->other);
    fprintf(f, "]");
}

typedef struct {
    const char *key, *what;
    double value, limit;
    double value_cpu; /* the same figure from CPU time (user + sys), NAN when n/a */
    bool le;          /* met when value <= limit (else >=) */
    const char *unit;
    double noise; /* ± two standard errors of value (wall time), NAN when not computed */
    bool failed;  /* a case it needs had failed runs: no figure */
} target_t;

static target_t targets[5];
static int ntargets;

/* A case that gives a figure: it ran, and no run of it failed. */
static bool usable(const bcase *c) {
    return c && !c->skipped && c->err.failures == 0;
}

static bool failed(const char *key) {
    bcase *c = find_case(key);
    return c && !c->skipped && c->err.failures > 0;
}

static double ratio(const char *key) {
    bcase *f = find_case("floor"), *c = find_case(key);
    if (!usable(f) || !usable(c) || f->st.median <= 0) return NAN;
    return c->st.median / f->st.median;
}

static void add_target(const char *key, const char *what, double value, double limit, bool le,
                       const char *unit) {
    target_t *t = &targets[ntargets++];
    t->key = key;
    t->what = what;
    t->value = value;
    t->limit = limit;
    t->le = le;
    t->unit = unit;
    t->value_cpu = NAN;
    t->noise = NAN;
}

static const char *target_state_of(const target_t *t, double v) {
    if (t->failed) return "FAILED";
    if (isnan(v)) return "unknown";
    return (t->le ? v <= t->limit : v >= t->limit) ? "met" : "NOT met";
}

/* On wall time: "uncertain" when the limit lies within value ± noise. */
static const char *target_state(const target_t *t) {
    if (t->failed) return "FAILED";
    if (!isnan(t->noise) && !isnan(t->value) && fabs(t->value - t->limit) < t->noise)
        return "uncertain";
    return target_state_of(t, t->value);
}

/* How much `with` adds to `base`, in % of base: by wall-time median, or by CPU time. */
static double overhead_pct(const char *base, const char *with, bool cpu) {
    bcase *a = find_case(base), *b = find_case(with);
    if (!usable(a) || !usable(b)) return NAN;
    double x = cpu ? a->cpu.median : a->st.median, y = cpu ? b->cpu.median : b->st.median;
    return x > 0 ? (y - x) / x * 100.0 : NAN;
}

static double runc_overhead_pct(void) {
    return overhead_pct("runc", "runc_hook", false);
}

/* Two standard errors of the wall-time difference runc_hook - runc, in % of runc. */
static double runc_overhead_noise_pct(void) {
    bcase *a = find_case("runc"), *b = find_case("runc_hook");
    if (!usable(a) || !usable(b) || a->st.median <= 0) return NAN;
    return 2 * sqrt(a->st.se_median * a->st.se_median + b->st.se_median * b->st.se_median) /
           a->st.median * 100.0;
}

static double cpu_ratio(const char *key) {
    bcase *f = find_case("floor"), *c = find_case(key);
    if (!usable(f) || !usable(c) || f->cpu.median <= 0) return NAN;
    return c->cpu.median / f->cpu.median;
}

static void compute_targets(void) {
    add_target("unannotated_ratio", "(b) unannotated / floor", ratio("unannotated"), 1.2, true,
               "x");
    targets[ntargets - 1].value_cpu = cpu_ratio("unannotated");
    targets[ntargets - 1].failed = failed("floor") || failed("unannotated");
    add_target("pin_ratio", "(c) fake-tree pin / floor", ratio("fake_pin"), 1.3, true, "x");
    targets[ntargets - 1].value_cpu = cpu_ratio("fake_pin");
    targets[ntargets - 1].failed = failed("floor") || failed("fake_pin");
    add_target("runc_overhead_pct", "(f) hook's share of a runc start", runc_overhead_pct(), 5.0,
               true, "%");
    targets[ntargets - 1].value_cpu = overhead_pct("runc", "runc_hook", true);
    targets[ntargets - 1].noise = runc_overhead_noise_pct();
    targets[ntargets - 1].failed = failed("runc") || failed("runc_hook");
    double rss = NAN;
    for (int i = 0; i < ncases; i++)
        if (cases[i].is_hook && usable(&cases[i]) && cases[i].rss_kib >= 0)
            rss = isnan(rss) ? (double)cases[i].rss_kib : fmax(rss, (double)cases[i].rss_kib);
    add_target("peak_rss_kib", "hook's peak RSS", rss, 4096, true, "KiB");
    for (int i = 0; i < ncases; i++)
        if (cases[i].is_hook && failed(cases[i].key)) targets[ntargets - 1].failed = true;
    bcase *c = find_case("fake_pin"), *e = find_case("jq_hook");
    bool both = usable(c) && usable(e) && c->st.median > 0 && c->cpu.median > 0;
    add_target("jq_over_pin", "(e) jq hook / (c)", both ? e->st.median / c->st.median : NAN, 10.0,
               false, "x");
    targets[ntargets - 1].value_cpu = both ? e->cpu.median / c->cpu.median : NAN;
    targets[ntargets - 1].failed = failed("fake_pin") || failed("jq_hook");
}

static void print_table(FILE *f) {
    bcase *fl = find_case("floor");
    fprintf(
        f, "\nhook %s (%s), %ld CPUs, nice %d%s, 1-min load average %.2f at start, %.2f at end%s\n",
        opt.hook, elf_is_static(opt.hook) == 1 ? "static" : "dynamic",
        sysconf(_SC_NPROCESSORS_ONLN), nice_value, rt_cpu >= 0 ? ", SCHED_FIFO on one CPU" : "",
        load_start, load_end,
        load_start > 1.0 || load_end > 1.0 ? " (a busy machine: timings are noisy)" : "");
    fprintf(f, "\n%-46s %6s %10s %10s %8s %9s %8s\n", "case", "n", "median us", "p99 us", "x floor",
            "peak RSS", "cpu us");
    for (int i = 0; i < ncases; i++) {
        bcase *c = &cases[i];
        if (c->skipped) {
            fprintf(f, "%-46s SKIPPED: %s\n", c->label, c->skipped);
            continue;
        }
        if (c->err.failures) {
            fprintf(f, "%-46s FAILED (no figure)\n", c->label);
            errlog_print(f, &c->err, c->iters);
            continue;
        }
        char rss[32] = "-";
        if (c->rss_kib >= 0) snprintf(rss, sizeof rss, "%ld KiB", c->rss_kib);
        double r = (fl && !fl->skipped) ? c->st.median / fl->st.median : NAN;
        fprintf(f, "%-46s %6d %10.1f %10.1f %7.2fx %9s %8.0f\n", c->label, c->st.n, c->st.median,
                c->st.p99, r, rss, c->cpu.median);
    }
    double pct = runc_overhead_pct();
    if (!isnan(pct))
        fprintf(f,
                "the hook adds %.2f %% (+- %.2f %%) to a runc container start (CPU time: %.2f %%); "
                "runc's own cost of running any hook (the floor as hook): %.2f %% (CPU time: "
                "%.2f %%); with a partition of all CPUs (no confinement): %.2f %% (CPU time: %.2f "
                "%%)\n",
                pct, runc_overhead_noise_pct(), overhead_pct("runc", "runc_hook", true),
                overhead_pct("runc", "runc_floor_hook", false),
                overhead_pct("runc", "runc_floor_hook", true),
                overhead_pct("runc", "runc_hook_all_cpus", false),
                overhead_pct("runc", "runc_hook_all_cpus", true));

    for (int i = 0; i < ncurves; i++) {
        curve_t *c = &curves[i];
        fprintf(f, "\ncurve: %s\n", c->label);
        if (c->skipped) fprintf(f, "  SKIPPED/INCOMPLETE: %s\n", c->skipped);
        if (c->err.failures) {
            errlog_print(f, &c->err, c->runs);
            fprintf(f, "  (no figures: the curve has failed runs)\n");
            continue;
        }
        fprintf(f, "  %12s %10s %10s %8s %9s %8s\n", c->unit, "median us", "p99 us", "x floor",
                c->batch ? "us/hook" : "peak RSS", c->batch ? "" : "cpu us");
        for (int p = 0; p < c->npoints; p++) {
            char last[32] = "-";
            if (c->batch)
                snprintf(last, sizeof last, "%.1f", c->st[p].median / c->x[p]);
            else if (c->rss[p] >= 0)
                snprintf(last, sizeof last, "%ld KiB", c->rss[p]);
            char cpu[32] = "";
            if (!c->batch) snprintf(cpu, sizeof cpu, "%.0f", c->cpu[p].median);
            fprintf(f, "  %12.0f %10.1f %10.1f %7.2fx %9s %8s\n", c->x[p], c->st[p].median,
                    c->st[p].p99, fl && !fl->skipped ? c->st[p].median / fl->st.median : NAN, last,
                    cpu);
        }
        fprintf(f, "  verdict: %s (growth exponent %.2f, %.4f us per %s above the first point)\n",
                c->verdict, c->exponent, c->per_unit_us, c->unit);
        if (!c->batch)
            fprintf(f, "  by CPU time: %s (growth exponent %.2f, %.4f us per %s)\n", c->verdict_cpu,
                    c->exponent_cpu, c->per_unit_cpu_us, c->unit);
    }
    fprintf(f, "\ntargets (benchmarks, reported, not asserted):\n");
    for (int i = 0; i < ntargets; i++) {
        target_t *t = &targets[i];
        char cpu[64] = "";
        if (!isnan(t->value_cpu))
            snprintf(cpu, sizeof cpu, "  (by CPU time: %.2f, %s)", t->value_cpu,
                     target_state_of(t, t->value_cpu));
        fprintf(f, "  %-38s %10.2f %-3s %s %8.2f  %-8s%s\n", t->what, t->value, t->unit,
                t->le ? "<=" : ">=", t->limit, target_state(t), cpu);
    }
}

static void write_json(const char *path) {
    FILE *f = fopen(path, "w");
    if (!f) die("cannot write %s: %s", path, strerror(errno));
    struct utsname u;
    uname(&u);
    char *cpu = NULL;
    {
        FILE *ci = fopen("/proc/cpuinfo", "r");
        char line[512];
        while (ci && fgets(line, sizeof line, ci))
            if (strncmp(line, "model name", 10) == 0) {
                char *c = strchr(line, ':');
                if (c) {
                    c += 2;
                    c[strcspn(c, "\n")] = 0;
                    cpu = strdup(c);
                }
                break;
            }
        if (ci) fclose(ci);
    }
    time_t now = time(NULL);
    char ts[64];
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    char *j_kernel = json_str(u.release), *j_cpu = json_str(cpu ? cpu : "unknown"),
         *j_hook = json_str(opt.hook);
    const char *cg = exists("/sys/fs/cgroup/cgroup.controllers")
                         ? "v2"
                         : (exists("/sys/fs/cgroup/cpuset/cpuset.cpus") ? "v1" : "unknown");
    int st = elf_is_static(opt.hook);
    fprintf(f,
            "{\n  \"schema\": 1,\n  \"timestamp\": \"%s\",\n"
            "  \"machine\": {\"kernel\": %s, \"cpu\": %s, \"cpus\": %ld, \"cgroup\": \"%s\", "
            "\"loadavg_start\": %.2f, \"loadavg_end\": %.2f, \"nice\": %d, \"realtime_cpu\": %d},\n"
            "  \"hook\": {\"path\": %s, \"static\": %s},\n"
            "  \"iterations\": {\"fast\": %d, \"slow\": %d, \"runc\": %d, \"curve\": %d, "
            "\"quick\": %s},\n  \"cases\": {\n",
            ts, j_kernel, j_cpu, sysconf(_SC_NPROCESSORS_ONLN), cg, load_start, load_end,
            nice_value, rt_cpu, j_hook,
            st == 1   ? "true"
            : st == 0 ? "false"
                      : "null",
            opt.iters, opt.slow_iters, opt.runc_iters, opt.curve_iters,
            opt.quick ? "true" : "false");
    free(j_kernel), free(j_cpu), free(j_hook), free(cpu);
    bcase *fl = find_case("floor");
    for (int i = 0; i < ncases; i++) {
        bcase *c = &cases[i];
        char *lab = json_str(c->label);
        fprintf(f, "    \"%s\": {\"label\": %s, ", c->key, lab);
        free(lab);
        if (c->skipped) {
            char *why = json_str(c->skipped);
            fprintf(f, "\"skipped\": %s}", why);
            free(why);
        } else if (c->err.failures) {
            fprintf(f, "\"failed\": true, \"runs\": %d, \"n\": %d, \"failures\": %d, ", c->iters,
                    c->st.n, c->err.failures);
            json_errors(f, &c->err);
            fprintf(f, "}");
        } else {
            fprintf(f, "\"failed\": false, \"n\": %d, \"failures\": 0, \"median_us\": ", c->st.n);
            json_num(f, c->st.median);
            fprintf(f, ", \"p99_us\": ");
            json_num(f, c->st.p99);
            fprintf(f, ", \"min_us\": ");
            json_num(f, c->st.min);
            fprintf(f, ", \"mean_us\": ");
            json_num(f, c->st.mean);
            fprintf(f, ", \"cpu_median_us\": ");
            json_num(f, c->cpu.median);
            fprintf(f, ", \"cpu_ratio_to_floor\": ");
            json_num(f, fl && !fl->skipped && fl->cpu.median > 0 ? c->cpu.median / fl->cpu.median
                                                                 : NAN);
            fprintf(f, ", \"ratio_to_floor\": ");
            json_num(f, fl && !fl->skipped ? c->st.median / fl->st.median : NAN);
            fprintf(f, ", \"peak_rss_kib\": ");
            if (c->rss_kib >= 0)
                fprintf(f, "%ld", c->rss_kib);
            else
                fprintf(f, "null");
            fprintf(f, "}");
        }
        fprintf(f, "%s\n", i + 1 < ncases ? "," : "");
    }
    fprintf(f, "  },\n  \"runc_hook_overhead_pct\": ");
    json_num(f, runc_overhead_pct());
    fprintf(f, ",\n  \"runc_hook_overhead_cpu_pct\": ");
    json_num(f, overhead_pct("runc", "runc_hook", true));
    fprintf(f, ",\n  \"runc_floor_hook_overhead_pct\": ");
    json_num(f, overhead_pct("runc", "runc_floor_hook", false));
    fprintf(f, ",\n  \"runc_hook_all_cpus_overhead_pct\": ");
    json_num(f, overhead_pct("runc", "runc_hook_all_cpus", false));
    fprintf(f, ",\n  \"curves\": {\n");
    for (int i = 0; i < ncurves; i++) {
        curve_t *c = &curves[i];
        char *lab = json_str(c->label);
        fprintf(f, "    \"%s\": {\"label\": %s, \"unit\": \"%s\", \"points\": [", c->key, lab,
                c->unit);
        free(lab);
        for (int p = 0; p < c->npoints; p++) {
            fprintf(f, "%s{\"x\": %.0f, \"n\": %d, \"median_us\": ", p ? ", " : "", c->x[p],
                    c->st[p].n);
            json_num(f, c->st[p].median);
            fprintf(f, ", \"p99_us\": ");
            json_num(f, c->st[p].p99);
            if (c->rss[p] >= 0) fprintf(f, ", \"peak_rss_kib\": %ld", c->rss[p]);
            if (!c->batch) {
                fprintf(f, ", \"cpu_median_us\": ");
                json_num(f, c->cpu[p].median);
            }
            fprintf(f, "}");
        }
        fprintf(f, "], \"verdict_cpu\": \"%s\", \"growth_exponent_cpu\": ", c->verdict_cpu);
        json_num(f, c->exponent_cpu);
        fprintf(f, ", \"us_per_unit_cpu\": ");
        json_num(f, c->per_unit_cpu_us);
        fprintf(f, ", \"verdict\": \"%s\", \"growth_exponent\": ", c->verdict);
        json_num(f, c->exponent);
        fprintf(f, ", \"us_per_unit\": ");
        json_num(f, c->per_unit_us);
        if (c->skipped) {
            char *why = json_str(c->skipped);
            fprintf(f, ", \"skipped\": %s", why);
            free(why);
        }
        fprintf(f, ", \"runs\": %d, \"failures\": %d, \"failed\": %s, ", c->runs, c->err.failures,
                c->err.failures ? "true" : "false");
        json_errors(f, &c->err);
        fprintf(f, "}%s\n", i + 1 < ncurves ? "," : "");
    }
    fprintf(f, "  },\n  \"targets\": {\n");
    for (int i = 0; i < ntargets; i++) {
        target_t *t = &targets[i];
        char *what = json_str(t->what);
        fprintf(f, "    \"%s\": {\"what\": %s, \"value\": ", t->key, what);
        free(what);
        json_num(f, t->value);
        fprintf(f, ", \"value_cpu\": ");
        json_num(f, t->value_cpu);
        fprintf(f, ", \"met_cpu\": %s",
                isnan(t->value_cpu)                                    ? "null"
                : strcmp(target_state_of(t, t->value_cpu), "met") == 0 ? "true"
                                                                       : "false");
        fprintf(f, ", \"noise\": ");
        json_num(f, t->noise);
        fprintf(f, ", \"limit\": ");
        json_num(f, t->limit);
        const char *state = target_state(t);
        fprintf(f, ", \"compare\": \"%s\", \"unit\": \"%s\", \"state\": \"%s\", \"met\": %s}%s\n",
                t->le ? "<=" : ">=", t->unit, state,
                strcmp(state, "met") == 0                                       ? "true"
                : strcmp(state, "NOT met") == 0 || strcmp(state, "FAILED") == 0 ? "false"
                                                                                : "null",
                i + 1 < ntargets ? "," : "");
    }
    fprintf(f, "  }\n}\n");
    fclose(f);
}

/* ------------------------------------------------------------------ main */

static void on_signal(int sig) {
    exit(128 + sig);
}

static char *rm_work_dir;

static void remove_work(void) {
    if (!rm_work_dir) return;
    char *argv[] = {"/bin/rm", "-rf", "--one-file-system", rm_work_dir, NULL};
    pid_t pid;
    if (posix_spawn(&pid, argv[0], NULL, NULL, argv, bench_env) == 0) waitpid(pid, NULL, 0);
}

int main(int argc, char **argv) {
    parse_args(argc, argv);
    umask(022);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    devnull_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (!opt.no_nice && geteuid() == 0 && setpriority(PRIO_PROCESS, 0, -20) < 0)
        fprintf(stderr, "wp-bench: cannot set nice -20: %s\n", strerror(errno));
    errno = 0;
    nice_value = getpriority(PRIO_PROCESS, 0);
    if (opt.realtime) {
        int cpu = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        struct sched_param sp = {.sched_priority = 1};
        if (sched_setaffinity(0, sizeof set, &set) < 0 ||
            sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
            die("--realtime: cannot run SCHED_FIFO on CPU %d: %s", cpu, strerror(errno));
        rt_cpu = cpu;
    }
    opt.hook = abspath(opt.hook);
    opt.floor = abspath(opt.floor);
    rssprobe_path = abspath(opt.probe);
    if (opt.jq_hook) opt.jq_hook = abspath(opt.jq_hook);
    if (opt.work) {
        mkdir_p(opt.work);
        work = abspath(opt.work);
    } else {
        char tmpl[] = "/tmp/wp-bench.XXXXXX";
        if (!mkdtemp(tmpl)) die("mkdtemp: %s", strerror(errno));
        work = strdup(tmpl);
        if (!opt.keep) rm_work_dir = work;
    }
    if (chmod(work, 0755) < 0) die("chmod %s: %s", work, strerror(errno));
    atexit(remove_work);

    /* The fake v1 tree and the inputs of (b), (c), (e). */
    fake_cg = xasprintf("%s/fake/cgroup", work);
    fake_proc = xasprintf("%s/fake/proc", work);
    char *d = xasprintf("%s/cpuset", fake_cg);
    mkdir_p(d);
    char *f = xasprintf("%s/cpuset.cpus", d);
    write_str(f, "0-8191\n");
    free(f), free(d);
    mkdir_p(fake_proc);
    char *partitions = xasprintf("%s/partitions.json", work);
    char *config = xasprintf("%s/config.json", work);
    make_partitions(partitions, 1, fake_expect_cpus);
    make_config(config, partitions, fake_cg, fake_proc);
    /* A bundle with a 20 KB config.json: the hook must not read it when the
     * state has annotations. */
    char *bundle = xasprintf("%s/bundle", work);
    make_bundle(bundle, 20000, true, 1);
    char *st_plain = xasprintf("%s/state-unannotated.json", work);
    char *st_pin = xasprintf("%s/state-pin.json", work);
    char *st_jq = xasprintf("%s/state-jq.json", work);
    char *st_real = NULL;
    state_spec sp_plain = {.annotated = false, .bundle = bundle};
    state_spec sp_pin = {.annotated = true, .bundle = bundle};
    make_state(st_plain, 1, fake_pid(1), &sp_plain);
    make_state(st_pin, 2, fake_pid(2), &sp_pin);
    make_state(st_jq, 3, fake_pid(3), &sp_pin);
    fake_container(1, fake_expect_cpus);
    fake_container(2, fake_expect_cpus);
    fake_container(3, fake_expect_cpus);

    int it = opt.iters;
    bcase *a = add_case("floor", "(a) floor: static no-op binary");
    job_set(&a->job, st_plain, opt.floor, NULL);
    a->iters = it;

    bcase *b = add_case("unannotated", "(b) hook, unannotated container");
    job_set(&b->job, st_plain, opt.hook, "--config", config, NULL);
    b->iters = it;
    b->is_hook = true;
    b->fake_k = 1;
    b->prep = fake_prep;
    b->check = fake_untouched_check;

    bcase *c = add_case("fake_pin", "(c) hook pins, fake v1 tree, sandbox on");
    job_set(&c->job, st_pin, opt.hook, "--config", config, NULL);
    c->iters = it;
    c->is_hook = true;
    c->fake_k = 2;
    c->prep = fake_prep;
    c->check = fake_pin_check;

    bcase *dd = add_case("real_pin", "(d) hook pins, real cgroupfs");
    char *real_config = xasprintf("%s/config-real.json", work);
    char *real_partitions = xasprintf("%s/partitions-real.json", work);
    dd->skipped = opt.skip_real ? strdup("--skip-real") : real_setup();
    if (!dd->skipped) {
        make_partitions(real_partitions, 1, real_reserved);
        make_config(real_config, real_partitions, "/sys/fs/cgroup", "/proc");
        st_real = xasprintf("%s/state-real.json", work);
        make_state(st_real, 4, (int)real_sleeper, &sp_pin);
        job_set(&dd->job, st_real, opt.hook, "--config", real_config, NULL);
        dd->iters = it;
        dd->is_hook = true;
        dd->prep = real_prep;
        dd->check = real_check;
    }

    bcase *e = add_case("jq_hook", "(e) jq + shell hook, fake v1 tree");
    if (!opt.jq_hook)
        e->skipped = strdup("no --jq-hook given");
    else if (!which("jq"))
        e->skipped = strdup("jq not found in PATH");
    else {
        job_set(&e->job, st_jq, opt.jq_hook, "--config", config, NULL);
        e->iters = opt.slow_iters;
        e->fake_k = 3;
        e->prep = fake_prep;
        e->check = fake_pin_check;
    }

    if (opt.wait_idle > 0) {
        time_t until = time(NULL) + opt.wait_idle;
        while (loadavg1() >= 1.0 && time(NULL) < until) {
            fprintf(stderr, "wp-bench: waiting for the load average (%.2f) to drop below 1.0\n",
                    loadavg1());
            sleep(10);
        }
    }
    load_start = loadavg1();
    fprintf(stderr, "wp-bench: (a)-(e), %d iterations (jq: %d), load average %.2f ...\n", it,
            opt.slow_iters, load_start);
    bcase *phase1[] = {a, b, c, dd, e};
    run_interleaved(phase1, 5);

    /* (f): runc needs the real cgroup config (created above only when (d) runs). */
    bcase *f0 = add_case("runc", "(f) runc run /bin/true");
    bcase *fx = add_case("runc_floor_hook", "(f) runc run /bin/true, the floor as hook");
    bcase *f1 = add_case("runc_hook", "(f) runc run /bin/true, with the hook");
    bcase *fa = add_case("runc_hook_all_cpus", "(f) the same, partition = all CPUs");
    char *why = NULL;
    if (opt.skip_runc)
        why = strdup("--skip-runc");
    else if (dd->skipped)
        why = xasprintf("needs the real-cgroup setup of (d): %s", dd->skipped);
    else {
        /* The hook with a partition of all online CPUs: it writes the same files
         * but does not confine the rest of the container's start to fewer CPUs. */
        char *real_config_all = xasprintf("%s/config-real-all.json", work);
        char *real_partitions_all = xasprintf("%s/partitions-real-all.json", work);
        make_partitions(real_partitions_all, 1, real_online);
        make_config(real_config_all, real_partitions_all, "/sys/fs/cgroup", "/proc");
        char *bd[4] = {NULL, NULL, NULL, NULL};
        why = runc_setup(real_config, real_config_all, bd);
        bcase *fs[4] = {f0, fx, f1, fa};
        for (int i = 0; i < 4 && !why; i++) {
            job_set(&fs[i]->job, NULL, opt.runc, "--root", runc_state_dir, "run", "--bundle", bd[i],
                    "id", NULL);
            fs[i]->iters = opt.runc_iters;
            fs[i]->prep = runc_prep;
        }
    }
    if (why) {
        f0->skipped = why;
        fx->skipped = strdup(why);
        f1->skipped = strdup(why);
        fa->skipped = strdup(why);
    } else {
        fprintf(stderr, "wp-bench: (f) runc, %d iterations each ...\n", opt.runc_iters);
        bcase *phase2[] = {f0, fx, f1, fa};
        run_interleaved(phase2, 4);
        if (rt_cpu >= 0)
            fprintf(stderr,
                    "wp-bench: (f) --realtime: %d runc runs first waited (untimed) for the RT "
                    "budget of removed containers to be released\n",
                    rt_waits);
    }

    if (!opt.no_curves) {
        fprintf(stderr, "wp-bench: curves, %d iterations a point ", opt.curve_iters);
        run_curves(config, bundle);
    }

    load_end = loadavg1();
    compute_targets();
    print_table(stdout);
    if (opt.json) {
        write_json(opt.json);
        printf("\nresults: %s\n", opt.json);
    }
    if (any_failure) {
        fprintf(stderr, "wp-bench: FAILED: some runs failed (see the table); their figures are "
                        "not reported\n");
        return 1;
    }
    return 0;
}
