/*
 * value: Python semantics of the shared value type. Float repr, str/repr of containers, dict order,
 * mutation and lookup (small and indexed dicts), equality across numeric types, ordering, hashing,
 * truthiness, deep copy and merge. Tables of {input, expected} like curl's unit tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/sb.h"
#include "value/value.h"

static struct arena A;

static int setup(void **state)
{
	arena_init(&A, 0);
	return 0;
}

static int teardown(void **state)
{
	arena_release(&A);
	return 0;
}

static void test_float_repr(void **state)
{
	static const struct {
		double f;
		const char *want;
	} cases[] = {
		{1.0, "1.0"}, {0.1, "0.1"}, {1e20, "1e+20"}, {1e16, "1e+16"}, {1e15, "1000000000000000.0"},
		{0.0001, "0.0001"}, {0.00001, "1e-05"}, {-2.5, "-2.5"}, {0.0, "0.0"}, {-0.0, "-0.0"},
		{0.1 + 0.2, "0.30000000000000004"}, {1.0 / 3, "0.3333333333333333"}, {123456789.123, "123456789.123"},
		{5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"}, {2.5e-7, "2.5e-07"},
		{100.0, "100.0"}, {1234.5678, "1234.5678"}, {INFINITY, "inf"}, {-INFINITY, "-inf"}, {NAN, "nan"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sb s = SB_INIT;
		val_float_repr(&s, cases[i].f);
		if (strcmp(s.buf, cases[i].want))
			fail_msg("repr(%.17g) = %s, want %s", cases[i].f, s.buf, cases[i].want);
		sb_release(&s);
	}
}

static value list(int n, ...)
{
	va_list ap;
	value l = val_list_new(&A, 0);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		val_list_push(l, va_arg(ap, value));
	va_end(ap);
	return l;
}

static void check_str(value v, const char *want_str, const char *want_repr)
{
	struct sb s = SB_INIT, r = SB_INIT;
	val_str_to(&s, v);
	val_repr_to(&r, v);
	if (strcmp(s.buf, want_str))
		fail_msg("str = %s, want %s", s.buf, want_str);
	if (strcmp(r.buf, want_repr))
		fail_msg("repr = %s, want %s", r.buf, want_repr);
	sb_release(&s);
	sb_release(&r);
}

static void test_str_repr(void **state)
{
	check_str(val_none(), "None", "None");
	check_str(val_bool(true), "True", "True");
	check_str(val_int(-42), "-42", "-42");
	check_str(val_float(3.0), "3.0", "3.0");
	check_str(val_str("it's"), "it's", "\"it's\"");
	check_str(val_str("a'b\"c"), "a'b\"c", "'a\\'b\"c'");
	check_str(val_str("tab\there\n"), "tab\there\n", "'tab\\there\\n'");
	check_str(val_str("\x01\x7f"), "\x01\x7f", "'\\x01\\x7f'");
	check_str(val_str("caf\xc3\xa9"), "caf\xc3\xa9", "'caf\xc3\xa9'");
	check_str(val_str("nb\xc2\xa0sp"), "nb\xc2\xa0sp", "'nb\\xa0sp'");
	check_str(val_undef(), "", "Undefined");
	check_str(list(2, val_str("a"), val_int(1)), "['a', 1]", "['a', 1]");
	value t1 = val_tuple_new(&A, 1);
	val_list_push(t1, val_int(1));
	check_str(t1, "(1,)", "(1,)");
	check_str(val_tuple_new(&A, 0), "()", "()");
	value d = val_dict_new(&A, 0);
	val_dict_sets(d, "a", val_int(1));
	val_dict_set(d, val_int(2), list(1, val_none()));
	check_str(d, "{'a': 1, 2: [None]}", "{'a': 1, 2: [None]}");
	check_str(val_dict_new(&A, 0), "{}", "{}");
	value safe = val_str("<b>");
	safe.flags = VF_SAFE;
	check_str(safe, "<b>", "Markup('<b>')");
}

static void test_dict_order_and_mutation(void **state)
{
	/* past the linear-scan size so the index is exercised, then deletions rebuild it */
	value d = val_dict_new(&A, 0);
	char buf[32];
	for (int i = 0; i < 100; i++) {
		snprintf(buf, sizeof(buf), "k%d", 99 - i);
		val_dict_set(d, val_str_dup(&A, buf, strlen(buf)), val_int(i));
	}
	assert_int_equal(d.d->len, 100);
	assert_true(val_streq(d.d->e[0].key, "k99"));
	assert_true(val_streq(d.d->e[99].key, "k0"));
	assert_int_equal(val_dict_gets(d, "k42").i, 57);
	/* overwrite keeps the position */
	val_dict_sets(d, "k99", val_str("x"));
	assert_true(val_streq(d.d->e[0].val, "x"));
	assert_int_equal(d.d->len, 100);
	for (int i = 0; i < 100; i += 2) {
		snprintf(buf, sizeof(buf), "k%d", i);
		assert_true(val_dict_del(d, val_str(buf)));
	}
	assert_false(val_dict_del(d, val_str("k0")));
	assert_int_equal(d.d->len, 50);
	assert_true(val_is_undef(val_dict_gets(d, "k42")));
	assert_int_equal(val_dict_gets(d, "k41").i, 58);
	assert_true(val_streq(d.d->e[0].key, "k99"));
	/* pre-hashed lookup agrees */
	assert_int_equal(val_dict_getnh(d, "k41", 3, val_str_hash("k41", 3)).i, 58);
	/* numeric keys: 1, 1.0 and True are the same key, as in Python */
	value n = val_dict_new(&A, 0);
	val_dict_set(n, val_int(1), val_str("one"));
	val_dict_set(n, val_float(1.0), val_str("uno"));
	assert_int_equal(n.d->len, 1);
	assert_true(val_streq(val_dict_get(n, val_bool(true)), "uno"));
	for (int i = 0; i < 40; i++)
		val_dict_set(n, val_int(i * 7), val_int(i));
	assert_true(val_streq(val_dict_get(n, val_float(1.0)), "uno"));
	assert_int_equal(val_dict_get(n, val_int(70)).i, 10);
}

