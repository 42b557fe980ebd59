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

/* What every test drives: a cache, one connection's state, an arena for the answers; released by
 * finish() even when a test fails half-way */
struct fx {
	struct arena a;
	struct relcache rc;
	struct relcache_conn cs;
};

/* A cache with the rules given over a catalog of the tables `names` of db.schema, not listed yet */
static struct fx *start(void **state, const struct relcache_rules *rules, const char *schema,
			const char *const *names, size_t n)
{
	static struct fx one;
	struct fx *f = &one;
	memset(f, 0, sizeof(*f));
	arena_init(&f->a, 4096);
	relcache_init(&f->rc, rules, "db");
	set_catalog("db", schema, names, n);
	nlistings = 0;
	*state = f;
	return f;
}

static int finish(void **state)
{
	struct fx *f = *state;
	if (f) {
		relcache_conn_release(&f->cs);
		relcache_release(&f->rc);
		arena_release(&f->a);
		*state = NULL;
	}
	return 0;
}

/* What the cache answers for [db.]schema.name */
#define LOOKS(db, schema, name, want) assert_string_equal(look(&f->rc, db, schema, name, &f->a), want)
#define TOLD(sql, ok) relcache_note_sql(&f->rc, &f->cs, sql, ok)

static void test_listed_once_and_follows_ddl(void **state)
{
	struct fx *f = start(state, &duck, "Main", (const char *[]){"Orders"}, 1);
	LOOKS(NULL, "main", "orders", "Main.Orders:table");
	LOOKS("DB", "MAIN", "ORDERS", "Main.Orders:table");
	LOOKS("db", "main", "missing", "none");
	assert_int_equal(nlistings, 1);

	TOLD("create or replace view \"db\".\"main\".\"V\" as select 1; "
	     "create table main.t2 as select ';' as x", true);
	LOOKS(NULL, "main", "v", "Main.V:view");
	LOOKS(NULL, "main", "T2", "Main.t2:table");
	TOLD("alter table \"db\".\"main\".\"t2\" rename to \"t3\"", true);
	LOOKS(NULL, "main", "t2", "none");
	LOOKS(NULL, "main", "t3", "Main.t3:table");
	/* DuckDB binds views lazily: a CASCADE drop takes only the relation */
	TOLD("drop table if exists db.main.t3 cascade", true);
	LOOKS(NULL, "main", "t3", "none");
	LOOKS(NULL, "main", "v", "Main.V:view");
	/* another catalog is another key */
	LOOKS("other", "main", "orders", "Main.Orders:table");
	assert_int_equal(nlistings, 2);
	/* selects, temp tables and comments hold no DDL that matters */
	TOLD("select 'drop table main.v' -- drop table main.v\n", true);
	TOLD("create temp table main_tmp as select 1", true);
	LOOKS(NULL, "main", "v", "Main.V:view");
	assert_int_equal(nlistings, 2);
}

static void test_forgets_what_it_cannot_place(void **state)
{
	struct fx *f = start(state, &duck, "main", (const char *[]){"a"}, 1);
	LOOKS(NULL, "main", "b", "none");
	/* a name without a schema, made behind the cache's back: the next look-up lists again */
	set_catalog("db", "main", (const char *[]){"a", "b"}, 2);
	TOLD("create table b as select 1", true);
	LOOKS(NULL, "main", "b", "main.b:table");
	assert_int_equal(nlistings, 2);
	/* a failed statement that may hold DDL */
	set_catalog("db", "main", (const char *[]){"a", "b", "c"}, 3);
	TOLD("create table main.x as select error('boom')", false);
	LOOKS(NULL, "main", "c", "main.c:table");
	assert_int_equal(nlistings, 3);
	/* a failed select does not */
	TOLD("select error('boom')", false);
	LOOKS(NULL, "main", "c", "main.c:table");
	assert_int_equal(nlistings, 3);
	/* ATTACH, DROP SCHEMA */
	TOLD("attach 'x.duckdb' as x", true);
	LOOKS(NULL, "main", "c", "main.c:table");
	assert_int_equal(nlistings, 4);
	TOLD("drop schema s cascade", true);
	LOOKS(NULL, "main", "c", "main.c:table");
	assert_int_equal(nlistings, 5);
}

