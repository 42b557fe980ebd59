/*
 * The dynamic value type (see value.h): constructors, lists, ordered dicts and Python's semantics for
 * truthiness, equality, ordering, hashing, str() and repr().
 *
 * Dicts keep their entries in insertion order in one array; up to DICT_SCAN entries they are searched
 * linearly, beyond that an open-addressing table of entry indexes (linear probing) is built beside
 * them. Deleting an entry shifts the array and rebuilds the table: deletions are rare in templates and
 * configuration, lookups and insertions are not.
 *
 * Hashing follows Python's rule that equal values hash equally (1 == 1.0 == True), so such keys
 * find each other.
 */
#include "value/value.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/sb.h"

#define DICT_SCAN 8

/* ---------------------------------------------------------------- constructors */

value val_str_dup(struct arena *a, const char *s, size_t n)
{
	return val_strn(arena_strndup(a, s, n), n);
}

value val_str_fmt(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	struct sb s = SB_INIT;
	va_start(ap, fmt);
	sb_vaddf(&s, fmt, ap);
	va_end(ap);
	value v = val_str_dup(a, s.buf, s.len);
	sb_release(&s);
	return v;
}

value val_undef_named(const char *name, size_t n)
{
	value v = {.type = V_UNDEF};
	v.s = name;
	v.len = (uint32_t)n;
	return v;
}

value val_list_new(struct arena *a, size_t cap)
{
	struct vlist *l = ARENA_NEW(a, struct vlist);
	l->arena = a;
	if (cap) {
		l->items = arena_alloc(a, cap * sizeof(value));
		l->cap = (uint32_t)cap;
	}
	value v = {.type = V_LIST};
	v.l = l;
	return v;
}

value val_tuple_new(struct arena *a, size_t cap)
{
	value v = val_list_new(a, cap);
	v.flags = VF_TUPLE;
	return v;
}

value val_dict_new(struct arena *a, size_t cap)
{
	struct vdict *d = ARENA_NEW(a, struct vdict);
	d->arena = a;
	if (cap) {
		d->e = arena_alloc(a, cap * sizeof(struct ventry));
		d->cap = (uint32_t)cap;
	}
	value v = {.type = V_DICT};
	v.d = d;
	return v;
}

value val_func(struct arena *a, const char *name, vfunc_fn fn, void *ud)
{
	struct vfunc *f = ARENA_NEW(a, struct vfunc);
	f->fn = fn;
	f->ud = ud;
	f->name = name;
	value v = {.type = V_FUNC};
	v.fn = f;
	return v;
}

value val_obj(struct arena *a, const struct vobj_class *cls, void *data)
{
	struct vobj *o = ARENA_NEW(a, struct vobj);
	o->cls = cls;
	o->data = data;
	value v = {.type = V_OBJ};
	v.o = o;
	return v;
}

const char *val_cstr(struct arena *a, value v)
{
	if (v.type != V_STR)
		return "";
	/* a slice may not be NUL-terminated: copy unless it visibly is (never read past a page) */
	return arena_strndup(a, v.s, v.len);
}

bool val_streq(value v, const char *s)
{
	if (v.type != V_STR)
		return false;
	size_t n = strlen(s);
	return v.len == n && memcmp(v.s, s, n) == 0;
}

/* ---------------------------------------------------------------- lists */

static void list_reserve(struct vlist *l, size_t need)
{
	if (need <= l->cap)
		return;
	size_t nc = l->cap ? (size_t)l->cap * 2 : 4;
	while (nc < need)
		nc *= 2;
	if (nc > UINT32_MAX)
		die("list too large");
	l->items = arena_realloc(l->arena, l->items, (size_t)l->cap * sizeof(value), nc * sizeof(value));
	if (l->locs)
		l->locs = arena_realloc(l->arena, l->locs, (size_t)l->cap * sizeof(struct loc),
					nc * sizeof(struct loc));
	l->cap = (uint32_t)nc;
}

void val_list_push(value list, value item)
{
	struct vlist *l = list.l;
	if (l->len == l->cap)
		list_reserve(l, (size_t)l->len + 1);
	if (l->locs)
		l->locs[l->len] = LOC_NONE;
	l->items[l->len++] = item;
}

