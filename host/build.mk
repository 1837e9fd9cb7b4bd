# host/: the `xenchan` host tool (dom0, glibc + libyaml), its unit tests,
# the client-against-fake-agent test and the fuzz targets of its input
# parsers (docs/HOST.md).
HOST_SRCS += $(wildcard host/*.c)

# Host modules without main(), and the engines they use, for tests.
HOST_LIB_SRCS := $(filter-out host/main.c,$(wildcard host/*.c))
HOST_ENGINE := agent/frame.c agent/crc32.c agent/sha256.c agent/item.c
HOST_TESTS := native cloudinit json client interop
# the fake agent, and the real agent engine for the interop test
HOST_TEST_SUPPORT := tests/host/fakeagent.c agent/session.c

$(O)/hosttest/test_%: tests/host/test_%.c $(HOST_LIB_SRCS) $(HOST_ENGINE) \
		$(HOST_TEST_SUPPORT) tests/unit/check.h $(wildcard host/*.h) \
		$(wildcard tests/host/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -Itests/unit $< $(HOST_LIB_SRCS) $(HOST_ENGINE) \
		$(HOST_TEST_SUPPORT) -o $@ -lyaml

# The tests run from the top of the tree (seeds are under tests/host/).
# ($(O)/xenchan, not $(HOST_BIN): that is set after the fragments.)
check-host: $(patsubst %,$(O)/hosttest/test_%,$(HOST_TESTS)) $(O)/xenchan
	@for t in $(patsubst %,$(O)/hosttest/test_%,$(HOST_TESTS)); do \
		XENCHAN=$(O)/xenchan $$t || exit 1; \
	done
	@XENCHAN=$(O)/xenchan sh tests/host/cli.sh

# libFuzzer targets: the native parser and the cloud-init parsers.
HOST_FUZZ := native cloudinit
HOST_FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -I. \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
HOST_FUZZ_SECONDS ?= 300

$(O)/hostfuzz/fuzz_%: tests/host/fuzz_%.c $(HOST_LIB_SRCS) $(HOST_ENGINE) \
		$(wildcard host/*.h)
	@mkdir -p $(dir $@)
	$(CLANG) $(HOST_FUZZ_FLAGS) $< $(HOST_LIB_SRCS) $(HOST_ENGINE) -o $@ \
		-lyaml

# $(1): extra libFuzzer flags
define host_fuzz_run
	@for f in $(HOST_FUZZ); do \
		t=$(O)/hostfuzz/fuzz_$$f; c=$(O)/hostfuzz/corpus-$$f; \
		mkdir -p $$c; \
		$$t $(1) -max_len=16384 $$c tests/host/fuzz/$$f \
			>$$t.log 2>&1 || { tail -40 $$t.log; exit 1; }; \
		echo "host-fuzz-$$f: $$(grep -o 'Done [0-9]* runs' $$t.log \
			|| echo 'ran'), no crash"; \
	done
endef

check-host-fuzz: $(patsubst %,$(O)/hostfuzz/fuzz_%,$(HOST_FUZZ))
	$(call host_fuzz_run,-max_total_time=10)

fuzz-host: $(patsubst %,$(O)/hostfuzz/fuzz_%,$(HOST_FUZZ))
	$(call host_fuzz_run,-max_total_time=$(HOST_FUZZ_SECONDS))

CHECKS += check-host check-host-fuzz
FUZZ_TARGETS += fuzz-host
.PHONY: check-host check-host-fuzz fuzz-host
