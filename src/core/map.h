/*
 * Hash map from byte-string keys to pointers, open addressing with linear probing.
 * The map copies nothing: keys must outlive the map (intern them in an arena). Not thread-safe;
 * concurrent readers are fine once writes have stopped.
 *
 * Module direction: core -> nothing. The bottom layer: every other module may use it.
 */
#ifndef SLUICE_CORE_MAP_H
#define SLUICE_CORE_MAP_H

#include <stddef.h>
#include <stdint.h>

struct map_slot {
	const char *key;
	size_t klen;
	uint64_t hash;
	void *val;
};

struct map {
	struct map_slot *slots;
	size_t cap;  /* power of two, or 0 */
	size_t len;
};

#define MAP_INIT {NULL, 0, 0}

uint64_t hash_bytes(const void *p, size_t n);
void map_init(struct map *m);
void map_release(struct map *m);
void *map_get(const struct map *m, const char *key, size_t klen);
void *map_gets(const struct map *m, const char *key);
/* Sets key to val; returns the previous value or NULL */
void *map_put(struct map *m, const char *key, size_t klen, void *val);
void *map_puts(struct map *m, const char *key, void *val);

/* iteration: for (size_t i = 0; map_next(m, &i, &slot);) */
int map_next(const struct map *m, size_t *pi, struct map_slot **pslot);

#endif
