/*
 * Message digests for checksums (sha256 of files, as dbt writes them) and local_md5 / test ids (md5).
 *
 * Module direction: core -> nothing. The bottom layer: every other module may use it.
 */
#ifndef SLUICE_CORE_HASH_H
#define SLUICE_CORE_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Lower-case hex digests into `out` (33 / 65 bytes, NUL-terminated) */
void md5_hex(const void *data, size_t len, char out[33]);
void sha256_hex(const void *data, size_t len, char out[65]);
/* Whether the CPU has the SHA extensions that sha256_hex uses when it may; `allow` false makes it
 * use portable C (for tests comparing the two) */
bool sha256_accelerated(bool allow);
/* 41 bytes: dbt's package-lock.yml hash */
void sha1_hex(const void *data, size_t len, char out[41]);

/*
 * A fast checksum of a byte stream fed in pieces of any size (the same as of the whole at once):
 * four independent lanes over 32-byte blocks, so it runs at memory speed. It tells a torn or
 * damaged file from a whole one; it is no digest.
 */
struct sum64 {
	uint64_t lane[4];
	unsigned char tail[32];
	size_t ntail;
	uint64_t total;
};
void sum64_init(struct sum64 *s);
void sum64_add(struct sum64 *s, const void *data, size_t len);
uint64_t sum64_final(struct sum64 *s);

#endif
