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
# Shell built-ins only: nothing to fork before the agent runs.
mode= args=
read -r cmdline </proc/cmdline
for w in $cmdline; do
	case $w in
	xt.mode=*) mode=${w#xt.mode=} ;;
	xt.args=*) args=${w#xt.args=} ;;
	esac
done
IFS=,
set -- $args
IFS=' '
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
	echo "guest-init: xenchan-agent $*"
	/bin/xenchan-agent "$@"
	echo "guest-init: agent exited $?; boot continues"
	;;
esac
echo "guest-init: powering off"
poweroff -f
