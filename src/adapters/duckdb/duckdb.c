/*
 * The DuckDB adapter: the embedded engine behind `type: duckdb` profiles, through DuckDB's C API.
 * It accepts dbt-duckdb's profile keys (path, schema, database, settings, extensions, config_options),
 * runs SQL, turns result chunks into `value`s and answers metadata questions from
 * information_schema.
 *
 * DESIGN
 *  - One duckdb_database per `struct adapter`, one duckdb_connection per `struct adapter_conn`.
 *    duckdb_connect() is thread-safe, so open_conn needs no lock of ours; a connection is used by one
 *    thread at a time (adapter.h). The only shared mutable state is the keyword set used to quote
 *    struct field names in type names, filled once under `kw_lock`.
 *  - Profile `settings` are applied with SET on every connection, `config_options` go to
 *    duckdb_open_ext(), `extensions` are LOADed once at open (no INSTALL: we never touch the network).
 *    Open checks them all on a first connection, so a bad profile fails at open with a clear message.
 *  - execute() splits the SQL with duckdb_extract_statements() and prepares and runs each statement
 *    in order. Results are materialized and read chunk by chunk, vector by vector (convert.c);
 *    scalar types are converted there. Nested types (LIST, STRUCT, MAP, ARRAY, UNION) and the odd ones (BIT, BIGNUM)
 *    must print exactly as DuckDB prints them, so when the last statement is a SELECT returning such
 *    columns it is run inside `SELECT ..., CAST(c AS VARCHAR) ... FROM (<stmt>)` and DuckDB does the
 *    formatting. Statements that cannot be wrapped (INSERT ... RETURNING, PRAGMA) fall back to a
 *    formatter of our own that follows DuckDB's rules for the common cases.
 *  - The C API does not give the text of an extracted statement, yet both the wrapping above and the
 *    error messages of multi-statement SQL need it; adp_duckdb_split_sql() (split.c) cuts the SQL
 *    the way DuckDB's tokenizer does (quotes, comments, dollar quotes) and is trusted only when it
 *    finds as many statements as DuckDB did.
 *  - Dates and times come out as ISO strings in Python's style (what dbt-duckdb users see from
 *    str(datetime)): 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS[.ffffff]', TIMESTAMP WITH TIME ZONE in UTC
 *    with a '+00:00' suffix. Intervals, blobs and UUIDs use DuckDB's VARCHAR form.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapters/duckdb/internal.h"
#include "core/arena.h"
#include "core/csv.h"
#include "core/fs.h"
#include "core/map.h"
#include "core/sb.h"
#include "core/vec.h"
#include "value/value.h"

static const char cancelled_msg[] = "the query was cancelled (interrupt)";

/* ================================================================ errors */

static int fail(struct arena *a, char **perr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct arena *a, char **perr, const char *fmt, ...)
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

static const char *or_unknown(const char *msg)
{
	return msg && *msg ? msg : "unknown DuckDB error";
}

/* Runs fixed SQL whose result is not needed */
static int run_simple(duckdb_connection con, const char *sql, struct arena *a, char **perr)
{
	duckdb_result res;
	if (duckdb_query(con, sql, &res) == DuckDBError) {
		fail(a, perr, "%s", or_unknown(duckdb_result_error(&res)));
		duckdb_destroy_result(&res);
		return -1;
	}
	duckdb_destroy_result(&res);
	return 0;
}

/*
 * Runs a prepared statement into *res (*have_res tells whether the caller must destroy it).
 * NULL on success, else the error (in a). DuckDB forgets an interrupt that lands before a query
 * begins (ClientContext clears it when the next query starts), so the query is made pending first
 * and the flag read after that: a Ctrl-C either is seen here, or finds the query running and stops
 * it. Reading the flag only before duckdb_execute_prepared would leave a window in which the
 * interrupt is lost and the query runs to its end.
 */
static const char *run_prepared(struct adapter_conn *c, duckdb_prepared_statement st, duckdb_result *res,
				bool *have_res, struct arena *a)
{
	*have_res = false;
	if (atomic_load(&c->cancelled))
		return cancelled_msg;
	duckdb_pending_result p = NULL;
	if (duckdb_pending_prepared(st, &p) == DuckDBError) {
		const char *e = arena_strdup(a, or_unknown(duckdb_pending_error(p)));
		duckdb_destroy_pending(&p);
		return e;
	}
	if (atomic_load(&c->cancelled)) {
		duckdb_destroy_pending(&p);
		return cancelled_msg;
	}
	duckdb_state state = duckdb_execute_pending(p, res);
	*have_res = true;
	duckdb_destroy_pending(&p);
	if (state == DuckDBError)
		return arena_strdup(a, or_unknown(duckdb_result_error(res)));
	return NULL;
}


static void empty_result(struct adapter_result *pres)
{
	if (!pres)
		return;
	memset(pres, 0, sizeof(*pres));
	pres->rows_affected = ADAPTER_MESSAGE_ONLY;
	pres->message = "OK";
}

/* "<duckdb message>\nin statement 2 of 3: <text>" when the SQL holds several statements */
static int stmt_fail(struct arena *a, char **perr, const char *msg, idx_t i, idx_t n,
		     const struct sql_piece *pieces)
{
	if (n <= 1)
		return fail(a, perr, "%s", or_unknown(msg));
	if (!pieces)
		return fail(a, perr, "%s\nin statement %" PRIu64 " of %" PRIu64, or_unknown(msg), (uint64_t)i + 1,
			    (uint64_t)n);
	int len = pieces[i].n > 400 ? 400 : (int)pieces[i].n;
	return fail(a, perr, "%s\nin statement %" PRIu64 " of %" PRIu64 ": %.*s%s", or_unknown(msg),
		    (uint64_t)i + 1, (uint64_t)n, len, pieces[i].p, pieces[i].n > 400 ? "..." : "");
}

