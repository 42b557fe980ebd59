/*
 * sluice_flink._flink: the C half of the Python DB-API module, on libsluice-flink's public API
 * (sluice/flink.h) and nothing else of Sluice.
 *
 *   Session    a client and one gateway session (connect, configure, config, close)
 *   Operation  one submitted statement: its columns, pages of decoded rows (with their kind), an
 *              optional changelog fold (flink_snapshot), cancel, close
 *   Cloud, CloudStatement   the same two for Confluent Cloud's Statements API (flink_cc_*):
 *              named statements with labels and properties; fetch() has Operation's contract
 *
 * The PEP 249 classes (Connection, Cursor, parameter quoting, type objects) are Python, in
 * sluice_flink/__init__.py; this half owns everything that touches the network or decodes values.
 *
 * Threads: every call into the library runs without the GIL. A Session is used by one thread at
 * a time (the library's rule for a session and its operations): a call that finds its session
 * busy raises ProgrammingError instead of racing. Reference counts and Python objects are only
 * touched with the GIL held.
 *
 * Ownership: an Operation holds a strong reference to its Session; closing a Session closes its
 * open operations first (their handles become closed), so no library handle outlives its
 * session.
 */
#ifndef SLUICE_PY_EXT_H
#define SLUICE_PY_EXT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdbool.h>

#include <sluice/flink.h>

/* A keyword name for PyArg_ParseTupleAndKeywords, whose kwlist is not const before 3.13 */
#define KW(s) ((char *)(s))

/* PEP 249's exceptions, created at import (module.c) */
extern PyObject *sf_Warning, *sf_Error, *sf_InterfaceError, *sf_DatabaseError, *sf_DataError,
	*sf_OperationalError, *sf_IntegrityError, *sf_InternalError, *sf_ProgrammingError,
	*sf_NotSupportedError;

/* Raises the PEP 249 exception that fits err (class chosen from its code and the gateway's
 * causes), with the attributes code, http_status, root_cause, server_trace, statement, request;
 * returns NULL. Releases err. */
PyObject *sf_raise(struct flink_error *err);

struct sf_operation;

/* What a statement of either protocol keeps of its results (common.c) */
struct sf_results {
	bool have_cols, is_query, eos;
	PyObject *columns;               /* tuple of column tuples, once known */
	flink_snapshot *snap;            /* the changelog fold, when asked for */
	size_t *snap_key, nsnap_key;
	bool want_snapshot, key_given;   /* key_given: snapshot() had a key (else a default) */
	PyObject *ltz;                   /* tzinfo of TIMESTAMP_LTZ values (the session's zone) */
	long rows_read;                  /* changelog rows read so far */
};

typedef struct sf_session {
	PyObject_HEAD
	flink_client *client;
	flink_session *session;
	bool busy;                       /* a call of some thread is inside the library */
	struct sf_operation *ops;        /* open operations, to close before the session */
} sf_session;

typedef struct sf_operation {
	PyObject_HEAD
	sf_session *owner;               /* strong reference */
	flink_operation *op;             /* NULL once closed */
	struct sf_operation *next, *prev;
	struct sf_results r;
	enum flink_result_kind kind;
	char job_id[33];
} sf_operation;

extern PyTypeObject sf_SessionType;
extern PyTypeObject sf_OperationType;

/* ---------------------------------------------------------------- confluent.c */

struct sf_cloud_statement;

/* One organization + environment of Confluent Cloud's Statements API (flink_cc); the same
 * one-thread-at-a-time rule as a Session */
typedef struct sf_cloud {
	PyObject_HEAD
	flink_cc *cc;                    /* NULL once closed */
	bool busy;
	struct sf_cloud_statement *stmts; /* open statements, closed before the connection */
} sf_cloud;

/* One named statement: polled until its rows may be read, then paged like an Operation */
typedef struct sf_cloud_statement {
	PyObject_HEAD
	sf_cloud *owner;                 /* strong reference */
	flink_cc_statement *st;          /* NULL once closed */
	struct sf_cloud_statement *next, *prev;
	struct sf_results r;
	bool ready;
	long long phase_read_ms;         /* when the phase was last read (CLOCK_MONOTONIC) */
} sf_cloud_statement;

extern PyTypeObject sf_CloudType;
extern PyTypeObject sf_CloudStatementType;

/* Key/value pairs from a mapping or a sequence of pairs (values str()'d, booleans "true" and
 * "false"); the strings stay owned by *pkeep, which the caller releases after the call */
