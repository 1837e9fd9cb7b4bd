#!/usr/bin/env bash
# End to end: the real xenchan against the real xenchan-agent, the agent
# applying into a scratch root inside fresh network, UTS and PID
# namespaces. Every case asserts what the kernel or the file system shows.
#
# usage: tests/e2e/run.sh BUILD_DIR
set -u
B=${1:-build}
AGENT=$PWD/$B/xenchan-agent
HOST=$PWD/$B/xenchan
RELAY=$PWD/$B/e2e/relay
PAIR=$PWD/$B/e2e/pair
SEED=$PWD/tests/e2e/seed
W=$(mktemp -d /tmp/xenchan-e2e.XXXXXX)
pass=0 fail=0
pids=()

cleanup() {
	# unshare --fork ignores SIGTERM while it waits: end what runs in it
	for p in "${pids[@]}"; do pkill -P "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $case: $*" >&2; }
# expect DESCRIPTION ACTUAL WANTED
expect() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi; }
# has DESCRIPTION HAYSTACK NEEDLE
has() { case "$2" in *"$3"*) ok ;; *) bad "$1: '$3' not in: $2" ;; esac; }
hasnt() { case "$2" in *"$3"*) bad "$1: '$3' found in output" ;; *) ok ;; esac; }

. "$(dirname "$0")/mkroot.sh"

# A relay between the agent's and the host's sockets (relay.c).
relay() {
	local d=$1; shift
	rm -f "$d/host.sock"
	"$RELAY" "$@" "$d/agent.sock" "$d/host.sock" 2>>"$d/relay.log" &
	RELAY_PID=$!
	pids+=("$RELAY_PID")
	while [ ! -S "$d/host.sock" ]; do sleep 0.02; done
}

# Starts the agent in new namespaces with two dummy NICs, connected to a
# relay; sets AGENT_PID (outside pid) and RELAY_PID.
start_agent() {
	local d=$1; shift
	mkroot "$d/root"
	relay "$d" "$@"
	unshare --net --uts --pid --fork --kill-child -- sh -c '
		ip link add eth0 type veth peer name eth0p && ip link set eth0p up &&
		ip link set eth0 address 52:54:00:12:34:56 &&
		ip link add eth1 type veth peer name eth1p &&
		ip link set lo up &&
		exec "$@"' sh "$AGENT" --connect "unix:$d/agent.sock" \
		--root "$d/root" --resident --timeout 20 2>"$d/agent.log" &
	pids+=($!)
	local u=$!
	AGENT_PID=
	for _ in $(seq 100); do
		AGENT_PID=$(pgrep -P "$u" 2>/dev/null | head -1)
		[ -n "$AGENT_PID" ] && [ "$(cat /proc/$AGENT_PID/comm 2>/dev/null)" = xenchan-agent ] && break
		sleep 0.05
	done
}

in_ns() { nsenter -t "$AGENT_PID" -n -u -- "$@"; }

# Everything the seed says, as the kernel and the file system show it.
check_applied() {
	local r=$1
	expect "uname nodename" "$(in_ns uname -n)" web1
	local a
	a=$(in_ns ip -j addr show dev eth0)
	has "ipv4 address" "$a" '"local":"192.0.2.10","prefixlen":24'
	has "ipv6 address" "$a" '"local":"2001:db8::10","prefixlen":64'
	has "mtu" "$a" '"mtu":1400'
	has "link up" "$a" '"UP"'
	a=$(in_ns ip -j route show default)
	has "default route" "$a" '"gateway":"192.0.2.1","dev":"eth0"'
	a=$(in_ns ip -j route show 198.51.100.0/24)
	has "static route" "$a" '"gateway":"192.0.2.254"'
	has "route metric" "$a" '"metric":50'
	expect "etc/hostname" "$(cat "$r/etc/hostname")" web1
	has "etc/hosts" "$(cat "$r/etc/hosts")" "web1.example.com web1"
	a=$(cat "$r/etc/resolv.conf")
	has "nameserver v4" "$a" "nameserver 192.0.2.53"
	has "nameserver v6" "$a" "nameserver 2001:db8::53"
	has "search" "$a" "search example.com"
	expect "motd" "$(cat "$r/etc/motd")" "Provisioned by xenchan."
	expect "motd mode" "$(stat -c %a:%u:%g "$r/etc/motd")" 644:0:0
	expect "secret mode/owner" "$(stat -c %a:%u:%g "$r/etc/app/secret.conf")" 600:1000:1000
	expect "binary file" "$(od -An -tx1 "$r/opt/app/data.bin" | tr -d ' \n')" \
		000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
	expect "binary mode" "$(stat -c %a "$r/opt/app/data.bin")" 755
	has "root key" "$(cat "$r/root/.ssh/authorized_keys")" "ops@example"
	expect "root keys mode" "$(stat -c %a:%u "$r/root/.ssh/authorized_keys")" 600:0
	expect "root .ssh mode" "$(stat -c %a:%u "$r/root/.ssh")" 700:0
	has "admin key" "$(cat "$r/home/admin/.ssh/authorized_keys")" "admin@example"
	expect "admin keys owner" "$(stat -c %a:%u:%g "$r/home/admin/.ssh/authorized_keys")" 600:1000:1000
	expect "admin .ssh owner" "$(stat -c %a:%u:%g "$r/home/admin/.ssh")" 700:1000:1000
	has "shadow hash" "$(grep '^admin:' "$r/etc/shadow")" 'admin:$6$rounds=4096$saltsalt$'
	expect "shadow mode" "$(stat -c %a "$r/etc/shadow")" 640
	expect "applied record" "$(cat "$r/var/lib/xenchan/applied")" i-e2e-0001/1
}

