/*
 * Running a plan on DuckDB and turning the answer into the gateway's rows.
 *
 * DESIGN
 *  - A pipeline owns a plan and one in-memory DuckDB (TimeZone set to table.local-time-zone).
 *    Each evaluation reloads every scan's rows ("__s<N>_raw") from the connectors, numbers all
 *    input records in one global order (record time, then source, then offset) and sets two
 *    DuckDB variables the scan views read: fg_k (only records numbered <= fg_k are visible) and
 *    fg_final (the end of bounded input: the watermark jumps to +infinity).
 *  - Append-only plans run once per evaluation; rows not handed out before are new INSERTs
 *    (a multiset difference, so order-insensitive queries still stream correctly).
 *  - Updating plans in streaming mode run once per new input record (fg_k = done+1 .. n) and
 *    successive results are diffed: per upsert key a changed row gives UPDATE_BEFORE and
 *    UPDATE_AFTER, a new key INSERT, a vanished key DELETE; without a key, removed rows are
 *    DELETEs and new rows INSERTs. This is the changelog Flink emits for one record at a time.
 *  - Batch plans run once over everything and give INSERT rows only.
 *  - Values leave DuckDB as text in a format chosen per Flink type and become JSON here, as
 *    flink-json writes them (TIMESTAMP in ISO form with 'T', TIMESTAMP_LTZ shifted to the
 *    session zone with a trailing 'Z', BYTES in base64, nested types as JSON).
 */
#define DUCKDB_API_NO_DEPRECATED
#include <duckdb.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fgi.h"

struct duck {
	duckdb_database db;
	duckdb_connection con;
};

static json_t *iso_ts(const char *s, int p, bool z, bool tee);

struct duck *duck_open(const char *tz, struct ferr *e)
{
	struct duck *d = xcalloc(1, sizeof(*d));
	duckdb_config cfg;
	if (duckdb_create_config(&cfg) == DuckDBError) {
		free(d);
		ferr_add(e, EX_TABLE, "cannot create a duckdb configuration");
		return NULL;
	}
	duckdb_set_config(cfg, "threads", "1");
	char *err = NULL;
	if (duckdb_open_ext(NULL, &d->db, cfg, &err) == DuckDBError) {
		ferr_add(e, EX_TABLE, "cannot open duckdb: %s", err ? err : "?");
		duckdb_free(err);
		duckdb_destroy_config(&cfg);
		free(d);
		return NULL;
	}
	duckdb_destroy_config(&cfg);
	if (duckdb_connect(d->db, &d->con) == DuckDBError) {
		duckdb_close(&d->db);
		free(d);
		ferr_add(e, EX_TABLE, "cannot connect to duckdb");
		return NULL;
	}
	struct sb q = SB_INIT;
	sb_adds(&q, "SET TimeZone = '");
	/* Flink's fixed offsets (GMT+08:00, UTC-3) are ICU's Etc/GMT zones, sign inverted */
	char sign;
	int hh = 0, mm = 0, nread = 0;
	if ((sscanf(tz, "GMT%c%d:%d%n", &sign, &hh, &mm, &nread) >= 2 || sscanf(tz, "UTC%c%d:%d%n", &sign, &hh, &mm,
		&nread) >= 2) && (sign == '+' || sign == '-') && !mm && hh <= 14) {
		if (hh)
			sb_addf(&q, "Etc/GMT%c%d", sign == '+' ? '-' : '+', hh);
		else
			sb_adds(&q, "UTC");
	} else {
		for (const char *p = tz; *p; p++)
			if (*p != '\'')
				sb_addc(&q, *p);
	}
	sb_adds(&q, "'");
	struct ferr te = {0};
	if (duck_exec(d, q.buf, &te)) {
		ferr_release(&te);
		sb_release(&q);
		ferr_add(e, EX_VALIDATION, "Invalid time zone. The value should be a Time Zone Database (TZDB) ID such as "
			"'America/Los_Angeles' to include daylight saving time. Fixed offsets are supported using 'GMT-03:00' or "
			"'GMT+03:00'. Or use 'UTC' without time zone and daylight saving time.");
		duck_close(d);
		return NULL;
	}
	sb_release(&q);
	return d;
}

void duck_close(struct duck *d)
{
	if (!d)
		return;
	duckdb_disconnect(&d->con);
	duckdb_close(&d->db);
	free(d);
}

int duck_exec(struct duck *d, const char *sql, struct ferr *e)
{
	duckdb_result r;
	if (duckdb_query(d->con, sql, &r) == DuckDBError) {
		ferr_add(e, EX_TABLE, "%s", duckdb_result_error(&r));
		duckdb_destroy_result(&r);
		return -1;
	}
	duckdb_destroy_result(&r);
	return 0;
}

