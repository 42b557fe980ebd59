/*
 * jinja: rendering. A table of {template, context JSON, expected output} over syntax, whitespace
 * control, scoping, loops, macros and call blocks, filters, tests and methods (the conformance
 * suite in tests/jinja/ goes much further; these pin the basics at the API level), plus templates
 * loaded by name (include, import, extends) and repeated renders of one parsed template.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/diag.h"
#include "core/sb.h"
#include "jinja/jinja.h"

static const struct {
	const char *tmpl, *ctx, *want;
} cases[] = {
	{"Hello {{ name }}!", "{\"name\": \"World\"}", "Hello World!"},
	{"{{ missing }}|{{ missing is defined }}", NULL, "|False"},
	{"a\n", NULL, "a"},
	{"a\n\n", NULL, "a\n"},
	{"  {%- if true -%}  x  {%- endif -%}  ", NULL, "x"},
	{"{% raw %}{{ x }}{% endraw %}", NULL, "{{ x }}"},
	{"{# c #}x", NULL, "x"},
	{"{{ 1 + 2 * 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % -3 }}", NULL,
	 "7 64 4 3 -4 -2"},
	{"{{ 1 / 2 }} {{ 1.0 }} {{ 1e20 }} {{ 0.1 }}", NULL, "0.5 1.0 1e+20 0.1"},
	{"{{ ['a', 1] }} {{ {'a': 1} }} {{ (1,) }} {{ none }} {{ true }}", NULL, "['a', 1] {'a': 1} (1,) None True"},
	{"{{ 'a' ~ 1 ~ none }}", NULL, "a1None"},
	{"{% for x in [1, 2, 3] %}{{ loop.index }}{{ x }}{% if not loop.last %},{% endif %}{% endfor %}", NULL,
	 "11,22,33"},
	{"{% for k, v in d|dictsort %}{{ k }}={{ v }} {% endfor %}", "{\"d\": {\"b\": 2, \"a\": 1}}", "a=1 b=2 "},
	{"{% for x in [] %}x{% else %}empty{% endfor %}", NULL, "empty"},
	{"{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{% endfor %}{{ x }}", NULL, "1"},
	{"{% set ns = namespace(n=0) %}{% for i in [1, 2] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", NULL,
	 "3"},
	{"{% if false %}a{% elif true %}b{% else %}c{% endif %}", NULL, "b"},
	{"{% macro m(a, b=2) %}{{ a }}{{ b }}{% endmacro %}{{ m(1) }}{{ m(1, b=3) }}", NULL, "1213"},
	{"{% macro m() %}[{{ caller() }}]{% endmacro %}{% call m() %}body{% endcall %}", NULL, "[body]"},
	{"{% macro m() %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, x=2) }}", NULL, "(1,){'x': 2}"},
	{"{% filter upper %}abc{% endfilter %}", NULL, "ABC"},
	{"{% set x | trim %}  y  {% endset %}[{{ x }}]", NULL, "[y]"},
	{"{% with a = 1 %}{{ a }}{% endwith %}{{ a }}", NULL, "1"},
	{"{% set l = [] %}{% do l.append(1) %}{{ l }}", NULL, "[1]"},
	{"{{ 'a,b'.split(',') }} {{ ' x '.strip() }} {{ 'ab'.upper() }} {{ '{}-{}'.format(1, 2) }}", NULL,
	 "['a', 'b'] x AB 1-2"},
	{"{{ d.get('a') }} {{ d.get('z', 0) }} {{ d.items()|list }}", "{\"d\": {\"a\": 1}}", "1 0 [('a', 1)]"},
	{"{{ [3, 1, 2]|sort|join(',') }} {{ 'x'|default('y') }} {{ z|default('y') }} {{ [1, 2]|length }}", NULL,
	 "1,2,3 x y 2"},
	{"{{ 3 is odd }} {{ 4 is divisibleby(2) }} {{ none is none }} {{ 'a' is string }}", NULL,
	 "True True True True"},
	{"{{ range(3)|list }} {{ dict(a=1) }}", NULL, "[0, 1, 2] {'a': 1}"},
	{"{{ {'a': '<b>'}|tojson }}", NULL, "{\"a\": \"\\u003cb\\u003e\"}"},
	{"{{ 2 ** 64 }} {{ 9223372036854775807 + 1 }}", NULL, "18446744073709551616 9223372036854775808"},
	{"{% for i in range(5) %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{% endfor %}", NULL, "012"},
	{"{{ 'x' if false }}|{{ 'y' if true }}", NULL, "|y"},
};

static int render(struct jj_env *env, const char *tmpl, const char *ctxjson, struct sb *out, struct sb *err)
{
	struct arena a, scratch;
	arena_init(&a, 0);
	arena_init(&scratch, 0);
	struct diag_list dl;
	diag_list_init(&dl);
	value ctx = val_none();
	if (ctxjson) {
		char *perr;
		assert_int_equal(val_from_json(&a, ctxjson, strlen(ctxjson), &ctx, &perr), 0);
	}
	uint32_t file = diag_file_add("t.sql", tmpl, strlen(tmpl));
	struct jj_template *t;
	int rc = jj_parse(env, &a, "t.sql", file, tmpl, strlen(tmpl), &t, &dl);
	if (rc == 0)
		rc = jj_render(env, t, ctx, &scratch, NULL, out, &dl);
	for (const struct diag *d = dl.head; d; d = d->next)
		diag_format(err, d, false);
	diag_list_release(&dl);
	arena_release(&scratch);
	arena_release(&a);
	return rc;
}

static void test_table(void **state)
{
	struct jj_env *env = jj_env_new();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sb out = SB_INIT, err = SB_INIT;
		int rc = render(env, cases[i].tmpl, cases[i].ctx, &out, &err);
		if (rc != 0)
			fail_msg("case %zu %s: error %s", i, cases[i].tmpl, err.buf);
		if (strcmp(out.buf, cases[i].want))
			fail_msg("case %zu %s: got '%s', want '%s'", i, cases[i].tmpl, out.buf, cases[i].want);
		sb_release(&out);
		sb_release(&err);
	}
	jj_env_free(env);
}

/* templates by name for include/import/extends */
struct store {
	struct jj_env *env;
	struct arena *a;
	const char *const *names;
	const char *const *texts;
	struct jj_template *parsed[8];
};

