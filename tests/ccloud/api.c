/*
 * The Statements API (reference §3–§9, §13) and the admin port. Every request is answered by
 * one thread of libmicrohttpd under cc.mu; statements run on the gateway double's engine, each in
 * a session of its own (the API has no sessions, §15), whose catalog is the environment and whose
 * databases are the environment's Kafka clusters (a persistent catalog of the engine, so every
 * statement sees the tables of the others).
 *
 * Phases move on reads, not on clocks, so that tests wait on events: the 201 body says PENDING,
 * the next GET RUNNING, and a statement that has ended (DDL, a bounded query, a finished job)
 * is COMPLETED at the GET after that. A stop answers 200 while still RUNNING (§7.2), then STOPPING,
 * then STOPPED.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cc.h"
#include "core/sb.h"
#include "core/arena.h"

#define MAX_BODY (1 << 22)

/* ---- small helpers ------------------------------------------------------------------------ */

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void rfc3339(char out[40], int64_t ms)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&s, &tm);
	char b[32];
	strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 40, "%s.%03dZ", b, (int)(ms % 1000));
}

struct req {
	struct cc *c;
	struct MHD_Connection *conn;
	const char *method;
	char *path;           /* decoded, no query */
	char *query;          /* raw, after '?', or "" */
	const char *raw_body;
	json_t *body;         /* parsed body, or NULL */
	int status;
	char *answer;         /* NULL: no body */
	char *location;
	bool unauthorized;
	bool drop;
	char base[300];       /* scheme://host of the request */
	char auth[200];       /* for the request log: "basic <key>", "bearer", "none" */
};

