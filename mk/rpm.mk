# Packaging (issue 7): the source tarball, the RPMs, the pieces of `make install`
# that packaging adds (merge unit, CRD/RBAC manifests), and the unit-test run
# that the spec's %check uses.
#
#   make dist   -> $(BUILD)/dist/workload-partitioning-hook-$(VERSION).tar.gz
#                  (git archive of HEAD; DIST_FROM=worktree packs the tracked
#                  files as they are in the work tree, uncommitted edits included)
#   make rpm    -> $(BUILD)/rpmbuild/RPMS/<arch>/workload-partitioning-hook{,-devel}-$(VERSION)-1*.rpm
#                  rpmbuild -tb on that tarball with a private _topdir. --nodeps:
#                  Debian's rpm database knows no Fedora -devel packages, so the
#                  spec's BuildRequires cannot be resolved here (docs/DECISIONS.md).
#   make check-unit  builds and runs the CMocka unit suites only (no deps step)

UNITDIR      ?= $(PREFIX)/lib/systemd/system
RPM_NAME     := workload-partitioning-hook
RPM_SPEC     := rpm/$(RPM_NAME).spec
DIST_NAME    := $(RPM_NAME)-$(VERSION)
DIST_TARBALL := $(BUILD)/dist/$(DIST_NAME).tar.gz
DIST_FROM    ?= HEAD
RPM_TOPDIR   := $(abspath $(BUILD))/rpmbuild
# No -debuginfo/-debugsource subpackages in local and CI builds: they double the
# build time on 2 cores and nothing here consumes them. A distribution build
# (koji, mock) uses the spec as it is and gets them. RPM_DEBUGINFO=1 keeps them.
RPM_DEBUGINFO ?= 0
RPMBUILD_FLAGS ?= --nodeps $(if $(filter 1,$(RPM_DEBUGINFO)),,--define 'debug_package %{nil}')

# With RPM_IN_TEST=1 (the default under CI=true, except in a SANITIZE build:
# `make sanitize-test` re-runs `make test` and the RPM does not depend on it)
# tests/packaging/test_rpm_payload.sh runs `make rpm` itself, and a failed build
# is a failing test line with the log's tail; otherwise that suite checks the RPM
# `make rpm` left, or prints a SKIP.
# Only a command-line RPM_IN_TEST counts: the environment carries the value this
# file exported to an outer make (sanitize-test's inner `make test`).
ifneq ($(origin RPM_IN_TEST),command line)
RPM_IN_TEST := $(if $(and $(filter true,$(CI)),$(if $(SANITIZE),,1)),1,0)
endif
export RPM_IN_TEST

PACKAGING_SUITES := tests/packaging/test_machineconfig.py tests/packaging/test_systemd_unit.sh \
                    tests/packaging/test_make_install.sh tests/packaging/test_rpm_payload.sh
TEST_SUITES += $(PACKAGING_SUITES)

.PHONY: dist rpm check-unit install-packaging

dist:
	@mkdir -p $(dir $(DIST_TARBALL))
ifeq ($(DIST_FROM),worktree)
	git ls-files -z | xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
	  tar --null -T - --owner=0 --group=0 --numeric-owner --sort=name \
	      --transform 's|^|$(DIST_NAME)/|S' -cf - | gzip -9n > $(DIST_TARBALL)
else
	git archive --format=tar.gz --prefix=$(DIST_NAME)/ -o $(DIST_TARBALL) $(DIST_FROM)
endif
	@echo "dist: $(DIST_TARBALL) (from $(DIST_FROM))"

# The tarball is byte-for-byte reproducible (git archive; gzip -n), so an RPM
# built from the same tarball with the same flags is up to date and is kept
# (CI's `make test` builds it, the later `make rpm` reuses it).
RPM_STAMP := $(RPM_TOPDIR)/built-from
rpm: deps dist
	@v=$$(sed -n 's/^Version:[[:space:]]*//p' $(RPM_SPEC)); [ "$$v" = "$(VERSION)" ] || \
	  { echo "rpm: $(RPM_SPEC) says Version: $$v, the Makefile VERSION is $(VERSION)" >&2; exit 1; }
	@want="$$(sha256sum < $(DIST_TARBALL)) $(RPMBUILD_FLAGS)"; \
	if [ -f $(RPM_STAMP) ] && [ "$$(cat $(RPM_STAMP))" = "$$want" ] && \
	   ls $(RPM_TOPDIR)/RPMS/*/$(RPM_NAME)-$(VERSION)-*.rpm >/dev/null 2>&1; then \
	  echo "rpm: up to date with $(DIST_TARBALL)"; \
	else \
	  set -e; rm -rf $(RPM_TOPDIR); mkdir -p $(RPM_TOPDIR); \
	  echo "rpmbuild -tb $(RPMBUILD_FLAGS) --define '_topdir $(RPM_TOPDIR)' $(DIST_TARBALL)"; \
	  env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
	    rpmbuild -tb $(RPMBUILD_FLAGS) --define '_topdir $(RPM_TOPDIR)' $(DIST_TARBALL); \
	  echo "$$want" > $(RPM_STAMP); \
	fi
	@ls -1 $(RPM_TOPDIR)/RPMS/*/*.rpm

# Recursive (=): mk/wpctl.mk, included after this file, defines WPCTL_UNIT_BINS.
CHECK_UNIT_SUITES = $(UNIT_BINS) $(CAPI_TEST) $(WPCTL_UNIT_BINS)
check-unit:
	$(MAKE) BUILD=$(BUILD) $(CHECK_UNIT_SUITES)
	@BUILD=$(BUILD) TEST_LOG_DIR=$(BUILD)/test-logs tests/run-suites.sh $(CHECK_UNIT_SUITES)

# The merge unit, its ExecStart pointed at where `make install` puts wpctl
# (mk/wpctl.mk installs it in SBINDIR; the RPM passes SBINDIR=%{_bindir}), and
# the cluster manifests.
WPCTL_INSTALLED = $(or $(SBINDIR),$(BINDIR))/wpctl
install: install-packaging
install-packaging:
	install -d -m 0755 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DATADIR)/workload-partitioning \
	  $(DESTDIR)$(SYSCONFDIR)/workload-partitioning/workloadpartitions.d
	sed 's|/usr/bin/wpctl|$(WPCTL_INSTALLED)|' config/systemd/workload-partitioning-merge.service \
	  > $(DESTDIR)$(UNITDIR)/workload-partitioning-merge.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/workload-partitioning-merge.service
	install -m 0644 $(sort $(wildcard config/crd/*.yaml)) $(DESTDIR)$(DATADIR)/workload-partitioning/
