/* hvalid.c - see hvalid.h. */
#include "host/hvalid.h"

#include <arpa/inet.h>
#include <string.h>

#include "agent/frame.h"

int hv_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (!s || xf_parse_u64(s, strlen(s), max, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

long hv_parse_mode(const char *s)
{
	long v = 0;

	if (!s || !*s)
		return -1;
	if (s[0] == '0' && s[1] == 'o')
		s += 2;
	if (!*s || strlen(s) > 5)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			return -1;
		v = v * 8 + (*s - '0');
	}
	return v <= 07777 ? v : -1;
}

int hv_is_mac(const char *s)
{
	int i;

	for (i = 0; i < 17; i++) {
		char ch = s[i];
		if (i % 3 == 2) {
			if (ch != ':')
				return 0;
		} else if (!((ch >= '0' && ch <= '9') ||
			     (ch >= 'a' && ch <= 'f') ||
			     (ch >= 'A' && ch <= 'F'))) {
			return 0;
		}
	}
	return s[17] == 0;
}

/* crypt(3) output: "$id$[params$]salt$hash", optionally locked with '!'. */
int hv_is_hash(const char *s)
{
	int dollars = 0;

	if (*s == '!')
		s++;
	if (s[0] != '$' || strlen(s) < 8 || strlen(s) > 512)
		return 0;
	for (; *s; s++) {
		if (*s == '$')
			dollars++;
		else if (!strchr("abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./=,+-",
				 *s))
			return 0;
	}
	return dollars >= 3;
}

/* RFC 1123 labels joined by dots, total at most max bytes. */
int hv_is_dnsname(const char *s, size_t max)
{
	size_t n = strlen(s), lab = 0, i;

	if (n == 0 || n > max || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '.') {
			if (lab == 0 || s[i - 1] == '-')
				return 0;
			lab = 0;
		} else if ((ch >= 'a' && ch <= 'z') ||
			   (ch >= 'A' && ch <= 'Z') ||
			   (ch >= '0' && ch <= '9') || ch == '-') {
			if ((lab == 0 && ch == '-') || ++lab > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return s[n - 1] != '-';
}

int hv_is_ifid(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789");
	return n >= 1 && n <= 15 && s[n] == 0;
}

int hv_is_ifname(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == '/' || s[i] == ':')
			return 0;
	return 1;
}

int hv_is_user(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 32)
		return 0;
	if (strspn(s, "0123456789") == n)
		return 1; /* a numeric id, for owner=/group= */
	for (i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || ch == '_' ||
		      (i > 0 && ((ch >= '0' && ch <= '9') || ch == '-' ||
				 ch == '.' || (ch == '$' && i == n - 1)))))
			return 0;
	}
	return 1;
}

/* Returns the address family of an IP literal, 0 if none. */
int hv_ip_family(const char *s)
{
	unsigned char b[16];

	if (inet_pton(AF_INET, s, b) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, b) == 1)
		return 6;
	return 0;
}

/* "ip/prefix": returns the family, 0 if bad. */
int hv_cidr_family(const char *s)
{
	char ip[64];
	const char *slash = strchr(s, '/');
	uint32_t pfx;
	int fam;

	if (!slash || (size_t)(slash - s) >= sizeof ip)
		return 0;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = 0;
	fam = hv_ip_family(ip);
	if (!fam || hv_parse_u32(slash + 1, fam == 4 ? 32 : 128, &pfx))
		return 0;
	return fam;
}

static const char *const key_types[] = {
    "ssh-ed25519",
    "ssh-rsa",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
};

/* An authorized_keys line: [options] type base64 [comment], one line. */
int hv_is_key_line(const char *s)
{
	const char *w = s;
	size_t i, n = strlen(s);

	if (n == 0 || n > 3000)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	while (*w) {
		size_t wl = strcspn(w, " \t");
		for (i = 0; i < sizeof key_types / sizeof *key_types; i++) {
			if (strlen(key_types[i]) == wl &&
			    !strncmp(w, key_types[i], wl)) {
				const char *b = w + wl;
				size_t bl;
				b += strspn(b, " \t");
				bl = strcspn(b, " \t");
				return bl >= 16 &&
				       strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
						 "abcdefghijklmnopqrstuvwxyz"
						 "0123456789+/=") == bl;
			}
		}
		w += wl;
		w += strspn(w, " \t");
	}
	return 0;
}

int hv_is_path(const char *s)
{
	const char *p = s;
	size_t n = strlen(s);

	if (n < 2 || n > 1024 || s[0] != '/' || s[n - 1] == '/')
		return 0;
	while (*p) {
		size_t cl;
		p++; /* the '/' */
		cl = strcspn(p, "/");
		if (cl == 0 || (cl == 1 && p[0] == '.') ||
		    (cl == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += cl;
	}
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20)
			return 0;
	return 1;
}
