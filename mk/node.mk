# The node suite: a Debian 12 VM (systemd PID 1, cgroup v2) booted under qemu, with
# real runc, crun and podman containers and the built hook (tests/node/, README).
#
#   make test-node    builds the image once (cached under
#                     /var/cache/workload-partitioning/node-image), boots it, runs the
#                     in-VM suite and prints its TAP. NODE_ONLY=REGEX picks cases;
#                     NODE_ACCEL=tcg|kvm|auto (default auto: KVM only when a probe boot
#                     shows that it works), NODE_TIMEOUT=SECONDS (default 900).
#   make node-shell   the same VM with root logged in on this terminal and the share
#                     (hook, suite) at /mnt/host.
#   make node-image   only builds (or finds) the image.
#
# `make test` runs it as one more suite; it prints a SKIP with the reason where it
# cannot run (not root, no qemu-system-x86_64 or debootstrap, a dynamically linked
# hook). A SANITIZE build leaves it out: its hook is not static, and the VM would
# add its run time to CI a second time.
NODE_SUITE := tests/node/run.sh
ifeq ($(SANITIZE),)
TEST_SUITES += $(NODE_SUITE)
endif
$(NODE_SUITE): $(HOOK)

.PHONY: test-node node-shell node-image
test-node: deps $(HOOK)
	@BUILD=$(BUILD) TEST_LOG_DIR=$(BUILD)/test-logs tests/run-suites.sh $(NODE_SUITE)

node-shell: deps $(HOOK)
	@BUILD=$(BUILD) tests/node/shell.sh

node-image: deps
	@tests/node/image.sh

# The CRI-O suite in the node VM (tests/node/crio.sh: the node suite with NODE_CRIO=1,
# only its CRI-O case): CRI-O built here (tests/crio/build.sh, cached) and shipped
# through the share, run with the systemd cgroup manager, crun and runc, cgroup v2, full
# pods and a daemon-reload. A target of its own because it takes minutes under qemu
# without KVM (about 12 minutes under TCG on a loaded 2-CPU machine, more than CI's
# budget allows beside everything else): `make test` runs it only when asked,
# `make test WP_TEST_CRIO_NODE=1` (never in a SANITIZE build, as above).
#   make test-crio-node   prints its TAP and the hook/built-in table
NODE_CRIO_SUITE := tests/node/crio.sh
ifneq ($(WP_TEST_CRIO_NODE),)
ifeq ($(SANITIZE),)
TEST_SUITES += $(NODE_CRIO_SUITE)
endif
endif
$(NODE_CRIO_SUITE): $(HOOK) $(BUILD)/wpctl $(BUILD)/crio/pause

.PHONY: test-crio-node
test-crio-node: deps $(HOOK) $(BUILD)/wpctl $(BUILD)/crio/pause
	@BUILD=$(BUILD) TEST_LOG_DIR=$(BUILD)/test-logs tests/run-suites.sh $(NODE_CRIO_SUITE); rc=$$?; \
	  if [ -f $(BUILD)/node/crio-table.txt ]; then echo "== hook / built-in (node VM)"; cat $(BUILD)/node/crio-table.txt; fi; \
	  exit $$rc
