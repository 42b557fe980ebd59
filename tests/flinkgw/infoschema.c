/*
 * Confluent Cloud flavor: INFORMATION_SCHEMA, the catalog as views (reference
 * confluent-flink-statements-api.md §12). `<catalog>`.`INFORMATION_SCHEMA`.`<view>` reads that
 * catalog, `INFORMATION_SCHEMA`.`<view>` the current one (CATALOGS lists every catalog either way).
 * A view is translated into an inline DuckDB relation of the rows the session's catalogs hold at
 * planning time, so the query around it (projection, WHERE, UNION ALL, CAST) runs as any other.
 *
 * Views and columns (what dbt-confluent reads, §12, plus the neighbours the documentation names):
 *   CATALOGS, INFORMATION_SCHEMA_CATALOG_NAME   CATALOG_ID, CATALOG_NAME
 *   SCHEMATA (= DATABASES)                      CATALOG_ID, CATALOG_NAME, SCHEMA_ID, SCHEMA_NAME
 *   TABLES                                      TABLE_TYPE 'BASE TABLE' / 'VIEW', IS_DISTRIBUTED,
 *                                               DISTRIBUTION_BUCKETS, IS_WATERMARKED, WATERMARK_*,
 *                                               `COMMENT`, IS_MATERIALIZED ('YES'/'NO' strings)
 *   COLUMNS                                     ORDINAL_POSITION, DATA_TYPE, FULL_DATA_TYPE,
 *                                               IS_NULLABLE, IS_HIDDEN (a table's system column
 *                                               `$rowtime` is hidden), IS_GENERATED, IS_METADATA,
 *                                               IS_PERSISTED, `COMMENT`, ...
 *   TABLE_OPTIONS                               OPTION_KEY, OPTION_VALUE (secret values masked)
 *   TABLE_CONSTRAINTS, KEY_COLUMN_USAGE         the primary keys
 * With catalog_lag_ms, a table's COLUMNS rows appear only that long after it was created (the
 * eventual consistency of §12). Every value is a STRING or an INT (the only types of these views). The ids are the names: the
 * engine has no separate ids for environments and clusters.
 *
 * Confluent refuses JOIN, CASE and DISTINCT in a query that reads INFORMATION_SCHEMA (§12: "No
 * JOIN, no CASE, no DISTINCT on INFORMATION_SCHEMA views"); infoschema_check fails such a query
 * before it is planned, as the service fails the statement.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "query.h"

enum vcol { VS, VI };  /* STRING or INT */

struct view {
	const char *name;
	int ncols;
	const char *cols[18];
	enum vcol types[18];
};