static void test_transactions(void **state)
{
	struct fx *f = start(state, &duck, "main", (const char *[]){"t"}, 1);
	LOOKS(NULL, "main", "t", "main.t:table");
	/* committed: kept */
	TOLD("begin transaction; create table main.t__dbt_tmp as select 1; "
	     "alter table main.t rename to t__dbt_backup; "
	     "alter table main.t__dbt_tmp rename to t; commit", true);
	assert_false(f->cs.in_txn);
	LOOKS(NULL, "main", "t__dbt_backup", "main.t__dbt_backup:table");
	LOOKS(NULL, "main", "t__dbt_tmp", "none");
	assert_int_equal(nlistings, 1);
	/* rolled back after DDL: forgotten, listed again */
	f->cs.in_txn = true;
	TOLD("create table main.u as select 1", true);
	LOOKS(NULL, "main", "u", "main.u:table");
	relcache_txn_end(&f->rc, &f->cs, false);
	LOOKS(NULL, "main", "u", "none");
	assert_int_equal(nlistings, 2);
	/* DDL in autocommit is not undone by a later rollback */
	TOLD("create table main.w as select 1", true);
	relcache_txn_end(&f->rc, &f->cs, false);
	LOOKS(NULL, "main", "w", "main.w:table");
	assert_int_equal(nlistings, 2);
}

static void test_postgres_rules(void **state)
{
	struct fx *f = start(state, &pg, "s", (const char *[]){"lower", "Quoted"}, 2);
	LOOKS(NULL, "s", "lower", "s.lower:table");
	LOOKS(NULL, "s", "LOWER", "s.lower:table");  /* any case, second */
	LOOKS(NULL, "s", "Quoted", "s.Quoted:table");
	/* bare names fold to lower case, quoted ones keep theirs */
	TOLD("create table s.MixedBare (x int); create view s.\"MixedQ\" as select 1", true);
	LOOKS(NULL, "s", "mixedbare", "s.mixedbare:table");
	LOOKS(NULL, "s", "MixedQ", "s.MixedQ:view");
	assert_int_equal(nlistings, 1);
	/* a CASCADE drop may take views of any schema: listed again, unless nothing depends on it */
	f->cs.no_dependents = true;
	TOLD("drop table if exists s.lower cascade", true);
	LOOKS(NULL, "s", "lower", "none");
	assert_int_equal(nlistings, 1);
	TOLD("drop table if exists s.mixedbare cascade", true);
	LOOKS(NULL, "s", "lower", "s.lower:table");
	assert_int_equal(nlistings, 2);
	const char *schema, *ident;
	assert_true(relcache_lone_drop_cascade("drop view if exists \"s\".\"V\" cascade", &schema, &ident, &f->a));
	assert_string_equal(schema, "s");
	assert_string_equal(ident, "V");
	assert_false(relcache_lone_drop_cascade("drop view s.v", &schema, &ident, &f->a));
	/* BEGIN in the SQL does not move PostgreSQL's transaction state: libpq tells it */
	TOLD("begin", true);
	assert_false(f->cs.in_txn);
}

static void test_cache_methods(void **state)
{
	struct fx *f = start(state, &duck, "main", (const char *[]){"t"}, 1);
	LOOKS(NULL, "main", "t", "main.t:table");
	struct adapter_relation t = {"db", "main", "t", REL_TABLE}, v = {"db", "main", "v", REL_VIEW},
				moved = {"db", "main", "t2", REL_TABLE}, away = {"db", "other", "t3", REL_TABLE};
	relcache_dropped(&f->rc, &f->cs, &t);
	LOOKS(NULL, "main", "t", "none");
	relcache_added(&f->rc, &f->cs, &v);
	LOOKS(NULL, "main", "v", "main.v:view");
	relcache_added(&f->rc, &f->cs, &t);
	relcache_renamed(&f->rc, &f->cs, &t, &moved);
	LOOKS(NULL, "main", "t", "none");
	LOOKS(NULL, "main", "t2", "main.t2:table");
	assert_int_equal(nlistings, 1);
	/* a rename into another schema: forgotten, listed again */
	relcache_renamed(&f->rc, &f->cs, &moved, &away);
	LOOKS(NULL, "main", "t", "main.t:table");
	assert_int_equal(nlistings, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_listed_once_and_follows_ddl, finish),
		cmocka_unit_test_teardown(test_forgets_what_it_cannot_place, finish),
		cmocka_unit_test_teardown(test_transactions, finish),
		cmocka_unit_test_teardown(test_postgres_rules, finish),
		cmocka_unit_test_teardown(test_cache_methods, finish),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