static struct jj_template *store_load(void *ud, const char *name, struct diag_list *dl)
{
	struct store *s = ud;
	for (int i = 0; s->names[i]; i++) {
		if (strcmp(s->names[i], name))
			continue;
		if (!s->parsed[i]) {
			uint32_t f = diag_file_add(name, s->texts[i], strlen(s->texts[i]));
			if (jj_parse(s->env, s->a, name, f, s->texts[i], strlen(s->texts[i]), &s->parsed[i], dl))
				return NULL;
		}
		return s->parsed[i];
	}
	return NULL;
}

static void test_loader(void **state)
{
	static const char *const names[] = {"base", "child", "lib", "part", NULL};
	static const char *const texts[] = {
		"<{% block head %}H{% endblock %}|{% block body %}B{% endblock %}>",
		"{% extends 'base' %}{% block body %}child+{{ super() }}{% endblock %}",
		"{% macro hi(n) %}hi {{ n }}{% endmacro %}{% set value = 42 %}",
		"[{{ x }}]",
	};
	struct arena a;
	arena_init(&a, 0);
	struct jj_env *env = jj_env_new();
	struct store s = {env, &a, names, texts, {0}};
	jj_env_set_loader(env, store_load, &s);
	static const struct {
		const char *tmpl, *want;
	} lc[] = {
		{"{% include 'child' %}", "<H|child+B>"},
		{"{% import 'lib' as l %}{{ l.hi('x') }} {{ l.value }}", "hi x 42"},
		{"{% from 'lib' import hi as h %}{{ h(1) }}", "hi 1"},
		{"{% for x in [1, 2] %}{% include 'part' %}{% endfor %}", "[1][2]"},
		{"{% include 'nope' ignore missing %}ok", "ok"},
		{"{% include ['nope', 'part'] %}", "[]"},
	};
	for (size_t i = 0; i < sizeof(lc) / sizeof(lc[0]); i++) {
		struct sb out = SB_INIT, err = SB_INIT;
		if (render(env, lc[i].tmpl, NULL, &out, &err))
			fail_msg("%s: %s", lc[i].tmpl, err.buf);
		if (strcmp(out.buf, lc[i].want))
			fail_msg("%s: got '%s', want '%s'", lc[i].tmpl, out.buf, lc[i].want);
		sb_release(&out);
		sb_release(&err);
	}
	struct sb out = SB_INIT, err = SB_INIT;
	assert_int_not_equal(render(env, "{% include 'missing.sql' %}", NULL, &out, &err), 0);
	assert_non_null(strstr(err.buf, "template 'missing.sql' not found"));
	sb_release(&out);
	sb_release(&err);
	jj_env_free(env);
	arena_release(&a);
}