#define S VS
#define I VI
static const struct view views[] = {
	{"CATALOGS", 2, {"CATALOG_ID", "CATALOG_NAME"}, {S, S}},
	{"INFORMATION_SCHEMA_CATALOG_NAME", 2, {"CATALOG_ID", "CATALOG_NAME"}, {S, S}},
	{"SCHEMATA", 4, {"CATALOG_ID", "CATALOG_NAME", "SCHEMA_ID", "SCHEMA_NAME"}, {S, S, S, S}},
	{"DATABASES", 4, {"CATALOG_ID", "CATALOG_NAME", "SCHEMA_ID", "SCHEMA_NAME"}, {S, S, S, S}},
	{"TABLES", 15,
	 {"TABLE_CATALOG_ID", "TABLE_CATALOG", "TABLE_SCHEMA_ID", "TABLE_SCHEMA", "TABLE_NAME", "TABLE_TYPE",
	  "IS_DISTRIBUTED", "DISTRIBUTION_ALGORITHM", "DISTRIBUTION_BUCKETS", "IS_WATERMARKED", "WATERMARK_COLUMN",
	  "WATERMARK_EXPRESSION", "WATERMARK_IS_HIDDEN", "COMMENT", "IS_MATERIALIZED"},
	 {S, S, S, S, S, S, S, S, I, S, S, S, S, S, S}},
	{"COLUMNS", 18,
	 {"TABLE_CATALOG_ID", "TABLE_CATALOG", "TABLE_SCHEMA_ID", "TABLE_SCHEMA", "TABLE_NAME", "COLUMN_NAME",
	  "ORDINAL_POSITION", "IS_NULLABLE", "DATA_TYPE", "FULL_DATA_TYPE", "IS_HIDDEN", "IS_GENERATED",
	  "GENERATION_EXPRESSION", "IS_METADATA", "METADATA_KEY", "IS_PERSISTED", "DISTRIBUTION_ORDINAL_POSITION",
	  "COMMENT"},
	 {S, S, S, S, S, S, I, S, S, S, S, S, S, S, S, S, I, S}},
	{"TABLE_OPTIONS", 7,
	 {"TABLE_CATALOG_ID", "TABLE_CATALOG", "TABLE_SCHEMA_ID", "TABLE_SCHEMA", "TABLE_NAME", "OPTION_KEY",
	  "OPTION_VALUE"},
	 {S, S, S, S, S, S, S}},
	{"TABLE_CONSTRAINTS", 13,
	 {"CONSTRAINT_CATALOG_ID", "CONSTRAINT_CATALOG", "CONSTRAINT_SCHEMA_ID", "CONSTRAINT_SCHEMA",
	  "CONSTRAINT_NAME", "TABLE_CATALOG_ID", "TABLE_CATALOG", "TABLE_SCHEMA_ID", "TABLE_SCHEMA", "TABLE_NAME",
	  "CONSTRAINT_TYPE", "ENFORCED", "COMMENT"},
	 {S, S, S, S, S, S, S, S, S, S, S, S, S}},
	{"KEY_COLUMN_USAGE", 12,
	 {"CONSTRAINT_CATALOG_ID", "CONSTRAINT_CATALOG", "CONSTRAINT_SCHEMA_ID", "CONSTRAINT_SCHEMA",
	  "CONSTRAINT_NAME", "TABLE_CATALOG_ID", "TABLE_CATALOG", "TABLE_SCHEMA_ID", "TABLE_SCHEMA", "TABLE_NAME",
	  "COLUMN_NAME", "ORDINAL_POSITION"},
	 {S, S, S, S, S, S, S, S, S, S, S, I}},
};
#undef S
#undef I

#define INFO "INFORMATION_SCHEMA"

static const struct view *find_view(const char *name)
{
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
		if (!strcasecmp(views[i].name, name))
			return &views[i];
	return NULL;
}

bool tr_is_info_schema(const struct fg_session *s, const struct tref *t)
{
	if (!s->e->confluent || t->k != T_TABLE)
		return false;
	return (t->nparts == 2 && !strcasecmp(t->parts[0], INFO)) || (t->nparts == 3 && !strcasecmp(t->parts[1], INFO));
}

/* ------------------------------------------------------------------ rows */

/* One row being written: values in view order, as DuckDB literals */
struct rows {
	struct tctx *c;
	const struct view *v;
	struct sb *o;
	int nrows;
	int col;
};

static void row_begin(struct rows *r)
{
	sb_adds(r->o, r->nrows++ ? ", (" : " UNION ALL VALUES (");
	r->col = 0;
}

static void put_s(struct rows *r, const char *s)
{
	if (r->col++)
		sb_adds(r->o, ", ");
	if (s)
		qstr(r->o, s);
	else
		sb_adds(r->o, "NULL");
}

static void put_i(struct rows *r, long v, bool null)
{
	if (r->col++)
		sb_adds(r->o, ", ");
	if (null)
		sb_adds(r->o, "NULL");
	else
		sb_addf(r->o, "%ld", v);
}

static void row_end(struct rows *r)
{
	sb_adds(r->o, ")");
}

static const char *yes(bool b)
{
	return b ? "YES" : "NO";
}

/* "DECIMAL(10, 2) NOT NULL" -> "DECIMAL": the type's name without its parameters */
static const char *type_name(struct tctx *c, const char *full)
{
	size_t n = strcspn(full, "( ");
	return arena_strndup(c->a, full, n);
}

