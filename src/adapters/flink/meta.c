/*
 * What the Flink adapter knows about relations, read from the engine with SHOW and DESCRIBE (open-
 * source Flink has no information_schema): which tables and views a database holds, the columns of a
 * relation, and for docs the catalog: types, comments, connector options, watermark, primary key,
 * the latter parsed from SHOW CREATE TABLE.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapters/flink/flink_adapter.h"
#include "adapters/flink/internal.h"
#include "core/log.h"
#include "core/sb.h"

static const char *or_default(const char *v, const char *dflt)
{
	return v && *v ? v : dflt;
}

/* The names of the first column of a SHOW statement */
static int show_names(struct adapter_conn *c, const char *sql, const char ***pnames, size_t *pn, struct arena *a,
		      char **perr)
{
	struct adapter_result r;
	if (adp_flink_run(c, sql, NULL, 0, true, -1, &r, NULL, a, perr) < 0)
		return -1;
	const char **names = ARENA_ARRAY(a, const char *, r.nrows + 1);
	size_t n = 0;
	for (size_t i = 0; i < r.nrows; i++) {
		const char *s = adp_flink_cell(&r, i, 0, a);
		if (s)
			names[n++] = s;
	}
	*pnames = names;
	*pn = n;
	return 0;
}

static bool is_current(struct adapter_conn *c, const char *catalog, const char *database)
{
	return !strcmp(catalog, c->ad->catalog) && !strcmp(database, c->ad->database);
}

/* SHOW VIEWS of a database: `FROM` needs Flink 2.0; before, the database must be the current one */
static int show_views(struct adapter_conn *c, const char *catalog, const char *database, const char ***pnames,
		      size_t *pn, struct arena *a, char **perr)
{
	if (adp_flink_version_at_least(c->ad, 2, 0))
		return show_names(c, arena_sprintf(a, "SHOW VIEWS FROM %s", adp_flink_db_path(a, catalog, database)), pnames, pn,
				  a, perr);
	if (is_current(c, catalog, database))
		return show_names(c, "SHOW VIEWS", pnames, pn, a, perr);
	/* USE the other database for the one statement, holding the session so that nobody else's
	 * statement runs in between */
	bool own_lock = !c->own && !c->holding;
	if (own_lock) {
		pthread_mutex_lock(&c->ad->lock);
		c->holding = true;
	}
	const char *use = arena_sprintf(a, "USE %s", adp_flink_db_path(a, catalog, database));
	int rc = adp_flink_run(c, use, NULL, 0, false, -1, NULL, NULL, a, perr);
	if (rc == 0)
		rc = show_names(c, "SHOW VIEWS", pnames, pn, a, perr);
	char *err2 = NULL;
	const char *back = arena_sprintf(a, "USE %s", adp_flink_db_path(a, c->ad->catalog, c->ad->database));
	if (adp_flink_run(c, back, NULL, 0, false, -1, NULL, NULL, a, &err2) < 0 && rc == 0)
		rc = adp_flink_fail(a, perr, "unable to return to the target database: %s", err2);
	if (own_lock) {
		c->holding = false;
		pthread_mutex_unlock(&c->ad->lock);
	}
	return rc;
}

static bool database_missing(const char *err)
{
	return err && (strstr(err, "does not exist") || strstr(err, "not exist in catalog") ||
		       strstr(err, "DatabaseNotExistException"));
}

int adp_flink_list_relations(struct adapter_conn *c, const char *database, const char *schema,
		      struct adapter_relation **prels, size_t *pn, struct arena *a, char **perr)
{
	*prels = NULL;
	*pn = 0;
	const char *catalog = or_default(database, c->ad->catalog);
	const char *db = or_default(schema, c->ad->database);
	const char **tables, **views;
	size_t nt, nv;
	char *err = NULL;
	const char *show = arena_sprintf(a, "SHOW TABLES FROM %s", adp_flink_db_path(a, catalog, db));
	if (show_names(c, show, &tables, &nt, a, &err) < 0) {
		/* a database that does not exist holds nothing */
		if (database_missing(err))
			return 0;
		*perr = err;
		return -1;
	}
	if (show_views(c, catalog, db, &views, &nv, a, perr) < 0)
		return -1;
	struct adapter_relation *rels = ARENA_ARRAY(a, struct adapter_relation, nt + 1);
	for (size_t i = 0; i < nt; i++) {
		rels[i].database = catalog;
		rels[i].schema = db;
		rels[i].identifier = tables[i];
		rels[i].type = REL_TABLE;
		for (size_t j = 0; j < nv; j++)
			if (!strcmp(views[j], tables[i]))
				rels[i].type = REL_VIEW;
	}
	*prels = rels;
	*pn = nt;
	return 0;
}

