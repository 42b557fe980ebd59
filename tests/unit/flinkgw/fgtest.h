/*
 * Helpers shared by the engine's unit tests: a fixture with a temporary data folder, an engine
 * and a session; running statements and comparing their rows as compact text
 * ("+I[1,\"a\"]", "-U[...]", ...) so a test reads like the changelog it expects.
 */
#ifndef FLINKGW_FGTEST_H
#define FLINKGW_FGTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/fs.h"
#include "core/sb.h"
#include "engine.h"

struct fx {
	char dir[64];
	struct fg_engine *e;
	struct fg_session *s;
};

static inline struct fx *fx_new(const char *version, long job_run_ms)
{
	struct fx *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/fg-engine-XXXXXX");
	if (!mkdtemp(f->dir))
		return NULL;
	struct fg_engine_options o = {.data_dir = f->dir, .flink_version = version, .job_run_ms = job_run_ms};
	char *err = NULL;
	f->e = fg_engine_new(&o, &err);
	if (!f->e) {
		fprintf(stderr, "engine: %s\n", err);
		free(err);
		return NULL;
	}
	f->s = fg_session_new(f->e, NULL);
	return f;
}

static inline int fx_setup(void **state)
{
	struct fx *f = fx_new("2.0.0", 30);
	if (!f)
		return -1;
	*state = f;
	return 0;
}

static inline int fx_teardown(void **state)
{
	struct fx *f = *state;
	if (f->s)
		fg_session_free(f->s);
	fg_engine_free(f->e);
	fs_rm_rf(f->dir);
	free(f);
	return 0;
}

static inline void fx_write(struct fx *f, const char *rel, const char *text)
{
	struct arena a;
	arena_init(&a, 512);
	char *p = fs_join(&a, f->dir, rel);
	assert_int_equal(fs_write(p, text, strlen(text)), 0);
	arena_release(&a);
}

static inline char *fx_path(struct fx *f, const char *rel)
{
	struct sb o = SB_INIT;
	sb_addf(&o, "%s/%s", f->dir, rel);
	return sb_detach(&o, NULL);
}

static inline void show_causes(const struct fg_result *r)
{
	for (int i = 0; i < r->ncauses; i++)
		fprintf(stderr, "  cause %d: %s: %s\n", i, r->causes[i].cls, r->causes[i].msg);
}

/* runs a statement that must succeed */
static inline void run_ok_in(struct fg_session *s, const char *sql)
{
	struct fg_result r;
	fg_execute(s, sql, NULL, &r);
	if (!r.ok) {
		fprintf(stderr, "statement failed: %s\n", sql);
		show_causes(&r);
	}
	assert_true(r.ok);
	if (r.stream)
		fg_stream_close(r.stream);
	fg_result_release(&r);
}

#define run_ok(f, sql) run_ok_in((f)->s, (sql))

/* "+I[1,\"a\"]|-U[...]" for rows, the fields written as the gateway writes them (fg_rows_json) */
static inline char *rows_text_cols(json_t *columns, json_t *rows)
{
	struct sb o = SB_INIT;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *k = json_string_value(json_object_get(r, "kind"));
		const char *sk = !strcmp(k, "INSERT") ? "+I" : !strcmp(k, "DELETE") ? "-D" :
			!strcmp(k, "UPDATE_BEFORE") ? "-U" : "+U";
		json_t *one = json_array();
		json_array_append(one, r);
		char *txt = fg_rows_json(columns, one);
		json_decref(one);
		/* [{"kind":"X","fields":[...]}] -> [...] */
		char *fs = strstr(txt, "\"fields\":");
		size_t n = fs ? strlen(fs) : 0;
		sb_addf(&o, "%s%s%.*s", i ? "|" : "", sk, n > 11 ? (int)(n - 11) : 0, fs ? fs + 9 : "");
		free(txt);
	}
	return sb_detach(&o, NULL);
}

#define rows_text(rows) rows_text_cols(r.columns, (rows))

/* runs a statement that must succeed and compares its rows */
static inline void expect_rows_in(struct fg_session *s, const char *sql, const char *want)
{
	struct fg_result r;
	fg_execute(s, sql, NULL, &r);
	if (!r.ok) {
		fprintf(stderr, "statement failed: %s\n", sql);
		show_causes(&r);
	}
	assert_true(r.ok);
	char *got = rows_text_cols(r.columns, r.rows);
	if (strcmp(got, want))
		fprintf(stderr, "statement: %s\n  want: %s\n  got:  %s\n", sql, want, got);
	assert_string_equal(got, want);
	free(got);
	if (r.stream)
		fg_stream_close(r.stream);
	fg_result_release(&r);
}

#define expect_rows(f, sql, want) expect_rows_in((f)->s, (sql), (want))

/* the columns of a statement's result, compact */
static inline char *columns_of(struct fx *f, const char *sql)
{
	struct fg_result r;
	fg_execute(f->s, sql, NULL, &r);
	if (!r.ok)
		show_causes(&r);
	assert_true(r.ok);
	char *c = json_dumps(r.columns, JSON_COMPACT);
	if (r.stream)
		fg_stream_close(r.stream);
	fg_result_release(&r);
	return c;
}

/* runs a statement that must fail; cause i (0 outermost) must have class cls and message msg */
static inline void expect_error_in(struct fg_session *s, const char *sql, int i, const char *cls, const char *msg)
{
	struct fg_result r;
	fg_execute(s, sql, NULL, &r);
	if (r.ok)
		fprintf(stderr, "statement should have failed: %s\n", sql);
	assert_false(r.ok);
	if (i >= r.ncauses || strcmp(r.causes[i].cls, cls) || strcmp(r.causes[i].msg, msg)) {
		fprintf(stderr, "statement: %s\n  want cause %d: %s: %s\n", sql, i, cls, msg);
		show_causes(&r);
	}
	assert_true(i < r.ncauses);
	assert_string_equal(r.causes[i].cls, cls);
	assert_string_equal(r.causes[i].msg, msg);
	fg_result_release(&r);
}

#define expect_error(f, sql, i, cls, msg) expect_error_in((f)->s, (sql), (i), (cls), (msg))

/* the first cell of the first row as text */
static inline char *cell(struct fx *f, const char *sql)
{
	struct fg_result r;
	fg_execute(f->s, sql, NULL, &r);
	if (!r.ok)
		show_causes(&r);
	assert_true(r.ok);
	json_t *v = json_array_get(json_object_get(json_array_get(r.rows, 0), "fields"), 0);
	char *s = json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY);
	fg_result_release(&r);
	return s;
}

#endif
