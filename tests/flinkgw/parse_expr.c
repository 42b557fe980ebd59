/*
 * Flink SQL parser, expressions: literals (numbers, strings, typed and INTERVAL literals), names
 * and t.*, function calls (DISTINCT, FILTER (WHERE ...), OVER windows with frames), the forms
 * Calcite parses itself (CAST, TRY_CAST, EXTRACT, TIMESTAMPADD/DIFF, TRIM, POSITION, SUBSTRING,
 * CASE, EXISTS, ARRAY[...], MAP[...], ROW(...), DESCRIPTOR, TABLE t) and the operators from item
 * access up to OR, one function per precedence level. Expressions are the largest part of the
 * grammar and are used by every other part; subqueries call back into parse_query.c.
 */
#include <string.h>
#include <strings.h>

#include "parse.h"

/* ------------------------------------------------------------------ expressions */

struct node **ps_node_list(struct ps *p, int *pn, const char *close)
{
	VEC(struct node *) v = {0};
	if (!is_op(p, close)) {
		do {
			struct node *x = ps_expr(p);
			if (!x) {
				VEC_FREE(&v);
				return NULL;
			}
			VEC_PUSH(&v, x);
		} while (accept_op(p, ","));
	}
	struct node **out = ARENA_ARRAY(p->a, struct node *, v.n + 1);
	if (v.n)
		memcpy(out, v.v, sizeof(*out) * v.n);
	*pn = (int)v.n;
	VEC_FREE(&v);
	return out;
}

static const char *time_unit(struct ps *p)
{
	static const char *const units[] = {"YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE",
		"SECOND", "MILLISECOND", "MICROSECOND", "NANOSECOND", "DOW", "DOY", "EPOCH", "MILLENNIUM",
		"CENTURY", "DECADE", "ISODOW", "ISOYEAR", "SQL_TSI_DAY", NULL};
	struct token *t = tok(p);
	if (t->kind != TK_IDENT)
		return NULL;
	for (int i = 0; units[i]; i++) {
		size_t n = strlen(units[i]);
		if (!strncasecmp(t->val, units[i], n) &&
			(t->val[n] == 0 || ((t->val[n] == 's' || t->val[n] == 'S') && t->val[n + 1] == 0))) {
			advance(p);
			return units[i];
		}
	}
	return NULL;
}

/* window -> '(' [PARTITION BY e (',' e)*] [ORDER BY order] [(ROWS|RANGE) frame] ')' */
static int frame_bound(struct ps *p, struct node **pe)
{
	if (accept_kw(p, "UNBOUNDED")) {
		if (accept_kw(p, "PRECEDING"))
			return 1;
		if (accept_kw(p, "FOLLOWING"))
			return 5;
		fail(p, "\"PRECEDING\"|\"FOLLOWING\"");
		return -1;
	}
	if (accept_kw(p, "CURRENT")) {
		if (!expect_kw(p, "ROW"))
			return -1;
		return 3;
	}
	*pe = ps_expr(p);
	if (!*pe)
		return -1;
	if (accept_kw(p, "PRECEDING"))
		return 2;
	if (accept_kw(p, "FOLLOWING"))
		return 4;
	fail(p, "\"PRECEDING\"|\"FOLLOWING\"");
	return -1;
}

