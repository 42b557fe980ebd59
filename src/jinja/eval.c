/*
 * Expression evaluator: names and scopes, Python operators, attribute and item access, slicing,
 * calls, filters and tests, and the small objects expressions create (namespace).
 *
 * Every operation follows what the same expression does in Jinja2 on CPython, down to the messages
 * of the errors ("unsupported operand type(s) for +: 'int' and 'str'"), since users compare the
 * two. Integers are 64-bit: an operation that would overflow raises an error naming it rather than
 * switching to big integers.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/sb.h"
#include "jinja/internal.h"

/* ---------------------------------------------------------------- errors */

static void add_call_notes(struct jj_vm *vm, struct diag *d)
{
	for (const struct jj_callrec *c = vm->calls; c; c = c->prev) {
		if (c->kind == REC_MACRO)
			diag_note(vm->dl, d, c->site, "in macro '%s' called here", c->name);
		else
			diag_note(vm->dl, d, c->site, "in template '%s' %s here", c->name,
				  c->kind == REC_INCLUDE ? "included" : "imported");
	}
}

void jj_raise_at(struct jj_vm *vm, struct loc loc, const char *fmt, ...)
{
	va_list ap;
	struct sb s = SB_INIT;
	va_start(ap, fmt);
	sb_vaddf(&s, fmt, ap);
	va_end(ap);
	struct diag *d = diag_error(vm->dl, loc, "%s", s.buf);
	sb_release(&s);
	add_call_notes(vm, d);
	longjmp(*vm->err, 1);
}

static _Noreturn void raise_v(struct jj_vm *vm, bool from_db, const char *fmt, va_list ap)
{
	struct sb s = SB_INIT;
	sb_vaddf(&s, fmt, ap);
	struct diag *d = diag_error(vm->dl, vm->loc, "%s", s.buf);
	d->from_db = from_db;
	sb_release(&s);
	add_call_notes(vm, d);
	longjmp(*vm->err, 1);
}

void jj_vraise(struct jj_vm *vm, const char *fmt, va_list ap)
{
	raise_v(vm, false, fmt, ap);
}

void jj_raise_db(struct jj_vm *vm, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	raise_v(vm, true, fmt, ap);
}

void jj_raise(struct jj_vm *vm, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	jj_vraise(vm, fmt, ap);
}

void jj_raise_undefined(struct jj_vm *vm, value u)
{
	if (u.flags & VF_UNDEF_MSG)
		jj_raise(vm, "%.*s", (int)u.len, u.s);
	if (u.s)
		jj_raise(vm, "'%.*s' is undefined", (int)u.len, u.s);
	jj_raise(vm, "undefined value");
}

value jj_undef_msg(struct jj_vm *vm, const char *fmt, ...)
{
	va_list ap;
	struct sb *o = vm->out;
	size_t m = jj_mark(vm);
	va_start(ap, fmt);
	sb_vaddf(o, fmt, ap);
	va_end(ap);
	value s = jj_take(vm, m);
	s.type = V_UNDEF;
	s.flags = VF_UNDEF_MSG;
	return s;
}

/* Jinja2's object_type_repr */
static void type_repr(struct sb *o, value v)
{
	if (v.type == V_NONE)
		sb_adds(o, "None");
	else if (v.type == V_STR && (v.flags & VF_SAFE))
		sb_adds(o, "markupsafe.Markup object");
	else
		sb_addf(o, "%s object", val_type_name(v));
}

value jj_undef_attr(struct jj_vm *vm, value obj, const char *name, size_t n)
{
	size_t m = jj_mark(vm);
	sb_addc(vm->out, '\'');
	type_repr(vm->out, obj);
	sb_addf(vm->out, "' has no attribute '%.*s'", (int)n, name);
	value s = jj_take(vm, m);
	s.type = V_UNDEF;
	s.flags = VF_UNDEF_MSG;
	return s;
}

static value jj_undef_item(struct jj_vm *vm, value obj, value key)
{
	if (key.type == V_STR)
		return jj_undef_attr(vm, obj, key.s, key.len);
	size_t m = jj_mark(vm);
	type_repr(vm->out, obj);
	sb_adds(vm->out, " has no element ");
	val_repr_to(vm->out, key);
	value s = jj_take(vm, m);
	s.type = V_UNDEF;
	s.flags = VF_UNDEF_MSG;
	return s;
}

/* ---------------------------------------------------------------- strings and output */

value jj_take(struct jj_vm *vm, size_t mark)
{
	struct sb *o = vm->out;
	size_t n = o->len - mark;
	jj_need(vm, n);
	char *p = arena_alloc(vm->a, n + 1);
	memcpy(p, o->buf + mark, n);
	p[n] = '\0';
	o->len = mark;
	o->buf[mark] = '\0';
	return val_strn(p, n);
}

static value jj_strdup(struct jj_vm *vm, const char *s, size_t n)
{
	return val_strn(arena_strndup(vm->a, s, n), n);
}

static void put_int(struct sb *o, int64_t i)
{
	char buf[24];
	char *e = buf + sizeof(buf), *p = e;
	uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (i < 0)
		*--p = '-';
	sb_add(o, p, (size_t)(e - p));
}

void jj_escape_to(struct sb *out, const char *s, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		const char *rep;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&#34;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		sb_add(out, s + run, i - run);
		sb_adds(out, rep);
		run = i + 1;
	}
	sb_add(out, s + run, n - run);
}

value jj_escape(struct jj_vm *vm, value v)
{
	if (v.type == V_STR && (v.flags & VF_SAFE))
		return v;
	value s = jj_str(vm, v);
	size_t m = jj_mark(vm);
	jj_escape_to(vm->out, s.s, s.len);
	value r = jj_take(vm, m);
	r.flags = VF_SAFE;
	return r;
}

void jj_emit(struct jj_vm *vm, value v, bool escape)
{
	struct sb *o = vm->out;
	switch (v.type) {
	case V_STR:
		if (escape && !(v.flags & VF_SAFE))
			jj_escape_to(o, v.s, v.len);
		else
			sb_add(o, v.s, v.len);
		return;
	case V_INT:
		put_int(o, v.i);
		return;
	case V_UNDEF:
		return;
	default:
		jj_need_text(vm, v);
		if (escape) {
			size_t m = jj_mark(vm);
			val_str_to(o, v);
			value s = jj_take(vm, m);
			jj_escape_to(o, s.s, s.len);
		} else {
			val_str_to(o, v);
		}
	}
}

value jj_str(struct jj_vm *vm, value v)
{
	if (v.type == V_STR)
		return v;
	if (v.type == V_UNDEF)
		return val_strn("", 0);
	jj_need_text(vm, v);
	size_t m = jj_mark(vm);
	val_str_to(vm->out, v);
	return jj_take(vm, m);
}

