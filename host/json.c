/* json.c - see json.h. */
#include "host/json.h"

#include <string.h>

void hj_init(struct hj *j, FILE *f)
{
	memset(j, 0, sizeof *j);
	j->f = f;
}

void hj_escape(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			/* control bytes and DEL escaped; bytes >= 0x80 are
			 * passed as they are (UTF-8 stays UTF-8) */
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
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
