/*
 * The Confluent Cloud adapter (`type: confluent`): Flink SQL on Confluent Cloud through the
 * Statements API (flink_cc_* of libsluice-flink). It inherits the Flink adapter's macros (parent
 * "flink": dispatch tries confluent__, flink__, default__), and has materializations of its own
 * where Confluent differs (macros/confluent/).
 *
 * Profile keys are dbt-confluent's, so a profile moves over unchanged: organization_id,
 * environment_id (dbt's database, the Flink catalog), dbname (dbt's schema, the Kafka cluster),
 * flink_api_key / flink_api_secret or global_api_key / global_api_secret (the global key wins
 * when both are given), compute_pool_id, cloud_provider + cloud_region or endpoint,
 * execution_mode, statement_name_prefix, statement_label, threads. Beyond dbt-confluent:
 * oauth_token + identity_pool_id (bearer auth), statement_timeout (seconds), poll_interval_ms.
 *
 * There are no sessions: every statement is a resource of its own, named
 * <statement_name_prefix><random hex>, labelled <statement_label>, carrying the catalog and
 * database as properties. Queries whose rows are read run as snapshot queries
 * (sql.snapshot.mode = now), so tests and show get a point-in-time result; so do INSERT and CTAS
 * (the table materialization), which then end. Catalog questions go through INFORMATION_SCHEMA
 * (catalog.c).
 * Secrets (API secrets, the token) are registered with the log and never reach a message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <stdint.h>

#include <sluice/flink.h>

#include "adapters/adapter.h"
#include "adapters/confluent/internal.h"
#include "adapters/confluent/options.h"
#include "adapters/flink/flink_adapter.h"
#include "core/log.h"
#include "core/sb.h"
#include "core/vec.h"

struct adapter {
	struct arena arena;
	flink_cc *cc;
	const char *env, *db;
	const char *prefix;           /* statement_name_prefix */
	const char *label;            /* statement_label */
	const char *mode;             /* execution_mode */
	long timeout_ms;
};

struct adapter_conn {
	struct adapter *ad;
	volatile sig_atomic_t cancelled;
};

static int fail(struct arena *a, char **perr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct arena *a, char **perr, const char *fmt, ...)
{
	if (perr) {
		struct sb s = SB_INIT;
		va_list ap;
		va_start(ap, fmt);
		sb_vaddf(&s, fmt, ap);
		va_end(ap);
		log_redact(s.buf);
		*perr = arena_strdup(a, s.buf);
		sb_release(&s);
	}
	return -1;
}

static const char *str_field(value target, const char *key, struct arena *a)
{
	value v = val_dict_gets(target, key);
	if (v.type == V_UNDEF || v.type == V_NONE)
		return NULL;
	const char *s = val_cstr(a, v.type == V_STR ? v : val_to_str(a, v));
	return s && *s ? s : NULL;
}

/* ================================================================ statements */

struct collect {
	struct arena *a;
	bool fetch;
	long limit;
	struct adapter_result *res;
	VEC(value) rows;
	long nrows;
};

static int on_columns(void *ud, const struct flink_column *cols, size_t ncols, const char *job_id, bool is_query)
{
	(void)job_id;
	(void)is_query;
	struct collect *c = ud;
	adp_flink_columns(c->res, cols, ncols, c->a);
	return 0;
}

static int on_row(void *ud, const struct flink_row *row, size_t ncols)
{
	struct collect *c = ud;
	if (!c->fetch || (c->limit >= 0 && c->nrows >= c->limit))
		return 0;
	for (size_t i = 0; i < ncols; i++)
		VEC_PUSH(&c->rows, adp_flink_value(&row->fields[i], c->a));
	c->nrows++;
	return 0;
}

/* The failure of a statement: its root cause (the server's detail) and the statement */
static int fail_cc(struct arena *a, char **perr, const struct flink_error *e)
{
	const char *why = e->root_cause ? e->root_cause : e->message ? e->message : flink_strerror(e->code);
	if (e->statement)
		return fail(a, perr, "%s\n  in statement:\n    %s", why, e->statement);
	return fail(a, perr, "%s", why);
}

