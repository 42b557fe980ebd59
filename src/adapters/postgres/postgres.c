/*
 * The PostgreSQL adapter: `type: postgres` profiles, through libpq. It accepts dbt-postgres's
 * profile keys (host, port, user, password/pass, dbname, schema, threads, keepalives_idle,
 * connect_timeout, retries, search_path, role, sslmode, sslcert, sslkey, sslrootcert,
 * application_name), runs SQL, turns rows into `value`s and answers metadata questions from
 * pg_catalog (meta.c). Seeds are loaded with COPY FROM STDIN (seed.c).
 *
 * DESIGN
 *  - One PGconn per `struct adapter_conn`, opened on first use (a worker that never gets a node
 *    never connects). open_conn only allocates. The first connection records the server's version
 *    for `sluice debug`.
 *  - Every node runs in its own transaction: begin() sends BEGIN, commit()/rollback() end it when
 *    one is open (libpq's transaction status says so), so a materialization that committed already
 *    makes the runner's final commit a no-op rather than a warning.
 *  - A lost connection is reopened before the next statement when no transaction was open, and a
 *    statement that failed because the connection dropped is sent again only when it is a lone
 *    read-only query outside a transaction, or the first statement of one (which is begun again):
 *    anything else may have run, so repeating it is unsafe.
 *  - execute() sends the SQL with the simple query protocol (several statements allowed) and keeps
 *    the rows of the last one. Values come back as text and are converted by type OID: booleans,
 *    integers, floats and numerics become numbers; dates and times stay ISO strings.
 *  - Cancel (Ctrl-C) sends PQcancel to every open connection; the running statement then fails
 *    with PostgreSQL's "canceling statement due to user request" and the node is rolled back.
 *  - The password lives only in the libpq parameters; it is also registered with the log's
 *    redaction, and every message from libpq or the server is scrubbed of it before it is kept.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "adapters/postgres/internal.h"
#include "core/log.h"
#include "core/sb.h"
#include "value/value.h"

/* ================================================================ errors and text */

int pg_fail(struct arena *a, char **perr, const char *fmt, ...)
{
	struct sb s = SB_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&s, fmt, ap);
	va_end(ap);
	log_redact(s.buf);
	if (perr)
		*perr = sb_to_arena(&s, a);
	sb_release(&s);
	return -1;
}

/* Replaces every occurrence of the password in msg (in place: "***" is never longer) */
static void scrub(struct adapter *ad, char *msg)
{
	size_t n = ad && ad->password ? strlen(ad->password) : 0;
	if (n == 0)
		return;
	for (char *hit; (hit = strstr(msg, ad->password));) {
		size_t keep = n < 3 ? n : 3;
		memset(hit, '*', keep);
		memmove(hit + keep, hit + n, strlen(hit + n) + 1);
	}
	log_redact(msg);
}

static char *trimmed(const char *msg, struct arena *a)
{
	if (!msg)
		msg = "";
	size_t n = strlen(msg);
	while (n && isspace((unsigned char)msg[n - 1]))
		n--;
	return arena_strndup(a, msg, n);
}

char *pg_result_error(struct adapter *ad, const PGresult *res, struct arena *a)
{
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	struct sb s = SB_INIT;
	if (primary) {
		sb_adds(&s, primary);
		const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
		const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
		if (detail)
			sb_addf(&s, "\nDETAIL:  %s", detail);
		if (hint)
			sb_addf(&s, "\nHINT:  %s", hint);
		if (pos)
			sb_addf(&s, "\n(at character %s of the statement)", pos);
	} else {
		sb_adds(&s, PQresultErrorMessage(res));
		sb_rtrim(&s);
	}
	if (!s.len)
		sb_adds(&s, "unknown PostgreSQL error");
	scrub(ad, s.buf);
	s.len = strlen(s.buf);
	char *r = sb_to_arena(&s, a);
	sb_release(&s);
	return r;
}

static char *conn_error(struct adapter *ad, PGconn *pg, struct arena *a)
{
	char *m = trimmed(pg ? PQerrorMessage(pg) : "out of memory", a);
	scrub(ad, m);
	return *m ? m : arena_strdup(a, "the connection to the server was lost");
}

