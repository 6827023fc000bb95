// decision: activation, namespaces, overrides into a Plan; shares -> weight.
#include "unit.hpp"

#include "cgroup_write.hpp"
#include "decision.hpp"

using wp::Fault;
using wp::Verdict;

static const char *kAct = "target.workload.openshift.io/management";
static const char *kActInfra = "target.workload.openshift.io/infra";
static const char *kOverrideEtcd = "resources.workload.openshift.io/etcd";
static const char *kActValue = R"({"effect": "PreferredDuringScheduling"})";

static wp::PartitionFile parts(const std::string &management_body,
                               const std::string &extra_partitions = "") {
    std::string text = R"({"version": 1, "partitions": {"management": )" + management_body +
                       extra_partitions + "}}";
    auto r = wp::parse_partitions(text, "partitions.json");
    ASSERT_OK(r);
    return *r;
}

static wp::Annotations pod(std::initializer_list<std::pair<const std::string, std::string>> extra) {
    wp::Annotations a{{"io.kubernetes.pod.namespace", "openshift-etcd"},
                      {"io.kubernetes.pod.name", "etcd-master-0"},
                      {"io.kubernetes.container.name", "etcd"}};
    for (auto &kv : extra)
        a[kv.first] = kv.second;
    return a;
}

// An online-CPU callback that counts its calls.
struct Online {
    int calls = 0;
    std::string cpus = "0-3";
    std::function<wp::Result<wp::CpuSet>()> fn() {
        return [this]() -> wp::Result<wp::CpuSet> {
            ++calls;
            return wp::CpuSet::parse(cpus);
        };
    }
};

static wp::Decision must_decide(const wp::PartitionFile &f, const wp::Annotations &a,
                                Online &online) {
    auto r = wp::decide(f, a, online.fn());
    ASSERT_OK(r);
    return *r;
}

static void expect_plan_empty(const wp::Plan &p) {
    assert_false(p.cpuset.has_value());
    assert_false(p.shares.has_value());
    assert_false(p.quota_us.has_value());
    assert_false(p.period_us.has_value());
}

// --- activation -----------------------------------------------------------

static void no_activation_annotation_is_no_partition(void **) {
    Online online;
    // Even a malformed override does not matter when nothing is activated.
    wp::Decision d =
        must_decide(parts(R"({"cpuset": "0-1"})"), pod({{kOverrideEtcd, "{bad"}}), online);
    assert_true(d.verdict == Verdict::NoPartition);
    assert_null(d.partition);
    expect_plan_empty(d.plan);
    assert_int_equal(online.calls, 0);
}

static void empty_annotations_are_no_partition(void **) {
    Online online;
    wp::Decision d = must_decide(parts(R"({"cpuset": "0-1"})"), wp::Annotations{}, online);
    assert_true(d.verdict == Verdict::NoPartition);
}

static void activation_of_an_unknown_partition_is_no_partition(void **) {
    Online online;
    wp::Decision d = must_decide(parts(R"({"cpuset": "0-1"})"),
                                 pod({{"target.workload.openshift.io/other", kActValue}}), online);
    assert_true(d.verdict == Verdict::NoPartition);
}

static void activation_value_need_not_parse(void **) {
    Online online;
    wp::Decision d = must_decide(parts(R"({"cpuset": "0-1"})"), pod({{kAct, "not json"}}), online);
    assert_true(d.verdict == Verdict::Apply);
    wp::Decision e = must_decide(parts(R"({"cpuset": "0-1"})"), pod({{kAct, ""}}), online);
    assert_true(e.verdict == Verdict::Apply);
}

static void find_activated_returns_the_partition_or_null(void **) {
    wp::PartitionFile f = parts(R"({"cpuset": "0-1"})", R"(, "infra": {"cpuset": "2"})");
    auto none = wp::find_activated(f, pod({}));
    ASSERT_OK(none);
    assert_null(*none);
    auto one = wp::find_activated(f, pod({{kActInfra, kActValue}}));
    ASSERT_OK(one);
    assert_non_null(*one);
    ASSERT_STR_EQ((*one)->name, "infra");
    assert_ptr_equal(*one, f.find("infra"));
}