static const char *new_name(struct adapter *ad, struct arena *a)
{
	char hex[33];
	static const char digits[] = "0123456789abcdef";
	FILE *f = fopen("/dev/urandom", "rb");
	unsigned char raw[16] = {0};
	if (!f || fread(raw, 1, sizeof raw, f) != sizeof raw) {
		long long t = (long long)time(NULL) ^ (long long)(uintptr_t)a;
		memcpy(raw, &t, sizeof t < sizeof raw ? sizeof t : sizeof raw);
	}
	if (f)
		fclose(f);
	for (int i = 0; i < 16; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 15];
	}
	hex[32] = 0;
	return arena_sprintf(a, "%s%s", ad->prefix, hex);
}

/* true when text contains word, in any case */
static bool contains_ci(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (; text && *text; text++)
		if (!strncasecmp(text, word, n))
			return true;
	return false;
}

/*
 * dbt-confluent's retry policy (reference §14.2), for a statement that failed with e on attempt
 * `attempt` (from 1). A materialized table still being modified, or a Kafka topic not there yet,
 * is retried up to 12 times in all, 10 s apart, after the failed statement is deleted; an exhausted
 * compute pool (the library deleted the statement already) up to 5 times, min(3 x attempt, 15) s
 * apart; a name in use (409) as often, after deleting the statement that holds it. The message
 * checks come first: Confluent may send those conditions as a 409. Returns the seconds to wait, or
 * -1 when the failure stands.
 */
static int retry_after(struct adapter *ad, const char *name, const struct flink_error *e, int attempt)
{
	int backoff = attempt * 3 < 15 ? attempt * 3 : 15;
	bool changing = contains_ci(e->root_cause, "being modified") || contains_ci(e->message, "being modified") ||
			contains_ci(e->root_cause, "kafka topic does not exist") ||
			contains_ci(e->message, "kafka topic does not exist");
	int wait = changing ? (attempt < 12 ? 10 : -1)
		   : e->code == FLINK_E_POOL_EXHAUSTED || e->code == FLINK_E_CONFLICT ? (attempt < 5 ? backoff : -1)
										      : -1;
	if (wait < 0 || e->code == FLINK_E_POOL_EXHAUSTED)
		return wait;
	struct flink_error de;
	flink_error_init(&de);
	flink_code dc = flink_cc_delete(ad->cc, name, &de);
	if (dc && dc != FLINK_E_NOT_FOUND)
		log_msg(LOG_WARN, "confluent: could not delete statement %s before trying again: %s", name,
			de.message ? de.message : flink_strerror(dc));
	flink_error_release(&de);
	return wait;
}

/* Logs the retry and sleeps `secs` in short steps, so that Ctrl-C ends the wait; false if it did */
static bool wait_to_retry(struct adapter_conn *c, const char *name, const struct flink_error *e, int secs,
			  int attempt)
{
	log_msg(LOG_WARN, "confluent: statement %s: %s; trying again in %d s (attempt %d)", name,
		e->root_cause ? e->root_cause : e->message ? e->message : flink_strerror(e->code), secs, attempt + 1);
	struct timespec step = {.tv_sec = 0, .tv_nsec = 100000000};
	for (int i = 0; i < secs * 10 && !c->cancelled; i++)
		nanosleep(&step, NULL);
	return !c->cancelled;
}

/* Runs one statement (with the model's statement properties); with fetch, its rows (at most limit,
 * -1 all) into *pres */
