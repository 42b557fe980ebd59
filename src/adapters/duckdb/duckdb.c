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
 *    in order. Results are materialized and read chunk by chunk, vector by vector; scalar types are
 *    converted here. Nested types (LIST, STRUCT, MAP, ARRAY, UNION) and the odd ones (BIT, BIGNUM)
 *    must print exactly as DuckDB prints them, so when the last statement is a SELECT returning such
 *    columns it is run inside `SELECT ..., CAST(c AS VARCHAR) ... FROM (<stmt>)` and DuckDB does the
 *    formatting. Statements that cannot be wrapped (INSERT ... RETURNING, PRAGMA) fall back to a
 *    formatter of our own that follows DuckDB's rules for the common cases.
 *  - The C API does not give the text of an extracted statement, yet both the wrapping above and the
 *    error messages of multi-statement SQL need it; split_sql() cuts the SQL the way DuckDB's
 *    tokenizer does (quotes, comments, dollar quotes) and is trusted only when it finds as many
 *    statements as DuckDB did.
 *  - Dates and times come out as ISO strings in Python's style (what dbt-duckdb users see from
 *    str(datetime)): 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS[.ffffff]', TIMESTAMP WITH TIME ZONE in UTC
 *    with a '+00:00' suffix. Intervals, blobs and UUIDs use DuckDB's VARCHAR form.
 */
#define DUCKDB_API_NO_DEPRECATED
#include <duckdb.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapters/adapter.h"
#include "adapters/relcache.h"
#include "core/arena.h"
#include "core/csv.h"
#include "core/fs.h"
#include "core/map.h"
#include "core/sb.h"
#include "core/vec.h"
#include "value/value.h"

struct adapter {
	duckdb_database db;
	struct arena arena;      /* names, settings SQL, keywords */
	const char *database;    /* catalog name: the file's stem, "memory" for :memory: */
	const char *schema;      /* default schema */
	const char *settings_sql;  /* "SET a = '1';SET b = 'x';" or NULL */
	pthread_mutex_t kw_lock;
	bool kw_loaded;
	struct map keywords;     /* DuckDB's keywords (lowercase), for quoting struct field names */
	struct relcache rc;      /* the relations of each schema (adapters/relcache.h) */
};

struct adapter_conn {
	struct adapter *ad;
	duckdb_connection con;
	atomic_int cancelled;  /* set by dk_cancel from another thread (Ctrl-C) */
	struct relcache_conn rcs;
};

static const char cancelled_msg[] = "the query was cancelled (interrupt)";

/* ================================================================ errors */