static void two_activated_partitions_is_an_error_naming_both(void **) {
    wp::PartitionFile f = parts(R"({"cpuset": "0-1"})", R"(, "infra": {"cpuset": "2"})");
    wp::Annotations a = pod({{kAct, kActValue}, {kActInfra, kActValue}});
    ASSERT_ERR(wp::find_activated(f, a), Fault::Input, kAct, kActInfra);
    Online online;
    ASSERT_ERR(wp::decide(f, a, online.fn()), Fault::Input, kAct, kActInfra);
}

static void custom_activation_annotation_and_prefix(void **) {
    wp::PartitionFile f = parts(R"({"cpuset": "0-1", "activationAnnotation": "example.com/pin",
                                    "annotationPrefix": "example.com/res"})");
    Online online;
    // The default activation key does not activate a partition that names another.
    wp::Decision d0 = must_decide(f, pod({{kAct, kActValue}}), online);
    assert_true(d0.verdict == Verdict::NoPartition);
    wp::Decision d = must_decide(
        f, pod({{"example.com/pin", "x"}, {"example.com/res/etcd", R"({"cpushares": 300})"}}),
        online);
    assert_true(d.verdict == Verdict::Apply);
    assert_true(d.plan.shares.has_value());
    assert_int_equal(*d.plan.shares, 300);
}

static void decide_for_applies_the_given_partition(void **) {
    wp::PartitionFile f = parts(R"({"cpuset": "0-1"})", R"(, "infra": {"cpuset": "2-3"})");
    Online online;
    // decide_for trusts its caller's choice of partition (find_activated).
    auto r = wp::decide_for(*f.find("infra"),
                            pod({{kActInfra, kActValue}, {kOverrideEtcd, R"({"cpushares": 300})"}}),
                            online.fn());
    ASSERT_OK(r);
    assert_true(r->verdict == Verdict::Apply);
    assert_ptr_equal(r->partition, f.find("infra"));
    ASSERT_STR_EQ(r->plan.cpuset->format(), "2-3");
    assert_int_equal(*r->plan.shares, 300);
}

// --- the plan ---------------------------------------------------------------

static void activated_without_override_pins_the_partition_cpuset_only(void **) {
    wp::PartitionFile f = parts(R"({"cpuset": "0-1,52-53"})");
    Online online;
    wp::Decision d = must_decide(f, pod({{kAct, kActValue}}), online);
    assert_true(d.verdict == Verdict::Apply);
    assert_ptr_equal(d.partition, f.find("management"));
    ASSERT_STR_EQ(d.pod_namespace, "openshift-etcd");
    ASSERT_STR_EQ(d.pod_name, "etcd-master-0");
    ASSERT_STR_EQ(d.container_name, "etcd");
    assert_true(d.plan.cpuset.has_value());
    ASSERT_STR_EQ(d.plan.cpuset->format(), "0-1,52-53");
    assert_false(d.plan.shares.has_value()); // defaults.cpushares 0: leave as the runtime set it
    assert_false(d.plan.quota_us.has_value());
    assert_false(d.plan.period_us.has_value());
    assert_int_equal(online.calls, 0);
}

static void partition_default_shares_are_planned(void **) {
    Online online;
    wp::Decision d = must_decide(parts(R"({"cpuset": "0-1", "defaults": {"cpushares": 512}})"),
                                 pod({{kAct, kActValue}}), online);
    assert_true(d.plan.shares.has_value());
    assert_int_equal(*d.plan.shares, 512);
}

static void override_cpushares_replaces_the_default(void **) {
    Online online;
    wp::Decision d =
        must_decide(parts(R"({"cpuset": "0-1", "defaults": {"cpushares": 512}})"),
                    pod({{kAct, kActValue}, {kOverrideEtcd, R"({"cpushares": 400})"}}), online);
    assert_int_equal(*d.plan.shares, 400);
}

static void override_zero_keeps_the_default(void **) {
    Online online;
    wp::Decision d = must_decide(
        parts(R"({"cpuset": "0-1", "defaults": {"cpushares": 512}})"),
        pod({{kAct, kActValue}, {kOverrideEtcd, R"({"cpushares": 0, "cpuset": ""})"}}), online);
    assert_true(d.plan.shares.has_value());
    assert_int_equal(*d.plan.shares, 512);
    ASSERT_STR_EQ(d.plan.cpuset->format(), "0-1");
}