static void table_prefix(struct rows *r, const struct fcatalog *fc, const struct fdb *db, const struct tdef *t)
{
	put_s(r, fc->name);
	put_s(r, fc->name);
	put_s(r, db->name);
	put_s(r, db->name);
	put_s(r, t->name);
}

static void rows_of_table(struct rows *r, struct fg_session *s, const struct fcatalog *fc, const struct fdb *db,
			  struct tdef *t)
{
	const char *vn = r->v->name;
	bool view = t->kind == OBJ_VIEW;
	if (!strcmp(vn, "TABLES")) {
		row_begin(r);
		table_prefix(r, fc, db, t);
		put_s(r, view ? "VIEW" : "BASE TABLE");
		put_s(r, yes(t->distributed));
		put_s(r, t->distributed ? (t->dist_kind ? t->dist_kind : "HASH") : NULL);
		put_i(r, t->buckets, t->buckets == 0);
		put_s(r, yes(t->wm_col));
		put_s(r, t->wm_col);
		put_s(r, t->wm_col ? t->wm_sql : NULL);
		put_s(r, t->wm_col ? "NO" : NULL);
		put_s(r, t->comment);
		put_s(r, yes(t->mt));
		row_end(r);
	} else if (!strcmp(vn, "COLUMNS")) {
		/* §12: a table created a moment ago can have no COLUMNS rows yet */
		if (s->e->catalog_lag_ms > 0 && now_ms() - t->created_ms < s->e->catalog_lag_ms)
			return;
		int pos = 0;
		/* a view's columns are its query's (a view that no longer plans has none to show) */
		struct outcol *vc = NULL;
		int nvc = 0;
		if (view) {
			struct ferr ve = {0};
			if (query_schema(s, t->vq, t->src, r->c->a, &vc, &nvc, &ve))
				nvc = 0;
			ferr_release(&ve);
		}
		int ncols = view ? nvc : t->ncols;
		for (int i = 0; i < ncols; i++) {
			struct fcol vcol = {0};
			if (view) {
				vcol.name = i < t->nvcols ? t->vcols[i] : vc[i].name;
				vcol.kind = COL_PHYS;
				vcol.type = vc[i].type;
			}
			struct fcol *col = view ? &vcol : &t->cols[i];
			struct ftype *ty = col->type;
			if (!ty && col->kind == COL_COMPUTED)
				ty = computed_type(s, t, i, r->c->a);
			struct sb full = SB_INIT;
			if (ty)
				ft_summary(&full, ty, true, false);
			else
				sb_adds(&full, "STRING");
			const char *fts = astr(r->c, &full);
			sb_release(&full);
			row_begin(r);
			table_prefix(r, fc, db, t);
			put_s(r, col->name);
			put_i(r, ++pos, false);
			put_s(r, yes(!ty || ty->nullable));
			put_s(r, type_name(r->c, fts));
			put_s(r, fts);
			put_s(r, "NO");
			put_s(r, yes(col->kind == COL_COMPUTED));
			put_s(r, col->kind == COL_COMPUTED ? col->expr_sql : NULL);
			put_s(r, yes(col->kind == COL_META));
			put_s(r, col->kind == COL_META ? (col->meta_key ? col->meta_key : col->name) : NULL);
			put_s(r, yes(col->kind == COL_PHYS || (col->kind == COL_META && !col->is_virtual)));
			int dpos = 0;
			for (int d = 0; d < t->ndist && !dpos; d++)
				if (!strcmp(t->dist[d], col->name))
					dpos = d + 1;
			put_i(r, dpos, dpos == 0);
			put_s(r, col->comment);
			row_end(r);
		}
		if (!view) {
			/* every table of Confluent Cloud has the system column $rowtime, hidden (§12) */
			row_begin(r);
			table_prefix(r, fc, db, t);
			put_s(r, "$rowtime");
			put_i(r, ++pos, false);
			put_s(r, "NO");
			put_s(r, "TIMESTAMP_LTZ");
			put_s(r, "TIMESTAMP_LTZ(3) NOT NULL");
			put_s(r, "YES");
			put_s(r, "NO");
			put_s(r, NULL);
			put_s(r, "YES");
			put_s(r, "timestamp");
			put_s(r, "NO");
			put_i(r, 0, true);
			put_s(r, "the Kafka record's timestamp");
			row_end(r);
		}
	} else if (!strcmp(vn, "TABLE_OPTIONS")) {
		for (int i = 0; i < t->nopts; i++) {
			row_begin(r);
			table_prefix(r, fc, db, t);
			put_s(r, t->opts[i].k);
			put_s(r, opt_sensitive(t->opts[i].k) ? "****" : t->opts[i].v);
			row_end(r);
		}
	} else if (!strcmp(vn, "TABLE_CONSTRAINTS") || !strcmp(vn, "KEY_COLUMN_USAGE")) {
		if (!t->npk)
			return;
		const char *cname = t->pk_name ? t->pk_name : arena_sprintf(r->c->a, "PK_%s", t->name);
		bool kcu = vn[0] == 'K';
		for (int i = 0; i < (kcu ? t->npk : 1); i++) {
			row_begin(r);
			put_s(r, fc->name);
			put_s(r, fc->name);
			put_s(r, db->name);
			put_s(r, db->name);
			put_s(r, cname);
			table_prefix(r, fc, db, t);
			if (kcu) {
				put_s(r, t->pk[i]);
				put_i(r, i + 1, false);
			} else {
				put_s(r, "PRIMARY KEY");
				put_s(r, "NO");
				put_s(r, NULL);
			}
			row_end(r);
		}
	}
}

