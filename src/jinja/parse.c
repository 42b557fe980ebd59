/*
 * Jinja parser, part one: tokens, nodes and expressions (statements are in parse_stmt.c). It follows
 * Jinja2's grammar and precedence function by function (parse_condexpr, parse_or, ... parse_primary),
 * so that operator precedence, what a tuple is and where a test's argument ends all match, and it
 * reproduces Jinja2's messages for syntax errors. The first error stops the parse (longjmp back to
 * jj_parse_template).
 *
 * Precedence, loosest first:
 *   condexpr  ->  or ['if' or ['else' condexpr]]
 *   or, and, not, compare (== != < <= > >= in, not in; chained)
 *   math1 (+ -), concat (~), math2 (* / // %), pow (** left-assoc), unary (- +)
 *   postfix (.attr [sub] (call)), then filters (| f), tests (is t) and calls
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/sb.h"
#include "jinja/parse.h"

void jjp_nb_push(struct parser *p, struct nbuf *b, struct jj_node *x)
{
	if (b->n == b->cap) {
		uint32_t nc = b->cap ? b->cap * 2 : 8;
		b->v = arena_realloc(&p->tmp, b->v, b->cap * sizeof(*b->v), nc * sizeof(*b->v));
		b->cap = nc;
	}
	b->v[b->n++] = x;
}

/* the final list, copied to its exact size into the template's arena */
struct jj_nodelist jjp_nb_list(struct parser *p, struct nbuf *b)
{
	struct jj_nodelist l = {NULL, b->n};
	if (b->n) {
		l.v = arena_alloc(p->a, b->n * sizeof(*l.v));
		memcpy(l.v, b->v, b->n * sizeof(*l.v));
	}
	return l;
}


void jjp_fail_at(struct parser *p, uint32_t off, uint32_t len, const char *fmt, ...)
{
	va_list ap;
	struct sb s = SB_INIT;
	va_start(ap, fmt);
	sb_vaddf(&s, fmt, ap);
	va_end(ap);
	struct loc l = {p->t->file, off, len};
	diag_error(p->dl, l, "%s", s.buf);
	sb_release(&s);
	longjmp(p->err, 1);
}


void jjp_next(struct parser *p)
{
	if (p->have_ahead) {
		p->cur = p->ahead;
		p->have_ahead = false;
		return;
	}
	jj_lex_next(&p->lx, &p->cur);
}

const struct jj_token *jjp_look(struct parser *p)
{
	if (!p->have_ahead) {
		jj_lex_next(&p->lx, &p->ahead);
		p->have_ahead = true;
	}
	return &p->ahead;
}



bool jjp_skip_name(struct parser *p, const char *name)
{
	if (!is_name(p, name))
		return false;
	jjp_next(p);
	return true;
}

bool jjp_skip_tok(struct parser *p, int type)
{
	if (p->cur.type != type)
		return false;
	jjp_next(p);
	return true;
}

/* the description Jinja2 gives a token in messages */
const char *jjp_describe(struct parser *p, const struct jj_token *t)
{
	if (t->type == T_NAME)
		return arena_strndup(p->a, t->s, t->n);
	return jj_tok_describe(t->type);
}

void jjp_expect(struct parser *p, int type)
{
	if (p->cur.type == type)
		return jjp_next(p);
	if (p->cur.type == T_EOF)
		fail(p, "unexpected end of template, expected '%s'.", jj_tok_describe(type));
	fail(p, "expected token '%s', got '%s'", jj_tok_describe(type), jjp_describe(p, &p->cur));
}

void jjp_expect_name_kw(struct parser *p, const char *name)
{
	if (is_name(p, name))
		return jjp_next(p);
	if (p->cur.type == T_EOF)
		fail(p, "unexpected end of template, expected '%s'.", name);
	fail(p, "expected token '%s', got '%s'", name, jjp_describe(p, &p->cur));
}

