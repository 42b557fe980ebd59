/*
 * The relation cache shared by the SQL adapters, driven without an engine: a fake lister stands
 * for the catalog, and the tests check what look-ups answer after the DDL a run sends, in and out
 * of transactions, under both naming rules (PostgreSQL's folding, DuckDB's any-case matching).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "adapters/relcache.h"
#include "core/arena.h"

/* The fake catalog: what the lister returns, and how often it was asked */
static struct adapter_relation catalog[8];
static size_t ncatalog;
static int nlistings;

static int fake_list(struct adapter_conn *c, const char *database, const char *schema,
		     struct adapter_relation **prels, size_t *pn, struct arena *a, char **perr)
{
	(void)c, (void)a, (void)perr, (void)database, (void)schema;
	nlistings++;
	*prels = catalog;
	*pn = ncatalog;
	return 0;
}

static void set_catalog(const char *db, const char *schema, const char *const *names, size_t n)
{
	ncatalog = n;
	for (size_t i = 0; i < n; i++)
		catalog[i] = (struct adapter_relation){db, schema, names[i], REL_TABLE};
}

/* The type name of schema.name as the cache answers, or "none" */
static const char *look(struct relcache *rc, const char *db, const char *schema, const char *name, struct arena *a)
{
	struct adapter_relation rel;
	bool found;
	char *err = NULL;
	assert_int_equal(relcache_get(rc, fake_list, NULL, db, schema, name, &rel, &found, a, &err), 0);
	if (!found)
		return "none";
	return arena_sprintf(a, "%s.%s:%s", rel.schema, rel.identifier, relation_type_name(rel.type));
}

static const struct relcache_rules duck = {
	.case_insensitive = true, .keyed_by_database = true, .cascade_local = true, .txn_from_sql = true};
static const struct relcache_rules pg = {0};

static void test_listed_once_and_follows_ddl(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 4096);
	struct relcache rc;
	struct relcache_conn cs = {0};
	relcache_init(&rc, &duck, "db");
	set_catalog("db", "Main", (const char *[]){"Orders"}, 1);
	nlistings = 0;
	assert_string_equal(look(&rc, NULL, "main", "orders", &a), "Main.Orders:table");
	assert_string_equal(look(&rc, "DB", "MAIN", "ORDERS", &a), "Main.Orders:table");
	assert_string_equal(look(&rc, "db", "main", "missing", &a), "none");
	assert_int_equal(nlistings, 1);

	relcache_note_sql(&rc, &cs, "create or replace view \"db\".\"main\".\"V\" as select 1; "
				    "create table main.t2 as select ';' as x", true);
	assert_string_equal(look(&rc, NULL, "main", "v", &a), "Main.V:view");
	assert_string_equal(look(&rc, NULL, "main", "T2", &a), "Main.t2:table");
	relcache_note_sql(&rc, &cs, "alter table \"db\".\"main\".\"t2\" rename to \"t3\"", true);
	assert_string_equal(look(&rc, NULL, "main", "t2", &a), "none");
	assert_string_equal(look(&rc, NULL, "main", "t3", &a), "Main.t3:table");
	/* DuckDB binds views lazily: a CASCADE drop takes only the relation */
	relcache_note_sql(&rc, &cs, "drop table if exists db.main.t3 cascade", true);
	assert_string_equal(look(&rc, NULL, "main", "t3", &a), "none");
	assert_string_equal(look(&rc, NULL, "main", "v", &a), "Main.V:view");
	/* another catalog is another key */
	assert_string_equal(look(&rc, "other", "main", "orders", &a), "Main.Orders:table");
	assert_int_equal(nlistings, 2);
	/* selects, temp tables and comments hold no DDL that matters */
	relcache_note_sql(&rc, &cs, "select 'drop table main.v' -- drop table main.v\n", true);
	relcache_note_sql(&rc, &cs, "create temp table main_tmp as select 1", true);
	assert_string_equal(look(&rc, NULL, "main", "v", &a), "Main.V:view");
	assert_int_equal(nlistings, 2);

	relcache_conn_release(&cs);
	relcache_release(&rc);
	arena_release(&a);
}

