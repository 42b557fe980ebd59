/*
 * What the Confluent Cloud adapter knows about relations, read from INFORMATION_SCHEMA (reference
 * confluent-flink-statements-api.md §12), as dbt-confluent reads it: which tables and views a
 * database (Kafka cluster) holds, the columns of a relation, and for docs the catalog with the
 * table options, watermark, primary key and distribution.
 *
 * Every query reads `<environment>`.`INFORMATION_SCHEMA`.`<view>` (each catalog has one) and keeps
 * to what Confluent accepts there: SELECT, WHERE with = and <>, AND, UNION ALL, AS and
 * CAST(NULL AS STRING|INT) for padding; no JOIN, CASE, DISTINCT or ORDER BY (§12). Tables and
 * columns come in one UNION ALL, joined here; options and key columns in another. System columns
 * (IS_HIDDEN = 'YES', such as $rowtime) are left out. The statement that keeps a streaming model's
 * table current is added to its entry by docs generate (the adapter's list_jobs).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapters/confluent/internal.h"
#include "adapters/flink/flink_adapter.h"
#include "core/log.h"
#include "core/sb.h"
#include "core/vec.h"

static const char *or_default(const char *v, const char *dflt)
{
	return v && *v ? v : dflt;
}

/* 'text' as a SQL string literal */
static const char *lit(const char *s, struct arena *a)
{
	struct sb b = SB_INIT;
	sb_addc(&b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			sb_addc(&b, '\'');
		sb_addc(&b, *p);
	}
	sb_addc(&b, '\'');
	char *r = sb_to_arena(&b, a);
	sb_release(&b);
	return r;
}

/* `environment`.`INFORMATION_SCHEMA`.`view` */
static const char *view(const char *env, const char *name, struct arena *a)
{
	return arena_sprintf(a, "%s.`INFORMATION_SCHEMA`.`%s`", adp_cc_quote(env, a), name);
}

static long col_index(const struct adapter_result *r, const char *name)
{
	for (size_t i = 0; i < r->ncols; i++)
		if (r->cols[i].name && !strcasecmp(r->cols[i].name, name))
			return (long)i;
	return -1;
}

/* The cell of column `name` in row i as text; NULL for SQL NULL or a missing column */
static const char *cell(const struct adapter_result *r, size_t i, const char *name, struct arena *a)
{
	long c = col_index(r, name);
	if (c < 0)
		return NULL;
	value v = r->rows[i * r->ncols + (size_t)c];
	if (v.type == V_NONE || v.type == V_UNDEF)
		return NULL;
	return val_cstr(a, v.type == V_STR ? v : val_to_str(a, v));
}

static bool is_yes(const char *s)
{
	return s && !strcasecmp(s, "YES");
}

static enum relation_type rel_type(const char *table_type)
{
	if (table_type && !strcasecmp(table_type, "VIEW"))
		return REL_VIEW;
	if (table_type && !strcasecmp(table_type, "EXTERNAL TABLE"))
		return REL_EXTERNAL;
	return REL_TABLE;
}

/* "DECIMAL(10, 2) NOT NULL" -> "DECIMAL(10, 2)": nullability is not part of a column's type here,
 * as on the other adapters */
static const char *plain_type(const char *t, struct arena *a)
{
	if (!t)
		return "STRING";
	size_t n = strlen(t);
	if (n > 9 && !strcasecmp(t + n - 9, " NOT NULL"))
		return arena_strndup(a, t, n - 9);
	return t;
}

/* ================================================================ relations */

/* TABLES of one database, optionally of one name; a NULL *penv or *pschema becomes the
 * connection's environment or database */
static int tables(struct adapter_conn *c, const char **penv, const char **pschema, const char *name,
		  struct adapter_result *r, struct arena *a, char **perr)
{
	*penv = or_default(*penv, adp_cc_env(c));
	*pschema = or_default(*pschema, adp_cc_db(c));
	const char *sql = arena_sprintf(a,
					"SELECT TABLE_NAME, TABLE_TYPE FROM %s WHERE TABLE_SCHEMA = %s%s%s",
					view(*penv, "TABLES", a), lit(*pschema, a), name ? " AND TABLE_NAME = " : "",
					name ? lit(name, a) : "");
	return adp_cc_query(c, sql, r, a, perr);
}

int adp_cc_get_relation(struct adapter_conn *c, const char *database, const char *schema, const char *identifier,
			struct adapter_relation *prel, bool *pfound, struct arena *a, char **perr)
{
	*pfound = false;
	struct adapter_result r;
	if (tables(c, &database, &schema, identifier, &r, a, perr))
		return -1;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *n = cell(&r, i, "TABLE_NAME", a);
		if (!n || strcmp(n, identifier))  /* Flink's names are case-sensitive */
			continue;
		prel->database = arena_strdup(a, database);
		prel->schema = arena_strdup(a, schema);
		prel->identifier = n;
		prel->type = rel_type(cell(&r, i, "TABLE_TYPE", a));
		*pfound = true;
		break;
	}
	return 0;
}

