/* test_json.c - the JSON writer (host/json.c): escaping table, nesting. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "host/json.h"

struct esc {
	const char *name, *in;
	size_t n;
	const char *out;
};

static const struct esc escs[] = {
    {"plain", "abc", 3, "\"abc\""},
    {"quote and backslash", "a\"b\\c", 5, "\"a\\\"b\\\\c\""},
    {"newline tab", "\n\t", 2, "\"\\n\\t\""},
    {"control and NUL", "\x01\x00\x7f", 3, "\"\\u0001\\u0000\\u007f\""},
    {"utf-8 kept", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9,
     "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""},
    {"stray byte", "\xff", 1, "\"\\u00ff\""},
    {"truncated sequence", "\xe2\x82", 2, "\"\\u00e2\\u0082\""},
    {"overlong", "\xc0\xaf", 2, "\"\\u00c0\\u00af\""},
    {"surrogate", "\xed\xa0\x80", 3, "\"\\u00ed\\u00a0\\u0080\""},
};

static char *render(void (*fn)(FILE *, const void *), const void *arg)
{
	static char *buf;
	size_t len;
	FILE *f;

	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	fn(f, arg);
	fclose(f);
	return buf;
}

static void esc_one(FILE *f, const void *arg)
{
	const struct esc *e = arg;
	hj_escape(f, e->in, e->n);
}

static void nested(FILE *f, const void *arg)
{
	struct hj j;

	hj_init(&j, f);
	hj_begin_object(&j, NULL);
	hj_string(&j, "a", "x");
	hj_begin_array(&j, "l");
	hj_int(&j, NULL, -3);
	hj_begin_object(&j, NULL);
	hj_bool(&j, "t", 1);
	hj_null(&j, "n");
	hj_end_object(&j);
	hj_end_array(&j);
	hj_begin_array(&j, "e");
	hj_end_array(&j);
	hj_end_object(&j);
}

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof escs / sizeof *escs; i++) {
		CASE(escs[i].name);
		CHECK(!strcmp(render(esc_one, &escs[i]), escs[i].out));
	}
	CASE("nesting and separators");
	CHECK(!strcmp(render(nested, NULL),
		      "{\"a\":\"x\",\"l\":[-3,{\"t\":true,\"n\":null}],"
		      "\"e\":[]}\n"));
	return check_done("host-json");
}
