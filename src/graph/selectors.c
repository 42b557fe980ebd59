/*
 * selectors.yml: named selections written as YAML (dbt's selector definitions), turned into the
 * string grammar of select.c. A definition is a criterion (a string such as "tag:nightly", or a
 * mapping with method / value and the graph operators parents, children, parents_depth,
 * children_depth, childrens_parents), a union or an intersection of definitions, or an exclude.
 * Each criterion selects what the same --select word selects; unions, intersections and
 * excludes combine those sets where they are written.
 */
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/sb.h"
#include "graph/graph.h"
#include "project/yml.h"

struct sctx {
	const struct graph *g;
	struct project *p;
	struct arena *a;
	struct diag_list *dl;
	value selectors;     /* the selectors list, for selector: references */
	int depth;
};

static int eval(struct sctx *c, value def, struct loc where, uint8_t *out);

/* One criterion in the --select grammar: the nodes it selects, its tests with them (dbt expands
 * each criterion eagerly) */
static int eval_word(struct sctx *c, const char *word, uint8_t *out)
{
	const char *words[1] = {word};
	return graph_select(c->g, c->p, words, 1, NULL, 0, ~0u, out, c->dl);
}

/* out := out minus what the `exclude:` list beside a definition selects */
static int subtract(struct sctx *c, value excl, uint8_t *out)
{
	size_t n = c->g->n;
	uint8_t *ex = xcalloc(n + 1, 1), *one = xcalloc(n + 1, 1);
	int rc = 0;
	for (uint32_t k = 0; k < excl.l->len && rc == 0; k++) {
		memset(one, 0, n);
		rc = eval(c, excl.l->items[k], yml_item_loc(excl, k), one);
		for (size_t i = 0; i < n; i++)
			ex[i] |= one[i];
	}
	for (size_t i = 0; i < n; i++)
		out[i] &= !ex[i];
	free(ex);
	free(one);
	return rc;
}

static int criterion(struct sctx *c, value def, struct loc where, uint8_t *out)
{
	const char *method = NULL, *val = NULL;
	if (yml_str(def, "method", NULL, &method, c->dl) < 0 || yml_str(def, "value", NULL, &val, c->dl) < 0)
		return -1;
	if (!method || !val) {
		struct diag *d = diag_error(c->dl, def.d->loc, "a selector criterion needs 'method' and 'value'");
		diag_hint(c->dl, d, "e.g. {method: tag, value: nightly}");
		return -1;
	}
	int rc;
	if (!strcmp(method, "selector")) {
		/* selector: another named selector */
		value ref = val_none();
		for (uint32_t i = 0; c->selectors.type == V_LIST && i < c->selectors.l->len; i++)
			if (val_streq(val_dict_gets(c->selectors.l->items[i], "name"), val))
				ref = c->selectors.l->items[i];
		if (ref.type != V_DICT) {
			diag_error(c->dl, where, "selector '%s' is not defined in selectors.yml", val);
			return -1;
		}
		rc = eval(c, val_dict_gets(ref, "definition"), ref.d->loc, out);
	} else {
		struct sb s = SB_INIT;
		long pd = -1, cd = -1;
		bool parents = false, children = false, at = false;
		(void)yml_bool(def, "parents", false, &parents, c->dl);
		(void)yml_bool(def, "children", false, &children, c->dl);
		(void)yml_bool(def, "childrens_parents", false, &at, c->dl);
		(void)yml_int(def, "parents_depth", -1, &pd, c->dl);
		(void)yml_int(def, "children_depth", -1, &cd, c->dl);
		if (at)
			sb_addc(&s, '@');
		else if (pd >= 0)
			sb_addf(&s, "%ld+", pd);
		else if (parents)
			sb_addc(&s, '+');
		if (!strcmp(method, "fqn"))
			sb_adds(&s, val);
		else
			sb_addf(&s, "%s:%s", method, val);
		if (!at && cd >= 0)
			sb_addf(&s, "+%ld", cd);
		else if (!at && children)
			sb_addc(&s, '+');
		/* its own indirect_selection over the command's (dbt's selection_criteria_from_dict) */
		const char *mode = NULL;
		enum indirect_mode was = c->p->indirect_selection;
		if (yml_str(def, "indirect_selection", NULL, &mode, c->dl) < 0) {
			sb_release(&s);
			return -1;
		}
		int k = mode ? graph_indirect_mode(mode, false) : (int)was;  /* dbt's IndirectSelection(value) */
		if (k < 0) {
			diag_error(c->dl, yml_val_loc(def, "indirect_selection"),
				   "'%s' is not one of 'eager', 'cautious', 'buildable', 'empty'", mode);
			sb_release(&s);
			return -1;
		}
		c->p->indirect_selection = (enum indirect_mode)k;
		rc = eval_word(c, s.buf, out);
		c->p->indirect_selection = was;
		sb_release(&s);
	}
	/* {method, value, exclude: [...]}: a difference (dbt's parse_dict_definition) */
	value ex = val_dict_gets(def, "exclude");
	if (rc == 0 && ex.type == V_LIST)
		rc = subtract(c, ex, out);
	return rc;
}

