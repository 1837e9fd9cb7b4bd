#!/bin/bash
# tests/xen/run.sh: the real-Xen test. Boots Debian's Xen 4.17 and a PV
# dom0 under qemu-system-x86_64 (TCG), runs the cases of dom0-cases.sh in
# that one boot, and asserts here, on the host, what dom0 reported through
# the second serial port. Facts and traps: ../shared/notes/real-xen-in-qemu.md.
#
#   tests/xen/run.sh O [CASE...]     (O: the build folder; default cases all)
#
# Environment: XEN_CACHE (dom0 root cache), XEN_TIMEOUT (whole boot, s),
# XEN_IMAGE (the standalone initramfs of initramfs/, built with the Xen
# modules; without it every case uses the test's own busybox image).
set -u
O=${1:?usage: run.sh BUILD-DIR [CASE...]}
shift
HERE=$(cd "$(dirname "$0")" && pwd)
W=$O/xen
CASES=${*:-echo hvc ring absent fault backend}
TIMEOUT=${XEN_TIMEOUT:-480}

pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
finish() {
	echo "xen: $pass passed, $fail failed"
	[ $fail -eq 0 ]
	exit
}
# Nothing can run: every case fails with the same reason.
fatal() {
	echo "xen: $*" >&2
	for c in $CASES; do bad "$c" "$*"; done
	finish
}

[ "$(id -u)" = 0 ] || fatal "needs root (debootstrap, /var/cache); run as root"
for t in qemu-system-x86_64 debootstrap cpio zcat depmod; do
	command -v $t >/dev/null || fatal "$t missing: run 'make deps'"
done
KVER=$(cd /boot && ls vmlinuz-*-amd64 2>/dev/null | sed 's/^vmlinuz-//' |
	sort -V | tail -n 1)
[ -n "$KVER" ] && [ -d /lib/modules/$KVER ] ||
	fatal "no Debian kernel in /boot: apt-get install linux-image-amd64"

# One run at a time per build folder (a second would delete the first's
# logs), and one debootstrap at a time per cache.
mkdir -p "$O"
exec 9>"$O/xen.lock"
flock -w 900 9 || fatal "another tests/xen run holds $O/xen.lock"
ROOT=$("$HERE/mkroot.sh") || fatal "could not build the dom0 root (see above)"
CACHE=$(dirname "$ROOT")
rm -rf "$W"
mkdir -p "$W/ov/xentest"

# Xen: QEMU's -kernel wants the multiboot ELF, not the gzip.
zcat "$ROOT/boot/xen-4.17-amd64.gz" >"$W/xen" || fatal "no Xen image in $ROOT"

