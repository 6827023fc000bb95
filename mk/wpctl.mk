# wpctl: the administrator's tool (docs/ARCHITECTURE.md), its man pages and its
# tests. Included by the top-level Makefile (which installs them); uses its BUILD,
# CXX_BUILD, LD_FLAGS, LIBA, ...

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

all: $(WPCTL) $(WPCTL_MANS)

$(WPCTL): $(WPCTL_OBJS) $(LIBA)
	$(CXX) $(LD_FLAGS) -o $@ $(WPCTL_OBJS) $(LIBA) $(LDLIBS_CORE) $(WPCTL_LDLIBS)

# The pages carry @VERSION@ in their .TH line; the installed ones the version.
$(BUILD)/man/%.gz: docs/man/% include/workload_partitioning.h
	@mkdir -p $(dir $@)
	sed 's/@VERSION@/$(VERSION)/g' $< | gzip -9n > $@

$(BUILD)/tests/wpctl/%: tests/wpctl/%.cpp $(WPCTL_MODS) $(LIBA)
	@mkdir -p $(dir $@)
	$(CXX_BUILD) -Ihook/wpctl -Itests/unit -DSRCDIR=\"$(CURDIR)\" $(LD_FLAGS) -o $@ $< \
	  $(WPCTL_MODS) $(LIBA) \
	  $(LDLIBS_CORE) $(WPCTL_LDLIBS) -lcmocka

WPCTL_SUITES := $(WPCTL_UNIT_BINS) $(filter-out tests/wpctl/lib.sh,$(sort $(wildcard tests/wpctl/*.sh)))
TEST_SUITES += $(WPCTL_SUITES)
CHECK_SUITES += $(WPCTL_SUITES)
