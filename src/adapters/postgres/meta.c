/*
 * Metadata of the PostgreSQL adapter: relations, columns, schemas and the docs catalog, all read
 * from pg_catalog, and the relation cache of a run.
 *
 * The relation cache (adapters/relcache.h) is shared with the other SQL adapters; what is particular
 * to PostgreSQL here: unquoted names fold to lower case, a DROP ... CASCADE may take dependent views
 * of any schema along (so it forgets everything, unless pg_cache_before_sql saw the relation has no
 * dependants), and the transaction state comes from libpq.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapters/postgres/internal.h"
#include "adapters/relcache.h"
#include "core/sb.h"
#include "core/vec.h"
#include "value/value.h"

static const char *schema_or_default(struct adapter_conn *c, const char *schema)
{
	return schema && *schema ? schema : c->ad->schema;
}

static enum relation_type kind_type(const char *relkind)
{
	switch (relkind ? relkind[0] : '?') {
	case 'r':
	case 'p': return REL_TABLE;
	case 'v': return REL_VIEW;
	case 'm': return REL_MATERIALIZED_VIEW;
	case 'f': return REL_EXTERNAL;
	default: return REL_UNKNOWN;
	}
}

static const char *cell(const struct adapter_result *r, size_t row, size_t col, struct arena *a)
{
	value v = r->rows[row * r->ncols + col];
	return v.type == V_STR ? v.s : v.type == V_NONE ? NULL : val_cstr(a, val_to_str(a, v));
}

/* ================================================================ the cache */

void pg_cache_release(struct adapter *ad)
{
	relcache_release(&ad->rc);
}

void pg_cache_forget_all(struct adapter *ad)
{
	relcache_forget_all(&ad->rc);
}

static bool in_txn(struct adapter_conn *c)
{
	PGTransactionStatusType ts = c->pg ? PQtransactionStatus(c->pg) : PQTRANS_IDLE;
	return ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
}

void pg_cache_txn_end(struct adapter_conn *c, bool committed)
{
	relcache_txn_end(&c->ad->rc, &c->rcs, committed);
}

void pg_cache_note_sql(struct adapter_conn *c, const char *sql, bool ok)
{
	c->rcs.in_txn = in_txn(c);
	relcache_note_sql(&c->ad->rc, &c->rcs, sql, ok);
}

/*
 * Before a lone DROP ... CASCADE: whether anything depends on the relation (views, materialized
 * views, at any depth). When nothing does, the drop takes only that relation and the cache keeps
 * everything else, which saves the next model a listing of the schema.
 */
void pg_cache_before_sql(struct adapter_conn *c, const char *sql)
{
	c->rcs.no_dependents = false;
	struct arena a;
	arena_init(&a, 1024);
	const char *schema, *ident;
	if (c->pg && relcache_lone_drop_cascade(sql, &schema, &ident, &a)) {
		const char *params[] = {schema, ident};
		struct adapter_result r;
		char *err = NULL;
		if (pg_query_params(c,
				    "with recursive dep(oid) as ("
				    " select c.oid from pg_catalog.pg_class c join pg_catalog.pg_namespace n"
				    " on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2"
				    " union select rw.ev_class from pg_catalog.pg_depend dp"
				    " join pg_catalog.pg_rewrite rw on rw.oid = dp.objid"
				    " join dep on dp.refobjid = dep.oid where rw.ev_class <> dep.oid)"
				    " select count(*) from dep",
				    params, 2, &r, &a, &err) == 0 &&
		    r.nrows == 1 && r.rows[0].type == V_INT && r.rows[0].i <= 1)
			c->rcs.no_dependents = true;
	}
	arena_release(&a);
}

void pg_cache_note(struct adapter_conn *c, char op, const struct adapter_relation *rel,
		   const struct adapter_relation *to)
{
	c->rcs.in_txn = in_txn(c);
	if (op == 'a')
		relcache_added(&c->ad->rc, &c->rcs, rel);
	else if (op == 'd')
		relcache_dropped(&c->ad->rc, &c->rcs, rel);
	else if (op == 'r' && to)
		relcache_renamed(&c->ad->rc, &c->rcs, rel, to);
}

/* ================================================================ look-ups */

/* The relations of a schema, from pg_catalog (the cache's lister) */
static int list_uncached(struct adapter_conn *c, const char *database, const char *schema,
			 struct adapter_relation **prels, size_t *pn, struct arena *a, char **perr)
{
	const char *params[] = {schema};
	struct adapter_result r;
	if (pg_query_params(c,
			    "select c.relname, c.relkind::text from pg_catalog.pg_class c "
			    "join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
			    "where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'f')",
			    params, 1, &r, a, perr) < 0)
		return -1;
	struct adapter_relation *rels = ARENA_ARRAY(a, struct adapter_relation, r.nrows + 1);
	for (size_t i = 0; i < r.nrows; i++) {
		rels[i].database = c->ad->database;
		rels[i].schema = schema;
		rels[i].identifier = cell(&r, i, 0, a);
		rels[i].type = kind_type(cell(&r, i, 1, a));
	}
	*prels = rels;
	*pn = r.nrows;
	(void)database;
	return 0;
}

