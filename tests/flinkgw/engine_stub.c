/*
 * A stand-in for the gateway double's SQL engine (engine.h), used until the real one (engine.c)
 * is in the tree: just enough SQL for the protocol to be exercised.
 *  - SELECT/VALUES/WITH: a query; "SELECT 1" gives EXPR$0 INTEGER NOT NULL = 1, integer literals
 *    after SELECT give one column each, "(VALUES (1), (2)) AS t(x)" one row per group; a
 *    statement mentioning "stream" is an endless streaming query (one new row per poll);
 *    mentioning "no_such_table" fails validation;
 *  - INSERT / EXECUTE: a job that finishes after job_run_ms (waited for under table.dml-sync);
 *  - SET / RESET keep the session configuration; CREATE, DROP, ALTER, USE, … answer OK;
 *  - anything else is a parse error.
 */
#ifndef FLINKGW_HAVE_ENGINE

#define _GNU_SOURCE
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "core/arena.h"
#include "core/sb.h"
#include "engine.h"

struct fg_engine {
	pthread_mutex_t mu;
	long job_run_ms;
	json_t *jobs;    /* [{id,name,status,start_time,statement,sink,savepoint,restored_from,failure}] */
	json_t *started; /* job id -> start (ms) */
	json_t *topics;  /* topic -> [records] */
};

struct fg_session {
	struct fg_engine *e;
	json_t *config;
};

struct fg_stream {
	struct fg_engine *e;
	char job_id[33];
	long n;
};

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct fg_engine *fg_engine_new(const struct fg_engine_options *o, char **perr)
{
	(void)perr;
	struct fg_engine *e = xcalloc(1, sizeof(*e));
	pthread_mutex_init(&e->mu, NULL);
	e->job_run_ms = o->job_run_ms > 0 ? o->job_run_ms : 100;
	e->jobs = json_array();
	e->started = json_object();
	e->topics = json_object();
	return e;
}

void fg_engine_free(struct fg_engine *e)
{
	if (!e)
		return;
	json_decref(e->jobs);
	json_decref(e->started);
	json_decref(e->topics);
	pthread_mutex_destroy(&e->mu);
	free(e);
}

struct fg_session *fg_session_new(struct fg_engine *e, json_t *props)
{
	struct fg_session *s = xcalloc(1, sizeof(*s));
	s->e = e;
	s->config = json_pack("{s:s,s:s}", "execution.runtime-mode", "streaming", "execution.target", "remote");
	if (json_is_object(props))
		json_object_update(s->config, props);
	return s;
}

void fg_session_free(struct fg_session *s)
{
	if (!s)
		return;
	json_decref(s->config);
	free(s);
}

json_t *fg_session_config(struct fg_session *s)
{
	pthread_mutex_lock(&s->e->mu);
	json_t *c = json_deep_copy(s->config);
	pthread_mutex_unlock(&s->e->mu);
	return c;
}

static json_t *column(const char *name, const char *type, bool nullable)
{
	if (!strcmp(type, "STRING"))
		return json_pack("{s:s,s:{s:s,s:b,s:i},s:n}", "name", name, "logicalType", "type", "VARCHAR", "nullable",
				 nullable, "length", 2147483647, "comment");
	return json_pack("{s:s,s:{s:s,s:b},s:n}", "name", name, "logicalType", "type", type, "nullable", nullable,
			 "comment");
}

static json_t *row(json_t *fields)
{
	return json_pack("{s:s,s:o}", "kind", "INSERT", "fields", fields);
}

static void ok_result(struct fg_result *out)
{
	out->ok = true;
	out->result_kind = "SUCCESS";
	out->columns = json_pack("[o]", column("result", "STRING", true));
	out->rows = json_pack("[o]", row(json_pack("[s]", "OK")));
}

static void fail(struct fg_result *out, const char *cls, const char *msg)
{
	memset(out, 0, sizeof(*out));
	out->ok = false;
	out->causes[0].cls = xstrdup(cls);
	out->causes[0].msg = xstrdup(msg);
	out->ncauses = 1;
}

