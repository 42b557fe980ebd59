/*
 * The Flink adapter: `type: flink` profiles, run through the Flink SQL Gateway with the client
 * library of include/sluice/flink.h. Relations are `catalog`.`database`.`table` (dbt's database
 * and schema are Flink's catalog and database).
 *
 * DESIGN
 *  - One gateway session per run, shared by every connection: in Flink's default in-memory catalog
 *    a table exists only in the session that created it, so models built on different threads must
 *    see each other's tables. The gateway runs one statement at a time per session anyway; `lock`
 *    serialises ours, and streaming jobs do not hold it (an INSERT returns once it is submitted).
 *  - A session starts by creating the catalogs of the profile (`catalogs:`), then USE of the target
 *    catalog and database. Whether the target catalog forgets its tables with the session
 *    (default_catalog, generic_in_memory) decides catalog_is_session_scoped(): the runner then
 *    declares the project's relations again in each new session.
 *  - Data tests get a session of their own (begin_test_session) in batch mode, where Flink refuses
 *    unbounded scans, and with a time limit on every statement: a test that cannot finish is an
 *    error, never a pass.
 *  - execute() cuts the SQL into statements (flink_split_statements) and sends them one by one,
 *    since the gateway takes one statement a request. A DML statement's result is its job id,
 *    reported as the statement's message ("JOB <id>").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapters/flink/flink_adapter.h"
#include "adapters/flink/internal.h"
#include "core/log.h"
#include "core/sb.h"
#include "core/vec.h"

/* ================================================================ small helpers */

int adp_flink_fail(struct arena *a, char **perr, const char *fmt, ...)
{
	struct sb s = SB_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&s, fmt, ap);
	va_end(ap);
	if (perr)
		*perr = sb_to_arena(&s, a);
	sb_release(&s);
	return -1;
}

const char *adp_flink_quote(const char *ident, struct arena *a)
{
	struct sb s = SB_INIT;
	sb_addc(&s, '`');
	for (const char *p = ident; *p; p++) {
		if (*p == '`')
			sb_addc(&s, '`');
		sb_addc(&s, *p);
	}
	sb_addc(&s, '`');
	char *r = sb_to_arena(&s, a);
	sb_release(&s);
	return r;
}

void adp_flink_add_sql_string(struct sb *s, const char *str)
{
	sb_addc(s, '\'');
	for (const char *p = str; *p; p++) {
		if (*p == '\'')
			sb_addc(s, '\'');
		sb_addc(s, *p);
	}
	sb_addc(s, '\'');
}

const char *adp_flink_db_path(struct arena *a, const char *catalog, const char *database)
{
	return arena_sprintf(a, "%s.%s", adp_flink_quote(catalog, a), adp_flink_quote(database, a));
}

bool adp_flink_version_at_least(const struct adapter *ad, int major, int minor)
{
	return ad->major > major || (ad->major == major && ad->minor >= minor);
}

const char *adp_flink_cell(const struct adapter_result *r, size_t row, size_t col, struct arena *a)
{
	if (row >= r->nrows || col >= r->ncols)
		return NULL;
	value v = r->rows[row * r->ncols + col];
	if (v.type == V_NONE || v.type == V_UNDEF)
		return NULL;
	return val_cstr(a, v);
}

long adp_flink_col_index(const struct adapter_result *r, const char *name)
{
	for (size_t i = 0; i < r->ncols; i++)
		if (!strcasecmp(r->cols[i].name, name))
			return (long)i;
	return -1;
}

/* The simple class name of "org.apache.flink.table.api.ValidationException: msg" */
static void add_cause(struct sb *s, const char *cause)
{
	const char *colon = strstr(cause, ": ");
	const char *cls_end = colon ? colon : cause + strlen(cause);
	const char *dot = NULL;
	for (const char *p = cause; p < cls_end; p++)
		if (*p == '.')
			dot = p;
	bool is_class = colon && dot;
	for (const char *p = cause; p < cls_end && is_class; p++)
		if (*p == ' ')
			is_class = false;
	if (is_class)
		sb_addf(s, "%.*s: %s", (int)(cls_end - dot - 1), dot + 1, colon + 2);
	else
		sb_adds(s, cause);
}

/* "\n  in statement: <the statement on one line, shortened>": the whole SQL is in target/run/ */
static void add_statement(struct sb *s, const char *stmt)
{
	if (!stmt || !*stmt)
		return;
	sb_adds(s, "\n  in statement: ");
	size_t n = 0;
	bool blank = false;
	for (const char *p = stmt; *p && n < 240; p++) {
		bool sp = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r';
		if (sp && (blank || n == 0))
			continue;
		sb_addc(s, sp ? ' ' : *p);
		blank = sp;
		n++;
	}
	if (strlen(stmt) > 240)
		sb_adds(s, " ...");
}

