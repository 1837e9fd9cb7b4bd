# xenchan: one non-recursive GNU Makefile. Each part of the tree adds its
# sources and checks in its own build.mk fragment, included below.
#
#   make            the agent (static musl) and the host tool
#   make check      every test
#   make demo       a full provision, end to end, on the embedded defaults
#   make bench      sizes and latencies, as tables with medians
#   make fuzz       the fuzz targets, longer
#   make install    DESTDIR-aware install of binaries and initramfs hooks

VERSION := $(shell cat VERSION)
GITREV := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
O := build

CC ?= cc
MUSL_CC ?= musl-gcc
CLANG ?= clang

WARN := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes
# Kernel and Xen headers for musl builds: musl-gcc does not see
# /usr/include, so $(O)/kh holds links to just the directories we need.
KH := $(O)/kh
# -fno-pie: the static agent is linked at a fixed address anyway, and
# absolute addresses make shorter instructions than RIP-relative ones.
AGENT_CFLAGS := -std=c11 -D_GNU_SOURCE -Os $(WARN) -ffunction-sections \
	-fdata-sections -fno-asynchronous-unwind-tables -fno-stack-protector \
	-fno-pie -isystem $(KH) -I. -DXC_VERSION=\"$(VERSION)\"
# noseparate-code: no page padding between segments (8 KiB in a binary
# this small); norelro: the same for the relro page alignment (up to 4 KiB;
# nothing would ever make that region read-only: a static musl binary has
# no dynamic loader to honour PT_GNU_RELRO); common-page-size=64: ld
# would otherwise page-align the data segment in the file (up to 4 KiB of
# padding) to save one page of address space; build-id: nothing in the
# binary that depends on the host.
AGENT_LDFLAGS := -static -no-pie -Wl,--gc-sections -Wl,-z,noseparate-code \
	-Wl,-z,norelro -Wl,-z,common-page-size=64 -Wl,--build-id=none
HOST_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g $(WARN) -I. \
	-DXC_VERSION=\"$(VERSION)\"
HOST_LIBS := -lyaml
# Tests and the simulation: glibc, with sanitizers.
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer
TEST_CFLAGS := -std=c11 -D_GNU_SOURCE -O1 -g $(WARN) -I. $(SAN) \
	-DXC_VERSION=\"$(VERSION)\"

# Sources shared by every build: OS-free engines.
ENGINE_SRCS := $(wildcard agent/*.c) $(wildcard frontend/*.c)
# Filled in by the fragments.
AGENT_SRCS :=
HOST_SRCS :=
CHECKS :=
BENCHES :=
FUZZ_TARGETS :=
DEMO :=

AGENT_BIN := $(O)/xenchan-agent
HOST_BIN := $(O)/xenchan

all: agent host

include $(sort $(wildcard */build.mk */*/build.mk))

$(KH)/.stamp:
	mkdir -p $(KH)
	for d in linux asm-generic xen; do ln -sfn /usr/include/$$d $(KH)/$$d; done
	ln -sfn /usr/include/x86_64-linux-gnu/asm $(KH)/asm
	touch $@

$(O)/musl/%.o: %.c $(KH)/.stamp
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(AGENT_CFLAGS) -MMD -MP -c $< -o $@

$(O)/host/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(O)/test/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -MMD -MP -c $< -o $@

AGENT_OBJS := $(patsubst %.c,$(O)/musl/%.o,$(ENGINE_SRCS) $(AGENT_SRCS))
HOST_OBJS := $(patsubst %.c,$(O)/host/%.o,$(ENGINE_SRCS) $(HOST_SRCS))

agent: $(AGENT_BIN)
host: $(HOST_BIN)

$(AGENT_BIN): $(AGENT_OBJS)
	$(MUSL_CC) $(AGENT_LDFLAGS) $^ -o $@.unstripped
	strip -s -R .comment -o $@ $@.unstripped

$(HOST_BIN): $(HOST_OBJS)
	$(CC) $^ -o $@ $(HOST_LIBS)

# $(call apt-ensure,PACKAGES): a shell command that installs those of the
# Debian packages that are missing (as root, with apt's configured mirror).
apt-ensure = missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends $$missing; \
	fi

# Debian packages the build and the tests need; installed when missing.
DEPS := musl-tools libxen-dev libyaml-dev clang libclang-rt-14-dev \
	qemu-system-x86 linux-image-amd64 busybox-static cpio socat \
	e2fsprogs iproute2 hyperfine debootstrap initramfs-tools-core \
	dracut-core valgrind file xz-utils kmod python3 gzip procps
deps:
	@$(call apt-ensure,$(DEPS))

check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory run-checks

# Every check runs, even after one fails; the last line sums them up.
run-checks:
	@pass=0; fail=0; failed=""; \
	for c in $(CHECKS); do \
		echo "== $$c"; \
		if $(MAKE) --no-print-directory $$c; then pass=$$((pass + 1)); \
		else fail=$$((fail + 1)); failed="$$failed $$c"; fi; \
	done; \
	[ -z "$$failed" ] || echo "failed checks:$$failed"; \
	echo "make check: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]

demo: deps
	@$(MAKE) --no-print-directory all $(DEMO)

bench: deps
	@$(MAKE) --no-print-directory all $(BENCHES)

fuzz: $(FUZZ_TARGETS)

clean:
	rm -rf $(O)

.PHONY: all agent host deps check run-checks demo bench fuzz clean install
.DELETE_ON_ERROR:

-include $(shell find $(O) -name '*.d' -type f 2>/dev/null)