static int cc_run(struct adapter_conn *c, const char *sql, bool fetch, long limit, bool hidden,
		  const struct flink_kv *props, size_t nprops, const char *pool, struct adapter_result *pres,
		  struct arena *a, char **perr)
{
	struct adapter *ad = c->ad;
	if (c->cancelled)
		return fail(a, perr, "cancelled");
	struct adapter_result scratch;
	struct adapter_result *res = pres ? pres : &scratch;
	memset(res, 0, sizeof(*res));
	res->rows_affected = -1;
	const char *labels[2] = {ad->label, "hidden"};
	struct flink_cc_submit s = {
		.name = new_name(ad, a),
		.statement = sql,
		.labels = labels,
		.nlabels = hidden ? 2 : 1,
		.properties = props,
		.nproperties = nprops,
		.compute_pool_id = pool,
		/* bounded, point-in-time statements: what tables, tests and show need (§11) */
		.snapshot = true,
	};
	struct collect col = {.a = a, .fetch = fetch, .limit = limit, .res = res};
	struct flink_handler h = {.on_columns = on_columns, .on_row = on_row, .ud = &col,
				  .timeout_ms = ad->timeout_ms, .interrupt = &c->cancelled};
	struct flink_run_info info;
	struct flink_error e;
	flink_error_init(&e);
	log_msg(LOG_DEBUG, "confluent: statement %s: %s", s.name, sql);
	for (int attempt = 1; flink_cc_run(ad->cc, &s, &h, &info, &e); attempt++) {
		int wait = retry_after(ad, s.name, &e, attempt);
		if (wait < 0 || !wait_to_retry(c, s.name, &e, wait, attempt)) {
			int rc = fail_cc(a, perr, &e);
			flink_error_release(&e);
			VEC_FREE(&col.rows);
			return rc;
		}
		flink_error_release(&e);
		flink_error_init(&e);
		col.rows.n = 0;
		col.nrows = 0;
	}
	res->nrows = (size_t)col.nrows;
	res->rows = ARENA_ARRAY(a, value, col.rows.n ? col.rows.n : 1);
	if (col.rows.n)
		memcpy(res->rows, col.rows.v, col.rows.n * sizeof(value));
	VEC_FREE(&col.rows);
	res->message = info.is_query ? arena_sprintf(a, "SELECT %ld", info.rows) : "COMPLETED";
	return 0;
}

static int cc_execute(struct adapter_conn *c, const char *sql, bool fetch, long limit, struct adapter_result *pres,
		      struct arena *a, char **perr)
{
	struct flink_span *spans = NULL;
	size_t n = flink_split_statements(sql, &spans);
	if (pres) {
		memset(pres, 0, sizeof(*pres));
		pres->rows_affected = -1;
		pres->message = "OK";
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *stmt = arena_strndup(a, sql + spans[i].start, spans[i].len);
		bool last = i + 1 == n;
		rc = cc_run(c, stmt, last && fetch, last ? limit : -1, false, NULL, 0, NULL, last ? pres : NULL, a, perr);
		if (rc && n > 1 && perr && *perr)
			*perr = arena_sprintf(a, "%s\n  (statement %zu of %zu, line %u)", *perr, i + 1, n, spans[i].line);
	}
	free(spans);
	return rc;
}

/* ================================================================ catalog */

static const char *quote(const char *ident, struct arena *a)
{
	struct sb s = SB_INIT;
	sb_addc(&s, '`');
	for (const char *p = ident; *p; p++) {
		if (*p == '`')
			sb_addc(&s, '`');
		sb_addc(&s, *p);
	}
	sb_addc(&s, '`');
	const char *r = arena_strdup(a, s.buf);
	sb_release(&s);
	return r;
}

int adp_cc_query(struct adapter_conn *c, const char *sql, struct adapter_result *pres, struct arena *a, char **perr)
{
	return cc_run(c, sql, true, -1, true, NULL, 0, NULL, pres, a, perr);
}

const char *adp_cc_env(struct adapter_conn *c)
{
	return c->ad->env;
}

const char *adp_cc_db(struct adapter_conn *c)
{
	return c->ad->db;
}

