/* json.h - a small JSON writer (RFC 8259) for `xenchan --json`: one
 * object on stdout, strings escaped here, nesting tracked in a fixed
 * stack. Keys are NULL inside arrays.
 */
#ifndef XC_JSON_H
#define XC_JSON_H

#include <stddef.h>
#include <stdio.h>

#define HJ_DEPTH_MAX 16

struct hj {
	FILE *f;
	int depth;
	int count[HJ_DEPTH_MAX]; /* members written at each level */
};

void hj_init(struct hj *j, FILE *f);
void hj_begin_object(struct hj *j, const char *key);
void hj_end_object(struct hj *j);
void hj_begin_array(struct hj *j, const char *key);
void hj_end_array(struct hj *j);
void hj_string(struct hj *j, const char *key, const char *s);
void hj_string_n(struct hj *j, const char *key, const char *s, size_t n);
void hj_int(struct hj *j, const char *key, long long v);
void hj_bool(struct hj *j, const char *key, int v);
void hj_null(struct hj *j, const char *key);
/* Writes a JSON string literal (quotes included) for s[0..n): control
 * bytes escaped, valid UTF-8 kept, any other byte as \u00XX. */
void hj_escape(FILE *f, const char *s, size_t n);

#endif