/* Text of a failure: the gateway's root cause (or message) and the statement */
static char *adp_flink_error_text(const struct flink_error *e, struct arena *a)
{
	struct sb s = SB_INIT;
	if (e->root_cause && *e->root_cause) {
		add_cause(&s, e->root_cause);
		/* Flink lists every supported option or expected token: the first lines say it */
		size_t lines = 0;
		for (size_t i = 0; i < s.len; i++) {
			if (s.buf[i] == '\n' && ++lines == 24) {
				sb_setlen(&s, i);
				sb_adds(&s, "\n...");
				break;
			}
		}
	} else
		sb_adds(&s, e->message ? e->message : flink_strerror(e->code));
	add_statement(&s, e->statement);
	char *r = sb_to_arena(&s, a);
	sb_release(&s);
	log_redact(r);
	return r;
}

static int fail_flink(struct arena *a, char **perr, const char *what, struct flink_error *e)
{
	char *text = adp_flink_error_text(e, a);
	adp_flink_fail(a, perr, "%s%s%s", what ? what : "", what ? ": " : "", text);
	flink_error_release(e);
	return -1;
}

/* ================================================================ profile */

static const char *str_field(value target, const char *key, struct arena *a)
{
	value v = val_dict_gets(target, key);
	if (v.type == V_STR)
		return v.s;
	if (v.type == V_INT || v.type == V_FLOAT || v.type == V_BOOL)  /* port: 8083 as a YAML integer */
		return val_cstr(a, val_to_str(a, v));
	return NULL;
}

/* seconds (int or float) -> ms; dflt when absent; -1 on a bad value */
static long seconds_field(value target, const char *key, long dflt_ms)
{
	value v = val_dict_gets(target, key);
	if (v.type == V_INT)
		return v.i < 0 ? -1 : (long)(v.i * 1000);
	if (v.type == V_FLOAT)
		return v.f < 0 ? -1 : (long)(v.f * 1000);
	if (v.type == V_STR) {
		char *end;
		double d = strtod(v.s, &end);
		return end == v.s || *end || d < 0 ? -1 : (long)(d * 1000);
	}
	return dflt_ms;
}

static bool bool_field(value target, const char *key, bool dflt)
{
	value v = val_dict_gets(target, key);
	if (v.type == V_BOOL)
		return v.b;
	if (v.type == V_STR)
		return !strcasecmp(v.s, "true") || !strcasecmp(v.s, "yes") || !strcmp(v.s, "1");
	if (v.type == V_INT)
		return v.i != 0;
	return dflt;
}

/* A mapping of the profile as Flink options: 'key' = 'value' strings */
static int options_of(value dict, const char *what, struct flink_kv **pkv, size_t *pn, struct arena *a,
		      char **perr)
{
	*pkv = NULL;
	*pn = 0;
	if (dict.type == V_UNDEF || dict.type == V_NONE)
		return 0;
	if (dict.type != V_DICT)
		return adp_flink_fail(a, perr, "'%s' in the flink profile must be a mapping of option to value", what);
	struct flink_kv *kv = ARENA_ARRAY(a, struct flink_kv, dict.d->len + 1);
	for (uint32_t i = 0; i < dict.d->len; i++) {
		value k = dict.d->e[i].key, v = dict.d->e[i].val;
		if (k.type != V_STR)
			return adp_flink_fail(a, perr, "'%s' in the flink profile: option names must be strings", what);
		if (v.type == V_DICT || v.type == V_LIST)
			return adp_flink_fail(a, perr, "'%s.%s' in the flink profile must be a string, a number or a boolean", what,
				       k.s);
		kv[i].key = k.s;
		kv[i].value = v.type == V_BOOL ? (v.b ? "true" : "false") : v.type == V_NONE ? "" : val_cstr(a, v);
	}
	*pkv = kv;
	*pn = dict.d->len;
	return 0;
}

