# tests/e2e: the real binaries end to end (needs root: namespaces).
$(O)/e2e/%: tests/e2e/%.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -o $@ $<

check-e2e: $(AGENT_BIN) $(HOST_BIN) $(O)/e2e/relay $(O)/e2e/pair
	@tests/e2e/run.sh $(O)

CHECKS += check-e2e
.PHONY: check-e2e

demo-e2e: $(AGENT_BIN) $(HOST_BIN) $(O)/e2e/relay
	@tests/e2e/demo.sh $(O)

DEMO += demo-e2e
.PHONY: demo-e2e