bool adp_cc_pause(struct adapter_conn *c, long ms)
{
	struct timespec step = {.tv_sec = 0, .tv_nsec = 100000000};
	for (long t = 0; t < ms && !c->cancelled; t += 100)
		nanosleep(&step, NULL);
	return !c->cancelled;
}

const char *adp_cc_quote(const char *ident, struct arena *a)
{
	return quote(ident, a);
}

/* ================================================================ statements of models */

static const char *str_arg(value pos, value kw, size_t i, const char *name, struct arena *a)
{
	value v = val_undef();
	if (pos.type == V_LIST && i < pos.l->len)
		v = pos.l->items[i];
	else if (kw.type == V_DICT)
		v = val_dict_gets(kw, name);
	return v.type == V_UNDEF || v.type == V_NONE ? NULL : val_cstr(a, v);
}

static value pos_or_kw(value pos, value kw, size_t i, const char *name)
{
	if (pos.type == V_LIST && i < pos.l->len)
		return pos.l->items[i];
	return kw.type == V_DICT ? val_dict_gets(kw, name) : val_undef();
}

static value statement_dict(const flink_cc_statement *st, struct arena *a)
{
	value d = val_dict_new(a, 4);
	val_dict_sets(d, "name", val_str(arena_strdup(a, flink_cc_statement_name(st))));
	val_dict_sets(d, "phase", val_str(arena_strdup(a, flink_cc_statement_phase_text(st))));
	val_dict_sets(d, "detail", val_str(arena_strdup(a, flink_cc_statement_detail(st))));
	const char *sql = flink_cc_statement_sql(st);
	val_dict_sets(d, "sql", sql ? val_str(arena_strdup(a, sql)) : val_none());
	return d;
}

/*
 * The methods of macros/confluent/ (streaming_table) and of `sluice jobs`:
 *   list_statements()              the statements with the profile's label: [{name, phase, detail, sql}]
 *   submit_statement(name, sql, model, properties, compute_pool_id)
 *                                  a long-running statement (streaming, no snapshot) under a name of
 *                                  the caller's, waited for until it runs (or ended); an error when it
 *                                  failed
 *   run_statement(sql, properties, compute_pool_id)
 *                                  a bounded (snapshot) statement with the model's statement
 *                                  properties (and compute pool, none: the profile's), waited for
 *                                  until it ended: the table materialization
 *   delete_statement(name)         DELETE; a missing one counts as deleted
 *   stop_statement(name), resume_statement(name)   JSON Patch of spec.stopped
 */
static const char *const cc_methods[] = {"list_statements", "submit_statement", "run_statement", "delete_statement",
					 "stop_statement",  "resume_statement", "list_jobs",
					 "stop_job",        "job_details",      "job_management", NULL};

#define MODEL_LABEL "sluice-model."

/* `sluice jobs`: the statements of models (labelled sluice-model.<package>.<model> by
 * streaming_table) as jobs named "<package>.<model> [<hash>]", their phases as states */
static int list_jobs(struct adapter_conn *c, value *pout, struct arena *a, struct flink_error *e)
{
	flink_cc_statement **v = NULL;
	size_t n = 0;
	flink_code code = flink_cc_list(c->ad->cc, c->ad->label, &v, &n, e);
	if (code)
		return -1;
	*pout = val_list_new(a, n);
	for (size_t i = 0; i < n; i++) {
		const char *model = flink_cc_statement_label_like(v[i], MODEL_LABEL);
		const char *name = flink_cc_statement_name(v[i]);
		const char *dash = strrchr(name, '-');
		if (!model || !dash)
			continue;
		value d = val_dict_new(a, 4);
		val_dict_sets(d, "job_id", val_str(arena_strdup(a, name)));
		val_dict_sets(d, "name", val_str(arena_sprintf(a, "%s [%s]", model + strlen(MODEL_LABEL), dash + 1)));
		val_dict_sets(d, "status", val_str(arena_strdup(a, flink_cc_statement_phase_text(v[i]))));
		const char *at = flink_cc_statement_created_at(v[i]);
		val_dict_sets(d, "start_time", at ? val_str(arena_strdup(a, at)) : val_none());
		val_list_push(*pout, d);
	}
	flink_cc_list_free(v, n);
	return 0;
}

