/*
 * dbt's set() and try_set(): a Python set object. Equality ignores order, `in` is a hash lookup,
 * and it has Python's methods (add, discard, remove, pop, update, union, intersection,
 * difference, symmetric_difference, issubset, issuperset, isdisjoint, copy, clear). It iterates
 * in the order items were first added (Python's own order is a hash order, which templates
 * cannot rely on either), prints as {1, 2} and an empty one as set().
 */
#include <string.h>

#include "core/sb.h"
#include "dbt/internal.h"
#include "jinja/jinja.h"

static const struct vobj_class set_class;

/* the items are the keys of a dict (values unused), which gives hashing and first-seen order */
static value items_of(value v)
{
	return *(value *)v.o->data;
}

static bool is_set(value v)
{
	return v.type == V_OBJ && v.o->cls == &set_class;
}

static value new_set(struct arena *a, value dict)
{
	value *d = ARENA_NEW(a, value);
	*d = dict;
	return val_obj(a, &set_class, d);
}

/* the items of a list, a string (its characters) or an iterable object */
static value iter_items(struct jj_vm *vm, value v)
{
	struct arena *a = jj_arena(vm);
	if (v.type == V_LIST)
		return v;
	if (v.type == V_OBJ && v.o->cls->iter) {
		value l = v.o->cls->iter(vm, v.o);
		if (l.type == V_LIST)
			return l;
	}
	if (v.type == V_STR) {
		value l = val_list_new(a, v.len);
		for (uint32_t i = 0; i < v.len;) {
			uint32_t n = 1;
			while (i + n < v.len && ((unsigned char)v.s[i + n] & 0xC0) == 0x80)
				n++;
			val_list_push(l, val_strn(v.s + i, n));
			i += n;
		}
		return l;
	}
	jj_raise(vm, "'%s' object is not iterable", val_type_name(v));
}

/* the items of any iterable as a dict of keys; raises when `v` is not iterable */
static value keys_of(struct jj_vm *vm, value v)
{
	if (is_set(v))
		return items_of(v);
	value out = val_dict_new(jj_arena(vm), 8);
	if (v.type == V_DICT) {
		for (uint32_t i = 0; i < v.d->len; i++)
			val_dict_set(out, v.d->e[i].key, val_none());
		return out;
	}
	value l = iter_items(vm, v);
	for (uint32_t i = 0; i < l.l->len; i++) {
		value it = l.l->items[i];
		if (it.type == V_LIST && !(it.flags & VF_TUPLE))
			jj_raise(vm, "unhashable type: 'list'");
		if (it.type == V_DICT)
			jj_raise(vm, "unhashable type: 'dict'");
		val_dict_set(out, it, val_none());
	}
	return out;
}

static bool iterable(value v)
{
	return v.type == V_LIST || v.type == V_DICT || v.type == V_STR || (v.type == V_OBJ && v.o->cls->iter);
}

static value dbt_make_set(struct jj_vm *vm, value v)
{
	return new_set(jj_arena(vm), keys_of(vm, v));
}

static bool subset(value a, value b)
{
	for (uint32_t i = 0; i < a.d->len; i++)
		if (val_dict_find(b, a.d->e[i].key) < 0)
			return false;
	return true;
}

static value copy_keys(struct arena *a, value d)
{
	value out = val_dict_new(a, d.d->len);
	for (uint32_t i = 0; i < d.d->len; i++)
		val_dict_set(out, d.d->e[i].key, val_none());
	return out;
}

enum set_op { OP_UNION, OP_INTER, OP_DIFF, OP_SYMDIFF };

/* self <op> each argument in turn, into a new dict */
static value combine(struct jj_vm *vm, value self, enum set_op op, value other)
{
	struct arena *a = jj_arena(vm);
	value o = keys_of(vm, other);
	value out = val_dict_new(a, self.d->len + o.d->len);
	for (uint32_t i = 0; i < self.d->len; i++) {
		value k = self.d->e[i].key;
		bool in_o = val_dict_find(o, k) >= 0;
		if (op == OP_UNION || (op == OP_INTER && in_o) || ((op == OP_DIFF || op == OP_SYMDIFF) && !in_o))
			val_dict_set(out, k, val_none());
	}
	if (op == OP_UNION || op == OP_SYMDIFF)
		for (uint32_t i = 0; i < o.d->len; i++)
			if (val_dict_find(self, o.d->e[i].key) < 0)
				val_dict_set(out, o.d->e[i].key, val_none());
	return out;
}

struct method {
	const char *name;
	int op;  /* enum set_op for the combining methods, -1 otherwise */
};