void pg_quote_ident(struct sb *s, const char *ident)
{
	sb_addc(s, '"');
	for (const char *p = ident; *p; p++) {
		if (*p == '"')
			sb_addc(s, '"');
		sb_addc(s, *p);
	}
	sb_addc(s, '"');
}

void pg_add_literal(struct sb *s, const char *str)
{
	sb_addc(s, '\'');
	for (const char *p = str; *p; p++) {
		if (*p == '\'')
			sb_addc(s, '\'');
		sb_addc(s, *p);
	}
	sb_addc(s, '\'');
}

/* ================================================================ results */

/* Type OIDs of pg_type.h that get a value other than a string */
enum {
	OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_OID = 26, OID_FLOAT4 = 700,
	OID_FLOAT8 = 701, OID_NUMERIC = 1700, OID_TIMESTAMPTZ = 1184,
};

static const char *type_name_of(Oid t)
{
	static const struct {
		Oid oid;
		const char *name;
	} names[] = {
		{16, "boolean"}, {17, "bytea"}, {18, "char"}, {19, "name"}, {20, "bigint"}, {21, "smallint"},
		{23, "integer"}, {25, "text"}, {26, "oid"}, {114, "json"}, {700, "real"},
		{701, "double precision"}, {1042, "character"}, {1043, "character varying"}, {1082, "date"},
		{1083, "time without time zone"}, {1114, "timestamp without time zone"},
		{1184, "timestamp with time zone"}, {1186, "interval"}, {1266, "time with time zone"},
		{1700, "numeric"}, {2950, "uuid"}, {3802, "jsonb"}, {1000, "boolean[]"}, {1005, "smallint[]"},
		{1007, "integer[]"}, {1016, "bigint[]"}, {1009, "text[]"}, {1015, "character varying[]"},
		{1021, "real[]"}, {1022, "double precision[]"}, {1231, "numeric[]"}, {705, "unknown"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].oid == t)
			return names[i].name;
	return "unknown";
}

static value cell_value(const char *text, int len, Oid type, struct arena *a)
{
	switch (type) {
	case OID_BOOL:
		return val_bool(text[0] == 't');
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return val_int(strtoll(text, NULL, 10));
	case OID_FLOAT4:
	case OID_FLOAT8:
		return val_float(strtod(text, NULL));
	case OID_NUMERIC:
		/* decimals are floats, as adapter.h has every engine give them */
		return val_float(strtod(text, NULL));
	case OID_TIMESTAMPTZ:
		/* Python's str(datetime) writes the offset as +HH:MM */
		if (len >= 3 && (text[len - 3] == '+' || text[len - 3] == '-'))
			return val_str(arena_sprintf(a, "%s:00", text));
		return val_str_dup(a, text, (size_t)len);
	default:
		return val_str_dup(a, text, (size_t)len);
	}
}

/* Turns the rows of res into the adapter's result (at most limit rows; -1: all) */
static void pg_read_result(const PGresult *res, long limit, struct adapter_result *pres, struct arena *a)
{
	int nf = PQnfields(res), nt = PQntuples(res);
	size_t nrows = limit >= 0 && (long)nt > limit ? (size_t)limit : (size_t)nt;
	pres->ncols = (size_t)nf;
	pres->cols = ARENA_ARRAY(a, struct adapter_column, nf ? nf : 1);
	Oid *types = ARENA_ARRAY(a, Oid, nf ? nf : 1);
	for (int j = 0; j < nf; j++) {
		pres->cols[j].name = arena_strdup(a, PQfname(res, j));
		types[j] = PQftype(res, j);
		pres->cols[j].type = type_name_of(types[j]);
		pres->cols[j].comment = NULL;
	}
	pres->nrows = nrows;
	size_t ncells = nrows * (size_t)nf;
	pres->rows = ARENA_ARRAY(a, value, ncells ? ncells : 1);
	for (size_t i = 0; i < nrows; i++)
		for (int j = 0; j < nf; j++)
			pres->rows[i * (size_t)nf + (size_t)j] =
				PQgetisnull(res, (int)i, j)
					? val_none()
					: cell_value(PQgetvalue(res, (int)i, j), PQgetlength(res, (int)i, j), types[j], a);
}

