/*
 * core, at its edges: the cases test_core.c leaves out and that the rest of Sluice leans on
 * without thinking. Arena marks nested and taken on an empty arena, big blocks given back by a
 * reset, realloc in place and by copy; the string builder's lengths, growth and detach of an
 * empty builder; the map empty, with the empty key and after a release;
 * the line map of empty files, of a last line with no newline, CRLF, clamping in loc_at and
 * several files side by side.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/diag.h"
#include "core/map.h"
#include "core/sb.h"

/* ---- arena ---- */

static void test_arena_empty_mark(void **state)
{
	struct arena a;
	arena_init(&a, 256);
	/* a mark of an arena that holds nothing yet: resetting to it frees every block */
	struct arena_mark m = arena_mark(&a);
	for (int i = 0; i < 50; i++)
		memset(arena_alloc(&a, 40), 'x', 40);
	memset(arena_alloc(&a, 1000), 'y', 1000); /* a big block of its own */
	assert_true(a.total > 0);
	arena_reset(&a, m);
	assert_int_equal(a.total, 0);
	assert_null(a.head);
	assert_null(a.big);
	/* and the arena goes on working */
	assert_string_equal(arena_strdup(&a, "after"), "after");
	arena_release(&a);
	assert_int_equal(a.total, 0);
}

static void test_arena_nested_marks(void **state)
{
	struct arena a;
	arena_init(&a, 256);
	char *s0 = arena_strdup(&a, "outer");
	struct arena_mark outer = arena_mark(&a);
	char *s1 = arena_strdup(&a, "middle");
	size_t total1 = a.total;
	struct arena_mark inner = arena_mark(&a);
	for (int i = 0; i < 20; i++)
		arena_alloc(&a, 100); /* past the current block, and big ones (over a quarter of 256) */
	assert_true(a.total > total1);
	arena_reset(&a, inner);
	assert_int_equal(a.total, total1); /* the blocks after the inner mark are gone */
	assert_string_equal(s0, "outer");
	assert_string_equal(s1, "middle");
	arena_reset(&a, outer);
	assert_string_equal(s0, "outer");
	/* the space of "middle" is handed out again */
	char *s2 = arena_strdup(&a, "again!");
	assert_ptr_equal(s2, s1);
	arena_release(&a);
}

static void test_arena_realloc(void **state)
{
	struct arena a;
	arena_init(&a, 1024);
	/* the last allocation of the current block grows where it is */
	char *p = arena_alloc(&a, 8);
	memcpy(p, "abcdefg", 8);
	char *q = arena_realloc(&a, p, 8, 100);
	assert_ptr_equal(q, p);
	assert_string_equal(q, "abcdefg");
	/* one that is not the last is copied */
	char *r = arena_alloc(&a, 16);
	memcpy(r, "0123456789abcde", 16);
	(void)arena_alloc(&a, 1);
	char *r2 = arena_realloc(&a, r, 16, 200);
	assert_ptr_not_equal(r2, r);
	assert_memory_equal(r2, "0123456789abcde", 16);
	/* shrinking, or keeping the size, hands back the same pointer */
	assert_ptr_equal(arena_realloc(&a, r2, 200, 10), r2);
	assert_ptr_equal(arena_realloc(&a, r2, 200, 200), r2);
	/* from nothing: a fresh allocation */
	char *n = arena_realloc(&a, NULL, 0, 32);
	assert_non_null(n);
	memset(n, 0, 32);
	/* growing past the block gives a copy in a new one */
	char *big = arena_realloc(&a, n, 32, 5000);
	assert_ptr_not_equal(big, n);
	memset(big, 1, 5000);
	arena_release(&a);
}

static void test_arena_zero_and_strings(void **state)
{
	struct arena a;
	arena_init(&a, 0);
	/* zero bytes still give distinct, aligned pointers */
	void *z1 = arena_alloc(&a, 0), *z2 = arena_alloc(&a, 0);
	assert_non_null(z1);
	assert_ptr_not_equal(z1, z2);
	/* strndup stops at n, even inside a string, and keeps embedded bytes */
	char *s = arena_strndup(&a, "a\0b", 3);
	assert_memory_equal(s, "a\0b", 4);
	assert_string_equal(arena_strdup(&a, ""), "");
	assert_string_equal(arena_sprintf(&a, "%s", ""), "");
	int *arr = ARENA_ARRAY(&a, int, 100);
	for (int i = 0; i < 100; i++)
		assert_int_equal(arr[i], 0);
	arena_release(&a);
	/* the malloc wrappers never hand back NULL, even for zero bytes */
	void *m = xmalloc(0);
	assert_non_null(m);
	m = xrealloc(m, 0);
	assert_non_null(m);
	free(m);
	char *c = xcalloc(0, 0);
	assert_non_null(c);
	free(c);
	char *d = xstrdup("dup");
	assert_string_equal(d, "dup");
	free(d);
}