/* The statements' texts, computed once and kept only when they agree with DuckDB's count */
static void ensure_pieces(const char *sql, idx_t n, struct sql_piece **ppieces, bool *pdone)
{
	if (*pdone)
		return;
	*pdone = true;
	if (adp_duckdb_split_sql(sql, ppieces) != n) {
		free(*ppieces);
		*ppieces = NULL;
	}
}

static int dk_execute(struct adapter_conn *c, const char *sql, bool fetch, long limit,
		      struct adapter_result *pres, struct arena *a, char **perr)
{
	duckdb_extracted_statements ext = NULL;
	struct sql_piece *pieces = NULL;
	bool split_done = false;
	int rc = -1;
	if (atomic_load(&c->cancelled))
		return fail(a, perr, "%s", cancelled_msg);
	c->ended = false;  /* the SQL may begin a transaction */
	idx_t n = duckdb_extract_statements(c->con, sql, &ext);
	if (n == 0) {
		const char *e = duckdb_extract_statements_error(ext);
		if (e && *e) {
			fail(a, perr, "%s", e);
		} else {
			empty_result(pres);
			rc = 0;
		}
		goto out;
	}
	for (idx_t i = 0; i < n; i++) {
		bool last = i + 1 == n;
		duckdb_prepared_statement st = NULL;
		if (duckdb_prepare_extracted_statement(c->con, ext, i, &st) == DuckDBError) {
			if (n > 1)
				ensure_pieces(sql, n, &pieces, &split_done);
			stmt_fail(a, perr, duckdb_prepare_error(st), i, n, pieces);
			duckdb_destroy_prepare(&st);
			goto out;
		}
		char **names = NULL;
		duckdb_logical_type *types = NULL;
		size_t nwrap = 0;
		if (last && fetch && pres) {
			ensure_pieces(sql, n, &pieces, &split_done);
			duckdb_prepared_statement w =
				adp_duckdb_wrap_for_text(c, st, pieces ? &pieces[i] : NULL, &names, &types, &nwrap);
			if (w) {
				duckdb_destroy_prepare(&st);
				st = w;
			}
		}
		duckdb_result res;
		bool have_res;
		const char *err = run_prepared(c, st, &res, &have_res, a);
		if (err) {
			if (atomic_load(&c->cancelled)) {
				fail(a, perr, "%s", cancelled_msg);
			} else {
				if (n > 1)
					ensure_pieces(sql, n, &pieces, &split_done);
				stmt_fail(a, perr, err, i, n, pieces);
			}
			if (have_res)
				duckdb_destroy_result(&res);
			duckdb_destroy_prepare(&st);
			if (names)
				adp_duckdb_free_wrap_info(names, types, nwrap);
			goto out;
		}
		if (last && pres) {
			empty_result(pres);
			if (fetch)
				adp_duckdb_read_result(c, &res, names, types, limit, pres, a);
		}
		if (names)
			adp_duckdb_free_wrap_info(names, types, nwrap);
		duckdb_destroy_result(&res);
		duckdb_destroy_prepare(&st);
	}
	rc = 0;
out:
	duckdb_destroy_extracted(&ext);
	free(pieces);
	relcache_note_sql(&c->ad->rc, &c->rcs, sql, rc == 0);
	return rc;
}

/* Runs one statement with string parameters and reads all its rows */
static int query_params(struct adapter_conn *c, const char *sql, const char *const *params, size_t n,
			struct adapter_result *pres, struct arena *a, char **perr)
{
	duckdb_prepared_statement st = NULL;
	if (duckdb_prepare(c->con, sql, &st) == DuckDBError) {
		fail(a, perr, "%s", or_unknown(duckdb_prepare_error(st)));
		duckdb_destroy_prepare(&st);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (duckdb_bind_varchar(st, (idx_t)i + 1, params[i]) == DuckDBError) {
			fail(a, perr, "%s", or_unknown(duckdb_prepare_error(st)));
			duckdb_destroy_prepare(&st);
			return -1;
		}
	}
	duckdb_result res;
	if (duckdb_execute_prepared(st, &res) == DuckDBError) {
		fail(a, perr, "%s", or_unknown(duckdb_result_error(&res)));
		duckdb_destroy_result(&res);
		duckdb_destroy_prepare(&st);
		return -1;
	}
	empty_result(pres);
	adp_duckdb_read_result(c, &res, NULL, NULL, -1, pres, a);
	duckdb_destroy_result(&res);
	duckdb_destroy_prepare(&st);
	return 0;
}

/* ================================================================ open / close */

static bool is_memory_path(const char *p)
{
	return !strncmp(p, ":memory:", 8);
}

/* Paths DuckDB resolves itself: in-memory, MotherDuck, URLs */
static bool is_special_path(const char *p)
{
	return is_memory_path(p) || !strncmp(p, "md:", 3) || strstr(p, "://") != NULL;
}

/* A profile value as the text given to SET or duckdb_set_config */
static const char *setting_text(value v, struct arena *a)
{
	switch (v.type) {
	case V_STR: return val_cstr(a, v);
	case V_BOOL: return v.b ? "true" : "false";
	case V_INT: return arena_sprintf(a, "%" PRId64, v.i);
	case V_FLOAT: {
		struct sb s = SB_INIT;
		val_float_repr(&s, v.f);
		return sb_to_arena(&s, a);
	}
	default: return NULL;
	}
}