/* One database a connection: PostgreSQL cannot look into another, so the database is the target's */
int pg_get_relation(struct adapter_conn *c, const char *database, const char *schema, const char *identifier,
		    struct adapter_relation *prel, bool *pfound, struct arena *a, char **perr)
{
	(void)database;
	return relcache_get(&c->ad->rc, list_uncached, c, NULL, schema_or_default(c, schema), identifier, prel,
			    pfound, a, perr);
}

int pg_list_relations(struct adapter_conn *c, const char *database, const char *schema,
		      struct adapter_relation **prels, size_t *pn, struct arena *a, char **perr)
{
	(void)database;
	return relcache_list(&c->ad->rc, list_uncached, c, NULL, schema_or_default(c, schema), prels, pn, a, perr);
}

int pg_get_columns(struct adapter_conn *c, const struct adapter_relation *rel, struct adapter_column **pcols,
		   size_t *pn, struct arena *a, char **perr)
{
	*pcols = NULL;
	*pn = 0;
	struct adapter_result r;
	/* a name with no schema is the server's unqualified name, as a temporary table is named
	 * (dbt-postgres' make_temp_relation): the session's temporary schema first, then the
	 * search path */
	if (!rel->schema && !rel->database) {
		const char *name[] = {rel->identifier};
		if (pg_query_params(c,
				    "select a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
				    "pg_catalog.col_description(a.attrelid, a.attnum) "
				    "from pg_catalog.pg_attribute a "
				    "where a.attrelid = pg_catalog.to_regclass(pg_catalog.quote_ident($1)) "
				    "and a.attnum > 0 and not a.attisdropped order by a.attnum",
				    name, 1, &r, a, perr) < 0)
			return -1;
		if (r.nrows)
			goto found;
	}
	const char *schema = schema_or_default(c, rel->schema);
	/* the exact name, else the one relation whose name matches in any case */
	const char *params[] = {schema, rel->identifier};
	if (pg_query_params(c,
			    "select a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
			    "pg_catalog.col_description(c.oid, a.attnum) "
			    "from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
			    "join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 "
			    "and not a.attisdropped "
			    "where n.nspname = $1 and c.relname = (select c2.relname from pg_catalog.pg_class c2 "
			    "where c2.relnamespace = n.oid and lower(c2.relname) = lower($2) "
			    "order by c2.relname = $2 desc limit 1) "
			    "order by a.attnum",
			    params, 2, &r, a, perr) < 0)
		return -1;
found:;
	struct adapter_column *cols = ARENA_ARRAY(a, struct adapter_column, r.nrows ? r.nrows : 1);
	for (size_t i = 0; i < r.nrows; i++) {
		cols[i].name = cell(&r, i, 0, a);
		cols[i].type = cell(&r, i, 1, a);
		cols[i].comment = cell(&r, i, 2, a);
	}
	*pcols = cols;
	*pn = r.nrows;
	return 0;
}

int pg_create_schema(struct adapter_conn *c, const char *database, const char *schema, struct arena *a,
		     char **perr)
{
	schema = schema_or_default(c, schema);
	const char *params[] = {schema};
	struct adapter_result r;
	/* CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database: look first */
	if (pg_query_params(c, "select 1 from pg_catalog.pg_namespace where nspname = $1", params, 1, &r, a, perr) < 0)
		return -1;
	if (r.nrows)
		return 0;
	/* two sessions creating one schema at once (tests of several threads storing their failures
	 * in the audit schema): IF NOT EXISTS does not keep the slower one from a unique violation
	 * on pg_namespace once the other commits. The schema is then there, which is what was asked:
	 * inside a transaction the attempt is made under a savepoint, so that the transaction
	 * survives it */
	bool in_txn = c->pg && PQtransactionStatus(c->pg) == PQTRANS_INTRANS;
	if (in_txn && pg_query_params(c, "savepoint sluice_create_schema", NULL, 0, NULL, a, perr) < 0)
		return -1;
	struct sb q = SB_INIT;
	sb_adds(&q, "create schema if not exists ");
	pg_quote_ident(&q, schema);
	int rc = pg_query_params(c, q.buf, NULL, 0, NULL, a, perr);
	sb_release(&q);
	if (rc < 0 && (!in_txn || pg_query_params(c, "rollback to savepoint sluice_create_schema", NULL, 0, NULL, a,
						  NULL) == 0) &&
	    pg_query_params(c, "select 1 from pg_catalog.pg_namespace where nspname = $1", params, 1, &r, a, NULL) == 0 &&
	    r.nrows)
		rc = 0;
	(void)database;
	return rc;
}

