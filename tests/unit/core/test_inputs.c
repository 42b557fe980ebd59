/*
 * core/inputs: what a project load read, as the parse cache keys on it. The recorder sees the reads
 * of fs.c only between inputs_begin and inputs_end; a folder's hash does not depend on readdir's
 * order but does on its entries; a file's hash on every byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/fs.h"
#include "core/inputs.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sluice-inputs.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return fs_rm_rf(dir);
}

static void put(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(fs_write(path, text, strlen(text)), 0);
}

static void test_hash_sees_every_byte(void **state)
{
	(void)state;
	char a[37], b[37];
	for (size_t len = 0; len < sizeof(a); len++) {
		memset(a, 'x', sizeof(a));
		memcpy(b, a, sizeof(b));
		for (size_t i = 0; i < len; i++) {
			b[i] = 'y';
			assert_true(inputs_hash(a, len) != inputs_hash(b, len));
			b[i] = 'x';
		}
		assert_true(inputs_hash(a, len) == inputs_hash(b, len));
		if (len)
			assert_true(inputs_hash(a, len) != inputs_hash(a, len - 1));
	}
}

static void test_dir_hash_follows_entries(void **state)
{
	(void)state;
	put("a.sql", "select 1");
	put("b.sql", "select 2");
	uint64_t h1 = inputs_dir_hash(dir);
	assert_true(h1 != 0);
	put("a.sql", "select 3"); /* a file's content is not the folder's */
	assert_true(inputs_dir_hash(dir) == h1);
	put(".hidden.swp", "x"); /* nor are hidden files, which a load never reads */
	assert_true(inputs_dir_hash(dir) == h1);
	put("c.sql", "select 4");
	uint64_t h2 = inputs_dir_hash(dir);
	assert_true(h2 != h1);
	char path[256];
	snprintf(path, sizeof(path), "%s/c.sql", dir);
	unlink(path);
	assert_true(inputs_dir_hash(dir) == h1);
	snprintf(path, sizeof(path), "%s/c.sql", dir);
	assert_int_equal(mkdir(path, 0777), 0); /* the same name as a folder */
	assert_true(inputs_dir_hash(dir) != h1 && inputs_dir_hash(dir) != h2);
	rmdir(path);
}

static void test_recording(void **state)
{
	(void)state;
	put("m.sql", "select 1");
	struct arena a;
	arena_init(&a, 4096);
	char path[256], absent[256];
	snprintf(path, sizeof(path), "%s/m.sql", dir);
	snprintf(absent, sizeof(absent), "%s/none.yml", dir);
	assert_non_null(fs_read(&a, path, NULL)); /* not recorded: not begun */
	inputs_begin();
	assert_true(inputs_recording());
	size_t len = 0;
	assert_non_null(fs_read(&a, path, &len));
	assert_false(fs_is_file(absent));
	char **files;
	size_t n;
	static const char *const sql[] = {".sql", NULL};
	assert_int_equal(fs_list(&a, dir, sql, &files, &n), 0);
	setenv("SLUICE_INPUTS_TEST", "v", 1);
	assert_string_equal(inputs_getenv("SLUICE_INPUTS_TEST"), "v");
	size_t nin = 0;
	struct input *in = inputs_end(&nin);
	assert_false(inputs_recording());
	assert_int_equal(nin, 4);
	int seen = 0;
	for (size_t i = 0; i < nin; i++) {
		if (in[i].kind == INPUT_FILE) {
			assert_string_equal(in[i].path, path);
			assert_int_equal(in[i].size, 8);
			assert_true(in[i].hash == inputs_hash("select 1", 8));
			seen |= 1;
		} else if (in[i].kind == INPUT_PROBE) {
			assert_string_equal(in[i].path, absent);
			assert_int_equal(in[i].size, 0);
			seen |= 2;
		} else if (in[i].kind == INPUT_DIR) {
			assert_string_equal(in[i].path, dir);
			assert_true(in[i].hash == inputs_dir_hash(dir));
			seen |= 4;
		} else if (in[i].kind == INPUT_ENV) {
			assert_string_equal(in[i].path, "SLUICE_INPUTS_TEST");
			assert_true(in[i].size == 1 && in[i].hash == inputs_hash("v", 1));
			seen |= 8;
		}
	}
	assert_int_equal(seen, 15);
	inputs_free(in, nin);
	assert_non_null(fs_read(&a, path, NULL));
	in = inputs_end(&nin);
	assert_int_equal(nin, 0);
	inputs_free(in, nin);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_sees_every_byte),
		cmocka_unit_test_setup_teardown(test_dir_hash_follows_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recording, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