/* {"errors":[{...}]} (§13.1); pointer may be NULL */
static void fail(struct req *r, int status, const char *code, const char *title, const char *pointer,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void fail(struct req *r, int status, const char *code, const char *title, const char *pointer,
		 const char *fmt, ...)
{
	char id[37];
	gw_uuid(id);
	char st[8];
	snprintf(st, sizeof(st), "%d", status);
	json_t *e = json_object();
	json_object_set_new(e, "id", json_string(id));
	json_object_set_new(e, "status", json_string(st));
	if (code)
		json_object_set_new(e, "code", json_string(code));
	json_object_set_new(e, "title", json_string(title));
	if (fmt) {
		struct sb d = SB_INIT;
		va_list ap;
		va_start(ap, fmt);
		sb_vaddf(&d, fmt, ap);
		va_end(ap);
		json_object_set_new(e, "detail", json_string(d.buf));
		sb_release(&d);
	}
	if (pointer) {
		json_t *src = json_object();
		json_object_set_new(src, pointer[0] == '/' ? "pointer" : "parameter", json_string(pointer));
		json_object_set_new(e, "source", src);
	}
	json_t *o = json_object();
	json_t *a = json_array();
	json_array_append_new(a, e);
	json_object_set_new(o, "errors", a);
	free(r->answer);
	r->answer = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	r->status = status;
}

static void answer(struct req *r, int status, json_t *body)
{
	free(r->answer);
	r->answer = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	r->status = status;
}

/* the value of a query parameter (decoded, malloc'ed) or NULL */
static char *qparam(const char *query, const char *key)
{
	size_t kl = strlen(key);
	const char *p = query;
	while (p && *p) {
		const char *amp = strchr(p, '&');
		size_t n = amp ? (size_t)(amp - p) : strlen(p);
		if (n > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			struct sb v = SB_INIT;
			if (gw_decode_component(p + kl + 1, n - kl - 1, true, &v)) {
				sb_release(&v);
				return xstrdup("");
			}
			return sb_detach(&v, NULL);
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

static struct cc_stmt *find(struct cc *c, const char *name)
{
	for (struct cc_stmt *s = c->stmts; s; s = s->next)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

static bool terminal(const char *phase)
{
	return !strcmp(phase, "COMPLETED") || !strcmp(phase, "FAILED") || !strcmp(phase, "STOPPED");
}

/* ---- statements: the engine's side ------------------------------------------------------ */

static void engine_stop(struct cc *c, struct cc_stmt *s)
{
	if (s->stream) {
		fg_stream_close(s->stream);
		s->stream = NULL;
	}
	if (s->job_id[0]) {
		char *path = NULL, *err = NULL;
		fg_engine_stop_job(c->engine, s->job_id, NULL, false, &path, &err);
		free(path);
		free(err);
	}
	if (s->fs) {
		fg_session_free(s->fs);
		s->fs = NULL;
	}
}

static void stmt_free(struct cc *c, struct cc_stmt *s)
{
	engine_stop(c, s);
	free(s->name);
	free(s->sql);
	free(s->pool);
	free(s->principal);
	free(s->detail);
	free(s->end_time);
	free(s->fail_later);
	json_decref(s->labels);
	json_decref(s->props);
	json_decref(s->traits);
	json_decref(s->columns);
	json_decref(s->queue);
	json_decref(s->last_page);
	free(s);
}

static void set_phase(struct cc_stmt *s, const char *phase)
{
	s->phase = phase;
	char now[40];
	rfc3339(now, wall_ms());
	memcpy(s->updated, now, sizeof(now));
	s->rv++;
	if (terminal(phase) && !s->end_time)
		s->end_time = xstrdup(now);
}

static void set_failed(struct cc *c, struct cc_stmt *s, const char *detail)
{
	engine_stop(c, s);
	free(s->detail);
	s->detail = xstrdup(detail);
	json_decref(s->traits);
	s->traits = NULL;  /* §4.6: no traits on FAILED */
	s->drained = true;
	json_array_clear(s->queue);
	set_phase(s, "FAILED");
}

/* The Confluent classification of a statement (§8.3), from its first words */
static const char *sql_kind(const char *sql, bool has_job)
{
	char w[3][16] = {{0}};
	const char *p = sql;
	for (int i = 0; i < 3; i++) {
		while (*p && (isspace((unsigned char)*p) || *p == '('))
			p++;
		int n = 0;
		while (*p && (isalpha((unsigned char)*p) || *p == '_') && n < 15)
			w[i][n++] = (char)toupper((unsigned char)*p++);
		while (*p && (isalpha((unsigned char)*p) || *p == '_'))
			p++;
	}
	if (!strcmp(w[0], "SELECT") || !strcmp(w[0], "WITH") || !strcmp(w[0], "VALUES"))
		return "SELECT";
	if (!strcmp(w[0], "INSERT") || !strcmp(w[0], "EXECUTE"))
		return "INSERT_INTO";
	if (!strcmp(w[0], "CREATE") && !strcmp(w[1], "TABLE"))
		return has_job ? "CREATE_TABLE_AS" : "CREATE_TABLE";
	/* [I] the reference does not list the kinds of materialized tables */
	if (!strcmp(w[0], "CREATE") && (!strcmp(w[1], "MATERIALIZED") || !strcmp(w[1], "OR")))
		return "CREATE_MATERIALIZED_TABLE";
	if (!strcmp(w[0], "DROP") && !strcmp(w[1], "MATERIALIZED"))
		return "DROP_MATERIALIZED_TABLE";
	if (!strcmp(w[0], "CREATE") && !strcmp(w[1], "VIEW"))
		return "CREATE_VIEW";
	if (!strcmp(w[0], "DROP") && !strcmp(w[1], "TABLE"))
		return "DROP_TABLE";
	if (!strcmp(w[0], "DROP") && !strcmp(w[1], "VIEW"))
		return "DROP_VIEW";
	if (!strcmp(w[0], "ALTER") && !strcmp(w[1], "TABLE"))
		return "ALTER_TABLE";
	if (!strcmp(w[0], "SHOW"))
		return "SHOW";
	if (!strcmp(w[0], "DESCRIBE") || !strcmp(w[0], "DESC"))
		return "DESCRIBE";
	return "OTHER";
}

/* A snapshot query's changelog folded into its final rows, all INSERT (§9.4: snapshot
 * statements run as batch and are insert-only) */
static json_t *fold(json_t *rows)
{
	json_t *out = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *k = json_string_value(json_object_get(r, "kind"));
		json_t *f = json_object_get(r, "fields");
		if (!k || !strcmp(k, "INSERT") || !strcmp(k, "UPDATE_AFTER")) {
			json_t *n = json_object();
			json_object_set_new(n, "kind", json_string("INSERT"));
			json_object_set(n, "fields", f);
			json_array_append_new(out, n);
			continue;
		}
		for (size_t j = 0; j < json_array_size(out); j++)
			if (json_equal(json_object_get(json_array_get(out, j), "fields"), f)) {
				json_array_remove(out, j);
				break;
			}
	}
	return out;
}

static void enqueue(struct cc_stmt *s, json_t *rows)
{
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		json_t *item = json_object();
		/* append-only results carry no op (§9.1) */
		if (!s->append_only)
			json_object_set_new(item, "op",
				json_integer(cc_op_code(json_string_value(json_object_get(r, "kind")))));
		json_object_set_new(item, "row", cc_row_json(s->columns, r));
		json_array_append_new(s->queue, item);
	}
}

static void run_sql(struct fg_session *fs, const char *sql, struct fg_result *res)
{
	fg_configure(fs, sql, res);
}

/* Runs the statement on a fresh engine session: PENDING with its traits, or FAILED */
static void stmt_run(struct cc *c, struct cc_stmt *s, bool exhausted)
{
	engine_stop(c, s);
	json_decref(s->columns);
	s->columns = NULL;
	json_array_clear(s->queue);
	json_decref(s->last_page);
	s->last_page = NULL;
	s->token = 0;
	s->drained = false;
	s->job_id[0] = 0;
	free(s->end_time);
	s->end_time = NULL;
	free(s->detail);
	s->detail = xstrdup("");
	s->fs = fg_session_new(c->engine, NULL);
	const char *snap = json_string_value(json_object_get(s->props, "sql.snapshot.mode"));
	s->snapshot = snap && !strcmp(snap, "now");
	/* §11: the service checks property values when it plans the statement */
	char *bad_props = fg_confluent_properties_check(s->props);
	if (bad_props) {
		set_failed(c, s, bad_props);
		free(bad_props);
		return;
	}
	/* the environment is a catalog, its clusters databases (§11: sql.current-catalog,
	 * sql.current-database); both are looked up as the engine looks names up */
	struct fg_result res;
	struct sb q = SB_INIT;
	sb_addf(&q, "CREATE CATALOG IF NOT EXISTS `%s` WITH ('type' = 'paimon', 'warehouse' = 'ccloud-%s', "
		    "'default-database' = '%s')", c->o.env, c->o.env, c->o.ndatabases ? c->o.databases[0] : "default");
	run_sql(s->fs, q.buf, &res);
	fg_result_release(&res);
	for (int i = 0; i < c->o.ndatabases; i++) {
		sb_reset(&q);
		sb_addf(&q, "CREATE DATABASE IF NOT EXISTS `%s`.`%s`", c->o.env, c->o.databases[i]);
		run_sql(s->fs, q.buf, &res);
		fg_result_release(&res);
	}
	const char *cat = json_string_value(json_object_get(s->props, "sql.current-catalog"));
	const char *db = json_string_value(json_object_get(s->props, "sql.current-database"));
	if (cat && c->o.env_name && !strcmp(cat, c->o.env_name))
		cat = c->o.env;  /* the display name names the same environment (§5.1) */
	const char *fail_detail = NULL;
	char *owned = NULL;
	for (int step = 0; step < 2 && !fail_detail; step++) {
		const char *name = step == 0 ? (cat ? cat : c->o.env) : db;
		if (!name)
			continue;
		sb_reset(&q);
		sb_addf(&q, step == 0 ? "USE CATALOG `%s`" : "USE `%s`", name);
		run_sql(s->fs, q.buf, &res);
		if (!res.ok) {
			owned = xstrdup(res.ncauses ? res.causes[res.ncauses - 1].msg : "cannot use the catalog");
			fail_detail = owned;
		}
		fg_result_release(&res);
	}
	sb_release(&q);
	if (fail_detail) {
		set_failed(c, s, fail_detail);
		free(owned);
		return;
	}
	if (exhausted) {
		/* §8.4: a pool without room accepts nothing for execution: the statement waits PENDING
		 * and nothing of it runs (a CTAS creates no table) */
		json_decref(s->traits);
		s->traits = NULL;
		s->scaling = "POOL_EXHAUSTED";
		set_phase(s, "PENDING");
		return;
	}
	/* the statement's properties travel as its configuration; the time zone under Flink's key */
	json_t *conf = json_deep_copy(s->props);
	json_t *tz = json_object_get(s->props, "sql.local-time-zone");
	if (tz)
		json_object_set(conf, "table.local-time-zone", tz);
	fg_execute(s->fs, s->sql, conf, &res);
	json_decref(conf);
	if (!res.ok) {
		/* SQL errors are no HTTP errors: the statement is FAILED in the 201 body (§5.2, §13.2) */
		const char *m = res.ncauses ? res.causes[res.ncauses - 1].msg : "statement failed";
		set_failed(c, s, m ? m : "statement failed");
		fg_result_release(&res);
		return;
	}
	bool job = res.job_id[0] && !res.is_query;
	const char *kind = sql_kind(s->sql, job);
	bool rows = res.is_query || (!job && res.result_kind && !strcmp(res.result_kind, "SUCCESS_WITH_CONTENT"));
	snprintf(s->job_id, sizeof(s->job_id), "%s", job || res.stream || !res.is_query ? res.job_id : "");
	s->append_only = !res.updating || s->snapshot;
	json_t *traits = json_object();
	json_object_set_new(traits, "sql_kind", json_string(kind));
	json_object_set_new(traits, "is_bounded", json_boolean(s->snapshot || (rows && !res.stream)));
	json_object_set_new(traits, "is_append_only", json_boolean(s->append_only));
	if (res.is_query && res.updating && res.nupsert > 0 && !s->snapshot) {
		json_t *u = json_array();
		for (int i = 0; i < res.nupsert; i++)
			json_array_append_new(u, json_integer(res.upsert[i]));
		json_object_set_new(traits, "upsert_columns", u);
	} else
		json_object_set_new(traits, "upsert_columns", json_null());
	json_object_set_new(traits, "connection_refs", json_array());
	if (rows && res.columns) {
		json_t *cols = json_array();
		size_t i;
		json_t *col;
		json_array_foreach(res.columns, i, col) {
			json_t *o = json_object();
			json_object_set(o, "name", json_object_get(col, "name"));
			json_object_set_new(o, "type", cc_type_json(json_object_get(col, "logicalType")));
			json_array_append_new(cols, o);
		}
		json_t *schema = json_object();
		json_object_set_new(schema, "columns", cols);
		json_object_set_new(traits, "schema", schema);
		s->columns = json_incref(res.columns);
		if (s->snapshot && res.updating) {
			json_t *f = fold(res.rows);
			enqueue(s, f);
			json_decref(f);
		} else
			enqueue(s, res.rows);
	} else {
		json_object_set_new(traits, "schema", json_null());
		s->drained = true;
	}
	json_decref(s->traits);
	s->traits = traits;
	s->stream = res.stream;
	res.stream = NULL;
	fg_result_release(&res);
	s->scaling = exhausted ? "POOL_EXHAUSTED" : "OK";
	set_phase(s, "PENDING");
}

/* A read of the statement moves it on (see the file's comment) */
static void stmt_tick(struct cc *c, struct cc_stmt *s)
{
	const char *p = s->phase;
	if (s->stopped && !terminal(p) && strcmp(p, "STOPPING") && strcmp(p, "DELETING")) {
		set_phase(s, "STOPPING");
		return;
	}
	if (!strcmp(p, "PENDING")) {
		/* §8.4: a statement the pool has no room for stays PENDING */
		if (strcmp(s->scaling, "POOL_EXHAUSTED"))
			set_phase(s, "RUNNING");
		return;
	}
	if (!strcmp(p, "STOPPING")) {
		set_phase(s, "STOPPED");
		return;
	}
	if (strcmp(p, "RUNNING"))
		return;
	if (s->fail_later) {
		set_failed(c, s, s->fail_later);
		return;
	}
	if (s->stream) {
		json_t *rows = json_array();
		bool ended = fg_stream_poll(s->stream, rows);
		enqueue(s, rows);
		json_decref(rows);
		if (ended) {
			fg_stream_close(s->stream);
			s->stream = NULL;
			set_phase(s, "COMPLETED");
		}
		return;
	}
	if (s->job_id[0] && !s->columns) {
		bool failed = false;
		char *failure = NULL;
		if (fg_job_done(c->engine, s->job_id, &failed, &failure)) {
			if (failed) {
				/* the root cause: the last "Caused by" of the chain */
				const char *m = failure ? failure : "the job failed";
				const char *last = strstr(m, "Caused by: ");
				while (last && strstr(last + 1, "Caused by: "))
					last = strstr(last + 1, "Caused by: ");
				set_failed(c, s, last ? last + 11 : m);
			} else
				set_phase(s, "COMPLETED");
		}
		free(failure);
		return;
	}
	set_phase(s, "COMPLETED");
}

/* ---- statements: JSON ------------------------------------------------------------------- */

static void statements_path(struct cc *c, struct sb *o, const char *base)
{
	sb_addf(o, "%s/sql/v1/organizations/%s/environments/%s/statements", base, c->o.org, c->o.env);
}

static json_t *stmt_json(struct cc *c, struct cc_stmt *s, const char *base)
{
	json_t *o = json_object();
	json_object_set_new(o, "api_version", json_string("sql/v1"));
	json_object_set_new(o, "kind", json_string("Statement"));
	json_object_set_new(o, "organization_id", json_string(c->o.org));
	json_object_set_new(o, "environment_id", json_string(c->o.env));
	json_object_set_new(o, "name", json_string(s->name));
	json_t *m = json_object();
	struct sb self = SB_INIT;
	statements_path(c, &self, base);
	sb_addf(&self, "/%s", s->name);
	json_object_set_new(m, "self", json_string(self.buf));
	sb_release(&self);
	json_object_set_new(m, "uid", json_string(s->uid));
	char rv[24];
	snprintf(rv, sizeof(rv), "%ld", s->rv);
	json_object_set_new(m, "resource_version", json_string(rv));
	json_object_set_new(m, "created_at", json_string(s->created));
	json_object_set_new(m, "updated_at", json_string(s->updated));
	json_object_set(m, "labels", s->labels);
	json_object_set_new(o, "metadata", m);
	json_t *sp = json_object();
	json_object_set_new(sp, "statement", json_string(s->sql));
	json_object_set(sp, "properties", s->props);
	json_object_set_new(sp, "compute_pool_id", json_string(s->pool));
	json_object_set_new(sp, "principal", json_string(s->principal));
	json_object_set_new(sp, "execution_mode", json_string(s->snapshot ? "BATCH" : "STREAMING"));
	json_object_set_new(sp, "stopped", json_boolean(s->stopped));
	json_object_set_new(o, "spec", sp);
	json_t *st = json_object();
	json_object_set_new(st, "phase", json_string(s->phase));
	json_object_set_new(st, "detail", json_string(s->detail ? s->detail : ""));
	json_object_set_new(st, "network_kind", json_string("PUBLIC"));
	json_t *sc = json_object();
	json_object_set_new(sc, "scaling_state", json_string(s->scaling));
	json_object_set_new(sc, "last_updated", json_string(s->updated));
	json_object_set_new(st, "scaling_status", sc);
	if (s->traits)
		json_object_set(st, "traits", s->traits);
	else
		json_object_set_new(st, "traits", json_null());
	if (s->end_time)
		json_object_set_new(st, "end_time", json_string(s->end_time));
	json_object_set_new(o, "status", st);
	return o;
}

/* ---- routes ----------------------------------------------------------------------------- */

/* §4.3: the spec's pattern, at most 100 characters */
static bool valid_name(const char *n)
{
	size_t len = strlen(n);
	if (!len || len > 100)
		return false;
	bool seg_start = true;
	for (size_t i = 0; i < len; i++) {
		char ch = n[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
		if (ch == '.') {
			if (seg_start || n[i - 1] == '-')
				return false;
			seg_start = true;
			continue;
		}
		if (ch == '-' && seg_start)
			return false;
		if (!alnum && ch != '-')
			return false;
		seg_start = false;
	}
	return !seg_start && n[len - 1] != '-';
}

static bool string_map(json_t *v)
{
	if (!json_is_object(v))
		return false;
	const char *k;
	json_t *x;
	json_object_foreach(v, k, x)
		if (!json_is_string(x))
			return false;
	return true;
}

static bool known_pool(struct cc *c, const char *p)
{
	for (int i = 0; i < c->o.npools; i++)
		if (!strcmp(c->o.pools[i], p))
			return true;
	return false;
}

static void create(struct req *r, const struct gw_fault_hit *fault)
{
	struct cc *c = r->c;
	json_t *b = r->body;
	if (!json_is_object(b)) {
		fail(r, 400, "bad_request", "Bad Request", NULL, "the request body must be a JSON object");
		return;
	}
	json_t *name = json_object_get(b, "name");
	json_t *spec = json_object_get(b, "spec");
	json_t *sql = spec ? json_object_get(spec, "statement") : NULL;
	json_t *props = spec ? json_object_get(spec, "properties") : NULL;
	json_t *pool = spec ? json_object_get(spec, "compute_pool_id") : NULL;
	json_t *meta = json_object_get(b, "metadata");
	json_t *labels = meta ? json_object_get(meta, "labels") : NULL;
	/* §3, §4.3: name and spec.statement are required; names follow the spec's pattern */
	if (!json_is_string(name)) {
		fail(r, 422, "invalid_input", "Unprocessable Entity", "/name", "name is required");
		return;
	}
	if (!valid_name(json_string_value(name))) {
		fail(r, 422, "invalid_input", "Unprocessable Entity", "/name",
		     "name must match [a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)* and have at most 100 "
		     "characters");
		return;
	}
	if (!json_is_object(spec) || !json_is_string(sql) || !json_string_length(sql)) {
		fail(r, 422, "invalid_input", "Unprocessable Entity", "/spec/statement", "spec.statement is required");
		return;
	}
	/* §4.5: at most 131072 characters of SQL, 8192 properties, all strings (§11) */
	if (json_string_length(sql) > 131072) {
		fail(r, 422, "invalid_input", "Unprocessable Entity", "/spec/statement",
		     "spec.statement is longer than 131072 characters");
		return;
	}
	if (props && (!string_map(props) || json_object_size(props) > 8192)) {
		fail(r, 422, "invalid_input", "Unprocessable Entity", "/spec/properties",
		     "spec.properties must map names to string values");
		return;
	}
	if (labels && !string_map(labels)) {
		fail(r, 422, "invalid_input", "Unprocessable Entity", "/metadata/labels",
		     "metadata.labels must map names to string values");
		return;
	}
	if (pool && (!json_is_string(pool) || !known_pool(c, json_string_value(pool)))) {
		fail(r, 422, "invalid_input", "Unprocessable Entity", "/spec/compute_pool_id",
		     "compute pool '%s' not found in this environment", json_is_string(pool) ? json_string_value(pool) : "");
		return;
	}
	json_t *org = json_object_get(b, "organization_id"), *env = json_object_get(b, "environment_id");
	if ((org && (!json_is_string(org) || strcmp(json_string_value(org), c->o.org))) ||
	    (env && (!json_is_string(env) || strcmp(json_string_value(env), c->o.env)))) {
		fail(r, 422, "invalid_input", "Unprocessable Entity", org ? "/organization_id" : "/environment_id",
		     "the body's organization and environment must be the path's");
		return;
	}
	/* §4.3: a name is unique in the environment until its statement is deleted and torn down */
	struct cc_stmt *old = find(c, json_string_value(name));
	if (old) {
		fail(r, 409, "resource_already_exists", "Resource Already Exists", "/name",
		     "statement name '%s' is already in use in environment '%s'%s", old->name, c->o.env,
		     old->gone_ms ? " (the statement is being deleted)" : "");
		return;
	}
	struct cc_stmt *s = xcalloc(1, sizeof(*s));
	s->name = xstrdup(json_string_value(name));
	gw_uuid(s->uid);
	s->submitted_ms = gw_now_ms();
	rfc3339(s->created, wall_ms());
	memcpy(s->updated, s->created, sizeof(s->created));
	s->labels = labels ? json_deep_copy(labels) : json_object();
	s->props = props ? json_deep_copy(props) : json_object();
	s->sql = xstrdup(json_string_value(sql));
	s->pool = xstrdup(pool ? json_string_value(pool) : c->o.pools[0]);
	s->principal = xstrdup(strncmp(r->auth, "bearer", 6) ? "u-double" : "pool-double");
	s->queue = json_array();
	s->scaling = "OK";
	s->phase = "PENDING";
	s->next = c->stmts;
	c->stmts = s;
	bool exhausted = fault->hit && fault->action == FA_STUCK;
	if (fault->hit && fault->action == FA_FAIL) {
		/* planning errors come back FAILED in the 201 body (§5.2) */
		s->traits = NULL;
		s->detail = xstrdup(fault->has_message ? fault->message : "statement failed");
		set_phase(s, "FAILED");
	} else {
		stmt_run(c, s, exhausted);
		if (fault->hit && fault->action == FA_FAIL_JOB && strcmp(s->phase, "FAILED"))
			s->fail_later = xstrdup(fault->has_message ? fault->message : "statement failed");
	}
	struct sb loc = SB_INIT;
	statements_path(c, &loc, r->base);
	sb_addf(&loc, "/%s", s->name);
	r->location = sb_detach(&loc, NULL);
	answer(r, 201, stmt_json(c, s, r->base));
}

/* §6.2: label_selector terms "k=v" or "k", ANDed */
static bool labels_match(json_t *labels, const char *sel)
{
	if (!sel || !*sel)
		return true;
	char *copy = xstrdup(sel);
	bool ok = true;
	for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && ok; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		if (eq)
			*eq = 0;
		json_t *v = json_object_get(labels, t);
		ok = v && (!eq || !strcmp(json_string_value(v), eq + 1));
	}
	free(copy);
	return ok;
}

static int by_created(const void *a, const void *b)
{
	const struct cc_stmt *x = *(const struct cc_stmt *const *)a, *y = *(const struct cc_stmt *const *)b;
	return x->submitted_ms < y->submitted_ms ? -1 : x->submitted_ms > y->submitted_ms ? 1 : strcmp(x->name, y->name);
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const struct cc_stmt *const *)a)->name, (*(const struct cc_stmt *const *)b)->name);
}

