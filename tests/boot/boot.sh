#!/bin/bash
# boot.sh - boot tests: real kernels (Debian's linux-image-amd64) under
# QEMU TCG, the agent early in boot, a virtio-serial channel bound to a
# Unix socket on this host, and the host tool on the other end. Each case
# asserts what the peer, the console (kernel log) or the disk image
# (debugfs) shows. docs/BOOT.md describes the images; tests/boot/build.mk
# runs the groups:
#
#   tiny     standalone image, provisioning over virtio-serial + virtio-net,
#            checked through `xenchan query`, then `xenchan signal poweroff`
#   debian   mkinitramfs with our hook, and dracut with our module, each
#            booting an ext4 root and provisioning it; the disk is read
#            with debugfs; onmissing=fail stops the boot
#   missing  no channel / wrong name / no host: the boot continues, or
#            stops with xenchan.onmissing=fail, with one clear line
#   timing   host connects late and early; a second boot with the same
#            config id applies nothing
#
# usage: boot.sh GROUP   (environment: see tests/boot/build.mk)
set -u
GROUP=$1
: "${O:?}" "${KERNEL:?}" "${KVER:?}" "${AGENT:?}" "${HOST:?}" "${MKCPIO:?}"
: "${HALTINIT:?}" "${IMG_MANIFEST:?}" "${INSTALL_ROOT:=}"
QEMU=${QEMU:-qemu-system-x86_64}
for t in "$QEMU" mke2fs debugfs cpio; do
	command -v "$t" > /dev/null || {
		echo "boot-$GROUP: $t is missing: run 'make deps' (Debian" \
			"packages qemu-system-x86, e2fsprogs, cpio)"
		exit 1
	}
done
[ -r "$KERNEL" ] || {
	echo "boot-$GROUP: cannot read the kernel $KERNEL: install" \
		"linux-image-amd64 (make deps), or pass KVER= of one in /boot"
	exit 1
}
CHANNEL=org.xenchan.agent.0
MAC=52:54:00:12:34:56
KEY='ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILamr/VjzlVLUcH2SR1G1rQB77zVi3zIuif3dHb5KHln boot@xenchan-test'
MOTD='provisioned by the xenchan boot test'
HERE=$(cd "$(dirname "$0")" && pwd)

W=$O/boot/$GROUP
rm -rf "$W"
mkdir -p "$W"
W=$(cd "$W" && pwd)
# Unix socket paths are limited to 108 bytes: keep them short
S=$(mktemp -d /tmp/xcboot.XXXXXX)
QPID=
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null
	rm -rf "$S"
}
trap cleanup EXIT

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "boot-$GROUP: ok   $1"; }
bad() {
	fail=$((fail + 1))
	echo "boot-$GROUP: FAIL $1: $2"
}
check() { # check NAME "what went wrong" COMMAND...
	local name=$1 msg=$2
	shift 2
	if "$@"; then ok "$name"; else bad "$name" "$msg"; fi
}

# ---- QEMU ---------------------------------------------------------------

# qemu_start NAME INITRD APPEND [QEMU ARGS...]: boots in the background;
# the serial console goes to $W/NAME.console.
qemu_start() {
	local name=$1 initrd=$2 append=$3
	shift 3
	CON=$W/$name.console
	: > "$CON"
	timeout -k 5 240 "$QEMU" -nodefaults -display none -no-reboot \
		-machine pc -m 256 -smp 1 -serial "file:$CON" \
		-kernel "$KERNEL" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 $append" "$@" \
		> "$W/$name.qemu" 2>&1 &
	QPID=$!
	QSTART=$(date +%s%N)
}

# qemu_wait SECS: 0 if QEMU ended within SECS (it was powered off: we
# pass -no-reboot and panic=-1), else kills it and returns 1.
qemu_wait() {
	local end=$((SECONDS + $1))
	while kill -0 "$QPID" 2>/dev/null; do
		if [ $SECONDS -ge $end ]; then
			kill "$QPID" 2>/dev/null
			wait "$QPID" 2>/dev/null
			QPID=
			return 1
		fi
		sleep 0.2
	done
	wait "$QPID" 2>/dev/null
	QPID=
	return 0
}

# wait_console REGEX SECS: until the console shows a line matching REGEX.
wait_console() {
	local end=$((SECONDS + $2))
	until grep -qE "$1" "$CON" 2>/dev/null; do
		[ $SECONDS -ge $end ] && return 1
		kill -0 "$QPID" 2>/dev/null || return 1
		sleep 0.2
	done
}

