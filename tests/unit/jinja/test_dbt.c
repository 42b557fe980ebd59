/*
 * jinja: dbt semantics. Macros from jj_template_macros resolve free names in the context of the
 * render that calls them (so a macro sees the calling model's `this`); return() ends the macro with
 * a value that is not a string; jj_call and jj_invoke call macros from C; materialization, test,
 * docs and snapshot tags; and concurrent renders of shared templates on several threads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/diag.h"
#include "core/sb.h"
#include "jinja/jinja.h"

static const char macros_sql[] =
	"{% macro get_this() %}{{ this }}{% endmacro %}\n"
	"{% macro ret_list(n) %}{% do return([n, this, n * 2]) %}unreached{% endmacro %}\n"
	"{% macro ret_early(x) %}{% if x %}{{ return('early') }}{% endif %}late{% endmacro %}\n"
	"{% macro uses_sibling() %}<{{ get_this() }}>{% endmacro %}\n"
	"{% macro cfg(key) %}{{ config.get(key, 'none') }}{% endmacro %}\n"
	"{% materialization table, adapter='duckdb' %}create table {{ this }}{% endmaterialization %}\n"
	"{% materialization view, default %}create view {{ this }}{% endmaterialization %}\n"
	"{% test not_null(model, column_name) %}select * from {{ model }} where {{ column_name }} is null"
	"{% endtest %}\n"
	"{% docs orders %}The **orders** table: {{ not rendered }}{% enddocs %}\n"
	"{% snapshot snap %}select {{ this }} as s{% endsnapshot %}\n";

static value f_return(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	jj_macro_return(vm, jj_arg(args, 0, NULL, val_none()));
}

/* calls the macro named by the first argument from C, with the remaining arguments */
static value f_call(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value fn = jj_lookup(vm, val_cstr(jj_arena(vm), args->pos[0]));
	struct vargs rest = {args->pos + 1, args->npos - 1, NULL, NULL, 0};
	return jj_call(vm, fn, &rest);
}

struct fixture {
	struct arena a;
	struct jj_env *env;
	struct jj_template *mt;
	value macros;
};

static int setup(void **state)
{
	static struct fixture f;
	arena_init(&f.a, 0);
	f.env = jj_env_new();
	jj_env_set_global(f.env, "return", val_func(&f.a, "return", f_return, NULL));
	jj_env_set_global(f.env, "call_macro", val_func(&f.a, "call_macro", f_call, NULL));
	struct diag_list dl;
	diag_list_init(&dl);
	uint32_t file = diag_file_add("macros/m.sql", macros_sql, sizeof(macros_sql) - 1);
	assert_int_equal(jj_parse(f.env, &f.a, "macros/m.sql", file, macros_sql, sizeof(macros_sql) - 1, &f.mt, &dl), 0);
	diag_list_release(&dl);
	f.macros = jj_template_macros(&f.a, f.mt, "my_pkg");
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	jj_env_free(f->env);
	arena_release(&f->a);
	diag_files_release();
	return 0;
}

/* a model's context: this, config, and every macro (as the dbt layer builds it) */
static value model_ctx(struct fixture *f, struct arena *a, const char *this_name)
{
	value ctx = val_dict_new(a, 16);
	for (uint32_t i = 0; i < f->macros.d->len; i++)
		val_dict_set(ctx, f->macros.d->e[i].key, f->macros.d->e[i].val);
	val_dict_sets(ctx, "this", val_str(this_name));
	value config = val_dict_new(a, 2);
	val_dict_sets(config, "materialized", val_str("table"));
	val_dict_sets(ctx, "config", config);
	return ctx;
}

static char *render(struct fixture *f, struct arena *scratch, const char *text, value ctx)
{
	struct diag_list dl;
	diag_list_init(&dl);
	struct jj_template *t;
	uint32_t file = diag_file_add("models/x.sql", text, strlen(text));
	struct sb out = SB_INIT;
	if (jj_parse(f->env, scratch, "models/x.sql", file, text, strlen(text), &t, &dl) ||
	    jj_render(f->env, t, ctx, scratch, NULL, &out, &dl)) {
		struct sb err = SB_INIT;
		for (const struct diag *d = dl.head; d; d = d->next)
			diag_format(&err, d, false);
		fail_msg("%s: %s", text, err.buf);
	}
	char *r = arena_strdup(scratch, out.buf);
	sb_release(&out);
	diag_list_release(&dl);
	return r;
}