static struct ftype *from_duck(struct arena *a, duckdb_logical_type lt)
{
	duckdb_type id = duckdb_get_type_id(lt);
	struct ftype *t = NULL;
	switch (id) {
	case DUCKDB_TYPE_BOOLEAN: t = ft_new(a, FT_BOOLEAN); break;
	case DUCKDB_TYPE_TINYINT: t = ft_new(a, FT_TINYINT); break;
	case DUCKDB_TYPE_SMALLINT:
	case DUCKDB_TYPE_UTINYINT: t = ft_new(a, FT_SMALLINT); break;
	case DUCKDB_TYPE_INTEGER:
	case DUCKDB_TYPE_USMALLINT: t = ft_new(a, FT_INTEGER); break;
	case DUCKDB_TYPE_BIGINT:
	case DUCKDB_TYPE_UINTEGER: t = ft_new(a, FT_BIGINT); break;
	case DUCKDB_TYPE_UBIGINT:
		t = ft_new(a, FT_DECIMAL);
		t->prec = 20;
		break;
	case DUCKDB_TYPE_HUGEINT:
	case DUCKDB_TYPE_UHUGEINT:
		t = ft_new(a, FT_DECIMAL);
		t->prec = 38;
		break;
	case DUCKDB_TYPE_FLOAT: t = ft_new(a, FT_FLOAT); break;
	case DUCKDB_TYPE_DOUBLE: t = ft_new(a, FT_DOUBLE); break;
	case DUCKDB_TYPE_DECIMAL:
		t = ft_new(a, FT_DECIMAL);
		t->prec = duckdb_decimal_width(lt);
		t->scale = duckdb_decimal_scale(lt);
		break;
	case DUCKDB_TYPE_BLOB: t = ft_new(a, FT_VARBINARY); break;
	case DUCKDB_TYPE_DATE: t = ft_new(a, FT_DATE); break;
	case DUCKDB_TYPE_TIME: t = ft_new(a, FT_TIME); break;
	case DUCKDB_TYPE_TIMESTAMP:
		t = ft_new(a, FT_TIMESTAMP);
		t->len = 6;
		break;
	case DUCKDB_TYPE_TIMESTAMP_S:
		t = ft_new(a, FT_TIMESTAMP);
		t->len = 0;
		break;
	case DUCKDB_TYPE_TIMESTAMP_MS:
		t = ft_new(a, FT_TIMESTAMP);
		t->len = 3;
		break;
	case DUCKDB_TYPE_TIMESTAMP_NS:
		t = ft_new(a, FT_TIMESTAMP);
		t->len = 9;
		break;
	case DUCKDB_TYPE_TIMESTAMP_TZ:
		t = ft_new(a, FT_TIMESTAMP_LTZ);
		t->len = 6;
		break;
	case DUCKDB_TYPE_INTERVAL:
		t = ft_new(a, FT_INTERVAL_DT);
		t->frac = 3;
		break;
	case DUCKDB_TYPE_LIST:
	case DUCKDB_TYPE_ARRAY: {
		duckdb_logical_type ct = id == DUCKDB_TYPE_LIST ? duckdb_list_type_child_type(lt) : duckdb_array_type_child_type(lt);
		t = ft_new(a, FT_ARRAY);
		t->elem = from_duck(a, ct);
		duckdb_destroy_logical_type(&ct);
		break;
	}
	case DUCKDB_TYPE_MAP: {
		duckdb_logical_type kt = duckdb_map_type_key_type(lt), vt = duckdb_map_type_value_type(lt);
		t = ft_new(a, FT_MAP);
		t->key = from_duck(a, kt);
		t->val = from_duck(a, vt);
		duckdb_destroy_logical_type(&kt);
		duckdb_destroy_logical_type(&vt);
		break;
	}
	case DUCKDB_TYPE_STRUCT: {
		idx_t n = duckdb_struct_type_child_count(lt);
		t = ft_new(a, FT_ROW);
		t->fields = ARENA_ARRAY(a, struct ffield, n + 1);
		t->nfields = (int)n;
		for (idx_t i = 0; i < n; i++) {
			char *nm = duckdb_struct_type_child_name(lt, i);
			duckdb_logical_type ct = duckdb_struct_type_child_type(lt, i);
			t->fields[i].name = arena_strdup(a, nm);
			t->fields[i].type = from_duck(a, ct);
			duckdb_free(nm);
			duckdb_destroy_logical_type(&ct);
		}
		break;
	}
	case DUCKDB_TYPE_SQLNULL: t = ft_new(a, FT_NULL); break;
	default: t = ft_new(a, FT_VARCHAR); break;
	}
	return t;
}

static int prepared_types(struct duck *d, const char *sql, struct arena *a, struct ftype ***ptypes, int *pn,
	struct ferr *e)
{
	duckdb_prepared_statement ps;
	if (duckdb_prepare(d->con, sql, &ps) == DuckDBError) {
		ferr_add(e, EX_TABLE, "%s", duckdb_prepare_error(ps));
		duckdb_destroy_prepare(&ps);
		return -1;
	}
	idx_t n = duckdb_prepared_statement_column_count(ps);
	struct ftype **t = ARENA_ARRAY(a, struct ftype *, n + 1);
	for (idx_t i = 0; i < n; i++) {
		duckdb_logical_type lt = duckdb_prepared_statement_column_logical_type(ps, i);
		t[i] = from_duck(a, lt);
		duckdb_destroy_logical_type(&lt);
	}
	duckdb_destroy_prepare(&ps);
	*ptypes = t;
	*pn = (int)n;
	return 0;
}

int duck_check(struct duck *d, const char *sql, struct ferr *e)
{
	duckdb_prepared_statement ps;
	int rc = 0;
	if (duckdb_prepare(d->con, sql, &ps) == DuckDBError) {
		ferr_add(e, EX_TABLE, "%s", duckdb_prepare_error(ps));
		rc = -1;
	}
	duckdb_destroy_prepare(&ps);
	return rc;
}

struct ftype *duck_type_of(struct duck *d, const char *sql, struct arena *a)
{
	struct ferr e = {0};
	struct ftype **t;
	int n;
	struct ftype *r = NULL;
	if (!prepared_types(d, sql, a, &t, &n, &e) && n > 0)
		r = t[0];
	ferr_release(&e);
	return r;
}

