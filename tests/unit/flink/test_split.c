/*
 * flink driver: cutting scripts into statements (flink_split_statements). Quotes of each kind
 * with doubled quotes, comments of both kinds, EXECUTE STATEMENT SET blocks kept whole (CASE … END
 * inside them included), empty statements dropped, and the line/column of each statement.
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

struct want {
	const char *text;
	unsigned line, col;
};

static void check(const char *script, const struct want *w, size_t nw)
{
	struct flink_span *sp = NULL;
	size_t n = flink_split_statements(script, &sp);
	if (n != nw) {
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "  got [%.*s]\n", (int)sp[i].len, script + sp[i].start);
		fail_msg("script '%s': %zu statements, want %zu", script, n, nw);
	}
	for (size_t i = 0; i < n; i++) {
		if (strlen(w[i].text) != sp[i].len || strncmp(script + sp[i].start, w[i].text, sp[i].len))
			fail_msg("statement %zu: [%.*s], want [%s]", i, (int)sp[i].len,
				 script + sp[i].start, w[i].text);
		if (w[i].line && (sp[i].line != w[i].line || sp[i].col != w[i].col))
			fail_msg("statement %zu at %u:%u, want %u:%u", i, sp[i].line, sp[i].col,
				 w[i].line, w[i].col);
	}
	free(sp);
}

#define CHECK(script, ...)                                                                 \
	do {                                                                               \
		static const struct want w_[] = {__VA_ARGS__};                             \
		check(script, w_, sizeof(w_) / sizeof(w_[0]));                             \
	} while (0)

static void test_simple(void **state)
{
	CHECK("SELECT 1; SELECT 2;", {"SELECT 1", 1, 1}, {"SELECT 2", 1, 11});
	CHECK("SELECT 1", {"SELECT 1", 1, 1});
	CHECK("  \n\tCREATE TABLE t (a INT)\n  WITH ('connector' = 'datagen')  ;\n\nSELECT * FROM t\n",
	      {"CREATE TABLE t (a INT)\n  WITH ('connector' = 'datagen')", 2, 2},
	      {"SELECT * FROM t", 5, 1});
}

static void test_empty(void **state)
{
	struct flink_span *sp = (struct flink_span *)1;
	assert_int_equal(flink_split_statements("", &sp), 0);
	free(sp);
	assert_int_equal(flink_split_statements(" ;; ;\n-- nothing\n/* at all */ ;", &sp), 0);
	free(sp);
	assert_int_equal(flink_split_statements(NULL, &sp), 0);
	assert_null(sp);
	/* counting without the spans */
	assert_int_equal(flink_split_statements("a;b;c", NULL), 3);
	CHECK(";;SELECT 1;;", {"SELECT 1", 1, 3});
}

static void test_quotes(void **state)
{
	CHECK("SELECT 'a;b', 'it''s;' FROM t; SELECT 2",
	      {"SELECT 'a;b', 'it''s;' FROM t", 1, 1}, {"SELECT 2", 1, 32});
	CHECK("SELECT `we;ird``;col` FROM `t;`; SELECT \"x;\"\"y\"",
	      {"SELECT `we;ird``;col` FROM `t;`", 1, 1}, {"SELECT \"x;\"\"y\"", 1, 34});
	/* comment markers inside quotes are text */
	CHECK("SELECT '--;' ; SELECT '/*;*/'", {"SELECT '--;'", 1, 1}, {"SELECT '/*;*/'", 1, 16});
	/* an unterminated quote runs to the end: the gateway will say what is wrong */
	CHECK("SELECT 1; SELECT 'oops; SELECT 3", {"SELECT 1", 1, 1}, {"SELECT 'oops; SELECT 3", 1, 11});
}

static void test_comments(void **state)
{
	CHECK("-- first; still a comment\nSELECT 1; -- trailing; comment\n/* block; \n comment */ SELECT 2 /* in; side */ + 1;",
	      {"SELECT 1", 2, 1}, {"SELECT 2 /* in; side */ + 1", 4, 13});
	CHECK("SELECT 1 -- no semicolon here\n", {"SELECT 1", 1, 1});
	CHECK("SELECT 1 /* unterminated; comment", {"SELECT 1", 1, 1});
	/* a minus and a slash alone are operators */
	CHECK("SELECT 4-1, 6/2; SELECT -1", {"SELECT 4-1, 6/2", 1, 1}, {"SELECT -1", 1, 18});
}

static void test_statement_set(void **state)
{
	CHECK("CREATE TABLE s (a INT);\n"
	      "EXECUTE STATEMENT SET\nBEGIN\n"
	      "  INSERT INTO s SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END FROM t;\n"
	      "  INSERT INTO s VALUES (2);\n"
	      "END;\n"
	      "SELECT 1;",
	      {"CREATE TABLE s (a INT)", 1, 1},
	      {"EXECUTE STATEMENT SET\nBEGIN\n"
	       "  INSERT INTO s SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END FROM t;\n"
	       "  INSERT INTO s VALUES (2);\n"
	       "END", 2, 1},
	      {"SELECT 1", 7, 1});
	/* case-insensitive, comments between the keywords, END at the very end */
	CHECK("execute /* c */ statement set -- x\n begin insert into a values (1); end",
	      {"execute /* c */ statement set -- x\n begin insert into a values (1); end", 1, 1});
	/* an END that does not open a statement of the block does not close it */
	CHECK("EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT CASE WHEN b THEN 1 END; END; SELECT 2",
	      {"EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT CASE WHEN b THEN 1 END; END", 1, 1},
	      {"SELECT 2", 1, 79});
	/* the multi-request form is ordinary statements */
	CHECK("BEGIN STATEMENT SET; INSERT INTO a VALUES (1); END;",
	      {"BEGIN STATEMENT SET", 1, 1}, {"INSERT INTO a VALUES (1)", 1, 22}, {"END", 1, 48});
	/* EXECUTE alone, or a set that is not one, splits normally */
	CHECK("EXECUTE PLAN '/tmp/p.json'; SELECT 1",
	      {"EXECUTE PLAN '/tmp/p.json'", 1, 1}, {"SELECT 1", 1, 29});
	CHECK("SET 'a' = 'b'; EXECUTE STATEMENT SET BEGIN INSERT INTO a VALUES (1); INSERT INTO b VALUES (2); END;",
	      {"SET 'a' = 'b'", 1, 1},
	      {"EXECUTE STATEMENT SET BEGIN INSERT INTO a VALUES (1); INSERT INTO b VALUES (2); END", 1, 16});
	/* a block left open runs to the end of the script */
	CHECK("EXECUTE STATEMENT SET BEGIN INSERT INTO a VALUES (1); SELECT 2",
	      {"EXECUTE STATEMENT SET BEGIN INSERT INTO a VALUES (1); SELECT 2", 1, 1});
}

static void test_positions(void **state)
{
	CHECK("\n\n   SELECT\n1;\r\n  SELECT 2;", {"SELECT\n1", 3, 4}, {"SELECT 2", 5, 3});
	/* columns count bytes: a UTF-8 identifier is one word */
	CHECK("SELECT 'é'; SELECT ñ;", {"SELECT 'é'", 1, 1}, {"SELECT ñ", 1, 14});
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_statement_set),
		cmocka_unit_test(test_positions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
