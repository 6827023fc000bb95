#include "state.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>

#include "fd.hpp"
#include "json.hpp"
#include "trusted_file.hpp"

namespace wp {

namespace {

constexpr std::string_view kStateWhat = "OCI state on stdin";

Status parse_annotations(json_object *obj, std::string_view what, Fault fault, Annotations &out) {
    if (!json_object_is_type(obj, json_type_object))
        return make_error(fault, std::string(what) +
                                     ": key \"annotations\": expected an object, got " +
                                     json_type_label(obj));
    if (static_cast<size_t>(json_object_object_length(obj)) > kMaxAnnotations)
        return make_error(fault, std::string(what) + ": more than " +
                                     std::to_string(kMaxAnnotations) + " annotations");
    json_object_object_foreach(obj, key, val) {
        std::string k(key);
        auto v = json_string(val, what, "annotations." + k, fault);
        if (!v) return v.take_error();
        out.insert_or_assign(std::move(k), std::move(*v));
    }
    return ok_status();
}

} // namespace

Result<OciState> parse_state(std::string_view text) {
    if (text.size() > kMaxStateBytes)
        return make_error(Fault::Usage, std::string(kStateWhat) + ": larger than " +
                                            std::to_string(kMaxStateBytes) + " bytes");
    auto root = json_parse_object(text, kStateWhat);
    if (!root) return root.take_error();
    json_object *o = root->get();
    OciState st;
    json_object *v = nullptr;
    if (json_object_object_get_ex(o, "ociVersion", &v)) {
        auto s = json_string(v, kStateWhat, "ociVersion");
        if (!s) return s.take_error();
        st.oci_version = std::move(*s);
    }
    if (!json_object_object_get_ex(o, "id", &v))
        return make_error(Fault::Usage, std::string(kStateWhat) + ": key \"id\" is missing");
    {
        auto s = json_string(v, kStateWhat, "id");
        if (!s) return s.take_error();
        if (s->empty())
            return make_error(Fault::Usage, std::string(kStateWhat) + ": key \"id\" is empty");
        st.id = std::move(*s);
    }
    if (json_object_object_get_ex(o, "status", &v)) {
        auto s = json_string(v, kStateWhat, "status");
        if (!s) return s.take_error();
        if (*s != "creating" && *s != "created" && *s != "stopped")
            return make_error(Fault::Usage, std::string(kStateWhat) + ": key \"status\": \"" + *s +
                                                "\" is not \"creating\", \"created\" or "
                                                "\"stopped\"");
        st.status = std::move(*s);
    }
    if (json_object_object_get_ex(o, "pid", &v)) {
        auto n = json_int(v, kStateWhat, "pid");
        if (!n) return n.take_error();
        if (*n < 0 || *n > 0x3fffffff)
            return make_error(Fault::Usage, std::string(kStateWhat) + ": key \"pid\": " +
                                                std::to_string(*n) + " is not a valid pid");
        st.pid = static_cast<int>(*n);
    }
    if (json_object_object_get_ex(o, "bundle", &v)) {
        auto s = json_string(v, kStateWhat, "bundle");
        if (!s) return s.take_error();
        st.bundle = std::move(*s);
    }
    if (json_object_object_get_ex(o, "annotations", &v) && v != nullptr) {
        st.has_annotations = true;
        auto s = parse_annotations(v, kStateWhat, Fault::Usage, st.annotations);
        if (!s) return s.take_error();
    }
    return st;
}

Result<BundleConfig> parse_bundle_config(std::string_view text, std::string_view what) {
    auto root = json_parse_object(text, what, Fault::Input);
    if (!root) return root.take_error();
    json_object *o = root->get();
    BundleConfig bc;
    json_object *v = nullptr;
    if (json_object_object_get_ex(o, "annotations", &v) && v != nullptr) {
        bc.has_annotations = true;
        auto s = parse_annotations(v, what, Fault::Input, bc.annotations);
        if (!s) return s.take_error();
    }
    json_object *linux_obj = nullptr;
    if (json_object_object_get_ex(o, "linux", &linux_obj) && linux_obj != nullptr &&
        json_object_is_type(linux_obj, json_type_object) &&
        json_object_object_get_ex(linux_obj, "cgroupsPath", &v) && v != nullptr) {
        auto s = json_string(v, what, "linux.cgroupsPath", Fault::Input);
        if (!s) return s.take_error();
        bc.cgroups_path = std::move(*s);
    }
    return bc;
}

Result<std::optional<BundleConfig>> load_bundle_config(const std::string &bundle) {
    if (bundle.empty()) return std::optional<BundleConfig>{};
    if (bundle.front() != '/')
        return make_error(Fault::Input,
                          "OCI state: bundle \"" + bundle + "\" is not an absolute path");
    UniqueFd dir(::open(bundle.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) {
        if (errno == ENOENT) return std::optional<BundleConfig>{};
        return make_errno_error(Fault::Input, errno, "bundle " + bundle + ": cannot open");
    }
    std::string what = bundle + "/config.json";
    auto text = read_file_nofollow(dir.get(), "config.json", kMaxBundleConfigBytes);
    if (!text) return wrap(text.take_error(), "bundle " + bundle);
    if (!*text) return std::optional<BundleConfig>{};
    auto bc = parse_bundle_config(**text, what);
    if (!bc) return bc.take_error();
    return std::optional<BundleConfig>(std::move(*bc));
}

std::optional<std::string_view> find_annotation(const Annotations &a, std::string_view key) {
    auto it = a.find(key);
    if (it == a.end()) return std::nullopt;
    return std::string_view(it->second);
}

} // namespace wp
