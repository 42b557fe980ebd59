/*
 * jinja: diagnostics. Syntax and runtime errors name the file, line and column, show the offending
 * line with a caret under the construct, and errors inside macros carry one note per macro call on
 * the way ("in macro 'x' called here"). Each case pins the whole printed text, like jq's %%FAIL.
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

/* parses and renders `text` as file `name`; returns the printed diagnostics */
static char *run(struct jj_env *env, struct arena *a, const char *name, const char *text)
{
	struct diag_list dl;
	diag_list_init(&dl);
	struct arena scratch;
	arena_init(&scratch, 0);
	uint32_t file = diag_file_add(name, text, strlen(text));
	struct jj_template *t;
	struct sb out = SB_INIT, err = SB_INIT;
	int rc = jj_parse(env, a, name, file, text, strlen(text), &t, &dl);
	if (rc == 0)
		rc = jj_render(env, t, val_none(), &scratch, NULL, &out, &dl);
	assert_int_not_equal(rc, 0);
	assert_int_equal(out.len, 0); /* a failed render leaves the output as it was */
	for (const struct diag *d = dl.head; d; d = d->next)
		diag_format(&err, d, false);
	char *r = arena_strdup(a, err.buf);
	sb_release(&out);
	sb_release(&err);
	arena_release(&scratch);
	diag_list_release(&dl);
	return r;
}

static const struct {
	const char *name, *text, *want;
} cases[] = {
	{"syntax.sql", "select 1\n{% if x %}\nbody\n",
	 "syntax.sql:3:5: error: Unexpected end of template. Jinja was looking for the following tags: "
	 "'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.\n"
	 "    3 | body\n"
	 "      |     ^\n"},
	{"tag.sql", "a\n  {% frobnicate %}\n",
	 "tag.sql:2:6: error: Encountered unknown tag 'frobnicate'.\n"
	 "    2 |   {% frobnicate %}\n"
	 "      |      ^^^^^^^^^^\n"},
	{"expr.sql", "{{ 1 + }}",
	 "expr.sql:1:8: error: unexpected 'end of print statement'\n"
	 "    1 | {{ 1 + }}\n"
	 "      |        ^^\n"},
	{"filter.sql", "select {{ x|nosuch }}",
	 "filter.sql:1:13: error: No filter named 'nosuch'.\n"
	 "    1 | select {{ x|nosuch }}\n"
	 "      |             ^^^^^^\n"},
	{"undef.sql", "select\n  {{ cfg.schema }}",
	 "undef.sql:2:6: error: 'cfg' is undefined\n"
	 "    2 |   {{ cfg.schema }}\n"
	 "      |      ^^^^^^^^^^\n"},
	{"div.sql", "{% set n = 0 %}\n{{ 10 // n }}",
	 "div.sql:2:4: error: integer division or modulo by zero\n"
	 "    2 | {{ 10 // n }}\n"
	 "      |    ^^^^^^^\n"},
	{"call.sql", "{{ 'abc'.nosuch() }}",
	 "call.sql:1:4: error: 'str object' has no attribute 'nosuch'\n"
	 "    1 | {{ 'abc'.nosuch() }}\n"
	 "      |    ^^^^^^^^^^^^^^\n"},
	{"type.sql", "{{ 'a' + 1 }}",
	 "type.sql:1:4: error: can only concatenate str (not \"int\") to str\n"
	 "    1 | {{ 'a' + 1 }}\n"
	 "      |    ^^^^^^^\n"},
	/* an error two macros deep: the error, then each call site, innermost first */
	{"chain.sql",
	 "{% macro inner(x) %}\n  {{ x.missing.attr }}\n{% endmacro %}\n"
	 "{% macro outer() %}{{ inner({}) }}{% endmacro %}\n"
	 "select {{ outer() }}",
	 "chain.sql:2:6: error: 'dict object' has no attribute 'missing'\n"
	 "    2 |   {{ x.missing.attr }}\n"
	 "      |      ^^^^^^^^^^^^^^\n"
	 "chain.sql:4:23: note: in macro 'inner' called here\n"
	 "    4 | {% macro outer() %}{{ inner({}) }}{% endmacro %}\n"
	 "      |                       ^^^^^^^^^\n"
	 "chain.sql:5:11: note: in macro 'outer' called here\n"
	 "    5 | select {{ outer() }}\n"
	 "      |           ^^^^^^^\n"},
};

static void test_messages(void **state)
{
	struct arena a;
	arena_init(&a, 0);
	struct jj_env *env = jj_env_new();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = run(env, &a, cases[i].name, cases[i].text);
		if (strcmp(got, cases[i].want))
			fail_msg("%s:\n--- got\n%s--- want\n%s", cases[i].name, got, cases[i].want);
	}
	jj_env_free(env);
	arena_release(&a);
}

/* a native function raising at its call site */
static value f_fail(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	jj_raise(vm, "ref() takes 1 or 2 arguments, got %zu", args->npos);
}

static void test_native_raise(void **state)
{
	struct arena a;
	arena_init(&a, 0);
	struct jj_env *env = jj_env_new();
	jj_env_set_global(env, "ref", val_func(&a, "ref", f_fail, NULL));
	char *got = run(env, &a, "models/orders.sql", "select * from {{ ref('stg', 'orders', 'x') }}");
	assert_string_equal(got, "models/orders.sql:1:18: error: ref() takes 1 or 2 arguments, got 3\n"
				 "    1 | select * from {{ ref('stg', 'orders', 'x') }}\n"
				 "      |                  ^^^^^^^^^^^^^^^^^^^^^^^^^\n");
	jj_env_free(env);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_native_raise),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	diag_files_release();
	return rc;
}