void val_list_insert(value list, size_t at, value item)
{
	struct vlist *l = list.l;
	if (at > l->len)
		at = l->len;
	list_reserve(l, (size_t)l->len + 1);
	memmove(l->items + at + 1, l->items + at, (l->len - at) * sizeof(value));
	l->items[at] = item;
	if (l->locs) {
		memmove(l->locs + at + 1, l->locs + at, (l->len - at) * sizeof(struct loc));
		l->locs[at] = LOC_NONE;
	}
	l->len++;
}

value val_list_pop(value list, size_t at)
{
	struct vlist *l = list.l;
	ASSERT(at < l->len);
	value v = l->items[at];
	memmove(l->items + at, l->items + at + 1, (l->len - at - 1) * sizeof(value));
	if (l->locs)
		memmove(l->locs + at, l->locs + at + 1, (l->len - at - 1) * sizeof(struct loc));
	l->len--;
	return v;
}

/* ---------------------------------------------------------------- hashing */

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

uint64_t val_str_hash(const char *s, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0x100000001b3ULL);
	const unsigned char *p = (const unsigned char *)s;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ mix64(w)) * 0x100000001b3ULL;
		h = (h << 29) | (h >> 35);
		p += 8;
		n -= 8;
	}
	uint64_t w = 0;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	h ^= w + 0x2545F4914F6CDD1DULL;
	return mix64(h);
}

uint64_t val_hash(value v)
{
	switch (v.type) {
	case V_STR:
		return val_str_hash(v.s, v.len);
	case V_BOOL:
		return mix64((uint64_t)v.b);
	case V_INT:
		return mix64((uint64_t)v.i);
	case V_FLOAT:
		if (v.f == floor(v.f) && fabs(v.f) < 9.2e18)
			return mix64((uint64_t)(int64_t)v.f);
		{
			uint64_t bits;
			memcpy(&bits, &v.f, 8);
			return mix64(bits ^ 0x5555);
		}
	case V_NONE:
		return 0x1234567;
	case V_UNDEF:
		return 0x7654321;
	case V_LIST: {
		uint64_t h = v.flags & VF_TUPLE ? 77 : 99;
		for (uint32_t i = 0; i < v.l->len; i++)
			h = mix64(h ^ val_hash(v.l->items[i]));
		return h;
	}
	case V_DICT:
		return mix64((uint64_t)(uintptr_t)v.d);
	case V_FUNC:
		return mix64((uint64_t)(uintptr_t)v.fn->fn ^ (uint64_t)(uintptr_t)v.fn->ud);
	case V_OBJ:
		if (v.o->cls->hash)
			return v.o->cls->hash(v.o);
		return mix64((uint64_t)(uintptr_t)v.o->data);
	}
	return 0;
}

/* ---------------------------------------------------------------- dicts */

static inline bool key_eq_str(value k, const char *s, size_t n)
{
	return k.type == V_STR && k.len == n && (n == 0 || (k.s[0] == s[0] && memcmp(k.s, s, n) == 0));
}

static void dict_reindex(struct vdict *d)
{
	/* sized for the entries the dict has room for, so that filling a dict made with its size
	 * indexes it once */
	uint32_t icap = 16, want = (d->len > d->cap ? d->len : d->cap) * 2 + 2;
	while (icap < want)
		icap *= 2;
	if (icap != d->icap) {
		d->index = arena_alloc(d->arena, icap * sizeof(uint32_t));
		d->icap = icap;
	}
	memset(d->index, 0, icap * sizeof(uint32_t));
	for (uint32_t i = 0; i < d->len; i++) {
		uint32_t mask = d->icap - 1;
		uint32_t j = (uint32_t)val_hash(d->e[i].key) & mask;
		while (d->index[j])
			j = (j + 1) & mask;
		d->index[j] = i + 1;
	}
}

static long dict_find_h(const struct vdict *d, value key, uint64_t h)
{
	if (!d->icap) {
		for (uint32_t i = 0; i < d->len; i++)
			if (val_eq(d->e[i].key, key))
				return i;
		return -1;
	}
	uint32_t mask = d->icap - 1;
	for (uint32_t j = (uint32_t)h & mask;; j = (j + 1) & mask) {
		uint32_t ix = d->index[j];
		if (!ix)
			return -1;
		if (val_eq(d->e[ix - 1].key, key))
			return ix - 1;
	}
}