value jj_want_str(struct jj_vm *vm, value v, const char *what)
{
	if (v.type != V_STR)
		jj_raise(vm, "%s must be str, not %s", what, val_type_name(v));
	return v;
}

int64_t jj_want_int(struct jj_vm *vm, value v, const char *what)
{
	if (v.type == V_INT)
		return v.i;
	if (v.type == V_BOOL)
		return v.b;
	jj_raise(vm, "'%s' object cannot be interpreted as an integer%s%s", val_type_name(v),
		 what ? " in " : "", what ? what : "");
}

bool jj_has_arg(const struct vargs *args, size_t pos, const char *kwname)
{
	if (pos < args->npos)
		return true;
	for (size_t i = 0; kwname && i < args->nkw; i++)
		if (strcmp(args->kwnames[i], kwname) == 0)
			return true;
	return false;
}

value jj_arg(const struct vargs *args, size_t pos, const char *kwname, value dflt)
{
	if (pos < args->npos)
		return args->pos[pos];
	for (size_t i = 0; kwname && i < args->nkw; i++)
		if (strcmp(args->kwnames[i], kwname) == 0)
			return args->kw[i];
	return dflt;
}

void jj_check_args(struct jj_vm *vm, const char *fname, const struct vargs *args, size_t maxpos,
		   const char *const *kwnames)
{
	if (args->npos > maxpos)
		jj_raise(vm, "%s() takes at most %zu positional argument%s (%zu given)", fname, maxpos,
			 maxpos == 1 ? "" : "s", args->npos);
	for (size_t i = 0; i < args->nkw; i++) {
		size_t k = 0;
		bool ok = false;
		for (const char *const *n = kwnames; n && *n; n++, k++) {
			if (strcmp(*n, args->kwnames[i]) == 0) {
				ok = true;
				if (k < args->npos)
					jj_raise(vm, "%s() got multiple values for argument '%s'", fname, *n);
			}
		}
		if (!ok)
			jj_raise(vm, "%s() got an unexpected keyword argument '%s'", fname, args->kwnames[i]);
	}
}

/* ---------------------------------------------------------------- scopes */

struct jj_frame *jj_frame_new(struct jj_vm *vm, struct jj_frame *parent, struct jj_ctx *ctx)
{
	struct jj_frame *f = arena_alloc(vm->a, sizeof(*f));
	f->parent = parent;
	f->ctx = ctx ? ctx : parent ? parent->ctx : NULL;
	f->vars = NULL;
	f->n = f->cap = 0;
	f->include_root = false;
	return f;
}

void jj_frame_setn(struct jj_vm *vm, struct jj_frame *f, const char *name, uint32_t len, uint64_t hash,
		   value v)
{
	for (uint32_t i = 0; i < f->n; i++) {
		struct jj_var *x = &f->vars[i];
		if (x->hash == hash && x->len == len && memcmp(x->name, name, len) == 0) {
			x->v = v;
			return;
		}
	}
	if (f->n == f->cap) {
		uint32_t nc = f->cap ? f->cap * 2 : 4;
		f->vars = arena_realloc(vm->a, f->vars, f->cap * sizeof(*f->vars), nc * sizeof(*f->vars));
		f->cap = nc;
	}
	struct jj_var *x = &f->vars[f->n++];
	x->name = name;
	x->len = len;
	x->hash = hash;
	x->v = v;
}

void jj_frame_sets(struct jj_vm *vm, struct jj_frame *f, const char *name, value v)
{
	size_t n = strlen(name);
	jj_frame_setn(vm, f, name, (uint32_t)n, val_str_hash(name, n), v);
}

static value lookup_full(struct jj_vm *vm, const struct jj_frame *f, const char *s, uint32_t len,
			 uint64_t hash, bool *pfound)
{
	const struct jj_frame *last = f;
	bool hide_loop = false;
	*pfound = true;
	for (; f; f = f->parent) {
		for (uint32_t i = f->n; i-- > 0;) {
			const struct jj_var *x = &f->vars[i];
			if (x->hash == hash && x->len == len && memcmp(x->name, s, len) == 0) {
				if (hide_loop && len == 4 && memcmp(s, "loop", 4) == 0)
					continue;
				return x->v;
			}
		}
		if (f->include_root)
			hide_loop = true;
		last = f;
	}
	const struct jj_ctx *c = last ? last->ctx : vm->root;
	if (c) {
		if (c->vars.type == V_DICT) {
			value v = val_dict_getnh(c->vars, s, len, hash);
			if (v.type != V_UNDEF || val_dict_find(c->vars, val_strn(s, len)) >= 0)
				return v;
		}
	}
	value g = val_dict_getnh(vm->env->globals, s, len, hash);
	if (g.type != V_UNDEF)
		return g;
	/* a dbt macro's file-mates last: dbt makes each macro a template of its own, whose bare
	 * names reach the render's namespace (the node's package, the root project, the global
	 * project) and nothing else, so they come after it (where dbt would find nothing) */
	if (c && c->module.type == V_DICT) {
		value v = val_dict_getnh(c->module, s, len, hash);
		if (v.type != V_UNDEF)
			return v;
	}
	*pfound = false;
	return val_undef_named(s, len);
}

value jj_frame_lookup(struct jj_vm *vm, const struct jj_frame *f, const struct jj_name *nm)
{
	bool found;
	value v = lookup_full(vm, f, nm->s, nm->len, nm->hash, &found);
	if (!found && nm->len == 4 && memcmp(nm->s, "self", 4) == 0 && f && f->ctx)
		return jj_self_ref(vm, f->ctx);
	return v;
}

value jj_lookup(struct jj_vm *vm, const char *name)
{
	size_t n = strlen(name);
	bool found;
	return lookup_full(vm, vm->frame, name, (uint32_t)n, val_str_hash(name, n), &found);
}

struct arena *jj_arena(struct jj_vm *vm)
{
	return vm->a;
}

void *jj_user(struct jj_vm *vm)
{
	return vm->user;
}

struct jj_env *jj_vm_env(struct jj_vm *vm)
{
	return vm->env;
}

struct loc jj_current_loc(struct jj_vm *vm)
{
	return vm->loc;
}

void jj_warn(struct jj_vm *vm, const char *fmt, ...)
{
	va_list ap;
	struct sb s = SB_INIT;
	va_start(ap, fmt);
	sb_vaddf(&s, fmt, ap);
	va_end(ap);
	diag_warn(vm->dl, vm->loc, "%s", s.buf);
	sb_release(&s);
}

/* ---------------------------------------------------------------- operators */

static inline bool is_num(value v)
{
	return v.type == V_INT || v.type == V_FLOAT || v.type == V_BOOL;
}

static inline double as_f(value v)
{
	return v.type == V_FLOAT ? v.f : v.type == V_INT ? (double)v.i : (double)v.b;
}

static inline int64_t as_i(value v)
{
	return v.type == V_INT ? v.i : (int64_t)v.b;
}