static void test_macros_dict(void **state)
{
	struct fixture *f = *state;
	static const char *const want[] = {"get_this", "ret_list", "ret_early", "uses_sibling", "cfg",
					   "materialization_table_duckdb", "materialization_view_default",
					   "test_not_null"};
	assert_int_equal(f->macros.d->len, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		value m = val_dict_gets(f->macros, want[i]);
		assert_true(jj_is_macro(m));
		assert_string_equal(jj_macro_name(m), want[i]);
		assert_string_equal(jj_macro_package(m), "my_pkg");
	}
	struct loc l = jj_macro_loc(val_dict_gets(f->macros, "ret_list"));
	int line, col;
	loc_linecol(l, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 4); /* the `macro` keyword */
	assert_false(jj_is_macro(val_str("x")));
}

static void test_dynamic_globals(void **state)
{
	struct fixture *f = *state;
	struct arena s;
	arena_init(&s, 0);
	/* the same macro objects see each calling render's `this` */
	assert_string_equal(render(f, &s, "{{ get_this() }}", model_ctx(f, &s, "db.a")), "db.a");
	assert_string_equal(render(f, &s, "{{ get_this() }}", model_ctx(f, &s, "db.b")), "db.b");
	assert_string_equal(render(f, &s, "{{ uses_sibling() }}", model_ctx(f, &s, "db.c")), "<db.c>");
	assert_string_equal(render(f, &s, "{{ cfg('materialized') }}|{{ cfg('x') }}", model_ctx(f, &s, "t")),
			    "table|none");
	/* a model's own top-level variables are not visible to the macro, its context is */
	assert_string_equal(render(f, &s, "{% set this = 'local' %}{{ get_this() }}/{{ this }}",
				   model_ctx(f, &s, "ctx")),
			    "ctx/local");
	assert_string_equal(render(f, &s, "{{ materialization_table_duckdb() }}", model_ctx(f, &s, "m")),
			    "create table m");
	assert_string_equal(render(f, &s, "{{ test_not_null('tbl', 'id') }}", model_ctx(f, &s, "m")),
			    "select * from tbl where id is null");
	arena_release(&s);
}

static void test_return(void **state)
{
	struct fixture *f = *state;
	struct arena s;
	arena_init(&s, 0);
	value ctx = model_ctx(f, &s, "t1");
	/* return() gives the value itself, usable in expressions */
	assert_string_equal(render(f, &s, "{{ ret_list(3) }} {{ ret_list(2)|length }} {{ ret_list(5)[2] + 1 }}", ctx),
			    "[3, 't1', 6] 3 11");
	assert_string_equal(render(f, &s, "{{ ret_early(true) }}|{{ ret_early(false) }}", ctx), "early|late");
	assert_string_equal(render(f, &s, "{% set l = ret_list(1) %}{% for x in l %}{{ x }};{% endfor %}", ctx),
			    "1;t1;2;");
	/* output before the return is dropped; the caller's output is intact */
	assert_string_equal(render(f, &s, "a{{ ret_early(1) }}b", ctx), "aearlyb");
	/* jj_call from a native function, which itself calls a macro that returns */
	assert_string_equal(render(f, &s, "{{ call_macro('ret_list', 4) }} {{ call_macro('get_this') }}", ctx),
			    "[4, 't1', 8] t1");
	arena_release(&s);
}

