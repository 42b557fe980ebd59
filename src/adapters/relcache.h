/*
 * The relation cache of a run, shared by the SQL adapters (DuckDB, PostgreSQL): which relations each
 * schema holds, so that adapter.get_relation costs no catalog query after the first look-up in a
 * schema.
 *
 * DESIGN
 *  - A schema's relations are listed once (the adapter's `lister`, one query a schema), on its first
 *    look-up or when the run warms the cache before the first model, and kept in a map shared by all
 *    connections under the cache's own lock. A listing during which DDL went through the adapter may
 *    have missed it: it answers the look-up that made it but is not kept.
 *  - The cache follows the DDL that goes through the adapter's execute(): relcache_note_sql() reads
 *    the statements the materializations send (create table/view/materialized view, alter ...
 *    rename to, drop) and applies them. What it cannot place (a name without a schema, DROP SCHEMA,
 *    ALTER ... SET SCHEMA, a DROP ... CASCADE where the engine drops dependants, several names in one
 *    drop) makes it forget everything; forgetting only costs a new listing.
 *  - adapter.cache_added / cache_dropped / cache_renamed (dbt's names) apply one change directly.
 *  - Transactions: DDL in an open transaction is applied at once (the connection that ran it sees
 *    it), and applied again at commit, since a listing taken meanwhile by another connection could not
 *    see it. A rollback after DDL forgets everything; so does a statement that failed after DDL may
 *    have gone through, and DDL the adapter could not see as a statement of its own.
 *  - Names: with `fold_lower` (PostgreSQL) an unquoted name is folded to lower case and look-ups
 *    match the exact name first, then any case; with `case_insensitive` (DuckDB) every name matches
 *    in any case and the relation keeps the case it was created with.
 *
 * Threads: every function may be called from any worker; the lister runs without the lock held.
 * A `struct relcache_conn` belongs to one connection and is only touched by its thread.
 *
 * Module direction: adapters -> flink, value, core (flink: the Gateway client library, as
 * <sluice/flink.h>).
 */
#ifndef SLUICE_ADAPTERS_RELCACHE_H
#define SLUICE_ADAPTERS_RELCACHE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "adapters/adapter.h"
#include "core/arena.h"
#include "core/map.h"

struct relcache_rules {
	bool case_insensitive;   /* DuckDB: names match in any case */
	bool keyed_by_database;  /* DuckDB: several catalogs can be attached; PostgreSQL: one a connection */
	bool cascade_local;      /* DROP ... CASCADE takes no dependent view along (DuckDB binds views lazily) */
	bool txn_from_sql;       /* BEGIN/COMMIT/ROLLBACK in the SQL move the connection's transaction */
};

struct relcache {
	struct relcache_rules rules;
	const char *default_database;
	pthread_mutex_t lock;   /* guards everything below */
	struct map schemas;     /* key -> struct relcache_schema * */
	unsigned long ddl_gen;  /* DDL notes so far: a listing that saw it move is not kept */
	unsigned long listings; /* schemas listed so far (for the debug log and tests) */
	struct arena arena;
};

struct relcache_pending;

/* What the cache knows of one connection */
struct relcache_conn {
	bool in_txn;         /* set by the adapter (or by the SQL when rules.txn_from_sql) */
	bool touched;        /* DDL went through in the open transaction (a rollback undoes it) */
	bool no_dependents;  /* the DROP ... CASCADE about to run takes nothing else along */
	struct relcache_pending *pending;  /* the DDL of the open transaction, applied again at commit */
};

/* Lists the relations of one schema without the cache (database NULL: the default) */
typedef int (*relcache_lister)(struct adapter_conn *c, const char *database, const char *schema,
			       struct adapter_relation **prels, size_t *pn, struct arena *a, char **perr);

void relcache_init(struct relcache *rc, const struct relcache_rules *rules, const char *default_database);
void relcache_release(struct relcache *rc);
void relcache_conn_release(struct relcache_conn *cs);

/* Looks up one relation; the first look-up in a schema lists it through `list` */
int relcache_get(struct relcache *rc, relcache_lister list, struct adapter_conn *c, const char *database,
		 const char *schema, const char *identifier, struct adapter_relation *prel, bool *pfound,
		 struct arena *a, char **perr);
/* The relations of a schema, sorted by identifier */
int relcache_list(struct relcache *rc, relcache_lister list, struct adapter_conn *c, const char *database,
		  const char *schema, struct adapter_relation **prels, size_t *pn, struct arena *a, char **perr);

/* SQL went through the connection: applies its DDL (ok), or, when it failed (!ok) and may have held
 * DDL, forgets everything */
void relcache_note_sql(struct relcache *rc, struct relcache_conn *cs, const char *sql, bool ok);
/* The open transaction ended; on rollback after DDL, forgets everything */
void relcache_txn_end(struct relcache *rc, struct relcache_conn *cs, bool committed);
void relcache_forget_all(struct relcache *rc);

/* When sql is one DROP ... CASCADE of one qualified relation: its schema and identifier, so that the
 * adapter can check for dependants and set cs->no_dependents */
bool relcache_lone_drop_cascade(const char *sql, const char **pschema, const char **pident, struct arena *a);

/* adapter.cache_added / cache_dropped / cache_renamed */
void relcache_added(struct relcache *rc, struct relcache_conn *cs, const struct adapter_relation *rel);
void relcache_dropped(struct relcache *rc, struct relcache_conn *cs, const struct adapter_relation *rel);
void relcache_renamed(struct relcache *rc, struct relcache_conn *cs, const struct adapter_relation *from,
		      const struct adapter_relation *to);

#endif
