# tests/boot: boot tests under QEMU TCG (boot.sh), the mkcpio and virtio
# lookup tests, and the boot-cost bench. Included from initramfs/build.mk
# (the top Makefile includes one directory level of build.mk only).

HALTINIT := $(O)/haltinit
BOOT_ENV = O=$(O) KERNEL=$(KERNEL) KVER=$(KVER) AGENT=$(AGENT_BIN) \
	HOST=$(HOST_BIN) MKCPIO=$(MKCPIO) HALTINIT=$(HALTINIT) \
	IMG_MANIFEST=$(IMG)/manifest
BOOT_IMAGES := $(O)/initramfs.cpio.gz $(HALTINIT) $(O)/xenchan

$(HALTINIT): tests/boot/haltinit.c
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(AGENT_CFLAGS) $(AGENT_LDFLAGS) $< -o $@

$(O)/test/test_virtio: tests/boot/test_virtio.c board/linux/virtio.c \
		board/linux/log.c board/linux/devnum.c
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $^ -o $@

check-virtio: $(O)/test/test_virtio
	$<

$(O)/test/test_init: tests/boot/test_init.c initramfs/init.c
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $< -o $@

check-init: $(O)/test/test_init
	$<

# Reproducibility: the same image built in a second output directory.
check-mkcpio: $(MKCPIO) $(O)/initramfs.cpio.gz
	@$(MAKE) --no-print-directory O=$(O)/repro \
		$(O)/repro/initramfs.cpio.gz > $(O)/repro.log 2>&1 || \
		{ tail -20 $(O)/repro.log; exit 1; }
	bash tests/boot/mkcpio_test.sh $(MKCPIO) $(O)/initramfs.cpio.gz \
		$(O)/repro/initramfs.cpio.gz

check-boot-tiny: $(BOOT_IMAGES)
	$(BOOT_ENV) bash tests/boot/boot.sh tiny

# `make install` into a temporary DESTDIR outside $(O): the top Makefile
# includes every *.d under $(O), and dracut's modules.d is a directory.
check-boot-debian: $(BOOT_IMAGES)
	@d=$$(mktemp -d /tmp/xcinst.XXXXXX) && \
	$(MAKE) --no-print-directory install DESTDIR=$$d PREFIX=/usr \
		> /dev/null && \
	$(BOOT_ENV) INSTALL_ROOT=$$d bash tests/boot/boot.sh debian; \
	rc=$$?; rm -rf $$d; exit $$rc

check-boot-missing: $(BOOT_IMAGES)
	$(BOOT_ENV) bash tests/boot/boot.sh missing

check-boot-timing: $(BOOT_IMAGES)
	$(BOOT_ENV) bash tests/boot/boot.sh timing

bench-boot: $(BOOT_IMAGES)
	$(BOOT_ENV) bash tests/boot/bench.sh

CHECKS += check-virtio check-init check-mkcpio check-boot-tiny check-boot-missing \
	check-boot-timing check-boot-debian
BENCHES += bench-boot
.PHONY: check-virtio check-init check-mkcpio check-boot-tiny check-boot-debian \
	check-boot-missing check-boot-timing bench-boot

