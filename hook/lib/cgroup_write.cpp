#include "cgroup_write.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "trusted_file.hpp"

namespace wp {

namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t'))
        s.pop_back();
    return s;
}

struct Pending {
    const ControllerDir *dir;
    std::string name;
    std::string value;
    UniqueFd fd;
    std::string previous;
    bool written = false;
    // v1 cpu.cfs_period_us followed by a quota: an EINVAL is retried after the quota.
    bool retry_after_quota = false;
    std::string shown() const { return dir->rel + "/" + name; }
};

// Writes `value` at offset 0; 0 or the errno of the failure (EIO for a short write).
int write_value(int fd, const std::string &value) {
    ssize_t n;
    do {
        n = ::pwrite(fd, value.data(), value.size(), 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return errno;
    if (static_cast<size_t>(n) != value.size()) return EIO;
    // A regular file of a fake tree may hold a longer old value: cut it. cgroupfs
    // files report size 0, so the kernel's files are never truncated.
    struct stat st;
    if (::fstat(fd, &st) == 0 && st.st_size > static_cast<off_t>(value.size()) &&
        ::ftruncate(fd, static_cast<off_t>(value.size())) != 0)
        return errno;
    return 0;
}

// Restores what was written, last first. The kernel checks every CFS value against
// the parent's limit, so a value refused in one order can pass in the other: what
// failed is tried once more after the rest. Returns a note on failures ("" when all
// restored).
std::string restore(std::vector<Pending> &pending) {
    std::vector<Pending *> failed;
    for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
        if (!it->written) continue;
        if (write_value(it->fd.get(), it->previous) != 0) failed.push_back(&*it);
        it->written = false;
    }
    std::string note;
    for (Pending *p : failed) {
        if (write_value(p->fd.get(), p->previous) == 0) continue;
        note += (note.empty() ? "" : ", ") + p->shown();
    }
    return note.empty() ? std::string() : "; could not restore " + note;
}

bool on_cgroup_fs(int fd) {
    struct statfs sf;
    if (::fstatfs(fd, &sf) != 0) return false;
    return sf.f_type == CGROUP_SUPER_MAGIC || sf.f_type == CGROUP2_SUPER_MAGIC;
}

} // namespace

uint64_t shares_to_weight(uint64_t shares, SharesToWeight formula) {
    if (shares == 0) return 0;
    if (formula == SharesToWeight::Linear) {
        if (shares < 2) shares = 2;
        if (shares > 262144) shares = 262144;
        return 1 + ((shares - 2) * 9999) / 262142;
    }
    if (shares <= 2) return 1;
    if (shares >= 262144) return 10000;
    double l = std::log2(static_cast<double>(shares));
    double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
    return static_cast<uint64_t>(std::ceil(std::pow(10, exponent)));
}

