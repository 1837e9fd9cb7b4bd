# tests/boot: boot tests under QEMU TCG (boot.sh), the mkcpio and virtio
# lookup tests, and the boot-cost bench. Included from initramfs/build.mk
# (the top Makefile includes one directory level of build.mk only).

HALTINIT := $(O)/haltinit
BOOT_INSTALL := $(O)/boot-install
BOOT_ENV = O=$(O) KERNEL=$(KERNEL) KVER=$(KVER) AGENT=$(AGENT_BIN) \
	HOST=$(HOST_BIN) MKCPIO=$(MKCPIO) HALTINIT=$(HALTINIT) \
	IMG_MANIFEST=$(IMG)/manifest INSTALL_ROOT=$(abspath $(BOOT_INSTALL))
BOOT_IMAGES := $(O)/initramfs.cpio.gz $(HALTINIT) $(HOST_BIN)

$(HALTINIT): tests/boot/haltinit.c
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(AGENT_CFLAGS) $(AGENT_LDFLAGS) $< -o $@

$(O)/test/test_virtio: tests/boot/test_virtio.c board/linux/virtio.c \
		board/linux/log.c
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $^ -o $@

check-virtio: $(O)/test/test_virtio
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

check-boot-debian: $(BOOT_IMAGES)
	rm -rf $(BOOT_INSTALL)
	$(MAKE) --no-print-directory install DESTDIR=$(abspath $(BOOT_INSTALL)) \
		PREFIX=/usr > /dev/null
	$(BOOT_ENV) bash tests/boot/boot.sh debian

check-boot-missing: $(BOOT_IMAGES)
	$(BOOT_ENV) bash tests/boot/boot.sh missing

check-boot-timing: $(BOOT_IMAGES)
	$(BOOT_ENV) bash tests/boot/boot.sh timing

bench-boot: $(BOOT_IMAGES)
	$(BOOT_ENV) bash tests/boot/bench.sh

CHECKS += check-virtio check-mkcpio check-boot-tiny check-boot-missing \
	check-boot-timing check-boot-debian
BENCHES += bench-boot
.PHONY: check-virtio check-mkcpio check-boot-tiny check-boot-debian \
	check-boot-missing check-boot-timing bench-boot
