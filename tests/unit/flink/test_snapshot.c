/*
 * flink driver: folding a changelog into its final rows (flink_snapshot_*). The changelog of an
 * aggregation (+I, -U/+U pairs), deletes, an updated row keeping its place, duplicates taken back
 * one at a time, NULLs and value kinds in the match, upsert keys (a key replaces its row, -D of an
 * unknown key is ignored), a retraction of a row never sent, and many rows (the hash grows).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice/flink.h"

/* A row of two columns: a string key (NULL when k is NULL) and an integer */
struct r2 {
	struct flink_value f[2];
	struct flink_row row;
	char buf[32];
};

static const struct flink_row *mk(struct r2 *r, enum flink_row_kind kind, const char *k, int64_t v)
{
	memset(r, 0, sizeof *r);
	if (k) {
		r->f[0] = (struct flink_value){.kind = FLINK_V_STRING, .text = k, .len = strlen(k)};
	} else {
		r->f[0] = (struct flink_value){.kind = FLINK_V_NULL};
	}
	snprintf(r->buf, sizeof r->buf, "%lld", (long long)v);
	r->f[1] = (struct flink_value){.kind = FLINK_V_INT, .i = v, .text = r->buf, .len = strlen(r->buf)};
	r->row.kind = kind;
	r->row.fields = r->f;
	return &r->row;
}

static void apply(flink_snapshot *s, enum flink_row_kind kind, const char *k, int64_t v)
{
	struct r2 r;
	struct flink_error e;
	flink_error_init(&e);
	if (flink_snapshot_apply(s, mk(&r, kind, k, v), &e) != FLINK_OK)
		fail_msg("apply %s %s %lld: %s", flink_row_kind_short(kind), k ? k : "NULL", (long long)v, e.message);
	flink_error_release(&e);
}

/* The rows as "k=v,k=v" */
static char *text(flink_snapshot *s)
{
	static char out[4096];
	const struct flink_row *rows;
	size_t n = flink_snapshot_rows(s, &rows);
	out[0] = 0;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(rows[i].kind, FLINK_ROW_INSERT);
		const struct flink_value *f = rows[i].fields;
		snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s=%lld", i ? "," : "",
			 f[0].kind == FLINK_V_NULL ? "NULL" : f[0].text, (long long)f[1].i);
	}
	return out;
}

static void test_aggregation(void **state)
{
	(void)state;
	flink_snapshot *s = flink_snapshot_new(2, NULL, 0);
	apply(s, FLINK_ROW_INSERT, "a", 1);
	apply(s, FLINK_ROW_INSERT, "b", 1);
	apply(s, FLINK_ROW_UPDATE_BEFORE, "a", 1);
	apply(s, FLINK_ROW_UPDATE_AFTER, "a", 2);
	apply(s, FLINK_ROW_INSERT, "c", 5);
	apply(s, FLINK_ROW_UPDATE_BEFORE, "b", 1);
	apply(s, FLINK_ROW_UPDATE_AFTER, "b", 7);
	/* an updated row keeps its place */
	assert_string_equal(text(s), "a=2,b=7,c=5");
	apply(s, FLINK_ROW_DELETE, "a", 2);
	assert_string_equal(text(s), "b=7,c=5");
	/* an insert after a delete goes to the end */
	apply(s, FLINK_ROW_INSERT, "a", 3);
	assert_string_equal(text(s), "b=7,c=5,a=3");
	flink_snapshot_free(s);
}

