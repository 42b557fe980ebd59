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
 *
 * The pass is one file per part of the language: this file has the errors, SELECT / VALUES / set
 * operations (scopes, GROUP BY, the changelog kind) and the entry points; query_expr.c types and
 * resolves expressions, query_func.c translates functions, aggregates and windows, query_from.c
 * the FROM clause. query.h holds the context and what they share.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "query.h"

/* ------------------------------------------------------------------ errors */

/* A validation error at node span [pos, end) of the current text */
void tr_verr(struct tctx *c, int pos, int end, const char *fmt, ...)
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

void tr_terr(struct tctx *c, const char *cls, const char *fmt, ...)
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
	struct rel *r = tr_resolve_col(c, sc, e, &ci, &amb);
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

/* What a SELECT's translation gathers on its way: the output columns, and what the changelog
 * kind of its result depends on */
struct sel {
	VEC(const char *) names;     /* output columns */
	VEC(struct ftype *) types;
	VEC(int) src;                /* the column of the single input each one copies, or -1 */
	VEC(struct node *) exprs;    /* its expression (NULL: from a '*') */
	struct sb items;             /* the select list in DuckDB */
	bool any_agg;                /* grouped or aggregating */
	bool stream;
	bool rank, rank_first;       /* a ranking function; ordered by a time attribute, first row kept */
	struct window *rank_part;    /* the ranking's window */
	bool win_agg;                /* a window aggregation: GROUP BY of a TVF's bounds or a group window */
	struct rel *wrel;            /* the TVF */
	const char *gw_end;          /* or the group window's end */
	bool gw_proctime;
	bool order_time;             /* ORDER BY a time attribute, ascending */
};

/* '*' or 'alias.*' in a select list: the columns of every input, or of the one named */
static void expand_star(struct tctx *c, struct node *e, struct scope *sc, struct sel *s)
{
	bool matched = false;
	for (size_t ri = 0; ri < sc->rels.n; ri++) {
		struct rel *r = sc->rels.v[ri];
		if (e->nparts && (!r->alias || strcmp(r->alias, e->parts[e->nparts - 1])))
			continue;
		matched = true;
		for (int k = 0; k < r->ncols; k++) {
			if (r->cols[k].merged && !e->nparts)
				continue;
			const char *nm = uniq(c, s->names.v, (int)s->names.n, r->cols[k].name);
			if (s->items.len)
				sb_adds(&s->items, ", ");
			sb_addf(&s->items, "%s AS ", r->cols[k].sql);
			qid(&s->items, nm);
			VEC_PUSH(&s->names, nm);
			struct ftype *t = r->cols[k].type;
			if (t && r->nullable)
				t = ft_with_null(c->a, t, true);
			VEC_PUSH(&s->types, t);
			VEC_PUSH(&s->src, sc->rels.n == 1 ? k : -1);
			VEC_PUSH(&s->exprs, NULL);
		}
	}
	if (!matched) {
		if (e->nparts)
			tr_verr(c, e->pos, e->end, "Unknown identifier '%s'", e->parts[e->nparts - 1]);
		else
			tr_verr(c, e->pos, e->end, "SELECT * not allowed in query without FROM clause");
	}
}

/* Whether an aggregation is a window aggregation: GROUP BY window_start, window_end of a TVF, or
 * a group window function (TUMBLE, HOP) */
static void find_window_agg(struct tctx *c, struct query *q, struct scope *sc, struct sel *s)
{
	bool has_ws = false, has_we = false;
	for (int i = 0; i < q->ngroup; i++) {
		struct node *g = q->group[i];
		if (g->k == N_ID) {
			int ci, amb;
			struct rel *r = tr_resolve_col(c, sc, g, &ci, &amb);
			if (r && r->tvf) {
				if (ci == r->ws)
					has_ws = true;
				if (ci == r->we)
					has_we = true;
				s->wrel = r;
			}
		} else if (g->k == N_FUNC && (!strcasecmp(g->s, "TUMBLE") || !strcasecmp(g->s, "HOP"))) {
			s->win_agg = true;
			struct sb e2 = SB_INIT;
			struct node endf = *g;
			endf.s = !strcasecmp(g->s, "TUMBLE") ? "TUMBLE_END" : "HOP_END";
			tr_expr(c, &endf, sc, &e2);
			s->gw_end = astr(c, &e2);
			sb_release(&e2);
			if (g->nargs && is_time_attr(c, g->args[0], sc)) {
				int ci, amb;
				struct rel *r = tr_resolve_col(c, sc, g->args[0], &ci, &amb);
				s->gw_proctime = r && r->cols[ci].type->attr == TA_PROCTIME;
			}
		}
	}
	if (has_ws && has_we)
		s->win_agg = true;
}