// CRI-O parity: a null key is Go's "field left at its zero value", the partition default.
static void override_null_key_means_the_partition_default(void **) {
    Online online;
    wp::Decision d = must_decide(
        parts(R"({"cpuset": "0-1", "defaults": {"cpushares": 512, "cpuquota": 50000}})"),
        pod({{kAct, kActValue},
             {kOverrideEtcd,
              R"({"cpushares": null, "cpuset": null, "cpuquota": null, "cpulimit": null, "cpuperiod": null})"}}),
        online);
    assert_true(d.verdict == Verdict::Apply);
    assert_false(d.left_as_is);
    assert_int_equal(*d.plan.shares, 512);
    ASSERT_STR_EQ(d.plan.cpuset->format(), "0-1");
    assert_int_equal(*d.plan.quota_us, 50000);
    assert_int_equal(*d.plan.period_us, 100000);
}

// CRI-O parity: the whole value null is MutateSpec(nil): nothing at all, not even
// the partition's cpuset or defaults.
static void whole_override_null_leaves_the_container_alone(void **) {
    Online online;
    wp::Decision d = must_decide(
        parts(R"({"cpuset": "0-1", "defaults": {"cpushares": 512, "cpuquota": 50000}})"),
        pod({{kAct, kActValue}, {kOverrideEtcd, "null"}}), online);
    assert_true(d.verdict == Verdict::Apply);
    assert_true(d.left_as_is);
    expect_plan_empty(d.plan);
    assert_int_equal(d.notes.size(), 1);
    ASSERT_CONTAINS(d.notes.front(), "null");
}

// CRI-O parity: without the kubelet's container-name label, the name comes from
// the CRI metadata CRI-O records, and its override applies.
static void container_name_falls_back_to_the_cri_o_metadata(void **) {
    Online online;
    wp::Annotations a{{"io.kubernetes.pod.namespace", "openshift-etcd"},
                      {kAct, kActValue},
                      {"io.kubernetes.cri-o.Metadata", R"({"name":"etcd","attempt":0})"},
                      {kOverrideEtcd, R"({"cpushares": 300})"}};
    wp::Decision d = must_decide(parts(R"({"cpuset": "0-1"})"), a, online);
    ASSERT_STR_EQ(d.container_name, "etcd");
    assert_int_equal(*d.plan.shares, 300);
    // The kubelet's label wins when both are present.
    a["io.kubernetes.container.name"] = "other";
    wp::Decision d2 = must_decide(parts(R"({"cpuset": "0-1"})"), a, online);
    ASSERT_STR_EQ(d2.container_name, "other");
    assert_false(d2.plan.shares.has_value());
    // Metadata without a name: no override; malformed metadata: an error naming it.
    a.erase("io.kubernetes.container.name");
    a["io.kubernetes.cri-o.Metadata"] = R"({"attempt":1})";
    wp::Decision d3 = must_decide(parts(R"({"cpuset": "0-1"})"), a, online);
    ASSERT_STR_EQ(d3.container_name, "");
    assert_false(d3.plan.shares.has_value());
    a["io.kubernetes.cri-o.Metadata"] = "{not json";
    ASSERT_ERR(wp::decide(parts(R"({"cpuset": "0-1"})"), a, online.fn()), Fault::Input,
               "io.kubernetes.cri-o.Metadata");
}

static wp::Plan plan_for(const std::string &partition_body, const std::string &override) {
    Online online;
    wp::Decision d = must_decide(parts(partition_body),
                                 pod({{kAct, kActValue}, {kOverrideEtcd, override}}), online);
    assert_true(d.verdict == Verdict::Apply);
    return d.plan;
}

static void expect_quota(const wp::Plan &p, int64_t quota, int64_t period) {
    if (!p.quota_us) fail_msg("no quota planned, expected %lld", static_cast<long long>(quota));
    if (!p.period_us) fail_msg("no period planned, expected %lld", static_cast<long long>(period));
    if (*p.quota_us != quota || *p.period_us != period)
        fail_msg("planned quota %lld period %lld, expected %lld %lld",
                 static_cast<long long>(*p.quota_us), static_cast<long long>(*p.period_us),
                 static_cast<long long>(quota), static_cast<long long>(period));
}

