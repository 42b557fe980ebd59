/*
 * Catalogs, databases, tables and views, and the DDL that changes them.
 *
 * DESIGN
 *  - Every session owns its catalogs: `default_catalog` (generic_in_memory, with
 *    `default_database`) plus those it creates. An in-memory catalog owns its contents (a
 *    struct fstore); a persistent one (jdbc, hive, paimon) points at a store the engine keeps
 *    per type and identifying option (base-url, hive-conf-dir, warehouse), so every session that
 *    creates such a catalog sees the same databases, tables and views, as a metastore would.
 *  - Temporary tables and views live in the session, keyed by their full name, and shadow
 *    permanent objects of the same name.
 *  - A definition is stored as its normalised DDL and parsed from it (tdef_from_ddl), so what
 *    SHOW CREATE TABLE prints is exactly what is kept.
 *  - Error classes and texts follow Flink's CatalogManager and operations.
 */
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fgi.h"

struct fstore *store_new(const char *key, const char *default_db)
{
	struct fstore *st = xcalloc(1, sizeof(*st));
	st->key = key ? xstrdup(key) : NULL;
	st->default_db = default_db ? xstrdup(default_db) : NULL;
	if (default_db) {
		struct fdb *d = xcalloc(1, sizeof(*d));
		d->name = xstrdup(default_db);
		VEC_PUSH(&st->dbs, d);
	}
	return st;
}

static void db_free(struct fdb *d)
{
	for (size_t i = 0; i < d->objs.n; i++)
		tdef_free(d->objs.v[i]);
	VEC_FREE(&d->objs);
	free(d->name);
	free(d->comment);
	free(d);
}

void store_free(struct fstore *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->dbs.n; i++)
		db_free(st->dbs.v[i]);
	VEC_FREE(&st->dbs);
	free(st->key);
	free(st->default_db);
	free(st);
}

void store_clear(struct fstore *st)
{
	for (size_t i = 0; i < st->dbs.n; i++)
		db_free(st->dbs.v[i]);
	st->dbs.n = 0;
	if (st->default_db) {
		struct fdb *d = xcalloc(1, sizeof(*d));
		d->name = xstrdup(st->default_db);
		VEC_PUSH(&st->dbs, d);
	}
}

void cat_free(struct fcatalog *c)
{
	if (!c)
		return;
	if (!c->persistent)
		store_free(c->store);
	free(c->name);
	free(c->type);
	free(c->comment);
	arena_release(&c->a);
	free(c);
}

struct fcatalog *cat_find(struct fg_session *s, const char *name)
{
	for (size_t i = 0; i < s->cats.n; i++)
		if (!strcmp(s->cats.v[i]->name, name))
			return s->cats.v[i];
	return NULL;
}

struct fdb *db_find(struct fcatalog *c, const char *name)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < c->store->dbs.n; i++)
		if (!strcmp(c->store->dbs.v[i]->name, name))
			return c->store->dbs.v[i];
	return NULL;
}

static struct tdef *db_obj(struct fdb *d, const char *name, int *pidx)
{
	if (!d)
		return NULL;
	for (size_t i = 0; i < d->objs.n; i++) {
		if (!strcmp(d->objs.v[i]->name, name)) {
			if (pidx)
				*pidx = (int)i;
			return d->objs.v[i];
		}
	}
	return NULL;
}

static void opts_summary(struct sb *o, const struct fopt *opts, int n)
{
	sb_addc(o, '{');
	for (int i = 0; i < n; i++) {
		if (i)
			sb_adds(o, ", ");
		sb_addf(o, "%s=%s", opts[i].k, opt_sensitive(opts[i].k) ? "******" : opts[i].v);
	}
	sb_addc(o, '}');
}

static void opts_listing(struct sb *o, const struct fopt *opts, int n)
{
	/* sorted 'k'='v' lines, sensitive values hidden, as FactoryUtil prints them */
	VEC(char *) lines = {0};
	for (int i = 0; i < n; i++) {
		struct sb l = SB_INIT;
		quote_str(&l, opts[i].k);
		sb_addc(&l, '=');
		quote_str(&l, opt_sensitive(opts[i].k) ? "******" : opts[i].v);
		VEC_PUSH(&lines, sb_detach(&l, NULL));
	}
	for (size_t i = 1; i < lines.n; i++)
		for (size_t j = i; j > 0 && strcmp(lines.v[j - 1], lines.v[j]) > 0; j--) {
			char *t = lines.v[j];
			lines.v[j] = lines.v[j - 1];
			lines.v[j - 1] = t;
		}
	for (size_t i = 0; i < lines.n; i++) {
		if (i)
			sb_addc(o, '\n');
		sb_adds(o, lines.v[i]);
		free(lines.v[i]);
	}
	VEC_FREE(&lines);
}