static long dict_find_str(const struct vdict *d, const char *s, size_t n, uint64_t h)
{
	if (!d->icap) {
		for (uint32_t i = 0; i < d->len; i++)
			if (key_eq_str(d->e[i].key, s, n))
				return i;
		return -1;
	}
	uint32_t mask = d->icap - 1;
	for (uint32_t j = (uint32_t)h & mask;; j = (j + 1) & mask) {
		uint32_t ix = d->index[j];
		if (!ix)
			return -1;
		if (key_eq_str(d->e[ix - 1].key, s, n))
			return ix - 1;
	}
}

long val_dict_find(value dict, value key)
{
	if (dict.type != V_DICT)
		return -1;
	struct vdict *d = dict.d;
	if (key.type == V_STR)
		return dict_find_str(d, key.s, key.len, d->icap ? val_str_hash(key.s, key.len) : 0);
	return dict_find_h(d, key, d->icap ? val_hash(key) : 0);
}

value val_dict_get(value dict, value key)
{
	long i = val_dict_find(dict, key);
	return i < 0 ? val_undef() : dict.d->e[i].val;
}

value val_dict_getn(value dict, const char *key, size_t n)
{
	if (dict.type != V_DICT)
		return val_undef();
	struct vdict *d = dict.d;
	long i = dict_find_str(d, key, n, d->icap ? val_str_hash(key, n) : 0);
	return i < 0 ? val_undef() : d->e[i].val;
}

value val_dict_getnh(value dict, const char *key, size_t n, uint64_t hash)
{
	if (dict.type != V_DICT)
		return val_undef();
	long i = dict_find_str(dict.d, key, n, hash);
	return i < 0 ? val_undef() : dict.d->e[i].val;
}

void val_dict_set(value dict, value key, value val)
{
	struct vdict *d = dict.d;
	uint64_t h = d->icap ? val_hash(key) : 0;
	long i = key.type == V_STR ? dict_find_str(d, key.s, key.len, h) : dict_find_h(d, key, h);
	if (i >= 0) {
		d->e[i].val = val;
		return;
	}
	if (d->len == d->cap) {
		size_t nc = d->cap ? (size_t)d->cap * 2 : 4;
		d->e = arena_realloc(d->arena, d->e, (size_t)d->cap * sizeof(struct ventry),
				     nc * sizeof(struct ventry));
		if (d->keylocs)
			d->keylocs = arena_realloc(d->arena, d->keylocs, (size_t)d->cap * sizeof(struct loc),
						   nc * sizeof(struct loc));
		if (d->vallocs)
			d->vallocs = arena_realloc(d->arena, d->vallocs, (size_t)d->cap * sizeof(struct loc),
						   nc * sizeof(struct loc));
		d->cap = (uint32_t)nc;
	}
	uint32_t ix = d->len++;
	d->e[ix].key = key;
	d->e[ix].val = val;
	if (d->keylocs)
		d->keylocs[ix] = LOC_NONE;
	if (d->vallocs)
		d->vallocs[ix] = LOC_NONE;
	if (d->icap) {
		if (d->len * 2 + 2 > d->icap) {
			dict_reindex(d);
		} else {
			uint32_t mask = d->icap - 1;
			uint32_t j = (uint32_t)h & mask;
			while (d->index[j])
				j = (j + 1) & mask;
			d->index[j] = ix + 1;
		}
	} else if (d->len > DICT_SCAN) {
		dict_reindex(d);
	}
}

void val_dict_copy_exact(value dst, value src)
{
	struct vdict *d = dst.d, *from = src.d;
	ASSERT(d->len == 0);
	d->len = d->cap = from->len;
	d->e = from->len ? arena_alloc(d->arena, from->len * sizeof(struct ventry)) : NULL;
	if (from->len)
		memcpy(d->e, from->e, from->len * sizeof(struct ventry));
	d->index = NULL;
	d->icap = 0;
	if (d->len > DICT_SCAN)
		dict_reindex(d);
}

void val_dict_adopt(value dst, struct ventry *e, uint32_t n)
{
	struct vdict *d = dst.d;
	ASSERT(d->len == 0);
	d->e = n ? e : NULL;
	d->len = d->cap = n;
	d->index = NULL;
	d->icap = 0;
	if (d->len > DICT_SCAN)
		dict_reindex(d);
}