static void cpulimit_sets_quota_with_the_default_period(void **) {
    // 500 millicores x 100000 us / 1000 = 50000 us
    expect_quota(plan_for(R"({"cpuset": "0-1"})", R"({"cpulimit": 500})"), 50000, 100000);
    expect_quota(plan_for(R"({"cpuset": "0-1"})", R"({"cpulimit": 2000})"), 200000, 100000);
}

static void small_cpulimit_quota_is_raised_to_1000(void **) {
    // 5 x 100000 / 1000 = 500 -> max(500, 1000)
    expect_quota(plan_for(R"({"cpuset": "0-1"})", R"({"cpulimit": 5})"), 1000, 100000);
    expect_quota(plan_for(R"({"cpuset": "0-1"})", R"({"cpulimit": 1})"), 1000, 100000);
    // 10 x 100000 / 1000 = 1000 exactly
    expect_quota(plan_for(R"({"cpuset": "0-1"})", R"({"cpulimit": 10})"), 1000, 100000);
}

static void cpulimit_uses_the_override_period(void **) {
    expect_quota(plan_for(R"({"cpuset": "0-1"})", R"({"cpulimit": 500, "cpuperiod": 200000})"),
                 100000, 200000);
    // 1 x 1000 / 1000 = 1 -> 1000
    expect_quota(plan_for(R"({"cpuset": "0-1"})", R"({"cpulimit": 1, "cpuperiod": 1000})"), 1000,
                 1000);
}

static void cpulimit_uses_the_partition_default_period(void **) {
    expect_quota(
        plan_for(R"({"cpuset": "0-1", "defaults": {"cpuperiod": 50000}})", R"({"cpulimit": 500})"),
        25000, 50000);
}

static void cpulimit_overrides_cpuquota(void **) {
    expect_quota(plan_for(R"({"cpuset": "0-1"})", R"({"cpulimit": 500, "cpuquota": 20000})"), 50000,
                 100000);
    expect_quota(
        plan_for(R"({"cpuset": "0-1", "defaults": {"cpuquota": 20000}})", R"({"cpulimit": 500})"),
        50000, 100000);
}

static void huge_cpulimit_never_wraps_into_a_small_quota(void **) {
    Online online;
    auto r = wp::decide(
        parts(R"({"cpuset": "0-1"})"),
        pod({{kAct, kActValue}, {kOverrideEtcd, R"({"cpulimit": 9223372036854775807})"}}),
        online.fn());
    if (!r.ok()) return; // refusing the value is fine
    assert_true(r->plan.quota_us.has_value());
    if (*r->plan.quota_us < 1000000000000LL)
        fail_msg("cpulimit 9223372036854775807 planned a quota of %lld us",
                 static_cast<long long>(*r->plan.quota_us));
}

static void cpuquota_alone_gets_the_default_period(void **) {
    expect_quota(plan_for(R"({"cpuset": "0-1"})", R"({"cpuquota": 20000})"), 20000, 100000);
}

static void partition_default_quota_and_period(void **) {
    expect_quota(
        plan_for(R"({"cpuset": "0-1", "defaults": {"cpuquota": 30000, "cpuperiod": 60000}})", "{}"),
        30000, 60000);
}

static void cpuperiod_alone_writes_no_quota(void **) {
    wp::Plan p = plan_for(R"({"cpuset": "0-1"})", R"({"cpuperiod": 50000})");
    assert_false(p.quota_us.has_value());
    assert_true(p.period_us.has_value());
    assert_int_equal(*p.period_us, 50000);
}

static void no_quota_means_no_period(void **) {
    wp::Plan p = plan_for(R"({"cpuset": "0-1"})", R"({"cpushares": 400})");
    assert_false(p.quota_us.has_value());
    assert_false(p.period_us.has_value());
}

// --- cpuset overrides -------------------------------------------------------

