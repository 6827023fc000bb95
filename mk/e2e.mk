# End-to-end suite: the built hook under real runc and podman containers
# (tests/e2e/run.sh; skips with the reason when not root or without cgroup v1 access).
# The runner passes BUILD in the environment; the suite finds the hook there.
TEST_SUITES += tests/e2e/run.sh
export BUILD