# dom0's initramfs: the cached root as one cpio (built once), then a small
# cpio with /init, the cases, the kernel's Xen modules and the guest images.
# The kernel unpacks concatenated archives in order.
if [ ! -f "$CACHE/root.cpio" ]; then
	(cd "$ROOT" && find . -path ./boot -prune -o -print | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$CACHE/root.cpio.tmp" &&
		mv "$CACHE/root.cpio.tmp" "$CACHE/root.cpio" ||
		fatal "could not pack the dom0 root"
fi
OV=$W/ov
install -m 755 "$HERE/dom0-init.sh" "$OV/init"
install -m 644 "$HERE/dom0-cases.sh" "$OV/xentest/dom0-cases.sh"
install -m 755 "$HERE/vif-up.sh" "$OV/xentest/vif-up"
echo $CASES >"$OV/xentest/cases"
# (/lib is a link to usr/lib in the root: the overlay must not replace it.)
MD=$OV/usr/lib/modules/$KVER
mkdir -p "$MD/kernel/drivers"
cp -a /lib/modules/$KVER/kernel/drivers/xen "$MD/kernel/drivers/"
mkdir -p "$MD/kernel/drivers/net"
cp -a /lib/modules/$KVER/kernel/drivers/net/xen-netback "$MD/kernel/drivers/net/"
cp /lib/modules/$KVER/modules.order /lib/modules/$KVER/modules.builtin* "$MD/"
depmod -b "$OV/usr" "$KVER" || fatal "depmod failed"
# The guest kernel as the plain ELF inside Debian's xz bzImage: xl then only
# copies it, instead of decompressing 66 MB on an emulated CPU per guest.
if [ ! -f "$CACHE/vmlinux-$KVER" ]; then
	off=$(LC_ALL=C grep -abo -m 1 -P '\xfd7zXZ\x00' "/boot/vmlinuz-$KVER" |
		head -n 1 | cut -d: -f1)
	[ -n "$off" ] && tail -c +$((off + 1)) "/boot/vmlinuz-$KVER" |
		xz -dc --single-stream >"$CACHE/vmlinux.tmp" 2>/dev/null
	if [ "$(head -c 4 "$CACHE/vmlinux.tmp" 2>/dev/null | od -An -c | tr -d ' ')" = 177ELF ]; then
		mv "$CACHE/vmlinux.tmp" "$CACHE/vmlinux-$KVER"
	else
		rm -f "$CACHE/vmlinux.tmp"
		cp "/boot/vmlinuz-$KVER" "$CACHE/vmlinux-$KVER"
	fi
fi
cp "$CACHE/vmlinux-$KVER" "$OV/xentest/vmlinuz"

# The test's own guest image: busybox, the agent, an init (guest-init.sh).
G=$W/guest
mkdir -p "$G/bin" "$G/lib/modules" "$G/proc" "$G/sys" "$G/dev" "$G/run" \
	"$G/tmp" "$G/etc" "$G/root"
cp "$ROOT/bin/busybox" "$G/bin/busybox"
install -m 755 "$HERE/guest-init.sh" "$G/init"
for m in xen-evtchn xen-gntalloc xen-netfront; do
	cp "$(modinfo -k "$KVER" -n $m)" "$G/lib/modules/"
done
[ -x "$O/xenchan-agent" ] && cp "$O/xenchan-agent" "$G/bin/"
# The users the seed refers to, for either image.
E=$W/etc
mkdir -p "$E/etc" "$E/root"
echo "root:x:0:0:root:/root:/bin/sh" >"$E/etc/passwd"
echo "root:*:19000:0:99999:7:::" >"$E/etc/shadow"
echo "root:x:0:" >"$E/etc/group"
cp -a "$E/etc" "$E/root" "$G/"
(cd "$G" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
	>"$OV/xentest/guest.cpio"

# Which image and kernel command line each case boots with. The standalone
# image (XEN_IMAGE) takes its knobs from the command line but cannot be
# told --unbind-hvc, so the ring case uses the test's image.
IMG=${XEN_IMAGE-}
if [ -n "$IMG" ] && [ -f "$IMG" ]; then
	(cd "$E" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		cat "$IMG" - >"$OV/xentest/image.cpio"
	echo "xen: standalone image $IMG for hvc, absent"
else
	IMG=
	echo "xen: no standalone image (XEN_IMAGE); the test's own image for all cases"
fi
KNOBS="xenchan.resident=1 xenchan.timeout=90 xenchan.after=poweroff"
for c in $CASES; do
	case $c in
	echo) r=guest.cpio a="xt.mode=echo" ;;
	hvc) r=guest.cpio a="xt.mode=agent xt.args=--transport,hvc,--resident,--timeout,90,--kmsg"
		[ -n "$IMG" ] && r=image.cpio a="xenchan.transport=hvc $KNOBS" ;;
	ring | fault | backend) r=guest.cpio a="xt.mode=agent xt.args=--transport,ring,--unbind-hvc,--resident,--timeout,90,--kmsg" ;;
	absent) r=guest.cpio a="xt.mode=agent xt.args=--timeout,8,--kmsg,--on-missing,continue"
		[ -n "$IMG" ] && r=image.cpio a="xenchan.timeout=8 xenchan.after=poweroff" ;;
	*) fatal "unknown case $c (cases: echo hvc ring absent fault backend)" ;;
	esac
	echo "$r" >"$OV/xentest/ramdisk.$c"
	echo "$a" >"$OV/xentest/cmdline.$c"