/* ORDER BY of a plain SELECT: it sees the FROM scope and the output names */
static void tr_order_by(struct tctx *c, struct query *q, struct scope *sc, struct sel *s, struct sb *body)
{
	struct node *e0 = q->ord[0].e;
	if (!q->ord[0].desc && e0->k == N_ID) {
		if (is_time_attr(c, e0, sc))
			s->order_time = true;
		for (size_t k = 0; k < s->names.n && e0->nparts == 1; k++)
			if (!strcmp(s->names.v[k], e0->parts[0]) && s->types.v[k] && s->types.v[k]->attr != TA_NONE)
				s->order_time = true;
	}
	sc->outnames = s->names.v;
	sc->nout = (int)s->names.n;
	sb_adds(body, " ORDER BY ");
	for (int i = 0; i < q->nord; i++) {
		if (i)
			sb_adds(body, ", ");
		struct node *e = q->ord[i].e;
		bool done = false;
		if (e->k == N_ID && e->nparts == 1) {
			for (size_t k = 0; k < s->names.n; k++)
				if (!strcmp(s->names.v[k], e->parts[0]) && s->exprs.v[k] != NULL &&
					!(s->exprs.v[k]->k == N_ID && !strcmp(s->exprs.v[k]->parts[s->exprs.v[k]->nparts - 1], e->parts[0]))) {
					qid(body, s->names.v[k]);
					done = true;
					break;
				}
		} else if (e->k == N_NUM && !strchr(e->s, '.')) {
			sb_adds(body, e->s);
			done = true;
		}
		if (!done)
			tr_expr(c, e, sc, body);
		if (q->ord[i].desc)
			sb_adds(body, " DESC");
		if (q->ord[i].nulls)
			sb_adds(body, q->ord[i].nulls == 1 ? " NULLS FIRST" : " NULLS LAST");
	}
}