static int cc_call(struct adapter_conn *c, const char *method, value pos, value kw, value *pout, bool *pfound,
		   struct arena *a, char **perr)
{
	struct adapter *ad = c->ad;
	struct flink_error e;
	flink_error_init(&e);
	*pfound = true;
	*pout = val_none();
	flink_code code = FLINK_OK;
	if (!strcmp(method, "list_statements")) {
		flink_cc_statement **v = NULL;
		size_t n = 0;
		code = flink_cc_list(ad->cc, ad->label, &v, &n, &e);
		if (!code) {
			*pout = val_list_new(a, n);
			for (size_t i = 0; i < n; i++)
				val_list_push(*pout, statement_dict(v[i], a));
			flink_cc_list_free(v, n);
		}
	} else if (!strcmp(method, "submit_statement")) {
		const char *name = str_arg(pos, kw, 0, "name", a), *sql = str_arg(pos, kw, 1, "sql", a);
		if (!name || !sql)
			return fail(a, perr, "adapter.submit_statement(name, sql) needs both");
		const char *model = str_arg(pos, kw, 2, "model", a);
		const char *labels[2] = {ad->label, model ? arena_sprintf(a, MODEL_LABEL "%s", model) : NULL};
		struct flink_kv *props;
		size_t nprops;
		if (cc_statement_properties(pos_or_kw(pos, kw, 3, "properties"), a, &props, &nprops, perr))
			return -1;
		struct flink_cc_submit s = {.name = name, .statement = sql, .labels = labels, .nlabels = model ? 2 : 1,
					    .properties = props, .nproperties = nprops,
					    .compute_pool_id = str_arg(pos, kw, 4, "compute_pool_id", a)};
		flink_cc_statement *st = NULL;
		log_msg(LOG_DEBUG, "confluent: statement %s: %s", name, sql);
		for (int attempt = 1;; attempt++) {
			code = flink_cc_submit(ad->cc, &s, &st, &e);
			if (!code)
				code = flink_cc_wait(ad->cc, st, true, ad->timeout_ms, &c->cancelled, &e);
			if (!code)
				*pout = statement_dict(st, a);
			flink_cc_statement_free(st);
			st = NULL;
			int wait = code ? retry_after(ad, name, &e, attempt) : -1;
			if (wait < 0 || !wait_to_retry(c, name, &e, wait, attempt))
				break;
			flink_error_release(&e);
			flink_error_init(&e);
		}
	} else if (!strcmp(method, "run_statement")) {
		const char *sql = str_arg(pos, kw, 0, "sql", a);
		struct flink_kv *props;
		size_t nprops;
		if (!sql)
			return fail(a, perr, "adapter.run_statement(sql, properties) needs the SQL");
		if (cc_statement_properties(pos_or_kw(pos, kw, 1, "properties"), a, &props, &nprops, perr))
			return -1;
		struct adapter_result r;
		if (cc_run(c, sql, false, -1, false, props, nprops, str_arg(pos, kw, 2, "compute_pool_id", a), &r, a, perr))
			return -1;
		*pout = val_str(r.message ? r.message : "OK");
		return 0;
	} else if (!strcmp(method, "delete_statement") || !strcmp(method, "stop_statement") ||
		   !strcmp(method, "resume_statement")) {
		const char *name = str_arg(pos, kw, 0, "name", a);
		if (!name)
			return fail(a, perr, "adapter.%s(name) needs a name", method);
		code = method[0] == 'd' ? flink_cc_delete(ad->cc, name, &e)
		       : method[0] == 's' ? flink_cc_stop(ad->cc, name, &e) : flink_cc_resume(ad->cc, name, &e);
	} else if (!strcmp(method, "list_jobs")) {
		if (list_jobs(c, pout, a, &e))
			code = e.code ? e.code : FLINK_E_PROTOCOL;
	} else if (!strcmp(method, "stop_job")) {
		const char *name = str_arg(pos, kw, 0, "job_id", a);
		value sp = pos.type == V_LIST && pos.l->len > 1 ? pos.l->items[1] : val_dict_gets(kw, "savepoint");
		if (val_truthy(sp))
			return fail(a, perr, "Confluent Cloud takes no savepoints: a stopped statement keeps its state; "
					     "stop without --savepoint, and the next sluice run submits the statement again");
		if (!name)
			return fail(a, perr, "adapter.stop_job(job_id) needs the statement's name");
		code = flink_cc_stop(ad->cc, name, &e);
	} else if (!strcmp(method, "job_details") || !strcmp(method, "job_management")) {
		/* nothing beyond the statement's phase; statements can always be listed and stopped */
		return 0;
	} else {
		*pfound = false;
		return 0;
	}
	if (code) {
		int rc = fail_cc(a, perr, &e);
		flink_error_release(&e);
		return rc;
	}
	return 0;
}

