/*
 * A CSV record scanner (see csv.h). csv_check makes one pass without allocating: each record is
 * read field by field, tracking quotes, and its field count is compared with the header's.
 * csv_read hands each field over unquoted; csv_infer_types gives each column dbt's seed type.
 */
#include "core/csv.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

struct scan {
	const char *s;
	size_t n, i;
	size_t line;  /* 1-based line of s[i] */
};

/* Reads one record starting at sc->i (not at end, not on a blank line). Returns the number of
 * fields, the offset of the start of field `mark` in *pmark (when it exists), or 0 with *popen set
 * to the offset of a quote that never closes. */
static size_t read_record(struct scan *sc, char delim, size_t mark, size_t *pmark, size_t *popen, size_t *popen_line)
{
	size_t fields = 1;
field_start:
	if (fields - 1 == mark)
		*pmark = sc->i;
	if (sc->i < sc->n && sc->s[sc->i] == '"') {
		size_t q = sc->i, qline = sc->line;
		sc->i++;
		for (;;) {
			if (sc->i >= sc->n) {
				*popen = q;
				*popen_line = qline;
				return 0;
			}
			char c = sc->s[sc->i++];
			if (c == '\n')
				sc->line++;
			else if (c == '"') {
				if (sc->i < sc->n && sc->s[sc->i] == '"')
					sc->i++;
				else
					break;
			}
		}
	}
	/* the rest of the field (after a closing quote, loaders keep stray bytes: so do we) */
	while (sc->i < sc->n) {
		char c = sc->s[sc->i];
		if (c == delim) {
			sc->i++;
			fields++;
			goto field_start;
		}
		if (c == '\n' || (c == '\r' && sc->i + 1 < sc->n && sc->s[sc->i + 1] == '\n') ||
		    (c == '\r' && sc->i + 1 == sc->n))
			break;
		sc->i++;
	}
	/* past the end of line */
	if (sc->i < sc->n && sc->s[sc->i] == '\r')
		sc->i++;
	if (sc->i < sc->n && sc->s[sc->i] == '\n') {
		sc->i++;
		sc->line++;
	}
	return fields;
}

/* Skips blank lines (empty, or only a CR); true when a record starts at sc->i */
static int skip_blank(struct scan *sc)
{
	while (sc->i < sc->n) {
		if (sc->s[sc->i] == '\n') {
			sc->i++;
			sc->line++;
		} else if (sc->s[sc->i] == '\r' && (sc->i + 1 == sc->n || sc->s[sc->i + 1] == '\n')) {
			sc->i++;
		} else {
			return 1;
		}
	}
	return 0;
}