json_t *duck_ltz_text(struct duck *d, long long ms)
{
	char q[160];
	snprintf(q, sizeof(q), "SELECT strftime(CAST(timezone('UTC', epoch_ms(CAST(%lld AS BIGINT))) AS TIMESTAMP), "
		"'%%Y-%%m-%%d %%H:%%M:%%S.%%f')", ms);
	duckdb_result r;
	json_t *out = NULL;
	if (duckdb_query(d->con, q, &r) == DuckDBSuccess) {
		duckdb_data_chunk ch = duckdb_fetch_chunk(r);
		if (ch && duckdb_data_chunk_get_size(ch)) {
			duckdb_vector v = duckdb_data_chunk_get_vector(ch, 0);
			duckdb_string_t *data = duckdb_vector_get_data(v);
			char buf[64];
			uint32_t len = duckdb_string_t_length(data[0]);
			snprintf(buf, sizeof(buf), "%.*s", (int)len, duckdb_string_t_data(&data[0]));
			out = iso_ts(buf, 3, true, true);
		}
		if (ch)
			duckdb_destroy_data_chunk(&ch);
	}
	duckdb_destroy_result(&r);
	return out;
}

json_t *ltz_json(long long ms, const char *tz)
{
	if (!tz || !strcmp(tz, "UTC") || !strcmp(tz, "Z") || !strcmp(tz, "GMT") || !strcmp(tz, "Etc/UTC")) {
		time_t sec = (time_t)(ms / 1000);
		struct tm tm;
		gmtime_r(&sec, &tm);
		char buf[64];
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
		return iso_ts(buf, 3, true, true);
	}
	struct ferr e = {0};
	struct duck *d = duck_open(tz, &e);
	json_t *r = NULL;
	if (d) {
		r = duck_ltz_text(d, ms);
		duck_close(d);
	}
	ferr_release(&e);
	return r ? r : json_null();
}

/* ------------------------------------------------------------------ errors */

void diag_duck_error(struct ferr *e, const char *src, const char *msg)
{
	const char *fn = strstr(msg, "Scalar Function with name ");
	const char *nm = strstr(msg, "No function matches the given name and argument types '");
	if (fn || nm) {
		const char *s = fn ? fn + strlen("Scalar Function with name ") : nm + strlen("No function matches the given name and argument types '");
		size_t n = strcspn(s, fn ? " " : "(");
		char name[128];
		snprintf(name, sizeof(name), "%.*s", (int)(n < 127 ? n : 127), s);
		/* position of the call in the statement */
		int pos = 0, end = 1;
		size_t ln = strlen(name);
		for (const char *p = src; p && *p; p++) {
			if (!strncasecmp(p, name, ln) && p[ln] == '(') {
				pos = (int)(p - src);
				const char *q = strchr(p, ')');
				end = q ? (int)(q - src) + 1 : pos + (int)ln;
				break;
			}
		}
		int l1, c1, l2, c2;
		src_linecol(src, pos, &l1, &c1);
		src_linecol(src, end - 1, &l2, &c2);
		ferr_add(e, EX_VALIDATION, "SQL validation failed. From line %d, column %d to line %d, column %d: No match "
			"found for function signature %s(<ANY>)", l1, c1, l2, c2, name);
		ferr_add(e, EX_CALCITE_CTX, "From line %d, column %d to line %d, column %d: No match found for function "
			"signature %s(<ANY>)", l1, c1, l2, c2, name);
		ferr_add(e, EX_SQL_VALIDATOR, "No match found for function signature %s(<ANY>)", name);
		return;
	}
	if (strstr(msg, "Conversion Error") || strstr(msg, "Out of Range") || strstr(msg, "Invalid Input Error")) {
		ferr_add(e, EX_JOB_EXEC, "Job execution failed.");
		ferr_add(e, EX_RUNTIME, "%s", msg);
		return;
	}
	ferr_add(e, EX_VALIDATION, "SQL validation failed. %s", msg);
}

/* ------------------------------------------------------------------ value encoding */

/* SQL turning column `c` of Flink type t into text we can read back */
static void text_of(struct sb *o, const char *c, const struct ftype *t)
{
	switch (t->root) {
	case FT_DECIMAL:
		sb_addf(o, "CAST(CAST(%s AS DECIMAL(%d,%d)) AS VARCHAR)", c, t->prec > 38 ? 38 : t->prec, t->scale);
		break;
	case FT_BINARY:
	case FT_VARBINARY:
		sb_addf(o, "to_base64(CAST(%s AS BLOB))", c);
		break;
	case FT_DATE:
		sb_addf(o, "strftime(CAST(%s AS DATE), '%%Y-%%m-%%d')", c);
		break;
	case FT_TIME:
		sb_addf(o, "strftime(DATE '1970-01-01' + CAST(%s AS TIME), '%%H:%%M:%%S.%%f')", c);
		break;
	case FT_TIMESTAMP:
	case FT_TIMESTAMP_LTZ:
	case FT_TIMESTAMP_TZ:
		sb_addf(o, "strftime(CAST(%s AS TIMESTAMP), '%%Y-%%m-%%d %%H:%%M:%%S.%%f')", c);
		break;
	case FT_INTERVAL_DT:
		sb_addf(o, "CAST(CAST(round(epoch(%s) * 1000) AS BIGINT) AS VARCHAR)", c);
		break;
	case FT_INTERVAL_YM:
		sb_addf(o, "CAST(datepart('year', %s) * 12 + datepart('month', %s) AS VARCHAR)", c, c);
		break;
	case FT_ARRAY:
	case FT_MAP:
	case FT_ROW:
	case FT_MULTISET:
		sb_addf(o, "CAST(to_json(%s) AS VARCHAR)", c);
		break;
	default:
		sb_addf(o, "CAST(%s AS VARCHAR)", c);
		break;
	}
}