bool val_dict_del(value dict, value key)
{
	struct vdict *d = dict.d;
	long i = val_dict_find(dict, key);
	if (i < 0)
		return false;
	size_t rest = d->len - (size_t)i - 1;
	memmove(d->e + i, d->e + i + 1, rest * sizeof(struct ventry));
	if (d->keylocs)
		memmove(d->keylocs + i, d->keylocs + i + 1, rest * sizeof(struct loc));
	if (d->vallocs)
		memmove(d->vallocs + i, d->vallocs + i + 1, rest * sizeof(struct loc));
	d->len--;
	if (d->icap)
		dict_reindex(d);
	return true;
}

/* copies lists and dicts, and with `objects` the objects that can copy themselves; keeps scalars
 * and strings */
static value copy_tree(struct arena *a, value v, bool objects)
{
	if (v.type == V_LIST) {
		value r = val_list_new(a, v.l->len);
		r.flags = v.flags;
		for (uint32_t i = 0; i < v.l->len; i++)
			val_list_push(r, copy_tree(a, v.l->items[i], objects));
		return r;
	}
	if (v.type == V_DICT) {
		value r = val_dict_new(a, v.d->len);
		for (uint32_t i = 0; i < v.d->len; i++)
			val_dict_set(r, v.d->e[i].key, copy_tree(a, v.d->e[i].val, objects));
		return r;
	}
	if (objects && v.type == V_OBJ && v.o->cls->copy)
		return v.o->cls->copy(a, v.o);
	return v;
}

/* copies lists and dicts (so merged trees share no container), keeps scalars and strings */
static value copy_containers(struct arena *a, value v)
{
	return copy_tree(a, v, false);
}

void val_dict_merge(struct arena *a, value dst, value src)
{
	if (dst.type != V_DICT || src.type != V_DICT)
		return;
	for (uint32_t i = 0; i < src.d->len; i++) {
		value k = src.d->e[i].key, sv = src.d->e[i].val;
		long j = val_dict_find(dst, k);
		if (j >= 0 && dst.d->e[j].val.type == V_DICT && sv.type == V_DICT)
			val_dict_merge(a, dst.d->e[j].val, sv);
		else
			val_dict_set(dst, k, copy_containers(a, sv));
	}
}

/* ---------------------------------------------------------------- Python semantics */

bool val_truthy(value v)
{
	switch (v.type) {
	case V_UNDEF:
	case V_NONE:
		return false;
	case V_BOOL:
		return v.b;
	case V_INT:
		return v.i != 0;
	case V_FLOAT:
		return v.f != 0.0;
	case V_STR:
		return v.len != 0;
	case V_LIST:
		return v.l->len != 0;
	case V_DICT:
		return v.d->len != 0;
	case V_FUNC:
		return true;
	case V_OBJ:
		return v.o->cls->truthy ? v.o->cls->truthy(v.o) : true;
	}
	return false;
}

static inline bool is_num(value v)
{
	return v.type == V_INT || v.type == V_FLOAT || v.type == V_BOOL;
}

static inline double num_f(value v)
{
	return v.type == V_FLOAT ? v.f : v.type == V_INT ? (double)v.i : (double)v.b;
}

static inline int64_t num_i(value v)
{
	return v.type == V_INT ? v.i : (int64_t)v.b;
}

bool val_eq(value a, value b)
{
	if (is_num(a) && is_num(b)) {
		if (a.type == V_FLOAT || b.type == V_FLOAT)
			return num_f(a) == num_f(b);
		return num_i(a) == num_i(b);
	}
	if (a.type != b.type) {
		if (a.type == V_OBJ && a.o->cls->eq)
			return a.o->cls->eq(a.o, b);
		if (b.type == V_OBJ && b.o->cls->eq)
			return b.o->cls->eq(b.o, a);
		return false;
	}
	switch (a.type) {
	case V_UNDEF:
	case V_NONE:
		return true;
	case V_STR:
		return a.len == b.len && (a.s == b.s || memcmp(a.s, b.s, a.len) == 0);
	case V_LIST:
		if ((a.flags & VF_TUPLE) != (b.flags & VF_TUPLE) || a.l->len != b.l->len)
			return false;
		if (a.l == b.l)
			return true;
		for (uint32_t i = 0; i < a.l->len; i++)
			if (!val_eq(a.l->items[i], b.l->items[i]))
				return false;
		return true;
	case V_DICT:
		if (a.d == b.d)
			return true;
		if (a.d->len != b.d->len)
			return false;
		for (uint32_t i = 0; i < a.d->len; i++) {
			long j = val_dict_find(b, a.d->e[i].key);
			if (j < 0 || !val_eq(a.d->e[i].val, b.d->e[j].val))
				return false;
		}
		return true;
	case V_FUNC:
		return a.fn == b.fn || (a.fn->fn == b.fn->fn && a.fn->ud == b.fn->ud);
	case V_OBJ:
		if (a.o == b.o || (a.o->cls == b.o->cls && a.o->data == b.o->data))
			return true;
		return a.o->cls->eq ? a.o->cls->eq(a.o, b) : false;
	default:
		return false;
	}
}

