/*
 * Results of the introspection statements: SHOW CATALOGS / DATABASES / TABLES / VIEWS /
 * FUNCTIONS / MODULES / JARS / CURRENT ..., SHOW COLUMNS and DESCRIBE (Flink's columns name,
 * type, null, key, extras, watermark and, when some column has one, comment), SHOW CREATE
 * TABLE / VIEW / CATALOG in Flink's layout, and SET without arguments. Also the small helpers
 * every statement uses to fill a result in the gateway's shape.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fgi.h"

json_t *col_json(const char *name, const struct ftype *t)
{
	json_t *c = json_object();
	json_object_set_new(c, "name", json_string(name));
	json_object_set_new(c, "logicalType", ft_json(t));
	json_object_set_new(c, "comment", json_null());
	return c;
}

json_t *row_json(const char *kind, json_t *fields)
{
	json_t *r = json_object();
	json_object_set_new(r, "kind", json_string(kind));
	json_object_set_new(r, "fields", fields);
	return r;
}

void res_columns(struct fg_result *r, int n, const char *const *names, struct ftype *const *types)
{
	if (r->columns)
		json_decref(r->columns);
	r->columns = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(r->columns, col_json(names[i], types[i]));
	if (!r->rows)
		r->rows = json_array();
	r->result_kind = "SUCCESS_WITH_CONTENT";
	r->ok = true;
}

void res_str_columns(struct fg_result *r, int n, const char *const *names)
{
	struct arena a;
	arena_init(&a, 512);
	struct ftype **t = ARENA_ARRAY(&a, struct ftype *, n);
	for (int i = 0; i < n; i++)
		t[i] = ft_string(&a, true);
	res_columns(r, n, names, t);
	arena_release(&a);
}

void res_row_strs(struct fg_result *r, int n, const char *const *vals)
{
	json_t *f = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(f, vals[i] ? json_string(vals[i]) : json_null());
	json_array_append_new(r->rows, row_json("INSERT", f));
}

/* SQL LIKE: '%' any run, '_' one character; ci: case-insensitive (ILIKE) */
static bool like_match(const char *s, const char *p, bool ci)
{
	if (!*p)
		return !*s;
	if (*p == '%') {
		while (*p == '%')
			p++;
		if (!*p)
			return true;
		for (; *s; s++)
			if (like_match(s, p, ci))
				return true;
		return like_match(s, p, ci);
	}
	if (!*s)
		return false;
	if (*p == '_' || (ci ? tolower((unsigned char)*p) == tolower((unsigned char)*s) : *p == *s))
		return like_match(s + 1, p + 1, ci);
	return false;
}

