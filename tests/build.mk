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
