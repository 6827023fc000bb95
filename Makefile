# workload-partitioning-hook — build, test, install.
# `make` builds build/workload-partitioning-hook, build/libworkload-partitioning.{a,so}
# and wpctl. Feature areas add their build and test rules in mk/*.mk (wpctl, e2e,
# fuzz, bench, rpm); every install rule is in this file.
#
#   make check      what needs no root, no network and no package installs: the
#                   unit tests, the fake-tree integration suite, wpctl's suites and
#                   the packaging checks that work from a DESTDIR (the RPM's %check)
#   make test       the full suite; installs missing packages first (Debian only:
#                   elsewhere scripts/install-deps.sh names what is missing)
#   make WERROR=1   warnings are errors (CI sets it)
#
# Flags: the build's own flags (WP_*) are always used; CPPFLAGS, CXXFLAGS, CFLAGS
# and LDFLAGS are the packager's (environment or command line) and come after
# them, so they add to or override the build's flags but never drop them.

CXX      ?= g++
CC       ?= gcc
PREFIX   ?= /usr
BINDIR   ?= $(PREFIX)/bin
SBINDIR  ?= $(BINDIR)
LIBDIR   ?= $(PREFIX)/lib
LIBEXECDIR ?= $(PREFIX)/libexec
DATADIR  ?= $(PREFIX)/share
MANDIR   ?= $(DATADIR)/man
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
UNITDIR  ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
DESTDIR  ?=
# The static archive is installed unless INSTALL_STATIC=0 (the RPM ships none).
INSTALL_STATIC ?= 1

BUILD    := build
SANITIZE ?=
WERROR   ?=

# The one version string: WP_VERSION of the public header. The hook's and
# wpctl's --version and wp_version() print it; the pkg-config file, the man
# pages, the dist tarball and the RPM spec (rpm/*.spec.in) are stamped with it.
VERSION  := $(shell sed -n '/define WP_VERSION /s/[^"]*"\([^"]*\)".*/\1/p' include/workload_partitioning.h)
ifeq ($(VERSION),)
  $(error cannot read WP_VERSION from include/workload_partitioning.h)
endif

CXXFLAGS ?= -O2 -g
CFLAGS   ?= -O2 -g
WP_WARN     := -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror)
WP_CPPFLAGS := -Ihook/lib -Iinclude
# libdbus-1: the systemd client (hook/lib/systemd_unit.cpp); see docs/DECISIONS.md.
DBUS_CFLAGS := $(shell pkg-config --cflags dbus-1 2>/dev/null || echo -I/usr/include/dbus-1.0 -I/usr/lib/x86_64-linux-gnu/dbus-1.0/include)
WP_CPPFLAGS += $(DBUS_CFLAGS)
WP_CXXFLAGS := -std=c++20 $(WP_WARN) -fPIC -fno-plt
WP_CFLAGS   := -std=c11 $(WP_WARN)
WP_LDFLAGS  :=
# Header dependencies: every compile writes a .d file next to its output.
WP_DEPFLAGS := -MMD -MP
LDLIBS_CORE := -ljson-c -lseccomp -ldbus-1 -lm

ifneq ($(SANITIZE),)
  WP_SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
  WP_CXXFLAGS += $(WP_SANFLAGS)
  WP_CFLAGS   += $(WP_SANFLAGS)
  WP_LDFLAGS  += -fsanitize=$(SANITIZE)
  HOOK_LINK :=
  HOOK_SHIMS :=
else
  # The hook is linked statically: no dynamic loader, no libstdc++ relocation at
  # every container start (docs/DECISIONS.md, docs/PERFORMANCE.md).
  HOOK_LINK := -static
  # libdbus-1.a names two libsystemd functions (hook/dbus_static_shims.cpp).
  HOOK_SHIMS := $(BUILD)/hook/dbus_static_shims.o
endif

# The command lines, for this file and mk/*.mk.
CXX_BUILD = $(CXX) $(WP_CPPFLAGS) $(CPPFLAGS) $(WP_CXXFLAGS) $(CXXFLAGS) $(WP_DEPFLAGS)
CC_BUILD  = $(CC) $(WP_CPPFLAGS) $(CPPFLAGS) $(WP_CFLAGS) $(CFLAGS) $(WP_DEPFLAGS)
LD_FLAGS  = $(WP_LDFLAGS) $(LDFLAGS)