/* "2024-01-01 12:00:00.123000" -> "2024-01-01T12:00:00.123" (precision p, trailing zeros dropped) */
static json_t *iso_ts(const char *s, int p, bool z, bool tee)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", s);
	if (tee && strlen(buf) > 10 && buf[10] == ' ')
		buf[10] = 'T';
	char *dot = strchr(buf, '.');
	if (dot) {
		int keep = p > 6 ? 6 : p;
		dot[1 + keep] = 0;
		size_t n = strlen(buf);
		while (n > 0 && buf[n - 1] == '0' && &buf[n - 1] > dot)
			buf[--n] = 0;
		if (buf[n - 1] == '.')
			buf[--n] = 0;
	}
	if (z)
		strcat(buf, "Z");
	return json_string(buf);
}

static json_t *nested_fix(json_t *v, const struct ftype *t);

static json_t *value_of(const char *s, const struct ftype *t)
{
	if (!s)
		return json_null();
	switch (t->root) {
	case FT_BOOLEAN:
		return json_boolean(!strcasecmp(s, "true"));
	case FT_TINYINT:
	case FT_SMALLINT:
	case FT_INTEGER:
	case FT_BIGINT:
		return json_integer(strtoll(s, NULL, 10));
	case FT_DECIMAL:
		/* exact: the number's text at its scale ("710.00"); fg_rows_json writes it as a number */
		return json_string(s);
	case FT_FLOAT:
	case FT_DOUBLE: {
		double d = strtod(s, NULL);
		if (isnan(d))
			return json_string("NaN");
		if (isinf(d))
			return json_string(d > 0 ? "Infinity" : "-Infinity");
		return json_real(d);
	}
	case FT_CHAR: {
		/* CHAR(n) values are blank-padded */
		int len = 0;
		for (const char *p = s; *p; p++)
			if (((unsigned char)*p & 0xC0) != 0x80)
				len++;
		if (len >= t->len)
			return json_string(s);
		struct sb o = SB_INIT;
		sb_adds(&o, s);
		for (int i = len; i < t->len; i++)
			sb_addc(&o, ' ');
		json_t *j = json_string(o.buf);
		sb_release(&o);
		return j;
	}
	case FT_TIME:
		return iso_ts(s, t->len, false, false);
	case FT_TIMESTAMP:
		return iso_ts(s, t->len, false, true);
	case FT_TIMESTAMP_LTZ:
	case FT_TIMESTAMP_TZ:
		return iso_ts(s, t->len, true, true);
	case FT_INTERVAL_DT:
	case FT_INTERVAL_YM:
		return json_integer(strtoll(s, NULL, 10));
	case FT_ARRAY:
	case FT_MAP:
	case FT_ROW:
	case FT_MULTISET: {
		json_error_t je;
		json_t *v = json_loads(s, JSON_DECODE_ANY, &je);
		if (!v)
			return json_string(s);
		json_t *f = nested_fix(v, t);
		return f;
	}
	default:
		return json_string(s);
	}
}

/* nested values from DuckDB's to_json: timestamps to ISO form, by the element types */
/* DuckDB's to_json writes a BLOB inside a nested value as its text form (printable ASCII as is,
 * every other byte, '"' and '\\' as \xHH); Flink's JSON rows carry BYTES as base64 at any depth */
static json_t *blob_text_to_base64(const char *s)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct sb bytes = SB_INIT, o = SB_INIT;
	for (const char *p = s; *p; p++) {
		unsigned hi, lo;
		if (p[0] == '\\' && p[1] == 'x' && sscanf(p + 2, "%1x%1x", &hi, &lo) == 2) {
			sb_addc(&bytes, (char)(hi << 4 | lo));
			p += 3;
		} else {
			sb_addc(&bytes, *p);
		}
	}
	const unsigned char *b = (const unsigned char *)bytes.buf;
	for (size_t i = 0; i < bytes.len; i += 3) {
		unsigned n = (unsigned)b[i] << 16 | (i + 1 < bytes.len ? (unsigned)b[i + 1] << 8 : 0) |
			(i + 2 < bytes.len ? b[i + 2] : 0);
		sb_addc(&o, b64[n >> 18 & 63]);
		sb_addc(&o, b64[n >> 12 & 63]);
		sb_addc(&o, i + 1 < bytes.len ? b64[n >> 6 & 63] : '=');
		sb_addc(&o, i + 2 < bytes.len ? b64[n & 63] : '=');
	}
	json_t *r = json_string(o.len ? o.buf : "");
	sb_release(&bytes);
	sb_release(&o);
	return r;
}

