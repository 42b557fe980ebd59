/*
 * The CSV record scanner: consistent files pass (quotes, doubled quotes, newlines inside quotes,
 * CRLF, blank lines, a byte order mark, no final newline), and each kind of damage is found at
 * its record, line and byte: too many fields anywhere, the last row included, and a quote that
 * never closes. Too few is no damage: dbt loads a short row padded with NULLs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "core/csv.h"

static int check(const char *s, char delim, struct csv_report *r)
{
	return csv_check(s, strlen(s), delim, r);
}

static void test_good(void **state)
{
	(void)state;
	static const char *const good[] = {
		"a,b\n1,2\n",
		"a,b\n1,2",
		"a,b\r\n1,2\r\n3,4\r\n",
		"a,b\n\n1,2\n\n\n3,4\n\n",
		"\xEF\xBB\xBF" "a,b\n1,2\n",
		"a,b\n\"x,y\",2\n",
		"a,b\n\"say \"\"hi\"\"\",2\n",
		"a,b\n\"two\nlines\",2\n",
		"a\n\n",
		"a,b\n,\n",
		"a,b\n\"\",\"\"\n",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		struct csv_report r;
		assert_int_equal(check(good[i], ',', &r), 0);
		assert_int_equal(r.problem, CSV_OK);
	}
	struct csv_report r;
	assert_int_equal(check("a;b\n1;2,5\n", ';', &r), 0);
	assert_int_equal(r.header_fields, 2);
	assert_int_equal(r.records, 1);
}

static void test_field_count(void **state)
{
	(void)state;
	struct csv_report r;
	/* one too many on the last row, the case that once loaded as an empty table */
	const char *s = "id,name\n1,a\n2,b\n3,c,extra\n";
	assert_int_equal(check(s, ',', &r), -1);
	assert_int_equal(r.problem, CSV_FIELD_COUNT);
	assert_int_equal(r.line, 4);
	assert_int_equal(r.records, 3);
	assert_int_equal(r.fields, 3);
	assert_int_equal(r.header_fields, 2);
	assert_int_equal(r.off, strstr(s, "3,c") - s);
	assert_int_equal(r.extra_off, strstr(s, "extra") - s);
	assert_int_equal(r.len, strlen("3,c,extra"));
	/* too few fields is no error: agate's Table pads a short row with None, so dbt loads it */
	assert_int_equal(check("id,name\n1,\"x\ny\"\n2\n3,c\n", ',', &r), 0);
	assert_int_equal(check("a,b\n1,2\n3", ',', &r), 0);
	/* too many on a middle row, after a quoted field spanning lines */
	s = "id,name\n1,\"x\ny\"\n2,b,c\n3,c\n";
	assert_int_equal(check(s, ',', &r), -1);
	assert_int_equal(r.line, 4);
	assert_int_equal(r.records, 2);
	assert_int_equal(r.fields, 3);
	/* the last row without a final newline */
	assert_int_equal(check("a,b\n1,2\n3,4,5", ',', &r), -1);
	assert_int_equal(r.line, 3);
	assert_int_equal(r.len, 5);
	/* CRLF lines: the CR is not part of the line shown */
	assert_int_equal(check("a,b\r\n1,2,3\r\n", ',', &r), -1);
	assert_int_equal(r.len, 5);
}

static void test_quotes_and_empty(void **state)
{
	(void)state;
	struct csv_report r;
	const char *s = "a,b\n1,\"open\n2,3\n";
	assert_int_equal(check(s, ',', &r), -1);
	assert_int_equal(r.problem, CSV_OPEN_QUOTE);
	assert_int_equal(r.line, 2);
	assert_int_equal(r.off, strchr(s, '"') - s);
	assert_int_equal(check("", ',', &r), -1);
	assert_int_equal(r.problem, CSV_EMPTY);
	assert_int_equal(check("\n\r\n", ',', &r), -1);
	assert_int_equal(r.problem, CSV_EMPTY);
	assert_int_equal(check("\"a", ',', &r), -1);
	assert_int_equal(r.problem, CSV_OPEN_QUOTE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_field_count),
		cmocka_unit_test(test_quotes_and_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