static void rows_of_catalog(struct rows *r, struct fg_session *s, struct fcatalog *fc)
{
	const char *vn = r->v->name;
	if (!strcmp(vn, "CATALOGS") || !strcmp(vn, "INFORMATION_SCHEMA_CATALOG_NAME")) {
		row_begin(r);
		put_s(r, fc->name);
		put_s(r, fc->name);
		row_end(r);
		return;
	}
	if (!fc->store)
		return;
	for (size_t d = 0; d < fc->store->dbs.n; d++) {
		struct fdb *db = fc->store->dbs.v[d];
		if (!strcmp(vn, "SCHEMATA") || !strcmp(vn, "DATABASES")) {
			row_begin(r);
			put_s(r, fc->name);
			put_s(r, fc->name);
			put_s(r, db->name);
			put_s(r, db->name);
			row_end(r);
			continue;
		}
		for (size_t i = 0; i < db->objs.n; i++)
			rows_of_table(r, s, fc, db, db->objs.v[i]);
	}
}

/* The catalogs of Confluent Cloud are the environments: the session's own in-memory catalog is
 * no environment */
static bool environment(const struct fcatalog *fc)
{
	return strcmp(fc->name, "default_catalog") != 0;
}

int tr_info_schema(struct tctx *c, struct tref *t, struct scope *sc, struct sb *o, struct rel **pr)
{
	const char *name = t->parts[t->nparts - 1];
	const struct view *v = find_view(name);
	const char *cat = t->nparts == 3 ? t->parts[0] : c->s->cur_cat;
	struct fcatalog *fc = cat ? cat_find(c->s, cat) : NULL;
	if (!fc) {
		tr_verr(c, t->pos, t->pos + (int)strlen(t->parts[0]), "Object '%s' not found", t->parts[0]);
		return -1;
	}
	if (!v) {
		tr_verr(c, t->pos, t->end, "Object '%s' not found within '%s.%s'", name, fc->name, INFO);
		return -1;
	}
	int dn = dn_next(c);
	/* typed and empty first, the rows after: DuckDB takes the column names and types from the
	 * first branch */
	sb_adds(o, "(SELECT ");
	for (int i = 0; i < v->ncols; i++) {
		sb_addf(o, "%sCAST(NULL AS %s) AS ", i ? ", " : "", v->types[i] == VI ? "INTEGER" : "VARCHAR");
		qid(o, v->cols[i]);
	}
	sb_adds(o, " WHERE false");
	struct rows r = {.c = c, .v = v, .o = o};
	if (!strcmp(v->name, "CATALOGS")) {
		for (size_t i = 0; i < c->s->cats.n; i++)
			if (environment(c->s->cats.v[i]))
				rows_of_catalog(&r, c->s, c->s->cats.v[i]);
	} else
		rows_of_catalog(&r, c->s, fc);
	sb_addf(o, ") AS \"__r%d\"", dn);
	struct rel *rel = tr_rel_new(c, sc, t->alias ? t->alias : v->name, v->ncols);
	rel->c = fc->name;
	rel->d = INFO;
	rel->n = v->name;
	for (int i = 0; i < v->ncols; i++) {
		rel->cols[i].name = v->cols[i];
		rel->cols[i].type = v->types[i] == VI ? mkt(c, FT_INTEGER, true) : ft_string(c->a, true);
		tr_col_sql(c, &rel->cols[i], dn, v->cols[i]);
	}
	*pr = rel;
	return 0;
}