static json_t *nested_fix(json_t *v, const struct ftype *t)
{
	if (!t || json_is_null(v))
		return v;
	if ((t->root == FT_BINARY || t->root == FT_VARBINARY) && json_is_string(v)) {
		json_t *r = blob_text_to_base64(json_string_value(v));
		json_decref(v);
		return r;
	}
	if ((t->root == FT_TIMESTAMP || t->root == FT_TIMESTAMP_LTZ) && json_is_string(v)) {
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "%s", json_string_value(v));
		char *plus = strchr(tmp + 10, '+');
		if (plus)
			*plus = 0;
		json_t *r = iso_ts(tmp, t->len, t->root == FT_TIMESTAMP_LTZ, true);
		json_decref(v);
		return r;
	}
	if (t->root == FT_ARRAY && json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			json_array_set_new(v, i, nested_fix(json_incref(json_array_get(v, i)), t->elem));
		return v;
	}
	if (t->root == FT_ROW && json_is_object(v)) {
		for (int i = 0; i < t->nfields; i++) {
			json_t *f = json_object_get(v, t->fields[i].name);
			if (f) {
				json_t *nf = nested_fix(json_incref(f), t->fields[i].type);
				json_object_set_new(v, t->fields[i].name, nf);
			}
		}
		return v;
	}
	if (t->root == FT_MAP && json_is_object(v)) {
		const char *k;
		json_t *x;
		void *tmp;
		json_object_foreach_safe(v, tmp, k, x) {
			json_t *nf = nested_fix(json_incref(x), t->val);
			json_object_set_new(v, k, nf);
		}
		return v;
	}
	return v;
}

/* ------------------------------------------------------------------ pipelines */

struct pipeline *pipeline_new(struct plan *p)
{
	struct pipeline *pl = xcalloc(1, sizeof(*pl));
	pl->plan = p;
	pl->emitted = json_object();
	pl->last = json_array();
	pl->started_ms = now_ms();
	arena_init(&pl->a, 2048);
	for (size_t i = 0; i < p->scans.n; i++)
		if (!p->scans.v[i]->start_ms)
			p->scans.v[i]->start_ms = pl->started_ms;
	return pl;
}

void pipeline_free(struct pipeline *pl)
{
	if (!pl)
		return;
	duck_close(pl->duck);
	json_decref(pl->emitted);
	json_decref(pl->last);
	json_decref(pl->types_json);
	plan_free(pl->plan);
	arena_release(&pl->a);
	free(pl);
}

static void raw_columns(struct sb *o, const struct tdef *t, bool upsert)
{
	bool first = true;
	for (int i = 0; i < t->ncols; i++) {
		if (t->cols[i].kind == COL_COMPUTED)
			continue;
		if (!first)
			sb_adds(o, ", ");
		first = false;
		sb_addc(o, '"');
		for (const char *p = t->cols[i].name; *p; p++) {
			if (*p == '"')
				sb_addc(o, '"');
			sb_addc(o, *p);
		}
		sb_adds(o, "\" ");
		ft_duck(o, t->cols[i].type);
	}
	if (upsert)
		sb_adds(o, first ? "\"__fg_key\" VARCHAR, \"__fg_del\" BOOLEAN" : ", \"__fg_key\" VARCHAR, \"__fg_del\" BOOLEAN");
	sb_adds(o, first && !upsert ? "\"__fg_seq\" BIGINT" : ", \"__fg_seq\" BIGINT");
}

static void dq(struct sb *o, const char *s)
{
	sb_addc(o, '"');
	for (; *s; s++) {
		if (*s == '"')
			sb_addc(o, '"');
		sb_addc(o, *s);
	}
	sb_addc(o, '"');
}

/* creates the scan tables (empty), scan views and the watermark view */
static int setup(struct pipeline *pl, struct ferr *e)
{
	struct plan *p = pl->plan;
	if (pl->duck)
		return 0;
	pl->duck = duck_open(p->tz, e);
	if (!pl->duck)
		return -1;
	struct sb q = SB_INIT;
	int rc = -1;
	if (duck_exec(pl->duck, "SET VARIABLE fg_k = 0; SET VARIABLE fg_final = false", e))
		goto out;
	for (size_t i = 0; i < p->scans.n; i++) {
		struct scan *sc = p->scans.v[i];
		const char *conn = fopt_get(sc->opts, sc->nopts, "connector");
		bool upsert = conn && !strcmp(conn, "upsert-kafka");
		sb_reset(&q);
		sb_addf(&q, "CREATE TABLE \"%s_raw\" (", sc->dname);
		raw_columns(&q, sc->t, upsert);
		sb_adds(&q, ")");
		if (duck_exec(pl->duck, q.buf, e))
			goto out;
		sb_reset(&q);
		sb_addf(&q, "CREATE VIEW \"%s\" AS SELECT ", sc->dname);
		for (int c = 0; c < sc->t->ncols; c++) {
			struct fcol *col = &sc->t->cols[c];
			if (c)
				sb_adds(&q, ", ");
			if (col->kind == COL_COMPUTED)
				sb_addf(&q, "(%s) AS ", col->expr_sql);
			dq(&q, col->name);
		}
		if (!sc->t->ncols)
			sb_adds(&q, "NULL AS \"__fg_none\"");
		if (upsert)
			sb_addf(&q, " FROM (SELECT *, row_number() OVER (PARTITION BY \"__fg_key\" ORDER BY \"__fg_seq\" DESC) "
				"AS \"__fg_rn\" FROM \"%s_raw\" WHERE \"__fg_seq\" <= getvariable('fg_k')) WHERE \"__fg_rn\" = 1 "
				"AND NOT \"__fg_del\"", sc->dname);
		else
			sb_addf(&q, " FROM \"%s_raw\" WHERE \"__fg_seq\" <= getvariable('fg_k')", sc->dname);
		if (duck_exec(pl->duck, q.buf, e))
			goto out;
	}
	sb_reset(&q);
	sb_adds(&q, "CREATE VIEW \"__wm\" AS SELECT CASE WHEN getvariable('fg_final') THEN 'infinity'::TIMESTAMPTZ ");
	int nw = 0;
	struct sb w = SB_INIT;
	for (size_t i = 0; i < p->scans.n; i++) {
		struct scan *sc = p->scans.v[i];
		if (!sc->t->wm_sql)
			continue;
		sb_addf(&w, "%sSELECT (SELECT max(CAST(%s AS TIMESTAMPTZ)) FROM \"%s\") AS w", nw ? " UNION ALL " : "",
			sc->t->wm_sql, sc->dname);
		nw++;
	}
	if (nw)
		sb_addf(&q, "WHEN count(w) < %d THEN NULL::TIMESTAMPTZ ELSE min(w) END AS wm FROM (%s)", nw, w.buf);
	else
		sb_adds(&q, "ELSE NULL::TIMESTAMPTZ END AS wm");
	sb_release(&w);
	if (duck_exec(pl->duck, q.buf, e))
		goto out;
	rc = 0;
out:
	sb_release(&q);
	if (rc) {
		duck_close(pl->duck);
		pl->duck = NULL;
	}
	return rc;
}