struct fcatalog *cat_new(struct fg_session *s, const char *name, const struct fopt *opts, int nopts,
	const char *comment, struct ferr *e)
{
	const char *type = fopt_get(opts, nopts, "type");
	struct sb sum = SB_INIT;
	sb_addf(&sum, "CREATE CATALOG: (catalogName: [%s], properties: [", name);
	opts_summary(&sum, opts, nopts);
	sb_addf(&sum, "], comment: [%s], ignoreIfExists: [false])", comment ? comment : "null");
	struct fcatalog *c = NULL;
	if (!type) {
		ferr_add(e, EX_VALIDATION, "Could not execute %s", sum.buf);
		ferr_add(e, EX_VALIDATION, "Catalog options do not contain an option key 'type' for discovering a catalog.");
		goto out;
	}
	static const char *const types[] = {"generic_in_memory", "hive", "jdbc", "paimon", NULL};
	int ti = -1;
	for (int i = 0; types[i]; i++)
		if (!strcmp(types[i], type))
			ti = i;
	struct sb lst = SB_INIT;
	opts_listing(&lst, opts, nopts);
	if (ti < 0) {
		ferr_add(e, EX_VALIDATION, "Could not execute %s", sum.buf);
		ferr_add(e, EX_VALIDATION, "Unable to create catalog '%s'.\n\nCatalog options are:\n%s", name, lst.buf);
		ferr_add(e, EX_VALIDATION, "Could not find any factory for identifier '%s' that implements "
			"'org.apache.flink.table.factories.CatalogFactory' in the classpath.\n\nAvailable factory identifiers "
			"are:\n\ngeneric_in_memory\nhive\njdbc\npaimon", type);
		sb_release(&lst);
		goto out;
	}
	/* required and supported options per catalog type */
	static const char *const req_jdbc[] = {"base-url", "default-database", "password", "username", NULL};
	static const char *const req_hive[] = {NULL};
	static const char *const req_paimon[] = {"warehouse", NULL};
	static const char *const req_mem[] = {NULL};
	static const char *const opt_jdbc[] = {"compatible-mode", "property-version", NULL};
	static const char *const opt_hive[] = {"default-database", "hive-conf-dir", "hive-version", "hadoop-conf-dir",
		"property-version", NULL};
	static const char *const opt_paimon[] = {"default-database", "metastore", "property-version", NULL};
	static const char *const opt_mem[] = {"default-database", "property-version", NULL};
	const char *const *req = ti == 0 ? req_mem : ti == 1 ? req_hive : ti == 2 ? req_jdbc : req_paimon;
	const char *const *optl = ti == 0 ? opt_mem : ti == 1 ? opt_hive : ti == 2 ? opt_jdbc : opt_paimon;
	struct sb miss = SB_INIT;
	for (int i = 0; req[i]; i++)
		if (!fopt_get(opts, nopts, req[i]))
			sb_addf(&miss, "%s%s", miss.len ? "\n" : "", req[i]);
	if (ti == 1 && !fopt_get(opts, nopts, "hive-conf-dir"))
		sb_addf(&miss, "%shive-conf-dir", miss.len ? "\n" : "");
	if (miss.len) {
		ferr_add(e, EX_VALIDATION, "Could not execute %s", sum.buf);
		ferr_add(e, EX_VALIDATION, "Unable to create catalog '%s'.\n\nCatalog options are:\n%s", name, lst.buf);
		ferr_add(e, EX_VALIDATION, "One or more required options are missing.\n\nMissing required options are:\n\n%s",
			miss.buf);
		sb_release(&miss);
		sb_release(&lst);
		goto out;
	}
	sb_release(&miss);
	struct sb bad = SB_INIT;
	for (int i = 0; i < nopts; i++) {
		bool ok = !strcmp(opts[i].k, "type");
		for (int k = 0; req[k]; k++)
			ok = ok || !strcmp(opts[i].k, req[k]);
		for (int k = 0; optl[k]; k++)
			ok = ok || !strcmp(opts[i].k, optl[k]);
		if (ti == 3)  /* paimon passes any other option to its catalog */
			ok = true;
		if (!ok)
			sb_addf(&bad, "%s%s", bad.len ? "\n" : "", opts[i].k);
	}
	if (bad.len) {
		struct sb sup = SB_INIT;
		const char *all[16];
		int na = 0;
		for (int k = 0; req[k]; k++)
			all[na++] = req[k];
		for (int k = 0; optl[k]; k++)
			all[na++] = optl[k];
		all[na++] = "type";
		for (int i = 1; i < na; i++)
			for (int j = i; j > 0 && strcmp(all[j - 1], all[j]) > 0; j--) {
				const char *t = all[j];
				all[j] = all[j - 1];
				all[j - 1] = t;
			}
		for (int i = 0; i < na; i++)
			sb_addf(&sup, "%s%s", i ? "\n" : "", all[i]);
		ferr_add(e, EX_VALIDATION, "Could not execute %s", sum.buf);
		ferr_add(e, EX_VALIDATION, "Unable to create catalog '%s'.\n\nCatalog options are:\n%s", name, lst.buf);
		ferr_add(e, EX_VALIDATION, "Unsupported options found for '%s'.\n\nUnsupported options:\n\n%s\n\n"
			"Supported options:\n\n%s", type, bad.buf, sup.buf);
		sb_release(&sup);
		sb_release(&bad);
		sb_release(&lst);
		goto out;
	}
	sb_release(&bad);
	sb_release(&lst);

	c = xcalloc(1, sizeof(*c));
	arena_init(&c->a, 1024);
	c->name = xstrdup(name);
	c->type = xstrdup(type);
	c->comment = comment ? xstrdup(comment) : NULL;
	c->opts = ARENA_ARRAY(&c->a, struct fopt, nopts + 1);
	for (int i = 0; i < nopts; i++) {
		c->opts[i].k = arena_strdup(&c->a, opts[i].k);
		c->opts[i].v = arena_strdup(&c->a, opts[i].v);
	}
	c->nopts = nopts;
	const char *ddb = fopt_get(opts, nopts, "default-database");
	if (ti == 0) {
		c->store = store_new(NULL, ddb ? ddb : "default");
	} else {
		const char *idk = ti == 1 ? "hive-conf-dir" : ti == 2 ? "base-url" : "warehouse";
		struct sb key = SB_INIT;
		sb_addf(&key, "%s|%s", type, fopt_get(opts, nopts, idk));
		struct fg_engine *en = s->e;
		struct fstore *st = NULL;
		for (size_t i = 0; i < en->stores.n; i++)
			if (!strcmp(en->stores.v[i]->key, key.buf))
				st = en->stores.v[i];
		if (!st) {
			st = store_new(key.buf, ddb ? ddb : "default");
			VEC_PUSH(&en->stores, st);
		} else if (ddb && !db_find(&(struct fcatalog){.store = st}, ddb)) {
			struct fdb *d = xcalloc(1, sizeof(*d));
			d->name = xstrdup(ddb);
			VEC_PUSH(&st->dbs, d);
		}
		sb_release(&key);
		c->store = st;
		c->persistent = true;
	}
out:
	sb_release(&sum);
	return c;
}

