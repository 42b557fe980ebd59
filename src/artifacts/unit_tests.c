/*
 * The manifest's `unit_tests` section: one UnitTestDefinition (manifest v12) per unit test node,
 * its fixtures as written in the properties file (rows as mappings, or CSV/SQL text).
 */
#include "artifacts/art_internal.h"

/* Whether no value of a row is null */
static bool full_row(value row)
{
	for (uint32_t i = 0; row.type == V_DICT && i < row.d->len; i++)
		if (row.d->e[i].val.type == V_NONE)
			return false;
	return row.type == V_DICT;
}

/*
 * The rows as dbt keeps them once it has read them (UnitTestParser._validate_and_normalize_rows):
 * a fixture file's rows are the file's (CSV as mappings, SQL as text), so a changed file is a
 * changed unit test for state:modified; rows given as mappings or CSV have their first row
 * without nulls swapped to the top. Rows written in the properties file otherwise stay as written.
 */
static value fixture_rows(struct arena *a, value fx, value def)
{
	value rows = val_dict_gets(def, "rows");
	if (val_dict_gets(def, "fixture").type == V_STR)
		rows = val_dict_gets(fx, "rows");
	if (rows.type != V_LIST || val_streq(val_dict_gets(fx, "format"), "sql"))
		return rows.type == V_UNDEF ? val_none() : rows;
	uint32_t first = 0;
	while (first < rows.l->len && !full_row(rows.l->items[first]))
		first++;
	if (first == 0 || first == rows.l->len)
		return rows;
	value out = val_list_new(a, rows.l->len);
	for (uint32_t i = 0; i < rows.l->len; i++)
		val_list_push(out, rows.l->items[i == 0 ? first : i == first ? 0 : i]);
	return out;
}

static value fixture_value(struct arena *a, value fx, bool input)
{
	value def = val_dict_gets(fx, "def");
	value d = val_dict_new(a, 4);
	if (input)
		val_dict_sets(d, "input", val_dict_gets(fx, "input"));
	val_dict_sets(d, "rows", fixture_rows(a, fx, def));
	val_dict_sets(d, "format", val_dict_gets(fx, "format"));
	value f = val_dict_gets(def, "fixture");
	val_dict_sets(d, "fixture", f.type == V_STR ? f : val_none());
	return d;
}

value art_unit_test_value(struct arena *a, struct project *p, const struct node *n)
{
	value def = n->unit_test;
	value d = val_dict_new(a, 20);
	val_dict_sets(d, "model", val_dict_gets(def, "model"));
	value given = val_dict_gets(def, "given"), gl = val_list_new(a, given.l->len);
	for (uint32_t i = 0; i < given.l->len; i++)
		val_list_push(gl, fixture_value(a, given.l->items[i], true));
	val_dict_sets(d, "given", gl);
	val_dict_sets(d, "expect", fixture_value(a, val_dict_gets(def, "expect"), false));
	val_dict_sets(d, "name", val_str(n->name));
	val_dict_sets(d, "resource_type", val_str("unit_test"));
	val_dict_sets(d, "package_name", val_str(n->package));
	val_dict_sets(d, "path", art_str(n->path));
	val_dict_sets(d, "original_file_path", art_str(n->original_file_path));
	val_dict_sets(d, "unique_id", val_str(n->unique_id));
	val_dict_sets(d, "fqn", n->fqn);
	val_dict_sets(d, "description", art_str_or(n->description, ""));
	value entry = val_dict_gets(def, "entry");
	val_dict_sets(d, "overrides", val_dict_gets(entry, "overrides").type == V_DICT ? val_dict_gets(def, "overrides")
										    : val_none());
	value dep = val_dict_new(a, 2), nodes = val_list_new(a, 1);
	if (n->attached_node < p->nnodes)
		val_list_push(nodes, val_str(p->nodes[n->attached_node]->unique_id));
	val_dict_sets(dep, "macros", val_list_new(a, 0));
	val_dict_sets(dep, "nodes", nodes);
	val_dict_sets(d, "depends_on", dep);
	value cfg = val_dict_new(a, 3);
	val_dict_sets(cfg, "tags", n->tags);
	val_dict_sets(cfg, "meta", n->meta);
	val_dict_sets(cfg, "enabled", val_bool(true));
	val_dict_sets(d, "config", cfg);
	val_dict_sets(d, "checksum", val_none());
	const struct node *m = n->attached_node < p->nnodes ? p->nodes[n->attached_node] : NULL;
	val_dict_sets(d, "schema", m ? art_str(m->schema) : val_none());
	val_dict_sets(d, "created_at", val_float(art_now()));
	value want = val_dict_gets(val_dict_gets(n->unit_test, "entry"), "versions");
	val_dict_sets(d, "versions", want.type == V_DICT ? want : val_none());
	val_dict_sets(d, "version", n->version.type == V_UNDEF ? val_none() : n->version);
	return d;
}

value art_unit_tests(struct arena *a, struct project *p)
{
	value out = val_dict_new(a, 4);
	for (size_t i = 0; i < p->nnodes; i++)
		if (p->nodes[i]->type == NODE_UNIT_TEST)
			val_dict_set(out, val_str(p->nodes[i]->unique_id), art_unit_test_value(a, p, p->nodes[i]));
	return out;
}