int val_cmp(value a, value b, int *pcmp)
{
	if (is_num(a) && is_num(b)) {
		if (a.type == V_FLOAT || b.type == V_FLOAT) {
			double x = num_f(a), y = num_f(b);
			*pcmp = x < y ? -1 : x > y ? 1 : 0;
		} else {
			int64_t x = num_i(a), y = num_i(b);
			*pcmp = x < y ? -1 : x > y ? 1 : 0;
		}
		return 0;
	}
	if (a.type == V_STR && b.type == V_STR) {
		size_t n = a.len < b.len ? a.len : b.len;
		int c = memcmp(a.s, b.s, n);
		if (c == 0)
			c = a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
		*pcmp = c < 0 ? -1 : c > 0 ? 1 : 0;
		return 0;
	}
	if (a.type == V_LIST && b.type == V_LIST && (a.flags & VF_TUPLE) == (b.flags & VF_TUPLE)) {
		uint32_t n = a.l->len < b.l->len ? a.l->len : b.l->len;
		for (uint32_t i = 0; i < n; i++) {
			if (val_eq(a.l->items[i], b.l->items[i]))
				continue;
			return val_cmp(a.l->items[i], b.l->items[i], pcmp);
		}
		*pcmp = a.l->len < b.l->len ? -1 : a.l->len > b.l->len ? 1 : 0;
		return 0;
	}
	if (a.type == V_OBJ && a.o->cls->cmp)
		return a.o->cls->cmp(a.o, b, pcmp);
	if (b.type == V_OBJ && b.o->cls->cmp) {
		int rc = b.o->cls->cmp(b.o, a, pcmp);
		*pcmp = -*pcmp;
		return rc;
	}
	*pcmp = 0;
	return -1;
}

const char *val_type_name(value v)
{
	switch (v.type) {
	case V_UNDEF: return "Undefined";
	case V_NONE: return "NoneType";
	case V_BOOL: return "bool";
	case V_INT: return "int";
	case V_FLOAT: return "float";
	case V_STR: return v.flags & VF_SAFE ? "Markup" : "str";
	case V_LIST: return v.flags & VF_TUPLE ? "tuple" : "list";
	case V_DICT: return "dict";
	case V_FUNC: return "function";
	case V_OBJ: return v.o->cls->name ? v.o->cls->name : "object";
	}
	return "object";
}

/* ---------------------------------------------------------------- str() and repr() */

