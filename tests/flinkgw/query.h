/*
 * The query translator's state and what its files share: query.c (errors, SELECT / VALUES / set
 * operations, the entry points), query_expr.c (type widening, relations and column resolution,
 * expressions), query_func.c (intervals, Java date patterns, functions, aggregates, windows) and
 * query_from.c (tables, views, window TVFs, UNNEST, joins). Internal to those files.
 *
 * One translation context (struct tctx) goes down the whole recursive pass; what it makes lives
 * in c->a (the plan's arena). The first error wins: tr_verr / tr_terr set c->failed and later
 * ones are dropped. Functions shared between the files carry the tr_ prefix.
 */
#ifndef FLINKGW_QUERY_H
#define FLINKGW_QUERY_H

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
/* the double's bound on views over views in one query, for its own stack (Flink has none) */
enum { VIEW_DEPTH_MAX = 256 };
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
	bool snapshot;      /* Confluent snapshot query: every scan bounded at now */
	const char *startup; /* Confluent sql.tables.scan.startup.mode: where Kafka scans start, or NULL */
	bool expand;
	bool schema_only;
	int depth;                  /* views being expanded, innermost first in vstack */
	const struct tdef **vstack;
	int nrel;
	int ncte;
	ctevec ctes;
	int version;
};

static inline void qid(struct sb *o, const char *s)
{
	sb_addc(o, '"');
	for (; *s; s++) {
		if (*s == '"')
			sb_addc(o, '"');
		sb_addc(o, *s);
	}
	sb_addc(o, '"');
}

static inline void qstr(struct sb *o, const char *s)
{
	sb_addc(o, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_addc(o, '\'');
		sb_addc(o, *s);
	}
	sb_addc(o, '\'');
}

static inline char *astr(struct tctx *c, struct sb *o)
{
	return arena_strdup(c->a, o->buf);
}

static inline struct ftype *mkt(struct tctx *c, enum froot r, bool nullable)
{
	struct ftype *t = ft_new(c->a, r);
	t->nullable = nullable;
	return t;
}

static inline bool nn(const struct ftype *t)
{
	return t && t->nullable;
}

static inline int dn_next(struct tctx *c)
{
	return ++c->nrel;
}

/* ---- shared between the translator's files ---- */

/* query.c */
/* A validation error at node span [pos, end) of the current text */
void tr_verr(struct tctx *c, int pos, int end, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* An error of class cls with no position */
void tr_terr(struct tctx *c, const char *cls, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int tr_query(struct tctx *c, struct query *q, struct scope *up, struct sb *o, struct qinfo *qi);
/* query_expr.c */
struct ftype *tr_widen(struct tctx *c, struct ftype *a, struct ftype *b);
struct rel *tr_rel_new(struct tctx *c, struct scope *sc, const char *alias, int ncols);
void tr_col_sql(struct tctx *c, struct rcol *rc, int dn, const char *name);
struct rel *tr_resolve_col(struct tctx *c, struct scope *sc, struct node *n, int *pci, int *pamb);
struct ftype *tr_expr(struct tctx *c, struct node *n, struct scope *sc, struct sb *o);
/* query_func.c */
bool tr_interval_value(const struct node *n, long long *pv, bool *pym);
void tr_interval_sql(struct sb *o, long long v, bool ym);
bool tr_has_agg(struct node *n);
bool tr_has_func(struct node *n, const char *name, bool over);
void tr_emit_args(struct tctx *c, struct node **a, int n, struct scope *sc, struct sb *o, struct ftype **types);
void tr_bucket_sql(struct sb *o, const char *ts, const struct ftype *tt, long long size_ms, long long off_ms);
bool tr_node_interval_ms(struct tctx *c, struct node *n, long long *pv);
struct ftype *tr_func(struct tctx *c, struct node *n, struct scope *sc, struct sb *out);
/* query_from.c */
int tr_from(struct tctx *c, struct tref *t, struct scope *sc, struct sb *o);
/* infoschema.c (Confluent Cloud flavor): whether t names an INFORMATION_SCHEMA view, and its rows */
bool tr_is_info_schema(const struct fg_session *s, const struct tref *t);
int tr_info_schema(struct tctx *c, struct tref *t, struct scope *sc, struct sb *o, struct rel **pr);

#endif
