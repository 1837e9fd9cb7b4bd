#!/usr/bin/env bash
# Ring throughput in the simulated Xen: host to guest, guest to host and an
# echo both ways, each the median of RUNS runs of SIZE bytes, with the
# notifications each side received per KiB moved; beside the ceiling of a
# memcpy in 1 KiB chunks with one eventfd round per chunk, measured in the
# same run. Optimised builds (no sanitizers).
#
# usage: tests/xen-sim/bench.sh BUILD_DIR [SIZE] [RUNS]
set -u
B=${1:-build}
SIZE=${2:-4194304}
RUNS=${3:-5}
SIM=$PWD/$B/bench/xensim
ECHO=$PWD/$B/bench/xen-sim-echo
PEER=$PWD/$B/test/xen-sim/peer
W=$(mktemp -d /tmp/xenchan-xbench.XXXXXX)
export XENSIM_DIR=$W/sim
trap '"$SIM" ctl "$XENSIM_DIR" quit >/dev/null 2>&1; wait $SIM_PID; rm -rf "$W"' EXIT
mkdir -p "$XENSIM_DIR"
"$SIM" daemon "$XENSIM_DIR" 2>"$W/sim.log" &
SIM_PID=$!
ctl() { "$SIM" ctl "$XENSIM_DIR" "$@"; }
stat_of() { ctl stats "$1" 1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }
ctl read /local >/dev/null || exit 1
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mibs() { sed -n 's/.*(\([0-9.]*\) MiB\/s).*/\1/p'; }

dom=100
# run MODE: one measurement; prints "MiB/s notify_in/KiB notify_out/KiB"
run() {
	local mode=$1 out kib
	dom=$((dom + 1))
	ctl create $dom dummy="$W/x$dom-0.sock" org.xenchan.agent.0="$W/x$dom.sock" >/dev/null
	# The guest connects the ring first; a source waits for the host's
	# first byte (with nobody listening the backend would keep only
	# `limit` bytes of guest output, like QEMU).
	case $mode in
	in) args="--send"; eargs="sink $SIZE" ;;
	out) args="--recv"; eargs="source $SIZE" ;;
	echo) args="--quit"; eargs="" ;;
	esac
	XENSIM_DOMID=$dom "$ECHO" org.xenchan.agent.0 30 $eargs 2>/dev/null &
	local echo=$!
	for _ in $(seq 200); do
		[ "$(stat_of $dom connected)" = 1 ] && break
		sleep 0.01
	done
	"$PEER" "$W/x$dom.sock" "$SIZE" $args --timeout 60 >"$W/peer.out"
	wait $echo
	out=$(cat "$W/peer.out")
	kib=$((SIZE / 1024))
	echo "$(echo "$out" | mibs) $(stat_of $dom notify_in) $(stat_of $dom notify_out) $kib"
	ctl destroy $dom >/dev/null
}

printf '%-22s %10s %16s %16s\n' "ring ($((SIZE / 1048576)) MiB, median of $RUNS)" "MiB/s" "notify to dom0/KiB" "notify to guest/KiB"
for mode in in out echo; do
	: >"$W/r"
	for _ in $(seq "$RUNS"); do run $mode >>"$W/r"; done
	m=$(awk '{print $1}' "$W/r" | median)
	ni=$(awk '{printf "%.3f\n", $2 / $4}' "$W/r" | median)
	no=$(awk '{printf "%.3f\n", $3 / $4}' "$W/r" | median)
	case $mode in
	in) name="host to guest" ;; out) name="guest to host" ;; echo) name="echo (both ways)" ;;
	esac
	printf '%-22s %10s %16s %16s\n' "$name" "$m" "$ni" "$no"
done
: >"$W/b"
for _ in $(seq "$RUNS"); do "$PEER" --bound "$SIZE" | mibs >>"$W/b"; done
printf '%-22s %10s %16s %16s\n' "memcpy+eventfd bound" "$(median <"$W/b")" 1 1
