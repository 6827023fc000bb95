#include "cgroup_locate.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include "trusted_file.hpp"

namespace wp {

namespace {

inline constexpr size_t kMaxProcCgroupLines = 256;

std::string strip_slashes(std::string_view p) {
    while (!p.empty() && p.front() == '/')
        p.remove_prefix(1);
    while (!p.empty() && p.back() == '/')
        p.remove_suffix(1);
    return std::string(p);
}

// crun's systemd sub-cgroup: ".../x.scope/<subgroup>" -> ".../x.scope".
std::string strip_subgroup(const std::string &path, const std::string &subgroup) {
    if (subgroup.empty()) return path;
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return path;
    if (std::string_view(path).substr(slash + 1) != subgroup) return path;
    std::string parent = path.substr(0, slash);
    if (parent.size() > 6 && parent.compare(parent.size() - 6, 6, ".scope") == 0) return parent;
    return path;
}

Result<std::string> systemd_scope_path(std::string_view spec) {
    // "slice:prefix:name"
    size_t a = spec.find(':');
    size_t b = a == std::string_view::npos ? a : spec.find(':', a + 1);
    if (b == std::string_view::npos || spec.find(':', b + 1) != std::string_view::npos)
        return make_error(Fault::Input, "linux.cgroupsPath \"" + std::string(spec) +
                                            "\": expected \"slice:prefix:name\"");
    std::string_view slice = spec.substr(0, a), prefix = spec.substr(a + 1, b - a - 1),
                     name = spec.substr(b + 1);
    if (name.empty() || name.find('/') != std::string_view::npos ||
        prefix.find('/') != std::string_view::npos)
        return make_error(Fault::Input,
                          "linux.cgroupsPath \"" + std::string(spec) + "\": bad unit name");
    std::string dir;
    if (!slice.empty()) {
        auto s = expand_systemd_slice(slice);
        if (!s) return s.take_error();
        dir = *s;
    } else {
        dir = "system.slice";
    }
    std::string unit;
    if (name.size() > 6 && name.substr(name.size() - 6) == ".slice") {
        auto s = expand_systemd_slice(name);
        if (!s) return s.take_error();
        return *s;
    }
    unit = prefix.empty() ? std::string(name) + ".scope"
                          : std::string(prefix) + "-" + std::string(name) + ".scope";
    return dir.empty() ? unit : dir + "/" + unit;
}

} // namespace

Result<std::vector<ProcCgroupLine>> parse_proc_cgroup(std::string_view text,
                                                      std::string_view what) {
    std::vector<ProcCgroupLine> out;
    size_t lineno = 0;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++lineno;
        if (line.empty()) continue;
        if (out.size() >= kMaxProcCgroupLines)
            return make_error(Fault::Input, std::string(what) + ": more than " +
                                                std::to_string(kMaxProcCgroupLines) + " lines");
        size_t c1 = line.find(':');
        size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
        auto bad = [&](const std::string &why) {
            return make_error(Fault::Input,
                              std::string(what) + ": line " + std::to_string(lineno) + ": " + why);
        };
        if (c2 == std::string_view::npos) return bad("expected \"id:controllers:path\"");
        ProcCgroupLine l;
        l.hierarchy = std::string(line.substr(0, c1));
        // The kernel lists each controller (and the v2 hierarchy) once: a second
        // line for one makes the file ambiguous.
        std::string_view list = line.substr(c1 + 1, c2 - c1 - 1);
        for (const auto &prev : out) {
            bool both_v2 = list.empty() && prev.controllers.empty();
            std::string_view rest = list;
            while (!both_v2 && !rest.empty()) {
                size_t comma = rest.find(',');
                std::string_view t = rest.substr(0, comma);
                if (!t.empty() && lists_controller(prev.controllers, t))
                    return bad("controller \"" + std::string(t) +
                               "\" is listed twice; ambiguous, refusing the file");
                rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
            }
            if (both_v2) return bad("a second cgroup v2 line; ambiguous, refusing the file");
        }
        l.controllers = std::string(line.substr(c1 + 1, c2 - c1 - 1));
        l.path = std::string(line.substr(c2 + 1));
        if (l.hierarchy.empty() || l.hierarchy.find_first_not_of("0123456789") != std::string::npos)
            return bad("hierarchy id is not a number");
        if (l.path.empty() || l.path.front() != '/') return bad("path is not absolute");
        out.push_back(std::move(l));
    }
    return out;
}

Result<std::string> expand_systemd_slice(std::string_view slice) {
    auto bad = [&](const char *why) {
        return make_error(Fault::Input, "systemd slice \"" + std::string(slice) + "\": " + why);
    };
    if (slice == "-.slice") return std::string();
    if (slice.size() <= 6 || slice.substr(slice.size() - 6) != ".slice")
        return bad("does not end in .slice");
    std::string_view base = slice.substr(0, slice.size() - 6);
    if (base.find('/') != std::string_view::npos) return bad("contains '/'");
    if (base.front() == '-' || base.back() == '-' || base.find("--") != std::string_view::npos)
        return bad("has an empty component");
    std::string out;
    for (size_t i = 0; i <= base.size(); ++i) {
        if (i == base.size() || base[i] == '-') {
            if (!out.empty()) out += '/';
            out += std::string(base.substr(0, i)) + ".slice";
        }
    }
    return out;
}

