/*
 * Statement execution and the render entry point: output, if/for/set/with/do, macros and call blocks,
 * filter blocks, include/import/from, extends/block/super()/self, and dbt's macro semantics
 * (jj_template_macros, return()).
 *
 * Inheritance works like Jinja2's: every template rendered in one context registers its blocks in
 * that context, most derived first. `{% extends %}` records the parent and appends the parent's
 * blocks; when the child's top level has run, whatever it printed after the extends is dropped and
 * the parent's top level runs in the same context, where each `{% block %}` renders the most derived
 * definition.
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/sb.h"
#include "jinja/internal.h"

#define MAX_DEPTH 400

enum { EX_NORMAL, EX_BREAK, EX_CONTINUE };

static int exec_body(struct jj_vm *vm, struct jj_frame *f, const struct jj_nodelist *body);
static void render_in_ctx(struct jj_vm *vm, struct jj_ctx *ctx, struct jj_frame *parent);

/* captured output: Markup when autoescaping, as Jinja2 returns it */
static value take_markup(struct jj_vm *vm, size_t mark)
{
	value s = jj_take(vm, mark);
	if (vm->autoescape)
		s.flags |= VF_SAFE;
	return s;
}

/* ---------------------------------------------------------------- assignment */

static void assign(struct jj_vm *vm, struct jj_frame *f, const struct jj_node *t, value v)
{
	switch (t->kind) {
	case N_NAME:
		jj_frame_set(vm, f, &t->name, v);
		return;
	case N_TUPLE: {
		value *items;
		size_t n;
		vm->loc = t->loc;
		if (v.type == V_UNDEF)
			jj_raise_undefined(vm, v);
		if (v.type != V_LIST && v.type != V_DICT && v.type != V_STR && !(v.type == V_OBJ && v.o->cls->iter))
			jj_raise(vm, "cannot unpack non-iterable %s object", val_type_name(v));
		jj_iter(vm, v, &items, &n);
		if (n < t->items.n)
			jj_raise(vm, "not enough values to unpack (expected %u, got %zu)", t->items.n, n);
		if (n > t->items.n)
			jj_raise(vm, "too many values to unpack (expected %u)", t->items.n);
		for (uint32_t i = 0; i < t->items.n; i++)
			assign(vm, f, t->items.v[i], items[i]);
		return;
	}
	case N_NSREF: {
		value ns = jj_frame_lookup(vm, f, &t->getattr.obj->name);
		vm->loc = t->loc;
		if (ns.type != V_OBJ || ns.o->cls != &jj_namespace_class)
			jj_raise(vm, "cannot assign attribute on non-namespace object");
		ns.o->cls->setattr(vm, ns.o, t->getattr.attr.s, t->getattr.attr.len, v);
		return;
	}
	default:
		jj_raise_at(vm, t->loc, "cannot assign to this target");
	}
}

/* ---------------------------------------------------------------- macros */

struct jj_macro {
	const struct jj_macrodef *def;
	struct jj_frame *closure;  /* NULL: dbt macro, resolves names in the calling render */
	value module;              /* dbt: the macros of the same file */
	const char *package;
	struct loc loc;
};

/* Whether a macro is running: calls from the template itself are the ones dbt records */
static bool inside_macro(const struct jj_vm *vm)
{
	for (const struct jj_callrec *r = vm->calls; r; r = r->prev)
		if (r->kind == REC_MACRO)
			return true;
	return false;
}

