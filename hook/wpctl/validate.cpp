// `wpctl validate FILE...`: manifests, kubelet pinning files, node policies,
// node configs and merged partition files, each checked by the code that
// consumes it (the library for the node config and the merged file).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <getopt.h>
#include <string>

#include "cli.hpp"
#include "config.hpp"
#include "diag.hpp"
#include "manifest.hpp"
#include "nodefiles.hpp"
#include "partitions.hpp"
#include "trusted_file.hpp"

namespace wpctl {

namespace {

enum class Kind { Auto, Manifest, Pinning, Policy, Config, Partitions };

const char *kind_name(Kind k) {
    switch (k) {
    case Kind::Auto:
        return "auto";
    case Kind::Manifest:
        return "manifest";
    case Kind::Pinning:
        return "pinning";
    case Kind::Policy:
        return "policy";
    case Kind::Config:
        return "config";
    case Kind::Partitions:
        return "partitions";
    }
    return "?";
}

bool parse_kind(const char *s, Kind &k) {
    for (Kind c :
         {Kind::Auto, Kind::Manifest, Kind::Pinning, Kind::Policy, Kind::Config, Kind::Partitions})
        if (std::strcmp(s, kind_name(c)) == 0) {
            k = c;
            return true;
        }
    return false;
}

bool is_config_key(const char *k) {
    for (const char *c : {"enabled", "mode", "failurePolicy", "partitionsFile", "sharesToWeight",
                          "cgroupRoot", "procRoot", "log"})
        if (std::strcmp(k, c) == 0) return true;
    return false;
}

// Guesses what a file is from its content.
Kind sniff(std::string_view text, const std::string &path, std::string &why) {
    auto docs = load_documents(text, path);
    if (!docs) {
        why = docs.error().message;
        return Kind::Auto;
    }
    if (docs->size() != 1 || !json_object_is_type((*docs)[0].get(), json_type_object))
        return Kind::Manifest; // let the manifest checker explain
    json_object *o = (*docs)[0].get();
    if (json_object_object_get_ex(o, "apiVersion", nullptr) ||
        json_object_object_get_ex(o, "kind", nullptr))
        return Kind::Manifest;
    if (json_object_object_get_ex(o, "version", nullptr) &&
        json_object_object_get_ex(o, "partitions", nullptr))
        return Kind::Partitions;
    if (json_object_object_length(o) == 0) return Kind::Config;
    bool pin = false, pol = false;
    json_object_object_foreach(o, key, val) {
        if (is_config_key(key)) return Kind::Config;
        if (val != nullptr && json_object_is_type(val, json_type_object)) {
            if (json_object_object_get_ex(val, "cpuset", nullptr)) pin = true;
            if (json_object_object_get_ex(val, "allowedNamespaces", nullptr) ||
                json_object_object_get_ex(val, "defaults", nullptr))
                pol = true;
        }
    }
    if (pin && !pol) return Kind::Pinning;
    if (pol && !pin) return Kind::Policy;
    why = path + ": cannot tell what kind of file this is; pass --type "
                 "manifest|pinning|policy|config|partitions";
    return Kind::Auto;
}

// The hook refuses node files that are not root-owned or are group/world writable.
void check_trust(const std::string &path, Diagnostics &diag) {
    auto r = wp::read_trusted_file(path, wp::kMaxConfigBytes);
    if (!r) diag.error(r.error().message + " (the hook refuses this file)");
}

std::string manifest_summary(const std::vector<ManifestObject> &objs) {
    std::vector<std::string> names;
    for (const auto &o : objs)
        for (const auto &n : o.names)
            if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    std::string s =
        std::to_string(objs.size()) + " WorkloadPartitions object" + (objs.size() == 1 ? "" : "s");
    if (!names.empty()) {
        s += " (partitions: ";
        for (size_t i = 0; i < names.size(); ++i)
            s += (i ? ", " : "") + names[i];
        s += ")";
    }
    return s;
}

void validate_usage(std::FILE *out) {
    std::fprintf(out, "Usage: wpctl validate [--type manifest|pinning|policy|config|partitions] "
                      "FILE|DIR ...\n"
                      "Checks each file as the component that reads it would. Exit 0: all valid;\n"
                      "1: a file is invalid; 2: usage error.\n");
}

} // namespace

int cmd_validate(int argc, char **argv) {
    Kind forced = Kind::Auto;
    static const option longopts[] = {{"type", required_argument, nullptr, 't'},
                                      {"help", no_argument, nullptr, 'h'},
                                      {nullptr, 0, nullptr, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "+t:h", longopts, nullptr)) != -1) {
        switch (c) {
        case 't':
            if (!parse_kind(optarg, forced)) {
                std::fprintf(stderr, "wpctl validate: --type %s: unknown type\n", optarg);
                return kExitUsage;
            }
            break;
        case 'h':
            validate_usage(stdout);
            return kExitOk;
        default:
            validate_usage(stderr);
            return kExitUsage;
        }
    }
    if (optind >= argc) {
        validate_usage(stderr);
        return kExitUsage;
    }
    int rc = kExitOk;
    for (int i = optind; i < argc; ++i) {
        std::string path = argv[i];
        Diagnostics diag;
        Kind kind = forced;
        std::string summary;
        std::error_code ec;
        if (path != "-" && std::filesystem::is_directory(path, ec)) {
            std::vector<ManifestObject> objs;
            read_manifests({path}, objs, diag);
            kind = Kind::Manifest;
            summary = manifest_summary(objs);
        } else {
            auto text = read_input_file(path, kMaxManifestBytes);
            if (!text) {
                diag.error(text.error().message);
            } else {
                std::string why;
                if (kind == Kind::Auto) kind = sniff(*text, path, why);
                switch (kind) {
                case Kind::Auto:
                    diag.error(why);
                    break;
                case Kind::Manifest: {
                    std::vector<ManifestObject> objs;
                    read_manifest_text(*text, path, objs, diag);
                    summary = manifest_summary(objs);
                    break;
                }
                case Kind::Pinning: {
                    auto p = parse_pinning(*text, path, diag);
                    summary = std::to_string(p.size()) + " partitions with a cpuset";
                    break;
                }
                case Kind::Policy: {
                    auto p = parse_policy(*text, path, diag);
                    summary = std::to_string(p.size()) + " partition policies";
                    break;
                }
                case Kind::Config: {
                    auto cfg = wp::parse_config(*text, path);
                    if (!cfg)
                        diag.error(cfg.error().message);
                    else
                        summary = std::string("node config, ") +
                                  (cfg->enabled ? "enabled" : "disabled") + ", mode " +
                                  wp::mode_name(cfg->mode);
                    if (path != "-") check_trust(path, diag);
                    break;
                }
                case Kind::Partitions: {
                    auto pf = wp::parse_partitions(*text, path);
                    if (!pf)
                        diag.error(pf.error().message);
                    else {
                        summary = "merged partition file, " +
                                  std::to_string(pf->partitions.size()) + " partitions";
                        for (const auto &p : pf->partitions)
                            if (p.cpuset_text.empty())
                                diag.warn(path + ": partition \"" + p.name +
                                          "\": cpuset \"\": its pods are not pinned");
                    }
                    if (path != "-") check_trust(path, diag);
                    break;
                }
                }
            }
        }
        diag.print(stderr);
        if (diag.has_errors()) {
            std::printf("%s: invalid (%s)\n", path.c_str(), kind_name(kind));
            rc = kExitInvalid;
        } else {
            std::printf("%s: valid %s: %s\n", path.c_str(), kind_name(kind), summary.c_str());
        }
    }
    return rc;
}

} // namespace wpctl