static void empty_result(struct adapter_result *pres)
{
	if (!pres)
		return;
	memset(pres, 0, sizeof(*pres));
	pres->rows_affected = -1;
	pres->message = "OK";
}

/* ================================================================ connections */

static void on_notice(void *arg, const char *message)
{
	struct adapter *ad = arg;
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", message);
	size_t n = strlen(buf);
	while (n && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	scrub(ad, buf);
	log_msg(LOG_DEBUG, "postgres: %s", buf);
}

static void register_conn(struct adapter_conn *c, bool add)
{
	struct adapter *ad = c->ad;
	pthread_mutex_lock(&ad->lock);
	for (int i = 0; i < PG_MAX_CONNS; i++) {
		if (add ? ad->conns[i] == NULL : ad->conns[i] == c) {
			ad->conns[i] = add ? c : NULL;
			break;
		}
	}
	pthread_mutex_unlock(&ad->lock);
}

static void disconnect(struct adapter_conn *c)
{
	if (!c->pg)
		return;
	register_conn(c, false);
	if (c->cancel)
		PQfreeCancel(c->cancel);
	c->cancel = NULL;
	PQfinish(c->pg);
	c->pg = NULL;
}

static int connect_once(struct adapter_conn *c, struct arena *a, char **perr)
{
	struct adapter *ad = c->ad;
	PGconn *pg = PQconnectdbParams(ad->keys, ad->vals, 0);
	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		char *m = conn_error(ad, pg, a);
		if (pg)
			PQfinish(pg);
		return pg_fail(a, perr, "unable to connect to PostgreSQL at %s: %s", ad->where, m);
	}
	PQsetNoticeProcessor(pg, on_notice, ad);
	if (ad->role) {
		struct sb q = SB_INIT;
		sb_adds(&q, "set role ");
		pg_quote_ident(&q, ad->role);
		PGresult *r = PQexec(pg, q.buf);
		sb_release(&q);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			char *m = pg_result_error(ad, r, a);
			PQclear(r);
			PQfinish(pg);
			return pg_fail(a, perr, "unable to take the role '%s' given in the profile: %s", ad->role, m);
		}
		PQclear(r);
	}
	c->pg = pg;
	c->cancel = PQgetCancel(pg);
	register_conn(c, true);
	pthread_mutex_lock(&ad->lock);
	if (!ad->server_version) {
		ad->server_version = PQserverVersion(pg);
		const char *v = PQparameterStatus(pg, "server_version");
		ad->server_version_text = arena_strdup(&ad->arena, v ? v : "?");
	}
	pthread_mutex_unlock(&ad->lock);
	return 0;
}

int pg_ensure(struct adapter_conn *c, struct arena *a, char **perr)
{
	if (c->pg && PQstatus(c->pg) == CONNECTION_OK)
		return 0;
	if (c->pg)  /* lost between statements: nothing of ours was running */
		disconnect(c);
	int rc = -1;
	for (int attempt = 0; attempt <= c->ad->retries; attempt++) {
		if (attempt)
			sleep(1);
		rc = connect_once(c, a, perr);
		if (rc == 0)
			break;
	}
	return rc;
}

static int pg_open_conn(struct adapter *ad, struct adapter_conn **pconn, struct arena *a, char **perr)
{
	struct adapter_conn *c = xcalloc(1, sizeof(*c));
	c->ad = ad;
	*pconn = c;
	return 0;
}

static void pg_close_conn(struct adapter_conn *c)
{
	if (!c)
		return;
	pg_cache_txn_end(c, false);
	relcache_conn_release(&c->rcs);
	disconnect(c);
	free(c);
}

/* ================================================================ statements */

/* True when word appears in sql as a whole word, in any case */
static bool has_word(const char *sql, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = sql; *p; p++) {
		if (strncasecmp(p, word, n) || (p > sql && (isalnum((unsigned char)p[-1]) || p[-1] == '_')))
			continue;
		if (!isalnum((unsigned char)p[n]) && p[n] != '_')
			return true;
	}
	return false;
}