static value macro_invoke(struct jj_vm *vm, struct vobj *o, const struct vargs *args)
{
	const struct jj_macro *m = o->data;
	const struct jj_macrodef *d = m->def;
	const char *name = d->name.s;
	struct loc site = vm->loc;
	if (vm->depth >= MAX_DEPTH)
		jj_raise(vm, "maximum recursion depth exceeded in macro '%s'", name);
	if (m->package && vm->env->macro_hook)
		vm->env->macro_hook(vm->user, m->package, name, !inside_macro(vm));
	struct jj_frame *f;
	if (m->closure) {
		f = jj_frame_new(vm, m->closure, NULL);
	} else {
		struct jj_ctx *ctx = ARENA_NEW(vm->a, struct jj_ctx);
		ctx->tmpl = d->tmpl;
		ctx->vars = vm->root ? vm->root->vars : val_undef();
		ctx->module = m->module;
		f = jj_frame_new(vm, NULL, ctx);
		ctx->root = f;
	}
	/* bind arguments the way jinja2.runtime.Macro does */
	uint32_t np = d->nparams;
	bool *given = np ? arena_zalloc(vm->a, np * sizeof(bool)) : NULL;
	size_t npos = args->npos < np ? args->npos : np;
	for (size_t i = 0; i < npos; i++) {
		jj_frame_set(vm, f, &d->params[i], args->pos[i]);
		given[i] = true;
	}
	value kwargs = (d->flags & MF_KWARGS) ? val_dict_new(vm->a, args->nkw) : val_undef();
	value caller = val_undef();
	bool have_caller = false;
	for (size_t k = 0; k < args->nkw; k++) {
		const char *kn = args->kwnames[k];
		bool bound = false;
		if (npos < np) {
			for (uint32_t i = (uint32_t)npos; i < np; i++) {
				if (strcmp(d->params[i].s, kn) == 0) {
					jj_frame_set(vm, f, &d->params[i], args->kw[k]);
					given[i] = true;
					bound = true;
					break;
				}
			}
		}
		if (bound)
			continue;
		if ((d->flags & MF_CALLER) && strcmp(kn, "caller") == 0) {
			caller = args->kw[k];
			have_caller = true;
			continue;
		}
		if (d->flags & MF_KWARGS) {
			val_dict_set(kwargs, val_str(kn), args->kw[k]);
			continue;
		}
		if (strcmp(kn, "caller") == 0)
			jj_raise(vm, "macro '%s' was invoked with two values for the special caller argument. "
				     "This is most likely a bug.", name);
		jj_raise(vm, "macro '%s' takes no keyword argument '%s'", name, kn);
	}
	if (!(d->flags & MF_VARARGS) && args->npos > np)
		jj_raise(vm, "macro '%s' takes not more than %u argument(s)", name, np);

	/* return() lands here, except in a call block's body, which it passes through as in dbt */
	jmp_buf jb;
	struct jj_callrec rec = {vm->calls, REC_MACRO, name, site, (d->flags & MF_CALLBLOCK) ? NULL : &jb, m->package};
	int depth = vm->depth;
	vm->calls = &rec;
	vm->depth++;
	if (d->flags & MF_CALLER) {
		if (!have_caller)
			caller = jj_undef_msg(vm, "No caller defined");
		jj_frame_sets(vm, f, "caller", caller);
	}
	if (d->flags & MF_KWARGS)
		jj_frame_sets(vm, f, "kwargs", kwargs);
	if (d->flags & MF_VARARGS) {
		value va = val_tuple_new(vm->a, args->npos > np ? args->npos - np : 0);
		for (size_t i = np; i < args->npos; i++)
			val_list_push(va, args->pos[i]);
		jj_frame_sets(vm, f, "varargs", va);
	}
	uint32_t first_default = np - d->ndefaults;
	for (uint32_t i = 0; i < np; i++) {
		if (given[i])
			continue;
		value v;
		if (i >= first_default)
			v = jj_eval(vm, f, d->defaults[i - first_default]);
		else
			v = jj_undef_msg(vm, "parameter '%s' was not provided", d->params[i].s);
		jj_frame_set(vm, f, &d->params[i], v);
	}
	size_t mark = jj_mark(vm);
	bool autoescape = vm->autoescape;
	value result;
	bool returned = false;
	if (rec.ret) {
		if (setjmp(jb) != 0)
			returned = true;
	}
	if (!returned) {
		exec_body(vm, f, &d->body);
		result = take_markup(vm, mark);
	} else {
		result = vm->retval;
		vm->out->len = mark;
		vm->out->buf[mark] = '\0';
		vm->autoescape = autoescape;
	}
	vm->calls = rec.prev;
	vm->depth = depth;
	return result;
}

static value macro_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	const struct jj_macro *m = o->data;
	const struct jj_macrodef *d = m->def;
	if (n == 4 && !memcmp(name, "name", 4))
		return val_strn(d->name.s, d->name.len);
	if (n == 9 && !memcmp(name, "arguments", 9)) {
		value t = val_tuple_new(vm->a, d->nparams);
		for (uint32_t i = 0; i < d->nparams; i++)
			val_list_push(t, val_strn(d->params[i].s, d->params[i].len));
		return t;
	}
	if (n == 12 && !memcmp(name, "catch_kwargs", 12))
		return val_bool(d->flags & MF_KWARGS);
	if (n == 13 && !memcmp(name, "catch_varargs", 13))
		return val_bool(d->flags & MF_VARARGS);
	if (n == 6 && !memcmp(name, "caller", 6))
		return val_bool(d->flags & MF_CALLER);
	if (n == 7 && !memcmp(name, "package", 7))
		return m->package ? val_str(m->package) : val_none();
	return val_undef();
}

static void macro_str(struct vobj *o, struct sb *out)
{
	const struct jj_macro *m = o->data;
	sb_addf(out, "<Macro '%s'>", m->def->name.s);
}

const struct vobj_class jj_macro_class = {
	.name = "Macro",
	.getattr = macro_getattr,
	.call = macro_invoke,
	.str = macro_str,
};

static value make_macro(struct arena *a, const struct jj_macrodef *d, struct jj_frame *closure,
			struct loc loc)
{
	struct jj_macro *m = ARENA_NEW(a, struct jj_macro);
	m->def = d;
	m->closure = closure;
	m->module = val_undef();
	m->loc = loc;
	return val_obj(a, &jj_macro_class, m);
}

bool jj_is_macro(value v)
{
	return v.type == V_OBJ && v.o->cls == &jj_macro_class;
}

const char *jj_macro_name(value v)
{
	return jj_is_macro(v) ? ((const struct jj_macro *)v.o->data)->def->name.s : NULL;
}