int pipeline_prepare(struct pipeline *pl, const char *src, struct ferr *err)
{
	struct plan *p = pl->plan;
	if (pl->types_json)
		return 0;
	struct ferr e = {0};
	if (setup(pl, &e)) {
		for (int i = 0; i < e.n; i++)
			ferr_add(err, e.cls[i], "%s", e.msg[i]);
		ferr_release(&e);
		return -1;
	}
	struct ftype **dt = NULL;
	int dn = 0;
	struct sb q = SB_INIT;
	sb_addf(&q, "SELECT * FROM (%s) AS __q", p->sql);
	if (prepared_types(pl->duck, q.buf, &pl->a, &dt, &dn, &e)) {
		sb_release(&q);
		diag_duck_error(err, src ? src : "", e.n ? e.msg[0] : "");
		ferr_release(&e);
		return -1;
	}
	sb_release(&q);
	pl->ntypes = p->ncols;
	pl->types = ARENA_ARRAY(&pl->a, struct ftype *, p->ncols + 1);
	json_t *cols = json_array();
	for (int i = 0; i < p->ncols; i++) {
		struct ftype *t = p->cols[i].type;
		if (!t || t->root == FT_NULL) {
			t = i < dn ? dt[i] : ft_string(&pl->a, true);
			if (p->cols[i].type && p->cols[i].type->root == FT_NULL)
				t = ft_new(&pl->a, FT_NULL);
		}
		pl->types[i] = t;
		json_array_append_new(cols, col_json(p->cols[i].name, t));
	}
	pl->types_json = cols;
	ferr_release(&e);
	return 0;
}

json_t *pipeline_columns(struct pipeline *pl)
{
	struct ferr e = {0};
	int rc = pipeline_prepare(pl, NULL, &e);
	ferr_release(&e);
	return rc ? NULL : json_incref(pl->types_json);
}

static int cmp_seq(const void *a, const void *b)
{
	const struct seqrec *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	int c = strcmp(x->srckey, y->srckey);
	if (c)
		return c;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return x->scan - y->scan;
}

/* Loads every scan's current rows; returns the number of distinct input records */
static long long load(struct fg_engine *en, struct pipeline *pl, struct ferr *e)
{
	struct plan *p = pl->plan;
	seqvec seq = {0};
	long long n = -1;
	for (size_t i = 0; i < p->scans.n; i++) {
		struct scan *sc = p->scans.v[i];
		const char *key = conn_scan_key(sc);
		if (!strncmp(key, "topic:", 6) && strchr(key, ';')) {
			/* several topics: each one's writers */
			for (const char *p0 = key + 6; *p0;) {
				size_t n0 = strcspn(p0, ";");
				struct sb k1 = SB_INIT;
				sb_addf(&k1, "topic:%.*s", (int)n0, p0);
				jobs_refresh(en, k1.buf);
				sb_release(&k1);
				p0 += n0;
				if (*p0 == ';')
					p0++;
			}
		} else {
			jobs_refresh(en, key);
		}
		if (conn_load(en, pl->duck, sc, p->tz, (int)i, &seq, e))
			goto out;
	}
	if (seq.n)
		qsort(seq.v, seq.n, sizeof(struct seqrec), cmp_seq);
	/* number the records: the same record read by two scans gets one number */
	struct sb q = SB_INIT;
	long long cur = 0, prev_idx = -1;
	const char *prev_key = NULL;
	for (size_t i = 0; i < seq.n; i++) {
		if (!prev_key || strcmp(seq.v[i].srckey, prev_key) || seq.v[i].idx != prev_idx)
			cur++;
		prev_key = seq.v[i].srckey;
		prev_idx = seq.v[i].idx;
		seq.v[i].idx = cur;
	}
	/* write the numbers into the raw tables (rowid = insertion order within a scan) */
	for (size_t i = 0; i < p->scans.n; i++) {
		struct scan *sc = p->scans.v[i];
		sb_reset(&q);
		sb_addf(&q, "CREATE OR REPLACE TEMP TABLE __fg_map (r BIGINT, s BIGINT)");
		if (duck_exec(pl->duck, q.buf, e)) {
			sb_release(&q);
			goto out;
		}
		bool any = false;
		sb_reset(&q);
		sb_adds(&q, "INSERT INTO __fg_map VALUES ");
		size_t cnt = 0;
		for (size_t k = 0; k < seq.n; k++) {
			if (seq.v[k].scan != (int)i)
				continue;
			sb_addf(&q, "%s(%lld, %lld)", cnt++ ? ", " : "", seq.v[k].rowid, seq.v[k].idx);
			any = true;
			if (cnt >= 1000) {
				if (duck_exec(pl->duck, q.buf, e)) {
					sb_release(&q);
					goto out;
				}
				sb_reset(&q);
				sb_adds(&q, "INSERT INTO __fg_map VALUES ");
				cnt = 0;
			}
		}
		if (any && cnt && duck_exec(pl->duck, q.buf, e)) {
			sb_release(&q);
			goto out;
		}
		sb_reset(&q);
		sb_addf(&q, "UPDATE \"%s_raw\" SET \"__fg_seq\" = __fg_map.s FROM __fg_map WHERE \"%s_raw\".\"__fg_seq\" = "
			"__fg_map.r", sc->dname, sc->dname);
		if (any && duck_exec(pl->duck, q.buf, e)) {
			sb_release(&q);
			goto out;
		}
	}
	sb_release(&q);
	n = cur;
out:
	VEC_FREE(&seq);
	return n;
}

