# tests/xen/dom0-cases.sh: the cases, run in dom0 by dom0-init.sh (sourced,
# so `out` and $R come from there). Each case creates one PV guest with
# `xl create`, drives it from dom0 and reports what it saw as
# `R <case> <key> <value...>` lines; the host test (run.sh) asserts them.
# Times are seconds since the case started, from dom0's clock.

SOCK=/run/xenchan-0.sock
# The guest's one network card (netfront; its backend vif has no bridge).
MAC=00:16:3e:58:43:01
T=/xentest
CASES=$(cat $T/cases)

now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
rep() { c=$1; shift; echo "R $c $*" >$R; }
# Several lines of output (a command's), each as `R <case> <key> <line>`.
# (One write: every open of the serial port costs tens of ms under TCG.)
rep_lines() { sed "s|^|R $1 $2 |" >$R; }

# guest_cfg NAME MODE AGENT-ARGS CHANNEL(yes|no): a PV guest, the test's
# kernel, no disk, one network card. The channel is behind two dummies:
# Debian's xl drops the first one, and the second keeps the agent's channel
# off /dev/hvc1, so finding it by name is what makes the test pass.
guest_cfg() {
	ch='"name=org.xenchan.dummy.0,connection=pty", "name=org.xenchan.dummy.1,connection=pty"'
	[ "$4" = yes ] && ch="$ch, \"name=org.xenchan.agent.0,connection=socket,path=$SOCK\""
	cat >/run/$1.cfg <<EOC
name = "$1"
type = "pv"
kernel = "$T/vmlinuz"
ramdisk = "$(cat $T/ramdisk.$2 2>/dev/null || echo $T/guest.cpio)"
extra = "console=hvc0 $(cat $T/cmdline.$2 2>/dev/null) xt.mode=$2 xt.args=$3"
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

# wait_for SECONDS CMD...: poll every 0.1 s until CMD succeeds.
wait_for() {
	n=$(($1 * 10)); shift
	while ! "$@" 2>/dev/null; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}
gone() { ! xl domid "$1" >/dev/null 2>&1; }

# finish NAME SECONDS: wait for the guest to power off on its own, report
# whether it did, destroy it if not, and send its console log.
finish() {
	if wait_for $2 gone $1; then
		rep $1 poweroff "$(since $t0)"
	else
		rep $1 still-running "after $2 s"
		xl destroy $1 2>/dev/null
	fi
	rep_lines $1 console </var/log/xen/console/guest-$1.log
}

# The harness itself, with none of our code: bytes cross the channel both
# ways through QEMU's real backend and the kernel's hvc_xen.
case_echo() {
	guest_cfg echo echo "" yes
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

for c in $CASES; do
	rep $c start "$(now)"
	case_$c
	rep $c end "$(now)"
done
