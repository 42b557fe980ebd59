/*
 * Seeds on PostgreSQL: the CSV file is read once to infer a type for each column, as dbt does
 * (boolean, integer, float8 for other numbers, date, timestamp, else text; integer for a column
 * with no value; `column_types` overrides), the table is created, and the file itself is streamed
 * to the server with COPY ... FROM STDIN (FORMAT csv): the server parses the rows, so 100k rows
 * load in about the time it takes to send them. An empty unquoted field is NULL on both sides.
 * agate, which dbt reads seeds with, strips a field before comparing it with its null values (''
 * and 'null', any case), and reads a quote inside an unquoted field as text: a file that has such
 * a null written otherwise than empty (" ", "NULL", a quoted "") or such a quote is sent
 * rewritten, each null an empty unquoted field and every other field quoted as read.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adapters/postgres/internal.h"
#include "core/csv.h"
#include "core/fs.h"
#include "core/sb.h"
#include "core/vec.h"
#include "value/value.h"

enum {
	T_BOOL = 1, T_INT = 2, T_BIGINT = 4, T_NUM = 8, T_DATE = 16, T_TS = 32,
};

struct colinfo {
	const char *name;
	unsigned ok;   /* the types every non-empty value so far fits */
	bool seen;     /* a non-empty value was seen */
};

static bool is_bool(const char *s, size_t n)
{
	return (n == 4 && !strncasecmp(s, "true", 4)) || (n == 5 && !strncasecmp(s, "false", 5));
}

/* digits with an optional sign: 1 = fits int4, 2 = fits int8, 0 = not an integer */
static int int_kind(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	if (i == n || n - i > 19)
		return 0;
	for (size_t k = i; k < n; k++)
		if (!isdigit((unsigned char)s[k]))
			return 0;
	char buf[32];
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	long long v = strtoll(buf, NULL, 10);
	if (errno == ERANGE)
		return 0;
	return v >= INT_MIN && v <= INT_MAX ? 1 : 2;
}

static bool is_number(const char *s, size_t n)
{
	size_t i = 0, digits = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < n && isdigit((unsigned char)s[i]))
		i++, digits++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && isdigit((unsigned char)s[i]))
			i++, digits++;
	}
	if (!digits)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t e = i;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		if (i == e)
			return false;
	}
	return i == n;
}