wait_socket() {
	local end=$((SECONDS + 20))
	until [ -S "$1" ]; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.05
	done
}

channel_args() { # channel_args SOCKET [PORT-NAME]
	echo "-device virtio-serial" \
		"-chardev socket,id=c0,path=$1,server=on,wait=off" \
		"-device virtserialport,chardev=c0,name=${2:-$CHANNEL}"
}
NIC_ARGS="-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0,mac=$MAC"
disk_args() { echo "-drive file=$1,format=raw,if=virtio"; }

# ---- images -------------------------------------------------------------

# seed ID DIR: the test's NoCloud seed with instance-id ID
seed() {
	mkdir -p "$2"
	for f in meta-data user-data network-config; do
		sed "s|@ID@|$1|" "$HERE/seed/$f" > "$2/$f"
	done
}

# The tiny image of `make initramfs` plus the users the seed refers to.
tiny_image() {
	{
		cat "$IMG_MANIFEST"
		for f in passwd group; do
			echo "file etc/$f $HERE/rootfs/etc/$f 0644"
		done
		echo "file etc/shadow $HERE/rootfs/etc/shadow 0640"
		echo "dir root 0700"
		echo "dir home/admin 0755"
	} > "$W/tiny.manifest"
	"$MKCPIO" "$W/tiny.manifest" > "$W/tiny.cpio"
}

# An ext4 root file system: the users, an empty /root and /home/admin,
# and /sbin/init that reports on the console and powers off.
root_image() { # root_image IMG
	local d=$W/rootdir
	rm -rf "$d"
	mkdir -p "$d/etc" "$d/sbin" "$d/root" "$d/home/admin" "$d/dev" \
		"$d/proc" "$d/sys" "$d/run" "$d/tmp" "$d/var/lib"
	cp "$HERE/rootfs/etc/passwd" "$HERE/rootfs/etc/group" "$d/etc/"
	# systemd (in a dracut image) switches only into an OS tree
	printf 'ID=xenchan-test\nNAME="xenchan boot test"\n' > "$d/etc/os-release"
	install -m 0640 "$HERE/rootfs/etc/shadow" "$d/etc/shadow"
	install -m 0755 "$HALTINIT" "$d/sbin/init"
	chmod 0700 "$d/root"
	chown 1000:1000 "$d/home/admin"
	chmod 0750 "$d/home/admin"
	rm -f "$1"
	mke2fs -q -t ext4 -L xcroot -d "$d" "$1" 64M > /dev/null
}

dbg() { debugfs -R "$2" "$1" 2>/dev/null; } # dbg IMG REQUEST
# "MODE UID GID" of a path in an image, e.g. "0640 1000 1000"
dstat() {
	dbg "$1" "stat $2" | awk '
		/Mode:/ { for (i = 1; i < NF; i++) if ($i == "Mode:") m = $(i+1) }
		/User:/ { for (i = 1; i < NF; i++) {
			if ($i == "User:") u = $(i+1)
			if ($i == "Group:") g = $(i+1) } }
		END { if (m != "") print m, u, g }'
}
dctime() { dbg "$1" "stat $2" | grep -m1 ' ctime:'; }

sha() { printf '%s\n' "$1" | sha256sum | cut -d' ' -f1; }

# provision ID OUT: runs the host tool against $SOCK with seed ID; its
# exit status goes on the last line of OUT ("exit N")
provision() {
	seed "$1" "$W/seed-$1"
	timeout 90 "$HOST" provision "$SOCK" "$W/seed-$1" > "$2" 2>&1
	echo "exit $?" >> "$2"
}
# provisioned OUT applied|already: the host says so, and exited 0
provisioned() {
	tail -1 "$1" | grep -qx 'exit 0' && grep -q "$2" "$1"
}

# ---- tiny ---------------------------------------------------------------