static int fail(struct arena *a, char **perr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct arena *a, char **perr, const char *fmt, ...)
{
	struct sb s = SB_INIT;
	va_list ap;
	va_start(ap, fmt);
	(void)sb_vaddf(&s, fmt, ap);
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

/* ================================================================ SQL text helpers */

static void add_quoted_ident(struct sb *s, const char *ident)
{
	(void)sb_addc(s, '"');
	for (const char *p = ident; *p; p++) {
		if (*p == '"')
			(void)sb_addc(s, '"');
		(void)sb_addc(s, *p);
	}
	(void)sb_addc(s, '"');
}

static void add_string_lit(struct sb *s, const char *str, size_t n)
{
	(void)sb_addc(s, '\'');
	for (size_t i = 0; i < n; i++) {
		if (str[i] == '\'')
			(void)sb_addc(s, '\'');
		(void)sb_addc(s, str[i]);
	}
	(void)sb_addc(s, '\'');
}

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

struct sql_piece {
	const char *p;
	size_t n;
};

/*
 * Splits SQL on the semicolons that end statements, skipping those inside 'strings' (E'' strings
 * with backslash escapes), "identifiers", -- and nested block comments and $tag$ dollar quotes$tag$.
 * Pieces holding only blanks and comments are dropped, as DuckDB drops them. The pieces point into
 * `sql`, trimmed of surrounding blanks.
 */
static size_t split_sql(const char *sql, struct sql_piece **ppieces)
{
	VEC(struct sql_piece) out = {0};
	const char *start = sql, *p = sql;
	const char *first = NULL, *last = NULL;  /* first and last significant bytes of the piece */
	for (;;) {
		char c = *p;
		if (c == '\0' || c == ';') {
			if (first)
				VEC_PUSH(&out, ((struct sql_piece){first, (size_t)(last - first + 1)}));
			if (c == '\0')
				break;
			p++;
			start = p;
			first = last = NULL;
			continue;
		}
		const char *tok = p;
		if (c == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
			if (first)
				last = p - 1;
			continue;
		}
		if (c == '/' && p[1] == '*') {
			int depth = 1;
			p += 2;
			while (*p && depth) {
				if (p[0] == '/' && p[1] == '*') {
					depth++;
					p += 2;
				} else if (p[0] == '*' && p[1] == '/') {
					depth--;
					p += 2;
				} else {
					p++;
				}
			}
			if (first)
				last = p - 1;
			continue;
		}
		if (isspace((unsigned char)c)) {
			p++;
			continue;
		}
		if (c == '\'' || c == '"') {
			bool esc = c == '\'' && p > start && (p[-1] == 'e' || p[-1] == 'E') &&
				   (p - 1 == start || !is_ident_char(p[-2]));
			p++;
			while (*p) {
				if (esc && *p == '\\' && p[1]) {
					p += 2;
				} else if (*p == c) {
					if (p[1] == c) {
						p += 2;
					} else {
						p++;
						break;
					}
				} else {
					p++;
				}
			}
		} else if (c == '$' && (p == start || !is_ident_char(p[-1]))) {
			const char *q = p + 1;
			while (*q && (isalpha((unsigned char)*q) || *q == '_' ||
				      (q > p + 1 && isdigit((unsigned char)*q))))
				q++;
			if (*q == '$') {
				size_t taglen = (size_t)(q - p + 1);
				const char *end = q + 1;
				while (*end && strncmp(end, p, taglen) != 0)
					end++;
				p = *end ? end + taglen : end;
			} else {
				p++;
			}
		} else {
			p++;
		}
		if (!first)
			first = tok;
		last = p - 1;
	}
	*ppieces = out.v;
	return out.n;
}

/* ================================================================ type names */

static void load_keywords(struct adapter_conn *c)
{
	struct adapter *ad = c->ad;
	pthread_mutex_lock(&ad->kw_lock);
	if (!ad->kw_loaded) {
		duckdb_result res;
		if (duckdb_query(c->con, "SELECT keyword_name FROM duckdb_keywords()", &res) == DuckDBSuccess) {
			duckdb_data_chunk ch;
			while ((ch = duckdb_fetch_chunk(res)) != NULL) {
				idx_t n = duckdb_data_chunk_get_size(ch);
				duckdb_string_t *d = duckdb_vector_get_data(duckdb_data_chunk_get_vector(ch, 0));
				for (idx_t i = 0; i < n; i++) {
					char *k = arena_strndup(&ad->arena, duckdb_string_t_data(&d[i]),
								duckdb_string_t_length(d[i]));
					map_puts(&ad->keywords, k, k);
				}
				duckdb_destroy_data_chunk(&ch);
			}
			ad->kw_loaded = true;
		}
		duckdb_destroy_result(&res);
	}
	pthread_mutex_unlock(&ad->kw_lock);
}

/* A struct field name as DuckDB writes it in a type: quoted unless a plain identifier */
static void add_field_name(struct sb *s, const char *name, struct adapter_conn *c)
{
	bool plain = *name && !isdigit((unsigned char)*name);
	for (const char *p = name; *p && plain; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			plain = false;
	if (plain && c) {
		load_keywords(c);
		char low[128];
		size_t n = strlen(name);
		if (n < sizeof(low)) {
			for (size_t i = 0; i <= n; i++)
				low[i] = (char)tolower((unsigned char)name[i]);
			if (map_gets(&c->ad->keywords, low))
				plain = false;
		}
	}
	if (plain)
		(void)sb_adds(s, name);
	else
		add_quoted_ident(s, name);
}

/* The type's name as DuckDB prints it (information_schema.columns.data_type, typeof()) */
static void type_name(struct sb *s, duckdb_logical_type lt, struct adapter_conn *c)
{
	char *alias = duckdb_logical_type_get_alias(lt);
	if (alias) {
		(void)sb_adds(s, alias);
		duckdb_free(alias);
		return;
	}
	duckdb_type id = duckdb_get_type_id(lt);
	switch (id) {
	case DUCKDB_TYPE_BOOLEAN: (void)sb_adds(s, "BOOLEAN"); break;
	case DUCKDB_TYPE_TINYINT: (void)sb_adds(s, "TINYINT"); break;
	case DUCKDB_TYPE_SMALLINT: (void)sb_adds(s, "SMALLINT"); break;
	case DUCKDB_TYPE_INTEGER: (void)sb_adds(s, "INTEGER"); break;
	case DUCKDB_TYPE_BIGINT: (void)sb_adds(s, "BIGINT"); break;
	case DUCKDB_TYPE_UTINYINT: (void)sb_adds(s, "UTINYINT"); break;
	case DUCKDB_TYPE_USMALLINT: (void)sb_adds(s, "USMALLINT"); break;
	case DUCKDB_TYPE_UINTEGER: (void)sb_adds(s, "UINTEGER"); break;
	case DUCKDB_TYPE_UBIGINT: (void)sb_adds(s, "UBIGINT"); break;
	case DUCKDB_TYPE_HUGEINT: (void)sb_adds(s, "HUGEINT"); break;
	case DUCKDB_TYPE_UHUGEINT: (void)sb_adds(s, "UHUGEINT"); break;
	case DUCKDB_TYPE_FLOAT: (void)sb_adds(s, "FLOAT"); break;
	case DUCKDB_TYPE_DOUBLE: (void)sb_adds(s, "DOUBLE"); break;
	case DUCKDB_TYPE_TIMESTAMP: (void)sb_adds(s, "TIMESTAMP"); break;
	case DUCKDB_TYPE_TIMESTAMP_S: (void)sb_adds(s, "TIMESTAMP_S"); break;
	case DUCKDB_TYPE_TIMESTAMP_MS: (void)sb_adds(s, "TIMESTAMP_MS"); break;
	case DUCKDB_TYPE_TIMESTAMP_NS: (void)sb_adds(s, "TIMESTAMP_NS"); break;
	case DUCKDB_TYPE_TIMESTAMP_TZ: (void)sb_adds(s, "TIMESTAMP WITH TIME ZONE"); break;
	case DUCKDB_TYPE_DATE: (void)sb_adds(s, "DATE"); break;
	case DUCKDB_TYPE_TIME: (void)sb_adds(s, "TIME"); break;
	case DUCKDB_TYPE_TIME_NS: (void)sb_adds(s, "TIME_NS"); break;
	case DUCKDB_TYPE_TIME_TZ: (void)sb_adds(s, "TIME WITH TIME ZONE"); break;
	case DUCKDB_TYPE_INTERVAL: (void)sb_adds(s, "INTERVAL"); break;
	case DUCKDB_TYPE_VARCHAR: (void)sb_adds(s, "VARCHAR"); break;
	case DUCKDB_TYPE_BLOB: (void)sb_adds(s, "BLOB"); break;
	case DUCKDB_TYPE_UUID: (void)sb_adds(s, "UUID"); break;
	case DUCKDB_TYPE_BIT: (void)sb_adds(s, "BIT"); break;
	case DUCKDB_TYPE_BIGNUM: (void)sb_adds(s, "BIGNUM"); break;
	case DUCKDB_TYPE_SQLNULL: (void)sb_adds(s, "\"NULL\""); break;
	case DUCKDB_TYPE_ANY: (void)sb_adds(s, "ANY"); break;
	case DUCKDB_TYPE_DECIMAL:
		(void)sb_addf(s, "DECIMAL(%u,%u)", (unsigned)duckdb_decimal_width(lt),
			      (unsigned)duckdb_decimal_scale(lt));
		break;
	case DUCKDB_TYPE_ENUM: {
		uint32_t n = duckdb_enum_dictionary_size(lt);
		(void)sb_adds(s, "ENUM(");
		for (uint32_t i = 0; i < n; i++) {
			char *v = duckdb_enum_dictionary_value(lt, i);
			if (i)
				(void)sb_adds(s, ", ");
			add_string_lit(s, v, strlen(v));
			duckdb_free(v);
		}
		(void)sb_addc(s, ')');
		break;
	}
	case DUCKDB_TYPE_LIST: {
		duckdb_logical_type ch = duckdb_list_type_child_type(lt);
		type_name(s, ch, c);
		duckdb_destroy_logical_type(&ch);
		(void)sb_adds(s, "[]");
		break;
	}
	case DUCKDB_TYPE_ARRAY: {
		duckdb_logical_type ch = duckdb_array_type_child_type(lt);
		type_name(s, ch, c);
		duckdb_destroy_logical_type(&ch);
		(void)sb_addf(s, "[%" PRIu64 "]", (uint64_t)duckdb_array_type_array_size(lt));
		break;
	}
	case DUCKDB_TYPE_MAP: {
		duckdb_logical_type k = duckdb_map_type_key_type(lt), v = duckdb_map_type_value_type(lt);
		(void)sb_adds(s, "MAP(");
		type_name(s, k, c);
		(void)sb_adds(s, ", ");
		type_name(s, v, c);
		(void)sb_addc(s, ')');
		duckdb_destroy_logical_type(&k);
		duckdb_destroy_logical_type(&v);
		break;
	}
	case DUCKDB_TYPE_STRUCT:
	case DUCKDB_TYPE_UNION: {
		bool un = id == DUCKDB_TYPE_UNION;
		idx_t n = un ? duckdb_union_type_member_count(lt) : duckdb_struct_type_child_count(lt);
		(void)sb_adds(s, un ? "UNION(" : "STRUCT(");
		for (idx_t i = 0; i < n; i++) {
			char *name = un ? duckdb_union_type_member_name(lt, i) : duckdb_struct_type_child_name(lt, i);
			duckdb_logical_type ch = un ? duckdb_union_type_member_type(lt, i)
						    : duckdb_struct_type_child_type(lt, i);
			if (i)
				(void)sb_adds(s, ", ");
			add_field_name(s, name, c);
			(void)sb_addc(s, ' ');
			type_name(s, ch, c);
			duckdb_free(name);
			duckdb_destroy_logical_type(&ch);
		}
		(void)sb_addc(s, ')');
		break;
	}
	default: (void)sb_adds(s, "INVALID"); break;
	}
}

/* ================================================================ scalar formatting */

#define TS_INFINITY INT64_MAX
#define TS_NINFINITY (-INT64_MAX)
#define DATE_INFINITY INT32_MAX
#define DATE_NINFINITY (-INT32_MAX)

static int64_t floordiv64(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void add_date(struct sb *s, int32_t days, bool *pbc)
{
	duckdb_date d = {days};
	duckdb_date_struct ds = duckdb_from_date(d);
	int32_t y = ds.year;
	*pbc = y <= 0;
	(void)sb_addf(s, "%04" PRId32 "-%02d-%02d", *pbc ? 1 - y : y, ds.month, ds.day);
}

/* HH:MM:SS[.ffffff] (Python style: six digits, or nine when nanoseconds remain) */
static void add_time_of_day(struct sb *s, int64_t micros, int nanos)
{
	int64_t secs = micros / 1000000, frac = micros % 1000000;
	(void)sb_addf(s, "%02" PRId64 ":%02d:%02d", secs / 3600, (int)(secs / 60 % 60), (int)(secs % 60));
	if (nanos)
		(void)sb_addf(s, ".%09" PRId64, frac * 1000 + nanos);
	else if (frac)
		(void)sb_addf(s, ".%06" PRId64, frac);
}

/* A timestamp as microseconds (plus nanoseconds 0..999) since the epoch */
static void add_timestamp(struct sb *s, int64_t micros, int nanos)
{
	int64_t days = floordiv64(micros, 86400000000LL);
	int64_t tod = micros - days * 86400000000LL;
	bool bc;
	add_date(s, (int32_t)days, &bc);
	(void)sb_addc(s, ' ');
	add_time_of_day(s, tod, nanos);
	if (bc)
		(void)sb_adds(s, " (BC)");
}

static void add_tz_offset(struct sb *s, int32_t off)
{
	(void)sb_addc(s, off < 0 ? '-' : '+');
	if (off < 0)
		off = -off;
	(void)sb_addf(s, "%02d", (int)(off / 3600));
	if (off % 3600) {
		(void)sb_addf(s, ":%02d", (int)(off / 60 % 60));
		if (off % 60)
			(void)sb_addf(s, ":%02d", (int)(off % 60));
	}
}

/* DuckDB's interval text: "1 year 2 months 3 days 04:05:06.5" */
static void add_interval(struct sb *s, duckdb_interval iv)
{
	size_t start = s->len;
	int32_t years = iv.months / 12, months = iv.months % 12;
	if (years)
		(void)sb_addf(s, "%" PRId32 " year%s", years, years == 1 || years == -1 ? "" : "s");
	if (months)
		(void)sb_addf(s, "%s%" PRId32 " month%s", s->len > start ? " " : "", months,
			      months == 1 || months == -1 ? "" : "s");
	if (iv.days)
		(void)sb_addf(s, "%s%" PRId32 " day%s", s->len > start ? " " : "", iv.days,
			      iv.days == 1 || iv.days == -1 ? "" : "s");
	if (iv.micros || s->len == start) {
		if (s->len > start)
			(void)sb_addc(s, ' ');
		uint64_t m = iv.micros < 0 ? (uint64_t)0 - (uint64_t)iv.micros : (uint64_t)iv.micros;
		if (iv.micros < 0)
			(void)sb_addc(s, '-');
		uint64_t secs = m / 1000000, frac = m % 1000000;
		(void)sb_addf(s, "%02" PRIu64 ":%02u:%02u", secs / 3600, (unsigned)(secs / 60 % 60),
			      (unsigned)(secs % 60));
		if (frac) {
			char f[8];
			snprintf(f, sizeof(f), "%06u", (unsigned)frac);
			size_t n = 6;
			while (f[n - 1] == '0')
				n--;
			(void)sb_addc(s, '.');
			(void)sb_add(s, f, n);
		}
	}
}

/* (GCC converts out-of-range unsigned values to signed modulo 2^128, which is what we want) */
static __int128 hugeint_value(duckdb_hugeint h)
{
	return (__int128)(((unsigned __int128)(uint64_t)h.upper << 64) | h.lower);
}

static void add_u128(struct sb *s, unsigned __int128 v, bool neg)
{
	char buf[48];
	size_t i = sizeof(buf);
	do {
		buf[--i] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	if (neg)
		buf[--i] = '-';
	(void)sb_add(s, buf + i, sizeof(buf) - i);
}

static void add_hugeint(struct sb *s, duckdb_hugeint h)
{
	__int128 v = hugeint_value(h);
	add_u128(s, v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v, v < 0);
}

static void add_uuid(struct sb *s, duckdb_hugeint h)
{
	/* DuckDB stores UUIDs with the top bit flipped, so that they sort as signed integers */
	uint64_t hi = (uint64_t)h.upper ^ ((uint64_t)1 << 63), lo = h.lower;
	(void)sb_addf(s, "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64, hi >> 32,
		      (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48, lo & (uint64_t)0xffffffffffff);
}

static void add_blob(struct sb *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch >= 32 && ch <= 126 && ch != '\\' && ch != '\'' && ch != '"')
			(void)sb_addc(s, (char)ch);
		else
			(void)sb_addf(s, "\\x%02X", ch);
	}
}

static void add_bits(struct sb *s, const char *p, size_t n)
{
	if (n == 0)
		return;
	unsigned pad = (unsigned char)p[0];
	for (size_t i = 1; i < n; i++)
		for (int b = 7; b >= 0; b--) {
			if (i == 1 && (unsigned)(7 - b) < pad)
				continue;
			(void)sb_addc(s, ((unsigned char)p[i] >> b) & 1 ? '1' : '0');
		}
}

static double decimal_to_double(__int128 v, unsigned scale)
{
	static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
				     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
				     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	/* both operands exact, so the quotient is correctly rounded */
	if (v > -((__int128)1 << 53) && v < ((__int128)1 << 53) && scale <= 22)
		return (double)(int64_t)v / p10[scale];
	struct sb s = SB_INIT;
	add_u128(&s, v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v, v < 0);
	(void)sb_addf(&s, "e-%u", scale);
	double d = strtod(s.buf, NULL);
	sb_release(&s);
	return d;
}

/* ================================================================ vectors to values */

static inline bool row_valid(const uint64_t *validity, idx_t row)
{
	return !validity || ((validity[row >> 6] >> (row & 63)) & 1);
}

static inline const char *str_data(duckdb_string_t *st)
{
	return st->value.inlined.length <= 12 ? st->value.inlined.inlined : st->value.pointer.ptr;
}

static uint64_t enum_index(duckdb_type internal, const void *data, idx_t row)
{
	switch (internal) {
	case DUCKDB_TYPE_UTINYINT: return ((const uint8_t *)data)[row];
	case DUCKDB_TYPE_USMALLINT: return ((const uint16_t *)data)[row];
	default: return ((const uint32_t *)data)[row];
	}
}

static __int128 decimal_raw(duckdb_type internal, const void *data, idx_t row)
{
	switch (internal) {
	case DUCKDB_TYPE_SMALLINT: return ((const int16_t *)data)[row];
	case DUCKDB_TYPE_INTEGER: return ((const int32_t *)data)[row];
	case DUCKDB_TYPE_BIGINT: return ((const int64_t *)data)[row];
	default: {
		duckdb_hugeint h = ((const duckdb_hugeint *)data)[row];
		return hugeint_value(h);
	}
	}
}

static void add_decimal_text(struct sb *s, __int128 v, unsigned scale)
{
	struct sb d = SB_INIT;
	bool neg = v < 0;
	add_u128(&d, neg ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v, false);
	if (neg)
		(void)sb_addc(s, '-');
	if (d.len <= scale) {
		(void)sb_adds(s, "0.");
		for (size_t i = d.len; i < scale; i++)
			(void)sb_addc(s, '0');
		(void)sb_add(s, d.buf, d.len);
	} else {
		(void)sb_add(s, d.buf, d.len - scale);
		if (scale) {
			(void)sb_addc(s, '.');
			(void)sb_add(s, d.buf + d.len - scale, scale);
		}
	}
	sb_release(&d);
}

/*
 * Formats a scalar (not nested) value of any type as text. Returns false when the type is nested,
 * unknown, or the value is a number that the caller converts itself.
 */
static bool add_scalar_text(struct sb *s, duckdb_logical_type lt, duckdb_type id, const void *data,
			    idx_t row)
{
	switch (id) {
	case DUCKDB_TYPE_DATE: {
		int32_t days = ((const duckdb_date *)data)[row].days;
		if (days == DATE_INFINITY || days == DATE_NINFINITY) {
			(void)sb_adds(s, days == DATE_INFINITY ? "infinity" : "-infinity");
		} else {
			bool bc;
			add_date(s, days, &bc);
			if (bc)
				(void)sb_adds(s, " (BC)");
		}
		return true;
	}
	case DUCKDB_TYPE_TIMESTAMP:
	case DUCKDB_TYPE_TIMESTAMP_TZ:
	case DUCKDB_TYPE_TIMESTAMP_S:
	case DUCKDB_TYPE_TIMESTAMP_MS:
	case DUCKDB_TYPE_TIMESTAMP_NS: {
		int64_t t = ((const int64_t *)data)[row];
		if (t == TS_INFINITY || t == TS_NINFINITY) {
			(void)sb_adds(s, t == TS_INFINITY ? "infinity" : "-infinity");
			return true;
		}
		int nanos = 0;
		if (id == DUCKDB_TYPE_TIMESTAMP_S) {
			t *= 1000000;
		} else if (id == DUCKDB_TYPE_TIMESTAMP_MS) {
			t *= 1000;
		} else if (id == DUCKDB_TYPE_TIMESTAMP_NS) {
			int64_t us = floordiv64(t, 1000);
			nanos = (int)(t - us * 1000);
			t = us;
		}
		add_timestamp(s, t, nanos);
		if (id == DUCKDB_TYPE_TIMESTAMP_TZ)
			(void)sb_adds(s, "+00:00");
		return true;
	}
	case DUCKDB_TYPE_TIME:
		add_time_of_day(s, ((const duckdb_time *)data)[row].micros, 0);
		return true;
	case DUCKDB_TYPE_TIME_NS: {
		int64_t ns = ((const duckdb_time_ns *)data)[row].nanos;
		add_time_of_day(s, ns / 1000, (int)(ns % 1000));
		return true;
	}
	case DUCKDB_TYPE_TIME_TZ: {
		duckdb_time_tz_struct t = duckdb_from_time_tz(((const duckdb_time_tz *)data)[row]);
		add_time_of_day(s, ((int64_t)t.time.hour * 3600 + t.time.min * 60 + t.time.sec) * 1000000 +
					   t.time.micros, 0);
		add_tz_offset(s, t.offset);
		return true;
	}
	case DUCKDB_TYPE_INTERVAL:
		add_interval(s, ((const duckdb_interval *)data)[row]);
		return true;
	case DUCKDB_TYPE_UUID:
		add_uuid(s, ((const duckdb_hugeint *)data)[row]);
		return true;
	case DUCKDB_TYPE_BLOB: {
		duckdb_string_t *st = &((duckdb_string_t *)data)[row];
		add_blob(s, str_data(st), st->value.inlined.length);
		return true;
	}
	case DUCKDB_TYPE_BIT: {
		duckdb_string_t *st = &((duckdb_string_t *)data)[row];
		add_bits(s, str_data(st), st->value.inlined.length);
		return true;
	}
	case DUCKDB_TYPE_VARCHAR: {
		duckdb_string_t *st = &((duckdb_string_t *)data)[row];
		(void)sb_add(s, str_data(st), st->value.inlined.length);
		return true;
	}
	case DUCKDB_TYPE_ENUM: {
		char *v = duckdb_enum_dictionary_value(lt, enum_index(duckdb_enum_internal_type(lt), data, row));
		(void)sb_adds(s, v ? v : "");
		duckdb_free(v);
		return true;
	}
	case DUCKDB_TYPE_BOOLEAN:
		(void)sb_adds(s, ((const bool *)data)[row] ? "true" : "false");
		return true;
	case DUCKDB_TYPE_TINYINT: (void)sb_addf(s, "%d", ((const int8_t *)data)[row]); return true;
	case DUCKDB_TYPE_SMALLINT: (void)sb_addf(s, "%d", ((const int16_t *)data)[row]); return true;
	case DUCKDB_TYPE_INTEGER: (void)sb_addf(s, "%" PRId32, ((const int32_t *)data)[row]); return true;
	case DUCKDB_TYPE_BIGINT: (void)sb_addf(s, "%" PRId64, ((const int64_t *)data)[row]); return true;
	case DUCKDB_TYPE_UTINYINT: (void)sb_addf(s, "%u", ((const uint8_t *)data)[row]); return true;
	case DUCKDB_TYPE_USMALLINT: (void)sb_addf(s, "%u", ((const uint16_t *)data)[row]); return true;
	case DUCKDB_TYPE_UINTEGER: (void)sb_addf(s, "%" PRIu32, ((const uint32_t *)data)[row]); return true;
	case DUCKDB_TYPE_UBIGINT: (void)sb_addf(s, "%" PRIu64, ((const uint64_t *)data)[row]); return true;
	case DUCKDB_TYPE_HUGEINT: add_hugeint(s, ((const duckdb_hugeint *)data)[row]); return true;
	case DUCKDB_TYPE_UHUGEINT: {
		duckdb_uhugeint u = ((const duckdb_uhugeint *)data)[row];
		add_u128(s, ((unsigned __int128)u.upper << 64) | u.lower, false);
		return true;
	}
	case DUCKDB_TYPE_FLOAT: val_float_repr(s, (double)((const float *)data)[row]); return true;
	case DUCKDB_TYPE_DOUBLE: val_float_repr(s, ((const double *)data)[row]); return true;
	case DUCKDB_TYPE_DECIMAL:
		add_decimal_text(s, decimal_raw(duckdb_decimal_internal_type(lt), data, row),
				 duckdb_decimal_scale(lt));
		return true;
	default:
		return false;
	}
}

/* A string inside a nested value, quoted when DuckDB would quote it */
static void add_nested_string(struct sb *s, const char *p, size_t n)
{
	bool quote = n == 0 || isspace((unsigned char)p[0]) || isspace((unsigned char)p[n - 1]) ||
		     (n == 4 && !strncasecmp(p, "null", 4));
	for (size_t i = 0; i < n && !quote; i++)
		if (strchr("[]{}(),:='\"", p[i]))
			quote = true;
	if (!quote) {
		(void)sb_add(s, p, n);
		return;
	}
	(void)sb_addc(s, '\'');
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\'' || p[i] == '\\')
			(void)sb_addc(s, '\\');
		(void)sb_addc(s, p[i]);
	}
	(void)sb_addc(s, '\'');
}

/*
 * Any value as DuckDB's VARCHAR cast prints it: lists [a, b], structs {'k': v}, maps {k=v}.
 * Used for nested values the wrapping cast could not reach (see DESIGN).
 */
static void add_any_text(struct sb *s, duckdb_vector vec, duckdb_logical_type lt, idx_t row, bool nested)
{
	if (!row_valid(duckdb_vector_get_validity(vec), row)) {
		(void)sb_adds(s, "NULL");
		return;
	}
	duckdb_type id = duckdb_get_type_id(lt);
	void *data = duckdb_vector_get_data(vec);
	switch (id) {
	case DUCKDB_TYPE_LIST:
	case DUCKDB_TYPE_MAP: {
		duckdb_list_entry e = ((duckdb_list_entry *)data)[row];
		duckdb_vector child = duckdb_list_vector_get_child(vec);
		duckdb_logical_type ct = duckdb_list_type_child_type(lt);
		(void)sb_addc(s, id == DUCKDB_TYPE_MAP ? '{' : '[');
		for (uint64_t i = 0; i < e.length; i++) {
			if (i)
				(void)sb_adds(s, ", ");
			if (id == DUCKDB_TYPE_MAP) {
				duckdb_logical_type kt = duckdb_struct_type_child_type(ct, 0);
				duckdb_logical_type vt = duckdb_struct_type_child_type(ct, 1);
				add_any_text(s, duckdb_struct_vector_get_child(child, 0), kt, e.offset + i, true);
				(void)sb_addc(s, '=');
				add_any_text(s, duckdb_struct_vector_get_child(child, 1), vt, e.offset + i, true);
				duckdb_destroy_logical_type(&kt);
				duckdb_destroy_logical_type(&vt);
			} else {
				add_any_text(s, child, ct, e.offset + i, true);
			}
		}
		(void)sb_addc(s, id == DUCKDB_TYPE_MAP ? '}' : ']');
		duckdb_destroy_logical_type(&ct);
		return;
	}
	case DUCKDB_TYPE_ARRAY: {
		idx_t n = duckdb_array_type_array_size(lt);
		duckdb_vector child = duckdb_array_vector_get_child(vec);
		duckdb_logical_type ct = duckdb_array_type_child_type(lt);
		(void)sb_addc(s, '[');
		for (idx_t i = 0; i < n; i++) {
			if (i)
				(void)sb_adds(s, ", ");
			add_any_text(s, child, ct, row * n + i, true);
		}
		(void)sb_addc(s, ']');
		duckdb_destroy_logical_type(&ct);
		return;
	}
	case DUCKDB_TYPE_STRUCT: {
		idx_t n = duckdb_struct_type_child_count(lt);
		(void)sb_addc(s, '{');
		for (idx_t i = 0; i < n; i++) {
			char *name = duckdb_struct_type_child_name(lt, i);
			duckdb_logical_type ct = duckdb_struct_type_child_type(lt, i);
			if (i)
				(void)sb_adds(s, ", ");
			add_string_lit(s, name, strlen(name));
			(void)sb_adds(s, ": ");
			add_any_text(s, duckdb_struct_vector_get_child(vec, i), ct, row, true);
			duckdb_free(name);
			duckdb_destroy_logical_type(&ct);
		}
		(void)sb_addc(s, '}');
		return;
	}
	case DUCKDB_TYPE_UNION: {
		/* a struct whose child 0 is the tag and child k+1 member k */
		uint8_t tag = ((uint8_t *)duckdb_vector_get_data(duckdb_struct_vector_get_child(vec, 0)))[row];
		duckdb_logical_type ct = duckdb_union_type_member_type(lt, tag);
		add_any_text(s, duckdb_struct_vector_get_child(vec, (idx_t)tag + 1), ct, row, nested);
		duckdb_destroy_logical_type(&ct);
		return;
	}
	case DUCKDB_TYPE_VARCHAR:
	case DUCKDB_TYPE_ENUM:
		if (nested) {
			struct sb t = SB_INIT;
			(void)add_scalar_text(&t, lt, id, data, row);
			add_nested_string(s, t.buf, t.len);
			sb_release(&t);
			return;
		}
		(void)add_scalar_text(s, lt, id, data, row);
		return;
	default:
		if (!add_scalar_text(s, lt, id, data, row)) {
			/* BIGNUM and future types: DuckDB's own text is out of reach here */
			(void)sb_adds(s, "<");
			type_name(s, lt, NULL);
			(void)sb_adds(s, ">");
		}
		return;
	}
}

/* What we know about one result column while converting chunks */
struct colconv {
	duckdb_logical_type lt;  /* owned */
	duckdb_type id;
	duckdb_type internal;    /* storage type of DECIMAL and ENUM */
	unsigned scale;
	value *enum_vals;        /* ENUM dictionary, as strings */
	uint32_t nenum;
};

static void colconv_init(struct colconv *cc, duckdb_logical_type lt, struct arena *a)
{
	cc->lt = lt;
	cc->id = duckdb_get_type_id(lt);
	cc->enum_vals = NULL;
	cc->nenum = 0;
	if (cc->id == DUCKDB_TYPE_DECIMAL) {
		cc->internal = duckdb_decimal_internal_type(lt);
		cc->scale = duckdb_decimal_scale(lt);
	} else if (cc->id == DUCKDB_TYPE_ENUM) {
		cc->internal = duckdb_enum_internal_type(lt);
		cc->nenum = duckdb_enum_dictionary_size(lt);
		cc->enum_vals = ARENA_ARRAY(a, value, cc->nenum);
		for (uint32_t i = 0; i < cc->nenum; i++) {
			char *v = duckdb_enum_dictionary_value(lt, i);
			size_t n = strlen(v);
			cc->enum_vals[i] = val_strn(arena_strndup(a, v, n), n);
			duckdb_free(v);
		}
	}
}

static value text_value(struct sb *s, struct arena *a)
{
	return val_strn(arena_strndup(a, s->buf, s->len), s->len);
}

static value u128_value(unsigned __int128 v, bool neg, struct sb *tmp, struct arena *a)
{
	if (!neg && v <= INT64_MAX)
		return val_int((int64_t)v);
	if (neg && v <= (unsigned __int128)INT64_MAX + 1)
		return val_int(v == (unsigned __int128)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v);
	sb_reset(tmp);
	add_u128(tmp, v, neg);
	return text_value(tmp, a);
}

/* Converts rows [0, n) of a column vector into out[k * stride] */
static void convert_column(const struct colconv *cc, duckdb_vector vec, idx_t n, value *out, size_t stride,
			   struct sb *tmp, struct arena *a)
{
	const uint64_t *validity = duckdb_vector_get_validity(vec);
	void *data = duckdb_vector_get_data(vec);
	for (idx_t r = 0; r < n; r++, out += stride) {
		if (!row_valid(validity, r)) {
			*out = val_none();
			continue;
		}
		switch (cc->id) {
		case DUCKDB_TYPE_BOOLEAN: *out = val_bool(((const bool *)data)[r]); break;
		case DUCKDB_TYPE_TINYINT: *out = val_int(((const int8_t *)data)[r]); break;
		case DUCKDB_TYPE_SMALLINT: *out = val_int(((const int16_t *)data)[r]); break;
		case DUCKDB_TYPE_INTEGER: *out = val_int(((const int32_t *)data)[r]); break;
		case DUCKDB_TYPE_BIGINT: *out = val_int(((const int64_t *)data)[r]); break;
		case DUCKDB_TYPE_UTINYINT: *out = val_int(((const uint8_t *)data)[r]); break;
		case DUCKDB_TYPE_USMALLINT: *out = val_int(((const uint16_t *)data)[r]); break;
		case DUCKDB_TYPE_UINTEGER: *out = val_int(((const uint32_t *)data)[r]); break;
		case DUCKDB_TYPE_UBIGINT: *out = u128_value(((const uint64_t *)data)[r], false, tmp, a); break;
		case DUCKDB_TYPE_HUGEINT: {
			duckdb_hugeint h = ((const duckdb_hugeint *)data)[r];
			__int128 v = hugeint_value(h);
			*out = u128_value(v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v,
					  v < 0, tmp, a);
			break;
		}
		case DUCKDB_TYPE_UHUGEINT: {
			duckdb_uhugeint u = ((const duckdb_uhugeint *)data)[r];
			*out = u128_value(((unsigned __int128)u.upper << 64) | u.lower, false, tmp, a);
			break;
		}
		case DUCKDB_TYPE_FLOAT: *out = val_float((double)((const float *)data)[r]); break;
		case DUCKDB_TYPE_DOUBLE: *out = val_float(((const double *)data)[r]); break;
		case DUCKDB_TYPE_DECIMAL:
			*out = val_float(decimal_to_double(decimal_raw(cc->internal, data, r), cc->scale));
			break;
		case DUCKDB_TYPE_VARCHAR: {
			duckdb_string_t *st = &((duckdb_string_t *)data)[r];
			uint32_t len = st->value.inlined.length;
			*out = val_strn(arena_strndup(a, str_data(st), len), len);
			break;
		}
		case DUCKDB_TYPE_ENUM: {
			uint64_t ix = enum_index(cc->internal, data, r);
			*out = ix < cc->nenum ? cc->enum_vals[ix] : val_none();
			break;
		}
		default:
			sb_reset(tmp);
			add_any_text(tmp, vec, cc->lt, r, false);
			*out = text_value(tmp, a);
			break;
		}
	}
}

/* Types whose text DuckDB should produce (see DESIGN) */
static bool needs_cast(duckdb_type id)
{
	switch (id) {
	case DUCKDB_TYPE_LIST:
	case DUCKDB_TYPE_STRUCT:
	case DUCKDB_TYPE_MAP:
	case DUCKDB_TYPE_ARRAY:
	case DUCKDB_TYPE_UNION:
	case DUCKDB_TYPE_BIT:
	case DUCKDB_TYPE_BIGNUM:
		return true;
	default:
		return false;
	}
}

/* ================================================================ running statements */

/*
 * Reads a materialized result into *pres: the columns (names from `names` when given, types from
 * `types` when given, else from the result) and up to `limit` rows.
 */
static void read_result(struct adapter_conn *c, duckdb_result *res, char **names, duckdb_logical_type *types,
			long limit, struct adapter_result *pres, struct arena *a)
{
	size_t ncols = (size_t)duckdb_column_count(res);
	pres->ncols = ncols;
	pres->cols = ARENA_ARRAY(a, struct adapter_column, ncols ? ncols : 1);
	struct colconv *cc = xcalloc(ncols ? ncols : 1, sizeof(*cc));
	struct sb tmp = SB_INIT;
	for (size_t j = 0; j < ncols; j++) {
		const char *nm = names ? names[j] : duckdb_column_name(res, j);
		pres->cols[j].name = arena_strdup(a, nm ? nm : "");
		duckdb_logical_type shown = types ? types[j] : duckdb_column_logical_type(res, j);
		sb_reset(&tmp);
		type_name(&tmp, shown, c);
		pres->cols[j].type = arena_strndup(a, tmp.buf, tmp.len);
		pres->cols[j].comment = NULL;
		if (types)
			colconv_init(&cc[j], duckdb_column_logical_type(res, j), a);
		else
			colconv_init(&cc[j], shown, a);
	}
	size_t cap = 0, nrows = 0;
	value *rows = NULL;
	duckdb_data_chunk ch;
	while ((limit < 0 || nrows < (size_t)limit) && (ch = duckdb_fetch_chunk(*res)) != NULL) {
		idx_t n = duckdb_data_chunk_get_size(ch);
		if (limit >= 0 && nrows + n > (size_t)limit)
			n = (idx_t)((size_t)limit - nrows);
		if (ncols && nrows + n > cap) {
			size_t ncap = cap ? cap * 2 : 64;
			while (ncap < nrows + n)
				ncap *= 2;
			rows = arena_realloc(a, rows, cap * ncols * sizeof(value), ncap * ncols * sizeof(value));
			cap = ncap;
		}
		for (size_t j = 0; j < ncols; j++)
			convert_column(&cc[j], duckdb_data_chunk_get_vector(ch, j), n, rows + nrows * ncols + j,
				       ncols, &tmp, a);
		nrows += n;
		duckdb_destroy_data_chunk(&ch);
	}
	pres->nrows = nrows;
	pres->rows = rows;
	for (size_t j = 0; j < ncols; j++)
		duckdb_destroy_logical_type(&cc[j].lt);
	free(cc);
	sb_release(&tmp);
}

/*
 * For a SELECT with nested columns: prepares `SELECT c0, CAST(c1 AS VARCHAR) ... FROM (<text>)` and
 * takes the original names and types. Returns the new statement, or NULL to run the original.
 */
static duckdb_prepared_statement wrap_for_text(struct adapter_conn *c, duckdb_prepared_statement st,
					       const struct sql_piece *text, char ***pnames,
					       duckdb_logical_type **ptypes, size_t *pn)
{
	if (!text || duckdb_prepared_statement_type(st) != DUCKDB_STATEMENT_TYPE_SELECT)
		return NULL;
	idx_t n = duckdb_prepared_statement_column_count(st);
	bool any = false;
	for (idx_t j = 0; j < n && !any; j++) {
		duckdb_type id = duckdb_prepared_statement_column_type(st, j);
		if (id == DUCKDB_TYPE_INVALID)
			return NULL;
		any = needs_cast(id);
	}
	if (!any)
		return NULL;
	struct sb q = SB_INIT;
	(void)sb_adds(&q, "SELECT ");
	for (idx_t j = 0; j < n; j++) {
		if (j)
			(void)sb_adds(&q, ", ");
		if (needs_cast(duckdb_prepared_statement_column_type(st, j)))
			(void)sb_addf(&q, "CAST(c%" PRIu64 " AS VARCHAR)", (uint64_t)j);
		else
			(void)sb_addf(&q, "c%" PRIu64, (uint64_t)j);
	}
	(void)sb_adds(&q, " FROM (\n");
	(void)sb_add(&q, text->p, text->n);
	(void)sb_adds(&q, "\n) AS __sluice_q(");
	for (idx_t j = 0; j < n; j++)
		(void)sb_addf(&q, "%sc%" PRIu64, j ? ", " : "", (uint64_t)j);
	(void)sb_addc(&q, ')');
	duckdb_prepared_statement w = NULL;
	duckdb_state rc = duckdb_prepare(c->con, q.buf, &w);
	sb_release(&q);
	if (rc == DuckDBError || duckdb_prepared_statement_column_count(w) != n) {
		duckdb_destroy_prepare(&w);
		return NULL;
	}
	char **names = xcalloc(n ? n : 1, sizeof(char *));
	duckdb_logical_type *types = xcalloc(n ? n : 1, sizeof(duckdb_logical_type));
	for (idx_t j = 0; j < n; j++) {
		names[j] = (char *)duckdb_prepared_statement_column_name(st, j);
		types[j] = duckdb_prepared_statement_column_logical_type(st, j);
	}
	*pnames = names;
	*ptypes = types;
	*pn = n;
	return w;
}

static void free_wrap_info(char **names, duckdb_logical_type *types, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		duckdb_free(names[j]);
		duckdb_destroy_logical_type(&types[j]);
	}
	free(names);
	free(types);
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
	if (split_sql(sql, ppieces) != n) {
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
				wrap_for_text(c, st, pieces ? &pieces[i] : NULL, &names, &types, &nwrap);
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
				free_wrap_info(names, types, nwrap);
			goto out;
		}
		if (last && pres) {
			empty_result(pres);
			if (fetch)
				read_result(c, &res, names, types, limit, pres, a);
		}
		if (names)
			free_wrap_info(names, types, nwrap);
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
	read_result(c, &res, NULL, NULL, -1, pres, a);
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
			(void)sb_adds(&s, p);
			break;
		}
		(void)sb_add(&s, p, (size_t)(hit - p));
		(void)sb_adds(&s, "***");
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
		(void)sb_addf(&one, "SET %s = ", key);
		add_string_lit(&one, text, strlen(text));
		(void)sb_addc(&one, ';');
		duckdb_result res;
		if (duckdb_query(con, one.buf, &res) == DuckDBError) {
			const char *msg = or_unknown(duckdb_result_error(&res));
			char *safe = is_secret_name(key) ? redact(a, msg, text) : arena_strdup(a, msg);
			rc = fail(a, perr, "unable to apply DuckDB setting '%s': %s", key, safe);
		}
		duckdb_destroy_result(&res);
		(void)sb_add(&all, one.buf, one.len);
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
		(void)sb_adds(&q, "LOAD ");
		add_string_lit(&q, name, strlen(name));
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
	int rc = run_simple(c->con, "BEGIN TRANSACTION", a, perr);
	if (rc == 0) {
		c->rcs.in_txn = true;
		c->rcs.touched = false;
	}
	return rc;
}