/* One entry of `catalogs:` (name + properties) into a CREATE CATALOG statement */
static int catalog_def(value name, value body, struct adp_flink_catalog_def *def, struct arena *a, char **perr)
{
	if (name.type != V_STR || !*name.s)
		return adp_flink_fail(a, perr, "every entry of 'catalogs' in the flink profile needs a 'name'");
	value props = body.type == V_DICT && val_dict_gets(body, "properties").type == V_DICT
			      ? val_dict_gets(body, "properties")
			      : body;
	struct flink_kv *kv;
	size_t n;
	if (options_of(props, arena_sprintf(a, "catalogs.%s", name.s), &kv, &n, a, perr) < 0)
		return -1;
	struct sb s = SB_INIT;
	sb_addf(&s, "CREATE CATALOG %s WITH (", adp_flink_quote(name.s, a));
	const char *type = NULL;
	size_t written = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(kv[i].key, "name") || !strcmp(kv[i].key, "properties"))
			continue;
		if (!strcmp(kv[i].key, "type"))
			type = kv[i].value;
		sb_adds(&s, written++ ? ", " : "");
		adp_flink_add_sql_string(&s, kv[i].key);
		sb_adds(&s, " = ");
		adp_flink_add_sql_string(&s, kv[i].value);
	}
	sb_addc(&s, ')');
	if (!type) {
		sb_release(&s);
		return adp_flink_fail(a, perr, "catalog '%s' in the flink profile has no 'type' (e.g. hive, paimon, jdbc, generic_in_memory)",
			       name.s);
	}
	def->name = name.s;
	def->ddl = sb_to_arena(&s, a);
	def->persistent = strcmp(type, "generic_in_memory") != 0;
	sb_release(&s);
	return 0;
}

static int parse_catalogs(struct adapter *ad, value v, struct arena *a, char **perr)
{
	if (v.type == V_UNDEF || v.type == V_NONE)
		return 0;
	size_t n = v.type == V_LIST ? v.l->len : v.type == V_DICT ? v.d->len : 0;
	if (v.type != V_LIST && v.type != V_DICT)
		return adp_flink_fail(a, perr, "'catalogs' in the flink profile must be a list of {name, properties} or a mapping");
	ad->catalogs = ARENA_ARRAY(&ad->arena, struct adp_flink_catalog_def, n + 1);
	for (size_t i = 0; i < n; i++) {
		value name = v.type == V_LIST ? val_dict_gets(v.l->items[i], "name") : v.d->e[i].key;
		value body = v.type == V_LIST ? v.l->items[i] : v.d->e[i].val;
		if (v.type == V_LIST && body.type != V_DICT)
			return adp_flink_fail(a, perr, "every entry of 'catalogs' in the flink profile must be a mapping");
		if (catalog_def(name, body, &ad->catalogs[i], &ad->arena, perr) < 0)
			return -1;
	}
	ad->ncatalogs = n;
	return 0;
}

/* ================================================================ sessions */

void adp_flink_log(void *ud, int level, const char *line)
{
	(void)ud;
	log_msg(level >= 2 ? LOG_WARN : LOG_DEBUG, "flink: %s", line);
}

/* Runs a statement to its end on session s (no rows kept); 0 or -1 */
static int run_plain(struct adapter *ad, flink_session *s, const char *sql, struct arena *a, char **perr,
		     struct flink_error *perr_out)
{
	struct flink_error e;
	flink_error_init(&e);
	struct flink_handler h = {.timeout_ms = ad->statement_timeout_ms};
	if (flink_statement_run(s, sql, NULL, &h, NULL, &e) != FLINK_OK) {
		if (perr_out) {
			*perr_out = e;
			return -1;
		}
		return fail_flink(a, perr, NULL, &e);
	}
	return 0;
}

static bool mentions(const struct flink_error *e, const char *text)
{
	return (e->root_cause && strstr(e->root_cause, text)) || (e->message && strstr(e->message, text)) ||
	       (e->server_trace && strstr(e->server_trace, text));
}

/* A new session with the profile's properties (and `extra`), its catalogs created and the target
 * catalog and database in use */
static int open_session(struct adapter *ad, const struct flink_kv *extra, size_t nextra, flink_session **ps,
			struct arena *a, char **perr)
{
	*ps = NULL;
	size_t n = ad->nprops + nextra;
	struct flink_kv *kv = ARENA_ARRAY(a, struct flink_kv, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < ad->nprops; i++) {
		bool overridden = false;
		for (size_t j = 0; j < nextra && !overridden; j++)
			overridden = !strcmp(extra[j].key, ad->props[i].key);
		if (!overridden)
			kv[k++] = ad->props[i];
	}
	for (size_t j = 0; j < nextra; j++)
		kv[k++] = extra[j];
	struct flink_error e;
	flink_error_init(&e);
	flink_session *s;
	if (flink_session_open(ad->client, ad->session_name, kv, k, &s, &e) != FLINK_OK)
		return fail_flink(a, perr, "unable to open a session on the Flink SQL Gateway", &e);
	for (size_t i = 0; i < ad->ncatalogs; i++) {
		if (run_plain(ad, s, ad->catalogs[i].ddl, a, perr, &e) < 0) {
			/* a catalog store may know it already: that is the catalog we want */
			bool exists = mentions(&e, "already exists");
			if (!exists) {
				fail_flink(a, perr, arena_sprintf(a, "unable to create the catalog '%s'", ad->catalogs[i].name), &e);
				goto fail;
			}
			flink_error_release(&e);
		}
	}
	if (strcmp(ad->catalog, "default_catalog") &&
	    run_plain(ad, s, arena_sprintf(a, "USE CATALOG %s", adp_flink_quote(ad->catalog, a)), a, perr, NULL) < 0)
		goto fail;
	if (run_plain(ad, s, arena_sprintf(a, "USE %s", adp_flink_db_path(a, ad->catalog, ad->database)), a, perr, &e) < 0) {
		flink_error_release(&e);
		/* the target database does not exist yet: dbt creates schemas it builds in */
		if (run_plain(ad, s, arena_sprintf(a, "CREATE DATABASE IF NOT EXISTS %s", adp_flink_db_path(a, ad->catalog, ad->database)),
			      a, perr, NULL) < 0 ||
		    run_plain(ad, s, arena_sprintf(a, "USE %s", adp_flink_db_path(a, ad->catalog, ad->database)), a, perr, NULL) < 0)
			goto fail;
	}
	*ps = s;
	return 0;
fail:
	flink_error_init(&e);
	(void)flink_session_close(s, &e);
	flink_error_release(&e);
	return -1;
}