value jj_macro_call_stack(struct jj_vm *vm)
{
	size_t n = 0;
	for (const struct jj_callrec *r = vm->calls; r; r = r->prev)
		n += r->kind == REC_MACRO && r->package;
	value l = val_list_new(vm->a, n);
	for (size_t i = 0; i < n; i++)
		val_list_push(l, val_none());
	size_t i = n;
	for (const struct jj_callrec *r = vm->calls; r; r = r->prev)
		if (r->kind == REC_MACRO && r->package)
			l.l->items[--i] = val_str(arena_sprintf(vm->a, "macro.%s.%s", r->package, r->name));
	return l;
}

const char *jj_macro_package(value v)
{
	return jj_is_macro(v) ? ((const struct jj_macro *)v.o->data)->package : NULL;
}

const struct jj_macrodef *jj_macro_def(value v)
{
	return jj_is_macro(v) ? ((const struct jj_macro *)v.o->data)->def : NULL;
}

struct loc jj_macro_loc(value v)
{
	return jj_is_macro(v) ? ((const struct jj_macro *)v.o->data)->loc : LOC_NONE;
}

void jj_macro_return(struct jj_vm *vm, value v)
{
	struct jj_callrec *c = vm->calls;
	while (c && !c->ret)
		c = c->prev;
	if (!c)
		jj_raise(vm, "return() called outside of a macro");
	vm->retval = v;
	longjmp(*c->ret, 1);
}

value jj_template_macros(struct arena *a, struct jj_template *t, const char *package)
{
	value d = val_dict_new(a, t->ndefs);
	const char *pkg = package ? arena_strdup(a, package) : NULL;
	for (uint32_t i = 0; i < t->ndefs; i++) {
		const struct jj_node *n = t->defs[i];
		if (n->kind != S_MACRO)
			continue;
		value mv = make_macro(a, n->macro, NULL, n->loc);
		struct jj_macro *m = mv.o->data;
		m->module = d;
		m->package = pkg;
		val_dict_set(d, val_strn(n->macro->name.s, n->macro->name.len), mv);
	}
	return d;
}

/* dbt snapshot bodies: render in the calling render's context */
static value snapshot_call(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	const struct jj_node *n = ud;
	struct jj_ctx *ctx = ARENA_NEW(vm->a, struct jj_ctx);
	ctx->vars = vm->root ? vm->root->vars : val_undef();
	ctx->module = val_undef();
	struct jj_frame *f = jj_frame_new(vm, NULL, ctx);
	ctx->root = f;
	size_t m = jj_mark(vm);
	exec_body(vm, f, &n->block.body);
	return jj_take(vm, m);
}

value jj_template_blocks(struct arena *a, struct jj_template *t, const char *kind)
{
	value d = val_dict_new(a, 4);
	bool docs = strcmp(kind, "docs") == 0;
	for (uint32_t i = 0; i < t->ndefs; i++) {
		const struct jj_node *n = t->defs[i];
		if (n->kind != S_DOCS && n->kind != S_SNAPSHOT)
			continue;
		value key = val_strn(n->block.name.s, n->block.name.len);
		if (docs && n->kind == S_DOCS)
			val_dict_set(d, key, val_strn(n->block.raw, n->block.rawlen));
		else if (!docs && n->kind == S_SNAPSHOT && strcmp(kind, "snapshot") == 0)
			val_dict_set(d, key, val_func(a, n->block.name.s, snapshot_call, (void *)n));
		else if (n->kind == S_SNAPSHOT && strcmp(kind, "snapshot_code") == 0)
			val_dict_set(d, key, val_strn(n->block.raw, n->block.rawlen));
	}
	return d;
}

/* ---------------------------------------------------------------- loops */

struct jj_loop {
	value *items;
	size_t n, i;
	int depth;
	const struct jj_node *node;
	struct jj_frame *outer;
	value last_changed;
	bool changed_set;
};

static int run_for(struct jj_vm *vm, struct jj_frame *outer, const struct jj_node *n, value iterable,
		   int depth);

static value loop_cycle(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	const struct jj_loop *l = ud;
	if (args->npos == 0)
		jj_raise(vm, "no items for cycling given");
	return args->pos[l->i % args->npos];
}

static value loop_changed(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct jj_loop *l = ud;
	value t = val_tuple_new(vm->a, args->npos);
	for (size_t i = 0; i < args->npos; i++)
		val_list_push(t, args->pos[i]);
	if (!l->changed_set || !val_eq(l->last_changed, t)) {
		l->last_changed = t;
		l->changed_set = true;
		return val_bool(true);
	}
	return val_bool(false);
}

static value loop_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	struct jj_loop *l = o->data;
	int64_t i = (int64_t)l->i, len = (int64_t)l->n;
#define IS(s) (n == sizeof(s) - 1 && memcmp(name, s, n) == 0)
	if (IS("index"))
		return val_int(i + 1);
	if (IS("index0"))
		return val_int(i);
	if (IS("revindex"))
		return val_int(len - i);
	if (IS("revindex0"))
		return val_int(len - i - 1);
	if (IS("first"))
		return val_bool(i == 0);
	if (IS("last"))
		return val_bool(i == len - 1);
	if (IS("length"))
		return val_int(len);
	if (IS("depth"))
		return val_int(l->depth);
	if (IS("depth0"))
		return val_int(l->depth - 1);
	if (IS("previtem"))
		return i > 0 ? l->items[i - 1] : jj_undef_msg(vm, "there is no previous item");
	if (IS("nextitem"))
		return i + 1 < len ? l->items[i + 1] : jj_undef_msg(vm, "there is no next item");
	if (IS("cycle"))
		return val_func(vm->a, "cycle", loop_cycle, l);
	if (IS("changed"))
		return val_func(vm->a, "changed", loop_changed, l);
