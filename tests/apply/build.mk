# tests/apply: the OS-free validators (unit) and the Linux applier and
# request handlers against a temporary root in fresh namespaces (root).
APPLY_LINUX := board/linux/apply.c board/linux/apply_fs.c \
	board/linux/apply_commit.c board/linux/apply_gen.c \
	board/linux/request.c board/linux/netlink.c board/linux/log.c
APPLY_ENGINE := agent/config.c agent/frame.c agent/crc32.c agent/item.c \
	agent/sha256.c agent/session.c

$(O)/apply/test_config: tests/apply/test_config.c agent/config.c
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $^ -o $@

$(O)/apply/test_apply: tests/apply/test_apply.c $(APPLY_LINUX) $(APPLY_ENGINE)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $^ -o $@

$(O)/apply/test_netlink: tests/apply/test_netlink.c board/linux/netlink.c \
		agent/config.c
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $^ -o $@

check-apply: $(O)/apply/test_config $(O)/apply/test_netlink \
		$(O)/apply/test_apply
	$(O)/apply/test_config
	$(O)/apply/test_netlink
	$(O)/apply/test_apply

CHECKS += check-apply
.PHONY: check-apply

# libFuzzer on the validators: briefly in `make check`, longer in `make fuzz`.
$(O)/apply/fuzz_config: tests/apply/fuzz_config.c agent/config.c
	@mkdir -p $(dir $@)
	$(CLANG) -std=c11 -D_GNU_SOURCE -g -O1 -I. \
		-fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined $^ -o $@

check-apply-fuzz: $(O)/apply/fuzz_config
	@mkdir -p $(O)/apply/corpus
	@$< -runs=200000 -max_len=4096 $(O)/apply/corpus tests/apply/seeds \
		>$<.log 2>&1 || { tail -40 $<.log; exit 1; }
	@echo "fuzz_config: 200000 runs, no crash"

fuzz-apply: $(O)/apply/fuzz_config
	@mkdir -p $(O)/apply/corpus
	$< -max_total_time=$(FUZZ_SECONDS) -max_len=4096 $(O)/apply/corpus tests/apply/seeds

CHECKS += check-apply-fuzz
FUZZ_TARGETS += fuzz-apply
.PHONY: check-apply-fuzz fuzz-apply
