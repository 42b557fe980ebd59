/*
 * Jinja parser: tokens to the syntax tree of ast.h. It follows Jinja2's grammar and precedence
 * function by function (parse_condexpr, parse_or, ... parse_primary), so that operator precedence,
 * what a tuple is and where a test's argument ends all match, and it reproduces Jinja2's messages for
 * syntax errors. The first error stops the parse (longjmp back to jj_parse_template).
 *
 * Precedence, loosest first:
 *   condexpr  ->  or ['if' or ['else' condexpr]]
 *   or, and, not, compare (== != < <= > >= in, not in; chained)
 *   math1 (+ -), concat (~), math2 (* / // %), pow (** left-assoc), unary (- +)
 *   postfix (.attr [sub] (call)), then filters (| f), tests (is t) and calls
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/sb.h"
#include "jinja/ast.h"
#include "jinja/internal.h"
#include "jinja/lex.h"

#define MAX_NEST 200

struct parser {
	struct jj_lexer lx;
	struct jj_token cur;
	struct jj_token ahead;
	bool have_ahead;
	struct jj_env *env;
	struct arena *a;
	struct jj_template *t;
	struct diag_list *dl;
	jmp_buf err;
	const char *tags[MAX_NEST];             /* tags awaiting their end */
	int ntags;
	const char *const *ends[MAX_NEST];      /* end-tag lists of the open subparses */
	int nends;
	bool soft;        /* inside if / conditional expression: unknown filters fail at runtime */
	uint32_t used;    /* MF_CALLER/MF_VARARGS/MF_KWARGS seen in the current macro body */
	bool used_super;  /* `super` seen in the current block body */
	int depth;        /* statement nesting (0: template top level) */
	int exprdepth;
	int loops;        /* enclosing for bodies (break/continue are allowed) */
	uint32_t prev_end;  /* end offset of the last call's ')' */
	struct jj_node **blocks;
	uint32_t nblocks, capblocks;
	struct jj_node **defs;
	uint32_t ndefs, capdefs;
	struct arena tmp;            /* growing lists and the name table; dropped after the parse */
	struct jj_name *names;       /* interned names (open addressing), so each is stored once */
	uint32_t nnames, capnames;
};

/* A growable node array in the arena */
struct nbuf {
	struct jj_node **v;
	uint32_t n, cap;
};

static void nb_push(struct parser *p, struct nbuf *b, struct jj_node *x)
{
	if (b->n == b->cap) {
		uint32_t nc = b->cap ? b->cap * 2 : 8;
		b->v = arena_realloc(&p->tmp, b->v, b->cap * sizeof(*b->v), nc * sizeof(*b->v));
		b->cap = nc;
	}
	b->v[b->n++] = x;
}

/* the final list, copied to its exact size into the template's arena */
static struct jj_nodelist nb_list(struct parser *p, struct nbuf *b)
{
	struct jj_nodelist l = {NULL, b->n};
	if (b->n) {
		l.v = arena_alloc(p->a, b->n * sizeof(*l.v));
		memcpy(l.v, b->v, b->n * sizeof(*l.v));
	}
	return l;
}

_Noreturn static void fail_at(struct parser *p, uint32_t off, uint32_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail_at(struct parser *p, uint32_t off, uint32_t len, const char *fmt, ...)
{
	va_list ap;
	struct sb s = SB_INIT;
	va_start(ap, fmt);
	(void)sb_vaddf(&s, fmt, ap);
	va_end(ap);
	struct loc l = {p->t->file, off, len};
	diag_error(p->dl, l, "%s", s.buf);
	sb_release(&s);
	longjmp(p->err, 1);
}

#define fail(p, ...) fail_at((p), (p)->cur.off, (p)->cur.len, __VA_ARGS__)

static void next(struct parser *p)
{
	if (p->have_ahead) {
		p->cur = p->ahead;
		p->have_ahead = false;
		return;
	}
	jj_lex_next(&p->lx, &p->cur);
}

static const struct jj_token *look(struct parser *p)
{
	if (!p->have_ahead) {
		jj_lex_next(&p->lx, &p->ahead);
		p->have_ahead = true;
	}
	return &p->ahead;
}

static inline bool tok_is_name(const struct jj_token *t, const char *name)
{
	if (t->type != T_NAME)
		return false;
	size_t n = __builtin_strlen(name);
	return t->n == n && __builtin_memcmp(t->s, name, n) == 0;
}

static inline bool is_name(struct parser *p, const char *name)
{
	return tok_is_name(&p->cur, name);
}

static bool skip_name(struct parser *p, const char *name)
{
	if (!is_name(p, name))
		return false;
	next(p);
	return true;
}

static bool skip_tok(struct parser *p, int type)
{
	if (p->cur.type != type)
		return false;
	next(p);
	return true;
}

/* the description Jinja2 gives a token in messages */
static const char *describe(struct parser *p, const struct jj_token *t)
{
	if (t->type == T_NAME)
		return arena_strndup(p->a, t->s, t->n);
	return jj_tok_describe(t->type);
}

static void expect(struct parser *p, int type)
{
	if (p->cur.type == type)
		return next(p);
	if (p->cur.type == T_EOF)
		fail(p, "unexpected end of template, expected '%s'.", jj_tok_describe(type));
	fail(p, "expected token '%s', got '%s'", jj_tok_describe(type), describe(p, &p->cur));
}

static void expect_name_kw(struct parser *p, const char *name)
{
	if (is_name(p, name))
		return next(p);
	if (p->cur.type == T_EOF)
		fail(p, "unexpected end of template, expected '%s'.", name);
	fail(p, "expected token '%s', got '%s'", name, describe(p, &p->cur));
}

/* a name, NUL-terminated and hashed; each distinct name of a template is stored once */
static struct jj_name mkname(struct parser *p, const char *s, size_t n)
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

static struct jj_name expect_ident(struct parser *p)
{
	if (p->cur.type != T_NAME) {
		if (p->cur.type == T_EOF)
			fail(p, "unexpected end of template, expected 'name'.");
		fail(p, "expected token 'name', got '%s'", describe(p, &p->cur));
	}
	struct jj_name n = mkname(p, p->cur.s, p->cur.n);
	next(p);
	return n;
}

/* bytes a node of this kind needs: the common header plus its member of the union */
static size_t node_size(int kind)
{
	size_t h = offsetof(struct jj_node, cval);
	switch (kind) {
	case N_CONST: return h + sizeof(value);
	case N_NAME: return h + sizeof(struct jj_name);
	case N_LIST: case N_TUPLE: case N_CONCAT: return h + sizeof(struct jj_nodelist);
	case N_BINOP: case N_AND: case N_OR: case N_NEG: case N_POS: case N_NOT:
		return h + 2 * sizeof(struct jj_node *);
	case S_DATA: return h + sizeof(((struct jj_node *)0)->data);
	case S_OUTPUT: case S_DO: case S_EXTENDS: return h + sizeof(struct jj_node *);
	default: return sizeof(struct jj_node);
	}
}

static struct jj_node *mknode(struct parser *p, int kind, uint32_t off, uint32_t len)
{
	struct jj_node *n = arena_zalloc(p->a, node_size(kind));
	n->kind = (uint8_t)kind;
	n->loc.file = p->t->file;
	n->loc.off = off;
	n->loc.len = len;
	return n;
}

/* extends a node's location to the end of the previous token */
static void span_to(struct jj_node *n, uint32_t end)
{
	if (end > n->loc.off)
		n->loc.len = end - n->loc.off;
}

static inline uint32_t tok_end(const struct jj_token *t)
{
	return t->off + t->len;
}

/* ---------------------------------------------------------------- expressions */

static struct jj_node *parse_expression(struct parser *p, bool with_condexpr);
static struct jj_node *parse_tuple(struct parser *p, bool simplified, bool with_condexpr,
				   const char *const *extra_end, bool explicit_parens, bool with_ns);
/* primary -> name | string+ | integer | float | '(' tuple ')' | list | dict */
static struct jj_node *parse_primary(struct parser *p, bool with_ns);
static struct jj_node *parse_postfix(struct parser *p, struct jj_node *node);
static struct jj_node *parse_filter_expr(struct parser *p, struct jj_node *node);
static struct jj_node *parse_unary(struct parser *p, bool with_filter);
static void parse_call_args(struct parser *p, struct jj_callargs *ca);

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
	while (skip_name(p, "if")) {
		bool soft = p->soft;
		p->soft = true;
		struct jj_node *e2 = parse_or(p);
		struct jj_node *e3 = NULL;
		if (skip_name(p, "else"))
			e3 = parse_condexpr(p);
		p->soft = soft;
		struct jj_node *n = mknode(p, N_CONDEXPR, off, 0);
		n->cexpr.cond = e2;
		n->cexpr.then = e1;
		n->cexpr.orelse = e3;
		e1 = n;
	}
	return e1;
}