done
[ -x "$O/xenchan" ] && cp "$O/xenchan" "$OV/xentest/"
MAC=00:16:3e:58:43:01
echo $MAC >"$OV/xentest/mac"
cp -a "$HERE/seed" "$OV/xentest/"
(cd "$OV" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
	>"$W/overlay.cpio"
cat "$CACHE/root.cpio" "$W/overlay.cpio" >"$W/dom0.cpio"
rm -f "$W/overlay.cpio"

# Boot. Both serial ports go to files; a reader per file stamps each line
# with the time since QEMU started, and the console reader kills QEMU at
# the first sign of a crash, so a crash ends the run in seconds.
: >"$W/console.log"
: >"$W/results.log"
T0=$EPOCHREALTIME
ms() { local t=$EPOCHREALTIME; echo $(((${t/./} - ${T0/./}) / 1000)); }
timeout -s KILL "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max,-smap \
	-smp 2 -m 3072 -display none -monitor none -no-reboot \
	-serial file:"$W/console.log" -serial file:"$W/results.log" \
	-kernel "$W/xen" \
	-append "console=com1 com1=115200 dom0_mem=1536M,max:1536M" \
	-initrd "/boot/vmlinuz-$KVER console=hvc0 earlyprintk=xen panic=5,$W/dom0.cpio" \
	2>"$W/qemu.err" &
QPID=$!

CRASH='Panic on CPU|FATAL TRAP|Unhandled: vec|Kernel panic|Oops:|BUG: (unable to handle|kernel NULL|Bad page)|general protection fault|Xen call trace'
now_ms() { local t=$EPOCHREALTIME; NOW=$(((${t/./} - ${T0/./}) / 1000)); }
# stamp IN OUT [watch]: copy IN's lines to OUT as "<ms> <line>" as they
# come, until run.sh creates $W/stop and IN is drained.
stamp() {
	local l part="" fd
	exec {fd}<"$1"
	while :; do
		if IFS= read -r l <&$fd; then
			l=$part$l part=""
			now_ms
			printf '%s %s\n' "$NOW" "${l%$'\r'}" >>"$2"
			if [ -n "${3-}" ] && [[ $l =~ $CRASH ]]; then
				echo "${l%$'\r'}" >"$W/crash"
				kill $QPID 2>/dev/null
			fi
		else
			part=$part$l
			[ -e "$W/stop" ] && break
			sleep 0.05
		fi
	done
}
stamp "$W/console.log" "$W/console.txt" watch &
S1=$!
stamp "$W/results.log" "$W/results.txt" &
S2=$!
wait $QPID
QRC=$?
touch "$W/stop"
wait $S1 $S2
now_ms
echo "xen: QEMU ran $((NOW / 1000)) s (exit $QRC); logs in $W"

# What the run reported: `field CASE KEY` prints the value of the first
# `R CASE KEY value` line, `at CASE KEY` the host time (ms) it arrived.
field() { awk -v c="$1" -v k="$2" '$2 == "R" && $3 == c && $4 == k {
	sub(/^[0-9]+ R [^ ]+ [^ ]+ ?/, ""); print; exit }' "$W/results.txt"; }
has() { grep -q "^[0-9]* R $1 $2 " "$W/results.txt"; }
first() { awk -v re="$1" '$0 ~ re { print $1; exit }' "$W/console.txt"; }
secs() { [ -n "$1" ] && awk -v m="$1" 'BEGIN { printf "%.1f s", m / 1000 }' || echo "-"; }

if [ -s "$W/crash" ]; then
	echo "xen: crash seen on the serial console, QEMU stopped:"
	echo "  $(cat "$W/crash")"
	grep -B 20 -A 5 -F -m 1 -- "$(cat "$W/crash")" "$W/console.txt" | sed 's/^/  | /'
fi
if [ "$QRC" = 137 ] && [ ! -s "$W/crash" ]; then
	echo "xen: QEMU did not finish within $TIMEOUT s; last console lines:"
	tail -n 15 "$W/console.txt" | sed 's/^/  | /'
fi
if [ -n "$(field dom0 fatal)" ]; then
	echo "xen: dom0 setup failed: $(field dom0 fatal)"
fi
echo "xen: $(field dom0 xen | sed 's/^/Xen /'), dom0 kernel $(field dom0 kernel)"
echo "xen: timings since QEMU start:" \
	"Xen banner $(secs "$(first 'Xen version')")," \
	"dom0 Linux $(secs "$(first 'Linux version')")," \
	"dom0 /init $(secs "$(awk '$2 == "R" && $3 == "dom0" && $4 == "up" { print $1; exit }' "$W/results.txt")")," \
	"toolstack up $(secs "$(awk '$2 == "R" && $3 == "dom0" && $4 == "toolstack" { print $1; exit }' "$W/results.txt")")"

# The cases' assertions: each returns 0, or prints why it failed; `say`
# prints to the terminal (timings) from inside the $(...).
exec 3>&1
say() { echo "$*" >&3; }
check_echo() {
	has echo reply || { echo "no echo through the channel" \
		"(socket: $(field echo t-socket), create: $(field echo create))"; return 1; }
	say "  echo: xl create $(field echo t-create) s, socket" \
		"$(field echo t-socket) s, round trip done $(field echo t-reply) s"
}

# What the seed configures (tests/xen/seed; dom0 puts xenchan-CASE for
# @HOST@), read from the files, not restated here.
SEED_ADDR=$(sed -n 's/.*addresses: \[\([0-9.]*\/[0-9]*\)\].*/\1/p' "$HERE/seed/network-config" | head -n 1)
SEED_MTU=$(sed -n 's/^ *mtu: *//p' "$HERE/seed/network-config")
lines() { awk -v c="$1" -v k="$2" '$2 == "R" && $3 == c && $4 == k {
	sub(/^[0-9]+ R [^ ]+ [^ ]+ ?/, ""); print }' "$W/results.txt"; }
# kv CASE KEY NAME: the value of NAME= in the output lines of KEY.
kv() { lines "$1" "$2" | tr ' ' '\n' | sed -n "s/^$3=//p" | head -n 1; }
kbs() { awk -v b="$1" -v t="$2" 'BEGIN { if (t > 0) printf "%.0f KiB/s", b / 1024 / t; else print "-" }'; }
# Why the guest did not get as far as the agent's flow, if it did not.
reached() {
	has $1 t-socket || { echo "no channel socket in dom0: $(field $1 no-socket)$(field $1 create)"; return 1; }
	has $1 t-connected || { echo "the agent never wrote on the channel" \
		"(guest console: $W/results.txt, lines 'R $1 console')"; return 1; }
}
# The flow shared by hvc and ring: ACK, every value read back, poweroff.
check_flow() {
	local c=$1 why="" v
	reached $c || return 1
	[ "$(field $c provision-rc)" = 0 ] && lines $c provision | grep -q '^applied ' ||
		why="$why; provision did not end in 'applied' (rc $(field $c provision-rc): $(lines $c provision | tail -n 1))"
	v=$(kv $c info hostname)
	[ "$v" = "xenchan-$c" ] || why="$why; info hostname='$v', configured xenchan-$c"
	v=$(kv $c info applied)
	case $v in xen-$c-*/1) ;; *) why="$why; info applied='$v', configured xen-$c-.../1" ;; esac
	v=$(lines $c net | grep -i "mac=$MAC")
	[ -n "$v" ] || why="$why; net shows no interface with mac=$MAC"
	case " $v " in *" addr=$SEED_ADDR "*) ;; *) why="$why; net: no addr=$SEED_ADDR on $MAC: '$v'" ;; esac
	case " $v " in *" mtu=$SEED_MTU "*) ;; *) why="$why; net: mtu is not $SEED_MTU on $MAC: '$v'" ;; esac
	case " $v " in *" state=up "*) ;; *) why="$why; net: $MAC is not up: '$v'" ;; esac
	v=$(kv $c motd sha256)
	[ -n "$v" ] && [ "$v" = "$(field $c want-motd)" ] || why="$why; motd sha256 '$v', wanted $(field $c want-motd)"
	[ "$(kv $c motd mode)" = 0640 ] || [ "$(kv $c motd mode)" = 640 ] || why="$why; motd mode $(kv $c motd mode), configured 0640"
	[ "$(field $c big-rc)" = 0 ] || why="$why; provisioning generation 2 (big file) failed: $(lines $c big | tail -n 1)"
	v=$(kv $c bigdigest sha256)
	[ -n "$v" ] && [ "$v" = "$(field $c want-big)" ] || why="$why; big file sha256 '$v', wanted $(field $c want-big)"
	case $(kv $c info2 applied) in xen-$c-*/2) ;; *) why="$why; after generation 2 info applied='$(kv $c info2 applied)'" ;; esac
	[ "$(field $c poweroff-rc)" = 0 ] || why="$why; signal poweroff rc $(field $c poweroff-rc): $(lines $c poweroff | tail -n 1)"
	has $c gone || why="$why; the guest did not power off: $(field $c still-running)"
	say "  $c: xl create $(field $c t-create) s, socket $(field $c t-socket) s," \
		"agent connected $(field $c t-connected) s, ACK $(field $c t-ack) s" \
		"(provision $(field $c provision-time) s), gone $(field $c gone) s after the poweroff signal"
	say "  $c: throughput $(kbs "$(field $c big-bytes)" "$(field $c big-time)")" \
		"($(field $c big-bytes) bytes of file in one transaction, $(field $c big-time) s)"
	[ -z "$why" ] || { echo "${why#; }"; return 1; }
}
check_hvc() { check_flow hvc; }
# backend: like fault, but QEMU's backend process was killed and restarted.
check_backend() {
	local why="" v
	reached backend || return 1
	has backend killed || { echo "the backend was not killed"; return 1; }
	has backend mark || { echo "the transaction never got going through the" \
		"relay (no 40000 bytes in 60 s), so the kill was not mid-transfer:" \
		"$(lines backend cut | tail -n 1)"; return 1; }
	lines backend cut | grep -q '^applied ' && { echo "the transfer was not cut: $(field backend killed)"; return 1; }
	[ "$(field backend info0-rc)" = 0 ] ||
		why="$why; after the restart the agent did not answer: $(lines backend info0 | tail -n 1)"
	case $(kv backend info0 applied) in */*) why="$why; after the kill a config was recorded" ;; esac
	[ "$(field backend bigdigest0-rc)" != 0 ] || why="$why; after the kill the big file exists"
	[ "$(field backend provision-rc)" = 0 ] && lines backend provision | grep -q '^applied ' ||
		why="$why; the rerun did not apply: $(lines backend provision | tail -n 1)"
	v=$(kv backend bigdigest sha256)
	[ -n "$v" ] && [ "$v" = "$(field backend want-big)" ] || why="$why; after the rerun big file sha256 '$v'"
	has backend gone || why="$why; the guest did not power off"
	say "  backend: killed $(field backend killed); socket back $(field backend t-restarted) s," \
		"agent answering $(field backend t-back) s after that"
	[ -z "$why" ] || { echo "${why#; }"; return 1; }
}
check_ring() { check_flow ring; }

# absent: one kernel-log line about the missing channel, and the boot went
# on (the guest powered off by itself after the agent's timeout).
check_absent() {
	local n why=""
	n=$(lines absent console | grep -cE '^\[ *[0-9.]+\] .*org\.xenchan\.agent\.0')
	[ "$n" = 1 ] || why="$why; $n kernel-log lines name the missing channel, wanted 1"
	lines absent console | grep -qiE 'continu' || why="$why; nothing says the boot continues"
	has absent gone || why="$why; the guest did not boot on to its end: $(field absent still-running)"
	say "  absent: '$(lines absent console | grep -E '^\[ *[0-9.]+\] .*org\.xenchan\.agent\.0' | head -n 1)'," \
		"guest done $(field absent gone) s after xl create began"
	[ -z "$why" ] || { echo "${why#; }"; return 1; }
}

# fault: the host tool killed mid-transfer; nothing applied; rerun applies.
check_fault() {
	local why="" v
	reached fault || return 1
	has fault cut || { echo "the cut transfer did not run"; return 1; }
	lines fault cut | grep -q '^applied ' && { echo "the transfer was not cut: $(field fault cut)"; return 1; }
	# Nothing recorded: info names no config id (PROTOCOL.md: empty), and
	# the rerun's handshake says nothing was applied before.
	v=$(kv fault info0 applied)
	[ "$(field fault info0-rc)" = 0 ] && case $v in */*) false ;; esac ||
		why="$why; after the cut: info rc $(field fault info0-rc), applied='$v' (wanted no config id)"
	lines fault provision | grep -q 'previously applied: none' ||
		why="$why; the rerun found a config applied before it: $(lines fault provision | grep -m 1 'previously')"
	[ "$(kv fault info0 hostname)" != xenchan-fault ] || why="$why; after the cut the hostname was already set"
	[ "$(field fault bigdigest0-rc)" != 0 ] || why="$why; after the cut the big file exists"
	[ "$(field fault provision-rc)" = 0 ] && lines fault provision | grep -q '^applied ' ||
		why="$why; the rerun did not apply: $(lines fault provision | tail -n 1)"
	v=$(kv fault bigdigest sha256)
	[ -n "$v" ] && [ "$v" = "$(field fault want-big)" ] || why="$why; after the rerun big file sha256 '$v'"
	[ "$(kv fault info hostname)" = xenchan-fault ] || why="$why; after the rerun hostname '$(kv fault info hostname)'"
	has fault gone || why="$why; the guest did not power off"
	say "  fault: $(field fault cut) ($(lines fault cut | tail -n 1));" \
		"rerun applied in $(field fault provision-time) s"
	[ -z "$why" ] || { echo "${why#; }"; return 1; }
}

for c in $CASES; do
	if ! has $c start; then
		bad $c "never started in dom0 (see $W/console.txt)"
	elif ! has $c end; then
		bad $c "did not finish in dom0 (see $W/results.txt)"
	elif why=$(check_$c); then
		ok $c
	else
		bad $c "$why"
	fi
done
finish