static const char *cat_default_db(struct fcatalog *c)
{
	if (!strcmp(c->name, "default_catalog") && !c->persistent && db_find(c, "default_database"))
		return "default_database";
	const char *d = fopt_get(c->opts, c->nopts, "default-database");
	if (d && db_find(c, d))
		return d;
	if (db_find(c, "default"))
		return "default";
	return c->store->dbs.n ? c->store->dbs.v[0]->name : "default";
}

void qualify(struct fg_session *s, struct arena *a, const char *const *parts, int n, const char **pc,
	const char **pd, const char **pn)
{
	if (n >= 3) {
		*pc = arena_strdup(a, parts[n - 3]);
		*pd = arena_strdup(a, parts[n - 2]);
		*pn = arena_strdup(a, parts[n - 1]);
	} else if (n == 2) {
		*pc = arena_strdup(a, s->cur_cat);
		*pd = arena_strdup(a, parts[0]);
		*pn = arena_strdup(a, parts[1]);
	} else {
		*pc = arena_strdup(a, s->cur_cat);
		*pd = arena_strdup(a, s->cur_db);
		*pn = arena_strdup(a, parts[0]);
	}
}

static struct tdef *temp_find(struct fg_session *s, const char *c, const char *d, const char *n, int *pidx)
{
	for (size_t i = 0; i < s->temps.n; i++) {
		struct tdef *t = s->temps.v[i];
		if (!strcmp(t->cat, c) && !strcmp(t->db, d) && !strcmp(t->name, n)) {
			if (pidx)
				*pidx = (int)i;
			return t;
		}
	}
	return NULL;
}

struct tdef *obj_lookup(struct fg_session *s, const char *c, const char *d, const char *n, bool *ptemp)
{
	struct tdef *t = temp_find(s, c, d, n, NULL);
	if (ptemp)
		*ptemp = t != NULL;
	if (t)
		return t;
	return db_obj(db_find(cat_find(s, c), d), n, NULL);
}

void res_ok(struct fg_result *r)
{
	struct arena a;
	arena_init(&a, 256);
	const char *name = "result";
	struct ftype *t = ft_string(&a, true);
	res_columns(r, 1, &name, &t);
	const char *ok = "OK";
	res_row_strs(r, 1, &ok);
	r->result_kind = "SUCCESS";
	arena_release(&a);
}

static bool col_exists(const struct tdef *t, const char *name)
{
	return tdef_col(t, name) >= 0;
}

static void col_names(struct sb *o, const struct tdef *t)
{
	sb_addc(o, '[');
	for (int i = 0; i < t->ncols; i++)
		sb_addf(o, "%s%s", i ? ", " : "", t->cols[i].name);
	sb_addc(o, ']');
}

