/* mkcpio.c - writes a reproducible initramfs archive (cpio "newc", the
 * format the kernel unpacks: Documentation/driver-api/early-userspace/
 * buffer-format.rst) from a manifest.
 *
 * Same manifest and same file contents give the same bytes: entries are
 * sorted by name, every owner is 0:0, every mtime is the -t value (default
 * 0), inode numbers count up in that order, and modes come from the
 * manifest, never from the build tree. Missing parent directories are
 * added (mode 0755). Manifest lines, '#' comments and blank lines skipped:
 *
 *   dir   NAME MODE
 *   file  NAME SOURCE MODE
 *   nod   NAME MODE c|b MAJOR MINOR
 *   slink NAME TARGET
 *
 * Usage: mkcpio [-t MTIME] MANIFEST > out.cpio
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MC_ENTRIES_MAX 4096
#define MC_LINE_MAX 1024
#define MC_NAME_MAX 256

enum mc_kind { MC_DIR, MC_FILE, MC_NOD, MC_SLINK };

struct mc_entry {
	enum mc_kind kind;
	char name[MC_NAME_MAX];	  /* without a leading '/' */
	char source[MC_LINE_MAX]; /* file: host path; slink: target */
	unsigned mode;		  /* permission bits */
	char devtype;		  /* nod: 'c' or 'b' */
	unsigned major, minor;
};

static struct mc_entry mc_entries[MC_ENTRIES_MAX];
static size_t mc_count;
static unsigned long mc_mtime;
static unsigned long mc_offset; /* bytes written, for padding */

static int mc_fail(const char *what, const char *detail)
{
	fprintf(stderr, "mkcpio: %s: %s\n", what, detail);
	return -1;
}

static struct mc_entry *mc_find(const char *name)
{
	for (size_t i = 0; i < mc_count; i++)
		if (strcmp(mc_entries[i].name, name) == 0)
			return &mc_entries[i];
	return NULL;
}

static struct mc_entry *mc_add(const char *name)
{
	struct mc_entry *e;

	while (*name == '/')
		name++;
	if (*name == '\0' || strlen(name) >= MC_NAME_MAX) {
		mc_fail("bad entry name", name);
		return NULL;
	}
	if (mc_find(name)) {
		mc_fail("entry listed twice", name);
		return NULL;
	}
	if (mc_count == MC_ENTRIES_MAX) {
		mc_fail("too many entries", name);
		return NULL;
	}
	e = &mc_entries[mc_count++];
	memset(e, 0, sizeof *e);
	strcpy(e->name, name);
	return e;
}

static int mc_parse_mode(const char *s, unsigned *mode)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 8);
	if (errno || *end || end == s || v > 07777)
		return mc_fail("bad mode (octal, at most 07777)", s);
	*mode = (unsigned)v;
	return 0;
}

static int mc_parse_line(char *line, unsigned lineno)
{
	char *w[7];
	int n = 0;
	struct mc_entry *e;
	char *save = NULL;

	for (char *t = strtok_r(line, " \t\r\n", &save); t && n < 7;
	     t = strtok_r(NULL, " \t\r\n", &save))
		w[n++] = t;
	if (n == 0 || w[0][0] == '#')
		return 0;
	if (strcmp(w[0], "dir") == 0 && n == 3) {
		if (!(e = mc_add(w[1])))
			return -1;
		e->kind = MC_DIR;
		return mc_parse_mode(w[2], &e->mode);
	}
	if (strcmp(w[0], "file") == 0 && n == 4) {
		if (!(e = mc_add(w[1])) || strlen(w[2]) >= MC_LINE_MAX)
			return -1;
		e->kind = MC_FILE;
		strcpy(e->source, w[2]);
		return mc_parse_mode(w[3], &e->mode);
	}
	if (strcmp(w[0], "nod") == 0 && n == 6 &&
	    (strcmp(w[3], "c") == 0 || strcmp(w[3], "b") == 0)) {
		if (!(e = mc_add(w[1])))
			return -1;
		e->kind = MC_NOD;
		e->devtype = w[3][0];
		e->major = (unsigned)strtoul(w[4], NULL, 10);
		e->minor = (unsigned)strtoul(w[5], NULL, 10);
		return mc_parse_mode(w[2], &e->mode);
	}
	if (strcmp(w[0], "slink") == 0 && n == 3) {
		if (!(e = mc_add(w[1])) || strlen(w[2]) >= MC_LINE_MAX)
			return -1;
		e->kind = MC_SLINK;
		e->mode = 0777;
		strcpy(e->source, w[2]);
		return 0;
	}
	fprintf(stderr,
		"mkcpio: manifest line %u: expected 'dir NAME MODE', 'file "
		"NAME SOURCE MODE', 'nod NAME MODE c|b MAJ MIN' or 'slink "
		"NAME TARGET'\n",
		lineno);
	return -1;
}

