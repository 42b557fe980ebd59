/*
 * Queries: name resolution, types, changelog kind, and translation of Flink SQL to DuckDB SQL.
 *
 * DESIGN
 *  - One recursive pass over the parsed query resolves every table against the session's catalogs
 *    (temporary objects first, views expanded in place, CTEs in scope), every column against the
 *    relations in scope (with the positions Flink puts in its validation errors), and writes the
 *    DuckDB SQL of the query at the same time. Each relation gets a DuckDB alias of its own
 *    ("__r<N>") and every column reference is written fully qualified, so case folding and name
 *    clashes in DuckDB cannot change what a Flink name means.
 *  - Each connector table read becomes a scan of the plan ("__s<N>": a DuckDB view over the
 *    table's rows with its computed columns), owning a copy of the table's definition, so a job
 *    keeps working after the session that submitted it changed or closed its catalogs.
 *  - Types follow Flink where they pass through (declared column types, literals, CAST, common
 *    functions and aggregates); where nothing is known the column's type comes from DuckDB's
 *    result type. Functions are rewritten where the semantics differ (integer division, AVG of
 *    integers, CAST to integers truncating, CONCAT with NULL, LOG, DATE_FORMAT patterns, ...).
 *  - Window TVFs (TUMBLE, HOP, CUMULATE) and group windows (TUMBLE(ts, size) in GROUP BY) become
 *    epoch-aligned bucket expressions. In streaming mode a window aggregate only emits windows the
 *    watermark has passed: the condition "window_end <= (SELECT wm FROM __wm)" is part of the
 *    query and eval.c defines __wm for each evaluation.
 *  - The changelog kind (append-only or updating, with the upsert key) is derived as Flink's
 *    planner would for the common shapes: non-windowed aggregation, DISTINCT, outer joins,
 *    ROW_NUMBER/Top-N, ORDER BY ... LIMIT, upsert sources.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fgi.h"

struct rcol {
	const char *name;
	struct ftype *type;   /* NULL: unknown */
	const char *sql;
	bool merged;          /* the right side's copy of a USING / NATURAL join column */
};
struct rel {
	const char *alias;
	const char *c, *d, *n;
	struct rcol *cols;
	int ncols;
	bool nullable;
	bool updating;
	int *keys;
	int nkeys;
	const char *node;
	bool tvf;
	int ws, we, wt;       /* window_start/end/time columns of a TVF relation, -1 if none */
	bool proctime_window;
};
struct scope {
	struct scope *up;
	VEC(struct rel *) rels;
	const char **outnames;
	int nout;
};
struct qinfo {
	int n;
	const char **names;
	struct ftype **types;
	int *srccol;          /* per output: column index within a single FROM relation, or -1 */
	bool updating;
	int *keys;
	int nkeys;            /* -1: no key known */
	const char *node;
	bool rank;
	bool rank_first;      /* the ranking orders by a time attribute ascending (dedup keeping the first) */
	bool order_time;      /* ORDER BY starts with an ascending time attribute */
};
struct cte_env {
	const char *name;
	char duck[16];
	struct qinfo qi;
};
typedef VEC(struct cte_env) ctevec;
struct tctx {
	struct fg_session *s;
	struct arena *a;
	const char *src;
	struct plan *plan;
	struct ferr *e;
	bool failed;
	bool batch;
	bool expand;
	bool schema_only;
	int depth;
	int nrel;
	int ncte;
	ctevec ctes;
	int version;
};

static struct ftype *tr_expr(struct tctx *c, struct node *n, struct scope *sc, struct sb *o);
static void tr_window(struct tctx *c, struct window *w, struct scope *sc, struct sb *o);
static void scan_set_wm(struct scan *sc, const char *sql);
static int tr_query(struct tctx *c, struct query *q, struct scope *up, struct sb *o, struct qinfo *qi);

static void qid(struct sb *o, const char *s)
{
	sb_addc(o, '"');
	for (; *s; s++) {
		if (*s == '"')
			sb_addc(o, '"');
		sb_addc(o, *s);
	}
	sb_addc(o, '"');
}

static void qstr(struct sb *o, const char *s)
{
	sb_addc(o, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_addc(o, '\'');
		sb_addc(o, *s);
	}
	sb_addc(o, '\'');
}

