/*
 * The adapter interface: one vtable per engine (duckdb, postgres, flink, confluent). SQL that differs
 * between engines lives in Jinja macros (macros/<adapter>/...), not here: an adapter only connects,
 * runs SQL, returns rows and answers metadata questions.
 *
 * Threads: one `struct adapter_conn` per worker thread. A connection is never shared between threads;
 * `struct adapter` (the opened database/engine handle) is shared and its open_conn is thread-safe.
 *
 * Ownership: results are allocated in the arena passed to the call. Error messages go to *perr,
 * allocated in that arena; they must never contain secrets from the profile.
 *
 * Module direction: adapters -> flink, value, core (flink: the Gateway client library, as
 * <sluice/flink.h>).
 */
#ifndef SLUICE_ADAPTERS_ADAPTER_H
#define SLUICE_ADAPTERS_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "value/value.h"

struct adapter;
struct adapter_conn;

/* A column of a result or of a relation */
struct adapter_column {
	const char *name;
	const char *type;     /* engine's type name, e.g. INTEGER, VARCHAR, DECIMAL(18,3) */
	const char *comment;  /* NULL when none */
};

/* A query result: rows of values (V_NONE for SQL NULL; ints, floats, strings, bools; dates and
 * timestamps as ISO strings; decimals as floats) */
struct adapter_result {
	size_t ncols;
	struct adapter_column *cols;
	size_t nrows;
	value *rows;          /* nrows * ncols, row-major */
	int64_t rows_affected; /* -1 when unknown; ADAPTER_MESSAGE_ONLY: see below */
	const char *message;   /* short status such as "OK", "INSERT 0 5", "SELECT 3" */
};

/* rows_affected of an engine whose responses are a message alone, with no code and no row count
 * (dbt-duckdb's AdapterResponse(_message="OK")): None in Jinja, absent from run_results */
#define ADAPTER_MESSAGE_ONLY (-2)

enum relation_type { REL_TABLE, REL_VIEW, REL_EXTERNAL, REL_MATERIALIZED_VIEW, REL_UNKNOWN };

struct adapter_relation {
	const char *database;
	const char *schema;
	const char *identifier;
	enum relation_type type;
};

/* One relation of the catalog with its columns (docs generate) */
struct adapter_catalog_table {
	struct adapter_relation rel;
	const char *owner;
	const char *comment;
	size_t ncols;
	struct adapter_column *cols;
	value stats;  /* dict id -> {id, label, value, include, description} or V_NONE */
};

struct adapter_vtable {
	const char *type;  /* "duckdb", "postgres", ... (the profile's `type:` and macro dispatch prefix) */
	/* Opens the engine from the profile target (a dict: the target's keys, env_var() already
	 * rendered). `project_root` resolves relative paths. Returns 0 or -1 with *perr. */
	int (*open)(struct adapter **pad, value target, const char *project_root, struct arena *a,
		    char **perr);
	void (*close)(struct adapter *ad);
	int (*open_conn)(struct adapter *ad, struct adapter_conn **pconn, struct arena *a, char **perr);
	void (*close_conn)(struct adapter_conn *conn);
	/* Runs SQL (one or several statements). With fetch, rows of the LAST statement are returned in
	 * *pres (may be NULL when !fetch). `limit` caps the rows fetched (-1: all). */
	int (*execute)(struct adapter_conn *conn, const char *sql, bool fetch, long limit,
		       struct adapter_result *pres, struct arena *a, char **perr);
	/* Transactions (no-ops where the engine has none) */
	int (*begin)(struct adapter_conn *conn, struct arena *a, char **perr);
	int (*commit)(struct adapter_conn *conn, struct arena *a, char **perr);
	int (*rollback)(struct adapter_conn *conn, struct arena *a, char **perr);
	/* Optional: whether a transaction is open on conn (begun and not yet ended); an engine
	 * without it is taken to have one open whenever commit is asked for */
	bool (*in_transaction)(struct adapter_conn *conn);
	/* Looks a relation up; *pfound false when it does not exist */
	int (*get_relation)(struct adapter_conn *conn, const char *database, const char *schema,
			    const char *identifier, struct adapter_relation *prel, bool *pfound,
			    struct arena *a, char **perr);
	int (*get_columns)(struct adapter_conn *conn, const struct adapter_relation *rel,
			   struct adapter_column **pcols, size_t *pn, struct arena *a, char **perr);
	int (*list_relations)(struct adapter_conn *conn, const char *database, const char *schema,
			      struct adapter_relation **prels, size_t *pn, struct arena *a, char **perr);
	int (*create_schema)(struct adapter_conn *conn, const char *database, const char *schema,
			     struct arena *a, char **perr);
	/* Catalog of the given schemas (docs generate) */
	int (*catalog)(struct adapter_conn *conn, const char *database, const char *const *schemas,
		       size_t nschemas, struct adapter_catalog_table **ptables, size_t *pn,
		       struct arena *a, char **perr);
	/* Quotes an identifier ("x" for duckdb/postgres, `x` for flink) */
	const char *(*quote)(const char *ident, struct arena *a);
	/* The database name the target resolves to (duckdb: the file's stem) and default schema */
	const char *(*default_database)(struct adapter *ad);
	const char *(*default_schema)(struct adapter *ad);
	/* Loads a CSV file into a relation efficiently (seeds); NULL when the engine has no fast path */
	int (*load_csv)(struct adapter_conn *conn, const struct adapter_relation *rel, const char *csv_path,
			value options, struct arena *a, char **perr);