static void float_repr(struct sb *out, double f)
{
	if (isnan(f)) {
		sb_adds(out, "nan");
		return;
	}
	if (isinf(f)) {
		sb_adds(out, f < 0 ? "-inf" : "inf");
		return;
	}
	if (f == 0) {
		sb_adds(out, signbit(f) ? "-0.0" : "0.0");
		return;
	}
	/* shortest digits that read back as f: 15 significant digits always suffice when a shorter
	 * form exists (trailing zeros stripped), else 16, else 17 */
	char buf[40];
	if (fabs(f) < 2.2250738585072014e-308) {
		/* subnormal: fewer significant digits, search them all */
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(buf, sizeof(buf), "%.*e", prec - 1, f);
			if (strtod(buf, NULL) == f)
				break;
		}
	} else {
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(buf, sizeof(buf), "%.*e", prec - 1, f);
			if (strtod(buf, NULL) == f)
				break;
		}
	}
	/* buf: [-]d.ddddde[+-]xx */
	const char *p = buf;
	bool neg = *p == '-';
	if (neg)
		p++;
	char digits[24];
	int nd = 0;
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	int exp10 = atoi(p + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (neg)
		sb_addc(out, '-');
	if (exp10 < -4 || exp10 >= 16) {
		sb_addc(out, digits[0]);
		if (nd > 1) {
			sb_addc(out, '.');
			sb_add(out, digits + 1, (size_t)nd - 1);
		}
		sb_addf(out, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
		return;
	}
	if (exp10 < 0) {
		sb_adds(out, "0.");
		for (int i = -1; i > exp10; i--)
			sb_addc(out, '0');
		sb_add(out, digits, (size_t)nd);
		return;
	}
	/* exp10 + 1 digits before the point */
	int ip = exp10 + 1;
	for (int i = 0; i < ip; i++)
		sb_addc(out, i < nd ? digits[i] : '0');
	sb_addc(out, '.');
	if (nd > ip)
		sb_add(out, digits + ip, (size_t)(nd - ip));
	else
		sb_addc(out, '0');
}

void val_float_repr(struct sb *out, double f)
{
	/* the same number is often written many times over (a manifest's created_at, once a node):
	 * its digits are found once a thread */
	static _Thread_local double last_f;
	static _Thread_local char last_text[48];
	static _Thread_local size_t last_len;  /* 0: none yet */
	if (last_len && !memcmp(&f, &last_f, sizeof(f))) {
		sb_add(out, last_text, last_len);
		return;
	}
	size_t at = out->len;
	float_repr(out, f);
	size_t n = out->len - at;
	if (n < sizeof(last_text)) {
		memcpy(last_text, out->buf + at, n);
		last_f = f;
		last_len = n;
	}
}

/* Decodes one UTF-8 sequence at s (n bytes left); returns its length, 1 for an invalid byte */
static size_t utf8_dec(const unsigned char *s, size_t n, unsigned *pcp)
{
	unsigned c = s[0];
	size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
	if (len > n || len == 1) {
		*pcp = c;
		return 1;
	}
	unsigned cp = c & (0x7Fu >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*pcp = c;
			return 1;
		}
		cp = (cp << 6) | (s[i] & 0x3Fu);
	}
	*pcp = cp;
	return len;
}

/* Python's str.isprintable() for one code point, approximated outside the common ranges */
static bool cp_printable(unsigned cp)
{
	if (cp < 0x20 || cp == 0x7F)
		return false;
	if (cp >= 0x80 && cp <= 0xA0)
		return false;
	if (cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
	    (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
	    (cp >= 0xE000 && cp <= 0xF8FF) || cp == 0x3000 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200A) || cp == 0x205F || cp == 0xFFF9 || cp == 0xFFFA ||
	    cp == 0xFFFB)
		return false;
	return true;
}

void val_repr_str(struct sb *out, const char *s, size_t n)
{
	char q = '\'';
	if (memchr(s, '\'', n) && !memchr(s, '"', n))
		q = '"';
	sb_addc(out, q);
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t run = i;
		while (run < n && p[run] >= 0x20 && p[run] < 0x7F && p[run] != '\\' && p[run] != (unsigned char)q)
			run++;
		if (run > i) {
			sb_add(out, p + i, run - i);
			i = run;
			continue;
		}
		unsigned char c = p[i];
		if (c == '\\' || c == (unsigned char)q) {
			sb_addc(out, '\\');
			sb_addc(out, (char)c);
			i++;
		} else if (c == '\n') {
			sb_adds(out, "\\n");
			i++;
		} else if (c == '\r') {
			sb_adds(out, "\\r");
			i++;
		} else if (c == '\t') {
			sb_adds(out, "\\t");
			i++;
		} else if (c < 0x80) {
			sb_addf(out, "\\x%02x", c);
			i++;
		} else {
			unsigned cp;
			size_t l = utf8_dec(p + i, n - i, &cp);
			if (l == 1 && cp >= 0x80)
				sb_addf(out, "\\udc%02x", cp); /* undecodable byte, as surrogateescape */
			else if (cp_printable(cp))
				sb_add(out, p + i, l);
			else if (cp <= 0xFF)
				sb_addf(out, "\\x%02x", cp);
			else if (cp <= 0xFFFF)
				sb_addf(out, "\\u%04x", cp);
			else
				sb_addf(out, "\\U%08x", cp);
			i += l;
		}
	}
	sb_addc(out, q);
}

static void obj_str(struct sb *out, value v, bool repr)
{
	const struct vobj_class *c = v.o->cls;
	if (repr && c->repr)
		c->repr(v.o, out);
	else if (c->str)
		c->str(v.o, out);
	else
		sb_addf(out, "<%s object>", c->name ? c->name : "");
}

