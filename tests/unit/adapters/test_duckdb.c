/*
 * The DuckDB adapter against a real embedded DuckDB: opening (memory, files, profile keys), execute
 * (several statements, every type conversion, errors, limits), transactions, metadata, catalog,
 * seeds, quoting and two threads writing at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapters/adapter.h"
#include "core/arena.h"
#include "core/fs.h"
#include "value/value.h"

static const struct adapter_vtable *V = &adapter_duckdb;

struct fx {
	struct arena a;
	char dir[64];
	struct adapter *ad;
	struct adapter_conn *conn;
};

static value dict(struct arena *a)
{
	return val_dict_new(a, 4);
}

static int setup_dir(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	arena_init(&f->a, 1 << 16);
	snprintf(f->dir, sizeof(f->dir), "/tmp/sluice-duckdb-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

/* An in-memory database with one connection */
static int setup_mem(void **state)
{
	if (setup_dir(state))
		return -1;
	struct fx *f = *state;
	char *err = NULL;
	if (V->open(&f->ad, dict(&f->a), f->dir, &f->a, &err) || V->open_conn(f->ad, &f->conn, &f->a, &err)) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	V->close_conn(f->conn);
	V->close(f->ad);
	fs_rm_rf(f->dir);
	arena_release(&f->a);
	free(f);
	return 0;
}

/* Runs SQL that must succeed */
static struct adapter_result run(struct fx *f, const char *sql)
{
	struct adapter_result r;
	char *err = NULL;
	int rc = V->execute(f->conn, sql, true, -1, &r, &f->a, &err);
	if (rc)
		fail_msg("'%s' failed: %s", sql, err);
	return r;
}

static value cell(const struct adapter_result *r, size_t row, size_t col)
{
	assert_true(row < r->nrows && col < r->ncols);
	return r->rows[row * r->ncols + col];
}

static void assert_str(value v, const char *s)
{
	if (v.type != V_STR)
		fail_msg("expected the string '%s', got a value of type %d", s, v.type);
	assert_int_equal(v.len, strlen(s));
	assert_memory_equal(v.s, s, v.len);
	assert_int_equal(v.s[v.len], '\0');
}

static void assert_int_val(value v, int64_t i)
{
	assert_int_equal(v.type, V_INT);
	assert_true(v.i == i);
}

/* ---------------------------------------------------------------- open */

static void test_open_memory(void **state)
{
	struct fx *f = *state;
	assert_string_equal(V->default_database(f->ad), "memory");
	assert_string_equal(V->default_schema(f->ad), "main");
	assert_string_equal(V->type, "duckdb");
	assert_ptr_equal(adapter_find("duckdb"), &adapter_duckdb);
	/* ':memory:' named explicitly, with another schema */
	value t = dict(&f->a);
	val_dict_sets(t, "path", val_str(":memory:"));
	val_dict_sets(t, "schema", val_str("analytics"));
	val_dict_sets(t, "database", val_str("memory"));
	val_dict_sets(t, "threads", val_int(4));
	struct adapter *ad = NULL;
	char *err = NULL;
	assert_int_equal(V->open(&ad, t, f->dir, &f->a, &err), 0);
	assert_string_equal(V->default_database(ad), "memory");
	assert_string_equal(V->default_schema(ad), "analytics");
	V->close(ad);
}

static void test_open_file_stem(void **state)
{
	struct fx *f = *state;
	value t = dict(&f->a);
	val_dict_sets(t, "path", val_str("target/sub/jaffle.duckdb"));
	struct adapter *ad = NULL;
	struct adapter_conn *c = NULL;
	char *err = NULL;
	assert_int_equal(V->open(&ad, t, f->dir, &f->a, &err), 0);
	assert_string_equal(V->default_database(ad), "jaffle");
	assert_int_equal(V->open_conn(ad, &c, &f->a, &err), 0);
	assert_int_equal(V->execute(c, "create table kept as select 42 as answer", false, -1, NULL, &f->a, &err), 0);
	V->close_conn(c);
	V->close(ad);
	char *file = fs_join(&f->a, f->dir, "target/sub/jaffle.duckdb");
	assert_true(fs_is_file(file));

	/* reopen by absolute path, with the matching database name: the table persisted */
	t = dict(&f->a);
	val_dict_sets(t, "path", val_str(file));
	val_dict_sets(t, "database", val_str("jaffle"));
	assert_int_equal(V->open(&ad, t, "/nonexistent", &f->a, &err), 0);
	assert_int_equal(V->open_conn(ad, &c, &f->a, &err), 0);
	struct adapter_result r;
	assert_int_equal(V->execute(c, "select answer from jaffle.main.kept", true, -1, &r, &f->a, &err), 0);
	assert_int_equal(r.nrows, 1);
	assert_int_val(cell(&r, 0, 0), 42);
	V->close_conn(c);
	V->close(ad);

	/* config_options go to DuckDB at open: a read-only database refuses writes */
	value copts = dict(&f->a);
	val_dict_sets(copts, "access_mode", val_str("READ_ONLY"));
	val_dict_sets(t, "config_options", copts);
	assert_int_equal(V->open(&ad, t, f->dir, &f->a, &err), 0);
	assert_int_equal(V->open_conn(ad, &c, &f->a, &err), 0);
	assert_int_equal(V->execute(c, "select count(*) from kept", true, -1, &r, &f->a, &err), 0);
	err = NULL;
	assert_int_equal(V->execute(c, "insert into kept values (1)", false, -1, NULL, &f->a, &err), -1);
	assert_non_null(strstr(err, "read-only"));
	V->close_conn(c);
	V->close(ad);
	val_dict_sets(copts, "no_such_option", val_str("x"));
	assert_int_equal(V->open(&ad, t, f->dir, &f->a, &err), -1);
	assert_non_null(strstr(err, "no_such_option"));
	val_dict_del(t, val_str("config_options"));

	/* a database name that is not the stem is refused, as dbt-duckdb does */
	val_dict_sets(t, "database", val_str("warehouse"));
	err = NULL;
	assert_int_equal(V->open(&ad, t, f->dir, &f->a, &err), -1);
	assert_null(ad);
	assert_non_null(strstr(err, "'database'"));
	assert_non_null(strstr(err, "'jaffle'"));
	assert_non_null(strstr(err, "'warehouse'"));
}

