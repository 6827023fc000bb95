#include "cgroup_layout.hpp"

#include <algorithm>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "dir.hpp"
#include "fd.hpp"
#include "trusted_file.hpp"

namespace wp {

bool lists_controller(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        size_t comma = list.find(',');
        if (list.substr(0, comma) == token) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

std::optional<std::string> CgroupLayout::v1_hierarchy(std::string_view controller) const {
    for (const auto &h : v1)
        if (lists_controller(h, controller)) return h;
    return std::nullopt;
}

std::string CgroupLayout::unified_prefix() const {
    std::string u = unified.value_or("unified");
    return u.empty() ? u : u + "/";
}

ControllerDir CgroupLayout::dir_for(std::string_view controller, const std::string &path) const {
    if (!pure_v2()) {
        if (auto h = v1_hierarchy(controller)) return {*h + "/" + path, false};
    }
    return {unified_prefix() + path, true};
}

CgroupLayout detect_cgroup_layout(const std::string &root) {
    CgroupLayout l;
    l.root = root;
    UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return l;
    struct stat st;
    if (::fstatat(fd.get(), "cgroup.controllers", &st, AT_SYMLINK_NOFOLLOW) == 0) {
        l.unified = "";
        return l;
    }
    if (::fstatat(fd.get(), "unified/cgroup.controllers", &st, AT_SYMLINK_NOFOLLOW) == 0)
        l.unified = "unified";
    auto names = list_dir(fd.get(), root);
    if (!names) return l;
    for (auto &e : *names) {
        if (e.name == "unified") continue;
        bool dir = e.type == DT_DIR;
        if (e.type == DT_UNKNOWN)
            dir = ::fstatat(fd.get(), e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                  S_ISDIR(st.st_mode);
        if (dir) l.v1.push_back(std::move(e.name));
    }
    std::sort(l.v1.begin(), l.v1.end());
    return l;
}

Result<CpuSet> online_cpus(const CgroupLayout &layout) {
    std::string path = layout.root + "/";
    auto h = layout.pure_v2() ? std::nullopt : layout.v1_hierarchy("cpuset");
    if (h)
        path += *h + "/cpuset.cpus";
    else
        path += layout.unified_prefix() + "cpuset.cpus.effective";
    auto text = read_file_nofollow(AT_FDCWD, path, kMaxSmallFileBytes);
    if (!text) return text.take_error();
    if (!*text)
        return make_error(Fault::Input, path + ": does not exist; cannot tell the online CPUs");
    auto cs = CpuSet::parse(**text);
    if (!cs) return wrap(cs.take_error(), path);
    return *cs;
}

} // namespace wp
