/*
 * Jinja2's built-in filters on sequences and mappings: length, first, join, sort, dictsort, groupby,
 * unique, batch, slice, sum, min, max, map, select, reject, selectattr, rejectattr, ...
 *
 * Filters that return generators in Jinja2 (map, select, reject, unique, batch, slice, reverse of
 * a list) return lists here: they iterate, join and index the same way.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sb.h"
#include "jinja/filters.h"

/* ---------------------------------------------------------------- attribute getters */

struct attrpath {
	value parts[16];
	int n;
};

static void attr_parse(struct jj_vm *vm, value attr, struct attrpath *p)
{
	p->n = 0;
	if (attr.type == V_NONE || attr.type == V_UNDEF)
		return;
	if (attr.type != V_STR) {
		p->parts[p->n++] = attr;
		return;
	}
	const char *s = attr.s, *e = attr.s + attr.len;
	while (p->n < 16) {
		const char *d = memchr(s, '.', (size_t)(e - s));
		const char *pe = d ? d : e;
		bool digits = pe > s;
		for (const char *q = s; q < pe; q++)
			digits = digits && *q >= '0' && *q <= '9';
		p->parts[p->n++] = digits ? val_int(strtoll(s, NULL, 10)) : val_strn(s, (size_t)(pe - s));
		if (!d)
			break;
		s = d + 1;
	}
	(void)vm;
}

static value attr_get(struct jj_vm *vm, value item, const struct attrpath *p, value dflt)
{
	for (int i = 0; i < p->n; i++) {
		item = jj_getitem(vm, item, p->parts[i]);
		if (dflt.type != V_UNDEF && dflt.type != V_NONE && item.type == V_UNDEF)
			item = dflt;
	}
	return item;
}

static value lower_if_str(struct jj_vm *vm, value v)
{
	return v.type == V_STR ? jj_str_lower(vm, v) : v;
}

/* ---------------------------------------------------------------- sequences */

F(f_length)
{
	check(vm, "length", a, 0, NO_KW);
	value v = subject(a);
	switch (v.type) {
	case V_STR: return val_int((int64_t)jj_utf8_len(v.s, v.len));
	case V_LIST: return val_int(v.l->len);
	case V_DICT: return val_int(v.d->len);
	case V_UNDEF: return val_int(0);
	case V_OBJ:
		if (v.o->cls->iter)
			return val_int((int64_t)jj_iter_list(vm, v).l->len);
		break;
	default: break;
	}
	jj_raise(vm, "object of type '%s' has no len()", val_type_name(v));
}

F(f_list)
{
	check(vm, "list", a, 0, NO_KW);
	value l = jj_iter_list(vm, subject(a));
	value r = val_list_new(vm->a, l.l->len);
	for (uint32_t i = 0; i < l.l->len; i++)
		val_list_push(r, l.l->items[i]);
	return r;
}

F(f_first)
{
	check(vm, "first", a, 0, NO_KW);
	value l = jj_iter_list(vm, subject(a));
	if (!l.l->len)
		return jj_undef_msg(vm, "No first item, sequence was empty.");
	return l.l->items[0];
}

F(f_last)
{
	check(vm, "last", a, 0, NO_KW);
	value l = jj_iter_list(vm, subject(a));
	if (!l.l->len)
		return jj_undef_msg(vm, "No last item, sequence was empty.");
	return l.l->items[l.l->len - 1];
}

F(f_random)
{
	check(vm, "random", a, 0, NO_KW);
	value l = jj_iter_list(vm, subject(a));
	if (!l.l->len)
		return jj_undef_msg(vm, "No random item, sequence was empty.");
	vm->rng ^= vm->rng << 13;
	vm->rng ^= vm->rng >> 7;
	vm->rng ^= vm->rng << 17;
	return l.l->items[vm->rng % l.l->len];
}

