/*
 * The DuckDB adapter's statement splitter (adapters/duckdb/split.c), on its own: where SQL is cut
 * into statements and what each piece holds, as a table of inputs and the pieces expected. The
 * adapter trusts the split only when it finds as many statements as DuckDB does, so a wrong cut
 * shows in error messages and in the CAST wrapping of nested columns; test_duckdb.c covers those
 * through the adapter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/duckdb/internal.h"
#include "core/sb.h"

static void test_split_table(void **state)
{
	static const struct {
		const char *sql;
		const char *pieces; /* the pieces joined by '|' */
	} cases[] = {
		{"select 1", "select 1"},
		{"select 1;", "select 1"},
		{"  select 1 ;\n select 2  ", "select 1|select 2"},
		{"", ""},
		{";;  ;", ""},
		/* quotes, doubled quotes and identifiers hide semicolons */
		{"select 'a;b'; select 2", "select 'a;b'|select 2"},
		{"select 'it''s;'; select \"x;y\"", "select 'it''s;'|select \"x;y\""},
		/* E'' strings take backslash escapes, plain ones do not */
		{"select E'a\\';b'; select 2", "select E'a\\';b'|select 2"},
		{"select 'a\\'; select 2", "select 'a\\'|select 2"},
		/* comments: a piece of only comments is dropped, leading ones are not part of the piece,
		 * those inside or after a statement's first token are */
		{"-- only a comment;\nselect 1", "select 1"},
		{"select 1 -- one; two\n; select 2", "select 1 -- one; two|select 2"},
		{"/* a; /* nested; */ still; */ select 1; /* tail */", "select 1"},
		/* dollar quotes, with and without a tag; $1 is a parameter, not a quote */
		{"select $$a;b$$; select $t$x;$$;y$t$", "select $$a;b$$|select $t$x;$$;y$t$"},
		{"select $1; select 2", "select $1|select 2"},
		{"select a$b; select 2", "select a$b|select 2"},
		/* an unterminated quote runs to the end */
		{"select 'open; select 2", "select 'open; select 2"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sql_piece *pieces = NULL;
		size_t n = adp_duckdb_split_sql(cases[i].sql, &pieces);
		struct sb got = SB_INIT;
		for (size_t k = 0; k < n; k++) {
			if (k)
				sb_addc(&got, '|');
			sb_add(&got, pieces[k].p, pieces[k].n);
			/* pieces point into the SQL they were cut from */
			const char *end = cases[i].sql + strlen(cases[i].sql);
			assert_true(pieces[k].p >= cases[i].sql && pieces[k].p + pieces[k].n <= end);
		}
		if (strcmp(got.buf, cases[i].pieces))
			fail_msg("case %zu: %s\n  got:  %s\n  want: %s", i, cases[i].sql, got.buf, cases[i].pieces);
		sb_release(&got);
		free(pieces);
	}
}

static void test_quoting(void **state)
{
	struct sb s = SB_INIT;
	adp_duckdb_add_quoted_ident(&s, "my \"odd\" name");
	assert_string_equal(s.buf, "\"my \"\"odd\"\" name\"");
	sb_reset(&s);
	adp_duckdb_add_string_lit(&s, "it's", 4);
	assert_string_equal(s.buf, "'it''s'");
	sb_reset(&s);
	adp_duckdb_add_string_lit(&s, "a\0b", 3); /* embedded NUL kept: the length is given */
	assert_int_equal(s.len, 5);
	sb_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_table),
		cmocka_unit_test(test_quoting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
