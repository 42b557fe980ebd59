/*
 * The arguments of a generic test as its macro receives them (`_dbt_generic_test_kwargs`),
 * rendered natively as dbt renders them, and the parse-time render of a generic test that
 * gives config() calls in its definition to the test node.
 */
#include <ctype.h>
#include <string.h>

#include "dbt/context.h"
#include "jinja/jinja.h"

/* A YAML argument written as a call, like `to: ref('customers')`, is rendered as an expression */
static bool looks_like_call(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	static const char *const calls[] = {"ref", "source", "var", "env_var", "doc", NULL};
	for (const char *const *c = calls; *c; c++) {
		size_t n = strlen(*c);
		if (!strncmp(s, *c, n)) {
			const char *t = s + n;
			while (isspace((unsigned char)*t))
				t++;
			if (*t == '(')
				return true;
		}
	}
	return false;
}

/* renders the strings of an argument natively, through lists and dicts (dbt's deep_map_render) */
static int native_arg(struct dbt_render *r, struct node *n, const char *key, value v, value *pout)
{
	if (v.type == V_STR) {
		const char *src = v.s;
		if (!strstr(src, "{{") && looks_like_call(src))
			src = arena_sprintf(r->arena, "{{ %s }}", src);
		return dbt_render_native(r, arena_sprintf(r->arena, "%s (argument '%s')", n->original_file_path, key), src,
					 n->yaml_loc, pout);
	}
	if (v.type == V_LIST) {
		value out = val_list_new(r->arena, v.l->len);
		for (uint32_t i = 0; i < v.l->len; i++) {
			value item;
			if (native_arg(r, n, key, v.l->items[i], &item) < 0)
				return -1;
			val_list_push(out, item);
		}
		*pout = out;
		return 0;
	}
	if (v.type == V_DICT) {
		value out = val_dict_new(r->arena, v.d->len);
		for (uint32_t i = 0; i < v.d->len; i++) {
			value item;
			if (native_arg(r, n, key, v.d->e[i].val, &item) < 0)
				return -1;
			val_dict_set(out, v.d->e[i].key, item);
		}
		*pout = out;
		return 0;
	}
	*pout = v;
	return 0;
}

/* The arguments a generic test macro gets, rendered natively as dbt does: `model` and ref()/source()
 * arguments arrive as relations, lists as lists; column_name stays the text it is */
int dbt_test_kwargs(struct dbt_render *r, struct node *n, value *pout)
{
	value kwargs = val_dict_gets(n->test_metadata, "kwargs");
	value out = val_dict_new(r->arena, kwargs.type == V_DICT ? kwargs.d->len : 0);
	for (uint32_t i = 0; kwargs.type == V_DICT && i < kwargs.d->len; i++) {
		value k = kwargs.d->e[i].key, v = kwargs.d->e[i].val;
		if (!(k.type == V_STR && val_streq(k, "column_name")) &&
		    native_arg(r, n, k.type == V_STR ? k.s : "?", v, &v) < 0)
			return -1;
		val_dict_set(out, k, v);
	}
	*pout = out;
	return 0;
}

int dbt_parse_generic_test(struct project *p, struct node *n, struct arena *scratch, struct arena *keep,
			   value *pconfig, struct diag_list *dl)
{
	struct dbt_render r = {.proj = p, .node = n, .phase = DBT_PARSE, .arena = scratch, .keep = keep, .dl = dl};
	value saved = n->config;
	/* config() calls land in a copy of the node's config, so that config.get() sees it; what they
	 * changed is handed to the caller to apply */
	n->config = val_copy(keep, saved);
	value ctx = dbt_context(&r), kwargs;
	int rc = dbt_test_kwargs(&r, n, &kwargs);
	if (rc == 0) {
		val_dict_sets(ctx, "_dbt_generic_test_kwargs", kwargs);
		struct sb out = SB_INIT;
		rc = dbt_render(&r, n->tmpl, &out);
		sb_release(&out);
	}
	value changed = val_dict_new(keep, 4);
	for (uint32_t i = 0; i < n->config.d->len; i++) {
		value k = n->config.d->e[i].key, v = n->config.d->e[i].val;
		value before = val_dict_get(saved, k);
		if (before.type == V_UNDEF || !val_eq(before, v))
			val_dict_set(changed, k, v);
	}
	*pconfig = changed;
	n->config = saved;
	return rc;
}
