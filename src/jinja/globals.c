/*
 * Jinja2's default globals: range, dict, lipsum, cycler, joiner and namespace.
 */
#include <string.h>

#include "core/sb.h"
#include "jinja/internal.h"

#define MAX_RANGE 10000000

static value g_range(struct jj_vm *vm, void *ud, const struct vargs *a)
{
	if (a->nkw)
		jj_raise(vm, "range() takes no keyword arguments");
	if (a->npos < 1 || a->npos > 3)
		jj_raise(vm, "range expected at least 1 argument, got %zu", a->npos);
	int64_t start = 0, stop, step = 1;
	if (a->npos == 1) {
		stop = jj_want_int(vm, a->pos[0], NULL);
	} else {
		start = jj_want_int(vm, a->pos[0], NULL);
		stop = jj_want_int(vm, a->pos[1], NULL);
		if (a->npos == 3)
			step = jj_want_int(vm, a->pos[2], NULL);
	}
	if (step == 0)
		jj_raise(vm, "range() arg 3 must not be zero");
	int64_t n = 0;
	if (step > 0 && start < stop)
		n = (stop - start - 1) / step + 1;
	else if (step < 0 && start > stop)
		n = (start - stop - 1) / (-step) + 1;
	if (n > MAX_RANGE)
		jj_raise(vm, "range too big (%lld items, the limit is %d)", (long long)n, MAX_RANGE);
	value l = val_list_new(vm->a, (size_t)n);
	for (int64_t i = 0; i < n; i++)
		val_list_push(l, val_int(start + i * step));
	return l;
}

static value g_dict(struct jj_vm *vm, void *ud, const struct vargs *a)
{
	if (a->npos > 1)
		jj_raise(vm, "dict expected at most 1 argument, got %zu", a->npos);
	value d = val_dict_new(vm->a, a->nkw + 4);
	if (a->npos) {
		value src = a->pos[0];
		if (src.type == V_DICT) {
			for (uint32_t i = 0; i < src.d->len; i++)
				val_dict_set(d, src.d->e[i].key, src.d->e[i].val);
		} else {
			value *items;
			size_t n;
			jj_iter(vm, src, &items, &n);
			for (size_t i = 0; i < n; i++) {
				value p = items[i];
				if (p.type != V_LIST || p.l->len != 2)
					jj_raise(vm, "dictionary update sequence element #%zu has the wrong length", i);
				val_dict_set(d, p.l->items[0], p.l->items[1]);
			}
		}
	}
	for (size_t i = 0; i < a->nkw; i++)
		val_dict_set(d, val_str(a->kwnames[i]), a->kw[i]);
	return d;
}

static value g_namespace(struct jj_vm *vm, void *ud, const struct vargs *a)
{
	return jj_make_namespace(vm, a);
}

/* ---------------------------------------------------------------- cycler */

struct cycler {
	value items;
	size_t pos;
};

static value cycler_next(struct jj_vm *vm, void *ud, const struct vargs *a)
{
	struct cycler *c = ud;
	value v = c->items.l->items[c->pos];
	c->pos = (c->pos + 1) % c->items.l->len;
	return v;
}

static value cycler_reset(struct jj_vm *vm, void *ud, const struct vargs *a)
{
	struct cycler *c = ud;
	c->pos = 0;
	return val_none();
}

static value cycler_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	struct cycler *c = o->data;
	if (n == 4 && !memcmp(name, "next", 4))
		return val_func(vm->a, "next", cycler_next, c);
	if (n == 5 && !memcmp(name, "reset", 5))
		return val_func(vm->a, "reset", cycler_reset, c);
	if (n == 7 && !memcmp(name, "current", 7))
		return c->items.l->items[c->pos];
	if (n == 5 && !memcmp(name, "items", 5))
		return c->items;
	return val_undef();
}

static const struct vobj_class cycler_class = {
	.name = "Cycler",
	.getattr = cycler_getattr,
};

static value g_cycler(struct jj_vm *vm, void *ud, const struct vargs *a)
{
	if (a->npos == 0)
		jj_raise(vm, "at least one item has to be provided");
	struct cycler *c = arena_alloc(vm->a, sizeof(*c));
	c->items = val_tuple_new(vm->a, a->npos);
	for (size_t i = 0; i < a->npos; i++)
		val_list_push(c->items, a->pos[i]);
	c->pos = 0;
	return val_obj(vm->a, &cycler_class, c);
}

/* ---------------------------------------------------------------- joiner */

struct joiner {
	value sep;
	bool used;
};

