#!/bin/sh
# tests/xen/mkroot.sh: build (or reuse) the Debian bookworm root that the
# real-Xen test boots as dom0: Xen 4.17, xl, xenstored, xenconsoled and
# qemu-system-xen, from the Debian mirror apt is configured with.
#
# The root is cached outside the work tree, under $XEN_CACHE (default
# /var/cache/xenchan-xen), in a folder named after a hash of everything that
# decides its content (suite, package list, mirror), so a rerun skips
# debootstrap. Prints the root's path on stdout; progress goes to stderr.
set -eu

CACHE=${XEN_CACHE:-/var/cache/xenchan-xen}
SUITE=bookworm
PKGS=xen-hypervisor-4.17-amd64,xen-utils-4.17,xenstore-utils,qemu-system-xen,busybox-static,socat,kmod,libyaml-0-2

# The mirror apt uses: a deb822 stanza (sources.list.d/*.sources) or a
# one-line entry (sources.list, *.list) whose suite is exactly $SUITE.
mirror() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v s="$SUITE" '
			/^[ \t]*$/ { if (ok && uri) { print uri; exit } uri = ""; ok = 0; next }
			/^URIs:/ { uri = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
			END { if (ok && uri) print uri }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) '"$SUITE"' .*/\2/p' "$f"
	done
}
MIRROR=${XEN_MIRROR:-$(mirror | head -n 1)}
if [ -z "$MIRROR" ]; then
	echo "mkroot: no apt source for $SUITE found in /etc/apt; set XEN_MIRROR=URL" >&2
	exit 1
fi

mkdir -p "$CACHE"
exec 8>"$CACHE/lock"
flock -w 600 8 || { echo "mkroot: $CACHE/lock is held too long" >&2; exit 1; }
KEY=$(printf '%s\n' "v1 $SUITE $PKGS $MIRROR" | sha256sum | cut -c1-16)
DIR=$CACHE/$KEY
if [ -f "$DIR/done" ]; then
	echo "mkroot: cached dom0 root $DIR" >&2
	echo "$DIR/root"
	exit 0
fi

echo "mkroot: debootstrap $SUITE from $MIRROR into $DIR (about a minute)" >&2
rm -rf "$DIR"
mkdir -p "$DIR"
t0=$(date +%s)
if ! debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$DIR/root" \
	"$MIRROR" >"$DIR/debootstrap.log" 2>&1; then
	tail -n 20 "$DIR/debootstrap.log" >&2
	echo "mkroot: debootstrap failed; full log in $DIR/debootstrap.log" >&2
	exit 1
fi
# What the test does not need and only makes the initramfs bigger.
rm -rf "$DIR/root/usr/share/doc" "$DIR/root/usr/share/man" \
	"$DIR/root/usr/share/locale" "$DIR/root/var/cache/apt" \
	"$DIR/root/var/lib/apt/lists"
echo "$SUITE $PKGS $MIRROR" >"$DIR/done"
echo "mkroot: debootstrap took $(($(date +%s) - t0)) s" >&2
echo "$DIR/root"