static void test_open_errors(void **state)
{
	struct fx *f = *state;
	struct adapter *ad = NULL;
	char *err = NULL;
	value t = dict(&f->a);
	val_dict_sets(t, "path", val_int(3));
	assert_int_equal(V->open(&ad, t, f->dir, &f->a, &err), -1);
	assert_non_null(strstr(err, "'path'"));

	/* a path whose folder cannot be created */
	t = dict(&f->a);
	char *blocker = fs_join(&f->a, f->dir, "file");
	assert_int_equal(fs_write(blocker, "x", 1), 0);
	val_dict_sets(t, "path", val_str(arena_sprintf(&f->a, "%s/sub/db.duckdb", blocker)));
	assert_int_equal(V->open(&ad, t, f->dir, &f->a, &err), -1);
	assert_non_null(strstr(err, "folder"));

	/* extensions: built-in ones load, missing ones are named */
	t = dict(&f->a);
	value exts = val_list_new(&f->a, 2);
	val_list_push(exts, val_str("json"));
	val_list_push(exts, val_str("parquet"));
	val_dict_sets(t, "extensions", exts);
	assert_int_equal(V->open(&ad, t, f->dir, &f->a, &err), 0);
	V->close(ad);
	val_list_push(exts, val_str("no_such_ext"));
	assert_int_equal(V->open(&ad, t, f->dir, &f->a, &err), -1);
	assert_non_null(strstr(err, "unable to load DuckDB extension 'no_such_ext'"));
}

static void test_settings(void **state)
{
	struct fx *f = *state;
	value t = dict(&f->a), s = dict(&f->a);
	val_dict_sets(s, "threads", val_int(1));
	val_dict_sets(s, "default_order", val_str("desc"));
	val_dict_sets(t, "settings", s);
	struct adapter *ad = NULL;
	struct adapter_conn *c = NULL;
	char *err = NULL;
	assert_int_equal(V->open(&ad, t, f->dir, &f->a, &err), 0);
	assert_int_equal(V->open_conn(ad, &c, &f->a, &err), 0);
	struct adapter_result r;
	assert_int_equal(V->execute(c, "select current_setting('threads'), current_setting('default_order')", true,
				    -1, &r, &f->a, &err), 0);
	assert_int_val(cell(&r, 0, 0), 1);
	assert_str(cell(&r, 0, 1), "DESC");
	/* the setting applies to every connection: default_order changes ORDER BY */
	assert_int_equal(V->execute(c, "select * from range(3) order by 1", true, -1, &r, &f->a, &err), 0);
	assert_int_val(cell(&r, 0, 0), 2);
	V->close_conn(c);
	V->close(ad);

	/* a bad setting fails at open and names the setting */
	val_dict_sets(s, "no_such_setting", val_str("1"));
	assert_int_equal(V->open(&ad, t, f->dir, &f->a, &err), -1);
	assert_non_null(strstr(err, "'no_such_setting'"));

	/* the value of a secret-looking setting never shows in the message */
	s = dict(&f->a);
	val_dict_sets(s, "threads", val_str("hunter2-secret"));
	val_dict_sets(t, "settings", s);
	assert_int_equal(V->open(&ad, t, f->dir, &f->a, &err), -1);
	assert_non_null(strstr(err, "'threads'"));
	s = dict(&f->a);
	val_dict_sets(s, "my_password", val_str("hunter2"));
	val_dict_sets(t, "settings", s);
	assert_int_equal(V->open(&ad, t, f->dir, &f->a, &err), -1);
	assert_null(strstr(err, "hunter2"));
}

/* ---------------------------------------------------------------- execute */

