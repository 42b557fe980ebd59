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

/* SHA-256 on both paths (the SHA extensions when the CPU has them, portable C): FIPS 180-4's
 * examples, and lengths around the block and padding edges, digests from Python's hashlib */
static void test_sha256_paths(void **state)
{
	(void)state;
	unsigned char buf[1000], a[1000];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	memset(a, 'a', sizeof(a));
	static const struct {
		size_t n;
		const char *hex;
	} cut[] = {
		{55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
		{56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
		{63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
		{64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
		{65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
		{119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
		{120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
		{127, "a8d23e75d936f303d248888d9b165ee543f4cbafcad3c9dd2a79bd84faa11d07"},
		{128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6"},
		{999, "0dffa03bbfbe55a3f136ed2b61ace94629fd28da6f6888610aa55976d50a33bc"},
	};
	static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	bool have = sha256_accelerated(true);
	for (int path = 0; path < 2; path++) {
		sha256_accelerated(path == 0);
		char s[65];
		sha256_hex("", 0, s);
		assert_string_equal(s, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
		sha256_hex(two_blocks, sizeof(two_blocks) - 1, s);
		assert_string_equal(s, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
		sha256_hex(a, sizeof(a), s);
		assert_string_equal(s, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
		for (size_t k = 0; k < sizeof(cut) / sizeof(cut[0]); k++) {
			sha256_hex(buf, cut[k].n, s);
			assert_string_equal(s, cut[k].hex);
		}
	}
	/* and the two paths agree on every length up to several blocks */
	for (size_t n = 0; n <= 300 && have; n++) {
		char x[65], y[65];
		sha256_accelerated(true);
		sha256_hex(buf + (n % 7), n, x);
		sha256_accelerated(false);
		sha256_hex(buf + (n % 7), n, y);
		assert_string_equal(x, y);
	}
	sha256_accelerated(true);
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
		cmocka_unit_test(test_sha256_paths),
		cmocka_unit_test(test_sum64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
