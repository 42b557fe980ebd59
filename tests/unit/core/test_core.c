/*
 * core: the arena, the string builder, the hash map and the diagnostics' line map, which every
 * other module stands on. Lifecycle invariants are checked as git's u-strbuf does; inputs and
 * expectations are tables, as curl's unit tests.
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
#include "core/fs.h"
#include "core/map.h"
#include "core/sb.h"

/* ---- arena ---- */

static void test_arena_alignment_and_blocks(void **state)
{
	struct arena a;
	arena_init(&a, 256);
	size_t sizes[] = {1, 3, 7, 16, 33, 100, 255, 256, 257, 1000, 4096, 1};
	char *prev[sizeof(sizes) / sizeof(sizes[0])];
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *p = arena_alloc(&a, sizes[i]);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
		memset(p, (int)i, sizes[i]); /* ASan catches an allocation smaller than asked */
		prev[i] = p;
	}
	/* nothing was overwritten by a later allocation */
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (size_t k = 0; k < sizes[i]; k++)
			assert_int_equal((unsigned char)prev[i][k], (unsigned char)i);
	char *z = arena_zalloc(&a, 64);
	for (int k = 0; k < 64; k++)
		assert_int_equal(z[k], 0);
	arena_release(&a);
	/* release leaves an arena that can be used again */
	arena_init(&a, 0);
	assert_non_null(arena_alloc(&a, 10));
	arena_release(&a);
}

static void test_arena_strings(void **state)
{
	struct arena a;
	arena_init(&a, 0);
	assert_string_equal(arena_strdup(&a, "orders"), "orders");
	assert_string_equal(arena_strndup(&a, "orders_v2", 6), "orders");
	assert_string_equal(arena_sprintf(&a, "%s.%s:%d", "main", "orders", 12), "main.orders:12");
	char big[5000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char *s = arena_sprintf(&a, "<%s>", big);
	assert_int_equal(strlen(s), sizeof(big) + 1);
	assert_int_equal(s[0], '<');
	assert_int_equal(s[sizeof(big)], '>');
	/* realloc keeps the old bytes and grows */
	char *r = arena_alloc(&a, 4);
	memcpy(r, "abc", 4);
	r = arena_realloc(&a, r, 4, 4000);
	assert_string_equal(r, "abc");
	arena_release(&a);
}

static void test_arena_mark_reset(void **state)
{
	struct arena a;
	arena_init(&a, 128);
	char *keep = arena_strdup(&a, "kept");
	struct arena_mark m = arena_mark(&a);
	for (int i = 0; i < 100; i++)
		arena_alloc(&a, (size_t)(i * 37 % 300 + 1)); /* small and large, across blocks */
	arena_reset(&a, m);
	assert_string_equal(keep, "kept");
	/* the space after the mark is reused: the next allocation fits where the mark was */
	char *again = arena_strdup(&a, "again");
	assert_string_equal(again, "again");
	assert_string_equal(keep, "kept");
	arena_release(&a);
}

/* An arena of megabyte blocks (mapped with their pages, see arena.c) reset once an item, as the
 * manifest's writers do: the blocks given back are used again, a few kept, the rest unmapped */
static void test_arena_big_blocks_reset(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 1 << 20);
	char *keep = arena_strdup(&a, "kept");
	for (int round = 0; round < 50; round++) {
		struct arena_mark m = arena_mark(&a);
		/* across blocks: each round spans several, with a large request of its own among them */
		unsigned char *p[12];
		for (int i = 0; i < 12; i++) {
			size_t n = i == 5 ? (2u << 20) : (400u << 10);
			p[i] = arena_alloc(&a, n);
			memset(p[i], round + i, n);
		}
		for (int i = 0; i < 12; i++) {
			size_t n = i == 5 ? (2u << 20) : (400u << 10);
			assert_int_equal(p[i][0], (unsigned char)(round + i));
			assert_int_equal(p[i][n - 1], (unsigned char)(round + i));
		}
		arena_reset(&a, m);
		assert_true(a.nspare <= 4);
		/* what stays in use after the reset is the first block alone */
		assert_true(a.total <= (1u << 20));
		assert_string_equal(keep, "kept");
	}
	char *z = arena_zalloc(&a, 900u << 10); /* a block used again is zeroed where asked */
	for (size_t i = 0; i < (900u << 10); i += 4096)
		assert_int_equal(z[i], 0);
	arena_release(&a);
	assert_null(a.spare);
	assert_int_equal(a.total, 0);
}

/* ---- string builder ---- */

