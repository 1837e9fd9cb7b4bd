# tests/xen: the real-Xen test (Xen 4.17 + PV dom0 + PV domU with channels,
# booted under qemu-system-x86_64 TCG). See tests/xen/run.sh.
#
#   make check-xen          run it alone
#   make check-xen XEN_CASES="hvc ring"   only some cases
CHECKS += check-xen
XEN_PKGS := qemu-system-x86 debootstrap cpio linux-image-amd64 kmod
XEN_CASES ?=

check-xen: $(AGENT_BIN) $(HOST_BIN)
	@missing=""; for p in $(XEN_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "check-xen: installing:$$missing"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends $$missing; \
	fi
	tests/xen/run.sh $(O) $(XEN_CASES)

.PHONY: check-xen
