# board/linux: the real agent's OS layer. Every .c here goes into the
# static musl agent.
AGENT_SRCS += $(wildcard board/linux/*.c)