F(f_reverse)
{
	check(vm, "reverse", a, 0, NO_KW);
	value v = subject(a);
	if (v.type == V_STR)
		return jj_slice(vm, v, val_none(), val_none(), val_int(-1));
	value l = jj_iter_list(vm, v);
	value r = val_list_new(vm->a, l.l->len);
	for (uint32_t i = l.l->len; i-- > 0;)
		val_list_push(r, l.l->items[i]);
	return r;
}

F(f_join)
{
	check(vm, "join", a, 2, (const char *const[]){"d", "attribute", NULL});
	value items = jj_iter_list(vm, subject(a));
	value d = soft_str(vm, arg(a, 0, "d", val_strn("", 0)));
	value attr = arg(a, 1, "attribute", val_none());
	struct attrpath ap;
	attr_parse(vm, attr, &ap);
	bool has_attr = attr.type != V_NONE && attr.type != V_UNDEF;
	jj_need2(vm, (size_t)items.l->len + 1, sizeof(value));
	value *strs = arena_alloc(vm->a, (items.l->len + 1) * sizeof(value));
	for (uint32_t i = 0; i < items.l->len; i++) {
		value it = items.l->items[i];
		if (has_attr)
			it = attr_get(vm, it, &ap, val_undef());
		strs[i] = soft_str(vm, it);
	}
	/* with autoescape, Markup anywhere makes the result Markup and escapes the plain parts */
	bool markup = false;
	if (vm->autoescape) {
		markup = d.flags & VF_SAFE;
		for (uint32_t i = 0; i < items.l->len && !markup; i++)
			markup = strs[i].flags & VF_SAFE;
	}
	if (markup) {
		d = jj_escape(vm, d);
		for (uint32_t i = 0; i < items.l->len; i++)
			strs[i] = jj_escape(vm, strs[i]);
	}
	size_t total = 0;
	for (uint32_t i = 0; i < items.l->len; i++) {
		size_t add = strs[i].len + (i ? d.len : 0);
		total = total > SIZE_MAX - add ? SIZE_MAX : total + add;
	}
	jj_need(vm, total);
	size_t m = jj_mark(vm);
	for (uint32_t i = 0; i < items.l->len; i++) {
		if (i)
			sb_add(vm->out, d.s, d.len);
		sb_add(vm->out, strs[i].s, strs[i].len);
	}
	value r = jj_take(vm, m);
	if (markup)
		r.flags |= VF_SAFE;
	return r;
}

F(f_default)
{
	check(vm, "default", a, 2, (const char *const[]){"default_value", "boolean", NULL});
	value v = subject(a);
	value dflt = arg(a, 0, "default_value", val_strn("", 0));
	bool boolean = val_truthy(arg(a, 1, "boolean", val_bool(false)));
	if (v.type == V_UNDEF || (boolean && !val_truthy(v)))
		return dflt;
	return v;
}

F(f_sum)
{
	check(vm, "sum", a, 2, (const char *const[]){"attribute", "start", NULL});
	value items = jj_iter_list(vm, subject(a));
	value attr = arg(a, 0, "attribute", val_none());
	value acc = arg(a, 1, "start", val_int(0));
	if (acc.type == V_STR)
		jj_raise(vm, "sum() can't sum strings [use ''.join(seq) instead]");
	struct attrpath ap;
	attr_parse(vm, attr, &ap);
	bool has_attr = attr.type != V_NONE && attr.type != V_UNDEF;
	for (uint32_t i = 0; i < items.l->len; i++) {
		value it = items.l->items[i];
		if (has_attr)
			it = attr_get(vm, it, &ap, val_undef());
		acc = jj_binop(vm, OP_ADD, acc, it);
	}
	return acc;
}

