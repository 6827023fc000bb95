#include "merge.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <getopt.h>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_write.hpp"
#include "cli.hpp"
#include "config.hpp"
#include "trusted_file.hpp"

namespace wpctl {

namespace {

std::string join(const std::vector<std::string> &v, const char *sep = ", ") {
    std::string s;
    for (const auto &x : v) {
        if (!s.empty()) s += sep;
        s += x;
    }
    return s;
}

} // namespace

MergeResult merge_partitions(const MergeInputs &in, Diagnostics &diag) {
    MergeResult res;
    // name -> the objects that list it
    std::map<std::string, std::set<std::string>> names;
    std::map<std::string, const ManifestObject *> by_object;
    for (const auto &o : in.objects) {
        auto [it, fresh] = by_object.emplace(o.name, &o);
        if (!fresh && it->second->names != o.names)
            diag.warn(describe(o) + ": another object with this name (" + describe(*it->second) +
                      ") lists different partitions; the names of both are merged");
        for (const auto &n : o.names)
            names[n].insert(o.name);
    }
    if (in.objects.empty())
        diag.warn("no WorkloadPartitions objects in the inputs: no partition is defined");

    for (const auto &[name, sources] : names) {
        wp::Partition p;
        p.name = name;
        p.activation_annotation = std::string(wp::kActivationPrefix) + name;
        p.annotation_prefix = wp::kDefaultAnnotationPrefix;
        p.sources.assign(sources.begin(), sources.end());
        const PinningEntry *pin = nullptr;
        if (in.pinning) {
            auto it = in.pinning->find(name);
            if (it != in.pinning->end()) pin = &it->second;
        }
        if (pin != nullptr) {
            p.cpuset = pin->cpuset;
            p.cpuset_text = pin->cpuset_text;
        } else {
            diag.warn("partition \"" + name + "\" (from " + join(p.sources) + ") has no cpuset " +
                      (in.pinning ? "in " + in.pinning_path
                                  : std::string("on this node (no kubelet pinning file)")) +
                      ": written with cpuset \"\", its pods get shares but are not pinned until "
                      "the node reserves CPUs for it");
        }
        if (in.policy) {
            auto it = in.policy->find(name);
            if (it != in.policy->end()) {
                p.allowed_namespaces = it->second.allowed_namespaces;
                p.defaults = it->second.defaults;
            }
        }
        res.file.partitions.push_back(std::move(p));
    }
    if (in.pinning)
        for (const auto &[name, entry] : *in.pinning)
            if (!names.count(name))
                diag.warn(in.pinning_path + ": partition \"" + name +
                          "\": no WorkloadPartitions object names it; ignored");
    if (in.policy)
        for (const auto &[name, entry] : *in.policy)
            if (!names.count(name))
                diag.warn(in.policy_path + ": partition \"" + name +
                          "\": no WorkloadPartitions object names it; ignored");

    if (in.current) {
        for (const auto &old : in.current->partitions) {
            if (names.count(old.name)) continue;
            if (in.allow_removal) {
                res.removed.push_back(old.name);
                diag.warn(in.current_path + ": partition \"" + old.name +
                          "\" is in no input object; removed (--allow-removal)");
            } else {
                res.kept.push_back(old.name);
                diag.error(in.current_path + ": partition \"" + old.name + "\" (from " +
                           join(old.sources) +
                           ") is in no input object; kept as it was. Was the WorkloadPartitions "
                           "object that defined it deleted? Pass --allow-removal "
                           "to remove it");
                res.file.partitions.push_back(old);
            }
        }
    }
    std::sort(res.file.partitions.begin(), res.file.partitions.end(),
              [](const wp::Partition &a, const wp::Partition &b) { return a.name < b.name; });
    return res;
}

namespace {

void merge_usage(std::FILE *out) {
    std::fprintf(out,
                 "Usage: wpctl merge [-o FILE] [--pinning FILE] [--policy FILE] [--allow-removal]\n"
                 "                   [--dry-run] MANIFEST|DIR ...\n"
                 "Merges WorkloadPartitions objects (JSON or YAML; objects, Lists, directories)\n"
                 "with this node's cpusets into the merged partition file.\n"
                 "  -o, --output FILE   merged file to write (default %s; \"-\" = stdout)\n"
                 "      --pinning FILE  kubelet pinning file (default %s, if present)\n"
                 "      --policy FILE   node policy (default %s, if present)\n"
                 "      --allow-removal drop partitions of the current file that no input names\n"
                 "  -n, --dry-run       print the merged file on stdout, write nothing\n",
                 wp::kDefaultPartitionsPath, kDefaultPinningPath, kDefaultPolicyPath);
}

// Reads an optional input: explicit path must exist; the default may be absent.
std::optional<std::string> read_optional(const std::string &path, bool explicit_path,
                                         Diagnostics &diag) {
    if (!explicit_path && ::access(path.c_str(), F_OK) != 0) return std::nullopt;
    auto text = read_input_file(path, kMaxManifestBytes);
    if (!text) {
        diag.error(text.error().message);
        return std::nullopt;
    }
    return *text;
}

} // namespace

int cmd_merge(int argc, char **argv) {
    std::string output = wp::kDefaultPartitionsPath;
    std::string pinning_path = kDefaultPinningPath, policy_path = kDefaultPolicyPath;
    bool pinning_explicit = false, policy_explicit = false, allow_removal = false, dry_run = false;
    static const option longopts[] = {{"output", required_argument, nullptr, 'o'},
                                      {"pinning", required_argument, nullptr, 'p'},
                                      {"policy", required_argument, nullptr, 'P'},
                                      {"allow-removal", no_argument, nullptr, 'r'},
                                      {"dry-run", no_argument, nullptr, 'n'},
                                      {"help", no_argument, nullptr, 'h'},
                                      {nullptr, 0, nullptr, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+o:nh", longopts, nullptr)) != -1) {
        switch (c) {
        case 'o':
            output = optarg;
            break;
        case 'p':
            pinning_path = optarg, pinning_explicit = true;
            break;
        case 'P':
            policy_path = optarg, policy_explicit = true;
            break;
        case 'r':
            allow_removal = true;
            break;
        case 'n':
            dry_run = true;
            break;
        case 'h':
            merge_usage(stdout);
            return kExitOk;
        default:
            merge_usage(stderr);
            return kExitUsage;
        }
    }
    if (optind >= argc) {
        std::fprintf(stderr, "wpctl merge: no MANIFEST or DIR given\n");
        merge_usage(stderr);
        return kExitUsage;
    }
    std::vector<std::string> paths(argv + optind, argv + argc);

    Diagnostics diag;
    MergeInputs in;
    in.allow_removal = allow_removal;
    read_manifests(paths, in.objects, diag);
    in.pinning_path = pinning_path;
    if (auto t = read_optional(pinning_path, pinning_explicit, diag))
        in.pinning = parse_pinning(*t, pinning_path, diag);
    in.policy_path = policy_path;
    if (auto t = read_optional(policy_path, policy_explicit, diag))
        in.policy = parse_policy(*t, policy_path, diag);

    std::optional<std::string> current_text;
    // Lock the target's directory from reading the current file to writing the
    // new one, so that concurrent merges cannot lose each other's removal guard.
    std::optional<LockedTarget> target;
    if (output != "-" && !dry_run) {
        auto t = lock_target(output);
        if (!t) {
            std::fprintf(stderr, "wpctl merge: %s\n", t.error().message.c_str());
            return kExitUsage;
        }
        target = std::move(*t);
    }
    if (output != "-") {
        in.current_path = output;
        auto raw = wp::read_trusted_file(output, wp::kMaxConfigBytes);
        wp::Result<wp::PartitionFile> cur = wp::make_error(wp::Fault::Usage, "");
        if (raw && raw->has_value()) cur = wp::parse_partitions(**raw, output);
        if (!raw || (raw->has_value() && !cur)) {
            std::string msg = !raw ? raw.error().message : cur.error().message;
            if (allow_removal)
                diag.warn(msg + "; replaced (--allow-removal)");
            else
                diag.error(msg + "; cannot tell which partitions it holds: fix it, or pass "
                                 "--allow-removal to replace it");
        } else if (raw->has_value()) {
            in.current = std::move(*cur);
            current_text = **raw;
        }
    }
    if (diag.has_errors()) {
        diag.print(stderr);
        std::fprintf(stderr, "wpctl merge: %s not written\n", output.c_str());
        return kExitInvalid;
    }

    MergeResult res = merge_partitions(in, diag);
    diag.print(stderr);
    std::string text = wp::format_partitions(res.file);
    // What the hook will read must parse: the library is the one reader.
    auto check = wp::parse_partitions(text, output);
    if (!check) {
        std::fprintf(stderr, "wpctl merge: internal error, the merged file does not parse: %s\n",
                     check.error().message.c_str());
        return kExitUsage;
    }
    int rc = res.kept.empty() ? kExitOk : kExitInvalid;
    if (dry_run || output == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return rc;
    }
    std::vector<std::string> names;
    for (const auto &p : res.file.partitions)
        names.push_back(p.name);
    struct stat cur_st {};
    bool cur_mode_ok = ::stat(output.c_str(), &cur_st) == 0 && (cur_st.st_mode & 07777) == 0644;
    if (current_text && *current_text == text && cur_mode_ok) {
        std::fprintf(stderr, "wpctl merge: %s unchanged (%zu partitions: %s)\n", output.c_str(),
                     names.size(), join(names).c_str());
        return rc;
    }
    if (::geteuid() != 0)
        std::fprintf(stderr,
                     "wpctl: warning: not running as root: the hook only trusts a root-owned "
                     "%s\n",
                     output.c_str());
    auto st = write_locked(*target, text, 0644);
    if (!st) {
        std::fprintf(stderr, "wpctl merge: %s\n", st.error().message.c_str());
        return kExitUsage;
    }
    std::fprintf(stderr, "wpctl merge: wrote %s (%zu partitions: %s)\n", output.c_str(),
                 names.size(), join(names).c_str());
    return rc;
}

} // namespace wpctl