/* A lone statement that reads and writes nothing else, so sending it twice is harmless */
static bool safe_to_repeat(const char *sql)
{
	sql = adapter_sql_body(sql);  /* past the query comment */
	while (isspace((unsigned char)*sql) || *sql == '(')
		sql++;
	bool reads = !strncasecmp(sql, "select", 6) || !strncasecmp(sql, "show", 4) ||
		     !strncasecmp(sql, "values", 6);
	if (!reads)
		return false;
	const char *semi = strchr(sql, ';');
	if (semi) {
		for (semi++; *semi; semi++)
			if (!isspace((unsigned char)*semi))
				return false;
	}
	return !has_word(sql, "into") && !has_word(sql, "nextval") && !has_word(sql, "setval");
}

static int pg_begin(struct adapter_conn *c, struct arena *a, char **perr);

static bool is_follow_up(const char *status)
{
	return !strcmp(status, "CREATE INDEX") || !strcmp(status, "GRANT") || !strcmp(status, "REVOKE") ||
	       !strcmp(status, "COMMENT");
}

/* After Ctrl-C (pg_cancel) no new statement starts on the connection */
static int cancelled(struct adapter_conn *c, struct arena *a, char **perr)
{
	return c->cancelled ? pg_fail(a, perr, "canceling statement due to user request (ctrl-c)") : 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Waits until the server has answered what was sent. While a Ctrl-C is pending the cancel request
 * is sent again every second: PostgreSQL drops a cancel that reaches the backend before it starts
 * the statement (ProcessInterrupts in tcop/postgres.c ignores one while a command is being read),
 * so the one pg_cancel sent just as the statement went out may be lost. A broken connection ends
 * the wait; PQgetResult then reports it.
 */
static void wait_for_answer(struct adapter_conn *c)
{
	long long last_cancel = 0;
	int fd = PQsocket(c->pg);
	while (fd >= 0 && PQisBusy(c->pg)) {
		if (c->cancelled && c->cancel && now_ms() - last_cancel >= 1000) {
			char buf[256];
			(void)PQcancel(c->cancel, buf, sizeof(buf));
			last_cancel = now_ms();
		}
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 200) < 0 && errno != EINTR)
			return;
		if (!PQconsumeInput(c->pg))
			return;
	}
}

/* Sends sql; the last result is kept in *plast (NULL on error). Returns 0, or -1 with *perr. */
static int send_all(struct adapter_conn *c, const char *sql, PGresult **plast, bool *plost, struct arena *a,
		    char **perr)
{
	*plast = NULL;
	*plost = false;
	if (!PQsendQuery(c->pg, sql)) {
		*plost = PQstatus(c->pg) != CONNECTION_OK;
		return pg_fail(a, perr, "%s", conn_error(c->ad, c->pg, a));
	}
	PGresult *last = NULL, *r;
	char *err = NULL;
	for (wait_for_answer(c); (r = PQgetResult(c->pg)); wait_for_answer(c)) {
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
			if (!err)
				err = pg_result_error(c->ad, r, a);
			PQclear(r);
			continue;
		}
		if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
			/* COPY through execute() has no data to send: end it */
			if (st == PGRES_COPY_IN)
				(void)PQputCopyEnd(c->pg, "COPY FROM STDIN is not supported through execute()");
			if (!err)
				err = arena_strdup(a, "COPY with STDIN/STDOUT is not supported in model SQL");
			PQclear(r);
			continue;
		}
		/* the status shown is the main statement's, not that of the indexes or grants after it */
		if (last && is_follow_up(PQcmdStatus(r))) {
			PQclear(r);
			continue;
		}
		if (last)
			PQclear(last);
		last = r;
	}
	if (err || PQstatus(c->pg) != CONNECTION_OK) {
		if (last)
			PQclear(last);
		*plost = PQstatus(c->pg) != CONNECTION_OK;
		return pg_fail(a, perr, "%s", err ? err : conn_error(c->ad, c->pg, a));
	}
	*plast = last;
	return 0;
}