static struct window *window_spec(struct ps *p)
{
	if (!expect_op(p, "("))
		return NULL;
	struct window *w = ARENA_NEW(p->a, struct window);
	if (accept_kw(p, "PARTITION")) {
		if (!expect_kw(p, "BY"))
			return NULL;
		VEC(struct node *) v = {0};
		do {
			struct node *x = ps_expr(p);
			if (!x) {
				VEC_FREE(&v);
				return NULL;
			}
			VEC_PUSH(&v, x);
		} while (accept_op(p, ","));
		w->part = ARENA_ARRAY(p->a, struct node *, v.n);
		memcpy(w->part, v.v, sizeof(struct node *) * v.n);
		w->npart = (int)v.n;
		VEC_FREE(&v);
	}
	if (accept_kw(p, "ORDER")) {
		if (!expect_kw(p, "BY"))
			return NULL;
		w->ord = ps_order_list(p, &w->nord);
		if (!w->ord)
			return NULL;
	}
	if (is_kw(p, "ROWS") || is_kw(p, "RANGE")) {
		w->fkind = is_kw(p, "ROWS") ? "ROWS" : "RANGE";
		advance(p);
		if (accept_kw(p, "BETWEEN")) {
			w->lok = frame_bound(p, &w->lo);
			if (w->lok < 0 || !expect_kw(p, "AND"))
				return NULL;
			w->hik = frame_bound(p, &w->hi);
			if (w->hik < 0)
				return NULL;
		} else {
			w->lok = frame_bound(p, &w->lo);
			if (w->lok < 0)
				return NULL;
		}
	}
	if (!expect_op(p, ")"))
		return NULL;
	return w;
}

/* interval -> INTERVAL ['-'] 'text' unit ['(' p ')'] [TO unit ['(' p ')']] */
static struct node *interval_lit(struct ps *p, int pos)
{
	struct node *n = mk(p, N_INTERVAL, pos);
	bool neg = false;
	if (accept_op(p, "-"))
		neg = true;
	else
		accept_op(p, "+");
	if (tok(p)->kind != TK_STRING) {
		fail(p, "<QUOTED_STRING>");
		return NULL;
	}
	n->s = neg ? arena_sprintf(p->a, "-%s", tok(p)->val) : tok(p)->val;
	advance(p);
	const char *u = tok(p)->kind == TK_IDENT ? ps_interval_unit_name(tok(p)->val) : NULL;
	if (!u && is_kw(p, "WEEK"))
		u = "WEEK";
	if (!u) {
		fail(p, "\"YEAR\"|\"MONTH\"|\"DAY\"|\"HOUR\"|\"MINUTE\"|\"SECOND\"");
		return NULL;
	}
	advance(p);
	n->unit = u;
	if (accept_op(p, "(")) {
		n->uprec = parse_int(p);
		if (n->uprec < 0 || (accept_op(p, ",") && parse_int(p) < 0) || !expect_op(p, ")"))
			return NULL;
	}
	if (accept_kw(p, "TO")) {
		const char *u2 = tok(p)->kind == TK_IDENT ? ps_interval_unit_name(tok(p)->val) : NULL;
		if (!u2) {
			fail(p, "\"MONTH\"|\"HOUR\"|\"MINUTE\"|\"SECOND\"");
			return NULL;
		}
		advance(p);
		n->unit2 = u2;
		if (accept_op(p, "(") && (parse_int(p) < 0 || !expect_op(p, ")")))
			return NULL;
	}
	finish(p, n);
	return n;
}

/* function call -> name '(' [DISTINCT|ALL] [args | '*'] ')' [FILTER '(' WHERE e ')'] [OVER window] */
static struct node *func_call(struct ps *p, const char *name, int pos)
{
	struct node *n = mk(p, N_FUNC, pos);
	n->s = name;
	if (!expect_op(p, "("))
		return NULL;
	if (accept_kw(p, "DISTINCT"))
		n->flag = true;
	else
		accept_kw(p, "ALL");
	if (is_op(p, "*") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, ")")) {
		advance(p);
		n->star = true;
	} else {
		n->args = ps_node_list(p, &n->nargs, ")");
		if (p->failed)
			return NULL;
	}
	if (!expect_op(p, ")"))
		return NULL;
	if (accept_kw(p, "FILTER")) {
		if (!expect_op(p, "(") || !expect_kw(p, "WHERE"))
			return NULL;
		struct node *f = ps_expr(p);
		if (!f || !expect_op(p, ")"))
			return NULL;
		/* COUNT(x) FILTER (WHERE c) is kept as the last argument under flag unit "FILTER" */
		struct node **na = ARENA_ARRAY(p->a, struct node *, n->nargs + 1);
		if (n->nargs)
			memcpy(na, n->args, sizeof(*na) * n->nargs);
		na[n->nargs++] = f;
		n->args = na;
		n->unit = "FILTER";
	}
	if (accept_kw(p, "OVER")) {
		if (is_ident(p)) {
			fail(p, "\"(\"");
			return NULL;
		}
		n->over = window_spec(p);
		if (!n->over)
			return NULL;
	}
	finish(p, n);
	return n;
}

