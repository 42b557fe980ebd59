/*
 * String builder. Invariants (as git's strbuf): `buf` is never NULL, `buf[len]` is '\0', embedded
 * NULs are allowed. The builder owns its heap memory; sb_detach() hands it to the caller (free()),
 * sb_to_arena() copies it into an arena and resets the builder. An optional cap (`max`, 0 = none)
 * makes sb_add* fail with -1 instead of growing past it, for bytes that come off the network.
 */
#ifndef SLUICE_CORE_SB_H
#define SLUICE_CORE_SB_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

struct sb {
	char *buf;
	size_t len;
	size_t cap;
	size_t max;
};

extern char sb_empty_buf[];
#define SB_INIT {sb_empty_buf, 0, 0, 0}

void sb_init(struct sb *s);
void sb_release(struct sb *s);
void sb_reset(struct sb *s);   /* len = 0, memory kept */
void sb_grow(struct sb *s, size_t extra);
int sb_add(struct sb *s, const void *p, size_t n);
int sb_adds(struct sb *s, const char *str);
int sb_addc(struct sb *s, char c);
int sb_addf(struct sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sb_vaddf(struct sb *s, const char *fmt, va_list ap);
void sb_setlen(struct sb *s, size_t len);
char *sb_detach(struct sb *s, size_t *plen);
char *sb_to_arena(struct sb *s, struct arena *a);
void sb_rtrim(struct sb *s);

#endif
