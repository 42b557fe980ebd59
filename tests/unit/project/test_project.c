/*
 * The project loader on real files in a temporary folder: config precedence (dbt_project.yml
 * hierarchy < properties file < config()), accumulating tags, vars, profiles and targets, test
 * names and ids as dbt makes them, relation names, and typed YAML access with locations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/sb.h"
#include "dbt/context.h"
#include "project/load_internal.h"
#include "project/project.h"
#include "project/yml.h"

static char root[256];

static void put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(fs_write(path, text, strlen(text)), 0);
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/sluice-unit-project.XXXXXX");
	assert_non_null(mkdtemp(root));
	setenv("SLUICE_MACROS_DIR", SLUICE_SOURCE_MACROS, 1);
	setenv("HOME", root, 1);
	unsetenv("DBT_PROFILES_DIR");
	put("dbt_project.yml",
	    "name: shop\n"
	    "profile: shop\n"
	    "vars:\n  v1: one\n  shop:\n    v2: scoped\n"
	    "models:\n"
	    "  shop:\n"
	    "    +materialized: table\n"
	    "    +tags: [base]\n"
	    "    staging:\n"
	    "      materialized: view\n"
	    "      +tags: stg\n"
	    "      special:\n        +schema: custom\n");
	put("profiles.yml",
	    "shop:\n  target: dev\n  outputs:\n"
	    "    dev:\n      type: duckdb\n      path: \"{{ env_var('UNIT_DB', 'x') }}.duckdb\"\n      threads: 3\n"
	    "    prod:\n      type: duckdb\n      path: prod.duckdb\n      schema: analytics\n      password: hunter2secret\n");
	put("models/staging/a.sql", "select 1 as id");
	put("models/staging/special/b.sql", "{{ config(tags=['own'], alias='bee') }} select * from {{ ref('a') }}");
	put("models/marts/c.sql", "{{ config(materialized='incremental') }} select * from {{ ref('b') }} where '{{ var('v1') }}{{ var('v2') }}' <> ''");
	put("models/marts/schema.yml",
	    "version: 2\n"
	    "models:\n"
	    "  - name: c\n"
	    "    description: the c model\n"
	    "    config:\n      materialized: view\n      tags: [yml]\n"
	    "    columns:\n"
	    "      - name: id\n        description: the id\n"
	    "        data_tests:\n"
	    "          - unique\n"
	    "          - accepted_values:\n              values: ['x', 'y']\n"
	    "          - relationships:\n              to: ref('a')\n              field: id\n");
	return 0;
}

static int teardown(void **state)
{
	fs_rm_rf(root);
	return 0;
}

static struct node *node(struct project *p, const char *id)
{
	struct node *n = proj_node(p, id);
	if (!n)
		fail_msg("no node %s", id);
	return n;
}

static const char *cfg(struct node *n, const char *key)
{
	static char buf[256];
	struct sb s = SB_INIT;
	val_repr_to(&s, val_dict_gets(n->config, key));
	snprintf(buf, sizeof(buf), "%s", s.buf);
	sb_release(&s);
	return buf;
}

static void test_load(void **state)
{
	struct project p;
	struct diag_list dl;
	diag_list_init(&dl);
	struct proj_options o = {.project_dir = root, .need_profile = true, .hooks = &dbt_proj_hooks};
	int rc = proj_load(&p, &o, &dl);
	if (rc)
		diag_print(stderr, &dl, false);
	assert_int_equal(rc, 0);
	struct node *a = node(&p, "model.shop.a"), *b = node(&p, "model.shop.b"), *c = node(&p, "model.shop.c");
	/* hierarchy: staging overrides the package, with or without '+' */
	assert_string_equal(cfg(a, "materialized"), "'view'");
	assert_string_equal(cfg(a, "tags"), "['base', 'stg']");
	/* deeper folder plus config() in the file: tags accumulate, alias applies */
	assert_string_equal(cfg(b, "tags"), "['base', 'stg', 'own']");
	assert_string_equal(b->schema, "main_custom");
	assert_string_equal(b->alias, "bee");
	assert_string_equal(b->relation_name, "\"x\".\"main_custom\".\"bee\"");
	/* config() beats the properties file, which beats dbt_project.yml */
	assert_string_equal(cfg(c, "materialized"), "'incremental'");
	assert_string_equal(cfg(c, "tags"), "['base', 'yml']");
	assert_string_equal(c->description, "the c model");
	assert_string_equal(val_cstr(&p.arena, val_dict_gets(val_dict_gets(c->columns, "id"), "description")), "the id");
	assert_string_equal(c->patch_path, "shop://models/marts/schema.yml");
	/* deps in ref order */
	assert_int_equal(c->ndeps, 1);
	assert_ptr_equal(p.nodes[c->deps[0]], b);
	/* the profile: env_var default rendered, threads, database from the file's stem */
	assert_string_equal(p.target.target_name, "dev");
	assert_int_equal(p.target.threads, 3);
	assert_string_equal(p.target.database, "x");
	assert_string_equal(p.target.schema, "main");
	/* tests named and identified as dbt does */
	node(&p, "test.shop.unique_c_id.549b5a6e6d");
	int tests = 0;
	for (size_t i = 0; i < p.nnodes; i++) {
		struct node *n = p.nodes[i];
		if (n->type != NODE_TEST)
			continue;
		tests++;
		assert_ptr_equal(p.nodes[n->attached_node], c);
	}
	assert_int_equal(tests, 3);
	node(&p, "test.shop.accepted_values_c_id__x__y.7d540f7dca");
	struct node *rel = node(&p, "test.shop.relationships_c_id__id__ref_a_.2d10039799");
	assert_int_equal(rel->ndeps, 2);  /* c, and a through to: ref('a') */
	proj_release(&p);
	diag_list_release(&dl);
}