int adp_flink_get_relation(struct adapter_conn *c, const char *database, const char *schema, const char *identifier,
		    struct adapter_relation *prel, bool *pfound, struct arena *a, char **perr)
{
	*pfound = false;
	struct adapter_relation *rels;
	size_t n;
	if (adp_flink_list_relations(c, database, schema, &rels, &n, a, perr) < 0)
		return -1;
	/* Flink's identifiers are case-sensitive */
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(rels[i].identifier, identifier)) {
			*prel = rels[i];
			*pfound = true;
			return 0;
		}
	}
	return 0;
}

/* "TIMESTAMP(3) *ROWTIME*" -> "TIMESTAMP(3)": the time-attribute marker is not part of the type */
static const char *plain_type(const char *t, struct arena *a)
{
	const char *star = strstr(t, " *");
	return star ? arena_strndup(a, t, (size_t)(star - t)) : t;
}

struct describe {
	struct adapter_result r;
	long name, type, null, key, extras, watermark, comment;
};

static int describe(struct adapter_conn *c, const struct adapter_relation *rel, struct describe *d, struct arena *a,
		    char **perr)
{
	const char *path = arena_sprintf(a, "%s.%s", adp_flink_db_path(a, or_default(rel->database, c->ad->catalog),
								or_default(rel->schema, c->ad->database)),
					 adp_flink_quote(rel->identifier, a));
	if (adp_flink_run(c, arena_sprintf(a, "DESCRIBE %s", path), NULL, 0, true, -1, &d->r, NULL, a, perr) < 0)
		return -1;
	d->name = adp_flink_col_index(&d->r, "name");
	d->type = adp_flink_col_index(&d->r, "type");
	d->null = adp_flink_col_index(&d->r, "null");
	d->key = adp_flink_col_index(&d->r, "key");
	d->extras = adp_flink_col_index(&d->r, "extras");
	d->watermark = adp_flink_col_index(&d->r, "watermark");
	d->comment = adp_flink_col_index(&d->r, "comment");
	if (d->name < 0 || d->type < 0)
		return adp_flink_fail(a, perr, "DESCRIBE of %s did not return the columns name and type", path);
	return 0;
}

int adp_flink_get_columns(struct adapter_conn *c, const struct adapter_relation *rel, struct adapter_column **pcols,
		   size_t *pn, struct arena *a, char **perr)
{
	struct describe d;
	if (describe(c, rel, &d, a, perr) < 0)
		return -1;
	struct adapter_column *cols = ARENA_ARRAY(a, struct adapter_column, d.r.nrows + 1);
	for (size_t i = 0; i < d.r.nrows; i++) {
		cols[i].name = adp_flink_cell(&d.r, i, (size_t)d.name, a);
		cols[i].type = plain_type(or_default(adp_flink_cell(&d.r, i, (size_t)d.type, a), "STRING"), a);
		cols[i].comment = d.comment >= 0 ? adp_flink_cell(&d.r, i, (size_t)d.comment, a) : NULL;
	}
	*pcols = cols;
	*pn = d.r.nrows;
	return 0;
}

int adp_flink_create_schema(struct adapter_conn *c, const char *database, const char *schema, struct arena *a,
			    char **perr)
{
	const char *sql = arena_sprintf(a, "CREATE DATABASE IF NOT EXISTS %s",
					adp_flink_db_path(a, or_default(database, c->ad->catalog), or_default(schema, c->ad->database)));
	return adp_flink_run(c, sql, NULL, 0, false, -1, NULL, NULL, a, perr);
}

/* ================================================================ catalog */

