/*
 * Query translation, expressions: the least restrictive type of two (Flink's rules for
 * arithmetic, CASE, COALESCE, VALUES and UNION), the relations of a scope and how a column name
 * resolves in them (with Flink's errors for unknown and ambiguous columns), and the translation of
 * every expression to DuckDB SQL with its Flink type: literals, identifiers, CAST, operators,
 * CASE, IN, subqueries. Function calls go to query_func.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

/* ------------------------------------------------------------------ types */

static int int_rank(enum froot r)
{
	switch (r) {
	case FT_TINYINT: return 1;
	case FT_SMALLINT: return 2;
	case FT_INTEGER: return 3;
	case FT_BIGINT: return 4;
	default: return 0;
	}
}

/* least restrictive type of two (for arithmetic, CASE, COALESCE, VALUES, UNION) */
struct ftype *tr_widen(struct tctx *c, struct ftype *a, struct ftype *b)
{
	if (!a || !b)
		return NULL;
	if (a->root == FT_NULL)
		return ft_with_null(c->a, b, true);
	if (b->root == FT_NULL)
		return ft_with_null(c->a, a, true);
	bool nl = a->nullable || b->nullable;
	if (a->root == b->root) {
		struct ftype *t = ft_copy(c->a, a);
		t->nullable = nl;
		if (a->root == FT_CHAR && a->len != b->len) {
			t->root = FT_VARCHAR;
			t->len = a->len > b->len ? a->len : b->len;
		} else if (a->root == FT_VARCHAR || a->root == FT_VARBINARY || a->root == FT_BINARY) {
			t->len = a->len > b->len ? a->len : b->len;
		} else if (a->root == FT_DECIMAL) {
			int s = a->scale > b->scale ? a->scale : b->scale;
			int ip = (a->prec - a->scale) > (b->prec - b->scale) ? (a->prec - a->scale) : (b->prec - b->scale);
			t->scale = s;
			t->prec = ip + s > 38 ? 38 : ip + s;
		} else if (a->root == FT_TIMESTAMP || a->root == FT_TIMESTAMP_LTZ || a->root == FT_TIME) {
			t->len = a->len > b->len ? a->len : b->len;
			if (a->attr != b->attr)
				t->attr = TA_NONE;
		}
		return t;
	}
	if (ft_is_string(a) && ft_is_string(b)) {
		struct ftype *t = mkt(c, FT_VARCHAR, nl);
		t->len = a->len > b->len ? a->len : b->len;
		return t;
	}
	if (ft_is_integer(a) && ft_is_integer(b))
		return mkt(c, int_rank(a->root) > int_rank(b->root) ? a->root : b->root, nl);
	if (ft_is_numeric(a) && ft_is_numeric(b)) {
		if (a->root == FT_DOUBLE || b->root == FT_DOUBLE || a->root == FT_FLOAT || b->root == FT_FLOAT)
			return mkt(c, FT_DOUBLE, nl);
		struct ftype *d = a->root == FT_DECIMAL ? a : b;
		struct ftype *i = a->root == FT_DECIMAL ? b : a;
		int ip = int_rank(i->root) == 4 ? 19 : int_rank(i->root) == 3 ? 10 : 5;
		struct ftype *t = mkt(c, FT_DECIMAL, nl);
		t->scale = d->scale;
		int di = d->prec - d->scale;
		t->prec = (ip > di ? ip : di) + d->scale;
		if (t->prec > 38)
			t->prec = 38;
		return t;
	}
	if (ft_is_timestamp(a) && ft_is_timestamp(b))
		return mkt(c, FT_TIMESTAMP_LTZ, nl);
	return NULL;
}

/* ------------------------------------------------------------------ scopes */

struct rel *tr_rel_new(struct tctx *c, struct scope *sc, const char *alias, int ncols)
{
	struct rel *r = ARENA_NEW(c->a, struct rel);
	r->alias = alias;
	r->cols = ARENA_ARRAY(c->a, struct rcol, ncols + 1);
	r->ncols = ncols;
	r->nkeys = -1;
	r->ws = r->we = r->wt = -1;
	if (sc)
		VEC_PUSH(&sc->rels, r);
	return r;
}

