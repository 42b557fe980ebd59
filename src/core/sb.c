/* String builder (see sb.h). */
#include "core/sb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"

char sb_empty_buf[1];

void sb_init(struct sb *s)
{
	s->buf = sb_empty_buf;
	s->len = s->cap = 0;
}

void sb_release(struct sb *s)
{
	if (s->cap)
		free(s->buf);
	sb_init(s);
}

void sb_reset(struct sb *s)
{
	s->len = 0;
	/* never write to the shared empty buffer: threads would race on it */
	if (s->cap)
		s->buf[0] = '\0';
}

void sb_grow(struct sb *s, size_t extra)
{
	size_t need = s->len + extra + 1;
	if (need <= s->cap)
		return;
	size_t ncap = s->cap ? s->cap : 64;
	while (ncap < need)
		ncap = ncap + ncap / 2 + 16;
	if (s->cap) {
		s->buf = xrealloc(s->buf, ncap);
	} else {
		char *nb = xmalloc(ncap);
		nb[0] = '\0';
		s->buf = nb;
	}
	s->cap = ncap;
}

int sb_add_capped(struct sb *s, const void *p, size_t n, size_t max)
{
	if (s->len > max || n > max - s->len)
		return -1;
	sb_add(s, p, n);
	return 0;
}

void sb_vaddf(struct sb *s, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	char tmp[256];
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	/* only a conversion of wide characters can fail, and the formats here have none */
	ASSERT(n >= 0);
	if ((size_t)n < sizeof(tmp)) {
		va_end(ap2);
		sb_add(s, tmp, (size_t)n);
		return;
	}
	sb_grow(s, (size_t)n);
	vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	s->len += (size_t)n;
}

void sb_addf(struct sb *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(s, fmt, ap);
	va_end(ap);
}

void sb_setlen(struct sb *s, size_t len)
{
	if (len > s->len)
		sb_grow(s, len - s->len);
	s->len = len;
	s->buf[len] = '\0';
}

char *sb_detach(struct sb *s, size_t *plen)
{
	char *r = s->cap ? s->buf : xstrdup("");
	if (plen)
		*plen = s->len;
	sb_init(s);
	return r;
}

char *sb_to_arena(struct sb *s, struct arena *a)
{
	char *r = arena_strndup(a, s->buf, s->len);
	sb_reset(s);
	return r;
}

void sb_rtrim(struct sb *s)
{
	while (s->len && (s->buf[s->len - 1] == ' ' || s->buf[s->len - 1] == '\n' ||
			  s->buf[s->len - 1] == '\t' || s->buf[s->len - 1] == '\r'))
		s->len--;
	if (s->cap)
		s->buf[s->len] = '\0';
}