static const char *const binop_sym[] = {"+", "-", "*", "/", "//", "%", "**"};

_Noreturn static void unsupported(struct jj_vm *vm, int op, value a, value b)
{
	jj_raise(vm, "unsupported operand type(s) for %s: '%s' and '%s'", binop_sym[op], val_type_name(a),
		 val_type_name(b));
}


static value seq_concat(struct jj_vm *vm, value a, value b)
{
	jj_need2(vm, (size_t)a.l->len + b.l->len, sizeof(value));
	value r = a.flags & VF_TUPLE ? val_tuple_new(vm->a, a.l->len + b.l->len) :
				       val_list_new(vm->a, a.l->len + b.l->len);
	for (uint32_t i = 0; i < a.l->len; i++)
		val_list_push(r, a.l->items[i]);
	for (uint32_t i = 0; i < b.l->len; i++)
		val_list_push(r, b.l->items[i]);
	return r;
}

static value seq_repeat(struct jj_vm *vm, value s, int64_t n)
{
	if (n < 0)
		n = 0;
	if (s.type == V_STR) {
		jj_need2(vm, s.len, (size_t)n);
		size_t total = s.len * (size_t)n;
		char *p = arena_alloc(vm->a, total + 1);
		/* copy what is already there: log(n) memcpy calls, not n */
		size_t done = total ? s.len : 0;
		if (done)
			memcpy(p, s.s, s.len);
		while (done < total) {
			size_t k = done < total - done ? done : total - done;
			memcpy(p + done, p, k);
			done += k;
		}
		p[total] = '\0';
		value r = val_strn(p, total);
		r.flags = s.flags & VF_SAFE;
		return r;
	}
	jj_need2(vm, (size_t)s.l->len * sizeof(value), (size_t)n);
	if (!s.l->len)
		n = 0;  /* [] * 10**13 is [] at once, not 10**13 empty turns */
	if (s.l->len && (uint64_t)n > UINT32_MAX / s.l->len)
		jj_raise(vm, "repeated list is too long");
	value r = s.flags & VF_TUPLE ? val_tuple_new(vm->a, s.l->len * (size_t)n) :
				       val_list_new(vm->a, s.l->len * (size_t)n);
	for (int64_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < s.l->len; j++)
			val_list_push(r, s.l->items[j]);
	return r;
}

/*
 * a + b for strings, where a may be extended in place. A template that builds a long string in a
 * loop ({% set ns.q = ns.q + ',' + row %}, as elementary's insert_rows does for thousands of rows)
 * would copy the whole string at every step: quadratic memory in an arena that frees nothing
 * before the render ends (Python frees each old string). A concatenation past GROW_MIN bytes
 * gets a buffer with room to spare, remembered here; appending to a string that is that
 * buffer's whole content writes into the spare room. Strings are (pointer, length) views that
 * never change: the shorter ones still see their bytes (they are not NUL-terminated at their end
 * any more, which no string is promised to be).
 */
#define GROW_MIN 1024

static value grow_concat(struct jj_vm *vm, value a, const char *b, size_t blen)
{
	for (unsigned i = 0; i < sizeof(vm->grow) / sizeof(vm->grow[0]); i++) {
		struct jj_growbuf *g = &vm->grow[i];
		if (g->p && a.s == g->p && a.len == g->used && g->cap - g->used > blen) {
			memcpy(g->p + g->used, b, blen);
			g->used += blen;
			g->p[g->used] = '\0';
			return val_strn(g->p, g->used);
		}
	}
	size_t need = a.len + blen;
	size_t cap = need < GROW_MIN ? need + 1 : 2 * need + 1;
	jj_need(vm, cap);
	char *p = arena_alloc(vm->a, cap);
	memcpy(p, a.s, a.len);
	memcpy(p + a.len, b, blen);
	p[need] = '\0';
	if (cap > need + 1) {
		struct jj_growbuf *g = &vm->grow[vm->grow_next++ % (sizeof(vm->grow) / sizeof(vm->grow[0]))];
		*g = (struct jj_growbuf){p, need, cap};
	}
	return val_strn(p, need);
}

static value str_concat(struct jj_vm *vm, value a, value b)
{
	jj_need(vm, a.len + b.len);
	bool safe = (a.flags | b.flags) & VF_SAFE;
	if (!safe)
		return grow_concat(vm, a, b.s, b.len);
	if ((a.flags & VF_SAFE) && (b.flags & VF_SAFE)) {
		/* nothing to escape: straight into the arena */
		char *p = arena_alloc(vm->a, a.len + b.len + 1);
		memcpy(p, a.s, a.len);
		memcpy(p + a.len, b.s, b.len);
		p[a.len + b.len] = '\0';
		value r = val_strn(p, a.len + b.len);
		r.flags = VF_SAFE;
		return r;
	}
	size_t m = jj_mark(vm);
	if (safe && !(a.flags & VF_SAFE))
		jj_escape_to(vm->out, a.s, a.len);
	else
		sb_add(vm->out, a.s, a.len);
	if (safe && !(b.flags & VF_SAFE))
		jj_escape_to(vm->out, b.s, b.len);
	else
		sb_add(vm->out, b.s, b.len);
	value r = jj_take(vm, m);
	r.flags = safe ? VF_SAFE : 0;
	return r;
}

static double py_fmod(double a, double b)
{
	double m = fmod(a, b);
	if (m != 0) {
		if ((b < 0) != (m < 0))
			m += b;
	} else {
		m = copysign(0.0, b);
	}
	return m;
}

/* CPython's float floor division */
static double py_floordiv(double x, double y)
{
	double mod = fmod(x, y), div = (x - mod) / y;
	if (mod != 0 && ((y < 0) != (mod < 0)))
		div -= 1.0;
	if (div != 0) {
		double fd = floor(div);
		if (div - fd > 0.5)
			fd += 1.0;
		return fd;
	}
	return copysign(0.0, x / y);
}

/* an operation with a big integer operand (or one that overflowed 64 bits) */
static value big_binop(struct jj_vm *vm, int op, value a, value b)
{
	if (a.type == V_FLOAT || b.type == V_FLOAT) {
		value fa = a.type == V_FLOAT ? a : val_float(jj_bigint_to_double(a));
		value fb = b.type == V_FLOAT ? b : val_float(jj_bigint_to_double(b));
		if (isinf(fa.f) || isinf(fb.f))
			jj_raise(vm, "int too large to convert to float");
		return jj_binop(vm, op, fa, fb);
	}
	if (op == OP_DIV) {
		double y = jj_bigint_to_double(b);
		if (y == 0)
			jj_raise(vm, "division by zero");
		return val_float(jj_bigint_to_double(a) / y);
	}
	if (op == OP_POW && (b.type == V_INT && b.i < 0))
		return val_float(pow(jj_bigint_to_double(a), (double)b.i));
	return jj_bigint_binop(vm, op, a, b);
}

