/*
 * Message digests against the published test vectors (FIPS 180 and RFC 1321 examples), around the
 * block boundaries where padding spills into a second block.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "core/hash.h"

static void test_sha1(void **state)
{
	(void)state;
	static const struct {
		const char *in, *hex;
	} t[] = {
		{"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
		{"The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"},
	};
	char out[41];
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		sha1_hex(t[i].in, strlen(t[i].in), out);
		assert_string_equal(out, t[i].hex);
	}
	char a[1000];
	memset(a, 'a', sizeof(a));
	/* 1,000 'a's: several blocks and a tail */
	sha1_hex(a, sizeof(a), out);
	assert_string_equal(out, "291e9a6c66994949b57ba5e650361e98fc36b1ba");
}

static void test_md5_sha256(void **state)
{
	(void)state;
	char m[33], s[65];
	md5_hex("abc", 3, m);
	assert_string_equal(m, "900150983cd24fb0d6963f7d28e17f72");
	sha256_hex("abc", 3, s);
	assert_string_equal(s, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* sum64: fed in pieces of any size, the same as of the whole; any byte changed, or the length,
 * changes it */
static void test_sum64(void **state)
{
	(void)state;
	unsigned char buf[1000];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	struct sum64 s;
	sum64_init(&s);
	sum64_add(&s, buf, sizeof(buf));
	uint64_t whole = sum64_final(&s);
	static const size_t steps[] = {1, 3, 31, 32, 33, 64, 999};
	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		sum64_init(&s);
		for (size_t at = 0; at < sizeof(buf); at += steps[k])
			sum64_add(&s, buf + at, at + steps[k] <= sizeof(buf) ? steps[k] : sizeof(buf) - at);
		assert_true(sum64_final(&s) == whole);
	}
	for (size_t at = 0; at < sizeof(buf); at += 97) {
		buf[at] ^= 1;
		sum64_init(&s);
		sum64_add(&s, buf, sizeof(buf));
		assert_true(sum64_final(&s) != whole);
		buf[at] ^= 1;
	}
	sum64_init(&s);
	sum64_add(&s, buf, sizeof(buf) - 1);
	assert_true(sum64_final(&s) != whole);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha1),
		cmocka_unit_test(test_md5_sha256),
		cmocka_unit_test(test_sum64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
