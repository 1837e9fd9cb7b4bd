#!/bin/sh
# dracut pre-pivot hook (sourced by dracut's init, the real root mounted on
# $NEWROOT): runs xenchan-agent to provision the root, once, with the
# xenchan.* knobs of the kernel command line (docs/BOOT.md).
type getarg > /dev/null 2>&1 || . /lib/dracut-lib.sh

xenchan_run() {
	local opts reopened rc _dev mnt _type o _rest k
	[ -x /usr/sbin/xenchan-agent ] || return 0
	[ "$(getarg xenchan=)" = 0 ] && return 0
	# The knobs become flags. xenchan.resident is left out on purpose:
	# here the agent runs once, and the boot waits for it.
	set --
	for k in channel transport timeout log onmissing; do
		o=$(getarg "xenchan.$k=")
		[ -n "$o" ] || continue
		case $k in
		log) set -- "$@" --log-level "$o" ;;
		onmissing) set -- "$@" --on-missing "$o" ;;
		*) set -- "$@" "--$k" "$o" ;;
		esac
	done
	modprobe -q virtio_console 2> /dev/null
	# (no awk in a dracut image)
	while read -r _dev mnt _type o _rest; do
		[ "$mnt" = "$NEWROOT" ] && opts=$o
	done < /proc/mounts
	case ",$opts," in
	*,ro,*) mount -o remount,rw "$NEWROOT" && reopened=1 ;;
	esac
	# its lines go to the kernel log; stderr would repeat them
	if [ -w /dev/kmsg ]; then
		/usr/sbin/xenchan-agent --kmsg --root "$NEWROOT" "$@" \
			2> /dev/null
	else
		/usr/sbin/xenchan-agent --root "$NEWROOT" "$@"
	fi
	rc=$?
	[ -n "$reopened" ] && mount -o remount,ro "$NEWROOT"
	case $rc in
	0) ;;
	3 | 4)
		if [ "$(getarg xenchan.onmissing=)" = fail ]; then
			die "xenchan: no provisioning channel or host (agent exit $rc); boot stopped because xenchan.onmissing=fail"
		fi
		;;
	*)
		warn "xenchan: provisioning failed (agent exit $rc); see the xenchan-agent lines in the kernel log"
		;;
	esac
}
xenchan_run
