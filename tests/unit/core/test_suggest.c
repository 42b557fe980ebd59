/*
 * core/suggest: the edit distance and the "did you mean" choice, as tables of {input, expected}.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/suggest.h"

static void test_distance(void **state)
{
	static const struct {
		const char *a, *b;
		size_t want;
	} cases[] = {
		{"", "", 0},          {"run", "run", 0},     {"rnu", "run", 2},       {"test", "tset", 2},
		{"seed", "seeds", 1}, {"build", "built", 1}, {"", "abc", 3},          {"abc", "", 3},
		{"kitten", "sitting", 3},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(suggest_distance(cases[i].a, cases[i].b), cases[i].want);
	char longname[200];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(suggest_distance(longname, "a"), 1000);
}

static void test_closest(void **state)
{
	static const char *const commands[] = {"run", "test", "seed", NULL, "build", "run-operation", "docs"};
	static const struct {
		const char *name, *want;
	} cases[] = {
		{"rnu", "run"},     {"tset", "test"}, {"seeds", "seed"},     {"buidl", "build"},
		{"frobnicate", NULL}, {"doc", "docs"}, {"run-operaton", "run-operation"}, {"x", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = suggest_closest(cases[i].name, commands, sizeof(commands) / sizeof(commands[0]));
		if (!cases[i].want)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].want);
	}
	assert_null(suggest_closest("run", NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_closest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
