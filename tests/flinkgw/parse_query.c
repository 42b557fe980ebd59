/*
 * Flink SQL parser, queries: WITH, SELECT, VALUES, UNION / INTERSECT / EXCEPT, ORDER BY, LIMIT,
 * OFFSET and FETCH, and the FROM clause (tables with OPTIONS hints and FOR SYSTEM_TIME AS OF,
 * subqueries, LATERAL, window TVFs, UNNEST, joins). Queries nest inside statements and inside
 * expressions (scalar, IN and EXISTS subqueries), so they are a file of their own that both use.
 */
#include <string.h>

#include "parse.h"

/* ------------------------------------------------------------------ queries */

static struct tref *from_clause(struct ps *p);

/* order -> e [ASC|DESC] [NULLS FIRST|LAST] (',' ...)* */
struct order *ps_order_list(struct ps *p, int *pn)
{
	VEC(struct order) v = {0};
	do {
		struct order o = {0};
		o.e = ps_expr(p);
		if (!o.e) {
			VEC_FREE(&v);
			return NULL;
		}
		if (accept_kw(p, "DESC"))
			o.desc = true;
		else
			accept_kw(p, "ASC");
		if (accept_kw(p, "NULLS")) {
			if (accept_kw(p, "FIRST"))
				o.nulls = 1;
			else if (accept_kw(p, "LAST"))
				o.nulls = 2;
			else {
				fail(p, "\"FIRST\"|\"LAST\"");
				VEC_FREE(&v);
				return NULL;
			}
		}
		VEC_PUSH(&v, o);
	} while (accept_op(p, ","));
	struct order *out = ARENA_ARRAY(p->a, struct order, v.n);
	memcpy(out, v.v, sizeof(*out) * v.n);
	*pn = (int)v.n;
	VEC_FREE(&v);
	return out;
}

static bool alias_follows(struct ps *p)
{
	return is_ident(p);
}

/* hint -> OPTIONS '(' 'k' '=' 'v' (',' 'k' '=' 'v')* ')' inside a hint comment; other hints are ignored */
static int table_hint(struct ps *p, struct tref *t)
{
	struct token *h = tok(p);
	advance(p);
	struct ferr e2 = {0};
	struct ps q = {0};
	q.a = p->a;
	q.e = &e2;
	if (lex_sql(p->a, h->val, &q.lx, &e2)) {
		ferr_release(&e2);
		return 0;
	}
	VEC(struct fopt) v = {0};
	while (tok(&q)->kind != TK_EOF) {
		if (is_kw(&q, "OPTIONS")) {
			advance(&q);
			int n = 0;
			struct fopt *o = ps_options(&q, &n);
			if (!o) {
				ferr_release(&e2);
				VEC_FREE(&v);
				p->i--;
				fail(p, NULL);
				return -1;
			}
			for (int i = 0; i < n; i++)
				VEC_PUSH(&v, o[i]);
		} else {
			/* another hint (LOOKUP, BROADCAST, ...): skip its arguments */
			advance(&q);
			if (is_op(&q, "(")) {
				int depth = 0;
				do {
					if (is_op(&q, "("))
						depth++;
					else if (is_op(&q, ")"))
						depth--;
					advance(&q);
				} while (depth > 0 && tok(&q)->kind != TK_EOF);
			}
		}
		accept_op(&q, ",");
	}
	ferr_release(&e2);
	if (v.n) {
		t->hints = ARENA_ARRAY(p->a, struct fopt, v.n);
		memcpy(t->hints, v.v, sizeof(struct fopt) * v.n);
		t->nhints = (int)v.n;
	}
	VEC_FREE(&v);
	return 0;
}

static int table_alias(struct ps *p, struct tref *t)
{
	if (accept_kw(p, "AS") || alias_follows(p)) {
		t->alias = ident(p);
		if (!t->alias)
			return -1;
		if (is_op(p, "(")) {
			t->acols = ps_ident_list(p, &t->nacols);
			if (!t->acols)
				return -1;
		}
	}
	return 0;
}

/*
 * from_primary -> name [hint] [FOR SYSTEM_TIME AS OF e] [[AS] alias ['(' cols ')']]
 *               | [LATERAL] '(' query ')' [AS] alias ['(' cols ')'] | '(' from ')'
 *               | [LATERAL] TABLE '(' TVF '(' args ')' ')' [[AS] alias]
 *               | UNNEST '(' e ')' [WITH ORDINALITY] [AS] alias ['(' cols ')']
 */
