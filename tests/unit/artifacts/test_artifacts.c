/*
 * Artifacts: builds a small project in memory (two models with a ref, a source, a generic test, a
 * seed, a disabled model, a macro and a doc block), writes manifest.json, run_results.json and
 * catalog.json into a temporary folder, reads them back with jansson and checks dbt's keys, nesting,
 * parent/child maps, run statuses and timing, catalog matching and secret scrubbing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapters/adapter.h"
#include "artifacts/art_internal.h"
#include "artifacts/artifacts.h"
#include "core/fs.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/sb.h"
#include "graph/graph.h"

#define SECRET "s3cr3t-Passw0rd"

enum { ORDERS, OLD, STG, COUNTRIES, SRC, TEST, NNODES };

struct fixture {
	struct project p;
	struct node nodes[NNODES];
	struct node *ptrs[NNODES];
	struct macro_def macro;
	struct macro_def *macros[1];
	struct package pkg;
	uint32_t orders_deps[3], stg_deps[1], test_deps[1], old_deps[1];
	struct ref_call orders_refs[2];
	struct source_call stg_sources[1];
	const char *orders_macros[2];
	char dir[64];
	struct diag_list dl;
};

static const char macro_text[] = "-- money helpers\n{% macro cents_to_dollars(col) -%}\n  ({{ col }} / 100)\n"
				 "{%- endmacro %}\n\n{% macro other() %}x{% endmacro %}\n";

static struct node *mknode(struct fixture *f, int i, enum node_type t, const char *id, const char *name,
			   const char *path)
{
	struct arena *a = &f->p.arena;
	struct node *n = &f->nodes[i];
	memset(n, 0, sizeof(*n));
	n->type = t;
	n->index = (uint32_t)i;
	n->unique_id = id;
	n->name = name;
	n->package = "jaffle";
	n->path = path;
	n->original_file_path = path ? arena_sprintf(a, "models/%s", path) : NULL;
	n->raw_code = "select 1";
	n->raw_len = 8;
	n->checksum = "abc123";
	n->language = "sql";
	n->fqn = val_list_new(a, 2);
	val_list_push(n->fqn, val_str("jaffle"));
	val_list_push(n->fqn, val_str(name));
	n->config = val_dict_new(a, 4);
	n->unrendered_config = val_dict_new(a, 0);
	n->description = "";
	n->columns = val_dict_new(a, 0);
	n->meta = val_dict_new(a, 0);
	n->tags = val_list_new(a, 0);
	n->docs = val_undef();
	n->enabled = true;
	n->test_metadata = val_none();
	n->attached_node = NODE_NONE;
	n->source_meta = val_none();
	n->freshness = val_dict_new(a, 0); /* a source with no freshness block: an empty threshold */
	n->database = "dev";
	n->schema = "main";
	n->alias = name;
	n->relation_name = arena_sprintf(a, "\"dev\".\"main\".\"%s\"", name);
	f->ptrs[i] = n;
	return n;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct project *p = &f->p;
	arena_init(&p->arena, 1 << 16);
	struct arena *a = &p->arena;
	diag_list_init(&f->dl);
	p->root = "/tmp/jaffle";
	p->name = "jaffle";
	p->invocation_id = "00000000-0000-4000-8000-000000000001";
	p->target.type = "duckdb";
	f->pkg = (struct package){"jaffle", "/tmp/jaffle", val_none(), true};
	p->packages = &f->pkg;
	p->npackages = 1;

	/* model.jaffle.orders: refs stg_orders (twice) and the seed; table, with a hook and a column */
	struct node *o = mknode(f, ORDERS, NODE_MODEL, "model.jaffle.orders", "orders", "orders.sql");
	val_dict_sets(o->config, "materialized", val_str("table"));
	val_dict_sets(o->config, "post_hook", val_str("grant select on {{ this }} to reporter"));
	val_dict_sets(o->config, "docs", val_undef());
	value col = val_dict_new(a, 2);
	val_dict_sets(col, "name", val_str("id"));
	val_dict_sets(col, "description", val_str("primary key"));
	val_dict_sets(o->columns, "id", col);
	o->description = "One row per order";
	o->patch_path = "jaffle://models/schema.yml";
	f->orders_refs[0] = (struct ref_call){NULL, "stg_orders", LOC_NONE, NULL, val_undef()};
	f->orders_refs[1] = (struct ref_call){"jaffle", "countries", LOC_NONE, NULL, val_undef()};
	o->refs = f->orders_refs;
	o->nrefs = 2;
	f->orders_deps[0] = STG;
	f->orders_deps[1] = COUNTRIES;
	f->orders_deps[2] = STG;
	o->deps = f->orders_deps;
	o->ndeps = 3;
	f->orders_macros[0] = "macro.jaffle.cents_to_dollars";
	f->orders_macros[1] = "macro.jaffle.cents_to_dollars";
	o->macros_used = f->orders_macros;
	o->nmacros_used = 2;
	o->compiled_code = (char *)"select * from \"dev\".\"main\".\"stg_orders\" -- " SECRET;
	o->compiled_path = "target/compiled/jaffle/models/orders.sql";

	/* a disabled model that depends on orders: never in nodes or the maps */
	struct node *old = mknode(f, OLD, NODE_MODEL, "model.jaffle.orders_old", "orders_old", "orders_old.sql");
	old->enabled = false;
	f->old_deps[0] = ORDERS;
	old->deps = f->old_deps;
	old->ndeps = 1;

	struct node *s = mknode(f, STG, NODE_MODEL, "model.jaffle.stg_orders", "stg_orders", "staging/stg_orders.sql");
	f->stg_sources[0] = (struct source_call){"raw", "orders", LOC_NONE};
	s->sources = f->stg_sources;
	s->nsources = 1;
	f->stg_deps[0] = SRC;
	s->deps = f->stg_deps;
	s->ndeps = 1;

	struct node *seed = mknode(f, COUNTRIES, NODE_SEED, "seed.jaffle.countries", "countries", "countries.csv");
	seed->original_file_path = "seeds/countries.csv";
	seed->raw_code = "code,name\nfr,France\n";
	seed->raw_len = strlen(seed->raw_code);

	struct node *src = mknode(f, SRC, NODE_SOURCE, "source.jaffle.raw.orders", "orders", "schema.yml");
	src->source_name = "raw";
	src->source_description = "The shop's database";
	src->loader = "fivetran";
	src->schema = "RAW";
	src->alias = "raw_orders";
	src->relation_name = "\"dev\".\"RAW\".\"raw_orders\"";
	src->raw_code = NULL;
	src->checksum = NULL;
	src->fqn = val_list_new(a, 3);
	val_list_push(src->fqn, val_str("jaffle"));
	val_list_push(src->fqn, val_str("raw"));
	val_list_push(src->fqn, val_str("orders"));

	struct node *t = mknode(f, TEST, NODE_TEST, "test.jaffle.not_null_orders_id.5f1c3a", "not_null_orders_id",
				"not_null_orders_id.sql");
	t->raw_code = "{{ test_not_null(**_dbt_generic_test_kwargs) }}";
	t->raw_len = strlen(t->raw_code);
	t->relation_name = NULL;
	t->schema = "main_dbt_test__audit";
	t->column_name = "id";
	t->test_metadata = val_dict_new(a, 3);
	val_dict_sets(t->test_metadata, "name", val_str("not_null"));
	value kw = val_dict_new(a, 2);
	val_dict_sets(kw, "column_name", val_str("id"));
	val_dict_sets(kw, "model", val_str("{{ get_where_subquery(ref('orders')) }}"));
	val_dict_sets(t->test_metadata, "kwargs", kw);
	val_dict_sets(t->test_metadata, "namespace", val_none());
	t->attached_node = ORDERS;
	f->test_deps[0] = ORDERS;
	t->deps = f->test_deps;
	t->ndeps = 1;

	p->nodes = f->ptrs;
	p->nnodes = NNODES;

	uint32_t file = diag_file_add("macros/money.sql", macro_text, sizeof(macro_text) - 1);
	struct macro_def *m = &f->macro;
	m->unique_id = "macro.jaffle.cents_to_dollars";
	m->name = "cents_to_dollars";
	m->package = "jaffle";
	m->path = "macros/money.sql";
	m->file = file;
	/* the location points at the macro's name, inside its opening tag */
	m->loc = (struct loc){file, (uint32_t)(strstr(macro_text, "cents_to_dollars") - macro_text), 16};
	m->description = "";
	m->arguments = val_list_new(a, 0);
	m->meta = val_dict_new(a, 0);
	f->macros[0] = m;
	p->macros = f->macros;
	p->nmacros = 1;

	p->docs_blocks = val_dict_new(a, 1);
	val_dict_sets(p->docs_blocks, "jaffle.orders_doc", val_str("All the **orders**."));

	snprintf(f->dir, sizeof(f->dir), "/tmp/sluice-art-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	log_add_secret(SECRET);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	/* SLUICE_TEST_KEEP=1 keeps the written files for inspection */
	if (getenv("SLUICE_TEST_KEEP"))
		print_message("kept %s\n", f->dir);
	else
		(void)fs_rm_rf(f->dir);
	diag_list_release(&f->dl);
	arena_release(&f->p.arena);
	free(f);
	return 0;
}