static int dk_commit(struct adapter_conn *c, struct arena *a, char **perr)
{
	/* with no transaction open (the materialization committed already) COMMIT is DuckDB's error
	 * and undoes nothing: the DDL since went through in autocommit */
	bool open = c->rcs.in_txn;
	int rc = run_simple(c->con, "COMMIT", a, perr);
	relcache_txn_end(&c->ad->rc, &c->rcs, rc == 0 || !open);
	return rc;
}

static int dk_rollback(struct adapter_conn *c, struct arena *a, char **perr)
{
	relcache_txn_end(&c->ad->rc, &c->rcs, false);
	return run_simple(c->con, "ROLLBACK", a, perr);
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
	const char *params[] = {db_or_default(c, rel->database), schema_or_default(c, rel->schema),
				rel->identifier};
	struct adapter_result r;
	if (query_params(c,
			 "SELECT column_name, data_type, COLUMN_COMMENT "
			 "FROM information_schema.columns "
			 "WHERE lower(table_catalog) = lower($1) AND lower(table_schema) = lower($2) "
			 "AND lower(table_name) = lower($3) "
			 "ORDER BY ordinal_position",
			 params, 3, &r, a, perr) < 0)
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
	(void)sb_adds(&q, "CREATE SCHEMA IF NOT EXISTS ");
	add_quoted_ident(&q, db_or_default(c, database));
	(void)sb_addc(&q, '.');
	add_quoted_ident(&q, schema_or_default(c, schema));
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
	(void)sb_adds(&q, "SELECT t.table_catalog, t.table_schema, t.table_name, t.table_type, t.TABLE_COMMENT, "
			  "c.column_name, c.data_type, c.COLUMN_COMMENT "
			  "FROM information_schema.tables t LEFT JOIN information_schema.columns c "
			  "ON c.table_catalog = t.table_catalog AND c.table_schema = t.table_schema "
			  "AND c.table_name = t.table_name "
			  "WHERE lower(t.table_catalog) = lower($1) AND lower(t.table_schema) IN (");
	const char **params = ARENA_ARRAY(a, const char *, nschemas + 1);
	params[0] = db_or_default(c, database);
	for (size_t i = 0; i < nschemas; i++) {
		(void)sb_addf(&q, "%slower($%zu)", i ? ", " : "", i + 2);
		params[i + 1] = schemas[i];
	}
	(void)sb_adds(&q, ") ORDER BY t.table_schema, t.table_name, c.ordinal_position");
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
	add_quoted_ident(&s, ident);
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

/* The header and inferred types of a seed file */
struct seed_cols {
	char **names;
	enum csv_type *types;
	size_t n, cap;
};

static int header_field(void *ud, size_t record, size_t field, const char *text, size_t len)
{
	struct seed_cols *sc = ud;
	if (record > 0)
		return 1;
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
	sc->types = xcalloc(sc->n + 1, sizeof(*sc->types));
	return csv_infer_types(text, len, delim, sc->types, sc->n) < 0 ? -1 : 0;
}

static void seed_columns_release(struct seed_cols *sc)
{
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
	(void)sb_adds(&q, "CREATE TABLE ");
	add_quoted_ident(&q, db_or_default(c, rel->database));
	(void)sb_addc(&q, '.');
	add_quoted_ident(&q, schema_or_default(c, rel->schema));
	(void)sb_addc(&q, '.');
	add_quoted_ident(&q, rel->identifier);
	(void)sb_adds(&q, " AS SELECT * FROM read_csv(");
	add_string_lit(&q, csv_path, strlen(csv_path));
	(void)sb_adds(&q, ", header = true, auto_detect = true, sample_size = -1");
	if (delim.type == V_STR) {
		(void)sb_adds(&q, ", delim = ");
		add_string_lit(&q, delim.s, delim.len);
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
		(void)sb_adds(&q, ", types = {");
		for (size_t i = 0; i < sc.n; i++) {
			value user = types.type == V_DICT ? val_dict_gets(types, sc.names[i]) : val_undef();
			if (i)
				(void)sb_adds(&q, ", ");
			add_string_lit(&q, sc.names[i], strlen(sc.names[i]));
			(void)sb_adds(&q, ": ");
			if (user.type == V_STR)
				add_string_lit(&q, user.s, user.len);
			else
				add_string_lit(&q, seed_sql_type(sc.types[i]), strlen(seed_sql_type(sc.types[i])));
		}
		(void)sb_addc(&q, '}');
		(void)sb_adds(&q, ", nullstr = ['', 'null', 'NULL', 'Null']");
	} else if (types.type == V_DICT && types.d->len) {
		(void)sb_adds(&q, ", types = {");
		for (uint32_t i = 0; i < types.d->len; i++) {
			value k = types.d->e[i].key, v = types.d->e[i].val;
			if (i)
				(void)sb_adds(&q, ", ");
			add_string_lit(&q, k.s, k.len);
			(void)sb_adds(&q, ": ");
			add_string_lit(&q, v.s, v.len);
		}
		(void)sb_addc(&q, '}');
	}
	seed_columns_release(&sc);
	(void)sb_addc(&q, ')');
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