static struct tref *from_primary(struct ps *p)
{
	struct tref *t = ARENA_NEW(p->a, struct tref);
	t->pos = tok(p)->off;
	bool lateral = accept_kw(p, "LATERAL");
	if (is_kw(p, "TABLE") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(")) {
		advance(p);
		advance(p);
		t->k = T_TVF;
		t->lateral = lateral;
		if (tok(p)->kind != TK_IDENT) {
			fail(p, NULL);
			return NULL;
		}
		t->fn = tok(p)->val;
		advance(p);
		if (!expect_op(p, "("))
			return NULL;
		VEC(struct node *) v = {0};
		if (!is_op(p, ")")) {
			do {
				/* named arguments (DATA => TABLE t) are accepted and kept in order */
				if ((tok(p)->kind == TK_IDENT) && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "=>")) {
					advance(p);
					advance(p);
				}
				struct node *x = ps_expr(p);
				if (!x) {
					VEC_FREE(&v);
					return NULL;
				}
				VEC_PUSH(&v, x);
			} while (accept_op(p, ","));
		}
		t->args = ARENA_ARRAY(p->a, struct node *, v.n + 1);
		if (v.n)
			memcpy(t->args, v.v, sizeof(struct node *) * v.n);
		t->nargs = (int)v.n;
		VEC_FREE(&v);
		if (!expect_op(p, ")") || !expect_op(p, ")"))
			return NULL;
		if (table_alias(p, t))
			return NULL;
	} else if (is_kw(p, "UNNEST")) {
		advance(p);
		t->k = T_UNNEST;
		if (!expect_op(p, "("))
			return NULL;
		t->args = ps_node_list(p, &t->nargs, ")");
		if (p->failed || !expect_op(p, ")"))
			return NULL;
		if (accept_kw(p, "WITH") && !expect_kw(p, "ORDINALITY"))
			return NULL;
		if (table_alias(p, t))
			return NULL;
	} else if (is_op(p, "(")) {
		advance(p);
		if (starts_query(p) || is_op(p, "(")) {
			int save = p->i;
			if (starts_query(p)) {
				t->k = T_SUBQ;
				t->q = ps_query(p);
				if (!t->q || !expect_op(p, ")"))
					return NULL;
			} else {
				/* nested parentheses: a query or a join */
				struct tref *inner = from_clause(p);
				if (!inner) {
					if (p->failed)
						return NULL;
					p->i = save;
				}
				if (!expect_op(p, ")"))
					return NULL;
				t = inner;
				return t;
			}
		} else {
			struct tref *inner = from_clause(p);
			if (!inner || !expect_op(p, ")"))
				return NULL;
			return inner;
		}
		t->lateral = lateral;
		if (table_alias(p, t))
			return NULL;
	} else {
		t->k = T_TABLE;
		t->parts = ps_compound(p, &t->nparts);
		if (!t->parts)
			return NULL;
		if (tok(p)->kind == TK_HINT && table_hint(p, t))
			return NULL;
		if (is_kw(p, "FOR") && tk_kw(peek(p, 1), "SYSTEM_TIME")) {
			advance(p);
			advance(p);
			if (!expect_kw(p, "AS") || !expect_kw(p, "OF"))
				return NULL;
			t->systime = ps_add_expr(p);
			if (!t->systime)
				return NULL;
		}
		if (table_alias(p, t))
			return NULL;
	}
	struct token *prev = &p->lx.t[p->i - 1];
	t->end = prev->off + prev->n;
	return t;
}

/* from -> from_primary ((',' from_primary) | join_type JOIN from_primary [ON e | USING '(' ids ')'])* */
static struct tref *from_clause(struct ps *p)
{
	struct tref *l = from_primary(p);
	while (l) {
		const char *jt = NULL;
		bool natural = false;
		if (accept_op(p, ",")) {
			jt = "CROSS";
		} else {
			if (accept_kw(p, "NATURAL"))
				natural = true;
			if (accept_kw(p, "INNER"))
				jt = "INNER";
			else if (accept_kw(p, "LEFT"))
				jt = "LEFT";
			else if (accept_kw(p, "RIGHT"))
				jt = "RIGHT";
			else if (accept_kw(p, "FULL"))
				jt = "FULL";
			else if (accept_kw(p, "CROSS"))
				jt = "CROSS";
			if (jt && strcmp(jt, "INNER") && strcmp(jt, "CROSS"))
				accept_kw(p, "OUTER");
			if (!jt && is_kw(p, "JOIN"))
				jt = "INNER";
			if (!jt) {
				if (natural) {
					fail(p, "\"JOIN\"");
					return NULL;
				}
				break;
			}
			if (!expect_kw(p, "JOIN"))
				return NULL;
		}
		struct tref *r = from_primary(p);
		if (!r)
			return NULL;
		struct tref *j = ARENA_NEW(p->a, struct tref);
		j->k = T_JOIN;
		j->pos = l->pos;
		j->jtype = jt;
		j->natural = natural;
		j->l = l;
		j->r = r;
		if (strcmp(jt, "CROSS") && !natural) {
			if (accept_kw(p, "ON")) {
				j->on = ps_expr(p);
				if (!j->on)
					return NULL;
			} else if (accept_kw(p, "USING")) {
				j->usingc = ps_ident_list(p, &j->nusing);
				if (!j->usingc)
					return NULL;
			} else if (!r->lateral) {
				fail(p, "\"ON\"|\"USING\"");
				return NULL;
			}
		}
		struct token *prev = &p->lx.t[p->i - 1];
		j->end = prev->off + prev->n;
		l = j;
	}
	return l;
}