/* The schema checks Flink's DefaultSchemaResolver makes when a table is created */
static int validate_schema(struct fg_session *s, struct tdef *t, const char *src, struct ferr *e)
{
	for (int i = 0; i < t->ncols; i++)
		if (t->cols[i].kind == COL_COMPUTED && computed_check(s, t, i, src, e))
			return -1;
	for (int i = 0; i < t->ncols; i++)
		for (int k = 0; k < i; k++)
			if (!strcmp(t->cols[i].name, t->cols[k].name)) {
				ferr_add(e, EX_VALIDATION, "Schema must not contain duplicate column names. Found duplicates: [%s]",
					t->cols[i].name);
				return -1;
			}
	for (int i = 0; i < t->npk; i++) {
		struct sb nm = SB_INIT;
		if (t->pk_name)
			sb_adds(&nm, t->pk_name);
		else {
			sb_adds(&nm, "PK");
			for (int k = 0; k < t->npk; k++)
				sb_addf(&nm, "_%s", t->pk[k]);
		}
		int ci = tdef_col(t, t->pk[i]);
		if (ci < 0) {
			ferr_add(e, EX_VALIDATION, "Invalid primary key '%s'. Column '%s' does not exist.", nm.buf, t->pk[i]);
			sb_release(&nm);
			return -1;
		}
		if (t->cols[ci].kind != COL_PHYS) {
			ferr_add(e, EX_VALIDATION, "Invalid primary key '%s'. Column '%s' is not a physical column.", nm.buf,
				t->pk[i]);
			sb_release(&nm);
			return -1;
		}
		sb_release(&nm);
		/* primary key columns are NOT NULL */
		t->cols[ci].type->nullable = false;
	}
	for (int i = 0; i < t->npart; i++) {
		if (!col_exists(t, t->part[i])) {
			struct sb av = SB_INIT;
			for (int k = 0; k < t->ncols; k++)
				sb_addf(&av, "%s'%s'", k ? ", " : "", t->cols[k].name);
			ferr_add(e, EX_VALIDATION, "Partition column '%s' not defined in the table schema. Available columns: [%s]",
				t->part[i], av.buf);
			sb_release(&av);
			return -1;
		}
	}
	if (t->wm_col) {
		int ci = tdef_col(t, t->wm_col);
		if (ci < 0) {
			struct sb av = SB_INIT;
			col_names(&av, t);
			ferr_add(e, EX_VALIDATION, "Invalid column name '%s' for rowtime attribute in watermark declaration. "
				"Available columns are: %s", t->wm_col, av.buf);
			sb_release(&av);
			return -1;
		}
		struct fcol *c = &t->cols[ci];
		struct ftype *ty = c->type;
		struct arena tmp;
		arena_init(&tmp, 1024);
		if (c->kind == COL_COMPUTED)
			ty = computed_type(s, t, ci, &tmp);  /* a computed rowtime: the expression's type */
		if (ty && ty->attr == TA_PROCTIME) {
			ferr_add(e, EX_VALIDATION, "A watermark can not be defined for a processing-time attribute.");
			arena_release(&tmp);
			return -1;
		}
		if (!ty || !ft_is_timestamp(ty) || ty->len > 3) {
			struct sb ts = SB_INIT;
			if (ty)
				ft_summary(&ts, ty, true, false);
			else
				sb_adds(&ts, "UNKNOWN");
			ferr_add(e, EX_VALIDATION, "Invalid data type of time field for watermark definition. The field must be of "
				"type TIMESTAMP(p) or TIMESTAMP_LTZ(p), the supported precision 'p' is from 0 to 3, but the time field "
				"type is %s", ts.buf);
			sb_release(&ts);
			arena_release(&tmp);
			return -1;
		}
		arena_release(&tmp);
	}
	return 0;
}

int cat_add_table(struct fg_session *s, struct tdef *t, bool if_not_exists, struct ferr *e)
{
	struct sb path = SB_INIT;
	ident_serial(&path, t->cat, t->db, t->name);
	int rc = -1;
	if (t->temporary) {
		if (temp_find(s, t->cat, t->db, t->name, NULL)) {
			if (if_not_exists) {
				tdef_free(t);
				rc = 0;
				goto out;
			}
			ferr_add(e, EX_VALIDATION, "Temporary table '%s' already exists", path.buf);
			goto out;
		}
		struct fcatalog *c = cat_find(s, t->cat);
		if (!c) {
			ferr_add(e, EX_VALIDATION, "Catalog %s does not exist.", t->cat);
			goto out;
		}
		if (!db_find(c, t->db)) {
			ferr_add(e, EX_VALIDATION, "Could not execute %s in path %s",
				t->kind == OBJ_VIEW ? "CreateTemporaryView" : "CreateTemporaryTable", path.buf);
			ferr_add(e, EX_DB_NOT_EXIST, "Database %s does not exist in Catalog %s.", t->db, t->cat);
			goto out;
		}
		VEC_PUSH(&s->temps, t);
		rc = 0;
		goto out;
	}
	struct fcatalog *c = cat_find(s, t->cat);
	if (!c) {
		ferr_add(e, EX_VALIDATION, "Catalog %s does not exist.", t->cat);
		goto out;
	}
	struct fdb *d = db_find(c, t->db);
	if (!d) {
		ferr_add(e, EX_VALIDATION, "Could not execute CreateTable in path %s", path.buf);
		ferr_add(e, EX_DB_NOT_EXIST, "Database %s does not exist in Catalog %s.", t->db, t->cat);
		goto out;
	}
	if (db_obj(d, t->name, NULL)) {
		if (if_not_exists) {
			tdef_free(t);
			rc = 0;
			goto out;
		}
		ferr_add(e, EX_VALIDATION, "Could not execute CreateTable in path %s", path.buf);
		ferr_add(e, EX_TABLE_EXISTS, "Table (or view) %s.%s already exists in Catalog %s.", t->db, t->name, t->cat);
		goto out;
	}
	t->created_ms = now_ms();
	VEC_PUSH(&d->objs, t);
	rc = 0;
out:
	sb_release(&path);
	return rc;
}