void tr_col_sql(struct tctx *c, struct rcol *rc, int dn, const char *name)
{
	struct sb o = SB_INIT;
	sb_addf(&o, "\"__r%d\".", dn);
	qid(&o, name);
	rc->sql = astr(c, &o);
	sb_release(&o);
}

/* finds column parts[0..n) in scope chain; returns the rel and column index */
struct rel *tr_resolve_col(struct tctx *c, struct scope *sc, struct node *n, int *pci, int *pamb)
{
	*pamb = 0;
	for (struct scope *s = sc; s; s = s->up) {
		struct rel *found = NULL;
		int fci = -1, hits = 0;
		for (size_t ri = 0; ri < s->rels.n; ri++) {
			struct rel *r = s->rels.v[ri];
			const char *col;
			if (n->nparts == 1) {
				col = n->parts[0];
			} else if (n->nparts == 2) {
				if (!r->alias || strcmp(r->alias, n->parts[0]))
					continue;
				col = n->parts[1];
			} else if (n->nparts == 3) {
				if (!r->d || strcmp(r->d, n->parts[0]) || strcmp(r->n ? r->n : "", n->parts[1]) ||
					(r->alias && r->n && strcmp(r->alias, r->n)))
					continue;
				col = n->parts[2];
			} else {
				if (!r->c || strcmp(r->c, n->parts[0]) || strcmp(r->d, n->parts[1]) || strcmp(r->n, n->parts[2]))
					continue;
				col = n->parts[3];
			}
			for (int i = 0; i < r->ncols; i++) {
				if (r->cols[i].merged && n->nparts == 1)
					continue;
				if (!strcmp(r->cols[i].name, col)) {
					if (!found || found != r)
						hits++;
					found = r;
					fci = i;
					break;
				}
			}
		}
		if (hits > 1) {
			*pamb = 1;
			return NULL;
		}
		if (found) {
			*pci = fci;
			return found;
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------ expressions */

static struct ftype *literal_type(struct tctx *c, struct node *n)
{
	if (n->k == N_NUM) {
		const char *s = n->s;
		if (strpbrk(s, "eE"))
			return mkt(c, FT_DOUBLE, false);
		const char *dot = strchr(s, '.');
		if (!dot) {
			long long v = atoll(s);
			size_t digits = strlen(s) - (s[0] == '-' ? 1 : 0);
			if (digits > 18)
				return mkt(c, FT_DECIMAL, false);
			return mkt(c, (v > 2147483647LL || v < -2147483648LL) ? FT_BIGINT : FT_INTEGER, false);
		}
		struct ftype *t = mkt(c, FT_DECIMAL, false);
		int intd = 0, fr = 0;
		for (const char *p = s; p < dot; p++)
			if (isdigit((unsigned char)*p))
				intd++;
		for (const char *p = dot + 1; isdigit((unsigned char)*p); p++)
			fr++;
		/* Calcite drops leading zeros of the integer part: 0.5 is DECIMAL(1, 1) */
		const char *p = s[0] == '-' ? s + 1 : s;
		while (*p == '0' && p < dot) {
			p++;
			intd--;
		}
		t->prec = intd + fr > 0 ? intd + fr : 1;
		t->scale = fr;
		return t;
	}
	return NULL;
}

static int utf8_len(const char *s)
{
	int n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static struct ftype *tr_id(struct tctx *c, struct node *n, struct scope *sc, struct sb *o)
{
	int ci, amb;
	struct rel *r = tr_resolve_col(c, sc, n, &ci, &amb);
	if (amb) {
		tr_verr(c, n->pos, n->end, "Column '%s' is ambiguous", n->parts[n->nparts - 1]);
		return NULL;
	}
	if (!r) {
		/* row.field access on a ROW column: a.b where a is a column */
		if (n->nparts >= 2) {
			struct node head = *n;
			head.nparts = 1;
			struct rel *hr = tr_resolve_col(c, sc, &head, &ci, &amb);
			if (hr && hr->cols[ci].type && hr->cols[ci].type->root == FT_ROW) {
				struct ftype *t = hr->cols[ci].type;
				sb_addf(o, "(%s)", hr->cols[ci].sql);
				for (int k = 1; k < n->nparts && t; k++) {
					struct ftype *ft = NULL;
					for (int f = 0; f < t->nfields; f++)
						if (!strcmp(t->fields[f].name, n->parts[k]))
							ft = t->fields[f].type;
					sb_addc(o, '.');
					qid(o, n->parts[k]);
					t = ft;
				}
				return t;
			}
			/* an unknown qualifier */
			bool known = false;
			for (struct scope *s = sc; s && !known; s = s->up)
				for (size_t ri = 0; ri < s->rels.n; ri++)
					if (s->rels.v[ri]->alias && !strcmp(s->rels.v[ri]->alias, n->parts[0]))
						known = true;
			if (!known && n->nparts == 2) {
				tr_verr(c, n->pos, n->end, "Table '%s' not found", n->parts[0]);
				return NULL;
			}
			tr_verr(c, n->pos, n->end, "Column '%s' not found in table '%s'", n->parts[n->nparts - 1],
				n->parts[n->nparts - 2]);
			return NULL;
		}
		tr_verr(c, n->pos, n->end, "Column '%s' not found in any table", n->parts[0]);
		return NULL;
	}
	sb_adds(o, r->cols[ci].sql);
	struct ftype *t = r->cols[ci].type;
	if (t && r->nullable && !t->nullable)
		t = ft_with_null(c->a, t, true);
	return t;
}

static struct ftype *tr_cast(struct tctx *c, struct node *n, struct scope *sc, struct sb *o)
{
	struct sb x = SB_INIT, dt = SB_INIT;
	struct ftype *src = tr_expr(c, n->args[0], sc, &x);
	struct ftype *to = n->type;
	ft_duck(&dt, to);
	const char *cast = n->flag ? "TRY_CAST" : "CAST";
	if (ft_is_string(to) && src && src->root == FT_BOOLEAN) {
		sb_addf(o, "upper(%s(%s AS VARCHAR))", cast, x.buf);
	} else if (ft_is_string(to) && src && ft_is_timestamp(src)) {
		/* the fraction has as many digits as the type's precision */
		int p = src->len > 6 ? 6 : src->len;
		if (p)
			sb_addf(o, "left(strftime(CAST(%s AS TIMESTAMP), '%%Y-%%m-%%d %%H:%%M:%%S.%%f'), %d)", x.buf, 20 + p);
		else
			sb_addf(o, "strftime(CAST(%s AS TIMESTAMP), '%%Y-%%m-%%d %%H:%%M:%%S')", x.buf);
	} else if (ft_is_integer(to) && src && (src->root == FT_DOUBLE || src->root == FT_FLOAT || src->root == FT_DECIMAL)) {
		sb_addf(o, "%s(trunc(%s) AS %s)", cast, x.buf, dt.buf);
	} else if (to->root == FT_TIMESTAMP && to->len <= 3) {
		sb_addf(o, "date_trunc('%s', %s(%s AS TIMESTAMP))", to->len == 0 ? "second" : "millisecond", cast, x.buf);
	} else if (to->root == FT_TIMESTAMP_LTZ && src && (ft_is_string(src) || src->root == FT_TIMESTAMP)) {
		sb_addf(o, "%s(%s(%s AS TIMESTAMP) AS TIMESTAMPTZ)", cast, cast, x.buf);
	} else if ((to->root == FT_VARCHAR || to->root == FT_CHAR) && to->len < FT_MAXLEN) {
		sb_addf(o, "left(%s(%s AS VARCHAR), %d)", cast, x.buf, to->len);
	} else if (to->root == FT_DATE && src && src->root == FT_TIMESTAMP_LTZ) {
		sb_addf(o, "%s(CAST(%s AS TIMESTAMP) AS DATE)", cast, x.buf);
	} else {
		sb_addf(o, "%s(%s AS %s)", cast, x.buf, dt.buf);
	}
	sb_release(&x);
	sb_release(&dt);
	struct ftype *t = ft_copy(c->a, to);
	t->nullable = n->flag || !src || src->nullable;
	t->attr = TA_NONE;
	return t;
}

/* an INTERVAL literal, in milliseconds or months */
static struct ftype *tr_interval(struct tctx *c, struct node *n, struct scope *sc, struct sb *o)
{
	long long v;
	bool ym;
	tr_interval_value(n, &v, &ym);
	tr_interval_sql(o, v, ym);
	struct ftype *t = mkt(c, ym ? FT_INTERVAL_YM : FT_INTERVAL_DT, false);
	if (!ym) {
		t->frac = 3;
		t->resolution = !strcmp(n->unit, "SECOND") ? "SECOND" : !strcmp(n->unit, "MINUTE") ? "MINUTE" :
			!strcmp(n->unit, "HOUR") ? "HOUR" : "DAY";
		if (n->unit2)
			t->resolution = arena_sprintf(c->a, "%s_TO_%s", n->unit, n->unit2);
	} else {
		t->resolution = n->unit2 ? "YEAR_TO_MONTH" : !strcmp(n->unit, "YEAR") ? "YEAR" : "MONTH";
	}
	return t;
}

/* a typed literal: DATE, TIME, TIMESTAMP [WITH LOCAL TIME ZONE] '...' */
static struct ftype *tr_typed(struct tctx *c, struct node *n, struct scope *sc, struct sb *o)
{
	struct ftype *t;
	if (!strcmp(n->unit, "DATE")) {
		sb_adds(o, "DATE ");
		qstr(o, n->s);
		return mkt(c, FT_DATE, false);
	}
	if (!strcmp(n->unit, "TIME")) {
		sb_adds(o, "TIME ");
		qstr(o, n->s);
		t = mkt(c, FT_TIME, false);
		const char *dot = strchr(n->s, '.');
		t->len = dot ? (int)strspn(dot + 1, "0123456789") : 0;
		return t;
	}
	const char *dot = strchr(n->s, '.');
	int prec = dot ? (int)strspn(dot + 1, "0123456789") : 0;
	if (!strcmp(n->unit, "TIMESTAMP")) {
		sb_adds(o, "TIMESTAMP ");
		qstr(o, n->s);
		t = mkt(c, FT_TIMESTAMP, false);
	} else {
		sb_adds(o, "CAST(TIMESTAMP ");
		qstr(o, n->s);
		sb_adds(o, " AS TIMESTAMPTZ)");
		t = mkt(c, FT_TIMESTAMP_LTZ, false);
	}
	t->len = prec;
	return t;
}

/* a binary operator: arithmetic with Flink's result types, comparison, AND, OR, || */
static struct ftype *tr_binary(struct tctx *c, struct node *n, struct scope *sc, struct sb *o)
{
	const char *op = n->s;
	struct sb l = SB_INIT, r = SB_INIT;
	struct ftype *lt = tr_expr(c, n->args[0], sc, &l);
	struct ftype *rt = tr_expr(c, n->args[1], sc, &r);
	struct ftype *t = NULL;
	bool arith = !strcmp(op, "+") || !strcmp(op, "-") || !strcmp(op, "*") || !strcmp(op, "/") || !strcmp(op, "%");
	if (!strcmp(op, "/") && ft_is_integer(lt) && ft_is_integer(rt)) {
		sb_addf(o, "(%s // %s)", l.buf, r.buf);
		t = tr_widen(c, lt, rt);
	} else if (!strcmp(op, "||")) {
		sb_addf(o, "(CAST(%s AS VARCHAR) || CAST(%s AS VARCHAR))", l.buf, r.buf);
		t = mkt(c, FT_VARCHAR, nn(lt) || nn(rt) || !lt || !rt);
		if (lt && rt && ft_is_string(lt) && ft_is_string(rt) && lt->len < FT_MAXLEN && rt->len < FT_MAXLEN) {
			t->root = (lt->root == FT_CHAR && rt->root == FT_CHAR) ? FT_CHAR : FT_VARCHAR;
			t->len = lt->len + rt->len;
		}
	} else {
		sb_addf(o, "(%s %s %s)", l.buf, op, r.buf);
		if (arith) {
			if (lt && rt && (ft_is_timestamp(lt) || lt->root == FT_DATE) &&
				(rt->root == FT_INTERVAL_DT || rt->root == FT_INTERVAL_YM)) {
				t = ft_copy(c->a, lt);
				t->attr = TA_NONE;
				t->nullable = lt->nullable || rt->nullable;
				if (lt->root == FT_DATE && rt->root == FT_INTERVAL_DT) {
					t->root = FT_TIMESTAMP;
					t->len = 0;
				}
			} else if (ft_is_numeric(lt) && ft_is_numeric(rt)) {
				if (lt->root == FT_DECIMAL || rt->root == FT_DECIMAL)
					t = NULL;  /* DuckDB's decimal rules */
				else
					t = tr_widen(c, lt, rt);
			}
		} else {
			t = mkt(c, FT_BOOLEAN, !lt || !rt || lt->nullable || rt->nullable);
		}
	}
	sb_release(&l);
	sb_release(&r);
	return t;
}

/* a unary operator */
static struct ftype *tr_unary(struct tctx *c, struct node *n, struct scope *sc, struct sb *o)
{
	if (!strcmp(n->s, "()")) {
		sb_addc(o, '(');
		struct ftype *t = tr_expr(c, n->args[0], sc, o);
		sb_addc(o, ')');
		return t;
	}
	if (!strcmp(n->s, "NOT")) {
		sb_adds(o, "(NOT ");
		struct ftype *t = tr_expr(c, n->args[0], sc, o);
		sb_addc(o, ')');
		return mkt(c, FT_BOOLEAN, !t || t->nullable);
	}
	sb_addf(o, "(%s", n->s);
	struct ftype *t = tr_expr(c, n->args[0], sc, o);
	sb_addc(o, ')');
	return t;
}

/* IS [NOT] NULL / TRUE / FALSE / UNKNOWN */
static struct ftype *tr_is(struct tctx *c, struct node *n, struct scope *sc, struct sb *o)
{
	sb_addc(o, '(');
	tr_expr(c, n->args[0], sc, o);
	if (!strcmp(n->s, "DISTINCT FROM")) {
		sb_addf(o, " IS %sDISTINCT FROM ", n->flag ? "NOT " : "");
		tr_expr(c, n->args[1], sc, o);
	} else {
		sb_addf(o, " IS %s%s", n->flag ? "NOT " : "", !strcmp(n->s, "UNKNOWN") ? "NULL" : n->s);
	}
	sb_addc(o, ')');
	return mkt(c, FT_BOOLEAN, false);
}

/* CASE [x] WHEN ... THEN ... [ELSE ...] END: the widest type of its results */
static struct ftype *tr_case(struct tctx *c, struct node *n, struct scope *sc, struct sb *o)
{
	sb_adds(o, "CASE");
	if (n->args[0]) {
		sb_addc(o, ' ');
		tr_expr(c, n->args[0], sc, o);
	}
	int pairs = (n->nargs - 1 - (n->flag ? 1 : 0)) / 2;
	struct ftype *t = NULL;
	bool first = true;
	for (int k = 0, i = 1; k < pairs; k++, i += 2) {
		sb_adds(o, " WHEN ");
		tr_expr(c, n->args[i], sc, o);
		sb_adds(o, " THEN ");
		struct ftype *bt = tr_expr(c, n->args[i + 1], sc, o);
		t = first ? bt : tr_widen(c, t, bt);
		first = false;
	}
	if (n->flag) {
		sb_adds(o, " ELSE ");
		struct ftype *bt = tr_expr(c, n->args[n->nargs - 1], sc, o);
		t = tr_widen(c, t, bt);
	} else if (t) {
		t = ft_with_null(c->a, t, true);
	}
	sb_adds(o, " END");
	if (t && t->root == FT_CHAR) {
		/* Calcite's CASE over literals of different lengths pads to CHAR(n) */
		t = ft_copy(c->a, t);
	}
	return t;
}

/* x[i] of an ARRAY (1-based) or a MAP */
static struct ftype *tr_item(struct tctx *c, struct node *n, struct scope *sc, struct sb *o)
{
	struct sb x = SB_INIT;
	struct ftype *t = tr_expr(c, n->args[0], sc, &x);
	struct ftype *rt = NULL;
	if (n->s) {
		sb_addf(o, "(%s).", x.buf);
		qid(o, n->s);
		if (t && t->root == FT_ROW)
			for (int f = 0; f < t->nfields; f++)
				if (!strcmp(t->fields[f].name, n->s))
					rt = t->fields[f].type;
	} else {
		sb_addf(o, "(%s)[", x.buf);
		tr_expr(c, n->args[1], sc, o);
		sb_addc(o, ']');
		if (t && t->root == FT_ARRAY)
			rt = ft_with_null(c->a, t->elem, true);
		else if (t && t->root == FT_MAP)
			rt = ft_with_null(c->a, t->val, true);
	}
	sb_release(&x);
	return rt;
}

/* ARRAY[...] */
static struct ftype *tr_array(struct tctx *c, struct node *n, struct scope *sc, struct sb *o)
{
	sb_addc(o, '[');
	struct ftype *et = NULL;
	for (int i = 0; i < n->nargs; i++) {
		if (i)
			sb_adds(o, ", ");
		struct ftype *t = tr_expr(c, n->args[i], sc, o);
		et = i ? tr_widen(c, et, t) : t;
	}
	sb_addc(o, ']');
	if (!et)
		return NULL;
	struct ftype *t = mkt(c, FT_ARRAY, false);
	t->elem = et;
	return t;
}

/* MAP[k, v, ...] */
static struct ftype *tr_map(struct tctx *c, struct node *n, struct scope *sc, struct sb *o)
{
	sb_adds(o, "MAP([");
	struct ftype *kt = NULL, *vt = NULL;
	for (int i = 0; i < n->nargs; i += 2) {
		if (i)
			sb_adds(o, ", ");
		struct ftype *t = tr_expr(c, n->args[i], sc, o);
		kt = i ? tr_widen(c, kt, t) : t;
	}
	sb_adds(o, "], [");
	for (int i = 1; i < n->nargs; i += 2) {
		if (i > 1)
			sb_adds(o, ", ");
		struct ftype *t = tr_expr(c, n->args[i], sc, o);
		vt = i > 1 ? tr_widen(c, vt, t) : t;
	}
	sb_adds(o, "])");
	if (!kt || !vt)
		return NULL;
	struct ftype *t = mkt(c, FT_MAP, false);
	t->key = kt;
	t->val = vt;
	return t;
}

/* ROW(...) and (a, b, ...) */
static struct ftype *tr_row(struct tctx *c, struct node *n, struct scope *sc, struct sb *o)
{
	sb_adds(o, "struct_pack(");
	struct ftype *t = mkt(c, FT_ROW, false);
	t->fields = ARENA_ARRAY(c->a, struct ffield, n->nargs + 1);
	t->nfields = n->nargs;
	bool known = true;
	for (int i = 0; i < n->nargs; i++) {
		if (i)
			sb_adds(o, ", ");
		char nm[32];
		snprintf(nm, sizeof(nm), "EXPR$%d", i);
		qid(o, nm);
		sb_adds(o, " := ");
		t->fields[i].name = arena_strdup(c->a, nm);
		t->fields[i].type = tr_expr(c, n->args[i], sc, o);
		known = known && t->fields[i].type;
	}
	sb_addc(o, ')');
	return known ? t : NULL;
}

/* TRIM([BOTH | LEADING | TRAILING] [chars] FROM s) */
static struct ftype *tr_trim(struct tctx *c, struct node *n, struct scope *sc, struct sb *o)
{
	const char *fn = !strcmp(n->unit, "LEADING") ? "ltrim" : !strcmp(n->unit, "TRAILING") ? "rtrim" : "trim";
	sb_addf(o, "%s(", fn);
	struct ftype *t = tr_expr(c, n->args[0], sc, o);
	if (n->args[1]) {
		sb_adds(o, ", ");
		tr_expr(c, n->args[1], sc, o);
	}
	sb_addc(o, ')');
	return mkt(c, FT_VARCHAR, !t || t->nullable);
}

struct ftype *tr_expr(struct tctx *c, struct node *n, struct scope *sc, struct sb *o)
{
	if (c->failed || !n)
		return NULL;
	switch (n->k) {
	case N_NUM:
		sb_adds(o, n->s);
		return literal_type(c, n);
	case N_STR: {
		qstr(o, n->s);
		struct ftype *t = mkt(c, FT_CHAR, false);
		t->len = utf8_len(n->s);
		if (t->len == 0)
			t->len = 1;
		return t;
	}
	case N_BINSTR: {
		sb_addf(o, "unhex('%s')", n->s);
		struct ftype *t = mkt(c, FT_BINARY, false);
		t->len = (int)strlen(n->s) / 2;
		return t;
	}
	case N_BOOL:
		sb_adds(o, n->flag ? "TRUE" : "FALSE");
		return mkt(c, FT_BOOLEAN, false);
	case N_NULL:
		sb_adds(o, "NULL");
		return mkt(c, FT_NULL, true);
	case N_INTERVAL:
		return tr_interval(c, n, sc, o);
	case N_TYPED:
		return tr_typed(c, n, sc, o);
	case N_ID:
		return tr_id(c, n, sc, o);
	case N_STAR:
		tr_verr(c, n->pos, n->end, "Unknown identifier '*'");
		return NULL;
	case N_FUNC:
		return tr_func(c, n, sc, o);
	case N_BIN:
		return tr_binary(c, n, sc, o);
	case N_UN:
		return tr_unary(c, n, sc, o);
	case N_IS:
		return tr_is(c, n, sc, o);
	case N_BETWEEN:
		sb_addc(o, '(');
		tr_expr(c, n->args[0], sc, o);
		sb_addf(o, " %sBETWEEN ", n->flag ? "NOT " : "");
		tr_expr(c, n->args[1], sc, o);
		sb_adds(o, " AND ");
		tr_expr(c, n->args[2], sc, o);
		sb_addc(o, ')');
		return mkt(c, FT_BOOLEAN, true);
	case N_IN:
		sb_addc(o, '(');
		tr_expr(c, n->args[0], sc, o);
		sb_addf(o, " %sIN (", n->flag ? "NOT " : "");
		if (n->q) {
			struct qinfo qi = {0};
			tr_query(c, n->q, sc, o, &qi);
		} else {
			tr_emit_args(c, n->args + 1, n->nargs - 1, sc, o, NULL);
		}
		sb_adds(o, "))");
		return mkt(c, FT_BOOLEAN, true);
	case N_EXISTS: {
		sb_adds(o, "(EXISTS (");
		struct qinfo qi = {0};
		tr_query(c, n->q, sc, o, &qi);
		sb_adds(o, "))");
		return mkt(c, FT_BOOLEAN, false);
	}
	case N_LIKE:
		sb_addc(o, '(');
		tr_expr(c, n->args[0], sc, o);
		sb_addf(o, " %s%s ", n->flag ? "NOT " : "", !strcmp(n->s, "LIKE") ? "LIKE" : "SIMILAR TO");
		tr_expr(c, n->args[1], sc, o);
		if (n->nargs > 2) {
			sb_adds(o, " ESCAPE ");
			tr_expr(c, n->args[2], sc, o);
		}
		sb_addc(o, ')');
		return mkt(c, FT_BOOLEAN, true);
	case N_CASE:
		return tr_case(c, n, sc, o);
	case N_CAST:
		return tr_cast(c, n, sc, o);
	case N_EXTRACT: {
		const char *u = n->unit;
		bool dow = !strcmp(u, "DOW");
		sb_adds(o, "(extract(");
		sb_adds(o, !strcmp(u, "DOW") ? "dow" : u);
		sb_adds(o, " FROM ");
		struct ftype *t = tr_expr(c, n->args[0], sc, o);
		sb_addf(o, ")%s)", dow ? " + 1" : "");
		return mkt(c, FT_BIGINT, !t || t->nullable);
	}
	case N_SUBQ: {
		sb_addc(o, '(');
		struct qinfo qi = {0};
		if (tr_query(c, n->q, sc, o, &qi))
			return NULL;
		sb_addc(o, ')');
		return qi.n == 1 && qi.types[0] ? ft_with_null(c->a, qi.types[0], true) : NULL;
	}
	case N_ITEM:
		return tr_item(c, n, sc, o);
	case N_ARRAY:
		return tr_array(c, n, sc, o);
	case N_MAP:
		return tr_map(c, n, sc, o);
	case N_ROW:
		return tr_row(c, n, sc, o);
	case N_TRIM:
		return tr_trim(c, n, sc, o);
	case N_POSITION: {
		sb_adds(o, "CAST(instr(");
		struct sb a = SB_INIT, b = SB_INIT;
		tr_expr(c, n->args[0], sc, &a);
		tr_expr(c, n->args[1], sc, &b);
		sb_addf(o, "%s, %s) AS INTEGER)", b.buf, a.buf);
		sb_release(&a);
		sb_release(&b);
		return mkt(c, FT_INTEGER, true);
	}
	case N_DESCRIPTOR:
	case N_TABLEARG:
	case N_UNIT:
		tr_verr(c, n->pos, n->end, "Unexpected argument");
		return NULL;
	}
	return NULL;
}
