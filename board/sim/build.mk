# board/sim: a simulated Xen on one Linux host (xenstored, grants, event
# channels, a QEMU-like console backend, a toolstack command), the agent
# built against it, and the tests of the Xen frontend (tests/xen-sim/).
#
#   $(O)/xensim                 the simulator (glibc, ASan/UBSan)
#   $(O)/xenchan-agent-sim      the agent with board/sim in place of the Linux
#                               Xen devices (static musl, like production)
#   make check-xen-sim          unit tests, the seed flow, the fault matrix
#   make bench-ring             ring throughput in the simulation

XSIM_TESTS := ring xsw xchan
XSIM_TEST_BINS := $(patsubst %,$(O)/test/xen-sim/%_test,$(XSIM_TESTS))
FRONTEND_SRCS := $(wildcard frontend/*.c)

$(O)/test/xen-sim/ring_test: $(O)/test/tests/xen-sim/ring_test.o \
		$(O)/test/frontend/ring.o $(O)/test/frontend/xsw.o
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $^ -o $@

$(O)/test/xen-sim/xsw_test: $(O)/test/tests/xen-sim/xsw_test.o \
		$(O)/test/frontend/xsw.o
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $^ -o $@

$(O)/test/xen-sim/xchan_test: $(O)/test/tests/xen-sim/xchan_test.o \
		$(O)/test/board/sim/xsd.o \
		$(patsubst %.c,$(O)/test/%.o,$(FRONTEND_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $^ -o $@

check-xen-sim-unit: $(XSIM_TEST_BINS)
	@fail=0; for t in $^; do $$t || fail=1; done; exit $$fail

CHECKS += check-xen-sim-unit

.PHONY: check-xen-sim-unit