static void list(struct req *r)
{
	struct cc *c = r->c;
	char *ps = qparam(r->query, "page_size"), *tok = qparam(r->query, "page_token");
	char *sel = qparam(r->query, "label_selector"), *pool = qparam(r->query, "spec.compute_pool_id");
	char *search = qparam(r->query, "statement_name_search_query"), *tord = qparam(r->query, "time_ordered");
	long size = 10, off = 0;
	/* §6.2: page_size defaults to 10, at most 100 */
	if (ps && (!gw_parse_long(ps, &size) || size < 1 || size > 100)) {
		fail(r, 400, "bad_request", "Bad Request", "page_size", "page_size must be between 1 and 100");
		goto out;
	}
	if (tok && *tok && (strncmp(tok, "l", 1) || !gw_parse_long(tok + 1, &off) || off < 0)) {
		fail(r, 400, "bad_request", "Bad Request", "page_token", "invalid page_token");
		goto out;
	}
	bool time_ordered = tord && !strcmp(tord, "true");
	size_t n = 0;
	for (struct cc_stmt *s = c->stmts; s; s = s->next)
		n++;
	struct cc_stmt **v = xcalloc(n + 1, sizeof(*v));
	size_t k = 0;
	for (struct cc_stmt *s = c->stmts; s; s = s->next) {
		if (!labels_match(s->labels, sel) || (pool && *pool && strcmp(s->pool, pool)))
			continue;
		/* §6.2: the name search is ignored unless time_ordered=true */
		if (time_ordered && search && *search && !strstr(s->name, search))
			continue;
		v[k++] = s;
	}
	qsort(v, k, sizeof(*v), time_ordered ? by_created : by_name);
	json_t *data = json_array();
	for (size_t i = (size_t)off; i < k && i < (size_t)(off + size); i++) {
		stmt_tick(c, v[i]);
		json_array_append_new(data, stmt_json(c, v[i], r->base));
	}
	json_t *o = json_object();
	json_object_set_new(o, "api_version", json_string("sql/v1"));
	json_object_set_new(o, "kind", json_string("StatementList"));
	json_t *m = json_object();
	struct sb self = SB_INIT;
	statements_path(c, &self, r->base);
	json_object_set_new(m, "self", json_string(self.buf));
	if ((size_t)(off + size) < k) {
		sb_addf(&self, "?page_size=%ld&page_token=l%ld", size, off + size);
		json_object_set_new(m, "next", json_string(self.buf));
	}
	sb_release(&self);
	json_object_set_new(o, "metadata", m);
	json_object_set_new(o, "data", data);
	free(v);
	answer(r, 200, o);
out:
	free(ps);
	free(tok);
	free(sel);
	free(pool);
	free(search);
	free(tord);
}

