/*
 * The gateway double's SQL engine: the entry points of engine.h. A statement is parsed, then
 * dispatched by kind to the catalog (DDL), introspection (SHOW/DESCRIBE), the planner and job
 * machinery (queries, INSERT, CTAS, statement sets), the job commands, or handled here (SET,
 * RESET, statement-set state, modules and jars).
 *
 * DESIGN
 *  - One mutex guards the whole engine: every entry point takes it for its whole run, so the
 *    REST side may call from any thread. Streams and job queries take it too.
 *  - A session's configuration is layered as the gateway's: defaults, the properties given when
 *    the session was opened, then SET; a statement's executionConfig sits on top for that
 *    statement only. RESET removes a key from the session (also a property given at open), as
 *    Flink resets to the gateway's defaults.
 *  - Errors come back as Flink's exception chain (outermost first) in fg_result.causes; the REST
 *    side adds the gateway's own wrappers.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fs.h"
#include "fgi.h"

uint64_t engine_rand(struct fg_engine *e)
{
	/* xorshift64*: job ids and savepoint names only need to be unique */
	uint64_t x = e->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	e->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

int engine_version(const char *v)
{
	int major = 2, minor = 0;
	if (v && sscanf(v, "%d.%d", &major, &minor) < 1)
		major = 2;
	return major * 100 + minor;
}

static const char *const defaults[][2] = {
	{"execution.target", "remote"},
	{"jobmanager.rpc.address", "localhost"},
	{"jobmanager.rpc.port", "6123"},
	{"parallelism.default", "1"},
	{"rest.address", "localhost"},
	{"rest.port", "8081"},
	{"taskmanager.numberOfTaskSlots", "1"},
};

json_t *sess_conf(struct fg_session *s, json_t *exec)
{
	json_t *c = json_object();
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		json_object_set_new(c, defaults[i][0], json_string(defaults[i][1]));
	json_object_update(c, s->props);
	json_object_update(c, s->set);
	if (exec && json_is_object(exec)) {
		const char *k;
		json_t *v;
		json_object_foreach(exec, k, v) {
			if (json_is_string(v)) {
				json_object_set(c, k, v);
			} else if (!json_is_null(v)) {
				char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
				json_object_set_new(c, k, json_string(t));
				free(t);
			}
		}
	}
	return c;
}

const char *conf_str(json_t *conf, const char *k)
{
	json_t *v = conf ? json_object_get(conf, k) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

bool conf_batch(json_t *conf)
{
	const char *m = conf_str(conf, "execution.runtime-mode");
	return m && !strcasecmp(m, "batch");
}

bool conf_snapshot(const struct fg_session *s, json_t *conf)
{
	const char *m = conf_str(conf, "sql.snapshot.mode");
	return s->e->confluent && m && !strcasecmp(m, "now");
}

/* ------------------------------------------------------------------ engine */

struct fg_engine *fg_engine_new(const struct fg_engine_options *o, char **perr)
{
	if (!o || !o->data_dir || !*o->data_dir) {
		if (perr)
			*perr = xstrdup("the data folder is required");
		return NULL;
	}
	struct stat st;
	if (stat(o->data_dir, &st) || !S_ISDIR(st.st_mode)) {
		if (perr) {
			struct sb m = SB_INIT;
			sb_addf(&m, "data folder '%s' does not exist", o->data_dir);
			*perr = sb_detach(&m, NULL);
		}
		return NULL;
	}
	struct fg_engine *e = xcalloc(1, sizeof(*e));
	pthread_mutex_init(&e->lock, NULL);
	struct arena a;
	arena_init(&a, 512);
	e->data_dir = xstrdup(fs_abspath(&a, o->data_dir));
	arena_release(&a);
	e->flink_version = xstrdup(o->flink_version ? o->flink_version : "2.0.0");
	e->version = engine_version(e->flink_version);
	e->confluent = o->confluent;
	e->catalog_lag_ms = o->catalog_lag_ms;
	e->job_run_ms = o->job_run_ms > 0 ? o->job_run_ms : (o->job_run_ms < 0 ? 0 : 100);
	e->rng = (uint64_t)now_ms() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)e;
	if (!e->rng)
		e->rng = 88172645463325252ULL;
	struct sb t = SB_INIT;
	sb_addf(&t, "%s/topics", e->data_dir);
	fs_mkdir_p(t.buf);
	sb_release(&t);
	return e;
}