/* case -> CASE [e] (WHEN e THEN e)+ [ELSE e] END ; args: [operand|NULL], when, then, ..., [else] */
static struct node *case_expr(struct ps *p, int pos)
{
	struct node *n = mk(p, N_CASE, pos);
	VEC(struct node *) v = {0};
	struct node *operand = NULL;
	if (!is_kw(p, "WHEN")) {
		operand = ps_expr(p);
		if (!operand)
			goto bad;
	}
	VEC_PUSH(&v, operand);
	if (!is_kw(p, "WHEN")) {
		fail(p, "\"WHEN\"");
		goto bad;
	}
	while (accept_kw(p, "WHEN")) {
		struct node *w = ps_expr(p);
		if (!w || !expect_kw(p, "THEN"))
			goto bad;
		struct node *t = ps_expr(p);
		if (!t)
			goto bad;
		VEC_PUSH(&v, w);
		VEC_PUSH(&v, t);
	}
	if (accept_kw(p, "ELSE")) {
		struct node *el = ps_expr(p);
		if (!el)
			goto bad;
		VEC_PUSH(&v, el);
		n->flag = true;  /* has ELSE */
	}
	if (!expect_kw(p, "END"))
		goto bad;
	n->args = ARENA_ARRAY(p->a, struct node *, v.n);
	memcpy(n->args, v.v, sizeof(struct node *) * v.n);
	n->nargs = (int)v.n;
	VEC_FREE(&v);
	finish(p, n);
	return n;
bad:
	VEC_FREE(&v);
	return NULL;
}