/* ================================================================ docs catalog */

static void add_stat(value stats, struct arena *a, const char *id, const char *label, value v, const char *desc,
		     bool include)
{
	value s = val_dict_new(a, 5);
	val_dict_sets(s, "id", val_str(id));
	val_dict_sets(s, "label", val_str(label));
	val_dict_sets(s, "value", v);
	val_dict_sets(s, "include", val_bool(include));
	val_dict_sets(s, "description", val_str(desc));
	val_dict_sets(stats, id, s);
}

int pg_catalog(struct adapter_conn *c, const char *database, const char *const *schemas, size_t nschemas,
	       struct adapter_catalog_table **ptables, size_t *pn, struct arena *a, char **perr)
{
	*ptables = NULL;
	*pn = 0;
	if (nschemas == 0)
		return 0;
	struct sb q = SB_INIT;
	sb_adds(&q, "select n.nspname, c.relname, c.relkind::text, pg_catalog.pg_get_userbyid(c.relowner), "
			  "pg_catalog.obj_description(c.oid, 'pg_class'), a.attname, "
			  "pg_catalog.format_type(a.atttypid, a.atttypmod), pg_catalog.col_description(c.oid, a.attnum), "
			  "c.reltuples::bigint, "
			  "case when c.relkind in ('r', 'p', 'm') then pg_catalog.pg_total_relation_size(c.oid) end "
			  "from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
			  "left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 "
			  "and not a.attisdropped "
			  "where c.relkind in ('r', 'p', 'v', 'm', 'f') and lower(n.nspname) in (");
	const char **params = ARENA_ARRAY(a, const char *, nschemas);
	for (size_t i = 0; i < nschemas; i++) {
		sb_addf(&q, "%slower($%zu)", i ? ", " : "", i + 1);
		params[i] = schemas[i];
	}
	sb_adds(&q, ") order by n.nspname, c.relname, a.attnum");
	struct adapter_result r;
	int rc = pg_query_params(c, q.buf, params, (int)nschemas, &r, a, perr);
	sb_release(&q);
	if (rc < 0)
		return -1;
	size_t nt = 0;
#define SAME(i, k) (val_eq(r.rows[(i) * r.ncols + 0], r.rows[(k) * r.ncols + 0]) && \
		    val_eq(r.rows[(i) * r.ncols + 1], r.rows[(k) * r.ncols + 1]))
	for (size_t i = 0; i < r.nrows; i++)
		if (i == 0 || !SAME(i, i - 1))
			nt++;
	struct adapter_catalog_table *tabs = ARENA_ARRAY(a, struct adapter_catalog_table, nt ? nt : 1);
	struct adapter_catalog_table *t = NULL;
	for (size_t i = 0; i < r.nrows; i++) {
		if (i == 0 || !SAME(i, i - 1)) {
			t = t ? t + 1 : tabs;
			t->rel.database = c->ad->database;
			t->rel.schema = cell(&r, i, 0, a);
			t->rel.identifier = cell(&r, i, 1, a);
			t->rel.type = kind_type(cell(&r, i, 2, a));
			t->owner = cell(&r, i, 3, a);
			t->comment = cell(&r, i, 4, a);
			size_t nc = 0;
			for (size_t k = i; k < r.nrows && SAME(k, i); k++)
				nc += r.rows[k * r.ncols + 5].type != V_NONE;
			t->cols = ARENA_ARRAY(a, struct adapter_column, nc ? nc : 1);
			t->ncols = 0;
			/* row counts are the planner's (known once the table was analyzed); sizes are exact */
			value stats = val_dict_new(a, 3);
			value rows = r.rows[i * r.ncols + 8], bytes = r.rows[i * r.ncols + 9];
			bool any = false;
			if (rows.type == V_INT && rows.i >= 0 && t->rel.type != REL_VIEW) {
				add_stat(stats, a, "num_rows", "# Rows", rows, "Approximate count of rows in this table", true);
				any = true;
			}
			if (bytes.type == V_INT) {
				add_stat(stats, a, "num_bytes", "Approximate Size", bytes,
					 "Size of the table on disk, indexes and TOAST included", true);
				any = true;
			}
			add_stat(stats, a, "has_stats", "Has Stats?", val_bool(any),
				 "Indicates whether there are statistics for this table", false);
			t->stats = stats;
		}
		if (r.rows[i * r.ncols + 5].type == V_NONE)
			continue;
		struct adapter_column *col = &t->cols[t->ncols++];
		col->name = cell(&r, i, 5, a);
		col->type = cell(&r, i, 6, a);
		col->comment = cell(&r, i, 7, a);
	}
#undef SAME
	*ptables = tabs;
	*pn = nt;
	(void)database;
	return 0;
}
