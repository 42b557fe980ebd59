/*
 * Arena allocator (see arena.h). Blocks are chained newest first; a request larger than a quarter of
 * the block size gets a block of its own, inserted behind the current one so the current block's
 * free space is not wasted. arena_reset() frees the blocks allocated after the mark.
 *
 * The ordinary blocks of an arena of megabyte blocks (the project's long-lived arenas) are mapped
 * with all their pages at once (MAP_POPULATE) rather than one page fault at a time as they are
 * first written: an arena fills its blocks front to back, so those pages are used anyway, and a
 * page mapped in bulk costs about half of a fault's 11 us on the virtual machines that CI runs on
 * (a parse of 10,000 models faults in 60,000 pages). The first block of each is malloc's, so that
 * a small command does not map a megabyte it does not use. arena_reset keeps a few mapped blocks
 * for the next allocations, so that an arena reset once an item does not map them again each
 * time. Other blocks stay with malloc, which reuses what short-lived arenas give back without new
 * faults.
 * Under AddressSanitizer every block is malloc's, so that LeakSanitizer still finds a lost arena.
 */
#include "core/arena.h"

#include <stdarg.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "core/log.h"

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	bool mapped; /* mmap's, not malloc's */
	alignas(max_align_t) unsigned char data[];
};

#define ALIGN (alignof(max_align_t))

#if defined(__SANITIZE_ADDRESS__)
#define POPULATE_MIN ((size_t)-1)
#else
#define POPULATE_MIN ((size_t)1 << 20)
#endif
#define MAX_SPARE 4

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory (allocating %zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		die("out of memory (allocating %zu bytes)", n * m);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die("out of memory (allocating %zu bytes)", n);
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

void arena_init(struct arena *a, size_t block_size)
{
	a->head = NULL;
	a->big = NULL;
	a->block_size = block_size ? block_size : 64 * 1024;
	a->total = 0;
	a->spare = NULL;
	a->nspare = 0;
	a->shared = false;
}

static void block_free(struct arena_block *b)
{
	if (b->mapped)
		munmap(b, sizeof(*b) + b->size);
	else
		free(b);
}

static void free_chain(struct arena *a, struct arena_block **head, struct arena_block *upto)
{
	while (*head && *head != upto) {
		struct arena_block *next = (*head)->next;
		a->total -= (*head)->size;
		if ((*head)->mapped && head == &a->head && a->nspare < MAX_SPARE) {
			(*head)->next = a->spare;
			a->spare = *head;
			a->nspare++;
		} else {
			block_free(*head);
		}
		*head = next;
	}
}

void arena_release(struct arena *a)
{
	free_chain(a, &a->head, NULL);
	free_chain(a, &a->big, NULL);
	while (a->spare) {
		struct arena_block *next = a->spare->next;
		block_free(a->spare);
		a->spare = next;
	}
	a->nspare = 0;
	a->total = 0;
}

/* A block of `size` bytes; ordinary: of the arena's block size, not one for a large request */
static struct arena_block *block_new(struct arena *a, size_t size, bool ordinary)
{
	struct arena_block *b = NULL;
	if (ordinary && a->spare) {
		b = a->spare;
		a->spare = b->next;
		a->nspare--;
	} else if (ordinary && size >= POPULATE_MIN && a->head) {
		/* from the second block on: a command that needs less than one block (a parse served
		 * from the cache, --version) still faults in only the pages it touches */
		b = mmap(NULL, sizeof(*b) + size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1,
			 0);
		if (b == MAP_FAILED)
			b = NULL;
	}
	if (b) {
		b->mapped = true; /* a spare block was mapped too */
	} else {
		b = xmalloc(sizeof(*b) + size);
		b->mapped = false;
	}
	b->size = size;
	b->used = 0;
	b->next = NULL;
	a->total += size;
	return b;
}

/* n bytes at the current block's offset `at` (aligned or not, as the caller needs), else in a new
 * block */
static void *alloc_at(struct arena *a, size_t n, size_t at)
{
	struct arena_block *b = a->head;
	if (b && at <= b->size && b->size - at >= n) {
		b->used = at + n;
		return b->data + at;
	}
	if (n > a->block_size / 4) {
		/* big request: a block of its own, so the current block's space is not wasted */
		struct arena_block *big = block_new(a, n, false);
		big->used = n;
		big->next = a->big;
		a->big = big;
		return big->data;
	}
	struct arena_block *nb = block_new(a, a->block_size, true);
	nb->next = a->head;
	a->head = nb;
	nb->used = n;
	return nb->data;
}

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + ALIGN - 1) & ~(ALIGN - 1);
	if (n == 0)
		n = ALIGN;
	/* strings leave the offset unaligned (arena_bytes) */
	return alloc_at(a, n, a->head ? (a->head->used + ALIGN - 1) & ~(ALIGN - 1) : 0);
}

/* Unaligned bytes: strings need none, and a large project holds a million of them, each of which
 * rounded up to 16 bytes wasted 8 on average */
static char *arena_bytes(struct arena *a, size_t n)
{
	return alloc_at(a, n ? n : 1, a->head ? a->head->used : 0);
}

void *arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

void *arena_realloc(struct arena *a, void *old, size_t oldn, size_t n)
{
	if (n <= oldn)
		return old;
	struct arena_block *b = a->head;
	size_t oa = (oldn + ALIGN - 1) & ~(ALIGN - 1);
	/* grow in place when old is the last allocation of the current block */
	if (old && b && (unsigned char *)old + oa == b->data + b->used &&
	    (unsigned char *)old >= b->data) {
		size_t na = (n + ALIGN - 1) & ~(ALIGN - 1);
		if (b->used - oa + na <= b->size) {
			b->used = b->used - oa + na;
			return old;
		}
	}
	void *p = arena_alloc(a, n);
	if (old && oldn)
		memcpy(p, old, oldn);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_bytes(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_sprintf(struct arena *a, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = arena_bytes(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

struct arena_mark arena_mark(struct arena *a)
{
	struct arena_mark m = {a->head, a->big, a->head ? a->head->used : 0};
	return m;
}

void arena_reset(struct arena *a, struct arena_mark m)
{
	free_chain(a, &a->head, m.block);
	free_chain(a, &a->big, m.big);
	if (a->head)
		a->head->used = m.used;
}