static struct node *primary(struct ps *p)
{
	struct token *t = tok(p);
	int pos = t->off;
	struct node *n;
	switch (t->kind) {
	case TK_NUMBER:
		n = mk(p, N_NUM, pos);
		n->s = t->val;
		advance(p);
		finish(p, n);
		return n;
	case TK_STRING:
		n = mk(p, (t->p[0] == 'X' || t->p[0] == 'x') ? N_BINSTR : N_STR, pos);
		n->s = t->val;
		advance(p);
		finish(p, n);
		return n;
	case TK_OP:
		if (is_op(p, "(")) {
			advance(p);
			if (starts_query(p)) {
				n = mk(p, N_SUBQ, pos);
				n->q = ps_query(p);
				if (!n->q || !expect_op(p, ")"))
					return NULL;
				finish(p, n);
				return n;
			}
			struct node *first = ps_expr(p);
			if (!first)
				return NULL;
			if (accept_op(p, ",")) {
				n = mk(p, N_ROW, pos);
				int cnt = 0;
				struct node **rest = ps_node_list(p, &cnt, ")");
				if (p->failed)
					return NULL;
				n->args = ARENA_ARRAY(p->a, struct node *, cnt + 1);
				n->args[0] = first;
				memcpy(n->args + 1, rest, sizeof(*rest) * cnt);
				n->nargs = cnt + 1;
				if (!expect_op(p, ")"))
					return NULL;
				finish(p, n);
				return n;
			}
			if (!expect_op(p, ")"))
				return NULL;
			/* keep the parentheses for unparsing */
			n = mk(p, N_UN, pos);
			n->s = "()";
			n->args = ARENA_ARRAY(p->a, struct node *, 1);
			n->args[0] = first;
			n->nargs = 1;
			finish(p, n);
			return n;
		}
		if (is_op(p, "*")) {
			advance(p);
			n = mk(p, N_STAR, pos);
			finish(p, n);
			return n;
		}
		fail(p, NULL);
		return NULL;
	case TK_QIDENT:
	case TK_IDENT:
		break;
	default:
		fail(p, NULL);
		return NULL;
	}
	const char *w = t->kind == TK_IDENT ? t->val : NULL;
	if (w) {
		if (!strcasecmp(w, "NULL")) {
			advance(p);
			n = mk(p, N_NULL, pos);
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "TRUE") || !strcasecmp(w, "FALSE")) {
			advance(p);
			n = mk(p, N_BOOL, pos);
			n->flag = !strcasecmp(w, "TRUE");
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "INTERVAL")) {
			advance(p);
			return interval_lit(p, pos);
		}
		if ((!strcasecmp(w, "DATE") || !strcasecmp(w, "TIME") || !strcasecmp(w, "TIMESTAMP") ||
			!strcasecmp(w, "TIMESTAMP_LTZ")) && peek(p, 1)->kind == TK_STRING) {
			advance(p);
			n = mk(p, N_TYPED, pos);
			n->unit = !strcasecmp(w, "DATE") ? "DATE" : !strcasecmp(w, "TIME") ? "TIME" :
				!strcasecmp(w, "TIMESTAMP") ? "TIMESTAMP" : "TIMESTAMP_LTZ";
			n->s = tok(p)->val;
			advance(p);
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "CASE")) {
			advance(p);
			return case_expr(p, pos);
		}
		if ((!strcasecmp(w, "CAST") || !strcasecmp(w, "TRY_CAST")) && peek(p, 1)->kind == TK_OP &&
			!strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			advance(p);
			n = mk(p, N_CAST, pos);
			n->flag = !strcasecmp(w, "TRY_CAST");
			n->args = ARENA_ARRAY(p->a, struct node *, 1);
			n->args[0] = ps_expr(p);
			n->nargs = 1;
			if (!n->args[0] || !expect_kw(p, "AS"))
				return NULL;
			n->type = ps_data_type(p);
			if (!n->type || !expect_op(p, ")"))
				return NULL;
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "EXTRACT") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			advance(p);
			n = mk(p, N_EXTRACT, pos);
			n->unit = time_unit(p);
			if (!n->unit) {
				fail(p, "\"YEAR\"|\"MONTH\"|\"DAY\"|\"HOUR\"|\"MINUTE\"|\"SECOND\"");
				return NULL;
			}
			if (!expect_kw(p, "FROM"))
				return NULL;
			n->args = ARENA_ARRAY(p->a, struct node *, 1);
			n->args[0] = ps_expr(p);
			n->nargs = 1;
			if (!n->args[0] || !expect_op(p, ")"))
				return NULL;
			finish(p, n);
			return n;
		}
		if ((!strcasecmp(w, "TIMESTAMPADD") || !strcasecmp(w, "TIMESTAMPDIFF")) &&
			peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			advance(p);
			n = mk(p, N_FUNC, pos);
			n->s = !strcasecmp(w, "TIMESTAMPADD") ? "TIMESTAMPADD" : "TIMESTAMPDIFF";
			n->unit = time_unit(p);
			if (!n->unit) {
				fail(p, "\"YEAR\"|\"MONTH\"|\"DAY\"|\"HOUR\"|\"MINUTE\"|\"SECOND\"");
				return NULL;
			}
			if (!expect_op(p, ","))
				return NULL;
			n->args = ps_node_list(p, &n->nargs, ")");
			if (p->failed || !expect_op(p, ")"))
				return NULL;
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "TRIM") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			advance(p);
			n = mk(p, N_TRIM, pos);
			n->unit = "BOTH";
			if (accept_kw(p, "BOTH"))
				n->unit = "BOTH";
			else if (accept_kw(p, "LEADING"))
				n->unit = "LEADING";
			else if (accept_kw(p, "TRAILING"))
				n->unit = "TRAILING";
			struct node *chars = NULL, *s = NULL;
			if (accept_kw(p, "FROM")) {
				s = ps_expr(p);
			} else {
				struct node *x = ps_expr(p);
				if (!x)
					return NULL;
				if (accept_kw(p, "FROM")) {
					chars = x;
					s = ps_expr(p);
				} else {
					s = x;
				}
			}
			if (!s || !expect_op(p, ")"))
				return NULL;
			n->args = ARENA_ARRAY(p->a, struct node *, 2);
			n->args[0] = s;
			n->args[1] = chars;
			n->nargs = 2;
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "POSITION") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			advance(p);
			n = mk(p, N_POSITION, pos);
			n->args = ARENA_ARRAY(p->a, struct node *, 2);
			n->nargs = 2;
			/* parse below IN precedence: additive expressions */
			n->args[0] = ps_add_expr(p);
			if (!n->args[0] || !expect_kw(p, "IN"))
				return NULL;
			n->args[1] = ps_expr(p);
			if (!n->args[1] || !expect_op(p, ")"))
				return NULL;
			finish(p, n);
			return n;
		}
		if ((!strcasecmp(w, "SUBSTRING") || !strcasecmp(w, "SUBSTR")) && peek(p, 1)->kind == TK_OP &&
			!strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			advance(p);
			n = mk(p, N_FUNC, pos);
			n->s = "SUBSTRING";
			struct node *s = ps_expr(p);
			if (!s)
				return NULL;
			struct node *a1 = NULL, *a2 = NULL;
			if (accept_kw(p, "FROM") || accept_op(p, ",")) {
				a1 = ps_expr(p);
				if (!a1)
					return NULL;
				if (accept_kw(p, "FOR") || accept_op(p, ",")) {
					a2 = ps_expr(p);
					if (!a2)
						return NULL;
				}
			}
			if (!expect_op(p, ")"))
				return NULL;
			n->args = ARENA_ARRAY(p->a, struct node *, 3);
			n->args[n->nargs++] = s;
			if (a1)
				n->args[n->nargs++] = a1;
			if (a2)
				n->args[n->nargs++] = a2;
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "EXISTS") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			advance(p);
			n = mk(p, N_EXISTS, pos);
			n->q = ps_query(p);
			if (!n->q || !expect_op(p, ")"))
				return NULL;
			finish(p, n);
			return n;
		}
		/* constructors: ARRAY[...], MAP[k, v, ...], ROW(...) */
		static const struct {
			const char *word, *open, *close;
			enum nkind kind;
		} ctors[] = {{"ARRAY", "[", "]", N_ARRAY}, {"MAP", "[", "]", N_MAP}, {"ROW", "(", ")", N_ROW}};
		for (size_t k = 0; k < sizeof(ctors) / sizeof(ctors[0]); k++) {
			if (strcasecmp(w, ctors[k].word) || peek(p, 1)->kind != TK_OP || strcmp(peek(p, 1)->val, ctors[k].open))
				continue;
			advance(p);
			advance(p);
			n = mk(p, ctors[k].kind, pos);
			n->args = ps_node_list(p, &n->nargs, ctors[k].close);
			if (p->failed || !expect_op(p, ctors[k].close))
				return NULL;
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "DESCRIPTOR") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(")) {
			advance(p);
			n = mk(p, N_DESCRIPTOR, pos);
			n->parts = ps_ident_list(p, &n->nparts);
			if (!n->parts)
				return NULL;
			finish(p, n);
			return n;
		}
		if (!strcasecmp(w, "TABLE") && (peek(p, 1)->kind == TK_IDENT || peek(p, 1)->kind == TK_QIDENT)) {
			advance(p);
			n = mk(p, N_TABLEARG, pos);
			n->tab = ARENA_NEW(p->a, struct tref);
			n->tab->k = T_TABLE;
			n->tab->pos = tok(p)->off;
			n->tab->parts = ps_compound(p, &n->tab->nparts);
			if (!n->tab->parts)
				return NULL;
			finish(p, n);
			n->tab->end = n->end;
			return n;
		}
		static const char *const niladic[] = {"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME",
			"LOCALTIMESTAMP", "LOCALTIME", "CURRENT_ROW_TIMESTAMP", "CURRENT_USER", "USER", NULL};
		for (int i = 0; niladic[i]; i++) {
			if (!strcasecmp(w, niladic[i])) {
				advance(p);
				n = mk(p, N_FUNC, pos);
				n->s = niladic[i];
				n->unit = "NILADIC";
				if (is_op(p, "(") && peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, ")")) {
					advance(p);
					advance(p);
					n->unit = NULL;
				}
				finish(p, n);
				return n;
			}
		}
		/* functions whose names are reserved words */
		if (ps_is_reserved(w) && !(peek(p, 1)->kind == TK_OP && !strcmp(peek(p, 1)->val, "(") &&
			(!strcasecmp(w, "LEFT") || !strcasecmp(w, "RIGHT")))) {
			fail(p, NULL);
			return NULL;
		}
	}
	/* identifier, compound identifier, t.*, or a function call */
	VEC(const char *) parts = {0};
	VEC_PUSH(&parts, t->val);
	advance(p);
	if (t->kind == TK_IDENT && is_op(p, "(")) {
		VEC_FREE(&parts);
		return func_call(p, t->val, pos);
	}
	bool star = false;
	while (is_op(p, ".")) {
		struct token *nx = peek(p, 1);
		if (nx->kind == TK_OP && !strcmp(nx->val, "*")) {
			advance(p);
			advance(p);
			star = true;
			break;
		}
		if (nx->kind != TK_IDENT && nx->kind != TK_QIDENT)
			break;
		advance(p);
		VEC_PUSH(&parts, tok(p)->val);
		advance(p);
	}
	if (!star && parts.n > 1 && is_op(p, "(")) {
		/* catalog function (cat.db.f(...)) are not supported: treat as call of the last part */
		const char *fname = parts.v[parts.n - 1];
		VEC_FREE(&parts);
		return func_call(p, fname, pos);
	}
	n = mk(p, star ? N_STAR : N_ID, pos);
	n->parts = ARENA_ARRAY(p->a, const char *, parts.n);
	memcpy(n->parts, parts.v, sizeof(const char *) * parts.n);
	n->nparts = (int)parts.n;
	VEC_FREE(&parts);
	finish(p, n);
	return n;
}

