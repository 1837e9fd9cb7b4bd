#!/bin/bash
# mkcpio_test.sh - tests initramfs/mkcpio: same input, same bytes; sorted
# entries with their parents; owners 0:0 and one fixed mtime; contents,
# modes, device nodes and links as the manifest says (read back with GNU
# cpio); bad manifests refused. Then the real image: `make initramfs` in
# two output directories gives the same archive.
#
# usage: mkcpio_test.sh MKCPIO [IMAGE-A IMAGE-B]
set -u
MKCPIO=$1
pass=0 fail=0
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "mkcpio: FAIL $1: $2"; }

mkdir -p "$W/src"
printf 'hello\n' > "$W/src/a.txt"
head -c 70001 /dev/urandom > "$W/src/blob"
printf '#!/x\n' > "$W/src/tool"
cat > "$W/m" <<M
# comment, then a blank line

file etc/zeta $W/src/a.txt 0600
file /bin/tool $W/src/tool 0755
file usr/share/deep/blob $W/src/blob 0644
dir etc 0700
nod dev/console 0600 c 5 1
slink bin/link tool
M

# 1. same input, same bytes, whatever the sources' mtimes and the umask
"$MKCPIO" "$W/m" > "$W/1.cpio"
touch -d '2001-02-03' "$W/src/a.txt" "$W/src/blob"
(umask 077 && "$MKCPIO" "$W/m" > "$W/2.cpio")
if cmp -s "$W/1.cpio" "$W/2.cpio"; then ok; else
	bad same-bytes "two builds of one manifest differ"; fi

# 2. sorted entries, parents added
cpio -it --quiet < "$W/1.cpio" > "$W/list" 2>/dev/null
printf '%s\n' bin bin/link bin/tool dev dev/console etc etc/zeta usr \
	usr/share usr/share/deep usr/share/deep/blob > "$W/want"
if cmp -s "$W/list" "$W/want"; then ok; else
	bad sorted "listing: $(tr '\n' ' ' < "$W/list")"; fi

# 3. owners 0:0, mtime the -t value
"$MKCPIO" -t 1000000000 "$W/m" > "$W/t.cpio"
others=$(cpio -itv --numeric-uid-gid --quiet < "$W/t.cpio" 2>/dev/null |
	awk '$3 != 0 || $4 != 0' | wc -l)
dates=$(TZ=UTC cpio -itv --quiet < "$W/t.cpio" 2>/dev/null |
	grep -vc 'Sep  9  2001')
if [ "$others" = 0 ] && [ "$dates" = 0 ]; then ok; else
	bad owners-mtime "$others entries not 0:0, $dates without the -t date"
fi

# 4. contents, modes, node and link read back
mkdir "$W/x"
(cd "$W/x" && cpio -idm --quiet --no-absolute-filenames < "$W/1.cpio" \
	2>/dev/null)
r=""
cmp -s "$W/x/etc/zeta" "$W/src/a.txt" || r="$r zeta-content"
cmp -s "$W/x/usr/share/deep/blob" "$W/src/blob" || r="$r blob-content"
[ "$(stat -c %a "$W/x/etc/zeta")" = 600 ] || r="$r zeta-mode"
[ "$(stat -c %a "$W/x/etc")" = 700 ] || r="$r etc-mode"
[ "$(stat -c %a "$W/x/bin/tool")" = 755 ] || r="$r tool-mode"
[ "$(stat -c %a "$W/x/usr/share")" = 755 ] || r="$r parent-mode"
[ "$(readlink "$W/x/bin/link")" = tool ] || r="$r link"
[ "$(stat -c '%F %t:%T' "$W/x/dev/console")" = \
	"character special file 5:1" ] || r="$r console-node"
if [ -z "$r" ]; then ok; else bad read-back "wrong:$r"; fi

# 5. bad manifests are refused with the line named
for m in 'file a' 'dir a 999' 'nod n 0600 x 1 2' 'frob a b' \
	"file a $W/src/a.txt 0644
file a $W/src/a.txt 0644" "file a $W/nonexistent 0644"; do
	printf '%s\n' "$m" > "$W/badm"
	if "$MKCPIO" "$W/badm" > /dev/null 2> "$W/err"; then
		bad refuse "accepted: $m"
	elif ! grep -q 'mkcpio: ' "$W/err"; then
		bad refuse-message "no message for: $m"
	else ok; fi
done

# 6. the real image, built twice in separate output directories
if [ $# -ge 3 ]; then
	if cmp -s "$2" "$3"; then ok; else
		bad image-reproducible "$2 and $3 differ"; fi
fi

echo "mkcpio: $pass passed, $fail failed"
[ "$fail" = 0 ]