static int pg_execute(struct adapter_conn *c, const char *sql, bool fetch, long limit, struct adapter_result *pres,
		      struct arena *a, char **perr)
{
	empty_result(pres);
	if (cancelled(c, a, perr) < 0 || pg_ensure(c, a, perr) < 0)
		return -1;
	/* a transaction that has run nothing yet loses nothing with its connection: it is begun again */
	bool in_txn = PQtransactionStatus(c->pg) != PQTRANS_IDLE;
	bool repeatable = (!in_txn || c->txn_empty) && safe_to_repeat(sql);
	c->txn_empty = false;
	pg_cache_before_sql(c, sql);
	PGresult *last;
	bool lost;
	int rc = send_all(c, sql, &last, &lost, a, perr);
	if (rc < 0 && lost && repeatable) {
		log_msg(LOG_WARN, "postgres: the connection was lost; running the query again on a new one");
		disconnect(c);
		if (pg_ensure(c, a, perr) < 0 || (in_txn && pg_begin(c, a, perr) < 0))
			return -1;
		c->txn_empty = false;
		rc = send_all(c, sql, &last, &lost, a, perr);
	}
	if (rc < 0) {
		pg_cache_note_sql(c, sql, false);
		if (lost)
			disconnect(c);
		return -1;
	}
	pg_cache_note_sql(c, sql, true);
	if (pres && last) {
		const char *tuples = PQcmdTuples(last);
		if (tuples && *tuples)
			pres->rows_affected = strtoll(tuples, NULL, 10);
		const char *status = PQcmdStatus(last);
		if (status && *status)
			pres->message = arena_strdup(a, status);
		if (fetch && PQresultStatus(last) == PGRES_TUPLES_OK)
			pg_read_result(last, limit, pres, a);
	}
	if (last)
		PQclear(last);
	return 0;
}

int pg_query_params(struct adapter_conn *c, const char *sql, const char *const *params, int n,
		    struct adapter_result *pres, struct arena *a, char **perr)
{
	if (cancelled(c, a, perr) < 0 || pg_ensure(c, a, perr) < 0)
		return -1;
	c->txn_empty = false;
	PGresult *r = PQexecParams(c->pg, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		char *m = r ? pg_result_error(c->ad, r, a) : conn_error(c->ad, c->pg, a);
		PQclear(r);
		return pg_fail(a, perr, "%s", m);
	}
	if (pres) {
		empty_result(pres);
		if (st == PGRES_TUPLES_OK)
			pg_read_result(r, -1, pres, a);
	}
	PQclear(r);
	return 0;
}

static int run_simple(struct adapter_conn *c, const char *sql, struct arena *a, char **perr)
{
	PGresult *r = PQexec(c->pg, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		char *m = r ? pg_result_error(c->ad, r, a) : conn_error(c->ad, c->pg, a);
		PQclear(r);
		return pg_fail(a, perr, "%s", m);
	}
	PQclear(r);
	return 0;
}

/* ================================================================ transactions */

static int pg_begin(struct adapter_conn *c, struct arena *a, char **perr)
{
	if (cancelled(c, a, perr) < 0 || pg_ensure(c, a, perr) < 0)
		return -1;
	if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		return 0;
	c->rcs.touched = false;
	int rc = run_simple(c, "begin", a, perr);
	c->txn_empty = rc == 0;
	return rc;
}