/* postfix -> primary ('[' e ']' | '.' ident)* */
static struct node *postfix(struct ps *p)
{
	struct node *n = primary(p);
	while (n && (is_op(p, "[") || (is_op(p, ".") && n->k != N_ID &&
		(peek(p, 1)->kind == TK_IDENT || peek(p, 1)->kind == TK_QIDENT)))) {
		if (accept_op(p, "[")) {
			struct node *it = mk(p, N_ITEM, n->pos);
			it->args = ARENA_ARRAY(p->a, struct node *, 2);
			it->args[0] = n;
			it->args[1] = ps_expr(p);
			it->nargs = 2;
			if (!it->args[1] || !expect_op(p, "]"))
				return NULL;
			finish(p, it);
			n = it;
		} else {
			advance(p);
			struct node *f = mk(p, N_ITEM, n->pos);
			f->s = tok(p)->val;  /* field access */
			advance(p);
			f->args = ARENA_ARRAY(p->a, struct node *, 1);
			f->args[0] = n;
			f->nargs = 1;
			finish(p, f);
			n = f;
		}
	}
	return n;
}

static struct node *unary(struct ps *p)
{
	if (is_op(p, "-") || is_op(p, "+")) {
		int pos = tok(p)->off;
		const char *op = tok(p)->val;
		advance(p);
		struct node *x = unary(p);
		if (!x)
			return NULL;
		if (x->k == N_NUM && !strcmp(op, "-")) {
			x->s = arena_sprintf(p->a, "-%s", x->s);
			x->pos = pos;
			return x;
		}
		struct node *n = mk(p, N_UN, pos);
		n->s = op;
		n->args = ARENA_ARRAY(p->a, struct node *, 1);
		n->args[0] = x;
		n->nargs = 1;
		finish(p, n);
		return n;
	}
	return postfix(p);
}

