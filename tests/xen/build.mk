# tests/xen: the real-Xen test. Debian's Xen 4.17 and a PV dom0 booted under
# qemu-system-x86_64 (TCG); PV guests with channels; the real agent, image
# and host tool. See tests/xen/run.sh and docs/XEN.md.
#
#   make check-xen                       run it alone
#   make check-xen XEN_CASES="hvc ring"  only some cases
#                                 (echo hvc ring absent fault backend)
CHECKS += check-xen
XEN_PKGS := qemu-system-x86 debootstrap cpio linux-image-amd64 kmod xz-utils
XEN_CASES ?=
# The standalone image of initramfs/ with the modules a PV guest needs for
# the ring transport (grant alloc, event channel) and its network card.
XEN_IMG_O := $(O)/xen-img
XEN_IMG_MODULES := xen-evtchn xen-gntalloc xen-netfront

check-xen: $(AGENT_BIN) $(HOST_BIN)
	@$(call apt-ensure,$(XEN_PKGS))
	@$(MAKE) --no-print-directory O=$(XEN_IMG_O) \
		INITRAMFS_MODULES="$(XEN_IMG_MODULES)" $(XEN_IMG_O)/initramfs.cpio
	XEN_IMAGE=$(XEN_IMG_O)/initramfs.cpio tests/xen/run.sh $(O) $(XEN_CASES)

.PHONY: check-xen