static void new_job_id(char out[33])
{
	unsigned char b[16];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		memset(b, 7, sizeof(b));
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void add_job(struct fg_engine *e, const char *id, const char *name, const char *statement)
{
	json_array_append_new(e->jobs, json_pack("{s:s,s:s,s:s,s:s,s:s,s:n,s:n,s:n,s:n}", "id", id, "name", name,
						 "status", "RUNNING", "start_time", "1970-01-01T00:00:00Z", "statement",
						 statement, "sink", "savepoint", "restored_from", "failure"));
	json_object_set_new(e->started, id, json_integer(now_ms()));
}

static json_t *find_job(struct fg_engine *e, const char *id)
{
	size_t i;
	json_t *j;
	json_array_foreach(e->jobs, i, j)
		if (!strcmp(json_string_value(json_object_get(j, "id")), id)) {
			/* bounded jobs finish job_run_ms after they started */
			json_t *t = json_object_get(e->started, id);
			if (!strcmp(json_string_value(json_object_get(j, "status")), "RUNNING") && t &&
			    now_ms() - json_integer_value(t) >= e->job_run_ms)
				json_object_set_new(j, "status", json_string("FINISHED"));
			return j;
		}
	return NULL;
}

static bool word(const char *s, const char *w)
{
	size_t n = strlen(w);
	return !strncasecmp(s, w, n) && !isalnum((unsigned char)s[n]) && s[n] != '_';
}

/* integer literals between SELECT and FROM (or the end): "SELECT 1, 2" */
static bool literal_select(const char *s, json_t **pcols, json_t **prows)
{
	const char *p = s + 6;
	json_t *cols = json_array(), *fields = json_array();
	int i = 0;
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		char name[32];
		snprintf(name, sizeof(name), "EXPR$%d", i++);
		json_array_append_new(cols, column(name, "INTEGER", false));
		json_array_append_new(fields, json_integer(v));
		p = end;
		while (isspace((unsigned char)*p))
			p++;
		if (*p != ',')
			break;
		p++;
	}
	while (isspace((unsigned char)*p) || *p == ';')
		p++;
	if (!i || (*p && !word(p, "FROM"))) {
		json_decref(cols);
		json_decref(fields);
		return false;
	}
	*pcols = cols;
	*prows = json_pack("[o]", row(fields));
	return true;
}

/* (VALUES (1, 2), (3, 4)) [AS t(a, b)] */
static bool values(const char *s, json_t **pcols, json_t **prows)
{
	const char *v = strcasestr(s, "VALUES");
	if (!v)
		return false;
	const char *p = v + 6;
	json_t *rows = json_array();
	int width = 0;
	for (;;) {
		while (isspace((unsigned char)*p) || *p == ',')
			p++;
		if (*p != '(')
			break;
		p++;
		json_t *fields = json_array();
		for (;;) {
			char *end;
			long x = strtol(p, &end, 10);
			if (end == p)
				break;
			json_array_append_new(fields, json_integer(x));
			p = end;
			while (isspace((unsigned char)*p))
				p++;
			if (*p == ',')
				p++;
		}
		width = (int)json_array_size(fields);
		json_array_append_new(rows, row(fields));
		while (*p && *p != ')')
			p++;
		if (*p)
			p++;
	}
	json_t *cols = json_array();
	const char *as = strcasestr(p, " AS ");
	const char *open = as ? strchr(as, '(') : NULL;
	for (int i = 0; i < width; i++) {
		char name[64];
		snprintf(name, sizeof(name), "EXPR$%d", i);
		if (open) {
			const char *q = open + 1;
			for (int k = 0; k < i && q; k++) {
				q = strchr(q, ',');
				if (q)
					q++;
			}
			if (q) {
				while (isspace((unsigned char)*q))
					q++;
				size_t n = 0;
				while ((isalnum((unsigned char)q[n]) || q[n] == '_') && n < sizeof(name) - 1)
					n++;
				if (n) {
					memcpy(name, q, n);
					name[n] = 0;
				}
			}
		}
		json_array_append_new(cols, column(name, "INTEGER", false));
	}
	*pcols = cols;
	*prows = rows;
	return true;
}