static struct art_invocation invocation(struct fixture *f)
{
	struct art_invocation inv = {"build", "11111111-2222-4333-8444-555555555555", "2024-05-01T10:00:00.000000Z",
				     val_dict_new(&f->p.arena, 4)};
	val_dict_sets(inv.args, "which", val_str("build"));
	val_dict_sets(inv.args, "password", val_str(SECRET));
	return inv;
}

/* Reads back a written file: its raw text (for order and secret checks) and its parsed JSON */
static json_t *load(struct fixture *f, const char *name, char **ptext)
{
	char *path = arena_sprintf(&f->p.arena, "%s/%s", f->dir, name);
	size_t len;
	char *text = fs_read(&f->p.arena, path, &len);
	assert_non_null(text);
	json_error_t err;
	json_t *j = json_loadb(text, len, 0, &err);
	if (!j)
		fail_msg("%s: %s at line %d", name, err.text, err.line);
	assert_null(strstr(text, SECRET));
	if (ptext)
		*ptext = text;
	return j;
}

static json_t *path_get(json_t *j, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok(buf, "/"); k && j; k = strtok(NULL, "/"))
		j = json_is_array(j) ? json_array_get(j, (size_t)atoi(k)) : json_object_get(j, k);
	if (!j)
		fail_msg("missing '%s'", path);
	return j;
}

static const char *sget(json_t *j, const char *path)
{
	json_t *v = path_get(j, path);
	if (!json_is_string(v))
		fail_msg("'%s' is not a string", path);
	return json_string_value(v);
}

static void assert_keys(json_t *obj, const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++)
		if (!json_object_get(obj, keys[i]))
			fail_msg("missing key '%s'", keys[i]);
}

/* Every key of obj appears in the text in the given order */
static void assert_order(const char *text, const char *const *keys)
{
	const char *at = text;
	for (size_t i = 0; keys[i]; i++) {
		char pat[96];
		snprintf(pat, sizeof(pat), "\"%s\": ", keys[i]);
		const char *hit = strstr(at, pat);
		if (!hit)
			fail_msg("key '%s' missing or out of order", keys[i]);
		at = hit + strlen(pat);
	}
}