static void test_invoke(void **state)
{
	struct fixture *f = *state;
	struct arena s;
	arena_init(&s, 0);
	struct diag_list dl;
	diag_list_init(&dl);
	value ctx = model_ctx(f, &s, "from_c");
	value res;
	value argv[1] = {val_int(7)};
	struct vargs args = {argv, 1, NULL, NULL, 0};
	assert_int_equal(jj_invoke(f->env, val_dict_gets(f->macros, "ret_list"), &args, ctx, &s, NULL, &res, &dl), 0);
	struct sb out = SB_INIT;
	val_repr_to(&out, res);
	assert_string_equal(out.buf, "[7, 'from_c', 14]");
	sb_reset(&out);
	struct vargs none = {0};
	assert_int_equal(jj_invoke(f->env, val_dict_gets(f->macros, "get_this"), &none, ctx, &s, NULL, &res, &dl), 0);
	assert_true(val_streq(res, "from_c"));
	/* errors come back as diagnostics */
	assert_int_not_equal(jj_invoke(f->env, val_int(1), &none, ctx, &s, NULL, &res, &dl), 0);
	assert_int_equal(dl.nerrors, 1);
	assert_non_null(strstr(dl.head->msg, "not callable"));
	sb_release(&out);
	diag_list_release(&dl);
	arena_release(&s);
}

static value snapshot_render(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value blocks = *(value *)ud;
	value fn = val_dict_gets(blocks, "snap");
	struct vargs none = {0};
	return jj_call(vm, fn, &none);
}

static void test_blocks(void **state)
{
	struct fixture *f = *state;
	struct arena s;
	arena_init(&s, 0);
	value docs = jj_template_blocks(&s, f->mt, "docs");
	assert_int_equal(docs.d->len, 1);
	assert_true(val_streq(val_dict_gets(docs, "orders"), "The **orders** table: {{ not rendered }}"));
	value snaps = jj_template_blocks(&s, f->mt, "snapshot");
	assert_int_equal(snaps.d->len, 1);
	value ctx = model_ctx(f, &s, "snapped");
	val_dict_sets(ctx, "render_snapshot", val_func(&s, "render_snapshot", snapshot_render, &snaps));
	assert_string_equal(render(f, &s, "{{ render_snapshot() }}", ctx), "select snapped as s");
	/* the tags themselves render nothing */
	struct diag_list dl;
	diag_list_init(&dl);
	struct sb out = SB_INIT;
	assert_int_equal(jj_render(f->env, f->mt, ctx, &s, NULL, &out, &dl), 0);
	assert_null(strstr(out.buf, "create"));
	assert_null(strstr(out.buf, "orders"));
	sb_release(&out);
	diag_list_release(&dl);
	arena_release(&s);
}

/* --- threads: the same env and templates, a scratch arena and diag list each --- */

struct worker {
	struct fixture *f;
	struct jj_template *t;
	int id;
	int ok;
};

static void *work(void *p)
{
	struct worker *w = p;
	char name[32], want[256];
	snprintf(name, sizeof(name), "t%d", w->id);
	for (int i = 0; i < 300; i++) {
		struct arena s;
		arena_init(&s, 8192);
		struct diag_list dl;
		diag_list_init(&dl);
		value ctx = model_ctx(w->f, &s, name);
		val_dict_sets(ctx, "i", val_int(i));
		struct sb out = SB_INIT;
		int rc = jj_render(w->f->env, w->t, ctx, &s, NULL, &out, &dl);
		snprintf(want, sizeof(want), "%s:%d:<%s>:[%d, '%s', %d]:0,1,2,", name, i, name, i, name, 2 * i);
		if (rc == 0 && strcmp(out.buf, want) == 0)
			w->ok++;
		sb_release(&out);
		diag_list_release(&dl);
		arena_release(&s);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct fixture *f = *state;
	const char *text = "{{ get_this() }}:{{ i }}:{{ uses_sibling() }}:{{ ret_list(i) }}:"
			   "{% for x in range(3) %}{{ x }},{% endfor %}";
	struct diag_list dl;
	diag_list_init(&dl);
	struct jj_template *t;
	assert_int_equal(jj_parse(f->env, &f->a, "threads.sql", 0, text, strlen(text), &t, &dl), 0);
	pthread_t th[4];
	struct worker w[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){f, t, i, 0};
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].ok, 300);
	}
	diag_list_release(&dl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_macros_dict),
		cmocka_unit_test(test_dynamic_globals),
		cmocka_unit_test(test_return),
		cmocka_unit_test(test_invoke),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