static void test_forgets_what_it_cannot_place(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 4096);
	struct relcache rc;
	struct relcache_conn cs = {0};
	relcache_init(&rc, &duck, "db");
	set_catalog("db", "main", (const char *[]){"a"}, 1);
	nlistings = 0;
	assert_string_equal(look(&rc, NULL, "main", "b", &a), "none");
	/* a name without a schema, made behind the cache's back: the next look-up lists again */
	set_catalog("db", "main", (const char *[]){"a", "b"}, 2);
	relcache_note_sql(&rc, &cs, "create table b as select 1", true);
	assert_string_equal(look(&rc, NULL, "main", "b", &a), "main.b:table");
	assert_int_equal(nlistings, 2);
	/* a failed statement that may hold DDL */
	set_catalog("db", "main", (const char *[]){"a", "b", "c"}, 3);
	relcache_note_sql(&rc, &cs, "create table main.x as select error('boom')", false);
	assert_string_equal(look(&rc, NULL, "main", "c", &a), "main.c:table");
	assert_int_equal(nlistings, 3);
	/* a failed select does not */
	relcache_note_sql(&rc, &cs, "select error('boom')", false);
	assert_string_equal(look(&rc, NULL, "main", "c", &a), "main.c:table");
	assert_int_equal(nlistings, 3);
	/* ATTACH, DROP SCHEMA */
	relcache_note_sql(&rc, &cs, "attach 'x.duckdb' as x", true);
	assert_string_equal(look(&rc, NULL, "main", "c", &a), "main.c:table");
	assert_int_equal(nlistings, 4);
	relcache_note_sql(&rc, &cs, "drop schema s cascade", true);
	assert_string_equal(look(&rc, NULL, "main", "c", &a), "main.c:table");
	assert_int_equal(nlistings, 5);
	relcache_conn_release(&cs);
	relcache_release(&rc);
	arena_release(&a);
}

static void test_transactions(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 4096);
	struct relcache rc;
	struct relcache_conn cs = {0};
	relcache_init(&rc, &duck, "db");
	set_catalog("db", "main", (const char *[]){"t"}, 1);
	nlistings = 0;
	assert_string_equal(look(&rc, NULL, "main", "t", &a), "main.t:table");
	/* committed: kept */
	relcache_note_sql(&rc, &cs, "begin transaction; create table main.t__dbt_tmp as select 1; "
				    "alter table main.t rename to t__dbt_backup; "
				    "alter table main.t__dbt_tmp rename to t; commit", true);
	assert_false(cs.in_txn);
	assert_string_equal(look(&rc, NULL, "main", "t__dbt_backup", &a), "main.t__dbt_backup:table");
	assert_string_equal(look(&rc, NULL, "main", "t__dbt_tmp", &a), "none");
	assert_int_equal(nlistings, 1);
	/* rolled back after DDL: forgotten, listed again */
	cs.in_txn = true;
	relcache_note_sql(&rc, &cs, "create table main.u as select 1", true);
	assert_string_equal(look(&rc, NULL, "main", "u", &a), "main.u:table");
	relcache_txn_end(&rc, &cs, false);
	assert_string_equal(look(&rc, NULL, "main", "u", &a), "none");
	assert_int_equal(nlistings, 2);
	/* DDL in autocommit is not undone by a later rollback */
	relcache_note_sql(&rc, &cs, "create table main.w as select 1", true);
	relcache_txn_end(&rc, &cs, false);
	assert_string_equal(look(&rc, NULL, "main", "w", &a), "main.w:table");
	assert_int_equal(nlistings, 2);
	relcache_conn_release(&cs);
	relcache_release(&rc);
	arena_release(&a);
}