/*
 * A definition into the set of nodes it selects, as dbt's SelectionUnion, SelectionIntersection
 * and SelectionDifference combine them (graph/selector_spec.py): an `exclude:` inside a union or
 * an intersection takes its nodes out of that union or intersection only, so a union around it
 * may bring them back.
 */
static int eval(struct sctx *c, value def, struct loc where, uint8_t *out)
{
	if (++c->depth > 32) {
		diag_error(c->dl, where, "selector definitions nest too deeply (a selector refers to itself?)");
		return -1;
	}
	size_t n = c->g->n;
	int rc = 0;
	value l = def.type == V_DICT ? val_dict_gets(def, "union") : val_undef();
	bool is_union = l.type == V_LIST;
	if (!is_union && def.type == V_DICT)
		l = val_dict_gets(def, "intersection");
	if (def.type == V_STR) {
		rc = eval_word(c, def.s, out);
	} else if (l.type == V_LIST) {
		uint8_t *part = xcalloc(n + 1, 1);
		value excl = val_undef();
		bool first = true;
		memset(out, 0, n);
		for (uint32_t i = 0; i < l.l->len && rc == 0; i++) {
			value item = l.l->items[i];
			if (item.type == V_DICT && val_dict_gets(item, "exclude").type == V_LIST) {
				excl = val_dict_gets(item, "exclude");
				continue;
			}
			memset(part, 0, n);
			rc = eval(c, item, yml_item_loc(l, i), part);
			for (size_t k = 0; k < n; k++)
				out[k] = is_union ? (out[k] | part[k]) : first ? part[k] : (out[k] & part[k]);
			first = false;
		}
		free(part);
		if (rc == 0 && excl.type == V_LIST)
			rc = subtract(c, excl, out);
	} else if (def.type == V_DICT && val_dict_gets(def, "method").type == V_STR) {
		rc = criterion(c, def, where, out);
	} else if (def.type == V_DICT && def.d->len == 1 && def.d->e[0].key.type == V_STR &&
		   def.d->e[0].val.type == V_STR) {
		/* {tag: nightly}: a method and its value as one key */
		rc = eval_word(c, arena_sprintf(c->a, "%s:%s", def.d->e[0].key.s, def.d->e[0].val.s), out);
	} else {
		struct diag *d = diag_error(c->dl, def.type == V_DICT ? def.d->loc : where,
					    "a selector definition must be a string, a method/value mapping, a union or an intersection");
		diag_hint(c->dl, d, "see dbt's YAML selectors: union: [...], intersection: [...], exclude: [...]");
		rc = -1;
	}
	c->depth--;
	return rc;
}

int graph_selector(const struct graph *g, struct project *p, const char *name, uint8_t *sel, bool *pfound,
		   struct diag_list *dl)
{
	*pfound = false;
	char *path = fs_join(&p->arena, p->root, "selectors.yml");
	size_t len;
	char *text = fs_read(&p->arena, path, &len);
	if (!text) {
		struct diag *d = diag_error(dl, LOC_NONE, "--selector '%s' was given, but the project has no selectors.yml",
					    name ? name : "");
		diag_hint(dl, d, "define it in selectors.yml beside dbt_project.yml");
		return -1;
	}
	uint32_t f = diag_file_add("selectors.yml", text, len);
	value doc;
	if (val_from_yaml(&p->arena, f, text, len, &doc, dl) < 0)
		return -1;
	value list;
	if (doc.type != V_DICT || yml_list(doc, "selectors", false, &list, dl) < 0 || list.type != V_LIST) {
		diag_error(dl, loc_at(f, 1, 1, 1), "selectors.yml must hold a 'selectors' list");
		return -1;
	}
	value found = val_none();
	for (uint32_t i = 0; i < list.l->len; i++) {
		value s = list.l->items[i];
		if (s.type != V_DICT)
			continue;
		bool dflt = false;
		(void)yml_bool(s, "default", false, &dflt, dl);
		if (name ? val_streq(val_dict_gets(s, "name"), name) : dflt)
			found = s;
	}
	if (found.type != V_DICT) {
		if (!name)
			return 0;  /* no default selector: everything */
		struct diag *d = diag_error(dl, loc_at(f, 1, 1, 1), "selectors.yml defines no selector named '%s'", name);
		diag_hint(dl, d, "check the name given to --selector");
		return -1;
	}
	*pfound = true;
	struct sctx c = {g, p, &p->arena, dl, list, 0};
	memset(sel, 0, g->n);
	return eval(&c, val_dict_gets(found, "definition"), found.d->loc, sel);
}
