#!/usr/bin/env bash
# The Xen frontend end to end in the simulated Xen (board/sim/xensim):
# channel discovery behind Debian's dropped first channel and at multi-digit
# ids, the ring transport under every fault the simulator injects, and the
# seed flow: the agent (production sources, sim board) finds its channel by
# name, connects the ring, `xenchan provision` connects to the backend's
# socket and the configuration lands in a scratch root. Each case asserts
# what the peer, xenstore, the file system or the kernel shows.
#
# usage: tests/xen-sim/run.sh BUILD_DIR
set -u
B=${1:-build}
SIM=$PWD/$B/xensim
ECHO=$PWD/$B/test/xen-sim/echo
PEER=$PWD/$B/test/xen-sim/peer
AGENT=$PWD/$B/xenchan-agent-sim
AGENT_ASAN=$PWD/$B/test/xenchan-agent-sim
HOST=$PWD/$B/xenchan
SEED=$PWD/tests/host/seeds/demo
W=$(mktemp -d /tmp/xenchan-xsim.XXXXXX)
export XENSIM_DIR=$W/sim
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=99
pass=0 fail=0
pids=()

cleanup() {
	"$SIM" ctl "$XENSIM_DIR" quit >/dev/null 2>&1
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "kept $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $case: $*" >&2; }
expect() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi; }
has() { case "$2" in *"$3"*) ok ;; *) bad "$1: '$3' not in: $2" ;; esac; }
hasnt() { case "$2" in *"$3"*) bad "$1: '$3' found" ;; *) ok ;; esac; }
ctl() { "$SIM" ctl "$XENSIM_DIR" "$@"; }
xs() { ctl read "$1" | sed 's/^ok //'; }
stat_of() { ctl stats "$1" "$2" | tr ' ' '\n' | sed -n "s/^$3=//p"; }

mkdir -p "$XENSIM_DIR"
"$SIM" daemon "$XENSIM_DIR" 2>"$W/sim.log" &
pids+=($!)
SIM_PID=$!
ctl read /local >/dev/null || { echo "xensim did not start" >&2; exit 1; }

# start_echo DOM CHANNEL [SECONDS]: the ring transport with a byte echo.
start_echo() {
	XENSIM_DOMID=$1 "$ECHO" "$2" "${3:-10}" 2>"$W/echo$1.log" &
	ECHO_PID=$!
	pids+=($ECHO_PID)
}
wait_connected() { # DOM DEVID
	for _ in $(seq 100); do
		[ "$(stat_of "$1" "$2" connected)" = 1 ] && return 0
		sleep 0.05
	done
	return 1
}

# ---- discovery ----

case=debian-xl-first-channel-dropped
ctl create 1 dummy="$W/d1-0.sock" org.xenchan.agent.0="$W/d1.sock" >/dev/null
expect "console/1 is ours" "$(xs /local/domain/1/device/console/1/name)" org.xenchan.agent.0
expect "no console/2" "$(ctl read /local/domain/1/device/console/2/name)" "error ENOENT"
start_echo 1 org.xenchan.agent.0
wait_connected 1 1 || bad "backend never connected"
expect "frontend state" "$(xs /local/domain/1/device/console/1/state)" 4
expect "backend state" "$(xs /local/domain/0/backend/console/1/1/state)" 4
has "ring-ref published" "$(xs /local/domain/1/device/console/1/ring-ref)" ""
out=$("$PEER" "$W/d1.sock" 200000 --quit)
expect "round trip" "$?" 0
has "peer" "$out" "received 200000 (0 wrong)"
wait $ECHO_PID; expect "echo exit" "$?" 0
expect "bytes to guest" "$(stat_of 1 1 to_guest)" 200004
expect "bytes to host" "$(stat_of 1 1 to_host)" 200004
expect "frontend closed on exit" "$(xs /local/domain/1/device/console/1/state)" 6
expect "backend followed" "$(xs /local/domain/0/backend/console/1/1/state)" 6

