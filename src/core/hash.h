/*
 * Message digests for checksums (sha256 of files, as dbt writes them) and local_md5 / test ids (md5).
 *
 * Module direction: core -> nothing. The bottom layer: every other module may use it.
 */
#ifndef SLUICE_CORE_HASH_H
#define SLUICE_CORE_HASH_H

#include <stddef.h>

/* Lower-case hex digests into `out` (33 / 65 bytes, NUL-terminated) */
void md5_hex(const void *data, size_t len, char out[33]);
void sha256_hex(const void *data, size_t len, char out[65]);
/* 41 bytes: dbt's package-lock.yml hash */
void sha1_hex(const void *data, size_t len, char out[41]);

#endif