static void test_multi_statement(void **state)
{
	struct fx *f = *state;
	struct adapter_result r = run(f, "create table t(a integer, b varchar);\n"
					 "insert into t values (1, 'x;y'), (2, 'it''s');\n"
					 "-- a comment; with a semicolon\n"
					 "select a, b from t order by a;");
	assert_int_equal(r.ncols, 2);
	assert_string_equal(r.cols[0].name, "a");
	assert_string_equal(r.cols[0].type, "INTEGER");
	assert_string_equal(r.cols[1].name, "b");
	assert_string_equal(r.cols[1].type, "VARCHAR");
	assert_null(r.cols[0].comment);
	assert_int_equal(r.nrows, 2);
	assert_int_val(cell(&r, 0, 0), 1);
	assert_str(cell(&r, 0, 1), "x;y");
	assert_str(cell(&r, 1, 1), "it's");
	assert_string_equal(r.message, "OK");
	assert_true(r.rows_affected == ADAPTER_MESSAGE_ONLY);

	/* dbt-duckdb's response is the message "OK" alone, with no code and no row count, also for
	 * statements that change rows */
	r = run(f, "insert into t values (3, 'z'), (4, NULL)");
	assert_true(r.rows_affected == ADAPTER_MESSAGE_ONLY);
	assert_string_equal(r.message, "OK");
	r = run(f, "update t set b = 'w' where a >= 3");
	assert_true(r.rows_affected == ADAPTER_MESSAGE_ONLY);
	r = run(f, "delete from t where a = 1");
	assert_true(r.rows_affected == ADAPTER_MESSAGE_ONLY);

	/* without fetch there are no rows */
	char *err = NULL;
	assert_int_equal(V->execute(f->conn, "select 1; delete from t", false, -1, &r, &f->a, &err), 0);
	assert_int_equal(r.ncols, 0);
	assert_int_equal(r.nrows, 0);
	assert_true(r.rows_affected == ADAPTER_MESSAGE_ONLY);
	assert_int_equal(V->execute(f->conn, "select 1", false, -1, NULL, &f->a, &err), 0);

	/* empty SQL and only comments are fine */
	r = run(f, "");
	assert_int_equal(r.ncols, 0);
	r = run(f, "  -- nothing here\n /* nor here */ ");
	assert_int_equal(r.nrows, 0);
}

static void test_scalar_types(void **state)
{
	struct fx *f = *state;
	struct adapter_result r = run(f,
		"select true as bo, 127::tinyint as ti, (-32768)::smallint as si, 2147483647 as i, "
		"(-9223372036854775808)::bigint as bi, 255::utinyint as ut, 65535::usmallint as us, "
		"4294967295::uinteger as ui, 9223372036854775807::ubigint as ub_small, "
		"18446744073709551615::ubigint as ub_big, 12::hugeint as h_small, "
		"-170141183460469231731687303715884105727::hugeint as h_big, "
		"340282366920938463463374607431768211455::uhugeint as uh, "
		"1.5::float as fl, 0.1::double as db, 1234.567::decimal(18,3) as dec, "
		"-0.5::decimal(4,1) as dec_small, 12345678901234567890.12::decimal(38,2) as dec_huge, "
		"'héllo' as vc, 'a string longer than twelve bytes' as vc_long, '' as vc_empty, "
		"NULL::integer as n_int, NULL::varchar as n_str, NULL as n_null, "
		"'b'::enum('a', 'b') as en, 'infinity'::double as inf");
	const struct {
		const char *name, *type;
	} cols[] = {
		{"bo", "BOOLEAN"}, {"ti", "TINYINT"}, {"si", "SMALLINT"}, {"i", "INTEGER"}, {"bi", "BIGINT"},
		{"ut", "UTINYINT"}, {"us", "USMALLINT"}, {"ui", "UINTEGER"}, {"ub_small", "UBIGINT"},
		{"ub_big", "UBIGINT"}, {"h_small", "HUGEINT"}, {"h_big", "HUGEINT"}, {"uh", "UHUGEINT"},
		{"fl", "FLOAT"}, {"db", "DOUBLE"}, {"dec", "DECIMAL(18,3)"}, {"dec_small", "DECIMAL(4,1)"},
		{"dec_huge", "DECIMAL(38,2)"}, {"vc", "VARCHAR"}, {"vc_long", "VARCHAR"}, {"vc_empty", "VARCHAR"},
		{"n_int", "INTEGER"}, {"n_str", "VARCHAR"}, {"n_null", "INTEGER"}, {"en", "ENUM('a', 'b')"},
		{"inf", "DOUBLE"},
	};
	assert_int_equal(r.ncols, sizeof(cols) / sizeof(cols[0]));
	for (size_t j = 0; j < r.ncols; j++) {
		assert_string_equal(r.cols[j].name, cols[j].name);
		assert_string_equal(r.cols[j].type, cols[j].type);
	}
	assert_int_equal(r.nrows, 1);
	size_t k = 0;
	value v = cell(&r, 0, k++);
	assert_int_equal(v.type, V_BOOL);
	assert_true(v.b);
	assert_int_val(cell(&r, 0, k++), 127);
	assert_int_val(cell(&r, 0, k++), -32768);
	assert_int_val(cell(&r, 0, k++), 2147483647);
	assert_int_val(cell(&r, 0, k++), INT64_MIN);
	assert_int_val(cell(&r, 0, k++), 255);
	assert_int_val(cell(&r, 0, k++), 65535);
	assert_int_val(cell(&r, 0, k++), 4294967295LL);
	assert_int_val(cell(&r, 0, k++), INT64_MAX);
	assert_str(cell(&r, 0, k++), "18446744073709551615");
	assert_int_val(cell(&r, 0, k++), 12);
	assert_str(cell(&r, 0, k++), "-170141183460469231731687303715884105727");
	assert_str(cell(&r, 0, k++), "340282366920938463463374607431768211455");
	v = cell(&r, 0, k++);
	assert_int_equal(v.type, V_FLOAT);
	assert_true(v.f == 1.5);
	v = cell(&r, 0, k++);
	assert_true(v.type == V_FLOAT && v.f == 0.1);
	v = cell(&r, 0, k++);
	assert_true(v.type == V_FLOAT && v.f == 1234.567);
	v = cell(&r, 0, k++);
	assert_true(v.type == V_FLOAT && v.f == -0.5);
	v = cell(&r, 0, k++);
	assert_true(v.type == V_FLOAT && v.f == 12345678901234567890.12);
	assert_str(cell(&r, 0, k++), "héllo");
	assert_str(cell(&r, 0, k++), "a string longer than twelve bytes");
	assert_str(cell(&r, 0, k++), "");
	assert_int_equal(cell(&r, 0, k++).type, V_NONE);
	assert_int_equal(cell(&r, 0, k++).type, V_NONE);
	assert_int_equal(cell(&r, 0, k++).type, V_NONE);
	assert_str(cell(&r, 0, k++), "b");
	v = cell(&r, 0, k++);
	assert_true(v.type == V_FLOAT && isinf(v.f));
}

