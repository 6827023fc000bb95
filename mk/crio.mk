# CRI-O suite (tests/crio): the hook under a real CRI-O 1.26 driven by crictl, every
# case side by side with CRI-O's built-in [crio.runtime.workloads.*]. CRI-O, pinns and
# crictl are built from the third-party source archives beside the repository with Debian's
# golang-go and the archives' vendor/ trees (no network), and cached under
# /var/cache/workload-partitioning/crio (tests/crio/build.sh).
#
#   make test-crio        runs the suite alone and prints the hook/built-in table
#   make test             runs it with the other suites (not in a SANITIZE build: the
#                         sanitizer run is about the hook's memory, which the other
#                         suites cover, and CRI-O would double the CI time)
#   make bench-crio       the CRI-O latency case of `make bench` (tests/crio/bench.sh):
#                         annotated minus ordinary container create+start, paired, for
#                         no hook, the hook and the built-in; CRIO_BENCH_ARGS='--pairs 40 --rounds 5'
CRIO_PAUSE_BIN  := $(BUILD)/crio/pause
CRIO_BENCH_ARGS ?=

$(CRIO_PAUSE_BIN): tests/crio/pause.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -std=c11 $(WP_WARN) -static -o $@ $<

# No recipe: the script is never rebuilt, its prerequisites are.
tests/crio/run.sh: $(CRIO_PAUSE_BIN) $(HOOK) $(BUILD)/wpctl

ifeq ($(SANITIZE),)
TEST_SUITES += tests/crio/run.sh
endif

.PHONY: test-crio bench-crio
test-crio: deps all $(CRIO_PAUSE_BIN)
	@BUILD=$(BUILD) tests/run-suites.sh tests/crio/run.sh; rc=$$?; \
	  if [ -f $(BUILD)/crio/table.txt ]; then echo "== hook / built-in"; cat $(BUILD)/crio/table.txt; fi; \
	  exit $$rc

bench-crio: deps $(HOOK) $(CRIO_PAUSE_BIN)
	@mkdir -p $(BENCH_DIR)
	BUILD=$(BUILD) tests/crio/bench.sh --json $(BENCH_DIR)/crio.json $(CRIO_BENCH_ARGS)