#define overflow(vm, op) return big_binop((vm), (op), a, b)

value jj_binop(struct jj_vm *vm, int op, value a, value b)
{
	if (a.type == V_UNDEF)
		jj_raise_undefined(vm, a);
	if (b.type == V_UNDEF)
		jj_raise_undefined(vm, b);
	if ((jj_is_bigint(a) && (is_num(b) || jj_is_bigint(b))) || (jj_is_bigint(b) && is_num(a)))
		return big_binop(vm, op, a, b);
	if (is_num(a) && is_num(b)) {
		bool fl = a.type == V_FLOAT || b.type == V_FLOAT;
		if (!fl) {
			int64_t x = as_i(a), y = as_i(b), r;
			switch (op) {
			case OP_ADD:
				if (__builtin_add_overflow(x, y, &r))
					overflow(vm, op);
				return val_int(r);
			case OP_SUB:
				if (__builtin_sub_overflow(x, y, &r))
					overflow(vm, op);
				return val_int(r);
			case OP_MUL:
				if (__builtin_mul_overflow(x, y, &r))
					overflow(vm, op);
				return val_int(r);
			case OP_DIV:
				if (y == 0)
					jj_raise(vm, "division by zero");
				return val_float((double)x / (double)y);
			case OP_FLOORDIV:
			case OP_MOD: {
				if (y == 0)
					jj_raise(vm, op == OP_MOD ? "integer modulo by zero" :
								    "integer division or modulo by zero");
				if (x == INT64_MIN && y == -1) {
					if (op == OP_MOD)
						return val_int(0);
					overflow(vm, op);
				}
				int64_t q = x / y, m = x % y;
				if (m != 0 && ((m < 0) != (y < 0))) {
					q--;
					m += y;
				}
				return val_int(op == OP_MOD ? m : q);
			}
			case OP_POW: {
				if (y < 0) {
					if (x == 0)
						jj_raise(vm, "0.0 cannot be raised to a negative power");
					return val_float(pow((double)x, (double)y));
				}
				int64_t res = 1, base = x;
				int64_t e = y;
				while (e) {
					if (e & 1)
						if (__builtin_mul_overflow(res, base, &res))
							overflow(vm, op);
					e >>= 1;
					if (e && __builtin_mul_overflow(base, base, &base))
						overflow(vm, op);
				}
				return val_int(res);
			}
			}
		}
		double x = as_f(a), y = as_f(b);
		switch (op) {
		case OP_ADD: return val_float(x + y);
		case OP_SUB: return val_float(x - y);
		case OP_MUL: return val_float(x * y);
		case OP_DIV:
			if (y == 0)
				jj_raise(vm, "float division by zero");
			return val_float(x / y);
		case OP_FLOORDIV:
			if (y == 0)
				jj_raise(vm, "float floor division by zero");
			return val_float(py_floordiv(x, y));
		case OP_MOD:
			if (y == 0)
				jj_raise(vm, "float modulo");
			return val_float(py_fmod(x, y));
		case OP_POW:
			if (x == 0 && y < 0)
				jj_raise(vm, "0.0 cannot be raised to a negative power");
			if (x < 0 && y != floor(y))
				jj_raise(vm, "negative number cannot be raised to a fractional power");
			return val_float(pow(x, y));
		}
	}
	switch (op) {
	case OP_ADD:
		if (a.type == V_STR && b.type == V_STR)
			return str_concat(vm, a, b);
		if (a.type == V_LIST && b.type == V_LIST) {
			if ((a.flags & VF_TUPLE) == (b.flags & VF_TUPLE))
				return seq_concat(vm, a, b);
			jj_raise(vm, "can only concatenate %s (not \"%s\") to %s", val_type_name(a),
				 val_type_name(b), val_type_name(a));
		}
		if (a.type == V_STR || a.type == V_LIST)
			jj_raise(vm, "can only concatenate %s (not \"%s\") to %s", val_type_name(a),
				 val_type_name(b), val_type_name(a));
		break;
	case OP_MUL:
		if ((a.type == V_STR || a.type == V_LIST) && (b.type == V_INT || b.type == V_BOOL))
			return seq_repeat(vm, a, as_i(b));
		if ((b.type == V_STR || b.type == V_LIST) && (a.type == V_INT || a.type == V_BOOL))
			return seq_repeat(vm, b, as_i(a));
		if (a.type == V_STR || a.type == V_LIST)
			jj_raise(vm, "can't multiply sequence by non-int of type '%s'", val_type_name(b));
		if (b.type == V_STR || b.type == V_LIST)
			jj_raise(vm, "can't multiply sequence by non-int of type '%s'", val_type_name(a));
		break;
	case OP_MOD:
		if (a.type == V_STR)
			return jj_percent_format(vm, a, b);
		break;
	}
	/* objects may define arithmetic (dates and time deltas do), as Python's __add__/__radd__ */
	for (int side = 0; side < 2; side++) {
		value o = side ? b : a;
		if (o.type == V_OBJ && o.o->cls->binop) {
			value r = o.o->cls->binop(vm, op, a, b);
			if (r.type != V_UNDEF)
				return r;
		}
	}
	unsupported(vm, op, a, b);
}

int jj_compare(struct jj_vm *vm, value a, value b, const char *op)
{
	if (a.type == V_UNDEF)
		jj_raise_undefined(vm, a);
	if (b.type == V_UNDEF)
		jj_raise_undefined(vm, b);
	int c;
	if (val_cmp(a, b, &c) < 0)
		jj_raise(vm, "'%s' not supported between instances of '%s' and '%s'", op, val_type_name(a),
			 val_type_name(b));
	return c;
}

bool jj_contains(struct jj_vm *vm, value c, value x)
{
	switch (c.type) {
	case V_STR:
		if (x.type != V_STR)
			jj_raise(vm, "'in <string>' requires string as left operand, not %s", val_type_name(x));
		if (x.len == 0)
			return true;
		if (x.len > c.len)
			return false;
		for (size_t i = 0; i + x.len <= c.len; i++)
			if (c.s[i] == x.s[0] && memcmp(c.s + i, x.s, x.len) == 0)
				return true;
		return false;
	case V_LIST:
		for (uint32_t i = 0; i < c.l->len; i++)
			if (val_eq(c.l->items[i], x))
				return true;
		return false;
	case V_DICT:
		return val_dict_find(c, x) >= 0;
	case V_UNDEF:
		return false; /* Undefined iterates as empty */
	case V_OBJ: {
		if (c.o->cls->mapping && x.type == V_STR && c.o->cls->getattr)
			return c.o->cls->getattr(vm, c.o, x.s, x.len).type != V_UNDEF;
		value items = jj_iter_list(vm, c);
		for (uint32_t i = 0; i < items.l->len; i++)
			if (val_eq(items.l->items[i], x))
				return true;
		return false;
	}
	default:
		jj_raise(vm, "argument of type '%s' is not iterable", val_type_name(c));
	}
}

