# tests/xen/dom0-cases.sh: the cases, run in dom0 by dom0-init.sh (sourced,
# so `out` and $R come from there). Each case creates one PV guest with
# `xl create`, drives it from dom0 and reports what it saw as
# `R <case> <key> <value...>` lines; the host test (run.sh) asserts them.
# Times are seconds since the case started, from dom0's clock.

T=/xentest
export PATH=$T:$PATH # xenchan, the host tool
SOCK=/run/xenchan-0.sock
# The guest's one network card (netfront; its backend vif has no bridge).
MAC=$(cat $T/mac)
CASES=$(cat $T/cases)

now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
rep() { c=$1; shift; echo "R $c $*" >$R; }
# Several lines of output (a command's), each as `R <case> <key> <line>`.
# (One write: every open of the serial port costs tens of ms under TCG.)
rep_lines() { sed "s|^|R $1 $2 |" >$R; }

# guest_cfg NAME CHANNEL(yes|no): a PV guest, the test's kernel, no disk,
# one network card; its image and kernel command line are the ones run.sh
# chose for the case ($T/ramdisk.NAME, $T/cmdline.NAME). The agent's
# channel is behind two dummies: Debian's xl drops the first one, and the
# second keeps it off /dev/hvc1, so finding it by name is what must work.
guest_cfg() {
	ch='"name=org.xenchan.dummy.0,connection=pty", "name=org.xenchan.dummy.1,connection=pty"'
	[ "$2" = yes ] && ch="$ch, \"name=org.xenchan.agent.0,connection=socket,path=$SOCK\""
	cat >/run/$1.cfg <<EOC
name = "$1"
type = "pv"
kernel = "$T/vmlinuz"
ramdisk = "$T/$(cat $T/ramdisk.$1)"
extra = "console=hvc0 $(cat $T/cmdline.$1)"
memory = 192
vcpus = 1
on_poweroff = "destroy"
on_reboot = "destroy"
on_crash = "destroy"
channel = [ $ch ]
vif = [ "mac=$MAC,script=$T/vif-up" ]
EOC
}

# create NAME: xl create, timed.
create() {
	rm -f $SOCK
	t0=$(now)
	if ! xl create /run/$1.cfg >/run/$1.xl.log 2>&1; then
		rep $1 create failed
		rep_lines $1 xl </run/$1.xl.log
		return 1
	fi
	rep $1 t-create "$(since $t0)"
}

# wait_for SECONDS CMD...: poll until CMD succeeds, by dom0's clock (a
# count of sleeps would stretch threefold on an emulated CPU).
secs_now() { read -r u _ </proc/uptime; echo ${u%.*}; }
wait_for() {
	end=$(($(secs_now) + $1))
	shift
	while ! "$@" 2>/dev/null; do
		[ "$(secs_now)" -lt $end ] || return 1
		sleep 0.2
	done
}
gone() { ! xl domid "$1" >/dev/null 2>&1; }

# finish NAME SECONDS: wait for the guest to power off on its own, report
# whether it did, destroy it if not, and send its console log.
finish() {
	if wait_for $2 gone $1; then
		rep $1 gone "$(since $t0)"
	else
		rep $1 still-running "after $2 s"
		xl destroy $1 2>/dev/null
	fi
	rep_lines $1 console </var/log/xen/console/guest-$1.log
}

# The harness itself, with none of our code: bytes cross the channel both
# ways through QEMU's real backend and the kernel's hvc_xen.
case_echo() {
	guest_cfg echo yes
	create echo || return
	wait_for 30 test -S $SOCK && rep echo t-socket "$(since $t0)"
	i=0
	while [ $i -lt 30 ]; do
		r=$(printf 'xenchan-echo-%s\n' $i |
			timeout 5 socat -t 1 - UNIX-CONNECT:$SOCK 2>&1)
		case $r in
		*xenchan-echo-$i*)
			rep echo reply "$(echo "$r" | tr '\n' ' ')"
			rep echo t-reply "$(since $t0)"
			break ;;
		esac
		i=$((i + 1))
		sleep 0.5
	done
	xl destroy echo
	finish echo 10
}

# mkseed NAME DIR ID [BIGFILE]: the NoCloud seed of tests/xen/seed for
# guest NAME, optionally with one more file, BIGFILE's content.
mkseed() {
	rm -rf $2
	mkdir -p $2
	for f in meta-data user-data network-config; do
		sed -e "s/@ID@/$3/" -e "s/@HOST@/xenchan-$1/" -e "s/@MAC@/$MAC/" \
			$T/seed/$f >$2/$f
	done
	if [ -n "${4-}" ]; then
		{
			echo "  - path: /var/lib/xenchan-test/big"
			echo "    content: |"
			sed 's/^/      /' $4
			echo "    permissions: '0600'"
		} >>$2/user-data
	fi
}