/* select -> SELECT [hint] [DISTINCT|ALL] items [FROM from] [WHERE e] [GROUP BY es] [HAVING e] */
static struct query *select_q(struct ps *p)
{
	struct query *q = ARENA_NEW(p->a, struct query);
	q->k = Q_SELECT;
	q->pos = tok(p)->off;
	if (!expect_kw(p, "SELECT"))
		return NULL;
	while (tok(p)->kind == TK_HINT)
		advance(p);
	if (accept_kw(p, "DISTINCT"))
		q->distinct = true;
	else
		accept_kw(p, "ALL");
	VEC(struct sitem) items = {0};
	do {
		struct sitem it = {0};
		it.e = ps_expr(p);
		if (!it.e) {
			VEC_FREE(&items);
			return NULL;
		}
		if (it.e->k != N_STAR && (accept_kw(p, "AS") || alias_follows(p))) {
			if (tok(p)->kind == TK_STRING) {
				it.alias = string_lit(p);
			} else {
				it.alias = ident(p);
				if (!it.alias) {
					VEC_FREE(&items);
					return NULL;
				}
			}
		}
		VEC_PUSH(&items, it);
	} while (accept_op(p, ","));
	q->items = ARENA_ARRAY(p->a, struct sitem, items.n);
	memcpy(q->items, items.v, sizeof(struct sitem) * items.n);
	q->nitems = (int)items.n;
	VEC_FREE(&items);
	if (accept_kw(p, "FROM")) {
		q->from = from_clause(p);
		if (!q->from)
			return NULL;
	}
	if (accept_kw(p, "WHERE")) {
		q->where = ps_expr(p);
		if (!q->where)
			return NULL;
	}
	if (accept_kw(p, "GROUP")) {
		if (!expect_kw(p, "BY"))
			return NULL;
		if (is_kw(p, "GROUPING") || is_kw(p, "ROLLUP") || is_kw(p, "CUBE")) {
			fail(p, NULL);
			return NULL;
		}
		q->group = ps_node_list(p, &q->ngroup, ")");
		if (p->failed)
			return NULL;
		if (!q->ngroup) {
			fail(p, NULL);
			return NULL;
		}
	}
	if (accept_kw(p, "HAVING")) {
		q->having = ps_expr(p);
		if (!q->having)
			return NULL;
	}
	if (is_kw(p, "WINDOW") || is_kw(p, "QUALIFY")) {
		fail(p, NULL);
		return NULL;
	}
	return q;
}

/* values -> VALUES row (',' row)* ; row -> [ROW] '(' e (',' e)* ')' | e
 * (Calcite's RowConstructor: `ROW(1, 'a')` is the same row as `(1, 'a')`, and Flink's expanded
 * view text writes every row that way) */
static struct query *values_q(struct ps *p)
{
	struct query *q = ARENA_NEW(p->a, struct query);
	q->k = Q_VALUES;
	q->pos = tok(p)->off;
	advance(p);
	VEC(struct node *) rows = {0};
	do {
		int pos = tok(p)->off;
		struct node *r = mk(p, N_ROW, pos);
		if (is_kw(p, "ROW") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "("))
			advance(p);
		if (accept_op(p, "(")) {
			r->args = ps_node_list(p, &r->nargs, ")");
			if (p->failed || !expect_op(p, ")")) {
				VEC_FREE(&rows);
				return NULL;
			}
		} else {
			r->args = ARENA_ARRAY(p->a, struct node *, 1);
			r->args[0] = ps_expr(p);
			r->nargs = 1;
			if (!r->args[0]) {
				VEC_FREE(&rows);
				return NULL;
			}
		}
		finish(p, r);
		VEC_PUSH(&rows, r);
	} while (accept_op(p, ","));
	q->rows = ARENA_ARRAY(p->a, struct node *, rows.n);
	memcpy(q->rows, rows.v, sizeof(struct node *) * rows.n);
	q->nrows = (int)rows.n;
	VEC_FREE(&rows);
	return q;
}

