/*
 * CSV records as seeds are written (RFC 4180): fields separated by one delimiter byte, records by
 * LF or CRLF, a field may be quoted with '"' (a doubled quote inside stands for one, and a quoted
 * field may span lines). Blank lines are not records. A UTF-8 byte order mark is skipped.
 *
 * csv_check walks a whole file and finds the first record whose field count differs from the
 * header's, or a quote that never closes: what a loader would otherwise turn into a wrong table.
 * Nothing is allocated; offsets point into the caller's text.
 *
 * Module direction: core -> nothing. The bottom layer: every other module may use it.
 */
#ifndef SLUICE_CORE_CSV_H
#define SLUICE_CORE_CSV_H

#include <stddef.h>

enum csv_problem {
	CSV_OK,
	CSV_EMPTY,         /* no header line at all */
	CSV_FIELD_COUNT,   /* a record with more or fewer fields than the header */
	CSV_OPEN_QUOTE,    /* a quoted field that runs to the end of the file */
};

struct csv_report {
	enum csv_problem problem;
	size_t header_fields;  /* fields of the header */
	size_t records;        /* data records read (up to and including a bad one) */
	/* the bad record (CSV_FIELD_COUNT) or the opening quote (CSV_OPEN_QUOTE) */
	size_t line;           /* 1-based line where it starts */
	size_t off;            /* byte offset where it starts */
	size_t len;            /* bytes of its first line (CSV_FIELD_COUNT) */
	size_t fields;         /* fields it has (CSV_FIELD_COUNT) */
	size_t extra_off;      /* CSV_FIELD_COUNT with too many fields: offset of the first extra one */
};

/* Fills *prep; returns 0 when the file is consistent, -1 otherwise (prep->problem says why) */
int csv_check(const char *text, size_t len, char delim, struct csv_report *prep);

/*
 * csv_read calls fn for each field of each record, in order, with the field's text unquoted (a
 * doubled quote read as one) in a buffer that lives until the next call: record 0 is the header.
 * fn returns 0 to go on, anything else to stop (csv_read then returns it). Blank lines are skipped.
 */
typedef int (*csv_field_fn)(void *ud, size_t record, size_t field, const char *text, size_t len);
int csv_read(const char *text, size_t len, char delim, csv_field_fn fn, void *ud);

/*
 * The type dbt gives a seed column from its values (agate's inference, as dbt configures it): a
 * value that is empty or "null" (any case, blanks around) is none and fits every type; then the
 * first type every other value fits, in this order.
 */
enum csv_type {
	CSV_T_INTEGER,    /* numbers without decimal places (SQL integer) */
	CSV_T_FLOAT,      /* numbers, some with decimal places (float8) */
	CSV_T_DATE,       /* YYYY-MM-DD */
	CSV_T_TIMESTAMP,  /* YYYY-MM-DD HH:MM:SS, or ISO 8601 with a T */
	CSV_T_BOOLEAN,    /* true / false, any case */
	CSV_T_TEXT,
};

/* The name agate's Table gives header name i when one of names[0..i) already has it: name_2,
 * name_3, ... (the first free one, checked against the names before it as renamed); a malloc'd
 * string, or NULL when the name is free */
char *csv_agate_name(char *const *names, size_t i);

/* Whether a field is none for seed inference and loading */
int csv_is_null(const char *text, size_t len);

/*
 * Infers the type of each column of a CSV file (after a successful csv_check): fills types[0..n)
 * for the first n columns (n: the header's field count, at most max). Returns n, or -1.
 */
long csv_infer_types(const char *text, size_t len, char delim, enum csv_type *types, size_t max);

#endif
