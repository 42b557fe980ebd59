/*
 * Arena allocator: chained blocks, max_align_t alignment, a block of its own for large requests.
 *
 * Ownership: everything allocated from an arena lives until arena_release() (or an arena_reset()
 * to an earlier mark); nothing is freed one by one. Running out of memory aborts.
 * An arena is not thread-safe: each thread uses its own.
 *
 * Module direction: core -> nothing. The bottom layer: every other module may use it.
 */
#ifndef SLUICE_CORE_ARENA_H
#define SLUICE_CORE_ARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct arena_block;

struct arena {
	struct arena_block *head;  /* current block, newest first */
	struct arena_block *big;   /* blocks of their own for large requests, newest first */
	size_t block_size;         /* size of ordinary blocks */
	size_t total;              /* bytes obtained from malloc, for statistics */
	struct arena_block *spare; /* mapped ordinary blocks an arena_reset gave back, used again first */
	size_t nspare;
	bool shared;               /* holds values every render and thread of a run shares (dbt's
				    * `graph` as a cache): Jinja's methods lock to change the lists
				    * and dicts in it, and copy what they store into it */
};

struct arena_mark {
	struct arena_block *block;
	struct arena_block *big;
	size_t used;
};

void arena_init(struct arena *a, size_t block_size);
void arena_release(struct arena *a);

void *arena_alloc(struct arena *a, size_t n);   /* aligned, uninitialised */
void *arena_zalloc(struct arena *a, size_t n);  /* aligned, zeroed */
void *arena_realloc(struct arena *a, void *old, size_t oldn, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_sprintf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct arena_mark arena_mark(struct arena *a);
void arena_reset(struct arena *a, struct arena_mark m);

#define ARENA_NEW(a, T) ((T *)arena_zalloc((a), sizeof(T)))
#define ARENA_ARRAY(a, T, n) ((T *)arena_zalloc((a), sizeof(T) * (size_t)(n)))

/* malloc wrappers that abort on OOM (git's xmalloc rule) */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