static void test_postgres_rules(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 4096);
	struct relcache rc;
	struct relcache_conn cs = {0};
	relcache_init(&rc, &pg, "db");
	set_catalog("db", "s", (const char *[]){"lower", "Quoted"}, 2);
	nlistings = 0;
	assert_string_equal(look(&rc, NULL, "s", "lower", &a), "s.lower:table");
	assert_string_equal(look(&rc, NULL, "s", "LOWER", &a), "s.lower:table");  /* any case, second */
	assert_string_equal(look(&rc, NULL, "s", "Quoted", &a), "s.Quoted:table");
	/* bare names fold to lower case, quoted ones keep theirs */
	relcache_note_sql(&rc, &cs, "create table s.MixedBare (x int); create view s.\"MixedQ\" as select 1", true);
	assert_string_equal(look(&rc, NULL, "s", "mixedbare", &a), "s.mixedbare:table");
	assert_string_equal(look(&rc, NULL, "s", "MixedQ", &a), "s.MixedQ:view");
	assert_int_equal(nlistings, 1);
	/* a CASCADE drop may take views of any schema: listed again, unless nothing depends on it */
	cs.no_dependents = true;
	relcache_note_sql(&rc, &cs, "drop table if exists s.lower cascade", true);
	assert_string_equal(look(&rc, NULL, "s", "lower", &a), "none");
	assert_int_equal(nlistings, 1);
	relcache_note_sql(&rc, &cs, "drop table if exists s.mixedbare cascade", true);
	assert_string_equal(look(&rc, NULL, "s", "lower", &a), "s.lower:table");
	assert_int_equal(nlistings, 2);
	const char *schema, *ident;
	assert_true(relcache_lone_drop_cascade("drop view if exists \"s\".\"V\" cascade", &schema, &ident, &a));
	assert_string_equal(schema, "s");
	assert_string_equal(ident, "V");
	assert_false(relcache_lone_drop_cascade("drop view s.v", &schema, &ident, &a));
	/* BEGIN in the SQL does not move PostgreSQL's transaction state: libpq tells it */
	relcache_note_sql(&rc, &cs, "begin", true);
	assert_false(cs.in_txn);
	relcache_conn_release(&cs);
	relcache_release(&rc);
	arena_release(&a);
}

static void test_cache_methods(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 4096);
	struct relcache rc;
	struct relcache_conn cs = {0};
	relcache_init(&rc, &duck, "db");
	set_catalog("db", "main", (const char *[]){"t"}, 1);
	nlistings = 0;
	assert_string_equal(look(&rc, NULL, "main", "t", &a), "main.t:table");
	struct adapter_relation t = {"db", "main", "t", REL_TABLE}, v = {"db", "main", "v", REL_VIEW},
				moved = {"db", "main", "t2", REL_TABLE}, away = {"db", "other", "t3", REL_TABLE};
	relcache_dropped(&rc, &cs, &t);
	assert_string_equal(look(&rc, NULL, "main", "t", &a), "none");
	relcache_added(&rc, &cs, &v);
	assert_string_equal(look(&rc, NULL, "main", "v", &a), "main.v:view");
	relcache_added(&rc, &cs, &t);
	relcache_renamed(&rc, &cs, &t, &moved);
	assert_string_equal(look(&rc, NULL, "main", "t", &a), "none");
	assert_string_equal(look(&rc, NULL, "main", "t2", &a), "main.t2:table");
	assert_int_equal(nlistings, 1);
	/* a rename into another schema: forgotten, listed again */
	relcache_renamed(&rc, &cs, &moved, &away);
	assert_string_equal(look(&rc, NULL, "main", "t", &a), "main.t:table");
	assert_int_equal(nlistings, 2);
	relcache_conn_release(&cs);
	relcache_release(&rc);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listed_once_and_follows_ddl),
		cmocka_unit_test(test_forgets_what_it_cannot_place),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_postgres_rules),
		cmocka_unit_test(test_cache_methods),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