static bool valid_setting_name(const char *k)
{
	if (!*k)
		return false;
	for (const char *p = k; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
			return false;
	return true;
}

/* Names that may carry credentials: their values never appear in messages */
static bool is_secret_name(const char *k)
{
	static const char *const words[] = {"secret", "password", "token", "key", "credential"};
	char low[256];
	snprintf(low, sizeof(low), "%s", k);
	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(low, words[i]))
			return true;
	return false;
}

/* Replaces every occurrence of `secret` in msg */
static char *redact(struct arena *a, const char *msg, const char *secret)
{
	size_t n = strlen(secret);
	if (!n)
		return arena_strdup(a, msg);
	struct sb s = SB_INIT;
	for (const char *p = msg; *p;) {
		const char *hit = strstr(p, secret);
		if (!hit) {
			sb_adds(&s, p);
			break;
		}
		sb_add(&s, p, (size_t)(hit - p));
		sb_adds(&s, "***");
		p = hit + n;
	}
	char *r = sb_to_arena(&s, a);
	sb_release(&s);
	return r;
}

static const char *str_key(value target, const char *key, struct arena *a, char **perr, int *prc)
{
	value v = val_dict_gets(target, key);
	if (v.type == V_UNDEF || v.type == V_NONE)
		return NULL;
	if (v.type != V_STR) {
		*prc = fail(a, perr, "'%s' in the duckdb profile must be a string, got %s", key, val_type_name(v));
		return NULL;
	}
	return val_cstr(a, v);
}

/* Applies the settings (checking each, so a failure names it) and builds the SQL for later connections */
static int apply_settings(struct adapter *ad, duckdb_connection con, value settings, struct arena *a,
			  char **perr)
{
	if (settings.type == V_UNDEF || settings.type == V_NONE)
		return 0;
	if (settings.type != V_DICT)
		return fail(a, perr, "'settings' in the duckdb profile must be a mapping");
	struct sb all = SB_INIT;
	int rc = 0;
	for (uint32_t i = 0; i < settings.d->len && !rc; i++) {
		value k = settings.d->e[i].key, v = settings.d->e[i].val;
		const char *key = k.type == V_STR ? val_cstr(a, k) : NULL;
		if (!key || !valid_setting_name(key)) {
			rc = fail(a, perr, "invalid DuckDB setting name '%s' in the profile", key ? key : "?");
			break;
		}
		const char *text = setting_text(v, a);
		if (!text) {
			rc = fail(a, perr, "DuckDB setting '%s' must be a string, number or boolean", key);
			break;
		}
		struct sb one = SB_INIT;
		sb_addf(&one, "SET %s = ", key);
		adp_duckdb_add_string_lit(&one, text, strlen(text));
		sb_addc(&one, ';');
		duckdb_result res;
		if (duckdb_query(con, one.buf, &res) == DuckDBError) {
			const char *msg = or_unknown(duckdb_result_error(&res));
			char *safe = is_secret_name(key) ? redact(a, msg, text) : arena_strdup(a, msg);
			rc = fail(a, perr, "unable to apply DuckDB setting '%s': %s", key, safe);
		}
		duckdb_destroy_result(&res);
		sb_add(&all, one.buf, one.len);
		sb_release(&one);
	}
	if (!rc && all.len)
		ad->settings_sql = sb_to_arena(&all, &ad->arena);
	sb_release(&all);
	return rc;
}

static int load_extensions(duckdb_connection con, value exts, struct arena *a, char **perr)
{
	if (exts.type == V_UNDEF || exts.type == V_NONE)
		return 0;
	if (exts.type != V_LIST)
		return fail(a, perr, "'extensions' in the duckdb profile must be a list");
	for (size_t i = 0; i < val_len(exts); i++) {
		value e = val_at(exts, i);
		if (e.type == V_DICT)  /* dbt-duckdb also accepts {name: ..., repo: ...} */
			e = val_dict_gets(e, "name");
		if (e.type != V_STR)
			return fail(a, perr, "each of 'extensions' in the duckdb profile must be a name");
		const char *name = val_cstr(a, e);
		struct sb q = SB_INIT;
		sb_adds(&q, "LOAD ");
		adp_duckdb_add_string_lit(&q, name, strlen(name));
		duckdb_result res;
		int rc = 0;
		if (duckdb_query(con, q.buf, &res) == DuckDBError)
			rc = fail(a, perr, "unable to load DuckDB extension '%s': %s", name,
				  or_unknown(duckdb_result_error(&res)));
		duckdb_destroy_result(&res);
		sb_release(&q);
		if (rc)
			return rc;
	}
	return 0;
}

static int current_database(duckdb_connection con, struct arena *dst, const char **pname, struct arena *a,
			    char **perr)
{
	duckdb_result res;
	if (duckdb_query(con, "SELECT current_database()", &res) == DuckDBError) {
		fail(a, perr, "%s", or_unknown(duckdb_result_error(&res)));
		duckdb_destroy_result(&res);
		return -1;
	}
	duckdb_data_chunk ch = duckdb_fetch_chunk(res);
	*pname = "memory";
	if (ch && duckdb_data_chunk_get_size(ch) > 0) {
		duckdb_string_t *d = duckdb_vector_get_data(duckdb_data_chunk_get_vector(ch, 0));
		*pname = arena_strndup(dst, duckdb_string_t_data(d), duckdb_string_t_length(*d));
	}
	if (ch)
		duckdb_destroy_data_chunk(&ch);
	duckdb_destroy_result(&res);
	return 0;
}

static void dk_close(struct adapter *ad)
{
	if (!ad)
		return;
	if (ad->db)
		duckdb_close(&ad->db);
	map_release(&ad->keywords);
	relcache_release(&ad->rc);
	pthread_mutex_destroy(&ad->kw_lock);
	arena_release(&ad->arena);
	free(ad);
}