static void test_temporal_types(void **state)
{
	struct fx *f = *state;
	struct adapter_result r = run(f,
		"select '2024-02-29'::date as d, '2024-01-02 03:04:05'::timestamp as ts, "
		"'2024-01-02 03:04:05.123'::timestamp as ts_frac, '1969-12-31 23:59:59.5'::timestamp as ts_neg, "
		"'2024-01-02 03:04:05'::timestamp_s as ts_s, '2024-01-02 03:04:05.5'::timestamp_ms as ts_ms, "
		"'2024-01-02 03:04:05.123456789'::timestamp_ns as ts_ns, "
		"'2024-01-02 03:04:05.000001'::timestamp_ns as ts_ns_us, "
		"'2024-01-02 03:04:05.25+00'::timestamptz as tstz, '12:34:56.789'::time as t, "
		"'00:00:00'::time as t0, '12:34:56+02:30'::timetz as ttz, "
		"interval '1 year 2 months 3 days 04:05:06.5' as iv, interval '-3 hours' as iv_neg, "
		"interval '0 seconds' as iv_zero, interval '1 month' as iv_month, "
		"'00000000-0000-0000-0000-000000000001'::uuid as u0, "
		"'f81d4fae-7dec-11d0-a765-00a0c91e6bf6'::uuid as u, '\\xAA\\x00ab\"c'::blob as bl, "
		"'infinity'::date as d_inf, '-infinity'::timestamp as ts_ninf, '0044-03-15 (BC)'::date as d_bc, "
		"NULL::date as d_null, NULL::timestamp as ts_null");
	const char *want[][2] = {
		{"DATE", "2024-02-29"},
		{"TIMESTAMP", "2024-01-02 03:04:05"},
		{"TIMESTAMP", "2024-01-02 03:04:05.123000"},
		{"TIMESTAMP", "1969-12-31 23:59:59.500000"},
		{"TIMESTAMP_S", "2024-01-02 03:04:05"},
		{"TIMESTAMP_MS", "2024-01-02 03:04:05.500000"},
		{"TIMESTAMP_NS", "2024-01-02 03:04:05.123456789"},
		{"TIMESTAMP_NS", "2024-01-02 03:04:05.000001"},
		{"TIMESTAMP WITH TIME ZONE", "2024-01-02 03:04:05.250000+00:00"},
		{"TIME", "12:34:56.789000"},
		{"TIME", "00:00:00"},
		{"TIME WITH TIME ZONE", "12:34:56+02:30"},
		{"INTERVAL", "1 year 2 months 3 days 04:05:06.5"},
		{"INTERVAL", "-03:00:00"},
		{"INTERVAL", "00:00:00"},
		{"INTERVAL", "1 month"},
		{"UUID", "00000000-0000-0000-0000-000000000001"},
		{"UUID", "f81d4fae-7dec-11d0-a765-00a0c91e6bf6"},
		{"BLOB", "\\xAA\\x00ab\\x22c"},
		{"DATE", "infinity"},
		{"TIMESTAMP", "-infinity"},
		{"DATE", "0044-03-15 (BC)"},
	};
	size_t nwant = sizeof(want) / sizeof(want[0]);
	assert_int_equal(r.ncols, nwant + 2);
	for (size_t j = 0; j < nwant; j++) {
		assert_string_equal(r.cols[j].type, want[j][0]);
		assert_str(cell(&r, 0, j), want[j][1]);
	}
	assert_int_equal(cell(&r, 0, nwant).type, V_NONE);
	assert_int_equal(cell(&r, 0, nwant + 1).type, V_NONE);
}

