/* Hash map (see map.h). FNV-1a hashing; the table doubles at 70% load. */
#include "core/map.h"

#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

void map_init(struct map *m)
{
	m->slots = NULL;
	m->cap = m->len = 0;
}

void map_release(struct map *m)
{
	free(m->slots);
	map_init(m);
}

static struct map_slot *find(const struct map *m, const char *key, size_t klen, uint64_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct map_slot *s = &m->slots[i];
		if (!s->key)
			return s;
		if (s->hash == h && s->klen == klen && memcmp(s->key, key, klen) == 0)
			return s;
	}
}

void *map_get(const struct map *m, const char *key, size_t klen)
{
	if (!m->cap)
		return NULL;
	struct map_slot *s = find(m, key, klen, hash_bytes(key, klen));
	return s->key ? s->val : NULL;
}

void *map_gets(const struct map *m, const char *key)
{
	return map_get(m, key, strlen(key));
}

static void grow(struct map *m)
{
	struct map_slot *old = m->slots;
	size_t oldcap = m->cap;
	m->cap = oldcap ? oldcap * 2 : 16;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].klen, old[i].hash) = old[i];
	free(old);
}

void *map_put(struct map *m, const char *key, size_t klen, void *val)
{
	if ((m->len + 1) * 10 > m->cap * 7)
		grow(m);
	uint64_t h = hash_bytes(key, klen);
	struct map_slot *s = find(m, key, klen, h);
	if (s->key) {
		void *prev = s->val;
		s->val = val;
		return prev;
	}
	s->key = key;
	s->klen = klen;
	s->hash = h;
	s->val = val;
	m->len++;
	return NULL;
}

void *map_puts(struct map *m, const char *key, void *val)
{
	return map_put(m, key, strlen(key), val);
}

int map_next(const struct map *m, size_t *pi, struct map_slot **pslot)
{
	while (*pi < m->cap) {
		struct map_slot *s = &m->slots[(*pi)++];
		if (s->key) {
			*pslot = s;
			return 1;
		}
	}
	return 0;
}
