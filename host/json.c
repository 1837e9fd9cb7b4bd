/* json.c - see json.h. */
#include "host/json.h"

#include <stdint.h>
#include <string.h>

void hj_init(struct hj *j, FILE *f)
{
	memset(j, 0, sizeof *j);
	j->f = f;
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void hj_escape(FILE *f, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, l;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = u[i];
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if (c < 0x80) {
			fputc(c, f);
		} else if ((l = utf8_len(u + i, n - i))) {
			fwrite(u + i, 1, l, f); /* UTF-8 stays UTF-8 */
			i += l - 1;
		} else {
			/* not UTF-8 (the channel carries bytes): the output
			 * must still be valid JSON, so read it as Latin-1 */
			fprintf(f, "\\u%04x", c);
		}
	}
	fputc('"', f);
}

/* Separator and key before a member. */
static void member(struct hj *j, const char *key)
{
	if (j->count[j->depth]++)
		fputc(',', j->f);
	if (key) {
		hj_escape(j->f, key, strlen(key));
		fputc(':', j->f);
	}
}

static void open_level(struct hj *j, const char *key, char c)
{
	if (j->depth > 0 || j->count[0])
		member(j, key);
	else
		j->count[0]++;
	fputc(c, j->f);
	if (j->depth + 1 < HJ_DEPTH_MAX)
		j->count[++j->depth] = 0;
}

static void close_level(struct hj *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0)
		fputc('\n', j->f);
}

void hj_begin_object(struct hj *j, const char *key)
{
	open_level(j, key, '{');
}

void hj_end_object(struct hj *j)
{
	close_level(j, '}');
}

void hj_begin_array(struct hj *j, const char *key)
{
	open_level(j, key, '[');
}

void hj_end_array(struct hj *j)
{
	close_level(j, ']');
}

void hj_string_n(struct hj *j, const char *key, const char *s, size_t n)
{
	member(j, key);
	hj_escape(j->f, s, n);
}

void hj_string(struct hj *j, const char *key, const char *s)
{
	hj_string_n(j, key, s, strlen(s));
}

void hj_int(struct hj *j, const char *key, long long v)
{
	member(j, key);
	fprintf(j->f, "%lld", v);
}

void hj_bool(struct hj *j, const char *key, int v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void hj_null(struct hj *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}