static int dk_open(struct adapter **pad, value target, const char *project_root, struct arena *a, char **perr)
{
	int rc = 0;
	*pad = NULL;
	if (target.type != V_DICT)
		return fail(a, perr, "the duckdb profile target must be a mapping");
	const char *path = str_key(target, "path", a, perr, &rc);
	const char *schema = rc ? NULL : str_key(target, "schema", a, perr, &rc);
	const char *database = rc ? NULL : str_key(target, "database", a, perr, &rc);
	if (rc)
		return rc;
	if (!path || !*path)
		path = ":memory:";
	if (!schema || !*schema)
		schema = "main";

	const char *open_path = path;
	if (!is_special_path(path)) {
		if (path[0] != '/' && project_root)
			open_path = fs_join(a, project_root, path);
		char *dir = fs_dirname(a, open_path);
		if (strcmp(dir, ".") && fs_mkdir_p(dir) < 0)
			return fail(a, perr, "unable to create the folder '%s' of the DuckDB database: %s", dir,
				    strerror(errno));
	}

	duckdb_config cfg = NULL;
	if (duckdb_create_config(&cfg) == DuckDBError)
		return fail(a, perr, "unable to create a DuckDB configuration");
	(void)duckdb_set_config(cfg, "custom_user_agent", "sluice");
	value copts = val_dict_gets(target, "config_options");
	if (copts.type == V_DICT) {
		for (uint32_t i = 0; i < copts.d->len; i++) {
			value k = copts.d->e[i].key;
			const char *key = k.type == V_STR ? val_cstr(a, k) : "?";
			const char *text = setting_text(copts.d->e[i].val, a);
			if (!text || duckdb_set_config(cfg, key, text) == DuckDBError) {
				duckdb_destroy_config(&cfg);
				return fail(a, perr, "invalid DuckDB config option '%s' in the profile", key);
			}
		}
	} else if (copts.type != V_UNDEF && copts.type != V_NONE) {
		duckdb_destroy_config(&cfg);
		return fail(a, perr, "'config_options' in the duckdb profile must be a mapping");
	}

	struct adapter *ad = xcalloc(1, sizeof(*ad));
	arena_init(&ad->arena, 4096);
	pthread_mutex_init(&ad->kw_lock, NULL);
	map_init(&ad->keywords);
	/* DuckDB matches names in any case, can attach several catalogs, and binds a view when it is
	 * read, so a DROP ... CASCADE takes no dependent view along */
	static const struct relcache_rules rules = {
		.case_insensitive = true, .keyed_by_database = true, .cascade_local = true, .txn_from_sql = true};
	relcache_init(&ad->rc, &rules, NULL);
	char *oerr = NULL;
	duckdb_state st = duckdb_open_ext(open_path, &ad->db, cfg, &oerr);
	duckdb_destroy_config(&cfg);
	if (st == DuckDBError) {
		char *msg = arena_strdup(a, or_unknown(oerr));
		for (uint32_t i = 0; copts.type == V_DICT && i < copts.d->len; i++) {
			value k = copts.d->e[i].key;
			const char *text = setting_text(copts.d->e[i].val, a);
			if (k.type == V_STR && text && is_secret_name(val_cstr(a, k)))
				msg = redact(a, msg, text);
		}
		fail(a, perr, "unable to open the DuckDB database '%s': %s", path, msg);
		duckdb_free(oerr);
		ad->db = NULL;
		dk_close(ad);
		return -1;
	}
	duckdb_connection con = NULL;
	if (duckdb_connect(ad->db, &con) == DuckDBError) {
		fail(a, perr, "unable to connect to the DuckDB database '%s'", path);
		dk_close(ad);
		return -1;
	}
	rc = load_extensions(con, val_dict_gets(target, "extensions"), a, perr);
	if (!rc)
		rc = apply_settings(ad, con, val_dict_gets(target, "settings"), a, perr);
	if (!rc)
		rc = current_database(con, &ad->arena, &ad->database, a, perr);
	if (!rc && database && strcasecmp(database, ad->database))
		rc = fail(a, perr,
			  "inconsistent 'database' and 'path' in the duckdb profile: 'path' gives the database "
			  "'%s', so 'database' must be '%s' (or left out), not '%s'",
			  ad->database, ad->database, database);
	duckdb_disconnect(&con);
	if (rc) {
		dk_close(ad);
		return rc;
	}
	ad->schema = arena_strdup(&ad->arena, schema);
	ad->rc.default_database = ad->database;
	*pad = ad;
	return 0;
}

static int dk_open_conn(struct adapter *ad, struct adapter_conn **pconn, struct arena *a, char **perr)
{
	*pconn = NULL;
	struct adapter_conn *c = xcalloc(1, sizeof(*c));
	c->ad = ad;
	if (duckdb_connect(ad->db, &c->con) == DuckDBError) {
		free(c);
		return fail(a, perr, "unable to connect to the DuckDB database '%s'", ad->database);
	}
	if (ad->settings_sql && run_simple(c->con, ad->settings_sql, a, perr) < 0) {
		/* checked at open; a failure now is not expected, and its text could hold a setting */
		duckdb_disconnect(&c->con);
		free(c);
		return fail(a, perr, "unable to apply the DuckDB settings of the profile");
	}
	*pconn = c;
	return 0;
}

/* Ctrl-C: duckdb_interrupt stops the statement running now; the flag fails the ones after it, and
 * covers an interrupt that lands between two statements, which DuckDB would forget */
static void dk_cancel(struct adapter_conn *c)
{
	atomic_store(&c->cancelled, 1);
	duckdb_interrupt(c->con);
}

