/*
 * The Flink client's own small helpers: allocation that aborts on exhaustion, a growable buffer,
 * an arena of chained blocks, and monotonic time with interruptible sleeps. The library is used
 * without the rest of Sluice, so it cannot borrow src/core's versions of these.
 */
#include "flink/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void oom(size_t n)
{
	fprintf(stderr, "libsluice-flink: out of memory allocating %zu bytes\n", n);
	abort();
}

void *fl_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *fl_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *fl_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *fl_xstrdup(const char *s)
{
	return fl_xstrndup(s, strlen(s));
}

char *fl_xstrndup(const char *s, size_t n)
{
	char *p = fl_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ---------------------------------------------------------------- buffer */

static void buf_grow(struct fl_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap / 2 * 3 + 16;
	b->p = fl_xrealloc(b->p, cap);
	b->cap = cap;
}

void fl_buf_add(struct fl_buf *b, const void *s, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void fl_buf_adds(struct fl_buf *b, const char *s)
{
	fl_buf_add(b, s, strlen(s));
}

void fl_buf_addc(struct fl_buf *b, char c)
{
	fl_buf_add(b, &c, 1);
}

void fl_buf_addf(struct fl_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *fl_buf_detach(struct fl_buf *b)
{
	char *p = b->p ? b->p : fl_xstrdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void fl_buf_release(struct fl_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

const char *fl_buf_str(const struct fl_buf *b)
{
	return b->p ? b->p : "";
}

/* ---------------------------------------------------------------- arena */

struct fl_block {
	struct fl_block *next;
	size_t used, size;
	max_align_t data[];
};

#define FL_BLOCK_SIZE 8192

void *fl_arena_alloc(struct fl_arena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	n = (n + align - 1) / align * align;
	if (!n)
		n = align;
	struct fl_block *b = a->head;
	if (!b || b->size - b->used < n) {
		/* big requests get a block of their own, behind the current one */
		size_t size = n > FL_BLOCK_SIZE / 4 ? n : FL_BLOCK_SIZE;
		struct fl_block *nb = fl_xmalloc(sizeof(*nb) + size);
		nb->used = 0;
		nb->size = size;
		if (b && size != FL_BLOCK_SIZE) {
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *fl_arena_strndup(struct fl_arena *a, const char *s, size_t n)
{
	char *p = fl_arena_alloc(a, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *fl_arena_strdup(struct fl_arena *a, const char *s)
{
	return s ? fl_arena_strndup(a, s, strlen(s)) : NULL;
}

void fl_arena_release(struct fl_arena *a)
{
	struct fl_block *b = a->head;
	while (b) {
		struct fl_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}

/* ---------------------------------------------------------------- time */

long long fl_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool fl_sleep_ms(long ms, volatile sig_atomic_t *interrupt, atomic_int *stop)
{
	long long end = fl_now_ms() + ms;
	for (;;) {
		if ((interrupt && *interrupt) || (stop && atomic_load(stop)))
			return true;
		long long left = end - fl_now_ms();
		if (left <= 0)
			return false;
		long slice = left < 10 ? (long)left : 10;
		struct timespec ts = {slice / 1000, (slice % 1000) * 1000000L};
		nanosleep(&ts, NULL);
	}
}