/* a name, NUL-terminated and hashed; each distinct name of a template is stored once */
struct jj_name jjp_mkname(struct parser *p, const char *s, size_t n)
{
	uint64_t h = val_str_hash(s, n);
	if (p->nnames * 2 >= p->capnames) {
		uint32_t nc = p->capnames ? p->capnames * 2 : 64;
		struct jj_name *nt = arena_zalloc(&p->tmp, nc * sizeof(*nt));
		for (uint32_t i = 0; i < p->capnames; i++) {
			if (!p->names[i].s)
				continue;
			uint32_t j = (uint32_t)p->names[i].hash & (nc - 1);
			while (nt[j].s)
				j = (j + 1) & (nc - 1);
			nt[j] = p->names[i];
		}
		p->names = nt;
		p->capnames = nc;
	}
	uint32_t j = (uint32_t)h & (p->capnames - 1);
	for (; p->names[j].s; j = (j + 1) & (p->capnames - 1))
		if (p->names[j].hash == h && p->names[j].len == n && memcmp(p->names[j].s, s, n) == 0)
			return p->names[j];
	struct jj_name r;
	r.s = arena_strndup(p->a, s, n);
	r.len = (uint32_t)n;
	r.hash = h;
	p->names[j] = r;
	p->nnames++;
	return r;
}

struct jj_name jjp_expect_ident(struct parser *p)
{
	if (p->cur.type != T_NAME) {
		if (p->cur.type == T_EOF)
			fail(p, "unexpected end of template, expected 'name'.");
		fail(p, "expected token 'name', got '%s'", jjp_describe(p, &p->cur));
	}
	struct jj_name n = jjp_mkname(p, p->cur.s, p->cur.n);
	jjp_next(p);
	return n;
}

/* bytes a node of this kind needs: the common header plus its member of the union */
#define MEMBER(m) (offsetof(struct jj_node, cval) + sizeof(((struct jj_node *)0)->m))
static size_t node_size(int kind)
{
	switch (kind) {
	case N_CONST: return MEMBER(cval);
	case N_NAME: return MEMBER(name);
	case N_LIST: case N_TUPLE: case N_CONCAT: return MEMBER(items);
	case N_DICT: return MEMBER(dict);
	case N_GETATTR: case N_NSREF: return MEMBER(getattr);
	case N_GETITEM: return MEMBER(getitem);
	case N_SLICE: return MEMBER(slice);
	case N_CALL: return MEMBER(call);
	case N_FILTER: case N_TEST: return MEMBER(filter);
	case N_BINOP: case N_AND: case N_OR: case N_NEG: case N_POS: case N_NOT: return MEMBER(bin);
	case N_COMPARE: return MEMBER(cmp);
	case N_CONDEXPR: return MEMBER(cexpr);
	case S_DATA: return MEMBER(data);
	case S_OUTPUT: case S_DO: case S_EXTENDS: return MEMBER(expr);
	case S_IF: return MEMBER(if_);
	case S_FOR: return MEMBER(for_);
	case S_SET: case S_SETBLOCK: return MEMBER(set);
	case S_MACRO: return MEMBER(macro);
	case S_CALLBLOCK: return MEMBER(callblock);
	case S_FILTERBLOCK: return MEMBER(filterblock);
	case S_WITH: return MEMBER(with);
	case S_INCLUDE: case S_IMPORT: case S_FROMIMPORT: return MEMBER(imp);
	case S_BLOCK: case S_DOCS: case S_SNAPSHOT: return MEMBER(block);
	case S_AUTOESCAPE: return MEMBER(autoescape);
	default: return sizeof(struct jj_node);
	}
}
#undef MEMBER

struct jj_node *jjp_mknode(struct parser *p, int kind, uint32_t off, uint32_t len)
{
	struct jj_node *n = arena_zalloc(p->a, node_size(kind));
	n->kind = (uint8_t)kind;
	n->loc.file = p->t->file;
	n->loc.off = off;
	n->loc.len = len;
	return n;
}

/* ---------------------------------------------------------------- expressions */

/* primary -> name | string+ | integer | float | '(' tuple ')' | list | dict */
static struct jj_node *parse_postfix(struct parser *p, struct jj_node *node);
static struct jj_node *parse_filter_expr(struct parser *p, struct jj_node *node);
static struct jj_node *parse_unary(struct parser *p, bool with_filter);