Status check_cgroup_path(std::string_view path, std::string_view what) {
    if (path.find('\0') != std::string_view::npos)
        return make_error(Fault::Input, std::string(what) + ": cgroup path contains a NUL byte");
    bool has_component = false;
    std::string_view rest = path;
    while (!rest.empty()) {
        size_t slash = rest.find('/');
        std::string_view comp = rest.substr(0, slash);
        if (comp == "..")
            return make_error(Fault::Input, std::string(what) + ": cgroup path \"" +
                                                std::string(path) + "\" contains \"..\"");
        if (!comp.empty() && comp != ".") has_component = true;
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    if (!has_component)
        return make_error(Fault::Input, std::string(what) + ": cgroup path \"" + std::string(path) +
                                            "\" is the root cgroup; refusing to touch it");
    return ok_status();
}

Result<CgroupTarget> locate_cgroup(const LocateInput &in) {
    CgroupTarget t;
    std::optional<std::string> proc_text;
    std::string proc_path;
    if (in.pid > 0) {
        proc_path = in.proc_root + "/" + std::to_string(in.pid) + "/cgroup";
        auto text = read_file_nofollow(AT_FDCWD, proc_path, kMaxSmallFileBytes);
        if (!text) return text.take_error();
        proc_text = std::move(*text);
    }
    if (proc_text) {
        auto lines = parse_proc_cgroup(*proc_text, proc_path);
        if (!lines) return lines.take_error();
        const ProcCgroupLine *v2 = nullptr, *cpuset = nullptr, *cpu = nullptr;
        for (const auto &l : *lines) {
            // A controller lives in the directory of the line that names it, whatever
            // else that line names (co-mounted "cpuset,cpu,cpuacct").
            if (l.hierarchy == "0" && l.controllers.empty()) v2 = &l;
            if (lists_controller(l.controllers, "cpuset")) cpuset = &l;
            if (lists_controller(l.controllers, "cpu")) cpu = &l;
        }
        std::optional<CgroupLayout> detected;
        auto layout = [&]() -> const CgroupLayout & {
            if (in.layout) return *in.layout;
            if (!detected) detected = detect_cgroup_layout(in.cgroup_root);
            return *detected;
        };
        auto resolve = [&](const ProcCgroupLine *l, const char *controller,
                           ControllerDir &out) -> Status {
            std::string path;
            if (l != nullptr) {
                path = strip_subgroup(strip_slashes(l->path), in.systemd_subgroup);
                out.rel = l->controllers + "/" + path;
                out.v2 = false;
            } else if (v2 != nullptr) {
                path = strip_subgroup(strip_slashes(v2->path), in.systemd_subgroup);
                out.rel = layout().unified_prefix() + path;
                out.v2 = true;
            } else {
                return make_error(Fault::Input, proc_path + ": no line for the " + controller +
                                                    " controller and no cgroup v2 line");
            }
            return check_cgroup_path(path, proc_path);
        };
        auto st = resolve(cpuset, "cpuset", t.cpuset);
        if (!st) return st.take_error();
        st = resolve(cpu, "cpu", t.cpu);
        if (!st) return st.take_error();
        t.source = proc_path;
        return t;
    }

    // The process is gone (or no pid): linux.cgroupsPath from the bundle.
    std::string cgroups_path = in.cgroups_path;
    if (cgroups_path.empty() && in.cgroups_path_fallback) {
        auto p = in.cgroups_path_fallback();
        if (!p) return p.take_error();
        cgroups_path = std::move(*p);
    }
    if (cgroups_path.empty())
        return make_error(Fault::Input,
                          (proc_path.empty() ? std::string("OCI state has no pid")
                                             : proc_path + " does not exist") +
                              " and the bundle's config.json has no linux.cgroupsPath");
    std::string path;
    if (cgroups_path.front() == '/') {
        path = strip_slashes(cgroups_path);
    } else if (cgroups_path.find(':') != std::string::npos) {
        auto p = systemd_scope_path(cgroups_path);
        if (!p) return p.take_error();
        path = *p;
    } else {
        return make_error(Fault::Input, "linux.cgroupsPath \"" + cgroups_path +
                                            "\": neither an absolute path nor slice:prefix:name");
    }
    auto st = check_cgroup_path(path, "linux.cgroupsPath");
    if (!st) return st.take_error();
    CgroupLayout layout = in.layout ? *in.layout : detect_cgroup_layout(in.cgroup_root);
    t.cpuset = layout.dir_for("cpuset", path);
    t.cpu = layout.dir_for("cpu", path);
    t.source = "linux.cgroupsPath";
    return t;
}

} // namespace wp
