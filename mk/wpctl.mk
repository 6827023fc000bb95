# wpctl: the administrator's tool (DESIGN.md §4), its man pages and its tests.
# Included by the top-level Makefile; uses its BUILD, CXX, CXXFLAGS, LIBA, ...

# wpctl goes to BINDIR (issue 7: %{_bindir}); SBINDIR stays overridable.
SBINDIR ?= $(BINDIR)

WPCTL        := $(BUILD)/wpctl
WPCTL_SRCS   := $(sort $(wildcard hook/wpctl/*.cpp))
WPCTL_OBJS   := $(WPCTL_SRCS:%.cpp=$(BUILD)/%.o)
# Everything but main, for the unit tests.
WPCTL_MODS   := $(filter-out $(BUILD)/hook/wpctl/main.o,$(WPCTL_OBJS))
WPCTL_LDLIBS := -lyaml -lcgroup

# wpctl.8, workload-partitioning-hook.8, workload-partitioning.json.5
WPCTL_MAN_SRCS := $(sort $(wildcard docs/man/*.[1-8]))
WPCTL_MANS     := $(WPCTL_MAN_SRCS:docs/man/%=$(BUILD)/man/%.gz)

WPCTL_UNIT_SRCS := $(sort $(wildcard tests/wpctl/test_*.cpp))
WPCTL_UNIT_BINS := $(WPCTL_UNIT_SRCS:tests/wpctl/%.cpp=$(BUILD)/tests/wpctl/%)

.PHONY: install-wpctl
all: $(WPCTL) $(WPCTL_MANS)

$(WPCTL_OBJS): $(wildcard hook/wpctl/*.hpp)

$(WPCTL): $(WPCTL_OBJS) $(LIBA)
	$(CXX) $(LDFLAGS) -o $@ $(WPCTL_OBJS) $(LIBA) $(LDLIBS_CORE) $(WPCTL_LDLIBS)

$(BUILD)/man/%.gz: docs/man/%
	@mkdir -p $(dir $@)
	gzip -9n -c $< > $@

$(BUILD)/tests/wpctl/%: tests/wpctl/%.cpp $(WPCTL_MODS) $(LIBA) $(wildcard hook/wpctl/*.hpp)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -Ihook/wpctl -Itests/unit -DSRCDIR=\"$(CURDIR)\" $(LDFLAGS) -o $@ $< \
	  $(WPCTL_MODS) $(LIBA) \
	  $(LDLIBS_CORE) $(WPCTL_LDLIBS) -lcmocka

install: install-wpctl
install-wpctl: $(WPCTL) $(WPCTL_MANS)
	install -D -m 0755 $(WPCTL) $(DESTDIR)$(SBINDIR)/wpctl
	set -e; for m in $(WPCTL_MANS); do \
	  n=$$(basename $$m .gz); s=$${n##*.}; \
	  install -D -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/$$n.gz; \
	done

TEST_SUITES += $(WPCTL_UNIT_BINS) $(filter-out tests/wpctl/lib.sh,$(sort $(wildcard tests/wpctl/*.sh)))