static void enter_expr(struct parser *p)
{
	if (++p->exprdepth > 400)
		fail(p, "expression too deeply nested");
}

static struct jj_node *parse_or(struct parser *p);

static struct jj_node *parse_condexpr(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct jj_node *e1 = parse_or(p);
	while (jjp_skip_name(p, "if")) {
		bool soft = p->soft;
		p->soft = true;
		struct jj_node *e2 = parse_or(p);
		struct jj_node *e3 = NULL;
		if (jjp_skip_name(p, "else"))
			e3 = parse_condexpr(p);
		p->soft = soft;
		struct jj_node *n = jjp_mknode(p, N_CONDEXPR, off, 0);
		n->cexpr.cond = e2;
		n->cexpr.then = e1;
		n->cexpr.orelse = e3;
		e1 = n;
	}
	return e1;
}

struct jj_node *jjp_parse_expression(struct parser *p, bool with_condexpr)
{
	enter_expr(p);
	struct jj_node *n = with_condexpr ? parse_condexpr(p) : parse_or(p);
	p->exprdepth--;
	return n;
}

static struct jj_node *parse_not(struct parser *p);
static struct jj_node *parse_and(struct parser *p);
static struct jj_node *parse_compare(struct parser *p);

static struct jj_node *parse_or(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct jj_node *l = parse_and(p);
	while (is_name(p, "or")) {
		jjp_next(p);
		struct jj_node *n = jjp_mknode(p, N_OR, off, 0);
		n->bin.l = l;
		n->bin.r = parse_and(p);
		l = n;
	}
	return l;
}

static struct jj_node *parse_and(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct jj_node *l = parse_not(p);
	while (is_name(p, "and")) {
		jjp_next(p);
		struct jj_node *n = jjp_mknode(p, N_AND, off, 0);
		n->bin.l = l;
		n->bin.r = parse_not(p);
		l = n;
	}
	return l;
}

static struct jj_node *parse_not(struct parser *p)
{
	if (is_name(p, "not")) {
		uint32_t off = p->cur.off;
		jjp_next(p);
		enter_expr(p);
		struct jj_node *n = jjp_mknode(p, N_NOT, off, 3);
		n->bin.l = parse_not(p);
		p->exprdepth--;
		return n;
	}
	return parse_compare(p);
}

static struct jj_node *parse_math1(struct parser *p);

static struct jj_node *parse_compare(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct jj_node *first = parse_math1(p);
	struct nbuf rest = {0};
	uint8_t ops[64];
	uint32_t nops = 0;
	for (;;) {
		int op;
		switch (p->cur.type) {
		case T_EQ: op = CMP_EQ; break;
		case T_NE: op = CMP_NE; break;
		case T_LT: op = CMP_LT; break;
		case T_LTEQ: op = CMP_LE; break;
		case T_GT: op = CMP_GT; break;
		case T_GTEQ: op = CMP_GE; break;
		default: op = -1; break;
		}
		if (op >= 0) {
			jjp_next(p);
		} else if (is_name(p, "in")) {
			jjp_next(p);
			op = CMP_IN;
		} else if (is_name(p, "not") && tok_is_name(jjp_look(p), "in")) {
			jjp_next(p);
			jjp_next(p);
			op = CMP_NOTIN;
		} else {
			break;
		}
		if (nops == sizeof(ops))
			fail(p, "too many chained comparisons");
		ops[nops++] = (uint8_t)op;
		jjp_nb_push(p, &rest, parse_math1(p));
	}
	if (!nops)
		return first;
	struct jj_node *n = jjp_mknode(p, N_COMPARE, off, 0);
	span_to(n, rest.v[nops - 1]->loc.off + rest.v[nops - 1]->loc.len);
	n->cmp.first = first;
	n->cmp.rest = jjp_nb_list(p, &rest).v;
	n->cmp.n = nops;
	n->cmp.ops = arena_alloc(p->a, nops);
	memcpy(n->cmp.ops, ops, nops);
	return n;
}

