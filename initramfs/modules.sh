#!/bin/sh
# modules.sh - copies kernel modules and their dependencies into a
# directory for the standalone initramfs, and writes load.list: the order
# in which init loads them with finit_module(2) (dependencies first, as
# modules.dep lists them). Compressed modules (.ko.xz, .ko.zst, .ko.gz) are
# stored decompressed, since finit_module needs the kernel's support for
# compressed modules otherwise. Runs on the build host, not in the image.
#
# usage: modules.sh KVER OUTDIR MODULE...
#   MODULE is a name as modprobe knows it (virtio_console, ext4, ...).
set -eu
kver=$1 out=$2
shift 2
moddir=/lib/modules/$kver
dep=$moddir/modules.dep
if [ ! -r "$dep" ]; then
	echo "modules.sh: $dep not found: install linux-image-$kver" \
		"or pass KVER= of an installed kernel" >&2
	exit 1
fi
rm -rf "$out"
mkdir -p "$out"
: > "$out/load.list"

# path of a module by name; '-' and '_' are the same in module names
modpath() {
	n=$(printf '%s' "$1" | tr '-' '_')
	awk -F: -v n="$n" '{
		b = $1; sub(".*/", "", b); sub("\\.ko.*$", "", b);
		gsub("-", "_", b);
		if (b == n) { print $1; exit }
	}' "$dep"
}

add() { # add PATH: its dependencies first, each module once
	local p deps d name
	p=$1
	name=$(basename "$p" | sed 's/\.ko.*$/.ko/')
	grep -qx "$name" "$out/load.list" && return 0
	deps=$(awk -F': *' -v p="$p" '$1 == p { print $2; exit }' "$dep")
	# modules.dep lists the deepest dependency last: load in reverse
	for d in $(printf '%s\n' $deps | tac); do
		add "$d"
	done
	case $p in
	*.ko.xz) xz -dc "$moddir/$p" > "$out/$name" ;;
	*.ko.zst) zstd -qdc "$moddir/$p" > "$out/$name" ;;
	*.ko.gz) gzip -dc "$moddir/$p" > "$out/$name" ;;
	*) cp "$moddir/$p" "$out/$name" ;;
	esac
	echo "$name" >> "$out/load.list"
}

for m in "$@"; do
	p=$(modpath "$m")
	if [ -z "$p" ]; then
		# built into the kernel, or not there at all
		if grep -q "/$(printf '%s' "$m" | tr '-' '_').ko" \
			"$moddir/modules.builtin" 2>/dev/null; then
			continue
		fi
		echo "modules.sh: module $m not found for kernel $kver" >&2
		exit 1
	fi
	add "$p"
done
