#!/bin/bash
# dracut module (Fedora, RHEL, ...): puts xenchan-agent and the
# virtio_console module into the initramfs; the pre-pivot hook runs the
# agent on $NEWROOT. See docs/BOOT.md. XENCHAN_AGENT overrides the agent's
# path (tests).

check() {
	[ -x "${XENCHAN_AGENT:-@SBINDIR@/xenchan-agent}" ] || return 1
	return 0
}

depends() {
	return 0
}

installkernel() {
	hostonly='' instmods virtio_console
}

install() {
	inst_simple "${XENCHAN_AGENT:-@SBINDIR@/xenchan-agent}" \
		/usr/sbin/xenchan-agent
	inst_hook pre-pivot 50 "$moddir/xenchan-pre-pivot.sh"
}