static struct node *binary(struct ps *p, const char *op, struct node *l, struct node *r)
{
	struct node *n = mk(p, N_BIN, l->pos);
	n->s = op;
	n->args = ARENA_ARRAY(p->a, struct node *, 2);
	n->args[0] = l;
	n->args[1] = r;
	n->nargs = 2;
	finish(p, n);
	return n;
}

static struct node *mul(struct ps *p)
{
	struct node *l = unary(p);
	while (l && (is_op(p, "*") || is_op(p, "/") || is_op(p, "%"))) {
		const char *op = tok(p)->val;
		advance(p);
		struct node *r = unary(p);
		if (!r)
			return NULL;
		l = binary(p, op, l, r);
	}
	return l;
}

struct node *ps_add_expr(struct ps *p)
{
	struct node *l = mul(p);
	while (l && (is_op(p, "+") || is_op(p, "-") || is_op(p, "||"))) {
		const char *op = tok(p)->val;
		advance(p);
		struct node *r = mul(p);
		if (!r)
			return NULL;
		l = binary(p, op, l, r);
	}
	return l;
}

/*
 * pred -> add [cmp add | IS [NOT] (NULL|TRUE|FALSE|UNKNOWN|DISTINCT FROM add)
 *             | [NOT] BETWEEN add AND add | [NOT] IN '(' (query | list) ')'
 *             | [NOT] (LIKE | SIMILAR TO) add [ESCAPE add]]
 */