case=agent-restarts
# A new agent resets the closed backend (Initialising) and connects again.
start_echo 1 org.xenchan.agent.0
wait_connected 1 1 || bad "backend never reconnected"
"$PEER" "$W/d1.sock" 3000 --quit >/dev/null; expect "round trip" "$?" 0
wait $ECHO_PID; expect "echo exit" "$?" 0
expect "second connection" "$(stat_of 1 1 connects)" 2

case=fixed-xl-multi-digit-id
args=()
for i in $(seq 11); do args+=("dummy$i=$W/d2-$i.sock"); done
ctl create 2 --xl fixed "${args[@]}" org.xenchan.agent.0="$W/d2.sock" >/dev/null
expect "console/12 is ours" "$(xs /local/domain/2/device/console/12/name)" org.xenchan.agent.0
start_echo 2 org.xenchan.agent.0
wait_connected 2 12 || bad "backend never connected"
"$PEER" "$W/d2.sock" 5000 --quit >/dev/null; expect "round trip" "$?" 0
wait $ECHO_PID
has "log names the device" "$(cat "$W/echo2.log")" "console-12"

case=channel-not-there
start_echo 2 org.xenchan.agent.9 1
wait $ECHO_PID; expect "exit" "$?" 3
has "error" "$(cat "$W/echo2.log")" "No such file"

case=guest-cannot-rename-channel
# The name node is read-only for the guest, as libxl makes it.
expect "perms" "$(xs /local/domain/2/device/console/12/name)" org.xenchan.agent.0

# ---- faults on the ring transport ----

# fault_case NAME DOM FAULT...: echo + peer with a fault set on console/1.
fault_case() {
	case=$1 dom=$2; shift 2
	ctl create "$dom" dummy="$W/f$dom-0.sock" org.xenchan.agent.0="$W/f$dom.sock" >/dev/null
	start_echo "$dom" org.xenchan.agent.0 20
	wait_connected "$dom" 1 || bad "backend never connected"
	ctl fault "$dom" 1 "$@" >/dev/null || bad "fault not set"
}

fault_case lost-notifications 10 lose 6
out=$("$PEER" "$W/f10.sock" 30000 --quit --timeout 15)
expect "recovered" "$?" 0
wait $ECHO_PID; expect "echo exit" "$?" 0

fault_case duplicated-notifications 11 dup 100
"$PEER" "$W/f11.sock" 30000 --quit >/dev/null; expect "round trip" "$?" 0
wait $ECHO_PID; expect "echo exit" "$?" 0

fault_case late-notifications 12 late 150
"$PEER" "$W/f12.sock" 30000 --quit --timeout 20 >/dev/null
expect "round trip" "$?" 0
wait $ECHO_PID; expect "echo exit" "$?" 0

fault_case slow-consumer 13 slow 2
out=$("$PEER" "$W/f13.sock" 20000 --quit --timeout 20)
expect "round trip" "$?" 0
wait $ECHO_PID; expect "echo exit" "$?" 0

fault_case bridge-drops-bytes 14 drop 10
out=$("$PEER" "$W/f14.sock" 8000 --timeout 3 --expect-short --quit)
expect "loss is visible to the peer" "$?" 0
expect "dropped" "$(stat_of 14 1 dropped)" 10
kill $ECHO_PID 2>/dev/null; wait $ECHO_PID 2>/dev/null

fault_case corrupt-ring-indices 15 corrupt
wait $ECHO_PID; expect "echo stops with an error" "$?" 3
has "clear error" "$(cat "$W/echo15.log")" "broke the ring"
hasnt "no sanitizer report" "$(cat "$W/echo15.log")" "Sanitizer"

fault_case backend-restart 16 late 0
"$PEER" "$W/f16.sock" 10000 >/dev/null; expect "before" "$?" 0
ctl fault 16 1 restart 300 >/dev/null
sleep 0.2
expect "backend closed" "$(xs /local/domain/0/backend/console/16/1/state)" 6
wait_connected 16 1 || bad "never reconnected"
sleep 0.3
out=$("$PEER" "$W/f16.sock" 10000 --quit --timeout 10)
expect "after restart" "$?" 0
expect "connects" "$(stat_of 16 1 connects)" 2
wait $ECHO_PID; expect "echo exit" "$?" 0
has "frontend followed" "$(cat "$W/echo16.log")" "closed -> publish"

