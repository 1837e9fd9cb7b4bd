/* yamlw.h - a walker over one YAML document (YAML 1.1 through libyaml's
 * document loader) for the cloud-init readers: typed lookups that report
 * "file:line" of the node they looked at, and the listing of keys a reader
 * does not know (hc_undelivered). A reader follows a fixed shape and never
 * a node's own references, so an alias loop cannot make it recurse.
 */
#ifndef XC_YAMLW_H
#define XC_YAMLW_H

#include <stddef.h>
#include <yaml.h>

#include "host/hconf.h"

struct yw_doc {
	struct hc_config *c;
	const char *name;
	yaml_document_t doc;
	int loaded;
	char src[HC_SRC_MAX];
};

/* Loads the first document of text; an empty text gives no root. Returns
 * 0, or -1 with "name:line:col: YAML error: ..." in c. */
int yw_load(struct hc_config *c, struct yw_doc *d, const char *name,
	    const char *text, size_t len);
void yw_unload(struct yw_doc *d);

/* "name:line" of n, in a buffer of d (valid until the next call). */
const char *yw_at(struct yw_doc *d, const yaml_node_t *n);
yaml_node_t *yw_node(struct yw_doc *d, int id);
yaml_node_t *yw_root(struct yw_doc *d); /* NULL: nothing loaded */
/* A scalar's text; NULL if n is not a scalar or holds a NUL byte. */
const char *yw_scalar(const yaml_node_t *n);
int yw_is_map(const yaml_node_t *n);
int yw_is_seq(const yaml_node_t *n);
/* The value at key in a mapping; NULL if map is not one or lacks key. */
yaml_node_t *yw_get(struct yw_doc *d, const yaml_node_t *map, const char *key);
/* true, True, yes, on, 1 */
int yw_truthy(const yaml_node_t *n);
/* The scalar at key (NULL if absent); an error if present but not one. */
int yw_str_at(struct yw_doc *d, const yaml_node_t *map, const char *key,
	      const char **out);
/* Lists every key of map not in known[] (NULL-terminated) as
 * "prefix.key" (or "key" when prefix is ""). */
void yw_others(struct yw_doc *d, const yaml_node_t *map,
	       const char *const *known, const char *prefix);

/* Calls fn for each item of a sequence, or once for a scalar (where a
 * single string may stand for a list). Stops at the first error. */
typedef int (*yw_each_fn)(void *ctx, struct yw_doc *d, yaml_node_t *item,
			  const char *arg);
int yw_each(void *ctx, struct yw_doc *d, yaml_node_t *list, const char *what,
	    yw_each_fn fn, const char *arg);

#endif