#undef IS
	return val_undef();
}

static value loop_call(struct jj_vm *vm, struct vobj *o, const struct vargs *args)
{
	struct jj_loop *l = o->data;
	if (!l->node->for_.recursive)
		jj_raise(vm, "The loop must have the 'recursive' marker to be called recursively.");
	if (args->npos != 1 || args->nkw)
		jj_raise(vm, "loop() takes exactly one argument");
	if (vm->depth >= MAX_DEPTH)
		jj_raise(vm, "maximum recursion depth exceeded in recursive loop");
	size_t m = jj_mark(vm);
	vm->depth++;
	run_for(vm, l->outer, l->node, args->pos[0], l->depth + 1);
	vm->depth--;
	return take_markup(vm, m);
}

static void loop_str(struct vobj *o, struct sb *out)
{
	const struct jj_loop *l = o->data;
	sb_addf(out, "<LoopContext %zu/%zu>", l->i + 1, l->n);
}

static const struct vobj_class loop_class = {
	.name = "LoopContext",
	.getattr = loop_getattr,
	.call = loop_call,
	.str = loop_str,
};

static int run_for(struct jj_vm *vm, struct jj_frame *outer, const struct jj_node *n, value iterable,
		   int depth)
{
	value *items;
	size_t count;
	vm->loc = n->for_.iter->loc;
	jj_iter(vm, iterable, &items, &count);
	struct jj_frame *lf = jj_frame_new(vm, outer, NULL);
	if (n->for_.cond) {
		size_t k = 0;
		for (size_t i = 0; i < count; i++) {
			lf->n = 0;
			assign(vm, lf, n->for_.target, items[i]);
			if (val_truthy(jj_eval(vm, lf, n->for_.cond)))
				items[k++] = items[i];
		}
		count = k;
	}
	struct jj_loop *l = ARENA_NEW(vm->a, struct jj_loop);
	l->items = items;
	l->n = count;
	l->depth = depth;
	l->node = n;
	l->outer = outer;
	value lv = val_obj(vm->a, &loop_class, l);
	static const char loopname[] = "loop";
	uint64_t lh = val_str_hash(loopname, 4);
	bool completed = false; /* like Jinja2: else runs unless an iteration reached the body's end */
	for (size_t i = 0; i < count; i++) {
		l->i = i;
		lf->n = 0;
		assign(vm, lf, n->for_.target, items[i]);
		jj_frame_setn(vm, lf, loopname, 4, lh, lv);
		int r = exec_body(vm, lf, &n->for_.body);
		if (r == EX_BREAK)
			break;
		if (r == EX_NORMAL)
			completed = true;
	}
	if (!completed && n->for_.orelse.n) {
		lf->n = 0;
		exec_body(vm, lf, &n->for_.orelse);
	}
	return EX_NORMAL;
}

/* ---------------------------------------------------------------- templates, blocks */

static struct jj_blockstack *find_block(struct jj_ctx *ctx, const char *name, size_t n)
{
	for (uint32_t i = 0; i < ctx->nblocks; i++)
		if (ctx->blocks[i].name->len == n && memcmp(ctx->blocks[i].name->s, name, n) == 0)
			return &ctx->blocks[i];
	return NULL;
}

static void register_blocks(struct jj_vm *vm, struct jj_ctx *ctx, const struct jj_template *t)
{
	for (uint32_t i = 0; i < t->nblocks; i++) {
		const struct jj_node *b = t->blocks[i];
		struct jj_blockstack *bs = find_block(ctx, b->block.name.s, b->block.name.len);
		if (!bs) {
			if (ctx->nblocks == ctx->capblocks) {
				uint32_t nc = ctx->capblocks ? ctx->capblocks * 2 : 8;
				ctx->blocks = arena_realloc(vm->a, ctx->blocks, ctx->capblocks * sizeof(*ctx->blocks),
							    nc * sizeof(*ctx->blocks));
				ctx->capblocks = nc;
			}
			bs = &ctx->blocks[ctx->nblocks++];
			memset(bs, 0, sizeof(*bs));
			bs->name = &b->block.name;
		}
		if (bs->n == bs->cap) {
			uint32_t nc = bs->cap ? bs->cap * 2 : 2;
			bs->v = arena_realloc(vm->a, bs->v, bs->cap * sizeof(*bs->v), nc * sizeof(*bs->v));
			bs->cap = nc;
		}
		bs->v[bs->n++] = b;
	}
}

struct blockref {
	struct jj_ctx *ctx;
	const char *name;
	size_t namelen;
	uint32_t idx;
	struct jj_frame *parent;
};

static void render_block(struct jj_vm *vm, struct jj_ctx *ctx, struct jj_blockstack *bs, uint32_t idx,
			 struct jj_frame *parent);

