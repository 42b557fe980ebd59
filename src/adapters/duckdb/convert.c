/*
 * The DuckDB adapter's value conversion: result chunks into `value`s, type names as DuckDB prints
 * them, and DuckDB's text of the values that have no `value` of their own.
 *
 * Scalar types are converted here. Nested types (LIST, STRUCT, MAP, ARRAY, UNION) and the odd ones
 * (BIT, BIGNUM) must print exactly as DuckDB prints them, so when the last statement is a SELECT
 * returning such columns, adp_duckdb_wrap_for_text() runs it inside
 * `SELECT ..., CAST(c AS VARCHAR) ... FROM (<stmt>)` and DuckDB does the formatting. Statements
 * that cannot be wrapped (INSERT ... RETURNING, PRAGMA) fall back to add_any_text(), a formatter
 * that follows DuckDB's rules for the common cases. Dates and times come out as ISO strings in
 * Python's style; intervals, blobs and UUIDs in DuckDB's VARCHAR form (see duckdb.c).
 */
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapters/duckdb/internal.h"
#include "core/sb.h"
#include "value/value.h"

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
		sb_adds(s, name);
	else
		adp_duckdb_add_quoted_ident(s, name);
}

/* The type's name as DuckDB prints it (information_schema.columns.data_type, typeof()) */
static void type_name(struct sb *s, duckdb_logical_type lt, struct adapter_conn *c)
{
	char *alias = duckdb_logical_type_get_alias(lt);
	if (alias) {
		sb_adds(s, alias);
		duckdb_free(alias);
		return;
	}
	duckdb_type id = duckdb_get_type_id(lt);
	switch (id) {
	case DUCKDB_TYPE_BOOLEAN: sb_adds(s, "BOOLEAN"); break;
	case DUCKDB_TYPE_TINYINT: sb_adds(s, "TINYINT"); break;
	case DUCKDB_TYPE_SMALLINT: sb_adds(s, "SMALLINT"); break;
	case DUCKDB_TYPE_INTEGER: sb_adds(s, "INTEGER"); break;
	case DUCKDB_TYPE_BIGINT: sb_adds(s, "BIGINT"); break;
	case DUCKDB_TYPE_UTINYINT: sb_adds(s, "UTINYINT"); break;
	case DUCKDB_TYPE_USMALLINT: sb_adds(s, "USMALLINT"); break;
	case DUCKDB_TYPE_UINTEGER: sb_adds(s, "UINTEGER"); break;
	case DUCKDB_TYPE_UBIGINT: sb_adds(s, "UBIGINT"); break;
	case DUCKDB_TYPE_HUGEINT: sb_adds(s, "HUGEINT"); break;
	case DUCKDB_TYPE_UHUGEINT: sb_adds(s, "UHUGEINT"); break;
	case DUCKDB_TYPE_FLOAT: sb_adds(s, "FLOAT"); break;
	case DUCKDB_TYPE_DOUBLE: sb_adds(s, "DOUBLE"); break;
	case DUCKDB_TYPE_TIMESTAMP: sb_adds(s, "TIMESTAMP"); break;
	case DUCKDB_TYPE_TIMESTAMP_S: sb_adds(s, "TIMESTAMP_S"); break;
	case DUCKDB_TYPE_TIMESTAMP_MS: sb_adds(s, "TIMESTAMP_MS"); break;
	case DUCKDB_TYPE_TIMESTAMP_NS: sb_adds(s, "TIMESTAMP_NS"); break;
	case DUCKDB_TYPE_TIMESTAMP_TZ: sb_adds(s, "TIMESTAMP WITH TIME ZONE"); break;
	case DUCKDB_TYPE_DATE: sb_adds(s, "DATE"); break;
	case DUCKDB_TYPE_TIME: sb_adds(s, "TIME"); break;
	case DUCKDB_TYPE_TIME_NS: sb_adds(s, "TIME_NS"); break;
	case DUCKDB_TYPE_TIME_TZ: sb_adds(s, "TIME WITH TIME ZONE"); break;
	case DUCKDB_TYPE_INTERVAL: sb_adds(s, "INTERVAL"); break;
	case DUCKDB_TYPE_VARCHAR: sb_adds(s, "VARCHAR"); break;
	case DUCKDB_TYPE_BLOB: sb_adds(s, "BLOB"); break;
	case DUCKDB_TYPE_UUID: sb_adds(s, "UUID"); break;
	case DUCKDB_TYPE_BIT: sb_adds(s, "BIT"); break;
	case DUCKDB_TYPE_BIGNUM: sb_adds(s, "BIGNUM"); break;
	case DUCKDB_TYPE_SQLNULL: sb_adds(s, "\"NULL\""); break;
	case DUCKDB_TYPE_ANY: sb_adds(s, "ANY"); break;
	case DUCKDB_TYPE_DECIMAL:
		sb_addf(s, "DECIMAL(%u,%u)", (unsigned)duckdb_decimal_width(lt),
			      (unsigned)duckdb_decimal_scale(lt));
		break;
	case DUCKDB_TYPE_ENUM: {
		uint32_t n = duckdb_enum_dictionary_size(lt);
		sb_adds(s, "ENUM(");
		for (uint32_t i = 0; i < n; i++) {
			char *v = duckdb_enum_dictionary_value(lt, i);
			if (i)
				sb_adds(s, ", ");
			adp_duckdb_add_string_lit(s, v, strlen(v));
			duckdb_free(v);
		}
		sb_addc(s, ')');
		break;
	}
	case DUCKDB_TYPE_LIST: {
		duckdb_logical_type ch = duckdb_list_type_child_type(lt);
		type_name(s, ch, c);
		duckdb_destroy_logical_type(&ch);
		sb_adds(s, "[]");
		break;
	}
	case DUCKDB_TYPE_ARRAY: {
		duckdb_logical_type ch = duckdb_array_type_child_type(lt);
		type_name(s, ch, c);
		duckdb_destroy_logical_type(&ch);
		sb_addf(s, "[%" PRIu64 "]", (uint64_t)duckdb_array_type_array_size(lt));
		break;
	}
	case DUCKDB_TYPE_MAP: {
		duckdb_logical_type k = duckdb_map_type_key_type(lt), v = duckdb_map_type_value_type(lt);
		sb_adds(s, "MAP(");
		type_name(s, k, c);
		sb_adds(s, ", ");
		type_name(s, v, c);
		sb_addc(s, ')');
		duckdb_destroy_logical_type(&k);
		duckdb_destroy_logical_type(&v);
		break;
	}
	case DUCKDB_TYPE_STRUCT:
	case DUCKDB_TYPE_UNION: {
		bool un = id == DUCKDB_TYPE_UNION;
		idx_t n = un ? duckdb_union_type_member_count(lt) : duckdb_struct_type_child_count(lt);
		sb_adds(s, un ? "UNION(" : "STRUCT(");
		for (idx_t i = 0; i < n; i++) {
			char *name = un ? duckdb_union_type_member_name(lt, i) : duckdb_struct_type_child_name(lt, i);
			duckdb_logical_type ch = un ? duckdb_union_type_member_type(lt, i)
						    : duckdb_struct_type_child_type(lt, i);
			if (i)
				sb_adds(s, ", ");
			add_field_name(s, name, c);
			sb_addc(s, ' ');
			type_name(s, ch, c);
			duckdb_free(name);
			duckdb_destroy_logical_type(&ch);
		}
		sb_addc(s, ')');
		break;
	}
	default: sb_adds(s, "INVALID"); break;
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
	sb_addf(s, "%04" PRId32 "-%02d-%02d", *pbc ? 1 - y : y, ds.month, ds.day);
}

/* HH:MM:SS[.ffffff] (Python style: six digits, or nine when nanoseconds remain) */
static void add_time_of_day(struct sb *s, int64_t micros, int nanos)
{
	int64_t secs = micros / 1000000, frac = micros % 1000000;
	sb_addf(s, "%02" PRId64 ":%02d:%02d", secs / 3600, (int)(secs / 60 % 60), (int)(secs % 60));
	if (nanos)
		sb_addf(s, ".%09" PRId64, frac * 1000 + nanos);
	else if (frac)
		sb_addf(s, ".%06" PRId64, frac);
}

/* A timestamp as microseconds (plus nanoseconds 0..999) since the epoch */
static void add_timestamp(struct sb *s, int64_t micros, int nanos)
{
	int64_t days = floordiv64(micros, 86400000000LL);
	int64_t tod = micros - days * 86400000000LL;
	bool bc;
	add_date(s, (int32_t)days, &bc);
	sb_addc(s, ' ');
	add_time_of_day(s, tod, nanos);
	if (bc)
		sb_adds(s, " (BC)");
}

static void add_tz_offset(struct sb *s, int32_t off)
{
	sb_addc(s, off < 0 ? '-' : '+');
	if (off < 0)
		off = -off;
	sb_addf(s, "%02d", (int)(off / 3600));
	if (off % 3600) {
		sb_addf(s, ":%02d", (int)(off / 60 % 60));
		if (off % 60)
			sb_addf(s, ":%02d", (int)(off % 60));
	}
}

/* DuckDB's interval text: "1 year 2 months 3 days 04:05:06.5" */
static void add_interval(struct sb *s, duckdb_interval iv)
{
	size_t start = s->len;
	int32_t years = iv.months / 12, months = iv.months % 12;
	if (years)
		sb_addf(s, "%" PRId32 " year%s", years, years == 1 || years == -1 ? "" : "s");
	if (months)
		sb_addf(s, "%s%" PRId32 " month%s", s->len > start ? " " : "", months,
			      months == 1 || months == -1 ? "" : "s");
	if (iv.days)
		sb_addf(s, "%s%" PRId32 " day%s", s->len > start ? " " : "", iv.days,
			      iv.days == 1 || iv.days == -1 ? "" : "s");
	if (iv.micros || s->len == start) {
		if (s->len > start)
			sb_addc(s, ' ');
		uint64_t m = iv.micros < 0 ? (uint64_t)0 - (uint64_t)iv.micros : (uint64_t)iv.micros;
		if (iv.micros < 0)
			sb_addc(s, '-');
		uint64_t secs = m / 1000000, frac = m % 1000000;
		sb_addf(s, "%02" PRIu64 ":%02u:%02u", secs / 3600, (unsigned)(secs / 60 % 60),
			      (unsigned)(secs % 60));
		if (frac) {
			char f[8];
			snprintf(f, sizeof(f), "%06u", (unsigned)frac);
			size_t n = 6;
			while (f[n - 1] == '0')
				n--;
			sb_addc(s, '.');
			sb_add(s, f, n);
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
	sb_add(s, buf + i, sizeof(buf) - i);
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
	sb_addf(s, "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64, hi >> 32,
		      (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48, lo & (uint64_t)0xffffffffffff);
}

static void add_blob(struct sb *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch >= 32 && ch <= 126 && ch != '\\' && ch != '\'' && ch != '"')
			sb_addc(s, (char)ch);
		else
			sb_addf(s, "\\x%02X", ch);
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
			sb_addc(s, ((unsigned char)p[i] >> b) & 1 ? '1' : '0');
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
	sb_addf(&s, "e-%u", scale);
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
		sb_addc(s, '-');
	if (d.len <= scale) {
		sb_adds(s, "0.");
		for (size_t i = d.len; i < scale; i++)
			sb_addc(s, '0');
		sb_add(s, d.buf, d.len);
	} else {
		sb_add(s, d.buf, d.len - scale);
		if (scale) {
			sb_addc(s, '.');
			sb_add(s, d.buf + d.len - scale, scale);
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
			sb_adds(s, days == DATE_INFINITY ? "infinity" : "-infinity");
		} else {
			bool bc;
			add_date(s, days, &bc);
			if (bc)
				sb_adds(s, " (BC)");
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
			sb_adds(s, t == TS_INFINITY ? "infinity" : "-infinity");
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
			sb_adds(s, "+00:00");
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
		sb_add(s, str_data(st), st->value.inlined.length);
		return true;
	}
	case DUCKDB_TYPE_ENUM: {
		char *v = duckdb_enum_dictionary_value(lt, enum_index(duckdb_enum_internal_type(lt), data, row));
		sb_adds(s, v ? v : "");
		duckdb_free(v);
		return true;
	}
	case DUCKDB_TYPE_BOOLEAN:
		sb_adds(s, ((const bool *)data)[row] ? "true" : "false");
		return true;
	case DUCKDB_TYPE_TINYINT: sb_addf(s, "%d", ((const int8_t *)data)[row]); return true;
	case DUCKDB_TYPE_SMALLINT: sb_addf(s, "%d", ((const int16_t *)data)[row]); return true;
	case DUCKDB_TYPE_INTEGER: sb_addf(s, "%" PRId32, ((const int32_t *)data)[row]); return true;
	case DUCKDB_TYPE_BIGINT: sb_addf(s, "%" PRId64, ((const int64_t *)data)[row]); return true;
	case DUCKDB_TYPE_UTINYINT: sb_addf(s, "%u", ((const uint8_t *)data)[row]); return true;
	case DUCKDB_TYPE_USMALLINT: sb_addf(s, "%u", ((const uint16_t *)data)[row]); return true;
	case DUCKDB_TYPE_UINTEGER: sb_addf(s, "%" PRIu32, ((const uint32_t *)data)[row]); return true;
	case DUCKDB_TYPE_UBIGINT: sb_addf(s, "%" PRIu64, ((const uint64_t *)data)[row]); return true;
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
		sb_add(s, p, n);
		return;
	}
	sb_addc(s, '\'');
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\'' || p[i] == '\\')
			sb_addc(s, '\\');
		sb_addc(s, p[i]);
	}
	sb_addc(s, '\'');
}

/*
 * Any value as DuckDB's VARCHAR cast prints it: lists [a, b], structs {'k': v}, maps {k=v}.
 * Used for nested values the wrapping cast could not reach (see DESIGN).
 */
static void add_any_text(struct sb *s, duckdb_vector vec, duckdb_logical_type lt, idx_t row, bool nested)
{
	if (!row_valid(duckdb_vector_get_validity(vec), row)) {
		sb_adds(s, "NULL");
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
		sb_addc(s, id == DUCKDB_TYPE_MAP ? '{' : '[');
		for (uint64_t i = 0; i < e.length; i++) {
			if (i)
				sb_adds(s, ", ");
			if (id == DUCKDB_TYPE_MAP) {
				duckdb_logical_type kt = duckdb_struct_type_child_type(ct, 0);
				duckdb_logical_type vt = duckdb_struct_type_child_type(ct, 1);
				add_any_text(s, duckdb_struct_vector_get_child(child, 0), kt, e.offset + i, true);
				sb_addc(s, '=');
				add_any_text(s, duckdb_struct_vector_get_child(child, 1), vt, e.offset + i, true);
				duckdb_destroy_logical_type(&kt);
				duckdb_destroy_logical_type(&vt);
			} else {
				add_any_text(s, child, ct, e.offset + i, true);
			}
		}
		sb_addc(s, id == DUCKDB_TYPE_MAP ? '}' : ']');
		duckdb_destroy_logical_type(&ct);
		return;
	}
	case DUCKDB_TYPE_ARRAY: {
		idx_t n = duckdb_array_type_array_size(lt);
		duckdb_vector child = duckdb_array_vector_get_child(vec);
		duckdb_logical_type ct = duckdb_array_type_child_type(lt);
		sb_addc(s, '[');
		for (idx_t i = 0; i < n; i++) {
			if (i)
				sb_adds(s, ", ");
			add_any_text(s, child, ct, row * n + i, true);
		}
		sb_addc(s, ']');
		duckdb_destroy_logical_type(&ct);
		return;
	}
	case DUCKDB_TYPE_STRUCT: {
		idx_t n = duckdb_struct_type_child_count(lt);
		sb_addc(s, '{');
		for (idx_t i = 0; i < n; i++) {
			char *name = duckdb_struct_type_child_name(lt, i);
			duckdb_logical_type ct = duckdb_struct_type_child_type(lt, i);
			if (i)
				sb_adds(s, ", ");
			adp_duckdb_add_string_lit(s, name, strlen(name));
			sb_adds(s, ": ");
			add_any_text(s, duckdb_struct_vector_get_child(vec, i), ct, row, true);
			duckdb_free(name);
			duckdb_destroy_logical_type(&ct);
		}
		sb_addc(s, '}');
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
			sb_adds(s, "<");
			type_name(s, lt, NULL);
			sb_adds(s, ">");
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

/* ================================================================ reading results, the CAST wrapping */

/* See internal.h */
void adp_duckdb_read_result(struct adapter_conn *c, duckdb_result *res, char **names, duckdb_logical_type *types,
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

/* See internal.h */
duckdb_prepared_statement adp_duckdb_wrap_for_text(struct adapter_conn *c, duckdb_prepared_statement st,
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
	sb_adds(&q, "SELECT ");
	for (idx_t j = 0; j < n; j++) {
		if (j)
			sb_adds(&q, ", ");
		if (needs_cast(duckdb_prepared_statement_column_type(st, j)))
			sb_addf(&q, "CAST(c%" PRIu64 " AS VARCHAR)", (uint64_t)j);
		else
			sb_addf(&q, "c%" PRIu64, (uint64_t)j);
	}
	sb_adds(&q, " FROM (\n");
	sb_add(&q, text->p, text->n);
	sb_adds(&q, "\n) AS __sluice_q(");
	for (idx_t j = 0; j < n; j++)
		sb_addf(&q, "%sc%" PRIu64, j ? ", " : "", (uint64_t)j);
	sb_addc(&q, ')');
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

void adp_duckdb_free_wrap_info(char **names, duckdb_logical_type *types, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		duckdb_free(names[j]);
		duckdb_destroy_logical_type(&types[j]);
	}
	free(names);
	free(types);
}
