/*
 * Resource limits of a render (see internal.h): the memory check code calls before making something
 * whose size a template controls, the statement-by-statement check of output and memory, and the
 * measure of the text a list or dict becomes when printed.
 *
 * Memory is the growth of the render's scratch arena (counted in the blocks it obtains) plus the
 * output buffer; the limits come from the environment (jj_env_set_limits, SLUICE_JINJA_MAX_*).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jinja/internal.h"

static void print_size(char *buf, size_t n, size_t v)
{
	if (v >= ((size_t)1 << 30) && v % ((size_t)1 << 30) == 0)
		snprintf(buf, n, "%zu GiB", v >> 30);
	else if (v >= ((size_t)1 << 20) && v % ((size_t)1 << 20) == 0)
		snprintf(buf, n, "%zu MiB", v >> 20);
	else
		snprintf(buf, n, "%zu bytes", v);
}

void jj_need(struct jj_vm *vm, size_t n)
{
	if (vm->max_memory == SIZE_MAX)
		return;
	size_t used = (vm->a->total - vm->mem_base) + (vm->out->len - vm->out_base);
	if (n <= vm->max_memory && used <= vm->max_memory - n)
		return;
	char lim[48];
	print_size(lim, sizeof(lim), vm->max_memory);
	jj_raise(vm, "this template needs more than %s of memory to render (the limit of one render); "
		     "make it produce less, or raise SLUICE_JINJA_MAX_MEMORY", lim);
}

void jj_need2(struct jj_vm *vm, size_t n, size_t m)
{
	jj_need(vm, m && n > SIZE_MAX / m ? SIZE_MAX : n * m);
}

void jj_check_limits(struct jj_vm *vm, struct loc at)
{
	size_t out = vm->out->len - vm->out_base;
	if (out <= vm->max_output && (vm->max_memory == SIZE_MAX ||
				      (out <= vm->max_memory && vm->a->total - vm->mem_base <= vm->max_memory - out)))
		return;
	vm->loc = at;
	jj_need(vm, 0);
	char lim[48];
	print_size(lim, sizeof(lim), vm->max_output);
	jj_raise(vm, "the rendered text is longer than %s (the limit of one render); make the template "
		     "produce less, or raise SLUICE_JINJA_MAX_OUTPUT", lim);
}

/* sizes of the lists and dicts measured so far, by address (open addressing); starts in `small`
 * on the C stack, so measuring the many small lists templates print costs no arena memory */
struct textmemo {
	const void **keys;
	size_t *sizes;
	size_t cap, n;
	const void *small_keys[32];
	size_t small_sizes[32];
};

#define TEXT_BUSY (SIZE_MAX - 1) /* being measured: a list that contains itself */

static size_t *memo_slot(struct jj_vm *vm, struct textmemo *m, const void *key)
{
	if (2 * (m->n + 1) > m->cap) {
		size_t cap = m->cap * 2;
		const void **keys = arena_zalloc(vm->a, cap * sizeof(*keys));
		size_t *sizes = arena_alloc(vm->a, cap * sizeof(*sizes));
		const void **okeys = m->keys;
		size_t *osizes = m->sizes, ocap = m->cap;
		m->keys = keys;
		m->sizes = sizes;
		m->cap = cap;
		m->n = 0;
		for (size_t i = 0; i < ocap; i++)
			if (okeys[i])
				*memo_slot(vm, m, okeys[i]) = osizes[i];
	}
	size_t i = ((uintptr_t)key >> 4) * 0x9E3779B97F4A7C15ULL % m->cap;
	while (m->keys[i] && m->keys[i] != key)
		i = (i + 1) % m->cap;
	if (!m->keys[i]) {
		m->keys[i] = key;
		m->sizes[i] = SIZE_MAX;
		m->n++;
	}
	return &m->sizes[i];
}

static size_t sat_add(size_t a, size_t b)
{
	return a > SIZE_MAX - 2 - b ? SIZE_MAX - 2 : a + b;
}

/*
 * A lower bound of the length of v written as text (str of a list, repr of its items, JSON), stopping
 * once past `limit`. Lists and dicts are measured once each however often they are shared.
 */
static size_t text_size(struct jj_vm *vm, struct textmemo *m, value v, size_t limit, int depth)
{
	switch (v.type) {
	case V_STR:
		return v.len + 2;
	case V_LIST:
	case V_DICT: {
		if (depth > 1000)
			return 1;
		const void *key = v.type == V_LIST ? (const void *)v.l : (const void *)v.d;
		size_t *slot = memo_slot(vm, m, key);
		if (*slot == TEXT_BUSY)
			return 5; /* [...] */
		if (*slot != SIZE_MAX)
			return *slot;
		*slot = TEXT_BUSY;
		size_t total = 2, n = v.type == V_LIST ? v.l->len : v.d->len;
		for (size_t i = 0; i < n && total <= limit; i++) {
			if (v.type == V_LIST) {
				total = sat_add(total, text_size(vm, m, v.l->items[i], limit, depth + 1));
			} else {
				total = sat_add(total, text_size(vm, m, v.d->e[i].key, limit, depth + 1));
				total = sat_add(total, 2 + text_size(vm, m, v.d->e[i].val, limit, depth + 1));
			}
			if (i)
				total = sat_add(total, 2);
		}
		/* the slot may have moved while the items were measured */
		*memo_slot(vm, m, key) = total;
		return total;
	}
	default:
		return 1;
	}
}

void jj_need_text(struct jj_vm *vm, value v)
{
	if (v.type != V_LIST && v.type != V_DICT)
		return;
	if (vm->max_memory == SIZE_MAX)
		return;
	struct textmemo m;
	m.keys = m.small_keys;
	m.sizes = m.small_sizes;
	m.cap = sizeof(m.small_keys) / sizeof(m.small_keys[0]);
	m.n = 0;
	memset(m.small_keys, 0, sizeof(m.small_keys));
	jj_need(vm, text_size(vm, &m, v, vm->max_memory, 0));
}