int sf_kv_from(PyObject *src, struct flink_kv **pkv, size_t *pn, PyObject **pkeep);
/* *out: the UTF-8 of a str, or NULL for None; -1 with TypeError for anything else */
int sf_opt_str(PyObject *o, const char **out, const char *what);

/* Marks the session busy for a call into the library, or raises ProgrammingError (0 / -1) */
int sf_session_enter(sf_session *s);
void sf_session_leave(sf_session *s);
/* Closes o's library handle (if open) and unlinks it from its session; errors are ignored */
void sf_operation_detach(sf_operation *o);

/* ---------------------------------------------------------------- common.c */

/* The transport keywords both connections take, onto the options of either protocol (o:
 * struct flink_client_options or struct flink_cc_options); 0 timeouts and negative retries keep
 * the library's defaults */
#define SF_TRANSPORT_OPTIONS(o, insecure, cto, rto, retries, backoff) \
	do {                                                           \
		(o).insecure = (insecure);                             \
		if ((cto) > 0)                                         \
			(o).connect_timeout_ms = (cto);                \
		if ((rto) > 0)                                         \
			(o).request_timeout_ms = (rto);                \
		if ((retries) >= 0)                                    \
			(o).max_retries = (retries);                   \
		if ((backoff) > 0)                                     \
			(o).retry_backoff_ms = (backoff);              \
	} while (0)

/* The one-thread-at-a-time guard of a connection (Session, Cloud): marks *busy, or raises
 * InterfaceError when it is not open, ProgrammingError when another call is inside (0 / -1) */
int sf_enter(bool open, bool *busy);
/* A statement's results before its first fetch, and their release (the struct stays) */
void sf_results_init(struct sf_results *r);
void sf_results_clear(struct sf_results *r);
/* snapshot(key=None) of either statement type: asks for the fold, by the key's column indexes */
PyObject *sf_results_snapshot(struct sf_results *r, PyObject *args, PyObject *kw);
/* Getters of a statement type's struct sf_results, whose offset in the object is the closure
 * (SF_RESULTS_GETSET) */
PyObject *sf_get_columns(PyObject *self, void *off);
PyObject *sf_get_is_query(PyObject *self, void *off);
PyObject *sf_get_eos(PyObject *self, void *off);
PyObject *sf_get_rows_read(PyObject *self, void *off);
#define SF_RESULTS_GETSET(type)                                                                        \
	{"columns", sf_get_columns, NULL,                                                              \
	 "Once known: (name, type, type name, nullable, length, precision, scale, comment) per column.", \
	 (void *)offsetof(type, r)},                                                                   \
	{"eos", sf_get_eos, NULL, "True once the results ended.", (void *)offsetof(type, r)},         \
	{"rows_read", sf_get_rows_read, NULL, "Changelog rows read so far.", (void *)offsetof(type, r)}
/* The columns as a tuple of sf_column_tuple()s (new reference, or NULL with an exception) */
PyObject *sf_columns(const struct flink_column *cols, size_t ncols);
/* Rows as a list of (kind, tuple), decoded with cols (new reference, or NULL) */
PyObject *sf_rows(const struct flink_row *rows, size_t n, const struct flink_column *cols, size_t ncols,
		  PyObject *ltz);
/* The fold's rows so far, as sf_rows(); an empty list without a fold or columns */
PyObject *sf_snapshot_list(flink_snapshot *snap, const struct flink_column *cols, size_t ncols,
			   PyObject *ltz);
/* Applies a page's rows to a fold: 0, or -1 with the error raised */
int sf_snapshot_page(flink_snapshot *snap, const struct flink_page *pg);

/* ---------------------------------------------------------------- decode.c */

/* Imports decimal, datetime and json; 0 or -1 with an exception set */
int sf_decode_init(void);
/* A value as Python sees it (new reference, or NULL with DataError set) */
PyObject *sf_decode_value(const struct flink_value *v, const struct flink_type *t, PyObject *ltz);
/* A row as a tuple of decoded values; with_kind: (kind, tuple), kind "+I", "-U", "+U" or "-D" */
PyObject *sf_decode_row(const struct flink_row *row, const struct flink_column *cols, size_t ncols,
			PyObject *ltz, bool with_kind);
/* One column of Cursor.description's raw material:
 * (name, type text, root name, nullable, length, precision, scale, comment) */
PyObject *sf_column_tuple(const struct flink_column *c);

#endif