check_nothing() {
	local r=$1 what=$2
	expect "$what: no applied record" "$(cat "$r/var/lib/xenchan/applied" 2>/dev/null)" ""
	expect "$what: no motd" "$(ls "$r/etc/motd" 2>/dev/null)" ""
	expect "$what: no hostname file" "$(ls "$r/etc/hostname" 2>/dev/null)" ""
	expect "$what: no keys" "$(ls "$r/root/.ssh" 2>/dev/null)" ""
	expect "$what: shadow untouched" "$(grep '^admin:' "$r/etc/shadow")" "admin:!:19000:0:99999:7:::"
	expect "$what: no address" "$(in_ns ip -j addr show dev eth0 | grep -c 192.0.2.10)" 0
	expect "$what: hostname" "$(in_ns uname -n)" "$(uname -n)"
}

# ---- cases ----

case=provision-noisy-channel; echo "[$(date +%T)] $case" >&2
D=$W/a; mkdir -p "$D"
start_agent "$D" --noise
out=$("$HOST" provision "$D/host.sock" "$SEED" --timeout 20 2>&1); rc=$?
expect "exit status" "$rc" 0
has "report" "$out" "applied"
check_applied "$D/root"
hasnt "secret in host output" "$out" "s3cr3t-value"
hasnt "hash in host output" "$out" 'saltsalt$'
hasnt "secret in agent log" "$(cat "$D/agent.log")" "s3cr3t-value"
hasnt "hash in agent log" "$(cat "$D/agent.log")" 'saltsalt$'

case=run-once; echo "[$(date +%T)] $case" >&2
ino=$(stat -c %i "$D/root/etc/motd")
out=$("$HOST" provision "$D/host.sock" "$SEED" --timeout 20 2>&1); rc=$?
expect "exit status" "$rc" 0
has "report" "$out" "already"
expect "motd not rewritten" "$(stat -c %i "$D/root/etc/motd")" "$ino"

case=query; echo "[$(date +%T)] $case" >&2
out=$("$HOST" query "$D/host.sock" info 2>&1)
has "info hostname" "$out" "web1"
has "info applied" "$out" "i-e2e-0001/1"
out=$("$HOST" query "$D/host.sock" net 2>&1)
has "net mac" "$out" "52:54:00:12:34:56"
has "net address" "$out" "192.0.2.10/24"
has "net default route" "$out" "route=default via 192.0.2.1"
has "net static route" "$out" "route=198.51.100.0/24 via 192.0.2.254 metric 50"
out=$("$HOST" query "$D/host.sock" file-digest /etc/motd 2>&1)
has "file digest" "$out" "$(sha256sum <"$D/root/etc/motd" | cut -d' ' -f1)"
out=$("$HOST" query "$D/host.sock" ping 2>&1); rc=$?
expect "ping" "$rc" 0

case=signal-poweroff; echo "[$(date +%T)] $case" >&2
"$HOST" signal "$D/host.sock" poweroff >/dev/null 2>&1; rc=$?
expect "exit status" "$rc" 0
for _ in $(seq 60); do kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.1; done
# In its own PID namespace the agent is init: reboot(2) ends it.
expect "agent gone after poweroff" "$(kill -0 "$AGENT_PID" 2>/dev/null && echo alive)" ""
has "agent logged it" "$(cat "$D/agent.log")" "poweroff requested"

case=disconnect-at-every-frame; echo "[$(date +%T)] $case" >&2
D=$W/b; mkdir -p "$D"
applied_at=0
for k in $(seq 1 80); do
	if [ "$k" = 1 ]; then start_agent "$D" --cut 1; else
		kill "$RELAY_PID"; wait "$RELAY_PID" 2>/dev/null
		relay "$D" --cut "$k"
	fi
	# the agent reconnects to the new relay by itself
	"$HOST" provision "$D/host.sock" "$SEED" --timeout 5 --retries 0 >/dev/null 2>&1
	# A ping answered means the agent is idle again: it handles one frame
	# at a time, so a commit that the last frame started has finished.
	kill "$RELAY_PID"; wait "$RELAY_PID" 2>/dev/null
	relay "$D"
	"$HOST" query "$D/host.sock" ping --timeout 10 >/dev/null 2>&1 || bad "no ping after cut $k"
	if [ -e "$D/root/var/lib/xenchan/applied" ]; then applied_at=$k; break; fi
	check_nothing "$D/root" "cut after frame $k"
