/*
 * Growable arrays on the heap: `VEC(T) v = {0}; VEC_PUSH(&v, x); ... VEC_FREE(&v);`
 * The vector owns its items array; items are stored by value.
 *
 * Module direction: core -> nothing. The bottom layer: every other module may use it.
 */
#ifndef SLUICE_CORE_VEC_H
#define SLUICE_CORE_VEC_H

#include <stddef.h>
#include <stdlib.h>

#include "core/arena.h"

#define VEC(T)            \
	struct {          \
		T *v;     \
		size_t n; \
		size_t cap; \
	}

#define VEC_GROW(vec, need)                                                          \
	do {                                                                         \
		if ((need) > (vec)->cap) {                                           \
			size_t nc_ = (vec)->cap ? (vec)->cap * 2 : 8;                \
			while (nc_ < (need))                                         \
				nc_ *= 2;                                            \
			(vec)->v = xrealloc((vec)->v, nc_ * sizeof(*(vec)->v));      \
			(vec)->cap = nc_;                                            \
		}                                                                    \
	} while (0)

#define VEC_PUSH(vec, x)                          \
	do {                                      \
		VEC_GROW((vec), (vec)->n + 1);    \
		(vec)->v[(vec)->n++] = (x);       \
	} while (0)

#define VEC_FREE(vec)                          \
	do {                                   \
		free((vec)->v);                \
		(vec)->v = NULL;               \
		(vec)->n = (vec)->cap = 0;     \
	} while (0)

#endif