/* Nested values print as DuckDB's own VARCHAR cast prints them */
static void test_nested_types(void **state)
{
	struct fx *f = *state;
	const char *exprs = "[1, 2, NULL] as l, ['a', 'b,c', ''] as ls, {'x': 1, 'y z': 'v w'} as s, "
			    "map {'k': 10} as m, [1, 2]::integer[2] as arr, union_value(n := 7) as un, "
			    "'101'::bit as bt, 42 as plain, [[1], []] as ll, NULL::integer[] as l_null, "
			    "12345678901234567890123::bignum as bn";
	struct adapter_result mine = run(f, arena_sprintf(&f->a, "select %s -- trailing comment", exprs));
	struct adapter_result ref =
		run(f, arena_sprintf(&f->a, "select cast(columns(*) as varchar) from (select %s)", exprs));
	assert_int_equal(mine.ncols, ref.ncols);
	for (size_t j = 0; j < mine.ncols; j++) {
		value a = cell(&mine, 0, j), b = cell(&ref, 0, j);
		if (j == 7) {
			assert_int_val(a, 42);
			continue;
		}
		if (b.type == V_NONE) {
			assert_int_equal(a.type, V_NONE);
			continue;
		}
		assert_str(a, b.s);
	}
	assert_string_equal(mine.cols[0].type, "INTEGER[]");
	assert_string_equal(mine.cols[2].type, "STRUCT(x INTEGER, \"y z\" VARCHAR)");
	assert_string_equal(mine.cols[3].type, "MAP(VARCHAR, INTEGER)");
	assert_string_equal(mine.cols[4].type, "INTEGER[2]");
	assert_string_equal(mine.cols[5].type, "UNION(n INTEGER)");
	assert_string_equal(mine.cols[6].type, "BIT");
	assert_string_equal(mine.cols[8].type, "INTEGER[][]");
	assert_string_equal(mine.cols[0].name, "l");
	assert_string_equal(mine.cols[9].name, "l_null");
	assert_string_equal(mine.cols[10].type, "BIGNUM");
	assert_str(cell(&mine, 0, 0), "[1, 2, NULL]");
	assert_str(cell(&mine, 0, 10), "12345678901234567890123");

	/* struct field names that are keywords are quoted in type names */
	struct adapter_result kw = run(f, "select {'value': 1, 'Abc': 2, 'sum': 3} as s");
	assert_string_equal(kw.cols[0].type, "STRUCT(\"value\" INTEGER, Abc INTEGER, sum INTEGER)");

	/* statements that cannot be wrapped in a SELECT use our own formatter */
	run(f, "create table nest(tags varchar[], st struct(a integer, b varchar, c date[]), "
	       "m map(varchar, varchar), ar double[2], e enum('x y', 'z')[], n integer[])");
	struct adapter_result ret =
		run(f, "insert into nest values (['a', 'b c', 'd,e', '', 'NULL', 'a:b', 'it''s', ' x', 'q\"', NULL], "
		       "{'a': 1, 'b': '', 'c': ['2024-01-02'::date, NULL]}, map {'a b': 'c,d', 'k': NULL}, "
		       "[1.5, -2], ['x y', 'z'], NULL) returning *");
	assert_true(ret.rows_affected == ADAPTER_MESSAGE_ONLY);
	assert_int_equal(ret.nrows, 1);
	struct adapter_result back = run(f, "select cast(columns(*) as varchar) from nest");
	assert_int_equal(ret.ncols, back.ncols);
	for (size_t j = 0; j + 1 < ret.ncols; j++)
		assert_str(cell(&ret, 0, j), cell(&back, 0, j).s);
	assert_int_equal(cell(&ret, 0, ret.ncols - 1).type, V_NONE);
	assert_string_equal(ret.cols[0].type, "VARCHAR[]");
	assert_string_equal(ret.cols[1].type, "STRUCT(a INTEGER, b VARCHAR, c DATE[])");
	assert_string_equal(ret.cols[3].type, "DOUBLE[2]");
}

static void test_limit_and_chunks(void **state)
{
	struct fx *f = *state;
	/* several chunks (2048 rows each) */
	struct adapter_result r = run(f, "select range as i, 'row ' || range as s from range(5000)");
	assert_int_equal(r.nrows, 5000);
	assert_int_val(cell(&r, 4999, 0), 4999);
	assert_str(cell(&r, 2048, 1), "row 2048");

	char *err = NULL;
	assert_int_equal(V->execute(f->conn, "select * from range(5000)", true, 3, &r, &f->a, &err), 0);
	assert_int_equal(r.nrows, 3);
	assert_int_val(cell(&r, 2, 0), 2);
	assert_int_equal(V->execute(f->conn, "select * from range(5000)", true, 2100, &r, &f->a, &err), 0);
	assert_int_equal(r.nrows, 2100);
	assert_int_val(cell(&r, 2099, 0), 2099);
	assert_int_equal(V->execute(f->conn, "select * from range(5000)", true, 0, &r, &f->a, &err), 0);
	assert_int_equal(r.nrows, 0);
	assert_int_equal(r.ncols, 1);
	/* the limit applies to wrapped (nested) results too */
	assert_int_equal(V->execute(f->conn, "select [range] from range(10)", true, 4, &r, &f->a, &err), 0);
	assert_int_equal(r.nrows, 4);
	assert_str(cell(&r, 3, 0), "[3]");
}

static void test_errors(void **state)
{
	struct fx *f = *state;
	struct adapter_result r;
	char *err = NULL;
	assert_int_equal(V->execute(f->conn, "select * from no_such_table", true, -1, &r, &f->a, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "Catalog Error"));
	assert_non_null(strstr(err, "no_such_table"));
	assert_null(strstr(err, "in statement"));

	err = NULL;
	assert_int_equal(V->execute(f->conn, "selec 1", true, -1, &r, &f->a, &err), -1);
	assert_non_null(strstr(err, "Parser Error"));

	/* in several statements, the failing one is named; earlier ones have run */
	err = NULL;
	assert_int_equal(V->execute(f->conn,
				    "create table e1(a int); select 'a;b' as \"x;\"; /* ; */ select * from nope2; "
				    "create table e2(a int)",
				    false, -1, NULL, &f->a, &err),
			 -1);
	assert_non_null(strstr(err, "nope2"));
	assert_non_null(strstr(err, "in statement 3 of 4: select * from nope2"));
	bool found = true;
	struct adapter_relation rel;
	assert_int_equal(V->get_relation(f->conn, NULL, NULL, "e1", &rel, &found, &f->a, &err), 0);
	assert_true(found);
	assert_int_equal(V->get_relation(f->conn, NULL, NULL, "e2", &rel, &found, &f->a, &err), 0);
	assert_false(found);

	/* an error at run time (not at prepare time) */
	err = NULL;
	assert_int_equal(V->execute(f->conn, "select 1; select cast('x' as integer)", true, -1, &r, &f->a, &err),
			 -1);
	assert_non_null(strstr(err, "Conversion Error"));
	assert_non_null(strstr(err, "in statement 2 of 2: select cast('x' as integer)"));

	/* dollar quotes and E-strings do not end statements early */
	err = NULL;
	assert_int_equal(V->execute(f->conn, "select $$a;b$$; select E'it\\'s;'; select * from nope3", true, -1,
				    &r, &f->a, &err), -1);
	assert_non_null(strstr(err, "in statement 3 of 3: select * from nope3"));

	/* the connection still works afterwards */
	r = run(f, "select 1");
	assert_int_val(cell(&r, 0, 0), 1);
}