static void assert_list(json_t *l, const char *const *want)
{
	size_t n = 0;
	while (want[n])
		n++;
	assert_true(json_is_array(l));
	assert_int_equal(json_array_size(l), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(json_string_value(json_array_get(l, i)), want[i]);
}

/* --- manifest ---------------------------------------------------------------------------- */

static void test_manifest_top_level(void **state)
{
	struct fixture *f = *state;
	struct art_invocation inv = invocation(f);
	char *path = arena_sprintf(&f->p.arena, "%s/target/manifest.json", f->dir);
	assert_int_equal(art_write_manifest(path, &f->p, NULL, &inv, &f->dl), 0);
	char *text;
	json_t *m = load(f, "target/manifest.json", &text);
	static const char *const top[] = {"metadata", "nodes", "sources", "macros", "docs", "exposures",
					  "metrics", "groups", "selectors", "disabled", "parent_map",
					  "child_map", "group_map", "saved_queries", "semantic_models",
					  "unit_tests", NULL};
	assert_int_equal(json_object_size(m), 16);
	assert_keys(m, top);
	const char *head = "{\"metadata\": {\"dbt_schema_version\": "
			   "\"https://schemas.getdbt.com/dbt/manifest/v12.json\", \"dbt_version\": \"1.9.8\", ";
	assert_int_equal(strncmp(text, head, strlen(head)), 0);
	assert_string_equal(sget(m, "metadata/invocation_id"), inv.invocation_id);
	assert_string_equal(sget(m, "metadata/generated_at"), "2024-05-01T10:00:00.000000Z");
	assert_string_equal(sget(m, "metadata/project_name"), "jaffle");
	char md5[33];
	md5_hex("jaffle", 6, md5);
	assert_string_equal(sget(m, "metadata/project_id"), md5);
	assert_string_equal(sget(m, "metadata/adapter_type"), "duckdb");
	assert_true(json_is_null(path_get(m, "metadata/user_id")));
	assert_true(json_is_false(path_get(m, "metadata/send_anonymous_usage_stats")));
	assert_true(json_is_object(path_get(m, "metadata/env")));

	/* sections hold the right ids */
	assert_int_equal(json_object_size(path_get(m, "nodes")), 4);
	assert_non_null(json_object_get(path_get(m, "nodes"), "model.jaffle.orders"));
	assert_non_null(json_object_get(path_get(m, "nodes"), "seed.jaffle.countries"));
	assert_non_null(json_object_get(path_get(m, "nodes"), "test.jaffle.not_null_orders_id.5f1c3a"));
	assert_null(json_object_get(path_get(m, "nodes"), "model.jaffle.orders_old"));
	assert_int_equal(json_object_size(path_get(m, "sources")), 1);
	json_t *dis = path_get(m, "disabled/model.jaffle.orders_old");
	assert_true(json_is_array(dis) && json_array_size(dis) == 1);
	assert_true(json_is_false(path_get(dis, "0/config/enabled")));
	/* compact, Python-like separators */
	assert_null(strstr(text, "\n"));
	json_decref(m);
	assert_int_equal(f->dl.nerrors, 0);
}

static void test_manifest_model(void **state)
{
	struct fixture *f = *state;
	struct art_invocation inv = invocation(f);
	char *path = arena_sprintf(&f->p.arena, "%s/manifest.json", f->dir);
	assert_int_equal(art_write_manifest(path, &f->p, NULL, &inv, &f->dl), 0);
	char *text;
	json_t *m = load(f, "manifest.json", &text);
	json_t *o = path_get(m, "nodes/model.jaffle.orders");
	static const char *const keys[] = {
		"database", "schema", "name", "resource_type", "package_name", "path", "original_file_path",
		"unique_id", "fqn", "alias", "checksum", "config", "tags", "description", "columns", "meta",
		"group", "docs", "patch_path", "build_path", "unrendered_config", "created_at", "relation_name",
		"raw_code", "language", "refs", "sources", "metrics", "depends_on", "compiled_path", "compiled",
		"compiled_code", "extra_ctes_injected", "extra_ctes", "contract", "access", "constraints",
		"version", "latest_version", "deprecation_date", NULL};
	assert_keys(o, keys);
	assert_order(strstr(text, "\"model.jaffle.orders\": {"), keys);
	assert_string_equal(sget(o, "resource_type"), "model");
	assert_string_equal(sget(o, "checksum/name"), "sha256");
	assert_string_equal(sget(o, "checksum/checksum"), "abc123");
	assert_string_equal(sget(o, "original_file_path"), "models/orders.sql");
	assert_string_equal(sget(o, "fqn/1"), "orders");
	assert_true(json_is_real(path_get(o, "created_at")));
	assert_string_equal(sget(o, "access"), "protected");
	assert_string_equal(sget(o, "relation_name"), "\"dev\".\"main\".\"orders\"");

	/* config: the node's own values over dbt's defaults, hooks as Hook dicts */
	json_t *c = path_get(o, "config");
	static const char *const cfg[] = {
		"enabled", "alias", "schema", "database", "tags", "meta", "group", "materialized",
		"incremental_strategy", "persist_docs", "post-hook", "pre-hook", "quoting", "column_types",
		"full_refresh", "unique_key", "on_schema_change", "on_configuration_change", "grants",
		"packages", "docs", "contract", "access", NULL};
	assert_keys(c, cfg);
	assert_string_equal(sget(c, "materialized"), "table");
	assert_string_equal(sget(c, "on_schema_change"), "ignore");
	assert_string_equal(sget(c, "on_configuration_change"), "apply");
	assert_null(json_object_get(c, "post_hook"));
	assert_string_equal(sget(c, "post-hook/0/sql"), "grant select on {{ this }} to reporter");
	assert_true(json_is_true(path_get(c, "post-hook/0/transaction")));
	assert_true(json_is_null(path_get(c, "post-hook/0/index")));
	assert_int_equal(json_array_size(path_get(c, "pre-hook")), 0);
	assert_true(json_is_true(path_get(c, "docs/show")));
	assert_true(json_is_false(path_get(c, "contract/enforced")));
	assert_true(json_is_true(path_get(c, "contract/alias_types")));
	assert_true(json_is_null(path_get(o, "contract/checksum")));

	/* columns get every ColumnInfo field */
	json_t *col = path_get(o, "columns/id");
	static const char *const ckeys[] = {"name", "description", "meta", "data_type", "constraints",
					    "quote", "tags", "granularity", NULL};
	assert_keys(col, ckeys);
	assert_string_equal(sget(col, "description"), "primary key");
	assert_true(json_is_null(path_get(col, "data_type")));

	/* refs, sources, depends_on (duplicates dropped, order kept) */
	assert_string_equal(sget(o, "refs/0/name"), "stg_orders");
	assert_true(json_is_null(path_get(o, "refs/0/package")));
	assert_true(json_is_null(path_get(o, "refs/0/version")));
	assert_string_equal(sget(o, "refs/1/package"), "jaffle");
	static const char *const deps[] = {"model.jaffle.stg_orders", "seed.jaffle.countries", NULL};
	assert_list(path_get(o, "depends_on/nodes"), deps);
	static const char *const mdeps[] = {"macro.jaffle.cents_to_dollars", NULL};
	assert_list(path_get(o, "depends_on/macros"), mdeps);
	assert_true(json_is_true(path_get(o, "compiled")));
	assert_non_null(strstr(sget(o, "compiled_code"), "*****"));

	/* an uncompiled model carries none of the compiled fields (dbt drops them) */
	json_t *s = path_get(m, "nodes/model.jaffle.stg_orders");
	assert_null(json_object_get(s, "compiled"));
	assert_null(json_object_get(s, "compiled_code"));
	assert_null(json_object_get(s, "extra_ctes"));
	assert_true(json_is_null(path_get(s, "compiled_path")));
	assert_string_equal(sget(s, "sources/0/0"), "raw");
	assert_string_equal(sget(s, "sources/0/1"), "orders");
	assert_string_equal(sget(s, "config/materialized"), "view");
	json_decref(m);
}

static void test_manifest_other_resources(void **state)
{
	struct fixture *f = *state;
	struct arena *a = &f->p.arena;
	value m = art_manifest_value(a, &f->p, NULL, NULL);
	struct sb out = SB_INIT;
	assert_int_equal(val_to_json(&out, m, 0, 0), 0);
	json_error_t err;
	json_t *j = json_loads(out.buf, 0, &err);
	assert_non_null(j);

	/* seed: SeedConfig, root_path, macro-only depends_on, no SQL fields */
	json_t *seed = path_get(j, "nodes/seed.jaffle.countries");
	assert_string_equal(sget(seed, "resource_type"), "seed");
	assert_string_equal(sget(seed, "config/materialized"), "seed");
	assert_string_equal(sget(seed, "config/delimiter"), ",");
	assert_string_equal(sget(seed, "root_path"), "/tmp/jaffle");
	assert_string_equal(sget(seed, "raw_code"), "");
	assert_true(json_is_array(path_get(seed, "depends_on/macros")));
	assert_null(json_object_get(path_get(seed, "depends_on"), "nodes"));
	assert_null(json_object_get(seed, "refs"));
	assert_null(json_object_get(seed, "language"));

	/* generic test */
	json_t *t = path_get(j, "nodes/test.jaffle.not_null_orders_id.5f1c3a");
	assert_string_equal(sget(t, "resource_type"), "test");
	assert_string_equal(sget(t, "test_metadata/name"), "not_null");
	assert_string_equal(sget(t, "test_metadata/kwargs/column_name"), "id");
	assert_true(json_is_null(path_get(t, "test_metadata/namespace")));
	assert_string_equal(sget(t, "column_name"), "id");
	assert_string_equal(sget(t, "file_key_name"), "models.orders");
	assert_string_equal(sget(t, "attached_node"), "model.jaffle.orders");
	assert_string_equal(sget(t, "config/materialized"), "test");
	assert_string_equal(sget(t, "config/severity"), "ERROR");
	assert_string_equal(sget(t, "config/schema"), "dbt_test__audit");
	assert_string_equal(sget(t, "config/fail_calc"), "count(*)");
	assert_string_equal(sget(t, "config/warn_if"), "!= 0");
	assert_true(json_is_null(path_get(t, "relation_name")));
	assert_null(json_object_get(path_get(t, "config"), "incremental_strategy"));

	/* source */
	json_t *s = path_get(j, "sources/source.jaffle.raw.orders");
	static const char *const skeys[] = {
		"database", "schema", "name", "resource_type", "package_name", "path", "original_file_path",
		"unique_id", "fqn", "source_name", "source_description", "loader", "identifier", "quoting",
		"loaded_at_field", "freshness", "external", "description", "columns", "meta", "source_meta",
		"tags", "config", "patch_path", "unrendered_config", "relation_name", "created_at", NULL};
	assert_keys(s, skeys);
	assert_order(strstr(out.buf, "\"source.jaffle.raw.orders\": {"), skeys);
	assert_string_equal(sget(s, "resource_type"), "source");
	assert_string_equal(sget(s, "identifier"), "raw_orders");
	assert_string_equal(sget(s, "loader"), "fivetran");
	assert_true(json_is_true(path_get(s, "config/enabled")));
	assert_true(json_is_null(path_get(s, "freshness/warn_after/count")));
	assert_true(json_is_null(path_get(s, "quoting/identifier")));
	assert_true(json_is_null(path_get(s, "external")));
	assert_int_equal(json_array_size(path_get(s, "fqn")), 3);

	/* macro, with its definition cut from the file */
	json_t *mac = path_get(j, "macros/macro.jaffle.cents_to_dollars");
	static const char *const mkeys[] = {"unique_id", "name", "package_name", "path", "original_file_path",
					    "macro_sql", "depends_on", "description", "meta", "docs",
					    "patch_path", "arguments", "created_at", "supported_languages",
					    "resource_type", NULL};
	assert_keys(mac, mkeys);
	assert_string_equal(sget(mac, "macro_sql"),
			    "{% macro cents_to_dollars(col) -%}\n  ({{ col }} / 100)\n{%- endmacro %}");
	assert_string_equal(sget(mac, "resource_type"), "macro");
	assert_true(json_is_null(path_get(mac, "docs/node_color")));

	/* docs: the project's block and dbt's overview */
	json_t *d = path_get(j, "docs/doc.jaffle.orders_doc");
	assert_string_equal(sget(d, "block_contents"), "All the **orders**.");
	assert_string_equal(sget(d, "name"), "orders_doc");
	assert_string_equal(sget(d, "package_name"), "jaffle");
	assert_string_equal(sget(d, "resource_type"), "doc");
	assert_non_null(json_object_get(path_get(j, "docs"), "doc.dbt.__overview__"));

	/* a node on its own, as the Jinja graph sees it */
	value one = art_node_value(a, &f->p, &f->nodes[STG]);
	assert_true(val_streq(val_dict_gets(one, "unique_id"), "model.jaffle.stg_orders"));
	json_decref(j);
	sb_release(&out);
}

static void check_maps(json_t *m)
{
	json_t *pm = path_get(m, "parent_map"), *cm = path_get(m, "child_map");
	assert_int_equal(json_object_size(pm), 5);
	assert_int_equal(json_object_size(cm), 5);
	assert_null(json_object_get(pm, "model.jaffle.orders_old"));
	static const char *const p_orders[] = {"model.jaffle.stg_orders", "seed.jaffle.countries", NULL};
	assert_list(path_get(pm, "model.jaffle.orders"), p_orders);
	static const char *const p_stg[] = {"source.jaffle.raw.orders", NULL};
	assert_list(path_get(pm, "model.jaffle.stg_orders"), p_stg);
	static const char *const none[] = {NULL};
	assert_list(path_get(pm, "source.jaffle.raw.orders"), none);
	assert_list(path_get(pm, "seed.jaffle.countries"), none);
	static const char *const p_test[] = {"model.jaffle.orders", NULL};
	assert_list(path_get(pm, "test.jaffle.not_null_orders_id.5f1c3a"), p_test);

	static const char *const c_orders[] = {"test.jaffle.not_null_orders_id.5f1c3a", NULL};
	assert_list(path_get(cm, "model.jaffle.orders"), c_orders);
	static const char *const c_stg[] = {"model.jaffle.orders", NULL};
	assert_list(path_get(cm, "model.jaffle.stg_orders"), c_stg);
	assert_list(path_get(cm, "seed.jaffle.countries"), c_stg);
	static const char *const c_src[] = {"model.jaffle.stg_orders", NULL};
	assert_list(path_get(cm, "source.jaffle.raw.orders"), c_src);
	assert_list(path_get(cm, "test.jaffle.not_null_orders_id.5f1c3a"), none);
}

static void test_manifest_maps(void **state)
{
	struct fixture *f = *state;
	char *path = arena_sprintf(&f->p.arena, "%s/m1.json", f->dir);
	assert_int_equal(art_write_manifest(path, &f->p, NULL, NULL, &f->dl), 0);
	json_t *m = load(f, "m1.json", NULL);
	check_maps(m);
	json_decref(m);

	/* the same from a graph's CSR arrays (with a duplicate edge and the disabled node's edge) */
	static uint32_t par_off[NNODES + 1] = {0, 3, 4, 5, 5, 5, 6};
	static uint32_t par[] = {STG, COUNTRIES, STG, ORDERS, SRC, ORDERS};
	static uint32_t chi_off[NNODES + 1] = {0, 2, 2, 3, 4, 5, 5};
	static uint32_t chi[] = {TEST, OLD, ORDERS, ORDERS, STG};
	struct graph g = {NNODES, par_off, par, chi_off, chi, NULL};
	path = arena_sprintf(&f->p.arena, "%s/m2.json", f->dir);
	assert_int_equal(art_write_manifest(path, &f->p, &g, NULL, &f->dl), 0);
	m = load(f, "m2.json", NULL);
	check_maps(m);
	json_decref(m);
}

/* Snapshots, analyses, operations, singular tests and exposures get their own dbt shapes */
static void test_manifest_every_type(void **state)
{
	struct fixture *f = *state;
	struct arena *a = &f->p.arena;
	struct node *extra[5];
	static const struct {
		enum node_type t;
		const char *id, *name;
	} kinds[] = {
		{NODE_SNAPSHOT, "snapshot.jaffle.orders_snap", "orders_snap"},
		{NODE_ANALYSIS, "analysis.jaffle.revenue", "revenue"},
		{NODE_OPERATION, "operation.jaffle.jaffle-on-run-end-0", "jaffle-on-run-end-0"},
		{NODE_TEST, "test.jaffle.assert_positive", "assert_positive"},
		{NODE_EXPOSURE, "exposure.jaffle.dashboard", "dashboard"},
	};
	struct node **all = ARENA_ARRAY(a, struct node *, NNODES + 5);
	memcpy(all, f->ptrs, sizeof(f->ptrs));
	for (int i = 0; i < 5; i++) {
		struct node *n = ARENA_NEW(a, struct node);
		*n = f->nodes[STG];
		n->type = kinds[i].t;
		n->index = NNODES + (uint32_t)i;
		n->unique_id = kinds[i].id;
		n->name = kinds[i].name;
		n->config = val_dict_new(a, 4);
		n->sources = NULL;
		n->nsources = 0;
		n->deps = f->test_deps; /* orders */
		n->ndeps = 1;
		extra[i] = n;
		all[NNODES + i] = n;
	}
	val_dict_sets(extra[0]->config, "strategy", val_str("timestamp"));
	val_dict_sets(extra[0]->config, "unique_key", val_str("id"));
	val_dict_sets(extra[0]->config, "updated_at", val_str("updated_at"));
	value owner = val_dict_new(a, 1);
	val_dict_sets(owner, "email", val_str("data@example.com"));
	val_dict_sets(extra[4]->config, "owner", owner);
	val_dict_sets(extra[4]->config, "type", val_str("dashboard"));
	extra[4]->relation_name = NULL;
	f->p.nodes = all;
	f->p.nnodes = NNODES + 5;

	char *path = arena_sprintf(a, "%s/every.json", f->dir);
	assert_int_equal(art_write_manifest(path, &f->p, NULL, NULL, &f->dl), 0);
	json_t *m = load(f, "every.json", NULL);
	json_t *snap = path_get(m, "nodes/snapshot.jaffle.orders_snap");
	assert_string_equal(sget(snap, "resource_type"), "snapshot");
	assert_string_equal(sget(snap, "config/materialized"), "snapshot");
	assert_string_equal(sget(snap, "config/strategy"), "timestamp");
	assert_string_equal(sget(snap, "config/unique_key"), "id");
	assert_true(json_is_object(path_get(snap, "config/snapshot_meta_column_names")));
	assert_string_equal(sget(m, "nodes/analysis.jaffle.revenue/resource_type"), "analysis");
	json_t *op = path_get(m, "nodes/operation.jaffle.jaffle-on-run-end-0");
	assert_string_equal(sget(op, "resource_type"), "operation");
	/* a hook's index is the end of its name (dbt's HookNode.index) */
	assert_int_equal(json_integer_value(path_get(op, "index")), 0);
	json_t *st = path_get(m, "nodes/test.jaffle.assert_positive");
	assert_null(json_object_get(st, "test_metadata"));
	assert_null(json_object_get(st, "attached_node"));
	json_t *ex = path_get(m, "exposures/exposure.jaffle.dashboard");
	assert_string_equal(sget(ex, "resource_type"), "exposure");
	assert_string_equal(sget(ex, "type"), "dashboard");
	assert_string_equal(sget(ex, "owner/email"), "data@example.com");
	assert_true(json_is_null(path_get(ex, "owner/name")));
	assert_string_equal(sget(ex, "depends_on/nodes/0"), "model.jaffle.orders");
	assert_null(json_object_get(path_get(m, "nodes"), "exposure.jaffle.dashboard"));
	/* exposures are children in the maps, after nodes and sources */
	static const char *const kids[] = {"analysis.jaffle.revenue", "exposure.jaffle.dashboard",
					   "operation.jaffle.jaffle-on-run-end-0", "snapshot.jaffle.orders_snap",
					   "test.jaffle.assert_positive", "test.jaffle.not_null_orders_id.5f1c3a", NULL};
	assert_list(path_get(m, "child_map/model.jaffle.orders"), kids);
	assert_int_equal(json_object_size(path_get(m, "parent_map")), NNODES - 1 + 5);
	json_decref(m);
}

/* --- run_results ------------------------------------------------------------------------- */

static void test_run_results(void **state)
{
	struct fixture *f = *state;
	struct art_invocation inv = invocation(f);
	double t0 = 1714557600.25; /* 2024-05-01T10:00:00.250000Z */
	struct run_result rr[] = {
		{COUNTRIES, RUN_SUCCESS, "INSERT 2", 0, t0, t0 + 0.1, t0 + 0.1, t0 + 0.5, 0.5, -1, 2, "INSERT 2", NULL, NULL, NULL, NULL, 0, 0},
		{ORDERS, RUN_ERROR, "Database Error in model orders: " SECRET, 1, t0, t0 + 0.2, t0 + 0.2, t0 + 0.3, 0.3,
		 -1, -1, NULL, "select 1 -- " SECRET, NULL, NULL, NULL, 0, 0},
		{TEST, RUN_SKIPPED, "SKIP", 0, 0, 0, 0, 0, 0, -1, -1, NULL, NULL, NULL, NULL, NULL, 0, 0},
		{STG, RUN_SUCCESS, "OK", 1, t0, t0 + 0.01, t0 + 0.01, t0 + 0.02, 0.02, -1, 5, "SELECT 5", "select 2",
		 "\"dev\".\"main\".\"stg_orders\"", NULL, NULL, 0, 0},
	};
	char *path = arena_sprintf(&f->p.arena, "%s/target/run_results.json", f->dir);
	assert_int_equal(art_write_run_results(path, &f->p, rr, 4, 1.5, &inv, &f->dl), 0);
	char *text;
	json_t *j = load(f, "target/run_results.json", &text);
	static const char *const top[] = {"metadata", "results", "elapsed_time", "args", NULL};
	assert_order(text, top);
	assert_string_equal(sget(j, "metadata/dbt_schema_version"),
			    "https://schemas.getdbt.com/dbt/run-results/v6.json");
	assert_string_equal(sget(j, "metadata/dbt_version"), "1.9.8");
	assert_string_equal(sget(j, "metadata/invocation_id"), inv.invocation_id);
	assert_true(json_is_object(path_get(j, "metadata/env")));
	assert_true(json_real_value(path_get(j, "elapsed_time")) == 1.5);
	assert_string_equal(sget(j, "args/which"), "build");
	assert_string_equal(sget(j, "args/password"), "*****");

	json_t *res = path_get(j, "results");
	assert_int_equal(json_array_size(res), 4);
	static const char *const rkeys[] = {"status", "timing", "thread_id", "execution_time", "adapter_response",
					    "message", "failures", "unique_id", "compiled", "compiled_code",
					    "relation_name", NULL};
	assert_order(strstr(text, "\"results\": ["), rkeys);

	json_t *seed = json_array_get(res, 0);
	assert_string_equal(sget(seed, "status"), "success");
	assert_string_equal(sget(seed, "unique_id"), "seed.jaffle.countries");
	assert_string_equal(sget(seed, "thread_id"), "Thread-1 (worker)");
	assert_string_equal(sget(seed, "timing/0/name"), "compile");
	assert_string_equal(sget(seed, "timing/0/started_at"), "2024-05-01T10:00:00.250000Z");
	assert_string_equal(sget(seed, "timing/0/completed_at"), "2024-05-01T10:00:00.350000Z");
	assert_string_equal(sget(seed, "timing/1/name"), "execute");
	assert_string_equal(sget(seed, "timing/1/completed_at"), "2024-05-01T10:00:00.750000Z");
	assert_string_equal(sget(seed, "adapter_response/_message"), "INSERT 2");
	assert_string_equal(sget(seed, "adapter_response/code"), "INSERT");
	assert_int_equal(json_integer_value(path_get(seed, "adapter_response/rows_affected")), 2);
	assert_true(json_is_null(path_get(seed, "failures")));
	assert_true(json_is_null(path_get(seed, "compiled")));
	assert_true(json_is_null(path_get(seed, "relation_name")));

	json_t *err = json_array_get(res, 1);
	assert_string_equal(sget(err, "status"), "error");
	assert_string_equal(sget(err, "thread_id"), "Thread-2 (worker)");
	assert_string_equal(sget(err, "message"), "Database Error in model orders: *****");
	assert_int_equal(json_object_size(path_get(err, "adapter_response")), 0);
	assert_true(json_is_true(path_get(err, "compiled")));
	assert_string_equal(sget(err, "relation_name"), "\"dev\".\"main\".\"orders\"");

	json_t *skip = json_array_get(res, 2);
	assert_string_equal(sget(skip, "status"), "skipped");
	assert_int_equal(json_array_size(path_get(skip, "timing")), 0);
	assert_true(json_is_false(path_get(skip, "compiled")));
	assert_true(json_is_null(path_get(skip, "compiled_code")));
	assert_true(json_is_null(path_get(skip, "relation_name")));

	json_t *ok = json_array_get(res, 3);
	assert_string_equal(sget(ok, "compiled_code"), "select 2");
	assert_int_equal(json_integer_value(path_get(ok, "adapter_response/rows_affected")), 5);
	json_decref(j);

	/* a test result with failures */
	struct run_result tr = {TEST, RUN_FAIL, "Got 3 results, configured to fail if != 0", 0, t0, t0, t0, t0 + 1,
				1.0, 3, -1, NULL, "select * from x where id is null", NULL, NULL, NULL, 0, 0};
	path = arena_sprintf(&f->p.arena, "%s/rr2.json", f->dir);
	assert_int_equal(art_write_run_results(path, &f->p, &tr, 1, 1.0, NULL, &f->dl), 0);
	j = load(f, "rr2.json", NULL);
	assert_string_equal(sget(j, "results/0/status"), "fail");
	assert_int_equal(json_integer_value(path_get(j, "results/0/failures")), 3);
	assert_true(json_is_null(path_get(j, "results/0/relation_name")));

	/* DuckDB's response is dbt-duckdb's AdapterResponse(_message="OK"): no code, no row count */
	struct run_result dr = {STG, RUN_SUCCESS, "OK", 0, t0, t0, t0, t0 + 1, 1.0, -1, ADAPTER_MESSAGE_ONLY, "OK",
				"select 2", NULL, NULL, NULL, 0, 0};
	path = arena_sprintf(&f->p.arena, "%s/rr3.json", f->dir);
	assert_int_equal(art_write_run_results(path, &f->p, &dr, 1, 1.0, NULL, &f->dl), 0);
	json_t *dj = load(f, "rr3.json", NULL);
	assert_int_equal(json_object_size(path_get(dj, "results/0/adapter_response")), 1);
	assert_string_equal(sget(dj, "results/0/adapter_response/_message"), "OK");
	json_decref(dj);

	/* a microbatch model that partly succeeded: its batches as dbt's BatchResults writes them */
	int64_t batches[] = {1704067200, 1704153600, 1704240000, 1704326400, 1704153600, 1704240000};
	struct run_result mr = {STG, RUN_PARTIAL, "PARTIAL SUCCESS (2/3)", 0, t0, t0, t0, t0 + 1, 1.0, -1, -1, NULL,
				"select 2", NULL, NULL, batches, 2, 1};
	path = arena_sprintf(&f->p.arena, "%s/rr4.json", f->dir);
	assert_int_equal(art_write_run_results(path, &f->p, &mr, 1, 1.0, NULL, &f->dl), 0);
	json_t *mj = load(f, "rr4.json", NULL);
	assert_string_equal(sget(mj, "results/0/status"), "partial success");
	assert_string_equal(sget(mj, "results/0/batch_results/successful/1/0"), "2024-01-03T00:00:00+00:00");
	assert_string_equal(sget(mj, "results/0/batch_results/failed/0/1"), "2024-01-03T00:00:00+00:00");
	assert_int_equal(json_array_size(path_get(mj, "results/0/batch_results/failed")), 1);
	assert_true(json_is_null(path_get(j, "results/0/batch_results")));
	json_decref(mj);
	assert_int_equal(json_object_size(path_get(j, "args")), 0);
	json_decref(j);
}

/* --- catalog ----------------------------------------------------------------------------- */

static void test_catalog(void **state)
{
	struct fixture *f = *state;
	struct art_invocation inv = invocation(f);
	struct adapter_column ocols[] = {{"id", "INTEGER", NULL}, {"amount", "DECIMAL(18,3)", "in cents"}};
	struct adapter_column scols[] = {{"ID", "INTEGER", NULL}};
	value stats = val_dict_new(&f->p.arena, 1);
	value rows = val_dict_new(&f->p.arena, 5);
	val_dict_sets(rows, "id", val_str("row_count"));
	val_dict_sets(rows, "label", val_str("Row Count"));
	val_dict_sets(rows, "value", val_int(42));
	val_dict_sets(rows, "include", val_bool(true));
	val_dict_sets(rows, "description", val_str("rows"));
	val_dict_sets(stats, "row_count", rows);
	struct adapter_catalog_table tables[] = {
		/* case differs from the node's relation: still matches */
		{{"DEV", "Main", "ORDERS", REL_TABLE}, "me", "the orders", 2, ocols, stats},
		{{"dev", "main", "stg_orders", REL_VIEW}, NULL, NULL, 1, scols, val_none()},
		{{"dev", "raw", "raw_orders", REL_TABLE}, NULL, NULL, 1, scols, val_none()},
		{{"dev", "main", "unrelated", REL_TABLE}, NULL, NULL, 0, NULL, val_none()},
		{{"other", "main", "countries", REL_TABLE}, NULL, NULL, 0, NULL, val_none()},
	};
	char *path = arena_sprintf(&f->p.arena, "%s/target/catalog.json", f->dir);
	assert_int_equal(art_write_catalog(path, &f->p, tables, 5, &inv, &f->dl), 0);
	char *text;
	json_t *j = load(f, "target/catalog.json", &text);
	static const char *const top[] = {"metadata", "nodes", "sources", "errors", NULL};
	assert_order(text, top);
	assert_string_equal(sget(j, "metadata/dbt_schema_version"), "https://schemas.getdbt.com/dbt/catalog/v1.json");
	assert_true(json_is_null(path_get(j, "errors")));

	json_t *nodes = path_get(j, "nodes");
	/* orders and stg_orders; not the seed (other database), not the test, not the disabled model */
	assert_int_equal(json_object_size(nodes), 2);
	json_t *o = path_get(nodes, "model.jaffle.orders");
	static const char *const okeys[] = {"metadata", "columns", "stats", "unique_id", NULL};
	assert_keys(o, okeys);
	assert_string_equal(sget(o, "metadata/type"), "BASE TABLE");
	assert_string_equal(sget(o, "metadata/name"), "ORDERS");
	assert_string_equal(sget(o, "metadata/schema"), "Main");
	assert_string_equal(sget(o, "metadata/database"), "DEV");
	assert_string_equal(sget(o, "metadata/comment"), "the orders");
	assert_string_equal(sget(o, "metadata/owner"), "me");
	assert_string_equal(sget(o, "unique_id"), "model.jaffle.orders");
	assert_int_equal(json_integer_value(path_get(o, "columns/id/index")), 1);
	assert_int_equal(json_integer_value(path_get(o, "columns/amount/index")), 2);
	assert_string_equal(sget(o, "columns/amount/type"), "DECIMAL(18,3)");
	assert_string_equal(sget(o, "columns/amount/comment"), "in cents");
	assert_true(json_is_null(path_get(o, "columns/id/comment")));
	assert_int_equal(json_integer_value(path_get(o, "stats/row_count/value")), 42);
	assert_true(json_is_true(path_get(o, "stats/has_stats/value")));

	json_t *v = path_get(nodes, "model.jaffle.stg_orders");
	assert_string_equal(sget(v, "metadata/type"), "VIEW");
	assert_true(json_is_null(path_get(v, "metadata/owner")));
	assert_string_equal(sget(v, "stats/has_stats/id"), "has_stats");
	assert_string_equal(sget(v, "stats/has_stats/label"), "Has Stats?");
	assert_true(json_is_false(path_get(v, "stats/has_stats/value")));
	assert_true(json_is_false(path_get(v, "stats/has_stats/include")));
	assert_string_equal(sget(v, "stats/has_stats/description"),
			    "Indicates whether there are statistics for this table");

	json_t *s = path_get(j, "sources");
	assert_int_equal(json_object_size(s), 1);
	assert_string_equal(sget(s, "source.jaffle.raw.orders/metadata/name"), "raw_orders");
	json_decref(j);

	/* no tables: empty sections */
	path = arena_sprintf(&f->p.arena, "%s/c2.json", f->dir);
	assert_int_equal(art_write_catalog(path, &f->p, NULL, 0, NULL, &f->dl), 0);
	j = load(f, "c2.json", NULL);
	assert_int_equal(json_object_size(path_get(j, "nodes")), 0);
	assert_int_equal(json_object_size(path_get(j, "sources")), 0);
	json_decref(j);
}

/* --- helpers and failures ---------------------------------------------------------------- */

static void test_iso_time(void **state)
{
	(void)state;
	static const struct {
		double t;
		const char *want;
	} cases[] = {
		{0, "1970-01-01T00:00:00.000000Z"},
		{1714557600.25, "2024-05-01T10:00:00.250000Z"},
		{1714557600.9999996, "2024-05-01T10:00:01.000000Z"},
		{951782400.000001, "2000-02-29T00:00:00.000001Z"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[32];
		art_iso_time(cases[i].t, buf);
		assert_string_equal(buf, cases[i].want);
	}
}

static void test_write_error(void **state)
{
	struct fixture *f = *state;
	struct diag_list dl;
	diag_list_init(&dl);
	/* a regular file where a folder should be */
	char *file = arena_sprintf(&f->p.arena, "%s/plain", f->dir);
	assert_int_equal(fs_write(file, "x", 1), 0);
	char *path = arena_sprintf(&f->p.arena, "%s/plain/manifest.json", f->dir);
	assert_int_equal(art_write_manifest(path, &f->p, NULL, NULL, &dl), -1);
	assert_int_equal(dl.nerrors, 1);
	assert_non_null(strstr(dl.head->msg, "unable to write"));
	assert_non_null(strstr(dl.head->msg, "plain/manifest.json"));
	diag_list_release(&dl);
}

/* The Jinja `graph` of a big project: linear, fast, every node and edge present */
static void test_manifest_scale(void **state)
{
	(void)state;
	enum { N = 10000 };
	struct project p;
	memset(&p, 0, sizeof(p));
	arena_init(&p.arena, 1 << 20);
	struct arena *a = &p.arena;
	p.name = "big";
	p.root = "/tmp/big";
	p.docs_blocks = val_none();
	p.nodes = ARENA_ARRAY(a, struct node *, N);
	p.nnodes = N;
	for (uint32_t i = 0; i < N; i++) {
		struct node *n = ARENA_NEW(a, struct node);
		n->type = NODE_MODEL;
		n->index = i;
		n->name = arena_sprintf(a, "m%05u", i);
		n->unique_id = arena_sprintf(a, "model.big.%s", n->name);
		n->package = "big";
		n->path = arena_sprintf(a, "%s.sql", n->name);
		n->original_file_path = arena_sprintf(a, "models/%s", n->path);
		n->raw_code = "select 1";
		n->config = val_dict_new(a, 0);
		n->fqn = val_none();
		n->enabled = true;
		n->test_metadata = val_none();
		n->attached_node = NODE_NONE;
		/* each model depends on the two before it */
		n->ndeps = i < 2 ? i : 2;
		n->deps = ARENA_ARRAY(a, uint32_t, 2);
		for (uint32_t k = 0; k < n->ndeps; k++)
			n->deps[k] = i - 1 - k;
		p.nodes[i] = n;
	}
	/* the last model refs 40 models, each twice: depends_on lists each once, in first-seen order */
	struct node *last = p.nodes[N - 1];
	last->ndeps = 80;
	last->deps = ARENA_ARRAY(a, uint32_t, 80);
	for (uint32_t k = 0; k < 80; k++)
		last->deps[k] = k < 40 ? 100 + (k * 7) % 40 : 100 + ((k - 40) * 7) % 40;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct arena out;
	arena_init(&out, 1 << 20);
	value m = art_manifest_value(&out, &p, NULL, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("manifest value of %d nodes: %.3f s, %.1f MB\n", N, secs, (double)out.total / 1e6);
	assert_true(secs < 5.0);
	value nodes = val_dict_gets(m, "nodes");
	assert_int_equal(nodes.d->len, N);
	value cm = val_dict_gets(m, "child_map");
	value kids = val_dict_gets(cm, "model.big.m00500");
	assert_int_equal(val_len(kids), 2);
	assert_true(val_streq(val_at(kids, 0), "model.big.m00501"));
	assert_true(val_streq(val_at(kids, 1), "model.big.m00502"));
	value parents = val_dict_gets(val_dict_gets(m, "parent_map"), "model.big.m00000");
	assert_int_equal(val_len(parents), 0);
	value many = val_dict_gets(val_dict_gets(val_dict_gets(nodes, "model.big.m09999"), "depends_on"), "nodes");
	assert_int_equal(val_len(many), 40);
	assert_true(val_streq(val_at(many, 0), "model.big.m00100"));
	assert_true(val_streq(val_at(many, 1), "model.big.m00107"));
	assert_int_equal(val_len(val_dict_gets(val_dict_gets(m, "parent_map"), "model.big.m09999")), 40);
	arena_release(&out);
	arena_release(&p.arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_manifest_top_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_other_resources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_maps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_every_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_results, setup, teardown),
		cmocka_unit_test_setup_teardown(test_catalog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
		cmocka_unit_test(test_iso_time),
		cmocka_unit_test(test_manifest_scale),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	log_close();
	diag_files_release();
	return rc;
}
