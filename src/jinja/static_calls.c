/*
 * The calls a macro's text makes, found without running it (jj_static_calls in jinja.h).
 *
 * The walk visits the syntax tree in the order Jinja2's Node.find_all yields nodes: depth first,
 * a node before its children, the children in the order of the node's fields. For the statements
 * whose fields Jinja2 orders differently from where they appear in the text, the field order is
 * kept: a for loop's `if` filter after its body and else, a filter block's filter after its body,
 * a `{% set %}` block's filter before its body, a with's targets before its values.
 *
 * Cost: linear in the size of the macro's tree.
 */
#include <string.h>

#include "jinja/internal.h"

struct walk {
	struct arena *a;
	jj_static_call_fn fn;
	void *ud;
};

static void walk_node(struct walk *w, const struct jj_node *n);

static void walk_list(struct walk *w, const struct jj_nodelist *l)
{
	for (uint32_t i = 0; i < l->n; i++)
		walk_node(w, l->v[i]);
}

static void walk_args(struct walk *w, const struct jj_callargs *ca)
{
	for (uint32_t i = 0; i < ca->npos; i++)
		walk_node(w, ca->pos[i]);
	for (uint32_t i = 0; i < ca->nkw; i++)
		walk_node(w, ca->kw[i]);
	walk_node(w, ca->star);
	walk_node(w, ca->dstar);
}

static struct jj_static_arg arg_of(struct walk *w, const struct jj_node *n, const char *kw)
{
	struct jj_static_arg a = {JJ_ARG_EXPR, NULL, kw};
	if (n->kind == N_CONST) {
		if (n->cval.type == V_STR) {
			a.kind = JJ_ARG_STR;
			a.s = arena_strndup(w->a, n->cval.s, n->cval.len);  /* literals point into the source */
		} else {
			a.kind = JJ_ARG_CONST;
		}
	} else if (n->kind == N_LIST) {
		a.kind = JJ_ARG_LIST;
	}
	return a;
}

/* Reports one call: what it calls (a name, `obj.attr`, or neither) and its arguments' shapes */
static void report_call(struct walk *w, const struct jj_node *n)
{
	const struct jj_node *f = n->call.fn;
	struct jj_static_call c = {0};
	c.loc = n->loc;
	if (f->kind == N_NAME) {
		c.name = f->name.s;
	} else if (f->kind == N_FILTER || f->kind == N_TEST) {
		c.name = f->filter.name.s;
	} else if (f->kind == N_GETATTR && f->getattr.obj->kind == N_NAME) {
		c.obj = f->getattr.obj->name.s;
		c.attr = f->getattr.attr.s;
	}
	const struct jj_callargs *ca = &n->call.args;
	c.nargs = ca->npos + ca->nkw;
	struct jj_static_arg *args = c.nargs ? arena_alloc(w->a, c.nargs * sizeof(*args)) : NULL;
	for (uint32_t i = 0; i < ca->npos; i++)
		args[i] = arg_of(w, ca->pos[i], NULL);
	for (uint32_t i = 0; i < ca->nkw; i++)
		args[ca->npos + i] = arg_of(w, ca->kw[i], ca->kwnames[i]);
	c.args = args;
	w->fn(w->ud, &c);
}

static void walk_macrodef(struct walk *w, const struct jj_macrodef *m)
{
	for (uint32_t i = 0; i < m->ndefaults; i++)
		walk_node(w, m->defaults[i]);
	walk_list(w, &m->body);
}

static void walk_node(struct walk *w, const struct jj_node *n)
{
	if (!n)
		return;
	switch (n->kind) {
	case N_CONST: case N_NAME: case N_NSREF: case S_DATA: case S_BREAK: case S_CONTINUE: case S_DOCS:
		return;
	case N_LIST: case N_TUPLE: case N_CONCAT:
		walk_list(w, &n->items);
		return;
	case N_DICT:
		/* Jinja2's Dict holds Pair(key, value) nodes: each key, then its value */
		for (uint32_t i = 0; i < n->dict.keys.n; i++) {
			walk_node(w, n->dict.keys.v[i]);
			walk_node(w, n->dict.vals.v[i]);
		}
		return;
	case N_GETATTR:
		walk_node(w, n->getattr.obj);
		return;
	case N_GETITEM:
		walk_node(w, n->getitem.obj);
		walk_node(w, n->getitem.key);
		return;
	case N_SLICE:
		walk_node(w, n->slice.start);
		walk_node(w, n->slice.stop);
		walk_node(w, n->slice.step);
		return;
	case N_CALL:
		report_call(w, n);
		walk_node(w, n->call.fn);
		walk_args(w, &n->call.args);
		return;
	case N_FILTER: case N_TEST:
		walk_node(w, n->filter.subj);
		walk_args(w, &n->filter.args);
		return;
	case N_BINOP: case N_AND: case N_OR: case N_NEG: case N_POS: case N_NOT:
		walk_node(w, n->bin.l);
		walk_node(w, n->bin.r);
		return;
	case N_COMPARE:
		walk_node(w, n->cmp.first);
		for (uint32_t i = 0; i < n->cmp.n; i++)
			walk_node(w, n->cmp.rest[i]);
		return;
	case N_CONDEXPR:
		walk_node(w, n->cexpr.cond);
		walk_node(w, n->cexpr.then);
		walk_node(w, n->cexpr.orelse);
		return;
	case S_OUTPUT: case S_DO: case S_EXTENDS:
		walk_node(w, n->expr);
		return;
	case S_IF:
		walk_node(w, n->if_.cond);
		walk_list(w, &n->if_.body);
		walk_list(w, &n->if_.orelse);
		return;
	case S_FOR:
		walk_node(w, n->for_.target);
		walk_node(w, n->for_.iter);
		walk_list(w, &n->for_.body);
		walk_list(w, &n->for_.orelse);
		walk_node(w, n->for_.cond);
		return;
	case S_SET:
		walk_node(w, n->set.target);
		walk_node(w, n->set.value);
		return;
	case S_SETBLOCK:
		walk_node(w, n->set.target);
		walk_node(w, n->set.filter);
		walk_list(w, &n->set.body);
		return;
	case S_MACRO:
		walk_macrodef(w, n->macro);
		return;
	case S_CALLBLOCK:
		walk_node(w, n->callblock.call);
		walk_macrodef(w, n->callblock.caller);
		return;
	case S_FILTERBLOCK:
		walk_list(w, &n->filterblock.body);
		walk_node(w, n->filterblock.filter);
		return;
	case S_WITH:
		for (uint32_t i = 0; i < n->with.n; i++)
			walk_node(w, n->with.targets[i]);
		for (uint32_t i = 0; i < n->with.n; i++)
			walk_node(w, n->with.values[i]);
		walk_list(w, &n->with.body);
		return;
	case S_INCLUDE: case S_IMPORT: case S_FROMIMPORT:
		walk_node(w, n->imp.tmpl);
		return;
	case S_BLOCK: case S_SNAPSHOT:
		walk_list(w, &n->block.body);
		return;
	case S_AUTOESCAPE:
		walk_node(w, n->autoescape.value);
		walk_list(w, &n->autoescape.body);
		return;
	default:
		return;
	}
}

int jj_static_calls(value macro, struct arena *a, jj_static_call_fn fn, void *ud)
{
	const struct jj_macrodef *def = jj_macro_def(macro);
	if (!def)
		return -1;
	struct walk w = {a, fn, ud};
	walk_macrodef(&w, def);
	return 0;
}