int adp_cc_list_relations(struct adapter_conn *c, const char *database, const char *schema,
			  struct adapter_relation **prels, size_t *pn, struct arena *a, char **perr)
{
	struct adapter_result r;
	if (tables(c, &database, &schema, NULL, &r, a, perr))
		return -1;
	*prels = ARENA_ARRAY(a, struct adapter_relation, r.nrows ? r.nrows : 1);
	*pn = 0;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *n = cell(&r, i, "TABLE_NAME", a);
		if (n)
			(*prels)[(*pn)++] = (struct adapter_relation){database, schema, n,
								     rel_type(cell(&r, i, "TABLE_TYPE", a))};
	}
	return 0;
}

static int by_position(const void *x, const void *y)
{
	const long *p = x, *q = y;
	return (p[0] > q[0]) - (p[0] < q[0]);
}

/* Rows [from, to) of r hold columns (COLUMN_NAME, ORDINAL_POSITION, FULL_DATA_TYPE, COMMENT):
 * into cols in ordinal order */
static void columns_of(const struct adapter_result *r, const size_t *rows, size_t n, struct adapter_column *cols,
		       struct arena *a)
{
	long *order = ARENA_ARRAY(a, long, 2 * (n ? n : 1));
	for (size_t k = 0; k < n; k++) {
		const char *pos = cell(r, rows[k], "ORDINAL_POSITION", a);
		order[2 * k] = pos ? strtol(pos, NULL, 10) : (long)k;
		order[2 * k + 1] = (long)rows[k];
	}
	qsort(order, n, 2 * sizeof(long), by_position);
	for (size_t k = 0; k < n; k++) {
		size_t i = (size_t)order[2 * k + 1];
		cols[k].name = cell(r, i, "COLUMN_NAME", a);
		cols[k].type = plain_type(cell(r, i, "FULL_DATA_TYPE", a), a);
		cols[k].comment = cell(r, i, "COMMENT", a);
	}
}

/* How long a table that TABLES lists may show no COLUMNS rows before that is an error: the
 * catalog is eventually consistent (§12), so such a read is tried again after 0.5, 1, 2, 4 and 8 s */
#define COLUMNS_TRIES 6

int adp_cc_get_columns(struct adapter_conn *c, const struct adapter_relation *rel, struct adapter_column **pcols,
		       size_t *pn, struct arena *a, char **perr)
{
	const char *env = or_default(rel->database, adp_cc_env(c));
	const char *schema = or_default(rel->schema, adp_cc_db(c));
	const char *sql = arena_sprintf(a,
					"SELECT COLUMN_NAME, ORDINAL_POSITION, FULL_DATA_TYPE, `COMMENT` FROM %s "
					"WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s AND IS_HIDDEN = 'NO'",
					view(env, "COLUMNS", a), lit(schema, a), lit(rel->identifier, a));
	struct adapter_result r;
	long wait = 500, waited = 0;
	for (int attempt = 1;; attempt++, waited += wait, wait *= 2) {
		if (adp_cc_query(c, sql, &r, a, perr))
			return -1;
		if (r.nrows)
			break;
		/* no columns: a relation that does not exist has none; one that TABLES lists is too new */
		struct adapter_result t;
		if (tables(c, &env, &schema, rel->identifier, &t, a, perr))
			return -1;
		if (!t.nrows)
			break;
		if (attempt == COLUMNS_TRIES) {
			*perr = arena_sprintf(a,
					      "INFORMATION_SCHEMA lists table %s.%s.%s but none of its columns after %d reads over "
					      "%.1f s; Confluent Cloud's catalog may still be catching up: try again in a minute",
					      env, schema, rel->identifier, attempt, (double)waited / 1000);
			return -1;
		}
		log_msg(LOG_WARN, "confluent: INFORMATION_SCHEMA has no columns of %s.%s.%s yet; reading again in %ld ms",
			env, schema, rel->identifier, wait);
		if (!adp_cc_pause(c, wait)) {
			*perr = arena_strdup(a, "cancelled");
			return -1;
		}
	}
	size_t *rows = ARENA_ARRAY(a, size_t, r.nrows ? r.nrows : 1);
	for (size_t i = 0; i < r.nrows; i++)
		rows[i] = i;
	*pcols = ARENA_ARRAY(a, struct adapter_column, r.nrows ? r.nrows : 1);
	*pn = r.nrows;
	columns_of(&r, rows, r.nrows, *pcols, a);
	return 0;
}

