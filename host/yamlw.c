/* yamlw.c - see yamlw.h. */
#include "host/yamlw.h"

#include <stdio.h>
#include <string.h>

const char *yw_at(struct yw_doc *d, const yaml_node_t *n)
{
	snprintf(d->src, sizeof d->src, "%s:%lu", d->name,
		 n ? (unsigned long)n->start_mark.line + 1 : 0ul);
	return d->src;
}

int yw_load(struct hc_config *c, struct yw_doc *d, const char *name,
	    const char *text, size_t len)
{
	yaml_parser_t p;

	memset(d, 0, sizeof *d);
	d->c = c;
	d->name = name;
	if (!yaml_parser_initialize(&p))
		return hc_error(c, name, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, &d->doc)) {
		hc_error(c, NULL, "%s:%lu:%lu: YAML error: %s%s%s", name,
			 (unsigned long)p.problem_mark.line + 1,
			 (unsigned long)p.problem_mark.column + 1,
			 p.problem ? p.problem : "malformed",
			 p.context ? " " : "", p.context ? p.context : "");
		yaml_parser_delete(&p);
		return -1;
	}
	yaml_parser_delete(&p);
	d->loaded = 1;
	return 0;
}

void yw_unload(struct yw_doc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	d->loaded = 0;
}

yaml_node_t *yw_node(struct yw_doc *d, int id)
{
	return yaml_document_get_node(&d->doc, id);
}

yaml_node_t *yw_root(struct yw_doc *d)
{
	return d->loaded ? yaml_document_get_root_node(&d->doc) : NULL;
}

const char *yw_scalar(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE ||
	    strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return NULL;
	return (const char *)n->data.scalar.value;
}

int yw_is_map(const yaml_node_t *n)
{
	return n && n->type == YAML_MAPPING_NODE;
}

int yw_is_seq(const yaml_node_t *n)
{
	return n && n->type == YAML_SEQUENCE_NODE;
}

yaml_node_t *yw_get(struct yw_doc *d, const yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (!yw_is_map(map))
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		const char *k = yw_scalar(yw_node(d, p->key));
		if (k && !strcmp(k, key))
			return yw_node(d, p->value);
	}
	return NULL;
}

int yw_truthy(const yaml_node_t *n)
{
	const char *s = yw_scalar(n);
	return s && (!strcmp(s, "true") || !strcmp(s, "True") ||
		     !strcmp(s, "yes") || !strcmp(s, "on") || !strcmp(s, "1"));
}

int yw_str_at(struct yw_doc *d, const yaml_node_t *map, const char *key,
	      const char **out)
{
	yaml_node_t *v = yw_get(d, map, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!(*out = yw_scalar(v)))
		return hc_error(d->c, yw_at(d, v), "%s must be a string", key);
	return 0;
}

void yw_others(struct yw_doc *d, const yaml_node_t *map,
	       const char *const *known, const char *prefix)
{
	yaml_node_pair_t *p;
	int i;

	if (!yw_is_map(map))
		return;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		const char *k = yw_scalar(yw_node(d, p->key));
		for (i = 0; k && known[i]; i++)
			if (!strcmp(k, known[i]))
				break;
		if (!k || !known[i])
			hc_undelivered(d->c, "%s%s%.60s", prefix,
				       *prefix ? "." : "", k ? k : "?");
	}
}

int yw_each(void *ctx, struct yw_doc *d, yaml_node_t *list, const char *what,
	    yw_each_fn fn, const char *arg)
{
	yaml_node_item_t *i;

	if (!list)
		return 0;
	if (list->type == YAML_SCALAR_NODE)
		return fn(ctx, d, list, arg);
	if (!yw_is_seq(list))
		return hc_error(d->c, yw_at(d, list), "%s must be a list",
				what);
	for (i = list->data.sequence.items.start;
	     i < list->data.sequence.items.top; i++)
		if (fn(ctx, d, yw_node(d, *i), arg) < 0)
			return -1;
	return 0;
}
