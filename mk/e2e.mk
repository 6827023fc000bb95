# End-to-end suite: the built hook under real runc and podman containers
# (tests/e2e/run.sh; skips with the reason when not root or without cgroup v1 access).
# The Makefile's test rule passes BUILD to the runner; the suite finds the hook there.
TEST_SUITES += tests/e2e/run.sh
TEST_SUITES += tests/e2e/day2.sh