# A 240 KB text file (base64 of random bytes) for throughput and faults.
BIG=/run/big.txt
head -c 180000 /dev/urandom | base64 -w 64 >$BIG

# wait_agent NAME: the channel socket, then the agent's first bytes on it
# (its READY frame, docs/PROTOCOL.md section 3), timed.
wait_agent() {
	if ! wait_for 30 test -S $SOCK; then
		rep $1 no-socket "$SOCK did not appear in 30 s"
		return 1
	fi
	rep $1 t-socket "$(since $t0)"
	socat -u UNIX-CONNECT:$SOCK - >/run/$1.ready 2>/dev/null &
	sp=$!
	wait_for 60 grep -q READY /run/$1.ready && rep $1 t-connected "$(since $t0)"
	kill $sp 2>/dev/null
	wait $sp 2>/dev/null
	rep_lines $1 ready </run/$1.ready
	rep $1 xs-dump "$(since $t0)"
	xs_dump $1
	rep $1 xs-dumped "$(since $t0)"
	grep -q READY /run/$1.ready
}

# xs_dump NAME: the guest's consoles as xenstore has them, frontend and
# backend (which console the channel is, and the states on both sides).
xs_dump() {
	d=$(xl domid $1 2>/dev/null) || return
	{
		timeout 10 xenstore-ls -f /local/domain/$d/device/console
		timeout 10 xenstore-ls -f /local/domain/0/backend/console/$d
	} 2>&1 | grep -E '/(name|state|ring-ref|port|backend-id|connection|path)? *=' |
		rep_lines $1 xs
}

# run1 NAME KEY CMD...: run a command, send its rc, output and duration.
run1() {
	c=$1 k=$2
	shift 2
	t1=$(now)
	"$@" >/run/out 2>&1
	rc=$?
	rep $c $k-rc $rc
	rep $c $k-time "$(since $t1)"
	rep_lines $c $k </run/out
	return $rc
}

# The flow of issue 5 for one guest, whatever its transport: provision,
# read back, a second generation with a big file (throughput), poweroff.
agent_flow() {
	c=$1
	mkseed $c /run/seed.$c xen-$c-$$
	rep $c want-motd "$(printf 'provisioned on real Xen by tests/xen (xenchan-%s)\n' $c | sha256sum | cut -c1-64)"
	run1 $c provision xenchan provision $SOCK /run/seed.$c --timeout 60
	rep $c t-ack "$(since $t0)"
	run1 $c info xenchan query $SOCK info --timeout 20
	run1 $c net xenchan query $SOCK net --timeout 20
	run1 $c motd xenchan query $SOCK file-digest /etc/xenchan-test/motd --timeout 20
	mkseed $c /run/big.$c xen-$c-$$ $BIG
	rep $c big-bytes "$(wc -c <$BIG)"
	rep $c want-big "$(sha256sum <$BIG | cut -c1-64)"
	run1 $c big xenchan provision $SOCK /run/big.$c --generation 2 --timeout 120
	run1 $c bigdigest xenchan query $SOCK file-digest /var/lib/xenchan-test/big --timeout 20
	run1 $c info2 xenchan query $SOCK info --timeout 20
	t0=$(now)
	run1 $c poweroff xenchan signal $SOCK poweroff --timeout 20
}

# hvc: the kernel's hvc_xen owns the channel; the agent finds its /dev/hvcN.
# ring: the agent is the frontend itself, hvc_xen unbound from the console.
agent_case() {
	guest_cfg $1 yes
	create $1 || return
	wait_agent $1 && agent_flow $1
	finish $1 30
}
case_hvc() { agent_case hvc; }
case_ring() { agent_case ring; }

# absent: no such channel; the guest must boot on after the agent's timeout.
case_absent() {
	guest_cfg absent no
	create absent || return
	finish absent 60
}