static void test_duplicates_and_nulls(void **state)
{
	(void)state;
	flink_snapshot *s = flink_snapshot_new(2, NULL, 0);
	apply(s, FLINK_ROW_INSERT, "x", 1);
	apply(s, FLINK_ROW_INSERT, "x", 1);
	apply(s, FLINK_ROW_INSERT, NULL, 1);
	apply(s, FLINK_ROW_DELETE, "x", 1);
	assert_string_equal(text(s), "x=1,NULL=1");
	apply(s, FLINK_ROW_DELETE, NULL, 1);
	assert_string_equal(text(s), "x=1");
	/* the text "1" of a string is not the integer 1 */
	struct r2 r;
	mk(&r, FLINK_ROW_DELETE, "x", 1);
	r.f[1] = (struct flink_value){.kind = FLINK_V_STRING, .text = "1", .len = 1};
	struct flink_error e;
	flink_error_init(&e);
	assert_int_equal(flink_snapshot_apply(s, &r.row, &e), FLINK_E_PROTOCOL);
	assert_non_null(strstr(e.message, "-D"));
	flink_error_release(&e);
	assert_string_equal(text(s), "x=1");
	flink_snapshot_free(s);
}

static void test_retraction_of_unknown_row(void **state)
{
	(void)state;
	flink_snapshot *s = flink_snapshot_new(2, NULL, 0);
	apply(s, FLINK_ROW_INSERT, "a", 1);
	struct r2 r;
	struct flink_error e;
	flink_error_init(&e);
	assert_int_equal(flink_snapshot_apply(s, mk(&r, FLINK_ROW_UPDATE_BEFORE, "a", 2), &e), FLINK_E_PROTOCOL);
	assert_string_equal(e.message, "the changelog takes back a row (-U) that is not in the result");
	flink_error_release(&e);
	assert_int_equal(flink_snapshot_apply(NULL, &r.row, &e), FLINK_E_ARG);
	flink_error_release(&e);
	flink_snapshot_free(s);
	flink_snapshot_free(NULL);
}

static void test_upsert_key(void **state)
{
	(void)state;
	size_t key[] = {0};
	flink_snapshot *s = flink_snapshot_new(2, key, 1);
	apply(s, FLINK_ROW_INSERT, "a", 1);
	apply(s, FLINK_ROW_INSERT, "b", 1);
	/* upsert: +U of a known key replaces it in place, without a -U */
	apply(s, FLINK_ROW_UPDATE_AFTER, "a", 9);
	assert_string_equal(text(s), "a=9,b=1");
	/* -D needs only the key; one of an unknown key is ignored */
	apply(s, FLINK_ROW_DELETE, "b", 0);
	apply(s, FLINK_ROW_DELETE, "zz", 0);
	assert_string_equal(text(s), "a=9");
	apply(s, FLINK_ROW_INSERT, "a", 10);
	assert_string_equal(text(s), "a=10");
	flink_snapshot_free(s);
	/* a key outside the row falls back to whole rows */
	size_t bad[] = {7};
	s = flink_snapshot_new(2, bad, 1);
	apply(s, FLINK_ROW_INSERT, "a", 1);
	apply(s, FLINK_ROW_INSERT, "a", 2);
	assert_string_equal(text(s), "a=1,a=2");
	flink_snapshot_free(s);
}

static void test_many_rows(void **state)
{
	(void)state;
	flink_snapshot *s = flink_snapshot_new(2, NULL, 0);
	char k[16];
	for (int i = 0; i < 5000; i++) {
		snprintf(k, sizeof k, "k%d", i);
		apply(s, FLINK_ROW_INSERT, k, i);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(k, sizeof k, "k%d", i);
		apply(s, FLINK_ROW_UPDATE_BEFORE, k, i);
		apply(s, FLINK_ROW_UPDATE_AFTER, k, i + 1);
		if (i % 2)
			apply(s, FLINK_ROW_DELETE, k, i + 1);
	}
	const struct flink_row *rows;
	size_t n = flink_snapshot_rows(s, &rows);
	assert_int_equal(n, 2500);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(rows[i].fields[1].i, (int64_t)(2 * i + 1));
	flink_snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggregation),
		cmocka_unit_test(test_duplicates_and_nulls),
		cmocka_unit_test(test_retraction_of_unknown_row),
		cmocka_unit_test(test_upsert_key),
		cmocka_unit_test(test_many_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
