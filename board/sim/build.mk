# board/sim: a simulated Xen on one Linux host (xenstored, grants, event
# channels, a QEMU-like console backend, a toolstack command), the agent
# built against it, and the tests of the Xen frontend (tests/xen-sim/).
#
#   $(O)/xensim                 the simulator (glibc, ASan/UBSan)
#   $(O)/xenchan-agent-sim      the production agent with board/sim/sim_dev.c
#                               in place of the Linux Xen device files
#                               (static musl, heap-free, like production)
#   $(O)/test/xenchan-agent-sim the same sources under ASan/UBSan (faults)
#   $(O)/xenchan-agent-xenlibs  the agent over Debian's libxengnttab and
#                               libxenevtchn (static glibc: Debian's .a files
#                               are built against glibc's fortify symbols,
#                               which musl does not have)
#   make check-xen-sim          unit tests, the seed flow, the fault matrix
#   make bench-ring             ring throughput in the simulation

XSIM_TESTS := ring xsw xchan
XSIM_TEST_BINS := $(patsubst %,$(O)/test/xen-sim/%_test,$(XSIM_TESTS))
FRONTEND_SRCS := $(wildcard frontend/*.c)
XSIM_FRONT_TOBJS := $(patsubst %.c,$(O)/test/%.o,$(FRONTEND_SRCS))

$(O)/test/xen-sim/ring_test: $(O)/test/tests/xen-sim/ring_test.o \
		$(O)/test/frontend/ring.o $(O)/test/frontend/xsr.o
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $^ -o $@

$(O)/test/xen-sim/xsw_test: $(O)/test/tests/xen-sim/xsw_test.o \
		$(O)/test/frontend/xsw.o
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $^ -o $@

$(O)/test/xen-sim/xchan_test: $(O)/test/tests/xen-sim/xchan_test.o \
		$(O)/test/board/sim/xsd.o $(O)/test/board/sim/xsd_msg.o \
		$(XSIM_FRONT_TOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $^ -o $@

$(O)/xensim: $(O)/test/board/sim/xensim.o $(O)/test/board/sim/xbe.o \
		$(O)/test/board/sim/hv.o $(O)/test/board/sim/xtool.o \
		$(O)/test/board/sim/xsd.o $(O)/test/board/sim/xsd_msg.o \
		$(XSIM_FRONT_TOBJS)
	$(CC) $(TEST_CFLAGS) $^ -o $@

# The transport alone, with a byte echo in place of the agent's engines.
$(O)/test/xen-sim/echo: $(O)/test/tests/xen-sim/echo.o \
		$(O)/test/board/linux/xen_ring.o $(O)/test/board/linux/log.o \
		$(O)/test/board/sim/sim_dev.o $(XSIM_FRONT_TOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $^ -o $@

$(O)/test/xen-sim/peer: tests/xen-sim/peer.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 $(WARN) $< -o $@

# The agent with its Xen devices from the simulation. Object lists are
# computed when the recipe runs, after every fragment added its sources.
XSIM_LINUX_ONLY = board/linux/xen_dev.c board/linux/xen_sysfs.c \
	board/linux/xen_hvc.c board/linux/xen_dev_libs.c
XSIM_AGENT_SRCS = $(ENGINE_SRCS) \
	$(filter-out $(XSIM_LINUX_ONLY),$(AGENT_SRCS)) board/sim/sim_dev.c
XSIM_AGENT_OBJS = $(patsubst %.c,$(O)/musl/%.o,$(XSIM_AGENT_SRCS))
XSIM_AGENT_TOBJS = $(patsubst %.c,$(O)/test/%.o,$(XSIM_AGENT_SRCS))

$(O)/xenchan-agent-sim: xsim-force
	@$(MAKE) -s --no-print-directory $(XSIM_AGENT_OBJS)
	$(MUSL_CC) $(AGENT_LDFLAGS) $(XSIM_AGENT_OBJS) -o $@.unstripped
	strip -s -R .comment -o $@ $@.unstripped

$(O)/test/xenchan-agent-sim: xsim-force
	@$(MAKE) -s --no-print-directory $(XSIM_AGENT_TOBJS)
	$(CC) $(TEST_CFLAGS) $(XSIM_AGENT_TOBJS) -o $@

# Debian's libraries instead of our ioctls (board/linux/xen_dev_libs.c).
XL_LIBDIR := /usr/lib/x86_64-linux-gnu
XL_LIBS := $(XL_LIBDIR)/libxengnttab.a $(XL_LIBDIR)/libxenevtchn.a \
	$(XL_LIBDIR)/libxentoolcore.a $(XL_LIBDIR)/libxentoollog.a
XL_OBJS = $(patsubst %.c,$(O)/xenlibs/%.o,$(ENGINE_SRCS) $(AGENT_SRCS))

$(O)/xenlibs/%.o: %.c $(KH)/.stamp
	@mkdir -p $(dir $@)
	$(CC) $(AGENT_CFLAGS) -DXC_XEN_LIBS -MMD -MP -c $< -o $@

$(O)/xenchan-agent-xenlibs: xsim-force
	@$(MAKE) -s --no-print-directory $(XL_OBJS)
	$(CC) $(AGENT_LDFLAGS) $(XL_OBJS) $(XL_LIBS) -o $@ 2>&1 | \
		{ grep -v 'statically linked applications requires' || true; }
	@test -x $@

agent-sim: $(O)/xenchan-agent-sim
agent-xenlibs: $(O)/xenchan-agent-xenlibs

check-xen-sim-unit: $(XSIM_TEST_BINS)
	@fail=0; for t in $^; do $$t || fail=1; done; exit $$fail

XSIM_E2E_DEPS = $(O)/xensim $(O)/test/xen-sim/echo $(O)/test/xen-sim/peer \
	$(O)/xenchan-agent-sim $(O)/test/xenchan-agent-sim $(O)/xenchan

check-xen-sim: check-xen-sim-unit $(XSIM_E2E_DEPS)
	tests/xen-sim/udev.sh
	tests/xen-sim/run.sh $(O)

# The libxengnttab/libxenevtchn build links, is static, uses the libraries
# and behaves like the default agent where there is no Xen.
check-xen-libs: $(O)/xenchan-agent-xenlibs $(O)/xenchan-agent
	tests/xen-sim/xenlibs.sh $(O)

bench-ring: $(O)/bench/xensim $(O)/bench/xen-sim-echo $(O)/test/xen-sim/peer
	tests/xen-sim/bench.sh $(O)

CHECKS += check-xen-sim check-xen-libs
BENCHES += bench-ring

.PHONY: check-xen-sim-unit check-xen-sim check-xen-libs bench-ring \
	agent-sim agent-xenlibs xsim-force

# Optimised builds of the simulator and the echo for the bench (the ASan
# ones measure the sanitizer).
XSIM_BENCH_SIM_SRCS := board/sim/xensim.c board/sim/xbe.c board/sim/xsd.c \
	board/sim/hv.c board/sim/xtool.c board/sim/xsd_msg.c \
	$(FRONTEND_SRCS)
XSIM_BENCH_ECHO_SRCS := tests/xen-sim/echo.c board/linux/xen_ring.c \
	board/linux/log.c board/sim/sim_dev.c $(FRONTEND_SRCS)
$(O)/bench/xensim: $(XSIM_BENCH_SIM_SRCS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $^ -o $@
$(O)/bench/xen-sim-echo: $(XSIM_BENCH_ECHO_SRCS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $^ -o $@