static struct jj_node *binop(struct parser *p, uint32_t off, int op, struct jj_node *l, struct jj_node *r)
{
	struct jj_node *n = jjp_mknode(p, N_BINOP, off, 0);
	n->op = (uint8_t)op;
	n->bin.l = l;
	n->bin.r = r;
	span_to(n, r->loc.off + r->loc.len);
	return n;
}

static struct jj_node *parse_concat(struct parser *p);
static struct jj_node *parse_math2(struct parser *p);
static struct jj_node *parse_pow(struct parser *p);

static struct jj_node *parse_math1(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct jj_node *l = parse_concat(p);
	while (p->cur.type == T_ADD || p->cur.type == T_SUB) {
		int op = p->cur.type == T_ADD ? OP_ADD : OP_SUB;
		jjp_next(p);
		l = binop(p, off, op, l, parse_concat(p));
	}
	return l;
}

static struct jj_node *parse_concat(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct jj_node *first = parse_math2(p);
	if (p->cur.type != T_TILDE)
		return first;
	struct nbuf items = {0};
	jjp_nb_push(p, &items, first);
	while (jjp_skip_tok(p, T_TILDE))
		jjp_nb_push(p, &items, parse_math2(p));
	struct jj_node *n = jjp_mknode(p, N_CONCAT, off, 0);
	n->items = jjp_nb_list(p, &items);
	return n;
}

static struct jj_node *parse_math2(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct jj_node *l = parse_pow(p);
	for (;;) {
		int op;
		switch (p->cur.type) {
		case T_MUL: op = OP_MUL; break;
		case T_DIV: op = OP_DIV; break;
		case T_FLOORDIV: op = OP_FLOORDIV; break;
		case T_MOD: op = OP_MOD; break;
		default: return l;
		}
		jjp_next(p);
		l = binop(p, off, op, l, parse_pow(p));
	}
}

static struct jj_node *parse_pow(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct jj_node *l = parse_unary(p, true);
	while (jjp_skip_tok(p, T_POW))
		l = binop(p, off, OP_POW, l, parse_unary(p, true));
	return l;
}

static struct jj_node *parse_unary(struct parser *p, bool with_filter)
{
	uint32_t off = p->cur.off;
	struct jj_node *node;
	enter_expr(p);
	if (p->cur.type == T_SUB || p->cur.type == T_ADD) {
		int kind = p->cur.type == T_SUB ? N_NEG : N_POS;
		jjp_next(p);
		struct jj_node *x = parse_unary(p, false);
		node = jjp_mknode(p, kind, off, 0);
		node->bin.l = x;
		span_to(node, x->loc.off + x->loc.len);
	} else {
		node = jjp_parse_primary(p, false);
	}
	node = parse_postfix(p, node);
	if (with_filter)
		node = parse_filter_expr(p, node);
	p->exprdepth--;
	return node;
}

static void note_name(struct parser *p, const char *s, size_t n)
{
	if (n == 6 && memcmp(s, "caller", 6) == 0)
		p->used |= MF_CALLER;
	else if (n == 7 && memcmp(s, "varargs", 7) == 0)
		p->used |= MF_VARARGS;
	else if (n == 6 && memcmp(s, "kwargs", 6) == 0)
		p->used |= MF_KWARGS;
	else if (n == 5 && memcmp(s, "super", 5) == 0)
		p->used_super = true;
}

static struct jj_node *parse_list(struct parser *p);
static struct jj_node *parse_dict(struct parser *p);

