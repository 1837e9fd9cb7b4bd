#!/bin/bash
# bench.sh - the agent's cost in the boot: seconds from QEMU's start to the
# host tool's ACK (DONE applied) for the standalone image, beside the same
# kernel with a trivial /init that powers off at once. QEMU TCG, medians
# over BOOTS boots (default 5). Environment as for boot.sh.
set -u
: "${O:?}" "${KERNEL:?}" "${KVER:?}" "${HOST:?}" "${MKCPIO:?}" \
	"${HALTINIT:?}" "${IMG_MANIFEST:?}"
BOOTS=${BOOTS:-5}
QEMU=${QEMU:-qemu-system-x86_64}
HERE=$(cd "$(dirname "$0")" && pwd)
W=$O/boot/bench
rm -rf "$W"
mkdir -p "$W"
S=$(mktemp -d /tmp/xcbench.XXXXXX)
trap 'rm -rf "$S"' EXIT

echo "file init $HALTINIT 0755" > "$W/trivial.manifest"
"$MKCPIO" "$W/trivial.manifest" > "$W/trivial.cpio"
{
	cat "$IMG_MANIFEST"
	echo "file etc/passwd $HERE/rootfs/etc/passwd 0644"
	echo "file etc/group $HERE/rootfs/etc/group 0644"
	echo "file etc/shadow $HERE/rootfs/etc/shadow 0640"
	echo "dir home/admin 0755"
} > "$W/tiny.manifest"
"$MKCPIO" "$W/tiny.manifest" > "$W/tiny.cpio"
mkdir -p "$W/seed"
for f in meta-data user-data network-config; do
	sed "s|@ID@|bench|" "$HERE/seed/$f" > "$W/seed/$f"
done

now() { date +%s%N; }
secs() { awk -v n="$1" 'BEGIN { printf "%.2f", n / 1e9 }'; }

# qemu INITRD SOCKET|- : starts QEMU in the background
qemu() {
	local chan=()
	[ "$2" != - ] && chan=(-device virtio-serial
		-chardev "socket,id=c0,path=$2,server=on,wait=off"
		-device virtserialport,chardev=c0,name=org.xenchan.agent.0
		-netdev user,id=n0,restrict=on
		-device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56)
	timeout -k 5 120 "$QEMU" -nodefaults -display none -no-reboot \
		-machine pc -m 256 -smp 1 -serial "file:$W/console" \
		-kernel "$KERNEL" -initrd "$1" \
		-append "console=ttyS0 panic=-1 xenchan.timeout=60" \
		"${chan[@]}" > /dev/null 2>&1 &
	QPID=$!
}

: > "$W/trivial.times"
: > "$W/ack.times"
: > "$W/off.times"
for i in $(seq "$BOOTS"); do
	t0=$(now)
	qemu "$W/trivial.cpio" -
	wait "$QPID"
	echo $(($(now) - t0)) >> "$W/trivial.times"

	sock=$S/b$i.sock
	t0=$(now)
	qemu "$W/tiny.cpio" "$sock"
	until [ -S "$sock" ]; do sleep 0.02; done
	if timeout 60 "$HOST" provision "$sock" "$W/seed" > "$W/host.$i" 2>&1 &&
		grep -q applied "$W/host.$i"; then
		echo $(($(now) - t0)) >> "$W/ack.times"
	else
		echo "bench-boot: boot $i: no ACK: $(tail -2 "$W/host.$i")"
	fi
	wait "$QPID"
	echo $(($(now) - t0)) >> "$W/off.times"
done

stats() { # median min max of a file of nanoseconds
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-", "-", "-"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f %.2f %.2f\n", m / 1e9, v[1] / 1e9, v[NR] / 1e9 }'
}
read -r tm tmin tmax < <(stats "$W/trivial.times")
read -r am amin amax < <(stats "$W/ack.times")
read -r om omin omax < <(stats "$W/off.times")
echo
echo "boot cost of the agent: QEMU TCG, kernel $KVER," \
	"$BOOTS boots each, seconds"
printf '%-44s %7s %7s %7s\n' case median min max
printf '%-44s %7s %7s %7s\n' "trivial /init, powers off at once" \
	"$tm" "$tmin" "$tmax"
printf '%-44s %7s %7s %7s\n' "xenchan image: QEMU start to ACK" \
	"$am" "$amin" "$amax"
printf '%-44s %7s %7s %7s\n' "xenchan image: QEMU start to power off" \
	"$om" "$omin" "$omax"
awk -v a="$am" -v t="$tm" 'BEGIN { if (a != "-")
	printf "%-44s %7.2f\n", "agent cost (ACK median - trivial median)",
		a - t }'
[ "$(wc -l < "$W/ack.times")" = "$BOOTS" ]