flink_session *adp_flink_session(struct adapter *ad)
{
	return ad->session;
}

/* The session statements of conn go to, and the lock to take around each (NULL for a session of
 * its own, or while the connection holds the lock already) */
static flink_session *adp_flink_session_of(struct adapter_conn *c, pthread_mutex_t **plock)
{
	if (c->own) {
		*plock = NULL;
		return c->own;
	}
	*plock = c->holding ? NULL : &c->ad->lock;
	return c->ad->session;
}

/* ================================================================ statements */

struct collect {
	struct arena *a;
	bool fetch;
	struct adapter_result *res;
	VEC(value) rows;
};

void adp_flink_columns(struct adapter_result *r, const struct flink_column *cols, size_t ncols, struct arena *a)
{
	r->ncols = ncols;
	r->cols = ARENA_ARRAY(a, struct adapter_column, ncols ? ncols : 1);
	for (size_t i = 0; i < ncols; i++) {
		char buf[256];
		size_t need = flink_type_format(cols[i].type, buf, sizeof buf);
		char *type = need < sizeof buf ? arena_strdup(a, buf) : arena_alloc(a, need + 1);
		if (need >= sizeof buf)
			(void)flink_type_format(cols[i].type, type, need + 1);
		r->cols[i].name = arena_strdup(a, cols[i].name);
		r->cols[i].type = type;
		r->cols[i].comment = cols[i].comment ? arena_strdup(a, cols[i].comment) : NULL;
	}
}

static int on_columns(void *ud, const struct flink_column *cols, size_t ncols, const char *job_id, bool is_query)
{
	(void)job_id;
	(void)is_query;
	struct collect *c = ud;
	adp_flink_columns(c->res, cols, ncols, c->a);
	return 0;
}

value adp_flink_value(const struct flink_value *v, struct arena *a)
{
	switch (v->kind) {
	case FLINK_V_NULL: return val_none();
	case FLINK_V_BOOL: return val_bool(v->b);
	case FLINK_V_INT: return val_int(v->i);
	case FLINK_V_NUMBER: {
		char *end;
		double d = strtod(v->text, &end);
		return *end ? val_str_dup(a, v->text, v->len) : val_float(d);
	}
	case FLINK_V_STRING:
	case FLINK_V_JSON: return val_str_dup(a, v->text, v->len);
	}
	return val_none();
}

static int on_row(void *ud, const struct flink_row *row, size_t ncols)
{
	struct collect *c = ud;
	if (!c->fetch)
		return 0;
	/* a changelog is kept as it comes: the row kind is not a column, and batch results are all
	 * INSERT rows */
	for (size_t i = 0; i < ncols; i++)
		VEC_PUSH(&c->rows, adp_flink_value(&row->fields[i], c->a));
	return 0;
}