/* ================================================================ open and close */

static int cc_open(struct adapter **pad, value target, const char *project_root, struct arena *a, char **perr)
{
	(void)project_root;
	*pad = NULL;
	if (target.type != V_DICT)
		return fail(a, perr, "the confluent profile target must be a mapping");
	struct adapter *ad = xcalloc(1, sizeof(*ad));
	arena_init(&ad->arena, 2048);
	struct arena *aa = &ad->arena;
	struct flink_cc_options o;
	flink_cc_options_init(&o);
	o.organization_id = str_field(target, "organization_id", aa);
	o.environment_id = str_field(target, "environment_id", aa);
	o.database = str_field(target, "dbname", aa);
	if (!o.database)
		o.database = str_field(target, "schema", aa);
	o.endpoint = str_field(target, "endpoint", aa);
	o.cloud_provider = str_field(target, "cloud_provider", aa);
	o.cloud_region = str_field(target, "cloud_region", aa);
	o.compute_pool_id = str_field(target, "compute_pool_id", aa);
	/* the global key wins when both are given, as in dbt-confluent's driver */
	const char *gk = str_field(target, "global_api_key", aa), *gs = str_field(target, "global_api_secret", aa);
	const char *fk = str_field(target, "flink_api_key", aa), *fs = str_field(target, "flink_api_secret", aa);
	o.api_key = gk ? gk : fk;
	o.api_secret = gk ? gs : fs;
	o.bearer_token = str_field(target, "oauth_token", aa);
	o.identity_pool_id = str_field(target, "identity_pool_id", aa);
	if (gs)
		log_add_secret(gs);
	if (fs)
		log_add_secret(fs);
	if (o.bearer_token)
		log_add_secret(o.bearer_token);
	o.user_agent = "Sluice-Confluent/" SLUICE_VERSION;
	o.log = adp_flink_log;
	value pi = val_dict_gets(target, "poll_interval_ms");
	if (pi.type == V_INT && pi.i > 0) {
		o.poll_initial_ms = (long)pi.i;
		o.poll_max_ms = (long)pi.i * 30;
	}
	value to = val_dict_gets(target, "statement_timeout");
	ad->timeout_ms = to.type == V_INT && to.i > 0 ? (long)to.i * 1000 : 0;
	ad->env = o.environment_id;
	ad->db = o.database;
	ad->prefix = str_field(target, "statement_name_prefix", aa);
	if (!ad->prefix)
		ad->prefix = "dbt-";
	ad->label = str_field(target, "statement_label", aa);
	if (!ad->label)
		ad->label = "dbt-confluent";
	ad->mode = str_field(target, "execution_mode", aa);
	if (!ad->mode)
		ad->mode = "streaming_query";
	static const char *const modes[] = {"snapshot", "snapshot_ddl", "streaming_query", "streaming_ddl", NULL};
	bool mode_ok = false;
	for (int i = 0; modes[i]; i++)
		mode_ok = mode_ok || !strcmp(ad->mode, modes[i]);
	int rc = -1;
	if (!mode_ok) {
		fail(a, perr, "execution_mode '%s' of the confluent profile is not one of snapshot, snapshot_ddl, "
			      "streaming_query, streaming_ddl", ad->mode);
		goto out;
	}
	if (!ad->db) {
		fail(a, perr, "the confluent profile needs dbname: the Kafka cluster that is the Flink database");
		goto out;
	}
	if (!o.api_key && !o.bearer_token) {
		fail(a, perr, "the confluent profile needs flink_api_key and flink_api_secret (or global_api_key and "
			      "global_api_secret, or oauth_token and identity_pool_id)");
		goto out;
	}
	struct flink_error e;
	flink_error_init(&e);
	if (flink_cc_connect(&o, &ad->cc, &e)) {
		fail(a, perr, "confluent profile: %s", e.message ? e.message : flink_strerror(e.code));
		flink_error_release(&e);
		goto out;
	}
	rc = 0;
out:
	if (rc) {
		arena_release(&ad->arena);
		free(ad);
		return -1;
	}
	*pad = ad;
	return 0;
}