static void test_equality_and_order(void **state)
{
	assert_true(val_eq(val_int(1), val_float(1.0)));
	assert_true(val_eq(val_bool(true), val_int(1)));
	assert_false(val_eq(val_int(1), val_str("1")));
	value t = val_tuple_new(&A, 1);
	val_list_push(t, val_int(1));
	assert_false(val_eq(list(1, val_int(1)), t));
	assert_true(val_eq(list(2, val_int(1), val_str("a")), list(2, val_float(1.0), val_str("a"))));
	value d1 = val_dict_new(&A, 0), d2 = val_dict_new(&A, 0);
	val_dict_sets(d1, "a", val_int(1));
	val_dict_sets(d1, "b", val_int(2));
	val_dict_sets(d2, "b", val_int(2));
	val_dict_sets(d2, "a", val_int(1));
	assert_true(val_eq(d1, d2)); /* order does not matter for == */
	assert_true(val_eq(val_undef(), val_undef()));
	assert_false(val_eq(val_undef(), val_none()));
	int c;
	assert_int_equal(val_cmp(val_int(1), val_float(1.5), &c), 0);
	assert_int_equal(c, -1);
	assert_int_equal(val_cmp(val_str("b"), val_str("ab"), &c), 0);
	assert_int_equal(c, 1);
	assert_int_equal(val_cmp(list(2, val_int(1), val_int(2)), list(2, val_int(1), val_int(3)), &c), 0);
	assert_int_equal(c, -1);
	assert_int_equal(val_cmp(val_int(1), val_str("a"), &c), -1);
	assert_int_equal(val_cmp(val_none(), val_none(), &c), -1);
	assert_true(val_hash(val_int(3)) == val_hash(val_float(3.0)));
	assert_true(val_hash(val_str("abc")) == val_str_hash("abc", 3));
}