static void missing(struct req *r, const char *name)
{
	/* §6.1: pool-scoped roles see 403 for a statement they cannot see */
	if (r->c->o.pool_scoped)
		fail(r, 403, "forbidden", "Forbidden", NULL, "not permitted to access statement '%s'", name);
	else
		fail(r, 404, "not_found", "Not Found", NULL, "statement '%s' not found", name);
}

static void stop_or_resume(struct cc *c, struct cc_stmt *s, bool stopped)
{
	if (stopped == s->stopped)
		return;
	s->stopped = stopped;
	s->rv++;
	if (stopped) {
		/* §7.2: the answer still says RUNNING; STOPPING and STOPPED follow */
		if (!terminal(s->phase)) {
			engine_stop(c, s);
			s->drained = true;
		}
	} else if (!strcmp(s->phase, "STOPPED")) {
		/* §8.1: resume starts the statement again from PENDING */
		stmt_run(c, s, false);
	}
}

static void patch(struct req *r, struct cc_stmt *s)
{
	struct cc *c = r->c;
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
	/* §7.2: a JSON Patch document */
	if (!ct || strncmp(ct, "application/json-patch+json", 27)) {
		fail(r, 415, "unsupported_media_type", "Unsupported Media Type", NULL,
		     "PATCH takes Content-Type: application/json-patch+json");
		return;
	}
	if (!json_is_array(r->body)) {
		fail(r, 400, "bad_request", "Bad Request", NULL, "the body must be a JSON Patch array");
		return;
	}
	int stop = -1;
	size_t i;
	json_t *op;
	json_array_foreach(r->body, i, op) {
		const char *o = json_string_value(json_object_get(op, "op"));
		const char *path = json_string_value(json_object_get(op, "path"));
		json_t *v = json_object_get(op, "value");
		/* §7.2, §13.6: the spec's upper-case op names and RFC 6902's lower-case ones */
		if (!o || (strcasecmp(o, "replace") && strcasecmp(o, "add"))) {
			fail(r, 422, "invalid_input", "Unprocessable Entity", "/op", "unsupported patch op '%s'", o ? o : "");
			return;
		}
		if (path && !strcmp(path, "/spec/stopped") && json_is_boolean(v))
			stop = json_is_true(v);
		else if (path && !strcmp(path, "/spec/statement")) {
			/* §4.5: the SQL text is immutable */
			fail(r, 422, "invalid_input", "Unprocessable Entity", "/spec/statement",
			     "spec.statement cannot be changed");
			return;
		} else {
			fail(r, 422, "invalid_input", "Unprocessable Entity", path ? path : "/path",
			     "cannot patch '%s'", path ? path : "");
			return;
		}
	}
	/* the 200 body is written before the stop shows in the phase (§7.2) */
	if (stop >= 0)
		stop_or_resume(c, s, stop);
	answer(r, 200, stmt_json(c, s, r->base));
}