static void repr_to(struct sb *out, value v, int depth);

static void container_repr(struct sb *out, value v, int depth)
{
	if (depth > 100) {
		sb_adds(out, "...");
		return;
	}
	if (v.type == V_LIST) {
		bool tup = v.flags & VF_TUPLE;
		sb_addc(out, tup ? '(' : '[');
		for (uint32_t i = 0; i < v.l->len; i++) {
			if (i)
				sb_adds(out, ", ");
			value it = v.l->items[i];
			if (it.type == V_LIST && it.l == v.l)
				sb_adds(out, tup ? "(...)" : "[...]");
			else
				repr_to(out, it, depth + 1);
		}
		if (tup && v.l->len == 1)
			sb_addc(out, ',');
		sb_addc(out, tup ? ')' : ']');
		return;
	}
	sb_addc(out, '{');
	for (uint32_t i = 0; i < v.d->len; i++) {
		if (i)
			sb_adds(out, ", ");
		repr_to(out, v.d->e[i].key, depth + 1);
		sb_adds(out, ": ");
		value it = v.d->e[i].val;
		if (it.type == V_DICT && it.d == v.d)
			sb_adds(out, "{...}");
		else
			repr_to(out, it, depth + 1);
	}
	sb_addc(out, '}');
}

static void repr_to(struct sb *out, value v, int depth)
{
	switch (v.type) {
	case V_UNDEF:
		sb_adds(out, "Undefined");
		return;
	case V_STR:
		if (v.flags & VF_SAFE) {
			sb_adds(out, "Markup(");
			val_repr_str(out, v.s, v.len);
			sb_addc(out, ')');
		} else {
			val_repr_str(out, v.s, v.len);
		}
		return;
	case V_LIST:
	case V_DICT:
		container_repr(out, v, depth);
		return;
	case V_OBJ:
		obj_str(out, v, true);
		return;
	default:
		val_str_to(out, v);
	}
}

void val_repr_to(struct sb *out, value v)
{
	repr_to(out, v, 0);
}

void val_str_to(struct sb *out, value v)
{
	switch (v.type) {
	case V_UNDEF:
		return;
	case V_NONE:
		sb_adds(out, "None");
		return;
	case V_BOOL:
		sb_adds(out, v.b ? "True" : "False");
		return;
	case V_INT: {
		char buf[24];
		int n = snprintf(buf, sizeof(buf), "%lld", (long long)v.i);
		sb_add(out, buf, (size_t)n);
		return;
	}
	case V_FLOAT:
		val_float_repr(out, v.f);
		return;
	case V_STR:
		sb_add(out, v.s, v.len);
		return;
	case V_LIST:
	case V_DICT:
		container_repr(out, v, 0);
		return;
	case V_FUNC:
		sb_addf(out, "<function %s>", v.fn->name ? v.fn->name : "");
		return;
	case V_OBJ:
		obj_str(out, v, false);
		return;
	}
}

value val_to_str(struct arena *a, value v)
{
	if (v.type == V_STR)
		return v;
	struct sb s = SB_INIT;
	val_str_to(&s, v);
	value r = val_str_dup(a, s.buf, s.len);
	sb_release(&s);
	return r;
}

value val_copy_containers(struct arena *a, value v)
{
	return copy_tree(a, v, true);
}

value val_copy(struct arena *a, value v)
{
	switch (v.type) {
	case V_STR: {
		value r = val_str_dup(a, v.s, v.len);
		r.flags = v.flags;
		return r;
	}
	case V_UNDEF:
		if (v.s) {
			value r = val_str_dup(a, v.s, v.len);
			r.type = V_UNDEF;
			r.flags = v.flags;
			return r;
		}
		return v;
	case V_LIST: {
		value r = val_list_new(a, v.l->len);
		r.flags = v.flags;
		for (uint32_t i = 0; i < v.l->len; i++)
			val_list_push(r, val_copy(a, v.l->items[i]));
		return r;
	}
	case V_DICT: {
		value r = val_dict_new(a, v.d->len);
		for (uint32_t i = 0; i < v.d->len; i++)
			val_dict_set(r, val_copy(a, v.d->e[i].key), val_copy(a, v.d->e[i].val));
		return r;
	}
	case V_OBJ:
		return v.o->cls->copy ? v.o->cls->copy(a, v.o) : v;
	default:
		return v;
	}
}
