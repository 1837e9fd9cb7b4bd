# mkroot.sh - sourced by the end-to-end tests and the demo.
# mkroot DIR: a target root with two users, as a fresh template has it.
mkroot() {
	local r=$1
	mkdir -p "$r"/etc "$r"/root "$r"/home/admin
	printf 'root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000:Admin:/home/admin:/bin/sh\n' >"$r"/etc/passwd
	printf 'root:x:0:\nadmin:x:1000:\n' >"$r"/etc/group
	printf 'root:*:19000:0:99999:7:::\nadmin:!:19000:0:99999:7:::\n' >"$r"/etc/shadow
	chmod 640 "$r"/etc/shadow
	chown 1000:1000 "$r"/home/admin
}