fault_case backend-killed 19 late 0
"$PEER" "$W/f19.sock" 10000 >/dev/null; expect "before" "$?" 0
ctl fault 19 1 kill 300 >/dev/null
sleep 0.1
expect "no word from a killed backend" "$(xs /local/domain/0/backend/console/19/1/state)" 4
wait_connected 19 1 || bad "new instance never connected"
out=$("$PEER" "$W/f19.sock" 10000 --quit --timeout 10)
expect "after the new instance" "$?" 0
expect "connects" "$(stat_of 19 1 connects)" 2
wait $ECHO_PID; expect "echo exit" "$?" 0
hasnt "no full reset needed" "$(cat "$W/echo19.log")" "-> closing"

case=transaction-eagain-retried
ctl create 17 dummy="$W/t17-0.sock" org.xenchan.agent.0="$W/t17.sock" >/dev/null
ctl fault xs tx-eagain 3 >/dev/null
start_echo 17 org.xenchan.agent.0
wait_connected 17 1 || bad "backend never connected"
"$PEER" "$W/t17.sock" 1000 --quit >/dev/null; expect "round trip" "$?" 0
wait $ECHO_PID

case=transaction-eagain-forever
ctl create 18 dummy="$W/t18-0.sock" org.xenchan.agent.0="$W/t18.sock" >/dev/null
ctl fault xs tx-eagain 1000 >/dev/null
start_echo 18 org.xenchan.agent.0 5
wait $ECHO_PID; expect "gives up" "$?" 3
has "clear error" "$(cat "$W/echo18.log")" "kept conflicting"
expect "nothing published" "$(ctl read /local/domain/18/device/console/1/ring-ref)" "error ENOENT"
ctl fault xs tx-eagain 0 >/dev/null

# ---- the seed flow: agent + host tool ----

. "$(dirname "$0")/../e2e/mkroot.sh"

# start_agent BIN DOM ROOT: the agent in fresh net/uts/pid namespaces with
# the NIC the demo seed matches; AGENT_PID is its pid outside.
start_agent() {
	local bin=$1 dom=$2 root=$3
	mkroot "$root"
	XENSIM_DOMID=$dom unshare --net --uts --pid --fork --kill-child -- sh -c '
		ip link add eth0 type veth peer name eth0p && ip link set eth0p up &&
		ip link set eth0 address 52:54:00:12:34:56 && ip link set lo up &&
		exec "$@"' sh "$bin" --transport ring --channel org.xenchan.agent.0 \
		--root "$root" --timeout 30 --resident 2>"$W/agent$dom.log" &
	AGENT_SH=$!
	pids+=($AGENT_SH)
	AGENT_PID=
	for _ in $(seq 100); do
		AGENT_PID=$(pgrep -P "$AGENT_SH" 2>/dev/null | head -1)
		[ -n "$AGENT_PID" ] && break
		sleep 0.05
	done
	# unshare ignores SIGTERM while it waits: cleanup kills the agent.
	[ -n "$AGENT_PID" ] && pids+=($AGENT_PID)
}
in_ns() { nsenter -t "$AGENT_PID" -n -u -- "$@"; }

check_demo_applied() {
	local r=$1
	expect "hostname file" "$(cat "$r/etc/hostname" 2>/dev/null)" web1
	expect "uname in the guest" "$(in_ns uname -n)" web1
	has "address" "$(in_ns ip -j addr show dev eth0)" '"local":"192.0.2.10","prefixlen":24'
	has "motd" "$(cat "$r/etc/motd" 2>/dev/null)" "line 055"
	expect "secret owner" "$(stat -c %a:%u:%g "$r/etc/xenchan-demo/secret.key" 2>/dev/null)" 600:1000:1000
	has "applied record" "$(cat "$r/var/lib/xenchan/applied" 2>/dev/null)" "demo-0001"
}
# Either everything landed or nothing did.
check_all_or_nothing() {
	local r=$1
	if [ -e "$r/var/lib/xenchan/applied" ]; then
		check_demo_applied "$r"
	else
		expect "no motd" "$(ls "$r/etc/motd" 2>/dev/null)" ""
		expect "no hostname" "$(ls "$r/etc/hostname" 2>/dev/null)" ""
		expect "shadow untouched" "$(grep '^admin:' "$r/etc/shadow")" "admin:!:19000:0:99999:7:::"
	fi
}