static struct jj_node *parse_expression(struct parser *p, bool with_condexpr)
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
		next(p);
		struct jj_node *n = mknode(p, N_OR, off, 0);
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
		next(p);
		struct jj_node *n = mknode(p, N_AND, off, 0);
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
		next(p);
		enter_expr(p);
		struct jj_node *n = mknode(p, N_NOT, off, 3);
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
			next(p);
		} else if (is_name(p, "in")) {
			next(p);
			op = CMP_IN;
		} else if (is_name(p, "not") && tok_is_name(look(p), "in")) {
			next(p);
			next(p);
			op = CMP_NOTIN;
		} else {
			break;
		}
		if (nops == sizeof(ops))
			fail(p, "too many chained comparisons");
		ops[nops++] = (uint8_t)op;
		nb_push(p, &rest, parse_math1(p));
	}
	if (!nops)
		return first;
	struct jj_node *n = mknode(p, N_COMPARE, off, 0);
	span_to(n, rest.v[nops - 1]->loc.off + rest.v[nops - 1]->loc.len);
	n->cmp.first = first;
	n->cmp.rest = nb_list(p, &rest).v;
	n->cmp.n = nops;
	n->cmp.ops = arena_alloc(p->a, nops);
	memcpy(n->cmp.ops, ops, nops);
	return n;
}

static struct jj_node *binop(struct parser *p, uint32_t off, int op, struct jj_node *l, struct jj_node *r)
{
	struct jj_node *n = mknode(p, N_BINOP, off, 0);
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
		next(p);
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
	nb_push(p, &items, first);
	while (skip_tok(p, T_TILDE))
		nb_push(p, &items, parse_math2(p));
	struct jj_node *n = mknode(p, N_CONCAT, off, 0);
	n->items = nb_list(p, &items);
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
		next(p);
		l = binop(p, off, op, l, parse_pow(p));
	}
}

