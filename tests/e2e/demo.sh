#!/usr/bin/env bash
# make demo: a full provision, end to end, on the embedded demo seed
# (tests/host/seeds/demo, a cloud-init NoCloud seed).
#
# The guest side is the real xenchan-agent on a real tty (a pty, as a
# console would be), in fresh network, UTS and PID namespaces with a NIC
# whose MAC the seed names, applying into a scratch root. The host side is
# the real xenchan, connecting to the channel's Unix socket as it would to
# a Xen PV channel's path=. Then we look at what the kernel and the file
# system show, query the agent, and power it off.
set -eu
B=${1:-build}
AGENT=$PWD/$B/xenchan-agent
HOST=$PWD/$B/xenchan
SEED=${SEED:-$PWD/tests/host/seeds/demo}
W=$(mktemp -d /tmp/xenchan-demo.XXXXXX)
R=$W/root
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

. "$(dirname "$0")/mkroot.sh"
mkroot "$R"

say "the channel: a pty for the guest, a Unix socket for the host"
# tests/e2e/relay.c plays the backend, as QEMU's does for a Xen channel.
"$PWD/$B/e2e/relay" "pty:$W/hvc" "$W/channel.sock" &
while [ ! -S "$W/channel.sock" ]; do sleep 0.05; done
echo "guest side $W/hvc -> $(readlink "$W/hvc"), host side $W/channel.sock"

say "guest: xenchan-agent --device $W/hvc --root $R --resident"
unshare --net --uts --pid --fork --kill-child -- sh -c '
	ip link add eth0 type veth peer name eth0p && ip link set eth0p up && ip link set eth0 address 52:54:00:12:34:56 &&
	ip link set lo up && exec "$@"' sh \
	"$AGENT" --device "$W/hvc" --root "$R" --resident 2>"$W/agent.log" &
U=$!
for _ in $(seq 100); do
	P=$(pgrep -P $U | head -1) && [ -n "$P" ] && break
	sleep 0.05
done
sleep 0.2
in_guest() { nsenter -t "$P" -n -u -- "$@"; }
echo "agent pid $P, $(stat -c %s "$AGENT") bytes, static: $(file -b "$AGENT" | grep -o 'statically linked')"
echo "hostname before: $(in_guest uname -n)"

say "host: xenchan provision $W/channel.sock $SEED"
"$HOST" provision "$W/channel.sock" "$SEED" --timeout 30

say "what the guest's kernel shows"
echo "hostname: $(in_guest uname -n)"
in_guest ip -brief addr show dev eth0
in_guest ip route
in_guest ip -6 route show dev eth0 | grep -v fe80 || true

say "what the guest's file system shows ($R)"
( cd "$R" && find . -path ./var/lib/xenchan/stage -prune -o -newer "$W/hvc" -type f -print |
	sort | while read -r f; do stat -c '%A %4u:%-4g %6s  %n' "$f"; done )
echo "--- etc/hostname";  cat "$R/etc/hostname"
echo "--- etc/hosts";     cat "$R/etc/hosts"
echo "--- etc/resolv.conf"; cat "$R/etc/resolv.conf"
echo "--- root/.ssh/authorized_keys"; cut -c1-60 "$R/root/.ssh/authorized_keys"
echo "--- home/admin/.ssh/authorized_keys"; cut -c1-60 "$R/home/admin/.ssh/authorized_keys"
echo "--- etc/shadow (admin's hash: shown only as its first characters)"
grep '^admin:' "$R/etc/shadow" | cut -c1-24
echo "--- var/lib/xenchan/applied"; cat "$R/var/lib/xenchan/applied"

say "host: send the same config again (run-once)"
"$HOST" provision "$W/channel.sock" "$SEED" --timeout 30

say "host: xenchan query info / net"
"$HOST" query "$W/channel.sock" info
"$HOST" query "$W/channel.sock" net

say "host: xenchan signal poweroff"
"$HOST" signal "$W/channel.sock" poweroff
for _ in $(seq 50); do kill -0 "$P" 2>/dev/null || break; sleep 0.1; done
kill -0 "$P" 2>/dev/null && echo "agent still running" ||
	echo "the guest's init (our agent, in its PID namespace) is gone"

say "the agent's log"
cat "$W/agent.log"