/* The changelog kind of a SELECT's result (updating or not, by which node) and its upsert key */
static void sel_changelog(struct tctx *c, struct query *q, struct scope *sc, struct sel *s, struct qinfo *qi)
{
	qi->n = (int)s->names.n;
	qi->names = ARENA_ARRAY(c->a, const char *, s->names.n + 1);
	qi->types = ARENA_ARRAY(c->a, struct ftype *, s->names.n + 1);
	qi->srccol = ARENA_ARRAY(c->a, int, s->names.n + 1);
	memcpy(qi->names, s->names.v, sizeof(char *) * s->names.n);
	memcpy(qi->types, s->types.v, sizeof(struct ftype *) * s->names.n);
	memcpy(qi->srccol, s->src.v, sizeof(int) * s->names.n);
	qi->nkeys = -1;
	bool in_upd = false;
	const char *in_node = NULL;
	struct rel *single = sc->rels.n == 1 ? sc->rels.v[0] : NULL;
	for (size_t k = 0; k < sc->rels.n; k++)
		if (sc->rels.v[k]->updating) {
			in_upd = true;
			if (!in_node)
				in_node = sc->rels.v[k]->node;
		}
	if (s->stream && s->any_agg && !s->win_agg) {
		qi->updating = true;
		struct sb nd = SB_INIT;
		agg_desc(q, &nd, s->names.v);
		qi->node = astr(c, &nd);
		sb_release(&nd);
		VEC(int) keys = {0};
		for (int g = 0; g < q->ngroup; g++)
			for (size_t k = 0; k < s->names.n; k++)
				if (s->exprs.v[k] && same_expr(s->exprs.v[k], q->group[g])) {
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
	} else if (s->stream && q->distinct) {
		qi->updating = true;
		qi->node = "GroupAggregate(groupBy=[...], select=[...])";
		qi->keys = ARENA_ARRAY(c->a, int, s->names.n + 1);
		for (size_t k = 0; k < s->names.n; k++)
			qi->keys[k] = (int)k;
		qi->nkeys = (int)s->names.n;
	} else if (in_upd && !s->win_agg) {
		qi->updating = true;
		qi->node = in_node;
		if (single && single->nkeys >= 0) {
			VEC(int) keys = {0};
			for (int kk = 0; kk < single->nkeys; kk++)
				for (size_t k = 0; k < s->names.n; k++)
					if (s->src.v[k] == single->keys[kk]) {
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
	qi->rank = s->rank;
	qi->rank_first = s->rank_first;
	qi->order_time = s->order_time;
	if (s->rank && s->rank_part && !qi->updating) {
		/* a ranking's partition columns are the upsert key of a Top-N on top of it */
		VEC(int) keys = {0};
		for (int pi = 0; pi < s->rank_part->npart; pi++)
			for (size_t k = 0; k < s->names.n; k++) {
				struct node *pe = s->rank_part->part[pi];
				bool same = s->exprs.v[k] ? same_expr(s->exprs.v[k], pe) :
					pe->k == N_ID && !strcmp(s->names.v[k], pe->parts[pe->nparts - 1]);   /* from a '*' */
				if (same) {
					VEC_PUSH(&keys, (int)k);
					break;
				}
			}
		if ((int)keys.n == s->rank_part->npart) {
			qi->keys = ARENA_ARRAY(c->a, int, keys.n + 1);
			if (keys.n)
				memcpy(qi->keys, keys.v, sizeof(int) * keys.n);
			qi->nkeys = (int)keys.n;
		}
		VEC_FREE(&keys);
	}
	/* Top-N / deduplication over a ranked subquery */
	if (s->stream && single && !qi->updating && single->node && !strcmp(single->node, "Rank") && q->where) {
		qi->updating = true;
		qi->node = "Rank(strategy=[UndefinedStrategy], rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=1], "
			"partitionBy=[...], orderBy=[...], select=[...])";
		qi->nkeys = -1;
		if (single->nkeys >= 0) {
			VEC(int) keys = {0};
			for (int kk = 0; kk < single->nkeys; kk++)
				for (size_t k = 0; k < s->names.n; k++)
					if (s->src.v[k] == single->keys[kk]) {
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
	if (s->stream && s->rank && !q->where)
		qi->rank = true;
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
	struct sel s = {.items = SB_INIT, .any_agg = q->ngroup > 0 || q->having != NULL, .stream = !c->batch};
	for (int i = 0; i < q->nitems; i++)
		if (tr_has_agg(q->items[i].e))
			s.any_agg = true;
	for (int i = 0; i < q->nitems && !c->failed; i++) {
		struct node *e = q->items[i].e;
		if (e->k == N_STAR) {
			expand_star(c, e, &sc, &s);
			continue;
		}
		if (tr_has_func(e, "ROW_NUMBER", true) || tr_has_func(e, "RANK", true) || tr_has_func(e, "DENSE_RANK", true)) {
			s.rank = true;
			/* ROW_NUMBER() OVER (... ORDER BY rowtime|proctime ASC): Flink's deduplication keeping
			 * the first row, which is append-only */
			if (e->k == N_FUNC && e->over && e->over->nord == 1 && !e->over->ord[0].desc &&
				is_time_attr(c, e->over->ord[0].e, &sc))
				s.rank_first = true;
			if (e->k == N_FUNC && e->over)
				s.rank_part = e->over;
		}
		struct sb x = SB_INIT;
		struct ftype *t = tr_expr(c, e, &sc, &x);
		const char *nm = uniq(c, s.names.v, (int)s.names.n, item_name(c, &q->items[i], i));
		if (s.items.len)
			sb_adds(&s.items, ", ");
		sb_addf(&s.items, "%s AS ", x.buf);
		qid(&s.items, nm);
		sb_release(&x);
		VEC_PUSH(&s.names, nm);
		VEC_PUSH(&s.types, t);
		int sci = -1;
		if (e->k == N_ID && sc.rels.n == 1) {
			int amb;
			struct rel *r = tr_resolve_col(c, &sc, e, &sci, &amb);
			if (r != sc.rels.v[0])
				sci = -1;
		}
		VEC_PUSH(&s.src, sci);
		VEC_PUSH(&s.exprs, e);
	}
	if (c->failed)
		goto out_items;
	sb_adds(&body, "SELECT ");
	if (q->distinct)
		sb_adds(&body, "DISTINCT ");
	sb_adds(&body, s.items.len ? s.items.buf : "NULL");
	if (q->from)
		sb_addf(&body, " FROM %s", from.buf);
	/* window aggregation: GROUP BY window_start, window_end of a TVF, or a group window function */
	if (s.any_agg)
		find_window_agg(c, q, &sc, &s);
	struct sb where = SB_INIT;
	if (q->where) {
		struct sb w = SB_INIT;
		tr_expr(c, q->where, &sc, &w);
		sb_addf(&where, "(%s)", w.buf);
		sb_release(&w);
	}
	if (s.win_agg && s.stream && !c->schema_only) {
		const char *we = s.gw_end ? s.gw_end : s.wrel->cols[s.wrel->we].sql;
		bool proc = s.gw_end ? s.gw_proctime : s.wrel->proctime_window;
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
		tr_emit_args(c, q->group, q->ngroup, &sc, &body, NULL);
	}
	if (q->having) {
		sb_adds(&body, " HAVING ");
		tr_expr(c, q->having, &sc, &body);
	}
	/* ORDER BY / LIMIT of a plain SELECT see its FROM scope and the output s.names */
	if (q->nord)
		tr_order_by(c, q, &sc, &s, &body);
	if (c->failed)
		goto out_items;
	sb_adds(o, body.buf);
	sel_changelog(c, q, &sc, &s, qi);
	rc = 0;
out_items:
	sb_release(&s.items);
	VEC_FREE(&s.names);
	VEC_FREE(&s.types);
	VEC_FREE(&s.src);
	VEC_FREE(&s.exprs);
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
			tr_verr(c, row->pos, row->end, "Values passed to VALUES operator must have compatible types");
			sb_release(&v);
			return -1;
		}
		sb_adds(&v, r ? ", (" : "(");
		for (int i = 0; i < ncol; i++) {
			if (i)
				sb_adds(&v, ", ");
			struct ftype *t = tr_expr(c, row->args[i], &sc, &v);
			types[i] = r ? tr_widen(c, types[i], t) : t;
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

int tr_query(struct tctx *c, struct query *q, struct scope *up, struct sb *o, struct qinfo *qi)
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
					tr_terr(c, EX_VALIDATION, "SQL validation failed. Number of columns must match number of query columns");
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
			tr_verr(c, q->pos, q->end > q->pos ? q->end : q->pos + 1, "Column count mismatch in %s", q->op);
			goto out;
		}
		*qi = l;
		qi->types = ARENA_ARRAY(c->a, struct ftype *, l.n + 1);
		for (int i = 0; i < l.n; i++)
			qi->types[i] = tr_widen(c, l.types[i], r.types[i]);
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
				tr_verr(c, e->pos, e->end, "Only output column names can be used in ORDER BY of a set operation");
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
				tr_terr(c, EX_TABLE, "Sort on a non-time-attribute field is not supported.");
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
	c.snapshot = conf ? conf_snapshot(s, conf) : false;
	c.batch = conf ? conf_batch(conf) || c.snapshot : false;
	c.schema_only = schema_only;
	c.expand = expand;
	c.version = FG_PARSE_VERSION(s->e);
	c.startup = s->e->confluent && conf ? conf_str(conf, "sql.tables.scan.startup.mode") : NULL;
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

/* A computed column is checked and typed over the table's other columns: a relation of them, */
static struct rel *raw_columns(struct tctx *c, struct scope *raw, const struct tdef *t)
{
	struct rel *rr = tr_rel_new(c, raw, NULL, t->ncols);
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
	return rr;
}

/* and an empty DuckDB table of them, where DuckDB says which functions exist and what they give */
static void raw_table_ddl(struct sb *q, const struct rel *rr)
{
	sb_adds(q, "CREATE TABLE __t (");
	for (int i = 0; i < rr->ncols; i++) {
		if (i)
			sb_adds(q, ", ");
		qid(q, rr->cols[i].name);
		sb_addc(q, ' ');
		ft_duck(q, rr->cols[i].type);
	}
	if (!rr->ncols)
		sb_adds(q, "__x INTEGER");
	sb_adds(q, ")");
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
	struct rel *rr = raw_columns(&c, &raw, t);
	struct sb x = SB_INIT;
	tr_expr(&c, t->cols[ci].expr, &raw, &x);
	int rc = c.failed ? -1 : 0;
	if (!rc) {
		/* DuckDB knows which functions exist */
		struct ferr de = {0};
		struct duck *d = duck_open("UTC", &de);
		if (d) {
			struct sb q = SB_INIT;
			raw_table_ddl(&q, rr);
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
	struct rel *rr = raw_columns(&c, &raw, t);
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
			raw_table_ddl(&ddl, rr);
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