struct jj_node *jjp_parse_primary(struct parser *p, bool with_ns)
{
	struct jj_token t = p->cur;
	struct jj_node *node;
	switch (t.type) {
	case T_NAME: {
		jjp_next(p);
		if (tok_is_name(&t, "true") || tok_is_name(&t, "True")) {
			node = jjp_mknode(p, N_CONST, t.off, t.len);
			node->cval = val_bool(true);
		} else if (tok_is_name(&t, "false") || tok_is_name(&t, "False")) {
			node = jjp_mknode(p, N_CONST, t.off, t.len);
			node->cval = val_bool(false);
		} else if (tok_is_name(&t, "none") || tok_is_name(&t, "None")) {
			node = jjp_mknode(p, N_CONST, t.off, t.len);
			node->cval = val_none();
		} else if (with_ns && p->cur.type == T_DOT) {
			jjp_next(p);
			node = jjp_mknode(p, N_NSREF, t.off, t.len);
			struct jj_node *obj = jjp_mknode(p, N_NAME, t.off, t.len);
			obj->name = jjp_mkname(p, t.s, t.n);
			node->getattr.obj = obj;
			node->getattr.attr = jjp_expect_ident(p);
			node->getattr.meth = -1;
		} else {
			node = jjp_mknode(p, N_NAME, t.off, t.len);
			node->name = jjp_mkname(p, t.s, t.n);
			note_name(p, t.s, t.n);
		}
		return node;
	}
	case T_STRING: {
		jjp_next(p);
		node = jjp_mknode(p, N_CONST, t.off, t.len);
		if (p->cur.type != T_STRING) {
			node->cval = val_strn(t.s, t.n);
			return node;
		}
		/* adjacent literals concatenate (built in the arena: the lexer may fail half way) */
		size_t n = t.n, cap = t.n + 64;
		char *buf = arena_alloc(p->a, cap);
		memcpy(buf, t.s, t.n);
		while (p->cur.type == T_STRING) {
			if (n + p->cur.n + 1 > cap) {
				size_t nc = (n + p->cur.n + 1) * 2;
				buf = arena_realloc(p->a, buf, cap, nc);
				cap = nc;
			}
			memcpy(buf + n, p->cur.s, p->cur.n);
			n += p->cur.n;
			span_to(node, tok_end(&p->cur));
			jjp_next(p);
		}
		buf[n] = '\0';
		node->cval = val_strn(buf, n);
		return node;
	}
	case T_INT:
	case T_FLOAT:
		jjp_next(p);
		node = jjp_mknode(p, N_CONST, t.off, t.len);
		if (t.type == T_INT && t.big)
			node->cval = jj_bigint_from_dec(p->a, p->lx.src + t.off, t.len, false);
		else
			node->cval = t.type == T_INT ? val_int(t.i) : val_float(t.f);
		return node;
	case T_LPAREN:
		jjp_next(p);
		node = jjp_parse_tuple(p, false, true, NULL, true, false);
		jjp_expect(p, T_RPAREN);
		return node;
	case T_LBRACKET:
		return parse_list(p);
	case T_LBRACE:
		return parse_dict(p);
	default:
		if (t.type == T_EOF)
			fail(p, "unexpected end of template, expected an expression");
		fail(p, "unexpected '%s'", jjp_describe(p, &t));
	}
}

static bool is_tuple_end(struct parser *p, const char *const *extra_end)
{
	int ty = p->cur.type;
	if (ty == T_VAR_END || ty == T_BLOCK_END || ty == T_RPAREN)
		return true;
	if (extra_end)
		for (; *extra_end; extra_end++)
			if (is_name(p, *extra_end))
				return true;
	return false;
}

/* tuple -> expr (',' expr)* [','] ; a single expression without a comma is not a tuple */
struct jj_node *jjp_parse_tuple(struct parser *p, bool simplified, bool with_condexpr,
				   const char *const *extra_end, bool explicit_parens, bool with_ns)
{
	uint32_t off = p->cur.off;
	struct nbuf args = {0};
	bool is_tuple = false;
	for (;;) {
		if (args.n)
			jjp_expect(p, T_COMMA);
		if (is_tuple_end(p, extra_end))
			break;
		struct jj_node *e = simplified ? jjp_parse_primary(p, with_ns) : jjp_parse_expression(p, with_condexpr);
		jjp_nb_push(p, &args, e);
		if (p->cur.type == T_COMMA)
			is_tuple = true;
		else
			break;
	}
	if (!is_tuple) {
		if (args.n)
			return args.v[0];
		if (!explicit_parens) {
			if (p->cur.type == T_EOF)
				fail(p, "unexpected end of template, expected an expression");
			fail(p, "Expected an expression, got '%s'", jjp_describe(p, &p->cur));
		}
	}
	struct jj_node *n = jjp_mknode(p, N_TUPLE, off, 0);
	n->items = jjp_nb_list(p, &args);
	return n;
}