/* Rebuilds a definition from its (changed) fields through the DDL text */
static struct tdef *redefine(const struct tdef *t, struct ferr *e)
{
	struct sb o = SB_INIT;
	if (t->kind == OBJ_VIEW)
		ddl_view(&o, t);
	else
		ddl_table(&o, t, false);
	struct tdef *n = tdef_from_ddl(o.buf, e);
	sb_release(&o);
	return n;
}

static int create_table(struct fg_session *s, struct stmt *st, struct ferr *e)
{
	struct tdef *d = st->def;
	struct arena tmp;
	arena_init(&tmp, 1024);
	int rc = -1;
	qualify(s, &tmp, st->name, st->nname, &d->cat, &d->db, &d->name);
	if (!cat_find(s, d->cat)) {
		ferr_add(e, EX_VALIDATION, "Catalog %s does not exist.", d->cat);
		goto out;
	}
	if (validate_schema(s, d, st->text, e))
		goto out;
	tdef_confluent_defaults(s, d, &tmp);
	if (s->e->confluent && cc_table_check(d, e))
		goto out;
	struct tdef *t = redefine(d, e);
	if (!t)
		goto out;
	rc = cat_add_table(s, t, st->if_not_exists, e);
	if (rc)
		tdef_free(t);
out:
	arena_release(&tmp);
	return rc;
}

void tdef_confluent_defaults(const struct fg_session *s, struct tdef *d, struct arena *a)
{
	if (!s->e->confluent || d->kind == OBJ_VIEW)
		return;
	/* 'connector' = 'confluent' names the default: a Kafka topic of the environment */
	const char *given = tdef_opt(d, "connector");
	if (given && strcmp(given, "confluent"))
		return;
	bool upsert = d->npk > 0;
	struct fopt extra[] = {
		{"connector", upsert ? "upsert-kafka" : "kafka"},
		{"topic", d->name},
		{"properties.bootstrap.servers", d->db ? d->db : "cluster"},
		{upsert ? "key.format" : "scan.startup.mode", upsert ? "json" : "earliest-offset"},
		{"value.format", "json"},
	};
	int nextra = (int)(sizeof(extra) / sizeof(extra[0]));
	struct fopt *o = ARENA_ARRAY(a, struct fopt, d->nopts + nextra);
	int n = 0;
	for (int i = 0; i < nextra; i++)
		if (!strcmp(extra[i].k, "connector") || !tdef_opt(d, extra[i].k))
			o[n++] = (struct fopt){arena_strdup(a, extra[i].k), arena_strdup(a, extra[i].v)};
	for (int i = 0; i < d->nopts; i++)
		if (strcmp(d->opts[i].k, "connector"))
			o[n++] = d->opts[i];
	d->opts = o;
	d->nopts = n;
}

static int create_view(struct fg_session *s, struct stmt *st, struct ferr *e)
{
	struct tdef *d = st->def;
	struct arena tmp;
	arena_init(&tmp, 4096);
	int rc = -1;
	qualify(s, &tmp, st->name, st->nname, &d->cat, &d->db, &d->name);
	if (!cat_find(s, d->cat)) {
		ferr_add(e, EX_VALIDATION, "Catalog %s does not exist.", d->cat);
		goto out;
	}
	/* the query is validated and its names qualified now, as Flink expands a view at creation */
	struct outcol *cols = NULL;
	int ncols = 0;
	if (query_schema(s, st->q, st->text, &tmp, &cols, &ncols, e))
		goto out;
	if (d->nvcols && d->nvcols != ncols) {
		ferr_add(e, EX_VALIDATION, "SQL validation failed. From line 1, column 1 to line 1, column 1: List of column "
			"aliases must have same degree as table; table has %d columns ('%s'), whereas alias list has %d columns",
			ncols, ncols ? cols[0].name : "", d->nvcols);
		goto out;
	}
	struct sb ex = SB_INIT;
	if (expand_query(s, st->q, st->text, &ex, e)) {
		sb_release(&ex);
		goto out;
	}
	d->expanded = arena_strdup(&tmp, ex.buf);
	sb_release(&ex);
	if (!d->nvcols) {
		d->vcols = ARENA_ARRAY(&tmp, const char *, ncols + 1);
		for (int i = 0; i < ncols; i++)
			d->vcols[i] = cols[i].name;
		d->nvcols = ncols;
	}
	struct tdef *t = redefine(d, e);
	if (!t)
		goto out;
	rc = cat_add_table(s, t, st->if_not_exists, e);
	if (rc)
		tdef_free(t);
out:
	arena_release(&tmp);
	return rc;
}