# fault: the connection from dom0 drops in the middle of a big
# transaction. Nothing of it may be applied; a rerun must apply everything.
case_fault() {
	c=fault
	guest_cfg $c yes
	create $c || return
	if ! wait_agent $c; then
		finish $c 5
		return
	fi
	mkseed $c /run/big.$c xen-$c-$$ $BIG
	rep $c want-big "$(sha256sum <$BIG | cut -c1-64)"
	# The host tool talks through a relay that passes its first 100000
	# bytes (of ~258000) and then hangs up: a disconnect mid-transfer
	# however fast or slow the ring is.
	socat UNIX-LISTEN:/run/cut.sock \
		EXEC:"sh -c 'head -c 100000 | socat -t 1 - UNIX-CONNECT:$SOCK'" &
	rp=$!
	wait_for 5 test -S /run/cut.sock
	xenchan provision /run/cut.sock /run/big.$c --timeout 30 >/run/cut.out 2>&1
	rep $c cut "provision through the relay ended with rc $?"
	kill $rp 2>/dev/null
	wait $rp 2>/dev/null
	rep_lines $c cut </run/cut.out
	run1 $c info0 xenchan query $SOCK info --timeout 20
	run1 $c bigdigest0 xenchan query $SOCK file-digest /var/lib/xenchan-test/big --timeout 20
	run1 $c provision xenchan provision $SOCK /run/big.$c --timeout 120
	run1 $c bigdigest xenchan query $SOCK file-digest /var/lib/xenchan-test/big --timeout 20
	run1 $c info xenchan query $SOCK info --timeout 20
	t0=$(now)
	run1 $c poweroff xenchan signal $SOCK poweroff --timeout 20
	finish $c 30
}

# backend: QEMU's backend process is
# killed in the middle of a transaction and started again with the same
# command line; the ring must come back, nothing half-applied, a rerun
# must apply everything.
case_backend() {
	c=backend
	guest_cfg $c yes
	create $c || return
	if ! wait_agent $c; then
		finish $c 5
		return
	fi
	d=$(xl domid $c)
	pid=$(xenstore-read /local/domain/$d/image/device-model-pid)
	rep $c dm-pid "$pid"
	cp /proc/$pid/cmdline /run/dm.cmdline
	mkseed $c /run/big.$c xen-$c-$$ $BIG
	rep $c want-big "$(sha256sum <$BIG | cut -c1-64)"
	# A relay passes the first 40000 bytes and then holds the rest back:
	# the backend dies with a transaction surely half sent.
	rm -f /run/cut.mark
	printf '#!/bin/sh\n{ head -c 40000; touch /run/cut.mark; sleep 60; } |\n\tsocat -t 1 - UNIX-CONNECT:%s\n' $SOCK >/run/hold.sh
	chmod +x /run/hold.sh
	socat UNIX-LISTEN:/run/cut.sock EXEC:/run/hold.sh &
	rp=$!
	wait_for 5 test -S /run/cut.sock
	xenchan provision /run/cut.sock /run/big.$c --timeout 60 >/run/cut.out 2>&1 &
	pp=$!
	if wait_for 60 test -e /run/cut.mark; then
		rep $c mark "40000 bytes passed the relay at $(since $t0)"
	fi
	sleep 1
	kill -9 $pid
	rep $c killed "backend pid $pid after 40000 bytes"
	kill $rp 2>/dev/null # the host tool sees the channel close
	wait $pp
	rep $c cut "provision ended with rc $?"
	kill $rp 2>/dev/null
	rep_lines $c cut </run/cut.out
	# A new QEMU refuses a backend left Connected ("initial backend state
	# is wrong"): as a toolstack restarting a device model must, put the
	# dead one's consoles back to Initialising first.
	for b in $(xenstore-list /local/domain/0/backend/console/$d); do
		xenstore-write /local/domain/0/backend/console/$d/$b/state 1
	done
	rm -f $SOCK
	xargs -0 -a /run/dm.cmdline env >/run/dm.log 2>&1 &
	wait_for 20 test -S $SOCK && rep $c t-restarted "$(since $t0)"
	t1=$(now)
	run1 $c info0 xenchan query $SOCK info --timeout 30
	xs_dump $c
	rep $c t-back "$(since $t1)"
	run1 $c bigdigest0 xenchan query $SOCK file-digest /var/lib/xenchan-test/big --timeout 10
	run1 $c provision xenchan provision $SOCK /run/big.$c --timeout 60
	run1 $c bigdigest xenchan query $SOCK file-digest /var/lib/xenchan-test/big --timeout 10
	run1 $c info xenchan query $SOCK info --timeout 10
	rep_lines $c dm-log </run/dm.log
	t0=$(now)
	run1 $c poweroff xenchan signal $SOCK poweroff --timeout 20
	finish $c 30
}

for c in $CASES; do
	rep $c start "$(now)"
	case_$c
	rep $c end "$(now)"
done