static struct jj_node *parse_list(struct parser *p)
{
	struct jj_node *n = jjp_mknode(p, N_LIST, p->cur.off, 1);
	jjp_expect(p, T_LBRACKET);
	struct nbuf items = {0};
	while (p->cur.type != T_RBRACKET) {
		if (items.n)
			jjp_expect(p, T_COMMA);
		if (p->cur.type == T_RBRACKET)
			break;
		jjp_nb_push(p, &items, jjp_parse_expression(p, true));
	}
	span_to(n, tok_end(&p->cur));
	jjp_expect(p, T_RBRACKET);
	n->items = jjp_nb_list(p, &items);
	return n;
}

static struct jj_node *parse_dict(struct parser *p)
{
	struct jj_node *n = jjp_mknode(p, N_DICT, p->cur.off, 1);
	jjp_expect(p, T_LBRACE);
	struct nbuf keys = {0}, vals = {0};
	while (p->cur.type != T_RBRACE) {
		if (keys.n)
			jjp_expect(p, T_COMMA);
		if (p->cur.type == T_RBRACE)
			break;
		jjp_nb_push(p, &keys, jjp_parse_expression(p, true));
		jjp_expect(p, T_COLON);
		jjp_nb_push(p, &vals, jjp_parse_expression(p, true));
	}
	span_to(n, tok_end(&p->cur));
	jjp_expect(p, T_RBRACE);
	n->dict.keys = jjp_nb_list(p, &keys);
	n->dict.vals = jjp_nb_list(p, &vals);
	return n;
}

static struct jj_node *parse_subscribed(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct jj_node *args[3] = {NULL, NULL, NULL};
	if (p->cur.type == T_COLON) {
		jjp_next(p);
	} else {
		struct jj_node *e = jjp_parse_expression(p, true);
		if (p->cur.type != T_COLON)
			return e;
		jjp_next(p);
		args[0] = e;
	}
	if (p->cur.type != T_COLON && p->cur.type != T_RBRACKET && p->cur.type != T_COMMA)
		args[1] = jjp_parse_expression(p, true);
	if (p->cur.type == T_COLON) {
		jjp_next(p);
		if (p->cur.type != T_RBRACKET && p->cur.type != T_COMMA)
			args[2] = jjp_parse_expression(p, true);
	}
	struct jj_node *n = jjp_mknode(p, N_SLICE, off, 0);
	n->slice.start = args[0];
	n->slice.stop = args[1];
	n->slice.step = args[2];
	return n;
}

/* subscript -> '.' name | '.' integer | '[' subscribed (',' subscribed)* ']' */
static struct jj_node *parse_subscript(struct parser *p, struct jj_node *node)
{
	struct jj_token t = p->cur;
	jjp_next(p);
	if (t.type == T_DOT) {
		struct jj_token at = p->cur;
		jjp_next(p);
		if (at.type == T_NAME) {
			struct jj_node *n = jjp_mknode(p, N_GETATTR, node->loc.off, 0);
			span_to(n, tok_end(&at));
			n->getattr.obj = node;
			n->getattr.attr = jjp_mkname(p, at.s, at.n);
			n->getattr.meth = (int16_t)jj_method_id(at.s, at.n);
			return n;
		}
		if (at.type != T_INT)
			jjp_fail_at(p, at.off, at.len, "expected name or number");
		struct jj_node *k = jjp_mknode(p, N_CONST, at.off, at.len);
		k->cval = val_int(at.i);
		struct jj_node *n = jjp_mknode(p, N_GETITEM, node->loc.off, 0);
		span_to(n, tok_end(&at));
		n->getitem.obj = node;
		n->getitem.key = k;
		return n;
	}
	/* '[' */
	struct nbuf args = {0};
	while (p->cur.type != T_RBRACKET) {
		if (args.n)
			jjp_expect(p, T_COMMA);
		jjp_nb_push(p, &args, parse_subscribed(p));
	}
	uint32_t end = tok_end(&p->cur);
	jjp_expect(p, T_RBRACKET);
	struct jj_node *key;
	if (args.n == 1) {
		key = args.v[0];
	} else {
		key = jjp_mknode(p, N_TUPLE, t.off, 0);
		key->items = jjp_nb_list(p, &args);
	}
	struct jj_node *n = jjp_mknode(p, N_GETITEM, node->loc.off, 0);
	span_to(n, end);
	n->getitem.obj = node;
	n->getitem.key = key;
	return n;
}