static void put(struct req *r, struct cc_stmt *s)
{
	struct cc *c = r->c;
	json_t *b = r->body;
	json_t *name = json_object_get(b, "name");
	json_t *rv = json_object_get(json_object_get(b, "metadata"), "resource_version");
	json_t *stopped = json_object_get(json_object_get(b, "spec"), "stopped");
	/* §7.1: name, metadata.resource_version and spec.stopped are required */
	if (!json_is_object(b) || !json_is_string(name) || !json_is_string(rv) || !json_is_boolean(stopped)) {
		fail(r, 400, "bad_request", "Bad Request", NULL,
		     "name, metadata.resource_version and spec.stopped are required");
		return;
	}
	if (strcmp(json_string_value(name), s->name)) {
		fail(r, 422, "invalid_input", "Unprocessable Entity", "/name", "name cannot be changed");
		return;
	}
	char cur[24];
	snprintf(cur, sizeof(cur), "%ld", s->rv);
	if (strcmp(json_string_value(rv), cur)) {
		/* §7.1 leaves a stale version undocumented; this double refuses it with 409 */
		fail(r, 409, "conflict", "Conflict", "/metadata/resource_version",
		     "resource_version %s is stale: the statement is at %s", json_string_value(rv), cur);
		return;
	}
	json_t *pool = json_object_get(json_object_get(b, "spec"), "compute_pool_id");
	if (json_is_string(pool) && known_pool(c, json_string_value(pool))) {
		free(s->pool);
		s->pool = xstrdup(json_string_value(pool));
	}
	stop_or_resume(c, s, json_is_true(stopped));
	answer(r, 202, NULL);
}

