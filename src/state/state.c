/*
 * --state: compares the project with an earlier run's manifest.json (and reads its
 * run_results.json) for state: and result: selection. See state.h for the rules' origin.
 */
#include <string.h>

#include "artifacts/artifacts.h"
#include "core/sb.h"
#include "core/fs.h"
#include "core/log.h"
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

static bool enforces_constraints(value entry)
{
	value m = val_dict_gets(val_dict_gets(entry, "config"), "materialized");
	return val_streq(m, "table") || val_streq(m, "incremental");
}

/* dbt's ConstraintSupport.ENFORCED for the engine (dbt-duckdb and dbt-postgres enforce all) */
static bool enforced_type(const struct project *p, value con)
{
	const char *engine = p->target.type ? p->target.type : "duckdb";
	value t = val_dict_gets(con, "type");
	if (!strcmp(engine, "duckdb") || !strcmp(engine, "postgres"))
		return !val_streq(t, "custom");
	return val_streq(t, "not_null") || val_streq(t, "foreign_key");
}

static bool has_constraint(value list, value con)
{
	for (uint32_t i = 0; list.type == V_LIST && i < list.l->len; i++)
		if (val_eq(list.l->items[i], con))
			return true;
	return false;
}

static void constraint_label(struct sb *s, value con)
{
	value name = val_dict_gets(con, "name");
	sb_addf(s, "'%s'", name.type == V_STR ? name.s : val_dict_gets(con, "type").type == V_STR
							    ? val_dict_gets(con, "type").s : "None");
}

/*
 * ModelNode.same_contract's breaking changes to a contract that was enforced: enforcement removed,
 * columns removed, data types changed, enforced constraints removed, a materialization that no
 * longer creates constraints. NULL when none; else dbt's list of them.
 */
static const char *breaking_changes(struct project *p, value cur, value old)
{
	if (!val_truthy(val_dict_gets(val_dict_gets(val_dict_gets(old, "config"), "contract"), "enforced")))
		return NULL;
	struct sb s = SB_INIT, removed = SB_INIT, types = SB_INIT, colcons = SB_INIT, modcons = SB_INIT;
	bool disabled = !val_truthy(val_dict_gets(val_dict_gets(val_dict_gets(cur, "config"), "contract"), "enforced"));
	value oc = val_dict_gets(old, "columns"), cc = val_dict_gets(cur, "columns");
	bool old_enforces = enforces_constraints(old), column_constraints = false;
	/* sorted(old.columns.items()) */
	uint32_t n = oc.type == V_DICT ? oc.d->len : 0;
	uint32_t *order = arena_alloc(&p->arena, (n + 1) * sizeof(*order));
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = i;
		while (k > 0 && strcmp(oc.d->e[order[k - 1]].key.s, oc.d->e[i].key.s) > 0) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
	for (uint32_t j = 0; j < n; j++) {
		value key = oc.d->e[order[j]].key, ov = oc.d->e[order[j]].val;
		value nv = cc.type == V_DICT ? val_dict_get(cc, key) : val_undef();
		value ocons = val_dict_gets(ov, "constraints");
		if (ocons.type == V_LIST && ocons.l->len)
			column_constraints = true;
		if (nv.type != V_DICT) {
			sb_addf(&removed, "\n    - %s", key.s);
			continue;
		}
		if (!val_eq(val_dict_gets(ov, "data_type"), val_dict_gets(nv, "data_type"))) {
			struct sb a = SB_INIT, b = SB_INIT;
			val_str_to(&a, val_dict_gets(ov, "data_type"));
			val_str_to(&b, val_dict_gets(nv, "data_type"));
			sb_addf(&types, "\n    - %s (%s -> %s)", key.s, a.len ? a.buf : "None", b.len ? b.buf : "None");
			sb_release(&a);
			sb_release(&b);
		}
		value ncons = val_dict_gets(nv, "constraints");
		for (uint32_t i = 0; old_enforces && ocons.type == V_LIST && i < ocons.l->len; i++) {
			if (has_constraint(ncons, ocons.l->items[i]) || !enforced_type(p, ocons.l->items[i]))
				continue;
			sb_adds(&colcons, "\n    - ");
			constraint_label(&colcons, ocons.l->items[i]);
			sb_addf(&colcons, " constraint on column %s", key.s);
		}
	}
	value omc = val_dict_gets(old, "constraints"), nmc = val_dict_gets(cur, "constraints");
	for (uint32_t i = 0; old_enforces && omc.type == V_LIST && i < omc.l->len; i++) {
		if (has_constraint(nmc, omc.l->items[i]) || !enforced_type(p, omc.l->items[i]))
			continue;
		sb_adds(&modcons, "\n    - ");
		constraint_label(&modcons, omc.l->items[i]);
		sb_adds(&modcons, " constraint on columns ");
		struct sb cols = SB_INIT;
		val_repr_to(&cols, val_dict_gets(omc.l->items[i], "columns"));
		sb_adds(&modcons, cols.buf ? cols.buf : "[]");
		sb_release(&cols);
	}
	bool mat_changed = old_enforces && !enforces_constraints(cur) &&
			   ((omc.type == V_LIST && omc.l->len) || column_constraints);
	const char *sep = "";
#define REASON(...) do { sb_adds(&s, sep); sb_addf(&s, __VA_ARGS__); sep = "\n  - "; } while (0)
	if (disabled)
		REASON("Contract enforcement was removed: Previously, this model had an enforced contract. It is no longer "
		       "configured to enforce its contract, and this is a breaking change.");
	if (removed.len)
		REASON("Columns were removed: %s", removed.buf);
	if (types.len)
		REASON("Columns with data_type changes: %s", types.buf);
	if (colcons.len)
		REASON("Enforced column level constraints were removed: %s", colcons.buf);
	if (modcons.len)
		REASON("Enforced model level constraints were removed: %s", modcons.buf);
	if (mat_changed) {
		struct sb a = SB_INIT, b = SB_INIT;
		val_str_to(&a, val_dict_gets(val_dict_gets(old, "config"), "materialized"));
		val_str_to(&b, val_dict_gets(val_dict_gets(cur, "config"), "materialized"));
		REASON("Materialization changed with enforced constraints: \n    - %s -> %s", a.buf, b.buf);
		sb_release(&a);
		sb_release(&b);
	}
#undef REASON
	const char *out = s.len ? arena_strndup(&p->arena, s.buf, s.len) : NULL;
	sb_release(&s);
	sb_release(&removed);
	sb_release(&types);
	sb_release(&colcons);
	sb_release(&modcons);
	return out;
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
		if (c.type == V_DICT && (p->state_flags[i] & STATE_CONTRACT)) {
			if (!p->state_breaking)
				p->state_breaking = arena_zalloc(&p->arena, p->nnodes * sizeof(char *));
			p->state_breaking[i] = breaking_changes(p, c, entry_of(old, uid));
		}
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
		ASSERT(at <= p->nnodes);  /* the index maps each unique_id to its node's index + 1 */
		if (at && status.type == V_STR)
			p->state_results[at - 1] = val_cstr(&p->arena, status);
	}
	map_release(&index);
	p->state_dir = arena_strdup(&p->arena, dir);
	return 0;
}