static void jjp_parse_call_args(struct parser *p, struct jj_callargs *ca);

static struct jj_node *parse_call(struct parser *p, struct jj_node *node)
{
	struct jj_node *n = jjp_mknode(p, N_CALL, node->loc.off, 0);
	n->call.fn = node;
	jjp_parse_call_args(p, &n->call.args);
	span_to(n, p->prev_end);
	return n;
}

static struct jj_node *parse_postfix(struct parser *p, struct jj_node *node)
{
	for (;;) {
		int ty = p->cur.type;
		if (ty == T_DOT || ty == T_LBRACKET)
			node = parse_subscript(p, node);
		else if (ty == T_LPAREN)
			node = parse_call(p, node);
		else
			return node;
	}
}

/* call_args -> '(' [arg (',' arg)*] [','] ')' ; arg -> expr | name '=' expr | '*' expr | '**' expr */
static void jjp_parse_call_args(struct parser *p, struct jj_callargs *ca)
{
	uint32_t off = p->cur.off;
	jjp_expect(p, T_LPAREN);
	struct nbuf pos = {0}, kw = {0};
	const char **names = NULL;
	uint32_t capnames = 0;
	bool require_comma = false;
	memset(ca, 0, sizeof(*ca));
	while (p->cur.type != T_RPAREN) {
		if (require_comma) {
			jjp_expect(p, T_COMMA);
			if (p->cur.type == T_RPAREN)
				break;
		}
		if (p->cur.type == T_MUL) {
			if (ca->star || ca->dstar)
				jjp_fail_at(p, off, 1, "invalid syntax for function call expression");
			jjp_next(p);
			ca->star = jjp_parse_expression(p, true);
		} else if (p->cur.type == T_POW) {
			if (ca->dstar)
				jjp_fail_at(p, off, 1, "invalid syntax for function call expression");
			jjp_next(p);
			ca->dstar = jjp_parse_expression(p, true);
		} else if (p->cur.type == T_NAME && jjp_look(p)->type == T_ASSIGN) {
			if (ca->dstar)
				jjp_fail_at(p, off, 1, "invalid syntax for function call expression");
			struct jj_name nm = jjp_mkname(p, p->cur.s, p->cur.n);
			jjp_next(p);
			jjp_next(p);
			if (kw.n == capnames) {
				uint32_t nc = capnames ? capnames * 2 : 4;
				names = arena_realloc(p->a, names, capnames * sizeof(*names), nc * sizeof(*names));
				capnames = nc;
			}
			names[kw.n] = nm.s;
			jjp_nb_push(p, &kw, jjp_parse_expression(p, true));
		} else {
			if (ca->star || ca->dstar || kw.n)
				jjp_fail_at(p, off, 1, "invalid syntax for function call expression");
			jjp_nb_push(p, &pos, jjp_parse_expression(p, true));
		}
		require_comma = true;
	}
	p->prev_end = tok_end(&p->cur);
	jjp_expect(p, T_RPAREN);
	ca->pos = jjp_nb_list(p, &pos).v;
	ca->npos = pos.n;
	ca->kw = jjp_nb_list(p, &kw).v;
	ca->nkw = kw.n;
	ca->kwnames = names;
}

