# Benchmarks (docs/PERFORMANCE.md).
# `make bench` builds the harness and runs it (as root: the real-cgroup and
# runc cases need it; as another user they are reported as skipped). It prints
# a table and writes $(BUILD)/bench/results.json, then runs the CRI-O latency case
# (bench-crio, mk/crio.mk: $(BUILD)/bench/crio.json). Extra harness options:
#   make bench BENCH_ARGS='--iterations 5000 --wait-idle 600'
BENCH_DIR    := $(BUILD)/bench
BENCH_BIN    := $(BENCH_DIR)/wp-bench
BENCH_FLOOR  := $(BENCH_DIR)/noop
BENCH_PROBE  := $(BENCH_DIR)/rssprobe
BENCH_JSON   := $(BENCH_DIR)/results.json
BENCH_ARGS   ?=
# Own flags: the floor and the probe must be static, and a SANITIZE build of
# the library must not change what the harness measures.
BENCH_CFLAGS := -O2 -g -std=c11 $(WP_WARN)

.PHONY: bench bench-tools
bench-tools: $(BENCH_BIN) $(BENCH_FLOOR) $(BENCH_PROBE)

$(BENCH_BIN): tests/bench/bench.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $< -lm

$(BENCH_FLOOR): tests/bench/noop.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -static -o $@ $<

$(BENCH_PROBE): tests/bench/rssprobe.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -static -o $@ $<

bench: deps $(HOOK) bench-tools
	@if [ "$$(id -u)" -ne 0 ]; then \
	  echo "make bench: not root: the real-cgroup (d) and runc (f) cases will be skipped" >&2; fi
	$(BENCH_BIN) --hook $(HOOK) --floor $(BENCH_FLOOR) --probe $(BENCH_PROBE) \
	  --jq-hook tests/bench/jq-hook.sh --json $(BENCH_JSON) $(BENCH_ARGS)
	BUILD=$(BUILD) tests/bench/reconcile.sh $(WPCTL)
	@# The CRI-O latency case (mk/crio.mk): paired container create+start under a real CRI-O.
	$(MAKE) --no-print-directory bench-crio

bench: $(WPCTL)

# `make test`: the harness runs with a handful of iterations and its JSON is
# checked for every key (no timing assertions).
TEST_SUITES += tests/bench/smoke.sh
tests/bench/smoke.sh: bench-tools $(HOOK)