static void override_cpuset_inside_the_partition_is_used(void **) {
    Online online;
    wp::Decision d =
        must_decide(parts(R"({"cpuset": "0-3"})"),
                    pod({{kAct, kActValue}, {kOverrideEtcd, R"({"cpuset": "1-2"})"}}), online);
    ASSERT_STR_EQ(d.plan.cpuset->format(), "1-2");
    assert_int_equal(online.calls, 0);
    wp::Decision same =
        must_decide(parts(R"({"cpuset": "0-3"})"),
                    pod({{kAct, kActValue}, {kOverrideEtcd, R"({"cpuset": "0-3"})"}}), online);
    ASSERT_STR_EQ(same.plan.cpuset->format(), "0-3");
    assert_int_equal(online.calls, 0);
}

static void override_cpuset_outside_the_partition_is_refused(void **) {
    Online online;
    auto r =
        wp::decide(parts(R"({"cpuset": "0-1"})"),
                   pod({{kAct, kActValue}, {kOverrideEtcd, R"({"cpuset": "1-2"})"}}), online.fn());
    ASSERT_ERR(r, Fault::Input, kOverrideEtcd, "1-2");
    assert_int_equal(online.calls, 0); // a non-empty partition cpuset is the bound
}

static void empty_partition_cpuset_bounds_the_override_by_online_cpus(void **) {
    Online online;
    online.cpus = "0-3";
    wp::Decision d =
        must_decide(parts(R"({"cpuset": ""})"),
                    pod({{kAct, kActValue}, {kOverrideEtcd, R"({"cpuset": "3"})"}}), online);
    ASSERT_STR_EQ(d.plan.cpuset->format(), "3");
    assert_int_equal(online.calls, 1);
}

static void empty_partition_cpuset_refuses_an_override_beyond_online_cpus(void **) {
    Online online;
    online.cpus = "0-1";
    ASSERT_ERR(wp::decide(parts(R"({"cpuset": ""})"),
                          pod({{kAct, kActValue}, {kOverrideEtcd, R"({"cpuset": "2"})"}}),
                          online.fn()),
               Fault::Input, kOverrideEtcd);
    assert_int_equal(online.calls, 1);
}

static void empty_partition_cpuset_without_override_pins_nothing(void **) {
    Online online;
    wp::Decision d = must_decide(parts(R"({"cpuset": "", "defaults": {"cpushares": 256}})"),
                                 pod({{kAct, kActValue}}), online);
    assert_true(d.verdict == Verdict::Apply);
    assert_false(d.plan.cpuset.has_value());
    assert_int_equal(*d.plan.shares, 256); // shares still apply
    assert_int_equal(online.calls, 0);
}

static void online_cpus_failure_is_an_error(void **) {
    wp::PartitionFile f = parts(R"({"cpuset": ""})");
    auto failing = []() -> wp::Result<wp::CpuSet> {
        return wp::make_error(Fault::System, "cpuset.cpus.effective: unreadable");
    };
    auto r =
        wp::decide(f, pod({{kAct, kActValue}, {kOverrideEtcd, R"({"cpuset": "0"})"}}), failing);
    ASSERT_FAILS(r, "unreadable");
}

// --- which override applies ---------------------------------------------------

static void without_container_name_no_override_is_read(void **) {
    Online online;
    wp::Annotations a = pod({{kAct, kActValue}, {kOverrideEtcd, "{bad json"}});
    a.erase("io.kubernetes.container.name");
    wp::Decision d =
        must_decide(parts(R"({"cpuset": "0-1", "defaults": {"cpushares": 512}})"), a, online);
    assert_true(d.verdict == Verdict::Apply);
    assert_int_equal(*d.plan.shares, 512);
    ASSERT_STR_EQ(d.container_name, "");
}

static void another_containers_override_is_ignored(void **) {
    Online online;
    wp::Decision d = must_decide(
        parts(R"({"cpuset": "0-1"})"),
        pod({{kAct, kActValue}, {"resources.workload.openshift.io/sidecar", "{bad json"}}), online);
    assert_true(d.verdict == Verdict::Apply);
    assert_false(d.plan.shares.has_value());
}

