/*
 * The Flink SQL parser's state and the helpers its files share: parse.c (errors, names, options,
 * statements, the entry point), parse_ddl.c (data types, CREATE TABLE / VIEW, definitions),
 * parse_expr.c (expressions) and parse_query.c (queries, FROM). Internal to those four files.
 *
 * The helpers that look at the current token are static inline here, so each file reads the
 * grammar as one file did; the rules one file calls in another are declared at the end with a
 * ps_ prefix. Everything a rule returns is allocated in the parser's arena (p->a); on a syntax
 * error a rule returns NULL (or -1) with the error in p->e, set once (p->failed).
 */
#ifndef FLINKGW_PARSE_H
#define FLINKGW_PARSE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fgi.h"

struct ps {
	struct arena *a;
	struct lexed lx;
	int i;
	struct ferr *e;
	bool failed;
	int version;
	bool confluent;  /* Confluent Cloud's dialect (FG_PARSE_CONFLUENT) */
};

/* Calcite's reserved words that matter here (never an unquoted identifier) */
bool ps_is_reserved(const char *w);

static inline struct token *tok(struct ps *p)
{
	return &p->lx.t[p->i];
}

static inline struct token *peek(struct ps *p, int k)
{
	int j = p->i + k;
	if (j >= p->lx.n)
		j = p->lx.n - 1;
	return &p->lx.t[j];
}

static inline bool tk_kw(const struct token *t, const char *kw)
{
	return t->kind == TK_IDENT && !strcasecmp(t->val, kw);
}

static inline bool is_kw(struct ps *p, const char *kw)
{
	return tk_kw(tok(p), kw);
}

static inline bool is_op(struct ps *p, const char *op)
{
	return tok(p)->kind == TK_OP && !strcmp(tok(p)->val, op);
}

static inline void advance(struct ps *p)
{
	if (tok(p)->kind != TK_EOF)
		p->i++;
}

static inline void fail(struct ps *p, const char *expecting)
{
	if (p->failed)
		return;
	p->failed = true;
	parse_error_at(p->e, p->lx.src, tok(p), expecting);
}

static inline void fail_validation(struct ps *p, const char *msg)
{
	if (p->failed)
		return;
	p->failed = true;
	ferr_add(p->e, EX_VALIDATION, "%s", msg);
}

static inline bool accept_kw(struct ps *p, const char *kw)
{
	if (is_kw(p, kw)) {
		advance(p);
		return true;
	}
	return false;
}

static inline bool expect_kw(struct ps *p, const char *kw)
{
	if (accept_kw(p, kw))
		return true;
	char ex[64];
	snprintf(ex, sizeof(ex), "\"%s\"", kw);
	fail(p, ex);
	return false;
}

static inline bool accept_op(struct ps *p, const char *op)
{
	if (is_op(p, op)) {
		advance(p);
		return true;
	}
	return false;
}

static inline bool expect_op(struct ps *p, const char *op)
{
	if (accept_op(p, op))
		return true;
	char ex[32];
	snprintf(ex, sizeof(ex), "\"%s\"", op);
	fail(p, ex);
	return false;
}

static inline bool is_ident(struct ps *p)
{
	struct token *t = tok(p);
	return t->kind == TK_QIDENT || (t->kind == TK_IDENT && !ps_is_reserved(t->val));
}

/* ident -> IDENT | `quoted` */
static inline const char *ident(struct ps *p)
{
	if (!is_ident(p)) {
		fail(p, "<IDENTIFIER>|<QUOTED_IDENTIFIER>");
		return NULL;
	}
	const char *s = tok(p)->val;
	advance(p);
	return s;
}

static inline const char *string_lit(struct ps *p)
{
	if (tok(p)->kind != TK_STRING) {
		fail(p, "<QUOTED_STRING>");
		return NULL;
	}
	const char *s = tok(p)->val;
	advance(p);
	return s;
}

static inline int parse_int(struct ps *p)
{
	if (tok(p)->kind != TK_NUMBER) {
		fail(p, "<UNSIGNED_INTEGER_LITERAL>");
		return -1;
	}
	int v = atoi(tok(p)->val);
	advance(p);
	return v;
}

static inline struct node *mk(struct ps *p, enum nkind k, int pos)
{
	struct node *n = ARENA_NEW(p->a, struct node);
	n->k = k;
	n->pos = pos;
	n->uprec = -1;
	return n;
}

static inline void finish(struct ps *p, struct node *n)
{
	if (!n)
		return;
	struct token *prev = &p->lx.t[p->i > 0 ? p->i - 1 : 0];
	n->end = prev->off + prev->n;
}

static inline bool starts_query(struct ps *p)
{
	return is_kw(p, "SELECT") || is_kw(p, "WITH") || is_kw(p, "VALUES");
}

/* ---- rules shared between the parser's files ---- */

/* parse.c */
const char **ps_compound(struct ps *p, int *pn);
const char **ps_ident_list(struct ps *p, int *pn);
struct fopt *ps_options(struct ps *p, int *pn);
bool ps_if_not_exists(struct ps *p, struct stmt *st);
bool ps_comment(struct ps *p, const char **pout);
bool ps_with_options(struct ps *p, struct fopt **popts, int *pn);
/* parse_ddl.c */
const char *ps_interval_unit_name(const char *w);
struct ftype *ps_data_type(struct ps *p);
struct stmt *ps_create_table(struct ps *p, struct stmt *st);
struct stmt *ps_create_view(struct ps *p, struct stmt *st);
struct stmt *ps_create_mt(struct ps *p, struct stmt *st);
/* parse_expr.c */
struct node *ps_expr(struct ps *p);
struct node *ps_add_expr(struct ps *p);
struct node **ps_node_list(struct ps *p, int *pn, const char *close);
/* parse_query.c */
struct order *ps_order_list(struct ps *p, int *pn);
struct query *ps_query(struct ps *p);

#endif