Result<UniqueFd> open_confined_dir(const std::string &root, const std::string &rel) {
    UniqueFd cur(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!cur.valid())
        return make_errno_error(Fault::System, errno, "cgroupRoot " + root + ": cannot open");
    std::string done = root;
    // Once the walk is on a cgroup filesystem (a real cgroup root), every directory
    // below must be too: a tmpfs or bind mount over a cgroup is not a cgroup.
    bool real = on_cgroup_fs(cur.get());
    std::string_view rest = rel;
    while (!rest.empty()) {
        size_t slash = rest.find('/');
        std::string comp(rest.substr(0, slash));
        rest.remove_prefix(slash == std::string_view::npos ? rest.size() : slash + 1);
        if (comp.empty() || comp == ".") continue;
        if (comp == "..") return make_error(Fault::Input, root + "/" + rel + ": contains \"..\"");
        done += "/" + comp;
        int fd = ::openat(cur.get(), comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            if (e == ENOENT)
                return make_error(Fault::Input, done + ": cgroup directory does not exist");
            if (e == ELOOP || e == ENOTDIR) {
                struct stat st;
                bool link = ::fstatat(cur.get(), comp.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                            S_ISLNK(st.st_mode);
                return make_error(Fault::Input,
                                  done + (link ? ": is a symlink; refusing to follow it"
                                               : ": is not a directory"));
            }
            return make_errno_error(Fault::System, e, done + ": cannot open");
        }
        cur.reset(fd);
        bool cg = on_cgroup_fs(fd);
        if (real && !cg)
            return make_error(Fault::Input,
                              done + ": is not on a cgroup filesystem, below one; refusing it");
        real = real || cg;
    }
    return cur;
}

namespace {

enum class Step { Write, DryRun, Inspect };

// Steps 3-5 of every write: keep each file's previous content and open it for
// writing before the first write; write, restoring everything on the first
// failure; read back the effective cpuset against `verify`. A dry run stops
// before reading anything; an inspection reads the previous values only.
Result<ApplyResult> write_pending(const std::string &cgroup_root, const TargetDirs &dirs,
                                  std::vector<Pending> &pending,
                                  const std::optional<CpuSet> &verify, Step step,
                                  const BeforeWrite &before_write = {}) {
    ApplyResult res;
    for (const auto &p : pending)
        res.writes.push_back(Write{p.shown(), p.value});
    if (step == Step::DryRun) return res;

    // Read and write use separate opens: the sandbox allows read-only or
    // write-only opens, never O_RDWR.
    for (auto &p : pending) {
        std::string full = cgroup_root + "/" + p.shown();
        auto prev = read_file_nofollow(dirs.fd(p.dir), p.name, kMaxSmallFileBytes);
        if (!prev) return wrap(prev.take_error(), cgroup_root + "/" + p.dir->rel);
        if (!*prev) return make_error(Fault::Input, full + ": does not exist");
        p.previous = trim(std::move(**prev));
        res.previous.push_back(Write{p.shown(), p.previous});
        if (step == Step::Inspect) continue;
        int fd = ::openat(dirs.fd(p.dir), p.name.c_str(),
                          O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            if (e == ELOOP) return make_error(Fault::Input, full + ": is a symlink");
            return make_errno_error(e == ENOENT ? Fault::Input : Fault::System, e,
                                    full + ": cannot open for writing");
        }
        p.fd.reset(fd);
        // Never through a hard link (a fake tree's file linked to one outside it), and
        // on a real cgroup root never a file that is not the kernel's.
        struct stat st;
        if (::fstat(fd, &st) != 0)
            return make_errno_error(Fault::System, errno, full + ": cannot stat");
        if (st.st_nlink > 1)
            return make_error(Fault::Input, full + ": has " + std::to_string(st.st_nlink) +
                                                " hard links; refusing to write through it");
        if (on_cgroup_fs(dirs.fd(p.dir)) && !on_cgroup_fs(fd))
            return make_error(Fault::Input,
                              full + ": is not on a cgroup filesystem; refusing to write it");
    }
    if (step == Step::Inspect) return res;
    if (before_write) {
        if (auto st = before_write(res.previous); !st) return st.take_error();
    }

    auto failed = [&](const Pending &p, int e) {
        std::string note = restore(pending);
        Error err = make_errno_error(Fault::System, e,
                                     cgroup_root + "/" + p.shown() + ": writing \"" + p.value +
                                         "\" failed");
        err.message += note;
        return err;
    };
    Pending *deferred = nullptr;
    for (auto &p : pending) {
        int e = write_value(p.fd.get(), p.value);
        if (e == EINVAL && p.retry_after_quota) {
            deferred = &p;
            continue;
        }
        if (e != 0) return failed(p, e);
        p.written = true;
    }
    if (deferred != nullptr) {
        if (int e = write_value(deferred->fd.get(), deferred->value); e != 0)
            return failed(*deferred, e);
        deferred->written = true;
    }

    if (verify) {
        const CgroupTarget &target = *dirs.target;
        const char *eff = target.cpuset.v2 ? "cpuset.cpus.effective" : "cpuset.effective_cpus";
        std::string full = cgroup_root + "/" + target.cpuset.rel + "/" + eff;
        auto text = read_file_nofollow(dirs.cpuset.get(), eff, kMaxSmallFileBytes);
        if (!text) {
            std::string note = restore(pending);
            Error e = wrap(text.take_error(), cgroup_root + "/" + target.cpuset.rel);
            e.message += note;
            return e;
        }
        if (*text) {
            auto got = CpuSet::parse(**text);
            if (!got || !(*got == *verify)) {
                std::string seen = got ? got->format() : trim(**text);
                std::string note = restore(pending);
                return make_error(Fault::System,
                                  full + ": effective cpuset is \"" + seen + "\", not \"" +
                                      verify->format() +
                                      "\" (does a parent cgroup exclude those CPUs?)" + note);
            }
            res.effective_cpuset = got->format();
            res.verified = true;
        }
    }
    return res;
}

Result<ApplyResult> run_plan(const std::string &cgroup_root, const TargetDirs &dirs,
                             const Plan &plan, SharesToWeight formula, Step step,
                             const BeforeWrite &before_write = {}) {
    const CgroupTarget &target = *dirs.target;
    int cpu_fd = dirs.cpu_fd;

    // 2. The list of writes, in order.
    std::vector<Pending> pending;
    auto add = [&](const ControllerDir &d, const char *name, std::string value) {
        pending.push_back(Pending{&d, name, std::move(value), UniqueFd(), std::string(), false});
    };
    if (plan.cpuset) add(target.cpuset, "cpuset.cpus", plan.cpuset->format());
    if (plan.shares) {
        if (target.cpu.v2)
            add(target.cpu, "cpu.weight", std::to_string(shares_to_weight(*plan.shares, formula)));
        else
            add(target.cpu, "cpu.shares", std::to_string(*plan.shares));
    }
    if (plan.quota_us || plan.period_us) {
        if (target.cpu.v2) {
            std::string quota;
            if (plan.quota_us) {
                quota = std::to_string(*plan.quota_us);
            } else {
                // A period alone: keep the current quota ("max" or a number).
                auto cur = read_file_nofollow(cpu_fd, "cpu.max", kMaxSmallFileBytes);
                if (!cur) return cur.take_error();
                if (!*cur)
                    return make_error(Fault::Input, cgroup_root + "/" + target.cpu.rel +
                                                        "/cpu.max: does not exist");
                std::string c = trim(**cur);
                quota = c.substr(0, c.find(' '));
            }
            add(target.cpu, "cpu.max",
                plan.period_us ? quota + " " + std::to_string(*plan.period_us) : quota);
        } else {
            // runc's order: the period, then the quota; a period the kernel refuses
            // (EINVAL: the old quota over the new period exceeds a parent's limit) is
            // written again after the quota.
            if (plan.period_us) {
                add(target.cpu, "cpu.cfs_period_us", std::to_string(*plan.period_us));
                pending.back().retry_after_quota = plan.quota_us.has_value();
            }
            if (plan.quota_us) add(target.cpu, "cpu.cfs_quota_us", std::to_string(*plan.quota_us));
        }
    }
    // 3.-5. Previous values, writes, read-back.
    return write_pending(cgroup_root, dirs, pending, plan.cpuset, step, before_write);
}

} // namespace

Result<TargetDirs> open_target(const std::string &cgroup_root, const CgroupTarget &target) {
    TargetDirs t;
    t.target = &target;
    auto cpuset_dir = open_confined_dir(cgroup_root, target.cpuset.rel);
    if (!cpuset_dir) return cpuset_dir.take_error();
    t.cpuset = std::move(*cpuset_dir);
    t.cpu_fd = t.cpuset.get();
    if (target.cpu.rel != target.cpuset.rel) {
        auto d = open_confined_dir(cgroup_root, target.cpu.rel);
        if (!d) return d.take_error();
        t.cpu_owned = std::move(*d);
        t.cpu_fd = t.cpu_owned.get();
    }
    return t;
}

Result<ApplyResult> apply_plan(const std::string &cgroup_root, const CgroupTarget &target,
                               const Plan &plan, SharesToWeight formula, bool dry_run,
                               const BeforeWrite &before_write) {
    // 1. Open both directories (once when they are the same).
    auto dirs = open_target(cgroup_root, target);
    if (!dirs) return dirs.take_error();
    return run_plan(cgroup_root, *dirs, plan, formula, dry_run ? Step::DryRun : Step::Write,
                    before_write);
}

Result<ApplyResult> inspect_plan(const std::string &cgroup_root, const TargetDirs &dirs,
                                 const Plan &plan, SharesToWeight formula) {
    return run_plan(cgroup_root, dirs, plan, formula, Step::Inspect);
}

bool is_plan_file(std::string_view name) {
    for (std::string_view f : {"cpuset.cpus", "cpu.shares", "cpu.weight", "cpu.max",
                               "cpu.cfs_period_us", "cpu.cfs_quota_us"})
        if (name == f) return true;
    return false;
}

Result<ApplyResult> apply_values(const std::string &cgroup_root, const CgroupTarget &target,
                                 const std::vector<Write> &values, bool dry_run,
                                 const BeforeWrite &before_write) {
    auto dirs = open_target(cgroup_root, target);
    if (!dirs) return dirs.take_error();
    std::vector<Pending> pending;
    std::optional<CpuSet> verify;
    // The order of a plan: cpuset first, then the period before the quota (v1
    // refuses a quota above the old period's limits otherwise).
    static const char *kOrder[] = {"cpuset.cpus", "cpu.shares",        "cpu.weight",
                                   "cpu.max",     "cpu.cfs_period_us", "cpu.cfs_quota_us"};
    for (const char *name : kOrder) {
        for (const auto &w : values) {
            size_t slash = w.file.rfind('/');
            std::string dir = slash == std::string::npos ? "" : w.file.substr(0, slash);
            std::string base = w.file.substr(slash == std::string::npos ? 0 : slash + 1);
            if (base != name) continue;
            const ControllerDir *d = base.rfind("cpuset.", 0) == 0 ? &target.cpuset : &target.cpu;
            if (dir != d->rel)
                return make_error(Fault::Input, cgroup_root + "/" + w.file +
                                                    ": not in the container's cgroup " +
                                                    cgroup_root + "/" + d->rel);
            pending.push_back(Pending{d, base, w.value, UniqueFd(), std::string(), false});
            if (base == "cpuset.cpus" && !trim(w.value).empty()) {
                auto cs = CpuSet::parse(w.value);
                if (!cs)
                    return make_error(Fault::Input,
                                      cgroup_root + "/" + w.file + ": " + cs.error().message);
                verify = *cs;
            }
        }
    }
    for (const auto &w : values) {
        std::string base =
            w.file.substr(w.file.rfind('/') == std::string::npos ? 0 : w.file.rfind('/') + 1);
        if (!is_plan_file(base))
            return make_error(Fault::Input,
                              cgroup_root + "/" + w.file + ": not a file a plan writes");
    }
    return write_pending(cgroup_root, *dirs, pending, verify, dry_run ? Step::DryRun : Step::Write,
                         before_write);
}

} // namespace wp
