/*
 * String builder. Invariants (as git's strbuf): `buf` is never NULL, `buf[len]` is '\0', embedded
 * NULs are allowed. The builder owns its heap memory; sb_detach() hands it to the caller (free()),
 * sb_to_arena() copies it into an arena and resets the builder. Appending cannot fail (out of
 * memory aborts), so sb_add* return nothing; bytes that come off the network go through
 * sb_add_capped(), whose result must be checked.
 *
 * Module direction: core -> nothing. The bottom layer: every other module may use it.
 */
#ifndef SLUICE_CORE_SB_H
#define SLUICE_CORE_SB_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct arena;

struct sb {
	char *buf;
	size_t len;
	size_t cap;
};

extern char sb_empty_buf[];
#define SB_INIT {sb_empty_buf, 0, 0}

void sb_init(struct sb *s);
void sb_release(struct sb *s);
void sb_reset(struct sb *s);   /* len = 0, memory kept */
void sb_grow(struct sb *s, size_t extra);

/* Appending is inline: artifacts and rendering append millions of short pieces */
static inline void sb_add(struct sb *s, const void *p, size_t n)
{
	if (s->len + n + 1 > s->cap)
		sb_grow(s, n);
	if (n)
		memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

static inline void sb_adds(struct sb *s, const char *str)
{
	sb_add(s, str, strlen(str));
}

static inline void sb_addc(struct sb *s, char c)
{
	if (s->len + 2 > s->cap)
		sb_grow(s, 1);
	s->buf[s->len++] = c;
	s->buf[s->len] = '\0';
}

void sb_addf(struct sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(struct sb *s, const char *fmt, va_list ap);
/* Appends unless s would grow past max bytes: 0, or -1 with s unchanged (for bytes off the wire) */
int sb_add_capped(struct sb *s, const void *p, size_t n, size_t max) __attribute__((warn_unused_result));
void sb_setlen(struct sb *s, size_t len);
char *sb_detach(struct sb *s, size_t *plen);
char *sb_to_arena(struct sb *s, struct arena *a);
void sb_rtrim(struct sb *s);

#endif