/* SET 'k' = 'v' */
static void set_stmt(struct fg_session *s, const char *p, struct fg_result *out)
{
	char k[256], v[1024];
	p += 3;
	while (isspace((unsigned char)*p))
		p++;
	if (!*p || *p == ';') {
		out->ok = true;
		out->result_kind = "SUCCESS_WITH_CONTENT";
		out->columns = json_pack("[o,o]", column("key", "STRING", true), column("value", "STRING", true));
		out->rows = json_array();
		const char **keys = xcalloc(json_object_size(s->config) + 1, sizeof(*keys));
		size_t n = 0;
		const char *key;
		json_t *val;
		json_object_foreach(s->config, key, val)
			keys[n++] = key;
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (strcmp(keys[j], keys[i]) < 0) {
					const char *t = keys[i];
					keys[i] = keys[j];
					keys[j] = t;
				}
		for (size_t i = 0; i < n; i++)
			json_array_append_new(out->rows,
					      row(json_pack("[s,s]", keys[i], json_string_value(json_object_get(s->config, keys[i])))));
		free(keys);
		return;
	}
	if (sscanf(p, "'%255[^']' = '%1023[^']'", k, v) == 2 || sscanf(p, "'%255[^']'='%1023[^']'", k, v) == 2 ||
	    sscanf(p, "%255[^ =] = %1023[^;]", k, v) == 2) {
		json_object_set_new(s->config, k, json_string(v));
		ok_result(out);
		return;
	}
	fail(out, "org.apache.flink.table.api.SqlParserException", "SQL parse failed. Encountered \"<EOF>\"");
}

static void run(struct fg_session *s, const char *statement, json_t *exec_config, struct fg_result *out)
{
	struct fg_engine *e = s->e;
	memset(out, 0, sizeof(*out));
	const char *p = statement;
	while (isspace((unsigned char)*p))
		p++;
	if (word(p, "SELECT") || word(p, "VALUES") || word(p, "WITH") || *p == '(') {
		if (strcasestr(p, "no_such_table")) {
			fail(out, "org.apache.flink.table.api.ValidationException",
			     "SQL validation failed. From line 1, column 15 to line 1, column 27: Object 'no_such_table' not found");
			return;
		}
		json_t *cols = NULL, *rows = NULL;
		if (strcasestr(p, "stream")) {
			struct fg_stream *st = xcalloc(1, sizeof(*st));
			st->e = e;
			new_job_id(st->job_id);
			add_job(e, st->job_id, "collect", statement);
			json_object_set_new(e->started, st->job_id, json_integer(now_ms() + 1000L * 3600 * 24));
			cols = json_pack("[o]", column("x", "INTEGER", true));
			rows = json_array();
			out->stream = st;
			snprintf(out->job_id, sizeof(out->job_id), "%s", st->job_id);
		} else if (!literal_select(p, &cols, &rows) && !values(p, &cols, &rows)) {
			cols = json_pack("[o]", column("EXPR$0", "INTEGER", false));
			rows = json_pack("[o]", row(json_pack("[i]", 1)));
		}
		out->ok = true;
		out->is_query = true;
		out->result_kind = "SUCCESS_WITH_CONTENT";
		out->columns = cols;
		out->rows = rows;
		if (!out->job_id[0]) {
			new_job_id(out->job_id);
			add_job(e, out->job_id, "collect", statement);
		}
		return;
	}
	if (word(p, "INSERT") || word(p, "EXECUTE")) {
		out->ok = true;
		out->result_kind = "SUCCESS_WITH_CONTENT";
		new_job_id(out->job_id);
		add_job(e, out->job_id, "insert-into_default_catalog.default_database.sink", statement);
		out->columns = json_pack("[o]", column("job id", "STRING", true));
		out->rows = json_pack("[o]", row(json_pack("[s]", out->job_id)));
		const char *sync = json_string_value(json_object_get(exec_config, "table.dml-sync"));
		if (!sync)
			sync = json_string_value(json_object_get(s->config, "table.dml-sync"));
		out->wait_for_job = sync && !strcasecmp(sync, "true");
		return;
	}
	if (word(p, "SET")) {
		set_stmt(s, p, out);
		return;
	}
	if (word(p, "RESET")) {
		char k[256];
		if (sscanf(p + 5, " '%255[^']'", k) == 1)
			json_object_del(s->config, k);
		ok_result(out);
		return;
	}
	static const char *const ddl[] = {"CREATE", "DROP", "ALTER", "USE", "SHOW", "DESCRIBE", "DESC", "EXPLAIN",
					  "LOAD", "UNLOAD", "ADD", "BEGIN", "END", "STOP", "TRUNCATE"};
	for (size_t i = 0; i < sizeof(ddl) / sizeof(ddl[0]); i++)
		if (word(p, ddl[i])) {
			ok_result(out);
			return;
		}
	fail(out, "org.apache.flink.table.api.SqlParserException",
	     "SQL parse failed. Non-query expression encountered in illegal context");
}

void fg_execute(struct fg_session *s, const char *statement, json_t *exec_config, struct fg_result *out)
{
	pthread_mutex_lock(&s->e->mu);
	run(s, statement, exec_config, out);
	pthread_mutex_unlock(&s->e->mu);
}