static void results(struct req *r, struct cc_stmt *s)
{
	struct cc *c = r->c;
	char *tok = qparam(r->query, "page_token");
	long want = 0;
	if (tok && *tok) {
		const char *dash = strrchr(tok, '-');
		if (!dash || strncmp(tok, s->uid, 8) || !gw_parse_long(dash + 1, &want) || want < 1) {
			fail(r, 400, "bad_request", "Bad Request", "page_token", "invalid page_token");
			free(tok);
			return;
		}
	}
	free(tok);
	struct sb self = SB_INIT;
	statements_path(c, &self, r->base);
	sb_addf(&self, "/%s/results", s->name);
	json_t *o = json_object();
	json_object_set_new(o, "api_version", json_string("sql/v1"));
	json_object_set_new(o, "kind", json_string("StatementResult"));
	json_t *m = json_object();
	json_object_set_new(m, "self", json_string(self.buf));
	json_object_set_new(o, "metadata", m);
	json_t *data;
	if (want == s->token - 1 && s->last_page) {
		/* the same token again: the same page (§9.3 leaves this open; the clients rely on it) */
		data = json_deep_copy(json_object_get(s->last_page, "data"));
		if (json_is_string(json_object_get(s->last_page, "next")))
			json_object_set(m, "next", json_object_get(s->last_page, "next"));
	} else if (want != s->token) {
		json_decref(o);
		sb_release(&self);
		/* rows already handed out are not kept (§9.3) */
		fail(r, 400, "bad_request", "Bad Request", "page_token", "page_token is not the statement's next page");
		return;
	} else {
		stmt_tick(c, s);
		data = json_array();
		bool ready = s->columns && strcmp(s->phase, "PENDING") && strcmp(s->phase, "FAILED") &&
			     (!s->snapshot || terminal(s->phase));
		/* a streaming query's first page is empty, as while its job starts (§9.3) */
		bool first_empty = s->token == 0 && !s->snapshot && s->stream;
		if (ready && !first_empty)
			for (int i = 0; i < c->o.page_rows && json_array_size(s->queue); i++) {
				json_array_append(data, json_array_get(s->queue, 0));
				json_array_remove(s->queue, 0);
			}
		/* §9.3: next goes away only once the statement has ended and every row was read */
		bool end = !s->columns || !strcmp(s->phase, "FAILED") ||
			   (terminal(s->phase) && !s->stream && !json_array_size(s->queue) && !first_empty);
		s->token++;
		if (!end) {
			sb_addf(&self, "?page_token=%.8s-%ld", s->uid, s->token);
			json_object_set_new(m, "next", json_string(self.buf));
		}
		json_decref(s->last_page);
		s->last_page = json_object();
		json_object_set_new(s->last_page, "data", data);
		if (!end)
			json_object_set(s->last_page, "next", json_object_get(m, "next"));
		data = json_deep_copy(json_object_get(s->last_page, "data"));
	}
	sb_release(&self);
	json_t *res = json_object();
	json_object_set_new(res, "data", data);
	json_object_set_new(o, "results", res);
	answer(r, 200, o);
}

static void exceptions(struct req *r, struct cc_stmt *s)
{
	json_t *data = json_array();
	if (!strcmp(s->phase, "FAILED") && s->detail && *s->detail) {
		json_t *e = json_object();
		json_object_set_new(e, "kind", json_string("StatementException"));
		json_object_set_new(e, "name", json_string(s->name));
		json_object_set_new(e, "message", json_string(s->detail));
		json_object_set_new(e, "timestamp", json_string(s->updated));
		json_array_append_new(data, e);
	}
	json_t *o = json_object();
	json_object_set_new(o, "api_version", json_string("sql/v1"));
	json_object_set_new(o, "kind", json_string("StatementExceptionList"));
	json_object_set_new(o, "data", data);
	answer(r, 200, o);
}

/* Drops statements whose teardown is over */
static void reap(struct cc *c)
{
	int64_t now = gw_now_ms();
	for (struct cc_stmt **pp = &c->stmts; *pp;) {
		struct cc_stmt *s = *pp;
		if (s->gone_ms && s->gone_ms <= now) {
			*pp = s->next;
			stmt_free(c, s);
		} else
			pp = &s->next;
	}
}

/* §2: Basic key:secret, or Bearer with the identity pool */
static bool authorized(struct req *r)
{
	struct cc *c = r->c;
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
	snprintf(r->auth, sizeof(r->auth), "none");
	if (h && !strncmp(h, "Basic ", 6)) {
		char *user = NULL, *pass = NULL;
		user = MHD_basic_auth_get_username_password(r->conn, &pass);
		bool ok = false;
		if (user && pass) {
			for (int i = 0; i < c->o.nkeys && !ok; i++) {
				const char *colon = strchr(c->o.keys[i], ':');
				ok = colon && strlen(user) == (size_t)(colon - c->o.keys[i]) &&
				     !strncmp(c->o.keys[i], user, strlen(user)) && !strcmp(colon + 1, pass);
			}
			snprintf(r->auth, sizeof(r->auth), "basic %s", user);
		}
		MHD_free(user);
		MHD_free(pass);
		return ok;
	}
	if (h && !strncmp(h, "Bearer ", 7)) {
		snprintf(r->auth, sizeof(r->auth), "bearer");
		const char *pool = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Confluent-Identity-Pool-Id");
		return c->o.token && !strcmp(h + 7, c->o.token) &&
		       (!c->o.identity_pool || (pool && !strcmp(pool, c->o.identity_pool)));
	}
	return false;
}