int adp_cc_create_schema(struct adapter_conn *c, const char *database, const char *schema, struct arena *a,
			 char **perr)
{
	/* a schema is a Kafka cluster: SQL cannot create one (§15); it must exist */
	const char *env = or_default(database, adp_cc_env(c));
	const char *sql = arena_sprintf(a, "SELECT SCHEMA_NAME FROM %s WHERE SCHEMA_NAME = %s", view(env, "SCHEMATA", a),
					lit(schema, a));
	struct adapter_result r;
	if (adp_cc_query(c, sql, &r, a, perr))
		return -1;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *n = cell(&r, i, "SCHEMA_NAME", a);
		if (n && !strcmp(n, schema))
			return 0;
	}
	*perr = arena_sprintf(a,
			      "schema '%s' does not exist in environment '%s': on Confluent Cloud a schema is a Kafka "
			      "cluster, which SQL cannot create; create the cluster, or set the model's schema to an "
			      "existing one",
			      schema, env);
	return -1;
}

/* ================================================================ catalog */

/* One table of the catalog being put together */
struct entry {
	struct adapter_catalog_table t;
	VEC(size_t) colrows;   /* rows of the first query that are its columns */
	struct sb opts, keys;
	const char *connector;
};

typedef VEC(struct entry) entryvec;

static struct entry *entry_of(struct entry *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].t.rel.identifier, name))
			return &v[i];
	return NULL;
}

/* The tables and columns of one database: one UNION ALL over TABLES and COLUMNS, as dbt-confluent
 * reads them (a row of TABLES has no COLUMN_NAME) */
static const char *tables_and_columns_sql(const char *env, const char *schema, struct arena *a)
{
	return arena_sprintf(
		a,
		"SELECT TABLE_NAME, TABLE_TYPE, `COMMENT`, IS_MATERIALIZED, IS_DISTRIBUTED, DISTRIBUTION_BUCKETS, "
		"WATERMARK_COLUMN, WATERMARK_EXPRESSION, CAST(NULL AS STRING) AS COLUMN_NAME, "
		"CAST(NULL AS INT) AS ORDINAL_POSITION, CAST(NULL AS STRING) AS FULL_DATA_TYPE FROM %s "
		"WHERE TABLE_SCHEMA = %s "
		"UNION ALL "
		"SELECT TABLE_NAME, CAST(NULL AS STRING) AS TABLE_TYPE, `COMMENT`, CAST(NULL AS STRING) AS IS_MATERIALIZED, "
		"CAST(NULL AS STRING) AS IS_DISTRIBUTED, CAST(NULL AS INT) AS DISTRIBUTION_BUCKETS, "
		"CAST(NULL AS STRING) AS WATERMARK_COLUMN, CAST(NULL AS STRING) AS WATERMARK_EXPRESSION, COLUMN_NAME, "
		"ORDINAL_POSITION, FULL_DATA_TYPE FROM %s "
		"WHERE TABLE_SCHEMA = %s AND IS_HIDDEN = 'NO'",
		view(env, "TABLES", a), lit(schema, a), view(env, "COLUMNS", a), lit(schema, a));
}

/* The options and primary-key columns of one database (a row of TABLE_OPTIONS has no COLUMN_NAME) */
static const char *options_and_keys_sql(const char *env, const char *schema, struct arena *a)
{
	return arena_sprintf(a,
			     "SELECT TABLE_NAME, OPTION_KEY, OPTION_VALUE, CAST(NULL AS STRING) AS COLUMN_NAME, "
			     "CAST(NULL AS INT) AS ORDINAL_POSITION FROM %s WHERE TABLE_SCHEMA = %s "
			     "UNION ALL "
			     "SELECT TABLE_NAME, CAST(NULL AS STRING) AS OPTION_KEY, CAST(NULL AS STRING) AS OPTION_VALUE, "
			     "COLUMN_NAME, ORDINAL_POSITION FROM %s WHERE TABLE_SCHEMA = %s",
			     view(env, "TABLE_OPTIONS", a), lit(schema, a), view(env, "KEY_COLUMN_USAGE", a),
			     lit(schema, a));
}

