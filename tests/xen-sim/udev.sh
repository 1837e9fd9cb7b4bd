#!/usr/bin/env bash
# board/linux/udev: the helper maps hvcN to channel names the way hvc_xen
# numbers consoles, over a fake sysfs and xenstore; the rule calls it by
# its installed path and creates /dev/xen-channel/NAME.
#
# usage: tests/xen-sim/udev.sh
set -u
H=$PWD/board/linux/udev/xen-channel-name
R=$PWD/board/linux/udev/90-xenchan-channel.rules
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
expect() { if [ "$2" = "$3" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1: got '$2', want '$3'" >&2; fi; }

# console-1 and console-3 driven by hvc_xen, console-12 unbound (taken
# over by the agent's ring), console-20 driven, console-x junk.
S=$W/sys/bus/xen/devices
mkdir -p "$W/sys/bus/xen/drivers/xenconsole" "$W/xs"
for id in 1 3 12 20 x; do mkdir -p "$S/console-$id"; done
for id in 1 3 20 x; do ln -s ../../drivers/xenconsole "$S/console-$id/driver"; done
printf 'dummy' >"$W/xs/1"
printf 'org.xenchan.agent.0' >"$W/xs/3"
printf 'unused' >"$W/xs/12"
printf '../evil' >"$W/xs/20"
cat >"$W/xenstore-read" <<EOS
#!/bin/sh
id=\${1#device/console/}; id=\${id%/name}
cat "$W/xs/\$id"
EOS
chmod +x "$W/xenstore-read"
run() { SYSFS=$W/sys XENSTORE_READ=$W/xenstore-read "$H" "$1"; echo "rc=$?"; }

expect "hvc1 is console-1" "$(run hvc1)" "dummy
rc=0"
expect "hvc2 is console-3 (slots, not devids)" "$(run hvc2)" "org.xenchan.agent.0
rc=0"
expect "hvc3 is console-20, name refused" "$(run hvc3)" "rc=1"
expect "no hvc4" "$(run hvc4)" "rc=1"
expect "hvc0 is the primary console" "$(run hvc0)" "rc=1"
expect "not an hvc" "$(run ttyS0)" "rc=1"
rm "$W/xs/3"
expect "no name in xenstore" "$(run hvc2)" "rc=1"
expect "rule calls the installed helper" \
	"$(grep -c 'PROGRAM="/usr/lib/xenchan/xen-channel-name %k", SYMLINK+="xen-channel/%c"' "$R")" 1
echo "xen-sim-udev: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
