/*
 * Version ranges as dbt resolves them: every expected value below was produced by dbt's own
 * semver module (reduce_versions, filter_installable, resolve_to_specific_version) on the same
 * inputs, so the table pins Sluice to dbt's rules, corner cases included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "core/arena.h"
#include "core/sb.h"
#include "project/semver.h"

struct reduce_case {
	const char *specs[4];
	size_t n;
	const char *range;    /* "ERR" when not compatible */
	const char *release;  /* the newest release of `avail` in the range, "" for none */
	const char *any;      /* the same with pre-releases */
};

static const struct reduce_case cases[] = {
	{{">=1.0.0", "<2.0.0"}, 2, ">=1.0.0, <2.0.0", "1.4.2", "1.4.2"},
	{{"1.2.3"}, 1, "=1.2.3, =1.2.3", "", ""},
	{{">=1.0.0", "<2.0.0", "0.9.0"}, 3, "ERR", "", ""},
	{{">0.3.0", "<=0.5.0", ">=0.4.0"}, 3, ">=0.4.0, <=0.5.0", "", ""},
	{{"1.0.0", "1.0.0"}, 2, "=1.0.0, =1.0.0", "1.0.0", "1.0.0"},
	{{"1.0.0", "1.0.1"}, 2, "ERR", "", ""},
	{{"<1.0.0", ">=1.0.0"}, 2, "ERR", "", ""},
	{{"<=1.0.0", ">=1.0.0"}, 2, ">=1.0.0, <=1.0.0", "1.0.0", "1.0.0"},
	{{">1.0.0", "<1.0.1"}, 2, ">1.0.0, <1.0.1", "", ""},
	{{">=1.0.0-rc.1", "<1.0.0"}, 2, ">=1.0.0-rc.1, <1.0.0", "", ""},
	{{">=0.8.0", "<0.9.0", ">=0.8.2"}, 3, ">=0.8.2, <0.9.0", "0.8.2", "0.8.2"},
	{{"<2.0.0", "<1.5.0", ">1.0.0", ">=1.2.0"}, 4, ">=1.2.0, <1.5.0", "1.4.2", "1.4.2"},
	{{"1.0.0-b1", ">=1.0.0-a1"}, 2, "=1.0.0-b1, =1.0.0-b1", "", ""},
	{{">=1.0.0", "1.0.0"}, 2, "=1.0.0, =1.0.0", "1.0.0", "1.0.0"},
	{{">1.0.0", "1.0.0"}, 2, "ERR", "", ""},
	{{"<=1.0.0", "1.0.0"}, 2, "=1.0.0, =1.0.0", "1.0.0", "1.0.0"},
	{{"<1.0.0", "1.0.0"}, 2, "ERR", "", ""},
	{{NULL}, 0, "ANY", "10.0.0", "10.0.0"},
};

static const char *const avail[] = {"0.1.0", "0.8.0", "0.8.1", "0.8.2", "0.9.0", "1.0.0-rc.1", "1.0.0-rc.2",
				    "1.0.0", "1.0.1", "1.1.1", "1.2.0", "1.3.0-b1", "1.3.0", "1.4.2", "2.0.0-a1",
				    "2.0.0", "10.0.0"};

static void test_reduce_and_resolve(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 4096);
	size_t navail = sizeof(avail) / sizeof(avail[0]);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct reduce_case *c = &cases[i];
		struct semver specs[4];
		for (size_t k = 0; k < c->n; k++)
			assert_int_equal(sv_parse(&a, c->specs[k], &specs[k]), 0);
		struct sv_range r;
		if (sv_reduce(specs, c->n, &r) < 0) {
			assert_string_equal(c->range, "ERR");
			continue;
		}
		struct sb s = SB_INIT;
		sv_range_str(&s, &r);
		assert_string_equal(s.buf, c->range);
		sb_release(&s);
		for (int pre = 0; pre < 2; pre++) {
			const char **inst, *bad = NULL;
			long n = sv_installable(&a, avail, navail, pre, &inst, &bad);
			assert_true(n > 0);
			const char *got = sv_resolve(&a, &r, inst, (size_t)n);
			assert_string_equal(got ? got : "", pre ? c->any : c->release);
		}
	}
	arena_release(&a);
}

static void test_installable_order(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 4096);
	static const char *const in[] = {"1.0.0", "1.0.0-rc1", "0.9.9", "1.0.0-rc.10", "1.0.0-rc.2", "2.0.0+build",
					 "1.0.0-alpha", "1.0.0-alpha.beta", "1.0.0-1", "1.0.0rc3"};
	static const char *const want[] = {"0.9.9", "1.0.0-1", "1.0.0-alpha", "1.0.0-alpha.beta", "1.0.0-rc.2",
					   "1.0.0-rc.10", "1.0.0-rc1", "1.0.0rc3", "1.0.0", "2.0.0+build"};
	const char **out, *bad = NULL;
	long n = sv_installable(&a, in, 10, true, &out, &bad);
	assert_int_equal(n, 10);
	for (int i = 0; i < 10; i++)
		assert_string_equal(out[i], want[i]);
	n = sv_installable(&a, in, 10, false, &out, &bad);
	assert_int_equal(n, 3);
	assert_string_equal(out[0], "0.9.9");
	assert_string_equal(out[2], "2.0.0+build");
	static const char *const broken[] = {"1.0.0", "v1.2"};
	assert_int_equal(sv_installable(&a, broken, 2, false, &out, &bad), -1);
	assert_string_equal(bad, "v1.2");
	arena_release(&a);
}

static void test_parse(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 4096);
	static const struct {
		const char *in, *out;
	} t[] = {{"1.0", NULL}, {"v1.0.0", NULL}, {"01.0.0", NULL}, {"1.0.0-", "=1.0.0--"}, {"1.0.0+", "=1.0.0"},
		 {"1.0.0-rc.01", NULL}, {">=1.0.0", ">=1.0.0"}, {"=< 1.0.0", NULL}, {"1.0.0-a_b", NULL},
		 {"1.0.0+b.c", "=1.0.0+b.c"}, {"<=0.12.2", "<=0.12.2"}, {"1.0.0rc1", "=1.0.0-rc1"}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct semver v;
		int rc = sv_parse(&a, t[i].in, &v);
		if (!t[i].out) {
			assert_int_equal(rc, -1);
			continue;
		}
		assert_int_equal(rc, 0);
		struct sb s = SB_INIT;
		sv_str(&s, &v, false);
		assert_string_equal(s.buf, t[i].out);
		sb_release(&s);
	}
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reduce_and_resolve),
		cmocka_unit_test(test_installable_order),
		cmocka_unit_test(test_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
