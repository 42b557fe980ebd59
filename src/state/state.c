/*
 * --state: compares the project with an earlier run's manifest.json (and reads its
 * run_results.json) for state: and result: selection. See state.h for the rules' origin.
 */
#include <string.h>

#include "artifacts/artifacts.h"
#include "core/fs.h"
#include "core/map.h"
#include "state/state.h"

/* The manifest entry of a unique_id, in whichever section holds it */
static value entry_of(value manifest, const char *uid)
{
	static const char *const sections[] = {"nodes", "sources", "exposures", "metrics", "semantic_models",
					       "saved_queries", "unit_tests"};
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		value s = val_dict_gets(manifest, sections[i]);
		if (s.type != V_DICT)
			continue;
		value e = val_dict_gets(s, uid);
		if (e.type == V_DICT)
			return e;
	}
	return val_undef();
}

/* dbt's compare_key: a key absent on both sides is equal; absent on one side differs */
static bool same_key(value a, value b, const char *key)
{
	value x = a.type == V_DICT ? val_dict_gets(a, key) : val_undef();
	value y = b.type == V_DICT ? val_dict_gets(b, key) : val_undef();
	if (x.type == V_UNDEF || y.type == V_UNDEF)
		return x.type == y.type;
	return val_eq(x, y);
}

static bool same_field(value a, value b, const char *key)
{
	return val_eq(val_dict_gets(a, key), val_dict_gets(b, key));
}

/* BaseConfig.same_contents over unrendered configs: every key but those that are part of the
 * database representation or not compared (alias, schema, database, tags, group) */
static bool same_node_config(value a, value b)
{
	static const char *const excluded[] = {"alias", "schema", "database", "tags", "group"};
	for (int side = 0; side < 2; side++) {
		value d = side ? b : a;
		for (uint32_t i = 0; d.type == V_DICT && i < d.d->len; i++) {
			value k = d.d->e[i].key;
			if (k.type != V_STR)
				continue;
			bool skip = false;
			for (size_t e = 0; e < sizeof(excluded) / sizeof(excluded[0]); e++)
				skip |= val_streq(k, excluded[e]);
			if (!skip && !same_key(a, b, k.s))
				return false;
		}
	}
	return true;
}

/* TestConfig.same_contents: only the keys that change a test's verdict */
static bool same_test_config(value a, value b)
{
	static const char *const modifiers[] = {"severity", "where", "limit", "fail_calc", "warn_if", "error_if",
						"store_failures", "store_failures_as"};
	for (size_t i = 0; i < sizeof(modifiers) / sizeof(modifiers[0]); i++)
		if (!same_key(a, b, modifiers[i]))
			return false;
	return true;
}

static bool persists(value entry, const char *what)
{
	value pd = val_dict_gets(val_dict_gets(entry, "config"), "persist_docs");
	return pd.type == V_DICT && val_truthy(val_dict_gets(pd, what));
}

static bool same_descriptions(value cur, value old)
{
	if (persists(cur, "relation") && !same_field(cur, old, "description"))
		return false;
	if (!persists(cur, "columns"))
		return true;
	value a = val_dict_gets(cur, "columns"), b = val_dict_gets(old, "columns");
	uint32_t na = a.type == V_DICT ? a.d->len : 0, nb = b.type == V_DICT ? b.d->len : 0;
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++) {
		value ob = val_dict_get(b, a.d->e[i].key);
		if (ob.type != V_DICT || !same_field(a.d->e[i].val, ob, "description"))
			return false;
	}
	return true;
}

/* An enforced contract: its enforcement and the name, type and constraints of every column */
static bool same_contract(value cur, value old)
{
	bool ce = val_truthy(val_dict_gets(val_dict_gets(val_dict_gets(cur, "config"), "contract"), "enforced"));
	bool oe = val_truthy(val_dict_gets(val_dict_gets(val_dict_gets(old, "config"), "contract"), "enforced"));
	if (!ce && !oe)
		return true;
	if (ce != oe)
		return false;
	value a = val_dict_gets(cur, "columns"), b = val_dict_gets(old, "columns");
	uint32_t na = a.type == V_DICT ? a.d->len : 0, nb = b.type == V_DICT ? b.d->len : 0;
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++) {
		value ob = val_dict_get(b, a.d->e[i].key);
		if (ob.type != V_DICT || !same_field(a.d->e[i].val, ob, "data_type") ||
		    !same_field(a.d->e[i].val, ob, "constraints"))
			return false;
	}
	return same_field(cur, old, "constraints");
}