LIB_SRCS := $(sort $(wildcard hook/lib/*.cpp))
LIB_OBJS := $(LIB_SRCS:%.cpp=$(BUILD)/%.o)
HOOK     := $(BUILD)/workload-partitioning-hook
LIBA     := $(BUILD)/libworkload-partitioning.a
LIBSO    := $(BUILD)/libworkload-partitioning.so

UNIT_SRCS  := $(sort $(wildcard tests/unit/test_*.cpp))
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.cpp=$(BUILD)/tests/unit/%)
CAPI_TEST  := $(BUILD)/tests/unit/capi_inprocess

# Suites that `make test` runs, in order; mk/*.mk append to it. CHECK_SUITES is
# the part of them that `make check` runs (no root, no network, no installs);
# suites in it that need root print a SKIP with the reason when run as a user.
TEST_SUITES  := $(UNIT_BINS) $(CAPI_TEST) tests/integration/run.sh
CHECK_SUITES := $(UNIT_BINS) $(CAPI_TEST) tests/integration/run.sh

.PHONY: all deps test check check-format format install demo clean version
all: $(HOOK) $(LIBA) $(LIBSO)

version:
	@echo $(VERSION)

deps:
	@scripts/install-deps.sh

$(BUILD)/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX_BUILD) -c -o $@ $<

$(LIBA): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBSO): $(LIB_OBJS)
	$(CXX) -shared -Wl,-soname,libworkload-partitioning.so.0 -Wl,--version-script=hook/lib/exports.map \
	  $(LD_FLAGS) -o $@ $^ $(LDLIBS_CORE)
	ln -sf libworkload-partitioning.so $@.0

$(HOOK): $(BUILD)/hook/main.o $(HOOK_SHIMS) $(LIBA)
	$(CXX) $(HOOK_LINK) $(LD_FLAGS) -o $@ $^ $(LDLIBS_CORE)

$(BUILD)/tests/unit/%: tests/unit/%.cpp $(LIBA)
	@mkdir -p $(dir $@)
	$(CXX_BUILD) -Itests/unit -DSRCDIR=\"$(CURDIR)\" $(LD_FLAGS) -o $@ $< $(LIBA) $(LDLIBS_CORE) -lcmocka

# The C API test is C, linked against the shared library only.
$(CAPI_TEST): tests/unit/capi_inprocess.c $(LIBSO)
	@mkdir -p $(dir $@)
	$(CC_BUILD) $(LD_FLAGS) -o $@ $< -L$(BUILD) -Wl,-rpath,$(abspath $(BUILD)) \
	  -lworkload-partitioning -lcmocka

-include $(sort $(wildcard mk/*.mk))

# The .d files the compiler wrote (absent before the first build).
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

test: deps all $(TEST_SUITES)
	@BUILD=$(BUILD) tests/run-suites.sh $(TEST_SUITES)

check: all $(CHECK_SUITES)
	@BUILD=$(BUILD) tests/run-suites.sh $(CHECK_SUITES)

check-format:
	@clang-format --dry-run --Werror $$(git ls-files '*.cpp' '*.hpp' '*.c' '*.h')

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp' '*.c' '*.h')

demo: deps all
	@scripts/demo.sh

# ---- install: every installed file, in one list ---------------------------
# The paths written into installed files (the hooks.d registration's hook.path,
# the merge unit's ExecStart, the pkg-config file's directories) follow the
# install directories.
HOOK_INSTALLED  = $(LIBEXECDIR)/oci/hooks.d/workload-partitioning-hook
WPCTL_INSTALLED = $(SBINDIR)/wpctl
install: all
	install -D -m 0755 $(HOOK) $(DESTDIR)$(HOOK_INSTALLED)
	install -D -m 0755 $(WPCTL) $(DESTDIR)$(WPCTL_INSTALLED)
	install -d -m 0755 $(DESTDIR)$(DATADIR)/containers/oci/hooks.d $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(DATADIR)/workload-partitioning $(DESTDIR)$(PKGCONFIGDIR) \
	  $(DESTDIR)$(SYSCONFDIR)/workload-partitioning/workloadpartitions.d
	sed 's|/usr/libexec/oci/hooks.d/workload-partitioning-hook|$(HOOK_INSTALLED)|' \
	  config/hooks.d/99-workload-partitioning.json \
	  > $(DESTDIR)$(DATADIR)/containers/oci/hooks.d/99-workload-partitioning.json
	chmod 0644 $(DESTDIR)$(DATADIR)/containers/oci/hooks.d/99-workload-partitioning.json
	install -D -m 0644 config/config.json $(DESTDIR)$(SYSCONFDIR)/workload-partitioning/config.json
	sed 's|/usr/bin/wpctl|$(WPCTL_INSTALLED)|' config/systemd/workload-partitioning-merge.service \
	  > $(DESTDIR)$(UNITDIR)/workload-partitioning-merge.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/workload-partitioning-merge.service
	sed 's|/usr/bin/wpctl|$(WPCTL_INSTALLED)|' config/systemd/workload-partitioning-reconcile.service \
	  > $(DESTDIR)$(UNITDIR)/workload-partitioning-reconcile.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/workload-partitioning-reconcile.service
	install -m 0644 $(sort $(wildcard config/crd/*.yaml)) $(DESTDIR)$(DATADIR)/workload-partitioning/
	set -e; for m in $(WPCTL_MANS); do \
	  n=$$(basename $$m .gz); s=$${n##*.}; \
	  install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/$$n.gz; \
	done
ifeq ($(INSTALL_STATIC),1)
	install -D -m 0644 $(LIBA) $(DESTDIR)$(LIBDIR)/libworkload-partitioning.a
endif
	install -D -m 0755 $(LIBSO) $(DESTDIR)$(LIBDIR)/libworkload-partitioning.so.0
	ln -sf libworkload-partitioning.so.0 $(DESTDIR)$(LIBDIR)/libworkload-partitioning.so
	install -D -m 0644 include/workload_partitioning.h $(DESTDIR)$(INCLUDEDIR)/workload_partitioning.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	  -e 's|@VERSION@|$(VERSION)|' hook/lib/workload-partitioning.pc.in \
	  > $(DESTDIR)$(PKGCONFIGDIR)/workload-partitioning.pc
	chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/workload-partitioning.pc

clean:
	rm -rf $(BUILD)
