#!/bin/sh
# cli.sh - the xenchan command line without an agent: usage errors, bad
# configs (exit 2 with file:line), --help, `check`, channels that cannot be
# opened (exit 5). $XENCHAN is the binary. Prints "host-cli: N passed, M
# failed".
set -u
X=${XENCHAN:?XENCHAN names the xenchan binary}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

# case NAME WANT-EXIT WANT-STDERR-TEXT -- ARGS...
case_() {
	name=$1 want=$2 text=$3
	shift 4
	"$X" "$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$want" ] ||
		! grep -qF -- "$text" "$T/out" "$T/err"; then
		fail=$((fail + 1))
		echo "FAIL $name: exit $got (want $want), output:" >&2
		cat "$T/out" "$T/err" | head -5 >&2
	else
		pass=$((pass + 1))
	fi
}

printf 'instance-id x\nhostname ok\nhostname -bad\n' >"$T/bad.conf"
printf 'instance-id x\npassword root hunter2\n' >"$T/plain.conf"
mkdir "$T/seed"
printf 'instance-id: s1\n' >"$T/seed/meta-data"
printf '#cloud-config\nruncmd: [ls]\nwrite_files:\n- path: /a\n  content: x\n' \
	>"$T/seed/user-data"
mkdir "$T/noseed"

case_ "help" 0 "exit codes:" -- --help
case_ "no command" 2 "no command" --
case_ "unknown command" 2 "unknown command" -- frob
case_ "unknown option" 2 "unknown option --frob" -- check x --frob
case_ "provision arity" 2 "provision needs SOCKET and CONFIG" -- provision a
case_ "bad timeout" 2 "bad number" -- provision a b --timeout x
case_ "unknown verb" 2 "unknown verb" -- query fd:0 frobnicate
case_ "signal arity" 2 "wrong number" -- signal fd:0 set-hostname
case_ "query is not signal" 2 "unknown verb" -- query fd:0 reboot
case_ "bad config line" 2 "bad.conf:3: bad hostname \"-bad\"" -- check "$T/bad.conf"
case_ "bad config before connecting" 2 "bad.conf:3:" -- \
	provision /nonexistent.sock "$T/bad.conf"
case_ "plain password" 2 "plain-text passwords are never sent" -- \
	check "$T/plain.conf"
case_ "missing config" 2 "No such file" -- check "$T/none.conf"
case_ "seed without meta-data" 2 "meta-data: cannot read" -- check "$T/noseed"
case_ "check seed" 0 "file /a (1 bytes)" -- check "$T/seed"
case_ "undelivered listed" 0 "  runcmd" -- check "$T/seed"
case_ "check --json" 0 '"undelivered":["runcmd"]' -- check "$T/seed" --json
case_ "generation override" 0 "config s1/7:" -- check "$T/seed" --generation 7
case_ "no such socket" 5 "No such file or directory" -- \
	provision "$T/none.sock" "$T/seed"
case_ "not a socket" 5 "neither a Unix socket nor a character device" -- \
	provision "$T/seed/meta-data" "$T/seed"
case_ "bad fd" 5 "fd:77: not an open file descriptor" -- \
	provision fd:77 "$T/seed"
case_ "empty argument" 2 "empty argument" -- signal fd:0 set-hostname ""
case_ "bad config --json" 2 '{"command":"provision","status":"bad-config","exit":2,"error":"' -- \
	provision fd:0 "$T/bad.conf" --json
case_ "no channel --json" 5 '"status":"channel-error","exit":5,"error":"fd:77:' -- \
	query fd:77 ping --json
# a socket nobody listens on
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' \
	"$T/dead.sock" 2>/dev/null &&
	case_ "refused" 5 "cannot connect to $T/dead.sock" -- \
		query "$T/dead.sock" ping
# the plain-text password never appears in any output
"$X" check "$T/plain.conf" >"$T/out" 2>&1
if grep -q hunter2 "$T/out"; then
	fail=$((fail + 1)); echo "FAIL password echoed" >&2
else
	pass=$((pass + 1))
fi

echo "host-cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