static value minmax(struct jj_vm *vm, const struct vargs *a, bool max, const char *name)
{
	check(vm, name, a, 2, (const char *const[]){"case_sensitive", "attribute", NULL});
	value items = jj_iter_list(vm, subject(a));
	bool cs = val_truthy(arg(a, 0, "case_sensitive", val_bool(false)));
	value attr = arg(a, 1, "attribute", val_none());
	if (!items.l->len)
		return jj_undef_msg(vm, "No aggregated item, sequence was empty.");
	struct attrpath ap;
	attr_parse(vm, attr, &ap);
	value best = items.l->items[0], bestk = val_undef();
	for (uint32_t i = 0; i < items.l->len; i++) {
		value it = items.l->items[i];
		value k = attr_get(vm, it, &ap, val_undef());
		if (!cs)
			k = lower_if_str(vm, k);
		if (i == 0) {
			bestk = k;
			continue;
		}
		int c = jj_compare(vm, k, bestk, max ? ">" : "<");
		if (max ? c > 0 : c < 0) {
			best = it;
			bestk = k;
		}
	}
	return best;
}

F(f_min)
{
	return minmax(vm, a, false, "min");
}

F(f_max)
{
	return minmax(vm, a, true, "max");
}

F(f_sort)
{
	check(vm, "sort", a, 3, (const char *const[]){"reverse", "case_sensitive", "attribute", NULL});
	value l = jj_iter_list(vm, subject(a));
	bool rev = val_truthy(arg(a, 0, "reverse", val_bool(false)));
	bool cs = val_truthy(arg(a, 1, "case_sensitive", val_bool(false)));
	value attr = arg(a, 2, "attribute", val_none());
	size_t n = l.l->len;
	value items = val_list_new(vm->a, n);
	for (size_t i = 0; i < n; i++)
		val_list_push(items, l.l->items[i]);
	/* attribute may list several: "a,b" sorts by (a, b) */
	value attrs = attr.type == V_STR ? jj_split(vm, attr, val_strn(",", 1), -1, false) : val_undef();
	value *keys = arena_alloc(vm->a, (n ? n : 1) * sizeof(value));
	for (size_t i = 0; i < n; i++) {
		value it = items.l->items[i];
		if (attrs.type == V_LIST) {
			value k = val_list_new(vm->a, attrs.l->len);
			for (uint32_t j = 0; j < attrs.l->len; j++) {
				struct attrpath ap;
				attr_parse(vm, attrs.l->items[j], &ap);
				value x = attr_get(vm, it, &ap, val_undef());
				val_list_push(k, cs ? x : lower_if_str(vm, x));
			}
			keys[i] = k;
		} else {
			struct attrpath ap;
			attr_parse(vm, attr, &ap);
			value x = attr_get(vm, it, &ap, val_undef());
			value k = val_list_new(vm->a, 1);
			val_list_push(k, cs ? x : lower_if_str(vm, x));
			keys[i] = k;
		}
	}
	jj_sort(vm, items.l->items, n, keys, rev);
	return items;
}

F(f_dictsort)
{
	check(vm, "dictsort", a, 3, (const char *const[]){"case_sensitive", "by", "reverse", NULL});
	value d = subject(a);
	bool cs = val_truthy(arg(a, 0, "case_sensitive", val_bool(false)));
	value by = arg(a, 1, "by", val_strn("key", 3));
	bool rev = val_truthy(arg(a, 2, "reverse", val_bool(false)));
	int pos;
	if (val_streq(by, "key"))
		pos = 0;
	else if (val_streq(by, "value"))
		pos = 1;
	else
		jj_raise(vm, "You can only sort by either \"key\" or \"value\"");
	if (d.type == V_UNDEF)
		jj_raise_undefined(vm, d);
	if (d.type != V_DICT)
		jj_raise(vm, "'%s' object has no attribute 'items'", val_type_name(d));
	size_t n = d.d->len;
	value items = val_list_new(vm->a, n);
	value *keys = arena_alloc(vm->a, (n ? n : 1) * sizeof(value));
	for (size_t i = 0; i < n; i++) {
		value t = val_tuple_new(vm->a, 2);
		val_list_push(t, d.d->e[i].key);
		val_list_push(t, d.d->e[i].val);
		val_list_push(items, t);
		value k = pos ? d.d->e[i].val : d.d->e[i].key;
		keys[i] = cs ? k : lower_if_str(vm, k);
	}
	jj_sort(vm, items.l->items, n, keys, rev);
	return items;
}