static int drop_object(struct fg_session *s, struct stmt *st, bool view, struct ferr *e)
{
	struct arena tmp;
	arena_init(&tmp, 256);
	const char *c, *d, *n;
	qualify(s, &tmp, st->name, st->nname, &c, &d, &n);
	struct sb ser = SB_INIT, sum = SB_INIT;
	ident_serial(&ser, c, d, n);
	ident_summary(&sum, c, d, n);
	int rc = -1;
	int ti;
	struct tdef *tt = temp_find(s, c, d, n, &ti);
	const char *what = view ? "view" : "table";
	if (st->temporary) {
		if (!tt || (tt->kind == OBJ_VIEW) != view) {
			if (st->if_exists) {
				rc = 0;
				goto out;
			}
			ferr_add(e, EX_VALIDATION, "Temporary %s with identifier '%s' does not exist.", what, ser.buf);
			goto out;
		}
		tdef_free(tt);
		s->temps.v[ti] = s->temps.v[--s->temps.n];
		rc = 0;
		goto out;
	}
	if (tt && (tt->kind == OBJ_VIEW) == view) {
		ferr_add(e, EX_VALIDATION, "Temporary %s with identifier '%s' exists. Drop it first before removing the "
			"permanent %s.", what, ser.buf, what);
		goto out;
	}
	struct fdb *db = db_find(cat_find(s, c), d);
	int idx;
	struct tdef *t = db_obj(db, n, &idx);
	/* Confluent Cloud accepts a DROP TABLE of a materialized table and drops nothing (§13.5) */
	if (s->e->confluent && t && t->mt && !view) {
		rc = 0;
		goto out;
	}
	/* CatalogManager drops only a CatalogTable with DROP TABLE: a materialized table is not one,
	 * so DROP TABLE does not find it (and DROP TABLE IF EXISTS leaves it in place) */
	if (!t || (t->kind == OBJ_VIEW) != view || t->mt) {
		if (st->if_exists) {
			rc = 0;
			goto out;
		}
		ferr_add(e, EX_VALIDATION, "%s with identifier '%s' does not exist.", view ? "View" : "Table", sum.buf);
		goto out;
	}
	/* Confluent Cloud: dropping a table deletes the topic the table stood for (its own records
	 * and what jobs wrote), so a table created again under the name starts empty */
	if (s->e->confluent && !view)
		cc_topic_remove(s->e, t, true);
	tdef_free(t);
	memmove(db->objs.v + idx, db->objs.v + idx + 1, sizeof(db->objs.v[0]) * (db->objs.n - (size_t)idx - 1));
	db->objs.n--;
	rc = 0;
out:
	sb_release(&ser);
	sb_release(&sum);
	arena_release(&tmp);
	return rc;
}

int cat_remove(struct fg_session *s, const char *c, const char *d, const char *n)
{
	struct fdb *db = db_find(cat_find(s, c), d);
	int idx;
	struct tdef *t = db_obj(db, n, &idx);
	if (!t)
		return -1;
	tdef_free(t);
	memmove(db->objs.v + idx, db->objs.v + idx + 1, sizeof(db->objs.v[0]) * (db->objs.n - (size_t)idx - 1));
	db->objs.n--;
	return 0;
}