static value call_method(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value self = *(value *)((void **)ud)[0];
	value *slot = ((void **)ud)[0];
	const char *name = ((void **)ud)[1];
	struct arena *a = jj_arena(vm);
#define IS(s) (!strcmp(name, s))
	if (IS("union") || IS("intersection") || IS("difference") || IS("symmetric_difference")) {
		enum set_op op = IS("union") ? OP_UNION : IS("intersection") ? OP_INTER
				 : IS("difference") ? OP_DIFF : OP_SYMDIFF;
		if (op == OP_SYMDIFF && args->npos != 1)
			jj_raise(vm, "symmetric_difference() takes exactly one argument (%zu given)", args->npos);
		value cur = copy_keys(a, self);
		for (size_t i = 0; i < args->npos; i++)
			cur = combine(vm, cur, op, args->pos[i]);
		return new_set(a, cur);
	}
	if (IS("update")) {
		for (size_t i = 0; i < args->npos; i++) {
			value o = keys_of(vm, args->pos[i]);
			for (uint32_t k = 0; k < o.d->len; k++)
				val_dict_set(self, o.d->e[k].key, val_none());
		}
		return val_none();
	}
	if (IS("issubset") || IS("issuperset") || IS("isdisjoint")) {
		if (args->npos != 1)
			jj_raise(vm, "%s() takes exactly one argument (%zu given)", name, args->npos);
		value o = keys_of(vm, args->pos[0]);
		if (IS("issubset"))
			return val_bool(subset(self, o));
		if (IS("issuperset"))
			return val_bool(subset(o, self));
		return val_bool(combine(vm, self, OP_INTER, args->pos[0]).d->len == 0);
	}
	if (IS("add") || IS("remove") || IS("discard")) {
		if (args->npos != 1)
			jj_raise(vm, "%s() takes exactly one argument (%zu given)", name, args->npos);
		value k = args->pos[0];
		if (IS("add")) {
			if ((k.type == V_LIST && !(k.flags & VF_TUPLE)) || k.type == V_DICT)
				jj_raise(vm, "unhashable type: '%s'", val_type_name(k));
			val_dict_set(self, k, val_none());
			return val_none();
		}
		if (!val_dict_del(self, k) && IS("remove")) {
			struct sb s = SB_INIT;
			val_repr_to(&s, k);
			jj_raise(vm, "KeyError: %s", s.buf);
		}
		return val_none();
	}
	if (IS("pop")) {
		if (!self.d->len)
			jj_raise(vm, "pop from an empty set");
		value k = self.d->e[0].key;
		val_dict_del(self, k);
		return k;
	}
	if (IS("copy"))
		return new_set(a, copy_keys(a, self));
	if (IS("clear")) {
		*slot = val_dict_new(self.d->arena, 4);
		return val_none();
	}
#undef IS
	return val_undef();
}

static value set_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	static const char *const methods[] = {"union", "intersection", "difference", "symmetric_difference",
					      "update", "issubset", "issuperset", "isdisjoint", "add", "remove",
					      "discard", "pop", "copy", "clear", NULL};
	for (const char *const *m = methods; *m; m++) {
		if (strlen(*m) == n && !memcmp(*m, name, n)) {
			void **ud = arena_alloc(jj_arena(vm), 2 * sizeof(void *));
			ud[0] = o->data;
			ud[1] = (void *)*m;
			return val_func(jj_arena(vm), *m, call_method, ud);
		}
	}
	return val_undef();
}

static value set_iter(struct jj_vm *vm, struct vobj *o)
{
	value d = *(value *)o->data;
	value l = val_list_new(jj_arena(vm), d.d->len);
	for (uint32_t i = 0; i < d.d->len; i++)
		val_list_push(l, d.d->e[i].key);
	return l;
}

static bool set_truthy(struct vobj *o)
{
	return (*(value *)o->data).d->len > 0;
}

static bool set_eq(struct vobj *o, value other)
{
	if (!is_set(other))
		return false;
	value a = *(value *)o->data, b = items_of(other);
	return a.d->len == b.d->len && subset(a, b);
}

static uint64_t set_hash(struct vobj *o)
{
	/* order-independent, like frozenset's */
	value d = *(value *)o->data;
	uint64_t h = 0x5e7;
	for (uint32_t i = 0; i < d.d->len; i++)
		h ^= val_hash(d.d->e[i].key) * 0x9e3779b97f4a7c15ull;
	return h;
}

/* a <= b (subset), a < b (proper subset), ...: Python's set ordering is by inclusion */
static int set_cmp(struct vobj *o, value other, int *pcmp)
{
	if (!is_set(other))
		return -1;
	value a = *(value *)o->data, b = items_of(other);
	bool ab = subset(a, b), ba = subset(b, a);
	if (ab && ba)
		*pcmp = 0;
	else if (ab)
		*pcmp = -1;
	else if (ba)
		*pcmp = 1;
	else
		return -1;
	return 0;
}

/* | & - ^ are not Jinja operators; '-' is: a - b is the difference */
static value set_binop(struct jj_vm *vm, int op, value a, value b)
{
	if (op != 1 || !is_set(a) || !is_set(b))
		return val_undef();
	return new_set(jj_arena(vm), combine(vm, items_of(a), OP_DIFF, b));
}

static void set_repr(struct vobj *o, struct sb *out)
{
	value d = *(value *)o->data;
	if (!d.d->len) {
		sb_adds(out, "set()");
		return;
	}
	sb_addc(out, '{');
	for (uint32_t i = 0; i < d.d->len; i++) {
		if (i)
			sb_adds(out, ", ");
		val_repr_to(out, d.d->e[i].key);
	}
	sb_addc(out, '}');
}

static const struct vobj_class set_class = {
	.name = "set",
	.getattr = set_getattr,
	.iter = set_iter,
	.truthy = set_truthy,
	.eq = set_eq,
	.hash = set_hash,
	.cmp = set_cmp,
	.binop = set_binop,
	.str = set_repr,
	.repr = set_repr,
};

/* set(value, default=None): the set of an iterable's items, `default` when it is not iterable */
value dbt_set_fn(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value in = jj_arg(args, 0, "value", val_undef());
	if (args->npos + args->nkw == 0)
		return new_set(jj_arena(vm), val_dict_new(jj_arena(vm), 4));
	if (!iterable(in))
		return jj_arg(args, 1, "default", val_none());
	return dbt_make_set(vm, in);
}

/* try_set(value): the same, but a value that is not iterable is an error */
value dbt_try_set_fn(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	value in = jj_arg(args, 0, "value", val_undef());
	if (!iterable(in))
		jj_raise(vm, "Could not convert %s of type '%s' to a set", val_type_name(in), val_type_name(in));
	return dbt_make_set(vm, in);
}