static value super_call(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct blockref *r = ud;
	struct jj_blockstack *bs = find_block(r->ctx, r->name, r->namelen);
	size_t m = jj_mark(vm);
	render_block(vm, r->ctx, bs, r->idx, r->parent);
	return take_markup(vm, m);
}

static void render_block(struct jj_vm *vm, struct jj_ctx *ctx, struct jj_blockstack *bs, uint32_t idx,
			 struct jj_frame *parent)
{
	const struct jj_node *b = bs->v[idx];
	struct jj_frame *bf = jj_frame_new(vm, parent, ctx);
	if (b->flags & BF_SUPER) {
		value sup;
		if (idx + 1 < bs->n) {
			struct blockref *r = ARENA_NEW(vm->a, struct blockref);
			r->ctx = ctx;
			r->name = bs->name->s;
			r->namelen = bs->name->len;
			r->idx = idx + 1;
			r->parent = parent;
			sup = val_func(vm->a, "super", super_call, r);
		} else {
			sup = jj_undef_msg(vm, "there is no parent block called '%s'.", bs->name->s);
		}
		jj_frame_sets(vm, bf, "super", sup);
	}
	if (vm->depth >= MAX_DEPTH)
		jj_raise_at(vm, b->loc, "maximum recursion depth exceeded in block '%s'", bs->name->s);
	vm->depth++;
	exec_body(vm, bf, &b->block.body);
	vm->depth--;
}

static value self_block_call(struct jj_vm *vm, void *ud, const struct vargs *args)
{
	struct blockref *r = ud;
	struct jj_blockstack *bs = find_block(r->ctx, r->name, r->namelen);
	size_t m = jj_mark(vm);
	render_block(vm, r->ctx, bs, 0, r->ctx->root);
	return take_markup(vm, m);
}

static value self_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	struct jj_ctx *ctx = o->data;
	if (!find_block(ctx, name, n))
		return val_undef();
	struct blockref *r = ARENA_NEW(vm->a, struct blockref);
	r->ctx = ctx;
	r->name = arena_strndup(vm->a, name, n);
	r->namelen = n;
	return val_func(vm->a, r->name, self_block_call, r);
}

static void self_str(struct vobj *o, struct sb *out)
{
	const struct jj_ctx *ctx = o->data;
	sb_adds(out, "<TemplateReference ");
	val_repr_str(out, ctx->tmpl->name, strlen(ctx->tmpl->name));
	sb_addc(out, '>');
}

static const struct vobj_class self_class = {
	.name = "TemplateReference",
	.getattr = self_getattr,
	.str = self_str,
};

value jj_self_ref(struct jj_vm *vm, struct jj_ctx *ctx)
{
	return val_obj(vm->a, &self_class, ctx);
}

/* loads a template by name through the env's loader; raises when missing */
static struct jj_template *load(struct jj_vm *vm, value name, bool ignore_missing, struct loc loc)
{
	jj_loader_fn fn = vm->env->loader;
	vm->loc = loc;
	if (name.type == V_UNDEF)
		jj_raise_undefined(vm, name);
	if (name.type == V_LIST) {
		for (uint32_t i = 0; i < name.l->len; i++) {
			struct jj_template *t = load(vm, name.l->items[i], true, loc);
			if (t)
				return t;
		}
		if (ignore_missing)
			return NULL;
		size_t m = jj_mark(vm);
		for (uint32_t i = 0; i < name.l->len; i++) {
			if (i)
				sb_adds(vm->out, ", ");
			val_str_to(vm->out, name.l->items[i]);
		}
		value all = jj_take(vm, m);
		jj_raise(vm, "none of the templates given were found: %s", all.s);
	}
	if (name.type == V_OBJ && name.o->cls == &self_class)
		return (struct jj_template *)((struct jj_ctx *)name.o->data)->tmpl;
	if (name.type != V_STR)
		jj_raise(vm, "template name must be a string, not %s", val_type_name(name));
	const char *cname = val_cstr(vm->a, name);
	struct jj_template *t = NULL;
	if (fn) {
		int before = vm->dl->nerrors;
		t = fn(vm->env->loader_ud, cname, vm->dl);
		if (!t && vm->dl->nerrors > before) {
			/* the template has syntax errors: say where it was loaded from */
			if (vm->dl->tail)
				diag_note(vm->dl, vm->dl->tail, loc, "in template '%s' loaded here", cname);
			longjmp(*vm->err, 1);
		}
	}
	if (!t && !ignore_missing)
		jj_raise(vm, "template '%s' not found", cname);
	return t;
}

static struct jj_ctx *ctx_new(struct jj_vm *vm, const struct jj_template *t, value vars)
{
	struct jj_ctx *ctx = ARENA_NEW(vm->a, struct jj_ctx);
	ctx->tmpl = t;
	ctx->vars = vars;
	ctx->module = val_undef();
	return ctx;
}

