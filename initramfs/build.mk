# initramfs: the standalone boot image, the distribution hooks and
# `make install` (docs/BOOT.md).
#
#   make initramfs   $(O)/initramfs.cpio.gz (and the .cpio inside it):
#                    /init (initramfs/init.c), /bin/xenchan-agent and the
#                    kernel modules of KVER it needs, reproducible
#   make install     DESTDIR, PREFIX (default /usr/local)

# The kernel whose modules go into the image: the newest in /boot.
KVER ?= $(shell ls /boot/vmlinuz-* 2>/dev/null | sed 's|^/boot/vmlinuz-||' \
	| sort -V | tail -n 1)
KERNEL ?= /boot/vmlinuz-$(KVER)
# virtio-serial channel, virtio NIC, and a virtio disk with ext4 for root=
INITRAMFS_MODULES ?= virtio_pci virtio_console virtio_net virtio_blk \
	crc32c_generic ext4
# Every entry's mtime in the archive (reproducible builds).
INITRAMFS_MTIME ?= 0

MKCPIO := $(O)/mkcpio
# (prerequisites name $(O)/xenchan-agent and $(O)/xenchan: AGENT_BIN and
# HOST_BIN are set after the fragments are read)
IMG := $(O)/initramfs

$(MKCPIO): initramfs/mkcpio.c
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $< -o $@

$(IMG)/init: initramfs/init.c $(KH)/.stamp
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(AGENT_CFLAGS) $(AGENT_LDFLAGS) $< -o $@.unstripped
	strip -s -R .comment -o $@ $@.unstripped

$(IMG)/modules/load.list: initramfs/modules.sh
	sh initramfs/modules.sh "$(KVER)" $(IMG)/modules $(INITRAMFS_MODULES)

# The manifest names every entry; mkcpio sorts them and fixes owners,
# modes and mtimes, so the archive depends on contents only.
$(IMG)/manifest: $(IMG)/init $(O)/xenchan-agent $(IMG)/modules/load.list
	{ echo "dir dev 0755"; echo "nod dev/console 0600 c 5 1"; \
	  echo "dir proc 0755"; echo "dir sys 0755"; echo "dir newroot 0755"; \
	  echo "file init $(IMG)/init 0755"; \
	  echo "file bin/xenchan-agent $(AGENT_BIN) 0755"; \
	  for m in $$(cat $(IMG)/modules/load.list) load.list; do \
		echo "file lib/modules/$$m $(IMG)/modules/$$m 0644"; \
	  done; } > $@

$(O)/initramfs.cpio: $(IMG)/manifest $(MKCPIO)
	$(MKCPIO) -t $(INITRAMFS_MTIME) $< > $@

# gzip -n: no file name or time stamp in the header
$(O)/initramfs.cpio.gz: $(O)/initramfs.cpio
	gzip -n -9 -c $< > $@

initramfs: $(O)/initramfs.cpio.gz
	@echo "$(O)/initramfs.cpio.gz: boot it with $(KERNEL)" \
		"(see docs/BOOT.md)"

# install: the agent, the host tool, the initramfs-tools hook and script,
# the dracut module. The hooks learn the agent's installed path.
PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR := $(PREFIX)/sbin
BINDIR := $(PREFIX)/bin
ITOOLS_DIR ?= /usr/share/initramfs-tools
DRACUT_DIR ?= /usr/lib/dracut/modules.d
UDEV_DIR ?= /usr/lib/udev

install: $(O)/xenchan-agent $(O)/xenchan
	install -D -m 0755 $(AGENT_BIN) $(DESTDIR)$(SBINDIR)/xenchan-agent
	install -D -m 0755 $(HOST_BIN) $(DESTDIR)$(BINDIR)/xenchan
	install -d $(DESTDIR)$(ITOOLS_DIR)/hooks \
		$(DESTDIR)$(ITOOLS_DIR)/scripts/local-bottom \
		$(DESTDIR)$(DRACUT_DIR)/90xenchan
	sed 's|@SBINDIR@|$(SBINDIR)|g' initramfs/initramfs-tools/hooks/xenchan \
		> $(DESTDIR)$(ITOOLS_DIR)/hooks/xenchan
	install -m 0755 initramfs/initramfs-tools/scripts/local-bottom/xenchan \
		$(DESTDIR)$(ITOOLS_DIR)/scripts/local-bottom/xenchan
	sed 's|@SBINDIR@|$(SBINDIR)|g' initramfs/dracut/90xenchan/module-setup.sh \
		> $(DESTDIR)$(DRACUT_DIR)/90xenchan/module-setup.sh
	install -m 0755 initramfs/dracut/90xenchan/xenchan-pre-pivot.sh \
		$(DESTDIR)$(DRACUT_DIR)/90xenchan/xenchan-pre-pivot.sh
	chmod 0755 $(DESTDIR)$(ITOOLS_DIR)/hooks/xenchan \
		$(DESTDIR)$(DRACUT_DIR)/90xenchan/module-setup.sh
	install -D -m 0644 board/linux/udev/90-xenchan-channel.rules \
		$(DESTDIR)$(UDEV_DIR)/rules.d/90-xenchan-channel.rules
	install -D -m 0755 board/linux/udev/xen-channel-name \
		$(DESTDIR)/usr/lib/xenchan/xen-channel-name

.PHONY: initramfs install

# tests/boot/build.mk is included by the top Makefile (*/*/build.mk).
