#!/bin/busybox sh
# tests/xen/guest-init.sh: /init of the test's own small domU image (busybox
# and the static agent), used by the harness self-test (`echo`) and for any
# case while the standalone image from initramfs/ is not built. The mode
# comes from the kernel command line: xt.mode=echo|agent, and for agent the
# agent's arguments in xt.args (commas for spaces).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /run /tmp /var/lib
mode=$(sed -n 's/.*xt\.mode=\([^ ]*\).*/\1/p' /proc/cmdline)
args=$(sed -n 's/.*xt\.args=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
echo "guest-init: mode=$mode"
# The ring transport needs the grant-alloc and event-channel devices, which
# Debian builds as modules.
for m in /lib/modules/*.ko; do [ -f "$m" ] && insmod "$m"; done

case $mode in
echo)
	# Channel round trip without any of our code: the third channel
	# (console/2, behind the dummy that xl drops and one more) is echoed.
	i=0
	while [ ! -e /sys/bus/xen/devices/console-2 ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	exec 3<>/dev/hvc2
	stty raw -echo <&3
	echo "guest-init: echoing /dev/hvc2"
	ip -o link
	cat <&3 >&3
	;;
agent)
	echo "guest-init: xenchan-agent $args"
	/bin/xenchan-agent $args
	echo "guest-init: agent exited $?; boot continues"
	;;
esac
echo "guest-init: powering off"
poweroff -f