/* renders ctx->tmpl (and the templates it extends) into vm->out */
static void render_in_ctx(struct jj_vm *vm, struct jj_ctx *ctx, struct jj_frame *parent)
{
	struct jj_frame *root = jj_frame_new(vm, parent, ctx);
	root->ctx = ctx;
	root->include_root = parent != NULL;
	ctx->root = root;
	register_blocks(vm, ctx, ctx->tmpl);
	if (vm->depth >= MAX_DEPTH)
		jj_raise(vm, "maximum recursion depth exceeded while including templates");
	vm->depth++;
	exec_body(vm, root, &ctx->tmpl->body);
	while (ctx->parent) {
		const struct jj_template *p = ctx->parent;
		vm->out->len = ctx->discard_mark;
		vm->out->buf[vm->out->len] = '\0';
		ctx->parent = NULL;
		ctx->tmpl = p;
		exec_body(vm, root, &p->body);
	}
	vm->depth--;
}

struct jj_module {
	struct jj_ctx *ctx;
	value body;
};

static value module_getattr(struct jj_vm *vm, struct vobj *o, const char *name, size_t n)
{
	const struct jj_module *m = o->data;
	if (n && name[0] == '_')
		return val_undef();
	const struct jj_frame *f = m->ctx->root;
	uint64_t h = val_str_hash(name, n);
	for (uint32_t i = 0; i < f->n; i++)
		if (f->vars[i].hash == h && f->vars[i].len == n && memcmp(f->vars[i].name, name, n) == 0)
			return f->vars[i].v;
	return val_undef();
}

static void module_str(struct vobj *o, struct sb *out)
{
	const struct jj_module *m = o->data;
	sb_add(out, m->body.s, m->body.len);
}

static const struct vobj_class module_class = {
	.name = "TemplateModule",
	.getattr = module_getattr,
	.str = module_str,
};

/* a frame holding a copy of every variable visible from f (innermost first), ending at f's context */
static struct jj_frame *snapshot(struct jj_vm *vm, struct jj_frame *f)
{
	struct jj_frame *last = f;
	for (struct jj_frame *g = f; g; g = g->parent)
		last = g;
	struct jj_frame *s = jj_frame_new(vm, NULL, last ? last->ctx : NULL);
	for (struct jj_frame *g = f; g; g = g->parent)
		for (uint32_t i = 0; i < g->n; i++) {
			const struct jj_var *x = &g->vars[i];
			bool seen = false;
			for (uint32_t k = 0; k < s->n && !seen; k++)
				seen = s->vars[k].hash == x->hash && s->vars[k].len == x->len &&
				       memcmp(s->vars[k].name, x->name, x->len) == 0;
			if (!seen)
				jj_frame_setn(vm, s, x->name, x->len, x->hash, x->v);
		}
	return s;
}

/*
 * Records that ctx->tmpl extends t, and raises when t already ran in this context: a template that
 * extends itself, directly or through its parents, would otherwise render its parents forever.
 */
static void check_extends_cycle(struct jj_vm *vm, struct jj_ctx *ctx, const struct jj_template *t,
				struct loc at)
{
	if (ctx->nchain == ctx->capchain) {
		uint32_t nc = ctx->capchain ? ctx->capchain * 2 : 4;
		ctx->chain = arena_realloc(vm->a, ctx->chain, ctx->capchain * sizeof(*ctx->chain),
					   nc * sizeof(*ctx->chain));
		ctx->capchain = nc;
	}
	ctx->chain[ctx->nchain++] = ctx->tmpl;
	for (uint32_t i = 0; i < ctx->nchain; i++) {
		const struct jj_template *c = ctx->chain[i];
		if (c != t && strcmp(c->name, t->name) != 0)
			continue;
		if (i == ctx->nchain - 1)
			jj_raise_at(vm, at, "template '%s' extends itself; a template can only extend another one",
				    t->name);
		struct sb path = SB_INIT;
		for (uint32_t k = i; k < ctx->nchain; k++)
			sb_addf(&path, "'%s' -> ", ctx->chain[k]->name);
		sb_addf(&path, "'%s'", t->name);
		char *msg = arena_strndup(vm->a, path.buf, path.len);
		sb_release(&path);
		jj_raise_at(vm, at, "templates extend each other in a cycle: %s; break the cycle", msg);
	}
}

static struct jj_module *import_module(struct jj_vm *vm, struct jj_frame *f, const struct jj_node *n)
{
	value name = jj_eval(vm, f, n->imp.tmpl);
	if (name.type == V_LIST)
		jj_raise_at(vm, n->loc, "unhashable type: 'list'"); /* only include takes a list */
	struct jj_template *t = load(vm, name, false, n->loc);
	bool with = n->imp.with_context;
	struct jj_ctx *ctx = ctx_new(vm, t, with ? (f->ctx ? f->ctx->vars : val_undef()) : val_undef());
	size_t m = jj_mark(vm);
	struct jj_callrec rec = {vm->calls, REC_IMPORT, t->name, n->loc, NULL, NULL};
	vm->calls = &rec;
	/* a module imported with context sees the variables as they are now, not later changes */
	render_in_ctx(vm, ctx, with ? snapshot(vm, f) : NULL);
	vm->calls = rec.prev;
	struct jj_module *mod = ARENA_NEW(vm->a, struct jj_module);
	mod->ctx = ctx;
	mod->body = jj_take(vm, m);
	return mod;
}

/* ---------------------------------------------------------------- statements */

static value apply_filter_chain(struct jj_vm *vm, struct jj_frame *f, const struct jj_node *fl, value s)
{
	if (fl->filter.subj)
		s = apply_filter_chain(vm, f, fl->filter.subj, s);
	return jj_eval_filter(vm, f, fl, s);
}