static void check_sb_invariants(const struct sb *s)
{
	assert_non_null(s->buf);
	assert_int_equal(s->buf[s->len], '\0');
	assert_true(s->cap == 0 || s->len < s->cap);
}

static void test_sb_lifecycle(void **state)
{
	struct sb s;
	sb_init(&s);
	check_sb_invariants(&s);
	assert_int_equal(s.len, 0);
	assert_string_equal(s.buf, "");
	sb_adds(&s, "select ");
	sb_addc(&s, '*');
	sb_addf(&s, " from %s where id = %d", "orders", 7);
	check_sb_invariants(&s);
	assert_string_equal(s.buf, "select * from orders where id = 7");
	sb_add(&s, "\0x", 2); /* embedded NUL */
	assert_int_equal(s.len, strlen("select * from orders where id = 7") + 2);
	check_sb_invariants(&s);
	sb_reset(&s);
	check_sb_invariants(&s);
	assert_int_equal(s.len, 0);
	for (int i = 0; i < 10000; i++)
		sb_addc(&s, (char)('a' + i % 26));
	check_sb_invariants(&s);
	assert_int_equal(s.len, 10000);
	size_t len;
	char *d = sb_detach(&s, &len);
	assert_int_equal(len, 10000);
	assert_int_equal(d[9999], 'a' + 9999 % 26);
	free(d);
	/* after detach the builder is empty and usable */
	check_sb_invariants(&s);
	assert_int_equal(s.len, 0);
	sb_adds(&s, "again  \n\t ");
	sb_rtrim(&s);
	assert_string_equal(s.buf, "again");
	struct arena a;
	arena_init(&a, 0);
	char *in_arena = sb_to_arena(&s, &a);
	assert_string_equal(in_arena, "again");
	check_sb_invariants(&s);
	assert_int_equal(s.len, 0);
	sb_release(&s);
	check_sb_invariants(&s);
	sb_release(&s); /* twice is harmless */
	arena_release(&a);
}

static void test_sb_cap(void **state)
{
	struct sb s;
	sb_init(&s);
	assert_int_equal(sb_add_capped(&s, "0123456789", 10, 16), 0);
	assert_int_equal(sb_add_capped(&s, "0123456789", 10, 16), -1); /* would pass the cap */
	assert_int_equal(s.len, 10);                                     /* unchanged */
	check_sb_invariants(&s);
	assert_int_equal(sb_add_capped(&s, "012345", 6, 16), 0);        /* exactly at the cap */
	assert_int_equal(sb_add_capped(&s, "x", 1, 16), -1);
	assert_int_equal(sb_add_capped(&s, "", 0, 16), 0);
	assert_int_equal(sb_add_capped(&s, "x", 1, 8), -1);              /* already past a smaller cap */
	assert_int_equal(s.len, 16);
	check_sb_invariants(&s);
	sb_release(&s);
}

/* ---- hash map ---- */

static void test_map(void **state)
{
	struct map m;
	map_init(&m);
	assert_null(map_gets(&m, "missing"));
	static char keys[2000][16];
	for (int i = 0; i < 2000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "model_%d", i);
		assert_null(map_puts(&m, keys[i], (void *)(intptr_t)(i + 1)));
	}
	assert_int_equal(m.len, 2000);
	for (int i = 0; i < 2000; i++)
		assert_int_equal((intptr_t)map_gets(&m, keys[i]), i + 1);
	/* overwriting returns the previous value and keeps the count */
	assert_int_equal((intptr_t)map_puts(&m, keys[5], (void *)(intptr_t)99), 6);
	assert_int_equal((intptr_t)map_gets(&m, keys[5]), 99);
	assert_int_equal(m.len, 2000);
	/* keys are byte strings: a prefix, or one with a NUL inside, is another key */
	assert_null(map_get(&m, "model_1", 5));
	static const char nul_key[] = {'a', '\0', 'b'};
	map_put(&m, nul_key, 3, (void *)(intptr_t)7);
	assert_int_equal((intptr_t)map_get(&m, nul_key, 3), 7);
	assert_null(map_get(&m, nul_key, 1));
	/* iteration sees every entry once */
	size_t seen = 0;
	struct map_slot *slot;
	for (size_t i = 0; map_next(&m, &i, &slot);)
		seen++;
	assert_int_equal(seen, 2001);
	map_release(&m);
	assert_null(map_gets(&m, "model_1"));
	map_release(&m);
}

/* ---- diagnostics: the line map and the printed form ---- */

