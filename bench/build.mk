# bench: `make bench` prints tables of medians (bench/run.sh).
$(O)/bench/runs: bench/runs.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -o $@ $<

$(O)/bench/hello: bench/hello.c agent/frame.c agent/crc32.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -I. -o $@ $^

bench-agent: $(AGENT_BIN) $(HOST_BIN) $(O)/bench/runs $(O)/bench/hello \
		$(O)/e2e/pair
	@bench/run.sh $(O)

BENCHES += bench-agent
.PHONY: bench-agent