static void exec_output(struct jj_vm *vm, struct jj_frame *f, const struct jj_node *e)
{
	if (e->kind == N_CONCAT) {
		for (uint32_t i = 0; i < e->items.n; i++)
			jj_emit(vm, jj_eval(vm, f, e->items.v[i]), vm->autoescape);
		return;
	}
	jj_emit(vm, jj_eval(vm, f, e), vm->autoescape);
}

static int exec_stmt(struct jj_vm *vm, struct jj_frame *f, const struct jj_node *n)
{
	switch (n->kind) {
	case S_DATA:
		sb_add(vm->out, n->data.text, n->data.len);
		return EX_NORMAL;
	case S_OUTPUT:
		exec_output(vm, f, n->expr);
		return EX_NORMAL;
	case S_IF:
		/* an elif is an S_IF alone in the else branch */
		if (val_truthy(jj_eval(vm, f, n->if_.cond)))
			return exec_body(vm, f, &n->if_.body);
		return exec_body(vm, f, &n->if_.orelse);
	case S_FOR:
		return run_for(vm, f, n, jj_eval(vm, f, n->for_.iter), 1);
	case S_SET:
		assign(vm, f, n->set.target, jj_eval(vm, f, n->set.value));
		return EX_NORMAL;
	case S_SETBLOCK: {
		struct jj_frame *bf = jj_frame_new(vm, f, NULL);
		size_t m = jj_mark(vm);
		int r = exec_body(vm, bf, &n->set.body);
		value s = take_markup(vm, m);
		/* break/continue leave the loop at once, without assigning (as in Jinja2) */
		if (r != EX_NORMAL)
			return r;
		if (n->set.filter) {
			s = apply_filter_chain(vm, bf, n->set.filter, s);
			/* Jinja2 wraps the filtered value in Markup(), which makes a string of anything */
			if (vm->autoescape) {
				s = jj_str(vm, s);
				s.flags |= VF_SAFE;
			}
		}
		assign(vm, f, n->set.target, s);
		return EX_NORMAL;
	}
	case S_MACRO:
		jj_frame_set(vm, f, &n->macro->name, make_macro(vm->a, n->macro, f, n->loc));
		return EX_NORMAL;
	case S_CALLBLOCK: {
		value caller = make_macro(vm->a, n->callblock.caller, f, n->loc);
		value r = jj_eval_call(vm, f, n->callblock.call, "caller", caller);
		jj_emit(vm, r, vm->autoescape);
		return EX_NORMAL;
	}
	case S_FILTERBLOCK: {
		struct jj_frame *bf = jj_frame_new(vm, f, NULL);
		size_t m = jj_mark(vm);
		int r = exec_body(vm, bf, &n->filterblock.body);
		value s = take_markup(vm, m);
		if (r != EX_NORMAL)
			return r; /* the body's output goes with the loop iteration */
		/* Jinja2 writes a filter block's result as it is, never escaped again */
		jj_emit(vm, apply_filter_chain(vm, bf, n->filterblock.filter, s), false);
		return EX_NORMAL;
	}
	case S_WITH: {
		struct jj_frame *wf = jj_frame_new(vm, f, NULL);
		for (uint32_t i = 0; i < n->with.n; i++)
			assign(vm, wf, n->with.targets[i], jj_eval(vm, f, n->with.values[i]));
		return exec_body(vm, wf, &n->with.body);
	}
	case S_DO:
		(void)jj_eval(vm, f, n->expr);
		return EX_NORMAL;
	case S_BREAK:
		return EX_BREAK;
	case S_CONTINUE:
		return EX_CONTINUE;
	case S_AUTOESCAPE: {
		bool old = vm->autoescape;
		vm->autoescape = val_truthy(jj_eval(vm, f, n->autoescape.value));
		/* a scope of its own in Jinja2: what is set inside is gone after the block */
		int r = exec_body(vm, jj_frame_new(vm, f, NULL), &n->autoescape.body);
		vm->autoescape = old;
		return r;
	}
	case S_INCLUDE: {
		value name = jj_eval(vm, f, n->imp.tmpl);
		struct jj_template *t = load(vm, name, n->imp.ignore_missing, n->loc);
		if (!t)
			return EX_NORMAL;
		bool with = n->imp.with_context;
		/* with context, names resolve through the includer's frames */
		struct jj_ctx *ctx = ctx_new(vm, t, val_undef());
		struct jj_callrec rec = {vm->calls, REC_INCLUDE, t->name, n->loc, NULL, NULL};
		vm->calls = &rec;
		render_in_ctx(vm, ctx, with ? f : NULL);
		vm->calls = rec.prev;
		return EX_NORMAL;
	}
	case S_IMPORT: {
		struct jj_module *mod = import_module(vm, f, n);
		jj_frame_set(vm, f, &n->imp.target, val_obj(vm->a, &module_class, mod));
		return EX_NORMAL;
	}
	case S_FROMIMPORT: {
		struct jj_module *mod = import_module(vm, f, n);
		for (uint32_t i = 0; i < n->imp.nnames; i++) {
			const struct jj_name *nm = &n->imp.names[i];
			struct vobj o = {&module_class, mod};
			value v = module_getattr(vm, &o, nm->s, nm->len);
			if (v.type == V_UNDEF) {
				int line, col;
				loc_linecol(n->loc, &line, &col);
				v = jj_undef_msg(vm, "the template '%s' (imported on line %d) does not export the "
						     "requested name '%s'", mod->ctx->tmpl->name, line, nm->s);
			}
			jj_frame_set(vm, f, &n->imp.aliases[i], v);
		}
		return EX_NORMAL;
	}
	case S_EXTENDS: {
		struct jj_ctx *ctx = f->ctx;
		if (ctx->parent)
			jj_raise_at(vm, n->loc, "extended multiple times");
		value name = jj_eval(vm, f, n->expr);
		if (name.type == V_LIST)
			jj_raise_at(vm, n->loc, "unhashable type: 'list'"); /* only include takes a list */
		struct jj_template *t = load(vm, name, false, n->loc);
		check_extends_cycle(vm, ctx, t, n->loc);
		ctx->parent = t;
		ctx->discard_mark = jj_mark(vm);
		register_blocks(vm, ctx, t);
		return EX_NORMAL;
	}
	case S_BLOCK: {
		struct jj_ctx *ctx = f->ctx;
		if (ctx->parent)
			return EX_NORMAL; /* after extends: the parent renders it */
		struct jj_blockstack *bs = find_block(ctx, n->block.name.s, n->block.name.len);
		if (!bs)
			return exec_body(vm, jj_frame_new(vm, ctx->root, ctx), &n->block.body);
		if ((n->flags & BF_REQUIRED) && bs->n <= 1)
			jj_raise_at(vm, n->loc, "Required block '%s' not found", n->block.name.s);
		render_block(vm, ctx, bs, 0, (n->flags & BF_SCOPED) ? f : ctx->root);
		return EX_NORMAL;
	}
	case S_DOCS:
	case S_SNAPSHOT:
		return EX_NORMAL;
	default:
		jj_raise_at(vm, n->loc, "cannot execute this statement");
	}
}