int csv_check(const char *text, size_t len, char delim, struct csv_report *prep)
{
	memset(prep, 0, sizeof(*prep));
	struct scan sc = {text, len, 0, 1};
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		sc.i = 3;
	size_t open = 0, open_line = 0, mark = 0;
	if (!skip_blank(&sc)) {
		prep->problem = CSV_EMPTY;
		return -1;
	}
	size_t start = sc.i, line = sc.line;
	size_t header = read_record(&sc, delim, (size_t)-1, &mark, &open, &open_line);
	if (header == 0) {
		prep->problem = CSV_OPEN_QUOTE;
		prep->line = open_line;
		prep->off = open;
		return -1;
	}
	prep->header_fields = header;
	(void)start, (void)line;
	while (skip_blank(&sc)) {
		start = sc.i;
		line = sc.line;
		size_t extra = start;
		size_t got = read_record(&sc, delim, header, &extra, &open, &open_line);
		prep->records++;
		if (got == 0) {
			prep->problem = CSV_OPEN_QUOTE;
			prep->line = open_line;
			prep->off = open;
			return -1;
		}
		/* a short record is padded with empty fields, as agate's Table pads the rows of dbt's
		 * seeds; a long one is an error (agate raises) */
		if (got > header) {
			const char *eol = memchr(text + start, '\n', len - start);
			size_t l = eol ? (size_t)(eol - (text + start)) : len - start;
			if (l && text[start + l - 1] == '\r')
				l--;
			prep->problem = CSV_FIELD_COUNT;
			prep->line = line;
			prep->off = start;
			prep->len = l;
			prep->fields = got;
			prep->extra_off = got > header ? extra : start;
			return -1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- reading fields */

int csv_read(const char *text, size_t len, char delim, csv_field_fn fn, void *ud)
{
	size_t i = 0, record = 0;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		i = 3;
	size_t cap = 256, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		abort();
	int rc = 0;
	while (i < len && rc == 0) {
		/* blank lines are no records */
		if (text[i] == '\n') {
			i++;
			continue;
		}
		if (text[i] == '\r' && (i + 1 == len || text[i + 1] == '\n')) {
			i++;
			continue;
		}
		size_t field = 0;
		for (;;) {
			n = 0;
			bool quoted = i < len && text[i] == '"';
			if (quoted) {
				i++;
				while (i < len) {
					char c = text[i++];
					if (c == '"') {
						if (i < len && text[i] == '"')
							i++;
						else
							break;
					}
					if (n + 1 >= cap) {
						cap *= 2;
						buf = realloc(buf, cap);
						if (!buf)
							abort();
					}
					buf[n++] = c;
				}
			}
			while (i < len && text[i] != delim && text[i] != '\n' &&
			       !(text[i] == '\r' && (i + 1 == len || text[i + 1] == '\n'))) {
				if (n + 1 >= cap) {
					cap *= 2;
					buf = realloc(buf, cap);
					if (!buf)
						abort();
				}
				buf[n++] = text[i++];
			}
			buf[n] = 0;
			rc = fn(ud, record, field, buf, n);
			if (rc)
				break;
			field++;
			if (i < len && text[i] == delim) {
				i++;
				continue;
			}
			if (i < len && text[i] == '\r')
				i++;
			if (i < len && text[i] == '\n')
				i++;
			break;
		}
		record++;
	}
	free(buf);
	return rc;
}

/* ---------------------------------------------------------------- type inference */

static void trim(const char **ps, size_t *pn)
{
	const char *s = *ps;
	size_t n = *pn;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	*ps = s;
	*pn = n;
}

static int ieq(const char *s, size_t n, const char *w)
{
	size_t m = strlen(w);
	if (n != m)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)s[i]) != w[i])
			return 0;
	return 1;
}

char *csv_agate_name(char *const *names, size_t i)
{
	size_t len = strlen(names[i]);
	char *final = NULL;
	const char *cur = names[i];
	for (int dup = 2;; dup++) {
		bool taken = false;
		for (size_t j = 0; j < i && !taken; j++)
			taken = !strcmp(names[j], cur);
		if (!taken)
			return final;
		free(final);
		final = xmalloc(len + 24);
		snprintf(final, len + 24, "%s_%d", names[i], dup);
		cur = final;
	}
}

int csv_is_null(const char *s, size_t n)
{
	trim(&s, &n);
	return n == 0 || ieq(s, n, "null");
}

/* a decimal number (group commas allowed, as agate strips them); *pfrac: it has decimal places */
static int is_number(const char *s, size_t n, int *pfrac)
{
	size_t i = 0, digits = 0;
	*pfrac = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < n && (isdigit((unsigned char)s[i]) || (s[i] == ',' && digits)))
		digits += s[i++] != ',';
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && isdigit((unsigned char)s[i])) {
			digits++;
			*pfrac = 1;
			i++;
		}
	}
	if (!digits)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t e = 0;
		while (i < n && isdigit((unsigned char)s[i]))
			e++, i++;
		if (!e)
			return 0;
		*pfrac = 1;
	}
	return i == n;
}

/* up to `max` digits (at least one) at s[*pi]; the value */
static int digits(const char *s, size_t n, size_t *pi, int min, int max, int *pv)
{
	int v = 0, k = 0;
	while (*pi < n && k < max && isdigit((unsigned char)s[*pi])) {
		v = v * 10 + (s[*pi] - '0');
		(*pi)++;
		k++;
	}
	*pv = v;
	return k >= min;
}

