# workload-partitioning-hook — build, test, install.
# `make` builds build/workload-partitioning-hook, build/libworkload-partitioning.{a,so}.
# Feature areas add their own rules in mk/*.mk (wpctl, e2e, fuzz, bench, rpm).

CXX      ?= g++
CC       ?= gcc
PREFIX   ?= /usr
BINDIR   ?= $(PREFIX)/bin
LIBDIR   ?= $(PREFIX)/lib
LIBEXECDIR ?= $(PREFIX)/libexec
DATADIR  ?= $(PREFIX)/share
MANDIR   ?= $(DATADIR)/man
INCLUDEDIR ?= $(PREFIX)/include
SYSCONFDIR ?= /etc
DESTDIR  ?=

BUILD    := build
SANITIZE ?=
VERSION  := 0.1.0

WARN     := -Wall -Wextra -Werror
CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++20 $(WARN) -fPIC -fno-plt -Ihook/lib -Iinclude
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 $(WARN) -Iinclude
LDLIBS_CORE := -ljson-c -lseccomp -lm

ifneq ($(SANITIZE),)
  CXXFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
  CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
  LDFLAGS  += -fsanitize=$(SANITIZE)
  HOOK_LINK :=
else
  # The hook is linked statically: no dynamic loader, no libstdc++ relocation at
  # every container start (docs/DECISIONS.md, docs/PERFORMANCE.md).
  HOOK_LINK := -static
endif

LIB_SRCS := $(sort $(wildcard hook/lib/*.cpp))
LIB_OBJS := $(LIB_SRCS:%.cpp=$(BUILD)/%.o)
HOOK     := $(BUILD)/workload-partitioning-hook
LIBA     := $(BUILD)/libworkload-partitioning.a
LIBSO    := $(BUILD)/libworkload-partitioning.so

UNIT_SRCS  := $(sort $(wildcard tests/unit/test_*.cpp))
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.cpp=$(BUILD)/tests/unit/%)
CAPI_TEST  := $(BUILD)/tests/unit/capi_inprocess

# Suites that `make test` runs, in order; mk/*.mk append to it.
TEST_SUITES := $(UNIT_BINS) $(CAPI_TEST) tests/integration/run.sh

.PHONY: all deps test check-format format install demo clean
all: $(HOOK) $(LIBA) $(LIBSO)

deps:
	@scripts/install-deps.sh

$(BUILD)/%.o: %.cpp $(wildcard hook/lib/*.hpp) include/workload_partitioning.h
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBSO): $(LIB_OBJS)
	$(CXX) -shared -Wl,-soname,libworkload-partitioning.so.0 -Wl,--version-script=hook/lib/exports.map \
	  $(LDFLAGS) -o $@ $^ $(LDLIBS_CORE)
	ln -sf libworkload-partitioning.so $@.0

$(HOOK): $(BUILD)/hook/main.o $(LIBA)
	$(CXX) $(HOOK_LINK) $(LDFLAGS) -o $@ $^ $(LDLIBS_CORE)

$(BUILD)/tests/unit/%: tests/unit/%.cpp tests/unit/unit.hpp $(LIBA)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS_CORE) -lcmocka

# The C API test is C, linked against the shared library only.
$(CAPI_TEST): tests/unit/capi_inprocess.c include/workload_partitioning.h $(LIBSO)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -L$(BUILD) -Wl,-rpath,$(abspath $(BUILD)) \
	  -lworkload-partitioning -lcmocka

-include $(sort $(wildcard mk/*.mk))

test: deps all $(TEST_SUITES)
	@BUILD=$(BUILD) tests/run-suites.sh $(TEST_SUITES)

check-format:
	@clang-format --dry-run --Werror $$(git ls-files '*.cpp' '*.hpp' '*.c' '*.h')

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.c' '*.h')

demo: deps all
	@scripts/demo.sh

install: all
	install -D -m 0755 $(HOOK) $(DESTDIR)$(LIBEXECDIR)/oci/hooks.d/workload-partitioning-hook
	install -d $(DESTDIR)$(DATADIR)/containers/oci/hooks.d
	sed 's|/usr/libexec/oci/hooks.d/workload-partitioning-hook|$(LIBEXECDIR)/oci/hooks.d/workload-partitioning-hook|' \
	  config/hooks.d/99-workload-partitioning.json \
	  > $(DESTDIR)$(DATADIR)/containers/oci/hooks.d/99-workload-partitioning.json
	chmod 0644 $(DESTDIR)$(DATADIR)/containers/oci/hooks.d/99-workload-partitioning.json
	install -D -m 0644 config/config.json $(DESTDIR)$(SYSCONFDIR)/workload-partitioning/config.json
	install -D -m 0644 $(LIBA) $(DESTDIR)$(LIBDIR)/libworkload-partitioning.a
	install -D -m 0755 $(LIBSO) $(DESTDIR)$(LIBDIR)/libworkload-partitioning.so.0
	ln -sf libworkload-partitioning.so.0 $(DESTDIR)$(LIBDIR)/libworkload-partitioning.so
	install -D -m 0644 include/workload_partitioning.h $(DESTDIR)$(INCLUDEDIR)/workload_partitioning.h

clean:
	rm -rf $(BUILD)
