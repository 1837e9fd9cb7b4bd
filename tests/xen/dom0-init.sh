#!/bin/sh
# tests/xen/dom0-init.sh: /init of the test's dom0 (a Debian bookworm root
# unpacked from the initramfs). Brings up the Xen toolstack the way the
# notes describe (../shared/notes/real-xen-in-qemu.md), runs the cases in
# /xentest/dom0-cases.sh, and powers the machine off. Everything the host
# test asserts goes out on the second serial port (/dev/ttyS1) as lines
# `R <case> <key> <value...>`; nothing here decides PASS or FAIL.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/xen-4.17/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /run /var/log/xen/console /var/lib/xen /var/run/xen
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mkdir -p /run/xen /run/xenstored

R=/dev/ttyS1
busybox stty -F $R raw -echo 115200 2>/dev/null
out() { echo "R dom0 $*" >$R; }
die() {
	out fatal "$*"
	echo "dom0-init: $*" >&2
	busybox poweroff -f
}

out up "$(cut -d' ' -f1 /proc/uptime)"
for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-netback; do
	modprobe $m || die "modprobe $m failed"
done
mount -t xenfs xenfs /proc/xen || die "cannot mount xenfs"

xenstored --pid-file /run/xenstored.pid || die "xenstored did not start"
xen-init-dom0 >/var/log/xen/xen-init-dom0.log 2>&1 ||
	die "xen-init-dom0 failed: $(tail -n 3 /var/log/xen/xen-init-dom0.log)"
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest \
	--log-dir=/var/log/xen/console || die "xenconsoled did not start"
out toolstack "$(cut -d' ' -f1 /proc/uptime)"
out xen "$(xl info | sed -n 's/^xen_version *: //p')"
out kernel "$(uname -r)"

. /xentest/dom0-cases.sh
out end "$(cut -d' ' -f1 /proc/uptime)"
sync
busybox poweroff -f