static bool digits_at(const char *s, size_t k)
{
	for (size_t i = 0; i < k; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* YYYY-MM-DD */
static bool is_date(const char *s, size_t n)
{
	return n == 10 && digits_at(s, 4) && s[4] == '-' && digits_at(s + 5, 2) && s[7] == '-' && digits_at(s + 8, 2);
}

/* YYYY-MM-DD[ T]HH:MM[:SS[.ffffff]] */
static bool is_timestamp(const char *s, size_t n)
{
	if (n < 16 || !is_date(s, 10) || (s[10] != ' ' && s[10] != 'T'))
		return false;
	const char *t = s + 11;
	size_t m = n - 11;
	if (!(digits_at(t, 2) && t[2] == ':' && digits_at(t + 3, 2)))
		return false;
	if (m == 5)
		return true;
	if (m < 8 || t[5] != ':' || !digits_at(t + 6, 2))
		return false;
	if (m == 8)
		return true;
	if (t[8] != '.' || m == 9)
		return false;
	return digits_at(t + 9, m - 9);
}

static void judge(struct colinfo *ci, const char *s, size_t n)
{
	if (n == 0)
		return;
	ci->seen = true;
	if ((ci->ok & T_BOOL) && !is_bool(s, n))
		ci->ok &= ~(unsigned)T_BOOL;
	if (ci->ok & (T_INT | T_BIGINT)) {
		int k = int_kind(s, n);
		if (k == 0)
			ci->ok &= ~(unsigned)(T_INT | T_BIGINT);
		else if (k == 2)
			ci->ok &= ~(unsigned)T_INT;
	}
	if ((ci->ok & T_NUM) && !is_number(s, n))
		ci->ok &= ~(unsigned)T_NUM;
	if ((ci->ok & T_DATE) && !is_date(s, n))
		ci->ok &= ~(unsigned)T_DATE;
	if ((ci->ok & T_TS) && !is_timestamp(s, n))
		ci->ok &= ~(unsigned)T_TS;
}

static const char *type_of(const struct colinfo *ci)
{
	/* a column with no value at all: agate's first type (dbt's Integer) takes it */
	if (!ci->seen)
		return "integer";
	if (ci->ok & T_BOOL)
		return "boolean";
	if (ci->ok & T_INT)
		return "integer";
	if (ci->ok & T_BIGINT)
		return "bigint";
	if (ci->ok & T_NUM)
		return "float8";
	if (ci->ok & T_DATE)
		return "date";
	if (ci->ok & T_TS)
		return "timestamp without time zone";
	return "text";
}

/*
 * Reads one CSV field at *pp (RFC 4180: "quoted" fields with "" for a quote, line breaks inside
 * quotes). The field's text goes to out (unquoted). Returns 1 when the record goes on, 0 at its
 * end, -1 on an unterminated quote.
 */
static int read_field(const char **pp, const char *end, char delim, struct sb *out, bool *pquoted)
{
	const char *p = *pp;
	sb_reset(out);
	*pquoted = false;
	if (p < end && *p == '"') {
		*pquoted = true;
		p++;
		for (;;) {
			if (p >= end)
				return -1;
			if (*p == '"') {
				if (p + 1 < end && p[1] == '"') {
					sb_addc(out, '"');
					p += 2;
					continue;
				}
				p++;
				break;
			}
			sb_addc(out, *p++);
		}
		while (p < end && *p != delim && *p != '\n' && *p != '\r')
			sb_addc(out, *p++);  /* text after the closing quote, kept as the server would */
	} else {
		while (p < end && *p != delim && *p != '\n' && *p != '\r')
			sb_addc(out, *p++);
	}
	if (p < end && *p == delim) {
		*pp = p + 1;
		return 1;
	}
	if (p < end && *p == '\r')
		p++;
	if (p < end && *p == '\n')
		p++;
	*pp = p;
	return 0;
}

/* A seed's column name as dbt writes it: unquoted (so folded to lower case) unless quote_columns */
static void add_column_name(struct sb *q, const char *name, bool quote)
{
	bool plain = (isalpha((unsigned char)name[0]) || name[0] == '_');
	for (const char *p = name; *p && plain; p++)
		plain = isalnum((unsigned char)*p) || *p == '_';
	if (quote || !plain) {
		pg_quote_ident(q, name);
		return;
	}
	char *low = xmalloc(strlen(name) + 1);
	size_t i = 0;
	for (; name[i]; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[i] = '\0';
	pg_quote_ident(q, low);
	free(low);
}

static void add_relation(struct sb *q, struct adapter_conn *c, const struct adapter_relation *rel)
{
	pg_quote_ident(q, rel->schema && *rel->schema ? rel->schema : c->ad->schema);
	sb_addc(q, '.');
	pg_quote_ident(q, rel->identifier);
}

/* The body with agate's null fields as empty unquoted ones, every other field quoted */
static void rewrite_nulls(const char *p, const char *end, char d, size_t ncols, struct sb *out)
{
	struct sb f = SB_INIT;
	bool quoted, header = true;
	while (p < end) {
		int more;
		bool first = true;
		size_t nf = 0, mark = out->len;
		do {
			more = read_field(&p, end, d, &f, &quoted);
			if (more < 0)
				break;
			if (!first)
				sb_addc(out, d);
			first = false;
			if (header || !csv_is_null(f.buf, f.len)) {
				sb_addc(out, '"');
				for (size_t i = 0; i < f.len; i++) {
					if (f.buf[i] == '"')
						sb_addc(out, '"');
					sb_addc(out, f.buf[i]);
				}
				sb_addc(out, '"');
			}
			nf++;
		} while (more > 0);
		if (more < 0)
			break;
		/* a short row: its missing fields are NULL, as agate pads them (a blank line stays) */
		bool blank = nf == 1 && out->len == mark;
		for (; !header && !blank && nf < ncols; nf++)
			sb_addc(out, d);
		sb_addc(out, '\n');
		header = false;
	}
	sb_release(&f);
}

static int copy_data(struct adapter_conn *c, const char *sql, const char *data, size_t len, struct arena *a,
		     char **perr)
{
	PGresult *r = PQexec(c->pg, sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		char *m = pg_result_error(c->ad, r, a);
		PQclear(r);
		return pg_fail(a, perr, "%s", m);
	}
	PQclear(r);
	const size_t chunk = 256 * 1024;
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		if (PQputCopyData(c->pg, data + off, (int)n) != 1) {
			(void)PQputCopyEnd(c->pg, "cannot send the data");
			break;
		}
	}
	int rc = 0;
	if (PQputCopyEnd(c->pg, NULL) != 1)
		rc = pg_fail(a, perr, "cannot finish sending the seed: %s", PQerrorMessage(c->pg));
	while ((r = PQgetResult(c->pg))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0) {
			/* the server says which line of the file it could not take */
			const char *where = PQresultErrorField(r, PG_DIAG_CONTEXT);
			rc = pg_fail(a, perr, "%s%s%s", pg_result_error(c->ad, r, a), where ? "\nCONTEXT:  " : "",
				     where ? where : "");
		}
		PQclear(r);
	}
	return rc;
}

int pg_load_csv(struct adapter_conn *c, const struct adapter_relation *rel, const char *csv_path, value options,
		struct arena *a, char **perr)
{
	if (options.type != V_DICT && options.type != V_NONE && options.type != V_UNDEF)
		return pg_fail(a, perr, "the CSV options must be a mapping");
	value delim = options.type == V_DICT ? val_dict_gets(options, "delimiter") : val_undef();
	value types = options.type == V_DICT ? val_dict_gets(options, "column_types") : val_undef();
	bool quote = options.type == V_DICT && val_truthy(val_dict_gets(options, "quote_columns"));
	if (delim.type != V_UNDEF && delim.type != V_NONE && (delim.type != V_STR || delim.len != 1))
		return pg_fail(a, perr, "the CSV option 'delimiter' must be a single character");
	if (types.type != V_UNDEF && types.type != V_NONE && types.type != V_DICT)
		return pg_fail(a, perr, "the CSV option 'column_types' must be a mapping");
	char d = delim.type == V_STR ? delim.s[0] : ',';
	size_t len;
	char *text = fs_read(a, csv_path, &len);
	if (!text)
		return pg_fail(a, perr, "unable to read '%s': %s", csv_path, strerror(errno));
	const char *p = text, *end = text + len;
	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	const char *body = p;
	if (p >= end)
		return pg_fail(a, perr, "'%s' is empty: a seed needs a header line", csv_path);

	struct sb f = SB_INIT;
	bool quoted;
	VEC(struct colinfo) cols = {0};
	int more;
	do {
		more = read_field(&p, end, d, &f, &quoted);
		if (more < 0)
			break;
		struct colinfo ci = {.name = arena_strdup(a, f.buf), .ok = ~0u};
		VEC_PUSH(&cols, ci);
	} while (more > 0);
	/* a name given twice is renamed as agate's Table renames it (COPY matches columns by place) */
	char **names = xcalloc(cols.n + 1, sizeof(*names));
	for (size_t i = 0; i < cols.n; i++) {
		names[i] = (char *)cols.v[i].name;
		char *renamed = i ? csv_agate_name(names, i) : NULL;
		if (renamed) {
			cols.v[i].name = names[i] = arena_strdup(a, renamed);
			free(renamed);
		}
	}
	free(names);
	int rc = 0;
	size_t line = 2;
	bool rewrite = false;  /* a null field written otherwise than empty and unquoted */
	while (more >= 0 && p < end) {
		size_t i = 0;
		bool blank = false;
		do {
			more = read_field(&p, end, d, &f, &quoted);
			if (more < 0)
				break;
			bool null = csv_is_null(f.buf, f.len);
			/* a quote inside an unquoted field is text to agate (Python's csv), where the
			 * server's CSV reader would start a quoted part there */
			rewrite |= (null && (f.len || quoted)) || (!quoted && memchr(f.buf, '"', f.len));
			if (i < cols.n && !null)
				judge(&cols.v[i], f.buf, f.len);
			blank = i == 0 && more == 0 && f.len == 0 && !quoted;
			i++;
		} while (more > 0);
		if (more < 0)
			break;
		if (blank) {
			line++;
			continue;
		}
		if (i > cols.n) {
			rc = pg_fail(a, perr, "%s:%zu: the row has %zu fields but the header names %zu columns", csv_path,
				     line, i, cols.n);
			break;
		}
		rewrite |= i < cols.n;  /* padded with NULLs (rewrite_nulls) */
		line++;
	}
	if (!rc && more < 0)
		rc = pg_fail(a, perr, "%s:%zu: a quoted field is not closed before the end of the file", csv_path, line);
	sb_release(&f);
	if (!rc && (rc = pg_ensure(c, a, perr)) == 0) {
		struct sb q = SB_INIT;
		sb_adds(&q, "create table ");
		add_relation(&q, c, rel);
		sb_adds(&q, " (");
		for (size_t i = 0; i < cols.n; i++) {
			value ty = types.type == V_DICT ? val_dict_gets(types, cols.v[i].name) : val_undef();
			if (i)
				sb_adds(&q, ", ");
			add_column_name(&q, cols.v[i].name, quote);
			sb_addc(&q, ' ');
			if (ty.type == V_STR)
				sb_add(&q, ty.s, ty.len);
			else
				sb_adds(&q, type_of(&cols.v[i]));
		}
		sb_addc(&q, ')');
		rc = pg_query_params(c, q.buf, NULL, 0, NULL, a, perr);
		if (rc == 0)
			pg_cache_note_sql(c, q.buf, true);
		sb_reset(&q);
		if (rc == 0) {
			sb_adds(&q, "copy ");
			add_relation(&q, c, rel);
			sb_adds(&q, " from stdin with (format csv, header true, delimiter ");
			char ds[2] = {d, '\0'};
			pg_add_literal(&q, ds);
			sb_addc(&q, ')');
			if (rewrite) {
				struct sb data = SB_INIT;
				rewrite_nulls(body, end, d, cols.n, &data);
				rc = copy_data(c, q.buf, data.buf, data.len, a, perr);
				sb_release(&data);
			} else {
				rc = copy_data(c, q.buf, body, (size_t)(end - body), a, perr);
			}
			if (rc < 0)
				*perr = arena_sprintf(a, "loading '%s': %s", csv_path, *perr);
		}
		sb_release(&q);
	}
	VEC_FREE(&cols);
	return rc;
}