/* Runs the plan at prefix k; returns the rows (array of field arrays) */
static json_t *run_at(struct pipeline *pl, long long k, bool final, const char *src, struct ferr *e)
{
	struct plan *p = pl->plan;
	struct sb q = SB_INIT;
	sb_addf(&q, "SET VARIABLE fg_k = %lld; SET VARIABLE fg_final = %s", k, final ? "true" : "false");
	if (duck_exec(pl->duck, q.buf, e)) {
		sb_release(&q);
		return NULL;
	}
	sb_reset(&q);
	sb_adds(&q, "SELECT ");
	for (int i = 0; i < p->ncols; i++) {
		if (i)
			sb_adds(&q, ", ");
		char col[32];
		snprintf(col, sizeof(col), "__q.\"#%d\"", i);
		text_of(&q, col, pl->types[i]);
	}
	if (!p->ncols)
		sb_adds(&q, "NULL");
	sb_addf(&q, " FROM (%s) AS __q(", p->sql);
	for (int i = 0; i < p->ncols; i++)
		sb_addf(&q, "%s\"#%d\"", i ? ", " : "", i);
	sb_adds(&q, ")");
	duckdb_result r;
	json_t *rows = NULL;
	if (duckdb_query(pl->duck->con, q.buf, &r) == DuckDBError) {
		diag_duck_error(e, src, duckdb_result_error(&r));
		duckdb_destroy_result(&r);
		sb_release(&q);
		return NULL;
	}
	rows = json_array();
	for (;;) {
		duckdb_data_chunk ch = duckdb_fetch_chunk(r);
		if (!ch)
			break;
		idx_t n = duckdb_data_chunk_get_size(ch);
		if (!n) {
			duckdb_destroy_data_chunk(&ch);
			break;
		}
		idx_t nc = duckdb_data_chunk_get_column_count(ch);
		for (idx_t row = 0; row < n; row++)
			json_array_append_new(rows, json_array());
		size_t base = json_array_size(rows) - n;
		for (idx_t c = 0; c < nc && (int)c < p->ncols; c++) {
			duckdb_vector v = duckdb_data_chunk_get_vector(ch, c);
			duckdb_string_t *data = duckdb_vector_get_data(v);
			uint64_t *valid = duckdb_vector_get_validity(v);
			for (idx_t row = 0; row < n; row++) {
				json_t *f;
				if (valid && !duckdb_validity_row_is_valid(valid, row)) {
					f = json_null();
				} else {
					uint32_t len = duckdb_string_t_length(data[row]);
					const char *s = duckdb_string_t_data(&data[row]);
					char *tmp = xmalloc(len + 1);
					memcpy(tmp, s, len);
					tmp[len] = 0;
					f = value_of(tmp, pl->types[c]);
					free(tmp);
				}
				json_array_append_new(json_array_get(rows, base + row), f);
			}
		}
		duckdb_destroy_data_chunk(&ch);
	}
	duckdb_destroy_result(&r);
	sb_release(&q);
	return rows;
}

