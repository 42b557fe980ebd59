/*
 * A CSV record scanner (see csv.h). One pass, no allocation: each record is read field by field,
 * tracking quotes, and its field count is compared with the header's.
 */
#include "core/csv.h"

#include <string.h>

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
		if (got != header) {
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