static struct query *query_primary(struct ps *p)
{
	if (is_kw(p, "SELECT"))
		return select_q(p);
	if (is_kw(p, "VALUES"))
		return values_q(p);
	if (is_op(p, "(")) {
		advance(p);
		struct query *q = ps_query(p);
		if (!q || !expect_op(p, ")"))
			return NULL;
		return q;
	}
	fail(p, "\"SELECT\"|\"VALUES\"|\"WITH\"|\"(\"");
	return NULL;
}

static struct query *setop(struct ps *p, const char *op, struct query *l, struct query *r, bool all)
{
	struct query *q = ARENA_NEW(p->a, struct query);
	q->k = Q_SETOP;
	q->pos = l->pos;
	q->op = op;
	q->all = all;
	q->l = l;
	q->r = r;
	return q;
}

static struct query *query_term(struct ps *p)
{
	struct query *l = query_primary(p);
	while (l && is_kw(p, "INTERSECT")) {
		advance(p);
		bool all = accept_kw(p, "ALL");
		if (!all)
			accept_kw(p, "DISTINCT");
		struct query *r = query_primary(p);
		if (!r)
			return NULL;
		l = setop(p, "INTERSECT", l, r, all);
	}
	return l;
}

/* query -> [WITH cte (',' cte)*] body [ORDER BY order] [LIMIT n] [OFFSET n [ROWS]] [FETCH FIRST n ROWS ONLY] */
struct query *ps_query(struct ps *p)
{
	int pos = tok(p)->off;
	VEC(struct cte) ctes = {0};
	if (accept_kw(p, "WITH")) {
		do {
			struct cte c = {0};
			c.name = ident(p);
			if (!c.name)
				goto bad;
			if (is_op(p, "(")) {
				c.cols = ps_ident_list(p, &c.ncols);
				if (!c.cols)
					goto bad;
			}
			if (!expect_kw(p, "AS") || !expect_op(p, "("))
				goto bad;
			c.q = ps_query(p);
			if (!c.q || !expect_op(p, ")"))
				goto bad;
			VEC_PUSH(&ctes, c);
		} while (accept_op(p, ","));
	}
	struct query *q = query_term(p);
	if (!q)
		goto bad;
	while (is_kw(p, "UNION") || is_kw(p, "EXCEPT") || is_kw(p, "MINUS")) {
		const char *op = is_kw(p, "UNION") ? "UNION" : "EXCEPT";
		advance(p);
		bool all = accept_kw(p, "ALL");
		if (!all)
			accept_kw(p, "DISTINCT");
		struct query *r = query_term(p);
		if (!r)
			goto bad;
		q = setop(p, op, q, r, all);
	}
	if (ctes.n) {
		if (q->nctes) {
			/* WITH around a parenthesised WITH: wrap */
			struct query *w = ARENA_NEW(p->a, struct query);
			w->k = Q_SETOP;
			w->op = NULL;
			w->l = q;
			q = w;
		}
		q->ctes = ARENA_ARRAY(p->a, struct cte, ctes.n);
		memcpy(q->ctes, ctes.v, sizeof(struct cte) * ctes.n);
		q->nctes = (int)ctes.n;
	}
	VEC_FREE(&ctes);
	if (is_kw(p, "ORDER")) {
		advance(p);
		if (!expect_kw(p, "BY"))
			return NULL;
		struct order *o;
		int n;
		o = ps_order_list(p, &n);
		if (!o)
			return NULL;
		if (q->nord || q->limit) {
			struct query *w = ARENA_NEW(p->a, struct query);
			w->k = Q_SETOP;
			w->l = q;
			q = w;
		}
		q->ord = o;
		q->nord = n;
	}
	if (accept_kw(p, "LIMIT")) {
		q->limit = ps_add_expr(p);
		if (!q->limit)
			return NULL;
	}
	if (accept_kw(p, "OFFSET")) {
		q->offset = ps_add_expr(p);
		if (!q->offset)
			return NULL;
		if (!accept_kw(p, "ROWS"))
			accept_kw(p, "ROW");
	}
	if (accept_kw(p, "FETCH")) {
		if (!accept_kw(p, "FIRST") && !expect_kw(p, "NEXT"))
			return NULL;
		q->limit = ps_add_expr(p);
		if (!q->limit)
			return NULL;
		if (!accept_kw(p, "ROWS") && !expect_kw(p, "ROW"))
			return NULL;
		if (!expect_kw(p, "ONLY"))
			return NULL;
	}
	q->pos = pos;
	struct token *prev = &p->lx.t[p->i > 0 ? p->i - 1 : 0];
	q->end = prev->off + prev->n;
	return q;
bad:
	VEC_FREE(&ctes);
	return NULL;
}