static void test_truthiness(void **state)
{
	static const struct {
		value v;
		bool want;
	} cases[] = {
		{{.type = V_UNDEF}, false}, {{.type = V_NONE}, false}, {{.type = V_BOOL, .b = false}, false},
		{{.type = V_INT, .i = 0}, false}, {{.type = V_INT, .i = -1}, true},
		{{.type = V_FLOAT, .f = 0.0}, false}, {{.type = V_FLOAT, .f = 0.5}, true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(val_truthy(cases[i].v), cases[i].want);
	assert_false(val_truthy(val_str("")));
	assert_true(val_truthy(val_str("0")));
	assert_false(val_truthy(val_list_new(&A, 4)));
	assert_true(val_truthy(list(1, val_none())));
	assert_false(val_truthy(val_dict_new(&A, 0)));
}

static void test_lists(void **state)
{
	value l = val_list_new(&A, 0);
	for (int i = 0; i < 10; i++)
		val_list_push(l, val_int(i));
	val_list_insert(l, 0, val_int(-1));
	val_list_insert(l, 100, val_int(10));
	assert_int_equal(val_len(l), 12);
	assert_int_equal(val_at(l, 0).i, -1);
	assert_int_equal(val_at(l, 11).i, 10);
	assert_int_equal(val_list_pop(l, 0).i, -1);
	assert_int_equal(val_list_pop(l, 10).i, 10);
	assert_int_equal(val_len(l), 10);
	struct sb s = SB_INIT;
	val_str_to(&s, l);
	assert_string_equal(s.buf, "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]");
	sb_release(&s);
}

static void test_copy_and_merge(void **state)
{
	struct arena b;
	arena_init(&b, 0);
	value inner = val_dict_new(&A, 0);
	val_dict_sets(inner, "x", val_int(1));
	value d = val_dict_new(&A, 0);
	val_dict_sets(d, "inner", inner);
	val_dict_sets(d, "l", list(2, val_str("s"), val_float(2.5)));
	value c = val_copy(&b, d);
	assert_true(val_eq(c, d));
	assert_true(c.d != d.d);
	/* mutation of the copy leaves the original alone */
	val_dict_sets(val_dict_gets(c, "inner"), "x", val_int(2));
	assert_int_equal(val_dict_gets(inner, "x").i, 1);

	value src = val_dict_new(&A, 0), sub = val_dict_new(&A, 0);
	val_dict_sets(sub, "y", val_int(5));
	val_dict_sets(src, "inner", sub);
	val_dict_sets(src, "z", val_str("new"));
	val_dict_merge(&A, d, src);
	value mi = val_dict_gets(d, "inner");
	assert_int_equal(val_dict_gets(mi, "x").i, 1);
	assert_int_equal(val_dict_gets(mi, "y").i, 5);
	assert_true(val_streq(val_dict_gets(d, "z"), "new"));
	arena_release(&b);
}

static void test_strings(void **state)
{
	value s = val_str_dup(&A, "abc", 2);
	assert_int_equal(s.len, 2);
	assert_true(val_streq(s, "ab"));
	assert_string_equal(val_cstr(&A, val_strn("xyz", 2)), "xy");
	value f = val_str_fmt(&A, "%d-%s", 7, "x");
	assert_true(val_streq(f, "7-x"));
	assert_string_equal(val_type_name(val_tuple_new(&A, 0)), "tuple");
	assert_string_equal(val_type_name(val_none()), "NoneType");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_float_repr),
		cmocka_unit_test(test_str_repr),
		cmocka_unit_test(test_dict_order_and_mutation),
		cmocka_unit_test(test_equality_and_order),
		cmocka_unit_test(test_truthiness),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_copy_and_merge),
		cmocka_unit_test(test_strings),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