/* ---------------------------------------------------------------- transactions */

static void test_transactions(void **state)
{
	struct fx *f = *state;
	char *err = NULL;
	bool found = true;
	struct adapter_relation rel;
	assert_int_equal(V->begin(f->conn, &f->a, &err), 0);
	run(f, "create table tx(a int); insert into tx values (1)");
	assert_int_equal(V->rollback(f->conn, &f->a, &err), 0);
	assert_int_equal(V->get_relation(f->conn, NULL, NULL, "tx", &rel, &found, &f->a, &err), 0);
	assert_false(found);

	assert_int_equal(V->begin(f->conn, &f->a, &err), 0);
	run(f, "create table tx(a int); insert into tx values (1)");
	assert_int_equal(V->commit(f->conn, &f->a, &err), 0);
	assert_int_equal(V->get_relation(f->conn, NULL, NULL, "tx", &rel, &found, &f->a, &err), 0);
	assert_true(found);

	/* commit without a transaction is DuckDB's error */
	err = NULL;
	assert_int_equal(V->commit(f->conn, &f->a, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "transaction"));

	/* right after our COMMIT, a transaction the SQL begins is still committed for real: another
	 * connection sees its table */
	run(f, "begin transaction; create table tx2(a int); insert into tx2 values (7)");
	err = NULL;
	assert_int_equal(V->commit(f->conn, &f->a, &err), 0);
	struct adapter_conn *other = NULL;
	assert_int_equal(V->open_conn(f->ad, &other, &f->a, &err), 0);
	struct adapter_result r;
	assert_int_equal(V->execute(other, "select a from tx2", true, -1, &r, &f->a, &err), 0);
	assert_int_val(cell(&r, 0, 0), 7);
	V->close_conn(other);

	/* after our ROLLBACK nothing is open either: COMMIT gives DuckDB's error */
	assert_int_equal(V->begin(f->conn, &f->a, &err), 0);
	assert_int_equal(V->rollback(f->conn, &f->a, &err), 0);
	err = NULL;
	assert_int_equal(V->commit(f->conn, &f->a, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "no transaction is active"));
	/* and a transaction begun then is committed */
	assert_int_equal(V->begin(f->conn, &f->a, &err), 0);
	run(f, "insert into tx2 values (8)");
	assert_int_equal(V->commit(f->conn, &f->a, &err), 0);
	r = run(f, "select count(*) from tx2");
	assert_int_val(cell(&r, 0, 0), 2);
}

/* ---------------------------------------------------------------- metadata */