if [ -x "$HOST" ] && [ -x "$AGENT" ]; then
	case=seed-flow
	ctl create 20 dummy="$W/s20-0.sock" org.xenchan.agent.0="$W/s20.sock" >/dev/null
	start_agent "$AGENT" 20 "$W/root20"
	wait_connected 20 1 || bad "agent never connected the ring"
	sleep 0.5
	# Nobody listened yet: the backend kept the agent's READY frames.
	[ "$(stat_of 20 1 to_host)" -gt 0 ] && ok || bad "no guest output buffered"
	out=$("$HOST" provision "$W/s20.sock" "$SEED" --timeout 30 2>&1); rc=$?
	expect "host exit" "$rc" 0
	has "host report" "$out" "applied"
	check_demo_applied "$W/root20"
	has "agent log" "$(cat "$W/agent20.log")" "ring connected (console-1"
	kill $AGENT_PID 2>/dev/null; wait $AGENT_SH 2>/dev/null

	case=seed-bridge-drops-bytes
	ctl create 21 dummy="$W/s21-0.sock" org.xenchan.agent.0="$W/s21.sock" >/dev/null
	start_agent "$AGENT_ASAN" 21 "$W/root21"
	wait_connected 21 1 || bad "agent never connected the ring"
	ctl fault 21 1 drop 40 >/dev/null
	out=$("$HOST" provision "$W/s21.sock" "$SEED" --timeout 30 --retries 5 2>&1)
	echo "$out" >"$W/host21.log"
	check_all_or_nothing "$W/root21"
	has "applied after retrying" "$out" "applied"
	kill $AGENT_PID 2>/dev/null; wait $AGENT_SH 2>/dev/null
	hasnt "no sanitizer report" "$(cat "$W/agent21.log")" "Sanitizer"

	case=seed-backend-restart
	ctl create 22 dummy="$W/s22-0.sock" org.xenchan.agent.0="$W/s22.sock" >/dev/null
	start_agent "$AGENT_ASAN" 22 "$W/root22"
	wait_connected 22 1 || bad "agent never connected the ring"
	ctl fault 22 1 slow 1 >/dev/null
	"$HOST" provision "$W/s22.sock" "$SEED" --timeout 5 >"$W/host22a.log" 2>&1 &
	HP=$!
	sleep 0.7
	ctl fault 22 1 restart 300 >/dev/null
	wait $HP; rc=$?
	check_all_or_nothing "$W/root22"
	ctl fault 22 1 slow 0 >/dev/null
	wait_connected 22 1 || bad "never reconnected"
	out=$("$HOST" provision "$W/s22.sock" "$SEED" --timeout 30 2>&1)
	has "applied after the restart" "$out" "applied"
	check_demo_applied "$W/root22"
	kill $AGENT_PID 2>/dev/null; wait $AGENT_SH 2>/dev/null
	hasnt "no sanitizer report" "$(cat "$W/agent22.log")" "Sanitizer"

	case=seed-corrupt-ring
	ctl create 23 dummy="$W/s23-0.sock" org.xenchan.agent.0="$W/s23.sock" >/dev/null
	start_agent "$AGENT_ASAN" 23 "$W/root23"
	wait_connected 23 1 || bad "agent never connected the ring"
	ctl fault 23 1 corrupt >/dev/null
	wait $AGENT_SH; rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 99 ] && ok || bad "agent exit $rc"
	has "clear error" "$(cat "$W/agent23.log")" "broke the ring"
	hasnt "no sanitizer report" "$(cat "$W/agent23.log")" "Sanitizer"
	check_all_or_nothing "$W/root23"
else
	echo "xen-sim: $HOST or $AGENT missing: seed flow not run" >&2
	fail=$((fail + 1))
fi

hasnt "simulator clean" "$(cat "$W/sim.log")" "Sanitizer"
echo "xen-sim-e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