static void test_target_and_vars(void **state)
{
	struct project p;
	struct diag_list dl;
	diag_list_init(&dl);
	setenv("UNIT_DB", "fromenv", 1);
	struct proj_options o = {.project_dir = root, .need_profile = true, .target = "prod",
				 .vars = "{v1: cli}", .threads = 7, .hooks = &dbt_proj_hooks};
	assert_int_equal(proj_load(&p, &o, &dl), 0);
	assert_string_equal(p.target.schema, "analytics");
	assert_string_equal(p.target.database, "prod");
	assert_int_equal(p.target.threads, 7);
	assert_string_equal(val_cstr(&p.arena, val_dict_gets(p.cli_vars, "v1")), "cli");
	proj_release(&p);
	diag_list_release(&dl);
	/* a target that does not exist */
	diag_list_init(&dl);
	o.target = "nope";
	assert_int_equal(proj_load(&p, &o, &dl), -1);
	assert_non_null(strstr(dl.head->msg, "target 'nope' not found in profile 'shop'"));
	proj_release(&p);
	diag_list_release(&dl);
	unsetenv("UNIT_DB");
}

static void test_yml_getters(void **state)
{
	static const char text[] = "a: 1\nb: [x, 2]\nc:\n  d: true\ns: str\n";
	struct arena a;
	arena_init(&a, 0);
	struct diag_list dl;
	diag_list_init(&dl);
	uint32_t f = diag_file_add("t.yml", text, sizeof(text) - 1);
	value doc;
	assert_int_equal(val_from_yaml(&a, f, text, sizeof(text) - 1, &doc, &dl), 0);
	long i;
	assert_int_equal(yml_int(doc, "a", 0, &i, &dl), 0);
	assert_int_equal(i, 1);
	value l;
	assert_int_equal(yml_list(doc, "b", true, &l, &dl), -1);  /* 2 is not a string */
	int line, col;
	loc_linecol(dl.tail->loc, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 8);
	const char *s;
	assert_int_equal(yml_str(doc, "c", NULL, &s, &dl), -1);
	assert_non_null(strstr(dl.tail->msg, "expected a string for 'c', got dict"));
	assert_int_equal(yml_str(doc, "missing", "dflt", &s, &dl), 0);
	assert_string_equal(s, "dflt");
	value sl;
	assert_int_equal(yml_str_or_list(&a, doc, "s", &sl, &dl), 0);
	assert_int_equal(val_len(sl), 1);
	arena_release(&a);
	diag_list_release(&dl);
}

static void test_config_merge(void **state)
{
	struct arena a;
	arena_init(&a, 0);
	value dst = val_dict_new(&a, 4), src = val_dict_new(&a, 4);
	value t1 = val_list_new(&a, 1), t2 = val_list_new(&a, 2);
	val_list_push(t1, val_str("a"));
	val_list_push(t2, val_str("a"));
	val_list_push(t2, val_str("b"));
	val_dict_sets(dst, "tags", t1);
	val_dict_sets(dst, "materialized", val_str("view"));
	value m1 = val_dict_new(&a, 1), m2 = val_dict_new(&a, 1);
	val_dict_sets(m1, "owner", val_str("x"));
	val_dict_sets(m2, "team", val_str("y"));
	val_dict_sets(dst, "meta", m1);
	val_dict_sets(src, "tags", t2);
	val_dict_sets(src, "materialized", val_str("table"));
	val_dict_sets(src, "meta", m2);
	val_dict_sets(src, "post_hook", val_str("select 1"));
	proj_config_merge(&a, dst, src);
	struct sb s = SB_INIT;
	val_repr_to(&s, dst);
	assert_string_equal(s.buf, "{'tags': ['a', 'b'], 'materialized': 'table', 'meta': {'owner': 'x', 'team': 'y'}, "
				   "'post-hook': ['select 1']}");
	sb_release(&s);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_target_and_vars),
		cmocka_unit_test(test_yml_getters),
		cmocka_unit_test(test_config_merge),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
