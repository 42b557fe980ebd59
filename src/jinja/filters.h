/*
 * Helpers shared by the filter files (filters.c, filters_seq.c). Internal to src/jinja/.
 */
#ifndef SLUICE_JINJA_FILTERS_H
#define SLUICE_JINJA_FILTERS_H

#include "jinja/internal.h"

#define F(name) static value name(struct jj_vm *vm, void *ud, const struct vargs *a)

static const char *const NO_KW[] = {NULL};

static inline void check(struct jj_vm *vm, const char *name, const struct vargs *a, size_t maxpos,
		  const char *const *kw)
{
	/* the subject is positional argument 0: names start at position 1 */
	struct vargs b = *a;
	if (b.npos)
		b.npos--;
	b.pos = a->pos + (a->npos ? 1 : 0);
	jj_check_args(vm, name, &b, maxpos, kw);
}

static inline value subject(const struct vargs *a)
{
	return jj_pos(a, 0);
}

/* argument `pos` (counting after the subject) or keyword `kw` */
static inline value arg(const struct vargs *a, size_t pos, const char *kw, value dflt)
{
	return jj_arg(a, pos + 1, kw, dflt);
}

static inline value soft_str(struct jj_vm *vm, value v)
{
	return jj_str(vm, v);
}

void jj_register_seq_filters(struct jj_env *env);

#endif