static void test_relations(void **state)
{
	struct fx *f = *state;
	char *err = NULL;
	assert_int_equal(V->create_schema(f->conn, NULL, "Staging", &f->a, &err), 0);
	assert_int_equal(V->create_schema(f->conn, "memory", "Staging", &f->a, &err), 0);  /* idempotent */
	run(f, "create table \"Staging\".\"Orders\"(id integer, amount decimal(18,3), placed_at timestamp);"
	       "create view staging.v_orders as select id from staging.orders;"
	       "create table staging.b_items(x int);"
	       "create temp table scratch(y int)");
	struct adapter_relation rel;
	bool found = false;
	assert_int_equal(V->get_relation(f->conn, "memory", "staging", "orders", &rel, &found, &f->a, &err), 0);
	assert_true(found);
	assert_string_equal(rel.database, "memory");
	assert_string_equal(rel.schema, "Staging");
	assert_string_equal(rel.identifier, "Orders");
	assert_int_equal(rel.type, REL_TABLE);
	assert_int_equal(V->get_relation(f->conn, NULL, "STAGING", "V_ORDERS", &rel, &found, &f->a, &err), 0);
	assert_true(found);
	assert_int_equal(rel.type, REL_VIEW);
	assert_string_equal(rel.identifier, "v_orders");
	assert_int_equal(V->get_relation(f->conn, NULL, "staging", "missing", &rel, &found, &f->a, &err), 0);
	assert_false(found);
	assert_int_equal(V->get_relation(f->conn, "other_db", "staging", "orders", &rel, &found, &f->a, &err), 0);
	assert_false(found);
	assert_int_equal(V->get_relation(f->conn, "temp", "main", "scratch", &rel, &found, &f->a, &err), 0);
	assert_true(found);
	assert_int_equal(rel.type, REL_TABLE);

	struct adapter_relation *rels = NULL;
	size_t n = 0;
	assert_int_equal(V->list_relations(f->conn, NULL, "staging", &rels, &n, &f->a, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(rels[0].identifier, "Orders");
	assert_string_equal(rels[1].identifier, "b_items");
	assert_string_equal(rels[2].identifier, "v_orders");
	assert_int_equal(rels[2].type, REL_VIEW);
	assert_string_equal(rels[0].schema, "Staging");
	assert_int_equal(V->list_relations(f->conn, NULL, "empty_or_missing", &rels, &n, &f->a, &err), 0);
	assert_int_equal(n, 0);

	run(f, "comment on column staging.orders.amount is 'in euros'");
	struct adapter_column *cols = NULL;
	struct adapter_relation q = {NULL, "staging", "ORDERS", REL_TABLE};
	assert_int_equal(V->get_columns(f->conn, &q, &cols, &n, &f->a, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(cols[0].name, "id");
	assert_string_equal(cols[0].type, "INTEGER");
	assert_null(cols[0].comment);
	assert_string_equal(cols[1].name, "amount");
	assert_string_equal(cols[1].type, "DECIMAL(18,3)");
	assert_string_equal(cols[1].comment, "in euros");
	assert_string_equal(cols[2].name, "placed_at");
	assert_string_equal(cols[2].type, "TIMESTAMP");
	q.identifier = "missing";
	assert_int_equal(V->get_columns(f->conn, &q, &cols, &n, &f->a, &err), 0);
	assert_int_equal(n, 0);
}

static void test_catalog(void **state)
{
	struct fx *f = *state;
	char *err = NULL;
	run(f, "create schema s1; create schema s2; create schema s3;"
	       "create table s1.t1(b varchar, a integer); comment on table s1.t1 is 'first table';"
	       "comment on column s1.t1.a is 'the a';"
	       "create view s1.v1 as select a from s1.t1; comment on view s1.v1 is 'a view';"
	       "create table s2.t2(d date); create table s3.hidden(x int)");
	const char *schemas[] = {"s1", "S2"};
	struct adapter_catalog_table *tabs = NULL;
	size_t n = 0;
	assert_int_equal(V->catalog(f->conn, NULL, schemas, 2, &tabs, &n, &f->a, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(tabs[0].rel.schema, "s1");
	assert_string_equal(tabs[0].rel.identifier, "t1");
	assert_string_equal(tabs[0].rel.database, "memory");
	assert_int_equal(tabs[0].rel.type, REL_TABLE);
	assert_string_equal(tabs[0].comment, "first table");
	assert_null(tabs[0].owner);
	assert_int_equal(tabs[0].stats.type, V_NONE);
	assert_int_equal(tabs[0].ncols, 2);
	assert_string_equal(tabs[0].cols[0].name, "b");
	assert_string_equal(tabs[0].cols[0].type, "VARCHAR");
	assert_null(tabs[0].cols[0].comment);
	assert_string_equal(tabs[0].cols[1].name, "a");
	assert_string_equal(tabs[0].cols[1].comment, "the a");
	assert_string_equal(tabs[1].rel.identifier, "v1");
	assert_int_equal(tabs[1].rel.type, REL_VIEW);
	assert_string_equal(tabs[1].comment, "a view");
	assert_int_equal(tabs[1].ncols, 1);
	assert_string_equal(tabs[2].rel.identifier, "t2");
	assert_int_equal(tabs[2].ncols, 1);
	assert_string_equal(tabs[2].cols[0].type, "DATE");
	assert_null(tabs[2].comment);

	assert_int_equal(V->catalog(f->conn, NULL, schemas, 0, &tabs, &n, &f->a, &err), 0);
	assert_int_equal(n, 0);
	const char *none[] = {"nothing_here"};
	assert_int_equal(V->catalog(f->conn, "memory", none, 1, &tabs, &n, &f->a, &err), 0);
	assert_int_equal(n, 0);
}

/* ---------------------------------------------------------------- quoting and seeds */

static void test_quote(void **state)
{
	struct fx *f = *state;
	const struct {
		const char *in, *out;
	} cases[] = {
		{"orders", "\"orders\""},
		{"Mixed Case", "\"Mixed Case\""},
		{"a\"b", "\"a\"\"b\""},
		{"\"", "\"\"\"\""},
		{"", "\"\""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(V->quote(cases[i].in, &f->a), cases[i].out);
	/* a quoted name round-trips through DuckDB */
	const char *name = V->quote("we\"ird name", &f->a);
	run(f, arena_sprintf(&f->a, "create table %s(x int)", name));
	struct adapter_relation rel;
	bool found = false;
	char *err = NULL;
	assert_int_equal(V->get_relation(f->conn, NULL, NULL, "we\"ird name", &rel, &found, &f->a, &err), 0);
	assert_true(found);
	assert_string_equal(rel.identifier, "we\"ird name");
}

static void test_load_csv(void **state)
{
	struct fx *f = *state;
	char *err = NULL;
	char *csv = fs_join(&f->a, f->dir, "seed's.csv");
	const char *text = "id;Name;amount;day\n1;alice;1.50;2024-01-02\n2;bob;;2024-01-03\n3;\"c;d\";7;\n";
	assert_int_equal(fs_write(csv, text, strlen(text)), 0);
	value opts = dict(&f->a), types = dict(&f->a);
	val_dict_sets(opts, "delimiter", val_str(";"));
	val_dict_sets(types, "id", val_str("bigint"));
	val_dict_sets(types, "amount", val_str("decimal(10,2)"));
	val_dict_sets(opts, "column_types", types);
	val_dict_sets(opts, "quote_columns", val_bool(false));
	struct adapter_relation rel = {NULL, NULL, "my seed", REL_TABLE};
	assert_int_equal(V->load_csv(f->conn, &rel, csv, opts, &f->a, &err), 0);

	struct adapter_column *cols = NULL;
	size_t n = 0;
	assert_int_equal(V->get_columns(f->conn, &rel, &cols, &n, &f->a, &err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(cols[0].type, "BIGINT");
	assert_string_equal(cols[1].name, "Name");
	assert_string_equal(cols[1].type, "VARCHAR");
	assert_string_equal(cols[2].type, "DECIMAL(10,2)");
	assert_string_equal(cols[3].type, "DATE");
	struct adapter_result r = run(f, "select * from \"my seed\" order by id");
	assert_int_equal(r.nrows, 3);
	assert_str(cell(&r, 0, 1), "alice");
	assert_true(cell(&r, 0, 2).f == 1.5);
	assert_int_equal(cell(&r, 1, 2).type, V_NONE);
	assert_str(cell(&r, 2, 1), "c;d");
	assert_str(cell(&r, 1, 3), "2024-01-03");
	assert_int_equal(cell(&r, 2, 3).type, V_NONE);

	/* plain options, a missing file, and an existing table are errors with DuckDB's text */
	struct adapter_relation rel2 = {"memory", "main", "plain", REL_TABLE};
	char *csv2 = fs_join(&f->a, f->dir, "plain.csv");
	assert_int_equal(fs_write(csv2, "a,b\n1,x\n", 8), 0);
	assert_int_equal(V->load_csv(f->conn, &rel2, csv2, val_none(), &f->a, &err), 0);
	err = NULL;
	assert_int_equal(V->load_csv(f->conn, &rel2, csv2, val_none(), &f->a, &err), -1);
	assert_non_null(strstr(err, "already exists"));
	struct adapter_relation rel3 = {NULL, NULL, "nofile", REL_TABLE};
	err = NULL;
	assert_int_equal(V->load_csv(f->conn, &rel3, "/nonexistent/x.csv", val_none(), &f->a, &err), -1);
	assert_non_null(err);
	val_dict_sets(opts, "delimiter", val_int(1));
	assert_int_equal(V->load_csv(f->conn, &rel3, csv2, opts, &f->a, &err), -1);
	assert_non_null(strstr(err, "delimiter"));
}

/* ---------------------------------------------------------------- threads */

struct writer {
	struct adapter *ad;
	int id;
	int rc;
	char *err;
};

static void *writer_main(void *p)
{
	struct writer *w = p;
	struct arena a;
	arena_init(&a, 4096);
	struct adapter_conn *c = NULL;
	w->rc = V->open_conn(w->ad, &c, &a, &w->err);
	for (int i = 0; i < 200 && !w->rc; i++) {
		char sql[200];
		snprintf(sql, sizeof(sql),
			 "insert into shared values (%d, %d); insert into own_%d values (%d)", w->id, i, w->id, i);
		struct adapter_result r;
		w->rc = V->execute(c, sql, i % 50 == 0, -1, &r, &a, &w->err);
	}
	if (!w->rc)
		w->rc = V->execute(c, "begin; insert into shared values (-1, -1); commit", false, -1, NULL, &a, &w->err);
	if (w->err)
		w->err = strdup(w->err);
	V->close_conn(c);
	arena_release(&a);
	return NULL;
}

static void test_two_threads(void **state)
{
	struct fx *f = *state;
	value t = dict(&f->a);
	val_dict_sets(t, "path", val_str("threads.duckdb"));
	struct adapter *ad = NULL;
	struct adapter_conn *c = NULL;
	char *err = NULL;
	assert_int_equal(V->open(&ad, t, f->dir, &f->a, &err), 0);
	assert_int_equal(V->open_conn(ad, &c, &f->a, &err), 0);
	assert_int_equal(V->execute(c, "create table shared(w int, i int); create table own_1(i int); "
				       "create table own_2(i int)",
				    false, -1, NULL, &f->a, &err), 0);
	struct writer w[2] = {{ad, 1, 0, NULL}, {ad, 2, 0, NULL}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, writer_main, &w[i]), 0);
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		if (w[i].rc)
			fail_msg("writer %d: %s", w[i].id, w[i].err);
	}
	struct adapter_result r;
	assert_int_equal(V->execute(c, "select (select count(*) from shared), (select count(*) from own_1), "
				       "(select count(*) from own_2), (select count(distinct (w, i)) from shared)",
				    true, -1, &r, &f->a, &err), 0);
	assert_int_val(cell(&r, 0, 0), 402);
	assert_int_val(cell(&r, 0, 1), 200);
	assert_int_val(cell(&r, 0, 2), 200);
	assert_int_val(cell(&r, 0, 3), 401);
	V->close_conn(c);
	V->close(ad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_memory, setup_mem, teardown),
		cmocka_unit_test_setup_teardown(test_open_file_stem, setup_mem, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup_mem, teardown),
		cmocka_unit_test_setup_teardown(test_settings, setup_mem, teardown),
		cmocka_unit_test_setup_teardown(test_multi_statement, setup_mem, teardown),
		cmocka_unit_test_setup_teardown(test_scalar_types, setup_mem, teardown),
		cmocka_unit_test_setup_teardown(test_temporal_types, setup_mem, teardown),
		cmocka_unit_test_setup_teardown(test_nested_types, setup_mem, teardown),
		cmocka_unit_test_setup_teardown(test_limit_and_chunks, setup_mem, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup_mem, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup_mem, teardown),
		cmocka_unit_test_setup_teardown(test_relations, setup_mem, teardown),
		cmocka_unit_test_setup_teardown(test_catalog, setup_mem, teardown),
		cmocka_unit_test_setup_teardown(test_quote, setup_mem, teardown),
		cmocka_unit_test_setup_teardown(test_load_csv, setup_mem, teardown),
		cmocka_unit_test_setup_teardown(test_two_threads, setup_mem, teardown),
	};
	return cmocka_run_group_tests_name("adapters/duckdb", tests, NULL, NULL);
}