static void dk_close_conn(struct adapter_conn *c)
{
	if (!c)
		return;
	relcache_txn_end(&c->ad->rc, &c->rcs, false);
	relcache_conn_release(&c->rcs);
	duckdb_disconnect(&c->con);
	free(c);
}

/* ================================================================ transactions */

static int dk_begin(struct adapter_conn *c, struct arena *a, char **perr)
{
	c->ended = false;
	int rc = run_simple(c->con, "BEGIN TRANSACTION", a, perr);
	if (rc == 0) {
		c->rcs.in_txn = true;
		c->rcs.touched = false;
	}
	return rc;
}

/* DuckDB's own words for a COMMIT with no transaction open */
static const char no_txn_msg[] = "TransactionContext Error: cannot commit - no transaction is active";

static int dk_commit(struct adapter_conn *c, struct arena *a, char **perr)
{
	/* with no transaction open (the materialization committed already) COMMIT is DuckDB's error
	 * and undoes nothing: the DDL since went through in autocommit. When nothing ran since our own
	 * COMMIT or ROLLBACK, that is known without asking DuckDB, whose error costs a statement (the
	 * run's commit after every materialization that committed itself). */
	if (c->ended && !c->rcs.in_txn)
		return fail(a, perr, "%s", no_txn_msg);
	bool open = c->rcs.in_txn;
	int rc = run_simple(c->con, "COMMIT", a, perr);
	relcache_txn_end(&c->ad->rc, &c->rcs, rc == 0 || !open);
	c->ended = rc == 0 || !open;
	return rc;
}

static bool dk_in_transaction(struct adapter_conn *c)
{
	return c->rcs.in_txn;
}

static int dk_rollback(struct adapter_conn *c, struct arena *a, char **perr)
{
	relcache_txn_end(&c->ad->rc, &c->rcs, false);
	int rc = run_simple(c->con, "ROLLBACK", a, perr);
	c->ended = true;
	return rc;
}

/* ================================================================ metadata */

static enum relation_type rel_type_of(value table_type)
{
	if (val_streq(table_type, "VIEW"))
		return REL_VIEW;
	if (val_streq(table_type, "BASE TABLE") || val_streq(table_type, "LOCAL TEMPORARY"))
		return REL_TABLE;
	return REL_UNKNOWN;
}

static const char *cell_str(const struct adapter_result *r, size_t row, size_t col, struct arena *a)
{
	value v = r->rows[row * r->ncols + col];
	return v.type == V_STR ? v.s : v.type == V_NONE ? NULL : val_cstr(a, val_to_str(a, v));
}

static const char *db_or_default(struct adapter_conn *c, const char *database)
{
	return database && *database ? database : c->ad->database;
}

static const char *schema_or_default(struct adapter_conn *c, const char *schema)
{
	return schema && *schema ? schema : c->ad->schema;
}

/* The relations of one schema from DuckDB's catalog functions (the cache's lister). Not from
 * information_schema.tables, which renders the SQL of every view of the database. */
static int list_uncached(struct adapter_conn *c, const char *database, const char *schema,
			 struct adapter_relation **prels, size_t *pn, struct arena *a, char **perr)
{
	*prels = NULL;
	*pn = 0;
	const char *params[] = {db_or_default(c, database), schema_or_default(c, schema)};
	struct adapter_result r;
	if (query_params(c,
			 "SELECT database_name, schema_name, table_name, CASE WHEN temporary THEN 'LOCAL TEMPORARY' "
			 "ELSE 'BASE TABLE' END FROM duckdb_tables() "
			 "WHERE lower(database_name) = lower($1) AND lower(schema_name) = lower($2) "
			 "UNION ALL SELECT database_name, schema_name, view_name, 'VIEW' FROM duckdb_views() "
			 "WHERE NOT internal AND lower(database_name) = lower($1) AND lower(schema_name) = lower($2)",
			 params, 2, &r, a, perr) < 0)
		return -1;
	struct adapter_relation *rels = ARENA_ARRAY(a, struct adapter_relation, r.nrows ? r.nrows : 1);
	for (size_t i = 0; i < r.nrows; i++) {
		rels[i].database = cell_str(&r, i, 0, a);
		rels[i].schema = cell_str(&r, i, 1, a);
		rels[i].identifier = cell_str(&r, i, 2, a);
		rels[i].type = rel_type_of(r.rows[i * r.ncols + 3]);
	}
	*prels = rels;
	*pn = r.nrows;
	return 0;
}

static int dk_get_relation(struct adapter_conn *c, const char *database, const char *schema,
			   const char *identifier, struct adapter_relation *prel, bool *pfound, struct arena *a,
			   char **perr)
{
	database = db_or_default(c, database);
	schema = schema_or_default(c, schema);
	if (strcasecmp(database, "temp"))
		return relcache_get(&c->ad->rc, list_uncached, c, database, schema, identifier, prel, pfound, a,
				    perr);
	/* the temporary catalog is the connection's own: never cached */
	*pfound = false;
	struct adapter_relation *rels;
	size_t n;
	if (list_uncached(c, database, schema, &rels, &n, a, perr) < 0)
		return -1;
	for (size_t i = 0; i < n && !*pfound; i++)
		if (!strcasecmp(rels[i].identifier, identifier)) {
			*prel = rels[i];
			*pfound = true;
		}
	return 0;
}

static int dk_list_relations(struct adapter_conn *c, const char *database, const char *schema,
			     struct adapter_relation **prels, size_t *pn, struct arena *a, char **perr)
{
	database = db_or_default(c, database);
	if (!strcasecmp(database, "temp"))
		return list_uncached(c, database, schema, prels, pn, a, perr);
	return relcache_list(&c->ad->rc, list_uncached, c, database, schema_or_default(c, schema), prels, pn, a,
			     perr);
}

