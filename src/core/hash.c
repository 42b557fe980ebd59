/* MD5 (RFC 1321) and SHA-256 (FIPS 180-4), straight from the specifications. */
#include "core/hash.h"

#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#endif

static const char hexd[] = "0123456789abcdef";

static void to_hex(const unsigned char *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexd[d[i] >> 4];
		out[2 * i + 1] = hexd[d[i] & 15];
	}
	out[2 * n] = '\0';
}

/* ---- MD5 ---- */
#define ROTL(x, c) (((x) << (c)) | ((x) >> (32 - (c))))

static void md5_block(uint32_t h[4], const unsigned char *p)
{
	static const uint32_t K[64] = {
		0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
		0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
		0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
		0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
		0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
		0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
		0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
		0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
	static const int S[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
				  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
				  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
				  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
	uint32_t m[16];
	for (int i = 0; i < 16; i++)
		m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
		       (uint32_t)p[4 * i + 3] << 24;
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
	for (int i = 0; i < 64; i++) {
		uint32_t f;
		int g;
		if (i < 16) {
			f = (b & c) | (~b & d);
			g = i;
		} else if (i < 32) {
			f = (d & b) | (~d & c);
			g = (5 * i + 1) % 16;
		} else if (i < 48) {
			f = b ^ c ^ d;
			g = (3 * i + 5) % 16;
		} else {
			f = c ^ (b | ~d);
			g = (7 * i) % 16;
		}
		uint32_t t = d;
		d = c;
		c = b;
		b = b + ROTL(a + f + K[i] + m[g], S[i]);
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
}

void md5_hex(const void *data, size_t len, char out[33])
{
	uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
	const unsigned char *p = data;
	size_t left = len;
	while (left >= 64) {
		md5_block(h, p);
		p += 64;
		left -= 64;
	}
	unsigned char tail[128] = {0};
	memcpy(tail, p, left);
	tail[left] = 0x80;
	size_t tl = left + 9 <= 64 ? 64 : 128;
	uint64_t bits = (uint64_t)len * 8;
	for (int i = 0; i < 8; i++)
		tail[tl - 8 + i] = (unsigned char)(bits >> (8 * i));
	md5_block(h, tail);
	if (tl == 128)
		md5_block(h, tail + 64);
	unsigned char dig[16];
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			dig[4 * i + j] = (unsigned char)(h[i] >> (8 * j));
	to_hex(dig, 16, out);
}

/* ---- SHA-256 ---- */
#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

/* FIPS 180-4 compression of one 64-byte block, portable C */
static void sha256_block_c(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
		       (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t S1 = ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25);
		uint32_t ch = (e & f) ^ (~e & g);
		uint32_t t1 = hh + S1 + ch + K[i] + w[i];
		uint32_t S0 = ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22);
		uint32_t mj = (a & b) ^ (a & c) ^ (b & c);
		uint32_t t2 = S0 + mj;
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

#if defined(__x86_64__) && defined(__GNUC__)
/*
 * The same compression with the x86 SHA extensions (Intel SHA-NI, AMD since Zen): about ten times
 * the portable speed, which is what hashing every model's file at parse costs. The state lives in
 * two registers as the instructions want it, ABEF and CDGH (high lane first); each sha256rnds2
 * does two rounds, sha256msg1/msg2 extend the message schedule four words at a time.
 */
__attribute__((target("sha,sse4.1,ssse3"))) static void sha256_block_ni(uint32_t h[8], const unsigned char *p)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1); /* CDAB */
	__m128i cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B); /* EFGH -> HGFE */
	__m128i abef = _mm_alignr_epi8(t, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, t, 0xF0);
	__m128i abef0 = abef, cdgh0 = cdgh;
	__m128i w[4];
	for (int i = 0; i < 16; i++) {
		__m128i m;
		if (i < 4) {
			m = w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
		} else {
			/* w[t] = s1(w[t-2]) + w[t-7] + s0(w[t-15]) + w[t-16], four at a time; w[] is a ring
			 * of the last four groups */
			__m128i x = _mm_sha256msg1_epu32(w[i & 3], w[(i + 1) & 3]);
			x = _mm_add_epi32(x, _mm_alignr_epi8(w[(i + 3) & 3], w[(i + 2) & 3], 4));
			m = w[i & 3] = _mm_sha256msg2_epu32(x, w[(i + 3) & 3]);
		}
		m = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&K[4 * i]));
		cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);
		abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(m, 0x0E));
		/* two rounds each: after both, the roles are back (the registers swapped twice) */
	}
	abef = _mm_add_epi32(abef, abef0);
	cdgh = _mm_add_epi32(cdgh, cdgh0);
	t = _mm_shuffle_epi32(abef, 0x1B);  /* FEBA */
	cdgh = _mm_shuffle_epi32(cdgh, 0xB1);  /* DCHG */
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(t, cdgh, 0xF0));  /* DCBA */
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(cdgh, t, 8));  /* HGFE */
}

