#!/bin/bash
# tests/xen/run.sh: the real-Xen test. Boots Debian's Xen 4.17 and a PV
# dom0 under qemu-system-x86_64 (TCG), runs the cases of dom0-cases.sh in
# that one boot, and asserts here, on the host, what dom0 reported through
# the second serial port. Facts and traps: ../shared/notes/real-xen-in-qemu.md.
#
#   tests/xen/run.sh O [CASE...]     (O: the build folder; default cases all)
#
# Environment: XEN_CACHE (dom0 root cache), XEN_TIMEOUT (whole boot, s).
set -u
O=${1:?usage: run.sh BUILD-DIR [CASE...]}
shift
HERE=$(cd "$(dirname "$0")" && pwd)
W=$O/xen
CASES=${*:-echo}
TIMEOUT=${XEN_TIMEOUT:-300}

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
(cd "$G" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
	>"$OV/xentest/guest.cpio"

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

CRASH='Panic on CPU|FATAL TRAP|Unhandled: vec|Kernel panic|Oops:|BUG: |general protection fault|Xen call trace'
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