static value joiner_call(struct jj_vm *vm, struct vobj *o, const struct vargs *a)
{
	struct joiner *j = o->data;
	if (!j->used) {
		j->used = true;
		return val_strn("", 0);
	}
	return j->sep;
}

static const struct vobj_class joiner_class = {
	.name = "Joiner",
	.call = joiner_call,
};

static value g_joiner(struct jj_vm *vm, void *ud, const struct vargs *a)
{
	struct joiner *j = arena_alloc(vm->a, sizeof(*j));
	j->sep = jj_str(vm, jj_arg(a, 0, "sep", val_strn(", ", 2)));
	j->used = false;
	return val_obj(vm->a, &joiner_class, j);
}

/* ---------------------------------------------------------------- lipsum */

static const char *const words[] = {
	"lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do",
	"eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua", "enim",
	"ad", "minim", "veniam", "quis", "nostrud", "exercitation", "ullamco", "laboris", "nisi",
	"aliquip", "ex", "ea", "commodo", "consequat", "duis", "aute", "irure", "in", "reprehenderit",
	"voluptate", "velit", "esse", "cillum", "eu", "fugiat", "nulla", "pariatur", "excepteur",
	"sint", "occaecat", "cupidatat", "non", "proident", "sunt", "culpa", "qui", "officia",
	"deserunt", "mollit", "anim", "id", "est", "laborum", "curabitur", "pretium", "tincidunt",
	"lacus", "nunc", "vitae", "mauris", "porta", "felis", "massa", "viverra", "nibh",
};

static uint64_t rnd(struct jj_vm *vm)
{
	vm->rng ^= vm->rng << 13;
	vm->rng ^= vm->rng >> 7;
	vm->rng ^= vm->rng << 17;
	return vm->rng;
}

static int64_t rand_range(struct jj_vm *vm, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int64_t)(rnd(vm) % (uint64_t)(hi - lo));
}

static value g_lipsum(struct jj_vm *vm, void *ud, const struct vargs *a)
{
	int64_t n = jj_want_int(vm, jj_arg(a, 0, "n", val_int(5)), NULL);
	bool html = val_truthy(jj_arg(a, 1, "html", val_bool(true)));
	int64_t mn = jj_want_int(vm, jj_arg(a, 2, "min", val_int(20)), NULL);
	int64_t mx = jj_want_int(vm, jj_arg(a, 3, "max", val_int(100)), NULL);
	size_t nwords = sizeof(words) / sizeof(words[0]);
	size_t m = jj_mark(vm);
	for (int64_t pi = 0; pi < n; pi++) {
		if (pi)
			sb_adds(vm->out, html ? "\n" : "\n\n");
		if (html)
			sb_adds(vm->out, "<p>");
		int64_t count = rand_range(vm, mn, mx);
		bool cap = true;
		int64_t last_comma = 0, last_stop = 0;
		size_t last = nwords;
		char lastc = 0;
		for (int64_t i = 0; i < count; i++) {
			size_t w;
			do
				w = (size_t)(rnd(vm) % nwords);
			while (w == last);
			last = w;
			if (i)
				sb_addc(vm->out, ' ');
			const char *word = words[w];
			sb_addc(vm->out, (char)(cap ? word[0] - 32 : word[0]));
			sb_adds(vm->out, word + 1);
			cap = false;
			lastc = 0;
			if (i - rand_range(vm, 3, 8) > last_comma) {
				last_comma = i;
				last_stop += 2;
				sb_addc(vm->out, ',');
				lastc = ',';
			}
			if (i - rand_range(vm, 10, 20) > last_stop) {
				last_comma = last_stop = i;
				sb_addc(vm->out, '.');
				lastc = '.';
				cap = true;
			}
		}
		if (lastc == ',')
			vm->out->buf[vm->out->len - 1] = '.';
		else if (lastc != '.')
			sb_addc(vm->out, '.');
		if (html)
			sb_adds(vm->out, "</p>");
	}
	value r = jj_take(vm, m);
	if (html)
		r.flags = VF_SAFE;
	return r;
}

void jj_register_globals(struct jj_env *env)
{
	jj_env_set_global(env, "range", val_func(&env->arena, "range", g_range, NULL));
	jj_env_set_global(env, "dict", val_func(&env->arena, "dict", g_dict, NULL));
	jj_env_set_global(env, "lipsum", val_func(&env->arena, "lipsum", g_lipsum, NULL));
	jj_env_set_global(env, "cycler", val_func(&env->arena, "cycler", g_cycler, NULL));
	jj_env_set_global(env, "joiner", val_func(&env->arena, "joiner", g_joiner, NULL));
	jj_env_set_global(env, "namespace", val_func(&env->arena, "namespace", g_namespace, NULL));
}