static bool keep(const struct stmt *st, const char *name)
{
	if (!st->like)
		return true;
	bool m = like_match(name, st->like, st->ilike);
	return st->not_like ? !m : m;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef VEC(const char *) namevec;

static void one_col(struct fg_result *r, const char *col, namevec *names, bool sorted)
{
	res_str_columns(r, 1, &col);
	if (sorted && names->n)
		qsort(names->v, names->n, sizeof(char *), str_cmp);
	for (size_t i = 0; i < names->n; i++) {
		if (i && sorted && !strcmp(names->v[i], names->v[i - 1]))
			continue;
		res_row_strs(r, 1, &names->v[i]);
	}
}

static const char *const builtin_functions[] = {"ABS", "AVG", "CAST", "CEIL", "CHAR_LENGTH", "COALESCE", "CONCAT",
	"CONCAT_WS", "COUNT", "CUMULATE", "CURRENT_DATE", "CURRENT_TIMESTAMP", "DATE_FORMAT", "EXTRACT", "FLOOR",
	"FROM_UNIXTIME", "HOP", "IF", "LISTAGG", "LOCALTIMESTAMP", "LOWER", "MAX", "MIN", "MOD", "NOW", "POWER",
	"PROCTIME", "REPLACE", "ROUND", "ROW_NUMBER", "SESSION", "SUBSTRING", "SUM", "TIMESTAMPADD", "TIMESTAMPDIFF",
	"TO_DATE", "TO_TIMESTAMP", "TO_TIMESTAMP_LTZ", "TRIM", "TRY_CAST", "TUMBLE", "TUMBLE_END", "TUMBLE_START",
	"UNIX_TIMESTAMP", "UPPER", NULL};

static const char *type_cell(struct arena *a, const struct ftype *t)
{
	struct sb o = SB_INIT;
	ft_summary(&o, t, false, true);
	const char *s = arena_strdup(a, o.buf);
	sb_release(&o);
	return s;
}

/* DESCRIBE / SHOW COLUMNS of a table or view */
static int describe(struct fg_session *s, struct stmt *st, struct fg_result *out, struct ferr *e)
{
	struct arena a;
	arena_init(&a, 4096);
	const char *c, *d, *n;
	qualify(s, &a, st->name, st->nname, &c, &d, &n);
	struct tdef *t = obj_lookup(s, c, d, n, NULL);
	int rc = -1;
	if (!t) {
		struct sb id = SB_INIT;
		ident_summary(&id, c, d, n);
		ferr_add(e, EX_VALIDATION, "Tables or views with the identifier '%s' doesn't exist.", id.buf);
		sb_release(&id);
		goto out;
	}
	int ncols;
	const char **names;
	struct ftype **types;
	const char **extras, **wms, **comments;
	bool any_comment = false;
	if (t->kind == OBJ_VIEW) {
		struct outcol *oc = NULL;
		if (query_schema(s, t->vq, t->src, &a, &oc, &ncols, e))
			goto out;
		names = ARENA_ARRAY(&a, const char *, ncols + 1);
		types = ARENA_ARRAY(&a, struct ftype *, ncols + 1);
		extras = ARENA_ARRAY(&a, const char *, ncols + 1);
		wms = ARENA_ARRAY(&a, const char *, ncols + 1);
		comments = ARENA_ARRAY(&a, const char *, ncols + 1);
		for (int i = 0; i < ncols; i++) {
			names[i] = i < t->nvcols ? t->vcols[i] : oc[i].name;
			types[i] = oc[i].type ? oc[i].type : ft_string(&a, true);
			extras[i] = "";
			wms[i] = "";
		}
	} else {
		ncols = t->ncols;
		names = ARENA_ARRAY(&a, const char *, ncols + 1);
		types = ARENA_ARRAY(&a, struct ftype *, ncols + 1);
		extras = ARENA_ARRAY(&a, const char *, ncols + 1);
		wms = ARENA_ARRAY(&a, const char *, ncols + 1);
		comments = ARENA_ARRAY(&a, const char *, ncols + 1);
		for (int i = 0; i < ncols; i++) {
			struct fcol *col = &t->cols[i];
			names[i] = col->name;
			struct ftype *ty = col->type;
			struct sb x = SB_INIT;
			if (col->kind == COL_COMPUTED) {
				ty = computed_type(s, t, i, &a);
				if (!ty)
					ty = ft_string(&a, true);
				sb_addf(&x, "AS %s", col->expr_sql);
			} else if (col->kind == COL_META) {
				sb_adds(&x, "METADATA");
				if (col->meta_key) {
					sb_adds(&x, " FROM ");
					quote_str(&x, col->meta_key);
				}
				if (col->is_virtual)
					sb_adds(&x, " VIRTUAL");
			}
			ty = ft_copy(&a, ty);
			if (t->wm_col && !strcmp(t->wm_col, col->name)) {
				ty->attr = TA_ROWTIME;
				wms[i] = t->wm_sql;
			} else {
				wms[i] = "";
			}
			types[i] = ty;
			extras[i] = arena_strdup(&a, x.buf);
			sb_release(&x);
			comments[i] = col->comment;
			if (col->comment)
				any_comment = true;
		}
	}
	struct sb pk = SB_INIT;
	if (t->npk) {
		sb_adds(&pk, "PRI(");
		for (int i = 0; i < t->npk; i++)
			sb_addf(&pk, "%s%s", i ? ", " : "", t->pk[i]);
		sb_addc(&pk, ')');
	}
	const char *cn[] = {"name", "type", "null", "key", "extras", "watermark", "comment"};
	struct ftype *ct[7];
	for (int i = 0; i < 7; i++)
		ct[i] = ft_string(&a, true);
	ct[2] = ft_new(&a, FT_BOOLEAN);
	res_columns(out, any_comment ? 7 : 6, cn, ct);
	for (int i = 0; i < ncols; i++) {
		if (!keep(st, names[i]))
			continue;
		bool is_pk = false;
		for (int k = 0; k < t->npk; k++)
			is_pk = is_pk || !strcmp(t->pk[k], names[i]);
		json_t *f = json_array();
		json_array_append_new(f, json_string(names[i]));
		json_array_append_new(f, json_string(type_cell(&a, types[i])));
		json_array_append_new(f, json_boolean(types[i]->nullable));
		json_array_append_new(f, json_string(is_pk && t->kind == OBJ_TABLE ? pk.buf : ""));
		json_array_append_new(f, json_string(extras[i]));
		json_array_append_new(f, json_string(wms[i]));
		if (any_comment)
			json_array_append_new(f, comments[i] ? json_string(comments[i]) : json_null());
		json_array_append_new(out->rows, row_json("INSERT", f));
	}
	sb_release(&pk);
	rc = 0;
out:
	arena_release(&a);
	return rc;
}

static int show_create(struct fg_session *s, struct stmt *st, struct fg_result *out, struct ferr *e)
{
	struct arena a;
	arena_init(&a, 1024);
	const char *c, *d, *n;
	qualify(s, &a, st->name, st->nname, &c, &d, &n);
	bool temp = false;
	struct tdef *t = obj_lookup(s, c, d, n, &temp);
	struct sb id = SB_INIT, text = SB_INIT;
	ident_serial(&id, c, d, n);
	int rc = -1;
	bool want_view = st->k == S_SHOW_CREATE_VIEW;
	if (!t) {
		if (want_view)
			ferr_add(e, EX_VALIDATION, "Could not execute SHOW CREATE VIEW. View with identifier %s does not exist.",
				id.buf);
		else
			ferr_add(e, EX_VALIDATION, "Could not execute SHOW CREATE TABLE. Table with identifier %s does not exist.",
				id.buf);
		goto out;
	}
	if ((t->kind == OBJ_VIEW) != want_view) {
		ferr_add(e, EX_TABLE, "SHOW CREATE %s is only supported for %ss, but %s is a %s. Please use SHOW CREATE %s "
			"instead.", want_view ? "VIEW" : "TABLE", want_view ? "view" : "table", id.buf,
			want_view ? "table" : "view", want_view ? "TABLE" : "VIEW");
		goto out;
	}
	struct tdef shown = *t;
	shown.cat = c;
	if (want_view)
		ddl_view(&text, &shown);
	else
		ddl_table(&text, &shown, true);
	const char *col = "result";
	res_str_columns(out, 1, &col);
	const char *v = text.buf;
	res_row_strs(out, 1, &v);
	rc = 0;
out:
	sb_release(&id);
	sb_release(&text);
	arena_release(&a);
	return rc;
}

static int show_create_catalog(struct fg_session *s, struct stmt *st, struct fg_result *out, struct ferr *e)
{
	struct fcatalog *c = cat_find(s, st->name[st->nname - 1]);
	if (!c) {
		ferr_add(e, EX_VALIDATION, "Cannot obtain metadata information from Catalog %s.", st->name[st->nname - 1]);
		return -1;
	}
	struct sb o = SB_INIT;
	sb_adds(&o, "CREATE CATALOG ");
	quote_ident(&o, c->name);
	sb_addc(&o, '\n');
	if (c->comment) {
		sb_adds(&o, "COMMENT ");
		quote_str(&o, c->comment);
		sb_addc(&o, '\n');
	}
	sb_adds(&o, "WITH (\n");
	/* sorted by key */
	int *idx = xmalloc(sizeof(int) * (size_t)(c->nopts + 1));
	for (int i = 0; i < c->nopts; i++)
		idx[i] = i;
	for (int i = 1; i < c->nopts; i++)
		for (int j = i; j > 0 && strcmp(c->opts[idx[j - 1]].k, c->opts[idx[j]].k) > 0; j--) {
			int t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	for (int i = 0; i < c->nopts; i++) {
		sb_adds(&o, "  ");
		quote_str(&o, c->opts[idx[i]].k);
		sb_adds(&o, " = ");
		quote_str(&o, opt_sensitive(c->opts[idx[i]].k) ? "****" : c->opts[idx[i]].v);
		sb_adds(&o, i + 1 < c->nopts ? ",\n" : "\n");
	}
	free(idx);
	sb_adds(&o, ")\n");
	const char *col = "result";
	res_str_columns(out, 1, &col);
	const char *v = o.buf;
	res_row_strs(out, 1, &v);
	sb_release(&o);
	return 0;
}

int exec_show(struct fg_session *s, struct stmt *st, struct fg_result *out, struct ferr *e)
{
	namevec names = {0};
	int rc = 0;
	switch (st->k) {
	case S_SHOW_CATALOGS:
		for (size_t i = 0; i < s->cats.n; i++)
			if (keep(st, s->cats.v[i]->name))
				VEC_PUSH(&names, s->cats.v[i]->name);
		one_col(out, "catalog name", &names, true);
		break;
	case S_SHOW_CUR_CAT:
		VEC_PUSH(&names, s->cur_cat);
		one_col(out, "current catalog name", &names, false);
		break;
	case S_SHOW_CUR_DB:
		VEC_PUSH(&names, s->cur_db);
		one_col(out, "current database name", &names, false);
		break;
	case S_SHOW_DBS: {
		const char *cn = st->nfrom ? st->from[0] : s->cur_cat;
		struct fcatalog *c = cat_find(s, cn);
		if (!c) {
			ferr_add(e, EX_VALIDATION, "Catalog %s does not exist", cn);
			rc = -1;
			break;
		}
		for (size_t i = 0; i < c->store->dbs.n; i++)
			if (keep(st, c->store->dbs.v[i]->name))
				VEC_PUSH(&names, c->store->dbs.v[i]->name);
		/* sorted, as ShowDatabasesOperation does */
		one_col(out, "database name", &names, true);
		break;
	}
	case S_SHOW_TABLES:
	case S_SHOW_VIEWS: {
		bool views = st->k == S_SHOW_VIEWS;
		const char *cn = st->nfrom == 2 ? st->from[0] : s->cur_cat;
		const char *dn = st->nfrom ? st->from[st->nfrom - 1] : s->cur_db;
		struct fcatalog *c = cat_find(s, cn);
		if (!c) {
			ferr_add(e, EX_VALIDATION, "Catalog %s does not exist", cn);
			rc = -1;
			break;
		}
		struct fdb *d = db_find(c, dn);
		if (!d) {
			ferr_add(e, EX_VALIDATION, "Database '%s'.'%s' doesn't exist.", cn, dn);
			rc = -1;
			break;
		}
		for (size_t i = 0; i < d->objs.n; i++)
			if ((!views || d->objs.v[i]->kind == OBJ_VIEW) && keep(st, d->objs.v[i]->name))
				VEC_PUSH(&names, d->objs.v[i]->name);
		for (size_t i = 0; i < s->temps.n; i++) {
			struct tdef *t = s->temps.v[i];
			if (!strcmp(t->cat, cn) && !strcmp(t->db, dn) && (!views || t->kind == OBJ_VIEW) && keep(st, t->name))
				VEC_PUSH(&names, t->name);
		}
		one_col(out, views ? "view name" : "table name", &names, true);
		break;
	}
	case S_SHOW_FUNCTIONS:
		if (!st->user_only)
			for (int i = 0; builtin_functions[i]; i++)
				if (keep(st, builtin_functions[i]))
					VEC_PUSH(&names, builtin_functions[i]);
		one_col(out, "function name", &names, true);
		break;
	case S_SHOW_MODULES:
		if (st->full) {
			const char *cn[] = {"module name", "used"};
			struct arena a;
			arena_init(&a, 256);
			struct ftype *ct[] = {ft_string(&a, true), ft_new(&a, FT_BOOLEAN)};
			res_columns(out, 2, cn, ct);
			json_t *f = json_array();
			json_array_append_new(f, json_string("core"));
			json_array_append_new(f, json_true());
			json_array_append_new(out->rows, row_json("INSERT", f));
			arena_release(&a);
		} else {
			VEC_PUSH(&names, "core");
			one_col(out, "module name", &names, false);
		}
		break;
	case S_SHOW_JARS:
		one_col(out, "jars", &names, false);
		break;
	case S_DESCRIBE:
		rc = describe(s, st, out, e);
		break;
	case S_SHOW_CREATE_TABLE:
	case S_SHOW_CREATE_VIEW:
		rc = show_create(s, st, out, e);
		break;
	case S_SHOW_CREATE_CATALOG:
		rc = show_create_catalog(s, st, out, e);
		break;
	case S_DESCRIBE_CATALOG: {
		struct fcatalog *c = cat_find(s, st->name[st->nname - 1]);
		if (!c) {
			ferr_add(e, EX_VALIDATION, "Cannot obtain metadata information from Catalog %s.", st->name[st->nname - 1]);
			rc = -1;
			break;
		}
		const char *cn[] = {"info name", "info value"};
		res_str_columns(out, 2, cn);
		const char *r1[] = {"name", c->name}, *r2[] = {"type", c->type}, *r3[] = {"comment", c->comment ? c->comment : ""};
		res_row_strs(out, 2, r1);
		res_row_strs(out, 2, r2);
		res_row_strs(out, 2, r3);
		break;
	}
	case S_SET: {
		json_t *conf = sess_conf(s, NULL);
		const char *cn[] = {"key", "value"};
		res_str_columns(out, 2, cn);
		const char *k;
		json_t *v;
		json_object_foreach(conf, k, v) VEC_PUSH(&names, k);
		if (names.n)
			qsort(names.v, names.n, sizeof(char *), str_cmp);
		for (size_t i = 0; i < names.n; i++) {
			const char *row[] = {names.v[i], conf_str(conf, names.v[i])};
			res_row_strs(out, 2, row);
		}
		json_decref(conf);
		break;
	}
	default:
		ferr_add(e, EX_TABLE, "unsupported statement");
		rc = -1;
	}
	VEC_FREE(&names);
	return rc;
}