static void route(struct req *r, const struct gw_fault_hit *fault)
{
	struct cc *c = r->c;
	char *segs[10] = {0};
	int n = 0;
	char *copy = xstrdup(r->path);
	for (char *save = NULL, *t = strtok_r(copy, "/", &save); t && n < 10; t = strtok_r(NULL, "/", &save))
		segs[n++] = t;
	const char *m = r->method;
	if (n < 7 || strcmp(segs[0], "sql") || strcmp(segs[1], "v1") || strcmp(segs[2], "organizations") ||
	    strcmp(segs[4], "environments") || strcmp(segs[6], "statements") || n > 9) {
		fail(r, 404, "not_found", "Not Found", NULL, "no route for %s %s", m, r->path);
		goto out;
	}
	if (!authorized(r)) {
		r->unauthorized = true;
		fail(r, 401, "unauthorized", "Unauthorized", NULL, "The API Key is invalid");
		goto out;
	}
	/* the organization and environment of the credentials; anything else is not visible [I] */
	if (strcmp(segs[3], c->o.org) || strcmp(segs[5], c->o.env)) {
		fail(r, 403, "forbidden", "Forbidden", NULL, "not permitted in organization '%s', environment '%s'", segs[3],
		     segs[5]);
		goto out;
	}
	reap(c);
	if (n == 7) {
		if (!strcmp(m, "POST"))
			create(r, fault);
		else if (!strcmp(m, "GET"))
			list(r);
		else
			fail(r, 405, "method_not_allowed", "Method Not Allowed", NULL, "%s is not allowed here", m);
		goto out;
	}
	struct cc_stmt *s = find(c, segs[7]);
	if (!s || (s->gone_ms && strcmp(m, "GET"))) {
		/* §7.3: DELETE of a missing statement is 404 as well; clients take it as done */
		missing(r, segs[7]);
		goto out;
	}
	if (n == 9) {
		if (strcmp(m, "GET"))
			fail(r, 405, "method_not_allowed", "Method Not Allowed", NULL, "%s is not allowed here", m);
		else if (s->gone_ms)
			missing(r, segs[7]);  /* §7.3: results of a deleted statement are 404 */
		else if (!strcmp(segs[8], "results"))
			results(r, s);
		else if (!strcmp(segs[8], "exceptions"))
			exceptions(r, s);
		else
			fail(r, 404, "not_found", "Not Found", NULL, "no route for %s %s", m, r->path);
		goto out;
	}
	if (!strcmp(m, "GET")) {
		stmt_tick(c, s);
		answer(r, 200, stmt_json(c, s, r->base));
	} else if (!strcmp(m, "PATCH"))
		patch(r, s);
	else if (!strcmp(m, "PUT"))
		put(r, s);
	else if (!strcmp(m, "DELETE")) {
		/* §7.3: 202, no body; the name stays taken while the statement is torn down */
		engine_stop(c, s);
		s->phase = "DELETING";
		s->gone_ms = gw_now_ms() + (c->o.teardown_ms > 0 ? c->o.teardown_ms : 0);
		if (c->o.teardown_ms <= 0)
			reap(c);
		answer(r, 202, NULL);
	} else
		fail(r, 405, "method_not_allowed", "Method Not Allowed", NULL, "%s is not allowed here", m);
out:
	free(copy);
}

static void log_request(struct req *r, long seq)
{
	json_t *e = json_object();
	json_object_set_new(e, "seq", json_integer(seq));
	json_object_set_new(e, "method", json_string(r->method));
	json_object_set_new(e, "path", json_string(r->path));
	json_object_set_new(e, "query", json_string(r->query));
	json_object_set_new(e, "status", r->drop ? json_null() : json_integer(r->status));
	json_object_set_new(e, "auth", json_string(r->auth));
	const char *ua = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "User-Agent");
	json_object_set_new(e, "user_agent", ua ? json_string(ua) : json_null());
	json_object_set_new(e, "body", r->body ? gw_redact_json(r->body) : json_null());
	json_array_append_new(r->c->requests, e);
}