static char *row_key(json_t *row, const int *keys, int nkeys)
{
	if (nkeys < 0)
		return json_dumps(row, JSON_COMPACT | JSON_ENCODE_ANY);
	json_t *k = json_array();
	for (int i = 0; i < nkeys; i++)
		json_array_append(k, json_array_get(row, (size_t)keys[i]));
	char *s = json_dumps(k, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(k);
	return s;
}

/* the changes from old to new result rows (both arrays of field arrays), in linear time */
static void diff(json_t *old, json_t *cur, const int *keys, int nkeys, json_t *out)
{
	size_t no = json_array_size(old), nc = json_array_size(cur);
	bool *oused = xcalloc(no + 1, 1), *cused = xcalloc(nc + 1, 1);
	/* unchanged rows: the same text in both */
	json_t *byrow = json_object();   /* row text -> [old indices] */
	for (size_t i = 0; i < no; i++) {
		char *t = json_dumps(json_array_get(old, i), JSON_COMPACT | JSON_ENCODE_ANY);
		json_t *l = json_object_get(byrow, t);
		if (!l) {
			l = json_array();
			json_object_set_new(byrow, t, l);
		}
		json_array_append_new(l, json_integer((json_int_t)i));
		free(t);
	}
	for (size_t i = 0; i < nc; i++) {
		char *t = json_dumps(json_array_get(cur, i), JSON_COMPACT | JSON_ENCODE_ANY);
		json_t *l = json_object_get(byrow, t);
		if (l && json_array_size(l)) {
			size_t last = json_array_size(l) - 1;
			oused[json_integer_value(json_array_get(l, last))] = true;
			json_array_remove(l, last);
			cused[i] = true;
		}
		free(t);
	}
	json_decref(byrow);
	/* changed rows of a key: -U old, +U new */
	json_t *bykey = json_object();   /* key text -> [remaining old indices] */
	if (nkeys >= 0) {
		for (size_t i = 0; i < no; i++) {
			if (oused[i])
				continue;
			char *k = row_key(json_array_get(old, i), keys, nkeys);
			json_t *l = json_object_get(bykey, k);
			if (!l) {
				l = json_array();
				json_object_set_new(bykey, k, l);
			}
			json_array_append_new(l, json_integer((json_int_t)i));
			free(k);
		}
	}
	json_t *ins = json_array();
	for (size_t i = 0; i < nc; i++) {
		if (cused[i])
			continue;
		json_t *l = NULL;
		if (nkeys >= 0) {
			char *k = row_key(json_array_get(cur, i), keys, nkeys);
			l = json_object_get(bykey, k);
			free(k);
		}
		if (l && json_array_size(l)) {
			size_t oi = (size_t)json_integer_value(json_array_get(l, 0));
			json_array_remove(l, 0);
			oused[oi] = true;
			json_array_append_new(out, row_json("UPDATE_BEFORE", json_incref(json_array_get(old, oi))));
			json_array_append_new(out, row_json("UPDATE_AFTER", json_incref(json_array_get(cur, i))));
		} else {
			json_array_append_new(ins, row_json("INSERT", json_incref(json_array_get(cur, i))));
		}
	}
	json_decref(bykey);
	for (size_t k = 0; k < no; k++)
		if (!oused[k])
			json_array_append_new(out, row_json("DELETE", json_incref(json_array_get(old, k))));
	json_array_extend(out, ins);
	json_decref(ins);
	free(oused);
	free(cused);
}

int pipeline_advance(struct fg_engine *en, struct pipeline *pl, json_t *out, struct ferr *e)
{
	struct plan *p = pl->plan;
	if (pl->finished)
		return 0;
	if (pipeline_prepare(pl, NULL, e))
		return -1;
	long long n = load(en, pl, e);
	if (n < 0)
		return -1;
	const char *src = "";
	if (p->batch) {
		json_t *rows = run_at(pl, n, true, src, e);
		if (!rows)
			return -1;
		for (size_t i = 0; i < json_array_size(rows); i++)
			json_array_append_new(out, row_json("INSERT", json_incref(json_array_get(rows, i))));
		json_decref(rows);
		pl->done = n;
		pl->finished = true;
		return 0;
	}
	if (!p->updating) {
		json_t *rows = run_at(pl, n, p->bounded || pl->drain, src, e);
		if (!rows)
			return -1;
		json_t *seen_now = json_object();   /* row text -> how often this result has it so far */
		for (size_t i = 0; i < json_array_size(rows); i++) {
			json_t *r = json_array_get(rows, i);
			char *k = json_dumps(r, JSON_COMPACT | JSON_ENCODE_ANY);
			json_t *cnt = json_object_get(pl->emitted, k);
			long long have = cnt ? json_integer_value(cnt) : 0;
			json_t *sn = json_object_get(seen_now, k);
			long long seen = sn ? json_integer_value(sn) : 0;
			json_object_set_new(seen_now, k, json_integer(seen + 1));
			if (seen >= have && (p->limit < 0 || pl->nemitted < p->limit)) {
				json_array_append_new(out, row_json("INSERT", json_incref(r)));
				json_object_set_new(pl->emitted, k, json_integer(have + 1));
				pl->nemitted++;
			}
			free(k);
		}
		json_decref(seen_now);
		json_decref(rows);
		pl->done = n;
		/* a LIMIT query ends once it has its rows, even over an unbounded source */
		if (p->bounded || (p->limit >= 0 && pl->nemitted >= p->limit))
			pl->finished = true;
		return 0;
	}
	/* updating: one evaluation per new input record (at most 400 steps per advance); a query
	 * that reads no table (VALUES) is evaluated once */
	if (!p->scans.n && !pl->done) {
		json_t *rows = run_at(pl, 0, true, src, e);
		if (!rows)
			return -1;
		diff(pl->last, rows, p->keys, p->nkeys, out);
		json_decref(pl->last);
		pl->last = rows;
		pl->finished = true;
		return 0;
	}
	long long from = pl->done;
	long long steps = n - from;
	long long stride = steps > 400 ? (steps + 399) / 400 : 1;
	for (long long k = from + stride; from < n; k += stride) {
		if (k > n)
			k = n;
		bool final = (p->bounded || pl->drain) && k == n;
		json_t *rows = run_at(pl, k, final, src, e);
		if (!rows)
			return -1;
		diff(pl->last, rows, p->keys, p->nkeys, out);
		json_decref(pl->last);
		pl->last = rows;
		from = k;
		if (k == n)
			break;
	}
	pl->done = n;
	if (p->bounded)
		pl->finished = true;
	return 0;
}