group_tiny() {
	local out=$W/out digest t0 t1
	tiny_image
	SOCK=$S/tiny.sock
	qemu_start tiny "$W/tiny.cpio" \
		"xenchan.resident=1 xenchan.timeout=120 xenchan.after=poweroff" \
		$(channel_args "$SOCK") $NIC_ARGS
	wait_socket "$SOCK" || bad socket "QEMU made no socket $SOCK"

	provision boot-tiny "$out.provision"
	check provision "host output: $(tail -3 "$out.provision")" \
		provisioned "$out.provision" applied

	timeout 30 "$HOST" query "$SOCK" info > "$out.info" 2>&1
	check info-hostname "info: $(cat "$out.info")" \
		grep -q 'hostname=bootvm' "$out.info"
	check info-applied "info: $(cat "$out.info")" \
		grep -q 'applied=boot-tiny/1' "$out.info"
	check info-kernel "info: $(cat "$out.info")" \
		grep -q "kernel=$KVER" "$out.info"

	timeout 30 "$HOST" query "$SOCK" net > "$out.net" 2>&1
	check net-addr "net: $(cat "$out.net")" \
		grep -Eq "mac=$MAC.*addr=192\.0\.2\.10/24" "$out.net"
	check net-up "net: $(cat "$out.net")" \
		grep -Eq "mac=$MAC.*state=up" "$out.net"

	fdig() { # fdig PATH EXPECTED-CONTENT [MODE UID GID]
		timeout 30 "$HOST" query "$SOCK" file-digest "$1" \
			> "$out.fd" 2>&1
		grep -q "sha256=$(sha "$2")" "$out.fd" || {
			echo "  $1: $(cat "$out.fd")"
			return 1
		}
		[ $# -lt 3 ] && return 0
		grep -Eqx "mode=0*$3" "$out.fd" && grep -qx "uid=$4" "$out.fd" &&
			grep -qx "gid=$5" "$out.fd" || {
			echo "  $1: $(cat "$out.fd")"
			return 1
		}
	}
	check digest-hostname "/etc/hostname is not 'bootvm'" \
		fdig /etc/hostname bootvm
	check digest-motd "/etc/xenchan-test/motd differs" \
		fdig /etc/xenchan-test/motd "$MOTD" 640 1000 1000
	check digest-sshkey "authorized_keys differs" \
		fdig /home/admin/.ssh/authorized_keys "$KEY" 600 1000 1000
	timeout 30 "$HOST" query "$SOCK" file-digest /etc/resolv.conf \
		> "$out.resolv" 2>&1
	check digest-resolv "resolv.conf: $(cat "$out.resolv")" \
		grep -Eq 'size=[1-9]' "$out.resolv"

	check net-route "net: $(cat "$out.net")" \
		grep -Eq "mac=$MAC.*route=default via 192\.0\.2\.1" "$out.net"

	check kmsg-log "no kernel log line with the agent's virtio port" \
		grep -Eq "xenchan-agent: .*$CHANNEL.*/dev/vport[0-9]+p[0-9]+" "$CON"

	t0=$SECONDS
	timeout 30 "$HOST" signal "$SOCK" poweroff > "$out.signal" 2>&1
	check poweroff "QEMU still running 30 s after 'signal poweroff'" \
		qemu_wait 30
	t1=$SECONDS
	echo "boot-tiny: poweroff took $((t1 - t0)) s"
}

# ---- debian -------------------------------------------------------------

group_debian() {
	# directories named *.d stay outside $O: the top Makefile includes
	# every *.d it finds there
	local conf=$S/conf img=$W/root.img out=$W/out agent a
	agent=$INSTALL_ROOT/usr/sbin/xenchan-agent
	check install "make install left no $agent" test -x "$agent"
	mkdir -p "$conf/hooks" "$conf/scripts/local-bottom" "$conf/conf.d"
	cat > "$conf/initramfs.conf" <<-EOF
		MODULES=list
		BUSYBOX=auto
		KEYMAP=n
		COMPRESS=gzip
		RUNSIZE=10%
		FSTYPE=ext4
	EOF
	printf '%s\n' virtio_pci virtio_blk virtio_net ext4 crc32c_generic \
		> "$conf/modules"
	cp "$INSTALL_ROOT/usr/share/initramfs-tools/hooks/xenchan" \
		"$conf/hooks/"
	cp "$INSTALL_ROOT/usr/share/initramfs-tools/scripts/local-bottom/xenchan" \
		"$conf/scripts/local-bottom/"
	XENCHAN_AGENT=$agent mkinitramfs -d "$conf" -o "$W/initrd.img" \
		"$KVER" > "$W/mkinitramfs.log" 2>&1
	check mkinitramfs "mkinitramfs failed: $(tail -3 "$W/mkinitramfs.log")" \
		test -s "$W/initrd.img"
	lsinitramfs "$W/initrd.img" > "$W/initrd.list" 2>/dev/null
	check initrd-has-agent "no agent in the image" \
		grep -Eq '^(usr/)?sbin/xenchan-agent$' "$W/initrd.list"
	check initrd-has-script "no local-bottom script in the image" \
		grep -q '^scripts/local-bottom/xenchan$' "$W/initrd.list"
	check initrd-has-virtio-console "no virtio_console module" \
		grep -q 'virtio_console.ko' "$W/initrd.list"

	root_image "$img"
	SOCK=$S/debian.sock
	# a channel name of our own: the knob must reach the agent
	qemu_start debian "$W/initrd.img" \
		"root=/dev/vda xenchan.timeout=120 xenchan.channel=org.example.prov.1" \
		$(channel_args "$SOCK" org.example.prov.1) $NIC_ARGS \
		$(disk_args "$img")
	wait_socket "$SOCK" || bad socket "QEMU made no socket $SOCK"
	provision boot-debian "$out.provision"
	check provision "host output: $(tail -3 "$out.provision")" \
		provisioned "$out.provision" applied
	check boot-continues "the root's /sbin/init did not run" \
		qemu_wait 120
	check reached-root-init "no halt-init line on the console" \
		grep -q 'halt-init reached' "$CON"
	n=$(grep -c 'xenchan-agent: applied boot-debian/1' "$CON")
	check kmsg-once "the agent's 'applied' line seen $n times" test "$n" = 1

	dbg "$img" 'cat /home/admin/.ssh/authorized_keys' > "$out.keys"
	check disk-sshkey "authorized_keys: $(cat "$out.keys")" \
		grep -qxF "$KEY" "$out.keys"
	a=$(dstat "$img" /home/admin/.ssh/authorized_keys)
	check disk-sshkey-owner "authorized_keys is '$a'" \
		test "$a" = "0600 1000 1000"
	a=$(dstat "$img" /home/admin/.ssh)
	check disk-sshdir-owner ".ssh is '$a'" test "$a" = "0700 1000 1000"
	dbg "$img" 'cat /etc/xenchan-test/motd' > "$out.motd"
	check disk-file "motd: $(cat "$out.motd")" \
		test "$(cat "$out.motd")" = "$MOTD"
	a=$(dstat "$img" /etc/xenchan-test/motd)
	check disk-file-owner "motd is '$a'" test "$a" = "0640 1000 1000"
	check disk-hostname "etc/hostname is not bootvm" \
		test "$(dbg "$img" 'cat /etc/hostname')" = bootvm
	dbg "$img" 'cat /etc/hosts' > "$out.hosts"
	check disk-hosts "etc/hosts: $(cat "$out.hosts")" \
		grep -q 'bootvm\.example\.test' "$out.hosts"
	dbg "$img" 'cat /etc/resolv.conf' > "$out.resolv"
	check disk-resolv "resolv.conf: $(cat "$out.resolv")" \
		grep -qx 'nameserver 192\.0\.2\.53' "$out.resolv"
	check disk-search "resolv.conf: $(cat "$out.resolv")" \
		grep -q '^search.*example\.test' "$out.resolv"
	check disk-applied "var/lib/xenchan/applied" \
		grep -q 'boot-debian/1' <(dbg "$img" 'cat /var/lib/xenchan/applied')

	# no channel and xenchan.onmissing=fail: the script stops the boot
	# (initramfs-tools' panic; with panic=-1 that reboots, and QEMU ends)
	root_image "$img"
	qemu_start debian-fail "$W/initrd.img" \
		"root=/dev/vda xenchan.timeout=3 xenchan.onmissing=fail" \
		$(disk_args "$img")
	check fail-ends "QEMU did not end" qemu_wait 90
	n=$(grep -c 'xenchan-agent: no channel .* found after 3s; failing' "$CON")
	check fail-agent-line "the agent's 'failing' line seen $n times" \
		test "$n" = 1
	check fail-stops-boot "no 'boot stopped' line from the script" \
		grep -q 'xenchan: .*boot stopped because xenchan.onmissing=fail' \
		"$CON"
	check fail-no-root-init "the root's init ran although onmissing=fail" \
		bash -c "! grep -q 'halt-init reached' '$CON'"

	group_dracut
}

# dracut: an image with our module, built from a private copy of dracut's
# module tree (never the system's), booting the ext4 root and
# provisioning it like the Debian one.
group_dracut() {
	local dd=$S/dracut agent=$INSTALL_ROOT/usr/sbin/xenchan-agent
	local img=$W/dracut-root.img out=$W/out
	if ! command -v dracut > /dev/null; then
		bad dracut "dracut is not installed (apt-get install dracut-core)"
		return
	fi
	mkdir -p "$dd/none"
	cp -a /usr/lib/dracut "$dd/base"
	cp -a "$INSTALL_ROOT/usr/lib/dracut/modules.d/90xenchan" \
		"$dd/base/modules.d/"
	dracutbasedir=$dd/base XENCHAN_AGENT=$agent timeout 300 dracut \
		--no-hostonly --force --no-early-microcode --kver "$KVER" \
		--add xenchan --drivers \
		"virtio_pci virtio_blk virtio_net ext4 crc32c_generic" \
		--conf /dev/null --confdir "$dd/none" --tmpdir "$dd" \
		"$dd/initrd.img" > "$dd/log" 2>&1
	check dracut-build "dracut failed: $(tail -3 "$dd/log")" \
		test -s "$dd/initrd.img"
	lsinitrd "$dd/initrd.img" > "$dd/list" 2>/dev/null
	check dracut-has-agent "no usr/sbin/xenchan-agent in the image" \
		grep -q ' usr/sbin/xenchan-agent$' "$dd/list"
	check dracut-has-hook "no pre-pivot hook in the image" \
		grep -Eq 'lib/dracut/hooks/pre-pivot/50-xenchan-pre-pivot.sh$' \
		"$dd/list"
	check dracut-has-virtio-console "no virtio_console module" \
		grep -q 'virtio_console.ko' "$dd/list"

	cp "$dd/log" "$W/dracut.log"
	root_image "$img"
	SOCK=$S/dracut.sock
	qemu_start dracut "$dd/initrd.img" \
		"root=/dev/vda xenchan.timeout=60 xenchan.channel=org.example.prov.2" \
		-m 512 $(channel_args "$SOCK" org.example.prov.2) $NIC_ARGS \
		$(disk_args "$img")
	wait_socket "$SOCK" || bad socket "QEMU made no socket $SOCK"
	provision boot-dracut "$out.dracut"
	check dracut-provision "host output: $(tail -3 "$out.dracut")" \
		provisioned "$out.dracut" applied
	check dracut-boot-continues "QEMU did not power off" qemu_wait 90
	check dracut-reached-root-init "no halt-init line on the console" \
		grep -q 'halt-init reached' "$CON"
	n=$(grep -c 'xenchan-agent: applied boot-dracut/1' "$CON")
	check dracut-kmsg-once "the agent's 'applied' line seen $n times" \
		test "$n" = 1
	check dracut-disk-sshkey "authorized_keys missing on disk" \
		grep -qxF "$KEY" <(dbg "$img" 'cat /home/admin/.ssh/authorized_keys')
	check dracut-disk-applied "var/lib/xenchan/applied" \
		grep -q 'boot-dracut/1' <(dbg "$img" 'cat /var/lib/xenchan/applied')
}

# ---- missing ------------------------------------------------------------

group_missing() {
	local img=$W/root.img n
	tiny_image
	root_image "$img"
	NOCHAN="xenchan-agent: no channel $CHANNEL found after"

	# 1. no virtio-serial device at all: the boot goes on, one line says
	#    why
	qemu_start nodev "$W/tiny.cpio" "root=/dev/vda xenchan.timeout=5" \
		$(disk_args "$img")
	check nodev-ends "QEMU did not power off" qemu_wait 60
	n=$(grep -c "$NOCHAN 5s; continuing without it" "$CON")
	check nodev-one-line "'$NOCHAN 5s; continuing' seen $n times" \
		test "$n" = 1
	n=$(grep -c 'xenchan-agent:' "$CON")
	check nodev-only-line "$n agent lines: $(grep xenchan-agent: "$CON")" \
		test "$n" = 1
	check nodev-continues "the root's init did not run" \
		grep -q 'halt-init reached' "$CON"

	# 2. a port with another name, onmissing=fail: the boot stops after
	#    the timeout
	SOCK=$S/other.sock
	qemu_start othername "$W/tiny.cpio" \
		"root=/dev/vda xenchan.timeout=3 xenchan.onmissing=fail" \
		$(channel_args "$SOCK" org.other.0) $(disk_args "$img")
	check fail-ends "QEMU did not power off" qemu_wait 60
	n=$(grep -c "$NOCHAN 3s; failing" "$CON")
	check fail-agent-line "'$NOCHAN 3s; failing' seen $n times" \
		test "$n" = 1
	n=$(grep -c "xenchan-init: boot stopped: no xenchan channel" "$CON")
	check fail-init-line "'boot stopped' seen $n times" test "$n" = 1
	check fail-stops "the root's init ran although onmissing=fail" \
		bash -c "! grep -q 'halt-init reached' '$CON'"
	check fail-waited "gave up before xenchan.timeout=3" awk '
		/Run \/init/ { s = substr($2, 1, length($2) - 1) + 0 }
		/boot stopped/ { e = substr($2, 1, length($2) - 1) + 0 }
		END { exit !(s > 0 && e - s >= 3) }' "$CON"

	# 3. the port is there but no host connects: the boot goes on
	SOCK=$S/nohost.sock
	qemu_start nohost "$W/tiny.cpio" "root=/dev/vda xenchan.timeout=4" \
		$(channel_args "$SOCK") $(disk_args "$img")
	check nohost-ends "QEMU did not power off" qemu_wait 60
	n=$(grep -c 'xenchan-agent: no configuration came from the host' "$CON")
	check nohost-one-line "'no configuration came' seen $n times" \
		test "$n" = 1
	check nohost-continues "the root's init did not run" \
		grep -q 'halt-init reached' "$CON"
}

# ---- timing -------------------------------------------------------------

group_timing() {
	local img=$W/root.img out=$W/out c1 c2
	tiny_image
	root_image "$img"

	# 1. late: the host comes 4 s after the agent opened its port
	SOCK=$S/late.sock
	qemu_start late "$W/tiny.cpio" "root=/dev/vda xenchan.timeout=60" \
		$(channel_args "$SOCK") $NIC_ARGS $(disk_args "$img")
	if wait_console "xenchan-agent: .*$CHANNEL" 60; then
		sleep 4
		provision boot-timing "$out.late"
		check late-applied "host: $(tail -3 "$out.late")" \
			provisioned "$out.late" applied
	else
		bad late-agent "the agent never reported its port"
	fi
	check late-boot-continues "QEMU did not power off" qemu_wait 60
	check late-root-init "no halt-init line" grep -q 'halt-init' "$CON"
	check late-on-disk "authorized_keys missing on disk" \
		grep -qxF "$KEY" <(dbg "$img" 'cat /home/admin/.ssh/authorized_keys')
	c1=$(dctime "$img" /home/admin/.ssh/authorized_keys)

	# 2. early, same config id: the host connects while the kernel is
	#    still booting; the second boot applies nothing
	SOCK=$S/again.sock
	qemu_start again "$W/tiny.cpio" "root=/dev/vda xenchan.timeout=60" \
		$(channel_args "$SOCK") $NIC_ARGS $(disk_args "$img")
	wait_socket "$SOCK"
	provision boot-timing "$out.again"
	check again-already "host: $(tail -3 "$out.again")" \
		provisioned "$out.again" already
	check again-boot-continues "QEMU did not power off" qemu_wait 60
	c2=$(dctime "$img" /home/admin/.ssh/authorized_keys)
	check again-untouched "authorized_keys changed: '$c1' -> '$c2'" \
		test -n "$c1" -a "$c1" = "$c2"
	n=$(dbg "$img" 'cat /home/admin/.ssh/authorized_keys' | grep -cxF "$KEY")
	check again-one-key "the key is there $n times" test "$n" = 1

	# 3. early, a new config id: applied
	SOCK=$S/early.sock
	qemu_start early "$W/tiny.cpio" "root=/dev/vda xenchan.timeout=60" \
		$(channel_args "$SOCK") $NIC_ARGS $(disk_args "$img")
	wait_socket "$SOCK"
	provision boot-timing-2 "$out.early"
	check early-applied "host: $(tail -3 "$out.early")" \
		provisioned "$out.early" applied
	check early-boot-continues "QEMU did not power off" qemu_wait 60
	check early-recorded "var/lib/xenchan/applied is not boot-timing-2/1" \
		grep -q 'boot-timing-2/1' <(dbg "$img" 'cat /var/lib/xenchan/applied')
}

case $GROUP in
tiny | debian | missing | timing) "group_$GROUP" ;;
*)
	echo "usage: boot.sh tiny|debian|missing|timing" >&2
	exit 2
	;;
esac
echo "boot-$GROUP: $pass passed, $fail failed"
[ "$fail" = 0 ]