static int alter_object(struct fg_session *s, struct stmt *st, struct ferr *e)
{
	struct arena tmp;
	arena_init(&tmp, 256);
	const char *c, *d, *n;
	qualify(s, &tmp, st->name, st->nname, &c, &d, &n);
	struct sb ser = SB_INIT;
	ident_serial(&ser, c, d, n);
	int rc = -1;
	struct fdb *db = db_find(cat_find(s, c), d);
	int idx;
	struct tdef *t = db_obj(db, n, &idx);
	bool view = st->is_view;
	if (!t || (t->kind == OBJ_VIEW) != view) {
		if (st->if_exists) {
			rc = 0;
			goto out;
		}
		ferr_add(e, EX_VALIDATION, "%s %s doesn't exist or is a temporary %s.", view ? "View" : "Table", ser.buf,
			view ? "view" : "table");
		goto out;
	}
	struct tdef copy = *t;
	if (st->k == S_ALTER_RENAME) {
		const char *nn = st->newname[st->nnewname - 1];
		if (db_obj(db, nn, NULL)) {
			ferr_add(e, EX_VALIDATION, "Could not execute AlterTable in path %s", ser.buf);
			ferr_add(e, EX_TABLE_EXISTS, "Table (or view) %s.%s already exists in Catalog %s.", d, nn, c);
			goto out;
		}
		copy.name = nn;
		copy.cat = c;
	} else if (st->k == S_ALTER_SET) {
		struct fopt *o = ARENA_ARRAY(&tmp, struct fopt, t->nopts + st->nopts + 1);
		int no = 0;
		for (int i = 0; i < t->nopts; i++)
			o[no++] = t->opts[i];
		for (int i = 0; i < st->nopts; i++) {
			int k;
			for (k = 0; k < no; k++)
				if (!strcmp(o[k].k, st->opts[i].k))
					break;
			o[k] = st->opts[i];
			if (k == no)
				no++;
		}
		copy.opts = o;
		copy.nopts = no;
	} else {
		if (!st->nkeys) {
			ferr_add(e, EX_VALIDATION, "ALTER TABLE RESET does not support empty key");
			goto out;
		}
		for (int i = 0; i < st->nkeys; i++)
			if (!strcmp(st->keys[i], "connector")) {
				ferr_add(e, EX_VALIDATION, "ALTER TABLE RESET does not support changing 'connector'");
				goto out;
			}
		struct fopt *o = ARENA_ARRAY(&tmp, struct fopt, t->nopts + 1);
		int no = 0;
		for (int i = 0; i < t->nopts; i++) {
			bool drop = false;
			for (int k = 0; k < st->nkeys; k++)
				drop = drop || !strcmp(st->keys[k], t->opts[i].k);
			if (!drop)
				o[no++] = t->opts[i];
		}
		copy.opts = o;
		copy.nopts = no;
	}
	struct tdef *nt = redefine(&copy, e);
	if (!nt)
		goto out;
	tdef_free(t);
	db->objs.v[idx] = nt;
	rc = 0;
out:
	sb_release(&ser);
	arena_release(&tmp);
	return rc;
}

static int create_db(struct fg_session *s, struct stmt *st, struct ferr *e)
{
	const char *c = st->nname > 1 ? st->name[st->nname - 2] : s->cur_cat;
	const char *d = st->name[st->nname - 1];
	struct fcatalog *cat = cat_find(s, c);
	if (!cat) {
		ferr_add(e, EX_VALIDATION, "Catalog %s does not exist", c);
		return -1;
	}
	if (db_find(cat, d)) {
		if (st->if_not_exists)
			return 0;
		struct sb props = SB_INIT;
		opts_summary(&props, st->opts, st->nopts);
		ferr_add(e, EX_VALIDATION, "Could not execute CREATE DATABASE: (catalogDatabase: [%s], catalogName: [%s], "
			"databaseName: [%s], ignoreIfExists: [false])", props.buf, c, d);
		ferr_add(e, EX_DB_EXISTS, "Database %s already exists in Catalog %s.", d, c);
		sb_release(&props);
		return -1;
	}
	struct fdb *db = xcalloc(1, sizeof(*db));
	db->name = xstrdup(d);
	db->comment = st->comment ? xstrdup(st->comment) : NULL;
	VEC_PUSH(&cat->store->dbs, db);
	return 0;
}

static int drop_db(struct fg_session *s, struct stmt *st, struct ferr *e)
{
	const char *c = st->nname > 1 ? st->name[st->nname - 2] : s->cur_cat;
	const char *d = st->name[st->nname - 1];
	struct fcatalog *cat = cat_find(s, c);
	if (!cat) {
		ferr_add(e, EX_VALIDATION, "Catalog %s does not exist", c);
		return -1;
	}
	if (!strcmp(c, s->cur_cat) && !strcmp(d, s->cur_db)) {
		ferr_add(e, EX_VALIDATION, "Cannot drop a database which is currently in use.");
		return -1;
	}
	const char *mode = st->cascade ? "CASCADE" : "RESTRICT";
	struct fdb *db = NULL;
	size_t idx = 0;
	for (size_t i = 0; i < cat->store->dbs.n; i++)
		if (!strcmp(cat->store->dbs.v[i]->name, d)) {
			db = cat->store->dbs.v[i];
			idx = i;
		}
	if (!db) {
		if (st->if_exists)
			return 0;
		ferr_add(e, EX_VALIDATION, "Could not execute DROP DATABASE %s.%s %s", c, d, mode);
		ferr_add(e, EX_DB_NOT_EXIST, "Database %s does not exist in Catalog %s.", d, c);
		return -1;
	}
	if (db->objs.n && !st->cascade) {
		ferr_add(e, EX_VALIDATION, "Could not execute DROP DATABASE %s.%s %s", c, d, mode);
		ferr_add(e, EX_DB_NOT_EMPTY, "Database %s in catalog %s is not empty.", d, c);
		return -1;
	}
	db_free(db);
	memmove(cat->store->dbs.v + idx, cat->store->dbs.v + idx + 1,
		sizeof(cat->store->dbs.v[0]) * (cat->store->dbs.n - idx - 1));
	cat->store->dbs.n--;
	return 0;
}