/* a template parsed once renders many times with different contexts; output is appended */
static void test_reuse(void **state)
{
	struct jj_env *env = jj_env_new();
	struct arena a;
	arena_init(&a, 0);
	struct diag_list dl;
	diag_list_init(&dl);
	const char *text = "{% for i in range(n) %}{{ i }}{% endfor %};";
	struct jj_template *t;
	assert_int_equal(jj_parse(env, &a, "r", 0, text, strlen(text), &t, &dl), 0);
	struct sb out = SB_INIT;
	for (int n = 0; n < 4; n++) {
		struct arena scratch;
		arena_init(&scratch, 0);
		value ctx = val_dict_new(&scratch, 1);
		val_dict_sets(ctx, "n", val_int(n));
		assert_int_equal(jj_render(env, t, ctx, &scratch, NULL, &out, &dl), 0);
		arena_release(&scratch);
	}
	assert_string_equal(out.buf, ";0;01;012;");
	sb_release(&out);
	diag_list_release(&dl);
	arena_release(&a);
	jj_env_free(env);
}

/* renders text with env; returns the first diagnostic's message, or NULL on success */
static const char *render_limited(struct jj_env *env, const char *text, struct sb *out, struct diag_list *dl,
				  struct arena *a)
{
	struct jj_template *t;
	assert_int_equal(jj_parse(env, a, "lim", 0, text, strlen(text), &t, dl), 0);
	struct arena scratch;
	arena_init(&scratch, 0);
	int rc = jj_render(env, t, val_none(), &scratch, NULL, out, dl);
	arena_release(&scratch);
	return rc ? dl->tail->msg : NULL;
}

/* the output and memory limits of a render, set from C */
static void test_limits(void **state)
{
	struct jj_env *env = jj_env_new();
	struct arena a;
	arena_init(&a, 0);
	struct diag_list dl;
	diag_list_init(&dl);
	struct sb out = SB_INIT;
	sb_adds(&out, "kept|");

	jj_env_set_limits(env, 100, 0);
	const char *msg = render_limited(env, "{% for i in range(50) %}abc{% endfor %}", &out, &dl, &a);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "longer than 100 bytes"));
	assert_string_equal(out.buf, "kept|"); /* a failed render leaves nothing behind */
	assert_null(render_limited(env, "{% for i in range(33) %}abc{% endfor %}", &out, &dl, &a));
	assert_int_equal(out.len, 5 + 99);

	jj_env_set_limits(env, 0, 1024 * 1024);
	msg = render_limited(env, "{{ 'x' * 2000000 }}", &out, &dl, &a);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "needs more than 1 MiB of memory"));
	msg = render_limited(env, "{{ ([[[0] * 100] * 100] * 100)|tojson }}", &out, &dl, &a);
	assert_non_null(msg);
	/* iterating a string makes a value of each character: asked for before it is made */
	msg = render_limited(env, "{{ ('x' * 1000000)|join(',') }}", &out, &dl, &a);
	assert_non_null(msg);
	assert_non_null(strstr(msg, "needs more than 1 MiB of memory"));
	assert_null(render_limited(env, "{{ ('x' * 1000)|length }}", &out, &dl, &a));
	assert_int_equal(out.len, 5 + 99 + 4);

	jj_env_set_limits(env, 0, 0); /* no limits */
	assert_null(render_limited(env, "{{ ('x' * 2000000)|length }}", &out, &dl, &a));

	sb_release(&out);
	diag_list_release(&dl);
	arena_release(&a);
	jj_env_free(env);
}

/* custom filters, tests and globals from C */
static value f_twice(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value v = jj_arg(args, 0, NULL, val_none());
	return val_int(v.i * 2);
}

static value t_big(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	return val_bool(jj_arg(args, 0, NULL, val_none()).i > (int64_t)(intptr_t)ud);
}

static void test_extensions(void **state)
{
	struct jj_env *env = jj_env_new();
	jj_env_add_filter(env, "twice", f_twice, NULL);
	jj_env_add_test(env, "big", t_big, (void *)(intptr_t)10);
	jj_env_set_global(env, "answer", val_int(42));
	struct sb out = SB_INIT, err = SB_INIT;
	assert_int_equal(render(env, "{{ 4|twice }} {{ 11 is big }} {{ 3 is big }} {{ answer }} {{ [1, 2]|map('twice')|list }}",
			       NULL, &out, &err), 0);
	assert_string_equal(out.buf, "8 True False 42 [2, 4]");
	sb_release(&out);
	sb_release(&err);
	jj_env_free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_loader),
		cmocka_unit_test(test_reuse),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_extensions),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	diag_files_release();
	return rc;
}