/* ------------------------------------------------------------------ what Confluent refuses */

static bool query_reads_info(const struct fg_session *s, const struct query *q);

static bool tref_reads_info(const struct fg_session *s, const struct tref *t)
{
	if (!t)
		return false;
	switch (t->k) {
	case T_TABLE:
		return tr_is_info_schema(s, t);
	case T_SUBQ:
		return query_reads_info(s, t->q);
	case T_JOIN:
		return tref_reads_info(s, t->l) || tref_reads_info(s, t->r);
	default:
		return false;
	}
}

static bool query_reads_info(const struct fg_session *s, const struct query *q)
{
	if (!q)
		return false;
	for (int i = 0; i < q->nctes; i++)
		if (query_reads_info(s, q->ctes[i].q))
			return true;
	if (q->k == Q_SETOP)
		return query_reads_info(s, q->l) || query_reads_info(s, q->r);
	return q->k == Q_SELECT && tref_reads_info(s, q->from);
}

/* The first refused construct of an expression, or NULL */
static const char *refused_expr(const struct node *n)
{
	if (!n)
		return NULL;
	if (n->k == N_CASE)
		return "CASE";
	if (n->k == N_FUNC && n->flag)
		return "DISTINCT";
	for (int i = 0; i < n->nargs; i++) {
		const char *r = refused_expr(n->args[i]);
		if (r)
			return r;
	}
	return NULL;
}

static const char *refused_query(const struct query *q);

static const char *refused_tref(const struct tref *t)
{
	if (!t)
		return NULL;
	if (t->k == T_JOIN)
		return "JOIN";
	if (t->k == T_SUBQ)
		return refused_query(t->q);
	return NULL;
}

static const char *refused_query(const struct query *q)
{
	if (!q)
		return NULL;
	const char *r = NULL;
	for (int i = 0; i < q->nctes && !r; i++)
		r = refused_query(q->ctes[i].q);
	if (r)
		return r;
	if (q->k == Q_SETOP) {
		if (!q->all)
			return "DISTINCT";  /* UNION without ALL removes duplicates */
		r = refused_query(q->l);
		return r ? r : refused_query(q->r);
	}
	if (q->k != Q_SELECT)
		return NULL;
	if (q->distinct)
		return "DISTINCT";
	for (int i = 0; i < q->nitems && !r; i++)
		r = refused_expr(q->items[i].e);
	if (!r)
		r = refused_expr(q->where);
	if (!r)
		r = refused_expr(q->having);
	for (int i = 0; i < q->ngroup && !r; i++)
		r = refused_expr(q->group[i]);
	return r ? r : refused_tref(q->from);
}

int infoschema_check(struct fg_session *s, struct query *q, struct ferr *e)
{
	if (!s->e->confluent || !query_reads_info(s, q))
		return 0;
	const char *what = refused_query(q);
	if (!what)
		return 0;
	ferr_add(e, EX_VALIDATION, "%s is not supported in queries on INFORMATION_SCHEMA", what);
	return -1;
}