/* A validation error at node span [pos, end) of the current text */
static void verr(struct tctx *c, int pos, int end, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void verr(struct tctx *c, int pos, int end, const char *fmt, ...)
{
	if (c->failed)
		return;
	c->failed = true;
	va_list ap;
	va_start(ap, fmt);
	struct sb m = SB_INIT;
	sb_vaddf(&m, fmt, ap);
	va_end(ap);
	int l1, c1, l2, c2;
	src_linecol(c->src, pos, &l1, &c1);
	src_linecol(c->src, end > pos ? end - 1 : pos, &l2, &c2);
	ferr_add(c->e, EX_VALIDATION, "SQL validation failed. From line %d, column %d to line %d, column %d: %s", l1, c1,
		l2, c2, m.buf);
	ferr_add(c->e, EX_CALCITE_CTX, "From line %d, column %d to line %d, column %d: %s", l1, c1, l2, c2, m.buf);
	ferr_add(c->e, EX_SQL_VALIDATOR, "%s", m.buf);
	sb_release(&m);
}

static void terr(struct tctx *c, const char *cls, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void terr(struct tctx *c, const char *cls, const char *fmt, ...)
{
	if (c->failed)
		return;
	c->failed = true;
	va_list ap;
	va_start(ap, fmt);
	struct sb m = SB_INIT;
	sb_vaddf(&m, fmt, ap);
	va_end(ap);
	ferr_add(c->e, cls, "%s", m.buf);
	sb_release(&m);
}

static char *astr(struct tctx *c, struct sb *o)
{
	return arena_strdup(c->a, o->buf);
}

/* ------------------------------------------------------------------ types */

static struct ftype *mkt(struct tctx *c, enum froot r, bool nullable)
{
	struct ftype *t = ft_new(c->a, r);
	t->nullable = nullable;
	return t;
}

static bool nn(const struct ftype *t)
{
	return t && t->nullable;
}

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
static struct ftype *widen(struct tctx *c, struct ftype *a, struct ftype *b)
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

static struct rel *rel_new(struct tctx *c, struct scope *sc, const char *alias, int ncols)
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

static int dn_next(struct tctx *c)
{
	return ++c->nrel;
}

static void col_sql(struct tctx *c, struct rcol *rc, int dn, const char *name)
{
	struct sb o = SB_INIT;
	sb_addf(&o, "\"__r%d\".", dn);
	qid(&o, name);
	rc->sql = astr(c, &o);
	sb_release(&o);
}

/* finds column parts[0..n) in scope chain; returns the rel and column index */
static struct rel *resolve_col(struct tctx *c, struct scope *sc, struct node *n, int *pci, int *pamb)
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

/* ------------------------------------------------------------------ intervals and times */

/* milliseconds (day-time) or months (year-month) of an INTERVAL literal; false if malformed */
static bool interval_value(const struct node *n, long long *pv, bool *pym)
{
	const char *u = n->unit, *u2 = n->unit2;
	const char *s = n->s;
	bool neg = false;
	while (*s == ' ')
		s++;
	if (*s == '-') {
		neg = true;
		s++;
	} else if (*s == '+') {
		s++;
	}
	*pym = !strcmp(u, "YEAR") || !strcmp(u, "MONTH");
	long long v = 0;
	if (!u2) {
		double d = strtod(s, NULL);
		if (!strcmp(u, "YEAR"))
			v = (long long)(d * 12);
		else if (!strcmp(u, "MONTH"))
			v = (long long)d;
		else if (!strcmp(u, "WEEK"))
			v = (long long)(d * 7 * 86400000.0);
		else if (!strcmp(u, "DAY"))
			v = (long long)(d * 86400000.0);
		else if (!strcmp(u, "HOUR"))
			v = (long long)(d * 3600000.0);
		else if (!strcmp(u, "MINUTE"))
			v = (long long)(d * 60000.0);
		else
			v = (long long)(d * 1000.0 + (d >= 0 ? 0.5 : -0.5));
	} else if (*pym) {
		long long y = 0, m = 0;
		sscanf(s, "%lld-%lld", &y, &m);
		v = y * 12 + m;
	} else {
		/* DAY TO SECOND: "d hh:mm:ss.fff", HOUR TO MINUTE: "hh:mm", MINUTE TO SECOND: "mm:ss.fff" */
		double parts[4] = {0};
		int np = 0;
		const char *p = s;
		while (*p && np < 4) {
			char *end;
			parts[np++] = strtod(p, &end);
			if (end == p)
				break;
			p = end;
			while (*p == ' ' || *p == ':')
				p++;
		}
		static const double scale_dts[] = {86400000.0, 3600000.0, 60000.0, 1000.0};
		int start = !strcmp(u, "DAY") ? 0 : !strcmp(u, "HOUR") ? 1 : !strcmp(u, "MINUTE") ? 2 : 3;
		double ms = 0;
		for (int i = 0; i < np && start + i < 4; i++)
			ms += parts[i] * scale_dts[start + i];
		v = (long long)(ms + 0.5);
	}
	*pv = neg ? -v : v;
	return true;
}

static void interval_sql(struct sb *o, long long v, bool ym)
{
	if (ym)
		sb_addf(o, "INTERVAL '%lld months'", v);
	else
		sb_addf(o, "INTERVAL '%lld milliseconds'", v);
}

/* Java DateTimeFormatter pattern -> strftime */
static void java_fmt(struct sb *o, const char *f)
{
	struct sb r = SB_INIT;
	for (const char *p = f; *p;) {
		char ch = *p;
		int n = 0;
		while (p[n] == ch)
			n++;
		if (ch == '\'') {
			p++;
			while (*p && *p != '\'')
				sb_addc(&r, *p++);
			if (*p)
				p++;
			continue;
		}
		switch (ch) {
		case 'y': sb_adds(&r, n == 2 ? "%y" : "%Y"); break;
		case 'M': sb_adds(&r, n >= 4 ? "%B" : n == 3 ? "%b" : "%m"); break;
		case 'd': sb_adds(&r, "%d"); break;
		case 'H': sb_adds(&r, "%H"); break;
		case 'h': sb_adds(&r, "%I"); break;
		case 'm': sb_adds(&r, "%M"); break;
		case 's': sb_adds(&r, "%S"); break;
		case 'S': sb_adds(&r, n <= 3 ? "%g" : "%f"); break;
		case 'a': sb_adds(&r, "%p"); break;
		case 'E': sb_adds(&r, n >= 4 ? "%A" : "%a"); break;
		case 'D': sb_adds(&r, "%j"); break;
		case 'Z':
		case 'X': sb_adds(&r, "%z"); break;
		case '%': sb_adds(&r, "%%"); break;
		default:
			for (int i = 0; i < n; i++)
				sb_addc(&r, ch);
		}
		p += n;
	}
	qstr(o, r.buf);
	sb_release(&r);
}

/* ------------------------------------------------------------------ functions */

static bool is_agg_name(const char *f)
{
	static const char *const aggs[] = {"COUNT", "SUM", "AVG", "MIN", "MAX", "LISTAGG", "FIRST_VALUE", "LAST_VALUE",
		"STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP", "STDDEV", "VARIANCE", "COLLECT", "ARRAY_AGG", "BOOL_AND",
		"BOOL_OR", "SUM0", "JSON_ARRAYAGG", "JSON_OBJECTAGG", NULL};
	for (int i = 0; aggs[i]; i++)
		if (!strcasecmp(f, aggs[i]))
			return true;
	return false;
}

static bool has_agg(struct node *n)
{
	if (!n)
		return false;
	if (n->k == N_FUNC && is_agg_name(n->s) && !n->over)
		return true;
	if (n->k == N_SUBQ || n->k == N_EXISTS)
		return false;
	for (int i = 0; i < n->nargs; i++)
		if (has_agg(n->args[i]))
			return true;
	return false;
}

static bool has_func(struct node *n, const char *name, bool over)
{
	if (!n)
		return false;
	if (n->k == N_FUNC && !strcasecmp(n->s, name) && (!over || n->over))
		return true;
	if (n->k == N_SUBQ || n->k == N_EXISTS)
		return false;
	for (int i = 0; i < n->nargs; i++)
		if (has_func(n->args[i], name, over))
			return true;
	return false;
}

static void emit_args(struct tctx *c, struct node **a, int n, struct scope *sc, struct sb *o, struct ftype **types)
{
	for (int i = 0; i < n; i++) {
		if (i)
			sb_adds(o, ", ");
		struct ftype *t = tr_expr(c, a[i], sc, o);
		if (types)
			types[i] = t;
	}
}

/* the epoch-aligned start of the window of length size_ms containing ts (TIMESTAMP or TIMESTAMPTZ) */
static void bucket_sql(struct sb *o, const char *ts, const struct ftype *tt, long long size_ms, long long off_ms)
{
	bool ltz = tt && tt->root == FT_TIMESTAMP_LTZ;
	/* LTZ windows are aligned in the session time zone: work on the local wall-clock time */
	sb_adds(o, "epoch_ms(CAST(floor((epoch_ms(");
	if (ltz)
		sb_addf(o, "CAST(%s AS TIMESTAMP)", ts);
	else
		sb_adds(o, ts);
	sb_addf(o, ") - %lld) / %lld) * %lld + %lld AS BIGINT))", off_ms, size_ms, size_ms, off_ms);
}

static const char *bucket(struct tctx *c, const char *ts, const struct ftype *tt, long long size, long long off)
{
	struct sb o = SB_INIT;
	bucket_sql(&o, ts, tt, size, off);
	char *s = astr(c, &o);
	sb_release(&o);
	return s;
}

static bool node_interval_ms(struct tctx *c, struct node *n, long long *pv)
{
	bool ym;
	if (n && n->k == N_INTERVAL && interval_value(n, pv, &ym) && !ym && *pv > 0)
		return true;
	verr(c, n ? n->pos : 0, n ? n->end : 0, "Window size must be a positive day-time interval literal");
	return false;
}

/* group windows: TUMBLE(ts, size), HOP(ts, slide, size), SESSION(ts, gap) and their _START/_END */
static struct ftype *group_window(struct tctx *c, struct node *n, struct scope *sc, struct sb *o, const char *fn)
{
	bool tumble = !strncasecmp(fn, "TUMBLE", 6), hop = !strncasecmp(fn, "HOP", 3);
	const char *suffix = strchr(fn, '_');
	int need = hop ? 3 : 2;
	if (n->nargs < need) {
		verr(c, n->pos, n->end, "Invalid number of arguments to function '%s'. Was expecting %d arguments", fn, need);
		return NULL;
	}
	struct sb ts = SB_INIT;
	struct ftype *tt = tr_expr(c, n->args[0], sc, &ts);
	long long size = 0, slide = 0;
	if (!node_interval_ms(c, n->args[hop ? 2 : 1], &size) || (hop && !node_interval_ms(c, n->args[1], &slide))) {
		sb_release(&ts);
		return NULL;
	}
	if (!tumble && !hop) {
		/* SESSION windows are not evaluated: fail like an unsupported function */
		sb_release(&ts);
		verr(c, n->pos, n->end, "SESSION group windows are not supported by this gateway");
		return NULL;
	}
	/* HOP in GROUP BY is reduced to its latest window: good enough for the end of a stream */
	const char *start = bucket(c, ts.buf, tt, hop ? slide : size, 0);
	struct ftype *rt = mkt(c, FT_TIMESTAMP, false);
	rt->len = 3;
	if (!suffix) {
		sb_adds(o, start);
	} else if (!strcasecmp(suffix, "_START")) {
		sb_adds(o, start);
	} else if (!strcasecmp(suffix, "_END")) {
		sb_addf(o, "(%s + INTERVAL '%lld milliseconds')", start, size);
	} else if (!strcasecmp(suffix, "_ROWTIME")) {
		sb_addf(o, "(%s + INTERVAL '%lld milliseconds')", start, size - 1);
		rt->attr = TA_ROWTIME;
	} else {
		sb_adds(o, "current_timestamp");
		rt = mkt(c, FT_TIMESTAMP_LTZ, false);
		rt->len = 3;
		rt->attr = TA_PROCTIME;
	}
	sb_release(&ts);
	return rt;
}

static struct ftype *tr_func(struct tctx *c, struct node *n, struct scope *sc, struct sb *out)
{
	struct sb call = SB_INIT, *o = &call;
	const char *wrap_pre = "", *wrap_post = "";
	struct sb wpost = SB_INIT;
	const char *f = n->s;
	char F[64];
	snprintf(F, sizeof(F), "%s", f);
	for (char *p = F; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	int na = n->nargs;
	bool filt = n->unit && !strcmp(n->unit, "FILTER");
	if (filt)
		na--;
	struct ftype *at[16] = {0};
	struct sb a0 = SB_INIT;
	struct ftype *rt = NULL;
	bool window = n->over != NULL;

#define ARG(i, sbp) (at[i] = tr_expr(c, n->args[i], sc, sbp))
	if (!strcmp(F, "COUNT")) {
		sb_adds(o, "count(");
		if (n->flag)
			sb_adds(o, "DISTINCT ");
		if (n->star || !na)
			sb_addc(o, '*');
		else
			emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_BIGINT, false);
	} else if (!strcmp(F, "SUM") || !strcmp(F, "SUM0") || !strcmp(F, "AVG") || !strcmp(F, "MIN") ||
		!strcmp(F, "MAX")) {
		if (na != 1) {
			verr(c, n->pos, n->end, "Invalid number of arguments to function '%s'. Was expecting 1 arguments", F);
			sb_release(&call);
			return NULL;
		}
		const char *lname = !strcmp(F, "SUM0") || !strcmp(F, "SUM") ? "sum" : !strcmp(F, "AVG") ? "avg" :
			!strcmp(F, "MIN") ? "min" : "max";
		sb_addf(o, "%s(%s", lname, n->flag ? "DISTINCT " : "");
		struct ftype *t = ARG(0, o);
		sb_addc(o, ')');
		bool sum = lname[0] == 's', avg = lname[0] == 'a';
		if (t && (ft_is_integer(t) || t->root == FT_DOUBLE || t->root == FT_FLOAT || t->root == FT_DECIMAL ||
			!sum) && !(avg && !ft_is_numeric(t)))
			rt = ft_with_null(c->a, t, true);
		if (rt && rt->root == FT_DECIMAL && (sum || avg)) {
			rt->prec = 38;
			if (avg && rt->scale < 6)
				rt->scale = 6;
		}
		if (rt && (sum || avg) && ft_is_numeric(rt)) {
			ft_duck(&wpost, rt);
			wrap_pre = avg && ft_is_integer(rt) ? "CAST(trunc(" : "CAST(";
			struct sb tmp = SB_INIT;
			sb_addf(&tmp, "%s AS %s)", avg && ft_is_integer(rt) ? ")" : "", wpost.buf);
			sb_reset(&wpost);
			sb_adds(&wpost, tmp.buf);
			sb_release(&tmp);
			wrap_post = wpost.buf;
		}
	} else if (!strcmp(F, "LISTAGG")) {
		sb_adds(o, "string_agg(");
		if (n->flag)
			sb_adds(o, "DISTINCT ");
		ARG(0, o);
		sb_adds(o, ", ");
		if (na > 1)
			ARG(1, o);
		else
			sb_adds(o, "','");
		sb_addc(o, ')');
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "FIRST_VALUE") || !strcmp(F, "LAST_VALUE")) {
		sb_adds(o, window ? (F[0] == 'F' ? "first_value(" : "last_value(") : (F[0] == 'F' ? "first(" : "last("));
		ARG(0, o);
		sb_addc(o, ')');
		rt = at[0] ? ft_with_null(c->a, at[0], true) : NULL;
	} else if (!strcmp(F, "ROW_NUMBER") || !strcmp(F, "RANK") || !strcmp(F, "DENSE_RANK")) {
		for (const char *p = F; *p; p++)
			sb_addc(o, (char)tolower((unsigned char)*p));
		sb_adds(o, "()");
		rt = mkt(c, FT_BIGINT, false);
	} else if (!strcmp(F, "LAG") || !strcmp(F, "LEAD")) {
		sb_adds(o, F[1] == 'A' ? "lag(" : "lead(");
		emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = at[0] ? ft_with_null(c->a, at[0], true) : NULL;
	} else if (!strcmp(F, "STDDEV_POP") || !strcmp(F, "STDDEV_SAMP") || !strcmp(F, "VAR_POP") ||
		!strcmp(F, "VAR_SAMP") || !strcmp(F, "STDDEV") || !strcmp(F, "VARIANCE")) {
		for (const char *p = F; *p; p++)
			sb_addc(o, (char)tolower((unsigned char)*p));
		sb_addc(o, '(');
		emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_DOUBLE, true);
	} else if (!strcmp(F, "ARRAY_AGG") || !strcmp(F, "COLLECT")) {
		sb_adds(o, "list(");
		ARG(0, o);
		sb_addc(o, ')');
		if (at[0]) {
			rt = mkt(c, F[0] == 'A' ? FT_ARRAY : FT_MULTISET, true);
			rt->elem = at[0];
		}
	} else if (!strcmp(F, "CONCAT")) {
		sb_addc(o, '(');
		for (int i = 0; i < na; i++) {
			if (i)
				sb_adds(o, " || ");
			sb_adds(o, "CAST(");
			ARG(i, o);
			sb_adds(o, " AS VARCHAR)");
		}
		sb_addc(o, ')');
		bool nl = false;
		for (int i = 0; i < na; i++)
			nl = nl || !at[i] || at[i]->nullable;
		rt = mkt(c, FT_VARCHAR, nl);
	} else if (!strcmp(F, "CONCAT_WS")) {
		sb_adds(o, "concat_ws(");
		emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_VARCHAR, nn(at[0]) || !at[0]);
	} else if (!strcmp(F, "UPPER") || !strcmp(F, "LOWER") || !strcmp(F, "REVERSE") || !strcmp(F, "LTRIM") ||
		!strcmp(F, "RTRIM") || !strcmp(F, "BTRIM") || !strcmp(F, "MD5") || !strcmp(F, "SHA1") ||
		!strcmp(F, "SHA256") || !strcmp(F, "INITCAP")) {
		if (!strcmp(F, "INITCAP")) {
			sb_adds(o, "array_to_string(list_transform(string_split(");
			ARG(0, o);
			sb_adds(o, ", ' '), w -> upper(left(w, 1)) || lower(substr(w, 2))), ' ')");
		} else {
			for (const char *p = F; *p; p++)
				sb_addc(o, (char)tolower((unsigned char)*p));
			sb_addc(o, '(');
			emit_args(c, n->args, na, sc, o, at);
			sb_addc(o, ')');
		}
		rt = mkt(c, FT_VARCHAR, !at[0] || at[0]->nullable);
		if (at[0] && ft_is_string(at[0]) && (!strcmp(F, "UPPER") || !strcmp(F, "LOWER")))
			rt = ft_copy(c->a, at[0]);
	} else if (!strcmp(F, "CHAR_LENGTH") || !strcmp(F, "CHARACTER_LENGTH") || !strcmp(F, "LENGTH")) {
		sb_adds(o, "CAST(length(");
		ARG(0, o);
		sb_adds(o, ") AS INTEGER)");
		rt = mkt(c, FT_INTEGER, !at[0] || at[0]->nullable);
	} else if (!strcmp(F, "SUBSTRING")) {
		sb_adds(o, "substring(");
		emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "REPLACE") || !strcmp(F, "LPAD") || !strcmp(F, "RPAD") || !strcmp(F, "LEFT") ||
		!strcmp(F, "RIGHT") || !strcmp(F, "REPEAT") || !strcmp(F, "TRANSLATE")) {
		for (const char *p = F; *p; p++)
			sb_addc(o, (char)tolower((unsigned char)*p));
		sb_addc(o, '(');
		emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "REGEXP_REPLACE")) {
		sb_adds(o, "regexp_replace(");
		emit_args(c, n->args, na, sc, o, at);
		sb_adds(o, ", 'g')");
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "REGEXP_EXTRACT")) {
		sb_adds(o, "nullif(regexp_extract(");
		emit_args(c, n->args, na, sc, o, at);
		if (na < 3)
			sb_adds(o, ", 0");
		sb_adds(o, "), '')");
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "REGEXP")) {
		sb_adds(o, "regexp_matches(");
		emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_BOOLEAN, true);
	} else if (!strcmp(F, "SPLIT_INDEX")) {
		sb_adds(o, "nullif(split_part(");
		ARG(0, o);
		sb_adds(o, ", ");
		ARG(1, o);
		sb_adds(o, ", (");
		ARG(2, o);
		sb_adds(o, ") + 1), '')");
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "TO_BASE64")) {
		sb_adds(o, "to_base64(CAST(");
		ARG(0, o);
		sb_adds(o, " AS BLOB))");
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "FROM_BASE64")) {
		sb_adds(o, "CAST(from_base64(");
		ARG(0, o);
		sb_adds(o, ") AS VARCHAR)");
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "ABS")) {
		sb_adds(o, "abs(");
		ARG(0, o);
		sb_addc(o, ')');
		rt = at[0] ? ft_copy(c->a, at[0]) : NULL;
	} else if (!strcmp(F, "ROUND") || !strcmp(F, "TRUNCATE")) {
		sb_adds(o, F[0] == 'R' ? "round(" : "trunc(");
		ARG(0, o);
		if (na > 1 && F[0] == 'R') {
			sb_adds(o, ", ");
			ARG(1, o);
		}
		sb_addc(o, ')');
		if (at[0] && at[0]->root == FT_DECIMAL && na > 1 && n->args[1]->k == N_NUM) {
			rt = ft_copy(c->a, at[0]);
			int d = atoi(n->args[1]->s);
			if (d < rt->scale && d >= 0)
				rt->scale = d;
		} else if (at[0] && (ft_is_integer(at[0]) || at[0]->root == FT_DOUBLE || at[0]->root == FT_FLOAT)) {
			rt = ft_copy(c->a, at[0]);
		}
	} else if (!strcmp(F, "FLOOR") || !strcmp(F, "CEIL") || !strcmp(F, "CEILING")) {
		sb_adds(o, F[0] == 'F' ? "floor(" : "ceil(");
		ARG(0, o);
		sb_addc(o, ')');
		if (at[0] && (ft_is_integer(at[0]) || at[0]->root == FT_DOUBLE || at[0]->root == FT_FLOAT))
			rt = ft_copy(c->a, at[0]);
		else if (at[0] && at[0]->root == FT_DECIMAL) {
			rt = ft_copy(c->a, at[0]);
			rt->prec = rt->prec - rt->scale + 1 > 38 ? 38 : rt->prec - rt->scale + (rt->scale ? 1 : 0);
			rt->scale = 0;
		}
	} else if (!strcmp(F, "MOD")) {
		sb_addc(o, '(');
		ARG(0, o);
		sb_adds(o, " % ");
		ARG(1, o);
		sb_addc(o, ')');
		rt = at[1] ? ft_with_null(c->a, at[1], nn(at[0]) || nn(at[1])) : NULL;
	} else if (!strcmp(F, "POWER") || !strcmp(F, "POW") || !strcmp(F, "SQRT") || !strcmp(F, "EXP") ||
		!strcmp(F, "LN") || !strcmp(F, "LOG10") || !strcmp(F, "LOG2") || !strcmp(F, "SIN") ||
		!strcmp(F, "COS") || !strcmp(F, "TAN") || !strcmp(F, "ASIN") || !strcmp(F, "ACOS") ||
		!strcmp(F, "ATAN") || !strcmp(F, "ATAN2") || !strcmp(F, "DEGREES") || !strcmp(F, "RADIANS")) {
		for (const char *p = !strcmp(F, "POW") ? "POWER" : F; *p; p++)
			sb_addc(o, (char)tolower((unsigned char)*p));
		sb_addc(o, '(');
		emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_DOUBLE, true);
	} else if (!strcmp(F, "LOG")) {
		if (na == 1) {
			sb_adds(o, "ln(");
			ARG(0, o);
			sb_addc(o, ')');
		} else {
			sb_adds(o, "(ln(");
			ARG(1, o);
			sb_adds(o, ") / ln(");
			ARG(0, o);
			sb_adds(o, "))");
		}
		rt = mkt(c, FT_DOUBLE, true);
	} else if (!strcmp(F, "PI")) {
		sb_adds(o, "pi()");
		rt = mkt(c, FT_DOUBLE, false);
	} else if (!strcmp(F, "RAND")) {
		sb_adds(o, "random()");
		rt = mkt(c, FT_DOUBLE, false);
	} else if (!strcmp(F, "RAND_INTEGER")) {
		sb_adds(o, "CAST(floor(random() * (");
		ARG(na - 1, o);
		sb_adds(o, ")) AS INTEGER)");
		rt = mkt(c, FT_INTEGER, false);
	} else if (!strcmp(F, "SIGN")) {
		sb_adds(o, "sign(");
		ARG(0, o);
		sb_addc(o, ')');
		rt = at[0] ? ft_copy(c->a, at[0]) : NULL;
	} else if (!strcmp(F, "GREATEST") || !strcmp(F, "LEAST") || !strcmp(F, "COALESCE") || !strcmp(F, "IFNULL") ||
		!strcmp(F, "NVL")) {
		const char *df = !strcmp(F, "GREATEST") ? "greatest(" : !strcmp(F, "LEAST") ? "least(" : "coalesce(";
		sb_adds(o, df);
		emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = at[0];
		for (int i = 1; i < na && rt; i++)
			rt = widen(c, rt, at[i]);
		if (rt && df[0] == 'c') {
			bool all = true;
			for (int i = 0; i < na; i++)
				all = all && (!at[i] || at[i]->nullable);
			rt = ft_with_null(c->a, rt, all);
		}
	} else if (!strcmp(F, "NULLIF")) {
		sb_adds(o, "nullif(");
		emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = at[0] ? ft_with_null(c->a, at[0], true) : NULL;
	} else if (!strcmp(F, "IF")) {
		if (na != 3) {
			verr(c, n->pos, n->end, "Invalid number of arguments to function 'IF'. Was expecting 3 arguments");
			return NULL;
		}
		sb_adds(o, "CASE WHEN ");
		ARG(0, o);
		sb_adds(o, " THEN ");
		ARG(1, o);
		sb_adds(o, " ELSE ");
		ARG(2, o);
		sb_adds(o, " END");
		rt = widen(c, at[1], at[2]);
	} else if (!strcmp(F, "DATE_FORMAT")) {
		sb_adds(o, "strftime(CAST(");
		ARG(0, o);
		sb_adds(o, " AS TIMESTAMP), ");
		if (na > 1 && n->args[1]->k == N_STR)
			java_fmt(o, n->args[1]->s);
		else if (na > 1)
			ARG(1, o);
		else
			sb_adds(o, "'%Y-%m-%d %H:%M:%S'");
		sb_addc(o, ')');
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "TO_TIMESTAMP")) {
		if (na > 1 && n->args[1]->k == N_STR) {
			sb_adds(o, "try_strptime(");
			ARG(0, o);
			sb_adds(o, ", ");
			java_fmt(o, n->args[1]->s);
			sb_addc(o, ')');
		} else {
			sb_adds(o, "TRY_CAST(");
			ARG(0, o);
			sb_adds(o, " AS TIMESTAMP)");
		}
		rt = mkt(c, FT_TIMESTAMP, true);
		rt->len = 3;
	} else if (!strcmp(F, "TO_DATE")) {
		if (na > 1 && n->args[1]->k == N_STR) {
			sb_adds(o, "CAST(try_strptime(");
			ARG(0, o);
			sb_adds(o, ", ");
			java_fmt(o, n->args[1]->s);
			sb_adds(o, ") AS DATE)");
		} else {
			sb_adds(o, "TRY_CAST(");
			ARG(0, o);
			sb_adds(o, " AS DATE)");
		}
		rt = mkt(c, FT_DATE, true);
	} else if (!strcmp(F, "TO_TIMESTAMP_LTZ")) {
		long long prec = na > 1 && n->args[1]->k == N_NUM ? atoll(n->args[1]->s) : 3;
		sb_adds(o, "timezone('UTC', epoch_ms(CAST((");
		ARG(0, o);
		sb_addf(o, ") * %s AS BIGINT)))", prec == 0 ? "1000" : "1");
		rt = mkt(c, FT_TIMESTAMP_LTZ, true);
		rt->len = 3;
	} else if (!strcmp(F, "UNIX_TIMESTAMP")) {
		if (!na) {
			sb_adds(o, "CAST(epoch(current_timestamp) AS BIGINT)");
		} else {
			sb_adds(o, "CAST(epoch(CAST(");
			if (na > 1 && n->args[1]->k == N_STR) {
				sb_adds(o, "try_strptime(");
				ARG(0, o);
				sb_adds(o, ", ");
				java_fmt(o, n->args[1]->s);
				sb_addc(o, ')');
			} else {
				sb_adds(o, "TRY_CAST(");
				ARG(0, o);
				sb_adds(o, " AS TIMESTAMP)");
			}
			sb_adds(o, " AS TIMESTAMPTZ)) AS BIGINT)");
		}
		rt = mkt(c, FT_BIGINT, na > 0);
	} else if (!strcmp(F, "FROM_UNIXTIME")) {
		sb_adds(o, "strftime(CAST(to_timestamp(");
		ARG(0, o);
		sb_adds(o, ") AS TIMESTAMP), ");
		if (na > 1 && n->args[1]->k == N_STR)
			java_fmt(o, n->args[1]->s);
		else
			sb_adds(o, "'%Y-%m-%d %H:%M:%S'");
		sb_addc(o, ')');
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "CURRENT_TIMESTAMP") || !strcmp(F, "NOW") || !strcmp(F, "CURRENT_ROW_TIMESTAMP")) {
		sb_adds(o, "date_trunc('millisecond', current_timestamp)");
		rt = mkt(c, FT_TIMESTAMP_LTZ, false);
		rt->len = 3;
	} else if (!strcmp(F, "PROCTIME")) {
		sb_adds(o, "date_trunc('millisecond', current_timestamp)");
		rt = mkt(c, FT_TIMESTAMP_LTZ, false);
		rt->len = 3;
		rt->attr = TA_PROCTIME;
	} else if (!strcmp(F, "LOCALTIMESTAMP")) {
		sb_adds(o, "date_trunc('millisecond', CAST(current_timestamp AS TIMESTAMP))");
		rt = mkt(c, FT_TIMESTAMP, false);
		rt->len = 3;
	} else if (!strcmp(F, "CURRENT_DATE")) {
		sb_adds(o, "CAST(CAST(current_timestamp AS TIMESTAMP) AS DATE)");
		rt = mkt(c, FT_DATE, false);
	} else if (!strcmp(F, "CURRENT_TIME") || !strcmp(F, "LOCALTIME")) {
		sb_adds(o, "CAST(date_trunc('second', CAST(current_timestamp AS TIMESTAMP)) AS TIME)");
		rt = mkt(c, FT_TIME, false);
	} else if (!strcmp(F, "CURRENT_USER") || !strcmp(F, "USER")) {
		sb_adds(o, "'flink'");
		rt = mkt(c, FT_VARCHAR, false);
	} else if (!strcmp(F, "TIMESTAMPADD")) {
		const char *u = n->unit;
		sb_addc(o, '(');
		struct sb ts = SB_INIT, k = SB_INIT;
		at[1] = tr_expr(c, n->args[1], sc, &ts);
		tr_expr(c, n->args[0], sc, &k);
		const char *du = !strcmp(u, "QUARTER") ? "MONTH" : u;
		long long mult = !strcmp(u, "QUARTER") ? 3 : 1;
		if (!strcmp(u, "WEEK")) {
			du = "DAY";
			mult = 7;
		}
		sb_addf(o, "%s + CAST(%s AS BIGINT) * %lld * INTERVAL '1' %s)", ts.buf, k.buf, mult, du);
		sb_release(&ts);
		sb_release(&k);
		rt = at[1] ? ft_copy(c->a, at[1]) : NULL;
		if (rt)
			rt->attr = TA_NONE;
	} else if (!strcmp(F, "TIMESTAMPDIFF")) {
		sb_addf(o, "CAST(date_sub('%s', ", n->unit);
		emit_args(c, n->args, na, sc, o, at);
		sb_adds(o, ") AS INTEGER)");
		rt = mkt(c, FT_INTEGER, true);
	} else if (!strcmp(F, "YEAR") || !strcmp(F, "MONTH") || !strcmp(F, "DAYOFMONTH") || !strcmp(F, "HOUR") ||
		!strcmp(F, "MINUTE") || !strcmp(F, "SECOND") || !strcmp(F, "QUARTER") || !strcmp(F, "WEEK") ||
		!strcmp(F, "DAYOFYEAR") || !strcmp(F, "DAYOFWEEK")) {
		const char *part = !strcmp(F, "DAYOFMONTH") ? "day" : !strcmp(F, "DAYOFYEAR") ? "doy" :
			!strcmp(F, "DAYOFWEEK") ? "dow" : F;
		sb_adds(o, "(extract(");
		sb_adds(o, part);
		sb_adds(o, " FROM ");
		ARG(0, o);
		sb_addf(o, ")%s)", !strcmp(F, "DAYOFWEEK") ? " + 1" : "");
		rt = mkt(c, FT_BIGINT, true);
	} else if (!strcmp(F, "UUID")) {
		sb_adds(o, "CAST(uuid() AS VARCHAR)");
		rt = mkt(c, FT_VARCHAR, false);
	} else if (!strcmp(F, "JSON_VALUE")) {
		sb_adds(o, "json_extract_string(");
		emit_args(c, n->args, na > 2 ? 2 : na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "JSON_QUERY")) {
		sb_adds(o, "CAST(json_extract(");
		emit_args(c, n->args, na > 2 ? 2 : na, sc, o, at);
		sb_adds(o, ") AS VARCHAR)");
		rt = mkt(c, FT_VARCHAR, true);
	} else if (!strcmp(F, "JSON_EXISTS")) {
		sb_adds(o, "json_exists(");
		emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
		rt = mkt(c, FT_BOOLEAN, true);
	} else if (!strcmp(F, "CARDINALITY")) {
		sb_adds(o, "CAST(len(");
		ARG(0, o);
		sb_adds(o, ") AS INTEGER)");
		rt = mkt(c, FT_INTEGER, true);
	} else if (!strncmp(F, "TUMBLE", 6) || !strncmp(F, "HOP", 3) || !strncmp(F, "SESSION", 7)) {
		sb_release(&a0);
		sb_release(&call);
		sb_release(&wpost);
		return group_window(c, n, sc, out, F);
	} else {
		/* anything else is handed to DuckDB under its own name */
		for (const char *p = f; *p; p++)
			sb_addc(o, (char)tolower((unsigned char)*p));
		sb_addc(o, '(');
		if (n->flag)
			sb_adds(o, "DISTINCT ");
		if (n->star)
			sb_addc(o, '*');
		else
			emit_args(c, n->args, na, sc, o, at);
		sb_addc(o, ')');
	}