static struct node *pred(struct ps *p)
{
	struct node *l = ps_add_expr(p);
	if (!l)
		return NULL;
	for (;;) {
		static const char *const cmps[] = {"=", "<>", "!=", "<", ">", "<=", ">=", NULL};
		bool matched = false;
		for (int i = 0; cmps[i]; i++) {
			if (is_op(p, cmps[i])) {
				const char *op = !strcmp(cmps[i], "!=") ? "<>" : cmps[i];
				advance(p);
				struct node *r = ps_add_expr(p);
				if (!r)
					return NULL;
				l = binary(p, op, l, r);
				matched = true;
				break;
			}
		}
		if (matched)
			continue;
		if (is_kw(p, "IS")) {
			advance(p);
			struct node *n = mk(p, N_IS, l->pos);
			n->flag = accept_kw(p, "NOT");
			if (accept_kw(p, "NULL"))
				n->s = "NULL";
			else if (accept_kw(p, "TRUE"))
				n->s = "TRUE";
			else if (accept_kw(p, "FALSE"))
				n->s = "FALSE";
			else if (accept_kw(p, "UNKNOWN"))
				n->s = "UNKNOWN";
			else if (accept_kw(p, "DISTINCT")) {
				if (!expect_kw(p, "FROM"))
					return NULL;
				n->s = "DISTINCT FROM";
				struct node *r = ps_add_expr(p);
				if (!r)
					return NULL;
				n->args = ARENA_ARRAY(p->a, struct node *, 2);
				n->args[0] = l;
				n->args[1] = r;
				n->nargs = 2;
				finish(p, n);
				l = n;
				continue;
			} else {
				fail(p, "\"NULL\"|\"TRUE\"|\"FALSE\"|\"UNKNOWN\"|\"DISTINCT\"");
				return NULL;
			}
			n->args = ARENA_ARRAY(p->a, struct node *, 1);
			n->args[0] = l;
			n->nargs = 1;
			finish(p, n);
			l = n;
			continue;
		}
		bool neg = false;
		int save = p->i;
		if (is_kw(p, "NOT") && (tk_kw(peek(p, 1), "BETWEEN") || tk_kw(peek(p, 1), "IN") ||
			tk_kw(peek(p, 1), "LIKE") || tk_kw(peek(p, 1), "SIMILAR"))) {
			advance(p);
			neg = true;
		}
		if (accept_kw(p, "BETWEEN")) {
			if (!accept_kw(p, "ASYMMETRIC"))
				accept_kw(p, "SYMMETRIC");
			struct node *n = mk(p, N_BETWEEN, l->pos);
			n->flag = neg;
			n->args = ARENA_ARRAY(p->a, struct node *, 3);
			n->args[0] = l;
			n->args[1] = ps_add_expr(p);
			if (!n->args[1] || !expect_kw(p, "AND"))
				return NULL;
			n->args[2] = ps_add_expr(p);
			if (!n->args[2])
				return NULL;
			n->nargs = 3;
			finish(p, n);
			l = n;
			continue;
		}
		if (accept_kw(p, "IN")) {
			struct node *n = mk(p, N_IN, l->pos);
			n->flag = neg;
			if (!expect_op(p, "("))
				return NULL;
			if (starts_query(p)) {
				n->q = ps_query(p);
				if (!n->q)
					return NULL;
				n->args = ARENA_ARRAY(p->a, struct node *, 1);
				n->args[0] = l;
				n->nargs = 1;
			} else {
				int cnt;
				struct node **vals = ps_node_list(p, &cnt, ")");
				if (p->failed)
					return NULL;
				n->args = ARENA_ARRAY(p->a, struct node *, cnt + 1);
				n->args[0] = l;
				memcpy(n->args + 1, vals, sizeof(*vals) * cnt);
				n->nargs = cnt + 1;
			}
			if (!expect_op(p, ")"))
				return NULL;
			finish(p, n);
			l = n;
			continue;
		}
		if (is_kw(p, "LIKE") || is_kw(p, "SIMILAR")) {
			struct node *n = mk(p, N_LIKE, l->pos);
			n->flag = neg;
			n->s = "LIKE";
			if (accept_kw(p, "SIMILAR")) {
				if (!expect_kw(p, "TO"))
					return NULL;
				n->s = "SIMILAR TO";
			} else {
				advance(p);
			}
			n->args = ARENA_ARRAY(p->a, struct node *, 3);
			n->args[0] = l;
			n->args[1] = ps_add_expr(p);
			if (!n->args[1])
				return NULL;
			n->nargs = 2;
			if (accept_kw(p, "ESCAPE")) {
				n->args[2] = ps_add_expr(p);
				if (!n->args[2])
					return NULL;
				n->nargs = 3;
			}
			finish(p, n);
			l = n;
			continue;
		}
		p->i = save;
		break;
	}
	return l;
}

static struct node *not_expr(struct ps *p)
{
	if (is_kw(p, "NOT")) {
		int pos = tok(p)->off;
		advance(p);
		struct node *x = not_expr(p);
		if (!x)
			return NULL;
		struct node *n = mk(p, N_UN, pos);
		n->s = "NOT";
		n->args = ARENA_ARRAY(p->a, struct node *, 1);
		n->args[0] = x;
		n->nargs = 1;
		finish(p, n);
		return n;
	}
	return pred(p);
}

static struct node *and_expr(struct ps *p)
{
	struct node *l = not_expr(p);
	while (l && is_kw(p, "AND")) {
		advance(p);
		struct node *r = not_expr(p);
		if (!r)
			return NULL;
		l = binary(p, "AND", l, r);
	}
	return l;
}

/* expr -> and (OR and)* */
struct node *ps_expr(struct ps *p)
{
	struct node *l = and_expr(p);
	while (l && is_kw(p, "OR")) {
		advance(p);
		struct node *r = and_expr(p);
		if (!r)
			return NULL;
		l = binary(p, "OR", l, r);
	}
	return l;
}