/* ---- string builder ---- */

static void check_sb(const struct sb *s, const char *want, size_t wantlen)
{
	assert_non_null(s->buf);
	assert_int_equal(s->len, wantlen);
	assert_int_equal(s->buf[s->len], '\0');
	assert_memory_equal(s->buf, want, wantlen);
}

static void add_formatted(struct sb *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(s, fmt, ap);
	va_end(ap);
}

static void test_sb_lengths(void **state)
{
	struct sb s = SB_INIT;
	check_sb(&s, "", 0);
	/* an empty builder owns nothing: detach hands out memory the caller can free */
	size_t n = 99;
	char *d = sb_detach(&s, &n);
	assert_int_equal(n, 0);
	assert_string_equal(d, "");
	free(d);
	sb_adds(&s, "select 1");
	sb_setlen(&s, 6);
	check_sb(&s, "select", 6);
	sb_setlen(&s, 0);
	check_sb(&s, "", 0);
	/* growing leaves the contents and the length alone */
	sb_adds(&s, "ab");
	sb_grow(&s, 5000);
	check_sb(&s, "ab", 2);
	assert_true(s.cap >= 5003);
	size_t cap = s.cap;
	sb_reset(&s);
	assert_int_equal(s.cap, cap); /* reset keeps the memory */
	/* formatting longer than any first guess */
	char word[3000];
	memset(word, 'w', sizeof(word) - 1);
	word[sizeof(word) - 1] = '\0';
	add_formatted(&s, "[%s|%d]", word, 42);
	assert_int_equal(s.len, sizeof(word) - 1 + 5);
	assert_memory_equal(s.buf + s.len - 4, "|42]", 4);
	assert_int_equal(s.buf[s.len], '\0');
	/* rtrim of blanks only empties it */
	sb_reset(&s);
	sb_adds(&s, " \t\r\n");
	sb_rtrim(&s);
	check_sb(&s, "", 0);
	/* an arena copy keeps the text, the builder is empty after */
	sb_adds(&s, "kept");
	struct arena a;
	arena_init(&a, 0);
	char *k = sb_to_arena(&s, &a);
	assert_string_equal(k, "kept");
	check_sb(&s, "", 0);
	sb_release(&s);
	check_sb(&s, "", 0);
	arena_release(&a);
}

/* ---- hash map ---- */

static void test_map_edges(void **state)
{
	struct map m = MAP_INIT;
	/* an empty map answers and iterates without allocating */
	assert_null(map_gets(&m, ""));
	assert_null(map_get(&m, "x", 1));
	size_t i = 0;
	struct map_slot *slot;
	assert_false(map_next(&m, &i, &slot));
	map_release(&m);
	/* the empty key is a key like any other */
	assert_null(map_puts(&m, "", (void *)(intptr_t)1));
	assert_int_equal((intptr_t)map_gets(&m, ""), 1);
	assert_null(map_gets(&m, "a"));
	/* keys that differ only in their last byte, or in length */
	static const char *const keys[] = {"model.a", "model.b", "model.", "model", "model.ab", "Model.a", NULL};
	for (int k = 0; keys[k]; k++)
		assert_null(map_puts(&m, keys[k], (void *)(intptr_t)(k + 10)));
	for (int k = 0; keys[k]; k++)
		assert_int_equal((intptr_t)map_gets(&m, keys[k]), k + 10);
	/* iteration hands out each key with its length and value */
	size_t seen = 0;
	for (i = 0; map_next(&m, &i, &slot);) {
		assert_int_equal(slot->klen, strlen(slot->key));
		assert_ptr_equal(map_get(&m, slot->key, slot->klen), slot->val);
		seen++;
	}
	assert_int_equal(seen, 7);
	assert_int_equal(m.len, 7);
	/* a released map is empty and can be filled again */
	map_release(&m);
	assert_int_equal(m.len, 0);
	assert_null(map_gets(&m, "model.a"));
	assert_null(map_puts(&m, "model.a", (void *)(intptr_t)5));
	assert_int_equal((intptr_t)map_gets(&m, "model.a"), 5);
	map_release(&m);
	/* the hash is a function of the bytes, and sees every one of them */
	assert_true(hash_bytes("abc", 3) == hash_bytes("abcd", 3));
	assert_true(hash_bytes("abc", 3) != hash_bytes("abd", 3));
	assert_true(hash_bytes("abc", 3) != hash_bytes("abc", 2));
}