/* ---------------------------------------------------------------- iteration */

void jj_iter(struct jj_vm *vm, value v, value **pitems, size_t *pn)
{
	switch (v.type) {
	case V_LIST: {
		size_t n = v.l->len;
		jj_need2(vm, n ? n : 1, sizeof(value));
		value *items = arena_alloc(vm->a, (n ? n : 1) * sizeof(value));
		if (n)
			memcpy(items, v.l->items, n * sizeof(value));
		*pitems = items;
		*pn = n;
		return;
	}
	case V_DICT: {
		size_t n = v.d->len;
		jj_need2(vm, n ? n : 1, sizeof(value));
		value *items = arena_alloc(vm->a, (n ? n : 1) * sizeof(value));
		for (size_t i = 0; i < n; i++)
			items[i] = v.d->e[i].key;
		*pitems = items;
		*pn = n;
		return;
	}
	case V_STR: {
		/* a character a value: a 100 MB string is 1.6 GB of items, so ask before making them */
		size_t n = jj_utf8_len(v.s, v.len);
		jj_need2(vm, n ? n : 1, sizeof(value));
		value *items = arena_alloc(vm->a, (n ? n : 1) * sizeof(value));
		const unsigned char *p = (const unsigned char *)v.s;
		size_t off = 0;
		for (size_t i = 0; i < n; i++) {
			unsigned cp;
			size_t l = jj_utf8_dec(p + off, v.len - off, &cp);
			items[i] = val_strn(v.s + off, l);
			off += l;
		}
		*pitems = items;
		*pn = n;
		return;
	}
	case V_UNDEF:
		*pitems = NULL;
		*pn = 0;
		return;
	case V_OBJ:
		if (v.o->cls->iter) {
			value l = v.o->cls->iter(vm, v.o);
			if (l.type == V_LIST) {
				*pitems = l.l->items;
				*pn = l.l->len;
				return;
			}
		}
		break;
	default:
		break;
	}
	jj_raise(vm, "'%s' object is not iterable", val_type_name(v));
}

value jj_iter_list(struct jj_vm *vm, value v)
{
	value *items;
	size_t n;
	jj_iter(vm, v, &items, &n);
	value l = val_list_new(vm->a, 0);
	l.l->items = items;
	l.l->len = l.l->cap = (uint32_t)n;
	return l;
}

/* ---------------------------------------------------------------- attributes and items */

value jj_getattr(struct jj_vm *vm, value obj, const char *name, size_t n)
{
	switch (obj.type) {
	case V_UNDEF:
		jj_raise_undefined(vm, obj);
	case V_DICT: {
		int id = jj_method_id(name, n);
		if (id >= 0) {
			value m = jj_bound_method(vm, obj, id);
			if (m.type != V_UNDEF)
				return m;
		}
		value v = val_dict_getn(obj, name, n);
		if (v.type != V_UNDEF || val_dict_find(obj, val_strn(name, n)) >= 0)
			return v;
		return jj_undef_attr(vm, obj, name, n);
	}
	case V_OBJ:
		if (obj.o->cls->getattr) {
			value v = obj.o->cls->getattr(vm, obj.o, name, n);
			if (v.type != V_UNDEF || (v.flags & VF_UNDEF_MSG))
				return v;
		}
		return jj_undef_attr(vm, obj, name, n);
	case V_STR:
	case V_LIST: {
		if (obj.type == V_LIST && (obj.flags & VF_GROUP)) {
			if (n == 7 && memcmp(name, "grouper", 7) == 0)
				return obj.l->items[0];
			if (n == 4 && memcmp(name, "list", 4) == 0)
				return obj.l->items[1];
		}
		int id = jj_method_id(name, n);
		if (id >= 0) {
			value m = jj_bound_method(vm, obj, id);
			if (m.type != V_UNDEF)
				return m;
		}
		return jj_undef_attr(vm, obj, name, n);
	}
	case V_INT:
	case V_FLOAT:
	case V_BOOL:
		if (n == 4 && memcmp(name, "real", 4) == 0)
			return obj.type == V_BOOL ? val_int(obj.b) : obj;
		if (n == 4 && memcmp(name, "imag", 4) == 0)
			return obj.type == V_FLOAT ? val_float(0) : val_int(0);
		return jj_undef_attr(vm, obj, name, n);
	default:
		return jj_undef_attr(vm, obj, name, n);
	}
}

/* Python's slice.indices(): clamps start/stop for a sequence of length len */
static void slice_indices(struct jj_vm *vm, value vstart, value vstop, value vstep, int64_t len,
			  int64_t *pstart, int64_t *pstop, int64_t *pstep)
{
	int64_t step = 1;
	if (vstep.type != V_NONE && vstep.type != V_UNDEF) {
		step = jj_want_int(vm, vstep, NULL);
		if (step == 0)
			jj_raise(vm, "slice step cannot be zero");
	}
	int64_t lo = step < 0 ? -1 : 0, hi = step < 0 ? len - 1 : len;
	int64_t start, stop;
	if (vstart.type == V_NONE || vstart.type == V_UNDEF) {
		start = step < 0 ? hi : lo;
	} else {
		start = jj_want_int(vm, vstart, NULL);
		if (start < 0) {
			start += len;
			if (start < lo)
				start = lo;
		} else if (start > hi) {
			start = hi;
		}
	}
	if (vstop.type == V_NONE || vstop.type == V_UNDEF) {
		stop = step < 0 ? lo : hi;
	} else {
		stop = jj_want_int(vm, vstop, NULL);
		if (stop < 0) {
			stop += len;
			if (stop < lo)
				stop = lo;
		} else if (stop > hi) {
			stop = hi;
		}
	}
	*pstart = start;
	*pstop = stop;
	*pstep = step;
}

