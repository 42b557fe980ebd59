/*
 * Arena allocator (see arena.h). Blocks are chained newest first; a request larger than a quarter of
 * the block size gets a block of its own, inserted behind the current one so the current block's
 * free space is not wasted. arena_reset() frees the blocks allocated after the mark.
 */
#include "core/arena.h"

#include <stdarg.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/log.h"

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

#define ALIGN (alignof(max_align_t))

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
}

static void free_chain(struct arena *a, struct arena_block **head, struct arena_block *upto)
{
	while (*head && *head != upto) {
		struct arena_block *next = (*head)->next;
		a->total -= (*head)->size;
		free(*head);
		*head = next;
	}
}

void arena_release(struct arena *a)
{
	free_chain(a, &a->head, NULL);
	free_chain(a, &a->big, NULL);
	a->total = 0;
}

static struct arena_block *block_new(struct arena *a, size_t size)
{
	struct arena_block *b = xmalloc(sizeof(*b) + size);
	b->size = size;
	b->used = 0;
	b->next = NULL;
	a->total += size;
	return b;
}

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + ALIGN - 1) & ~(ALIGN - 1);
	if (n == 0)
		n = ALIGN;
	struct arena_block *b = a->head;
	if (b && b->size - b->used >= n) {
		void *p = b->data + b->used;
		b->used += n;
		return p;
	}
	if (n > a->block_size / 4) {
		/* big request: a block of its own, so the current block's space is not wasted */
		struct arena_block *big = block_new(a, n);
		big->used = n;
		big->next = a->big;
		a->big = big;
		return big->data;
	}
	struct arena_block *nb = block_new(a, a->block_size);
	nb->next = a->head;
	a->head = nb;
	nb->used = n;
	return nb->data;
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
	char *p = arena_alloc(a, n + 1);
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
	char *p = arena_alloc(a, (size_t)n + 1);
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