/* ---- the line map ---- */

struct lc {
	uint32_t off;
	int line, col;
};

static void check_positions(uint32_t f, const struct lc *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int line, col;
		loc_linecol((struct loc){f, cases[i].off, 0}, &line, &col);
		if (line != cases[i].line || col != cases[i].col)
			fail_msg("offset %u: got %d:%d, want %d:%d", cases[i].off, line, col, cases[i].line,
				 cases[i].col);
	}
}

static void test_linemap_shapes(void **state)
{
	/* an empty file has one line */
	uint32_t empty = diag_file_add("empty.sql", "", 0);
	check_positions(empty, (const struct lc[]){{0, 1, 1}}, 1);
	/* a last line without a newline, and the end of the text */
	static const char noeol[] = "a\nbc";
	uint32_t f1 = diag_file_add("noeol.sql", noeol, sizeof(noeol) - 1);
	check_positions(f1, (const struct lc[]){{0, 1, 1}, {1, 1, 2}, {2, 2, 1}, {3, 2, 2}, {4, 2, 3}}, 5);
	/* a final newline opens a last, empty line */
	static const char eol[] = "a\n";
	uint32_t f2 = diag_file_add("eol.sql", eol, sizeof(eol) - 1);
	check_positions(f2, (const struct lc[]){{1, 1, 2}, {2, 2, 1}}, 2);
	/* CRLF: the CR belongs to its line, columns count bytes */
	static const char crlf[] = "ab\r\ncd\r\n\r\nx";
	uint32_t f3 = diag_file_add("crlf.sql", crlf, sizeof(crlf) - 1);
	check_positions(f3, (const struct lc[]){{2, 1, 3}, {3, 1, 4}, {4, 2, 1}, {8, 3, 1}, {10, 4, 1}}, 5);
	/* columns are bytes, not characters */
	static const char utf8[] = "\xc3\xa9t\xc3\xa9 x";
	uint32_t f4 = diag_file_add("utf8.sql", utf8, sizeof(utf8) - 1);
	check_positions(f4, (const struct lc[]){{6, 1, 7}}, 1);
	/* the files stay apart, each with its path and text */
	assert_string_equal(diag_file_path(f1), "noeol.sql");
	assert_string_equal(diag_file_path(f3), "crlf.sql");
	size_t len = 0;
	assert_ptr_equal(diag_file_text(f3, &len), crlf);
	assert_int_equal(len, sizeof(crlf) - 1);
	/* ids that name no file */
	assert_null(diag_file_path(0));
	assert_null(diag_file_path(f4 + 1000));
	assert_null(diag_file_text(f4 + 1000, NULL));
	int line = -1, col = -1;
	loc_linecol((struct loc){f4 + 1000, 3, 1}, &line, &col);
	assert_int_equal(line, 0);
	assert_int_equal(col, 0);
}

static void test_linemap_loc_at(void **state)
{
	static const char text[] = "one\ntwo\nthree";
	uint32_t f = diag_file_add("m.sql", text, sizeof(text) - 1);
	static const struct {
		int line, col;
		uint32_t off;
	} cases[] = {
		{1, 1, 0}, {2, 1, 4}, {3, 5, 12},
		{2, 0, 4},   /* column 0 is the start of the line */
		{9, 1, 8},   /* past the last line: the last line */
		{3, 99, 13}, /* past the end: the end */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct loc l = loc_at(f, cases[i].line, cases[i].col, 2);
		assert_int_equal(l.file, f);
		assert_int_equal(l.len, 2);
		if (l.off != cases[i].off)
			fail_msg("%d:%d: got offset %u, want %u", cases[i].line, cases[i].col, l.off, cases[i].off);
	}
	/* line 0 and an unknown file give offset 0 */
	assert_int_equal(loc_at(f, 0, 5, 1).off, 0);
	assert_int_equal(loc_at(0, 2, 2, 1).off, 0);
	/* a shift inside a location keeps the file */
	struct loc s = loc_shift(loc_at(f, 2, 1, 3), 2, 1);
	assert_int_equal(s.file, f);
	assert_int_equal(s.off, 6);
	int line, col;
	loc_linecol(s, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_empty_mark),
		cmocka_unit_test(test_arena_nested_marks),
		cmocka_unit_test(test_arena_realloc),
		cmocka_unit_test(test_arena_zero_and_strings),
		cmocka_unit_test(test_sb_lengths),
		cmocka_unit_test(test_map_edges),
		cmocka_unit_test(test_linemap_shapes),
		cmocka_unit_test(test_linemap_loc_at),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	diag_files_release();
	return rc;
}