flink_cc *adp_confluent_cc(struct adapter *ad, const char **pprefix, const char **plabel)
{
	*pprefix = ad->prefix;
	*plabel = ad->label;
	return ad->cc;
}

static void cc_close(struct adapter *ad)
{
	if (!ad)
		return;
	flink_cc_free(ad->cc);
	arena_release(&ad->arena);
	free(ad);
}

static int cc_open_conn(struct adapter *ad, struct adapter_conn **pconn, struct arena *a, char **perr)
{
	(void)a;
	(void)perr;
	struct adapter_conn *c = xcalloc(1, sizeof(*c));
	c->ad = ad;
	*pconn = c;
	return 0;
}

static void cc_close_conn(struct adapter_conn *c)
{
	free(c);
}

static void cc_cancel(struct adapter_conn *c)
{
	c->cancelled = 1;
}

static int cc_noop_tx(struct adapter_conn *c, struct arena *a, char **perr)
{
	/* no transactions on Confluent Cloud (§15) */
	(void)c;
	(void)a;
	(void)perr;
	return 0;
}

static const char *cc_default_database(struct adapter *ad)
{
	return ad->env;
}

static const char *cc_default_schema(struct adapter *ad)
{
	return ad->db;
}

static void cc_describe(struct adapter *ad, void (*line)(void *ud, const char *text), void *ud)
{
	char buf[512];
	snprintf(buf, sizeof buf, "  endpoint: %s", flink_cc_base_url(ad->cc));
	line(ud, buf);
	snprintf(buf, sizeof buf, "  environment: %s, database: %s, execution_mode: %s", ad->env, ad->db, ad->mode);
	line(ud, buf);
}

const struct adapter_vtable adapter_confluent = {
	.type = "confluent",
	.open = cc_open,
	.close = cc_close,
	.open_conn = cc_open_conn,
	.close_conn = cc_close_conn,
	.execute = cc_execute,
	.begin = cc_noop_tx,
	.commit = cc_noop_tx,
	.rollback = cc_noop_tx,
	.get_relation = adp_cc_get_relation,
	.get_columns = adp_cc_get_columns,
	.list_relations = adp_cc_list_relations,
	.create_schema = adp_cc_create_schema,
	.catalog = adp_cc_catalog,
	.quote = quote,
	.default_database = cc_default_database,
	.default_schema = cc_default_schema,
	.load_csv = NULL,
	.cancel = cc_cancel,
	.describe = cc_describe,
	.methods = cc_methods,
	.call = cc_call,
	.parent = "flink",
};