static void malformed_override_is_an_input_error_naming_the_annotation(void **) {
    Online online;
    ASSERT_ERR(wp::decide(parts(R"({"cpuset": "0-1"})"),
                          pod({{kAct, kActValue}, {kOverrideEtcd, "{cpushares: 400}"}}),
                          online.fn()),
               Fault::Input, kOverrideEtcd);
    ASSERT_ERR(wp::decide(parts(R"({"cpuset": "0-1"})"),
                          pod({{kAct, kActValue}, {kOverrideEtcd, R"({"cpushares": 1})"}}),
                          online.fn()),
               Fault::Input, kOverrideEtcd, "cpushares");
}

static void unknown_override_keys_are_noted(void **) {
    Online online;
    wp::Decision d = must_decide(
        parts(R"({"cpuset": "0-1"})"),
        pod({{kAct, kActValue}, {kOverrideEtcd, R"({"cpushares": 400, "memory": 1})"}}), online);
    assert_true(d.verdict == Verdict::Apply);
    bool noted = false;
    for (auto &n : d.notes)
        if (unit::contains(n, "memory")) noted = true;
    if (!noted) fail_msg("the unknown key \"memory\" is not in the decision's notes");
}

// --- allowedNamespaces ------------------------------------------------------

static wp::Decision decide_in_namespace(const char *ns) {
    Online online;
    wp::Annotations a = pod({{kAct, kActValue}});
    if (ns)
        a["io.kubernetes.pod.namespace"] = ns;
    else
        a.erase("io.kubernetes.pod.namespace");
    return must_decide(
        parts(R"({"cpuset": "0-1", "allowedNamespaces": ["openshift-*", "kube-system"]})"), a,
        online);
}

static void allowed_namespace_exact_match_applies(void **) {
    assert_true(decide_in_namespace("kube-system").verdict == Verdict::Apply);
}

static void allowed_namespace_prefix_glob_applies(void **) {
    wp::Decision d = decide_in_namespace("openshift-etcd");
    assert_true(d.verdict == Verdict::Apply);
    ASSERT_STR_EQ(d.plan.cpuset->format(), "0-1");
}

static void namespace_outside_the_list_is_not_allowed_and_plans_nothing(void **) {
    for (const char *ns : {"default", "kube-public", "openshift", "my-openshift-x"}) {
        wp::Decision d = decide_in_namespace(ns);
        if (d.verdict != Verdict::NotAllowed) fail_msg("namespace %s was not refused", ns);
        expect_plan_empty(d.plan);
        // The refusal is logged: the decision says which namespace was refused.
        bool named = false;
        for (auto &n : d.notes)
            if (unit::contains(n, ns)) named = true;
        if (!named) fail_msg("no note names the refused namespace %s", ns);
    }
}

static void missing_namespace_is_not_allowed_when_a_list_is_set(void **) {
    assert_true(decide_in_namespace(nullptr).verdict == Verdict::NotAllowed);
}

static void empty_allowed_namespaces_allow_any_namespace(void **) {
    Online online;
    wp::Annotations a = pod({{kAct, kActValue}});
    a["io.kubernetes.pod.namespace"] = "default";
    assert_true(must_decide(parts(R"({"cpuset": "0-1"})"), a, online).verdict == Verdict::Apply);
}

// --- shares_to_weight --------------------------------------------------------

static void quadratic_shares_to_weight(void **) {
    using wp::SharesToWeight;
    assert_int_equal(wp::shares_to_weight(1024, SharesToWeight::Quadratic), 100);
    assert_int_equal(wp::shares_to_weight(2048, SharesToWeight::Quadratic), 174);
    assert_int_equal(wp::shares_to_weight(2, SharesToWeight::Quadratic), 1);
    assert_int_equal(wp::shares_to_weight(262144, SharesToWeight::Quadratic), 10000);
    assert_int_equal(wp::shares_to_weight(512, SharesToWeight::Quadratic), 59);
    assert_int_equal(wp::shares_to_weight(100, SharesToWeight::Quadratic), 17);
}

static void linear_shares_to_weight(void **) {
    using wp::SharesToWeight;
    assert_int_equal(wp::shares_to_weight(1024, SharesToWeight::Linear), 39);
    assert_int_equal(wp::shares_to_weight(2, SharesToWeight::Linear), 1);
    assert_int_equal(wp::shares_to_weight(262144, SharesToWeight::Linear), 10000);
    assert_int_equal(wp::shares_to_weight(2048, SharesToWeight::Linear), 79);
}

