#!/usr/bin/env bash
# make bench: sizes, memory and latencies of the real binaries, as tables
# of medians. Glue only: the measuring is bench/runs.c (wall time, wait4's
# peak RSS) and bench/hello.c (the smallest host).
set -u
B=${1:-build}
AGENT=$PWD/$B/xenchan-agent
HOST=$PWD/$B/xenchan
PAIR=$PWD/$B/e2e/pair
RUNS=$PWD/$B/bench/runs
HELLO=$PWD/$B/bench/hello
SEED=$PWD/bench/seed
N=${BENCH_RUNS:-30}
W=$(mktemp -d /tmp/xenchan-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "## xenchan-agent binary"
echo
echo "| what | value |"
echo "|---|---|"
echo "| stripped size (x86_64, static musl) | $(stat -c %s "$AGENT") bytes |"
size "$AGENT.unstripped" | awk 'NR==2 {printf "| text / data / bss | %d / %d / %d bytes |\n", $1, $2, $3}'
if nm "$AGENT.unstripped" | grep -qE ' [TtWw] (malloc|calloc|realloc|free)$'; then m=yes; else m=no; fi
echo "| malloc family linked | $m |"
echo "| dynamic dependencies | $(file -b "$AGENT" | grep -q 'statically linked' && echo none || echo some) |"
echo
echo "Peers, installed size from Debian's package index (apt-cache):"
echo
echo "| package | installed size |"
echo "|---|---|"
for p in qemu-guest-agent cloud-init; do
	s=$(apt-cache show "$p" 2>/dev/null | awk '/^Installed-Size:/ {print $2; exit}')
	echo "| $p | ${s:-?} KiB (plus its dependencies) |"
done
echo

echo "## latencies ($N runs each; wall time of the whole command)"
echo
echo "| case | median ms | min ms | max ms | peak RSS KiB, largest process of the run (host tool included) | ok/runs |"
echo "|---|---|---|---|---|---|"
"$RUNS" "$N" "exec agent → WELCOME (socketpair)" \
	env PAIR_RSS="$W/rss-hello" "$PAIR" "$AGENT" --fd 3 --resident -- "$HELLO" 2>>"$W/log"
mkdir -p "$W/root/etc" "$W/root/root"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$W/root/etc/passwd"
printf 'root:x:0:\n' >"$W/root/etc/group"
# A typical config: hostname, 2 addresses, default route, 2 nameservers,
# 4 ssh keys, 3 files of 4 KiB. The applied record is removed before each
# run so that every run applies everything again.
cat >"$W/prov.sh" <<EOS
rm -f "$W/root/var/lib/xenchan/applied"
exec env PAIR_RSS="$W/rss-prov" "$PAIR" "$AGENT" --fd 3 --root "$W/root" --timeout 20 -- "$HOST" provision fd:3 "$SEED" --quiet
EOS
unshare --net --uts -- sh -c '
	ip link add eth0 type veth peer name eth0p && ip link set eth0p up && ip link set eth0 address 52:54:00:12:34:56 &&
	ip link set lo up && exec "$@"' sh \
	"$RUNS" "$N" "full provision, typical config" sh "$W/prov.sh" 2>>"$W/log"
echo
echo "| agent process | median peak RSS KiB |"
echo "|---|---|"
echo "| serving a handshake | $(median <"$W/rss-hello") |"
echo "| during a full provision | $(median <"$W/rss-prov") |"
echo
echo "(VmHWM of the agent's own address space, read as it exits; the"
echo "budget is 256 KiB.)"