static void dk_cache_note(struct adapter_conn *c, char op, const struct adapter_relation *rel,
			  const struct adapter_relation *to)
{
	if (op == 'a')
		relcache_added(&c->ad->rc, &c->rcs, rel);
	else if (op == 'd')
		relcache_dropped(&c->ad->rc, &c->rcs, rel);
	else if (op == 'r' && to)
		relcache_renamed(&c->ad->rc, &c->rcs, rel, to);
}

static int dk_get_columns(struct adapter_conn *c, const struct adapter_relation *rel,
			  struct adapter_column **pcols, size_t *pn, struct arena *a, char **perr)
{
	*pcols = NULL;
	*pn = 0;
	static const char q[] = "SELECT column_name, data_type, COLUMN_COMMENT "
				"FROM information_schema.columns "
				"WHERE lower(table_catalog) = lower($1) AND lower(table_schema) = lower($2) "
				"AND lower(table_name) = lower($3) "
				"ORDER BY ordinal_position";
	struct adapter_result r;
	/* a name with neither database nor schema is DuckDB's unqualified name, a temporary table
	 * first (dbt-duckdb's make_temp_relation names them so): the temp catalog, then the default */
	if (!rel->database && !rel->schema) {
		const char *temp[] = {"temp", "main", rel->identifier};
		if (query_params(c, q, temp, 3, &r, a, perr) < 0)
			return -1;
	}
	const char *params[] = {db_or_default(c, rel->database), schema_or_default(c, rel->schema),
				rel->identifier};
	if ((rel->database || rel->schema || r.nrows == 0) && query_params(c, q, params, 3, &r, a, perr) < 0)
		return -1;
	struct adapter_column *cols = ARENA_ARRAY(a, struct adapter_column, r.nrows ? r.nrows : 1);
	for (size_t i = 0; i < r.nrows; i++) {
		cols[i].name = cell_str(&r, i, 0, a);
		cols[i].type = cell_str(&r, i, 1, a);
		cols[i].comment = cell_str(&r, i, 2, a);
	}
	*pcols = cols;
	*pn = r.nrows;
	return 0;
}

static int dk_create_schema(struct adapter_conn *c, const char *database, const char *schema, struct arena *a,
			    char **perr)
{
	struct sb q = SB_INIT;
	sb_adds(&q, "CREATE SCHEMA IF NOT EXISTS ");
	adp_duckdb_add_quoted_ident(&q, db_or_default(c, database));
	sb_addc(&q, '.');
	adp_duckdb_add_quoted_ident(&q, schema_or_default(c, schema));
	int rc = run_simple(c->con, q.buf, a, perr);
	sb_release(&q);
	return rc;
}

static int dk_catalog(struct adapter_conn *c, const char *database, const char *const *schemas,
		      size_t nschemas, struct adapter_catalog_table **ptables, size_t *pn, struct arena *a,
		      char **perr)
{
	*ptables = NULL;
	*pn = 0;
	if (nschemas == 0)
		return 0;
	struct sb q = SB_INIT;
	sb_adds(&q, "SELECT t.table_catalog, t.table_schema, t.table_name, t.table_type, t.TABLE_COMMENT, "
			  "c.column_name, c.data_type, c.COLUMN_COMMENT "
			  "FROM information_schema.tables t LEFT JOIN information_schema.columns c "
			  "ON c.table_catalog = t.table_catalog AND c.table_schema = t.table_schema "
			  "AND c.table_name = t.table_name "
			  "WHERE lower(t.table_catalog) = lower($1) AND lower(t.table_schema) IN (");
	const char **params = ARENA_ARRAY(a, const char *, nschemas + 1);
	params[0] = db_or_default(c, database);
	for (size_t i = 0; i < nschemas; i++) {
		sb_addf(&q, "%slower($%zu)", i ? ", " : "", i + 2);
		params[i + 1] = schemas[i];
	}
	sb_adds(&q, ") ORDER BY t.table_schema, t.table_name, c.ordinal_position");
	struct adapter_result r;
	int rc = query_params(c, q.buf, params, nschemas + 1, &r, a, perr);
	sb_release(&q);
	if (rc < 0)
		return -1;
	/* rows arrive grouped by table: count the tables, then fill them */
	size_t ntables = 0;
	for (size_t i = 0; i < r.nrows; i++)
		if (i == 0 || !val_eq(r.rows[i * r.ncols + 1], r.rows[(i - 1) * r.ncols + 1]) ||
		    !val_eq(r.rows[i * r.ncols + 2], r.rows[(i - 1) * r.ncols + 2]))
			ntables++;
	struct adapter_catalog_table *tabs = ARENA_ARRAY(a, struct adapter_catalog_table, ntables ? ntables : 1);
	struct adapter_catalog_table *t = NULL;
	for (size_t i = 0; i < r.nrows; i++) {
		bool fresh = i == 0 || !val_eq(r.rows[i * r.ncols + 1], r.rows[(i - 1) * r.ncols + 1]) ||
			     !val_eq(r.rows[i * r.ncols + 2], r.rows[(i - 1) * r.ncols + 2]);
		if (fresh) {
			t = t ? t + 1 : tabs;
			t->rel.database = cell_str(&r, i, 0, a);
			t->rel.schema = cell_str(&r, i, 1, a);
			t->rel.identifier = cell_str(&r, i, 2, a);
			t->rel.type = rel_type_of(r.rows[i * r.ncols + 3]);
			t->owner = NULL;
			t->comment = cell_str(&r, i, 4, a);
			t->stats = val_none();
			size_t nc = 0;
			for (size_t k = i; k < r.nrows; k++) {
				if (k > i && (!val_eq(r.rows[k * r.ncols + 1], r.rows[i * r.ncols + 1]) ||
					      !val_eq(r.rows[k * r.ncols + 2], r.rows[i * r.ncols + 2])))
					break;
				if (r.rows[k * r.ncols + 5].type != V_NONE)
					nc++;
			}
			t->cols = ARENA_ARRAY(a, struct adapter_column, nc ? nc : 1);
			t->ncols = 0;
		}
		if (r.rows[i * r.ncols + 5].type == V_NONE)
			continue;
		struct adapter_column *col = &t->cols[t->ncols++];
		col->name = cell_str(&r, i, 5, a);
		col->type = cell_str(&r, i, 6, a);
		col->comment = cell_str(&r, i, 7, a);
	}
	*ptables = tabs;
	*pn = ntables;
	return 0;
}