void fg_configure(struct fg_session *s, const char *statement, struct fg_result *out)
{
	static const char *const allowed[] = {"SET", "RESET", "CREATE", "DROP", "ALTER", "USE", "LOAD", "UNLOAD", "ADD"};
	const char *p = statement;
	while (isspace((unsigned char)*p))
		p++;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (word(p, allowed[i])) {
			fg_execute(s, statement, NULL, out);
			return;
		}
	struct sb m = SB_INIT;
	sb_addf(&m, "Unsupported statement for configuring session:%s", statement);
	fail(out, "java.lang.UnsupportedOperationException", m.buf);
	sb_release(&m);
}

void fg_result_release(struct fg_result *r)
{
	for (int i = 0; i < r->ncauses; i++) {
		free(r->causes[i].cls);
		free(r->causes[i].msg);
	}
	r->ncauses = 0;
	json_decref(r->columns);
	json_decref(r->rows);
	r->columns = r->rows = NULL;
}

bool fg_stream_poll(struct fg_stream *st, json_t *rows_out)
{
	pthread_mutex_lock(&st->e->mu);
	json_t *job = find_job(st->e, st->job_id);
	bool ended = job && strcmp(json_string_value(json_object_get(job, "status")), "RUNNING");
	if (!ended)
		json_array_append_new(rows_out, row(json_pack("[I]", (json_int_t)++st->n)));
	pthread_mutex_unlock(&st->e->mu);
	return ended;
}

void fg_stream_close(struct fg_stream *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&st->e->mu);
	json_t *job = find_job(st->e, st->job_id);
	if (job && !strcmp(json_string_value(json_object_get(job, "status")), "RUNNING"))
		json_object_set_new(job, "status", json_string("CANCELED"));
	pthread_mutex_unlock(&st->e->mu);
	free(st);
}

bool fg_job_done(struct fg_engine *e, const char *job_id, bool *pfailed, char **pfailure)
{
	pthread_mutex_lock(&e->mu);
	json_t *job = find_job(e, job_id);
	const char *status = job ? json_string_value(json_object_get(job, "status")) : "FINISHED";
	bool done = strcmp(status, "RUNNING") != 0;
	*pfailed = !strcmp(status, "FAILED");
	*pfailure = NULL;
	if (*pfailed && json_is_string(json_object_get(job, "failure")))
		*pfailure = xstrdup(json_string_value(json_object_get(job, "failure")));
	pthread_mutex_unlock(&e->mu);
	return done;
}

json_t *fg_engine_jobs(struct fg_engine *e)
{
	pthread_mutex_lock(&e->mu);
	size_t i;
	json_t *j;
	json_array_foreach(e->jobs, i, j)
		find_job(e, json_string_value(json_object_get(j, "id")));
	json_t *out = json_deep_copy(e->jobs);
	pthread_mutex_unlock(&e->mu);
	return out;
}

int fg_engine_fail_job(struct fg_engine *e, const char *job_id, const char *reason)
{
	pthread_mutex_lock(&e->mu);
	json_t *job = find_job(e, job_id);
	if (job) {
		json_object_set_new(job, "status", json_string("FAILED"));
		json_object_set_new(job, "failure", json_string(reason ? reason : "job failed"));
	}
	pthread_mutex_unlock(&e->mu);
	return job ? 0 : -1;
}

json_t *fg_engine_topic(struct fg_engine *e, const char *topic)
{
	pthread_mutex_lock(&e->mu);
	json_t *t = json_object_get(e->topics, topic);
	json_t *out = t ? json_deep_copy(t) : json_array();
	pthread_mutex_unlock(&e->mu);
	return out;
}

int fg_engine_append(struct fg_engine *e, const char *topic, json_t *records, char **perr)
{
	if (!json_is_array(records)) {
		*perr = xstrdup("records must be a JSON array");
		return -1;
	}
	pthread_mutex_lock(&e->mu);
	json_t *t = json_object_get(e->topics, topic);
	if (!t) {
		t = json_array();
		json_object_set_new(e->topics, topic, t);
	}
	json_array_extend(t, records);
	pthread_mutex_unlock(&e->mu);
	return 0;
}

void fg_engine_reset(struct fg_engine *e)
{
	pthread_mutex_lock(&e->mu);
	json_array_clear(e->jobs);
	json_object_clear(e->started);
	pthread_mutex_unlock(&e->mu);
}

#endif
