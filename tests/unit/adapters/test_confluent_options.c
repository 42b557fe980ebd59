/*
 * A Confluent model's statement_properties as the statement's spec.properties: scalars as text,
 * the client's own keys and anything but a mapping of scalars refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "adapters/confluent/options.h"
#include "core/arena.h"
#include "value/value.h"

static void test_scalars_as_text(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 1024);
	value d = val_dict_new(&a, 4);
	val_dict_sets(d, "sql.state-ttl", val_str("1 h"));
	val_dict_sets(d, "sql.tables.scan.source-operator-parallelism", val_int(4));
	val_dict_sets(d, "sql.dry-run", val_bool(true));
	struct flink_kv *kv;
	size_t n;
	char *err = NULL;
	assert_int_equal(cc_statement_properties(d, &a, &kv, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(kv[0].key, "sql.state-ttl");
	assert_string_equal(kv[0].value, "1 h");
	assert_string_equal(kv[1].value, "4");
	assert_string_equal(kv[2].value, "true");
	arena_release(&a);
}

static void test_none_is_no_properties(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 256);
	struct flink_kv *kv = (struct flink_kv *)1;
	size_t n = 9;
	char *err = NULL;
	assert_int_equal(cc_statement_properties(val_none(), &a, &kv, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(kv);
	assert_int_equal(cc_statement_properties(val_undef(), &a, &kv, &n, &err), 0);
	assert_int_equal(n, 0);
	arena_release(&a);
}

static void test_refused(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 1024);
	struct flink_kv *kv;
	size_t n;
	char *err = NULL;
	assert_int_equal(cc_statement_properties(val_str("sql.state-ttl=1h"), &a, &kv, &n, &err), -1);
	assert_non_null(strstr(err, "must be a mapping"));
	static const char *const reserved[] = {"sql.current-catalog", "sql.current-database", "sql.snapshot.mode"};
	for (int i = 0; i < 3; i++) {
		value d = val_dict_new(&a, 1);
		val_dict_sets(d, reserved[i], val_str("x"));
		err = NULL;
		assert_int_equal(cc_statement_properties(d, &a, &kv, &n, &err), -1);
		assert_non_null(strstr(err, reserved[i]));
		assert_non_null(strstr(err, "reserved system property"));
	}
	value d = val_dict_new(&a, 1);
	val_dict_sets(d, "sql.state-ttl", val_list_new(&a, 0));
	err = NULL;
	assert_int_equal(cc_statement_properties(d, &a, &kv, &n, &err), -1);
	assert_non_null(strstr(err, "'sql.state-ttl' must be a string, number or boolean"));
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars_as_text),
		cmocka_unit_test(test_none_is_no_properties),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