/* SELECT, WITH, VALUES, or one of them in parentheses, past comments */
static bool is_query_text(const char *s)
{
	for (;;) {
		while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r' || *s == '(')
			s++;
		if (s[0] == '-' && s[1] == '-')
			s += strcspn(s, "\n");
		else if (s[0] == '/' && s[1] == '*' && strstr(s + 2, "*/"))
			s = strstr(s + 2, "*/") + 2;
		else
			break;
	}
	static const char *const words[] = {"select", "with", "values", NULL};
	for (const char *const *w = words; *w; w++) {
		size_t n = strlen(*w);
		if (!strncasecmp(s, *w, n) && (s[n] == ' ' || s[n] == '\n' || s[n] == '\t' || s[n] == '(' || s[n] == '\r'))
			return true;
	}
	return false;
}

int adp_flink_run(struct adapter_conn *c, const char *sql, const struct flink_kv *config, size_t nconfig, bool fetch,
	   long limit, struct adapter_result *pres, const char **pjob, struct arena *a, char **perr)
{
	struct adapter_result tmp;
	struct adapter_result *res = pres ? pres : &tmp;
	memset(res, 0, sizeof(*res));
	res->rows_affected = -1;
	struct collect col = {.a = a, .fetch = fetch && pres, .res = res};
	pthread_mutex_t *lock;
	flink_session *s = adp_flink_session_of(c, &lock);
	/* a query over an unbounded source never ends in streaming mode: a query whose rows a macro
	 * waits for (run_query) gets a limit, so that it fails instead of hanging */
	bool query = fetch && !c->own && is_query_text(sql);
	long limit_ms = c->own ? c->timeout_ms : c->ad->statement_timeout_ms;
	if (query && c->ad->query_timeout_ms && (!limit_ms || c->ad->query_timeout_ms < limit_ms))
		limit_ms = c->ad->query_timeout_ms;
	struct flink_handler h = {
		.on_columns = on_columns,
		.on_row = on_row,
		.ud = &col,
		.max_rows = fetch && limit >= 0 ? (limit == 0 ? 1 : limit) : 0,
		.timeout_ms = limit_ms,
		.interrupt = &c->cancelled,
	};
	/* a test session reads its tables bounded in batch mode, which Flink refuses for a table
	 * whose source produces updates (DynamicSourceUtils): its queries then run in streaming mode
	 * over the same bounded tables, and the changelog is folded into the final rows, a
	 * point-in-time snapshot */
	bool snapshot = c->own && c->changelog_tables && is_query_text(sql);
	struct flink_kv streaming[] = {{"execution.runtime-mode", "streaming"}};
	if (snapshot && !nconfig) {
		config = streaming;
		nconfig = 1;
	}
	h.snapshot = snapshot;
	struct flink_exec_options eo = {config, nconfig};
	struct flink_run_info info;
	memset(&info, 0, sizeof info);
	struct flink_error e;
	flink_error_init(&e);
	if (lock)
		pthread_mutex_lock(lock);
	flink_code rc = flink_statement_run(s, sql, nconfig ? &eo : NULL, &h, &info, &e);
	if (lock)
		pthread_mutex_unlock(lock);
	if (rc != FLINK_OK) {
		VEC_FREE(&col.rows);
		if (rc == FLINK_E_INTERRUPTED && c->cancelled) {
			flink_error_release(&e);
			return adp_flink_fail(a, perr, "the statement was cancelled (interrupt)");
		}
		if (rc == FLINK_E_TIMEOUT && h.timeout_ms > 0) {
			struct sb msg = SB_INIT;
			sb_addf(&msg, "the statement did not finish within %.0f s (timeout)", h.timeout_ms / 1000.0);
			add_statement(&msg, e.statement);
			if (c->own && c->unbounded_tables)
				sb_addf(&msg, "\n  the test session reads %s, which cannot be read to an end: give "
						    "it a bounded mode (test_connector_properties) or test a bounded source",
					      c->unbounded_tables);
			else if (snapshot)
				sb_addf(&msg, "\n  hint: the query reads changelog tables (%s) in streaming mode, "
						    "so it ends only when every table it reads is bounded", c->changelog_tables);
			if (query && h.timeout_ms == c->ad->query_timeout_ms)
				sb_adds(&msg, "\n  hint: a query over an unbounded source never ends in streaming mode: read the "
						  "table bounded (e.g. 'scan.bounded.mode' = 'latest-offset' in an OPTIONS hint), run "
						  "it in batch mode, or raise query_timeout in the profile");
			*perr = sb_to_arena(&msg, a);
			sb_release(&msg);
			log_redact(*perr);
			flink_error_release(&e);
			return -1;
		}
		bool unbounded = c->own && c->unbounded_tables && mentions(&e, "Querying an unbounded table");
		fail_flink(a, perr, NULL, &e);
		if (unbounded)
			*perr = arena_sprintf(a, "%s\n  the test session reads %s, which cannot be read to an end", *perr,
					      c->unbounded_tables);
		return -1;
	}
	size_t nrows = res->ncols ? col.rows.n / res->ncols : 0;
	if (fetch && limit == 0)
		nrows = 0;
	res->nrows = nrows;
	res->rows = ARENA_ARRAY(a, value, col.rows.n ? col.rows.n : 1);
	if (col.rows.n)
		memcpy(res->rows, col.rows.v, col.rows.n * sizeof(value));
	VEC_FREE(&col.rows);
	const char *job = info.job_id[0] ? arena_strdup(a, info.job_id) : NULL;
	if (pjob)
		*pjob = job;
	res->message = job ? arena_sprintf(a, "JOB %s", job)
		       : info.is_query ? arena_sprintf(a, "SELECT %ld", info.rows) : "OK";
	return 0;
}

static int adp_flink_execute(struct adapter_conn *c, const char *sql, bool fetch, long limit, struct adapter_result *pres,
		      struct arena *a, char **perr)
{
	struct flink_span *spans = NULL;
	size_t n = flink_split_statements(sql, &spans);
	if (n == 0) {
		free(spans);
		if (pres) {
			memset(pres, 0, sizeof(*pres));
			pres->rows_affected = -1;
			pres->message = "OK";
		}
		return 0;
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *stmt = arena_strndup(a, sql + spans[i].start, spans[i].len);
		bool last = i + 1 == n;
		rc = adp_flink_run(c, stmt, NULL, 0, last && fetch, last ? limit : -1, last ? pres : NULL, NULL, a, perr);
		if (rc && n > 1 && perr && *perr)
			*perr = arena_sprintf(a, "%s\n  (statement %zu of %zu, line %u)", *perr, i + 1, n, spans[i].line);
	}
	free(spans);
	return rc;
}

/* ================================================================ open and close */

static void adp_flink_close(struct adapter *ad)
{
	if (!ad)
		return;
	if (ad->session) {
		struct flink_error e;
		flink_error_init(&e);
		(void)flink_session_close(ad->session, &e);
		flink_error_release(&e);
	}
	if (ad->client)
		flink_client_free(ad->client);
	pthread_mutex_destroy(&ad->lock);
	arena_release(&ad->arena);
	free(ad);
}

static int parse_version(struct adapter *ad)
{
	const char *v = ad->version ? ad->version : "";
	char *end;
	long major = strtol(v, &end, 10);
	long minor = *end == '.' ? strtol(end + 1, NULL, 10) : 0;
	ad->major = (int)major;
	ad->minor = (int)minor;
	return 0;
}

static int adp_flink_open(struct adapter **pad, value target, const char *project_root, struct arena *a, char **perr)
{
	(void)project_root;
	*pad = NULL;
	if (target.type != V_DICT)
		return adp_flink_fail(a, perr, "the flink profile target must be a mapping");
	struct adapter *ad = xcalloc(1, sizeof(*ad));
	arena_init(&ad->arena, 4096);
	pthread_mutex_init(&ad->lock, NULL);
	struct arena *aa = &ad->arena;
	int rc = -1;

	/* where: url, or host/port/https/path */
	const char *url = str_field(target, "url", aa);
	if (!url) {
		const char *host = str_field(target, "host", aa);
		const char *port = str_field(target, "port", aa);
		const char *path = str_field(target, "path", aa);
		bool https = bool_field(target, "https", false);
		if (!host || !*host)
			host = "127.0.0.1";
		url = arena_sprintf(aa, "%s://%s:%s%s%s", https ? "https" : "http", host, port ? port : "8083",
				    path && path[0] != '/' && path[0] ? "/" : "", path ? path : "");
	}
	ad->catalog = str_field(target, "catalog", aa);
	ad->database = str_field(target, "database", aa);
	if (!ad->database)
		ad->database = str_field(target, "schema", aa);
	if (!ad->catalog)
		ad->catalog = "default_catalog";
	if (!ad->database)
		ad->database = "default_database";
	ad->session_name = str_field(target, "session_name", aa);
	if (!ad->session_name)
		ad->session_name = "sluice";

	struct flink_client_options o;
	flink_client_options_init(&o);
	o.url = url;
	o.api_version = str_field(target, "api_version", aa);
	o.bearer_token = str_field(target, "token", aa);
	if (!o.bearer_token)
		o.bearer_token = str_field(target, "bearer_token", aa);
	o.username = str_field(target, "user", aa);
	if (!o.username)
		o.username = str_field(target, "username", aa);
	o.password = str_field(target, "password", aa);
	o.ca_file = str_field(target, "ca_file", aa);
	o.insecure = !bool_field(target, "verify_ssl", true);
	o.log = adp_flink_log;
	o.connect_timeout_ms = seconds_field(target, "connect_timeout", o.connect_timeout_ms);
	o.request_timeout_ms = seconds_field(target, "request_timeout", o.request_timeout_ms);
	o.heartbeat_interval_ms = seconds_field(target, "heartbeat_interval", o.heartbeat_interval_ms);
	ad->statement_timeout_ms = seconds_field(target, "statement_timeout", 0);
	ad->query_timeout_ms = seconds_field(target, "query_timeout", 60 * 1000);
	if (o.connect_timeout_ms < 0 || o.request_timeout_ms < 0 || o.heartbeat_interval_ms < 0 ||
	    ad->statement_timeout_ms < 0 || ad->query_timeout_ms < 0) {
		adp_flink_fail(a, perr, "the timeouts of the flink profile (connect_timeout, request_timeout, heartbeat_interval, "
				 "statement_timeout, query_timeout) are seconds, as numbers");
		goto out;
	}
	value retries = val_dict_gets(target, "retries");
	if (retries.type == V_INT)
		o.max_retries = (int)retries.i;
	/* headers: a mapping; their values are treated as secrets (API keys travel there) */
	value hdrs = val_dict_gets(target, "headers");
	if (hdrs.type == V_DICT) {
		const char **lines = ARENA_ARRAY(aa, const char *, hdrs.d->len + 1);
		for (uint32_t i = 0; i < hdrs.d->len; i++) {
			const char *hv = val_cstr(aa, hdrs.d->e[i].val);
			if (strlen(hv) >= 4)
				log_add_secret(hv);
			lines[i] = arena_sprintf(aa, "%s: %s", val_cstr(aa, hdrs.d->e[i].key), hv);
		}
		o.headers = lines;
	} else if (hdrs.type != V_UNDEF && hdrs.type != V_NONE) {
		adp_flink_fail(a, perr, "'headers' in the flink profile must be a mapping of header name to value");
		goto out;
	}
	if (o.password && *o.password)
		log_add_secret(o.password);
	if (o.bearer_token && *o.bearer_token)
		log_add_secret(o.bearer_token);

	if (options_of(val_dict_gets(target, "session_properties"), "session_properties", &ad->props, &ad->nprops, aa,
		       perr) < 0)
		goto out;
	const char *spdir = str_field(target, "savepoint_dir", aa);
	ad->savepoint_dir = spdir;
	ad->jobmanager_url = str_field(target, "jobmanager_url", aa);
	if (ad->jobmanager_url && !*ad->jobmanager_url)
		ad->jobmanager_url = NULL;
	if (ad->jobmanager_url && strncmp(ad->jobmanager_url, "http://", 7) && strncmp(ad->jobmanager_url, "https://", 8)) {
		adp_flink_fail(a, perr, "jobmanager_url in the flink profile must be the http:// or https:// address of the "
				 "cluster's REST API (e.g. http://jobmanager:8081)");
		goto out;
	}
	if (spdir) {
		/* both names: the key was renamed in Flink 1.20, the old one is still read */
		struct flink_kv *kv = ARENA_ARRAY(aa, struct flink_kv, ad->nprops + 2);
		if (ad->nprops)
			memcpy(kv, ad->props, ad->nprops * sizeof(*kv));
		kv[ad->nprops++] = (struct flink_kv){"execution.checkpointing.savepoint-dir", spdir};
		kv[ad->nprops++] = (struct flink_kv){"state.savepoints.dir", spdir};
		ad->props = kv;
	}
	if (parse_catalogs(ad, val_dict_gets(target, "catalogs"), a, perr) < 0)
		goto out;
	/* does the target catalog forget its tables with the session? */
	ad->session_scoped = !strcmp(ad->catalog, "default_catalog");
	for (size_t i = 0; i < ad->ncatalogs; i++)
		if (!strcmp(ad->catalogs[i].name, ad->catalog))
			ad->session_scoped = !ad->catalogs[i].persistent;
	value pc = val_dict_gets(target, "persistent_catalog");
	if (pc.type == V_BOOL)
		ad->session_scoped = !pc.b;

	struct flink_error e;
	flink_error_init(&e);
	if (flink_client_new(&o, &ad->client, &e) != FLINK_OK) {
		fail_flink(a, perr, arena_sprintf(a, "unable to reach the Flink SQL Gateway at %s", url), &e);
		goto out;
	}
	char *product = NULL, *version = NULL;
	if (flink_client_info(ad->client, &product, &version, &e) != FLINK_OK) {
		fail_flink(a, perr, arena_sprintf(a, "unable to read the version of the Flink SQL Gateway at %s", url), &e);
		goto out;
	}
	ad->product = arena_strdup(aa, product ? product : "Apache Flink");
	ad->version = arena_strdup(aa, version ? version : "");
	free(product);
	free(version);
	parse_version(ad);
	if (open_session(ad, NULL, 0, &ad->session, a, perr) < 0)
		goto out;
	rc = 0;
out:
	if (rc) {
		adp_flink_close(ad);
		return -1;
	}
	*pad = ad;
	return 0;
}

static int adp_flink_open_conn(struct adapter *ad, struct adapter_conn **pconn, struct arena *a, char **perr)
{
	(void)a;
	(void)perr;
	struct adapter_conn *c = xcalloc(1, sizeof(*c));
	c->ad = ad;
	*pconn = c;
	return 0;
}

/* Ctrl-C: the statement running on c stops at its next poll (at most 50 ms away), is cancelled on
 * the gateway and closed; every later statement of c fails before it is submitted */
static void adp_flink_cancel(struct adapter_conn *c)
{
	c->cancelled = 1;
}

static void adp_flink_close_conn(struct adapter_conn *c)
{
	if (!c)
		return;
	if (c->own) {
		struct flink_error e;
		flink_error_init(&e);
		(void)flink_session_close(c->own, &e);
		flink_error_release(&e);
	}
	adp_flink_forget_bounded_sources(c);
	free(c);
}

/* Flink has no transactions: statements take effect one by one */
static int adp_flink_noop_tx(struct adapter_conn *c, struct arena *a, char **perr)
{
	(void)c;
	(void)a;
	(void)perr;
	return 0;
}

static bool adp_flink_session_scoped(struct adapter *ad)
{
	return ad->session_scoped;
}

static int adp_flink_begin_test_session(struct adapter_conn *c, long timeout_ms, struct arena *a, char **perr)
{
	if (c->own)
		return adp_flink_fail(a, perr, "a test session is open already");
	/* batch: a consistent snapshot, and Flink refuses unbounded scans instead of waiting forever */
	struct flink_kv extra[] = {{"execution.runtime-mode", "batch"}};
	if (open_session(c->ad, extra, 1, &c->own, a, perr) < 0)
		return -1;
	c->timeout_ms = timeout_ms;
	return 0;
}

static int adp_flink_end_test_session(struct adapter_conn *c, struct arena *a, char **perr)
{
	if (!c->own)
		return 0;
	struct flink_error e;
	flink_error_init(&e);
	flink_code rc = flink_session_close(c->own, &e);
	c->own = NULL;
	c->timeout_ms = 0;
	adp_flink_forget_bounded_sources(c);
	if (rc != FLINK_OK && rc != FLINK_E_SESSION_GONE)
		return fail_flink(a, perr, "unable to close the test session", &e);
	flink_error_release(&e);
	return 0;
}

static void adp_flink_describe(struct adapter *ad, void (*line)(void *ud, const char *text), void *ud)
{
	struct arena a;
	arena_init(&a, 1024);
	line(ud, arena_sprintf(&a, "engine: %s %s, SQL Gateway REST API %s", ad->product, ad->version,
			       flink_client_api_version(ad->client)));
	line(ud, arena_sprintf(&a, "session: %s", flink_session_handle(ad->session)));
	if (ad->session_scoped)
		line(ud, arena_sprintf(&a,
				       "catalog: %s is kept in memory by the gateway's session: its tables and views vanish "
				       "when the session ends, so Sluice declares the project's sources and views again in "
				       "every new session before running anything",
				       ad->catalog));
	else
		line(ud, arena_sprintf(&a, "catalog: %s is persistent: its tables and views outlive the session", ad->catalog));
	for (size_t i = 0; i < ad->ncatalogs; i++)
		line(ud, arena_sprintf(&a, "created on session start: catalog %s (%s)", ad->catalogs[i].name,
				       ad->catalogs[i].persistent ? "persistent" : "in memory"));
	arena_release(&a);
}

static const char *adp_flink_default_database(struct adapter *ad)
{
	return ad->catalog;
}

static const char *adp_flink_default_schema(struct adapter *ad)
{
	return ad->database;
}

static const char *const adp_flink_methods[] = {"list_jobs",     "stop_job",    "submit",      "query_columns",
					 "describe_relation", "show_create", "flink_version", "session_scoped",
					 "bounded_source", "reads_changelog", "job_management", "job_details",
					 NULL};

const struct adapter_vtable adapter_flink = {
	.type = "flink",
	.open = adp_flink_open,
	.close = adp_flink_close,
	.open_conn = adp_flink_open_conn,
	.close_conn = adp_flink_close_conn,
	.execute = adp_flink_execute,
	.begin = adp_flink_noop_tx,
	.commit = adp_flink_noop_tx,
	.rollback = adp_flink_noop_tx,
	.get_relation = adp_flink_get_relation,
	.get_columns = adp_flink_get_columns,
	.list_relations = adp_flink_list_relations,
	.create_schema = adp_flink_create_schema,
	.catalog = adp_flink_catalog,
	.quote = adp_flink_quote,
	.default_database = adp_flink_default_database,
	.default_schema = adp_flink_default_schema,
	.catalog_is_session_scoped = adp_flink_session_scoped,
	.begin_test_session = adp_flink_begin_test_session,
	.end_test_session = adp_flink_end_test_session,
	.methods = adp_flink_methods,
	.call = adp_flink_call,
	.describe = adp_flink_describe,
	.cancel = adp_flink_cancel,
};