/* A '…' SQL string at *pp (with '' escapes); advances past it */
static const char *sql_string(const char **pp, struct arena *a)
{
	const char *p = *pp;
	if (*p != '\'')
		return NULL;
	struct sb s = SB_INIT;
	for (p++; *p; p++) {
		if (*p == '\'') {
			if (p[1] != '\'')
				break;
			p++;
		}
		sb_addc(&s, *p);
	}
	if (*p == '\'')
		p++;
	*pp = p;
	char *r = sb_to_arena(&s, a);
	sb_release(&s);
	return r;
}

static bool contains_nocase(const char *s, const char *word)
{
	size_t n = strlen(word);
	for (; *s; s++)
		if (!strncasecmp(s, word, n))
			return true;
	return false;
}

bool adp_flink_secret_option(const char *key)
{
	static const char *const words[] = {"password", "secret", "token", "jaas", "credential", "api-key", "apikey", NULL};
	for (const char *const *w = words; *w; w++)
		if (contains_nocase(key, *w))
			return true;
	return false;
}

/* The table comment and the WITH options of SHOW CREATE TABLE's text: both stand at depth 0, after
 * the column list */
static void parse_create(const char *ddl, const char **pcomment, struct flink_kv **popts, size_t *pn, struct arena *a)
{
	*pcomment = NULL;
	*popts = NULL;
	*pn = 0;
	int depth = 0;
	bool seen_columns = false;
	for (const char *p = ddl; *p; p++) {
		if (*p == '\'') {
			(void)sql_string(&p, a);
			p--;
			continue;
		}
		if (*p == '`') {
			for (p++; *p && !(*p == '`' && p[1] != '`'); p += *p == '`' ? 2 : 1)
				;
			if (!*p)
				break;
			continue;
		}
		if (*p == '(') {
			depth++;
			continue;
		}
		if (*p == ')') {
			if (--depth == 0)
				seen_columns = true;
			continue;
		}
		if (depth || !seen_columns)
			continue;
		if (!strncasecmp(p, "COMMENT ", 8)) {
			const char *q = p + 8;
			while (*q == ' ')
				q++;
			*pcomment = sql_string(&q, a);
			p = q - 1;
		} else if (!strncasecmp(p, "WITH (", 6) || !strncasecmp(p, "WITH(", 5)) {
			const char *q = strchr(p, '(') + 1;
			size_t cap = 8, n = 0;
			struct flink_kv *kv = ARENA_ARRAY(a, struct flink_kv, cap);
			for (;;) {
				while (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r' || *q == ',')
					q++;
				if (*q != '\'')
					break;
				const char *k = sql_string(&q, a);
				while (*q == ' ' || *q == '=')
					q++;
				const char *v = sql_string(&q, a);
				if (!k || !v)
					break;
				if (n == cap) {
					kv = arena_realloc(a, kv, cap * sizeof(*kv), cap * 2 * sizeof(*kv));
					cap *= 2;
				}
				kv[n].key = k;
				kv[n].value = adp_flink_secret_option(k) ? "****" : v;
				n++;
			}
			*popts = kv;
			*pn = n;
			return;
		}
	}
}

void adp_flink_catalog_stat(struct arena *a, value stats, const char *id, const char *label, value v, const char *desc)
{
	value s = val_dict_new(a, 5);
	val_dict_sets(s, "id", val_str(id));
	val_dict_sets(s, "label", val_str(label));
	val_dict_sets(s, "value", v);
	val_dict_sets(s, "include", val_bool(true));
	val_dict_sets(s, "description", val_str(desc));
	val_dict_sets(stats, id, s);
}

/* One relation of the catalog: columns from DESCRIBE, the rest from SHOW CREATE */
static int catalog_entry(struct adapter_conn *c, const struct adapter_relation *rel, struct adapter_catalog_table *t,
			 struct arena *a, char **perr)
{
	struct describe d;
	if (describe(c, rel, &d, a, perr) < 0)
		return -1;
	t->rel = *rel;
	t->owner = NULL;
	t->comment = NULL;
	t->ncols = d.r.nrows;
	t->cols = ARENA_ARRAY(a, struct adapter_column, d.r.nrows + 1);
	value stats = val_dict_new(a, 8);
	struct sb keys = SB_INIT, wm = SB_INIT;
	for (size_t i = 0; i < d.r.nrows; i++) {
		const char *name = adp_flink_cell(&d.r, i, (size_t)d.name, a);
		t->cols[i].name = name;
		t->cols[i].type = or_default(adp_flink_cell(&d.r, i, (size_t)d.type, a), "STRING");
		t->cols[i].comment = d.comment >= 0 ? adp_flink_cell(&d.r, i, (size_t)d.comment, a) : NULL;
		const char *key = d.key >= 0 ? adp_flink_cell(&d.r, i, (size_t)d.key, a) : NULL;
		if (key && !strncmp(key, "PRI", 3))
			sb_addf(&keys, "%s%s", keys.len ? ", " : "", name);
		const char *w = d.watermark >= 0 ? adp_flink_cell(&d.r, i, (size_t)d.watermark, a) : NULL;
		if (w && *w)
			sb_addf(&wm, "%sFOR %s AS %s", wm.len ? "; " : "", name, w);
	}
	if (keys.len)
		adp_flink_catalog_stat(a, stats, "primary_key", "Primary key", val_str(sb_to_arena(&keys, a)),
				       "PRIMARY KEY ... NOT ENFORCED columns");
	if (wm.len)
		adp_flink_catalog_stat(a, stats, "watermark", "Watermark", val_str(sb_to_arena(&wm, a)),
				       "the watermark of the event time");
	sb_release(&keys);
	sb_release(&wm);
	struct adapter_result r;
	char *err = NULL;
	const char *path = arena_sprintf(a, "%s.%s", adp_flink_db_path(a, rel->database, rel->schema),
					 adp_flink_quote(rel->identifier, a));
	const char *show = arena_sprintf(a, "SHOW CREATE %s %s", rel->type == REL_VIEW ? "VIEW" : "TABLE", path);
	if (adp_flink_run(c, show, NULL, 0, true, 1, &r, NULL, a, &err) == 0 &&
	    r.nrows == 1) {
		const char *ddl = adp_flink_cell(&r, 0, 0, a);
		const char *comment;
		struct flink_kv *opts;
		size_t nopts;
		parse_create(ddl ? ddl : "", &comment, &opts, &nopts, a);
		t->comment = comment;
		for (size_t i = 0; i < nopts; i++) {
			if (!strcmp(opts[i].key, "connector"))
				adp_flink_catalog_stat(a, stats, "connector", "Connector", val_str(opts[i].value),
						       "the table's connector");
		}
		if (nopts) {
			struct sb o = SB_INIT;
			for (size_t i = 0; i < nopts; i++)
				sb_addf(&o, "%s'%s' = '%s'", i ? ", " : "", opts[i].key, opts[i].value);
			char *text = sb_to_arena(&o, a);
			sb_release(&o);
			log_redact(text);
			adp_flink_catalog_stat(a, stats, "options", "Connector options", val_str(text),
					       "the WITH options of the table");
		}
	} else if (err) {
		/* SHOW CREATE works only for tables created by Flink DDL: the rest has no options to show */
		log_msg(LOG_DEBUG, "flink: no SHOW CREATE for %s: %s", path, err);
	}
	t->stats = stats.d->len ? stats : val_none();
	return 0;
}

int adp_flink_catalog(struct adapter_conn *c, const char *database, const char *const *schemas, size_t nschemas,
	       struct adapter_catalog_table **ptables, size_t *pn, struct arena *a, char **perr)
{
	*ptables = NULL;
	*pn = 0;
	size_t cap = 16, n = 0;
	struct adapter_catalog_table *tabs = ARENA_ARRAY(a, struct adapter_catalog_table, cap);
	for (size_t s = 0; s < nschemas; s++) {
		struct adapter_relation *rels;
		size_t nr;
		if (adp_flink_list_relations(c, database, schemas[s], &rels, &nr, a, perr) < 0)
			return -1;
		for (size_t i = 0; i < nr; i++) {
			if (n == cap) {
				tabs = arena_realloc(a, tabs, cap * sizeof(*tabs), cap * 2 * sizeof(*tabs));
				cap *= 2;
			}
			if (catalog_entry(c, &rels[i], &tabs[n], a, perr) < 0)
				return -1;
			n++;
		}
	}
	*ptables = tabs;
	*pn = n;
	return 0;
}