static enum MHD_Result send_answer(struct req *r)
{
	const char *body = r->answer ? r->answer : "";
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	if (r->answer)
		MHD_add_response_header(resp, "Content-Type", "application/json");
	char id[37];
	gw_uuid(id);
	MHD_add_response_header(resp, "X-Request-Id", id);
	if (r->location)
		MHD_add_response_header(resp, "Location", r->location);
	if (r->unauthorized)
		MHD_add_response_header(resp, "WWW-Authenticate",
					"Basic error=\"invalid_key\", error_description=\"The API Key is invalid\"");
	if (r->status == 429)
		MHD_add_response_header(resp, "Retry-After", "1");
	enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* libmicrohttpd calls a handler first with the headers, then with each piece of the body, then
 * once more: true (with the answer to give) while the request is still being read */
static bool reading(struct gw_req *gr, const char *upload, size_t *upload_size, enum MHD_Result *pret)
{
	if (!gr->started) {
		gr->started = true;
		*pret = MHD_YES;
		return true;
	}
	if (*upload_size) {
		*pret = gr->body.len + *upload_size > MAX_BODY ? MHD_NO : MHD_YES;
		if (*pret == MHD_YES)
			sb_add(&gr->body, upload, *upload_size);
		*upload_size = 0;
		return true;
	}
	return false;
}

static enum MHD_Result on_api(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct cc *c = (struct cc *)((char *)cls - offsetof(struct cc, g));
	struct gw_req *gr = *state;
	(void)url;
	(void)version;
	enum MHD_Result more;
	if (reading(gr, upload, upload_size, &more))
		return more;
	struct req r;
	memset(&r, 0, sizeof(r));
	r.c = c;
	r.conn = conn;
	r.method = method;
	char *q = strchr(gr->uri, '?');
	struct sb path = SB_INIT;
	gw_decode_component(gr->uri, q ? (size_t)(q - gr->uri) : strlen(gr->uri), false, &path);
	r.path = sb_detach(&path, NULL);
	r.query = xstrdup(q ? q + 1 : "");
	r.raw_body = gr->body.buf ? gr->body.buf : "";
	if (gr->body.len) {
		json_error_t je;
		r.body = json_loadb(gr->body.buf, gr->body.len, 0, &je);
	}
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	snprintf(r.base, sizeof(r.base), "http://%s", host ? host : "127.0.0.1");
	snprintf(r.auth, sizeof(r.auth), "none");

	pthread_mutex_lock(&c->mu);
	long seq = ++c->seq;
	const char *stmt = NULL;
	if (!strcmp(method, "POST") && r.body)
		stmt = json_string_value(json_object_get(json_object_get(r.body, "spec"), "statement"));
	struct gw_fault_hit hit;
	memset(&hit, 0, sizeof(hit));
	gw_faults_match(&c->g, method, r.path, stmt, &hit);
	pthread_mutex_unlock(&c->mu);
	if (hit.hit && hit.action == FA_DELAY) {
		struct timespec ts = {hit.delay_ms / 1000, (hit.delay_ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
	}
	pthread_mutex_lock(&c->mu);
	if (hit.hit && hit.action == FA_DROP)
		r.drop = true;
	else if (hit.hit && hit.action == FA_STATUS)
		/* injected 429 / 5xx (§13.2) */
		fail(&r, hit.status, hit.status == 429 ? "too_many_requests" : "server_error",
		     hit.status == 429 ? "Too Many Requests" : "Internal Server Error", NULL, "%s",
		     hit.has_message ? hit.message : "injected fault");
	else if (gr->body.len && !r.body)
		fail(&r, 400, "bad_request", "Bad Request", NULL, "the request body is not valid JSON");
	else
		route(&r, &hit);
	log_request(&r, seq);
	pthread_mutex_unlock(&c->mu);
	enum MHD_Result ret = r.drop ? MHD_NO : send_answer(&r);
	free(r.path);
	free(r.query);
	free(r.answer);
	free(r.location);
	json_decref(r.body);
	return ret;
}

/* ---- the admin port --------------------------------------------------------------------- */

static enum MHD_Result on_admin(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct cc *c = (struct cc *)((char *)cls - offsetof(struct cc, g));
	struct gw_req *gr = *state;
	(void)url;
	(void)version;
	enum MHD_Result more;
	if (reading(gr, upload, upload_size, &more))
		return more;
	json_t *body = NULL;
	if (gr->body.len) {
		json_error_t je;
		body = json_loadb(gr->body.buf, gr->body.len, 0, &je);
	}
	int status = 200;
	json_t *out = NULL;
	char err[512] = "";
	const char *p = gr->uri;
	pthread_mutex_lock(&c->mu);
	if (!strcmp(method, "GET") && !strcmp(p, "/requests"))
		out = json_incref(c->requests);
	else if (!strcmp(method, "GET") && !strcmp(p, "/faults"))
		out = gw_faults_json(&c->g);
	else if (!strcmp(method, "POST") && !strcmp(p, "/faults")) {
		if (gw_faults_set(&c->g, body, err, sizeof(err)))
			status = 400;
		else
			out = gw_faults_json(&c->g);
	} else if (!strcmp(method, "DELETE") && !strcmp(p, "/faults")) {
		gw_faults_clear(&c->g);
		out = json_array();
	} else if (!strcmp(method, "GET") && !strcmp(p, "/statements")) {
		out = json_array();
		for (struct cc_stmt *s = c->stmts; s; s = s->next) {
			json_t *o = json_object();
			json_object_set_new(o, "name", json_string(s->name));
			json_object_set_new(o, "phase", json_string(s->phase));
			json_object_set_new(o, "statement", json_string(s->sql));
			json_object_set_new(o, "job", json_string(s->job_id));
			json_array_append_new(out, o);
		}
	} else if (!strncmp(p, "/statements/", 12) && !strcmp(method, "POST") && strstr(p, "/fail")) {
		/* the statement fails at its next read, e.g. "being modified" (§13.4) */
		char name[200];
		snprintf(name, sizeof(name), "%.*s", (int)(strstr(p, "/fail") - p - 12), p + 12);
		struct cc_stmt *s = find(c, name);
		const char *d = json_string_value(json_object_get(body, "detail"));
		if (!s) {
			status = 404;
			snprintf(err, sizeof(err), "no statement '%s'", name);
		} else {
			free(s->fail_later);
			s->fail_later = xstrdup(d ? d : "statement failed");
			out = json_object();
		}
	} else if (!strncmp(p, "/topics/", 8) && !strcmp(method, "GET"))
		out = fg_engine_topic(c->engine, p + 8);
	else if (!strncmp(p, "/topics/", 8) && !strcmp(method, "POST")) {
		char *e = NULL;
		if (!json_is_array(body) || fg_engine_append(c->engine, p + 8, body, &e)) {
			status = 400;
			snprintf(err, sizeof(err), "%s", e ? e : "the body must be an array of records");
		} else {
			out = json_object();
			json_object_set_new(out, "appended", json_integer((json_int_t)json_array_size(body)));
		}
		free(e);
	} else if (!strcmp(method, "GET") && !strcmp(p, "/jobs"))
		out = fg_engine_jobs(c->engine);
	else {
		status = 404;
		snprintf(err, sizeof(err), "no admin route %s %s", method, p);
	}
	pthread_mutex_unlock(&c->mu);
	if (!out) {
		out = json_object();
		json_object_set_new(out, "error", json_string(err));
		if (status == 200)
			status = 400;
	}
	char *text = json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(out);
	json_decref(body);
	enum MHD_Result ret = gw_send(conn, status, text);
	free(text);
	return ret;
}

/* ---- lifecycle -------------------------------------------------------------------------- */

int cc_start(struct cc *c, char **perr)
{
	pthread_mutex_init(&c->mu, NULL);
	c->requests = json_array();
	c->g.o.host = c->o.host;
	struct fg_engine_options eo = {.data_dir = c->o.data_dir, .job_run_ms = c->o.job_run_ms, .confluent = true,
				      .catalog_lag_ms = c->o.catalog_lag_ms};
	c->engine = fg_engine_new(&eo, perr);
	if (!c->engine)
		return -1;
	c->api = gw_daemon(&c->g, 0, on_api, perr);
	if (!c->api)
		return -1;
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(c->api, MHD_DAEMON_INFO_BIND_PORT);
	c->api_port = info ? info->port : 0;
	c->admin = gw_daemon(&c->g, 0, on_admin, perr);
	if (!c->admin)
		return -1;
	info = MHD_get_daemon_info(c->admin, MHD_DAEMON_INFO_BIND_PORT);
	c->admin_port = info ? info->port : 0;
	return 0;
}

void cc_stop(struct cc *c)
{
	if (c->api)
		MHD_stop_daemon(c->api);
	if (c->admin)
		MHD_stop_daemon(c->admin);
	c->api = c->admin = NULL;
	while (c->stmts) {
		struct cc_stmt *s = c->stmts;
		c->stmts = s->next;
		stmt_free(c, s);
	}
	gw_faults_clear(&c->g);
	json_decref(c->requests);
	c->requests = NULL;
	if (c->engine)
		fg_engine_free(c->engine);
	c->engine = NULL;
	pthread_mutex_destroy(&c->mu);
}