int exec_ddl(struct fg_session *s, struct stmt *st, struct fg_result *out, struct ferr *e)
{
	int rc = -1;
	switch (st->k) {
	case S_CREATE_TABLE:
		rc = create_table(s, st, e);
		break;
	case S_CREATE_VIEW:
		rc = create_view(s, st, e);
		break;
	case S_DROP_TABLE:
		rc = drop_object(s, st, false, e);
		break;
	case S_DROP_VIEW:
		rc = drop_object(s, st, true, e);
		break;
	case S_ALTER_RENAME:
	case S_ALTER_SET:
	case S_ALTER_RESET:
		rc = alter_object(s, st, e);
		break;
	case S_CREATE_DB:
		rc = create_db(s, st, e);
		break;
	case S_DROP_DB:
		rc = drop_db(s, st, e);
		break;
	case S_ALTER_DB_SET: {
		const char *c = st->nname > 1 ? st->name[st->nname - 2] : s->cur_cat;
		const char *d = st->name[st->nname - 1];
		if (!db_find(cat_find(s, c), d)) {
			ferr_add(e, EX_VALIDATION, "Database %s not exists.", d);
			break;
		}
		rc = 0;
		break;
	}
	case S_CREATE_CATALOG: {
		const char *n = st->name[0];
		if (cat_find(s, n)) {
			if (st->if_not_exists) {
				rc = 0;
				break;
			}
			struct sb sum = SB_INIT;
			opts_summary(&sum, st->opts, st->nopts);
			ferr_add(e, EX_VALIDATION, "Could not execute CREATE CATALOG: (catalogName: [%s], properties: [%s], "
				"comment: [%s], ignoreIfExists: [false])", n, sum.buf, st->comment ? st->comment : "null");
			ferr_add(e, EX_CATALOG, "Catalog %s already exists.", n);
			sb_release(&sum);
			break;
		}
		struct fcatalog *c = cat_new(s, n, st->opts, st->nopts, st->comment, e);
		if (!c)
			break;
		VEC_PUSH(&s->cats, c);
		rc = 0;
		break;
	}
	case S_DROP_CATALOG: {
		const char *n = st->name[0];
		size_t idx = 0;
		struct fcatalog *c = NULL;
		for (size_t i = 0; i < s->cats.n; i++)
			if (!strcmp(s->cats.v[i]->name, n)) {
				c = s->cats.v[i];
				idx = i;
			}
		if (!c) {
			if (st->if_exists) {
				rc = 0;
				break;
			}
			ferr_add(e, EX_VALIDATION, "Could not execute DROP CATALOG %s%s", st->if_exists ? "IF EXISTS " : "", n);
			ferr_add(e, EX_CATALOG, "Catalog %s does not exist.", n);
			break;
		}
		if (!strcmp(s->cur_cat, n)) {
			ferr_add(e, EX_VALIDATION, "Could not execute DROP CATALOG %s", n);
			ferr_add(e, EX_CATALOG, "Cannot drop a catalog which is currently in use.");
			break;
		}
		/* temporary objects of the catalog go with it */
		for (size_t i = 0; i < s->temps.n;) {
			if (!strcmp(s->temps.v[i]->cat, n)) {
				tdef_free(s->temps.v[i]);
				s->temps.v[i] = s->temps.v[--s->temps.n];
			} else {
				i++;
			}
		}
		cat_free(c);
		memmove(s->cats.v + idx, s->cats.v + idx + 1, sizeof(s->cats.v[0]) * (s->cats.n - idx - 1));
		s->cats.n--;
		rc = 0;
		break;
	}
	case S_USE_CATALOG: {
		struct fcatalog *c = cat_find(s, st->name[0]);
		if (!c) {
			ferr_add(e, EX_CATALOG, "A catalog with name [%s] does not exist.", st->name[0]);
			break;
		}
		free(s->cur_cat);
		free(s->cur_db);
		s->cur_cat = xstrdup(c->name);
		s->cur_db = xstrdup(cat_default_db(c));
		rc = 0;
		break;
	}
	case S_USE_DB: {
		if (st->nname > 2) {
			ferr_add(e, EX_VALIDATION, "Catalog name or database name can not be null or empty.");
			break;
		}
		const char *cn = st->nname == 2 ? st->name[0] : s->cur_cat;
		const char *dn = st->name[st->nname - 1];
		struct fcatalog *c = cat_find(s, cn);
		if (!c) {
			ferr_add(e, EX_CATALOG, "A catalog with name [%s] does not exist.", cn);
			break;
		}
		if (!db_find(c, dn)) {
			ferr_add(e, EX_CATALOG, "A database with name [%s] does not exist in the catalog: [%s].", dn, cn);
			break;
		}
		char *nc = xstrdup(cn);
		free(s->cur_cat);
		free(s->cur_db);
		s->cur_cat = nc;
		s->cur_db = xstrdup(dn);
		rc = 0;
		break;
	}
	default:
		ferr_add(e, EX_TABLE, "unsupported statement");
		break;
	}
	if (!rc)
		res_ok(out);
	return rc;
}