static void weight_is_monotonic_and_within_1_to_10000(void **) {
    for (auto formula : {wp::SharesToWeight::Quadratic, wp::SharesToWeight::Linear}) {
        uint64_t prev = 0;
        for (uint64_t s = 2; s <= 262144; ++s) {
            uint64_t w = wp::shares_to_weight(s, formula);
            if (w < 1 || w > 10000)
                fail_msg("shares %llu -> weight %llu", static_cast<unsigned long long>(s),
                         static_cast<unsigned long long>(w));
            if (w < prev)
                fail_msg("shares %llu -> weight %llu is below the previous %llu",
                         static_cast<unsigned long long>(s), static_cast<unsigned long long>(w),
                         static_cast<unsigned long long>(prev));
            prev = w;
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_activation_annotation_is_no_partition),
        cmocka_unit_test(empty_annotations_are_no_partition),
        cmocka_unit_test(activation_of_an_unknown_partition_is_no_partition),
        cmocka_unit_test(activation_value_need_not_parse),
        cmocka_unit_test(find_activated_returns_the_partition_or_null),
        cmocka_unit_test(two_activated_partitions_is_an_error_naming_both),
        cmocka_unit_test(custom_activation_annotation_and_prefix),
        cmocka_unit_test(decide_for_applies_the_given_partition),
        cmocka_unit_test(activated_without_override_pins_the_partition_cpuset_only),
        cmocka_unit_test(partition_default_shares_are_planned),
        cmocka_unit_test(override_cpushares_replaces_the_default),
        cmocka_unit_test(override_zero_keeps_the_default),
        cmocka_unit_test(override_null_key_means_the_partition_default),
        cmocka_unit_test(whole_override_null_leaves_the_container_alone),
        cmocka_unit_test(container_name_falls_back_to_the_cri_o_metadata),
        cmocka_unit_test(cpulimit_sets_quota_with_the_default_period),
        cmocka_unit_test(small_cpulimit_quota_is_raised_to_1000),
        cmocka_unit_test(cpulimit_uses_the_override_period),
        cmocka_unit_test(cpulimit_uses_the_partition_default_period),
        cmocka_unit_test(cpulimit_overrides_cpuquota),
        cmocka_unit_test(huge_cpulimit_never_wraps_into_a_small_quota),
        cmocka_unit_test(cpuquota_alone_gets_the_default_period),
        cmocka_unit_test(partition_default_quota_and_period),
        cmocka_unit_test(cpuperiod_alone_writes_no_quota),
        cmocka_unit_test(no_quota_means_no_period),
        cmocka_unit_test(override_cpuset_inside_the_partition_is_used),
        cmocka_unit_test(override_cpuset_outside_the_partition_is_refused),
        cmocka_unit_test(empty_partition_cpuset_bounds_the_override_by_online_cpus),
        cmocka_unit_test(empty_partition_cpuset_refuses_an_override_beyond_online_cpus),
        cmocka_unit_test(empty_partition_cpuset_without_override_pins_nothing),
        cmocka_unit_test(online_cpus_failure_is_an_error),
        cmocka_unit_test(without_container_name_no_override_is_read),
        cmocka_unit_test(another_containers_override_is_ignored),
        cmocka_unit_test(malformed_override_is_an_input_error_naming_the_annotation),
        cmocka_unit_test(unknown_override_keys_are_noted),
        cmocka_unit_test(allowed_namespace_exact_match_applies),
        cmocka_unit_test(allowed_namespace_prefix_glob_applies),
        cmocka_unit_test(namespace_outside_the_list_is_not_allowed_and_plans_nothing),
        cmocka_unit_test(missing_namespace_is_not_allowed_when_a_list_is_set),
        cmocka_unit_test(empty_allowed_namespaces_allow_any_namespace),
        cmocka_unit_test(quadratic_shares_to_weight),
        cmocka_unit_test(linear_shares_to_weight),
        cmocka_unit_test(weight_is_monotonic_and_within_1_to_10000),
    };
    return cmocka_run_group_tests_name("decision", tests, NULL, NULL);
}