struct macro_walk {
	value macros;        /* the current manifest's macros */
	struct map modified; /* uid -> non-NULL when changed */
	struct map visited;
};

/* Whether `deps` (a depends_on.macros list) reaches a changed macro, following each macro's own
 * depends_on once (dbt's recursively_check_macros_modified) */
static bool macros_changed(struct macro_walk *w, value deps)
{
	for (uint32_t i = 0; deps.type == V_LIST && i < deps.l->len; i++) {
		value uid = deps.l->items[i];
		if (uid.type != V_STR || map_gets(&w->visited, uid.s))
			continue;
		map_puts(&w->visited, uid.s, (void *)1);
		if (map_gets(&w->modified, uid.s))
			return true;
		value m = val_dict_gets(w->macros, uid.s);
		if (m.type == V_DICT && macros_changed(w, val_dict_gets(val_dict_gets(m, "depends_on"), "macros")))
			return true;
	}
	return false;
}

static uint8_t compare_entry(struct macro_walk *w, value cur, value old)
{
	if (old.type != V_DICT)
		return STATE_NEW;
	uint8_t f = 0;
	const char *type = val_dict_gets(cur, "resource_type").type == V_STR ? val_dict_gets(cur, "resource_type").s : "";
	value ucur = val_dict_gets(cur, "unrendered_config"), uold = val_dict_gets(old, "unrendered_config");
	if (!strcmp(type, "source")) {
		if (!same_field(cur, old, "database") || !same_field(cur, old, "schema") ||
		    !same_field(cur, old, "identifier"))
			f |= STATE_RELATION;
		if (!same_field(cur, old, "fqn") || !same_field(cur, old, "quoting") || !same_field(cur, old, "freshness") ||
		    !same_field(cur, old, "loaded_at_field") || !same_field(cur, old, "external"))
			f |= STATE_OTHER;
		if (!same_node_config(ucur, uold))
			f |= STATE_CONFIGS;
		return f;
	}
	if (!strcmp(type, "exposure") || !strcmp(type, "metric") || !strcmp(type, "semantic_model") ||
	    !strcmp(type, "saved_query")) {
		/* their own same_contents: depends_on, description, owner, ... any recorded difference */
		if (!same_field(cur, old, "fqn") || !same_field(cur, old, "depends_on") ||
		    !same_field(cur, old, "description") || !same_field(cur, old, "config"))
			f |= STATE_OTHER;
		return f;
	}
	if (!strcmp(type, "unit_test")) {
		/* UnitTestDefinition.same_contents: its model, versions, inputs, expected rows and
		 * overrides (not its description) */
		static const char *const keys[] = {"model", "versions", "given", "expect", "overrides"};
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!same_field(cur, old, keys[i]))
				f |= STATE_BODY;
		if (!same_node_config(ucur, uold))
			f |= STATE_CONFIGS;
		return f;
	}
	if (!strcmp(type, "seed") ? !same_field(cur, old, "checksum") : !same_field(cur, old, "raw_code"))
		f |= STATE_BODY;
	if (!(!strcmp(type, "test") ? same_test_config(ucur, uold) : same_node_config(ucur, uold)))
		f |= STATE_CONFIGS;
	if (!same_key(ucur, uold, "database") || !same_key(ucur, uold, "schema") || !same_key(ucur, uold, "alias"))
		f |= STATE_RELATION;
	if (!same_descriptions(cur, old))
		f |= STATE_DESCRIPTIONS;
	if (!same_field(cur, old, "fqn"))
		f |= STATE_OTHER;
	if (!strcmp(type, "model") && !same_contract(cur, old))
		f |= STATE_CONTRACT;
	map_release(&w->visited);
	map_init(&w->visited);
	if (macros_changed(w, val_dict_gets(val_dict_gets(cur, "depends_on"), "macros")))
		f |= STATE_MACROS;
	return f;
}

/* Where the state's run built a refable, non-ephemeral node: what --defer reads instead
 * (dbt's Manifest.merge_from_artifact) */