F(f_items)
{
	check(vm, "items", a, 0, NO_KW);
	value d = subject(a);
	if (d.type == V_UNDEF)
		return val_list_new(vm->a, 0);
	if (d.type != V_DICT)
		jj_raise(vm, "Can only get item pairs from a mapping.");
	value r;
	struct vargs none = {0};
	jj_call_method(vm, d, jj_method_id("items", 5), &none, &r);
	return r;
}

F(f_unique)
{
	check(vm, "unique", a, 2, (const char *const[]){"case_sensitive", "attribute", NULL});
	value l = jj_iter_list(vm, subject(a));
	bool cs = val_truthy(arg(a, 0, "case_sensitive", val_bool(false)));
	value attr = arg(a, 1, "attribute", val_none());
	struct attrpath ap;
	attr_parse(vm, attr, &ap);
	value seen = val_dict_new(vm->a, l.l->len);
	value r = val_list_new(vm->a, l.l->len);
	for (uint32_t i = 0; i < l.l->len; i++) {
		value it = l.l->items[i];
		value k = attr_get(vm, it, &ap, val_undef());
		if (!cs)
			k = lower_if_str(vm, k);
		if (k.type == V_LIST && !(k.flags & VF_TUPLE))
			jj_raise(vm, "unhashable type: 'list'");
		if (k.type == V_DICT)
			jj_raise(vm, "unhashable type: 'dict'");
		if (val_dict_find(seen, k) >= 0)
			continue;
		val_dict_set(seen, k, val_none());
		val_list_push(r, it);
	}
	return r;
}

F(f_batch)
{
	check(vm, "batch", a, 2, (const char *const[]){"linecount", "fill_with", NULL});
	value l = jj_iter_list(vm, subject(a));
	int64_t count = jj_want_int(vm, arg(a, 0, "linecount", val_undef()), NULL);
	value fill = arg(a, 1, "fill_with", val_none());
	if (count <= 0)
		jj_raise(vm, "batch size must be positive");
	value r = val_list_new(vm->a, 4);
	value cur = val_undef();
	for (uint32_t i = 0; i < l.l->len; i++) {
		if (cur.type != V_LIST || (int64_t)cur.l->len == count) {
			cur = val_list_new(vm->a, (size_t)(count < 64 ? count : 64));
			val_list_push(r, cur);
		}
		val_list_push(cur, l.l->items[i]);
	}
	if (cur.type == V_LIST && fill.type != V_NONE && fill.type != V_UNDEF) {
		jj_need2(vm, (size_t)(count - cur.l->len), sizeof(value));
		while ((int64_t)cur.l->len < count)
			val_list_push(cur, fill);
	}
	return r;
}

F(f_slice)
{
	check(vm, "slice", a, 2, (const char *const[]){"slices", "fill_with", NULL});
	value l = jj_iter_list(vm, subject(a));
	int64_t slices = jj_want_int(vm, arg(a, 0, "slices", val_undef()), NULL);
	value fill = arg(a, 1, "fill_with", val_none());
	if (slices <= 0)
		jj_raise(vm, "integer division or modulo by zero");
	int64_t length = l.l->len;
	/* a list of `slices` lists: refuse a count the memory cannot hold before making any */
	jj_need2(vm, (size_t)slices, 4 * sizeof(value));
	int64_t per = length / slices, extra = length % slices, offset = 0;
	value r = val_list_new(vm->a, (size_t)slices);
	for (int64_t s = 0; s < slices; s++) {
		int64_t start = offset + s * per;
		if (s < extra)
			offset++;
		int64_t end = offset + (s + 1) * per;
		value t = val_list_new(vm->a, (size_t)(end - start + 1));
		for (int64_t i = start; i < end; i++)
			val_list_push(t, l.l->items[i]);
		if (fill.type != V_NONE && fill.type != V_UNDEF && s >= extra)
			val_list_push(t, fill);
		val_list_push(r, t);
	}
	return r;
}