static struct jj_name dotted_name(struct parser *p)
{
	struct jj_token t = p->cur;
	if (t.type != T_NAME)
		(void)jjp_expect_ident(p);
	jjp_next(p);
	if (p->cur.type != T_DOT)
		return jjp_mkname(p, t.s, t.n);
	/* built in the arena: the parse may fail half way */
	size_t n = t.n, cap = t.n + 32;
	char *buf = arena_alloc(p->a, cap);
	memcpy(buf, t.s, t.n);
	while (jjp_skip_tok(p, T_DOT)) {
		if (p->cur.type != T_NAME)
			(void)jjp_expect_ident(p);
		if (n + p->cur.n + 2 > cap) {
			size_t nc = (n + p->cur.n + 2) * 2;
			buf = arena_realloc(p->a, buf, cap, nc);
			cap = nc;
		}
		buf[n++] = '.';
		memcpy(buf + n, p->cur.s, p->cur.n);
		n += p->cur.n;
		jjp_next(p);
	}
	return jjp_mkname(p, buf, n);
}

/* filter -> '|' name ('.' name)* [call_args], repeated; subject NULL for filter blocks */
struct jj_node *jjp_parse_filter(struct parser *p, struct jj_node *node, bool start_inline)
{
	while (p->cur.type == T_PIPE || start_inline) {
		if (!start_inline)
			jjp_next(p);
		struct jj_token t = p->cur;
		struct jj_name name = dotted_name(p);
		struct jj_node *n = jjp_mknode(p, N_FILTER, t.off, t.len);
		n->filter.subj = node;
		n->filter.name = name;
		n->filter.builtin = -1;
		if (p->cur.type == T_LPAREN) {
			jjp_parse_call_args(p, &n->filter.args);
			span_to(n, p->prev_end);
		}
		n->filter.fn = jj_env_find_filter(p->env, name.s, name.len);
		if (!n->filter.fn && !p->soft)
			jjp_fail_at(p, t.off, t.len, "No filter named '%s'.", name.s);
		node = n;
		start_inline = false;
	}
	return node;
}

/* test -> 'is' ['not'] name ('.' name)* [call_args | primary postfix] */
static struct jj_node *parse_test(struct parser *p, struct jj_node *node)
{
	uint32_t isoff = p->cur.off;
	jjp_next(p); /* 'is' */
	bool negated = jjp_skip_name(p, "not");
	struct jj_token t = p->cur;
	struct jj_name name = dotted_name(p);
	struct jj_node *n = jjp_mknode(p, N_TEST, node->loc.off, 0);
	span_to(n, tok_end(&t));
	n->filter.subj = node;
	n->filter.name = name;
	n->filter.builtin = (int16_t)jj_builtin_test_id(name.s, name.len);
	int ty = p->cur.type;
	if (ty == T_LPAREN) {
		jjp_parse_call_args(p, &n->filter.args);
		span_to(n, p->prev_end);
	} else if ((ty == T_NAME || ty == T_STRING || ty == T_INT || ty == T_FLOAT || ty == T_LBRACKET ||
		    ty == T_LBRACE) &&
		   !is_name(p, "else") && !is_name(p, "or") && !is_name(p, "and")) {
		if (is_name(p, "is"))
			fail(p, "You cannot chain multiple tests with is");
		struct jj_node *arg = parse_postfix(p, jjp_parse_primary(p, false));
		n->filter.args.pos = ARENA_NEW(p->a, struct jj_node *);
		n->filter.args.pos[0] = arg;
		n->filter.args.npos = 1;
		span_to(n, arg->loc.off + arg->loc.len);
	}
	n->filter.fn = jj_env_find_test(p->env, name.s, name.len);
	if (!n->filter.fn && !p->soft)
		jjp_fail_at(p, t.off, t.len, "No test named '%s'.", name.s);
	if (negated) {
		struct jj_node *nn = jjp_mknode(p, N_NOT, isoff, 0);
		nn->loc = n->loc;
		nn->bin.l = n;
		return nn;
	}
	return n;
}

static struct jj_node *parse_filter_expr(struct parser *p, struct jj_node *node)
{
	for (;;) {
		if (p->cur.type == T_PIPE)
			node = jjp_parse_filter(p, node, false);
		else if (is_name(p, "is"))
			node = parse_test(p, node);
		else if (p->cur.type == T_LPAREN)
			node = parse_call(p, node);
		else
			return node;
	}
}