static bool cpu_has_sha(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1) || !(c & bit_SSSE3))
		return false;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}
#endif

/* 1: the SHA extensions, 0: portable C, -1: not chosen yet (a benign race: both answers agree) */
static _Atomic int sha_path = -1;

bool sha256_accelerated(bool allow)
{
	bool have = false;
#if defined(__x86_64__) && defined(__GNUC__)
	have = cpu_has_sha();
#endif
	sha_path = allow && have;
	return have;
}

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
#if defined(__x86_64__) && defined(__GNUC__)
	int path = sha_path;
	if (path < 0)
		path = sha_path = cpu_has_sha();
	if (path) {
		sha256_block_ni(h, p);
		return;
	}
#endif
	sha256_block_c(h, p);
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	const unsigned char *p = data;
	size_t left = len;
	while (left >= 64) {
		sha256_block(h, p);
		p += 64;
		left -= 64;
	}
	unsigned char tail[128] = {0};
	memcpy(tail, p, left);
	tail[left] = 0x80;
	size_t tl = left + 9 <= 64 ? 64 : 128;
	uint64_t bits = (uint64_t)len * 8;
	for (int i = 0; i < 8; i++)
		tail[tl - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha256_block(h, tail);
	if (tl == 128)
		sha256_block(h, tail + 64);
	unsigned char dig[32];
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 4; j++)
			dig[4 * i + j] = (unsigned char)(h[i] >> (24 - 8 * j));
	to_hex(dig, 32, out);
}

/* SHA-1 (FIPS 180-4): only for formats that name it, such as dbt's package-lock.yml hash */
static uint32_t rol32(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void sha1_block(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	for (int i = 0; i < 80; i++) {
		uint32_t f, k;
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		uint32_t t = rol32(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol32(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void sha1_hex(const void *data, size_t len, char out[41])
{
	uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
	const unsigned char *p = data;
	size_t left = len;
	while (left >= 64) {
		sha1_block(h, p);
		p += 64;
		left -= 64;
	}
	unsigned char tail[128] = {0};
	memcpy(tail, p, left);
	tail[left] = 0x80;
	size_t tl = left + 9 <= 64 ? 64 : 128;
	uint64_t bits = (uint64_t)len * 8;
	for (int i = 0; i < 8; i++)
		tail[tl - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha1_block(h, tail);
	if (tl == 128)
		sha1_block(h, tail + 64);
	unsigned char dig[20];
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 4; j++)
			dig[4 * i + j] = (unsigned char)(h[i] >> (24 - 8 * j));
	to_hex(dig, 20, out);
}

/* ---------------------------------------------------------------- sum64 */

#define SUM_K1 0x9e3779b97f4a7c15ULL
#define SUM_K2 0xc2b2ae3d27d4eb4fULL

static uint64_t sum_rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static void sum_block(struct sum64 *s, const unsigned char *b)
{
	for (int i = 0; i < 4; i++) {
		uint64_t w;
		memcpy(&w, b + 8 * i, 8);
		s->lane[i] = sum_rotl(s->lane[i] + w * SUM_K2, 31) * SUM_K1;
	}
}

void sum64_init(struct sum64 *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < 4; i++)
		s->lane[i] = SUM_K1 * (uint64_t)(i + 1);
}

void sum64_add(struct sum64 *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	s->total += len;
	if (s->ntail) {
		size_t take = 32 - s->ntail < len ? 32 - s->ntail : len;
		memcpy(s->tail + s->ntail, p, take);
		s->ntail += take;
		p += take;
		len -= take;
		if (s->ntail < 32)
			return;
		sum_block(s, s->tail);
		s->ntail = 0;
	}
	for (; len >= 32; p += 32, len -= 32)
		sum_block(s, p);
	memcpy(s->tail, p, len);
	s->ntail = len;
}

uint64_t sum64_final(struct sum64 *s)
{
	memset(s->tail + s->ntail, 0, 32 - s->ntail);
	sum_block(s, s->tail);
	uint64_t h = s->total * SUM_K1;
	for (int i = 0; i < 4; i++)
		h = sum_rotl(h ^ s->lane[i], 27) * SUM_K2;
	return h ^ (h >> 29);
}