F(f_groupby)
{
	check(vm, "groupby", a, 3, (const char *const[]){"attribute", "default", "case_sensitive", NULL});
	value l = jj_iter_list(vm, subject(a));
	value attr = arg(a, 0, "attribute", val_undef());
	value dflt = arg(a, 1, "default", val_none());
	bool cs = val_truthy(arg(a, 2, "case_sensitive", val_bool(false)));
	struct attrpath ap;
	attr_parse(vm, attr, &ap);
	size_t n = l.l->len;
	value items = val_list_new(vm->a, n);
	value *keys = arena_alloc(vm->a, (n ? n : 1) * sizeof(value));
	for (size_t i = 0; i < n; i++) {
		val_list_push(items, l.l->items[i]);
		value k = attr_get(vm, l.l->items[i], &ap, dflt);
		keys[i] = cs ? k : lower_if_str(vm, k);
	}
	/* sort items by key, keeping keys in step */
	value *pairs = arena_alloc(vm->a, (n ? n : 1) * sizeof(value));
	value *pk = arena_alloc(vm->a, (n ? n : 1) * sizeof(value));
	for (size_t i = 0; i < n; i++) {
		value t = val_tuple_new(vm->a, 2);
		val_list_push(t, keys[i]);
		val_list_push(t, items.l->items[i]);
		pairs[i] = t;
		pk[i] = keys[i];
	}
	jj_sort(vm, pairs, n, pk, false);
	value r = val_list_new(vm->a, 4);
	value cur = val_undef(), curk = val_undef();
	for (size_t i = 0; i < n; i++) {
		value k = pairs[i].l->items[0], it = pairs[i].l->items[1];
		if (cur.type != V_LIST || !val_eq(k, curk)) {
			cur = val_list_new(vm->a, 4);
			curk = k;
			value g = val_tuple_new(vm->a, 2);
			g.flags |= VF_GROUP;
			val_list_push(g, cs ? k : attr_get(vm, it, &ap, dflt));
			val_list_push(g, cur);
			val_list_push(r, g);
		}
		val_list_push(cur, it);
	}
	return r;
}

F(f_attr)
{
	check(vm, "attr", a, 1, (const char *const[]){"name", NULL});
	value obj = subject(a);
	value name = soft_str(vm, arg(a, 0, "name", val_undef()));
	if (obj.type == V_DICT) {
		int id = jj_method_id(name.s, name.len);
		value m = id >= 0 ? jj_bound_method(vm, obj, id) : val_undef();
		if (m.type != V_UNDEF)
			return m;
		return jj_undef_attr(vm, obj, name.s, name.len);
	}
	return jj_getattr(vm, obj, name.s, name.len);
}

/* map('filter', args...) or map(attribute='x', default=...) */
F(f_map)
{
	value l = subject(a);
	if (!val_truthy(l))
		return val_list_new(vm->a, 0);
	value items = jj_iter_list(vm, l);
	value r = val_list_new(vm->a, items.l->len);
	if (a->npos <= 1 && jj_has_arg(a, 99, "attribute")) {
		value attr = jj_arg(a, 99, "attribute", val_undef());
		value dflt = jj_arg(a, 99, "default", val_none());
		for (size_t i = 0; i < a->nkw; i++)
			if (strcmp(a->kwnames[i], "attribute") && strcmp(a->kwnames[i], "default"))
				jj_raise(vm, "Unexpected keyword argument '%s'", a->kwnames[i]);
		struct attrpath ap;
		attr_parse(vm, attr, &ap);
		for (uint32_t i = 0; i < items.l->len; i++)
			val_list_push(r, attr_get(vm, items.l->items[i], &ap, dflt));
		return r;
	}
	if (a->npos < 2)
		jj_raise(vm, "map requires a filter argument");
	value name = jj_want_str(vm, a->pos[1], "filter name");
	const struct jj_fn *fn = jj_env_find_filter(vm->env, name.s, name.len);
	if (!fn)
		jj_raise(vm, "No filter named '%.*s'.", (int)name.len, name.s);
	value *fa = arena_alloc(vm->a, a->npos * sizeof(value));
	for (size_t i = 2; i < a->npos; i++)
		fa[i - 1] = a->pos[i];
	struct vargs sub = {fa, a->npos - 1, a->kwnames, a->kw, a->nkw};
	for (uint32_t i = 0; i < items.l->len; i++) {
		fa[0] = items.l->items[i];
		val_list_push(r, fn->fn(vm, fn->ud, &sub));
	}
	return r;
}