static void test_diag_linecol(void **state)
{
	static const char text[] = "select 1\n\nfrom {{ ref('x') }}\r\nlast line";
	uint32_t f = diag_file_add("models/m.sql", text, sizeof(text) - 1);
	static const struct {
		uint32_t off;
		int line, col;
	} cases[] = {
		{0, 1, 1}, {7, 1, 8}, {8, 1, 9}, {9, 2, 1}, {10, 3, 1}, {18, 3, 9}, {31, 4, 1}, {40, 4, 10},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int line, col;
		loc_linecol((struct loc){f, cases[i].off, 1}, &line, &col);
		assert_int_equal(line, cases[i].line);
		assert_int_equal(col, cases[i].col);
		/* loc_at is the inverse */
		struct loc back = loc_at(f, cases[i].line, cases[i].col, 1);
		assert_int_equal(back.off, cases[i].off);
	}
	int line, col;
	loc_linecol(LOC_NONE, &line, &col);
	assert_int_equal(line, 0);
	assert_int_equal(col, 0);
	struct loc inner = loc_shift((struct loc){f, 10, 20}, 5, 3);
	assert_int_equal(inner.off, 15);
	assert_int_equal(inner.len, 3);
}

static void test_diag_format(void **state)
{
	static const char text[] = "select *\nfrom {{ ref('stg', 'orders', 'x') }}\n";
	uint32_t f = diag_file_add("models/orders.sql", text, sizeof(text) - 1);
	struct diag_list dl;
	diag_list_init(&dl);
	struct diag *d = diag_error(&dl, ((struct loc){f, 17, 26}), "ref() takes 1 or 2 arguments, got %d", 3);
	diag_hint(&dl, d, "use ref('model') or ref('package', 'model')");
	diag_note(&dl, d, ((struct loc){f, 0, 6}), "inside the model opened here");
	diag_warn(&dl, LOC_NONE, "a warning with no place");
	assert_int_equal(dl.nerrors, 1);
	assert_int_equal(dl.nwarnings, 1);
	struct sb out;
	sb_init(&out);
	diag_format(&out, d, false);
	assert_non_null(strstr(out.buf, "models/orders.sql:2:9: error: ref() takes 1 or 2 arguments, got 3"));
	assert_non_null(strstr(out.buf, "    2 | from {{ ref('stg', 'orders', 'x') }}\n"));
	assert_non_null(strstr(out.buf, "      |         ^^^^^^^^^^^^^^^^^^^^^^^^^^\n"));
	assert_non_null(strstr(out.buf, "hint: use ref('model') or ref('package', 'model')"));
	assert_non_null(strstr(out.buf, "models/orders.sql:1:1: note: inside the model opened here"));
	/* no colour codes unless asked */
	assert_null(strchr(out.buf, '\033'));
	sb_reset(&out);
	diag_format(&out, d, true);
	assert_non_null(strchr(out.buf, '\033'));
	sb_release(&out);
	/* moving empties the source and keeps the counts */
	struct diag_list dst;
	diag_list_init(&dst);
	diag_list_move(&dst, &dl);
	assert_int_equal(dst.nerrors, 1);
	assert_int_equal(dl.nerrors, 0);
	assert_null(dl.head);
	diag_list_release(&dst);
	diag_list_release(&dl);
}

/* ---- files ---- */

/* fs_write_direct overwrites in place: longer, shorter, equal and empty contents all read back
 * exactly, and a missing folder is made */
static void test_fs_write_direct(void **state)
{
	(void)state;
	char dir[] = "/tmp/sluice_fs_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/sub/dir/f.sql", dir);
	const char *contents[] = {"select 1 as a, 2 as b", "select 1", "select 1", "", "select 12345678901234567890"};
	struct arena a;
	arena_init(&a, 0);
	for (size_t i = 0; i < sizeof(contents) / sizeof(contents[0]); i++) {
		assert_int_equal(fs_write_direct(path, contents[i], strlen(contents[i])), 0);
		size_t len = 99;
		char *back = fs_read(&a, path, &len);
		assert_non_null(back);
		assert_int_equal(len, strlen(contents[i]));
		assert_string_equal(back, contents[i]);
	}
	arena_release(&a);
	assert_int_equal(fs_rm_rf(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_alignment_and_blocks),
		cmocka_unit_test(test_arena_strings),
		cmocka_unit_test(test_arena_mark_reset),
		cmocka_unit_test(test_arena_big_blocks_reset),
		cmocka_unit_test(test_sb_lifecycle),
		cmocka_unit_test(test_sb_cap),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_diag_linecol),
		cmocka_unit_test(test_diag_format),
		cmocka_unit_test(test_fs_write_direct),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	diag_files_release();
	return rc;
}
