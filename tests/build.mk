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