value jj_slice(struct jj_vm *vm, value obj, value start, value stop, value step)
{
	if (obj.type == V_UNDEF)
		jj_raise_undefined(vm, obj);
	int64_t b, e, st;
	if (obj.type == V_LIST) {
		slice_indices(vm, start, stop, step, obj.l->len, &b, &e, &st);
		value r = obj.flags & VF_TUPLE ? val_tuple_new(vm->a, 0) : val_list_new(vm->a, 0);
		for (int64_t i = b; st > 0 ? i < e : i > e; i += st)
			val_list_push(r, obj.l->items[i]);
		return r;
	}
	if (obj.type == V_STR) {
		bool ascii = jj_is_ascii(obj.s, obj.len);
		int64_t len = ascii ? (int64_t)obj.len : (int64_t)jj_utf8_len(obj.s, obj.len);
		slice_indices(vm, start, stop, step, len, &b, &e, &st);
		if (st == 1) {
			if (e <= b)
				return val_strn("", 0);
			if (ascii) {
				value r = val_strn(obj.s + b, (size_t)(e - b));
				r.flags = obj.flags & VF_SAFE;
				return r;
			}
			size_t ob = jj_utf8_off(obj.s, obj.len, (size_t)b);
			size_t oe = jj_utf8_off(obj.s, obj.len, (size_t)e);
			value r = val_strn(obj.s + ob, oe - ob);
			r.flags = obj.flags & VF_SAFE;
			return r;
		}
		size_t *offs = NULL;
		if (!ascii) {
			offs = arena_alloc(vm->a, ((size_t)len + 1) * sizeof(size_t));
			size_t o = 0;
			for (int64_t i = 0; i < len; i++) {
				unsigned cp;
				offs[i] = o;
				o += jj_utf8_dec((const unsigned char *)obj.s + o, obj.len - o, &cp);
			}
			offs[len] = obj.len;
		}
		size_t m = jj_mark(vm);
		for (int64_t i = b; st > 0 ? i < e : i > e; i += st) {
			if (ascii)
				sb_addc(vm->out, obj.s[i]);
			else
				sb_add(vm->out, obj.s + offs[i], offs[i + 1] - offs[i]);
		}
		value r = jj_take(vm, m);
		r.flags = obj.flags & VF_SAFE;
		return r;
	}
	jj_raise(vm, "'%s' object is not subscriptable", val_type_name(obj));
}

value jj_getitem(struct jj_vm *vm, value obj, value key)
{
	switch (obj.type) {
	case V_UNDEF:
		jj_raise_undefined(vm, obj);
	case V_DICT: {
		long i = val_dict_find(obj, key);
		if (i >= 0)
			return obj.d->e[i].val;
		if (key.type == V_STR) {
			int id = jj_method_id(key.s, key.len);
			if (id >= 0) {
				value m = jj_bound_method(vm, obj, id);
				if (m.type != V_UNDEF)
					return m;
			}
		}
		return jj_undef_item(vm, obj, key);
	}
	case V_LIST:
		if (key.type == V_INT || key.type == V_BOOL) {
			int64_t i = as_i(key);
			if (i < 0)
				i += obj.l->len;
			if (i >= 0 && i < (int64_t)obj.l->len)
				return obj.l->items[i];
			return jj_undef_item(vm, obj, key);
		}
		if (key.type == V_STR)
			return jj_getattr(vm, obj, key.s, key.len); /* methods, and groupby's .grouper/.list */
		return jj_undef_item(vm, obj, key);
	case V_STR:
		if (key.type == V_INT || key.type == V_BOOL) {
			int64_t i = as_i(key);
			bool ascii = jj_is_ascii(obj.s, obj.len);
			int64_t len = ascii ? (int64_t)obj.len : (int64_t)jj_utf8_len(obj.s, obj.len);
			if (i < 0)
				i += len;
			if (i < 0 || i >= len)
				return jj_undef_item(vm, obj, key);
			if (ascii)
				return val_strn(obj.s + i, 1);
			size_t o = jj_utf8_off(obj.s, obj.len, (size_t)i);
			unsigned cp;
			size_t l = jj_utf8_dec((const unsigned char *)obj.s + o, obj.len - o, &cp);
			return val_strn(obj.s + o, l);
		}
		if (key.type == V_STR) {
			int id = jj_method_id(key.s, key.len);
			if (id >= 0)
				return jj_bound_method(vm, obj, id);
		}
		return jj_undef_item(vm, obj, key);
	case V_OBJ:
		if (key.type == V_STR)
			return jj_getattr(vm, obj, key.s, key.len);
		if (key.type == V_INT && obj.o->cls->iter) {
			/* sequence-like objects (agate rows and columns) index as their items */
			value l = obj.o->cls->iter(vm, obj.o);
			if (l.type == V_LIST) {
				int64_t i = key.i < 0 ? key.i + (int64_t)l.l->len : key.i;
				if (i >= 0 && i < (int64_t)l.l->len)
					return l.l->items[i];
				jj_raise(vm, "%s index out of range", val_type_name(obj));
			}
		}
		return jj_undef_item(vm, obj, key);
	default:
		return jj_undef_item(vm, obj, key);
	}
}

/* ---------------------------------------------------------------- calls */

value jj_call_value(struct jj_vm *vm, value fn, const struct vargs *args)
{
	switch (fn.type) {
	case V_FUNC:
		return fn.fn->fn(vm, fn.fn->ud, args);
	case V_OBJ:
		if (fn.o->cls->call)
			return fn.o->cls->call(vm, fn.o, args);
		break;
	case V_UNDEF:
		jj_raise_undefined(vm, fn);
	default:
		break;
	}
	jj_raise(vm, "'%s' object is not callable", val_type_name(fn));
}

value jj_call(struct jj_vm *vm, value fn, const struct vargs *args)
{
	return jj_call_value(vm, fn, args);
}

#define ARGS_INLINE 8

/* Arguments being evaluated for one call: small calls live on the C stack */
struct argbuf {
	value pos_s[ARGS_INLINE];
	value kw_s[ARGS_INLINE];
	const char *kwn_s[ARGS_INLINE];
	value *pos;
	value *kw;
	const char **kwn;
	size_t npos, capp, nkw, capk;
};

static void ab_init(struct argbuf *b)
{
	b->pos = b->pos_s;
	b->kw = b->kw_s;
	b->kwn = b->kwn_s;
	b->npos = b->nkw = 0;
	b->capp = b->capk = ARGS_INLINE;
}

static void ab_pos(struct jj_vm *vm, struct argbuf *b, value v)
{
	if (b->npos == b->capp) {
		value *np = arena_alloc(vm->a, b->capp * 2 * sizeof(value));
		memcpy(np, b->pos, b->npos * sizeof(value));
		b->pos = np;
		b->capp *= 2;
	}
	b->pos[b->npos++] = v;
}

static void ab_kw(struct jj_vm *vm, struct argbuf *b, const char *name, value v)
{
	for (size_t i = 0; i < b->nkw; i++)
		if (strcmp(b->kwn[i], name) == 0)
			jj_raise(vm, "got multiple values for keyword argument '%s'", name);
	if (b->nkw == b->capk) {
		value *nk = arena_alloc(vm->a, b->capk * 2 * sizeof(value));
		const char **nn = arena_alloc(vm->a, b->capk * 2 * sizeof(char *));
		memcpy(nk, b->kw, b->nkw * sizeof(value));
		memcpy(nn, b->kwn, b->nkw * sizeof(char *));
		b->kw = nk;
		b->kwn = nn;
		b->capk *= 2;
	}
	b->kwn[b->nkw] = name;
	b->kw[b->nkw++] = v;
}

