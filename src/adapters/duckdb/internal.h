/* What the files of the DuckDB adapter share (duckdb.c: the adapter proper; split.c: SQL text,
 * statement splitting; convert.c: results to values, type names, DuckDB's text of values). The
 * structs are the adapter's own, opaque to the rest of Sluice. */
#ifndef SLUICE_ADAPTERS_DUCKDB_INTERNAL_H
#define SLUICE_ADAPTERS_DUCKDB_INTERNAL_H

#define DUCKDB_API_NO_DEPRECATED
#include <duckdb.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "adapters/adapter.h"
#include "adapters/relcache.h"
#include "core/arena.h"
#include "core/map.h"

struct sb;

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
	bool ended;  /* the last thing run here was a COMMIT or ROLLBACK of ours: no transaction is open */
};

/* ---------------------------------------------------------------- split.c */

/* A statement's text inside the SQL it was cut from (not NUL-terminated) */
struct sql_piece {
	const char *p;
	size_t n;
};

/* "ident" with inner quotes doubled */
void adp_duckdb_add_quoted_ident(struct sb *s, const char *ident);
/* 'str' (n bytes) with inner quotes doubled */
void adp_duckdb_add_string_lit(struct sb *s, const char *str, size_t n);
/* Cuts SQL into its statements the way DuckDB's tokenizer does; *ppieces (malloc'ed, the caller
 * frees it) points into sql. Returns the number of pieces. */
size_t adp_duckdb_split_sql(const char *sql, struct sql_piece **ppieces);

/* ---------------------------------------------------------------- convert.c */

/*
 * Reads a materialized result into *pres: the columns (names from `names` when given, types from
 * `types` when given, else from the result) and up to `limit` rows (-1: all), in arena a.
 */
void adp_duckdb_read_result(struct adapter_conn *c, duckdb_result *res, char **names, duckdb_logical_type *types,
			    long limit, struct adapter_result *pres, struct arena *a);
/*
 * For a SELECT with nested columns: prepares `SELECT c0, CAST(c1 AS VARCHAR) ... FROM (<text>)` and
 * hands back the original names and types (free them with adp_duckdb_free_wrap_info). Returns the
 * new statement, or NULL to run the original.
 */
duckdb_prepared_statement adp_duckdb_wrap_for_text(struct adapter_conn *c, duckdb_prepared_statement st,
						   const struct sql_piece *text, char ***pnames,
						   duckdb_logical_type **ptypes, size_t *pn);
void adp_duckdb_free_wrap_info(char **names, duckdb_logical_type *types, size_t n);

#endif
