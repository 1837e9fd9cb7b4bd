# tests/unit: one program per engine module, built with ASan and UBSan.
UNIT_ENGINE := agent/frame.c agent/crc32.c agent/sha256.c agent/item.c \
	agent/session.c
UNIT_TESTS := frame session

$(O)/unit/test_%: tests/unit/test_%.c $(UNIT_ENGINE) tests/unit/check.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -Itests/unit $< $(UNIT_ENGINE) -o $@

check-unit: $(patsubst %,$(O)/unit/test_%,$(UNIT_TESTS))
	@for t in $^; do $$t || exit 1; done

CHECKS += check-unit
.PHONY: check-unit

# Fuzz targets (libFuzzer, clang). `make fuzz` runs each for FUZZ_SECONDS;
# `make check` runs each briefly.
FUZZ_SECONDS ?= 120
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -I. \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
AGENT_FUZZ := frame session

$(O)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(UNIT_ENGINE)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_FLAGS) $< $(UNIT_ENGINE) -o $@

check-fuzz-agent: $(patsubst %,$(O)/fuzz/fuzz_%,$(AGENT_FUZZ))
	@for t in $^; do \
		mkdir -p $(O)/fuzz/corpus-$$(basename $$t); \
		$$t -runs=200000 -max_len=8192 \
			$(O)/fuzz/corpus-$$(basename $$t) tests/fuzz/seeds \
			>$$t.log 2>&1 || { tail -40 $$t.log; exit 1; }; \
		echo "$$(basename $$t): 200000 runs, no crash"; \
	done

fuzz-agent: $(patsubst %,$(O)/fuzz/fuzz_%,$(AGENT_FUZZ))
	@for t in $^; do \
		mkdir -p $(O)/fuzz/corpus-$$(basename $$t); \
		$$t -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
			$(O)/fuzz/corpus-$$(basename $$t) tests/fuzz/seeds \
			|| exit 1; \
	done

CHECKS += check-fuzz-agent
FUZZ_TARGETS += fuzz-agent
.PHONY: check-fuzz-agent fuzz-agent

# The agent binary itself: static, no allocator linked (checked on the
# unstripped binary, where every function still has its symbol), and
# within the 64 KiB budget stripped (also tabled by make bench).
AGENT_SIZE_BUDGET := 65536
check-agent-binary: $(AGENT_BIN)
	@file $(AGENT_BIN) | grep -q 'statically linked' || \
		{ echo "FAIL: $(AGENT_BIN) is not statically linked"; exit 1; }
	@test "$$(nm $(AGENT_BIN).unstripped | wc -l)" -gt 100 || \
		{ echo "FAIL: no symbols to check"; exit 1; }
	@if nm $(AGENT_BIN).unstripped | \
		grep -E ' [TtWw] (malloc|calloc|realloc|free|aligned_alloc|posix_memalign)$$'; \
	then echo "FAIL: the agent links an allocator"; exit 1; fi
	@s=$$(stat -c %s $(AGENT_BIN)); \
	if [ "$$s" -gt $(AGENT_SIZE_BUDGET) ]; then \
		echo "FAIL: $(AGENT_BIN) is $$s bytes stripped, over the" \
			"$(AGENT_SIZE_BUDGET)-byte budget (see the largest with" \
			"nm --size-sort -S $(AGENT_BIN).unstripped)"; exit 1; fi; \
	echo "agent-binary: static, no allocator, $$s bytes stripped (budget $(AGENT_SIZE_BUDGET))"

CHECKS += check-agent-binary
.PHONY: check-agent-binary