static void forget_all(struct fg_engine *e, bool keep_stores)
{
	for (size_t i = 0; i < e->jobs.n; i++)
		job_free(e->jobs.v[i]);
	e->jobs.n = 0;
	/* open sessions' catalogs point at the stores: on a reset only their contents go */
	for (size_t i = 0; i < e->stores.n; i++) {
		if (keep_stores)
			store_clear(e->stores.v[i]);
		else
			store_free(e->stores.v[i]);
	}
	if (!keep_stores)
		e->stores.n = 0;
	for (size_t i = 0; i < e->savepoints.n; i++)
		savepoint_free(e->savepoints.v[i]);
	e->savepoints.n = 0;
}

void fg_engine_free(struct fg_engine *e)
{
	if (!e)
		return;
	forget_all(e, false);
	VEC_FREE(&e->jobs);
	VEC_FREE(&e->stores);
	VEC_FREE(&e->savepoints);
	free(e->data_dir);
	free(e->flink_version);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

void fg_engine_reset(struct fg_engine *e)
{
	pthread_mutex_lock(&e->lock);
	forget_all(e, true);
	pthread_mutex_unlock(&e->lock);
}

json_t *fg_engine_topic(struct fg_engine *e, const char *topic)
{
	pthread_mutex_lock(&e->lock);
	struct sb key = SB_INIT;
	sb_addf(&key, "topic:%s", topic);
	jobs_refresh(e, key.buf);
	sb_release(&key);
	json_t *r = topic_records(e, topic);
	pthread_mutex_unlock(&e->lock);
	return r;
}

int fg_engine_append(struct fg_engine *e, const char *topic, json_t *records, char **perr)
{
	pthread_mutex_lock(&e->lock);
	int rc = topic_append(e, topic, records, perr);
	pthread_mutex_unlock(&e->lock);
	return rc;
}

/* ------------------------------------------------------------------ sessions */

struct fg_session *fg_session_new(struct fg_engine *e, json_t *props)
{
	pthread_mutex_lock(&e->lock);
	static uint64_t next_id;
	struct fg_session *s = xcalloc(1, sizeof(*s));
	s->e = e;
	s->id = ++next_id;
	s->props = json_object();
	s->set = json_object();
	if (props && json_is_object(props)) {
		const char *k;
		json_t *v;
		json_object_foreach(props, k, v) {
			if (json_is_string(v)) {
				json_object_set(s->props, k, v);
			} else if (!json_is_null(v)) {
				char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
				json_object_set_new(s->props, k, json_string(t));
				free(t);
			}
		}
	}
	struct fcatalog *c = xcalloc(1, sizeof(*c));
	arena_init(&c->a, 256);
	c->name = xstrdup("default_catalog");
	c->type = xstrdup("generic_in_memory");
	c->store = store_new(NULL, "default_database");
	c->opts = ARENA_ARRAY(&c->a, struct fopt, 1);
	VEC_PUSH(&s->cats, c);
	s->cur_cat = xstrdup("default_catalog");
	s->cur_db = xstrdup("default_database");
	pthread_mutex_unlock(&e->lock);
	return s;
}

void fg_session_free(struct fg_session *s)
{
	if (!s)
		return;
	struct fg_engine *e = s->e;
	pthread_mutex_lock(&e->lock);
	jobs_cancel_session(e, s->id);
	for (size_t i = 0; i < s->cats.n; i++)
		cat_free(s->cats.v[i]);
	VEC_FREE(&s->cats);
	for (size_t i = 0; i < s->temps.n; i++)
		tdef_free(s->temps.v[i]);
	VEC_FREE(&s->temps);
	for (size_t i = 0; i < s->set_stmts.n; i++)
		free(s->set_stmts.v[i]);
	VEC_FREE(&s->set_stmts);
	json_decref(s->props);
	json_decref(s->set);
	free(s->cur_cat);
	free(s->cur_db);
	free(s);
	pthread_mutex_unlock(&e->lock);
}

json_t *fg_session_config(struct fg_session *s)
{
	pthread_mutex_lock(&s->e->lock);
	json_t *c = sess_conf(s, NULL);
	pthread_mutex_unlock(&s->e->lock);
	return c;
}

/* ------------------------------------------------------------------ statements */

static char *trim_dup(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	char *r = xmalloc(n + 1);
	memcpy(r, s, n);
	r[n] = 0;
	return r;
}

static void fail_out(struct fg_result *out, struct ferr *e)
{
	out->ok = false;
	if (!e->n)
		ferr_add(e, EX_TABLE, "unknown error");
	for (int i = 0; i < e->n; i++) {
		out->causes[i].cls = e->cls[i];
		out->causes[i].msg = e->msg[i];
	}
	out->ncauses = e->n;
	e->n = 0;
	if (out->columns) {
		json_decref(out->columns);
		out->columns = NULL;
	}
	if (out->rows) {
		json_decref(out->rows);
		out->rows = NULL;
	}
	out->result_kind = NULL;
}

static bool is_ddl(enum skind k)
{
	switch (k) {
	case S_CREATE_TABLE:
	case S_CREATE_VIEW:
	case S_CREATE_CATALOG:
	case S_CREATE_DB:
	case S_DROP_TABLE:
	case S_DROP_VIEW:
	case S_DROP_DB:
	case S_DROP_CATALOG:
	case S_ALTER_RENAME:
	case S_ALTER_SET:
	case S_ALTER_RESET:
	case S_ALTER_DB_SET:
	case S_USE_CATALOG:
	case S_USE_DB:
		return true;
	default:
		return false;
	}
}

static int run(struct fg_session *s, struct stmt *st, json_t *conf, struct fg_result *out, struct ferr *e)
{
	/* inside BEGIN STATEMENT SET ... END */
	if (s->in_set) {
		if (st->k == S_END) {
			s->in_set = false;
			if (!s->set_stmts.n) {
				res_ok(out);
				return 0;
			}
			struct arena a;
			arena_init(&a, 8192);
			struct stmt **subs = ARENA_ARRAY(&a, struct stmt *, s->set_stmts.n);
			struct sb text = SB_INIT;
			int rc = 0;
			for (size_t i = 0; i < s->set_stmts.n && !rc; i++) {
				subs[i] = parse_stmt(&a, s->set_stmts.v[i], FG_PARSE_VERSION(s->e), e);
				if (!subs[i])
					rc = -1;
				sb_addf(&text, "%s%s", i ? ";\n" : "", s->set_stmts.v[i]);
			}
			size_t n = s->set_stmts.n;
			for (size_t i = 0; i < s->set_stmts.n; i++)
				free(s->set_stmts.v[i]);
			s->set_stmts.n = 0;
			if (!rc)
				rc = exec_modify(s, subs, (int)n, conf, text.buf, out, e);
			sb_release(&text);
			arena_release(&a);
			return rc;
		}
		if (st->k == S_INSERT || (st->k == S_CREATE_TABLE && st->q)) {
			VEC_PUSH(&s->set_stmts, trim_dup(st->text));
			res_ok(out);
			return 0;
		}
		ferr_add(e, EX_SQL_EXEC, "Only 'INSERT/CREATE TABLE AS' statement is allowed in Statement Set or use 'END' "
			"statement to submit Statement Set.");
		return -1;
	}
	switch (st->k) {
	case S_QUERY:
		return exec_select(s, st, conf, out, e);
	case S_INSERT:
		return exec_modify(s, &st, 1, conf, st->text, out, e);
	case S_STMT_SET:
		if (!st->nsubs) {
			res_ok(out);
			return 0;
		}
		return exec_modify(s, st->subs, st->nsubs, conf, st->text, out, e);
	case S_BEGIN_SET:
		s->in_set = true;
		res_ok(out);
		return 0;
	case S_END:
		ferr_add(e, EX_SQL_EXEC, "No Statement Set to submit. 'END' statement should be used after 'BEGIN STATEMENT SET'.");
		return -1;
	case S_CREATE_TABLE:
		if (st->q)
			return exec_modify(s, &st, 1, conf, st->text, out, e);
		return exec_ddl(s, st, out, e);
	case S_SET:
		if (st->key) {
			char *k = trim_dup(st->key), *v = trim_dup(st->val);
			json_object_set_new(s->set, k, json_string(v));
			free(k);
			free(v);
			res_ok(out);
			return 0;
		}
		return exec_show(s, st, out, e);
	case S_RESET:
		if (st->key) {
			char *k = trim_dup(st->key);
			json_object_del(s->set, k);
			json_object_del(s->props, k);
			free(k);
		} else {
			json_object_clear(s->set);
			json_object_clear(s->props);
		}
		res_ok(out);
		return 0;
	case S_SHOW_CATALOGS:
	case S_SHOW_DBS:
	case S_SHOW_TABLES:
	case S_SHOW_VIEWS:
	case S_SHOW_CUR_CAT:
	case S_SHOW_CUR_DB:
	case S_SHOW_FUNCTIONS:
	case S_SHOW_CREATE_TABLE:
	case S_SHOW_CREATE_VIEW:
	case S_SHOW_CREATE_CATALOG:
	case S_DESCRIBE:
	case S_DESCRIBE_CATALOG:
	case S_SHOW_MODULES:
	case S_SHOW_JARS:
		return exec_show(s, st, out, e);
	case S_EXPLAIN:
		return exec_explain(s, st, conf, out, e);
	case S_SHOW_JOBS:
	case S_DESCRIBE_JOB:
	case S_STOP_JOB:
		return exec_jobs_stmt(s, st, conf, out, e);
	case S_LOAD_MODULE:
	case S_UNLOAD_MODULE:
	case S_USE_MODULES:
		if ((st->k == S_LOAD_MODULE || st->k == S_UNLOAD_MODULE) && strcmp(st->key, "core") &&
			strcmp(st->key, "hive")) {
			ferr_add(e, EX_VALIDATION, "Could not execute %s MODULE %s", st->k == S_LOAD_MODULE ? "LOAD" : "UNLOAD",
				st->key);
			ferr_add(e, EX_VALIDATION, "Could not find any factory for identifier '%s' that implements "
				"'org.apache.flink.table.factories.ModuleFactory' in the classpath.\n\nAvailable factory identifiers "
				"are:\n\ncore\nhive", st->key);
			return -1;
		}
		res_ok(out);
		return 0;
	case S_ADD_JAR:
		res_ok(out);
		return 0;
	case S_CREATE_MT:
	case S_DROP_MT:
	case S_ALTER_MT:
	case S_SHOW_CREATE_MT:
		return exec_mt(s, st, conf, out, e);
	case S_REMOVE_JAR:
		ferr_add(e, EX_UNSUPPORTED, "SQL Gateway doesn't support REMOVE JAR syntax now.");
		return -1;
	default:
		if (is_ddl(st->k))
			return exec_ddl(s, st, out, e);
		ferr_add(e, EX_TABLE, "Unsupported operation");
		return -1;
	}
}

void fg_execute(struct fg_session *s, const char *statement, json_t *exec_config, struct fg_result *out)
{
	memset(out, 0, sizeof(*out));
	struct fg_engine *en = s->e;
	pthread_mutex_lock(&en->lock);
	struct ferr e = {0};
	struct arena a;
	arena_init(&a, 8192);
	json_t *conf = sess_conf(s, exec_config);
	struct stmt *st = parse_stmt(&a, statement ? statement : "", FG_PARSE_VERSION(en), &e);
	int rc = st ? run(s, st, conf, out, &e) : -1;
	if (rc)
		fail_out(out, &e);
	else
		out->ok = true;
	if (out->ok && !out->columns)
		res_ok(out);
	json_decref(conf);
	ferr_release(&e);
	arena_release(&a);
	pthread_mutex_unlock(&en->lock);
}

void fg_configure(struct fg_session *s, const char *statement, struct fg_result *out)
{
	memset(out, 0, sizeof(*out));
	struct fg_engine *en = s->e;
	pthread_mutex_lock(&en->lock);
	struct ferr e = {0};
	struct arena a;
	arena_init(&a, 4096);
	json_t *conf = sess_conf(s, NULL);
	struct stmt *st = parse_stmt(&a, statement ? statement : "", FG_PARSE_VERSION(en), &e);
	int rc = -1;
	if (st) {
		bool allowed = st->k == S_SET || st->k == S_RESET || (is_ddl(st->k) && !(st->k == S_CREATE_TABLE && st->q)) ||
			st->k == S_LOAD_MODULE || st->k == S_UNLOAD_MODULE || st->k == S_USE_MODULES || st->k == S_ADD_JAR;
		if (!allowed) {
			ferr_add(&e, EX_UNSUPPORTED, "Unsupported statement for configuring session:%s\nThe configureSession API "
				"only supports to execute statement of type CREATE TABLE, DROP TABLE, ALTER TABLE, CREATE DATABASE, "
				"DROP DATABASE, ALTER DATABASE, CREATE FUNCTION, DROP FUNCTION, ALTER FUNCTION, CREATE CATALOG, "
				"DROP CATALOG, USE CATALOG, USE [CATALOG.]DATABASE, CREATE VIEW, DROP VIEW, LOAD MODULE, UNLOAD "
				"MODULE, USE MODULE, ADD JAR.", statement);
		} else {
			bool in_set = s->in_set;
			s->in_set = false;
			rc = run(s, st, conf, out, &e);
			s->in_set = in_set;
		}
	} else if (e.n && !strcmp(e.cls[0], EX_UNSUPPORTED)) {
		ferr_release(&e);
		ferr_add(&e, EX_UNSUPPORTED, "Unsupported SQL statement! Configure session only accepts a single SQL "
			"statement.");
	}
	if (rc)
		fail_out(out, &e);
	else
		out->ok = true;
	if (out->ok && !out->columns)
		res_ok(out);
	json_decref(conf);
	ferr_release(&e);
	arena_release(&a);
	pthread_mutex_unlock(&en->lock);
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
	r->stream = NULL;
}