/* ================================================================ quoting, seeds */

static const char *dk_quote(const char *ident, struct arena *a)
{
	struct sb s = SB_INIT;
	adp_duckdb_add_quoted_ident(&s, ident);
	char *r = sb_to_arena(&s, a);
	sb_release(&s);
	return r;
}

static const char *dk_default_database(struct adapter *ad)
{
	return ad->database;
}

static const char *dk_default_schema(struct adapter *ad)
{
	return ad->schema;
}

/* The header and inferred types of a seed file, and the fields agate reads as none that DuckDB's
 * default null strings miss: agate strips a field before comparing (" ", " null "), so those go to
 * read_csv's nullstr as they are written */
#define SEED_MAX_NULLS 64

struct seed_cols {
	char **names;
	enum csv_type *types;
	size_t n, cap;
	char *nulls[SEED_MAX_NULLS];
	size_t nnulls;
	bool renamed;  /* a name given twice in the header was renamed */
};

/* A header name given again becomes name_2, name_3, ... as agate's Table names it (dbt loads
 * seeds through agate); DuckDB would say name_1 */
static void dedupe_names(struct seed_cols *sc)
{
	for (size_t i = 1; i < sc->n; i++) {
		char *renamed = csv_agate_name(sc->names, i);
		if (renamed) {
			free(sc->names[i]);
			sc->names[i] = renamed;
			sc->renamed = true;
		}
	}
}

/* read_csv's null strings every seed gets */
static const char *const default_nulls[] = {"", "null", "NULL", "Null"};

static bool default_null(const char *text, size_t len)
{
	for (size_t i = 0; i < sizeof(default_nulls) / sizeof(default_nulls[0]); i++)
		if (strlen(default_nulls[i]) == len && !memcmp(default_nulls[i], text, len))
			return true;
	return false;
}

static void note_null(struct seed_cols *sc, const char *text, size_t len)
{
	for (size_t i = 0; i < sc->nnulls; i++)
		if (strlen(sc->nulls[i]) == len && !memcmp(sc->nulls[i], text, len))
			return;
	if (sc->nnulls < SEED_MAX_NULLS) {
		char *copy = xmalloc(len + 1);
		memcpy(copy, text, len);
		copy[len] = '\0';
		sc->nulls[sc->nnulls++] = copy;
	}
}

static int header_field(void *ud, size_t record, size_t field, const char *text, size_t len)
{
	struct seed_cols *sc = ud;
	if (record > 0) {
		if (csv_is_null(text, len) && !default_null(text, len))
			note_null(sc, text, len);
		return 0;
	}
	(void)field;
	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? sc->cap * 2 : 16;
		sc->names = xrealloc(sc->names, sc->cap * sizeof(*sc->names));
	}
	char *name = xmalloc(len + 1);
	memcpy(name, text, len + 1);
	sc->names[sc->n++] = name;
	return 0;
}

static int seed_columns(struct arena *a, const char *path, char delim, struct seed_cols *sc)
{
	size_t len;
	char *text = fs_read(a, path, &len);
	if (!text)
		return -1;
	csv_read(text, len, delim, header_field, sc);
	dedupe_names(sc);
	sc->types = xcalloc(sc->n + 1, sizeof(*sc->types));
	return csv_infer_types(text, len, delim, sc->types, sc->n) < 0 ? -1 : 0;
}

static void seed_columns_release(struct seed_cols *sc)
{
	for (size_t i = 0; i < sc->nnulls; i++)
		free(sc->nulls[i]);
	for (size_t i = 0; i < sc->n; i++)
		free(sc->names[i]);
	free(sc->names);
	free(sc->types);
}

/* the SQL types dbt's SQL adapters (dbt-duckdb among them) give agate's types */
static const char *seed_sql_type(enum csv_type t)
{
	switch (t) {
	case CSV_T_INTEGER: return "INTEGER";
	case CSV_T_FLOAT: return "DOUBLE";
	case CSV_T_DATE: return "DATE";
	case CSV_T_TIMESTAMP: return "TIMESTAMP";
	case CSV_T_BOOLEAN: return "BOOLEAN";
	default: return "VARCHAR";
	}
}

/*
 * CREATE TABLE "db"."schema"."name" AS SELECT * FROM read_csv('path', header = true, ...).
 * Options: `delimiter` (string), `column_types` (mapping column -> SQL type), `quote_columns`
 * (accepted; DuckDB keeps the header's names as written either way).
 */
