/*
 * Node configs, resolved as dbt does: dbt_project.yml's hierarchy (package, then each folder, then
 * the node's own name: `+key`, or any key whose value is not a mapping), under the schema.yml
 * `config:`, under the config() calls in the node's file. Keys that accumulate (tags, pre-hook,
 * post-hook) append, dict keys (meta, grants, docs ...) merge, everything else replaces.
 */
#include <stdlib.h>
#include <string.h>

#include "project/load_internal.h"

static bool appends(const char *k)
{
	return !strcmp(k, "tags") || !strcmp(k, "pre-hook") || !strcmp(k, "post-hook");
}

static bool merges(const char *k)
{
	return !strcmp(k, "meta") || !strcmp(k, "grants") || !strcmp(k, "docs") ||
	       !strcmp(k, "persist_docs") || !strcmp(k, "quoting") || !strcmp(k, "column_types") ||
	       !strcmp(k, "contract") || !strcmp(k, "connector_options") || !strcmp(k, "properties");
}

/* pre_hook / post_hook are aliases of pre-hook / post-hook */
static value norm_key(value k)
{
	if (val_streq(k, "pre_hook"))
		return val_str("pre-hook");
	if (val_streq(k, "post_hook"))
		return val_str("post-hook");
	return k;
}

/* One key of a config merged into dst: lists appended, dicts merged, anything else replaced */
static void merge_one(struct arena *a, value dst, value k, value v)
{
	k = norm_key(k);
	if (k.type != V_STR) {
		val_dict_set(dst, k, v);
		return;
	}
	if (appends(k.s)) {
		value cur = val_dict_get(dst, k);
		/* sized to fit: a merge at each level of dbt_project.yml makes a list, for every node */
		size_t cap = (cur.type == V_LIST ? cur.l->len : 1) + (v.type == V_LIST ? v.l->len : 1);
		value list = val_list_new(a, cap);
		if (cur.type == V_LIST)
			for (uint32_t j = 0; j < cur.l->len; j++)
				val_list_push(list, cur.l->items[j]);
		else if (cur.type == V_STR || cur.type == V_DICT)
			val_list_push(list, cur);
		if (v.type == V_LIST) {
			for (uint32_t j = 0; j < v.l->len; j++) {
				bool dup = false;
				if (!strcmp(k.s, "tags"))
					for (uint32_t m = 0; m < list.l->len && !dup; m++)
						dup = val_eq(list.l->items[m], v.l->items[j]);
				if (!dup)
					val_list_push(list, v.l->items[j]);
			}
		} else if (v.type != V_NONE) {
			bool dup = false;
			if (!strcmp(k.s, "tags"))
				for (uint32_t m = 0; m < list.l->len && !dup; m++)
					dup = val_eq(list.l->items[m], v);
			if (!dup)
				val_list_push(list, v);
		}
		val_dict_set(dst, k, list);
	} else if (merges(k.s) && v.type == V_DICT) {
		value cur = val_dict_get(dst, k);
		value d = val_dict_new(a, (cur.type == V_DICT ? cur.d->len : 0) + v.d->len);
		if (cur.type == V_DICT)
			val_dict_merge(a, d, cur);
		val_dict_merge(a, d, v);
		val_dict_set(dst, k, d);
	} else {
		val_dict_set(dst, k, v);
	}
}

void proj_config_merge(struct arena *a, value dst, value src)
{
	if (src.type != V_DICT)
		return;
	for (uint32_t i = 0; i < src.d->len; i++)
		merge_one(a, dst, src.d->e[i].key, src.d->e[i].val);
}

/* The configs that apply at one level of the hierarchy: `+key` entries and known config keys */
/* The config key an entry of a level of the hierarchy sets, or NULL: a `+key`, or any key whose
 * value is not a mapping (a mapping without the + is a folder), as dbt's _project_configs
 * (context/context_config.py): adapter configs such as Snowflake's `transient: false` too */
static const char *level_key(value k, value v)
{
	if (k.type != V_STR)
		return NULL;
	if (k.s[0] == '+') {
		const char *s = k.s + 1;
		while (*s == ' ' || *s == '\t')
			s++;
		return s;
	}
	return v.type != V_DICT ? k.s : NULL;
}

static void level_configs(struct arena *a, value level, value out)
{
	if (level.type != V_DICT)
		return;
	/* merged entry by entry (this runs for every node at every level: a dict of each level's
	 * configs was 5 MB of garbage for 10,000 models), unless a key is set twice (`+tags` and
	 * `tags`): then the level's last value wins, at the place of its first */
	bool twice = false;
	for (uint32_t i = 0; i < level.d->len && !twice; i++) {
		const char *ki = level_key(level.d->e[i].key, level.d->e[i].val);
		for (uint32_t j = 0; ki && j < i && !twice; j++) {
			const char *kj = level_key(level.d->e[j].key, level.d->e[j].val);
			twice = kj && !strcmp(ki, kj);
		}
	}
	if (!twice) {
		for (uint32_t i = 0; i < level.d->len; i++) {
			const char *k = level_key(level.d->e[i].key, level.d->e[i].val);
			if (k)
				merge_one(a, out, val_str(k), level.d->e[i].val);
		}
		return;
	}
	value cfg = val_dict_new(a, 4);
	for (uint32_t i = 0; i < level.d->len; i++) {
		const char *k = level_key(level.d->e[i].key, level.d->e[i].val);
		if (k)
			val_dict_set(cfg, val_str(k), level.d->e[i].val);
	}
	proj_config_merge(a, out, cfg);
}

static const char *section_for(enum node_type t)
{
	switch (t) {
	case NODE_MODEL:
	case NODE_OPERATION: return "models";  /* dbt's _project_configs: anything else reads models: */
	case NODE_SEED: return "seeds";
	case NODE_SNAPSHOT: return "snapshots";
	case NODE_TEST: return "data_tests";
	case NODE_SOURCE: return "sources";
	case NODE_EXPOSURE: return "exposures";
	case NODE_ANALYSIS: return "analyses";
	case NODE_METRIC: return "metrics";
	case NODE_SEMANTIC_MODEL: return "semantic-models";
	case NODE_SAVED_QUERY: return "saved-queries";
	default: return NULL;
	}
}

/* Walks one package's section along the node's fqn */
static void walk_section(struct arena *a, value section, const struct node *n, value out)
{
	if (section.type != V_DICT || n->fqn.type != V_LIST)
		return;
	/* configs right under `models:` (`+materialized: view`) apply to every package */
	level_configs(a, section, out);
	value level = val_dict_get(section, n->fqn.l->items[0]);
	for (uint32_t i = 0; level.type == V_DICT; i++) {
		level_configs(a, level, out);
		if (i + 1 >= n->fqn.l->len)
			break;
		level = val_dict_get(level, n->fqn.l->items[i + 1]);
	}
}

value proj_hierarchy_config(struct project *p, const struct node *n, struct arena *a)
{
	value out = val_dict_new(a, 8);
	const char *sec = section_for(n->type);
	if (!sec)
		return out;
	/* a package's own dbt_project.yml first, then the root project's, which wins */
	for (size_t i = 0; i < p->npackages; i++) {
		if (p->packages[i].is_root || strcmp(p->packages[i].name, n->package))
			continue;
		value section = val_dict_gets(p->packages[i].project_yml, sec);
		walk_section(a, section, n, out);
	}
	value section = val_dict_gets(p->yml, sec);
	if (n->type == NODE_TEST && section.type != V_DICT)
		section = val_dict_gets(p->yml, "tests");
	walk_section(a, section, n, out);
	return out;
}
