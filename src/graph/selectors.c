/*
 * selectors.yml: named selections written as YAML (dbt's selector definitions), turned into the
 * string grammar of select.c. A definition is a criterion (a string such as "tag:nightly", or a
 * mapping with method / value and the graph operators parents, children, parents_depth,
 * children_depth, childrens_parents), a union or an intersection of definitions, or an exclude.
 * Unions and intersections are flattened to a union of intersections (distributing one over the
 * other), which is exactly what --select words with commas express; excludes join --exclude.
 */
#include <string.h>

#include "core/fs.h"
#include "core/sb.h"
#include "graph/graph.h"
#include "project/yml.h"

/* a union of intersections: conj[i] is a comma-joined intersection */
struct dnf {
	const char **conj;
	size_t n;
};

struct sctx {
	struct arena *a;
	struct diag_list *dl;
	value selectors;     /* the selectors list, for selector: references */
	const char **excl;
	size_t nexcl;
	int depth;
};

static int flatten(struct sctx *c, value def, struct loc where, struct dnf *out);

static void push(struct sctx *c, struct dnf *d, const char *s)
{
	d->conj = arena_realloc(c->a, d->conj, d->n * sizeof(char *), (d->n + 1) * sizeof(char *));
	d->conj[d->n++] = s;
}

static int criterion(struct sctx *c, value def, struct loc where, struct dnf *out)
{
	const char *method = NULL, *val = NULL;
	if (yml_str(def, "method", NULL, &method, c->dl) < 0 || yml_str(def, "value", NULL, &val, c->dl) < 0)
		return -1;
	if (!method || !val) {
		struct diag *d = diag_error(c->dl, def.d->loc, "a selector criterion needs 'method' and 'value'");
		diag_hint(c->dl, d, "e.g. {method: tag, value: nightly}");
		return -1;
	}
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
	if (!strcmp(method, "selector")) {
		/* selector: another named selector */
		value ref = val_none();
		for (uint32_t i = 0; c->selectors.type == V_LIST && i < c->selectors.l->len; i++)
			if (val_streq(val_dict_gets(c->selectors.l->items[i], "name"), val))
				ref = c->selectors.l->items[i];
		sb_release(&s);
		if (ref.type != V_DICT) {
			diag_error(c->dl, where, "selector '%s' is not defined in selectors.yml", val);
			return -1;
		}
		return flatten(c, val_dict_gets(ref, "definition"), ref.d->loc, out);
	}
	push(c, out, arena_strndup(c->a, s.buf, s.len));
	sb_release(&s);
	return 0;
}

static int flatten(struct sctx *c, value def, struct loc where, struct dnf *out)
{
	if (++c->depth > 32) {
		diag_error(c->dl, where, "selector definitions nest too deeply (a selector refers to itself?)");
		return -1;
	}
	int rc = 0;
	if (def.type == V_STR) {
		push(c, out, def.s);
	} else if (def.type == V_DICT && val_dict_gets(def, "union").type == V_LIST) {
		value l = val_dict_gets(def, "union");
		for (uint32_t i = 0; i < l.l->len && rc == 0; i++) {
			value item = l.l->items[i];
			if (item.type == V_DICT && val_dict_gets(item, "exclude").type == V_LIST) {
				struct dnf ex = {0};
				value el = val_dict_gets(item, "exclude");
				for (uint32_t k = 0; k < el.l->len && rc == 0; k++)
					rc = flatten(c, el.l->items[k], yml_item_loc(el, k), &ex);
				for (size_t k = 0; k < ex.n; k++) {
					c->excl = arena_realloc(c->a, c->excl, c->nexcl * sizeof(char *), (c->nexcl + 1) * sizeof(char *));
					c->excl[c->nexcl++] = ex.conj[k];
				}
				continue;
			}
			rc = flatten(c, item, yml_item_loc(l, i), out);
		}
	} else if (def.type == V_DICT && val_dict_gets(def, "intersection").type == V_LIST) {
		value l = val_dict_gets(def, "intersection");
		struct dnf acc = {0};
		push(c, &acc, "");
		for (uint32_t i = 0; i < l.l->len && rc == 0; i++) {
			struct dnf part = {0};
			rc = flatten(c, l.l->items[i], yml_item_loc(l, i), &part);
			struct dnf next = {0};
			for (size_t x = 0; x < acc.n; x++)
				for (size_t y = 0; y < part.n; y++)
					push(c, &next, *acc.conj[x] ? arena_sprintf(c->a, "%s,%s", acc.conj[x], part.conj[y])
								   : part.conj[y]);
			acc = next;
		}
		for (size_t x = 0; x < acc.n; x++)
			push(c, out, acc.conj[x]);
	} else if (def.type == V_DICT && val_dict_gets(def, "method").type == V_STR) {
		rc = criterion(c, def, where, out);
	} else {
		struct diag *d = diag_error(c->dl, def.type == V_DICT ? def.d->loc : where,
					    "a selector definition must be a string, a method/value mapping, a union or an intersection");
		diag_hint(c->dl, d, "see dbt's YAML selectors: union: [...], intersection: [...], exclude: [...]");
		rc = -1;
	}
	c->depth--;
	return rc;
}

int graph_selector(struct project *p, const char *name, struct arena *a, const char ***pwords, size_t *pn,
		   const char ***pexcl, size_t *pnexcl, struct diag_list *dl)
{
	*pn = *pnexcl = 0;
	char *path = fs_join(a, p->root, "selectors.yml");
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
	struct sctx c = {a, dl, list, NULL, 0, 0};
	struct dnf out = {0};
	if (flatten(&c, val_dict_gets(found, "definition"), found.d->loc, &out) < 0)
		return -1;
	*pwords = out.conj;
	*pn = out.n;
	*pexcl = c.excl;
	*pnexcl = c.nexcl;
	return out.n == 0 && !name ? 0 : 0;
}