static bool in_transaction(struct adapter_conn *c)
{
	if (!c->pg)
		return false;
	PGTransactionStatusType t = PQtransactionStatus(c->pg);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

static int pg_rollback(struct adapter_conn *c, struct arena *a, char **perr)
{
	/* what the transaction created, renamed or dropped is undone: the cache looks again */
	pg_cache_txn_end(c, false);
	if (!in_transaction(c))
		return 0;
	return run_simple(c, "rollback", a, perr);
}

static int pg_commit(struct adapter_conn *c, struct arena *a, char **perr)
{
	if (!in_transaction(c))
		return 0;
	if (PQtransactionStatus(c->pg) == PQTRANS_INERROR) {
		(void)pg_rollback(c, a, NULL);
		return pg_fail(a, perr, "the transaction failed earlier and was rolled back");
	}
	int rc = run_simple(c, "commit", a, perr);
	pg_cache_txn_end(c, rc == 0);
	if (rc < 0)
		pg_cache_forget_all(c->ad);
	return rc;
}

/* Ctrl-C, from the interrupt watcher's thread: asks the server to stop what conn runs (PQcancel
 * is safe to call while the worker waits on the connection) and fails every later statement.
 * Takes no lock: the worker may hold the adapter's. */
static void pg_cancel(struct adapter_conn *c)
{
	if (!c)
		return;
	c->cancelled = 1;
	PGcancel *cc = c->cancel;
	if (cc) {
		char buf[256];
		if (!PQcancel(cc, buf, sizeof(buf)))
			log_msg(LOG_WARN, "postgres: cannot cancel a running statement: %s", buf);
	}
}


/* ================================================================ open / close */

/* A profile value as text (strings, numbers, booleans), NULL when absent; -1 in *prc when invalid */
static const char *key_text(value target, const char *key, struct arena *a, char **perr, int *prc)
{
	value v = val_dict_gets(target, key);
	switch (v.type) {
	case V_UNDEF:
	case V_NONE:
		return NULL;
	case V_STR:
		return val_cstr(a, v);
	case V_INT:
		return arena_sprintf(a, "%" PRId64, v.i);
	case V_BOOL:
		return v.b ? "true" : "false";
	case V_FLOAT: {
		struct sb s = SB_INIT;
		val_float_repr(&s, v.f);
		char *r = sb_to_arena(&s, a);
		sb_release(&s);
		return r;
	}
	default:
		*prc = pg_fail(a, perr, "'%s' in the postgres profile must be a string or a number, got %s", key,
			       val_type_name(v));
		return NULL;
	}
}

static void add_param(struct adapter *ad, int *pn, const char *key, const char *val)
{
	if (!val || *pn >= PG_MAX_PARAMS)
		return;
	ad->keys[*pn] = key;
	ad->vals[*pn] = arena_strdup(&ad->arena, val);
	(*pn)++;
}

/* "-c name=value" for libpq's `options`: spaces and backslashes escaped with a backslash */
static void add_option(struct sb *s, const char *name, const char *val)
{
	if (s->len)
		sb_addc(s, ' ');
	sb_addf(s, "-c %s=", name);
	for (const char *p = val; *p; p++) {
		if (*p == ' ' || *p == '\\')
			sb_addc(s, '\\');
		sb_addc(s, *p);
	}
}

static void pg_close(struct adapter *ad)
{
	if (!ad)
		return;
	pg_cache_release(ad);
	pthread_mutex_destroy(&ad->lock);
	arena_release(&ad->arena);
	free(ad);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int pg_open(struct adapter **pad, value target, const char *project_root, struct arena *a, char **perr)
{
	*pad = NULL;
	if (target.type != V_DICT)
		return pg_fail(a, perr, "the postgres profile target must be a mapping");
	int rc = 0;
	static const char *const keys[] = {"host", "port", "user", "password", "pass", "dbname", "database",
					   "schema", "keepalives_idle", "connect_timeout", "retries",
					   "search_path", "role", "sslmode", "sslcert", "sslkey", "sslrootcert",
					   "application_name"};
	const char *v[sizeof(keys) / sizeof(keys[0])];
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && !rc; i++)
		v[i] = key_text(target, keys[i], a, perr, &rc);
	if (rc)
		return rc;
	const char *host = v[0], *port = v[1], *user = v[2], *password = v[3] ? v[3] : v[4];
	const char *dbname = v[5] ? v[5] : v[6], *schema = v[7];
	const char *keepalives_idle = v[8], *connect_timeout = v[9], *retries = v[10], *search_path = v[11];
	const char *role = v[12], *application_name = v[17];
	if (!host || !*host)
		return pg_fail(a, perr, "the postgres profile has no 'host': add e.g. 'host: localhost'");
	if (!user || !*user)
		return pg_fail(a, perr, "the postgres profile has no 'user': add the role to log in as");
	if (!dbname || !*dbname)
		return pg_fail(a, perr, "the postgres profile has no 'dbname': add the database to build in");
	if (port && !all_digits(port))
		return pg_fail(a, perr, "'port' in the postgres profile must be a number, got '%s'", port);
	if (retries && !all_digits(retries))
		return pg_fail(a, perr, "'retries' in the postgres profile must be a number, got '%s'", retries);
	if (keepalives_idle && !all_digits(keepalives_idle))
		return pg_fail(a, perr, "'keepalives_idle' in the postgres profile must be a number of seconds");
	if (connect_timeout && !all_digits(connect_timeout))
		return pg_fail(a, perr, "'connect_timeout' in the postgres profile must be a number of seconds");
	if (password && *password)
		log_add_secret(password);

	struct adapter *ad = xcalloc(1, sizeof(*ad));
	arena_init(&ad->arena, 4096);
	pthread_mutex_init(&ad->lock, NULL);
	static const struct relcache_rules rules = {.case_insensitive = false};
	relcache_init(&ad->rc, &rules, dbname);
	int n = 0;
	add_param(ad, &n, "host", host);
	add_param(ad, &n, "port", port ? port : "5432");
	add_param(ad, &n, "user", user);
	add_param(ad, &n, "password", password);
	add_param(ad, &n, "dbname", dbname);
	add_param(ad, &n, "connect_timeout", connect_timeout ? connect_timeout : "10");
	if (keepalives_idle && strcmp(keepalives_idle, "0"))
		add_param(ad, &n, "keepalives_idle", keepalives_idle);
	add_param(ad, &n, "sslmode", v[13]);
	add_param(ad, &n, "sslcert", v[14]);
	add_param(ad, &n, "sslkey", v[15]);
	add_param(ad, &n, "sslrootcert", v[16]);
	add_param(ad, &n, "application_name", application_name ? application_name : "sluice");
	add_param(ad, &n, "client_encoding", "UTF8");
	struct sb opts = SB_INIT;
	add_option(&opts, "DateStyle", "ISO");
	if (search_path && *search_path)
		add_option(&opts, "search_path", search_path);
	add_param(ad, &n, "options", opts.buf);
	sb_release(&opts);
	ad->keys[n] = NULL;
	ad->vals[n] = NULL;
	ad->password = password ? arena_strdup(&ad->arena, password) : NULL;
	ad->database = arena_strdup(&ad->arena, dbname);
	ad->schema = arena_strdup(&ad->arena, schema && *schema ? schema : "public");
	ad->role = role && *role ? arena_strdup(&ad->arena, role) : NULL;
	ad->retries = retries ? atoi(retries) : 1;
	ad->where = arena_sprintf(&ad->arena, "%s:%s/%s as '%s'", host, port ? port : "5432", dbname, user);
	*pad = ad;
	return 0;
}

/* ================================================================ the rest of the vtable */

static const char *pg_quote(const char *ident, struct arena *a)
{
	struct sb s = SB_INIT;
	pg_quote_ident(&s, ident);
	char *r = sb_to_arena(&s, a);
	sb_release(&s);
	return r;
}

static const char *pg_default_database(struct adapter *ad)
{
	return ad->database;
}

static const char *pg_default_schema(struct adapter *ad)
{
	return ad->schema;
}

static void pg_describe(struct adapter *ad, void (*line)(void *ud, const char *text), void *ud)
{
	char buf[256];
	pthread_mutex_lock(&ad->lock);
	if (ad->server_version) {
		snprintf(buf, sizeof(buf), "server version: PostgreSQL %s", ad->server_version_text);
		line(ud, buf);
	}
	pthread_mutex_unlock(&ad->lock);
	snprintf(buf, sizeof(buf), "libpq version: %d.%d", PQlibVersion() / 10000, PQlibVersion() % 100);
	line(ud, buf);
}

static const char *const pg_methods[] = {"server_version_num", NULL};

static int pg_call(struct adapter_conn *c, const char *method, value pos, value kw, value *pout, bool *pfound,
		   struct arena *a, char **perr)
{
	*pfound = false;
	if (!strcmp(method, "server_version_num")) {
		*pfound = true;
		if (pg_ensure(c, a, perr) < 0)
			return -1;
		*pout = val_int(PQserverVersion(c->pg));
		return 0;
	}
	return 0;
}

const struct adapter_vtable adapter_postgres = {
	.type = "postgres",
	.open = pg_open,
	.close = pg_close,
	.open_conn = pg_open_conn,
	.close_conn = pg_close_conn,
	.execute = pg_execute,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.get_relation = pg_get_relation,
	.get_columns = pg_get_columns,
	.list_relations = pg_list_relations,
	.create_schema = pg_create_schema,
	.catalog = pg_catalog,
	.quote = pg_quote,
	.default_database = pg_default_database,
	.cache_note = pg_cache_note,
	.default_schema = pg_default_schema,
	.load_csv = pg_load_csv,
	.methods = pg_methods,
	.call = pg_call,
	.describe = pg_describe,
	.cancel = pg_cancel,
};
