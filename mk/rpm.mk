# Packaging: the source tarball, the RPMs, and the packaging suites.
#
#   make dist   -> $(BUILD)/dist/workload-partitioning-hook-$(VERSION).tar.gz
#                  (git archive of HEAD; DIST_FROM=worktree packs the tracked
#                  files as they are in the work tree, uncommitted edits included),
#                  with the spec stamped with $(VERSION) (from rpm/*.spec.in) at
#                  its top, where `rpmbuild -tb` finds it
#   make rpm    -> $(BUILD)/rpmbuild/RPMS/<arch>/workload-partitioning-hook{,-devel}-$(VERSION)-1*.rpm
#                  rpmbuild -tb on that tarball with a private _topdir. --nodeps:
#                  Debian's rpm database knows no Fedora -devel packages, so the
#                  spec's BuildRequires cannot be resolved here (docs/DECISIONS.md).
#   make check-unit  builds and runs the CMocka unit suites only (no deps step)

RPM_NAME     := workload-partitioning-hook
RPM_SPEC_IN  := rpm/$(RPM_NAME).spec.in
RPM_SPEC     := $(BUILD)/dist/$(RPM_NAME).spec
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
                    tests/packaging/test_make_install.sh tests/packaging/test_rpm_payload.sh \
                    tests/packaging/test_references.sh
TEST_SUITES += $(PACKAGING_SUITES)
# A DESTDIR install and the tree's own references need neither root nor network.
CHECK_SUITES += tests/packaging/test_make_install.sh tests/packaging/test_references.sh

.PHONY: dist rpm check-unit

dist:
	@mkdir -p $(dir $(DIST_TARBALL))
	sed 's/@VERSION@/$(VERSION)/g' $(RPM_SPEC_IN) > $(RPM_SPEC)
ifeq ($(DIST_FROM),worktree)
	{ git ls-files -z | xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh; \
	  printf '%s\0' $(RPM_SPEC); } | \
	  tar --null -T - --owner=0 --group=0 --numeric-owner --sort=name \
	      --transform 's|^$(RPM_SPEC)$$|$(notdir $(RPM_SPEC))|' \
	      --transform 's|^|$(DIST_NAME)/|S' -cf - | gzip -9n > $(DIST_TARBALL)
else
	git archive --format=tar.gz --prefix=$(DIST_NAME)/ --add-file=$(RPM_SPEC) -o $(DIST_TARBALL) $(DIST_FROM)
endif
	@echo "dist: $(DIST_TARBALL) (from $(DIST_FROM))"

# The tarball is byte-for-byte reproducible (git archive; gzip -n), so an RPM
# built from the same tarball with the same flags is up to date and is kept
# (CI's `make test` builds it, the later `make rpm` reuses it).
RPM_STAMP := $(RPM_TOPDIR)/built-from
rpm: deps dist
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
