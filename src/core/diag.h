/*
 * Diagnostics: locations in source files and the errors, warnings and notes reported against them.
 *
 * A location is {file id, byte offset, length}; line and column are computed only when a diagnostic
 * is printed, from a line map built once per file (jq's locfile). Files are registered in one
 * process-wide table (thread-safe); the registry copies the path but not the text, which must
 * outlive every diagnostic that points into it (keep it in the project arena).
 *
 * Nothing prints at the failure point: functions add to a `struct diag_list` handed down to them,
 * and the CLI (or a test) prints the list. A diag_list is thread-safe and owns its diagnostics.
 *
 * Printed like a compiler:
 *   models/orders.sql:12:18: error: ref() takes 1 or 2 arguments, got 3
 *      12 | select * from {{ ref('stg', 'orders', 'x') }}
 *         |                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^
 *      hint: use ref('model') or ref('package', 'model')
 *
 * Module direction: core -> nothing. The bottom layer: every other module may use it.
 */
#ifndef SLUICE_CORE_DIAG_H
#define SLUICE_CORE_DIAG_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/arena.h"

struct sb;

struct loc {
	uint32_t file;  /* 0: no file */
	uint32_t off;   /* byte offset of the first character */
	uint32_t len;   /* bytes underlined; 0 underlines one character */
};

#define LOC_NONE ((struct loc){0, 0, 0})

/* Registers a file; returns its id (never 0). `text` is borrowed, see above. */
uint32_t diag_file_add(const char *path, const char *text, size_t len);
const char *diag_file_path(uint32_t id);
/* How many files are registered: the id the last one got */
uint32_t diag_file_count(void);
const char *diag_file_text(uint32_t id, size_t *plen);
/* 1-based line and column (in bytes) of a location; 0/0 when the location has no file */
void loc_linecol(struct loc l, int *pline, int *pcol);
/* Location of 1-based line/col in a registered file (libyaml marks come this way) */
struct loc loc_at(uint32_t file, int line, int col, uint32_t len);
/* Location `off` bytes into another location's start (for spans inside a captured string) */
struct loc loc_shift(struct loc l, uint32_t off, uint32_t len);
/* Frees the registry (end of process; tests) */
void diag_files_release(void);
/* Drops the files registered after the first `count` (their texts are gone, nothing refers to them) */
void diag_files_truncate(uint32_t count);

enum diag_kind { DIAG_ERROR, DIAG_WARN, DIAG_NOTE };

struct diag {
	enum diag_kind kind;
	struct loc loc;
	char *msg;
	char *hint;          /* optional, printed as "hint: ..." */
	bool from_db;        /* the database's own error: msg is its text, printed under "Database Error: " */
	struct diag *notes;  /* "note: ..." lines that point back, e.g. to an opening construct */
	struct diag *next;
};

struct diag_list {
	struct diag *head, *tail;
	int nerrors;
	int nwarnings;
	pthread_mutex_t lock;
	struct arena arena;
};

void diag_list_init(struct diag_list *dl);
void diag_list_release(struct diag_list *dl);

struct diag *diag_add(struct diag_list *dl, enum diag_kind kind, struct loc loc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define diag_error(dl, loc, ...) diag_add((dl), DIAG_ERROR, (loc), __VA_ARGS__)
#define diag_warn(dl, loc, ...) diag_add((dl), DIAG_WARN, (loc), __VA_ARGS__)
void diag_hint(struct diag_list *dl, struct diag *d, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void diag_note(struct diag_list *dl, struct diag *d, struct loc loc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Moves every diagnostic of src to the end of dst (src is left empty) */
void diag_list_move(struct diag_list *dst, struct diag_list *src);

/* The heading of a diagnostic's message as users read it: "Database Error: " (dbt's words) for one
 * from the database, else "" */
const char *diag_heading(const struct diag *d);

/* One diagnostic (with its hint and notes) as text; colour codes only when `color` */
void diag_format(struct sb *out, const struct diag *d, bool color);
void diag_print(FILE *f, struct diag_list *dl, bool color);

#endif
