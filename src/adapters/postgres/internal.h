/*
 * What the files of the PostgreSQL adapter share: the adapter and connection structs, the relation
 * cache and the helpers that run SQL through libpq.
 *
 * Ownership: everything in `struct adapter` lives in its arena or is malloc'ed and freed by
 * pg_close; the connection strings (password included) stay inside it and are never formatted into
 * a message. Results and errors are allocated in the arena of each call, as adapter.h says.
 */
#ifndef SLUICE_ADAPTERS_POSTGRES_INTERNAL_H
#define SLUICE_ADAPTERS_POSTGRES_INTERNAL_H

#include <signal.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>

#include "adapters/adapter.h"
#include "adapters/relcache.h"
#include "core/arena.h"
#include "core/map.h"
#include "core/sb.h"

#define PG_MAX_PARAMS 16
#define PG_MAX_CONNS 256

struct adapter {
	struct arena arena;
	/* libpq connection parameters (NULL-terminated); `password` among them, never shown */
	const char *keys[PG_MAX_PARAMS + 1];
	const char *vals[PG_MAX_PARAMS + 1];
	const char *password;
	const char *database;  /* dbname */
	const char *schema;    /* default schema */
	const char *role;      /* SET ROLE after connecting, or NULL */
	const char *where;     /* "host:port/dbname" for messages */
	int retries;           /* extra connection attempts */

	pthread_mutex_t lock;  /* guards everything below */
	int server_version;    /* PQserverVersion() of the first connection, 0 before */
	const char *server_version_text;
	struct adapter_conn *conns[PG_MAX_CONNS];  /* open connections, for cancel */
	struct relcache rc;    /* the relations of each schema, with a lock of its own */
};

struct adapter_conn {
	struct adapter *ad;
	PGconn *pg;            /* NULL until first used: connections open lazily */
	PGcancel *cancel;
	volatile sig_atomic_t cancelled; /* Ctrl-C (pg_cancel): every later statement fails at once */
	struct relcache_conn rcs;  /* the DDL of the open transaction, for the relation cache */
	bool txn_empty;            /* the open transaction ran nothing but its BEGIN yet */
};

int pg_fail(struct arena *a, char **perr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Connects conn if it is not yet connected (or reconnects a lost connection outside a transaction) */
int pg_ensure(struct adapter_conn *c, struct arena *a, char **perr);
/* Runs one statement with text parameters; rows in *pres (may be NULL) */
int pg_query_params(struct adapter_conn *c, const char *sql, const char *const *params, int n,
		    struct adapter_result *pres, struct arena *a, char **perr);
/* The error of a failed result, as a message without the password */
char *pg_result_error(struct adapter *ad, const PGresult *res, struct arena *a);
void pg_quote_ident(struct sb *s, const char *ident);
void pg_add_literal(struct sb *s, const char *str);

/* Relation cache (meta.c) */
/* SQL went through conn (ok) or failed (!ok: what it may have changed is looked up again) */
void pg_cache_note_sql(struct adapter_conn *c, const char *sql, bool ok);
/* adapter.cache_added ('a'), cache_dropped ('d'), cache_renamed ('r') */
void pg_cache_note(struct adapter_conn *c, char op, const struct adapter_relation *rel,
		   const struct adapter_relation *to);
void pg_cache_before_sql(struct adapter_conn *c, const char *sql);
void pg_cache_forget_all(struct adapter *ad);
/* The open transaction ended: its DDL is applied again once committed (a listing taken before the
 * commit could not see it), forgotten with the whole cache when rolled back */
void pg_cache_txn_end(struct adapter_conn *c, bool committed);
void pg_cache_release(struct adapter *ad);

int pg_get_relation(struct adapter_conn *c, const char *database, const char *schema, const char *identifier,
		    struct adapter_relation *prel, bool *pfound, struct arena *a, char **perr);
int pg_list_relations(struct adapter_conn *c, const char *database, const char *schema,
		      struct adapter_relation **prels, size_t *pn, struct arena *a, char **perr);
int pg_get_columns(struct adapter_conn *c, const struct adapter_relation *rel, struct adapter_column **pcols,
		   size_t *pn, struct arena *a, char **perr);
int pg_create_schema(struct adapter_conn *c, const char *database, const char *schema, struct arena *a,
		     char **perr);
int pg_catalog(struct adapter_conn *c, const char *database, const char *const *schemas, size_t nschemas,
	       struct adapter_catalog_table **ptables, size_t *pn, struct arena *a, char **perr);

/* Seeds (seed.c) */
int pg_load_csv(struct adapter_conn *c, const struct adapter_relation *rel, const char *csv_path, value options,
		struct arena *a, char **perr);

#endif
