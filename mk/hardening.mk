# Hardening: the seccomp probe suite, the security suites on fake
# trees, valgrind runs of the hook, libFuzzer harnesses, sanitizer test runs.
# See docs/SECURITY.md.
#
#   make test                         runs the security suites with the rest
#                                     (WP_SKIP_VALGRIND_INTEGRATION=1 skips the slowest:
#                                     the integration suite under valgrind, ~7 min on 2 CPUs)
#   make sanitize-test                make test SANITIZE=address,undefined in $(BUILD)-san
#   make fuzz FUZZ_SECONDS=N          builds the harnesses with clang++ into $(BUILD)/fuzz
#                                     and runs each for N seconds (default 60)
#   make fuzz-build                   only builds them

SEC_SANDBOX_TEST := $(BUILD)/tests/security/test_sandbox
# valgrind cannot replace malloc in a static binary (it would see no leak at
# all), so the valgrind suite runs a dynamically linked copy of the same hook.
SEC_HOOK_DYN := $(BUILD)/tests/security/workload-partitioning-hook-dynamic

$(SEC_SANDBOX_TEST): tests/security/test_sandbox.cpp $(LIBA)
	@mkdir -p $(dir $@)
	$(CXX_BUILD) $(LD_FLAGS) -o $@ $< $(LIBA) $(LDLIBS_CORE)

$(SEC_HOOK_DYN): $(BUILD)/hook/main.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CXX) $(LD_FLAGS) -o $@ $^ $(LDLIBS_CORE)

SEC_SUITES := $(SEC_SANDBOX_TEST) tests/security/trust.sh tests/security/confinement.sh \
              tests/security/input_bounds.sh tests/security/odd_nodes.sh tests/security/valgrind.sh \
              tests/security/valgrind_integration.sh
TEST_SUITES += $(SEC_SUITES)

# The shell suites run $(BUILD)/workload-partitioning-hook (the `all` target);
# the valgrind suite needs the dynamic copy. No recipe: the scripts themselves
# are never rebuilt, their prerequisites are.
tests/security/valgrind.sh tests/security/valgrind_integration.sh: $(SEC_HOOK_DYN)

.PHONY: security-test sanitize-test fuzz fuzz-build
security-test: deps all $(SEC_SUITES)
	@BUILD=$(BUILD) TEST_LOG_DIR=$(BUILD)/test-logs tests/run-suites.sh $(SEC_SUITES)

# `make test SANITIZE=address,undefined` in its own build directory, so that
# sanitized objects never mix with the release build.
sanitize-test:
	$(MAKE) BUILD=$(BUILD)-san SANITIZE=address,undefined test

# ---- libFuzzer ------------------------------------------------------------
FUZZ_CXX     ?= clang++
FUZZ_SECONDS ?= 60
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CXXFLAGS := -std=c++20 -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -Ihook/lib -Iinclude \
                 -Ihook/wpctl -Itests/fuzz $(DBUS_CFLAGS)
FUZZ_LDLIBS  := -ljson-c -lseccomp -ldbus-1 -lyaml -lm

# Each library source is compiled here with the fuzz flags (coverage
# instrumentation for libFuzzer, ASan, UBSan); never the release objects.
FUZZ_LIB_OBJS := $(LIB_SRCS:hook/lib/%.cpp=$(FUZZ_DIR)/obj/lib/%.o)
# The manifest reader of wpctl, for fuzz_manifest.
FUZZ_WPCTL_SRCS := $(wildcard hook/wpctl/manifest.cpp hook/wpctl/yaml.cpp)
FUZZ_WPCTL_OBJS := $(FUZZ_WPCTL_SRCS:hook/wpctl/%.cpp=$(FUZZ_DIR)/obj/wpctl/%.o)

FUZZ_HARNESSES := state overrides cpuset config partitions proc_cgroup pin_record
ifneq ($(words $(FUZZ_WPCTL_SRCS)),0)
  FUZZ_HARNESSES += manifest
endif
FUZZ_BINS := $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/fuzz_%)

$(FUZZ_DIR)/obj/lib/%.o: hook/lib/%.cpp $(wildcard hook/lib/*.hpp)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/obj/wpctl/%.o: hook/wpctl/%.cpp $(wildcard hook/wpctl/*.hpp hook/lib/*.hpp)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/fuzz_manifest: tests/fuzz/fuzz_manifest.cpp tests/fuzz/fuzz_common.hpp \
                           $(FUZZ_LIB_OBJS) $(FUZZ_WPCTL_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB_OBJS) $(FUZZ_WPCTL_OBJS) \
	  $(FUZZ_LDLIBS)

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.cpp tests/fuzz/fuzz_common.hpp $(FUZZ_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB_OBJS) $(FUZZ_LDLIBS)

fuzz-build: deps $(FUZZ_BINS)

fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_DIR) $(FUZZ_HARNESSES)