static void defer_relation(struct project *p, size_t i, value old)
{
	if (old.type != V_DICT)
		return;
	value type = val_dict_gets(old, "resource_type");
	if (!val_streq(type, "model") && !val_streq(type, "seed") && !val_streq(type, "snapshot"))
		return;
	if (val_streq(val_dict_gets(val_dict_gets(old, "config"), "materialized"), "ephemeral"))
		return;
	value db = val_dict_gets(old, "database"), schema = val_dict_gets(old, "schema"), alias = val_dict_gets(old, "alias");
	if (schema.type != V_STR || alias.type != V_STR)
		return;
	p->state_relations[i].database = db.type == V_STR ? val_cstr(&p->arena, db) : NULL;
	p->state_relations[i].schema = val_cstr(&p->arena, schema);
	p->state_relations[i].alias = val_cstr(&p->arena, alias);
}

static int read_json(struct project *p, const char *path, value *pv, struct diag_list *dl)
{
	size_t len;
	char *text = fs_read(&p->arena, path, &len);
	if (!text)
		return 1;
	char *err = NULL;
	if (val_from_json(&p->arena, text, len, pv, &err) < 0 || pv->type != V_DICT) {
		struct diag *d = diag_error(dl, LOC_NONE, "'%s' is not a dbt artifact: %s", path, err ? err : "not an object");
		diag_hint(dl, d, "--state must name the target folder of an earlier run");
		return -1;
	}
	return 0;
}

int state_load(struct project *p, const char *dir, struct diag_list *dl)
{
	const char *mpath = fs_join(&p->arena, dir, "manifest.json");
	value old;
	int rc = read_json(p, mpath, &old, dl);
	if (rc > 0) {
		struct diag *d = diag_error(dl, LOC_NONE, "no manifest.json in the --state folder '%s'", dir);
		diag_hint(dl, d, "run 'sluice parse' (or any command) with the earlier code and keep its target folder");
	}
	if (rc)
		return -1;
	value cur = art_manifest_value(&p->arena, p, NULL, NULL);
	struct macro_walk w = {.macros = val_dict_gets(cur, "macros")};
	map_init(&w.modified);
	map_init(&w.visited);
	value old_macros = val_dict_gets(old, "macros");
	for (uint32_t i = 0; w.macros.type == V_DICT && i < w.macros.d->len; i++) {
		value k = w.macros.d->e[i].key;
		value om = old_macros.type == V_DICT ? val_dict_get(old_macros, k) : val_undef();
		if (k.type == V_STR && (om.type != V_DICT || !same_field(w.macros.d->e[i].val, om, "macro_sql")))
			map_puts(&w.modified, k.s, (void *)1);
	}
	p->state_flags = arena_zalloc(&p->arena, p->nnodes ? p->nnodes : 1);
	p->state_relations = arena_zalloc(&p->arena, (p->nnodes ? p->nnodes : 1) * sizeof(*p->state_relations));
	p->state_results = arena_zalloc(&p->arena, (p->nnodes ? p->nnodes : 1) * sizeof(char *));
	for (size_t i = 0; i < p->nnodes; i++) {
		const char *uid = p->nodes[i]->unique_id;
		value c = entry_of(cur, uid);
		if (c.type == V_DICT)
			p->state_flags[i] = compare_entry(&w, c, entry_of(old, uid));
		defer_relation(p, i, entry_of(old, uid));
	}
	map_release(&w.modified);
	map_release(&w.visited);

	value results;
	const char *rpath = fs_join(&p->arena, dir, "run_results.json");
	rc = read_json(p, rpath, &results, dl);
	if (rc < 0)
		return -1;
	value list = rc == 0 ? val_dict_gets(results, "results") : val_undef();
	struct map index = MAP_INIT;
	for (size_t i = 0; i < p->nnodes; i++)
		map_puts(&index, p->nodes[i]->unique_id, (void *)(uintptr_t)(i + 1));
	for (uint32_t i = 0; list.type == V_LIST && i < list.l->len; i++) {
		value r = list.l->items[i];
		value uid = r.type == V_DICT ? val_dict_gets(r, "unique_id") : val_undef();
		value status = r.type == V_DICT ? val_dict_gets(r, "status") : val_undef();
		uintptr_t at = uid.type == V_STR ? (uintptr_t)map_gets(&index, uid.s) : 0;
		if (at && status.type == V_STR)
			p->state_results[at - 1] = val_cstr(&p->arena, status);
	}
	map_release(&index);
	p->state_dir = arena_strdup(&p->arena, dir);
	return 0;
}