static void eval_args(struct jj_vm *vm, struct jj_frame *f, const struct jj_callargs *ca,
		      struct argbuf *b, struct vargs *out)
{
	for (uint32_t i = 0; i < ca->npos; i++)
		ab_pos(vm, b, jj_eval(vm, f, ca->pos[i]));
	if (ca->star) {
		value s = jj_eval(vm, f, ca->star);
		value *items;
		size_t n;
		jj_iter(vm, s, &items, &n);
		for (size_t i = 0; i < n; i++)
			ab_pos(vm, b, items[i]);
	}
	for (uint32_t i = 0; i < ca->nkw; i++)
		ab_kw(vm, b, ca->kwnames[i], jj_eval(vm, f, ca->kw[i]));
	if (ca->dstar) {
		value d = jj_eval(vm, f, ca->dstar);
		if (d.type != V_DICT)
			jj_raise_at(vm, ca->dstar->loc, "argument after ** must be a mapping, not %s",
				    val_type_name(d));
		for (uint32_t i = 0; i < d.d->len; i++) {
			value k = d.d->e[i].key;
			if (k.type != V_STR)
				jj_raise_at(vm, ca->dstar->loc, "keywords must be strings");
			ab_kw(vm, b, val_cstr(vm->a, k), d.d->e[i].val);
		}
	}
	out->pos = b->pos;
	out->npos = b->npos;
	out->kw = b->kw;
	out->kwnames = b->kwn;
	out->nkw = b->nkw;
}

value jj_eval_call(struct jj_vm *vm, struct jj_frame *f, const struct jj_node *n, const char *extra_kw,
		   value extra_val)
{
	const struct jj_node *fnode = n->call.fn;
	struct argbuf b;
	struct vargs args;
	ab_init(&b);
	if (fnode->kind == N_GETATTR && fnode->getattr.meth >= 0) {
		value obj = jj_eval(vm, f, fnode->getattr.obj);
		if (obj.type == V_STR || obj.type == V_LIST || obj.type == V_DICT) {
			eval_args(vm, f, &n->call.args, &b, &args);
			if (extra_kw)
				ab_kw(vm, &b, extra_kw, extra_val), args.kw = b.kw, args.kwnames = b.kwn,
					args.nkw = b.nkw;
			vm->loc = n->loc;
			value res;
			if (jj_call_method(vm, obj, fnode->getattr.meth, &args, &res))
				return res;
			vm->loc = fnode->loc;
			value fn = jj_getattr(vm, obj, fnode->getattr.attr.s, fnode->getattr.attr.len);
			vm->loc = n->loc;
			vm->frame = f;
			return jj_call_value(vm, fn, &args);
		}
		vm->loc = fnode->loc;
		value fn = jj_getattr(vm, obj, fnode->getattr.attr.s, fnode->getattr.attr.len);
		eval_args(vm, f, &n->call.args, &b, &args);
		if (extra_kw)
			ab_kw(vm, &b, extra_kw, extra_val), args.kw = b.kw, args.kwnames = b.kwn, args.nkw = b.nkw;
		vm->loc = n->loc;
		vm->frame = f;
		return jj_call_value(vm, fn, &args);
	}
	value fn = jj_eval(vm, f, fnode);
	eval_args(vm, f, &n->call.args, &b, &args);
	if (extra_kw) {
		ab_kw(vm, &b, extra_kw, extra_val);
		args.kw = b.kw;
		args.kwnames = b.kwn;
		args.nkw = b.nkw;
	}
	vm->loc = n->loc;
	vm->frame = f;
	return jj_call_value(vm, fn, &args);
}

/* filter / test: subject first, then the arguments */
value jj_eval_filter(struct jj_vm *vm, struct jj_frame *f, const struct jj_node *n, value subject)
{
	const struct jj_fn *fn = n->filter.fn;
	if (!fn) {
		fn = n->kind == N_FILTER ? jj_env_find_filter(vm->env, n->filter.name.s, n->filter.name.len) :
					   jj_env_find_test(vm->env, n->filter.name.s, n->filter.name.len);
		if (!fn)
			jj_raise_at(vm, n->loc, "No %s named '%s' found.", n->kind == N_FILTER ? "filter" : "test",
				    n->filter.name.s);
	}
	struct argbuf b;
	struct vargs args;
	ab_init(&b);
	ab_pos(vm, &b, subject);
	eval_args(vm, f, &n->filter.args, &b, &args);
	vm->loc = n->loc;
	vm->frame = f;
	return fn->fn(vm, fn->ud, &args);
}

static value eval_test(struct jj_vm *vm, struct jj_frame *f, const struct jj_node *n)
{
	value subj = jj_eval(vm, f, n->filter.subj);
	if (n->filter.builtin >= 0 && n->filter.args.npos == 0 && n->filter.args.nkw == 0) {
		bool handled;
		vm->loc = n->loc;
		bool r = jj_builtin_test(vm, n->filter.builtin, subj, &handled);
		if (handled)
			return val_bool(r);
	}
	return val_bool(val_truthy(jj_eval_filter(vm, f, n, subj)));
}

/* ---------------------------------------------------------------- expressions */

static value eval_compare(struct jj_vm *vm, struct jj_frame *f, const struct jj_node *n)
{
	static const char *const sym[] = {"==", "!=", "<", "<=", ">", ">="};
	value a = jj_eval(vm, f, n->cmp.first);
	for (uint32_t i = 0; i < n->cmp.n; i++) {
		value b = jj_eval(vm, f, n->cmp.rest[i]);
		bool r;
		vm->loc = n->loc;
		switch (n->cmp.ops[i]) {
		case CMP_EQ: r = val_eq(a, b); break;
		case CMP_NE: r = !val_eq(a, b); break;
		case CMP_IN: r = jj_contains(vm, b, a); break;
		case CMP_NOTIN: r = !jj_contains(vm, b, a); break;
		default: {
			int c = jj_compare(vm, a, b, sym[n->cmp.ops[i]]);
			switch (n->cmp.ops[i]) {
			case CMP_LT: r = c < 0; break;
			case CMP_LE: r = c <= 0; break;
			case CMP_GT: r = c > 0; break;
			default: r = c >= 0; break;
			}
		}
		}
		if (!r)
			return val_bool(false);
		a = b;
	}
	return val_bool(true);
}