static int catalog_schema(struct adapter_conn *c, const char *env, const char *schema, entryvec *out,
			  struct arena *a, char **perr)
{
	struct adapter_result r, o;
	if (adp_cc_query(c, tables_and_columns_sql(env, schema, a), &r, a, perr) ||
	    adp_cc_query(c, options_and_keys_sql(env, schema, a), &o, a, perr))
		return -1;
	size_t first = out->n;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *n = cell(&r, i, "TABLE_NAME", a);
		if (!n || cell(&r, i, "COLUMN_NAME", a))
			continue;
		struct entry e = {0};
		e.t.rel = (struct adapter_relation){env, schema, n, rel_type(cell(&r, i, "TABLE_TYPE", a))};
		e.t.comment = cell(&r, i, "COMMENT", a);
		e.t.stats = val_dict_new(a, 8);
		value st = e.t.stats;
		const char *wc = cell(&r, i, "WATERMARK_COLUMN", a), *we = cell(&r, i, "WATERMARK_EXPRESSION", a);
		if (wc && we)
			adp_flink_catalog_stat(a, st, "watermark", "Watermark",
					       val_str(arena_sprintf(a, "FOR %s AS %s", wc, we)),
					       "the watermark of the event time");
		if (is_yes(cell(&r, i, "IS_DISTRIBUTED", a))) {
			const char *b = cell(&r, i, "DISTRIBUTION_BUCKETS", a);
			adp_flink_catalog_stat(a, st, "distribution", "Distribution",
					       val_str(b ? arena_sprintf(a, "%s buckets", b) : "distributed"),
					       "DISTRIBUTED BY: the Kafka partitions of the table");
		}
		if (is_yes(cell(&r, i, "IS_MATERIALIZED", a)))
			adp_flink_catalog_stat(a, st, "materialized", "Materialized table", val_str("YES"),
					       "a materialized table, kept current by its statement");
		VEC_PUSH(out, e);
	}
	struct entry *ents = out->v + first;
	size_t nents = out->n - first;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *n = cell(&r, i, "TABLE_NAME", a);
		struct entry *e = n && cell(&r, i, "COLUMN_NAME", a) ? entry_of(ents, nents, n) : NULL;
		if (e)
			VEC_PUSH(&e->colrows, i);
	}
	for (size_t i = 0; i < o.nrows; i++) {
		const char *n = cell(&o, i, "TABLE_NAME", a);
		struct entry *e = n ? entry_of(ents, nents, n) : NULL;
		if (!e)
			continue;
		const char *k = cell(&o, i, "OPTION_KEY", a), *col = cell(&o, i, "COLUMN_NAME", a);
		if (k) {
			const char *v = cell(&o, i, "OPTION_VALUE", a);
			v = adp_flink_secret_option(k) ? "****" : v ? v : "";
			if (!strcmp(k, "connector"))
				e->connector = v;
			sb_addf(&e->opts, "%s'%s' = '%s'", e->opts.len ? ", " : "", k, v);
		} else if (col) {
			sb_addf(&e->keys, "%s%s", e->keys.len ? ", " : "", col);
		}
	}
	for (size_t k = 0; k < nents; k++) {
		struct entry *e = &ents[k];
		e->t.ncols = e->colrows.n;
		e->t.cols = ARENA_ARRAY(a, struct adapter_column, e->colrows.n ? e->colrows.n : 1);
		columns_of(&r, e->colrows.v, e->colrows.n, e->t.cols, a);
		VEC_FREE(&e->colrows);
		value st = e->t.stats;
		if (e->connector)
			adp_flink_catalog_stat(a, st, "connector", "Connector", val_str(e->connector),
					       "the table's connector");
		if (e->opts.len) {
			char *text = sb_to_arena(&e->opts, a);
			log_redact(text);
			adp_flink_catalog_stat(a, st, "options", "Table options", val_str(text),
					       "the WITH options of the table");
		}
		if (e->keys.len)
			adp_flink_catalog_stat(a, st, "primary_key", "Primary key", val_str(sb_to_arena(&e->keys, a)),
					       "PRIMARY KEY ... NOT ENFORCED columns");
		sb_release(&e->opts);
		sb_release(&e->keys);
		if (!st.d->len)
			e->t.stats = val_none();
	}
	return 0;
}

int adp_cc_catalog(struct adapter_conn *c, const char *database, const char *const *schemas, size_t nschemas,
		   struct adapter_catalog_table **ptables, size_t *pn, struct arena *a, char **perr)
{
	const char *env = or_default(database, adp_cc_env(c));
	entryvec out = {0};
	int rc = 0;
	for (size_t s = 0; s < nschemas && !rc; s++)
		rc = catalog_schema(c, env, schemas[s], &out, a, perr);
	*ptables = ARENA_ARRAY(a, struct adapter_catalog_table, out.n ? out.n : 1);
	*pn = rc ? 0 : out.n;
	for (size_t i = 0; i < out.n; i++) {
		if (!rc)
			(*ptables)[i] = out.v[i].t;
		VEC_FREE(&out.v[i].colrows);
		sb_release(&out.v[i].opts);
		sb_release(&out.v[i].keys);
	}
	VEC_FREE(&out);
	return rc ? -1 : 0;
}