#undef ARG
	if (filt) {
		sb_adds(o, " FILTER (WHERE ");
		tr_expr(c, n->args[n->nargs - 1], sc, o);
		sb_addc(o, ')');
	}
	if (window) {
		sb_adds(o, " OVER ");
		tr_window(c, n->over, sc, o);
	}
	sb_addf(out, "%s%s%s", wrap_pre, call.buf, wrap_post);
	sb_release(&call);
	sb_release(&wpost);
	sb_release(&a0);
	return rt;
}

static void tr_window(struct tctx *c, struct window *w, struct scope *sc, struct sb *o)
{
	sb_addc(o, '(');
	if (w->npart) {
		sb_adds(o, "PARTITION BY ");
		emit_args(c, w->part, w->npart, sc, o, NULL);
	}
	if (w->nord) {
		sb_adds(o, w->npart ? " ORDER BY " : "ORDER BY ");
		for (int i = 0; i < w->nord; i++) {
			if (i)
				sb_adds(o, ", ");
			tr_expr(c, w->ord[i].e, sc, o);
			if (w->ord[i].desc)
				sb_adds(o, " DESC");
			if (w->ord[i].nulls)
				sb_adds(o, w->ord[i].nulls == 1 ? " NULLS FIRST" : " NULLS LAST");
		}
	}
	if (w->fkind) {
		sb_addf(o, " %s BETWEEN ", w->fkind);
		static const char *const bk[] = {"", "UNBOUNDED PRECEDING", " PRECEDING", "CURRENT ROW", " FOLLOWING",
			"UNBOUNDED FOLLOWING"};
		if (w->lo)
			tr_expr(c, w->lo, sc, o);
		sb_adds(o, bk[w->lok]);
		sb_adds(o, " AND ");
		if (!w->hik) {
			sb_adds(o, "CURRENT ROW");
		} else {
			if (w->hi)
				tr_expr(c, w->hi, sc, o);
			sb_adds(o, bk[w->hik]);
		}
	}
	sb_addc(o, ')');
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
	struct rel *r = resolve_col(c, sc, n, &ci, &amb);
	if (amb) {
		verr(c, n->pos, n->end, "Column '%s' is ambiguous", n->parts[n->nparts - 1]);
		return NULL;
	}
	if (!r) {
		/* row.field access on a ROW column: a.b where a is a column */
		if (n->nparts >= 2) {
			struct node head = *n;
			head.nparts = 1;
			struct rel *hr = resolve_col(c, sc, &head, &ci, &amb);
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
				verr(c, n->pos, n->end, "Table '%s' not found", n->parts[0]);
				return NULL;
			}
			verr(c, n->pos, n->end, "Column '%s' not found in table '%s'", n->parts[n->nparts - 1],
				n->parts[n->nparts - 2]);
			return NULL;
		}
		verr(c, n->pos, n->end, "Column '%s' not found in any table", n->parts[0]);
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

static struct ftype *tr_expr(struct tctx *c, struct node *n, struct scope *sc, struct sb *o)
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
	case N_INTERVAL: {
		long long v;
		bool ym;
		interval_value(n, &v, &ym);
		interval_sql(o, v, ym);
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
	case N_TYPED: {
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
	case N_ID:
		return tr_id(c, n, sc, o);
	case N_STAR:
		verr(c, n->pos, n->end, "Unknown identifier '*'");
		return NULL;
	case N_FUNC:
		return tr_func(c, n, sc, o);
	case N_BIN: {
		const char *op = n->s;
		struct sb l = SB_INIT, r = SB_INIT;
		struct ftype *lt = tr_expr(c, n->args[0], sc, &l);
		struct ftype *rt = tr_expr(c, n->args[1], sc, &r);
		struct ftype *t = NULL;
		bool arith = !strcmp(op, "+") || !strcmp(op, "-") || !strcmp(op, "*") || !strcmp(op, "/") || !strcmp(op, "%");
		if (!strcmp(op, "/") && ft_is_integer(lt) && ft_is_integer(rt)) {
			sb_addf(o, "(%s // %s)", l.buf, r.buf);
			t = widen(c, lt, rt);
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
						t = widen(c, lt, rt);
				}
			} else {
				t = mkt(c, FT_BOOLEAN, !lt || !rt || lt->nullable || rt->nullable);
			}
		}
		sb_release(&l);
		sb_release(&r);
		return t;
	}
	case N_UN: {
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
	case N_IS: {
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
			emit_args(c, n->args + 1, n->nargs - 1, sc, o, NULL);
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
	case N_CASE: {
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
			t = first ? bt : widen(c, t, bt);
			first = false;
		}
		if (n->flag) {
			sb_adds(o, " ELSE ");
			struct ftype *bt = tr_expr(c, n->args[n->nargs - 1], sc, o);
			t = widen(c, t, bt);
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
	case N_ITEM: {
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
	case N_ARRAY: {
		sb_addc(o, '[');
		struct ftype *et = NULL;
		for (int i = 0; i < n->nargs; i++) {
			if (i)
				sb_adds(o, ", ");
			struct ftype *t = tr_expr(c, n->args[i], sc, o);
			et = i ? widen(c, et, t) : t;
		}
		sb_addc(o, ']');
		if (!et)
			return NULL;
		struct ftype *t = mkt(c, FT_ARRAY, false);
		t->elem = et;
		return t;
	}
	case N_MAP: {
		sb_adds(o, "MAP([");
		struct ftype *kt = NULL, *vt = NULL;
		for (int i = 0; i < n->nargs; i += 2) {
			if (i)
				sb_adds(o, ", ");
			struct ftype *t = tr_expr(c, n->args[i], sc, o);
			kt = i ? widen(c, kt, t) : t;
		}
		sb_adds(o, "], [");
		for (int i = 1; i < n->nargs; i += 2) {
			if (i > 1)
				sb_adds(o, ", ");
			struct ftype *t = tr_expr(c, n->args[i], sc, o);
			vt = i > 1 ? widen(c, vt, t) : t;
		}
		sb_adds(o, "])");
		if (!kt || !vt)
			return NULL;
		struct ftype *t = mkt(c, FT_MAP, false);
		t->key = kt;
		t->val = vt;
		return t;
	}
	case N_ROW: {
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
	case N_TRIM: {
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
		verr(c, n->pos, n->end, "Unexpected argument");
		return NULL;
	}
	return NULL;
}

/* ------------------------------------------------------------------ tables */

static struct cte_env *cte_find(struct tctx *c, const char *name)
{
	for (size_t i = c->ctes.n; i-- > 0;)
		if (!strcmp(c->ctes.v[i].name, name))
			return &c->ctes.v[i];
	return NULL;
}

static void not_found(struct tctx *c, struct tref *t, const char *cat, const char *db)
{
	struct fcatalog *fc = cat_find(c->s, cat);
	if (t->nparts >= 3 && !fc) {
		verr(c, t->pos, t->pos + (int)strlen(t->parts[0]), "Object '%s' not found", t->parts[0]);
		return;
	}
	if (t->nparts >= 2 && !db_find(fc, db)) {
		verr(c, t->pos, t->end, "Object '%s' not found", t->parts[t->nparts - 2]);
		return;
	}
	if (t->nparts >= 2) {
		verr(c, t->pos, t->end, "Object '%s' not found within '%s.%s'", t->parts[t->nparts - 1], cat, db);
		return;
	}
	verr(c, t->pos, t->end, "Object '%s' not found", t->parts[0]);
}

/* The column list of a table, with DuckDB expressions over relation dn */
static void table_cols(struct tctx *c, struct tdef *t, struct rel *r, int dn, struct scan *sc)
{
	/* computed columns are written against the raw columns of the scan */
	struct scope raw = {0};
	struct rel *rr = rel_new(c, &raw, NULL, t->ncols);
	int nr = 0;
	for (int i = 0; i < t->ncols; i++) {
		if (t->cols[i].kind == COL_COMPUTED)
			continue;
		rr->cols[nr].name = t->cols[i].name;
		rr->cols[nr].type = t->cols[i].type;
		struct sb q = SB_INIT;
		qid(&q, t->cols[i].name);
		rr->cols[nr].sql = astr(c, &q);
		sb_release(&q);
		nr++;
	}
	rr->ncols = nr;
	const char *saved = c->src;
	c->src = t->src;
	for (int i = 0; i < t->ncols; i++) {
		struct fcol *col = &t->cols[i];
		r->cols[i].name = col->name;
		struct ftype *ty = col->type;
		if (col->kind == COL_COMPUTED) {
			struct sb x = SB_INIT;
			ty = tr_expr(c, col->expr, &raw, &x);
			if (sc)
				sc->t->cols[i].expr_sql = arena_strdup(&sc->t->a, x.buf);
			sb_release(&x);
		}
		if (ty && t->wm_col && !strcmp(t->wm_col, col->name)) {
			ty = ft_copy(c->a, ty);
			ty->attr = TA_ROWTIME;
		}
		r->cols[i].type = ty;
		col_sql(c, &r->cols[i], dn, col->name);
	}
	if (sc && t->wm_expr) {
		/* the watermark expression over the scan's columns (raw and computed) */
		struct scope all = {0};
		struct rel *ar = rel_new(c, &all, NULL, t->ncols);
		for (int i = 0; i < t->ncols; i++) {
			ar->cols[i].name = t->cols[i].name;
			ar->cols[i].type = r->cols[i].type;
			struct sb q = SB_INIT;
			qid(&q, t->cols[i].name);
			ar->cols[i].sql = astr(c, &q);
			sb_release(&q);
		}
		struct sb w = SB_INIT;
		tr_expr(c, t->wm_expr, &all, &w);
		scan_set_wm(sc, w.buf);
		sb_release(&w);
		VEC_FREE(&all.rels);
	}
	c->src = saved;
	VEC_FREE(&raw.rels);
}

static int tr_view(struct tctx *c, struct tdef *v, struct tref *t, struct rel **pr, struct scope *sc, struct sb *o)
{
	if (t->nhints) {
		struct sb id = SB_INIT;
		ident_serial(&id, v->cat, v->db, v->name);
		terr(c, EX_VALIDATION, "View '%s' cannot be enriched with new options. Hints can only be applied to tables.",
			id.buf);
		sb_release(&id);
		return -1;
	}
	if (c->depth > 32) {
		terr(c, EX_VALIDATION, "View '%s' references itself", v->name);
		return -1;
	}
	c->depth++;
	const char *saved = c->src;
	c->src = v->src;
	ctevec saved_ctes = c->ctes;
	memset(&c->ctes, 0, sizeof(c->ctes));
	struct qinfo qi = {0};
	int dn = dn_next(c);
	sb_adds(o, "(");
	bool saved_expand = c->expand;
	c->expand = false;
	int rc = tr_query(c, v->vq, NULL, o, &qi);
	c->expand = saved_expand;
	sb_addf(o, ") AS \"__r%d\"", dn);
	VEC_FREE(&c->ctes);
	c->ctes = saved_ctes;
	c->src = saved;
	c->depth--;
	if (rc)
		return -1;
	struct rel *r = rel_new(c, sc, t->alias ? t->alias : v->name, qi.n);
	r->c = v->cat;
	r->d = v->db;
	r->n = v->name;
	for (int i = 0; i < qi.n; i++) {
		r->cols[i].name = i < v->nvcols ? v->vcols[i] : qi.names[i];
		r->cols[i].type = qi.types[i];
		struct sb q = SB_INIT;
		sb_addf(&q, "\"__r%d\".", dn);
		qid(&q, qi.names[i]);
		r->cols[i].sql = astr(c, &q);
		sb_release(&q);
	}
	r->updating = qi.updating;
	r->keys = qi.keys;
	r->nkeys = qi.nkeys;
	r->node = qi.node;
	*pr = r;
	return 0;
}

static struct fopt *merge_opts(struct tctx *c, const struct tdef *t, const struct tref *tr, int *pn)
{
	struct fopt *o = ARENA_ARRAY(c->a, struct fopt, t->nopts + tr->nhints + 1);
	int n = 0;
	for (int i = 0; i < t->nopts; i++) {
		o[n].k = arena_strdup(c->a, t->opts[i].k);
		o[n++].v = arena_strdup(c->a, t->opts[i].v);
	}
	for (int i = 0; i < tr->nhints; i++) {
		int k;
		for (k = 0; k < n; k++)
			if (!strcmp(o[k].k, tr->hints[i].k))
				break;
		o[k].k = arena_strdup(c->a, tr->hints[i].k);
		o[k].v = arena_strdup(c->a, tr->hints[i].v);
		if (k == n)
			n++;
	}
	*pn = n;
	return o;
}

static int tr_table(struct tctx *c, struct tref *t, struct scope *sc, struct sb *o, struct rel **pr)
{
	if (t->nparts == 1) {
		struct cte_env *ce = cte_find(c, t->parts[0]);
		if (ce) {
			int dn = dn_next(c);
			sb_addf(o, "\"%s\" AS \"__r%d\"", ce->duck, dn);
			struct rel *r = rel_new(c, sc, t->alias ? t->alias : t->parts[0], ce->qi.n);
			for (int i = 0; i < ce->qi.n; i++) {
				r->cols[i].name = ce->qi.names[i];
				r->cols[i].type = ce->qi.types[i];
				col_sql(c, &r->cols[i], dn, ce->qi.names[i]);
			}
			r->updating = ce->qi.updating;
			r->keys = ce->qi.keys;
			r->nkeys = ce->qi.nkeys;
			r->node = ce->qi.node;
			*pr = r;
			return 0;
		}
	}
	const char *cat, *db, *name;
	qualify(c->s, c->a, t->parts, t->nparts, &cat, &db, &name);
	struct tdef *def = obj_lookup(c->s, cat, db, name, NULL);
	if (!def) {
		not_found(c, t, cat, db);
		return -1;
	}
	if (c->expand) {
		t->parts = ARENA_ARRAY(c->a, const char *, 3);
		t->parts[0] = cat;
		t->parts[1] = db;
		t->parts[2] = name;
		t->nparts = 3;
	}
	if (def->kind == OBJ_VIEW) {
		if (tr_view(c, def, t, pr, sc, o))
			return -1;
		if (!t->alias && *pr)
			(*pr)->alias = name;
		return 0;
	}
	struct sb ident = SB_INIT;
	ident_summary(&ident, cat, db, name);
	struct scan *scn = ARENA_NEW(c->a, struct scan);
	scn->t = tdef_clone(def);
	scn->t->cat = arena_strdup(&scn->t->a, cat);
	scn->opts = merge_opts(c, scn->t, t, &scn->nopts);
	scn->ident = astr(c, &ident);
	sb_release(&ident);
	snprintf(scn->dname, sizeof(scn->dname), "__s%d", (int)c->plan->scans.n + 1);
	VEC_PUSH(&c->plan->scans, scn);
	if (!c->schema_only) {
		struct ferr ce = {0};
		if (conn_validate(scn->t, scn->opts, scn->nopts, false, scn->ident, c->version, &ce)) {
			c->failed = true;
			for (int i = 0; i < ce.n; i++)
				ferr_add(c->e, ce.cls[i], "%s", ce.msg[i]);
			ferr_release(&ce);
			return -1;
		}
		scn->bounded = conn_bounded(scn->t, scn->opts, scn->nopts);
		if (c->batch && !scn->bounded) {
			terr(c, EX_VALIDATION, "Querying an unbounded table '%s' in batch mode is not allowed. The table source "
				"is unbounded.", scn->ident);
			return -1;
		}
	} else {
		scn->bounded = true;
	}
	int dn = dn_next(c);
	sb_addf(o, "\"%s\" AS \"__r%d\"", scn->dname, dn);
	struct rel *r = rel_new(c, sc, t->alias ? t->alias : name, def->ncols);
	r->c = cat;
	r->d = db;
	r->n = name;
	/* from here on the plan's own copy: nothing may point into the catalog */
	def = scn->t;
	table_cols(c, def, r, dn, scn);
	const char *conn = tdef_opt(def, "connector");
	if (conn && !strcmp(conn, "upsert-kafka") && !c->batch) {
		r->updating = true;
		r->nkeys = def->npk;
		r->keys = ARENA_ARRAY(c->a, int, def->npk + 1);
		struct sb nd = SB_INIT;
		sb_adds(&nd, "ChangelogNormalize(key=[");
		for (int i = 0; i < def->npk; i++) {
			r->keys[i] = tdef_col(def, def->pk[i]);
			sb_addf(&nd, "%s%s", i ? ", " : "", def->pk[i]);
		}
		sb_adds(&nd, "])");
		r->node = astr(c, &nd);
		sb_release(&nd);
	}
	*pr = r;
	return 0;
}

/* TABLE(TUMBLE|HOP|CUMULATE(TABLE t, DESCRIPTOR(ts), ...)) */
static int tr_tvf(struct tctx *c, struct tref *t, struct scope *sc, struct sb *o, struct rel **pr)
{
	const char *fn = t->fn;
	bool tumble = !strcasecmp(fn, "TUMBLE"), hop = !strcasecmp(fn, "HOP"), cum = !strcasecmp(fn, "CUMULATE");
	if (!tumble && !hop && !cum) {
		verr(c, t->pos, t->end, "No match found for function signature %s(<TABLE>)", fn);
		return -1;
	}
	int need = tumble ? 3 : 4;
	if (t->nargs < need || t->args[0]->k != N_TABLEARG || t->args[1]->k != N_DESCRIPTOR) {
		verr(c, t->pos, t->end, "Invalid number of arguments to function '%s'. Was expecting %d arguments", fn, need);
		return -1;
	}
	struct scope inner = {0};
	struct sb in = SB_INIT;
	struct rel *ir = NULL;
	if (tr_table(c, t->args[0]->tab, &inner, &in, &ir)) {
		sb_release(&in);
		VEC_FREE(&inner.rels);
		return -1;
	}
	const char *tcol = t->args[1]->parts[0];
	int ti = -1;
	for (int i = 0; i < ir->ncols; i++)
		if (!strcmp(ir->cols[i].name, tcol))
			ti = i;
	if (ti < 0) {
		verr(c, t->args[1]->pos, t->args[1]->end, "Column '%s' not found in any table", tcol);
		sb_release(&in);
		VEC_FREE(&inner.rels);
		return -1;
	}
	struct ftype *tt = ir->cols[ti].type;
	if (!tt || !ft_is_timestamp(tt) || tt->attr == TA_NONE) {
		struct sb ts = SB_INIT;
		if (tt)
			ft_summary(&ts, tt, true, false);
		terr(c, EX_VALIDATION, "The window function %s(TABLE table_name, DESCRIPTOR(timecol), datasize[, offset]) "
			"requires the timecol to be a time attribute type, but is %s.", fn, ts.buf);
		sb_release(&ts);
		sb_release(&in);
		VEC_FREE(&inner.rels);
		return -1;
	}
	long long size = 0, step = 0, off = 0;
	if (tumble) {
		if (!node_interval_ms(c, t->args[2], &size))
			goto bad;
		if (t->nargs > 3 && !node_interval_ms(c, t->args[3], &off))
			goto bad;
	} else {
		if (!node_interval_ms(c, t->args[2], &step) || !node_interval_ms(c, t->args[3], &size))
			goto bad;
		if (size % step) {
			terr(c, EX_TABLE, "%s table function based aggregate requires size must be an integral multiple of %s.",
				hop ? "HOP" : "CUMULATE", hop ? "slide" : "step");
			goto bad;
		}
	}
	int dn = dn_next(c);
	const char *wcol = ir->cols[ti].sql;
	bool ltz = tt->root == FT_TIMESTAMP_LTZ;
	struct sb local = SB_INIT;
	if (ltz)
		sb_addf(&local, "CAST(%s AS TIMESTAMP)", wcol);
	else
		sb_adds(&local, wcol);
	sb_adds(o, "(SELECT ");
	for (int i = 0; i < ir->ncols; i++) {
		sb_addf(o, "%s AS ", ir->cols[i].sql);
		qid(o, ir->cols[i].name);
		sb_adds(o, ", ");
	}
	struct sb b = SB_INIT;
	if (tumble) {
		bucket_sql(&b, wcol, tt, size, off);
		sb_addf(o, "%s AS \"window_start\", %s + INTERVAL '%lld milliseconds' AS \"window_end\", "
			"%s + INTERVAL '%lld milliseconds' AS \"window_time\" FROM %s",
			b.buf, b.buf, size, b.buf, size - 1, in.buf);
	} else if (hop) {
		/* every window of length size, sliding by step, that contains the row */
		bucket_sql(&b, wcol, tt, step, 0);
		sb_addf(o, "__hw%d.ws AS \"window_start\", __hw%d.ws + INTERVAL '%lld milliseconds' AS \"window_end\", "
			"__hw%d.ws + INTERVAL '%lld milliseconds' AS \"window_time\" FROM %s, LATERAL (SELECT %s - "
			"INTERVAL '%lld milliseconds' * k AS ws FROM range(0, %lld) AS __k(k)) AS __hw%d WHERE __hw%d.ws + "
			"INTERVAL '%lld milliseconds' > %s",
			dn, dn, size, dn, size - 1, in.buf, b.buf, step, size / step, dn, dn, size, local.buf);
	} else {
		/* windows [start, start + k * step) for k = 1 .. size / step that contain the row */
		bucket_sql(&b, wcol, tt, size, 0);
		sb_addf(o, "%s AS \"window_start\", %s + INTERVAL '%lld milliseconds' * k AS \"window_end\", "
			"%s + INTERVAL '%lld milliseconds' * k - INTERVAL '1 millisecond' AS \"window_time\" FROM %s, "
			"range(1, %lld) AS __k%d(k) WHERE %s + INTERVAL '%lld milliseconds' * k > %s",
			b.buf, b.buf, step, b.buf, step, in.buf, size / step + 1, dn, b.buf, step, local.buf);
	}
	sb_release(&b);
	sb_addf(o, ") AS \"__r%d\"", dn);
	struct rel *r = rel_new(c, sc, t->alias ? t->alias : NULL, ir->ncols + 3);
	for (int i = 0; i < ir->ncols; i++) {
		r->cols[i].name = ir->cols[i].name;
		r->cols[i].type = ir->cols[i].type;
		if (i == ti && r->cols[i].type) {
			/* the time attribute is materialised by the window TVF */
			r->cols[i].type = ft_copy(c->a, r->cols[i].type);
			r->cols[i].type->attr = TA_NONE;
		}
		col_sql(c, &r->cols[i], dn, ir->cols[i].name);
	}
	struct ftype *wt = mkt(c, FT_TIMESTAMP, false);
	wt->len = 3;
	static const char *const wn[] = {"window_start", "window_end", "window_time"};
	for (int k = 0; k < 3; k++) {
		struct rcol *rc = &r->cols[ir->ncols + k];
		rc->name = wn[k];
		rc->type = ft_copy(c->a, wt);
		if (k == 2) {
			if (ltz)
				rc->type->root = FT_TIMESTAMP_LTZ;
			rc->type->attr = tt->attr;
		}
		col_sql(c, rc, dn, wn[k]);
	}
	r->tvf = true;
	r->ws = ir->ncols;
	r->we = ir->ncols + 1;
	r->wt = ir->ncols + 2;
	r->proctime_window = tt->attr == TA_PROCTIME;
	r->updating = ir->updating;
	r->node = ir->node;
	*pr = r;
	sb_release(&local);
	sb_release(&in);
	VEC_FREE(&inner.rels);
	return 0;
bad:
	sb_release(&in);
	VEC_FREE(&inner.rels);
	return -1;
}

static int tr_from(struct tctx *c, struct tref *t, struct scope *sc, struct sb *o)
{
	if (c->failed)
		return -1;
	struct rel *r = NULL;
	switch (t->k) {
	case T_TABLE:
		return tr_table(c, t, sc, o, &r);
	case T_TVF:
		return tr_tvf(c, t, sc, o, &r);
	case T_SUBQ: {
		struct qinfo qi = {0};
		int dn = dn_next(c);
		sb_adds(o, t->lateral ? "LATERAL (" : "(");
		if (tr_query(c, t->q, t->lateral ? sc : NULL, o, &qi))
			return -1;
		sb_addf(o, ") AS \"__r%d\"", dn);
		if (t->nacols && t->nacols != qi.n) {
			verr(c, t->pos, t->end, "List of column aliases must have same degree as table; table has %d columns, "
				"whereas alias list has %d columns", qi.n, t->nacols);
			return -1;
		}
		r = rel_new(c, sc, t->alias, qi.n);
		for (int i = 0; i < qi.n; i++) {
			r->cols[i].name = t->nacols ? t->acols[i] : qi.names[i];
			r->cols[i].type = qi.types[i];
			col_sql(c, &r->cols[i], dn, qi.names[i]);
		}
		r->updating = qi.updating;
		r->keys = qi.keys;
		r->nkeys = qi.nkeys;
		r->node = qi.node;
		if (qi.rank && !r->node)
			r->node = qi.rank_first ? "RankFirst" : "Rank";
		return 0;
	}
	case T_UNNEST: {
		int dn = dn_next(c);
		sb_adds(o, "(SELECT unnest(");
		struct ftype *at = tr_expr(c, t->args[0], sc, o);
		sb_addf(o, ") AS \"EXPR$0\") AS \"__r%d\"", dn);
		r = rel_new(c, sc, t->alias, 1);
		r->cols[0].name = t->nacols ? t->acols[0] : "EXPR$0";
		r->cols[0].type = at && at->root == FT_ARRAY ? at->elem : NULL;
		col_sql(c, &r->cols[0], dn, "EXPR$0");
		return c->failed ? -1 : 0;
	}
	case T_JOIN: {
		size_t before = sc->rels.n;
		if (tr_from(c, t->l, sc, o))
			return -1;
		size_t mid = sc->rels.n;
		bool cross = !strcmp(t->jtype, "CROSS");
		if (t->r->k == T_UNNEST || (t->r->k == T_SUBQ && t->r->lateral))
			sb_adds(o, cross ? ", " : " ");
		else
			sb_addf(o, " %s JOIN ", cross ? "CROSS" : !strcmp(t->jtype, "INNER") ? "INNER" : t->jtype);
		if (!cross && (t->r->k == T_UNNEST || (t->r->k == T_SUBQ && t->r->lateral)))
			sb_addf(o, "%s JOIN ", !strcmp(t->jtype, "INNER") ? "INNER" : t->jtype);
		if (tr_from(c, t->r, sc, o))
			return -1;
		size_t end = sc->rels.n;
		if (t->on) {
			sb_adds(o, " ON ");
			tr_expr(c, t->on, sc, o);
		} else if (t->nusing) {
			sb_adds(o, " ON ");
			for (int i = 0; i < t->nusing; i++) {
				if (i)
					sb_adds(o, " AND ");
				struct node id = {.k = N_ID, .parts = &t->usingc[i], .nparts = 1, .pos = t->pos, .end = t->end};
				struct scope ls = {0}, rs = {0};
				for (size_t k = before; k < mid; k++)
					VEC_PUSH(&ls.rels, sc->rels.v[k]);
				for (size_t k = mid; k < end; k++)
					VEC_PUSH(&rs.rels, sc->rels.v[k]);
				tr_expr(c, &id, &ls, o);
				sb_adds(o, " = ");
				tr_expr(c, &id, &rs, o);
				VEC_FREE(&ls.rels);
				VEC_FREE(&rs.rels);
				for (size_t ri = mid; ri < end; ri++)
					for (int rc = 0; rc < sc->rels.v[ri]->ncols; rc++)
						if (!strcmp(sc->rels.v[ri]->cols[rc].name, t->usingc[i]))
							sc->rels.v[ri]->cols[rc].merged = true;
			}
		} else if (t->natural) {
			/* NATURAL: equality on every column name both sides have */
			int eq = 0;
			for (size_t li = before; li < mid; li++)
				for (int lc = 0; lc < sc->rels.v[li]->ncols; lc++)
					for (size_t ri = mid; ri < end; ri++)
						for (int rc = 0; rc < sc->rels.v[ri]->ncols; rc++)
							if (!sc->rels.v[ri]->cols[rc].merged &&
								!strcmp(sc->rels.v[li]->cols[lc].name, sc->rels.v[ri]->cols[rc].name)) {
								sb_addf(o, "%s%s = %s", eq++ ? " AND " : " ON ", sc->rels.v[li]->cols[lc].sql,
									sc->rels.v[ri]->cols[rc].sql);
								sc->rels.v[ri]->cols[rc].merged = true;
							}
			if (!eq)
				sb_adds(o, " ON TRUE");
		} else if (!cross && (t->r->k == T_UNNEST || t->r->lateral)) {
			sb_adds(o, " ON TRUE");
		}
		bool temporal = t->r->k == T_TABLE && t->r->systime;
		bool any_upd = false;
		for (size_t k = before; k < end; k++)
			any_upd = any_upd || sc->rels.v[k]->updating;
		if (!strcmp(t->jtype, "LEFT") || !strcmp(t->jtype, "FULL"))
			for (size_t k = mid; k < end; k++)
				sc->rels.v[k]->nullable = true;
		if (!strcmp(t->jtype, "RIGHT") || !strcmp(t->jtype, "FULL"))
			for (size_t k = before; k < mid; k++)
				sc->rels.v[k]->nullable = true;
		bool outer = !strcmp(t->jtype, "LEFT") || !strcmp(t->jtype, "RIGHT") || !strcmp(t->jtype, "FULL");
		if (!temporal && (outer || any_upd) && !c->batch && t->r->k != T_UNNEST) {
			/* a regular join producing updates */
			struct sb nd = SB_INIT;
			const char *jt = !strcmp(t->jtype, "LEFT") ? "LeftOuterJoin" : !strcmp(t->jtype, "RIGHT") ? "RightOuterJoin" :
				!strcmp(t->jtype, "FULL") ? "FullOuterJoin" : "InnerJoin";
			sb_addf(&nd, "Join(joinType=[%s], where=[", jt);
			if (t->on)
				unparse_expr(&nd, t->on);
			sb_adds(&nd, "], leftInputSpec=[NoUniqueKey], rightInputSpec=[NoUniqueKey])");
			for (size_t k = before; k < end; k++) {
				sc->rels.v[k]->updating = true;
				if (!sc->rels.v[k]->node || outer)
					sc->rels.v[k]->node = astr(c, &nd);
				sc->rels.v[k]->nkeys = -1;
			}
			sb_release(&nd);
		}
		return c->failed ? -1 : 0;
	}
	}
	return -1;
}

/* ------------------------------------------------------------------ queries */

static const char *item_name(struct tctx *c, struct sitem *it, int i)
{
	if (it->alias)
		return it->alias;
	struct node *e = it->e;
	if (e->k == N_ID)
		return e->parts[e->nparts - 1];
	if (e->k == N_ITEM && e->s)
		return e->s;
	return arena_sprintf(c->a, "EXPR$%d", i);
}

static const char *uniq(struct tctx *c, const char **names, int n, const char *name)
{
	for (int k = -1;; k++) {
		const char *cand = k < 0 ? name : arena_sprintf(c->a, "%s%d", name, k);
		bool dup = false;
		for (int i = 0; i < n; i++)
			if (!strcmp(names[i], cand))
				dup = true;
		if (!dup)
			return cand;
	}
}

static bool same_expr(struct node *a, struct node *b)
{
	struct sb x = SB_INIT, y = SB_INIT;
	unparse_expr(&x, a);
	unparse_expr(&y, b);
	bool eq = !strcmp(x.buf, y.buf);
	sb_release(&x);
	sb_release(&y);
	return eq;
}

static bool is_time_attr(struct tctx *c, struct node *e, struct scope *sc)
{
	if (e->k != N_ID)
		return false;
	int ci, amb;
	struct rel *r = resolve_col(c, sc, e, &ci, &amb);
	return r && r->cols[ci].type && r->cols[ci].type->attr != TA_NONE;
}

static void agg_desc(struct query *q, struct sb *nd, const char **names)
{
	sb_adds(nd, "GroupAggregate(");
	if (q->ngroup) {
		sb_adds(nd, "groupBy=[");
		for (int i = 0; i < q->ngroup; i++) {
			if (i)
				sb_adds(nd, ", ");
			struct node *g = q->group[i];
			if (g->k == N_ID)
				sb_adds(nd, g->parts[g->nparts - 1]);
			else
				unparse_expr(nd, g);
		}
		sb_adds(nd, "], ");
	}
	sb_adds(nd, "select=[");
	for (int i = 0; i < q->nitems; i++) {
		if (i)
			sb_adds(nd, ", ");
		struct node *e = q->items[i].e;
		if (e->k == N_ID) {
			sb_adds(nd, e->parts[e->nparts - 1]);
		} else {
			struct sb t = SB_INIT;
			unparse_expr(&t, e);
			for (const char *p = t.buf; *p; p++)
				if (*p != '`')
					sb_addc(nd, *p);
			sb_release(&t);
			sb_addf(nd, " AS %s", names[i]);
		}
	}
	sb_adds(nd, "])");
}

static int tr_select(struct tctx *c, struct query *q, struct scope *up, struct sb *o, struct qinfo *qi)
{
	struct scope sc = {0};
	sc.up = up;
	struct sb from = SB_INIT, body = SB_INIT;
	int rc = -1;
	if (q->from && tr_from(c, q->from, &sc, &from))
		goto out;
	/* items, with * expanded */
	VEC(const char *) names = {0};
	VEC(struct ftype *) types = {0};
	VEC(int) src = {0};
	VEC(struct node *) exprs = {0};
	struct sb items = SB_INIT;
	bool any_agg = q->ngroup > 0 || q->having != NULL;
	bool rank = false, rank_first = false;
	struct window *rank_part = NULL;
	for (int i = 0; i < q->nitems; i++)
		if (has_agg(q->items[i].e))
			any_agg = true;
	for (int i = 0; i < q->nitems && !c->failed; i++) {
		struct node *e = q->items[i].e;
		if (e->k == N_STAR) {
			bool matched = false;
			for (size_t ri = 0; ri < sc.rels.n; ri++) {
				struct rel *r = sc.rels.v[ri];
				if (e->nparts && (!r->alias || strcmp(r->alias, e->parts[e->nparts - 1])))
					continue;
				matched = true;
				for (int k = 0; k < r->ncols; k++) {
					if (r->cols[k].merged && !e->nparts)
						continue;
					const char *nm = uniq(c, names.v, (int)names.n, r->cols[k].name);
					if (items.len)
						sb_adds(&items, ", ");
					sb_addf(&items, "%s AS ", r->cols[k].sql);
					qid(&items, nm);
					VEC_PUSH(&names, nm);
					struct ftype *t = r->cols[k].type;
					if (t && r->nullable)
						t = ft_with_null(c->a, t, true);
					VEC_PUSH(&types, t);
					VEC_PUSH(&src, sc.rels.n == 1 ? k : -1);
					VEC_PUSH(&exprs, NULL);
				}
			}
			if (!matched) {
				if (e->nparts)
					verr(c, e->pos, e->end, "Unknown identifier '%s'", e->parts[e->nparts - 1]);
				else
					verr(c, e->pos, e->end, "SELECT * not allowed in query without FROM clause");
			}
			continue;
		}
		if (has_func(e, "ROW_NUMBER", true) || has_func(e, "RANK", true) || has_func(e, "DENSE_RANK", true)) {
			rank = true;
			/* ROW_NUMBER() OVER (... ORDER BY rowtime|proctime ASC): Flink's deduplication keeping
			 * the first row, which is append-only */
			if (e->k == N_FUNC && e->over && e->over->nord == 1 && !e->over->ord[0].desc &&
				is_time_attr(c, e->over->ord[0].e, &sc))
				rank_first = true;
			if (e->k == N_FUNC && e->over)
				rank_part = e->over;
		}
		struct sb x = SB_INIT;
		struct ftype *t = tr_expr(c, e, &sc, &x);
		const char *nm = uniq(c, names.v, (int)names.n, item_name(c, &q->items[i], i));
		if (items.len)
			sb_adds(&items, ", ");
		sb_addf(&items, "%s AS ", x.buf);
		qid(&items, nm);
		sb_release(&x);
		VEC_PUSH(&names, nm);
		VEC_PUSH(&types, t);
		int sci = -1;
		if (e->k == N_ID && sc.rels.n == 1) {
			int amb;
			struct rel *r = resolve_col(c, &sc, e, &sci, &amb);
			if (r != sc.rels.v[0])
				sci = -1;
		}
		VEC_PUSH(&src, sci);
		VEC_PUSH(&exprs, e);
	}
	if (c->failed)
		goto out_items;
	sb_adds(&body, "SELECT ");
	if (q->distinct)
		sb_adds(&body, "DISTINCT ");
	sb_adds(&body, items.len ? items.buf : "NULL");
	if (q->from)
		sb_addf(&body, " FROM %s", from.buf);
	/* window aggregation: GROUP BY window_start, window_end of a TVF, or a group window function */
	bool win_agg = false;
	struct rel *wrel = NULL;
	const char *gw_end = NULL;
	bool gw_proctime = false;
	if (any_agg) {
		bool has_ws = false, has_we = false;
		for (int i = 0; i < q->ngroup; i++) {
			struct node *g = q->group[i];
			if (g->k == N_ID) {
				int ci, amb;
				struct rel *r = resolve_col(c, &sc, g, &ci, &amb);
				if (r && r->tvf) {
					if (ci == r->ws)
						has_ws = true;
					if (ci == r->we)
						has_we = true;
					wrel = r;
				}
			} else if (g->k == N_FUNC && (!strcasecmp(g->s, "TUMBLE") || !strcasecmp(g->s, "HOP"))) {
				win_agg = true;
				struct sb e2 = SB_INIT;
				struct node endf = *g;
				endf.s = !strcasecmp(g->s, "TUMBLE") ? "TUMBLE_END" : "HOP_END";
				tr_expr(c, &endf, &sc, &e2);
				gw_end = astr(c, &e2);
				sb_release(&e2);
				if (g->nargs && is_time_attr(c, g->args[0], &sc)) {
					int ci, amb;
					struct rel *r = resolve_col(c, &sc, g->args[0], &ci, &amb);
					gw_proctime = r && r->cols[ci].type->attr == TA_PROCTIME;
				}
			}
		}
		if (has_ws && has_we)
			win_agg = true;
	}
	bool stream = !c->batch;
	struct sb where = SB_INIT;
	if (q->where) {
		struct sb w = SB_INIT;
		tr_expr(c, q->where, &sc, &w);
		sb_addf(&where, "(%s)", w.buf);
		sb_release(&w);
	}
	if (win_agg && stream && !c->schema_only) {
		const char *we = gw_end ? gw_end : wrel->cols[wrel->we].sql;
		bool proc = gw_end ? gw_proctime : wrel->proctime_window;
		if (where.len)
			sb_adds(&where, " AND ");
		if (proc)
			sb_addf(&where, "%s <= current_timestamp", we);
		else
			sb_addf(&where, "%s <= (SELECT wm FROM \"__wm\")", we);
	}
	if (where.len)
		sb_addf(&body, " WHERE %s", where.buf);
	sb_release(&where);
	if (q->ngroup) {
		sb_adds(&body, " GROUP BY ");
		emit_args(c, q->group, q->ngroup, &sc, &body, NULL);
	}
	if (q->having) {
		sb_adds(&body, " HAVING ");
		tr_expr(c, q->having, &sc, &body);
	}
	/* ORDER BY / LIMIT of a plain SELECT see its FROM scope and the output names */
	bool order_time = false;
	if (q->nord) {
		struct node *e0 = q->ord[0].e;
		if (!q->ord[0].desc && e0->k == N_ID) {
			if (is_time_attr(c, e0, &sc))
				order_time = true;
			for (size_t k = 0; k < names.n && e0->nparts == 1; k++)
				if (!strcmp(names.v[k], e0->parts[0]) && types.v[k] && types.v[k]->attr != TA_NONE)
					order_time = true;
		}
		sc.outnames = names.v;
		sc.nout = (int)names.n;
		sb_adds(&body, " ORDER BY ");
		for (int i = 0; i < q->nord; i++) {
			if (i)
				sb_adds(&body, ", ");
			struct node *e = q->ord[i].e;
			bool done = false;
			if (e->k == N_ID && e->nparts == 1) {
				for (size_t k = 0; k < names.n; k++)
					if (!strcmp(names.v[k], e->parts[0]) && exprs.v[k] != NULL &&
						!(exprs.v[k]->k == N_ID && !strcmp(exprs.v[k]->parts[exprs.v[k]->nparts - 1], e->parts[0]))) {
						qid(&body, names.v[k]);
						done = true;
						break;
					}
			} else if (e->k == N_NUM && !strchr(e->s, '.')) {
				sb_adds(&body, e->s);
				done = true;
			}
			if (!done)
				tr_expr(c, e, &sc, &body);
			if (q->ord[i].desc)
				sb_adds(&body, " DESC");
			if (q->ord[i].nulls)
				sb_adds(&body, q->ord[i].nulls == 1 ? " NULLS FIRST" : " NULLS LAST");
		}
	}
	if (c->failed)
		goto out_items;
	sb_adds(o, body.buf);
	/* changelog kind */
	qi->n = (int)names.n;
	qi->names = ARENA_ARRAY(c->a, const char *, names.n + 1);
	qi->types = ARENA_ARRAY(c->a, struct ftype *, names.n + 1);
	qi->srccol = ARENA_ARRAY(c->a, int, names.n + 1);
	memcpy(qi->names, names.v, sizeof(char *) * names.n);
	memcpy(qi->types, types.v, sizeof(struct ftype *) * names.n);
	memcpy(qi->srccol, src.v, sizeof(int) * names.n);
	qi->nkeys = -1;
	bool in_upd = false;
	const char *in_node = NULL;
	struct rel *single = sc.rels.n == 1 ? sc.rels.v[0] : NULL;
	for (size_t k = 0; k < sc.rels.n; k++)
		if (sc.rels.v[k]->updating) {
			in_upd = true;
			if (!in_node)
				in_node = sc.rels.v[k]->node;
		}
	if (stream && any_agg && !win_agg) {
		qi->updating = true;
		struct sb nd = SB_INIT;
		agg_desc(q, &nd, names.v);
		qi->node = astr(c, &nd);
		sb_release(&nd);
		VEC(int) keys = {0};
		for (int g = 0; g < q->ngroup; g++)
			for (size_t k = 0; k < names.n; k++)
				if (exprs.v[k] && same_expr(exprs.v[k], q->group[g])) {
					VEC_PUSH(&keys, (int)k);
					break;
				}
		qi->keys = ARENA_ARRAY(c->a, int, keys.n + 1);
		if (keys.n)
			memcpy(qi->keys, keys.v, sizeof(int) * keys.n);
		qi->nkeys = (int)keys.n;
		if ((int)keys.n != q->ngroup && q->ngroup)
			qi->nkeys = -1;
		VEC_FREE(&keys);
	} else if (stream && q->distinct) {
		qi->updating = true;
		qi->node = "GroupAggregate(groupBy=[...], select=[...])";
		qi->keys = ARENA_ARRAY(c->a, int, names.n + 1);
		for (size_t k = 0; k < names.n; k++)
			qi->keys[k] = (int)k;
		qi->nkeys = (int)names.n;
	} else if (in_upd && !win_agg) {
		qi->updating = true;
		qi->node = in_node;
		if (single && single->nkeys >= 0) {
			VEC(int) keys = {0};
			for (int kk = 0; kk < single->nkeys; kk++)
				for (size_t k = 0; k < names.n; k++)
					if (src.v[k] == single->keys[kk]) {
						VEC_PUSH(&keys, (int)k);
						break;
					}
			if ((int)keys.n == single->nkeys) {
				qi->keys = ARENA_ARRAY(c->a, int, keys.n + 1);
				if (keys.n)
					memcpy(qi->keys, keys.v, sizeof(int) * keys.n);
				qi->nkeys = (int)keys.n;
			}
			VEC_FREE(&keys);
		}
	}
	qi->rank = rank;
	qi->rank_first = rank_first;
	qi->order_time = order_time;
	if (rank && rank_part && !qi->updating) {
		/* a ranking's partition columns are the upsert key of a Top-N on top of it */
		VEC(int) keys = {0};
		for (int pi = 0; pi < rank_part->npart; pi++)
			for (size_t k = 0; k < names.n; k++) {
				struct node *pe = rank_part->part[pi];
				bool same = exprs.v[k] ? same_expr(exprs.v[k], pe) :
					pe->k == N_ID && !strcmp(names.v[k], pe->parts[pe->nparts - 1]);   /* from a '*' */
				if (same) {
					VEC_PUSH(&keys, (int)k);
					break;
				}
			}
		if ((int)keys.n == rank_part->npart) {
			qi->keys = ARENA_ARRAY(c->a, int, keys.n + 1);
			if (keys.n)
				memcpy(qi->keys, keys.v, sizeof(int) * keys.n);
			qi->nkeys = (int)keys.n;
		}
		VEC_FREE(&keys);
	}
	/* Top-N / deduplication over a ranked subquery */
	if (stream && single && !qi->updating && single->node && !strcmp(single->node, "Rank") && q->where) {
		qi->updating = true;
		qi->node = "Rank(strategy=[UndefinedStrategy], rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=1], "
			"partitionBy=[...], orderBy=[...], select=[...])";
		qi->nkeys = -1;
		if (single->nkeys >= 0) {
			VEC(int) keys = {0};
			for (int kk = 0; kk < single->nkeys; kk++)
				for (size_t k = 0; k < names.n; k++)
					if (src.v[k] == single->keys[kk]) {
						VEC_PUSH(&keys, (int)k);
						break;
					}
			if ((int)keys.n == single->nkeys) {
				qi->keys = ARENA_ARRAY(c->a, int, keys.n + 1);
				if (keys.n)
					memcpy(qi->keys, keys.v, sizeof(int) * keys.n);
				qi->nkeys = (int)keys.n;
			}
			VEC_FREE(&keys);
		}
	}
	if (stream && rank && !q->where)
		qi->rank = true;
	rc = 0;
out_items:
	sb_release(&items);
	VEC_FREE(&names);
	VEC_FREE(&types);
	VEC_FREE(&src);
	VEC_FREE(&exprs);
out:
	sb_release(&from);
	sb_release(&body);
	VEC_FREE(&sc.rels);
	return c->failed ? -1 : rc;
}

static int tr_values(struct tctx *c, struct query *q, struct scope *up, struct sb *o, struct qinfo *qi)
{
	int ncol = q->rows[0]->nargs;
	struct ftype **types = ARENA_ARRAY(c->a, struct ftype *, ncol + 1);
	struct sb v = SB_INIT;
	struct scope sc = {0};
	sc.up = up;
	for (int r = 0; r < q->nrows; r++) {
		struct node *row = q->rows[r];
		if (row->nargs != ncol) {
			verr(c, row->pos, row->end, "Values passed to VALUES operator must have compatible types");
			sb_release(&v);
			return -1;
		}
		sb_adds(&v, r ? ", (" : "(");
		for (int i = 0; i < ncol; i++) {
			if (i)
				sb_adds(&v, ", ");
			struct ftype *t = tr_expr(c, row->args[i], &sc, &v);
			types[i] = r ? widen(c, types[i], t) : t;
		}
		sb_addc(&v, ')');
	}
	qi->n = ncol;
	qi->names = ARENA_ARRAY(c->a, const char *, ncol + 1);
	qi->srccol = ARENA_ARRAY(c->a, int, ncol + 1);
	qi->types = types;
	qi->nkeys = -1;
	sb_adds(o, "SELECT * FROM (VALUES ");
	sb_adds(o, v.buf);
	sb_adds(o, ") AS __v(");
	for (int i = 0; i < ncol; i++) {
		qi->names[i] = arena_sprintf(c->a, "EXPR$%d", i);
		qi->srccol[i] = -1;
		if (i)
			sb_adds(o, ", ");
		qid(o, qi->names[i]);
	}
	sb_addc(o, ')');
	sb_release(&v);
	return c->failed ? -1 : 0;
}

static int tr_query(struct tctx *c, struct query *q, struct scope *up, struct sb *o, struct qinfo *qi)
{
	if (c->failed)
		return -1;
	size_t cte_mark = c->ctes.n;
	int rc = -1;
	if (q->nctes) {
		sb_adds(o, "WITH ");
		for (int i = 0; i < q->nctes; i++) {
			struct cte_env ce = {0};
			ce.name = q->ctes[i].name;
			snprintf(ce.duck, sizeof(ce.duck), "__c%d", ++c->ncte);
			if (i)
				sb_adds(o, ", ");
			sb_addf(o, "\"%s\" AS (", ce.duck);
			if (q->ctes[i].ncols) {
				struct sb inner = SB_INIT;
				if (tr_query(c, q->ctes[i].q, up, &inner, &ce.qi)) {
					sb_release(&inner);
					goto out;
				}
				if (ce.qi.n != q->ctes[i].ncols) {
					terr(c, EX_VALIDATION, "SQL validation failed. Number of columns must match number of query columns");
					sb_release(&inner);
					goto out;
				}
				sb_adds(o, "SELECT ");
				for (int k = 0; k < ce.qi.n; k++) {
					if (k)
						sb_adds(o, ", ");
					qid(o, ce.qi.names[k]);
					sb_adds(o, " AS ");
					qid(o, q->ctes[i].cols[k]);
					ce.qi.names[k] = q->ctes[i].cols[k];
				}
				sb_addf(o, " FROM (%s)", inner.buf);
				sb_release(&inner);
			} else if (tr_query(c, q->ctes[i].q, up, o, &ce.qi)) {
				goto out;
			}
			sb_addc(o, ')');
			VEC_PUSH(&c->ctes, ce);
		}
		sb_addc(o, ' ');
	}
	bool simple = q->k == Q_SELECT;
	if (q->k == Q_SELECT) {
		rc = tr_select(c, q, up, o, qi);
	} else if (q->k == Q_VALUES) {
		rc = tr_values(c, q, up, o, qi);
	} else if (!q->op) {
		sb_addc(o, '(');
		rc = tr_query(c, q->l, up, o, qi);
		sb_addc(o, ')');
	} else {
		struct qinfo l = {0}, r = {0};
		sb_addc(o, '(');
		if (tr_query(c, q->l, up, o, &l))
			goto out;
		sb_addf(o, ") %s%s (", q->op, q->all ? " ALL" : "");
		if (tr_query(c, q->r, up, o, &r))
			goto out;
		sb_addc(o, ')');
		if (l.n != r.n) {
			verr(c, q->pos, q->end > q->pos ? q->end : q->pos + 1, "Column count mismatch in %s", q->op);
			goto out;
		}
		*qi = l;
		qi->types = ARENA_ARRAY(c->a, struct ftype *, l.n + 1);
		for (int i = 0; i < l.n; i++)
			qi->types[i] = widen(c, l.types[i], r.types[i]);
		qi->updating = l.updating || r.updating || (!c->batch && !q->all);
		qi->node = l.node ? l.node : r.node;
		if (!qi->node && qi->updating)
			qi->node = "GroupAggregate(groupBy=[...], select=[...])";
		qi->nkeys = -1;
		rc = 0;
	}
	if (rc)
		goto out;
	if (!simple && q->nord) {
		sb_adds(o, " ORDER BY ");
		for (int i = 0; i < q->nord; i++) {
			if (i)
				sb_adds(o, ", ");
			struct node *e = q->ord[i].e;
			if (e->k == N_ID) {
				qid(o, e->parts[e->nparts - 1]);
			} else if (e->k == N_NUM) {
				sb_adds(o, e->s);
			} else {
				verr(c, e->pos, e->end, "Only output column names can be used in ORDER BY of a set operation");
				goto out;
			}
			if (q->ord[i].desc)
				sb_adds(o, " DESC");
		}
	}
	if (q->limit) {
		sb_adds(o, " LIMIT ");
		struct scope none = {0};
		tr_expr(c, q->limit, &none, o);
	}
	if (q->offset) {
		sb_adds(o, " OFFSET ");
		struct scope none = {0};
		tr_expr(c, q->offset, &none, o);
	}
	if (!c->batch && q->nord && !c->schema_only) {
		if (q->limit) {
			qi->updating = true;
			qi->nkeys = -1;
			if (!qi->node)
				qi->node = "SortLimit(orderBy=[...], offset=[0], fetch=[...], strategy=[UpdateFastStrategy])";
		} else {
			/* streaming ORDER BY must start with an ascending time attribute */
			struct node *e = q->ord[0].e;
			bool ok = simple && qi->order_time;
			if (!simple && e->k == N_ID && !q->ord[0].desc) {
				for (int i = 0; i < qi->n; i++)
					if (!strcmp(qi->names[i], e->parts[e->nparts - 1]) && qi->types[i] &&
						qi->types[i]->attr != TA_NONE)
						ok = true;
			}
			if (!ok) {
				terr(c, EX_TABLE, "Sort on a non-time-attribute field is not supported.");
				goto out;
			}
		}
	}
	rc = 0;
out:
	c->ctes.n = cte_mark;
	return c->failed ? -1 : rc;
}

/* ------------------------------------------------------------------ entry points */

static void scan_set_wm(struct scan *sc, const char *sql)
{
	char *copy = arena_strdup(&sc->t->a, sql);
	sc->t->wm_sql = copy;   /* reused: in a plan's scan, wm_sql holds the DuckDB text */
}

void plan_free(struct plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->scans.n; i++)
		tdef_free(p->scans.v[i]->t);
	VEC_FREE(&p->scans);
	free(p->sql);
	free(p->node_desc);
	free(p->tz);
	arena_release(&p->a);
	free(p);
}

static struct plan *plan_run(struct fg_session *s, struct query *q, const char *src, json_t *conf, bool schema_only,
	bool expand, struct ferr *e, struct qinfo *pqi, struct sb *out_sql)
{
	struct plan *p = xcalloc(1, sizeof(*p));
	arena_init(&p->a, 8192);
	struct tctx c = {0};
	c.s = s;
	c.a = &p->a;
	c.src = src;
	c.plan = p;
	c.e = e;
	c.batch = conf ? conf_batch(conf) : false;
	c.schema_only = schema_only;
	c.expand = expand;
	c.version = s->e->version;
	struct sb o = SB_INIT;
	struct qinfo qi = {0};
	int rc = tr_query(&c, q, NULL, &o, &qi);
	VEC_FREE(&c.ctes);
	if (rc || c.failed) {
		if (!e->n)
			ferr_add(e, EX_VALIDATION, "SQL validation failed");
		sb_release(&o);
		plan_free(p);
		return NULL;
	}
	p->sql = sb_detach(&o, NULL);
	p->ncols = qi.n;
	p->cols = ARENA_ARRAY(&p->a, struct outcol, qi.n + 1);
	for (int i = 0; i < qi.n; i++) {
		/* copies: names and types may point into catalog objects */
		p->cols[i].name = arena_strdup(&p->a, qi.names[i]);
		p->cols[i].type = ft_copy(&p->a, qi.types[i]);
	}
	p->updating = qi.updating;
	p->keys = qi.keys;
	p->nkeys = qi.nkeys;
	p->node_desc = qi.node ? xstrdup(qi.node) : NULL;
	p->batch = c.batch;
	p->limit = q->limit && q->limit->k == N_NUM && !q->nord && !q->offset ? atoll(q->limit->s) : -1;
	p->bounded = true;
	for (size_t i = 0; i < p->scans.n; i++)
		if (!p->scans.v[i]->bounded)
			p->bounded = false;
	const char *tz = conf ? conf_str(conf, "table.local-time-zone") : NULL;
	p->tz = xstrdup(tz && strcmp(tz, "default") ? tz : "UTC");
	if (pqi)
		*pqi = qi;
	if (out_sql)
		sb_adds(out_sql, p->sql);
	return p;
}

struct plan *plan_query(struct fg_session *s, struct query *q, const char *src, json_t *conf, struct ferr *e)
{
	return plan_run(s, q, src, conf, false, false, e, NULL, NULL);
}

int query_schema(struct fg_session *s, struct query *q, const char *src, struct arena *a, struct outcol **pcols,
	int *pn, struct ferr *e)
{
	struct plan *p = plan_run(s, q, src, NULL, true, false, e, NULL, NULL);
	if (!p)
		return -1;
	int n = p->ncols;
	struct outcol *cols = ARENA_ARRAY(a, struct outcol, p->ncols + 1);
	bool unknown = false;
	for (int i = 0; i < p->ncols; i++) {
		cols[i].name = arena_strdup(a, p->cols[i].name);
		cols[i].type = ft_copy(a, p->cols[i].type);
		if (!cols[i].type)
			unknown = true;
	}
	if (unknown) {
		/* ask DuckDB: run the query over empty scans */
		struct pipeline *pl = pipeline_new(p);
		json_t *colsj = pipeline_columns(pl);
		if (colsj) {
			for (int i = 0; i < p->ncols; i++)
				if (!cols[i].type && i < pl->ntypes && pl->types[i])
					cols[i].type = ft_copy(a, pl->types[i]);
			json_decref(colsj);
		}
		pipeline_free(pl);  /* frees the plan */
	} else {
		plan_free(p);
	}
	*pcols = cols;
	*pn = n;
	return 0;
}

int expand_query(struct fg_session *s, struct query *q, const char *src, struct sb *out, struct ferr *e)
{
	struct plan *p = plan_run(s, q, src, NULL, true, true, e, NULL, NULL);
	if (!p)
		return -1;
	/* the qualified names live in the plan's arena: write them out before it goes */
	unparse_query(out, q, 0);
	plan_free(p);
	return 0;
}

int computed_check(struct fg_session *s, struct tdef *t, int ci, const char *src, struct ferr *err)
{
	struct plan p = {0};
	arena_init(&p.a, 4096);
	struct tctx c = {0};
	c.s = s;
	c.a = &p.a;
	c.src = src;
	c.plan = &p;
	c.e = err;
	c.schema_only = true;
	struct scope raw = {0};
	struct rel *rr = rel_new(&c, &raw, NULL, t->ncols);
	int nr = 0;
	for (int i = 0; i < t->ncols; i++) {
		if (t->cols[i].kind == COL_COMPUTED)
			continue;
		rr->cols[nr].name = t->cols[i].name;
		rr->cols[nr].type = t->cols[i].type;
		struct sb q = SB_INIT;
		qid(&q, t->cols[i].name);
		rr->cols[nr].sql = astr(&c, &q);
		sb_release(&q);
		nr++;
	}
	rr->ncols = nr;
	struct sb x = SB_INIT;
	tr_expr(&c, t->cols[ci].expr, &raw, &x);
	int rc = c.failed ? -1 : 0;
	if (!rc) {
		/* DuckDB knows which functions exist */
		struct ferr de = {0};
		struct duck *d = duck_open("UTC", &de);
		if (d) {
			struct sb q = SB_INIT;
			sb_adds(&q, "CREATE TABLE __t (");
			for (int i = 0; i < nr; i++) {
				if (i)
					sb_adds(&q, ", ");
				qid(&q, rr->cols[i].name);
				sb_addc(&q, ' ');
				ft_duck(&q, rr->cols[i].type);
			}
			if (!nr)
				sb_adds(&q, "__x INTEGER");
			sb_adds(&q, ")");
			if (!duck_exec(d, q.buf, &de)) {
				sb_reset(&q);
				sb_addf(&q, "SELECT %s FROM __t", x.buf);
				struct ferr pe = {0};
				if (duck_check(d, q.buf, &pe)) {
					diag_duck_error(err, src, pe.n ? pe.msg[0] : "");
					rc = -1;
				}
				ferr_release(&pe);
			}
			sb_release(&q);
			duck_close(d);
		}
		ferr_release(&de);
	}
	sb_release(&x);
	VEC_FREE(&raw.rels);
	arena_release(&p.a);
	return rc;
}

struct ftype *computed_type(struct fg_session *s, struct tdef *t, int ci, struct arena *a)
{
	struct plan p = {0};
	arena_init(&p.a, 4096);
	struct ferr e = {0};
	struct tctx c = {0};
	c.s = s;
	c.a = &p.a;
	c.src = t->src ? t->src : "";
	c.plan = &p;
	c.e = &e;
	c.schema_only = true;
	struct scope raw = {0};
	struct rel *rr = rel_new(&c, &raw, NULL, t->ncols);
	int nr = 0;
	for (int i = 0; i < t->ncols; i++) {
		if (t->cols[i].kind == COL_COMPUTED)
			continue;
		rr->cols[nr].name = t->cols[i].name;
		rr->cols[nr].type = t->cols[i].type;
		struct sb q = SB_INIT;
		qid(&q, t->cols[i].name);
		rr->cols[nr].sql = astr(&c, &q);
		sb_release(&q);
		nr++;
	}
	rr->ncols = nr;
	struct sb x = SB_INIT;
	struct ftype *ty = tr_expr(&c, t->cols[ci].expr, &raw, &x);
	struct ftype *res = NULL;
	if (ty) {
		res = ft_copy(a, ty);
	} else if (!c.failed) {
		/* DuckDB knows: evaluate over an empty table of the raw columns */
		struct duck *d = duck_open("UTC", &e);
		if (d) {
			struct sb ddl = SB_INIT;
			sb_adds(&ddl, "CREATE TABLE __t (");
			for (int i = 0; i < nr; i++) {
				if (i)
					sb_adds(&ddl, ", ");
				qid(&ddl, rr->cols[i].name);
				sb_addc(&ddl, ' ');
				ft_duck(&ddl, rr->cols[i].type);
			}
			if (!nr)
				sb_adds(&ddl, "__x INTEGER");
			sb_adds(&ddl, ")");
			if (!duck_exec(d, ddl.buf, &e)) {
				struct sb q = SB_INIT;
				sb_addf(&q, "SELECT %s FROM __t", x.buf);
				res = duck_type_of(d, q.buf, a);
				sb_release(&q);
			}
			sb_release(&ddl);
			duck_close(d);
		}
	}
	sb_release(&x);
	VEC_FREE(&raw.rels);
	VEC_FREE(&c.ctes);
	ferr_release(&e);
	arena_release(&p.a);
	return res;
}