done
[ "$applied_at" -gt 5 ] && ok || bad "commit seen after only $applied_at frames"
kill "$RELAY_PID"; wait "$RELAY_PID" 2>/dev/null
relay "$D"
out=$("$HOST" provision "$D/host.sock" "$SEED" --timeout 20 2>&1); rc=$?
expect "rerun exit status" "$rc" 0
check_applied "$D/root"

case=socketpair; echo "[$(date +%T)] $case" >&2
D=$W/c; mkdir -p "$D"; mkroot "$D/root"
out=$(unshare --net --uts -- sh -c '
	ip link add eth0 type veth peer name eth0p && ip link set eth0p up && ip link set eth0 address 52:54:00:12:34:56 &&
	"$1" "$2" --fd 3 --root "$3" --timeout 20 -- "$4" provision fd:3 "$5" --timeout 20 &&
	echo "host=$(uname -n)" && ip -j addr show dev eth0' \
	sh "$PAIR" "$AGENT" "$D/root" "$HOST" "$SEED" 2>&1); rc=$?
expect "exit status" "$rc" 0
has "hostname set" "$out" "host=web1"
has "address set" "$out" '"local":"192.0.2.10"'
expect "motd" "$(cat "$D/root/etc/motd")" "Provisioned by xenchan."
expect "applied record" "$(cat "$D/root/var/lib/xenchan/applied")" i-e2e-0001/1

case=pty; echo "[$(date +%T)] $case" >&2
D=$W/d; mkdir -p "$D"; mkroot "$D/root"
socat PTY,link="$D/pty",raw,echo=0 UNIX-LISTEN:"$D/pty.sock" 2>/dev/null &
pids+=($!)
while [ ! -e "$D/pty" ]; do sleep 0.05; done
unshare --net --uts -- sh -c 'ip link add eth0 type veth peer name eth0p && ip link set eth0p up &&
	ip link set eth0 address 52:54:00:12:34:56 &&
	exec "$@"' sh "$AGENT" --device "$D/pty" --root "$D/root" --timeout 20 2>"$D/agent.log" &
apid=$!
sleep 0.3 # the agent's READY goes out while nobody listens, like QEMU's buffer
out=$("$HOST" provision "$D/pty.sock" "$SEED" --timeout 20 2>&1); rc=$?
wait "$apid"; arc=$?
expect "host exit status" "$rc" 0
expect "agent exit status" "$arc" 0
expect "motd" "$(cat "$D/root/etc/motd")" "Provisioned by xenchan."
expect "keys" "$(stat -c %a:%u "$D/root/root/.ssh/authorized_keys")" 600:0

# Bad inputs: each seed differs from the good one in one place; the agent
# (or the host, before sending) refuses it with a clear reason, and nothing
# is applied.
bad_seed() {
	local name=$1 file=$2 sed_expr=$3
	local s=$W/seed-$name
	cp -r "$SEED" "$s"
	sed -i "$sed_expr" "$s/$file"
	echo "$s"
}
case=bad-inputs; echo "[$(date +%T)] $case" >&2
D=$W/e; mkdir -p "$D"
start_agent "$D"
ln -s /tmp "$D/root/escape"
run_bad() {
	local name=$1 want=$2 s=$3
	case=bad-input-$name
	out=$("$HOST" provision "$D/host.sock" "$s" --timeout 20 2>&1); rc=$?
	[ "$rc" -ne 0 ] && ok || bad "exit status 0"
	has "reason" "$out" "$want"
	check_nothing "$D/root" "$name"
}
run_bad hostname "bad hostname" "$(bad_seed hostname user-data 's/^hostname: web1/hostname: -bad_host-/')"
run_bad path-dotdot path "$(bad_seed dotdot user-data 's|/etc/motd|/etc/../../motd|')"
run_bad symlink-escape path "$(bad_seed symlink user-data 's|/etc/motd|/escape/xenchan-e2e-evil|')"
expect "nothing written through the symlink" "$(ls /tmp/xenchan-e2e-evil 2>/dev/null)" ""
run_bad key "ssh key" "$(bad_seed key user-data 's|ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFl4|ssh-ed25519 AAAA!!notbase64|')"
run_bad interface no-such-interface "$(bad_seed iface network-config 's/52:54:00:12:34:56/52:54:00:99:99:99/')"
big=$(bad_seed big user-data 's/^write_files:/write_files:\n  - path: \/big\n    encoding: b64\n    content: BIGCONTENT/')
{ printf '    content: '; head -c 300000 /dev/zero | base64 -w0; echo; } >"$W/big.line"
sed -i -e "/BIGCONTENT/{r $W/big.line" -e "d}" "$big/user-data"
run_bad oversize-file "limit" "$big"
run_bad user no-such-user "$(bad_seed user user-data 's/name: admin/name: nosuchuser/')"

echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
