/*
 * The parser's state and the helpers shared by parse.c (expressions, tokens, nodes) and
 * parse_stmt.c (statements, tags, the entry point). Internal to src/jinja/.
 */
#ifndef SLUICE_JINJA_PARSE_H
#define SLUICE_JINJA_PARSE_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

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

/* A node list being parsed: grows in the parser's scratch arena, then nb_list() copies it */
struct nbuf {
	struct jj_node **v;
	uint32_t n, cap;
};

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

static inline uint32_t tok_end(const struct jj_token *t)
{
	return t->off + t->len;
}

/* extends a node's location to the end of the previous token */
static inline void span_to(struct jj_node *n, uint32_t end)
{
	if (end > n->loc.off)
		n->loc.len = end - n->loc.off;
}

_Noreturn void jjp_fail_at(struct parser *p, uint32_t off, uint32_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define fail(p, ...) jjp_fail_at((p), (p)->cur.off, (p)->cur.len, __VA_ARGS__)


/* tokens */
void jjp_next(struct parser *p);
const struct jj_token *jjp_look(struct parser *p);
bool jjp_skip_name(struct parser *p, const char *name);
bool jjp_skip_tok(struct parser *p, int type);
const char *jjp_describe(struct parser *p, const struct jj_token *t);
void jjp_expect(struct parser *p, int type);
void jjp_expect_name_kw(struct parser *p, const char *name);
struct jj_name jjp_expect_ident(struct parser *p);
/* nodes and lists */
struct jj_name jjp_mkname(struct parser *p, const char *s, size_t n);
struct jj_node *jjp_mknode(struct parser *p, int kind, uint32_t off, uint32_t len);
void jjp_nb_push(struct parser *p, struct nbuf *b, struct jj_node *x);
struct jj_nodelist jjp_nb_list(struct parser *p, struct nbuf *b);
/* expressions (parse.c) */
struct jj_node *jjp_parse_expression(struct parser *p, bool with_condexpr);
struct jj_node *jjp_parse_tuple(struct parser *p, bool simplified, bool with_condexpr,
				const char *const *extra_end, bool explicit_parens, bool with_ns);
struct jj_node *jjp_parse_primary(struct parser *p, bool with_ns);
struct jj_node *jjp_parse_filter(struct parser *p, struct jj_node *node, bool start_inline);

#endif