static int is_date_at(const char *s, size_t n, size_t *pi)
{
	int y, m, d;
	if (!digits(s, n, pi, 4, 4, &y) || *pi >= n || s[(*pi)++] != '-' || !digits(s, n, pi, 1, 2, &m) ||
	    *pi >= n || s[(*pi)++] != '-' || !digits(s, n, pi, 1, 2, &d))
		return 0;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return !(m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

static int is_time_at(const char *s, size_t n, size_t *pi, int need_seconds)
{
	int h, mi, se = 0;
	if (!digits(s, n, pi, 1, 2, &h) || *pi >= n || s[(*pi)++] != ':' || !digits(s, n, pi, 1, 2, &mi))
		return 0;
	if (*pi < n && s[*pi] == ':') {
		(*pi)++;
		if (!digits(s, n, pi, 1, 2, &se))
			return 0;
	} else if (need_seconds) {
		return 0;
	}
	return h < 24 && mi < 60 && se < 61;
}

static int is_date(const char *s, size_t n)
{
	size_t i = 0;
	return is_date_at(s, n, &i) && i == n;
}

static int is_timestamp(const char *s, size_t n)
{
	size_t i = 0;
	if (!is_date_at(s, n, &i) || i >= n)
		return 0;
	if (s[i] == ' ') {
		/* %Y-%m-%d %H:%M:%S */
		i++;
		return is_time_at(s, n, &i, 1) && i == n;
	}
	if (s[i] != 'T' && s[i] != 't')
		return 0;
	/* ISO 8601: a time, optional fraction, optional zone */
	i++;
	if (!is_time_at(s, n, &i, 0))
		return 0;
	if (i < n && (s[i] == '.' || s[i] == ',')) {
		i++;
		int f;
		if (!digits(s, n, &i, 1, 9, &f))
			return 0;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z'))
		i++;
	else if (i < n && (s[i] == '+' || s[i] == '-')) {
		int h, m = 0;
		i++;
		if (!digits(s, n, &i, 2, 2, &h))
			return 0;
		if (i < n && s[i] == ':')
			i++;
		if (i < n && !digits(s, n, &i, 2, 2, &m))
			return 0;
	}
	return i == n;
}

enum { C_NUMBER = 1, C_DATE = 2, C_TIMESTAMP = 4, C_BOOLEAN = 8 };

struct infer {
	unsigned *fits;    /* per column: the C_ bits every value so far fits */
	int *frac;         /* per column: a number with decimal places was seen */
	size_t ncols, max;
};

static int infer_field(void *ud, size_t record, size_t field, const char *s, size_t n)
{
	struct infer *in = ud;
	if (record == 0) {
		if (field < in->max)
			in->ncols = field + 1;
		return 0;
	}
	if (field >= in->ncols)
		return 0;
	trim(&s, &n);
	if (n == 0 || ieq(s, n, "null"))
		return 0;
	unsigned f = in->fits[field];
	int frac = 0;
	if ((f & C_NUMBER) && !is_number(s, n, &frac))
		f &= ~(unsigned)C_NUMBER;
	else if (f & C_NUMBER)
		in->frac[field] |= frac;
	if ((f & C_DATE) && !is_date(s, n))
		f &= ~(unsigned)C_DATE;
	if ((f & C_TIMESTAMP) && !is_timestamp(s, n))
		f &= ~(unsigned)C_TIMESTAMP;
	if ((f & C_BOOLEAN) && !ieq(s, n, "true") && !ieq(s, n, "false"))
		f &= ~(unsigned)C_BOOLEAN;
	in->fits[field] = f;
	return 0;
}

long csv_infer_types(const char *text, size_t len, char delim, enum csv_type *types, size_t max)
{
	struct infer in = {calloc(max + 1, sizeof(unsigned)), calloc(max + 1, sizeof(int)), 0, max};
	if (!in.fits || !in.frac)
		abort();
	for (size_t c = 0; c < max; c++)
		in.fits[c] = C_NUMBER | C_DATE | C_TIMESTAMP | C_BOOLEAN;
	csv_read(text, len, delim, infer_field, &in);
	for (size_t c = 0; c < in.ncols; c++) {
		unsigned f = in.fits[c];
		types[c] = (f & C_NUMBER)      ? (in.frac[c] ? CSV_T_FLOAT : CSV_T_INTEGER)
			   : (f & C_DATE)      ? CSV_T_DATE
			   : (f & C_TIMESTAMP) ? CSV_T_TIMESTAMP
			   : (f & C_BOOLEAN)   ? CSV_T_BOOLEAN
					       : CSV_T_TEXT;
	}
	free(in.fits);
	free(in.frac);
	return (long)in.ncols;
}