	/* The members below are optional (NULL when the engine has no use for them). */

	/* Ctrl-C: stops what conn runs now and makes every later statement on conn fail at once
	 * (DuckDB: duckdb_interrupt; Flink: the gateway's cancel of the running operation;
	 * PostgreSQL: PQcancel). Called from another thread while a worker uses conn, possibly more
	 * than once; it must take no lock the worker may hold. rollback must still work after it. */
	void (*cancel)(struct adapter_conn *conn);

	/* True when the target's catalog lives in the session (Flink's in-memory catalog), so every new
	 * session must declare the project's relations again before anything reads them */
	bool (*catalog_is_session_scoped)(struct adapter *ad);
	/* Data tests that need a session of their own (Flink: batch mode, where every scan must be
	 * bounded): begin moves conn to a fresh session in which each statement must finish within
	 * timeout_ms (0: no limit), end closes it and moves conn back. */
	int (*begin_test_session)(struct adapter_conn *conn, long timeout_ms, struct arena *a, char **perr);
	int (*end_test_session)(struct adapter_conn *conn, struct arena *a, char **perr);
	/* adapter.<method>(...) calls particular to the engine, for its macros (Flink: list_jobs,
	 * stop_job, submit, query_columns, ...), named in `methods` (NULL-terminated). pos is a list,
	 * kw a dict (both may be empty). Sets *pfound false for a method the engine does not have. */
	const char *const *methods;
	int (*call)(struct adapter_conn *conn, const char *method, value pos, value kw, value *pout,
		    bool *pfound, struct arena *a, char **perr);
	/* The adapter keeps a relation cache (adapters/relcache.h): get_relation and list_relations
	 * answer from it, list_relations fills a schema's part at once (the run does that before the
	 * first model), and this applies adapter.cache_added ('a'), cache_dropped ('d') and
	 * cache_renamed ('r', to the relation `to`) */
	void (*cache_note)(struct adapter_conn *conn, char op, const struct adapter_relation *rel,
			   const struct adapter_relation *to);
	/* Extra lines for `sluice debug` (engine version, catalog kind), one call of `line` each */
	void (*describe)(struct adapter *ad, void (*line)(void *ud, const char *text), void *ud);
	/* The adapter whose macros and materializations this one inherits (dispatch tries
	 * <type>__, then <parent>__, then default__), or NULL */
	const char *parent;
};

/* The vtable for a profile type, or NULL */
const struct adapter_vtable *adapter_find(const char *type);
const char *relation_type_name(enum relation_type t);  /* "table", "view", ... as dbt names them */
/* Where a statement's own text starts: past spaces and leading comments (dbt's query comment) */
const char *adapter_sql_body(const char *sql);

extern const struct adapter_vtable adapter_duckdb;
extern const struct adapter_vtable adapter_flink;
extern const struct adapter_vtable adapter_postgres;
extern const struct adapter_vtable adapter_confluent;

#endif