static int dk_load_csv(struct adapter_conn *c, const struct adapter_relation *rel, const char *csv_path,
		       value options, struct arena *a, char **perr)
{
	if (options.type != V_DICT && options.type != V_NONE && options.type != V_UNDEF)
		return fail(a, perr, "the CSV options must be a mapping");
	value delim = options.type == V_DICT ? val_dict_gets(options, "delimiter") : val_undef();
	value types = options.type == V_DICT ? val_dict_gets(options, "column_types") : val_undef();
	if (delim.type != V_UNDEF && delim.type != V_NONE && (delim.type != V_STR || delim.len == 0))
		return fail(a, perr, "the CSV option 'delimiter' must be a non-empty string");
	if (types.type != V_UNDEF && types.type != V_NONE && types.type != V_DICT)
		return fail(a, perr, "the CSV option 'column_types' must be a mapping");

	struct sb q = SB_INIT;
	sb_adds(&q, "CREATE TABLE ");
	adp_duckdb_add_quoted_ident(&q, db_or_default(c, rel->database));
	sb_addc(&q, '.');
	adp_duckdb_add_quoted_ident(&q, schema_or_default(c, rel->schema));
	sb_addc(&q, '.');
	adp_duckdb_add_quoted_ident(&q, rel->identifier);
	sb_adds(&q, " AS SELECT * FROM read_csv(");
	adp_duckdb_add_string_lit(&q, csv_path, strlen(csv_path));
	/* a short row's missing fields are NULL, as agate pads dbt's seed rows */
	sb_adds(&q, ", header = true, auto_detect = true, sample_size = -1, null_padding = true");
	if (delim.type == V_STR) {
		sb_adds(&q, ", delim = ");
		adp_duckdb_add_string_lit(&q, delim.s, delim.len);
	}
	for (uint32_t i = 0; types.type == V_DICT && i < types.d->len; i++) {
		if (types.d->e[i].key.type != V_STR || types.d->e[i].val.type != V_STR) {
			sb_release(&q);
			return fail(a, perr, "the CSV option 'column_types' must map column names to type names");
		}
	}
	/* every column gets the type dbt gives it (agate's inference: integer, float8, date,
	 * timestamp, boolean or text) unless column_types names one; empty and "null" fields are
	 * NULL, as dbt loads them */
	struct seed_cols sc = {0};
	char delim_c = delim.type == V_STR ? delim.s[0] : ',';
	if (seed_columns(a, csv_path, delim_c, &sc) == 0 && sc.n) {
		if (sc.renamed) {
			sb_adds(&q, ", names = [");
			for (size_t i = 0; i < sc.n; i++) {
				if (i)
					sb_adds(&q, ", ");
				adp_duckdb_add_string_lit(&q, sc.names[i], strlen(sc.names[i]));
			}
			sb_addc(&q, ']');
		}
		sb_adds(&q, ", types = {");
		for (size_t i = 0; i < sc.n; i++) {
			value user = types.type == V_DICT ? val_dict_gets(types, sc.names[i]) : val_undef();
			if (i)
				sb_adds(&q, ", ");
			adp_duckdb_add_string_lit(&q, sc.names[i], strlen(sc.names[i]));
			sb_adds(&q, ": ");
			if (user.type == V_STR)
				adp_duckdb_add_string_lit(&q, user.s, user.len);
			else
				adp_duckdb_add_string_lit(&q, seed_sql_type(sc.types[i]), strlen(seed_sql_type(sc.types[i])));
		}
		sb_addc(&q, '}');
		sb_adds(&q, ", nullstr = [");
		size_t k = sizeof(default_nulls) / sizeof(default_nulls[0]);
		for (size_t i = 0; i < k + sc.nnulls; i++) {
			const char *s = i < k ? default_nulls[i] : sc.nulls[i - k];
			if (i)
				sb_adds(&q, ", ");
			adp_duckdb_add_string_lit(&q, s, strlen(s));
		}
		sb_addc(&q, ']');
	} else if (types.type == V_DICT && types.d->len) {
		sb_adds(&q, ", types = {");
		for (uint32_t i = 0; i < types.d->len; i++) {
			value k = types.d->e[i].key, v = types.d->e[i].val;
			if (i)
				sb_adds(&q, ", ");
			adp_duckdb_add_string_lit(&q, k.s, k.len);
			sb_adds(&q, ": ");
			adp_duckdb_add_string_lit(&q, v.s, v.len);
		}
		sb_addc(&q, '}');
	}
	seed_columns_release(&sc);
	sb_addc(&q, ')');
	int rc = -1;
	duckdb_prepared_statement st = NULL;
	if (duckdb_prepare(c->con, q.buf, &st) == DuckDBError) {
		fail(a, perr, "%s", or_unknown(duckdb_prepare_error(st)));
	} else {
		duckdb_result res;
		bool have_res;
		const char *err = run_prepared(c, st, &res, &have_res, a);
		rc = err ? fail(a, perr, "%s", err) : 0;
		if (have_res)
			duckdb_destroy_result(&res);
	}
	duckdb_destroy_prepare(&st);
	relcache_note_sql(&c->ad->rc, &c->rcs, q.buf, rc == 0);
	sb_release(&q);
	return rc;
}

const struct adapter_vtable adapter_duckdb = {
	.type = "duckdb",
	.open = dk_open,
	.close = dk_close,
	.open_conn = dk_open_conn,
	.close_conn = dk_close_conn,
	.execute = dk_execute,
	.begin = dk_begin,
	.commit = dk_commit,
	.in_transaction = dk_in_transaction,
	.rollback = dk_rollback,
	.get_relation = dk_get_relation,
	.get_columns = dk_get_columns,
	.list_relations = dk_list_relations,
	.cache_note = dk_cache_note,
	.create_schema = dk_create_schema,
	.catalog = dk_catalog,
	.quote = dk_quote,
	.default_database = dk_default_database,
	.default_schema = dk_default_schema,
	.load_csv = dk_load_csv,
	.cancel = dk_cancel,
};