value jj_eval(struct jj_vm *vm, struct jj_frame *f, const struct jj_node *n)
{
	switch (n->kind) {
	case N_CONST:
		return n->cval;
	case N_NAME:
		return jj_frame_lookup(vm, f, &n->name);
	case N_LIST:
	case N_TUPLE: {
		value l = n->kind == N_TUPLE ? val_tuple_new(vm->a, n->items.n) : val_list_new(vm->a, n->items.n);
		for (uint32_t i = 0; i < n->items.n; i++)
			val_list_push(l, jj_eval(vm, f, n->items.v[i]));
		return l;
	}
	case N_DICT: {
		value d = val_dict_new(vm->a, n->dict.keys.n);
		for (uint32_t i = 0; i < n->dict.keys.n; i++) {
			value k = jj_eval(vm, f, n->dict.keys.v[i]);
			if (k.type == V_LIST && !(k.flags & VF_TUPLE))
				jj_raise_at(vm, n->dict.keys.v[i]->loc, "unhashable type: 'list'");
			if (k.type == V_DICT)
				jj_raise_at(vm, n->dict.keys.v[i]->loc, "unhashable type: 'dict'");
			val_dict_set(d, k, jj_eval(vm, f, n->dict.vals.v[i]));
		}
		return d;
	}
	case N_GETATTR: {
		value obj = jj_eval(vm, f, n->getattr.obj);
		vm->loc = n->loc;
		if (obj.type == V_DICT && n->getattr.meth < 0) {
			value v = val_dict_getnh(obj, n->getattr.attr.s, n->getattr.attr.len, n->getattr.attr.hash);
			if (v.type != V_UNDEF)
				return v;
		}
		return jj_getattr(vm, obj, n->getattr.attr.s, n->getattr.attr.len);
	}
	case N_GETITEM: {
		value obj = jj_eval(vm, f, n->getitem.obj);
		const struct jj_node *k = n->getitem.key;
		if (k->kind == N_SLICE) {
			value s = k->slice.start ? jj_eval(vm, f, k->slice.start) : val_none();
			value e = k->slice.stop ? jj_eval(vm, f, k->slice.stop) : val_none();
			value st = k->slice.step ? jj_eval(vm, f, k->slice.step) : val_none();
			vm->loc = n->loc;
			return jj_slice(vm, obj, s, e, st);
		}
		value key = jj_eval(vm, f, k);
		vm->loc = n->loc;
		return jj_getitem(vm, obj, key);
	}
	case N_SLICE:
		jj_raise_at(vm, n->loc, "slice outside of a subscript");
	case N_CALL:
		return jj_eval_call(vm, f, n, NULL, val_undef());
	case N_FILTER:
		return jj_eval_filter(vm, f, n, jj_eval(vm, f, n->filter.subj));
	case N_TEST:
		return eval_test(vm, f, n);
	case N_BINOP: {
		value a = jj_eval(vm, f, n->bin.l);
		value b = jj_eval(vm, f, n->bin.r);
		vm->loc = n->loc;
		return jj_binop(vm, n->op, a, b);
	}
	case N_NEG:
	case N_POS: {
		value a = jj_eval(vm, f, n->bin.l);
		vm->loc = n->loc;
		switch (a.type) {
		case V_INT:
			if (n->kind == N_POS)
				return a;
			if (a.i == INT64_MIN)
				return jj_bigint_neg(vm, a);
			return val_int(-a.i);
		case V_BOOL:
			return val_int(n->kind == N_NEG ? -(int64_t)a.b : (int64_t)a.b);
		case V_FLOAT:
			return n->kind == N_NEG ? val_float(-a.f) : a;
		case V_UNDEF:
			jj_raise_undefined(vm, a);
		default:
			if (jj_is_bigint(a))
				return n->kind == N_NEG ? jj_bigint_neg(vm, a) : a;
			jj_raise(vm, "bad operand type for unary %c: '%s'", n->kind == N_NEG ? '-' : '+',
				 val_type_name(a));
		}
	}
	case N_NOT:
		return val_bool(!val_truthy(jj_eval(vm, f, n->bin.l)));
	case N_AND: {
		value a = jj_eval(vm, f, n->bin.l);
		return val_truthy(a) ? jj_eval(vm, f, n->bin.r) : a;
	}
	case N_OR: {
		value a = jj_eval(vm, f, n->bin.l);
		return val_truthy(a) ? a : jj_eval(vm, f, n->bin.r);
	}
	case N_COMPARE:
		return eval_compare(vm, f, n);
	case N_CONCAT: {
		size_t m = jj_mark(vm);
		value first = val_undef();
		for (uint32_t i = 0; i < n->items.n; i++) {
			value v = jj_eval(vm, f, n->items.v[i]);
			/* x ~ y ~ z with a long plain string x: the rest is appended to it (grow_concat) */
			if (i == 0 && v.type == V_STR && !(v.flags & VF_SAFE) && v.len >= GROW_MIN) {
				first = v;
				continue;
			}
			jj_emit(vm, v, false);
		}
		if (first.type == V_STR) {
			size_t len = vm->out->len - m;
			value r = grow_concat(vm, first, vm->out->buf + m, len);
			vm->out->len = m;
			vm->out->buf[m] = '\0';
			return r;
		}
		return jj_take(vm, m);
	}
	case N_CONDEXPR:
		if (val_truthy(jj_eval(vm, f, n->cexpr.cond)))
			return jj_eval(vm, f, n->cexpr.then);
		if (n->cexpr.orelse)
			return jj_eval(vm, f, n->cexpr.orelse);
		return jj_undef_msg(vm, "the inline if-expression evaluated to false and no else section was "
					"defined.");
	default:
		jj_raise_at(vm, n->loc, "cannot evaluate this expression");
	}
}

/* ---------------------------------------------------------------- namespace */

static value ns_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	value d = *(value *)o->data;
	return val_dict_getn(d, name, n);
}

static int ns_setattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n, value v)
{
	value d = *(value *)o->data;
	val_dict_set(d, jj_strdup(vm, name, n), v);
	return 0;
}

static void ns_str(struct vobj *o, struct sb *out)
{
	sb_adds(out, "<Namespace ");
	val_repr_to(out, *(value *)o->data);
	sb_addc(out, '>');
}

const struct vobj_class jj_namespace_class = {
	.name = "Namespace",
	.getattr = ns_getattr,
	.setattr = ns_setattr,
	.str = ns_str,
};

value jj_make_namespace(struct jj_vm *vm, const struct vargs *args)
{
	value *d = arena_alloc(vm->a, sizeof(value));
	*d = val_dict_new(vm->a, 4);
	for (size_t i = 0; i < args->npos; i++) {
		value a = args->pos[i];
		if (a.type == V_DICT) {
			for (uint32_t k = 0; k < a.d->len; k++)
				val_dict_set(*d, a.d->e[k].key, a.d->e[k].val);
		} else if (a.type == V_LIST) {
			for (uint32_t k = 0; k < a.l->len; k++) {
				value p = a.l->items[k];
				if (p.type != V_LIST || p.l->len != 2)
					jj_raise(vm, "cannot convert dictionary update sequence element #%u to a "
						     "sequence", k);
				val_dict_set(*d, p.l->items[0], p.l->items[1]);
			}
		} else {
			jj_raise(vm, "'%s' object is not iterable", val_type_name(a));
		}
	}
	for (size_t i = 0; i < args->nkw; i++)
		val_dict_set(*d, val_str(args->kwnames[i]), args->kw[i]);
	return val_obj(vm->a, &jj_namespace_class, d);
}