static struct jj_node *parse_pow(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct jj_node *l = parse_unary(p, true);
	while (skip_tok(p, T_POW))
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
		next(p);
		struct jj_node *x = parse_unary(p, false);
		node = mknode(p, kind, off, 0);
		node->bin.l = x;
		span_to(node, x->loc.off + x->loc.len);
	} else {
		node = parse_primary(p, false);
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

static struct jj_node *parse_primary(struct parser *p, bool with_ns)
{
	struct jj_token t = p->cur;
	struct jj_node *node;
	switch (t.type) {
	case T_NAME: {
		next(p);
		if (tok_is_name(&t, "true") || tok_is_name(&t, "True")) {
			node = mknode(p, N_CONST, t.off, t.len);
			node->cval = val_bool(true);
		} else if (tok_is_name(&t, "false") || tok_is_name(&t, "False")) {
			node = mknode(p, N_CONST, t.off, t.len);
			node->cval = val_bool(false);
		} else if (tok_is_name(&t, "none") || tok_is_name(&t, "None")) {
			node = mknode(p, N_CONST, t.off, t.len);
			node->cval = val_none();
		} else if (with_ns && p->cur.type == T_DOT) {
			next(p);
			node = mknode(p, N_NSREF, t.off, t.len);
			struct jj_node *obj = mknode(p, N_NAME, t.off, t.len);
			obj->name = mkname(p, t.s, t.n);
			node->getattr.obj = obj;
			node->getattr.attr = expect_ident(p);
			node->getattr.meth = -1;
		} else {
			node = mknode(p, N_NAME, t.off, t.len);
			node->name = mkname(p, t.s, t.n);
			note_name(p, t.s, t.n);
		}
		return node;
	}
	case T_STRING: {
		next(p);
		node = mknode(p, N_CONST, t.off, t.len);
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
			next(p);
		}
		buf[n] = '\0';
		node->cval = val_strn(buf, n);
		return node;
	}
	case T_INT:
	case T_FLOAT:
		next(p);
		node = mknode(p, N_CONST, t.off, t.len);
		if (t.type == T_INT && t.big)
			node->cval = jj_bigint_from_dec(p->a, p->lx.src + t.off, t.len, false);
		else
			node->cval = t.type == T_INT ? val_int(t.i) : val_float(t.f);
		return node;
	case T_LPAREN:
		next(p);
		node = parse_tuple(p, false, true, NULL, true, false);
		expect(p, T_RPAREN);
		return node;
	case T_LBRACKET:
		return parse_list(p);
	case T_LBRACE:
		return parse_dict(p);
	default:
		if (t.type == T_EOF)
			fail(p, "unexpected end of template, expected an expression");
		fail(p, "unexpected '%s'", describe(p, &t));
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
static struct jj_node *parse_tuple(struct parser *p, bool simplified, bool with_condexpr,
				   const char *const *extra_end, bool explicit_parens, bool with_ns)
{
	uint32_t off = p->cur.off;
	struct nbuf args = {0};
	bool is_tuple = false;
	for (;;) {
		if (args.n)
			expect(p, T_COMMA);
		if (is_tuple_end(p, extra_end))
			break;
		struct jj_node *e = simplified ? parse_primary(p, with_ns) : parse_expression(p, with_condexpr);
		nb_push(p, &args, e);
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
			fail(p, "Expected an expression, got '%s'", describe(p, &p->cur));
		}
	}
	struct jj_node *n = mknode(p, N_TUPLE, off, 0);
	n->items = nb_list(p, &args);
	return n;
}

static struct jj_node *parse_list(struct parser *p)
{
	struct jj_node *n = mknode(p, N_LIST, p->cur.off, 1);
	expect(p, T_LBRACKET);
	struct nbuf items = {0};
	while (p->cur.type != T_RBRACKET) {
		if (items.n)
			expect(p, T_COMMA);
		if (p->cur.type == T_RBRACKET)
			break;
		nb_push(p, &items, parse_expression(p, true));
	}
	span_to(n, tok_end(&p->cur));
	expect(p, T_RBRACKET);
	n->items = nb_list(p, &items);
	return n;
}

static struct jj_node *parse_dict(struct parser *p)
{
	struct jj_node *n = mknode(p, N_DICT, p->cur.off, 1);
	expect(p, T_LBRACE);
	struct nbuf keys = {0}, vals = {0};
	while (p->cur.type != T_RBRACE) {
		if (keys.n)
			expect(p, T_COMMA);
		if (p->cur.type == T_RBRACE)
			break;
		nb_push(p, &keys, parse_expression(p, true));
		expect(p, T_COLON);
		nb_push(p, &vals, parse_expression(p, true));
	}
	span_to(n, tok_end(&p->cur));
	expect(p, T_RBRACE);
	n->dict.keys = nb_list(p, &keys);
	n->dict.vals = nb_list(p, &vals);
	return n;
}

static struct jj_node *parse_subscribed(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct jj_node *args[3] = {NULL, NULL, NULL};
	if (p->cur.type == T_COLON) {
		next(p);
	} else {
		struct jj_node *e = parse_expression(p, true);
		if (p->cur.type != T_COLON)
			return e;
		next(p);
		args[0] = e;
	}
	if (p->cur.type != T_COLON && p->cur.type != T_RBRACKET && p->cur.type != T_COMMA)
		args[1] = parse_expression(p, true);
	if (p->cur.type == T_COLON) {
		next(p);
		if (p->cur.type != T_RBRACKET && p->cur.type != T_COMMA)
			args[2] = parse_expression(p, true);
	}
	struct jj_node *n = mknode(p, N_SLICE, off, 0);
	n->slice.start = args[0];
	n->slice.stop = args[1];
	n->slice.step = args[2];
	return n;
}

/* subscript -> '.' name | '.' integer | '[' subscribed (',' subscribed)* ']' */
static struct jj_node *parse_subscript(struct parser *p, struct jj_node *node)
{
	struct jj_token t = p->cur;
	next(p);
	if (t.type == T_DOT) {
		struct jj_token at = p->cur;
		next(p);
		if (at.type == T_NAME) {
			struct jj_node *n = mknode(p, N_GETATTR, node->loc.off, 0);
			span_to(n, tok_end(&at));
			n->getattr.obj = node;
			n->getattr.attr = mkname(p, at.s, at.n);
			n->getattr.meth = (int16_t)jj_method_id(at.s, at.n);
			return n;
		}
		if (at.type != T_INT)
			fail_at(p, at.off, at.len, "expected name or number");
		struct jj_node *k = mknode(p, N_CONST, at.off, at.len);
		k->cval = val_int(at.i);
		struct jj_node *n = mknode(p, N_GETITEM, node->loc.off, 0);
		span_to(n, tok_end(&at));
		n->getitem.obj = node;
		n->getitem.key = k;
		return n;
	}
	/* '[' */
	struct nbuf args = {0};
	while (p->cur.type != T_RBRACKET) {
		if (args.n)
			expect(p, T_COMMA);
		nb_push(p, &args, parse_subscribed(p));
	}
	uint32_t end = tok_end(&p->cur);
	expect(p, T_RBRACKET);
	struct jj_node *key;
	if (args.n == 1) {
		key = args.v[0];
	} else {
		key = mknode(p, N_TUPLE, t.off, 0);
		key->items = nb_list(p, &args);
	}
	struct jj_node *n = mknode(p, N_GETITEM, node->loc.off, 0);
	span_to(n, end);
	n->getitem.obj = node;
	n->getitem.key = key;
	return n;
}

static struct jj_node *parse_call(struct parser *p, struct jj_node *node)
{
	struct jj_node *n = mknode(p, N_CALL, node->loc.off, 0);
	n->call.fn = node;
	parse_call_args(p, &n->call.args);
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
static void parse_call_args(struct parser *p, struct jj_callargs *ca)
{
	uint32_t off = p->cur.off;
	expect(p, T_LPAREN);
	struct nbuf pos = {0}, kw = {0};
	const char **names = NULL;
	uint32_t capnames = 0;
	bool require_comma = false;
	memset(ca, 0, sizeof(*ca));
	while (p->cur.type != T_RPAREN) {
		if (require_comma) {
			expect(p, T_COMMA);
			if (p->cur.type == T_RPAREN)
				break;
		}
		if (p->cur.type == T_MUL) {
			if (ca->star || ca->dstar)
				fail_at(p, off, 1, "invalid syntax for function call expression");
			next(p);
			ca->star = parse_expression(p, true);
		} else if (p->cur.type == T_POW) {
			if (ca->dstar)
				fail_at(p, off, 1, "invalid syntax for function call expression");
			next(p);
			ca->dstar = parse_expression(p, true);
		} else if (p->cur.type == T_NAME && look(p)->type == T_ASSIGN) {
			if (ca->dstar)
				fail_at(p, off, 1, "invalid syntax for function call expression");
			struct jj_name nm = mkname(p, p->cur.s, p->cur.n);
			next(p);
			next(p);
			if (kw.n == capnames) {
				uint32_t nc = capnames ? capnames * 2 : 4;
				names = arena_realloc(p->a, names, capnames * sizeof(*names), nc * sizeof(*names));
				capnames = nc;
			}
			names[kw.n] = nm.s;
			nb_push(p, &kw, parse_expression(p, true));
		} else {
			if (ca->star || ca->dstar || kw.n)
				fail_at(p, off, 1, "invalid syntax for function call expression");
			nb_push(p, &pos, parse_expression(p, true));
		}
		require_comma = true;
	}
	p->prev_end = tok_end(&p->cur);
	expect(p, T_RPAREN);
	ca->pos = nb_list(p, &pos).v;
	ca->npos = pos.n;
	ca->kw = nb_list(p, &kw).v;
	ca->nkw = kw.n;
	ca->kwnames = names;
}

static struct jj_name dotted_name(struct parser *p)
{
	struct jj_token t = p->cur;
	if (t.type != T_NAME)
		(void)expect_ident(p);
	next(p);
	if (p->cur.type != T_DOT)
		return mkname(p, t.s, t.n);
	/* built in the arena: the parse may fail half way */
	size_t n = t.n, cap = t.n + 32;
	char *buf = arena_alloc(p->a, cap);
	memcpy(buf, t.s, t.n);
	while (skip_tok(p, T_DOT)) {
		if (p->cur.type != T_NAME)
			(void)expect_ident(p);
		if (n + p->cur.n + 2 > cap) {
			size_t nc = (n + p->cur.n + 2) * 2;
			buf = arena_realloc(p->a, buf, cap, nc);
			cap = nc;
		}
		buf[n++] = '.';
		memcpy(buf + n, p->cur.s, p->cur.n);
		n += p->cur.n;
		next(p);
	}
	return mkname(p, buf, n);
}

/* filter -> '|' name ('.' name)* [call_args], repeated; subject NULL for filter blocks */
static struct jj_node *parse_filter(struct parser *p, struct jj_node *node, bool start_inline)
{
	while (p->cur.type == T_PIPE || start_inline) {
		if (!start_inline)
			next(p);
		struct jj_token t = p->cur;
		struct jj_name name = dotted_name(p);
		struct jj_node *n = mknode(p, N_FILTER, t.off, t.len);
		n->filter.subj = node;
		n->filter.name = name;
		n->filter.builtin = -1;
		if (p->cur.type == T_LPAREN) {
			parse_call_args(p, &n->filter.args);
			span_to(n, p->prev_end);
		}
		n->filter.fn = jj_env_find_filter(p->env, name.s, name.len);
		if (!n->filter.fn && !p->soft)
			fail_at(p, t.off, t.len, "No filter named '%s'.", name.s);
		node = n;
		start_inline = false;
	}
	return node;
}

/* test -> 'is' ['not'] name ('.' name)* [call_args | primary postfix] */
static struct jj_node *parse_test(struct parser *p, struct jj_node *node)
{
	uint32_t isoff = p->cur.off;
	next(p); /* 'is' */
	bool negated = skip_name(p, "not");
	struct jj_token t = p->cur;
	struct jj_name name = dotted_name(p);
	struct jj_node *n = mknode(p, N_TEST, node->loc.off, 0);
	span_to(n, tok_end(&t));
	n->filter.subj = node;
	n->filter.name = name;
	n->filter.builtin = (int16_t)jj_builtin_test_id(name.s, name.len);
	int ty = p->cur.type;
	if (ty == T_LPAREN) {
		parse_call_args(p, &n->filter.args);
		span_to(n, p->prev_end);
	} else if ((ty == T_NAME || ty == T_STRING || ty == T_INT || ty == T_FLOAT || ty == T_LBRACKET ||
		    ty == T_LBRACE) &&
		   !is_name(p, "else") && !is_name(p, "or") && !is_name(p, "and")) {
		if (is_name(p, "is"))
			fail(p, "You cannot chain multiple tests with is");
		struct jj_node *arg = parse_postfix(p, parse_primary(p, false));
		n->filter.args.pos = ARENA_NEW(p->a, struct jj_node *);
		n->filter.args.pos[0] = arg;
		n->filter.args.npos = 1;
		span_to(n, arg->loc.off + arg->loc.len);
	}
	n->filter.fn = jj_env_find_test(p->env, name.s, name.len);
	if (!n->filter.fn && !p->soft)
		fail_at(p, t.off, t.len, "No test named '%s'.", name.s);
	if (negated) {
		struct jj_node *nn = mknode(p, N_NOT, isoff, 0);
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
			node = parse_filter(p, node, false);
		else if (is_name(p, "is"))
			node = parse_test(p, node);
		else if (p->cur.type == T_LPAREN)
			node = parse_call(p, node);
		else
			return node;
	}
}

/* ---------------------------------------------------------------- statements */

static struct jj_nodelist subparse(struct parser *p, const char *const *end_tokens);

static void fail_unknown(struct parser *p, const char *name, uint32_t off, uint32_t len,
			 const char *const *extra)
{
	struct sb s = SB_INIT;
	const char *const *looking = extra ? extra : p->nends ? p->ends[p->nends - 1] : NULL;
	bool expected = false;
	if (name) {
		for (int i = 0; i < p->nends && !expected; i++)
			for (const char *const *e = p->ends[i]; *e; e++)
				if (strcmp(*e, name) == 0)
					expected = true;
		if (extra)
			for (const char *const *e = extra; *e; e++)
				if (strcmp(*e, name) == 0)
					expected = true;
		sb_addf(&s, "Encountered unknown tag '%s'.", name);
	} else {
		sb_adds(&s, "Unexpected end of template.");
	}
	if (looking) {
		struct sb l = SB_INIT;
		for (const char *const *e = looking; *e; e++)
			sb_addf(&l, "%s'%s'", e == looking ? "" : " or ", *e);
		if (name && expected)
			sb_addf(&s, " You probably made a nesting mistake. Jinja is expecting this tag, but "
				    "currently looking for %s.", l.buf);
		else
			sb_addf(&s, " Jinja was looking for the following tags: %s.", l.buf);
		sb_release(&l);
	}
	if (p->ntags)
		sb_addf(&s, " The innermost block that needs to be closed is '%s'.", p->tags[p->ntags - 1]);
	char *msg = arena_strndup(p->a, s.buf, s.len);
	sb_release(&s);
	fail_at(p, off, len, "%s", msg);
}

static struct jj_nodelist parse_statements(struct parser *p, const char *const *end_tokens,
					   bool drop_needle)
{
	skip_tok(p, T_COLON);
	expect(p, T_BLOCK_END);
	struct jj_nodelist body = subparse(p, end_tokens);
	if (p->cur.type == T_EOF)
		fail_unknown(p, NULL, p->cur.off, 0, end_tokens);
	if (drop_needle)
		next(p);
	return body;
}

static const char *const END_FOR[] = {"endfor", "else", NULL};
static const char *const END_FOR2[] = {"endfor", NULL};
static const char *const END_IF[] = {"elif", "else", "endif", NULL};
static const char *const END_IF2[] = {"endif", NULL};
static const char *const END_SET[] = {"endset", NULL};
static const char *const END_WITH[] = {"endwith", NULL};
static const char *const END_AUTOESC[] = {"endautoescape", NULL};
static const char *const END_BLOCK[] = {"endblock", NULL};
static const char *const END_CALL[] = {"endcall", NULL};
static const char *const END_FILTER[] = {"endfilter", NULL};
static const char *const END_MACRO[] = {"endmacro", NULL};
static const char *const END_MAT[] = {"endmaterialization", NULL};
static const char *const END_TEST[] = {"endtest", NULL};
static const char *const END_DATATEST[] = {"enddata_test", NULL};
static const char *const END_SNAPSHOT[] = {"endsnapshot", NULL};
static const char *const IN_END[] = {"in", NULL};
static const char *const RECURSIVE_END[] = {"recursive", NULL};

static bool can_assign(const struct jj_node *n)
{
	if (n->kind == N_NAME || n->kind == N_NSREF)
		return true;
	if (n->kind == N_TUPLE) {
		for (uint32_t i = 0; i < n->items.n; i++)
			if (!can_assign(n->items.v[i]))
				return false;
		return true;
	}
	return false;
}

static const char *node_kind_name(const struct jj_node *n)
{
	switch (n->kind) {
	case N_CONST: return "const";
	case N_LIST: return "list";
	case N_DICT: return "dict";
	case N_GETATTR: return "getattr";
	case N_GETITEM: return "getitem";
	case N_CALL: return "call";
	case N_FILTER: return "filter";
	case N_TEST: return "test";
	case N_BINOP: return "binop";
	case N_COMPARE: return "compare";
	case N_CONCAT: return "concat";
	case N_CONDEXPR: return "condexpr";
	case N_NOT: return "not";
	case N_NEG: return "neg";
	case N_POS: return "pos";
	case N_AND: return "and";
	case N_OR: return "or";
	case N_SLICE: return "slice";
	default: return "expression";
	}
}

static struct jj_node *parse_assign_target(struct parser *p, bool with_tuple, bool name_only,
					   const char *const *extra_end, bool with_ns)
{
	struct jj_node *target;
	if (name_only) {
		uint32_t off = p->cur.off, len = p->cur.len;
		target = mknode(p, N_NAME, off, len);
		target->name = expect_ident(p);
	} else if (with_tuple) {
		target = parse_tuple(p, true, true, extra_end, false, with_ns);
	} else {
		target = parse_primary(p, with_ns);
	}
	if (!can_assign(target)) {
		const struct jj_node *bad = target;
		fail_at(p, bad->loc.off, bad->loc.len, "can't assign to '%s'", node_kind_name(bad));
	}
	return target;
}

/* for -> 'for' target 'in' tuple ['if' expr] ['recursive'] '%}' body ['else' '%}' body] 'endfor' */
static struct jj_node *parse_for(struct parser *p, uint32_t off)
{
	struct jj_node *n = mknode(p, S_FOR, off, 3);
	bool soft = p->soft;
	p->soft = false;
	n->for_.target = parse_assign_target(p, true, false, IN_END, false);
	expect_name_kw(p, "in");
	n->for_.iter = parse_tuple(p, false, false, RECURSIVE_END, false, false);
	if (skip_name(p, "if"))
		n->for_.cond = parse_expression(p, true);
	n->for_.recursive = skip_name(p, "recursive");
	p->loops++;
	n->for_.body = parse_statements(p, END_FOR, false);
	p->loops--;
	bool is_end = is_name(p, "endfor");
	next(p);
	if (!is_end)
		n->for_.orelse = parse_statements(p, END_FOR2, true);
	p->soft = soft;
	return n;
}

/* if -> 'if' tuple '%}' body ('elif' tuple '%}' body)* ['else' '%}' body] 'endif' */
static struct jj_node *parse_if(struct parser *p, uint32_t off)
{
	struct jj_node *result = mknode(p, S_IF, off, 2);
	struct jj_node *node = result;
	bool soft = p->soft;
	p->soft = true;
	for (;;) {
		node->if_.cond = parse_tuple(p, false, false, NULL, false, false);
		node->if_.body = parse_statements(p, END_IF, false);
		struct jj_token t = p->cur;
		next(p);
		if (tok_is_name(&t, "elif")) {
			struct jj_node *elif = mknode(p, S_IF, p->cur.off, 0);
			node->if_.orelse.v = ARENA_NEW(p->a, struct jj_node *);
			node->if_.orelse.v[0] = elif;
			node->if_.orelse.n = 1;
			node = elif;
			continue;
		}
		if (tok_is_name(&t, "else"))
			node->if_.orelse = parse_statements(p, END_IF2, true);
		break;
	}
	p->soft = soft;
	return result;
}

/* set -> 'set' target '=' tuple | 'set' target [filters] '%}' body 'endset' */
static struct jj_node *parse_set(struct parser *p, uint32_t off)
{
	struct jj_node *target = parse_assign_target(p, true, false, NULL, true);
	if (skip_tok(p, T_ASSIGN)) {
		struct jj_node *n = mknode(p, S_SET, off, 3);
		n->set.target = target;
		n->set.value = parse_tuple(p, false, true, NULL, false, false);
		return n;
	}
	struct jj_node *n = mknode(p, S_SETBLOCK, off, 3);
	n->set.target = target;
	n->set.filter = parse_filter(p, NULL, false);
	bool soft = p->soft;
	p->soft = false;
	n->set.body = parse_statements(p, END_SET, true);
	p->soft = soft;
	return n;
}

/* with -> 'with' [target '=' expr (',' target '=' expr)*] '%}' body 'endwith' */
static struct jj_node *parse_with(struct parser *p, uint32_t off)
{
	struct jj_node *n = mknode(p, S_WITH, off, 4);
	struct nbuf targets = {0}, values = {0};
	while (p->cur.type != T_BLOCK_END) {
		if (targets.n)
			expect(p, T_COMMA);
		nb_push(p, &targets, parse_assign_target(p, true, false, NULL, false));
		expect(p, T_ASSIGN);
		nb_push(p, &values, parse_expression(p, true));
	}
	n->with.targets = nb_list(p, &targets).v;
	n->with.values = nb_list(p, &values).v;
	n->with.n = targets.n;
	bool soft = p->soft;
	p->soft = false;
	n->with.body = parse_statements(p, END_WITH, true);
	p->soft = soft;
	return n;
}

static void add_block(struct parser *p, struct jj_node *b)
{
	for (uint32_t i = 0; i < p->nblocks; i++)
		if (strcmp(p->blocks[i]->block.name.s, b->block.name.s) == 0)
			fail_at(p, b->loc.off, b->loc.len, "block '%s' defined twice", b->block.name.s);
	if (p->nblocks == p->capblocks) {
		uint32_t nc = p->capblocks ? p->capblocks * 2 : 4;
		p->blocks = arena_realloc(p->a, p->blocks, p->capblocks * sizeof(*p->blocks),
					  nc * sizeof(*p->blocks));
		p->capblocks = nc;
	}
	p->blocks[p->nblocks++] = b;
}

/* block -> 'block' name ['scoped'] ['required'] '%}' body 'endblock' [name] */
static struct jj_node *parse_block(struct parser *p, uint32_t off)
{
	struct jj_node *n = mknode(p, S_BLOCK, off, 5);
	n->block.name = expect_ident(p);
	if (skip_name(p, "scoped"))
		n->flags |= BF_SCOPED;
	if (skip_name(p, "required"))
		n->flags |= BF_REQUIRED;
	if (p->cur.type == T_SUB)
		fail(p, "Block names in Jinja have to be valid Python identifiers and may not contain "
			"hyphens, use an underscore instead.");
	bool soft = p->soft, super = p->used_super;
	uint32_t used = p->used;
	int loops = p->loops;
	p->soft = false;
	p->used_super = false;
	p->loops = 0;
	n->block.body = parse_statements(p, END_BLOCK, true);
	p->loops = loops;
	if (p->used_super)
		n->flags |= BF_SUPER;
	p->used_super = super;
	p->used = used; /* like Jinja2's undeclared-name visitor, macros do not look into blocks */
	p->soft = soft;
	if (n->flags & BF_REQUIRED) {
		for (uint32_t i = 0; i < n->block.body.n; i++) {
			const struct jj_node *b = n->block.body.v[i];
			bool ok = b->kind == S_DATA;
			for (uint32_t k = 0; ok && k < b->data.len; k++)
				if (!strchr(" \t\n\r\f\v", b->data.text[k]))
					ok = false;
			if (!ok)
				fail(p, "Required blocks can only contain comments or whitespace");
		}
	}
	if (p->cur.type == T_NAME && p->cur.n == n->block.name.len &&
	    memcmp(p->cur.s, n->block.name.s, p->cur.n) == 0)
		next(p);
	add_block(p, n);
	return n;
}

static void parse_import_context(struct parser *p, struct jj_node *n, bool dflt)
{
	if ((is_name(p, "with") || is_name(p, "without")) && tok_is_name(look(p), "context")) {
		n->imp.with_context = is_name(p, "with");
		next(p);
		next(p);
	} else {
		n->imp.with_context = dflt;
	}
}

/* include -> 'include' expr ['ignore' 'missing'] [('with' | 'without') 'context'] */
static struct jj_node *parse_include(struct parser *p, uint32_t off)
{
	struct jj_node *n = mknode(p, S_INCLUDE, off, 7);
	n->imp.tmpl = parse_expression(p, true);
	if (is_name(p, "ignore") && tok_is_name(look(p), "missing")) {
		n->imp.ignore_missing = true;
		next(p);
		next(p);
	}
	parse_import_context(p, n, true);
	return n;
}

/* import -> 'import' expr 'as' name [('with' | 'without') 'context'] */
static struct jj_node *parse_import(struct parser *p, uint32_t off)
{
	struct jj_node *n = mknode(p, S_IMPORT, off, 6);
	n->imp.tmpl = parse_expression(p, true);
	expect_name_kw(p, "as");
	n->imp.target = expect_ident(p);
	parse_import_context(p, n, false);
	return n;
}

/* from -> 'from' expr 'import' name ['as' name] (',' name ['as' name])* [('with' | 'without') 'context'] */
static struct jj_node *parse_from(struct parser *p, uint32_t off)
{
	struct jj_node *n = mknode(p, S_FROMIMPORT, off, 4);
	n->imp.tmpl = parse_expression(p, true);
	expect_name_kw(p, "import");
	uint32_t cap = 0;
	n->imp.with_context = false;
	for (;;) {
		if (n->imp.nnames)
			expect(p, T_COMMA);
		if (p->cur.type != T_NAME) {
			(void)expect_ident(p);
		}
		if ((is_name(p, "with") || is_name(p, "without")) && tok_is_name(look(p), "context")) {
			parse_import_context(p, n, false);
			break;
		}
		struct jj_token t = p->cur;
		struct jj_name nm = expect_ident(p);
		if (nm.s[0] == '_')
			fail_at(p, t.off, t.len, "names starting with an underline can not be imported");
		struct jj_name alias = nm;
		if (skip_name(p, "as"))
			alias = expect_ident(p);
		if (n->imp.nnames == cap) {
			uint32_t nc = cap ? cap * 2 : 4;
			n->imp.names = arena_realloc(p->a, n->imp.names, cap * sizeof(struct jj_name),
						     nc * sizeof(struct jj_name));
			n->imp.aliases = arena_realloc(p->a, n->imp.aliases, cap * sizeof(struct jj_name),
						       nc * sizeof(struct jj_name));
			cap = nc;
		}
		n->imp.names[n->imp.nnames] = nm;
		n->imp.aliases[n->imp.nnames] = alias;
		n->imp.nnames++;
		if ((is_name(p, "with") || is_name(p, "without")) && tok_is_name(look(p), "context")) {
			parse_import_context(p, n, false);
			break;
		}
		if (p->cur.type != T_COMMA)
			break;
	}
	return n;
}

/* signature -> '(' [name ['=' expr] (',' name ['=' expr])*] ')' */
static void parse_signature(struct parser *p, struct jj_macrodef *m)
{
	expect(p, T_LPAREN);
	struct nbuf defaults = {0};
	uint32_t cap = 0;
	while (p->cur.type != T_RPAREN) {
		if (m->nparams)
			expect(p, T_COMMA);
		struct jj_name nm = expect_ident(p);
		if (skip_tok(p, T_ASSIGN))
			nb_push(p, &defaults, parse_expression(p, true));
		else if (defaults.n)
			fail(p, "non-default argument follows default argument");
		if (m->nparams == cap) {
			uint32_t nc = cap ? cap * 2 : 4;
			m->params = arena_realloc(p->a, m->params, cap * sizeof(struct jj_name),
						  nc * sizeof(struct jj_name));
			cap = nc;
		}
		m->params[m->nparams++] = nm;
	}
	expect(p, T_RPAREN);
	m->defaults = nb_list(p, &defaults).v;
	m->ndefaults = defaults.n;
}

/* parses a macro-like body, recording which of caller/varargs/kwargs it uses */
static void parse_macro_body(struct parser *p, struct jj_macrodef *m, const char *const *end)
{
	uint32_t used = p->used;
	bool soft = p->soft;
	int loops = p->loops;
	p->used = 0;
	p->soft = false;
	p->loops = 0;
	m->body = parse_statements(p, end, true);
	m->flags |= p->used;
	p->used |= used;
	p->soft = soft;
	p->loops = loops;
	m->tmpl = p->t;
}

static void add_def(struct parser *p, struct jj_node *n)
{
	if (p->depth != 1)
		return;
	if (p->ndefs == p->capdefs) {
		uint32_t nc = p->capdefs ? p->capdefs * 2 : 8;
		p->defs = arena_realloc(p->a, p->defs, p->capdefs * sizeof(*p->defs), nc * sizeof(*p->defs));
		p->capdefs = nc;
	}
	p->defs[p->ndefs++] = n;
}

/* macro -> 'macro' name signature '%}' body 'endmacro' [name] */
static struct jj_node *parse_macro(struct parser *p, uint32_t off)
{
	struct jj_node *n = mknode(p, S_MACRO, off, 5);
	struct jj_macrodef *m = ARENA_NEW(p->a, struct jj_macrodef);
	n->macro = m;
	m->name = expect_ident(p);
	n->loc.len = (uint32_t)(p->cur.off - off);
	parse_signature(p, m);
	parse_macro_body(p, m, END_MACRO);
	add_def(p, n);
	return n;
}

/* call -> 'call' [signature] call_expr '%}' body 'endcall' */
static struct jj_node *parse_call_block(struct parser *p, uint32_t off)
{
	struct jj_node *n = mknode(p, S_CALLBLOCK, off, 4);
	struct jj_macrodef *m = ARENA_NEW(p->a, struct jj_macrodef);
	m->name = mkname(p, "caller", 6);
	m->flags = MF_CALLBLOCK;
	if (p->cur.type == T_LPAREN)
		parse_signature(p, m);
	struct jj_node *call = parse_expression(p, true);
	if (call->kind != N_CALL)
		fail_at(p, off, 4, "expected call");
	n->callblock.call = call;
	n->callblock.caller = m;
	parse_macro_body(p, m, END_CALL);
	return n;
}

/* filter_block -> 'filter' name [call_args] ('|' name [call_args])* '%}' body 'endfilter' */
static struct jj_node *parse_filter_block(struct parser *p, uint32_t off)
{
	struct jj_node *n = mknode(p, S_FILTERBLOCK, off, 6);
	n->filterblock.filter = parse_filter(p, NULL, true);
	bool soft = p->soft;
	p->soft = false;
	n->filterblock.body = parse_statements(p, END_FILTER, true);
	p->soft = soft;
	return n;
}

/* dbt: materialization -> 'materialization' name (',' ('default' | 'adapter' '=' expr |
 * 'supported_languages' '=' expr))* '%}' body 'endmaterialization' */
static struct jj_node *parse_materialization(struct parser *p, uint32_t off)
{
	struct jj_node *n = mknode(p, S_MACRO, off, 15);
	struct jj_macrodef *m = ARENA_NEW(p->a, struct jj_macrodef);
	n->macro = m;
	struct jj_name name = expect_ident(p);
	const char *adapter = "default";
	while (skip_tok(p, T_COMMA)) {
		struct jj_token t = p->cur;
		struct jj_name arg = expect_ident(p);
		if (strcmp(arg.s, "default") == 0)
			continue;
		if (strcmp(arg.s, "adapter") == 0 || strcmp(arg.s, "supported_languages") == 0) {
			expect(p, T_ASSIGN);
			struct jj_node *v = parse_expression(p, true);
			if (arg.s[0] == 'a') {
				if (v->kind != N_CONST || v->cval.type != V_STR)
					fail_at(p, v->loc.off, v->loc.len, "adapter name must be a string");
				adapter = arena_strndup(p->a, v->cval.s, v->cval.len);
			}
			continue;
		}
		fail_at(p, t.off, t.len, "invalid materialization argument '%s'", arg.s);
	}
	char *full = arena_sprintf(p->a, "materialization_%s_%s", name.s, adapter);
	m->name = mkname(p, full, strlen(full));
	m->flags |= MF_DBT;
	parse_macro_body(p, m, END_MAT);
	add_def(p, n);
	return n;
}

/* dbt: test -> 'test' name '(' params ')' '%}' body 'endtest' (defines macro test_<name>) */
static struct jj_node *parse_dbt_test(struct parser *p, uint32_t off, const char *const *end)
{
	struct jj_node *n = mknode(p, S_MACRO, off, 4);
	struct jj_macrodef *m = ARENA_NEW(p->a, struct jj_macrodef);
	n->macro = m;
	struct jj_name name = expect_ident(p);
	char *full = arena_sprintf(p->a, "test_%s", name.s);
	m->name = mkname(p, full, strlen(full));
	m->flags |= MF_DBT;
	parse_signature(p, m);
	parse_macro_body(p, m, end);
	add_def(p, n);
	return n;
}

/* dbt: snapshot -> 'snapshot' name '%}' body 'endsnapshot' */
static struct jj_node *parse_snapshot(struct parser *p, uint32_t off)
{
	struct jj_node *n = mknode(p, S_SNAPSHOT, off, 8);
	n->block.name = expect_ident(p);
	bool soft = p->soft;
	p->soft = false;
	n->block.body = parse_statements(p, END_SNAPSHOT, true);
	p->soft = soft;
	add_def(p, n);
	return n;
}

/* dbt: docs -> 'docs' name '%}' raw text 'enddocs' */
static struct jj_node *parse_docs(struct parser *p, uint32_t off)
{
	struct jj_node *n = mknode(p, S_DOCS, off, 4);
	n->block.name = expect_ident(p);
	/* the body is raw text up to {% enddocs %}: the lexer is positioned right after the name */
	if (p->have_ahead)
		BUG("lookahead before a docs body");
	if (p->cur.type != T_BLOCK_END)
		fail(p, "expected token 'end of statement block', got '%s'", describe(p, &p->cur));
	jj_lex_raw_until(&p->lx, "enddocs", &n->block.raw, &n->block.rawlen,
			 "Unexpected end of template. Jinja was looking for the following tags: 'enddocs'.");
	/* fabricate the block end the statement loop expects */
	p->cur.type = T_BLOCK_END;
	add_def(p, n);
	return n;
}

static struct jj_node *parse_statement(struct parser *p)
{
	struct jj_token t = p->cur;
	if (t.type != T_NAME)
		fail(p, "tag name expected");
	if (p->ntags >= MAX_NEST || p->depth >= MAX_NEST)
		fail(p, "statements too deeply nested");
	char *tag = arena_strndup(p->a, t.s, t.n);
	p->tags[p->ntags++] = tag;
	p->depth++;
	next(p);
	uint32_t off = t.off;
	struct jj_node *n = NULL;
	if (!strcmp(tag, "for")) {
		n = parse_for(p, off);
	} else if (!strcmp(tag, "if")) {
		n = parse_if(p, off);
	} else if (!strcmp(tag, "block")) {
		n = parse_block(p, off);
	} else if (!strcmp(tag, "extends")) {
		n = mknode(p, S_EXTENDS, off, 7);
		n->expr = parse_expression(p, true);
		p->t->has_extends = true;
	} else if (!strcmp(tag, "print")) {
		n = mknode(p, S_OUTPUT, off, 5);
		struct nbuf items = {0};
		while (p->cur.type != T_BLOCK_END) {
			if (items.n)
				expect(p, T_COMMA);
			nb_push(p, &items, parse_expression(p, true));
		}
		if (items.n == 1) {
			n->expr = items.v[0]; /* in the parser's scratch: copy the pointer only */
		} else {
			/* several expressions print one after the other */
			struct jj_node *c = mknode(p, N_CONCAT, off, 5);
			c->items = nb_list(p, &items);
			n->expr = c;
		}
	} else if (!strcmp(tag, "macro")) {
		n = parse_macro(p, off);
	} else if (!strcmp(tag, "include")) {
		n = parse_include(p, off);
	} else if (!strcmp(tag, "from")) {
		n = parse_from(p, off);
	} else if (!strcmp(tag, "import")) {
		n = parse_import(p, off);
	} else if (!strcmp(tag, "set")) {
		n = parse_set(p, off);
	} else if (!strcmp(tag, "with")) {
		n = parse_with(p, off);
	} else if (!strcmp(tag, "autoescape")) {
		n = mknode(p, S_AUTOESCAPE, off, 10);
		n->autoescape.value = parse_expression(p, true);
		n->autoescape.body = parse_statements(p, END_AUTOESC, true);
	} else if (!strcmp(tag, "call")) {
		n = parse_call_block(p, off);
	} else if (!strcmp(tag, "filter")) {
		n = parse_filter_block(p, off);
	} else if (!strcmp(tag, "do")) {
		n = mknode(p, S_DO, off, 2);
		n->expr = parse_tuple(p, false, true, NULL, false, false);
	} else if (!strcmp(tag, "break") || !strcmp(tag, "continue")) {
		if (!p->loops)
			fail_at(p, t.off, t.len, tag[0] == 'b' ? "'break' outside loop" :
								  "'continue' not properly in loop");
		n = mknode(p, tag[0] == 'b' ? S_BREAK : S_CONTINUE, off, t.len);
	} else if (!strcmp(tag, "materialization")) {
		n = parse_materialization(p, off);
	} else if (!strcmp(tag, "test")) {
		n = parse_dbt_test(p, off, END_TEST);
	} else if (!strcmp(tag, "data_test")) {
		n = parse_dbt_test(p, off, END_DATATEST);
	} else if (!strcmp(tag, "snapshot")) {
		n = parse_snapshot(p, off);
	} else if (!strcmp(tag, "docs")) {
		n = parse_docs(p, off);
	} else {
		p->ntags--;
		fail_unknown(p, tag, t.off, t.len, NULL);
	}
	p->ntags--;
	p->depth--;
	return n;
}

static struct jj_nodelist subparse(struct parser *p, const char *const *end_tokens)
{
	struct nbuf body = {0};
	if (end_tokens) {
		if (p->nends >= MAX_NEST)
			fail(p, "statements too deeply nested");
		p->ends[p->nends++] = end_tokens;
	}
	while (p->cur.type != T_EOF) {
		struct jj_token t = p->cur;
		if (t.type == T_DATA) {
			struct jj_node *n = mknode(p, S_DATA, t.off, t.len);
			n->data.text = t.s;
			n->data.len = t.n;
			nb_push(p, &body, n);
			next(p);
		} else if (t.type == T_VAR_BEGIN) {
			next(p);
			struct jj_node *n = mknode(p, S_OUTPUT, t.off, t.len);
			n->expr = parse_tuple(p, false, true, NULL, false, false);
			expect(p, T_VAR_END);
			nb_push(p, &body, n);
		} else if (t.type == T_BLOCK_BEGIN) {
			next(p);
			if (end_tokens && p->cur.type == T_NAME)
				for (const char *const *e = end_tokens; *e; e++)
					if (is_name(p, *e))
						goto done;
			nb_push(p, &body, parse_statement(p));
			expect(p, T_BLOCK_END);
		} else {
			fail(p, "unexpected '%s'", describe(p, &t));
		}
	}
done:
	if (end_tokens)
		p->nends--;
	return nb_list(p, &body);
}

int jj_parse_template(struct jj_env *env, struct arena *a, const char *name, uint32_t file,
		      const char *text, size_t len, struct jj_template **pt, struct diag_list *dl)
{
	struct parser *p = xcalloc(1, sizeof(*p));
	struct jj_template *t = ARENA_NEW(a, struct jj_template);
	t->env = env;
	t->name = arena_strdup(a, name ? name : "<template>");
	t->file = file;
	t->src = text;
	t->len = len;
	p->env = env;
	p->a = a;
	p->t = t;
	p->dl = dl;
	arena_init(&p->tmp, 16 * 1024);
	int rc = 0;
	if (setjmp(p->err)) {
		rc = -1;
		goto out;
	}
	jj_lex_init(&p->lx, text, len, file, a, dl, &p->err);
	next(p);
	t->body = subparse(p, NULL);
	t->blocks = p->blocks;
	t->nblocks = p->nblocks;
	t->defs = p->defs;
	t->ndefs = p->ndefs;
	*pt = t;
out:
	arena_release(&p->tmp);
	free(p);
	return rc;
}
