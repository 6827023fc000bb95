// outcome: the one fault table, and the public header's list of outcomes checked
// against the code's.
#include "unit.hpp"

#include "outcome.hpp"
#include "workload_partitioning.h"

using wp::ExitCode;
using wp::Fault;
using wp::Meant;
using wp::Outcome;

static void expect(Fault f, Meant m, const wp::NodeConfig *cfg, ExitCode code, Outcome o) {
    wp::Disposition d = wp::dispose(f, m, cfg);
    if (d.exit_code != code || d.outcome != o)
        fail_msg("fault %s: got exit %d %s, want exit %d %s", unit::fault_name(f),
                 static_cast<int>(d.exit_code), wp::outcome_name(d.outcome), static_cast<int>(code),
                 wp::outcome_name(o));
}

static void the_fault_table(void **) {
    wp::NodeConfig fail, ignore, audit;
    fail.failure_policy = wp::FailurePolicy::Fail;
    ignore.failure_policy = wp::FailurePolicy::Ignore;
    audit.mode = wp::Mode::Audit;
    for (Meant m : {Meant::No, Meant::Maybe, Meant::Yes}) {
        expect(Fault::Usage, m, &ignore, ExitCode::Error, Outcome::Error);
        expect(Fault::Untrusted, m, &fail, ExitCode::Ok, Outcome::Untrusted);
        expect(Fault::Untrusted, m, nullptr, ExitCode::Ok, Outcome::Untrusted);
    }
    for (Fault f : {Fault::Config, Fault::Input, Fault::System}) {
        // Never fail a container that means no partition.
        expect(f, Meant::No, &fail, ExitCode::Ok, Outcome::Error);
        expect(f, Meant::No, nullptr, ExitCode::Ok, Outcome::Error);
        for (Meant m : {Meant::Maybe, Meant::Yes}) {
            expect(f, m, &fail, ExitCode::Refused, Outcome::Refused);
            expect(f, m, &ignore, ExitCode::Ok, Outcome::IgnoredError);
            expect(f, m, &audit, ExitCode::Ok, Outcome::IgnoredError);
            // No node config to take the policy from: an internal error.
            expect(f, m, nullptr, ExitCode::Error, Outcome::Error);
        }
    }
}

// The exit codes are the header's.
static void exit_codes_match_the_header(void **) {
    assert_int_equal(static_cast<int>(ExitCode::Ok), WP_EXIT_OK);
    assert_int_equal(static_cast<int>(ExitCode::Refused), WP_EXIT_REFUSED);
    assert_int_equal(static_cast<int>(ExitCode::Error), WP_EXIT_ERROR);
}

// include/workload_partitioning.h lists the outcomes in the comment above
// wp_report_outcome(): exactly the code's, in the same order.
static void header_lists_every_outcome(void **) {
    // The repository from this file's path (absolute, or relative to the root, where
    // the suites run).
    std::string self = __FILE__;
    std::string repo = self.substr(0, self.rfind("tests/unit/"));
    std::ifstream in(repo + "include/workload_partitioning.h");
    if (!in) fail_msg("cannot read include/workload_partitioning.h");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string h = ss.str();
    size_t start = h.find("/* What happened:");
    size_t end = h.find("*/", start);
    if (start == std::string::npos || end == std::string::npos)
        fail_msg("no \"What happened:\" comment in the header");
    std::string comment = h.substr(start, end - start);
    std::vector<std::string> listed;
    for (size_t q = comment.find('"'); q != std::string::npos; q = comment.find('"', q + 1)) {
        size_t close = comment.find('"', q + 1);
        if (close == std::string::npos) break;
        listed.push_back(comment.substr(q + 1, close - q - 1));
        q = close;
    }
    std::vector<std::string> code;
    for (Outcome o : wp::kAllOutcomes)
        code.emplace_back(wp::outcome_name(o));
    std::string got, want;
    for (auto &s : listed)
        got += s + " ";
    for (auto &s : code)
        want += s + " ";
    ASSERT_STR_EQ(got, want);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_fault_table),
        cmocka_unit_test(exit_codes_match_the_header),
        cmocka_unit_test(header_lists_every_outcome),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
