#!/usr/bin/env bash
# The agent built over Debian's libxengnttab/libxenevtchn: it links
# statically, really calls the libraries (not our ioctls), and on a machine
# without Xen it gives up on the ring at once, exactly like the default
# agent, so `--transport auto` moves on.
#
# usage: tests/xen-sim/xenlibs.sh BUILD_DIR
set -u
B=${1:-build}
X=$B/xenchan-agent-xenlibs
D=$B/xenchan-agent
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*" >&2; }

readelf -l "$X" | grep -q INTERP && bad "not static" || ok
nm "$X" | grep -q ' T xengntshr_share_pages$' && ok || bad "no libxengnttab"
nm "$X" | grep -q ' T xenevtchn_bind_unbound_port$' && ok || bad "no libxenevtchn"
nm "$X" | grep -q 'IOCTL_GNTALLOC\| xd_gnt_share' && ok || bad "no board"
if [ -e /dev/xen/xenbus ] || [ -e /proc/xen/xenbus ]; then
	echo "xen-sim-xenlibs: running on Xen, skipping the no-Xen cases" >&2
else
	r=$(mktemp -d)
	start=$(date +%s%N)
	xo=$(timeout 10 "$X" --transport ring --timeout 5 --root "$r" 2>&1)
	xr=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	do=$(timeout 10 "$D" --transport ring --timeout 5 --root "$r" 2>&1)
	dr=$?
	[ "$ms" -lt 2000 ] && ok || bad "took ${ms} ms to see there is no Xen"
	[ "$xr" = "$dr" ] && ok || bad "exit $xr, default agent $dr"
	[ "$xo" = "$do" ] && ok || bad "said '$xo', default agent '$do'"
	rm -rf "$r"
fi
echo "xen-sim-xenlibs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