static value select_reject(struct jj_vm *vm, const struct vargs *a, bool attr, bool select)
{
	value l = subject(a);
	value r = val_list_new(vm->a, 4);
	if (!val_truthy(l))
		return r;
	value items = jj_iter_list(vm, l);
	size_t off = 1;
	struct attrpath ap = {.n = 0};
	if (attr) {
		if (a->npos < 2)
			jj_raise(vm, "Missing parameter for attribute name");
		attr_parse(vm, a->pos[1], &ap);
		off = 2;
	}
	const struct jj_fn *fn = NULL;
	value *ta = NULL;
	struct vargs sub = {0};
	if (a->npos > off) {
		value name = jj_want_str(vm, a->pos[off], "test name");
		fn = jj_env_find_test(vm->env, name.s, name.len);
		if (!fn)
			jj_raise(vm, "No test named '%.*s'.", (int)name.len, name.s);
		ta = arena_alloc(vm->a, a->npos * sizeof(value));
		for (size_t i = off + 1; i < a->npos; i++)
			ta[i - off] = a->pos[i];
		sub.pos = ta;
		sub.npos = a->npos - off;
		sub.kwnames = a->kwnames;
		sub.kw = a->kw;
		sub.nkw = a->nkw;
	}
	for (uint32_t i = 0; i < items.l->len; i++) {
		value it = items.l->items[i];
		value x = attr ? attr_get(vm, it, &ap, val_undef()) : it;
		bool ok;
		if (fn) {
			ta[0] = x;
			ok = val_truthy(fn->fn(vm, fn->ud, &sub));
		} else {
			ok = val_truthy(x);
		}
		if (ok == select)
			val_list_push(r, it);
	}
	return r;
}

F(f_select)
{
	return select_reject(vm, a, false, true);
}

F(f_reject)
{
	return select_reject(vm, a, false, false);
}

F(f_selectattr)
{
	return select_reject(vm, a, true, true);
}

F(f_rejectattr)
{
	return select_reject(vm, a, true, false);
}

void jj_register_seq_filters(struct jj_env *env)
{
	static const struct {
		const char *name;
		vfunc_fn fn;
	} filters[] = {
		{"attr", f_attr},
		{"batch", f_batch},
		{"count", f_length},
		{"d", f_default},
		{"default", f_default},
		{"dictsort", f_dictsort},
		{"first", f_first},
		{"groupby", f_groupby},
		{"join", f_join},
		{"last", f_last},
		{"length", f_length},
		{"list", f_list},
		{"items", f_items},
		{"map", f_map},
		{"min", f_min},
		{"max", f_max},
		{"random", f_random},
		{"reject", f_reject},
		{"rejectattr", f_rejectattr},
		{"reverse", f_reverse},
		{"select", f_select},
		{"selectattr", f_selectattr},
		{"slice", f_slice},
		{"sort", f_sort},
		{"sum", f_sum},
		{"unique", f_unique},
	};
	for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		jj_env_add_filter(env, filters[i].name, filters[i].fn, NULL);
}