/* Adds "dir P 0755" for every missing parent P of every entry. */
static int mc_add_parents(void)
{
	size_t n = mc_count;

	for (size_t i = 0; i < n; i++) {
		char p[MC_NAME_MAX];

		strcpy(p, mc_entries[i].name);
		for (char *s = strrchr(p, '/'); s; s = strrchr(p, '/')) {
			struct mc_entry *e;

			*s = '\0';
			if (mc_find(p))
				continue;
			if (!(e = mc_add(p)))
				return -1;
			e->kind = MC_DIR;
			e->mode = 0755;
			/* its own parents are handled when the loop reaches
			 * it: mc_count grew, so widen the bound */
			n = mc_count;
		}
	}
	return 0;
}

static int mc_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mc_entry *)a)->name,
		      ((const struct mc_entry *)b)->name);
}

static void mc_put(const void *p, size_t n)
{
	fwrite(p, 1, n, stdout);
	mc_offset += n;
}

static void mc_pad(void)
{
	static const char zero[4];

	mc_put(zero, (4 - mc_offset % 4) % 4);
}

static void mc_header(unsigned long ino, unsigned mode, unsigned nlink,
		      unsigned long size, unsigned rmaj, unsigned rmin,
		      const char *name)
{
	char h[136]; /* 110 used: every field fits 8 digits, see below */
	unsigned namesize = (unsigned)strlen(name) + 1;

	/* fields are 32 bits: inode counts, sizes and mtime are bounded by
	 * MC_ENTRIES_MAX, mc_copy's check and main's check */
	snprintf(h, sizeof h,
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 (unsigned)ino, mode, 0u, 0u, nlink, (unsigned)mc_mtime,
		 (unsigned)size, 0u, 0u, rmaj, rmin, namesize, 0u);
	mc_put(h, 110);
	mc_put(name, namesize);
	mc_pad();
}

static int mc_copy(const struct mc_entry *e, unsigned long ino)
{
	FILE *f = fopen(e->source, "rb");
	struct stat st;
	char buf[65536];
	size_t n;
	unsigned long total = 0;

	if (!f || fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > 0x7fffffff) {
		if (f)
			fclose(f);
		return mc_fail("cannot read regular file", e->source);
	}
	mc_header(ino, S_IFREG | e->mode, 1, (unsigned long)st.st_size, 0, 0,
		  e->name);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		mc_put(buf, n);
		total += n;
	}
	fclose(f);
	if (total != (unsigned long)st.st_size)
		return mc_fail("file changed while it was read", e->source);
	mc_pad();
	return 0;
}

static int mc_write(void)
{
	for (size_t i = 0; i < mc_count; i++) {
		const struct mc_entry *e = &mc_entries[i];
		unsigned long ino = i + 1;

		switch (e->kind) {
		case MC_DIR:
			mc_header(ino, S_IFDIR | e->mode, 2, 0, 0, 0, e->name);
			break;
		case MC_FILE:
			if (mc_copy(e, ino) < 0)
				return -1;
			break;
		case MC_NOD:
			mc_header(ino,
				  (e->devtype == 'c' ? S_IFCHR : S_IFBLK) |
				      e->mode,
				  1, 0, e->major, e->minor, e->name);
			break;
		case MC_SLINK:
			mc_header(ino, S_IFLNK | e->mode, 1, strlen(e->source),
				  0, 0, e->name);
			mc_put(e->source, strlen(e->source));
			mc_pad();
			break;
		}
	}
	mc_header(0, 0, 1, 0, 0, 0, "TRAILER!!!");
	return 0;
}

int main(int argc, char **argv)
{
	char line[MC_LINE_MAX * 2];
	unsigned lineno = 0;
	FILE *m;
	int a = 1;

	if (argc == 4 && strcmp(argv[1], "-t") == 0) {
		mc_mtime = strtoul(argv[2], NULL, 10);
		if (mc_mtime > 0xffffffffUL) {
			fprintf(stderr, "mkcpio: -t MTIME must fit 32 bits\n");
			return 2;
		}
		a = 3;
	}
	if (argc != a + 1) {
		fprintf(stderr,
			"usage: mkcpio [-t MTIME] MANIFEST > out.cpio\n");
		return 2;
	}
	if (!(m = fopen(argv[a], "r"))) {
		mc_fail("cannot open manifest", argv[a]);
		return 1;
	}
	while (fgets(line, sizeof line, m)) {
		lineno++;
		if (mc_parse_line(line, lineno) < 0) {
			fprintf(stderr, "mkcpio: %s:%u: fix this line\n",
				argv[a], lineno);
			return 1;
		}
	}
	fclose(m);
	if (mc_add_parents() < 0)
		return 1;
	qsort(mc_entries, mc_count, sizeof mc_entries[0], mc_cmp);
	if (mc_write() < 0 || fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mkcpio: writing the archive failed\n");
		return 1;
	}
	return 0;
}