static int exec_body(struct jj_vm *vm, struct jj_frame *f, const struct jj_nodelist *body)
{
	for (uint32_t i = 0; i < body->n; i++) {
		const struct jj_node *n = body->v[i];
		if (n->kind == S_DATA) {
			sb_add(vm->out, n->data.text, n->data.len);
			jj_check_limits(vm, n->loc);
			continue;
		}
		int r = exec_stmt(vm, f, n);
		/* what many small steps add up to (loops, appends) is checked statement by statement */
		jj_check_limits(vm, n->loc);
		if (r != EX_NORMAL)
			return r;
	}
	return EX_NORMAL;
}

/* ---------------------------------------------------------------- entry points */

int jj_parse(struct jj_env *env, struct arena *a, const char *name, uint32_t file, const char *text,
	     size_t len, struct jj_template **pt, struct diag_list *dl)
{
	return jj_parse_template(env, a, name, file, text, len, pt, dl);
}

static void vm_init(struct jj_vm *vm, struct jj_env *env, struct arena *scratch, void *user, struct sb *out,
		    struct diag_list *dl)
{
	memset(vm, 0, sizeof(*vm));
	vm->env = env;
	vm->a = scratch;
	vm->out = out;
	vm->dl = dl;
	vm->user = user;
	vm->rng = ((uint64_t)(uintptr_t)vm ^ 0x9E3779B97F4A7C15ULL) | 1;
	vm->max_output = env->max_output ? env->max_output : SIZE_MAX;
	vm->max_memory = env->max_memory ? env->max_memory : SIZE_MAX;
	vm->out_base = out->len;
	vm->mem_base = scratch->total;
}

int jj_invoke(struct jj_env *env, value fn, const struct vargs *args, value ctxv, struct arena *scratch,
	      void *user, value *pres, struct diag_list *dl)
{
	struct jj_vm vm;
	/* not a local object: it changes between setjmp and a longjmp */
	struct sb *out = arena_alloc(scratch, sizeof(*out));
	sb_init(out);
	vm_init(&vm, env, scratch, user, out, dl);
	jmp_buf jb;
	vm.err = &jb;
	vm.root = ctx_new(&vm, NULL, ctxv.type == V_DICT ? ctxv : val_undef());
	if (setjmp(jb)) {
		sb_release(out);
		return -1;
	}
	*pres = jj_call_value(&vm, fn, args);
	sb_release(out);
	return 0;
}

int jj_render(struct jj_env *env, struct jj_template *t, value ctxv, struct arena *scratch, void *user,
	      struct sb *out, struct diag_list *dl)
{
	struct jj_vm vm;
	vm_init(&vm, env, scratch, user, out, dl);
	jmp_buf jb;
	vm.err = &jb;
	size_t start = out->len;
	sb_grow(out, 256);
	struct jj_ctx *ctx = ctx_new(&vm, t, ctxv.type == V_DICT ? ctxv : val_undef());
	vm.root = ctx;
	if (setjmp(jb)) {
		out->len = start;
		out->buf[start] = '\0';
		return -1;
	}
	render_in_ctx(&vm, ctx, NULL);
	return 0;
}
